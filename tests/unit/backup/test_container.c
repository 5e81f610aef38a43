/* test_container.c - the pgpass line (src/backup/container.c): every field
 * escaped as libpq reads it, IPv6 hosts included, and the line in the
 * container's files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../src/backup/internal.h"

static void spec_for(dl_spec *s, const char *host, int port, const char *user)
{
    dl_spec_defaults(s);
    snprintf(s->tenant, sizeof s->tenant, "acme");
    snprintf(s->nfs_path, sizeof s->nfs_path, "local:/srv/acme");
    snprintf(s->pg_host, sizeof s->pg_host, "%s", host);
    s->pg_port = port;
    snprintf(s->pg_user, sizeof s->pg_user, "%s", user);
}

/* libpq's reading of a pgpass line (passwordFromFile): fields split at ':'
 * not preceded by '\', then "\x" read as "x". Returns the field count. */
static int pgpass_split(const char *line, char f[5][300])
{
    int n = 0;
    size_t k = 0;
    for (const char *p = line; *p && *p != '\n'; p++) {
        if (*p == '\\' && p[1] && p[1] != '\n') {
            f[n][k++] = *++p;
        } else if (*p == ':' && n < 4) {
            f[n][k] = '\0';
            n++;
            k = 0;
        } else {
            f[n][k++] = *p;
        }
    }
    f[n][k] = '\0';
    return n + 1;
}

static void check_line(const char *host, int port, const char *user, const char *pw,
                       const char *want)
{
    dl_spec s;
    dl_err err;
    char line[1024], f[5][300], portstr[16];
    spec_for(&s, host, port, user);
    dl_err_clear(&err);
    if (dl_pgpass_line(&s, pw, line, sizeof line, &err) < 0)
        fail_msg("%s: %s", host, err.msg);
    assert_string_equal(line, want);
    /* and libpq reads back exactly what was given */
    assert_int_equal(pgpass_split(line, f), 5);
    snprintf(portstr, sizeof portstr, "%d", port);
    assert_string_equal(f[0], host);
    assert_string_equal(f[1], portstr);
    assert_string_equal(f[2], "*");
    assert_string_equal(f[3], user);
    assert_string_equal(f[4], pw);
}

static void test_pgpass_plain(void **state)
{
    (void)state;
    check_line("deeplens-postgres", 5432, "deeplens", "s3cret", "deeplens-postgres:5432:*:deeplens:s3cret\n");
}

static void test_pgpass_ipv6_host(void **state)
{
    (void)state;
    check_line("::1", 5432, "deeplens", "pw", "\\:\\:1:5432:*:deeplens:pw\n");
    check_line("fd00::5", 6543, "deeplens", "pw", "fd00\\:\\:5:6543:*:deeplens:pw\n");
    check_line("2001:db8::a:b", 5432, "u", "p", "2001\\:db8\\:\\:a\\:b:5432:*:u:p\n");
}

static void test_pgpass_escapes_every_field(void **state)
{
    (void)state;
    check_line("h", 5432, "us:er\\x", "a:b\\c::", "h:5432:*:us\\:er\\\\x:a\\:b\\\\c\\:\\:\n");
    check_line("10.0.0.5", 5432, "deeplens", "\\", "10.0.0.5:5432:*:deeplens:\\\\\n");
}

static void test_pgpass_refuses(void **state)
{
    dl_spec s;
    dl_err err;
    char line[1024], small[24], pw[600];
    (void)state;
    spec_for(&s, "fd00::5", 5432, "deeplens");
    assert_int_equal(dl_pgpass_line(&s, "one\ntwo", line, sizeof line, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "single line"));
    assert_int_equal(dl_pgpass_line(&s, "cr\rlf", line, sizeof line, &err), -1);
    /* escaping doubles ':' - the line must still fit, or fail, never be cut */
    assert_int_equal(dl_pgpass_line(&s, "pw", small, sizeof small, &err), -1);
    assert_non_null(strstr(err.msg, "too long"));
    memset(pw, ':', sizeof pw - 1);
    pw[sizeof pw - 1] = '\0';
    assert_int_equal(dl_pgpass_line(&s, pw, line, sizeof line, &err), -1);
    assert_non_null(strstr(err.msg, "invalid password: too long"));
}

/* the line reaches the container as /etc/deeplens/pgpass */
static void test_plan_holds_escaped_line(void **state)
{
    dl_spec s;
    dl_err err;
    dl_container_plan p;
    static const char want[] = "fd00\\:\\:5:5432:*:deeplens:pw\\:1\n";
    (void)state;
    spec_for(&s, "fd00::5", 5432, "deeplens");
    dl_err_clear(&err);
    if (dl_container_plan_build(&p, &s, "pw:1", &err) < 0)
        fail_msg("plan: %s", err.msg);
    int found = 0;
    for (size_t i = 0; i + sizeof want - 1 <= p.tar_len; i++)
        if (!memcmp(p.tar + i, want, sizeof want - 1))
            found = 1;
    assert_true(found);
    dl_container_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgpass_plain),
        cmocka_unit_test(test_pgpass_ipv6_host),
        cmocka_unit_test(test_pgpass_escapes_every_field),
        cmocka_unit_test(test_pgpass_refuses),
        cmocka_unit_test(test_plan_holds_escaped_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
