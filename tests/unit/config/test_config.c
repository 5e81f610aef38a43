/* test_config.c - the config file and the password sources
 * (src/config/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "deeplens/config.h"

static dl_config cfg;   /* large: not on the stack */

static void test_defaults(void **state)
{
    (void)state;
    dl_config_defaults(&cfg);
    assert_string_equal(cfg.site.schedule, "0 2 * * *");
    assert_int_equal(cfg.site.retention_days, 30);
    assert_string_equal(cfg.site.nfs_options, "rw,sync,hard,intr");
    assert_string_equal(cfg.site.pg_host, "deeplens-postgres");
    assert_int_equal(cfg.site.pg_port, 5432);
    assert_string_equal(cfg.site.prefix, "deeplens-backup-");
    assert_string_equal(cfg.path, "");
    assert_string_equal(cfg.password_file, "");
    assert_int_equal(cfg.nbinds, 0);
}

static void test_good_file(void **state)
{
    dl_err err;
    static const char text[] =
        "# site defaults\n"
        "\n"
        "postgres_host = db.internal\n"
        "postgres_port=6543\n"
        "  postgres_user =  backup  \n"
        "postgres_password_file = /run/secrets/pg\n"
        "network = infra-net\n"
        "image = \"postgres:15-alpine\"\n"
        "uid_gid = 70:70\n"
        "prefix = pgb-\n"
        "nfs_options = rw,sync,nolock\n"
        "schedule = '0 */6 * * *'\n"
        "retention = 60\r\n"
        "keep_min = 5\n"
        "theme = light\n"
        "bind F5 refresh\n"
        "bind\t^R   restart\n";
    (void)state;
    dl_config_defaults(&cfg);
    if (dl_config_parse(&cfg, "site.conf", text, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.site.pg_host, "db.internal");
    assert_int_equal(cfg.site.pg_port, 6543);
    assert_string_equal(cfg.site.pg_user, "backup");
    assert_string_equal(cfg.password_file, "/run/secrets/pg");
    assert_string_equal(cfg.site.network, "infra-net");
    assert_string_equal(cfg.site.image, "postgres:15-alpine");
    assert_int_equal(cfg.site.uid, 70);
    assert_int_equal(cfg.site.gid, 70);
    assert_string_equal(cfg.site.prefix, "pgb-");
    assert_string_equal(cfg.site.nfs_options, "rw,sync,nolock");
    assert_string_equal(cfg.site.schedule, "0 */6 * * *");
    assert_int_equal(cfg.site.retention_days, 60);
    assert_int_equal(cfg.site.keep_min, 5);
    assert_string_equal(cfg.theme, "light");
    assert_int_equal(cfg.nbinds, 2);
    assert_string_equal(cfg.binds[0].key, "F5");
    assert_string_equal(cfg.binds[0].action, "refresh");
    assert_string_equal(cfg.binds[1].key, "^R");
    assert_string_equal(cfg.binds[1].action, "restart");
}

/* Each bad line, alone after two good lines: the error names file:3. */
static void test_bad_files(void **state)
{
    static const struct {
        const char *line, *want;
    } bad[] = {
        {"foo = 1", "config /etc/x.conf:3: unknown key 'foo'"},
        {"schedule = 61 2 * * *", "config /etc/x.conf:3: invalid schedule '61 2 * * *': minute"},
        {"schedule = 0 2 * *", "config /etc/x.conf:3: invalid schedule"},
        {"retention = 0", "config /etc/x.conf:3: invalid retention '0'"},
        {"retention = -3", "config /etc/x.conf:3: invalid retention '-3'"},
        {"retention = 99999", "config /etc/x.conf:3: invalid retention '99999'"},
        {"keep_min = x", "config /etc/x.conf:3: invalid keep minimum 'x'"},
        {"postgres_port = 70000", "config /etc/x.conf:3: invalid postgres port '70000'"},
        {"postgres_host = bad host", "config /etc/x.conf:3: invalid postgres host"},
        {"postgres_user = a;b", "config /etc/x.conf:3: invalid"},
        {"uid_gid = a:b", "config /etc/x.conf:3: invalid uid:gid 'a:b'"},
        {"uid_gid = 0:0", "config /etc/x.conf:3: invalid uid:gid '0:0': uid 0 is root"},
        {"nfs_options = rw,suid", "config /etc/x.conf:3: invalid NFS options 'rw,suid'"},
        {"image = bad image", "config /etc/x.conf:3: invalid image"},
        {"network = a b", "config /etc/x.conf:3: invalid"},
        {"prefix = /x", "config /etc/x.conf:3: invalid container name prefix '/x'"},
        {"postgres_password_file =", "config /etc/x.conf:3: invalid postgres password file ''"},
        {"just words", "config /etc/x.conf:3: expected 'key = value', got 'just words'"},
        {"bind F5", "config /etc/x.conf:3: invalid bind 'F5'"},
        {"bind F5 refresh extra", "config /etc/x.conf:3: invalid bind"},
        /* the bad text is quoted inert (found by fuzz_config) */
        {"bind F2\b", "config /etc/x.conf:3: invalid bind 'F2\\x08': expected"},
        {"\x1b]0;x\a = 1", "config /etc/x.conf:3: unknown key '\\x1b]0;x\\x07'"},
        {"words \x1b[2J", "config /etc/x.conf:3: expected 'key = value', got 'words \\x1b[2J'"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        dl_err err;
        snprintf(text, sizeof text, "# comment\nretention = 7\n%s\nretention = 9\n", bad[i].line);
        dl_config_defaults(&cfg);
        dl_err_clear(&err);
        assert_int_equal(dl_config_parse(&cfg, "/etc/x.conf", text, &err), -1);
        assert_int_equal(err.kind, DL_EINVAL);
        if (strncmp(err.msg, bad[i].want, strlen(bad[i].want)) != 0)
            fail_msg("line '%s': got '%s'", bad[i].line, err.msg);
        assert_int_equal(cfg.site.retention_days, 7);   /* stopped at the bad line */
    }
}

static void test_set_like_flags(void **state)
{
    dl_err err;
    (void)state;
    dl_config_defaults(&cfg);
    assert_int_equal(dl_config_set(&cfg, "postgres_port", "15432", &err), 0);
    assert_int_equal(cfg.site.pg_port, 15432);
    assert_int_equal(dl_config_set(&cfg, "postgres_port", "0", &err), -1);
    assert_string_equal(err.msg, "invalid postgres port '0': must be 1-65535");
    assert_int_equal(cfg.site.pg_port, 15432);
    assert_int_equal(dl_config_set(&cfg, "nope", "1", &err), -1);
    assert_string_equal(err.msg, "unknown key 'nope'");
}

static char dir[64];

/* read_only and audit_file */
static void test_read_only_and_audit_file(void **state)
{
    dl_err err;
    (void)state;
    dl_config_defaults(&cfg);
    assert_int_equal(cfg.read_only, 0);
    assert_string_equal(cfg.audit_file, "");
    assert_int_equal(dl_config_parse(&cfg, "t", "read_only = yes\naudit_file = /var/log/x.jsonl\n",
                                     &err), 0);
    assert_int_equal(cfg.read_only, 1);
    assert_string_equal(cfg.audit_file, "/var/log/x.jsonl");
    assert_int_equal(dl_config_set(&cfg, "read_only", "no", &err), 0);
    assert_int_equal(cfg.read_only, 0);
    assert_int_equal(dl_config_set(&cfg, "audit_file", "none", &err), 0);
    assert_int_equal(dl_config_set(&cfg, "read_only", "maybe", &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "invalid read_only 'maybe'"));
    assert_int_equal(dl_config_parse(&cfg, "t", "audit_file = audit.jsonl\n", &err), -1);
    assert_non_null(strstr(err.msg, "config t:1: invalid audit file 'audit.jsonl'"));
    assert_int_equal(dl_config_set(&cfg, "audit_file", "", &err), -1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dl-config-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    unsetenv("DEEPLENS_BACKUP_CONFIG");
    unsetenv("DEEPLENS_PG_PASSWORD");
    unsetenv("PGPASSWORD");
    return 0;
}

static int teardown_dir(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_load(void **state)
{
    char path[320], sub[256];
    dl_err err;
    (void)state;
    /* explicit file */
    snprintf(path, sizeof path, "%s/explicit", dir);
    write_file(path, "retention = 12\n");
    dl_config_defaults(&cfg);
    assert_int_equal(dl_config_load(&cfg, path, &err), 0);
    assert_int_equal(cfg.site.retention_days, 12);
    assert_string_equal(cfg.path, path);
    /* explicit but missing: an error naming it */
    snprintf(path, sizeof path, "%s/missing", dir);
    dl_config_defaults(&cfg);
    assert_int_equal(dl_config_load(&cfg, path, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(err.kind, DL_EINVAL);
    /* $DEEPLENS_BACKUP_CONFIG */
    snprintf(path, sizeof path, "%s/fromenv", dir);
    write_file(path, "retention = 13\n");
    setenv("DEEPLENS_BACKUP_CONFIG", path, 1);
    dl_config_defaults(&cfg);
    assert_int_equal(dl_config_load(&cfg, NULL, &err), 0);
    assert_int_equal(cfg.site.retention_days, 13);
    unsetenv("DEEPLENS_BACKUP_CONFIG");
    /* $XDG_CONFIG_HOME/deeplens-backup/config, then none at all */
    snprintf(sub, sizeof sub, "%s/deeplens-backup", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/config", sub);
    write_file(path, "retention = 14\nbad line\n");
    setenv("XDG_CONFIG_HOME", dir, 1);
    dl_config_defaults(&cfg);
    assert_int_equal(dl_config_load(&cfg, NULL, &err), -1);
    assert_non_null(strstr(err.msg, ":2: expected 'key = value'"));
    unlink(path);
    if (access("/etc/deeplens-backup/config", F_OK) != 0) {
        dl_config_defaults(&cfg);
        assert_int_equal(dl_config_load(&cfg, NULL, &err), 0);
        assert_string_equal(cfg.path, "");
    }
    unsetenv("XDG_CONFIG_HOME");
}

static void test_password_sources(void **state)
{
    char path[256], buf[64];
    dl_err err;
    (void)state;
    dl_config_defaults(&cfg);
    /* nothing, no terminal: an error naming the ways */
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), -1);
    assert_non_null(strstr(err.msg, "--password-file"));
    assert_non_null(strstr(err.msg, "PGPASSWORD"));
    /* environment: DEEPLENS_PG_PASSWORD before PGPASSWORD */
    setenv("PGPASSWORD", "from-pg", 1);
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "from-pg");
    setenv("DEEPLENS_PG_PASSWORD", "from-dl", 1);
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "from-dl");
    /* a file wins over the environment: first line, CR LF stripped */
    snprintf(path, sizeof path, "%s/pw", dir);
    write_file(path, "s3cret word\r\nsecond line\n");
    assert_int_equal(dl_config_password(&cfg, path, 0, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "s3cret word");
    /* the config's file when no flag */
    snprintf(cfg.password_file, sizeof cfg.password_file, "%s", path);
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "s3cret word");
    /* empty and missing files are errors naming the file */
    write_file(path, "\nsecond\n");
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    assert_non_null(strstr(err.msg, path));
    unlink(path);
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), -1);
    assert_non_null(strstr(err.msg, path));
    /* too long for the buffer */
    write_file(path, "0123456789012345678901234567890123456789012345678901234567890123456789\n");
    assert_int_equal(dl_config_password(&cfg, NULL, 0, buf, sizeof buf, &err), -1);
    unsetenv("PGPASSWORD");
    unsetenv("DEEPLENS_PG_PASSWORD");
}

static void test_webhook(void **state)
{
    char path[256], buf[64];
    dl_err err;
    (void)state;
    dl_config_defaults(&cfg);
    assert_string_equal(cfg.site.webhook_url, "");
    assert_string_equal(cfg.site.webhook_format, "json");
    assert_string_equal(cfg.site.webhook_events, DL_WEBHOOK_EVENTS);
    assert_int_equal(dl_config_parse(&cfg, "t", "webhook_url = https://hooks.example/x?t=1\n"
                                                "webhook_format = slack\n"
                                                "webhook_events = failure,overdue\n", &err), 0);
    assert_string_equal(cfg.site.webhook_url, "https://hooks.example/x?t=1");
    assert_string_equal(cfg.site.webhook_format, "slack");
    assert_string_equal(cfg.site.webhook_events, "failure,overdue");
    /* bad values name the file, the line and the key's field */
    assert_int_equal(dl_config_parse(&cfg, "t", "\nwebhook_url = http://u:p@h/\n", &err), -1);
    assert_non_null(strstr(err.msg, "config t:2: invalid webhook URL"));
    assert_null(strstr(err.msg, "u:p"));
    assert_int_equal(dl_config_parse(&cfg, "t", "webhook_events = failure,nope\n", &err), -1);
    assert_non_null(strstr(err.msg, "unknown event 'nope'"));
    /* the secret: none set, then the first line of the file */
    assert_int_equal(dl_config_webhook_secret(&cfg, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "");
    snprintf(path, sizeof path, "%s/hook-secret", dir);
    write_file(path, "k3y with space\r\nsecond\n");
    assert_int_equal(dl_config_set(&cfg, "webhook_secret_file", path, &err), 0);
    assert_int_equal(dl_config_webhook_secret(&cfg, buf, sizeof buf, &err), 1);
    assert_string_equal(buf, "k3y with space");
    write_file(path, "\n");
    assert_int_equal(dl_config_webhook_secret(&cfg, buf, sizeof buf, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    unlink(path);
    assert_int_equal(dl_config_webhook_secret(&cfg, buf, sizeof buf, &err), -1);
    assert_non_null(strstr(err.msg, "cannot read webhook secret file"));
    assert_int_equal(dl_config_set(&cfg, "webhook_secret_file", "", &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_set_like_flags),
        cmocka_unit_test(test_read_only_and_audit_file),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_password_sources),
        cmocka_unit_test(test_webhook),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
