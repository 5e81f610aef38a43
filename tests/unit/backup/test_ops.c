/* test_ops.c - changes to an existing tenant backup (src/backup/ops.c)
 * against the scripted fake engine (tests/lib/fake_engine.h): reschedule
 * swaps containers only once the new one exists and puts the old one back
 * when the new one fails; the job runs refuse a stopped container; remove
 * keeps the files unless asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deeplens/backup.h"
#include "fake_engine.h"

#define ACME "deeplens-backup-acme"
#define NO_CONTENT "HTTP/1.1 204 No Content\r\n\r\n"

static dl_ctx ctx;
static char pgpass_resp[4096];
static size_t pgpass_len;

static const char *inspect(const char *state)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"Id\":\"c1\",\"Name\":\"/" ACME "\",\"State\":{\"Status\":\"%s\"},"
             "\"Config\":{\"Image\":\"img\",\"Labels\":{\"io.deeplens.backup\":\"1\","
             "\"io.deeplens.backup.tenant\":\"acme\","
             "\"io.deeplens.backup.nfs_path\":\"nfs.example.com:/exports/acme\","
             "\"io.deeplens.backup.schedule\":\"0 2 * * *\"}}}", state);
    return fe_json(200, body);
}

/* The job's --busy answer: one stdout frame "free" (no run holds the lock). */
static char free_resp[256];
static size_t free_len;

static void engine(const char *state)
{
    static const char text[] = "free\n";
    int head = snprintf(free_resp, sizeof free_resp, "HTTP/1.1 200 OK\r\nContent-Type: "
                        "application/vnd.docker.raw-stream\r\n\r\n");
    unsigned char fh[8] = {1, 0, 0, 0, 0, 0, 0, sizeof text - 1};
    memcpy(free_resp + head, fh, 8);
    memcpy(free_resp + head + 8, text, sizeof text - 1);
    free_len = (size_t)head + 8 + sizeof text - 1;
    const char *gone = fe_json(404, "{\"message\":\"No such container: x\"}");
    fe_route rt[] = {
        {"GET /v1.41/containers/" ACME "/json", inspect(state), 0, 0, 0, 0},
        {"GET /v1.41/containers/" ACME "/archive?path=%2Fetc%2Fdeeplens%2Fpgpass", pgpass_resp,
         pgpass_len, 0, 0, 0},
        {"DELETE /v1.41/containers/" ACME "-next?", gone, 0, 0, 0, 0},
        {"DELETE /v1.41/containers/" ACME "-prev?", gone, 0, 0, 0, 0},
        {"DELETE /v1.41/containers/" ACME "?", NO_CONTENT, 0, 0, 0, 0},
        {"DELETE /v1.41/volumes/", NO_CONTENT, 0, 0, 0, 0},
        {"POST /v1.41/containers/create?name=" ACME "-next ", fe_json(201, "{\"Id\":\"n1\"}"),
         0, 0, 0, 0},
        {"PUT /v1.41/containers/" ACME "-next/archive",
         "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/stop", NO_CONTENT, 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/rename", NO_CONTENT, 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "-next/rename", NO_CONTENT, 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "-prev/rename", NO_CONTENT, 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/start", NO_CONTENT, 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/exec", fe_json(201, "{\"Id\":\"b1\"}"), 0, 0, 0, 0},
        {"POST /v1.41/exec/b1/start", free_resp, free_len, 0, 0, 0},
        {"GET /v1.41/exec/b1/json", fe_json(200, "{\"ExitCode\":0,\"Running\":false}"), 0, 0, 0,
         0},
    };
    fe_routes(rt, (int)(sizeof rt / sizeof rt[0]));
    fe_reset_counts();
}

static int setup(void **state)
{
    static const char pgpass[] = "deeplens-postgres:5432:tenant_acme_metadata:deeplens:se\\:cret\n";
    dk_tar_entry e = {.name = "pgpass", .data = pgpass, .len = sizeof pgpass - 1, .mode = 0600};
    dk_endpoint ep;
    dl_err err;
    char *tar;
    size_t len;
    int head;
    (void)state;
    if (dk_tar_build(&e, 1, &tar, &len, &err) < 0)
        return -1;
    head = snprintf(pgpass_resp, sizeof pgpass_resp, "HTTP/1.1 200 OK\r\nContent-Type: "
                    "application/x-tar\r\nContent-Length: %zu\r\n\r\n", len);
    memcpy(pgpass_resp + head, tar, len);
    pgpass_len = (size_t)head + len;
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

/* The requests since the engine was scripted that change something (not
 * GET), in order, joined by newlines. */
static void changes(char *out, size_t n)
{
    char line[512];
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; *fe_line(i, line, sizeof line); i++)
        if (strncmp(line, "GET ", 4))
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "\n" : "", line);
}

#define P "POST /v1.41/containers/"
#define D "DELETE /v1.41/containers/"
/* reschedule asks the job first whether a run holds the lock */
#define BUSY_CHECK P ACME "/exec\nPOST /v1.41/exec/b1/start\n"

/* The whole swap, and the old container removed last. */
static void test_reschedule_swaps(void **state)
{
    char got[2048];
    dl_err err;
    (void)state;
    engine("running");
    if (dl_reschedule(&ctx, "acme", "0 3 * * *", 0, NULL, NULL, &err) < 0)
        fail_msg("reschedule failed: %s", err.msg);
    changes(got, sizeof got);
    assert_string_equal(got, BUSY_CHECK D ACME "-next?force=1&v=0\n"
                             P "create?name=" ACME "-next\n"
                             "PUT /v1.41/containers/" ACME "-next/archive?path=%2F&noOverwriteDirNonDir=1\n"
                             D ACME "-prev?force=1&v=0\n"
                             P ACME "/stop?t=30\n"
                             P ACME "/rename?name=" ACME "-prev\n"
                             P ACME "-next/rename?name=" ACME "\n"
                             P ACME "/start\n"
                             D ACME "-prev?force=1&v=0");
}

/* The new container cannot be made: the old one is never touched. */
static void test_reschedule_create_fails(void **state)
{
    char got[2048];
    dl_err err;
    (void)state;
    engine("running");
    fe_once(P "create?name=" ACME "-next ", fe_json(500, "{\"message\":\"boom\"}"));
    assert_int_equal(dl_reschedule(&ctx, "acme", "0 3 * * *", 0, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "boom"));
    changes(got, sizeof got);
    assert_string_equal(got, BUSY_CHECK D ACME "-next?force=1&v=0\n" P "create?name=" ACME "-next");
}

/* The old one will not stop: the new one goes, the old one is started. */
static void test_reschedule_stop_fails(void **state)
{
    char got[2048];
    dl_err err;
    (void)state;
    engine("running");
    fe_once(P ACME "/stop", fe_json(500, "{\"message\":\"cannot stop\"}"));
    assert_int_equal(dl_reschedule(&ctx, "acme", "0 3 * * *", 0, NULL, NULL, &err), -1);
    changes(got, sizeof got);
    assert_string_equal(got, BUSY_CHECK D ACME "-next?force=1&v=0\n"
                             P "create?name=" ACME "-next\n"
                             "PUT /v1.41/containers/" ACME "-next/archive?path=%2F&noOverwriteDirNonDir=1\n"
                             D ACME "-prev?force=1&v=0\n"
                             P ACME "/stop?t=30\n"
                             D ACME "-next?force=1&v=0\n"
                             P ACME "/start");
}

/* The new one will not start: it goes, and the old one is put back under
 * its name and started. */
static void test_reschedule_start_fails(void **state)
{
    char got[2048];
    dl_err err;
    (void)state;
    engine("running");
    fe_once(P ACME "/start", fe_json(500, "{\"message\":\"no start\"}"));
    assert_int_equal(dl_reschedule(&ctx, "acme", "0 3 * * *", 0, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "no start"));
    changes(got, sizeof got);
    assert_string_equal(got, BUSY_CHECK D ACME "-next?force=1&v=0\n"
                             P "create?name=" ACME "-next\n"
                             "PUT /v1.41/containers/" ACME "-next/archive?path=%2F&noOverwriteDirNonDir=1\n"
                             D ACME "-prev?force=1&v=0\n"
                             P ACME "/stop?t=30\n"
                             P ACME "/rename?name=" ACME "-prev\n"
                             P ACME "-next/rename?name=" ACME "\n"
                             P ACME "/start\n"
                             D ACME "?force=1&v=0\n"
                             D ACME "-next?force=1&v=0\n"
                             P ACME "-prev/rename?name=" ACME "\n"
                             P ACME "/start");
}

/* Backup now, verify and restore need a running container; nothing runs. */
static void test_runs_need_running(void **state)
{
    dl_err err;
    (void)state;
    engine("exited");
    assert_int_equal(dl_backup_now(&ctx, "acme", NULL, NULL, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_string_equal(err.msg, "container '" ACME "' is exited: start it first "
                                 "(deeplens-backup restart <tenant>)");
    assert_int_equal(dl_verify(&ctx, "acme", NULL, NULL, NULL, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(fe_count("POST "), 0);
}

/* Remove without deleting backups: container, then volume; no exec. */
static void test_remove_keeps_files(void **state)
{
    char got[1024];
    dl_err err;
    (void)state;
    engine("running");
    assert_int_equal(dl_remove(&ctx, "acme", 0, NULL, NULL, &err), 0);
    changes(got, sizeof got);
    assert_string_equal(got, D ACME "?force=1&v=0\nDELETE /v1.41/volumes/tenant_acme_pgbackup?force=0");
}

/* A run holds the lock past DEEPLENS_BUSY_WAIT: refused, nothing changed
 * but the questions asked. */
static void test_reschedule_refused_while_busy(void **state)
{
    static const char text[] = "busy backup host1:42\n";
    char busy_resp[256], got[2048];
    dl_err err;
    (void)state;
    engine("running");
    int head = snprintf(busy_resp, sizeof busy_resp, "HTTP/1.1 200 OK\r\nContent-Type: "
                        "application/vnd.docker.raw-stream\r\n\r\n");
    unsigned char fh[8] = {1, 0, 0, 0, 0, 0, 0, sizeof text - 1};
    memcpy(busy_resp + head, fh, 8);
    memcpy(busy_resp + head + 8, text, sizeof text);
    memcpy(free_resp, busy_resp, sizeof busy_resp);
    free_len = (size_t)head + 8 + sizeof text - 1;
    setenv("DEEPLENS_BUSY_WAIT", "0", 1);
    int rc = dl_reschedule(&ctx, "acme", "0 3 * * *", 0, NULL, NULL, &err);
    unsetenv("DEEPLENS_BUSY_WAIT");
    assert_int_equal(rc, -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_non_null(strstr(err.msg, "nothing was changed"));
    changes(got, sizeof got);
    assert_string_equal(got, P ACME "/exec\nPOST /v1.41/exec/b1/start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reschedule_swaps),
        cmocka_unit_test(test_reschedule_create_fails),
        cmocka_unit_test(test_reschedule_stop_fails),
        cmocka_unit_test(test_reschedule_start_fails),
        cmocka_unit_test(test_reschedule_refused_while_busy),
        cmocka_unit_test(test_runs_need_running),
        cmocka_unit_test(test_remove_keeps_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
