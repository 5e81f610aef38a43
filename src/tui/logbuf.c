/* logbuf.c - bounded scrollback: a ring of lines over one byte arena.
 *
 * Lines are stored contiguously so a view can draw a line straight from the
 * arena. New lines go after the newest one; when they do not fit before the
 * arena's end they start again at 0 (a new "lap") and the rest of the old
 * lap is given up. Before bytes are written, the oldest lines that would be
 * overwritten are dropped - lines of the previous lap always before lines
 * of the current one, so the ring order is kept. Memory is allocated once.
 */
#include <stdlib.h>
#include <string.h>

#include "logbuf.h"
#include "text.h"

typedef struct log_line {
    size_t off;
    uint32_t len;
    uint8_t stream, flags, lap;
} log_line;

struct ui_logbuf {
    char *data;
    size_t cap, max_line;
    log_line *lines;
    size_t nslots, max_lines;
    uint64_t first, end;   /* complete lines [first, end) */
    int pending;           /* line `end` is being assembled */
    size_t head;           /* end of the newest bytes */
    size_t bytes;
    uint8_t lap;
};

static log_line *slot(const ui_logbuf *b, uint64_t seq)
{
    return &b->lines[seq % b->nslots];
}

ui_logbuf *ui_logbuf_new(size_t max_lines, size_t max_bytes)
{
    if (max_lines < 1 || max_bytes < 64) return NULL;
    ui_logbuf *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->cap = max_bytes;
    b->max_line = max_bytes / 4;
    if (b->max_line > UINT32_MAX) b->max_line = UINT32_MAX;
    b->max_lines = max_lines;
    b->nslots = max_lines + 1;
    b->data = malloc(max_bytes);
    b->lines = calloc(b->nslots, sizeof *b->lines);
    if (!b->data || !b->lines) {
        ui_logbuf_free(b);
        return NULL;
    }
    return b;
}

void ui_logbuf_free(ui_logbuf *b)
{
    if (!b) return;
    free(b->data);
    free(b->lines);
    free(b);
}

void ui_logbuf_clear(ui_logbuf *b)
{
    b->first = b->end;
    b->pending = 0;
    b->head = 0;
    b->bytes = 0;
    b->lap++;
}

static void drop_oldest(ui_logbuf *b)
{
    b->bytes -= slot(b, b->first)->len;
    b->first++;
}

/* Drop the oldest complete lines that stand in the way of writing
 * [pos, pos+need); new_lap: the write starts a new lap at 0. */
static void evict(ui_logbuf *b, size_t pos, size_t need, int new_lap)
{
    while (b->first < b->end) {
        const log_line *l = slot(b, b->first);
        int overlap = l->off < pos + need && l->off + l->len > pos;
        int old_lap = new_lap && l->lap != b->lap;
        if (!overlap && !old_lap) break;
        drop_oldest(b);
    }
}

static void start_line(ui_logbuf *b, size_t take, int stream)
{
    if (b->end - b->first >= b->max_lines) drop_oldest(b);
    size_t pos = b->head;
    int new_lap = 0;
    if (b->first == b->end) {
        pos = 0;                 /* empty: start over */
    } else if (pos + take > b->cap) {
        pos = 0;
        new_lap = 1;
    }
    evict(b, pos, take, new_lap);
    if (new_lap || b->first == b->end) b->lap++;
    log_line *l = slot(b, b->end);
    l->off = pos;
    l->len = 0;
    l->stream = (uint8_t)stream;
    l->flags = 0;
    l->lap = b->lap;
    b->head = pos;
    b->pending = 1;
}

static void extend_line(ui_logbuf *b, const char *p, size_t n)
{
    log_line *l = slot(b, b->end);
    if (l->off + l->len + n > b->cap) {
        /* move the line to a new lap; it cannot overlap itself there since
         * a line is at most a quarter of the arena */
        size_t total = l->len + n;
        evict(b, 0, total, 1);
        b->lap++;
        memmove(b->data, b->data + l->off, l->len);
        l->off = 0;
        l->lap = b->lap;
    } else {
        evict(b, l->off + l->len, n, 0);
    }
    memcpy(b->data + l->off + l->len, p, n);
    l->len += (uint32_t)n;
    b->bytes += n;
    b->head = l->off + l->len;
}

void ui_logbuf_append(ui_logbuf *b, const char *p, size_t n, int continued,
                      int stream)
{
    if (!b->pending) start_line(b, n < b->max_line ? n : b->max_line, stream);
    log_line *l = slot(b, b->end);
    size_t room = b->max_line - l->len;
    size_t take = n < room ? n : room;
    if (take < n) l->flags |= UI_LOG_CUT;
    if (take) extend_line(b, p, take);
    if (!continued) {
        b->pending = 0;
        b->end++;
    }
}

uint64_t ui_logbuf_first(const ui_logbuf *b) { return b->first; }
uint64_t ui_logbuf_end(const ui_logbuf *b) { return b->end; }
size_t ui_logbuf_bytes(const ui_logbuf *b) { return b->bytes; }

const char *ui_logbuf_line(const ui_logbuf *b, uint64_t seq, size_t *len,
                           int *stream, int *flags)
{
    if (seq < b->first || seq >= b->end) return NULL;
    const log_line *l = slot(b, seq);
    if (len) *len = l->len;
    if (stream) *stream = l->stream;
    if (flags) *flags = l->flags;
    return b->data + l->off;
}

uint64_t ui_logbuf_find(const ui_logbuf *b, uint64_t from, int dir,
                        const char *needle)
{
    size_t nlen = strlen(needle);
    if (!nlen || b->first == b->end) return UINT64_MAX;
    if (from < b->first) {
        if (dir < 0) return UINT64_MAX;
        from = b->first;
    }
    if (from >= b->end) {
        if (dir > 0) return UINT64_MAX;
        from = b->end - 1;
    }
    for (uint64_t s = from;; s += (uint64_t)(int64_t)dir) {
        size_t len;
        const char *t = ui_logbuf_line(b, s, &len, NULL, NULL);
        if (t && ui_text_find(t, len, needle, nlen) >= 0) return s;
        if (dir > 0 && s + 1 >= b->end) break;
        if (dir < 0 && s == b->first) break;
    }
    return UINT64_MAX;
}
