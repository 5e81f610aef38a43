/* status.c - the status model of one tenant backup and the health rule.
 *
 * A dl_status is filled in two layers: the container part (engine summary
 * or inspect, labels -> spec) and the job part (the status file the job
 * writes after every run). dl_health_eval turns both into a verdict; the
 * rule is written down in backup.h and the man page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/backup.h"
#include "deeplens/cron.h"
#include "deeplens/text.h"
#include "internal.h"

static const struct {
    const char *word, *symbol;
} healths[] = {
#define DL_X_ROW(name, word, sym) {word, sym},
    DL_HEALTHS(DL_X_ROW)
#undef DL_X_ROW
};

const char *dl_health_word(dl_health h)
{
    return (unsigned)h < DL_HEALTH_COUNT ? healths[h].word : "unknown";
}

const char *dl_health_symbol(dl_health h)
{
    return (unsigned)h < DL_HEALTH_COUNT ? healths[h].symbol : "?";
}

void dl_status_clear(dl_status *st)
{
    if (!st)
        return;
    free(st->files);
    memset(st, 0, sizeof *st);
}

void dl_statuses_free(dl_status *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        dl_status_clear(&v[i]);
    free(v);
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int dl_status_from_container(dl_status *st, const dk_container *ct, dl_err *err)
{
    dl_spec_defaults(&st->spec);
    if (dl_spec_from_labels(&st->spec, ct->labels, ct->nlabels, err) < 0) {
        dl_err_prefix(err, "container '%s'", ct->name ? ct->name : ct->id);
        return -1;
    }
    copy(st->container, sizeof st->container, ct->name);
    copy(st->container_id, sizeof st->container_id, ct->id);
    copy(st->state, sizeof st->state, ct->state);
    copy(st->engine_status, sizeof st->engine_status, ct->status);
    copy(st->engine_health, sizeof st->engine_health, ct->health);
    st->created = ct->created;
    st->started_at = ct->started_at;
    copy(st->service, sizeof st->service, dl_svc_name(ct));
    return 0;
}

/* Counts, sizes and times of the file: 0..2^53 (what JSON output holds
 * exactly). Anyone who can write to the share writes this file: a
 * negative or absurd value is unknown (0), so no later sum or age of it
 * overflows. Durations likewise: 0..1e9 seconds, else 0 (no NaN, no inf). */
#define STATUS_NUM_MAX (1LL << 53)

static long long num(const char *v)
{
    long long n = strtoll(v, NULL, 10);
    return n < 0 || n > STATUS_NUM_MAX ? 0 : n;
}

static double seconds(const char *v)
{
    double d = strtod(v, NULL);
    return d >= 0 && d <= 1e9 ? d : 0;
}

static int parse_file_line(dl_file *f, const char *v)
{
    char name[sizeof f->name], sum[16];
    long long size, mtime;
    if (sscanf(v, "%159s %lld %lld %15s", name, &size, &mtime, sum) != 4 || size < 0 ||
        size > STATUS_NUM_MAX || mtime < 0 || mtime > STATUS_NUM_MAX)
        return -1;
    memset(f, 0, sizeof *f);
    copy(f->name, sizeof f->name, name);
    f->size = size;
    f->mtime = (time_t)mtime;
    f->has_checksum = strcmp(sum, "none") != 0;
    return 0;
}

int dl_status_parse_job(dl_status *st, const char *text, size_t len, dl_err *err)
{
    size_t cap = 0;
    const char *p = text, *end = text + len;

    free(st->files);
    st->files = NULL;
    st->nfiles = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[1024], *v;
        if (ll >= sizeof line)
            ll = sizeof line - 1;
        memcpy(line, p, ll);
        line[ll] = '\0';
        p = nl ? nl + 1 : end;
        if (!(v = strchr(line, '=')))
            continue;
        *v++ = '\0';
        if (!strcmp(line, "file")) {
            dl_file f;
            if (parse_file_line(&f, v) < 0)
                continue;
            if (st->nfiles == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                dl_file *nv = realloc(st->files, ncap * sizeof *nv);
                if (!nv)
                    dl_oom();
                st->files = nv;
                cap = ncap;
            }
            st->files[st->nfiles++] = f;
        }
#define STR(k) else if (!strcmp(line, #k)) copy(st->k, sizeof st->k, v)
#define NUM(k) else if (!strcmp(line, #k)) st->k = num(v)
#define DBL(k) else if (!strcmp(line, #k)) st->k = seconds(v)
        STR(last_result); STR(last_reason); STR(last_file);
        STR(last_success_file); STR(size_flag); STR(size_reason);
        NUM(timeout_count);
        STR(last_drill_result); STR(last_drill_reason); STR(last_drill_file);
        NUM(last_drill); DBL(last_drill_duration);
        NUM(last_run_start); NUM(last_run_end); NUM(last_size);
        NUM(last_success); NUM(last_success_size); NUM(db_size_bytes);
        NUM(disk_total_kb); NUM(disk_free_kb); NUM(file_count);
        NUM(total_bytes);
        DBL(last_duration); DBL(last_success_duration);
#undef STR
#undef NUM
#undef DBL
    }
    st->have_job_status = 1;
    (void)err;
    return 0;
}

static void age_words(long secs, char *buf, size_t n)
{
    if (secs < 120)
        snprintf(buf, n, "%ld s", secs);
    else if (secs < 7200)
        snprintf(buf, n, "%ld min", secs / 60);
    else if (secs < 172800)
        snprintf(buf, n, "%ld h", secs / 3600);
    else
        snprintf(buf, n, "%ld d", secs / 86400);
}

/* The drill part of the rule (backup.h): 1 and the verdict set when the
 * tenant is untested. */
static int drill_untested(dl_status *st, time_t now)
{
    long window = (st->spec.drill_window_days > 0 ? st->spec.drill_window_days : 8) * 86400L;
    int failed = !strcmp(st->last_drill_result, "FAILED");
    char age[32];
    time_t ref;

    if (failed) {
        st->health = DL_HEALTH_UNTESTED;
        snprintf(st->health_reason, sizeof st->health_reason, "last drill failed: %s",
                 st->last_drill_reason[0] ? st->last_drill_reason : "no reason given");
        return 1;
    }
    if (!st->spec.drill_schedule[0])
        return 0;
    if (st->last_drill && !strcmp(st->last_drill_result, "ok")) {
        if (now - st->last_drill <= window)
            return 0;
        age_words((long)(now - st->last_drill), age, sizeof age);
        st->health = DL_HEALTH_UNTESTED;
        snprintf(st->health_reason, sizeof st->health_reason,
                 "last passed drill %s ago, window %d days (drill schedule '%s')", age,
                 st->spec.drill_window_days, st->spec.drill_schedule);
        return 1;
    }
    ref = st->started_at ? st->started_at : st->created;
    if (!ref || now - ref <= window)
        return 0;
    age_words((long)(now - ref), age, sizeof age);
    st->health = DL_HEALTH_UNTESTED;
    snprintf(st->health_reason, sizeof st->health_reason,
             "no drill has passed in the %s since the container started (window %d days)", age,
             st->spec.drill_window_days);
    return 1;
}

int dl_status_pending_run(const dl_status *st, time_t now, time_t window, time_t *at)
{
    dl_cron cron;
    dl_err e;
    time_t t;
    if (dl_cron_parse(&cron, st->spec.schedule, &e) < 0 ||
        dl_cron_next(&cron, now - window - 1, &t) < 0 || t > now)
        return 0;
    if (st->last_run_start >= t || (st->started_at && st->started_at > t))
        return 0;
    *at = t;
    return 1;
}

void dl_health_eval(dl_status *st, time_t now)
{
    dl_cron cron;
    dl_err err;
    char age[32];

    st->next_run = 0;
    st->max_gap = 0;
    st->health_reason[0] = '\0';
    if (dl_cron_parse(&cron, st->spec.schedule, &err) == 0) {
        if (dl_cron_next(&cron, now, &st->next_run) < 0)
            st->next_run = 0;
        st->max_gap = dl_cron_max_gap(&cron, now);
    }

    if (strcmp(st->state, "running") != 0) {
        st->health = DL_HEALTH_STOPPED;
        snprintf(st->health_reason, sizeof st->health_reason,
                 "container is %s", st->state[0] ? st->state : "missing");
        return;
    }
    if (st->have_job_status && !strcmp(st->last_result, "FAILED")) {
        st->health = DL_HEALTH_FAILING;
        snprintf(st->health_reason, sizeof st->health_reason,
                 "last run failed: %s",
                 st->last_reason[0] ? st->last_reason : "no reason given");
        return;
    }
    if (!st->have_job_status) {
        if (!strcmp(st->engine_health, "unhealthy")) {
            st->health = DL_HEALTH_FAILING;
            snprintf(st->health_reason, sizeof st->health_reason,
                     "the container's health probe fails");
        } else if (!strcmp(st->engine_health, "healthy")) {
            st->health = DL_HEALTH_OK;
        } else {
            st->health = DL_HEALTH_UNKNOWN;
            snprintf(st->health_reason, sizeof st->health_reason,
                     "no backup result known yet");
        }
        return;
    }
    if (st->max_gap > 0) {
        long grace = 600 + st->max_gap / 10;
        time_t ref = st->last_success ? st->last_success
                     : st->started_at ? st->started_at : st->created;
        if (ref && now - ref > st->max_gap + grace) {
            st->health = DL_HEALTH_OVERDUE;
            age_words((long)(now - ref), age, sizeof age);
            if (st->last_success)
                snprintf(st->health_reason, sizeof st->health_reason,
                         "last good backup %s ago, schedule '%s'", age,
                         st->spec.schedule);
            else
                snprintf(st->health_reason, sizeof st->health_reason,
                         "no good backup in the %s since the container started",
                         age);
            return;
        }
    }
    if (!strcmp(st->size_flag, "suspicious")) {
        st->health = DL_HEALTH_WARNING;
        snprintf(st->health_reason, sizeof st->health_reason, "suspicious backup size: %s",
                 st->size_reason[0] ? st->size_reason : "no reason given");
        return;
    }
    if (drill_untested(st, now))
        return;
    st->health = DL_HEALTH_OK;
}

long long dl_storage_estimate(long long db_size_bytes, int retention_days,
                              int compression)
{
    return (long long)((double)db_size_bytes * retention_days * DL_STORAGE_FACTOR(compression) *
                       DL_STORAGE_MARGIN);
}
