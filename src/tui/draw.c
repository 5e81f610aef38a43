/* draw.c - drawing helpers (see draw.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "term.h"
#include "text.h"

int ui_draw_text(WINDOW *w, int y, int x, int width, int attr, const char *s,
                 size_t len, int skip, const char *needle)
{
    int utf8 = ui_term_utf8();
    int col = 0, drawn = 0;
    size_t nlen = needle ? strlen(needle) : 0;
    size_t match_end = 0;          /* bytes before this are in a match */
    long next_match = nlen ? ui_text_find(s, len, needle, nlen) : -1;
    int ctl = ui_attr(UI_LOG_CONTROL), hl = ui_attr(UI_SEARCH);
    size_t i = 0;
    ui_glyph g;
    if (width <= 0) return 0;
    wmove(w, y, x);
    while (i < len && drawn < width) {
        ui_glyph_next(s + i, len - i, utf8, col, &g);
        if (next_match >= 0 && i >= (size_t)next_match) {
            match_end = (size_t)next_match + nlen;
            long nx = ui_text_find(s + match_end, len - match_end, needle, nlen);
            next_match = nx >= 0 ? (long)match_end + nx : -1;
        }
        int in_match = i < match_end;
        if (col + g.width <= skip) {           /* scrolled out */
            col += g.width;
            i += (size_t)g.n;
            continue;
        }
        int a = g.kind == UI_GLYPH_INERT ? ctl : attr;
        if (in_match) a = hl;
        wattrset(w, a);
        if (col < skip) {                       /* half scrolled out */
            int part = col + g.width - skip;
            for (int k = 0; k < part && drawn < width; k++, drawn++) waddch(w, ' ');
        } else if (drawn + g.width > width) {   /* does not fit */
            break;
        } else if (g.kind == UI_GLYPH_TEXT) {
            waddnstr(w, g.p, g.n);
            drawn += g.width;
        } else if (g.kind == UI_GLYPH_INERT) {
            waddstr(w, g.repr);
            drawn += g.width;
        } else {
            for (int k = 0; k < g.width && drawn < width; k++, drawn++) waddch(w, ' ');
        }
        col += g.width;
        i += (size_t)g.n;
    }
    wattrset(w, attr);
    return drawn;
}

int ui_draw_str(WINDOW *w, int y, int x, int width, int attr, const char *s)
{
    return ui_draw_text(w, y, x, width, attr, s, strlen(s), 0, NULL);
}

int ui_drawf(WINDOW *w, int y, int x, int width, int attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ui_draw_str(w, y, x, width, attr, buf);
}

int ui_str_width(const char *s)
{
    return (int)ui_text_width(s, strlen(s), ui_term_utf8());
}

int ui_draw_right(WINDOW *w, int y, int x, int width, int attr, const char *s)
{
    int sw = ui_str_width(s);
    if (sw > width) sw = width;
    return ui_draw_str(w, y, x + width - sw, sw, attr, s);
}

void ui_fill(WINDOW *w, int y, int x, int width, int attr)
{
    if (width <= 0) return;
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', width);
}

void ui_hline(WINDOW *w, int y, int x, int n, int attr)
{
    if (n <= 0) return;
    wattrset(w, attr);
    mvwhline(w, y, x, ui_term_ascii() ? '-' : ACS_HLINE, n);
}

void ui_frame(WINDOW *w, int attr, const char *title)
{
    wattrset(w, attr);
    if (ui_term_ascii())
        wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
    else
        box(w, 0, 0);
    if (title && *title) {
        int width = getmaxx(w) - 4;
        mvwaddch(w, 0, 1, ' ');
        int n = ui_draw_str(w, 0, 2, width, ui_attr(UI_TITLE), title);
        wattrset(w, attr);
        mvwaddch(w, 0, 2 + n, ' ');
    }
    wattrset(w, ui_attr(UI_NORMAL));
}

void ui_draw_box(WINDOW *w, int role, const char *title, const char *const *lines, int n)
{
    int bh = getmaxy(w), bw = getmaxx(w);
    int width = bw - 4 > 72 ? 72 : bw - 4;
    /* wrap each line to the box */
    char wrapped[24][80];
    int nw = 0;
    for (int i = 0; i < n && nw < 24; i++) {
        const char *s = lines[i];
        size_t len = strlen(s);
        if (len == 0) { wrapped[nw++][0] = '\0'; continue; }
        while (len > 0 && nw < 24) {
            int cut = width - 4 < 79 ? width - 4 : 79;
            if (cut < 10) cut = 10;
            size_t take = len < (size_t)cut ? len : (size_t)cut;
            if (take < len) {          /* break at a space when one is near */
                size_t sp = take;
                while (sp > take / 2 && s[sp] != ' ') sp--;
                if (s[sp] == ' ') take = sp;
            }
            memcpy(wrapped[nw], s, take);
            wrapped[nw][take] = '\0';
            nw++;
            s += take;
            len -= take;
            while (len && *s == ' ') { s++; len--; }
        }
    }
    int h = nw + 4;
    if (h > bh) h = bh;
    int y0 = (bh - h) / 2, x0 = (bw - width) / 2;
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    WINDOW *d = derwin(w, h, width, y0, x0);
    if (!d) return;
    werase(d);
    ui_frame(d, ui_attr(role), title);
    for (int i = 0; i < nw && i + 2 < h - 1; i++)
        ui_draw_str(d, i + 2, 2, width - 4, ui_attr(UI_NORMAL), wrapped[i]);
    delwin(d);
}
