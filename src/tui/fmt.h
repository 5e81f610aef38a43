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

#endif
