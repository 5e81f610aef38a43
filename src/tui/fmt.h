/* fmt.h - numbers and times in the console's words (internal to src/tui;
 * no curses; sizes are dl_fmt_size of deeplens/text.h): ages "3h 12m", times "2025-03-01 02:00" (UTC,
 * the containers' zone, like the schedules). Each writes into buf and
 * returns it.
 */
#ifndef DEEPLENS_TUI_FMT_H
#define DEEPLENS_TUI_FMT_H

#include <stddef.h>
#include <time.h>

/* A duration in the two largest units: "45s", "12m", "3h 12m", "4d 2h". */
const char *ui_fmt_span(long long seconds, char *buf, size_t n);
/* "2025-03-01 02:00" (UTC); "-" for 0. */
const char *ui_fmt_time(time_t t, char *buf, size_t n);
/* "3h 12m ago" / "in 3h 12m" relative to now; "never" for 0. */
const char *ui_fmt_ago(time_t t, time_t now, char *buf, size_t n);
const char *ui_fmt_in(time_t t, time_t now, char *buf, size_t n);

/* A size trend: one cell per value of v[0..nv) (oldest first), its height
 * the value's share of the largest (0 to max, rounded to 8 levels), so a
 * backup 10x smaller than the others stands out. Unicode blocks
 * "▁▂▃▄▅▆▇█", or with ascii "_.-~=+*#" (--ascii, a non-UTF-8 locale).
 * Negative values count as 0; a cell that does not fit in buf is left out
 * (the newest are kept). */
#define UI_SPARK_ASCII "_.-~=+*#"
const char *ui_fmt_sparkline(const long long *v, size_t nv, int ascii, char *buf, size_t n);

/* One table row of a manifest: "   5000     1.2 MiB  public.images", rows
 * right-aligned in rows_w columns; the tenant-controlled name made inert
 * (deeplens/text.h: ESC -> "^[", U+202E -> "\u202e"). */
const char *ui_fmt_manifest_row(long long rows, long long data_bytes, const char *name,
                                int rows_w, int utf8, char *buf, size_t n);

#endif
