/* test_streams.c - streams through the request loop against a real engine:
 * exec with exit codes and separated stdout/stderr, logs with tail and
 * timestamps, a follow stream that sees a later line, streams cancelled
 * midway (from outside and from inside a callback), and the events stream
 * (opening a log stream from inside an event callback).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "itest.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll until *flag or the deadline; fails the test on timeout. */
static void poll_until(const int *flag, double seconds, const char *what)
{
    double end = now_s() + seconds;
    while (!*flag) {
        if (now_s() > end)
            fail_msg("timed out waiting for %s", what);
        assert_true(dk_client_poll(it.c, -1, 200) >= 0);
    }
}

/* ---- exec ---------------------------------------------------------------- */

static void test_exec_codes(void **state)
{
    static const char *const c3[] = {"sh", "-c", "echo out; echo err >&2; echo more; exit 3",
                                     NULL};
    static const char *const c0[] = {"true", NULL};
    static const char *const cenv[] = {"sh", "-c", "echo \"$FOO\"; pwd; id -u", NULL};
    static const char *const env[] = {"FOO=bar baz", NULL};
    char name[96], missing[96], *out = NULL, *errout = NULL;
    dk_exec_opts x;
    dl_err err;
    int code = -1;
    (void)state;
    it_name(name, sizeof name, "exec");
    IT_RUN(name, "trap 'exit 0' TERM; while :; do sleep 1; done");

    memset(&x, 0, sizeof x);
    x.cmd = c3;
    CHECK(dk_exec_capture(it.c, name, &x, &out, &errout, 0, &code, &err));
    assert_int_equal(code, 3);
    assert_string_equal(out, "out\nmore\n");
    assert_string_equal(errout, "err\n");
    free(out);
    free(errout);

    x.cmd = c0;
    CHECK(dk_exec_capture(it.c, name, &x, &out, NULL, 0, &code, &err));
    assert_int_equal(code, 0);
    assert_string_equal(out, "");
    free(out);

    x.cmd = cenv;
    x.env = env;
    x.user = "1234:1234";
    x.working_dir = "/tmp";
    CHECK(dk_exec_capture(it.c, name, &x, &out, &errout, 0, &code, &err));
    assert_int_equal(code, 0);
    assert_string_equal(out, "bar baz\n/tmp\n1234\n");
    free(out);
    free(errout);

    /* a missing binary: the runtime's complaint arrives on the stream */
    {
        static const char *const cbad[] = {"/no/such/binary", NULL};
        memset(&x, 0, sizeof x);
        x.cmd = cbad;
        CHECK(dk_exec_capture(it.c, name, &x, &out, &errout, 0, &code, &err));
        assert_true(code == 126 || code == 127);
        assert_non_null(strstr(out, "no such file"));
        free(out);
        free(errout);
    }

    /* 404 and 409 */
    it_name(missing, sizeof missing, "exec-missing");
    x.cmd = c0;
    assert_int_equal(dk_exec_capture(it.c, missing, &x, &out, &errout, 0, &code, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_null(out);
    CHECK(dk_container_stop(it.c, name, 5, NULL, &err));
    assert_int_equal(dk_exec_capture(it.c, name, &x, NULL, NULL, 0, &code, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    {
        char want[160];
        snprintf(want, sizeof want, "container '%s' is not running", name);
        assert_string_equal(err.msg, want);
    }
}

typedef struct chunks {
    size_t bytes[4];
    size_t calls, biggest;
    size_t stop_after;    /* return -1 past this many bytes (0 = never) */
    int done;
    dl_err result;
    char exec_id[65];
    int exit_code;
    int exit_rc;
} chunks;

static int count_data(void *ud, int stream, const char *p, size_t n)
{
    chunks *k = ud;
    k->bytes[stream & 3] += n;
    k->calls++;
    if (n > k->biggest)
        k->biggest = n;
    if (k->stop_after && k->bytes[1] > k->stop_after)
        return -1;
    return 0;
}

static void count_done(void *ud, dk_req *r)
{
    chunks *k = ud;
    k->done = 1;
    dl_err_clear(&k->result);
    dk_req_result(r, &k->result);
    /* a blocking call from inside on_done is allowed */
    k->exit_rc = dk_exec_exit_code(it.c, k->exec_id, &k->exit_code, NULL);
}

static void test_exec_async_and_caps(void **state)
{
    static const char *const many[] = {"sh", "-c", "i=0; while [ $i -lt 2000 ]; do "
                                       "echo 0123456789012345678901234567890123456789; "
                                       "i=$((i+1)); done; exit 5", NULL};
    char name[96], *out = NULL;
    dk_exec_opts x;
    chunks k;
    dl_err err;
    int code;
    (void)state;
    it_name(name, sizeof name, "exec-async");
    IT_RUN(name, "trap 'exit 0' TERM; while :; do sleep 1; done");
    memset(&x, 0, sizeof x);
    x.cmd = many;

    memset(&k, 0, sizeof k);
    assert_non_null(dk_exec_start_async(it.c, name, &x, count_data, count_done, &k, k.exec_id,
                                        &err));
    assert_int_equal(strlen(k.exec_id), 64);
    poll_until(&k.done, 30, "the exec to finish");
    assert_int_equal(k.result.kind, DL_OK);
    assert_int_equal(k.bytes[1], 2000 * 41);
    assert_int_equal(k.exit_rc, 0);
    assert_int_equal(k.exit_code, 5);
    assert_true(k.biggest <= 16384 + 8);

    /* capture cap: the rest is dropped, the exit code still read */
    CHECK(dk_exec_capture(it.c, name, &x, &out, NULL, 1000, &code, &err));
    assert_int_equal(strlen(out), 1000);
    assert_int_equal(code, 5);
    free(out);
}

static long rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

/* An endless stream, cancelled from inside on_data and from outside. */
static void test_stream_cancel(void **state)
{
    static const char *const spam[] = {"yes", "dl-it-spam-line-0123456789", NULL};
    char name[96];
    dk_exec_opts x;
    chunks k;
    dk_req *r;
    dl_err err;
    dk_version v;
    long rss0;
    (void)state;
    it_name(name, sizeof name, "cancel");
    IT_RUN(name, "trap 'exit 0' TERM; while :; do sleep 1; done");
    memset(&x, 0, sizeof x);
    x.cmd = spam;

    /* inside: on_data returns -1 after 32 MiB, memory stays flat */
    memset(&k, 0, sizeof k);
    k.stop_after = 32u << 20;
    rss0 = rss_kib();
    r = dk_exec_start_async(it.c, name, &x, count_data, count_done, &k, k.exec_id, &err);
    assert_non_null(r);
    poll_until(&k.done, 60, "the cancelled exec");
    assert_int_equal(k.result.kind, DL_ECANCEL);
    assert_true(k.bytes[1] > k.stop_after);
    assert_true(k.biggest <= 16384 + 8);  /* never buffered whole */
    assert_int_equal(dk_client_pending(it.c), 0);
    if (rss_kib() - rss0 > 8 * 1024)
        fail_msg("memory grew by %ld KiB while streaming 32 MiB", rss_kib() - rss0);

    /* outside: dk_cancel after 1 MiB; on_done runs before it returns */
    memset(&k, 0, sizeof k);
    r = dk_exec_start_async(it.c, name, &x, count_data, NULL, &k, k.exec_id, &err);
    assert_non_null(r);
    {
        double end = now_s() + 60;
        while (k.bytes[1] < (1u << 20)) {
            assert_true(now_s() < end);
            assert_true(dk_client_poll(it.c, -1, 200) >= 0);
        }
    }
    assert_int_equal(dk_client_pending(it.c), 1);
    dk_cancel(r);
    assert_int_equal(dk_client_pending(it.c), 0);

    /* the loop keeps working */
    CHECK(dk_client_check_version(it.c, &v, &err));
    {
        dk_container ct;
        CHECK(dk_container_inspect(it.c, name, &ct, &err));
        assert_string_equal(ct.state, "running");
        dk_container_clear(&ct);
    }
    for (int i = 0; i < 5; i++)
        assert_true(dk_client_poll(it.c, -1, 10) >= 0);
}

/* ---- logs ---------------------------------------------------------------- */

typedef struct loglines {
    dk_linebuf lb[3];
    char line[3][16][160];
    int n[3];
    int done;
    dl_err result;
    const char *want;    /* set found when a stdout line contains it */
    int found;
} loglines;

static int ll_take1(void *ud, const char *l, size_t n, int cont);
static int ll_take2(void *ud, const char *l, size_t n, int cont);

static void ll_store(loglines *g, int s, const char *l, size_t n)
{
    if (g->n[s] < 16)
        snprintf(g->line[s][g->n[s]++], sizeof g->line[0][0], "%.*s", (int)n, l);
    if (s == 1 && g->want) {
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)n, l);
        if (strstr(buf, g->want))
            g->found = 1;
    }
}

static int ll_take1(void *ud, const char *l, size_t n, int cont)
{
    ll_store(ud, 1, l, n);
    return 0;
}

static int ll_take2(void *ud, const char *l, size_t n, int cont)
{
    ll_store(ud, 2, l, n);
    return 0;
}

static int ll_data(void *ud, int stream, const char *p, size_t n)
{
    loglines *g = ud;
    int s = stream == 2 ? 2 : 1;
    return dk_linebuf_feed(&g->lb[s], p, n, s == 1 ? ll_take1 : ll_take2, g);
}

static void ll_done(void *ud, dk_req *r)
{
    loglines *g = ud;
    g->done = 1;
    dl_err_clear(&g->result);
    dk_req_result(r, &g->result);
}

static void ll_init(loglines *g)
{
    memset(g, 0, sizeof *g);
    for (int i = 0; i < 3; i++)
        assert_int_equal(dk_linebuf_init(&g->lb[i], 4096), 0);
}

static void ll_free(loglines *g)
{
    for (int i = 0; i < 3; i++)
        dk_linebuf_free(&g->lb[i]);
}

static void wait_for_log(const char *name, const char *text)
{
    double end = now_s() + 20;
    for (;;) {
        loglines g;
        dk_logs_opts o = {1, 1, 0, 0, -1, 0, 0};
        dl_err err;
        ll_init(&g);
        g.want = text;
        assert_non_null(dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err));
        poll_until(&g.done, 20, "a log read");
        ll_free(&g);
        if (g.found)
            return;
        if (now_s() > end)
            fail_msg("'%s' never appeared in the logs of %s", text, name);
        usleep(200000);
    }
}

static void test_logs_tail_timestamps(void **state)
{
    char name[96], missing[96];
    loglines g;
    dk_logs_opts o;
    dl_err err;
    (void)state;
    it_name(name, sizeof name, "logs");
    IT_RUN(name, "for i in 1 2 3 4 5; do echo line$i; done; sleep 0.3; echo err1 >&2; "
                 "echo done-writing; trap 'exit 0' TERM; while :; do sleep 1; done");
    wait_for_log(name, "done-writing");

    /* tail=3 with timestamps: the last three records of both streams */
    ll_init(&g);
    memset(&o, 0, sizeof o);
    o.stdout_ = o.stderr_ = 1;
    o.timestamps = 1;
    o.tail = 3;
    assert_non_null(dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err));
    poll_until(&g.done, 20, "the logs");
    assert_int_equal(g.result.kind, DL_OK);
    assert_int_equal(g.n[1], 2);
    assert_int_equal(g.n[2], 1);
    for (int s = 1; s <= 2; s++)
        for (int i = 0; i < g.n[s]; i++) {
            const char *l = g.line[s][i];
            assert_true(strlen(l) > 31);
            assert_int_equal(l[4], '-');
            assert_int_equal(l[10], 'T');
            assert_int_equal(l[29], 'Z');
            assert_int_equal(l[30], ' ');
        }
    assert_string_equal(g.line[1][0] + 31, "line5");
    assert_string_equal(g.line[1][1] + 31, "done-writing");
    assert_string_equal(g.line[2][0] + 31, "err1");
    ll_free(&g);

    /* stdout only, everything, no timestamps */
    ll_init(&g);
    o.stderr_ = 0;
    o.timestamps = 0;
    o.tail = -1;
    assert_non_null(dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err));
    poll_until(&g.done, 20, "the logs");
    assert_int_equal(g.n[1], 6);
    assert_int_equal(g.n[2], 0);
    assert_string_equal(g.line[1][0], "line1");
    ll_free(&g);

    /* since: after the last record, nothing */
    ll_init(&g);
    o.stderr_ = 1;
    o.since = (double)time(NULL) + 5;
    assert_non_null(dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err));
    poll_until(&g.done, 20, "the logs");
    assert_int_equal(g.n[1] + g.n[2], 0);
    ll_free(&g);

    /* errors: no stream chosen; a missing container (reported in on_done) */
    o.stdout_ = o.stderr_ = 0;
    assert_null(dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err));
    assert_int_equal(err.kind, DL_EINVAL);
    ll_init(&g);
    o.stdout_ = 1;
    o.since = 0;
    it_name(missing, sizeof missing, "logs-missing");
    assert_non_null(dk_logs_open(it.c, missing, &o, ll_data, ll_done, &g, &err));
    poll_until(&g.done, 20, "the logs");
    assert_int_equal(g.result.kind, DL_ENOTFOUND);
    assert_int_equal(g.result.http_status, 404);
    {
        char want[160];
        snprintf(want, sizeof want, "no such container '%s'", missing);
        assert_string_equal(g.result.msg, want);
    }
    ll_free(&g);
}

static void test_logs_follow(void **state)
{
    static const char *const go[] = {"touch", "/tmp/go", NULL};
    char name[96];
    loglines g;
    dk_logs_opts o;
    dk_exec_opts x;
    dk_req *r;
    dl_err err;
    int code;
    (void)state;
    it_name(name, sizeof name, "follow");
    IT_RUN(name, "echo first; while [ ! -f /tmp/go ]; do sleep 0.2; done; "
                 "echo second-after-open; trap 'exit 0' TERM; while :; do sleep 1; done");
    wait_for_log(name, "first");

    ll_init(&g);
    g.want = "second-after-open";
    memset(&o, 0, sizeof o);
    o.stdout_ = o.stderr_ = 1;
    o.follow = 1;
    o.tail = -1;
    r = dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err);
    assert_non_null(r);
    /* let the stream deliver the backlog, then make the line happen */
    {
        double end = now_s() + 10;
        while (g.n[1] < 1 && now_s() < end)
            assert_true(dk_client_poll(it.c, -1, 200) >= 0);
    }
    assert_string_equal(g.line[1][0], "first");
    assert_false(g.found);
    memset(&x, 0, sizeof x);
    x.cmd = go;
    CHECK(dk_exec_capture(it.c, name, &x, NULL, NULL, 0, &code, &err));  /* stream stays open */
    assert_int_equal(code, 0);
    poll_until(&g.found, 20, "the line written after the stream opened");
    assert_false(g.done);
    dk_cancel(r);  /* on_done before dk_cancel returns */
    assert_true(g.done);
    assert_int_equal(g.result.kind, DL_ECANCEL);
    ll_free(&g);

    /* a follow stream ends by itself when the container stops */
    ll_init(&g);
    o.tail = 0;
    assert_non_null(dk_logs_open(it.c, name, &o, ll_data, ll_done, &g, &err));
    for (int i = 0; i < 5; i++)
        assert_true(dk_client_poll(it.c, -1, 50) >= 0);
    assert_false(g.done);
    CHECK(dk_container_stop(it.c, name, 5, NULL, &err));
    poll_until(&g.done, 20, "the follow stream to end");
    assert_int_equal(g.result.kind, DL_OK);
    ll_free(&g);
}

/* ---- events ------------------------------------------------------------ */

typedef struct evwatch {
    const char *name;
    int saw_start, done;
    long long time, time_nano;
    dl_err result;
    dk_req *events;      /* cancelled from the log stream's callback */
    dk_req *logs;        /* opened from the event callback */
    loglines lines;
} evwatch;

static int ev_logs_data(void *ud, int stream, const char *p, size_t n)
{
    evwatch *w = ud;
    ll_data(&w->lines, stream, p, n);
    if (w->lines.found && w->events) {
        dk_cancel(w->events);  /* another request, from inside a callback */
        w->events = NULL;
    }
    return 0;
}

static int on_event(void *ud, const dk_event *ev)
{
    evwatch *w = ud;
    dk_logs_opts o = {1, 1, 1, 0, -1, 0, 0};
    dl_err err;
    if (strcmp(ev->type, "container") || strcmp(ev->name, w->name) ||
        strcmp(ev->action, "start"))
        return 0;
    w->saw_start = 1;
    w->time = ev->time;
    w->time_nano = ev->time_nano;
    /* submitted from inside a libcurl callback: queued until it returns */
    w->logs = dk_logs_open(it.c, w->name, &o, ev_logs_data, NULL, w, &err);
    assert_non_null(w->logs);
    return 0;
}

static void ev_done(void *ud, dk_req *r)
{
    evwatch *w = ud;
    w->done = 1;
    dl_err_clear(&w->result);
    dk_req_result(r, &w->result);
}

static void test_events(void **state)
{
    char name[96], filt[160], id[65];
    evwatch w;
    dl_err err;
    dk_kv lab[1];
    char labval[32];
    (void)state;
    it_name(name, sizeof name, "events");
    memset(&w, 0, sizeof w);
    w.name = name;
    ll_init(&w.lines);
    w.lines.want = "hello-from-events";

    snprintf(labval, sizeof labval, "%ld", (long)getpid());
    lab[0].key = "deeplens.it-run";
    lab[0].value = labval;
    snprintf(filt, sizeof filt, "{\"type\":[\"container\"],\"label\":[\"deeplens.it-run=%s\"]}",
             labval);
    w.events = dk_events_open(it.c, (long long)time(NULL) - 1, filt, on_event, ev_done, &w, &err);
    assert_non_null(w.events);
    CHECK(it_create(name, "echo hello-from-events; trap 'exit 0' TERM; "
                    "while :; do sleep 1; done", lab, 1, id, &err));
    CHECK(dk_container_start(it.c, name, NULL, &err));
    poll_until(&w.saw_start, 20, "the start event");
    assert_true(w.time > 0);
    assert_true(w.time_nano / 1000000000LL == w.time);
    assert_true(w.time_nano % 1000000000LL != 0);  /* exact, not time * 1e9 */
    poll_until(&w.lines.found, 20, "logs opened from the event callback");
    poll_until(&w.done, 5, "the events stream to be cancelled");
    assert_int_equal(w.result.kind, DL_ECANCEL);
    assert_null(w.events);
    dk_cancel(w.logs);
    assert_int_equal(dk_client_pending(it.c), 0);
    ll_free(&w.lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_codes),
        cmocka_unit_test(test_exec_async_and_caps),
        cmocka_unit_test(test_stream_cancel),
        cmocka_unit_test(test_logs_tail_timestamps),
        cmocka_unit_test(test_logs_follow),
        cmocka_unit_test(test_events),
    };
    return cmocka_run_group_tests(tests, it_setup, it_teardown);
}
