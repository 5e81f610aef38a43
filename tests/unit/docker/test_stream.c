/* test_stream.c - stdcopy demultiplexer and line assembler
 * (src/docker/stream.c): every split point, out-of-sync detection, the
 * line cap with continued pieces, flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deeplens/docker.h"

/* ---- demux ---------------------------------------------------------------- */

typedef struct sink {
    char out[3][512];      /* per stream 0/1/2 (3 goes to [0] with a mark) */
    size_t len[3];
    int calls;
    int stop_after;        /* emit returns -1 on this call (1-based), 0 = never */
} sink;

static int collect(void *ud, int stream, const char *p, size_t n)
{
    sink *s = ud;
    int i = stream == 3 ? 0 : stream;
    s->calls++;
    assert_true(n > 0);
    assert_true(s->len[i] + n < sizeof s->out[i]);
    memcpy(s->out[i] + s->len[i], p, n);
    s->len[i] += n;
    if (s->stop_after && s->calls == s->stop_after)
        return -1;
    return 0;
}

static size_t frame(char *dst, int type, const char *payload, size_t n)
{
    dst[0] = (char)type;
    dst[1] = dst[2] = dst[3] = 0;
    dst[4] = (char)((n >> 24) & 0xff);
    dst[5] = (char)((n >> 16) & 0xff);
    dst[6] = (char)((n >> 8) & 0xff);
    dst[7] = (char)(n & 0xff);
    memcpy(dst + 8, payload, n);
    return n + 8;
}

/* out1\n on stdout, an empty stdout frame, err-one\n on stderr, a 300-byte
 * stdout frame (size needs two bytes), then 0 (stdin) */
static size_t sample(char *buf, char *big)
{
    size_t n = 0;
    memset(big, 'x', 300);
    big[299] = '\n';
    n += frame(buf + n, 1, "out1\n", 5);
    n += frame(buf + n, 1, "", 0);
    n += frame(buf + n, 2, "err-one\n", 8);
    n += frame(buf + n, 1, big, 300);
    n += frame(buf + n, 0, "in", 2);
    return n;
}

static void check_sample(const sink *s, const char *big)
{
    char want1[400];
    size_t w = 0;
    memcpy(want1, "out1\n", 5);
    w = 5;
    memcpy(want1 + w, big, 300);
    w += 300;
    assert_int_equal(s->len[1], w);
    assert_memory_equal(s->out[1], want1, w);
    assert_int_equal(s->len[2], 8);
    assert_memory_equal(s->out[2], "err-one\n", 8);
    assert_int_equal(s->len[0], 2);
    assert_memory_equal(s->out[0], "in", 2);
}

static void test_demux_whole(void **state)
{
    char buf[512], big[300];
    size_t n = sample(buf, big);
    dk_demux d;
    sink s;
    (void)state;
    memset(&s, 0, sizeof s);
    dk_demux_init(&d);
    assert_int_equal(dk_demux_feed(&d, buf, n, collect, &s), 0);
    check_sample(&s, big);
    assert_int_equal(d.left, 0);
    assert_int_equal(d.hlen, 0);
}

/* Two pieces, split at every offset: inside headers, at frame borders and
 * inside payloads. */
static void test_demux_every_split(void **state)
{
    char buf[512], big[300];
    size_t n = sample(buf, big);
    (void)state;
    for (size_t cut = 0; cut <= n; cut++) {
        dk_demux d;
        sink s;
        memset(&s, 0, sizeof s);
        dk_demux_init(&d);
        assert_int_equal(dk_demux_feed(&d, buf, cut, collect, &s), 0);
        assert_int_equal(dk_demux_feed(&d, buf + cut, n - cut, collect, &s), 0);
        check_sample(&s, big);
    }
}

/* Three pieces at every pair of offsets, and one byte at a time. */
static void test_demux_every_double_split(void **state)
{
    char buf[512], big[300];
    size_t n = sample(buf, big);
    dk_demux d;
    sink s;
    (void)state;
    for (size_t a = 0; a <= 40; a++)
        for (size_t b = a; b <= n; b += 7) {
            memset(&s, 0, sizeof s);
            dk_demux_init(&d);
            assert_int_equal(dk_demux_feed(&d, buf, a, collect, &s), 0);
            assert_int_equal(dk_demux_feed(&d, buf + a, b - a, collect, &s), 0);
            assert_int_equal(dk_demux_feed(&d, buf + b, n - b, collect, &s), 0);
            check_sample(&s, big);
        }
    memset(&s, 0, sizeof s);
    dk_demux_init(&d);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(dk_demux_feed(&d, buf + i, 1, collect, &s), 0);
    check_sample(&s, big);
}

static void test_demux_header_split_state(void **state)
{
    char buf[64];
    size_t n = frame(buf, 2, "abc", 3);
    dk_demux d;
    sink s;
    (void)state;
    memset(&s, 0, sizeof s);
    dk_demux_init(&d);
    assert_int_equal(dk_demux_feed(&d, buf, 5, collect, &s), 0);
    assert_int_equal(d.hlen, 5);
    assert_int_equal(s.calls, 0);
    assert_int_equal(dk_demux_feed(&d, buf + 5, 3, collect, &s), 0);
    assert_int_equal(d.hlen, 0);
    assert_int_equal(d.left, 3);
    assert_int_equal(d.type, 2);
    assert_int_equal(dk_demux_feed(&d, buf + 8, n - 8, collect, &s), 0);
    assert_int_equal(s.len[2], 3);
}

static void test_demux_out_of_sync(void **state)
{
    char buf[64];
    dk_demux d;
    sink s;
    (void)state;
    /* plain text where a header should be */
    memset(&s, 0, sizeof s);
    dk_demux_init(&d);
    assert_int_equal(dk_demux_feed(&d, "Error: Exec command has already run\r\n", 37, collect, &s),
                     -1);
    assert_true(d.broken);
    assert_int_equal(s.calls, 0);
    /* stays broken */
    frame(buf, 1, "ok", 2);
    assert_int_equal(dk_demux_feed(&d, buf, 10, collect, &s), -1);

    /* type 4 after a good frame, header split across calls */
    memset(&s, 0, sizeof s);
    dk_demux_init(&d);
    frame(buf, 1, "ok", 2);
    frame(buf + 10, 4, "zz", 2);
    assert_int_equal(dk_demux_feed(&d, buf, 13, collect, &s), 0);
    assert_int_equal(dk_demux_feed(&d, buf + 13, 7, collect, &s), -1);
    assert_true(d.broken);
    assert_int_equal(s.len[1], 2);

    /* non-zero padding bytes are out of sync too */
    dk_demux_init(&d);
    frame(buf, 1, "ok", 2);
    buf[2] = 7;
    assert_int_equal(dk_demux_feed(&d, buf, 10, collect, &s), -1);
}

static void test_demux_emit_abort(void **state)
{
    char buf[64];
    size_t n = 0;
    dk_demux d;
    sink s;
    (void)state;
    n += frame(buf + n, 1, "a", 1);
    n += frame(buf + n, 1, "b", 1);
    memset(&s, 0, sizeof s);
    s.stop_after = 1;
    dk_demux_init(&d);
    assert_int_equal(dk_demux_feed(&d, buf, n, collect, &s), -1);
    assert_false(d.broken);
    assert_int_equal(s.calls, 1);
}

/* ---- linebuf --------------------------------------------------------------- */

typedef struct lines {
    char text[64][64];
    int cont[64];
    int n;
    int fail_at;   /* return -1 for line index fail_at (1-based) */
} lines;

static int take(void *ud, const char *line, size_t n, int continued)
{
    lines *l = ud;
    assert_true(l->n < 64);
    assert_true(n < 64);
    memcpy(l->text[l->n], line, n);
    l->text[l->n][n] = '\0';
    l->cont[l->n] = continued;
    l->n++;
    return l->fail_at && l->n == l->fail_at ? -1 : 0;
}

static void test_linebuf_basic(void **state)
{
    dk_linebuf lb;
    lines l;
    (void)state;
    memset(&l, 0, sizeof l);
    assert_int_equal(dk_linebuf_init(&lb, 16), 0);
    assert_int_equal(dk_linebuf_feed(&lb, "one\ntw", 6, take, &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(dk_linebuf_feed(&lb, "o\r\n\nthree", 9, take, &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.text[0], "one");
    assert_string_equal(l.text[1], "two");  /* CR before LF dropped */
    assert_string_equal(l.text[2], "");
    assert_int_equal(dk_linebuf_flush(&lb, take, &l), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.text[3], "three");
    assert_int_equal(l.cont[3], 0);
    assert_int_equal(dk_linebuf_flush(&lb, take, &l), 0);  /* nothing left */
    assert_int_equal(l.n, 4);
    dk_linebuf_free(&lb);
}

static void test_linebuf_cap(void **state)
{
    dk_linebuf lb;
    lines l;
    (void)state;
    memset(&l, 0, sizeof l);
    assert_int_equal(dk_linebuf_init(&lb, 4), 0);
    /* exactly the cap: one piece, not continued */
    assert_int_equal(dk_linebuf_feed(&lb, "abcd\n", 5, take, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.text[0], "abcd");
    assert_int_equal(l.cont[0], 0);
    /* 10 bytes: abcd(cont) efgh(cont) ij */
    assert_int_equal(dk_linebuf_feed(&lb, "abcdefghij\n", 11, take, &l), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.text[1], "abcd");
    assert_int_equal(l.cont[1], 1);
    assert_string_equal(l.text[2], "efgh");
    assert_int_equal(l.cont[2], 1);
    assert_string_equal(l.text[3], "ij");
    assert_int_equal(l.cont[3], 0);
    /* long line fed byte by byte, ending at a multiple of the cap */
    for (const char *p = "12345678\n"; *p; p++)
        assert_int_equal(dk_linebuf_feed(&lb, p, 1, take, &l), 0);
    assert_int_equal(l.n, 6);
    assert_string_equal(l.text[4], "1234");
    assert_int_equal(l.cont[4], 1);
    assert_string_equal(l.text[5], "5678");
    assert_int_equal(l.cont[5], 0);
    /* a long tail without newline: flush gives the last piece */
    assert_int_equal(dk_linebuf_feed(&lb, "xyzuv", 5, take, &l), 0);
    assert_int_equal(l.n, 7);
    assert_int_equal(l.cont[6], 1);
    assert_int_equal(dk_linebuf_flush(&lb, take, &l), 0);
    assert_string_equal(l.text[7], "v");
    assert_int_equal(l.cont[7], 0);
    assert_true(lb.len == 0);
    dk_linebuf_free(&lb);
}

/* The buffer is not the cap: it starts small and grows only as far as the
 * longest line, which still comes out whole up to the cap. */
typedef struct longest {
    size_t n, len;
    int cont;
    char last;
} longest;

static int take_long(void *ud, const char *line, size_t n, int continued)
{
    longest *g = ud;
    g->n++;
    g->len = n;
    g->cont = continued;
    g->last = n ? line[n - 1] : 0;
    return 0;
}

static void test_linebuf_grows(void **state)
{
    dk_linebuf lb;
    longest g = {0};
    static char big[20001];
    (void)state;
    assert_int_equal(dk_linebuf_init(&lb, 1024 * 1024), 0);
    assert_true(lb.size <= 4096);
    assert_int_equal(dk_linebuf_feed(&lb, "short\n", 6, take_long, &g), 0);
    assert_true(lb.size <= 4096);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 2] = 'z';
    big[sizeof big - 1] = '\n';
    for (size_t i = 0; i < sizeof big; i += 777) {   /* in uneven pieces */
        size_t k = sizeof big - i < 777 ? sizeof big - i : 777;
        assert_int_equal(dk_linebuf_feed(&lb, big + i, k, take_long, &g), 0);
    }
    assert_int_equal(g.n, 2);
    assert_int_equal(g.len, sizeof big - 1);
    assert_int_equal(g.cont, 0);
    assert_int_equal(g.last, 'z');
    assert_true(lb.size >= sizeof big - 1 && lb.size <= lb.cap);
    dk_linebuf_free(&lb);
}

static void test_linebuf_abort(void **state)
{
    dk_linebuf lb;
    lines l;
    (void)state;
    memset(&l, 0, sizeof l);
    l.fail_at = 2;
    assert_int_equal(dk_linebuf_init(&lb, 8), 0);
    assert_int_equal(dk_linebuf_feed(&lb, "a\nb\nc\n", 6, take, &l), -1);
    assert_int_equal(l.n, 2);
    dk_linebuf_free(&lb);
}

/* The log path: demux into a linebuf per stream. */
typedef struct pipeline {
    dk_linebuf lb[3];
    lines got[3];
} pipeline;

static int to_lines(void *ud, int stream, const char *p, size_t n)
{
    pipeline *pl = ud;
    return dk_linebuf_feed(&pl->lb[stream], p, n, take, &pl->got[stream]);
}

static void test_demux_into_lines(void **state)
{
    char buf[256];
    size_t n = 0;
    pipeline pl;
    dk_demux d;
    (void)state;
    memset(&pl, 0, sizeof pl);
    for (int i = 0; i < 3; i++)
        assert_int_equal(dk_linebuf_init(&pl.lb[i], 32), 0);
    n += frame(buf + n, 1, "2026-11-25T21:04:01.931440927Z par", 34);
    n += frame(buf + n, 2, "oops\n", 5);
    n += frame(buf + n, 1, "tial\nnext\n", 10);
    for (size_t cut = 0; cut <= n; cut++) {
        memset(pl.got, 0, sizeof pl.got);
        dk_demux_init(&d);
        assert_int_equal(dk_demux_feed(&d, buf, cut, to_lines, &pl), 0);
        assert_int_equal(dk_demux_feed(&d, buf + cut, n - cut, to_lines, &pl), 0);
        assert_int_equal(pl.got[1].n, 3);  /* the 38-byte line is cut at 32 */
        assert_int_equal(pl.got[1].cont[0], 1);
        assert_string_equal(pl.got[1].text[1], "artial");
        assert_string_equal(pl.got[1].text[2], "next");
        assert_int_equal(pl.got[2].n, 1);
        assert_string_equal(pl.got[2].text[0], "oops");
    }
    for (int i = 0; i < 3; i++)
        dk_linebuf_free(&pl.lb[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demux_whole),
        cmocka_unit_test(test_demux_every_split),
        cmocka_unit_test(test_demux_every_double_split),
        cmocka_unit_test(test_demux_header_split_state),
        cmocka_unit_test(test_demux_out_of_sync),
        cmocka_unit_test(test_demux_emit_abort),
        cmocka_unit_test(test_linebuf_basic),
        cmocka_unit_test(test_linebuf_cap),
        cmocka_unit_test(test_linebuf_grows),
        cmocka_unit_test(test_linebuf_abort),
        cmocka_unit_test(test_demux_into_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
