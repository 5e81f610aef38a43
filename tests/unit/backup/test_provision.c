/* test_provision.c - dl_provision (src/backup/provision.c) against the
 * scripted fake engine (tests/lib/fake_engine.h): the requests of a whole
 * provision in order, and a failure at each step - everything created
 * before it is removed again, newest first, and said so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "deeplens/backup.h"
#include "fake_engine.h"

#define ACME "deeplens-backup-acme"
#define VOL "tenant_acme_pgbackup"

static dl_ctx ctx;
static char pf[160];                 /* the preflight container's name */
static char pf_create[200], pf_any[200], pf_start[200], pf_wait[200], pf_logs[200];
static char pf_delete[200];
static char old[160];                /* a replaced tenant's container, set aside */
static char old_inspect[200], old_rename[200];
static int existing;                 /* the tenant has a backup container already */
static char preflight_log[256], job_out[256];
static size_t preflight_log_len, job_out_len;
static char others[1024];            /* the volumes list answer, "" = none */

/* A 200 answer carrying one stdout frame of docker's stream format. */
static size_t mux_answer(char *out, size_t cap, const char *text)
{
    size_t n = strlen(text);
    int head = snprintf(out, cap, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
                                  "raw-stream\r\n\r\n");
    unsigned char fh[8] = {1, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                           (unsigned char)(n >> 8), (unsigned char)n};
    assert_true((size_t)head + 8 + n <= cap);
    memcpy(out + head, fh, 8);
    memcpy(out + head + 8, text, n);
    return (size_t)head + 8 + n;
}

/* The steps that can fail, in the order provision takes them. */
enum step {
    S_VOLUME, S_PF_CREATE, S_PF_START, S_CREATE, S_COPY, S_START, S_JOB, S_NONE
};

/* The whole engine, with step `fail` answering an error. */
static void engine(enum step fail)
{
    const char *boom = fe_json(500, "{\"message\":\"boom\"}");
    job_out_len = mux_answer(job_out, sizeof job_out,
                             fail == S_JOB ? "event=end result=FAILED reason=\"disk full\"\n"
                                           : "event=end result=ok\n");
    const char *inspect = fe_json(200, "{\"Id\":\"o1\",\"Name\":\"/" ACME "\",\"State\":"
                                       "{\"Status\":\"running\"},\"Config\":{}}");
    fe_route rt[] = {
        /* the other tenants' targets (provision refuses one already in use) */
        {"GET /v1.41/containers/json", fe_json(200, "[]"), 0, 0, 0, 0},
        {"GET /v1.41/volumes?",
         fe_json(200, others[0] ? others : "{\"Volumes\":[],\"Warnings\":null}"), 0, 0, 0, 0},
        {"GET /v1.41/containers/" ACME "/json",
         existing ? inspect : fe_json(404, "{\"message\":\"No such container: " ACME "\"}"), 0,
         0, 0, 0},
        {old_inspect, inspect, 0, 0, 0, 0},
        {old_rename, "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/rename", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0,
         0},
        {"GET /v1.41/networks/deeplens-network",
         fe_json(200, "{\"Id\":\"n1\",\"Name\":\"deeplens-network\",\"Driver\":\"bridge\"}"), 0,
         0, 0, 0},
        {"GET /v1.41/volumes/" VOL, fe_json(404, "{\"message\":\"no such volume\"}"), 0, 0, 0, 0},
        {"POST /v1.41/volumes/create",
         fail == S_VOLUME ? boom : fe_json(201, "{\"Name\":\"" VOL "\"}"), 0, 0, 0, 0},
        {pf_create, fail == S_PF_CREATE ? boom : fe_json(201, "{\"Id\":\"p1\"}"), 0, 0, 0, 0},
        {pf_start, fail == S_PF_START ? boom : "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
        {pf_wait, fe_json(200, "{\"StatusCode\":0}"), 0, 0, 0, 0},
        {pf_logs, preflight_log, preflight_log_len, 0, 0, 0},
        {pf_delete, "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
        {pf_any, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, 0, 0},   /* archive */
        {"POST /v1.41/containers/create?name=" ACME " ",
         fail == S_CREATE ? boom : fe_json(201, "{\"Id\":\"c1\"}"), 0, 0, 0, 0},
        {"PUT /v1.41/containers/" ACME "/archive",
         fail == S_COPY ? boom : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/start",
         fail == S_START ? boom : "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
        {"POST /v1.41/containers/" ACME "/exec", fe_json(201, "{\"Id\":\"e1\"}"), 0, 0, 0, 0},
        {"POST /v1.41/exec/e1/start", job_out, job_out_len, 0, 0, 0},
        {"GET /v1.41/exec/e1/json",
         fe_json(200, fail == S_JOB ? "{\"ExitCode\":1,\"Running\":false}"
                                    : "{\"ExitCode\":0,\"Running\":false}"), 0, 0, 0, 0},
        {"DELETE /v1.41/containers/" ACME "?", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
        {"DELETE /v1.41/volumes/" VOL "?", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 0, 0},
    };
    fe_routes(rt, (int)(sizeof rt / sizeof rt[0]));
    fe_reset_counts();
}

static int setup(void **state)
{
    dk_endpoint ep;
    dl_err err;
    (void)state;
    snprintf(pf, sizeof pf, ACME "-preflight-%ld", (long)getpid());
    snprintf(pf_create, sizeof pf_create, "POST /v1.41/containers/create?name=%s ", pf);
    snprintf(pf_start, sizeof pf_start, "POST /v1.41/containers/%s/start", pf);
    snprintf(pf_wait, sizeof pf_wait, "POST /v1.41/containers/%s/wait", pf);
    snprintf(pf_logs, sizeof pf_logs, "GET /v1.41/containers/%s/logs", pf);
    snprintf(pf_delete, sizeof pf_delete, "DELETE /v1.41/containers/%s?", pf);
    snprintf(old, sizeof old, ACME "-replaced-%ld", (long)getpid());
    snprintf(old_inspect, sizeof old_inspect, "GET /v1.41/containers/%s/json", old);
    snprintf(old_rename, sizeof old_rename, "POST /v1.41/containers/%s/rename", old);
    snprintf(pf_any, sizeof pf_any, "PUT /v1.41/containers/%s/archive", pf);
    preflight_log_len = mux_answer(preflight_log, sizeof preflight_log,
                                   "PREFLIGHT OK db_size=1234\n");
    if (fe_start() ||
        dk_endpoint_parse(&ep, fe_host(), NULL, NULL, NULL, NULL, &err) ||
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

/* ---- progress and spec ---------------------------------------------------------- */

static struct {
    char rollback[8][200];   /* DL_STEP_ROLLBACK lines, in order */
    int nrollback;
} said;

static void progress(void *ud, dl_step_kind k, const char *text)
{
    (void)ud;
    if (k == DL_STEP_ROLLBACK && said.nrollback < 8)
        snprintf(said.rollback[said.nrollback++], sizeof said.rollback[0], "%s", text);
}

static int provision(dl_err *err)
{
    dl_spec s;
    dl_provision_opts o = {.password = "secret", .replace = existing};
    dl_spec_defaults(&s);
    snprintf(s.tenant, sizeof s.tenant, "acme");
    snprintf(s.nfs_path, sizeof s.nfs_path, "nfs.example.com:/exports/acme");
    memset(&said, 0, sizeof said);
    dl_err_clear(err);
    return dl_provision(&ctx, &s, &o, progress, NULL, err);
}

/* The requests since the engine was scripted whose line starts with one of
 * the prefixes, in order, joined by newlines. */
static void requests(char *out, size_t n, const char *const *prefixes)
{
    char line[512];
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; *fe_line(i, line, sizeof line); i++)
        for (const char *const *p = prefixes; *p; p++)
            if (!strncmp(line, *p, strlen(*p)) &&
                (strncmp(line, "POST ", 5) || strstr(line, "/rename?") ||
                 strstr(line, "/create"))) {
                len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "\n" : "", line);
                break;
            }
}

static const char *const removals[] = {"DELETE ", "POST /v1.41/containers/" ACME, NULL};

/* ---- tests ----------------------------------------------------------------------- */

static void test_provision_all_steps(void **state)
{
    static const char *const creations[] = {"POST /v1.41/volumes/create",
                                            "POST /v1.41/containers/create", NULL};
    char got[2048], want[1024];
    dl_err err;
    (void)state;
    engine(S_NONE);
    if (provision(&err) < 0)
        fail_msg("provision failed: %s", err.msg);
    requests(got, sizeof got, creations);
    snprintf(want, sizeof want, "POST /v1.41/volumes/create\n"
                                "POST /v1.41/containers/create?name=%s\n"
                                "POST /v1.41/containers/create?name=" ACME, pf);
    assert_string_equal(got, want);
    /* the preflight container goes, nothing else */
    requests(got, sizeof got, removals);
    snprintf(want, sizeof want, "DELETE /v1.41/containers/%s?force=1&v=1", pf);
    assert_string_equal(got, want);
    assert_int_equal(said.nrollback, 0);
    assert_int_equal(fe_count("POST /v1.41/exec/e1/start"), 1);
}

struct rollback_case {
    enum step fail;
    const char *error;            /* a part of the message */
    const char *removed;          /* the removals, in order; @PF@: the preflight's name */
    const char *said[3];          /* the rollback lines */
};

/* tmpl with every @PF@ replaced by the preflight container's name */
static void expand(char *out, size_t n, const char *tmpl)
{
    size_t len = 0;
    out[0] = '\0';
    while (*tmpl && len + 1 < n) {
        if (!strncmp(tmpl, "@PF@", 4)) {
            len += (size_t)snprintf(out + len, n - len, "%s", pf);
            tmpl += 4;
        } else {
            out[len++] = *tmpl++;
            out[len] = '\0';
        }
    }
}

static void check_rollback(const struct rollback_case *c)
{
    char got[2048], want[1024];
    dl_err err;
    engine(c->fail);
    assert_int_equal(provision(&err), -1);
    if (!strstr(err.msg, c->error))
        fail_msg("step %d: message '%s' does not say '%s'", (int)c->fail, err.msg, c->error);
    requests(got, sizeof got, removals);
    expand(want, sizeof want, c->removed);
    if (strcmp(got, want))
        fail_msg("step %d: removed\n%s\ninstead of\n%s", (int)c->fail, got, want);
    for (int i = 0; i < 3; i++) {
        if (!c->said[i]) {
            assert_int_equal(said.nrollback, i);
            break;
        }
        assert_true(i < said.nrollback);
        assert_string_equal(said.rollback[i], c->said[i]);
    }
}

/* A failure at each step removes what the steps before it created, the
 * newest first; the preflight container is always gone. */
static void test_rollback_each_step(void **state)
{
    static const struct rollback_case cases[] = {
        {S_VOLUME, "boom", "", {NULL}},
        {S_PF_CREATE, "boom", "DELETE /v1.41/volumes/" VOL "?force=0",
         {"Removing volume " VOL, NULL}},
        {S_PF_START, "boom",
         "DELETE /v1.41/containers/@PF@?force=1&v=1\nDELETE /v1.41/volumes/" VOL "?force=0",
         {"Removing volume " VOL, NULL}},
        {S_CREATE, "boom",
         "DELETE /v1.41/containers/@PF@?force=1&v=1\nDELETE /v1.41/volumes/" VOL "?force=0",
         {"Removing volume " VOL, NULL}},
        {S_COPY, "copying the backup job into '" ACME "'",
         "DELETE /v1.41/containers/@PF@?force=1&v=1\n"
         "DELETE /v1.41/containers/" ACME "?force=1&v=0\n"
         "DELETE /v1.41/volumes/" VOL "?force=0",
         {"Removing volume " VOL, NULL}},
        {S_START, "boom",
         "DELETE /v1.41/containers/@PF@?force=1&v=1\n"
         "DELETE /v1.41/containers/" ACME "?force=1&v=0\n"
         "DELETE /v1.41/volumes/" VOL "?force=0",
         {"Removing container " ACME, "Removing volume " VOL, NULL}},
        {S_JOB, "backup failed: disk full",
         "DELETE /v1.41/containers/@PF@?force=1&v=1\n"
         "DELETE /v1.41/containers/" ACME "?force=1&v=0\n"
         "DELETE /v1.41/volumes/" VOL "?force=0",
         {"Removing container " ACME, "Removing volume " VOL, NULL}},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_rollback(&cases[i]);
}

/* Replacing a tenant's backup: the old container is set aside, and put
 * back under its name when the new one fails (here: its first backup),
 * between removing the new container and the (here new) volume. */
static void test_replace_rollback(void **state)
{
    char got[2048], want[1024];
    dl_err err;
    (void)state;
    existing = 1;
    engine(S_JOB);
    assert_int_equal(provision(&err), -1);
    existing = 0;
    assert_non_null(strstr(err.msg, "backup failed: disk full"));
    requests(got, sizeof got, removals);
    snprintf(want, sizeof want,
             "DELETE /v1.41/containers/%s?force=1&v=1\n"
             "POST /v1.41/containers/" ACME "/rename?name=%s\n"
             "DELETE /v1.41/containers/" ACME "?force=1&v=0\n"
             "POST /v1.41/containers/%s/rename?name=" ACME "\n"
             "DELETE /v1.41/volumes/" VOL "?force=0", pf, old, old);
    assert_string_equal(got, want);
    assert_int_equal(said.nrollback, 3);
    assert_string_equal(said.rollback[0], "Removing container " ACME);
    assert_string_equal(said.rollback[1], "Restoring the old container " ACME);
    assert_string_equal(said.rollback[2], "Removing volume " VOL);   /* new in this script */
}

/* Another tenant's volume points at the same export: refused, naming the
 * field and the other tenant, before anything is created. */
static void test_target_in_use(void **state)
{
    dl_err err;
    (void)state;
    snprintf(others, sizeof others,
             "{\"Volumes\":[{\"Name\":\"tenant_globex_pgbackup\",\"Driver\":\"local\","
             "\"Labels\":{\"" DL_LABEL_PREFIX "tenant\":\"globex\",\"" DL_LABEL_PREFIX
             "nfs_path\":\"NFS.example.com:/exports/acme/\"}}],\"Warnings\":null}");
    engine(S_NONE);
    assert_int_equal(provision(&err), -1);
    others[0] = '\0';
    assert_int_equal(err.kind, DL_ECONFLICT);
    if (!strstr(err.msg, "--nfs-path") || !strstr(err.msg, "globex"))
        fail_msg("message does not name the field and the tenant: %s", err.msg);
    assert_int_equal(fe_count("POST "), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_provision_all_steps),
        cmocka_unit_test(test_rollback_each_step),
        cmocka_unit_test(test_replace_rollback),
        cmocka_unit_test(test_target_in_use),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
