/* progress.c - the live view of a long operation (see progress.h).
 *
 * Lines are stored sanitised, wrapped at draw time to the window width, and
 * shown from `top` (a display row) or following the end. Only this file
 * knows the markers.
 */
#include "progress.h"

#include <stdlib.h>
#include <string.h>

#include "deeplens/text.h"
#include "theme.h"

typedef struct pline {
    dl_step_kind kind;
    char *text;
} pline;

struct ui_progress {
    char *title;
    pline *lines;
    size_t n, cap;
    unsigned long dropped;     /* oldest lines let go */
    int finished, ok;
    char *result;
    int ascii;                 /* markers */
    int utf8;                  /* the locale's charset: text may be UTF-8 */
    int follow;                /* stick to the newest line */
    long top;                  /* first display row when not following */
    long last_total;           /* rows of the last draw */
    int last_body;             /* body height of the last draw */
};

/* Markers, in display columns: all of a set have the same width. */
static const char *const marks_utf8[] = {
    [DL_STEP_BEGIN] = "\xe2\x96\xb8 ",        /* ▸ */
    [DL_STEP_OK] = "\xe2\x9c\x93 ",           /* ✓ */
    [DL_STEP_FAIL] = "\xe2\x9c\x97 ",         /* ✗ */
    [DL_STEP_INFO] = "  ",
    [DL_STEP_ROLLBACK] = "\xe2\x86\xba ",     /* ↺ */
};
static const char *const marks_ascii[] = {
    [DL_STEP_BEGIN] = "->     ",
    [DL_STEP_OK] = "[ok]   ",
    [DL_STEP_FAIL] = "[FAIL] ",
    [DL_STEP_INFO] = "       ",
    [DL_STEP_ROLLBACK] = "[undo] ",
};

/* A copy made inert by the shared filter (its line ends dropped, tabs as
 * spaces): worst case 4 output bytes per input byte ("\x9b"). */
static char *sanitize(const char *in, int utf8)
{
    size_t n = strlen(in);
    char *out = malloc(4 * n + 1);

    if (!out)
        return NULL;
    while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
        n--;
    dl_inert_copy(out, 4 * n + 1, in, n, utf8);
    return out;
}

/* Bytes of s that fit in `cols` columns (at least one character when
 * anything is left, so wrapping always advances); *used gets the columns. */
static size_t fit(const char *s, int cols, int *used)
{
    size_t i = 0, n = strlen(s);
    int w = 0;

    while (i < n) {
        dl_glyph g;
        dl_glyph_next(s + i, n - i, 1, w, &g);
        size_t len = (size_t)g.n;
        int cw = g.width;
        if (w + cw > cols && i > 0)
            break;
        w += cw;
        i += len;
        if (w >= cols)
            break;
    }
    if (used)
        *used = w;
    return i;
}

/* One display row of s at `cols` columns: the bytes to draw, broken at a
 * space when there is one in the row; *adv also skips the spaces after. */
static size_t piece(const char *s, int cols, size_t *adv)
{
    size_t n = fit(s, cols, NULL), b = n;

    if (s[n] && s[n] != ' ') {
        while (b > 0 && s[b - 1] != ' ')
            b--;
        if (b > 0)
            n = b;
    }
    b = n;
    while (s[b] == ' ')
        b++;
    *adv = b;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n;
}

/* Number of display rows a text takes at `cols` columns (>= 1). */
static long rows_of(const char *s, int cols)
{
    long rows = 0;
    size_t adv;
    if (cols < 1)
        cols = 1;
    do {
        piece(s, cols, &adv);
        s += adv;
        rows++;
    } while (*s);
    return rows;
}

ui_progress *ui_progress_new(const char *title)
{
    ui_progress *p = calloc(1, sizeof *p);

    if (!p)
        return NULL;
    p->utf8 = dl_locale_utf8();
    p->ascii = !p->utf8;
    p->follow = 1;
    p->title = sanitize(title ? title : "", p->utf8);
    if (!p->title) {
        free(p);
        return NULL;
    }
    return p;
}

void ui_progress_free(ui_progress *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->n; i++)
        free(p->lines[i].text);
    free(p->lines);
    free(p->title);
    free(p->result);
    free(p);
}

void ui_progress_set_ascii(ui_progress *p, int ascii)
{
    if (p)
        p->ascii = ascii || !p->utf8;
}

void ui_progress_add(ui_progress *p, dl_step_kind kind, const char *text)
{
    char *copy;

    if (!p)
        return;
    if ((unsigned)kind > DL_STEP_ROLLBACK)
        kind = DL_STEP_INFO;
    copy = sanitize(text ? text : "", p->utf8);
    if (!copy)
        return;
    if (p->n == UI_PROGRESS_MAX_LINES) {
        /* let the oldest tenth go at once, not one memmove per line */
        size_t drop = UI_PROGRESS_MAX_LINES / 10, i;
        for (i = 0; i < drop; i++)
            free(p->lines[i].text);
        memmove(p->lines, p->lines + drop, (p->n - drop) * sizeof *p->lines);
        p->n -= drop;
        p->dropped += drop;
        p->top = 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        pline *v = realloc(p->lines, cap * sizeof *v);
        if (!v) {
            free(copy);
            return;
        }
        p->lines = v;
        p->cap = cap;
    }
    p->lines[p->n].kind = kind;
    p->lines[p->n].text = copy;
    p->n++;
}

void ui_progress_finish(ui_progress *p, int ok, const char *msg)
{
    if (!p)
        return;
    free(p->result);
    p->result = sanitize(msg && *msg ? msg : (ok ? "done" : "failed"), p->utf8);
    p->finished = 1;
    p->ok = ok;
    p->follow = 1;    /* show the result */
}

int ui_progress_finished(const ui_progress *p)
{
    return p && p->finished;
}

size_t ui_progress_count(const ui_progress *p)
{
    return p ? p->n : 0;
}

const char *ui_progress_line(const ui_progress *p, size_t i, dl_step_kind *kind)
{
    if (!p || i >= p->n)
        return NULL;
    if (kind)
        *kind = p->lines[i].kind;
    return p->lines[i].text;
}

static const char *mark_of(const ui_progress *p, dl_step_kind k)
{
    return p->ascii ? marks_ascii[k] : marks_utf8[k];
}

static int mark_role(dl_step_kind k)
{
    switch (k) {
    case DL_STEP_OK:       return UI_SUCCESS;
    case DL_STEP_FAIL:     return UI_ERROR;
    case DL_STEP_ROLLBACK: return UI_WARNING;
    case DL_STEP_INFO:     return UI_DIM;
    case DL_STEP_BEGIN:    break;
    }
    return UI_NORMAL;
}

/* One entry of the body: a marker, a text and their roles. */
typedef struct entry {
    const char *mark;
    int mark_role, text_role;
    const char *text;
} entry;

/* The i-th body entry: an optional drop note, the lines, the result. */
static size_t entry_count(const ui_progress *p)
{
    return (p->dropped ? 1 : 0) + p->n + (p->finished ? 1 : 0);
}

static entry entry_at(const ui_progress *p, size_t i, char *note, size_t nn)
{
    entry e;
    if (p->dropped) {
        if (i == 0) {
            snprintf(note, nn, "... %lu earlier line%s not shown", p->dropped,
                     p->dropped == 1 ? "" : "s");
            e.mark = mark_of(p, DL_STEP_INFO);
            e.mark_role = e.text_role = UI_DIM;
            e.text = note;
            return e;
        }
        i--;
    }
    if (i < p->n) {
        dl_step_kind k = p->lines[i].kind;
        e.mark = mark_of(p, k);
        e.mark_role = mark_role(k);
        e.text_role = k == DL_STEP_INFO ? UI_DIM : UI_NORMAL;
        e.text = p->lines[i].text;
        return e;
    }
    e.mark = mark_of(p, p->ok ? DL_STEP_OK : DL_STEP_FAIL);
    e.mark_role = e.text_role = p->ok ? UI_SUCCESS : UI_ERROR;
    e.text = p->result;
    return e;
}

static int str_cols(const char *s)
{
    int used;
    fit(s, 1 << 20, &used);
    return used;
}

/* Draw s clipped to cols columns at the cursor. */
static void put_clipped(WINDOW *win, const char *s, int cols)
{
    if (cols > 0)
        waddnstr(win, s, (int)fit(s, cols, NULL));
}

void ui_progress_draw(ui_progress *p, WINDOW *win)
{
    int h, w, body, markw, textw, y;
    long total = 0, row, top;
    size_t i, ne;
    char note[96];
    const char *foot;

    if (!p || !win)
        return;
    getmaxyx(win, h, w);
    werase(win);
    if (h < 1 || w < 1)
        return;

    /* title, with the state on the right */
    {
        const char *state = p->finished ? (p->ok ? "done" : "failed")
                                        : "running";
        int sw = (int)strlen(state);
        wattrset(win, ui_attr(UI_TITLE));
        mvwaddstr(win, 0, 0, "");
        put_clipped(win, p->title, w - sw - 2);
        wattrset(win, ui_attr(p->finished ? (p->ok ? UI_SUCCESS : UI_ERROR)
                                          : UI_DIM));
        if (w > sw + 2)
            mvwaddstr(win, 0, w - sw, state);
    }

    body = h - 3;                  /* title, blank, ..., footer */
    if (body < 1) {
        wattrset(win, ui_attr(UI_NORMAL));
        return;
    }
    markw = str_cols(mark_of(p, DL_STEP_INFO));
    textw = w - markw;
    if (textw < 8) {
        textw = w;
        markw = 0;
    }

    ne = entry_count(p);
    for (i = 0; i < ne; i++)
        total += rows_of(entry_at(p, i, note, sizeof note).text, textw);

    if (p->follow || p->top > total - body)
        top = total > body ? total - body : 0;
    else
        top = p->top;
    if (top < 0)
        top = 0;
    p->top = top;
    p->last_total = total;
    p->last_body = body;

    row = 0;
    y = 2;
    for (i = 0; i < ne && y < 2 + body; i++) {
        entry e = entry_at(p, i, note, sizeof note);
        const char *s = e.text;
        int first = 1;
        do {
            size_t adv, nb = piece(s, textw, &adv);
            if (row >= top && y < 2 + body) {
                wmove(win, y, 0);
                if (markw) {
                    wattrset(win, ui_attr(e.mark_role));
                    if (first)
                        waddstr(win, e.mark);
                    else
                        wmove(win, y, markw);
                }
                wattrset(win, ui_attr(e.text_role));
                waddnstr(win, s, (int)nb);
                y++;
            }
            row++;
            s += adv;
            first = 0;
        } while (*s);
    }

    /* footer: what the operator can do, and where the view is */
    if (p->finished)
        foot = "press Enter to close";
    else
        foot = "working - cannot be interrupted; hide it and it goes on";
    wattrset(win, ui_attr(p->finished ? UI_TITLE : UI_DIM));
    wmove(win, h - 1, 0);
    put_clipped(win, foot, w);
    if (total > body) {
        char pos[96];
        int pw;
        snprintf(pos, sizeof pos, " %ld-%ld/%ld%s", top + 1,
                 top + body < total ? top + body : total, total,
                 p->follow ? "" : " (End: follow)");
        pw = (int)strlen(pos);
        if (w - pw > str_cols(foot)) {
            wattrset(win, ui_attr(UI_DIM));
            mvwaddstr(win, h - 1, w - pw, pos);
        }
    }
    wattrset(win, ui_attr(UI_NORMAL));
}

static void scroll_by(ui_progress *p, long d)
{
    long max = p->last_total - p->last_body;
    if (max < 0)
        max = 0;
    p->top += d;
    if (p->top < 0)
        p->top = 0;
    if (p->top >= max) {
        p->top = max;
        p->follow = 1;
    } else {
        p->follow = 0;
    }
}

void ui_progress_move(ui_progress *p, ui_progress_motion m)
{
    long page;

    if (!p)
        return;
    page = p->last_body > 1 ? p->last_body - 1 : 1;
    switch (m) {
    case UI_PROGRESS_UP:
        scroll_by(p, -1);
        break;
    case UI_PROGRESS_DOWN:
        scroll_by(p, 1);
        break;
    case UI_PROGRESS_PAGE_UP:
        scroll_by(p, -page);
        break;
    case UI_PROGRESS_PAGE_DOWN:
        scroll_by(p, page);
        break;
    case UI_PROGRESS_TOP:
        p->follow = 0;
        p->top = 0;
        if (p->last_total <= p->last_body)
            p->follow = 1;
        break;
    case UI_PROGRESS_BOTTOM:
        p->follow = 1;
        break;
    }
}
