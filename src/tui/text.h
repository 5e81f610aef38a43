/* text.h - how untrusted text (container logs, engine messages, status
 * files) becomes screen cells (internal to src/tui; no curses).
 *
 * Text from the engine may hold anything: escape sequences, control bytes,
 * invalid UTF-8, bidi overrides. It is cut into glyphs; every glyph that
 * could drive the terminal or hide text is turned into an inert
 * representation (ESC -> "^[", byte 0x9b -> "\x9b", U+202E -> "\u202e")
 * that the caller draws in the log-control role. Nothing here allocates.
 */
#ifndef DEEPLENS_TUI_TEXT_H
#define DEEPLENS_TUI_TEXT_H

#include <stddef.h>

#include "deeplens/text.h"

/* The glyphs are the shared toolkit's (include/deeplens/text.h). */
typedef dl_glyph ui_glyph;
#define UI_GLYPH_TEXT DL_GLYPH_TEXT
#define UI_GLYPH_INERT DL_GLYPH_INERT
#define UI_GLYPH_SPACE DL_GLYPH_TAB

/* Decode the glyph at s (len > 0 bytes left). utf8: the terminal takes
 * UTF-8 (else every byte >= 0x80 is inert). col: the glyph's column, for
 * tab stops (every 8). */
void ui_glyph_next(const char *s, size_t len, int utf8, int col, ui_glyph *g);

/* Screen width of s[0..len) starting at column 0. */
size_t ui_text_width(const char *s, size_t len, int utf8);

/* Byte offset where the text reaches `cols` columns (the glyph that would
 * cross the limit is not included). *used = columns taken (may be NULL). */
size_t ui_text_fit(const char *s, size_t len, int utf8, int cols, int *used);

/* Copy s into buf (size n) with every inert glyph replaced by its
 * representation: for one-line messages drawn without roles. */
void ui_text_sanitize(const char *s, size_t len, int utf8, char *buf, size_t n);

/* Case-insensitive (ASCII) substring search; returns the offset or -1. */
long ui_text_find(const char *hay, size_t len, const char *needle, size_t nlen);

#endif
