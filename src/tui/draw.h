/* draw.h - drawing helpers shared by the console's views (internal to
 * src/tui): untrusted text through the inert glyphs of text.h, clipped to
 * a width; lines and frames that fall back to ASCII.
 */
#ifndef DEEPLENS_TUI_DRAW_H
#define DEEPLENS_TUI_DRAW_H

#include <curses.h>
#include <stddef.h>

#include "theme.h"

/* Draw s[0..len) at (y, x) in at most `width` columns with attr; inert
 * glyphs in the log-control role. skip: columns to leave out first
 * (horizontal scroll). needle: highlight matches (NULL = none). Returns
 * the columns drawn. */
int ui_draw_text(WINDOW *w, int y, int x, int width, int attr, const char *s,
                 size_t len, int skip, const char *needle);
/* NUL-terminated convenience. */
int ui_draw_str(WINDOW *w, int y, int x, int width, int attr, const char *s);
/* printf-style; the result is drawn like untrusted text. */
int ui_drawf(WINDOW *w, int y, int x, int width, int attr, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Right-aligned within width. */
int ui_draw_right(WINDOW *w, int y, int x, int width, int attr, const char *s);
/* Spaces. */
void ui_fill(WINDOW *w, int y, int x, int width, int attr);
void ui_hline(WINDOW *w, int y, int x, int n, int attr);
/* A frame around the whole window, with a title. */
void ui_frame(WINDOW *w, int attr, const char *title);
/* A box in the middle of w with a title and lines (wrapped to the box). */
void ui_draw_box(WINDOW *w, int role, const char *title, const char *const *lines, int n);
/* Columns that s takes on screen. */
int ui_str_width(const char *s);

#endif
