/* stream.c - byte-stream helpers for logs, exec output and events: the
 * stdcopy frame demultiplexer (8-byte header [type,0,0,0,size BE32]) and a
 * line assembler with a hard cap. Neither buffers whole frames or records
 * beyond the cap, whatever the engine sends. The line buffer starts small
 * and grows up to the cap only when a line needs it: the cap is a limit,
 * not an allocation (the events stream allows 1 MB lines and sees 300-byte
 * ones).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void dk_demux_init(dk_demux *d)
{
    memset(d, 0, sizeof *d);
}

int dk_demux_feed(dk_demux *d, const char *p, size_t n,
                  int (*emit)(void *ud, int stream, const char *p, size_t n),
                  void *ud)
{
    size_t i = 0;
    if (d->broken)
        return -1;
    while (i < n) {
        size_t k;
        if (!d->left) {  /* inside a header */
            k = 8 - d->hlen;
            if (k > n - i)
                k = n - i;
            memcpy(d->hdr + d->hlen, p + i, k);
            d->hlen += k;
            i += k;
            if (d->hlen < 8)
                break;
            d->hlen = 0;
            if (d->hdr[0] > 3 || d->hdr[1] || d->hdr[2] || d->hdr[3]) {
                d->broken = 1;
                return -1;
            }
            d->type = d->hdr[0];
            d->left = (uint32_t)d->hdr[4] << 24 | (uint32_t)d->hdr[5] << 16 |
                      (uint32_t)d->hdr[6] << 8 | (uint32_t)d->hdr[7];
            continue;
        }
        k = d->left < n - i ? d->left : n - i;
        if (emit && emit(ud, d->type, p + i, k) != 0)
            return -1;
        d->left -= (uint32_t)k;
        i += k;
    }
    return 0;
}

#define LINEBUF_START 4096

int dk_linebuf_init(dk_linebuf *lb, size_t cap)
{
    lb->len = 0;
    lb->cap = cap ? cap : LINEBUF_START;
    lb->size = lb->cap < LINEBUF_START ? lb->cap : LINEBUF_START;
    lb->buf = malloc(lb->size);
    return lb->buf ? 0 : -1;
}

void dk_linebuf_free(dk_linebuf *lb)
{
    free(lb->buf);
    lb->buf = NULL;
    lb->len = lb->cap = lb->size = 0;
}

/* Room for at least one more byte, up to the cap. */
static void linebuf_grow(dk_linebuf *lb)
{
    size_t size = lb->size * 2;
    if (size > lb->cap)
        size = lb->cap;
    lb->buf = dk_xrealloc(lb->buf, size);
    lb->size = size;
}

int dk_linebuf_feed(dk_linebuf *lb, const char *p, size_t n, dk_line_fn fn, void *ud)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl ? (size_t)(nl - p) : n;
        while (seg) {
            size_t k;
            if (lb->len == lb->cap) {  /* full and more is coming */
                if (fn(ud, lb->buf, lb->len, 1) != 0)
                    return -1;
                lb->len = 0;
            }
            if (lb->len == lb->size)
                linebuf_grow(lb);
            k = lb->size - lb->len < seg ? lb->size - lb->len : seg;
            memcpy(lb->buf + lb->len, p, k);
            lb->len += k;
            p += k;
            n -= k;
            seg -= k;
        }
        if (nl) {
            size_t len = lb->len;
            if (len && lb->buf[len - 1] == '\r')
                len--;
            lb->len = 0;
            p++;
            n--;
            if (fn(ud, lb->buf, len, 0) != 0)
                return -1;
        }
    }
    return 0;
}

int dk_linebuf_flush(dk_linebuf *lb, dk_line_fn fn, void *ud)
{
    size_t len = lb->len;
    if (!len)
        return 0;
    lb->len = 0;
    return fn(ud, lb->buf, len, 0);
}
