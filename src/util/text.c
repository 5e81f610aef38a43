/* text.c - the one text toolkit (see include/deeplens/text.h). */
#include "deeplens/text.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int dl_utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0], min;
    int n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, c &= 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, c &= 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, c &= 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)n > len)
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

size_t dl_utf8_last(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0) {
        i--;
        if (((unsigned char)s[i] & 0xc0) != 0x80 || len - i >= 4)
            break;
    }
    return len - i;
}

/* Code points shown escaped even where wcwidth says they print: they
 * reorder or hide text (bidi embeddings, overrides and isolates, the
 * zero-width family, line/paragraph separators, the BOM). */
static int hides_text(unsigned cp)
{
    return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || cp == 0x061c ||
           (cp >= 0x80 && cp < 0xa0) || cp == 0xad;
}

/* wcwidth of a code point by UTF-8 rules whatever the process's locale (a
 * CLI run over ssh without LANG has the C locale, where wcwidth knows no
 * character above 0x7f); C.UTF-8 is built into glibc. */
static int u8_width(unsigned cp)
{
    static locale_t u8;
    static int tried;
    int w;
    if (!tried) {
        tried = 1;
        u8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    }
    if (!u8)
        return wcwidth((wchar_t)cp);
    locale_t old = uselocale(u8);
    w = wcwidth((wchar_t)cp);
    uselocale(old);
    return w;
}

static void set_inert(dl_glyph *g, int n)
{
    g->kind = DL_GLYPH_INERT;
    g->n = n;
    g->width = (int)strlen(g->repr);
}

static void hex_repr(dl_glyph *g, unsigned char c)
{
    static const char hx[] = "0123456789abcdef";
    g->repr[0] = '\\';
    g->repr[1] = 'x';
    g->repr[2] = hx[c >> 4];
    g->repr[3] = hx[c & 15];
    g->repr[4] = '\0';
}

static void cp_repr(dl_glyph *g, unsigned cp)
{
    static const char hx[] = "0123456789abcdef";
    int digits = cp > 0xffff ? 8 : 4, o = 2;
    g->repr[0] = '\\';
    g->repr[1] = cp > 0xffff ? 'U' : 'u';
    for (int i = digits - 1; i >= 0; i--)
        g->repr[o++] = hx[(cp >> (4 * i)) & 15];
    g->repr[o] = '\0';
}

void dl_glyph_next(const char *s, size_t len, int utf8, int col, dl_glyph *g)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    unsigned cp;
    int n, w;
    g->p = s;
    g->repr[0] = '\0';
    if (c == '\t') {
        g->kind = DL_GLYPH_TAB;
        g->n = 1;
        g->width = 8 - (col % 8);
        return;
    }
    if (c < 0x20 || c == 0x7f) {
        g->repr[0] = '^';
        g->repr[1] = c == 0x7f ? '?' : (char)(c + 64);
        g->repr[2] = '\0';
        set_inert(g, 1);
        return;
    }
    if (c < 0x80) {
        g->kind = DL_GLYPH_TEXT;
        g->n = 1;
        g->width = 1;
        return;
    }
    if (!utf8 || (n = dl_utf8_decode(u, len, &cp)) == 0) {
        hex_repr(g, c);
        set_inert(g, 1);
        return;
    }
    w = hides_text(cp) ? -1 : u8_width(cp);
    /* zero-width and unprintable code points (combining marks too) could
     * hide or reorder text: shown as their number */
    if (w <= 0) {
        cp_repr(g, cp);
        set_inert(g, n);
        return;
    }
    g->kind = DL_GLYPH_TEXT;
    g->n = n;
    g->width = w;
}

size_t dl_text_width(const char *s, size_t len, int utf8)
{
    size_t col = 0, i = 0;
    dl_glyph g;
    while (i < len) {
        dl_glyph_next(s + i, len - i, utf8, (int)(col % 8), &g);
        col += (size_t)g.width;
        i += (size_t)g.n;
    }
    return col;
}

size_t dl_inert_copy(char *buf, size_t n, const char *s, size_t len, int utf8)
{
    size_t o = 0, i = 0;
    int col = 0;
    dl_glyph g;
    if (n == 0)
        return 0;
    while (i < len) {
        dl_glyph_next(s + i, len - i, utf8, col, &g);
        const char *src = g.p;
        size_t sl = (size_t)g.n;
        if (g.kind == DL_GLYPH_INERT)
            src = g.repr, sl = strlen(g.repr);
        else if (g.kind == DL_GLYPH_TAB)
            src = " ", sl = 1;
        if (o + sl + 1 > n)
            break;
        memcpy(buf + o, src, sl);
        o += sl;
        col += g.width;
        i += (size_t)g.n;
    }
    buf[o] = '\0';
    return o;
}

void dl_inert_write(FILE *f, const char *s, size_t len, int utf8)
{
    size_t i = 0;
    dl_glyph g;
    while (i < len) {
        size_t run = i;
        const unsigned char *u = (const unsigned char *)s;
        while (run < len && u[run] >= 0x20 && u[run] < 0x7f)   /* printable ASCII */
            run++;
        if (run > i)
            fwrite(s + i, 1, run - i, f);
        if ((i = run) >= len)
            break;
        dl_glyph_next(s + i, len - i, utf8, 0, &g);
        if (g.kind == DL_GLYPH_INERT)
            fputs(g.repr, f);
        else
            fwrite(g.p, 1, (size_t)g.n, f);
        i += (size_t)g.n;
    }
}

int dl_locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

const char *dl_fmt_size(long long bytes, char *buf, size_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    int u = -1;
    if (bytes < 1024) {
        snprintf(buf, n, "%lld B", bytes < 0 ? 0 : bytes);
        return buf;
    }
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    /* three figures at most, so that a column of 8 always holds it; a
     * value that rounds up to 1024 is the next unit's 1.0 */
    if (v >= 1023.5 && u < 5)
        v /= 1024, u++;
    snprintf(buf, n, v < 9.95 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

void dl_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

static void (*oom_hook)(void);

void dl_oom_hook(void (*fn)(void))
{
    oom_hook = fn;
}

_Noreturn void dl_oom(void)
{
    static const char msg[] = "deeplens-backup: out of memory\n";
    void (*fn)(void) = oom_hook;
    oom_hook = NULL;    /* an allocation failing inside the hook ends here */
    if (fn)
        fn();
    fputs(msg, stderr);
    exit(70);   /* EX_SOFTWARE */
}
