/* text.c - untrusted text to inert glyphs (see text.h). */
#include <ctype.h>

#include "text.h"

void ui_glyph_next(const char *s, size_t len, int utf8, int col, ui_glyph *g)
{
    dl_glyph_next(s, len, utf8, col, g);
}

size_t ui_text_width(const char *s, size_t len, int utf8)
{
    return dl_text_width(s, len, utf8);
}

size_t ui_text_fit(const char *s, size_t len, int utf8, int cols, int *used)
{
    int col = 0;
    size_t i = 0;
    ui_glyph g;
    while (i < len) {
        dl_glyph_next(s + i, len - i, utf8, col, &g);
        if (col + g.width > cols) break;
        col += g.width;
        i += (size_t)g.n;
    }
    if (used) *used = col;
    return i;
}

void ui_text_sanitize(const char *s, size_t len, int utf8, char *buf, size_t n)
{
    dl_inert_copy(buf, n, s, len, utf8);
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
