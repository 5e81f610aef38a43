/* cron.h - five-field cron schedules as busybox crond reads them.
 *
 * Parses and validates a schedule, computes the next run times (UTC, the
 * container's zone), describes it in words for the console ("daily 02:00")
 * and tells the longest gap between two runs (for the "overdue" rule).
 * Pure logic: no allocation, no I/O. Fields: minute hour day-of-month month
 * day-of-week; lists, ranges, steps, names (jan-dec, sun-sat), 7 = sunday and
 * the macros @hourly @daily @midnight @weekly @monthly @yearly @annually.
 * Like cron, when both day fields are restricted a day matches either one.
 */
#ifndef DEEPLENS_CRON_H
#define DEEPLENS_CRON_H

#include <stdint.h>
#include <time.h>

#include "deeplens/err.h"

typedef struct dl_cron {
    uint64_t minute;   /* bit n = minute n (0-59) */
    uint32_t hour;     /* 0-23 */
    uint32_t mday;     /* 1-31 */
    uint16_t month;    /* 1-12 */
    uint8_t wday;      /* 0-6, sunday = 0 */
    int mday_star, wday_star;  /* field was '*' (or '*' with a step) */
    char text[128];    /* normalised source text, macros expanded */
} dl_cron;

/* Parse. Errors (DL_EINVAL) name the field and value, e.g.
 * "invalid schedule '61 2 * * *': minute must be 0-59". Rejects newlines,
 * 4 or 6 fields, unknown macros, empty lists, bad steps. */
int dl_cron_parse(dl_cron *c, const char *text, dl_err *err);

/* First run strictly after `after` (UTC). Returns 0 and sets *next, or -1 if
 * the schedule never fires (e.g. 30 feb) within 5 years. */
int dl_cron_next(const dl_cron *c, time_t after, time_t *next);

/* Longest interval between consecutive runs, in seconds, looked at over the
 * next 400 days from `from` (for "0 3 * * 0": 604800). */
long dl_cron_max_gap(const dl_cron *c, time_t from);

/* Words for the console, fitting in `n`: "every minute", "hourly at :00",
 * "every 6 h at :00", "daily 02:00", "daily 02:00,14:00", "weekly sun 03:00",
 * "monthly 1st 00:00"; the raw text when no simple phrase fits. */
void dl_cron_describe(const dl_cron *c, char *buf, size_t n);

/* The document's presets, for forms: name + expression. */
typedef struct dl_cron_preset {
    const char *name;  /* "daily 2 AM" */
    const char *expr;  /* "0 2 * * *" */
} dl_cron_preset;
extern const dl_cron_preset dl_cron_presets[];
extern const int dl_cron_npresets;

#endif
