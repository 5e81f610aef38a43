/* test_loop.c - the request loop (src/docker/client.c) against a scripted
 * fake engine on a unix socket, no docker needed: the requests as sent
 * (path prefix, headers, bodies), status mapping, body caps, stream modes
 * with slow and broken answers, cancellation from every place, timeouts,
 * and freeing a client with streams open.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "deeplens/docker.h"
#include "fake_engine.h"

/* ---- the fake engine (tests/lib/fake_engine.h) ------------------------- */

typedef fe_route route;
#define routes fe_routes
#define last_request fe_last_request
#define held fe_held

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static dk_client *cl;

static int setup(void **state)
{
    dk_endpoint ep;
    dl_err err;
    (void)state;
    if (fe_start() || dk_endpoint_parse(&ep, fe_host(), NULL, NULL, NULL, NULL, &err) ||
        dk_client_new(&cl, &ep, &err))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dk_client_free(cl);
    fe_stop();
    return 0;
}

/* ---- helpers --------------------------------------------------------------- */

typedef struct rec {
    int done;
    dl_err result;
    long status;
    char body[2048];
    size_t body_len;
    char data[4][2048];
    size_t data_len[4];
    int calls;
    int cancel_at_call;      /* on_data returns -1 at this call */
    dk_req *to_cancel;       /* cancelled from inside on_data */
    dk_req *submitted;       /* submitted from inside on_data */
    char lines[8][64];
    int nlines;
} rec;

static int rec_data(void *ud, int stream, const char *p, size_t n)
{
    rec *r = ud;
    size_t room = sizeof r->data[0] - 1 - r->data_len[stream & 3];
    r->calls++;
    if (n > room)
        n = room;
    memcpy(r->data[stream & 3] + r->data_len[stream & 3], p, n);
    r->data_len[stream & 3] += n;
    if (r->nlines < 8)
        snprintf(r->lines[r->nlines++], sizeof r->lines[0], "%.*s", (int)n, p);
    if (r->to_cancel) {
        dk_cancel(r->to_cancel);
        r->to_cancel = NULL;
    }
    return r->cancel_at_call && r->calls == r->cancel_at_call ? -1 : 0;
}

static void rec_done(void *ud, dk_req *q)
{
    rec *r = ud;
    size_t n;
    const char *b = dk_req_body(q, &n);
    r->done++;
    r->status = dk_req_status(q);
    dl_err_clear(&r->result);
    dk_req_result(q, &r->result);
    if (n >= sizeof r->body)
        n = sizeof r->body - 1;
    memcpy(r->body, b, n);
    r->body[n] = '\0';
    r->body_len = n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_until(const int *flag, double seconds)
{
    double end = now_s() + seconds;
    while (!*flag) {
        assert_true(now_s() < end);
        assert_true(dk_client_poll(cl, -1, 100) >= 0);
    }
}

static dk_req *submit(const char *method, const char *path, dk_body_mode mode, rec *r)
{
    dk_req_opts o;
    dl_err err;
    dk_req *q;
    memset(&o, 0, sizeof o);
    o.method = method;
    o.path = path;
    o.mode = mode;
    o.on_data = rec_data;
    o.on_done = rec_done;
    o.ud = r;
    q = dk_submit(cl, &o, &err);
    assert_non_null(q);
    return q;
}

#define OK_JSON(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " \
    body "\r\nConnection: close\r\n\r\n"

/* ---- tests -------------------------------------------------------------------- */

static void test_request_shape(void **state)
{
    static const route rt[] = {
        {"POST /v1.41/containers/create", "HTTP/1.1 201 Created\r\nContent-Length: 15\r\n\r\n"
                                          "{\"Id\":\"abc123\"}", 0, 0, 0, 0},
        {"POST /v1.41/containers/x/start", "HTTP/1.1 304 Not Modified\r\n\r\n", 0, 0, 0, 0},
        {"PUT /v1.41/containers/x/archive", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0,
         0, 0, 0},
        {"GET /_ping", "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK", 0,
         0, 0, 0},
        {"DELETE /v1.41/volumes/v", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
    };
    static const char *const cmd[] = {"true", NULL};
    dk_create_spec s;
    char id[65], req[4096];
    dl_err err;
    int changed = -1;
    dk_tar_entry e = {.name = "f", .data = "x", .len = 1, .mode = 0644};
    char *tar;
    size_t len;
    (void)state;
    routes(rt, 5);

    memset(&s, 0, sizeof s);
    s.image = "img";
    s.cmd = cmd;
    assert_int_equal(dk_container_create(cl, "x", &s, id, &err), 0);
    assert_string_equal(id, "abc123");
    last_request(0, req, sizeof req);
    assert_non_null(strstr(req, "POST /v1.41/containers/create?name=x HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "\r\nHost: localhost\r\n"));
    assert_non_null(strstr(req, "\r\nContent-Type: application/json\r\n"));
    assert_null(strcasestr(req, "Expect:"));
    assert_non_null(strstr(req, "\r\n\r\n{\"Image\":\"img\",\"Cmd\":[\"true\"]"));

    /* a POST without body sends no form Content-Type; 304 is success */
    assert_int_equal(dk_container_start(cl, "x", &changed, &err), 0);
    assert_int_equal(changed, 0);
    last_request(0, req, sizeof req);
    assert_null(strcasestr(req, "Content-Type"));
    assert_non_null(strstr(req, "Content-Length: 0\r\n"));

    /* PUT: tar body, its own type, no 100-continue round trip */
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), 0);
    assert_int_equal(dk_archive_put(cl, "x", "/a b", tar, len, &err), 0);
    free(tar);
    last_request(0, req, sizeof req);
    assert_non_null(strstr(req, "PUT /v1.41/containers/x/archive?path=%2Fa%20b&"
                                "noOverwriteDirNonDir=1 HTTP/1.1"));
    assert_non_null(strstr(req, "Content-Type: application/x-tar\r\n"));
    assert_non_null(strstr(req, "Content-Length: 2048\r\n"));
    assert_null(strcasestr(req, "Expect:"));

    /* unversioned ping; DELETE */
    {
        rec r;
        dk_req_opts o;
        memset(&r, 0, sizeof r);
        memset(&o, 0, sizeof o);
        o.path = "/_ping";
        o.unversioned = 1;
        o.on_done = rec_done;
        o.ud = &r;
        assert_non_null(dk_submit(cl, &o, &err));
        run_until(&r.done, 5);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "OK");
    }
    assert_int_equal(dk_volume_remove(cl, "v", 0, &err), 0);
    last_request(0, req, sizeof req);
    assert_non_null(strstr(req, "DELETE /v1.41/volumes/v?force=0 HTTP/1.1"));
    assert_non_null(strstr(req, "User-Agent: deeplens-backup/"));
}

/* A PUT sent on a reused connection that the engine closes unanswered is
 * sent again, whole, on a fresh connection (libcurl rewinds the body). */
static void test_upload_resent(void **state)
{
    static const route rt[] = {
        {"POST /v1.41/containers/x/start", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 2},
        {"PUT /v1.41/containers/x/archive", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0,
         0, 0, 0},
    };
    dk_tar_entry e = {.name = "f", .data = "resent", .len = 6, .mode = 0644};
    char req[4096], *tar;
    size_t len;
    dl_err err;
    int changed = -1;
    (void)state;
    routes(rt, 2);
    assert_int_equal(dk_container_start(cl, "x", &changed, &err), 0);
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), 0);
    int rc = dk_archive_put(cl, "x", "/d", tar, len, &err);
    free(tar);
    if (rc != 0)
        fail_msg("the PUT was not resent: %s", err.msg);
    last_request(0, req, sizeof req);
    assert_non_null(strstr(req, "PUT /v1.41/containers/x/archive?path=%2Fd"));
    assert_non_null(strstr(req, "Content-Length: 2048\r\n"));
}

static void test_status_mapping(void **state)
{
    static const route rt[] = {
        {"GET /v1.41/e500", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 18\r\n\r\n"
                            "{\"message\":\"Boom\"}", 0, 0, 0, 0},
        {"GET /v1.41/e404", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 0, 0, 0},
        {"GET /v1.41/e409", "HTTP/1.1 409 Conflict\r\nContent-Length: 16\r\n\r\n"
                            "{\"message\":\"no\"}", 0, 0, 0, 0},
        {"GET /v1.41/ok", OK_JSON("2") "{}", 0, 0, 0, 0},
    };
    char *body;
    long st;
    dl_err err;
    (void)state;
    routes(rt, 4);
    assert_int_equal(dk_call(cl, "GET", "/e500", NULL, 5000, &body, &st, &err), -1);
    assert_int_equal(err.kind, DL_EHTTP);
    assert_int_equal(err.http_status, 500);
    assert_int_equal(st, 500);
    assert_string_equal(err.msg, "GET /e500: boom");
    assert_null(body);
    assert_int_equal(dk_call(cl, "GET", "/e404", NULL, 5000, &body, &st, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, "GET /e404: engine answered 404 not found");
    assert_int_equal(dk_call(cl, "GET", "/e409", NULL, 5000, NULL, NULL, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    assert_int_equal(dk_call(cl, "GET", "/ok", NULL, 5000, &body, &st, &err), 0);
    assert_int_equal(st, 200);
    assert_string_equal(body, "{}");
    free(body);
    /* unscripted status 599 */
    assert_int_equal(dk_call(cl, "GET", "/nothing", NULL, 5000, NULL, &st, &err), -1);
    assert_int_equal(err.kind, DL_EHTTP);
    assert_int_equal(st, 599);
}

static void test_body_cap(void **state)
{
    static char resp[1200];
    route rt[1];
    rec r;
    dk_req_opts o;
    dl_err err;
    (void)state;
    snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n%01000d", 0);
    rt[0] = (route){"GET /v1.41/big", resp, 0, 100, 0, 0};
    routes(rt, 1);
    memset(&r, 0, sizeof r);
    memset(&o, 0, sizeof o);
    o.path = "/big";
    o.max_body = 100;
    o.on_done = rec_done;
    o.ud = &r;
    assert_non_null(dk_submit(cl, &o, &err));
    run_until(&r.done, 5);
    assert_int_equal(r.result.kind, DL_EPROTO);
    assert_string_equal(r.result.msg, "the engine's answer is larger than 100 bytes");
    /* under the cap: fine */
    memset(&r, 0, sizeof r);
    o.max_body = 1000;
    assert_non_null(dk_submit(cl, &o, &err));
    run_until(&r.done, 5);
    assert_int_equal(r.result.kind, DL_OK);
    assert_int_equal(r.body_len, 1000);
}

static void test_mux_modes(void **state)
{
    static const char framed[] = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-"
                                 "stream\r\n\r\n"
                                 "\x01\0\0\0\0\0\0\x05hello"
                                 "\x02\0\0\0\0\0\0\x05oops\n"
                                 "\x01\0\0\0\0\0\0\x03" "bye";
    static const char garbage[] = "HTTP/1.1 200 OK\r\n\r\nError: Exec command has already run\r\n";
    static const char notfound[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 38\r\n\r\n"
                                   "{\"message\":\"No such container: ghost\"}";
    route rt[3];
    rec r;
    (void)state;
    rt[0] = (route){"GET /v1.41/framed", framed, sizeof framed - 1, 3, 2, 0};
    rt[1] = (route){"GET /v1.41/garbage", garbage, 0, 0, 0, 0};
    rt[2] = (route){"GET /v1.41/containers/ghost/logs", notfound, 0, 0, 0, 0};
    routes(rt, 3);

    /* close-delimited stream (the exec takeover), slow 3-byte pieces */
    memset(&r, 0, sizeof r);
    submit("GET", "/framed", DK_BODY_MUX, &r);
    run_until(&r.done, 5);
    assert_int_equal(r.result.kind, DL_OK);
    assert_int_equal(r.data_len[1], 8);
    assert_memory_equal(r.data[1], "hellobye", 8);
    assert_int_equal(r.data_len[2], 5);
    assert_memory_equal(r.data[2], "oops\n", 5);

    memset(&r, 0, sizeof r);
    submit("GET", "/garbage", DK_BODY_MUX, &r);
    run_until(&r.done, 5);
    assert_int_equal(r.result.kind, DL_EPROTO);
    assert_non_null(strstr(r.result.msg, "out of sync"));
    assert_int_equal(r.calls, 0);

    /* RAW: the same bytes unchanged */
    memset(&r, 0, sizeof r);
    submit("GET", "/garbage", DK_BODY_RAW, &r);
    run_until(&r.done, 5);
    assert_int_equal(r.result.kind, DL_OK);
    assert_string_equal(r.data[1], "Error: Exec command has already run\r\n");

    /* an error answer on a stream: no data, the engine's words */
    memset(&r, 0, sizeof r);
    {
        dk_logs_opts lo = {1, 1, 1, 0, 10, 0, 0};
        dl_err err;
        assert_non_null(dk_logs_open(cl, "ghost", &lo, rec_data, rec_done, &r, &err));
    }
    run_until(&r.done, 5);
    assert_int_equal(r.calls, 0);
    assert_int_equal(r.result.kind, DL_ENOTFOUND);
    assert_int_equal(r.result.http_status, 404);
    assert_string_equal(r.result.msg, "no such container 'ghost'");
}

static void test_lines_chunked(void **state)
{
    static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "4\r\na\nbb\r\n" "3\r\n\n\nc\r\n" "2\r\ncc\r\n" "0\r\n\r\n";
    route rt[1];
    rec r;
    (void)state;
    rt[0] = (route){"GET /v1.41/lines", chunked, 0, 1, 1, 0};
    routes(rt, 1);
    memset(&r, 0, sizeof r);
    submit("GET", "/lines", DK_BODY_LINES, &r);
    run_until(&r.done, 10);
    assert_int_equal(r.result.kind, DL_OK);
    assert_int_equal(r.nlines, 4);
    assert_string_equal(r.lines[0], "a");
    assert_string_equal(r.lines[1], "bb");
    assert_string_equal(r.lines[2], "");
    assert_string_equal(r.lines[3], "ccc");  /* flushed at the end */
}

/* Cancelled before the loop ever ran it: on_done at once. */
static void test_cancel_before_run(void **state)
{
    rec r;
    dk_req *q;
    (void)state;
    memset(&r, 0, sizeof r);
    q = submit("GET", "/never", DK_BODY_LINES, &r);
    assert_int_equal(dk_client_pending(cl), 1);
    dk_cancel(q);
    assert_int_equal(r.done, 1);
    assert_int_equal(r.result.kind, DL_ECANCEL);
    assert_int_equal(dk_client_pending(cl), 0);
    assert_true(dk_client_poll(cl, -1, 10) >= 0);
    assert_int_equal(r.done, 1);
}

static struct evs_state {
    int n;
    long long nano;
    char name[64];
    int done;
    dl_err result;
} evs;

static int on_ev(void *ud, const dk_event *e)
{
    (void)ud;
    evs.n++;
    evs.nano = e->time_nano;
    snprintf(evs.name, sizeof evs.name, "%s", e->name);
    return 0;
}

static void on_ev_done(void *ud, dk_req *r)
{
    (void)ud;
    evs.done = 1;
    dk_req_result(r, &evs.result);
}

static void test_events_parsed(void **state)
{
    static const char ev[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        "99\r\n{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":"
        "{\"name\":\"deeplens-backup-acme\"}},\"time\":1795645152,\"timeNano\":1795645152201136319}\n"
        "\r\n" "2\r\n{\n\r\n";
    route rt[1];
    dl_err err;
    dk_req *q;
    double end;
    (void)state;
    rt[0] = (route){"GET /v1.41/events?filters=", ev, 0, 7, 1, 1};
    routes(rt, 1);
    memset(&evs, 0, sizeof evs);
    q = dk_events_open(cl, 0, "{\"type\":[\"container\"]}", on_ev, on_ev_done, NULL, &err);
    assert_non_null(q);
    end = now_s() + 10;
    while (evs.n < 1) {  /* the stream stays open: no heartbeat, no timeout */
        assert_true(now_s() < end);
        assert_true(dk_client_poll(cl, -1, 100) >= 0);
    }
    assert_true(evs.nano == 1795645152201136319LL);
    assert_string_equal(evs.name, "deeplens-backup-acme");
    for (int i = 0; i < 10; i++)  /* the broken record "{" is skipped */
        assert_true(dk_client_poll(cl, -1, 20) >= 0);
    assert_int_equal(evs.n, 1);
    assert_false(evs.done);
    assert_int_equal(held(), 1);
    dk_cancel(q);
    assert_true(evs.done);
    assert_int_equal(evs.result.kind, DL_ECANCEL);
    for (int i = 0; i < 100 && held(); i++)  /* the connection really closed */
        sleep_ms(10);
    assert_int_equal(held(), 0);
}

/* Cancel and submit from inside callbacks; free a client with streams open. */
static void test_cancel_everywhere(void **state)
{
    static const char slow[] = "HTTP/1.1 200 OK\r\n\r\n"
                               "\x01\0\0\0\0\0\0\x02" "a\n" "\x01\0\0\0\0\0\0\x02" "b\n"
                               "\x01\0\0\0\0\0\0\x02" "c\n";
    route rt[1];
    rec a, b, c;
    dk_req *qa, *qb;
    dk_client *c2;
    dk_endpoint ep;
    dl_err err;
    (void)state;
    rt[0] = (route){"GET /v1.41/slow", slow, sizeof slow - 1, 10, 30, 1};
    routes(rt, 1);

    /* on_data returns -1 */
    memset(&a, 0, sizeof a);
    a.cancel_at_call = 1;
    submit("GET", "/slow", DK_BODY_MUX, &a);
    run_until(&a.done, 5);
    assert_int_equal(a.result.kind, DL_ECANCEL);
    assert_int_equal(a.calls, 1);

    /* A's on_data cancels B (a request libcurl is busy with) */
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    qa = submit("GET", "/slow", DK_BODY_MUX, &a);
    qb = submit("GET", "/slow", DK_BODY_MUX, &b);
    a.to_cancel = qb;
    run_until(&b.done, 5);
    assert_int_equal(b.done, 1);
    assert_int_equal(b.result.kind, DL_ECANCEL);
    /* A's on_data cancels A itself (not by returning -1) */
    a.to_cancel = qa;
    {
        int calls = a.calls;
        double end = now_s() + 5;
        while (!a.done) {
            assert_true(now_s() < end);
            assert_true(dk_client_poll(cl, -1, 50) >= 0);
        }
        assert_int_equal(a.result.kind, DL_ECANCEL);
        assert_true(a.calls >= calls);
    }
    for (int i = 0; i < 5; i++)
        assert_true(dk_client_poll(cl, -1, 10) >= 0);
    assert_int_equal(a.done, 1);  /* on_done exactly once */
    assert_int_equal(b.done, 1);
    assert_int_equal(dk_client_pending(cl), 0);

    /* a second client with two open streams, freed: on_done for both */
    assert_int_equal(dk_endpoint_parse(&ep, fe_host(), NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(dk_client_new(&c2, &ep, &err), 0);
    {
        dk_req_opts o;
        memset(&o, 0, sizeof o);
        memset(&b, 0, sizeof b);
        memset(&c, 0, sizeof c);
        o.path = "/slow";
        o.mode = DK_BODY_MUX;
        o.on_data = rec_data;
        o.on_done = rec_done;
        o.ud = &b;
        assert_non_null(dk_submit(c2, &o, &err));
        o.ud = &c;
        assert_non_null(dk_submit(c2, &o, &err));
        for (int i = 0; i < 3; i++)
            assert_true(dk_client_poll(c2, -1, 20) >= 0);
        assert_int_equal(dk_client_pending(c2), 2);
    }
    dk_client_free(c2);
    assert_int_equal(b.done, 1);
    assert_int_equal(c.done, 1);
    assert_int_equal(b.result.kind, DL_ECANCEL);
    assert_int_equal(c.result.kind, DL_ECANCEL);
}

static void test_timeout_and_truncation(void **state)
{
    static const char nothing[] = "";
    static const char cut[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this";
    route rt[2];
    char *body;
    long st;
    dl_err err;
    double t0;
    (void)state;
    rt[0] = (route){"GET /v1.41/silent", nothing, 0, 0, 0, 1};
    rt[1] = (route){"GET /v1.41/cut", cut, 0, 0, 0, 0};
    routes(rt, 2);
    t0 = now_s();
    assert_int_equal(dk_call(cl, "GET", "/silent", NULL, 300, &body, &st, &err), -1);
    assert_true(now_s() - t0 < 3);
    assert_int_equal(err.kind, DL_ECONN);
    assert_non_null(strstr(err.msg, "did not answer within 1 s"));
    assert_int_equal(dk_call(cl, "GET", "/cut", NULL, 5000, &body, &st, &err), -1);
    assert_int_equal(err.kind, DL_ECONN);
    assert_non_null(strstr(err.msg, "connection to the docker engine at unix:///tmp/dl-ut-fake-"));
}

static void test_poll_extra_fd(void **state)
{
    int p[2];
    double t0;
    (void)state;
    assert_int_equal(pipe(p), 0);
    t0 = now_s();
    assert_int_equal(dk_client_poll(cl, p[0], 100), 0);  /* nothing: times out */
    assert_true(now_s() - t0 >= 0.05);
    assert_int_equal(write(p[1], "k", 1), 1);
    assert_int_equal(dk_client_poll(cl, p[0], 5000), 1);
    /* a wakeup ends the wait early */
    dk_client_wakeup(cl);
    t0 = now_s();
    assert_true(dk_client_poll(cl, -1, 5000) >= 0);
    assert_true(now_s() - t0 < 1.0);
    close(p[0]);
    close(p[1]);
}

/* An answer whose last bytes are read by the loop's first pass (before it
 * waits) ends the wait at once: the caller's flag is looked at before the
 * loop blocks again. Bodies of many sizes, so that the last read falls on
 * either pass of the loop (libcurl reads a buffer per pass); with the old
 * loop about half of them waited the full 1 s slice of dk_wait_flag. */
static void test_answer_in_first_pass(void **state)
{
    static char resp[200 * 1024 + 128];
    route rt[1];
    char *body;
    long st;
    dl_err err;
    double t0, worst = 0;
    (void)state;
    for (int k = 1; k <= 12; k++) {
        size_t n = (size_t)k * 13000 + 7;
        int h = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         "Content-Length: %zu\r\n\r\n", n);
        memset(resp + h, 'x', n);
        rt[0] = (route){"GET /v1.41/big", resp, (size_t)h + n, 0, 0, 0};
        routes(rt, 1);
        t0 = now_s();
        assert_int_equal(dk_call(cl, "GET", "/big", NULL, 5000, &body, &st, &err), 0);
        if (now_s() - t0 > worst)
            worst = now_s() - t0;
        assert_int_equal(st, 200);
        assert_int_equal(strlen(body), n);
        free(body);
    }
    assert_true(worst < 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_shape),
        cmocka_unit_test(test_upload_resent),
        cmocka_unit_test(test_status_mapping),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_mux_modes),
        cmocka_unit_test(test_lines_chunked),
        cmocka_unit_test(test_cancel_before_run),
        cmocka_unit_test(test_events_parsed),
        cmocka_unit_test(test_cancel_everywhere),
        cmocka_unit_test(test_timeout_and_truncation),
        cmocka_unit_test(test_poll_extra_fd),
        cmocka_unit_test(test_answer_in_first_pass),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
