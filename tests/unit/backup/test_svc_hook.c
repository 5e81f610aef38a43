/* test_svc_hook.c - a Swarm service's webhook secret through a reschedule
 * (src/backup/service.c) against the scripted fake engine: the new
 * generation gets its own webhook secret (<svc>-hook-<gen>) beside the
 * pgpass one, both mounted as their own files; the old generation's
 * secrets go once the new task runs; a new task that never runs puts the
 * old pgpass and webhook secrets back, each in its own place (the pgpass
 * as deeplens-pgpass, the webhook's as deeplens-webhook), and removes the
 * secrets and config it made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deeplens/backup.h"
#include "../../../src/docker/internal.h"
#include "../../../src/backup/internal.h"
#include "fake_engine.h"

#define SVC "deeplens-backup-acme"

static dl_ctx ctx;

static int setup(void **state)
{
    dk_endpoint ep;
    dl_err err;
    (void)state;
    setenv("DEEPLENS_SWARM_WAIT", "1", 1);
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

/* generation 3, signed: the pgpass and the webhook secret (listed hook first,
 * as an engine may list them in any order) */
#define OLD_SERVICE                                                                          \
    "{\"ID\":\"svc1\",\"Version\":{\"Index\":41},\"Spec\":{\"Name\":\"" SVC "\","            \
    "\"Labels\":{\"io.deeplens.backup\":\"1\",\"io.deeplens.backup.tenant\":\"acme\","       \
    "\"io.deeplens.backup.nfs_path\":\"local:/srv/backups/acme\","                          \
    "\"io.deeplens.backup.webhook_url\":\"http://hooks.example:8080/x\","                   \
    "\"io.deeplens.backup.webhook_signed\":\"1\","                                          \
    "\"io.deeplens.backup.swarm_generation\":\"3\"},"                                      \
    "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"img\",\"Secrets\":["                   \
    "{\"SecretID\":\"oldhook\",\"SecretName\":\"" SVC "-hook-3\"},"                         \
    "{\"SecretID\":\"oldpg\",\"SecretName\":\"" SVC "-pgpass-3\"}],"                        \
    "\"Configs\":[{\"ConfigID\":\"oldcfg\",\"ConfigName\":\"" SVC "-job-3\"}]}}}}"

static void spec_signed(dl_spec *s)
{
    dl_err e;
    dl_spec_defaults(s);
    snprintf(s->tenant, sizeof s->tenant, "acme");
    snprintf(s->nfs_path, sizeof s->nfs_path, "local:/srv/backups/acme");
    assert_int_equal(dl_validate_nfs_path(s->nfs_path, &s->target, &e), 0);
    snprintf(s->webhook_url, sizeof s->webhook_url, "http://hooks.example:8080/x");
    snprintf(s->schedule, sizeof s->schedule, "30 4 * * *");
    s->webhook_signed = 1;
    assert_int_equal(dl_spec_validate(s, &e), 0);
}

/* The body of the n-th newest request whose line starts with prefix, parsed. */
static cJSON *nth_body(const char *prefix, int n)
{
    static char req[65536];
    for (int i = 0; i < 200; i++) {
        const char *b;
        fe_last_request(i, req, sizeof req);
        if (!req[0])
            break;
        if (strncmp(req, prefix, strlen(prefix)))
            continue;
        if (n-- > 0)
            continue;
        b = strstr(req, "\r\n\r\n");
        assert_non_null(b);
        return cJSON_Parse(b + 4);
    }
    fail_msg("no request '%s'", prefix);
    return NULL;
}

/* "name file-name id;" for each secret of a service spec body */
static void secrets_of(cJSON *body, char *out, size_t n)
{
    const cJSON *it;
    size_t len = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
                           body, "TaskTemplate"), "ContainerSpec"), "Secrets"))
        len += (size_t)snprintf(out + len, n - len, "%s %s %s;",
                                cJSON_GetObjectItem(it, "SecretName")->valuestring,
                                cJSON_GetObjectItem(cJSON_GetObjectItem(it, "File"),
                                                    "Name")->valuestring,
                                cJSON_GetObjectItem(it, "SecretID")->valuestring);
}

static void test_reschedule_rotates_hook_secret(void **state)
{
    dl_spec s;
    dl_err err;
    char got[1024];
    cJSON *b;
    fe_route rt[] = {
        {"GET /v1.41/services/" SVC, fe_json(200, OLD_SERVICE), 0, 0, 0, 0},
        {"DELETE /v1.41/secrets/", fe_json(404, "{\"message\":\"no such secret\"}"), 0, 0, 0, 0},
        {"DELETE /v1.41/configs/", fe_json(404, "{\"message\":\"no such config\"}"), 0, 0, 0, 0},
        {"POST /v1.41/secrets/create", fe_json(201, "{\"ID\":\"newsec\"}"), 0, 0, 0, 0},
        {"POST /v1.41/configs/create", fe_json(201, "{\"ID\":\"newcfg\"}"), 0, 0, 0, 0},
        {"POST /v1.41/services/svc1/update?version=41", fe_json(200, "{}"), 0, 0, 0, 0},
        {"GET /v1.41/tasks", fe_json(200, "[{\"ID\":\"t2\",\"DesiredState\":\"running\","
                                          "\"Version\":{\"Index\":50},\"Status\":{\"State\":"
                                          "\"running\",\"ContainerStatus\":{\"ContainerID\":"
                                          "\"ct2\"}}}]"), 0, 0, 0, 0},
    };
    (void)state;
    fe_routes(rt, 7);
    fe_reset_counts();
    spec_signed(&s);
    assert_int_equal(dl_svc_reschedule(&ctx, SVC, NULL, &s, "pw", "the-secret", NULL, NULL,
                                       &err), 0);
    /* both secrets of generation 4 made, the webhook's with the given secret */
    assert_int_equal(fe_count("POST /v1.41/secrets/create"), 2);
    b = nth_body("POST /v1.41/secrets/create", 0);
    assert_string_equal(cJSON_GetObjectItem(b, "Name")->valuestring, SVC "-hook-4");
    assert_string_equal(cJSON_GetObjectItem(b, "Data")->valuestring, "dGhlLXNlY3JldA==");
    cJSON_Delete(b);
    b = nth_body("POST /v1.41/services/svc1/update", 0);
    secrets_of(b, got, sizeof got);
    assert_string_equal(got, SVC "-pgpass-4 deeplens-pgpass newsec;" SVC
                             "-hook-4 deeplens-webhook newsec;");
    cJSON_Delete(b);
    /* then the old generation goes: both its secrets and its config */
    assert_int_equal(fe_count("DELETE /v1.41/secrets/" SVC "-hook-3"), 1);
    assert_int_equal(fe_count("DELETE /v1.41/secrets/" SVC "-pgpass-3"), 1);
    assert_int_equal(fe_count("DELETE /v1.41/configs/" SVC "-job-3"), 1);
}

static void test_reschedule_rollback_restores_both(void **state)
{
    dl_spec s;
    dl_err err;
    char got[1024];
    cJSON *b;
    fe_route rt[] = {
        {"GET /v1.41/services/" SVC, fe_json(200, OLD_SERVICE), 0, 0, 0, 0},
        {"DELETE /v1.41/secrets/", fe_json(204, ""), 0, 0, 0, 0},
        {"DELETE /v1.41/configs/", fe_json(204, ""), 0, 0, 0, 0},
        {"POST /v1.41/secrets/create", fe_json(201, "{\"ID\":\"newsec\"}"), 0, 0, 0, 0},
        {"POST /v1.41/configs/create", fe_json(201, "{\"ID\":\"newcfg\"}"), 0, 0, 0, 0},
        {"POST /v1.41/services/svc1/update?version=41", fe_json(200, "{}"), 0, 0, 0, 0},
        /* the new task never runs */
        {"GET /v1.41/tasks", fe_json(200, "[]"), 0, 0, 0, 0},
    };
    (void)state;
    fe_routes(rt, 7);
    fe_reset_counts();
    spec_signed(&s);
    assert_int_equal(dl_svc_reschedule(&ctx, SVC, NULL, &s, "pw", "new-secret", NULL, NULL,
                                       &err), -1);
    assert_non_null(strstr(err.msg, "has no running task"));
    assert_int_equal(fe_count("POST /v1.41/services/svc1/update"), 2);
    /* the rollback update: each old secret as its own file, generation 3 again */
    b = nth_body("POST /v1.41/services/svc1/update", 0);
    secrets_of(b, got, sizeof got);
    assert_string_equal(got, SVC "-pgpass-3 deeplens-pgpass oldpg;" SVC
                             "-hook-3 deeplens-webhook oldhook;");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "Labels"),
                                            DL_LABEL_PREFIX "swarm_generation")->valuestring,
                        "3");
    cJSON_Delete(b);
    /* what it made is gone (each name once as a leftover before, once in the undo),
     * the old generation's secrets are kept */
    assert_int_equal(fe_count("DELETE /v1.41/secrets/" SVC "-hook-4"), 2);
    assert_int_equal(fe_count("DELETE /v1.41/secrets/" SVC "-pgpass-4"), 2);
    assert_int_equal(fe_count("DELETE /v1.41/configs/" SVC "-job-4"), 2);
    assert_int_equal(fe_count("DELETE /v1.41/secrets/" SVC "-hook-3"), 0);
    assert_int_equal(fe_count("DELETE /v1.41/secrets/" SVC "-pgpass-3"), 0);
}

/* The secret for a signed webhook is required: nothing is made without it. */
static void test_reschedule_signed_needs_secret(void **state)
{
    dl_spec s;
    dl_err err;
    fe_route rt[] = {
        {"GET /v1.41/services/" SVC, fe_json(200, OLD_SERVICE), 0, 0, 0, 0},
        {"DELETE /v1.41/secrets/", fe_json(404, "{\"message\":\"no such secret\"}"), 0, 0, 0, 0},
        {"DELETE /v1.41/configs/", fe_json(404, "{\"message\":\"no such config\"}"), 0, 0, 0, 0},
    };
    (void)state;
    fe_routes(rt, 3);
    fe_reset_counts();
    spec_signed(&s);
    assert_int_equal(dl_svc_reschedule(&ctx, SVC, NULL, &s, "pw", "", NULL, NULL, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "--webhook-secret-file"));
    assert_int_equal(fe_count("POST "), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reschedule_rotates_hook_secret),
        cmocka_unit_test(test_reschedule_rollback_restores_both),
        cmocka_unit_test(test_reschedule_signed_needs_secret),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
