/* test_service.c - a tenant's swarm service spec (src/backup/service.c over
 * src/docker/swarm.c): one replica, the password only as a secret file (no
 * Env holds it), the volume's driver options in the mount, the configuration
 * in the service's labels, the placement constraints; the constraint grammar;
 * and the service inspect parser that reschedule and remove rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../src/docker/internal.h"
#include "../../../src/backup/internal.h"

static cJSON *item(const cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    assert_non_null(v);
    return v;
}

static void spec_local(dl_spec *s)
{
    dl_err e;
    dl_spec_defaults(s);
    snprintf(s->tenant, sizeof s->tenant, "acme");
    snprintf(s->nfs_path, sizeof s->nfs_path, "local:/srv/backups/acme");
    assert_int_equal(dl_validate_nfs_path(s->nfs_path, &s->target, &e), 0);
    snprintf(s->schedule, sizeof s->schedule, "15 3 * * *");
    assert_int_equal(dl_spec_validate(s, &e), 0);
}

static void test_spec_json(void **state)
{
    const char *cons[] = {"node.role==manager", "node.labels.backup==yes", NULL};
    dl_spec s;
    dl_err e;
    cJSON *o, *cs, *m, *dc, *sec, *cfg, *env, *it;
    char *body;
    (void)state;

    spec_local(&s);
    body = dl_svc_spec_json(&s, "deeplens-backup-acme", 3, cons, "sid123", "cid456", &e);
    assert_non_null(body);
    o = cJSON_Parse(body);
    assert_non_null(o);
    assert_string_equal(item(o, "Name")->valuestring, "deeplens-backup-acme");
    assert_int_equal(item(item(item(o, "Mode"), "Replicated"), "Replicas")->valueint, 1);

    /* the configuration as a container's labels, plus the generation */
    assert_string_equal(item(item(o, "Labels"), DL_LABEL_PREFIX "tenant")->valuestring, "acme");
    assert_string_equal(item(item(o, "Labels"), DL_LABEL_PREFIX "schedule")->valuestring,
                        "15 3 * * *");
    assert_string_equal(item(item(o, "Labels"), DL_LABEL_PREFIX "swarm_generation")->valuestring,
                        "3");

    cs = item(item(o, "TaskTemplate"), "ContainerSpec");
    assert_string_equal(item(cs, "Image")->valuestring, s.image);
    /* the password: in no Env; PGPASSFILE points at the secret's file */
    env = item(cs, "Env");
    cJSON_ArrayForEach(it, env) {
        assert_null(strstr(it->valuestring, "PASSWORD"));
        if (!strncmp(it->valuestring, "PGPASSFILE=", 11))
            assert_string_equal(it->valuestring, "PGPASSFILE=/run/secrets/deeplens-pgpass");
    }
    assert_int_equal(cJSON_GetArraySize(item(cs, "Secrets")), 1);
    sec = cJSON_GetArrayItem(item(cs, "Secrets"), 0);
    assert_string_equal(item(sec, "SecretID")->valuestring, "sid123");
    assert_string_equal(item(sec, "SecretName")->valuestring, "deeplens-backup-acme-pgpass-3");
    assert_string_equal(item(item(sec, "File"), "Name")->valuestring, "deeplens-pgpass");
    assert_string_equal(item(item(sec, "File"), "UID")->valuestring, "999");
    assert_string_equal(item(item(sec, "File"), "GID")->valuestring, "999");
    assert_int_equal(item(item(sec, "File"), "Mode")->valueint, 0400);
    cfg = cJSON_GetArrayItem(item(cs, "Configs"), 0);
    assert_string_equal(item(cfg, "ConfigID")->valuestring, "cid456");
    assert_string_equal(item(cfg, "ConfigName")->valuestring, "deeplens-backup-acme-job-3");
    assert_string_equal(item(item(cfg, "File"), "Name")->valuestring, "/deeplens-job.tar");

    /* the volume as any node makes it: the local bind form of the target */
    assert_int_equal(cJSON_GetArraySize(item(cs, "Mounts")), 1);
    m = cJSON_GetArrayItem(item(cs, "Mounts"), 0);
    assert_string_equal(item(m, "Type")->valuestring, "volume");
    assert_string_equal(item(m, "Source")->valuestring, "tenant_acme_pgbackup");
    assert_string_equal(item(m, "Target")->valuestring, "/backups");
    assert_true(cJSON_IsTrue(item(item(m, "VolumeOptions"), "NoCopy")));
    dc = item(item(m, "VolumeOptions"), "DriverConfig");
    assert_string_equal(item(dc, "Name")->valuestring, "local");
    assert_string_equal(item(item(dc, "Options"), "type")->valuestring, "none");
    assert_string_equal(item(item(dc, "Options"), "o")->valuestring, "bind");
    assert_string_equal(item(item(dc, "Options"), "device")->valuestring, "/srv/backups/acme");

    /* placement, network, restart, a probe that never fails the task */
    it = item(item(item(o, "TaskTemplate"), "Placement"), "Constraints");
    assert_int_equal(cJSON_GetArraySize(it), 2);
    assert_string_equal(cJSON_GetArrayItem(it, 0)->valuestring, "node.role==manager");
    assert_string_equal(cJSON_GetArrayItem(it, 1)->valuestring, "node.labels.backup==yes");
    it = cJSON_GetArrayItem(item(item(o, "TaskTemplate"), "Networks"), 0);
    assert_string_equal(item(it, "Target")->valuestring, s.network);
    assert_string_equal(item(item(item(o, "TaskTemplate"), "RestartPolicy"), "Condition")->valuestring,
                        "any");
    it = item(item(cs, "HealthCheck"), "Test");
    assert_string_equal(cJSON_GetArrayItem(it, 0)->valuestring, "CMD-SHELL");
    assert_non_null(strstr(cJSON_GetArrayItem(it, 1)->valuestring, "exit 0"));
    cJSON_Delete(o);
    free(body);
}

static void test_spec_json_nfs_no_constraints(void **state)
{
    dl_spec s;
    dl_err e;
    cJSON *o, *tt, *dc;
    char *body;
    (void)state;

    dl_spec_defaults(&s);
    snprintf(s.tenant, sizeof s.tenant, "beta");
    snprintf(s.nfs_path, sizeof s.nfs_path, "10.0.0.5:/export/beta");
    assert_int_equal(dl_validate_nfs_path(s.nfs_path, &s.target, &e), 0);
    assert_int_equal(dl_spec_validate(&s, &e), 0);
    body = dl_svc_spec_json(&s, "deeplens-backup-beta", 1, NULL, "s", "c", &e);
    assert_non_null(body);
    o = cJSON_Parse(body);
    tt = item(o, "TaskTemplate");
    assert_null(cJSON_GetObjectItem(tt, "Placement"));
    dc = item(item(cJSON_GetArrayItem(item(item(tt, "ContainerSpec"), "Mounts"), 0),
                   "VolumeOptions"), "DriverConfig");
    assert_string_equal(item(item(dc, "Options"), "type")->valuestring, "nfs");
    assert_non_null(strstr(item(item(dc, "Options"), "o")->valuestring, "addr=10.0.0.5"));
    assert_string_equal(item(item(dc, "Options"), "device")->valuestring, ":/export/beta");
    cJSON_Delete(o);
    free(body);
}

static void test_spec_json_signed_webhook(void **state)
{
    dl_spec s;
    dl_err e;
    cJSON *o, *cs, *secs, *hook, *it;
    char *body;
    int hook_env = 0;
    (void)state;

    spec_local(&s);
    snprintf(s.webhook_url, sizeof s.webhook_url, "http://hooks.example:8080/x");
    s.webhook_signed = 1;
    assert_int_equal(dl_spec_validate(&s, &e), 0);
    body = dl_svc_spec_json(&s, "deeplens-backup-acme", 4, NULL, "sid", "cid", &e);
    assert_non_null(body);
    o = cJSON_Parse(body);
    assert_non_null(o);
    cs = item(item(o, "TaskTemplate"), "ContainerSpec");
    /* a second secret of the same generation, mounted 0400 for the job's uid */
    secs = item(cs, "Secrets");
    assert_int_equal(cJSON_GetArraySize(secs), 2);
    assert_string_equal(item(cJSON_GetArrayItem(secs, 0), "SecretName")->valuestring,
                        "deeplens-backup-acme-pgpass-4");
    hook = cJSON_GetArrayItem(secs, 1);
    assert_string_equal(item(hook, "SecretName")->valuestring, "deeplens-backup-acme-hook-4");
    assert_string_equal(item(item(hook, "File"), "Name")->valuestring, "deeplens-webhook");
    assert_string_equal(item(item(hook, "File"), "UID")->valuestring, "999");
    assert_string_equal(item(item(hook, "File"), "GID")->valuestring, "999");
    assert_int_equal(item(item(hook, "File"), "Mode")->valueint, 0400);
    /* Env names the file, never holds the secret */
    cJSON_ArrayForEach(it, item(cs, "Env"))
        if (!strcmp(it->valuestring, "DEEPLENS_WEBHOOK_SECRET=/run/secrets/deeplens-webhook"))
            hook_env = 1;
    assert_true(hook_env);
    assert_string_equal(item(item(o, "Labels"), DL_LABEL_PREFIX "webhook_signed")->valuestring,
                        "1");
    cJSON_Delete(o);
    free(body);

    /* unsigned: the pgpass secret alone, no webhook file named */
    s.webhook_signed = 0;
    body = dl_svc_spec_json(&s, "deeplens-backup-acme", 4, NULL, "sid", "cid", &e);
    assert_non_null(body);
    assert_null(strstr(body, "hook-4"));
    assert_null(strstr(body, "DEEPLENS_WEBHOOK_SECRET"));
    free(body);
}

static void test_constraints(void **state)
{
    dl_err e;
    (void)state;
    assert_int_equal(dl_validate_constraint("node.role==manager", &e), 0);
    assert_int_equal(dl_validate_constraint("node.role != worker", &e), 0);
    assert_int_equal(dl_validate_constraint("node.hostname==db-1.example", &e), 0);
    assert_int_equal(dl_validate_constraint("node.labels.zone==eu_1", &e), 0);
    assert_int_equal(dl_validate_constraint("engine.labels.nfs!=no", &e), 0);
    assert_int_equal(dl_validate_constraint("node.role=manager", &e), -1);
    assert_int_equal(e.kind, DL_EINVAL);
    assert_non_null(strstr(e.msg, "--constraint 'node.role=manager'"));
    assert_int_equal(dl_validate_constraint("node.color==red", &e), -1);
    assert_int_equal(dl_validate_constraint("node.role==", &e), -1);
    assert_int_equal(dl_validate_constraint("node.labels.==x", &e), -1);
    assert_int_equal(dl_validate_constraint("node.role==a;rm -rf", &e), -1);
    assert_int_equal(dl_validate_constraint("node.role==\x1b[2J", &e), -1);
    assert_null(strchr(e.msg, '\x1b'));
    assert_int_equal(dl_validate_constraint("", &e), -1);
}

static void test_service_inspect_parse(void **state)
{
    static const char js[] =
        "{\"ID\":\"svc1\",\"Version\":{\"Index\":42},\"Spec\":{\"Name\":\"deeplens-backup-acme\","
        "\"Labels\":{\"" DL_LABEL_PREFIX "tenant\":\"acme\"},\"TaskTemplate\":{\"ContainerSpec\":"
        "{\"Env\":[\"TZ=UTC\"],\"Secrets\":[{\"SecretID\":\"s1\",\"SecretName\":\"n-pgpass-2\"}],"
        "\"Configs\":[{\"ConfigID\":\"c1\",\"ConfigName\":\"n-job-2\"}]},"
        "\"Placement\":{\"Constraints\":[\"node.role==manager\"]}}}}";
    cJSON *o = cJSON_Parse(js);
    dk_service sv;
    (void)state;
    assert_non_null(o);
    dk_service_from_json(o, &sv);
    cJSON_Delete(o);
    assert_string_equal(sv.id, "svc1");
    assert_string_equal(sv.name, "deeplens-backup-acme");
    assert_int_equal(sv.version, 42);
    assert_int_equal(sv.nsecrets, 1);
    assert_string_equal(sv.secrets[0].key, "n-pgpass-2");
    assert_string_equal(sv.secrets[0].value, "s1");
    assert_int_equal(sv.nconfigs, 1);
    assert_string_equal(sv.configs[0].key, "n-job-2");
    assert_int_equal(sv.nenv, 1);
    assert_string_equal(sv.env[0], "TZ=UTC");
    assert_int_equal(sv.nconstraints, 1);
    assert_string_equal(sv.constraints[0], "node.role==manager");
    assert_null(sv.constraints[1]);
    dk_service_clear(&sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_json),
        cmocka_unit_test(test_spec_json_nfs_no_constraints),
        cmocka_unit_test(test_spec_json_signed_webhook),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_service_inspect_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
