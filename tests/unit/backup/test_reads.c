/* test_reads.c - the read-only views (src/backup/reads.c) against the
 * scripted fake engine (tests/lib/fake_engine.h): finding a tenant's
 * container, one tenant's and all tenants' status, and following a log
 * through the domain's stream handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <time.h>

#include "deeplens/backup.h"
#include "../../../src/backup/internal.h"
#include "fake_engine.h"

#define ACME "deeplens-backup-acme"
#define LABELS(tenant)                                                                     \
    "{\"io.deeplens.backup\":\"1\",\"io.deeplens.backup.tenant\":\"" tenant "\","          \
    "\"io.deeplens.backup.nfs_path\":\"nfs.example.com:/exports/" tenant "\"}"

static dl_ctx ctx;
/* what an engine that is not a swarm manager says of services */
#define NO_SWARM                                                                            \
    {"GET /v1.41/services", fe_json(503, "{\"message\":\"This node is not a swarm manager.\"}"), \
     0, 0, 0, 0}
static char status_resp[4096];
static size_t status_len;

static int setup(void **state)
{
    static const char status[] = "version=1\nlast_result=ok\nlast_run_start=1795000300\n"
                                 "file=tenant_acme_metadata_20261101_020001.sql.gz 1234 1795000301 abc\n";
    dk_tar_entry e = {.name = "status", .data = status, .len = sizeof status - 1, .mode = 0644};
    dk_endpoint ep;
    dl_err err;
    char *tar;
    size_t len;
    int head;
    (void)state;
    if (dk_tar_build(&e, 1, &tar, &len, &err) < 0)
        return -1;
    head = snprintf(status_resp, sizeof status_resp, "HTTP/1.1 200 OK\r\nContent-Type: "
                    "application/x-tar\r\nContent-Length: %zu\r\n\r\n", len);
    memcpy(status_resp + head, tar, len);
    status_len = (size_t)head + len;
    free(tar);
    if (fe_start() || dk_endpoint_parse(&ep, fe_host(), NULL, NULL, NULL, NULL, &err) ||
        dl_ctx_open(&ctx, &ep, NULL, &err))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dl_ctx_close(&ctx);
    fe_stop();
    return 0;
}

static const char *inspect_of(const char *name, const char *labels, const char *probe)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"Id\":\"c1\",\"Name\":\"/%s\",\"State\":{\"Status\":\"running\","
             "\"StartedAt\":\"2026-11-01T00:00:01Z\",\"Health\":{\"Status\":\"healthy\","
             "\"Log\":[{\"Output\":\"%s\"}]}},\"Config\":{\"Image\":\"img\",\"Labels\":%s}}",
             name, probe, labels);
    return fe_json(200, body);
}

/* ---- finding a tenant ----------------------------------------------------------- */

/* Provisioned with another prefix: found by its tenant label. */
static void test_find_by_label(void **state)
{
    char name[160];
    dk_container ct = {0};
    dl_err err;
    fe_route rt[] = {
        {"GET /v1.41/containers/" ACME "/json",
         fe_json(404, "{\"message\":\"No such container: " ACME "\"}"), 0, 0, 0, 0},
        {"GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22io.deeplens.backup"
         ".tenant%3Dacme%22%5D%7D",
         fe_json(200, "[{\"Id\":\"x9\",\"Names\":[\"/site-acme\"],\"Labels\":" LABELS("acme")
                      "}]"), 0, 0, 0, 0},
        {"GET /v1.41/containers/x9/json", inspect_of("site-acme", LABELS("acme"), ""), 0, 0, 0,
         0},
        NO_SWARM,
    };
    (void)state;
    fe_routes(rt, 4);
    assert_int_equal(dl_find_tenant(&ctx, "acme", name, sizeof name, &ct, &err), 0);
    assert_string_equal(name, "site-acme");
    dk_container_clear(&ct);
}

/* A container of that name without our label is not taken for ours. */
static void test_find_refuses_foreign(void **state)
{
    char name[160];
    dk_container ct = {0};
    dl_err err;
    fe_route rt[] = {
        {"GET /v1.41/containers/" ACME "/json", inspect_of(ACME, "{}", ""), 0, 0, 0, 0},
    };
    (void)state;
    fe_routes(rt, 1);
    assert_int_equal(dl_find_tenant(&ctx, "acme", name, sizeof name, &ct, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_string_equal(err.msg, "container '" ACME "' exists but is not a deeplens backup "
                                 "container (no io.deeplens.backup.tenant label)");
    /* and a tenant nobody has */
    fe_route none[] = {
        {"GET /v1.41/containers/" ACME "/json",
         fe_json(404, "{\"message\":\"No such container: " ACME "\"}"), 0, 0, 0, 0},
        {"GET /v1.41/containers/json", fe_json(200, "[]"), 0, 0, 0, 0},
        NO_SWARM,
    };
    fe_routes(none, 3);
    assert_int_equal(dl_find_tenant(&ctx, "acme", name, sizeof name, &ct, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, "no backup configured for tenant 'acme'");
}

/* ---- status ---------------------------------------------------------------------- */

/* One tenant: the container and the job's status file itself. */
static void test_status_get(void **state)
{
    dl_status st;
    dl_err err;
    fe_route rt[] = {
        {"GET /v1.41/containers/" ACME "/json", inspect_of(ACME, LABELS("acme"), ""), 0, 0, 0,
         0},
        {"GET /v1.41/containers/" ACME "/archive?path=%2Fvar%2Flib%2Fdeeplens%2Fstatus",
         status_resp, status_len, 0, 0, 0},
    };
    (void)state;
    fe_routes(rt, 2);
    assert_int_equal(dl_status_get(&ctx, "acme", &st, &err), 0);
    assert_string_equal(st.container, ACME);
    assert_string_equal(st.state, "running");
    assert_true(st.have_job_status);
    assert_string_equal(st.last_result, "ok");
    assert_true(st.last_run_start == 1795000300);
    assert_int_equal(st.nfiles, 1);
    assert_string_equal(st.files[0].name, "tenant_acme_metadata_20261101_020001.sql.gz");
    dl_status_clear(&st);
}

/* All tenants: one list, then each from its health probe's output when it
 * has the status (no archive read), else from the file; sorted by tenant. */
static void test_status_all(void **state)
{
    dl_status *v = NULL;
    size_t n = 0;
    dl_err err;
    fe_route rt[] = {
        {"GET /v1.41/containers/json",
         fe_json(200, "[{\"Id\":\"b\",\"Names\":[\"/deeplens-backup-zeta\"],\"State\":"
                      "\"running\",\"Labels\":" LABELS("zeta") "},"
                      "{\"Id\":\"a\",\"Names\":[\"/" ACME "\"],\"State\":\"running\","
                      "\"Labels\":" LABELS("acme") "}]"), 0, 0, 0, 0},
        {"GET /v1.41/containers/deeplens-backup-zeta/json",
         inspect_of("deeplens-backup-zeta", LABELS("zeta"),
                    "healthy\\nversion=1\\nlast_result=FAILED\\n"), 0, 0, 0, 0},
        {"GET /v1.41/containers/" ACME "/json", inspect_of(ACME, LABELS("acme"), "starting"), 0,
         0, 0, 0},
        {"GET /v1.41/containers/" ACME "/archive?path=%2Fvar%2Flib%2Fdeeplens%2Fstatus",
         status_resp, status_len, 0, 0, 0},
        NO_SWARM,
    };
    (void)state;
    fe_routes(rt, 5);
    fe_reset_counts();
    assert_int_equal(dl_status_all(&ctx, 0, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].spec.tenant, "acme");
    assert_string_equal(v[0].last_result, "ok");          /* from the file */
    assert_string_equal(v[1].spec.tenant, "zeta");
    assert_string_equal(v[1].last_result, "FAILED");      /* from the probe */
    assert_int_equal(fe_count("GET /v1.41/containers/json"), 1);
    assert_int_equal(fe_count("GET /v1.41/containers/deeplens-backup-zeta/archive"), 0);
    assert_int_equal(fe_count("GET /v1.41/containers/" ACME "/archive"), 1);
    dl_statuses_free(v, n);
}

/* ---- logs ------------------------------------------------------------------------- */

static struct {
    char lines[8][64];
    int streams[8];
    int n;
    int ended;
    dl_err why;
    int had_err;
} lg;

static int on_line(void *ud, const char *line, size_t n, int continued, int stream)
{
    (void)ud;
    (void)continued;
    if (lg.n < 8) {
        snprintf(lg.lines[lg.n], sizeof lg.lines[0], "%.*s", (int)n, line);
        lg.streams[lg.n++] = stream;
    }
    return 0;
}

static void on_end(void *ud, const dl_err *err)
{
    (void)ud;
    lg.ended++;
    lg.had_err = err != NULL;
    if (err)
        lg.why = *err;
}

static void run_until_ended(double seconds)
{
    time_t end = time(NULL) + (time_t)seconds + 1;
    while (!lg.ended) {
        assert_true(time(NULL) < end);
        assert_true(dl_ctx_poll(&ctx, -1, 100) >= 0);
    }
}

/* Lines from both streams, the last one without a newline; the end. */
static void test_log_stream(void **state)
{
    static const char framed[] = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
                                 "raw-stream\r\n\r\n"
                                 "\x01\0\0\0\0\0\0\x08one\ntwo\n"
                                 "\x02\0\0\0\0\0\0\x05oops\n"
                                 "\x01\0\0\0\0\0\0\x04last";
    fe_route rt[] = {{"GET /v1.41/containers/" ACME "/logs?stdout=1&stderr=1&follow=1", framed,
                      sizeof framed - 1, 0, 0, 0}};
    dl_log_stream *s;
    dl_err err;
    (void)state;
    fe_routes(rt, 1);
    memset(&lg, 0, sizeof lg);
    s = dl_logs_open_container(&ctx, ACME, 1, 10, 0, on_line, on_end, NULL, &err);
    assert_non_null(s);
    run_until_ended(5);
    assert_int_equal(lg.ended, 1);
    assert_false(lg.had_err);
    assert_int_equal(lg.n, 4);
    assert_string_equal(lg.lines[0], "one");
    assert_string_equal(lg.lines[1], "two");
    assert_string_equal(lg.lines[2], "oops");
    assert_int_equal(lg.streams[2], 2);
    assert_string_equal(lg.lines[3], "last");
    assert_int_equal(lg.streams[3], 1);
}

/* Closing a stream that is still open ends it at once, cancelled; an
 * engine's refusal ends it with the engine's words. */
static void test_log_stream_close_and_error(void **state)
{
    static const char open_only[] = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
                                    "raw-stream\r\n\r\n";
    fe_route rt[] = {
        {"GET /v1.41/containers/" ACME "/logs", open_only, 0, 0, 0, 1},
        {"GET /v1.41/containers/ghost/logs",
         fe_json(404, "{\"message\":\"No such container: ghost\"}"), 0, 0, 0, 0},
    };
    dl_log_stream *s;
    dl_err err;
    (void)state;
    fe_routes(rt, 2);
    memset(&lg, 0, sizeof lg);
    s = dl_logs_open_container(&ctx, ACME, 1, 10, 0, on_line, on_end, NULL, &err);
    assert_non_null(s);
    for (int i = 0; i < 5; i++)
        assert_true(dl_ctx_poll(&ctx, -1, 20) >= 0);
    assert_int_equal(lg.ended, 0);
    dl_log_stream_close(s);
    assert_int_equal(lg.ended, 1);
    assert_true(lg.had_err);
    assert_int_equal(lg.why.kind, DL_ECANCEL);

    memset(&lg, 0, sizeof lg);
    assert_non_null(dl_logs_open_container(&ctx, "ghost", 1, 10, 0, on_line, on_end, NULL, &err));
    run_until_ended(5);
    assert_true(lg.had_err);
    assert_int_equal(lg.why.kind, DL_ENOTFOUND);
    assert_string_equal(lg.why.msg, "no such container 'ghost'");
    assert_int_equal(lg.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_by_label),
        cmocka_unit_test(test_find_refuses_foreign),
        cmocka_unit_test(test_status_get),
        cmocka_unit_test(test_status_all),
        cmocka_unit_test(test_log_stream),
        cmocka_unit_test(test_log_stream_close_and_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
