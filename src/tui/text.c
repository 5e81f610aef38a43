/* text.c - untrusted text to inert glyphs (see text.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

static void set_inert(ui_glyph *g, int n)
{
    g->kind = UI_GLYPH_INERT;
    g->n = n;
    g->width = (int)strlen(g->repr);
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
 * Returns the sequence length and the code point, or 0 if invalid. */
static int utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80) { *cp = c; return 1; }
    if (c >= 0xc2 && c <= 0xdf) { n = 2; c &= 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 3; c &= 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 4; c &= 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)n > len) return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

void ui_glyph_next(const char *s, size_t len, int utf8, int col, ui_glyph *g)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    g->p = s;
    g->repr[0] = '\0';
    if (c == '\t') {
        g->kind = UI_GLYPH_SPACE;
        g->n = 1;
        g->width = 8 - (col % 8);
        return;
    }
    if (c < 0x20 || c == 0x7f) {
        snprintf(g->repr, sizeof g->repr, "^%c", c == 0x7f ? '?' : c + 64);
        set_inert(g, 1);
        return;
    }
    if (c < 0x80) {
        g->kind = UI_GLYPH_TEXT;
        g->n = 1;
        g->width = 1;
        return;
    }
    if (!utf8) {
        snprintf(g->repr, sizeof g->repr, "\\x%02x", c);
        set_inert(g, 1);
        return;
    }
    unsigned cp;
    int n = utf8_decode(u, len, &cp);
    if (n == 0) {
        snprintf(g->repr, sizeof g->repr, "\\x%02x", c);
        set_inert(g, 1);
        return;
    }
    int w = (cp >= 0x80 && cp < 0xa0) ? -1 : wcwidth((wchar_t)cp);
    /* zero-width and unprintable code points (combining marks, bidi
     * overrides, joiners, line separators) could hide or reorder text */
    if (w <= 0) {
        if (cp > 0xffff)
            snprintf(g->repr, sizeof g->repr, "\\U%08x", cp);
        else
            snprintf(g->repr, sizeof g->repr, "\\u%04x", cp);
        set_inert(g, n);
        return;
    }
    g->kind = UI_GLYPH_TEXT;
    g->n = n;
    g->width = w;
}

size_t ui_text_width(const char *s, size_t len, int utf8)
{
    size_t col = 0, i = 0;
    ui_glyph g;
    while (i < len) {
        ui_glyph_next(s + i, len - i, utf8, (int)(col % 8), &g);
        col += (size_t)g.width;
        i += (size_t)g.n;
    }
    return col;
}

size_t ui_text_fit(const char *s, size_t len, int utf8, int cols, int *used)
{
    int col = 0;
    size_t i = 0;
    ui_glyph g;
    while (i < len) {
        ui_glyph_next(s + i, len - i, utf8, col, &g);
        if (col + g.width > cols) break;
        col += g.width;
        i += (size_t)g.n;
    }
    if (used) *used = col;
    return i;
}

void ui_text_sanitize(const char *s, size_t len, int utf8, char *buf, size_t n)
{
    size_t o = 0, i = 0;
    int col = 0;
    ui_glyph g;
    if (n == 0) return;
    while (i < len) {
        ui_glyph_next(s + i, len - i, utf8, col, &g);
        const char *src = g.p;
        size_t sl = (size_t)g.n;
        if (g.kind == UI_GLYPH_INERT) { src = g.repr; sl = strlen(g.repr); }
        else if (g.kind == UI_GLYPH_SPACE) { src = " "; sl = 1; }
        if (o + sl + 1 > n) break;
        memcpy(buf + o, src, sl);
        o += sl;
        col += g.width;
        i += (size_t)g.n;
    }
    buf[o] = '\0';
}

long ui_text_find(const char *hay, size_t len, const char *needle, size_t nlen)
{
    if (nlen == 0 || nlen > len) return -1;
    unsigned char first = (unsigned char)tolower((unsigned char)needle[0]);
    for (size_t i = 0; i + nlen <= len; i++) {
        if ((unsigned char)tolower((unsigned char)hay[i]) != first) continue;
        size_t k = 1;
        while (k < nlen && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == nlen) return (long)i;
    }
    return -1;
}
