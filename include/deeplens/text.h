/* text.h - the one text toolkit: untrusted text made inert, UTF-8, sizes.
 *
 * Text from the engine, a container log, a tenant's status file or pg_dump
 * may hold anything: escape sequences, C0/C1 controls, invalid UTF-8, bidi
 * overrides, zero-width characters. Before such text reaches a terminal
 * (CLI or console) it goes through this filter, which cuts it into glyphs
 * and turns every glyph that could drive the terminal, reorder or hide
 * text into a visible, inert representation:
 *   ESC -> "^[", DEL -> "^?", U+009B -> "\u009b", byte 0x9b -> "\x9b",
 *   U+202E -> "\u202e", U+200B -> "\u200b".
 * The output of dl_inert_copy/dl_inert_write never holds a byte a terminal
 * interprets: no C0 (TAB only where the caller asks), no DEL, no C1, and
 * only valid UTF-8 of printable, non-zero-width code points (in a non-UTF-8
 * locale: ASCII only). Nothing here allocates (but dl_oom).
 */
#ifndef DEEPLENS_TEXT_H
#define DEEPLENS_TEXT_H

#include <stddef.h>
#include <stdio.h>

typedef enum dl_glyph_kind {
    DL_GLYPH_TEXT,    /* the bytes p[0..n) as they are */
    DL_GLYPH_INERT,   /* repr instead (ASCII), shown in a "control" role */
    DL_GLYPH_TAB      /* `width` columns of blank (a tab, tab stops of 8) */
} dl_glyph_kind;

typedef struct dl_glyph {
    dl_glyph_kind kind;
    const char *p;    /* start of the glyph in the input */
    int n;            /* bytes consumed (>= 1) */
    int width;        /* screen columns */
    char repr[12];    /* DL_GLYPH_INERT: ASCII, width = strlen */
} dl_glyph;

/* Strict UTF-8 (no overlongs, surrogates, nothing above U+10FFFF): the
 * sequence length at s (len > 0 bytes) with *cp its code point, 0 if the
 * bytes are not valid UTF-8. */
int dl_utf8_decode(const unsigned char *s, size_t len, unsigned *cp);

/* Length of the last (possibly partial) UTF-8 character of s[0..len):
 * what a backspace removes. */
size_t dl_utf8_last(const char *s, size_t len);

/* The glyph at s (len > 0). utf8: the terminal takes UTF-8 (else every
 * byte >= 0x80 is inert). col: the glyph's column, for tab stops. */
void dl_glyph_next(const char *s, size_t len, int utf8, int col, dl_glyph *g);

/* Screen columns of s[0..len) from column 0. */
size_t dl_text_width(const char *s, size_t len, int utf8);

/* Copy s[0..len) into buf (size n >= 1, always terminated), every inert
 * glyph as its representation and tabs as one space; a glyph that does
 * not fit is left out whole. Returns the bytes written. */
size_t dl_inert_copy(char *buf, size_t n, const char *s, size_t len, int utf8);

/* Write s[0..len) to f, inert; tabs are kept as they are. */
void dl_inert_write(FILE *f, const char *s, size_t len, int utf8);

/* The current locale's codeset is UTF-8 (after setlocale). */
int dl_locale_utf8(void);

/* The one size format (IEC, at most 8 columns): "512 B", "1.5 KiB",
 * "12 MiB", "1023 KiB", "1.0 GiB". */
const char *dl_fmt_size(long long bytes, char *buf, size_t n);

/* Wipe a secret so the compiler cannot drop it (explicit_bzero). */
void dl_wipe(void *p, size_t n);

/* Out of memory: run the hook set with dl_oom_hook (the console restores
 * the terminal there), print one line on stderr and exit 70. */
_Noreturn void dl_oom(void);
void dl_oom_hook(void (*fn)(void));

#endif
