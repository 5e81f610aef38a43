/* logs.c - the Logs tab: a live follow of the container's log.
 *
 * The stream's callback only appends to the bounded ring (logbuf.h) and
 * marks the tab dirty; the loop paints at most every ~30 ms, drawing only
 * the visible rows, so a flood of lines or one huge line never stalls the
 * keys. Lines are drawn through text.h: escape sequences and invalid
 * UTF-8 from the log are shown inert and can never drive the terminal.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tabs.h"
#include "draw.h"
#include "term.h"
#include "text.h"

#define LOG_TAIL 500
/* The scrollback: 10,000 lines of the usual ~100 bytes. The ring writes
 * through its whole arena before it wraps, so the byte bound is what the
 * tab keeps resident under a flood, however short the lines: it is sized
 * to the line bound, not above it. A quarter of it (256 KB) is the longest
 * line kept whole. */
#define LOG_MAX_LINES 10000
#define LOG_MAX_BYTES (1u << 20)

void ui_logs_init(ui_logs *l)
{
    memset(l, 0, sizeof *l);
    l->match = UINT64_MAX;
}

void ui_logs_free(ui_logs *l)
{
    ui_logs_close(l);
    ui_logbuf_free(l->buf);
    l->buf = NULL;
}

void ui_logs_close(ui_logs *l)
{
    if (l->stream) dl_log_stream_close(l->stream);   /* on_end clears l->stream */
    l->stream = NULL;
}

static int on_line(void *ud, const char *line, size_t n, int continued, int stream)
{
    ui_logs *l = ud;
    if (!continued && n && line[n - 1] == '\r') n--;
    ui_logbuf_append(l->buf, line, n, continued, stream);
    l->dirty = 1;
    return 0;
}

static void on_end(void *ud, const dl_err *e)
{
    ui_logs *l = ud;
    l->stream = NULL;
    l->ended = 1;
    l->dirty = 1;
    if (e && e->kind != DL_ECANCEL)
        snprintf(l->end_msg, sizeof l->end_msg, "log stream ended: %s", e->msg);
    else
        snprintf(l->end_msg, sizeof l->end_msg, "log stream ended (container stopped?)");
}

int ui_logs_open(ui_app *a, ui_logs *l, const char *name)
{
    char tenant[DL_TENANT_MAX + 1];   /* name may be l->tenant itself */
    snprintf(tenant, sizeof tenant, "%s", name);
    ui_logs_close(l);
    if (!l->buf) l->buf = ui_logbuf_new(LOG_MAX_LINES, LOG_MAX_BYTES);
    if (!l->buf) {
        ui_app_message(a, UI_ERROR, "cannot open the log: out of memory");
        return UI_R_STATUS;
    }
    if (strcmp(l->tenant, tenant)) {
        l->paused = 0;
        l->hscroll = 0;
        l->match = UINT64_MAX;
    }
    ui_logbuf_clear(l->buf);
    snprintf(l->tenant, sizeof l->tenant, "%s", tenant);
    l->ended = 0;
    l->end_msg[0] = '\0';
    const dl_status *st = dl_fleet_find(a->fleet, tenant);
    l->started_at = st ? st->started_at : 0;
    dl_err err;
    dl_err_clear(&err);
    /* by the row's container name: a lookup here would block the loop */
    dl_ctx *ctx = st ? dl_fleet_ctx_of(a->fleet, tenant, &err) : NULL;   /* its engine's */
    if (ctx)
        l->stream = dl_logs_open_row(ctx, st, 1, LOG_TAIL, l->timestamps, on_line, on_end, l,
                                     &err);
    else if (!st)
        dl_err_set(&err, DL_ENOTFOUND, "no backup configured for tenant '%s'", tenant);
    if (!l->stream) {
        l->ended = 1;
        snprintf(l->end_msg, sizeof l->end_msg, "cannot open the log: %s", err.msg);
    }
    l->dirty = 1;
    return UI_R_BODY;
}

/* ---- navigation ----------------------------------------------------------------- */

static uint64_t last_top(const ui_logs *l)
{
    uint64_t first = ui_logbuf_first(l->buf), end = ui_logbuf_end(l->buf);
    int rows = l->rows > 0 ? l->rows : 1;
    return end - first > (uint64_t)rows ? end - (uint64_t)rows : first;
}

static void pause_at(ui_logs *l, uint64_t top)
{
    uint64_t first = ui_logbuf_first(l->buf), lt = last_top(l);
    if (!l->paused) l->seen_end = ui_logbuf_end(l->buf);
    l->paused = 1;
    if (top < first) top = first;
    if (top > lt) top = lt;
    l->top = top;
}

static void scroll_by(ui_logs *l, long delta)
{
    uint64_t top = l->paused ? l->top : last_top(l);
    if (delta < 0) {
        uint64_t d = (uint64_t)-delta;
        top = top > d ? top - d : 0;
        pause_at(l, top);
    } else {
        top += (uint64_t)delta;
        if (top >= last_top(l)) l->paused = 0;   /* at the bottom: follow again */
        else pause_at(l, top);
    }
}

static void logs_search(ui_app *a, ui_logs *l, const char *needle)
{
    snprintf(l->search, sizeof l->search, "%s", needle);
    if (!l->buf || !needle[0]) {
        l->match = UINT64_MAX;
        return;
    }
    uint64_t from = l->paused ? l->top + (uint64_t)(l->rows > 0 ? l->rows - 1 : 0)
                              : ui_logbuf_end(l->buf);
    if (from > 0 && !l->paused) from--;
    uint64_t m = ui_logbuf_find(l->buf, from, -1, needle);
    if (m == UINT64_MAX) {
        ui_app_message(a, UI_WARNING, "'%s' not found", needle);
        l->match = UINT64_MAX;
        return;
    }
    l->match = m;
    pause_at(l, m > (uint64_t)(l->rows / 2) ? m - (uint64_t)(l->rows / 2) : 0);
}

/* the search prompt: Enter searches */
static int search_key(ui_app *a, void *ud, const char *text, int r)
{
    if (r > 0) logs_search(a, ud, text);
    return 0;
}

static int search_step(ui_app *a, ui_logs *l, int dir)
{
    if (!l->search[0]) {
        ui_app_message(a, UI_DIM, "no search yet: / searches");
        return UI_R_STATUS;
    }
    uint64_t from = l->match;
    if (from == UINT64_MAX) from = dir < 0 ? ui_logbuf_end(l->buf) : ui_logbuf_first(l->buf);
    else if (dir < 0) {
        if (from == 0) from = UINT64_MAX;
        else from--;
    } else from++;
    uint64_t m = from == UINT64_MAX ? UINT64_MAX : ui_logbuf_find(l->buf, from, dir, l->search);
    if (m == UINT64_MAX) {
        ui_app_message(a, UI_WARNING, "no %s match for '%s'", dir < 0 ? "older" : "newer", l->search);
        return UI_R_STATUS;
    }
    l->match = m;
    pause_at(l, m > (uint64_t)(l->rows / 2) ? m - (uint64_t)(l->rows / 2) : 0);
    return UI_R_BODY;
}

int ui_logs_action(ui_app *a, ui_logs *l, ui_action act)
{
    if (!l->buf) return 0;
    long page = l->rows > 1 ? l->rows - 1 : 1;
    switch (act) {
    case UI_ACT_UP: scroll_by(l, -1); return UI_R_BODY;
    case UI_ACT_DOWN: scroll_by(l, 1); return UI_R_BODY;
    case UI_ACT_PAGE_UP: scroll_by(l, -page); return UI_R_BODY;
    case UI_ACT_PAGE_DOWN: scroll_by(l, page); return UI_R_BODY;
    case UI_ACT_TOP: pause_at(l, ui_logbuf_first(l->buf)); return UI_R_BODY;
    case UI_ACT_BOTTOM: l->paused = 0; return UI_R_BODY;
    case UI_ACT_PAUSE:
        if (l->paused) l->paused = 0;
        else pause_at(l, last_top(l));
        return UI_R_BODY;
    case UI_ACT_WRAP:
        l->wrap = !l->wrap;
        l->hscroll = 0;
        return UI_R_BODY;
    case UI_ACT_SCROLL_LEFT:
        if (l->wrap) return 0;
        l->hscroll = l->hscroll > 16 ? l->hscroll - 16 : 0;
        return UI_R_BODY;
    case UI_ACT_SCROLL_RIGHT:
        if (l->wrap) return 0;
        l->hscroll += 16;
        return UI_R_BODY;
    case UI_ACT_TIMESTAMPS:
        l->timestamps = !l->timestamps;
        l->paused = 0;
        return ui_logs_open(a, l, l->tenant);
    case UI_ACT_SEARCH:
        return ui_app_prompt(a, UI_PROMPT_SEARCH, l->search, search_key, l);
    case UI_ACT_SEARCH_NEXT: return search_step(a, l, -1);
    case UI_ACT_SEARCH_PREV: return search_step(a, l, 1);
    default: return 0;
    }
}

/* ---- drawing --------------------------------------------------------------------- */

/* Rows a line takes when wrapped to width (at least 1). */
static int wrap_rows(const char *s, size_t len, int width, int utf8, size_t *offs, int max)
{
    size_t off = 0;
    int rows = 0;
    do {
        if (offs && rows < max) offs[rows] = off;
        size_t k = ui_text_fit(s + off, len - off, utf8, width, NULL);
        if (k == 0 && off < len) {       /* a glyph wider than the row */
            ui_glyph g;
            ui_glyph_next(s + off, len - off, utf8, 0, &g);
            k = (size_t)g.n;
        }
        off += k;
        rows++;
    } while (off < len);
    return rows;
}

static void draw_line_rows(ui_logs *l, WINDOW *w, int y, int width, uint64_t seq,
                           int skip_rows, int max_rows, int *used)
{
    size_t len;
    int stream, flags;
    const char *s = ui_logbuf_line(l->buf, seq, &len, &stream, &flags);
    int attr = ui_attr(stream == 2 ? UI_LOG_STDERR : UI_NORMAL);
    if (seq == l->match) attr |= A_BOLD;
    const char *needle = l->search[0] ? l->search : NULL;
    *used = 0;
    if (!s) return;
    if (!l->wrap) {
        if (skip_rows == 0 && max_rows > 0) {
            ui_draw_text(w, y, 0, width, attr, s, len, l->hscroll, needle);
            *used = 1;
        }
        return;
    }
    int utf8 = ui_term_utf8();
    size_t off = 0;
    int row = 0;
    do {
        size_t k = ui_text_fit(s + off, len - off, utf8, width, NULL);
        if (k == 0 && off < len) {
            ui_glyph g;
            ui_glyph_next(s + off, len - off, utf8, 0, &g);
            k = (size_t)g.n;
        }
        if (row >= skip_rows) {
            if (*used >= max_rows) return;
            ui_draw_text(w, y + *used, 0, width, attr, s + off, k, 0, needle);
            (*used)++;
        }
        off += k;
        row++;
    } while (off < len);
}

void ui_logs_draw(ui_app *a, ui_logs *l, WINDOW *w, int y0)
{
    int width = getmaxx(w), height = getmaxy(w);
    int rows = height - y0 - 1;
    if (rows < 1 || !l->buf) return;
    l->rows = rows;
    uint64_t first = ui_logbuf_first(l->buf), end = ui_logbuf_end(l->buf);
    int utf8 = ui_term_utf8();

    if (l->paused && l->top < first) l->top = first;
    if (!l->wrap) {
        uint64_t top = l->paused ? l->top : last_top(l);
        for (int r = 0; r < rows && top + (uint64_t)r < end; r++) {
            int used;
            draw_line_rows(l, w, y0 + r, width, top + (uint64_t)r, 0, 1, &used);
        }
    } else if (l->paused) {
        int y = 0;
        for (uint64_t s = l->top; s < end && y < rows; s++) {
            int used;
            draw_line_rows(l, w, y0 + y, width, s, 0, rows - y, &used);
            y += used;
        }
    } else {
        /* following: walk back from the newest line until the rows fill */
        uint64_t s = end;
        int need = rows, skip = 0;
        while (s > first && need > 0) {
            size_t len;
            const char *t = ui_logbuf_line(l->buf, s - 1, &len, NULL, NULL);
            int lr = wrap_rows(t, len, width, utf8, NULL, 0);
            s--;
            if (lr >= need) { skip = lr - need; need = 0; break; }
            need -= lr;
        }
        int y = 0;
        for (; s < end && y < rows; s++) {
            int used;
            draw_line_rows(l, w, y0 + y, width, s, skip, rows - y, &used);
            skip = 0;
            y += used;
        }
    }
    if (first == end && !l->ended)
        ui_draw_str(w, y0, 1, width - 2, ui_attr(UI_DIM), "waiting for log lines ...");

    /* the tab's own status line */
    int sy = height - 1;
    char info[400];
    int role = UI_DIM;
    if (l->ended) {
        snprintf(info, sizeof info, "%s", l->end_msg);
        role = UI_WARNING;
    } else if (l->paused) {
        uint64_t fresh = end > l->seen_end ? end - l->seen_end : 0;
        snprintf(info, sizeof info, "PAUSED at line %llu of %llu, %llu new (End follows)",
                 (unsigned long long)(l->top - first + 1), (unsigned long long)(end - first),
                 (unsigned long long)fresh);
        role = UI_WARNING;
    } else {
        snprintf(info, sizeof info, "following, %llu lines", (unsigned long long)(end - first));
    }
    char flags[200], h[32] = "";
    if (l->hscroll) snprintf(h, sizeof h, "  col +%d", l->hscroll);
    snprintf(flags, sizeof flags, "  wrap %s  time %s%s%s%s", l->wrap ? "on" : "off",
             l->timestamps ? "on" : "off", h, l->search[0] ? "  search: " : "", l->search);
    ui_fill(w, sy, 0, width, ui_attr(UI_NORMAL));
    int x = ui_draw_str(w, sy, 0, width, ui_attr(role), info);
    ui_draw_str(w, sy, x, width - x, ui_attr(UI_DIM), flags);
}
