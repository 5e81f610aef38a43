/* test_audit.c - the audit trail's record format, operator identity, file
 * handling and labels (src/backup/audit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>
#include <cmocka.h>

#include "deeplens/audit.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dl-test-audit.XXXXXX");
    assert_non_null(mkdtemp(dir));
    unsetenv("SSH_CONNECTION");
    unsetenv("SUDO_USER");
    unsetenv("LOGNAME");
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    dl_audit_close();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static const char *file_in(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", dir, name);
    return buf;
}

/* the whole file (malloc'd) */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text;
    long len;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the record ------------------------------------------------------------ */

static void test_record_format(void **state)
{
    char path[300];
    dl_audit_entry e;
    dl_err err;
    cJSON *o, *args;
    char *text;
    (void)state;

    setenv("SSH_CONNECTION", "10.1.2.3 51234 10.0.0.1 22", 1);
    setenv("LOGNAME", "ana", 1);
    assert_int_equal(dl_audit_open("cli", file_in("a.jsonl", path, sizeof path), &err), 0);
    assert_string_equal(dl_audit_path(), path);
    dl_audit_begin(&e, "reschedule", "acme", "unix:///run/x.sock");
    dl_audit_add(&e, "schedule", "0 3 * * *");
    dl_audit_add(&e, "retention", "14");
    dl_audit_add(&e, "password", "hunter2");
    dl_audit_add(&e, "password-file", "/etc/pw");
    dl_audit_add(&e, "webhook", "https://hooks.slack.com/services/T0/B0/SECRET?x=1");
    assert_int_equal(dl_audit_record(&e, 1, NULL, &err), 0);

    text = slurp(path);
    assert_non_null(strchr(text, '\n'));
    assert_int_equal(strchr(text, '\n')[1], '\0');   /* one line, ended */
    assert_null(strstr(text, "hunter2"));
    assert_null(strstr(text, "SECRET"));
    o = cJSON_Parse(text);
    assert_non_null(o);
    assert_string_equal(jstr(o, "action"), "reschedule");
    assert_string_equal(jstr(o, "tenant"), "acme");
    assert_string_equal(jstr(o, "source"), "cli");
    assert_string_equal(jstr(o, "engine"), "unix:///run/x.sock");
    assert_string_equal(jstr(o, "client"), "10.1.2.3");
    assert_string_equal(jstr(o, "result"), "ok");
    assert_null(jstr(o, "error"));
    assert_non_null(jstr(o, "user"));
    if (strcmp(jstr(o, "user"), "ana"))
        assert_string_equal(jstr(o, "login"), "ana");
    /* 2026-12-07T09:30:00Z */
    assert_int_equal(strlen(jstr(o, "time")), 20);
    assert_int_equal(jstr(o, "time")[10], 'T');
    assert_int_equal(jstr(o, "time")[19], 'Z');
    args = cJSON_GetObjectItemCaseSensitive(o, "args");
    assert_string_equal(jstr(args, "schedule"), "0 3 * * *");
    assert_string_equal(jstr(args, "retention"), "14");
    assert_string_equal(jstr(args, "password"), "(withheld)");
    assert_string_equal(jstr(args, "password-file"), "/etc/pw");
    assert_string_equal(jstr(args, "webhook"), "https://hooks.slack.com/...");
    cJSON_Delete(o);
    free(text);
}

static void test_failed_record_and_controls(void **state)
{
    char path[300];
    dl_audit_entry e, back;
    dl_err err;
    char *text, *line;
    (void)state;

    assert_int_equal(dl_audit_open("console", file_in("b.jsonl", path, sizeof path), &err), 0);
    dl_audit_begin(&e, "backup-now", "acme", NULL);
    assert_int_equal(dl_audit_record(&e, 0, "pg_dump: \x1b[31mboom\x1b[0m\nsecond line", &err), 0);
    text = slurp(path);
    assert_null(strchr(text, '\x1b'));                 /* JSON-escaped in the file */
    assert_int_equal(strchr(text, '\n')[1], '\0');      /* one line */
    line = strdup(text);
    line[strcspn(line, "\n")] = '\0';
    assert_int_equal(dl_audit_parse(line, strlen(line), &back, &err), 0);
    assert_int_equal(back.ok, 0);
    assert_string_equal(back.action, "backup-now");
    assert_string_equal(back.source, "console");
    assert_string_equal(back.error, "pg_dump: \x1b[31mboom\x1b[0m\nsecond line");
    assert_string_equal(back.engine, "");
    free(line);
    free(text);

    /* an error without a message still says it failed */
    dl_audit_begin(&e, "restart", "acme", NULL);
    assert_int_equal(dl_audit_record(&e, 0, "", &err), 0);
    text = slurp(path);
    assert_non_null(strstr(text, "\"result\":\"error\",\"error\":\"failed\""));
    free(text);
}

static void test_round_trip_and_args_text(void **state)
{
    dl_audit_entry e, back;
    dl_err err;
    char *j, buf[400];
    (void)state;

    memset(&e, 0, sizeof e);
    snprintf(e.time, sizeof e.time, "2026-12-07T09:30:00Z");
    snprintf(e.user, sizeof e.user, "ops");
    snprintf(e.login, sizeof e.login, "ana");
    snprintf(e.client, sizeof e.client, "2001:db8::1");
    snprintf(e.source, sizeof e.source, "cli");
    snprintf(e.action, sizeof e.action, "provision");
    snprintf(e.tenant, sizeof e.tenant, "acme");
    dl_audit_add(&e, "nfs-path", "nas:/exports/acme");
    dl_audit_add(&e, "schedule", "0 2 * * *");
    dl_audit_add(&e, "note", "it's");
    e.ok = 1;
    j = dl_audit_to_json(&e);
    assert_int_equal(dl_audit_parse(j, strlen(j), &back, &err), 0);
    free(j);
    assert_string_equal(back.time, e.time);
    assert_string_equal(back.user, "ops");
    assert_string_equal(back.login, "ana");
    assert_string_equal(back.client, "2001:db8::1");
    assert_string_equal(back.tenant, "acme");
    assert_int_equal(back.nargs, 3);
    assert_int_equal(back.ok, 1);
    assert_string_equal(dl_audit_args_text(&back, buf, sizeof buf),
                        "nfs-path=nas:/exports/acme schedule='0 2 * * *' note='it's'");

    /* not records */
    assert_int_equal(dl_audit_parse("[1,2]", 5, &back, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_int_equal(dl_audit_parse("{\"time\":\"x\",\"action\":\"a\"}", 26, &back, &err), -1);
    assert_int_equal(dl_audit_parse("{\"time\":\"x\"", 11, &back, &err), -1);
}

/* ---- the operator ------------------------------------------------------------ */

static void test_operator(void **state)
{
    char path[300];
    dl_audit_entry e;
    dl_err err;
    (void)state;

    /* a client address that is not one is not recorded */
    setenv("SSH_CONNECTION", "$(reboot) 1 2 3", 1);
    setenv("LOGNAME", "bad\x1bname", 1);
    assert_int_equal(dl_audit_open("cli", "none", &err), 0);
    assert_string_equal(dl_audit_path(), "");
    dl_audit_begin(&e, "remove", "acme", NULL);
    assert_string_equal(e.client, "");
    assert_string_equal(e.login, "");
    assert_true(e.user[0] != '\0');

    setenv("SSH_CONNECTION", "fe80::1%eth0 22 fe80::2 22", 1);
    setenv("SUDO_USER", "bob", 1);
    assert_int_equal(dl_audit_open("cli", file_in("c.jsonl", path, sizeof path), &err), 0);
    dl_audit_begin(&e, "remove", "acme", NULL);
    assert_string_equal(e.client, "fe80::1%eth0");
    if (strcmp(e.user, "bob"))
        assert_string_equal(e.login, "bob");
    unsetenv("SUDO_USER");
}

/* ---- the file ------------------------------------------------------------------- */

static void test_file_mode(void **state)
{
    char path[300], other[300];
    struct stat sb;
    dl_audit_entry e;
    dl_err err;
    FILE *f;
    (void)state;

    umask(022);
    assert_int_equal(dl_audit_open("cli", file_in("new.jsonl", path, sizeof path), &err), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* an existing readable file of ours is closed to others */
    file_in("old.jsonl", other, sizeof other);
    f = fopen(other, "w");
    assert_non_null(f);
    fputs("{\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"restart\",\"tenant\":\"x\",\"result\":\"ok\"}\n", f);
    fclose(f);
    chmod(other, 0644);
    assert_int_equal(dl_audit_open("cli", other, &err), 0);
    assert_int_equal(stat(other, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* appended, the old line kept */
    dl_audit_begin(&e, "restart", "y", NULL);
    assert_int_equal(dl_audit_record(&e, 1, NULL, &err), 0);
    char *text = slurp(other);
    assert_non_null(strstr(text, "\"tenant\":\"x\""));
    assert_non_null(strstr(text, "\"tenant\":\"y\""));
    free(text);

    /* a named file in a missing directory is an error naming it */
    assert_int_equal(dl_audit_open("cli", file_in("no/such/dir.jsonl", path, sizeof path), &err), -1);
    assert_non_null(strstr(err.msg, "cannot open audit file"));
    assert_non_null(strstr(err.msg, "no/such/dir.jsonl"));
    /* a directory is not a file */
    assert_int_equal(dl_audit_open("cli", dir, &err), -1);

    /* the default file: directories made 0700 */
    char state_home[300], want[400];
    snprintf(state_home, sizeof state_home, "%s/state", dir);
    setenv("XDG_STATE_HOME", state_home, 1);
    dl_audit_default_path(path, sizeof path);
    snprintf(want, sizeof want, "%s/deeplens-backup/audit.jsonl", state_home);
    assert_string_equal(path, want);
    assert_int_equal(dl_audit_open("cli", NULL, &err), 0);
    assert_string_equal(dl_audit_path(), want);
    snprintf(want, sizeof want, "%s/deeplens-backup", state_home);
    assert_int_equal(stat(want, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    unsetenv("XDG_STATE_HOME");
}

/* several processes appending at once: every line whole */
static void test_concurrent_appends(void **state)
{
    char path[300];
    enum { KIDS = 4, EACH = 150 };
    dl_err err;
    (void)state;

    file_in("many.jsonl", path, sizeof path);
    for (int k = 0; k < KIDS; k++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            dl_audit_entry e;
            char t[32], big[400];
            if (dl_audit_open("cli", path, &err) < 0)
                _exit(1);
            memset(big, 'a' + k, sizeof big - 1);
            big[sizeof big - 1] = '\0';
            for (int i = 0; i < EACH; i++) {
                snprintf(t, sizeof t, "kid%d", k);
                dl_audit_begin(&e, "backup-now", t, NULL);
                if (dl_audit_record(&e, 0, big, &err) < 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < KIDS; k++) {
        int status;
        assert_true(wait(&status) > 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    size_t n = 0, bad = 0;
    char *text = slurp(path), *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        dl_audit_entry e;
        if (dl_audit_parse(l, strlen(l), &e, &err) == 0 && strlen(e.error) == 399)
            n++;
        else
            bad++;
    }
    free(text);
    assert_int_equal(bad, 0);
    assert_int_equal(n, KIDS * EACH);
}

typedef struct seen {
    int n;
    char tenants[8][48];
} seen;

static void collect(void *ud, const dl_audit_entry *e)
{
    seen *s = ud;
    if (s->n < 8)
        snprintf(s->tenants[s->n], sizeof s->tenants[0], "%s", e->tenant);
    s->n++;
}

static void test_read_filter_and_skip(void **state)
{
    char path[300];
    size_t skipped = 99;
    seen s;
    dl_err err;
    FILE *f;
    (void)state;

    file_in("read.jsonl", path, sizeof path);
    /* missing: no records, no error */
    memset(&s, 0, sizeof s);
    assert_int_equal(dl_audit_each(path, NULL, collect, &s, &skipped, &err), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(skipped, 0);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"time\":\"t1\",\"action\":\"provision\",\"tenant\":\"a\",\"result\":\"ok\"}\n"
          "not json at all\n"
          "\n"
          "{\"time\":\"t2\",\"action\":\"remove\",\"tenant\":\"b\",\"result\":\"error\",\"error\":\"x\"}\n"
          "{\"time\":\"t3\",\"action\":\"restart\",\"tenant\":\"a\",\"result\":\"ok\"}",   /* no newline */
          f);
    fclose(f);
    memset(&s, 0, sizeof s);
    assert_int_equal(dl_audit_each(path, NULL, collect, &s, &skipped, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(skipped, 1);
    assert_string_equal(s.tenants[0], "a");   /* file order: newest last */
    assert_string_equal(s.tenants[1], "b");
    assert_string_equal(s.tenants[2], "a");
    memset(&s, 0, sizeof s);
    assert_int_equal(dl_audit_each(path, "a", collect, &s, NULL, &err), 0);
    assert_int_equal(s.n, 2);
}

/* ---- labels ----------------------------------------------------------------------- */

static void test_labels(void **state)
{
    dk_kv *l = calloc(1, sizeof *l);
    size_t n = 1;
    dl_err err;
    (void)state;

    l[0].key = strdup("io.deeplens.backup");
    l[0].value = strdup("1");
    dl_audit_close();
    assert_int_equal(dl_audit_labels(&l, &n), 0);   /* not opened: nothing added */
    assert_int_equal(n, 1);
    setenv("SSH_CONNECTION", "192.0.2.7 1 2 3", 1);
    assert_int_equal(dl_audit_open("cli", "none", &err), 0);
    assert_int_equal(dl_audit_labels(&l, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(l[1].key, "io.deeplens.backup.changed_by");
    assert_non_null(strstr(l[1].value, "@192.0.2.7"));
    assert_string_equal(l[2].key, "io.deeplens.backup.changed_at");
    assert_int_equal(strlen(l[2].value), 20);
    dl_labels_free(l, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_record_and_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_and_args_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_appends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_filter_and_skip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
