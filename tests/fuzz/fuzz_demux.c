/* fuzz_demux.c - the log/exec stream path: stdcopy frame demultiplexer
 * (src/docker/stream.c) feeding the capped line assembler, with the input
 * cut into chunks at fuzzer-chosen places (frames and lines split across
 * reads). Properties: no payload byte is invented, no line exceeds the cap,
 * a broken stream stays broken. */
#include "fuzz.h"

#include "deeplens/docker.h"

typedef struct sink {
    dk_linebuf lb;
    size_t payload, lines, cap;
} sink;

static int on_line(void *ud, const char *line, size_t n, int continued)
{
    sink *s = ud;
    (void)continued;
    FZ_CHECK(n <= s->cap);
    if (n)
        FZ_CHECK(line != NULL);
    s->lines++;
    return 0;
}

static int on_payload(void *ud, int stream, const char *p, size_t n)
{
    sink *s = ud;
    FZ_CHECK(stream >= 0 && stream <= 3);
    s->payload += n;
    return dk_linebuf_feed(&s->lb, p, n, on_line, s) < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned cap_sel = fz_byte(&data, &size), chunk = fz_byte(&data, &size) % 64 + 1;
    sink s = {.cap = 16 + cap_sel * 4};
    dk_demux d;
    size_t off = 0;
    int broken = 0;

    if (dk_linebuf_init(&s.lb, s.cap) < 0)
        return 0;
    dk_demux_init(&d);
    while (off < size) {
        size_t k = size - off < chunk ? size - off : chunk;
        int rc = dk_demux_feed(&d, (const char *)data + off, k, on_payload, &s);
        if (broken)
            FZ_CHECK(rc == -1);
        if (rc < 0)
            broken = 1;
        off += k;
        chunk = chunk * 7 % 61 + 1;  /* vary the cut points */
    }
    dk_linebuf_flush(&s.lb, on_line, &s);
    FZ_CHECK(s.payload <= size);
    dk_linebuf_free(&s.lb);
    return 0;
}
