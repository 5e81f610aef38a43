/* logbuf.h - the bounded scrollback of the Logs tab (no curses).
 *
 * A ring of lines over one byte arena allocated once: at most max_lines
 * lines and max_bytes bytes; the oldest lines go first. A line that arrives
 * in pieces (continued = 1) is joined; a line longer than max_bytes / 4 is
 * cut (the rest counted, the line flagged). Lines are numbered by a
 * sequence that only grows, so a view can hold a position across appends
 * and notice when its line was dropped (seq < ui_logbuf_first).
 * Ownership: ui_logbuf_new returns a buffer freed by ui_logbuf_free;
 * pointers from ui_logbuf_line are valid until the next append or clear.
 */
#ifndef DEEPLENS_TUI_LOGBUF_H
#define DEEPLENS_TUI_LOGBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ui_logbuf ui_logbuf;

#define UI_LOG_CUT 1          /* line flag: the line was longer and cut */

/* NULL when out of memory. */
ui_logbuf *ui_logbuf_new(size_t max_lines, size_t max_bytes);
void ui_logbuf_free(ui_logbuf *b);
/* Drop every line (sequence numbers keep growing). */
void ui_logbuf_clear(ui_logbuf *b);

/* Append a piece of a line; continued = 1: the line goes on in the next
 * piece. stream: 1 stdout, 2 stderr (kept per line). */
void ui_logbuf_append(ui_logbuf *b, const char *p, size_t n, int continued,
                      int stream);

uint64_t ui_logbuf_first(const ui_logbuf *b);   /* oldest line kept */
uint64_t ui_logbuf_end(const ui_logbuf *b);     /* one past the newest */
size_t ui_logbuf_bytes(const ui_logbuf *b);     /* text bytes kept */

/* Line `seq` (first <= seq < end), or NULL. */
const char *ui_logbuf_line(const ui_logbuf *b, uint64_t seq, size_t *len,
                           int *stream, int *flags);

/* The nearest line from `from` (inclusive) in direction dir (+1 newer,
 * -1 older) containing needle (ASCII case-insensitive); UINT64_MAX if none.
 * Does not wrap around. */
uint64_t ui_logbuf_find(const ui_logbuf *b, uint64_t from, int dir,
                        const char *needle);

#endif
