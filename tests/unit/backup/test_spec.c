/* test_spec.c - validators, defaults, names, volume options, labels and
 * shell quoting (src/backup/spec.c, src/backup/validate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deeplens/spec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A row of bad input: the value, how the message shows it (NULL: as is),
 * and a part of the reason. */
typedef struct bad_row {
    const char *in, *shown, *why;
} bad_row;

/* The message must name the field, quote the value and give the reason. */
static void check_msg(const char *field, const bad_row *r, int rc, const dl_err *err)
{
    char head[1200];
    if (rc != -1)
        fail_msg("%s '%s' accepted", field, r->in);
    if (err->kind != DL_EINVAL)
        fail_msg("%s '%s': kind %d", field, r->in, (int)err->kind);
    const char *shown = r->shown ? r->shown : r->in;
    if (strlen(shown) > 200) /* long values are shown cut, ending in "..." */
        snprintf(head, sizeof head, "invalid %s '%.200s", field, shown);
    else
        snprintf(head, sizeof head, "invalid %s '%s': ", field, shown);
    if (strncmp(err->msg, head, strlen(head)) != 0)
        fail_msg("%s '%s': message \"%s\" does not start with \"%s\"", field, r->in, err->msg, head);
    if (!strstr(err->msg + strlen(head), r->why))
        fail_msg("%s '%s': message \"%s\" lacks \"%s\"", field, r->in, err->msg, r->why);
    for (const char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            fail_msg("%s: raw control or non-ASCII byte in \"%s\"", field, err->msg);
}

static char *repeat(char ch, size_t n)
{
    static char bufs[16][2048];
    static int next;
    char *b = bufs[next++ % 16];
    assert_true(n < sizeof bufs[0]);
    memset(b, ch, n);
    b[n] = '\0';
    return b;
}

/* ---- tenant -------------------------------------------------------------- */

static void test_tenant(void **state)
{
    static const char *const good[] = {"acme", "vayyari", "a", "a1", "a_b", "a-b", "acme_",
                                       "a--b", "techsolutions"};
    const char *lower47 = repeat('a', 47), *lower48 = repeat('a', 48);
    const bad_row bad[] = {
        {"", NULL, "must not be empty"},
        {"Acme", NULL, "use lowercase letters, digits, '-' and '_'"},
        {"ACME", NULL, "use lowercase letters, digits, '-' and '_'"},
        {"ac me", NULL, "use lowercase letters"},
        {" acme", NULL, "use lowercase letters"},
        {"acme;rm -rf /", NULL, "use lowercase letters"},
        {"$(id)", NULL, "use lowercase letters"},
        {"`id`", NULL, "use lowercase letters"},
        {"a/b", NULL, "use lowercase letters"},
        {"..", NULL, "use lowercase letters"},
        {"../etc", NULL, "use lowercase letters"},
        {"a.b", NULL, "use lowercase letters"},
        {"acme\n", "acme\\n", "use lowercase letters"},
        {"ac\tme", "ac\\tme", "use lowercase letters"},
        {"ac\x1b[31mme", "ac\\x1b[31mme", "use lowercase letters"},
        {"acm\xc3\xa9", "acm\\xc3\\xa9", "use lowercase letters"},
        {"1acme", NULL, "must start with a letter"},
        {"-acme", NULL, "must start with a letter"},
        {"_acme", NULL, "must start with a letter"},
        {"acme-", NULL, "must not end with '-'"},
        {lower48, NULL,
         "at most 47 characters (the database name tenant_<name>_metadata must fit in 63)"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_tenant(good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    assert_int_equal(dl_validate_tenant(lower47, &err), 0);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("tenant name", &bad[i], dl_validate_tenant(bad[i].in, &err), &err);
    assert_int_equal(dl_validate_tenant(NULL, &err), -1);
    assert_int_equal(dl_validate_tenant("Acme", NULL), -1); /* err may be NULL */

    dl_validate_tenant("Acme", &err);
    assert_string_equal(err.msg, "invalid tenant name 'Acme': use lowercase letters, digits, '-' and '_'");
    dl_validate_tenant("1acme", &err);
    assert_string_equal(err.msg, "invalid tenant name '1acme': must start with a letter");
}

static void test_tenant_id(void **state)
{
    static const char *const good[] = {"", "T-123", "org:acme.1", "0f8e_ab"};
    const bad_row bad[] = {
        {"a b", NULL, "use letters, digits, '.', '_', ':' and '-'"},
        {"x;y", NULL, "use letters"},
        {"id\n", "id\\n", "use letters"},
        {"$(id)", NULL, "use letters"},
        {repeat('x', 129), NULL, "at most 128 characters"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_tenant_id(good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    assert_int_equal(dl_validate_tenant_id(repeat('x', 128), &err), 0);
    assert_int_equal(dl_validate_tenant_id(NULL, &err), 0);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("tenant id", &bad[i], dl_validate_tenant_id(bad[i].in, &err), &err);
}

/* ---- NFS ------------------------------------------------------------------ */

static void test_nfs_path_good(void **state)
{
    static const struct {
        const char *in;
        dl_target_kind kind;
        const char *server, *path;
    } rows[] = {
        {"nfs-server.company.com:/exports/vayyari/backups", DL_TARGET_NFS,
         "nfs-server.company.com", "/exports/vayyari/backups"},
        {"10.0.1.100:/mnt/backups/vayyari", DL_TARGET_NFS, "10.0.1.100", "/mnt/backups/vayyari"},
        {"nfs-server:/exports/vayyari/backups", DL_TARGET_NFS, "nfs-server", "/exports/vayyari/backups"},
        {"[fd00::10]:/export", DL_TARGET_NFS, "fd00::10", "/export"},
        {"NAS1:/", DL_TARGET_NFS, "NAS1", "/"},
        {"srv:/a/b.c/d_e-f~g+h@i%j/", DL_TARGET_NFS, "srv", "/a/b.c/d_e-f~g+h@i%j/"},
        {"srv:/a/..b/c..d/...", DL_TARGET_NFS, "srv", "/a/..b/c..d/..."},
        {"local:/srv/backups/acme", DL_TARGET_LOCAL, "", "/srv/backups/acme"},
    };
    (void)state;
    for (size_t i = 0; i < N(rows); i++) {
        dl_target t;
        dl_err err;
        memset(&t, 0x55, sizeof t);
        if (dl_validate_nfs_path(rows[i].in, &t, &err) != 0)
            fail_msg("'%s' rejected: %s", rows[i].in, err.msg);
        assert_int_equal(t.kind, rows[i].kind);
        assert_string_equal(t.server, rows[i].server);
        assert_string_equal(t.path, rows[i].path);
    }
    assert_int_equal(dl_validate_nfs_path("srv:/x", NULL, NULL), 0);
}

static void test_nfs_path_bad(void **state)
{
    char longpath[1100];
    snprintf(longpath, sizeof longpath, "srv:/%s", repeat('a', 1023));
    const bad_row bad[] = {
        {"", NULL, "expected server:/export/path"},
        {"server/export", NULL, "expected server:/export/path"},
        {"/exports/backups", NULL, "expected server:/export/path"},
        {"server:export", NULL, "path must be absolute"},
        {"server:./export", NULL, "path must be absolute"},
        {"server:", NULL, "missing export path"},
        {":/export", NULL, "missing server"},
        {"srv:/exp ort", NULL, "path must not contain spaces"},
        {"srv: /export", NULL, "path must be absolute"},
        {"srv:/a,b", NULL, "path must not contain ','"},
        {"srv:/a\nb", "srv:/a\\nb", "must not contain '\\n'"},
        {"srv:/a\rb", "srv:/a\\rb", "must not contain '\\r'"},
        {"srv:/a\x7f", "srv:/a\\x7f", "must not contain '\\x7f'"},
        {"srv:/x,addr=10.6.6.6", NULL, "a second addr= is not allowed"},
        {"srv:/x/addr=10.6.6.6", NULL, "a second addr= is not allowed"},
        {"srv:/a/../etc", NULL, "'..' components"},
        {"srv:/..", NULL, "'..' components"},
        {"srv:/a/..", NULL, "'..' components"},
        {"srv:/a'b", NULL, "path must not contain '''"},
        {"srv:/a\"b", NULL, "path must not contain '\"'"},
        {"srv:/a\\b", NULL, "path must not contain '\\'"},
        {"srv:/a`id`", NULL, "path must not contain '`'"},
        {"srv:/a$(id)", NULL, "path must not contain '$'"},
        {"srv:/a;b", NULL, "path must not contain ';'"},
        {"srv:/a:b", NULL, "path must not contain ':'"},
        {"srv:/a\xc3\xa9", "srv:/a\\xc3\\xa9", "must not contain '\\xc3'"},
        {"bad_host:/x", NULL, "expected a host name or IP address"},
        {"a b:/x", NULL, "expected a host name or IP address"},
        {"-srv:/x", NULL, "must not start or end with '-'"},
        {"srv-.example:/x", NULL, "must not start or end with '-'"},
        {"a..b:/x", NULL, "empty label"},
        {"srv.:/x", NULL, "empty label"},
        {"10.0.1.300:/x", NULL, "not a valid IPv4 address"},
        {"10.0.1:/x", NULL, "not a valid IPv4 address"},
        {"010.0.1.1:/x", NULL, "leading zero"},
        {"[fd00::1:/x", NULL, "missing ']'"},
        {"[fd00::1]/x", NULL, "expected [IPv6]:/export/path"},
        {"[nothost]:/x", NULL, "not a valid IPv6 address"},
        {"[1.2.3.4]:/x", NULL, "not a valid IPv6 address"},
        {"[fe80::1%eth0]:/x", NULL, "not a valid IPv6 address"},
        {"fd00::1:/x", NULL, "path must be absolute"},
        {"local:relative", NULL, "path must be absolute"},
        {"local:", NULL, "missing export path"},
        {"local:/a b", NULL, "spaces"},
        {"local:/a/../b", NULL, "'..' components"},
        {longpath, NULL, "path has at most 1023 characters"},
    };
    dl_err err;
    dl_target t;
    (void)state;
    for (size_t i = 0; i < N(bad); i++)
        check_msg("NFS path", &bad[i], dl_validate_nfs_path(bad[i].in, &t, &err), &err);
    longpath[strlen(longpath) - 1] = '\0'; /* 1022 after the slash: fits */
    assert_int_equal(dl_validate_nfs_path(longpath, &t, &err), 0);
}

static void test_nfs_options(void **state)
{
    static const char *const good[] = {
        "rw,sync,hard,intr",
        "rw,sync,nolock",
        "rw,vers=4",
        "rw,nfsvers=4.2,async",
        "nfsvers=4.1,proto=tcp,port=2049,timeo=600,retrans=2,rsize=1048576,wsize=1048576,sec=sys",
        "rw,noatime,nodiratime,relatime,actimeo=30,acregmin=3,acregmax=60,acdirmin=30,acdirmax=60",
        "soft,bg,tcp,nosuid,nodev,noexec,noac,lock,nointr,fg,ac,udp,retry=2,sec=krb5p,proto=udp6",
        "vers=3",
    };
    const bad_row bad[] = {
        {"", NULL, "must not be empty"},
        {"rw,,sync", NULL, "empty option"},
        {"rw,", NULL, "empty option"},
        {",rw", NULL, "empty option"},
        {"ro", NULL, "'ro' mounts read-only; backups need rw"},
        {"rw,ro", NULL, "backups need rw"},
        {"rw,addr=10.6.6.6", NULL, "a second addr= is not allowed"},
        {"addr=10.6.6.6", NULL, "a second addr= is not allowed"},
        {"rw,foo", NULL, "unknown option 'foo'"},
        {"rw,no_root_squash", NULL, "must not contain '_'"},
        {"rw,nfsvers", NULL, "option 'nfsvers' needs a value"},
        {"rw,vers=", NULL, "option 'vers' needs a value"},
        {"rw, sync", NULL, "must not contain spaces"},
        {"rw,sync\n", "rw,sync\\n", "must not contain '\\n'"},
        {"rw,sync\t", "rw,sync\\t", "must not contain '\\t'"},
        {"rw;reboot", NULL, "must not contain ';'"},
        {"rw,$(id)", NULL, "must not contain '$'"},
        {"RW", NULL, "must not contain 'R'"},
        {"vers=5", NULL, "vers must be 3, 4, 4.0, 4.1 or 4.2"},
        {"vers=4,nfsvers=3", NULL, "option 'vers' given twice"},
        {"port=1,port=2", NULL, "option 'port' given twice"},
        {"port=70000", NULL, "port must be a number, 0-65535"},
        {"timeo=0", NULL, "timeo must be a number, 1-6000"},
        {"rsize=abc", NULL, "rsize must be a number"},
        {"wsize=-1", NULL, "must not contain '-'"},
        {"retrans=99999999999999999999999", NULL, "retrans must be a number, 0-100"},
        {"rw=1", NULL, "option 'rw' takes no value"},
        {"proto=sctp", NULL, "proto must be tcp, udp, tcp6 or udp6"},
        {"sec=none", NULL, "sec must be sys, krb5, krb5i or krb5p"},
        {repeat('a', 241), NULL, "at most 240 characters"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_nfs_options(good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("NFS options", &bad[i], dl_validate_nfs_options(bad[i].in, &err), &err);
}

/* ---- schedule, numbers, ids ----------------------------------------------- */

static void test_schedule(void **state)
{
    static const char *const good[] = {"0 2 * * *", "0 */6 * * *", "0 2,14 * * *", "@daily",
                                       "0 3 * * 0"};
    const bad_row bad[] = {
        {"0 2 * *", NULL, "expected 5 fields"},
        {"0 2 * * * *", NULL, "expected 5 fields"},
        {"61 2 * * *", NULL, "minute must be 0-59"},
        {"0 25 * * *", NULL, "hour must be 0-23"},
        {"0 2 32 * *", NULL, "day of month must be 1-31"},
        {"0 2 * 13 *", NULL, "month must be 1-12"},
        {"0 2 * * 9", NULL, "day of week must be 0-7"},
        {"0 2 * * *\n* * * * * rm -rf /", "0 2 * * *\\n* * * * * rm -rf /", "single line"},
        {"@reboot", NULL, "@reboot"},
        {"@fortnightly", NULL, "unknown macro '@fortnightly'"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_schedule(good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("schedule", &bad[i], dl_validate_schedule(bad[i].in, &err), &err);
}

static void test_retention(void **state)
{
    static const struct {
        const char *in;
        int days;
    } good[] = {{"1", 1}, {"30", 30}, {"60", 60}, {"3650", 3650}, {"0030", 30}};
    const bad_row bad[] = {
        {"0", NULL, "must be 1-3650 days"},
        {"3651", NULL, "must be 1-3650 days"},
        {"99999999999999999999999999", NULL, "must be 1-3650 days"},
        {"-5", NULL, "must be a whole number of days, 1-3650"},
        {"+30", NULL, "whole number"},
        {"abc", NULL, "whole number"},
        {"30x", NULL, "whole number"},
        {" 30", NULL, "whole number"},
        {"30 ", NULL, "whole number"},
        {"3.5", NULL, "whole number"},
        {"1e3", NULL, "whole number"},
        {"30\n", "30\\n", "whole number"},
        {"", NULL, "must be 1-3650 days"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++) {
        int days = -1;
        if (dl_validate_retention(good[i].in, &days, &err) != 0)
            fail_msg("'%s' rejected: %s", good[i].in, err.msg);
        assert_int_equal(days, good[i].days);
    }
    for (size_t i = 0; i < N(bad); i++) {
        int days = 77;
        check_msg("retention", &bad[i], dl_validate_retention(bad[i].in, &days, &err), &err);
        assert_int_equal(days, 77);
    }
    dl_validate_retention("0", NULL, &err);
    assert_string_equal(err.msg, "invalid retention '0': must be 1-3650 days");
    assert_int_equal(dl_validate_retention(NULL, NULL, &err), -1);
}

static void test_uid_gid(void **state)
{
    static const struct {
        const char *in;
        unsigned uid, gid;
    } good[] = {{"999:999", 999, 999}, {"70:0", 70, 0}, {"70:70", 70, 70},
                {"2147483647:1", 2147483647u, 1}, {"3000000:3000000", 3000000, 3000000}};
    const bad_row bad[] = {
        {"postgres:999", NULL, "expected numeric uid:gid, e.g. 999:999"},
        {"999:postgres", NULL, "expected numeric uid:gid"},
        {"999", NULL, "expected numeric uid:gid"},
        {"-1:0", NULL, "expected numeric uid:gid"},
        {"999:", NULL, "expected numeric uid:gid"},
        {":999", NULL, "expected numeric uid:gid"},
        {"", NULL, "expected numeric uid:gid"},
        {"1:2:3", NULL, "expected numeric uid:gid"},
        {" 999:999", NULL, "expected numeric uid:gid"},
        {"999 :999", NULL, "expected numeric uid:gid"},
        {"2147483648:0", NULL, "uid must be at most 2147483647"},
        {"0:4294967296", NULL, "gid must be at most 2147483647"},
        {"0:99999999999999999999999", NULL, "gid must be at most 2147483647"},
        /* the grammar is fine, but the job refuses to run as root */
        {"0:0", NULL, "uid 0 is root, and the backup job never runs as root"},
        {"0:999", NULL, "uid 0 is root"},
        {"000:999", NULL, "uid 0 is root"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++) {
        unsigned uid = 1234, gid = 1234;
        if (dl_validate_uid_gid(good[i].in, &uid, &gid, &err) != 0)
            fail_msg("'%s' rejected: %s", good[i].in, err.msg);
        assert_int_equal(uid, good[i].uid);
        assert_int_equal(gid, good[i].gid);
    }
    for (size_t i = 0; i < N(bad); i++)
        check_msg("uid:gid", &bad[i], dl_validate_uid_gid(bad[i].in, NULL, NULL, &err), &err);
    /* the grammar alone (labels of an older version) still takes uid 0 */
    {
        unsigned uid = 1, gid = 1;
        assert_int_equal(dl_parse_uid_gid("0:0", &uid, &gid, &err), 0);
        assert_int_equal(uid, 0);
        assert_int_equal(gid, 0);
        assert_int_equal(dl_parse_uid_gid("0:x", &uid, &gid, &err), -1);
    }
}

/* dl_inert in any buffer size: escapes, the "..." cut, and never a byte
 * past n (n < 4 wrote the "..." and NUL past the end before) */
static void test_inert(void **state)
{
    char big[64];
    (void)state;
    assert_string_equal(dl_inert("a\x1b[2J\n\t\xc2\x9b", (size_t)-1, big, sizeof big),
                        "a\\x1b[2J\\n\\t\\xc2\\x9b");
    assert_string_equal(dl_inert("abcdef", 3, big, sizeof big), "abc");
    assert_string_equal(dl_inert("abcdefghijklmnop", (size_t)-1, big, 12), "abcd...");
    for (size_t n = 1; n <= 12; n++) {
        char *buf = malloc(n);  /* exact size: ASan sees any overrun */
        dl_inert("abcdefghijklmnopqrstuvwxyz", (size_t)-1, buf, n);
        assert_true(strlen(buf) < n);
        free(buf);
    }
}

static void test_number(void **state)
{
    long v = 0;
    dl_err err;
    const bad_row bad[] = {
        {"0", NULL, "must be 1-65535"},
        {"65536", NULL, "must be 1-65535"},
        {"54x", NULL, "must be a whole number, 1-65535"},
        {"", NULL, "must be 1-65535"},
    };
    (void)state;
    assert_int_equal(dl_validate_number("postgres port", "5432", 1, 65535, &v, &err), 0);
    assert_int_equal(v, 5432);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("postgres port", &bad[i],
                  dl_validate_number("postgres port", bad[i].in, 1, 65535, NULL, &err), &err);
}

/* ---- image --------------------------------------------------------------- */

static void test_image(void **state)
{
    char digest[200], longtag[200];
    snprintf(digest, sizeof digest, "postgres:16@sha256:%s", repeat('a', 64));
    snprintf(longtag, sizeof longtag, "postgres:%s", repeat('t', 129));
    const char *const good[] = {
        "postgres:16-alpine",
        "postgres",
        "postgres:16",
        "library/postgres:16",
        "docker.io/library/postgres:16.2-bookworm",
        "registry.example.com:5000/team/pg-backup:v1.2_3",
        "localhost:5000/pg",
        "localhost/pg",
        "Registry.Example.com/pg",
        "localhost:5000",
        "my__image",
        "a--b.c_d",
        "ghcr.io/owner/pg:_x",
        digest,
    };
    const bad_row bad[] = {
        {"", NULL, "must not be empty"},
        {"Postgres:16", NULL, "repository name must be lowercase"},
        {"library/Postgres", NULL, "repository name must be lowercase"},
        {"postgres:", NULL, "tag must be 1-128 characters"},
        {longtag, NULL, "tag must be 1-128 characters"},
        {"postgres:-x", NULL, "tag must start with a letter, digit or '_'"},
        {"postgres:1;id", NULL, "tag may hold"},
        {"postgres:16 alpine", NULL, "must not contain ' '"},
        {"postgres:16\n", "postgres:16\\n", "must not contain '\\n'"},
        {"postgres@sha256:abc", NULL, "digest must be sha256: and 64 hex digits"},
        {"postgres@md5:0123", NULL, "digest must be"},
        {"-postgres", NULL, "repository path components"},
        {"postgres/", NULL, "repository path components"},
        {"/postgres", NULL, "repository path components"},
        {"postgres//x", NULL, "repository path components"},
        {"post..gres", NULL, "repository path components"},
        {"post___gres", NULL, "repository path components"},
        {"pg$(id)", NULL, "repository path components"},
        {"registry:99999/pg", NULL, "registry 'registry:99999' is not a valid host[:port]"},
        {"-reg.io/pg", NULL, "is not a valid host"},
        {"reg..io/pg", NULL, "is not a valid host"},
        {":16", NULL, "missing repository name"},
        {repeat('a', 256), NULL, "at most 255 characters"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_image(good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("image", &bad[i], dl_validate_image(bad[i].in, &err), &err);
}

/* ---- names and hosts ------------------------------------------------------ */

static void test_database_user_network_prefix(void **state)
{
    dl_err err;
    const bad_row bad_db[] = {
        {"", NULL, "must not be empty"},
        {"1db", NULL, "must start with a letter or '_'"},
        {"-db", NULL, "must start with a letter or '_'"},
        {"db;drop", NULL, "use letters, digits, '_' and '-'"},
        {"db name", NULL, "use letters"},
        {"db\"x", NULL, "use letters"},
        {repeat('d', 64), NULL, "at most 63 characters"},
    };
    const bad_row bad_user[] = {
        {"", NULL, "must not be empty"},
        {"user@x", NULL, "use letters"},
        {"1user", NULL, "must start with a letter or '_'"},
        {repeat('u', 64), NULL, "at most 63 characters"},
    };
    const bad_row bad_net[] = {
        {"", NULL, "must not be empty"},
        {"-net", NULL, "must start with a letter or digit"},
        {".net", NULL, "must start with a letter or digit"},
        {"net work", NULL, "use letters, digits, '_', '.' and '-'"},
        {"net/x", NULL, "use letters"},
        {repeat('n', 65), NULL, "at most 64 characters"},
    };
    const bad_row bad_prefix[] = {
        {"", NULL, "must not be empty"},
        {"-x", NULL, "must start with a letter or digit"},
        {"a/b", NULL, "use letters"},
        {repeat('p', 64), NULL, "at most 63 characters"},
    };
    (void)state;
    assert_int_equal(dl_validate_database("tenant_acme_metadata", &err), 0);
    assert_int_equal(dl_validate_database("_x", &err), 0);
    assert_int_equal(dl_validate_database("A-b", &err), 0);
    assert_int_equal(dl_validate_database(repeat('d', 63), &err), 0);
    assert_int_equal(dl_validate_pg_user("deeplens", &err), 0);
    assert_int_equal(dl_validate_pg_user("_pg-User1", &err), 0);
    assert_int_equal(dl_validate_network("deeplens-network", &err), 0);
    assert_int_equal(dl_validate_network("0net.1_x", &err), 0);
    assert_int_equal(dl_validate_network(repeat('n', 64), &err), 0);
    assert_int_equal(dl_validate_prefix("deeplens-backup-", &err), 0);
    for (size_t i = 0; i < N(bad_db); i++)
        check_msg("database name", &bad_db[i], dl_validate_database(bad_db[i].in, &err), &err);
    for (size_t i = 0; i < N(bad_user); i++)
        check_msg("postgres user", &bad_user[i], dl_validate_pg_user(bad_user[i].in, &err), &err);
    for (size_t i = 0; i < N(bad_net); i++)
        check_msg("network name", &bad_net[i], dl_validate_network(bad_net[i].in, &err), &err);
    for (size_t i = 0; i < N(bad_prefix); i++)
        check_msg("container name prefix", &bad_prefix[i], dl_validate_prefix(bad_prefix[i].in, &err),
                  &err);
}

static void test_host(void **state)
{
    static const char *const good[] = {"deeplens-postgres", "db.example.com", "10.0.0.5", "::1",
                                       "fd00::5", "pg_1", "localhost", "DB1.Example.COM"};
    char label64[80];
    snprintf(label64, sizeof label64, "%s.com", repeat('h', 64));
    const bad_row bad[] = {
        {"", NULL, "missing host name"},
        {"a b", NULL, "expected a host name or IP address"},
        {"host;rm", NULL, "expected a host name or IP address"},
        {"-x", NULL, "must not start or end with '-'"},
        {"x-", NULL, "must not start or end with '-'"},
        {"10.0.0.256", NULL, "not a valid IPv4 address"},
        {"1234", NULL, "not a valid IPv4 address"},
        {"a..b", NULL, "empty label"},
        {"[::1]", NULL, "not a valid IPv6 address"},
        {"fd00::g", NULL, "not a valid IPv6 address"},
        {"pg\n", "pg\\n", "expected a host name"},
        {label64, NULL, "at most 63 characters"},
    };
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_host("postgres host", good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("postgres host", &bad[i], dl_validate_host("postgres host", bad[i].in, &err), &err);
    assert_int_equal(dl_validate_host(NULL, "a b", &err), -1);
    assert_non_null(strstr(err.msg, "invalid host 'a b'"));
}

/* ---- spec: defaults, names, volume --------------------------------------- */

static void make_spec(dl_spec *s, const char *tenant, const char *path)
{
    dl_err err;
    dl_spec_defaults(s);
    snprintf(s->tenant, sizeof s->tenant, "%s", tenant);
    snprintf(s->nfs_path, sizeof s->nfs_path, "%s", path);
    if (dl_validate_nfs_path(s->nfs_path, &s->target, &err) != 0)
        fail_msg("%s", err.msg);
}

static void test_defaults_and_names(void **state)
{
    dl_spec s;
    dl_err err;
    char buf[128];
    (void)state;
    memset(&s, 0x5a, sizeof s);
    dl_spec_defaults(&s);
    assert_string_equal(s.tenant, "");
    assert_string_equal(s.tenant_id, "");
    assert_string_equal(s.nfs_path, "");
    assert_string_equal(s.nfs_options, "rw,sync,hard,intr");
    assert_string_equal(s.schedule, "0 2 * * *");
    assert_int_equal(s.retention_days, 30);
    assert_int_equal(s.keep_min, 3);
    assert_int_equal(s.compression, 1);
    assert_string_equal(s.image, "postgres:16-alpine");
    assert_int_equal(s.uid, 999);
    assert_int_equal(s.gid, 999);
    assert_string_equal(s.database, "");
    assert_string_equal(s.pg_host, "deeplens-postgres");
    assert_int_equal(s.pg_port, 5432);
    assert_string_equal(s.pg_user, "deeplens");
    assert_string_equal(s.network, "deeplens-network");
    assert_string_equal(s.prefix, "deeplens-backup-");
    /* defaults alone lack a tenant: the first failure is the tenant */
    assert_int_equal(dl_spec_validate(&s, &err), -1);
    assert_string_equal(err.msg, "invalid tenant name '': must not be empty");

    make_spec(&s, "vayyari", "nfs-server.company.com:/exports/vayyari/backups");
    assert_int_equal(dl_spec_validate(&s, &err), 0);
    assert_string_equal(dl_spec_container_name(&s, buf, sizeof buf), "deeplens-backup-vayyari");
    assert_string_equal(dl_spec_volume_name(&s, buf, sizeof buf), "tenant_vayyari_pgbackup");
    assert_string_equal(dl_spec_database(&s, buf, sizeof buf), "tenant_vayyari_metadata");
    snprintf(s.database, sizeof s.database, "legacy_db");
    assert_string_equal(dl_spec_database(&s, buf, sizeof buf), "legacy_db");

    /* the longest tenant still gives a 63-byte database name */
    make_spec(&s, repeat('t', 47), "local:/x");
    assert_int_equal(strlen(dl_spec_database(&s, buf, sizeof buf)), 63);
    assert_int_equal(strlen(dl_spec_volume_name(&s, buf, sizeof buf)), 63);
}

static void test_spec_validate_first_failure(void **state)
{
    static const struct {
        const char *field;  /* what to break */
        const char *want;   /* message start */
    } rows[] = {
        {"tenant_id", "invalid tenant id 'a b'"},
        {"nfs_path", "invalid NFS path 'a b'"},
        {"nfs_options", "invalid NFS options 'a b'"},
        {"schedule", "invalid schedule 'a b'"},
        {"retention", "invalid retention '0'"},
        {"keep_min", "invalid keep minimum '0'"},
        {"compression", "invalid compression '3'"},
        {"format", "invalid format 'a b'"},
        {"zstd_level", "invalid zstd level '20'"},
        {"custom_zstd", "invalid compression 'zstd' with format 'custom'"},
        {"image", "invalid image 'a b'"},
        {"uid", "invalid uid:gid '2147483648:999'"},
        {"database", "invalid database name 'a b'"},
        {"pg_host", "invalid postgres host 'a b'"},
        {"pg_port", "invalid postgres port '0'"},
        {"pg_user", "invalid postgres user 'a b'"},
        {"network", "invalid network name 'a b'"},
        {"prefix", "invalid container name prefix 'a b'"},
    };
    (void)state;
    for (size_t i = 0; i < N(rows); i++) {
        dl_spec s;
        dl_err err;
        const char *f = rows[i].field;
        make_spec(&s, "acme", "local:/srv/acme");
#define BREAK_STR(name) if (!strcmp(f, #name)) snprintf(s.name, sizeof s.name, "a b")
        BREAK_STR(tenant_id);
        BREAK_STR(nfs_path);
        BREAK_STR(nfs_options);
        BREAK_STR(schedule);
        BREAK_STR(image);
        BREAK_STR(database);
        BREAK_STR(pg_host);
        BREAK_STR(pg_user);
        BREAK_STR(network);
        BREAK_STR(prefix);
        BREAK_STR(format);
#undef BREAK_STR
        if (!strcmp(f, "zstd_level"))
            s.zstd_level = 20;
        if (!strcmp(f, "custom_zstd")) {
            snprintf(s.format, sizeof s.format, "custom");
            s.compression = DL_COMP_ZSTD;
        }
        if (!strcmp(f, "retention"))
            s.retention_days = 0;
        if (!strcmp(f, "keep_min"))
            s.keep_min = 0;
        if (!strcmp(f, "compression"))
            s.compression = 3;
        if (!strcmp(f, "uid"))
            s.uid = 2147483648u;
        if (!strcmp(f, "pg_port"))
            s.pg_port = 0;
        assert_int_equal(dl_spec_validate(&s, &err), -1);
        if (strncmp(err.msg, rows[i].want, strlen(rows[i].want)) != 0)
            fail_msg("%s: got \"%s\", want \"%s...\"", f, err.msg, rows[i].want);
    }
}

static void test_volume_opts(void **state)
{
    static const struct {
        const char *path, *opts, *type, *o, *device;
    } rows[] = {
        {"nfs-server.company.com:/exports/vayyari/backups", "rw,sync,hard,intr", "nfs",
         "addr=nfs-server.company.com,rw,sync,hard,intr", ":/exports/vayyari/backups"},
        {"10.0.0.10:/export/path", "rw,vers=4,async", "nfs", "addr=10.0.0.10,rw,nfsvers=4,async",
         ":/export/path"},
        {"10.0.0.10:/export/path", "vers=4.1", "nfs", "addr=10.0.0.10,nfsvers=4.1", ":/export/path"},
        {"10.0.0.10:/export/path", "rw,nfsvers=4.2", "nfs", "addr=10.0.0.10,rw,nfsvers=4.2",
         ":/export/path"},
        {"[fd00::10]:/export", "rw", "nfs", "addr=fd00::10,rw", ":/export"},
        {"local:/srv/backups/acme", "rw,sync,hard,intr", "none", "bind", "/srv/backups/acme"},
    };
    (void)state;
    for (size_t i = 0; i < N(rows); i++) {
        dl_spec s;
        dl_volume_opts v;
        make_spec(&s, "acme", rows[i].path);
        snprintf(s.nfs_options, sizeof s.nfs_options, "%s", rows[i].opts);
        assert_int_equal(dl_spec_volume_opts(&s, &v), 3);
        assert_string_equal(v.kv[0].key, "type");
        assert_string_equal(v.kv[0].value, rows[i].type);
        assert_string_equal(v.kv[1].key, "o");
        assert_string_equal(v.kv[1].value, rows[i].o);
        assert_string_equal(v.kv[2].key, "device");
        assert_string_equal(v.kv[2].value, rows[i].device);
        assert_ptr_equal(v.kv[1].value, v.o);
    }
    {
        dl_spec s;
        dl_volume_opts v;
        make_spec(&s, "acme", "srv:/x");
        snprintf(s.nfs_path, sizeof s.nfs_path, "srv:/x,addr=10.6.6.6");
        assert_int_equal(dl_spec_volume_opts(&s, &v), -1);
        make_spec(&s, "acme", "srv:/x");
        snprintf(s.nfs_options, sizeof s.nfs_options, "rw,addr=10.6.6.6");
        assert_int_equal(dl_spec_volume_opts(&s, &v), -1);
        /* the longest server and options still fit */
        char path[300];
        snprintf(path, sizeof path, "%s.%s.%s.%s:/x", repeat('a', 63), repeat('b', 63),
                 repeat('c', 63), repeat('d', 61));
        make_spec(&s, "acme", path);
        char opts[241];
        snprintf(opts, sizeof opts, "vers=4");
        while (strlen(opts) + 5 <= 240)
            strcat(opts, ",sync");
        snprintf(s.nfs_options, sizeof s.nfs_options, "%s", opts);
        assert_int_equal(dl_validate_nfs_options(s.nfs_options, NULL), 0);
        assert_int_equal(dl_spec_volume_opts(&s, &v), 3);
        assert_int_equal(strlen(v.o), 5 + 253 + 1 + strlen(opts) + 3);
    }
}

/* ---- labels -------------------------------------------------------------- */

static void assert_spec_equal(const dl_spec *a, const dl_spec *b)
{
    assert_string_equal(a->drill_schedule, b->drill_schedule);
    assert_int_equal(a->drill_window_days, b->drill_window_days);
    assert_string_equal(a->tenant, b->tenant);
    assert_string_equal(a->tenant_id, b->tenant_id);
    assert_string_equal(a->nfs_path, b->nfs_path);
    assert_int_equal(a->target.kind, b->target.kind);
    assert_string_equal(a->target.server, b->target.server);
    assert_string_equal(a->target.path, b->target.path);
    assert_string_equal(a->nfs_options, b->nfs_options);
    assert_string_equal(a->schedule, b->schedule);
    assert_int_equal(a->retention_days, b->retention_days);
    assert_int_equal(a->keep_min, b->keep_min);
    assert_int_equal(a->compression, b->compression);
    assert_string_equal(a->image, b->image);
    assert_int_equal(a->uid, b->uid);
    assert_int_equal(a->gid, b->gid);
    assert_string_equal(a->database, b->database);
    assert_string_equal(a->pg_host, b->pg_host);
    assert_int_equal(a->pg_port, b->pg_port);
    assert_string_equal(a->pg_user, b->pg_user);
    assert_string_equal(a->network, b->network);
    assert_string_equal(a->prefix, b->prefix);
    assert_int_equal(a->size_min_percent, b->size_min_percent);
    assert_int_equal(a->size_max_factor, b->size_max_factor);
    assert_int_equal(a->size_window, b->size_window);
    assert_int_equal(a->size_floor, b->size_floor);
    assert_int_equal(a->run_timeout, b->run_timeout);
}

static const char *label(const dk_kv *l, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(l[i].key, key))
            return l[i].value;
    return NULL;
}

static void odd_spec(dl_spec *s)
{
    make_spec(s, "vayyari", "[fd00::10]:/exports/vayyari/backups");
    snprintf(s->tenant_id, sizeof s->tenant_id, "org:42.a");
    snprintf(s->nfs_options, sizeof s->nfs_options, "rw,nolock,vers=4.1");
    snprintf(s->schedule, sizeof s->schedule, "0 */12 * * *");
    s->retention_days = 60;
    s->keep_min = 7;
    s->compression = 0;
    snprintf(s->image, sizeof s->image, "registry.example.com:5000/pg:16");
    s->uid = 70;
    s->gid = 71;
    snprintf(s->database, sizeof s->database, "legacy_db");
    snprintf(s->pg_host, sizeof s->pg_host, "10.1.2.3");
    s->pg_port = 6543;
    snprintf(s->pg_user, sizeof s->pg_user, "backup_user");
    snprintf(s->network, sizeof s->network, "other-net");
    snprintf(s->prefix, sizeof s->prefix, "bk-");
    s->size_min_percent = 20;
    s->size_max_factor = 10;
    s->size_window = 3;
    s->size_floor = 4096;
    s->run_timeout = 900;
    snprintf(s->drill_schedule, sizeof s->drill_schedule, "30 3 * * 0");
    s->drill_window_days = 5;
}

/* the size rule and the run timeout: by label name, each value in range */
static void test_spec_set_proof(void **state)
{
    static const struct {
        const char *label, *text, *msg;
    } bad[] = {
        {"size_min_percent", "0", "invalid size minimum percent '0': must be 1-99"},
        {"size_min_percent", "100", "invalid size minimum percent '100': must be 1-99"},
        {"size_max_factor", "1", "invalid size maximum factor '1': must be 2-1000"},
        {"size_window", "101", "invalid size window '101': must be 1-100"},
        {"size_floor", "-1", "invalid size floor '-1': must be a whole number, 0-2147483647"},
        {"run_timeout", "3", "invalid run timeout '3': must be auto or 5-604800 seconds"},
        {"run_timeout", "soon", "invalid run timeout 'soon': must be a whole number of seconds, 0-604800"},
        {"keep_min", "3", "unknown setting 'keep_min'"},
    };
    dl_spec s;
    dl_err err;
    (void)state;
    dl_spec_defaults(&s);
    assert_int_equal(s.size_min_percent, 50);
    assert_int_equal(s.size_max_factor, 3);
    assert_int_equal(s.size_window, 7);
    assert_int_equal(s.size_floor, 0);
    assert_int_equal(s.run_timeout, 0);
    assert_int_equal(dl_spec_set(&s, "size_min_percent", "20", &err), 0);
    assert_int_equal(dl_spec_set(&s, "size_max_factor", "5", &err), 0);
    assert_int_equal(dl_spec_set(&s, "size_window", "2", &err), 0);
    assert_int_equal(dl_spec_set(&s, "size_floor", "1000", &err), 0);
    assert_int_equal(dl_spec_set(&s, "run_timeout", "60", &err), 0);
    assert_int_equal(s.size_min_percent, 20);
    assert_int_equal(s.size_max_factor, 5);
    assert_int_equal(s.size_window, 2);
    assert_int_equal(s.size_floor, 1000);
    assert_int_equal(s.run_timeout, 60);
    assert_int_equal(dl_spec_set(&s, "run_timeout", "auto", &err), 0);
    assert_int_equal(s.run_timeout, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dl_spec t = s;
        assert_int_equal(dl_spec_set(&t, bad[i].label, bad[i].text, &err), -1);
        assert_int_equal(err.kind, DL_EINVAL);
        assert_string_equal(err.msg, bad[i].msg);
        assert_int_equal(t.size_min_percent, s.size_min_percent);
    }
}

static void test_webhook(void **state)
{
    static const char *const good[] = {"", "http://hooks.example/x", "https://hooks.example:8443/a/b?c=d&e=%20",
                                       "http://10.0.0.9:8080/", "https://[fd00::5]:443/hook",
                                       "http://deeplens_hook/cgi-bin/hook"};
    const bad_row bad[] = {
        {"ftp://hooks.example/x", NULL, "expected http://HOST"},
        {"hooks.example/x", NULL, "expected http://HOST"},
        {"http:///x", NULL, "missing host name"},
        {"http://hooks.example:0/x", NULL, "port must be 1-65535"},
        {"http://hooks.example:http/x", NULL, "port must be 1-65535"},
        {"http://hooks example/x", NULL, "character ' ' is not allowed"},
        {"http://hooks.example/x\ny", "http://hooks.example/x\\ny", "is not allowed"},
        {"http://hooks.example/'x'", NULL, "is not allowed"},
        {"https://[fd00::5/x", NULL, "closing ']'"},
    };
    const bad_row formats[] = {{"xml", NULL, "expected json or slack"}, {"", NULL, "expected json"}};
    const bad_row events[] = {{"failure,oops", NULL, "unknown event 'oops'"},
                              {"", NULL, "expected one or more"},
                              {"failure,", NULL, "ends with ','"}};
    dl_err err;
    (void)state;
    for (size_t i = 0; i < N(good); i++)
        if (dl_validate_webhook_url(good[i], &err) != 0)
            fail_msg("'%s' rejected: %s", good[i], err.msg);
    for (size_t i = 0; i < N(bad); i++)
        check_msg("webhook URL", &bad[i], dl_validate_webhook_url(bad[i].in, &err), &err);
    /* credentials: refused, pointing to the secret file, never repeated */
    assert_int_equal(dl_validate_webhook_url("https://bob:hunter2@hooks.example/x", &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "--webhook-secret-file"));
    assert_null(strstr(err.msg, "hunter2"));
    assert_int_equal(dl_validate_webhook_url("http://tok@hooks.example/x", &err), -1);
    /* an '@' in the path is no credential */
    assert_int_equal(dl_validate_webhook_url("http://hooks.example/a@b", &err), 0);
    assert_int_equal(dl_validate_webhook_format("json", &err), 0);
    assert_int_equal(dl_validate_webhook_format("slack", &err), 0);
    for (size_t i = 0; i < N(formats); i++)
        check_msg("webhook format", &formats[i], dl_validate_webhook_format(formats[i].in, &err), &err);
    assert_int_equal(dl_validate_webhook_events(DL_WEBHOOK_EVENTS, &err), 0);
    assert_int_equal(dl_validate_webhook_events("overdue", &err), 0);
    for (size_t i = 0; i < N(events); i++)
        check_msg("webhook events", &events[i], dl_validate_webhook_events(events[i].in, &err), &err);
}

static void test_labels_round_trip(void **state)
{
    dl_spec a, b, d;
    dk_kv *l = NULL;
    size_t n = 0;
    dl_err err;
    (void)state;

    odd_spec(&a);
    assert_int_equal(dl_spec_to_labels(&a, &l, &n, &err), 0);
    assert_int_equal(n, 31);
    assert_string_equal(label(l, n, "io.deeplens.backup"), "1");
    assert_string_equal(label(l, n, "io.deeplens.backup.webhook_url"), "");
    assert_string_equal(label(l, n, "io.deeplens.backup.webhook_format"), "json");
    assert_string_equal(label(l, n, "io.deeplens.backup.webhook_events"), DL_WEBHOOK_EVENTS);
    assert_string_equal(label(l, n, "io.deeplens.backup.webhook_signed"), "0");
    assert_string_equal(label(l, n, "io.deeplens.backup.version"), "1");
    assert_string_equal(label(l, n, "io.deeplens.backup.tenant"), "vayyari");
    assert_string_equal(label(l, n, "io.deeplens.backup.tenant_id"), "org:42.a");
    assert_string_equal(label(l, n, "io.deeplens.backup.nfs_path"),
                        "[fd00::10]:/exports/vayyari/backups");
    assert_string_equal(label(l, n, "io.deeplens.backup.nfs_options"), "rw,nolock,vers=4.1");
    assert_string_equal(label(l, n, "io.deeplens.backup.schedule"), "0 */12 * * *");
    assert_string_equal(label(l, n, "io.deeplens.backup.retention_days"), "60");
    assert_string_equal(label(l, n, "io.deeplens.backup.keep_min"), "7");
    assert_string_equal(label(l, n, "io.deeplens.backup.compression"), "0");
    assert_string_equal(label(l, n, "io.deeplens.backup.image"), "registry.example.com:5000/pg:16");
    assert_string_equal(label(l, n, "io.deeplens.backup.uid_gid"), "70:71");
    assert_string_equal(label(l, n, "io.deeplens.backup.database"), "legacy_db");
    assert_string_equal(label(l, n, "io.deeplens.backup.pg_host"), "10.1.2.3");
    assert_string_equal(label(l, n, "io.deeplens.backup.pg_port"), "6543");
    assert_string_equal(label(l, n, "io.deeplens.backup.pg_user"), "backup_user");
    assert_string_equal(label(l, n, "io.deeplens.backup.network"), "other-net");
    assert_string_equal(label(l, n, "io.deeplens.backup.prefix"), "bk-");
    assert_string_equal(label(l, n, "io.deeplens.backup.size_min_percent"), "20");
    assert_string_equal(label(l, n, "io.deeplens.backup.size_max_factor"), "10");
    assert_string_equal(label(l, n, "io.deeplens.backup.size_window"), "3");
    assert_string_equal(label(l, n, "io.deeplens.backup.size_floor"), "4096");
    assert_string_equal(label(l, n, "io.deeplens.backup.run_timeout"), "900");
    assert_string_equal(label(l, n, "io.deeplens.backup.drill_schedule"), "30 3 * * 0");
    assert_string_equal(label(l, n, "io.deeplens.backup.drill_window_days"), "5");

    memset(&b, 0x33, sizeof b);
    assert_int_equal(dl_spec_from_labels(&b, l, n, &err), 0);
    assert_spec_equal(&a, &b);
    dl_labels_free(l, n);

    /* defaults survive too */
    make_spec(&d, "acme", "local:/srv/acme");
    assert_int_equal(dl_spec_to_labels(&d, &l, &n, &err), 0);
    assert_string_equal(label(l, n, "io.deeplens.backup.database"), "");
    assert_int_equal(dl_spec_from_labels(&b, l, n, &err), 0);
    assert_spec_equal(&d, &b);
    dl_labels_free(l, n);
    dl_labels_free(NULL, 0);
}

static void test_labels_foreign_and_missing(void **state)
{
    dk_kv l[] = {
        {(char *)"com.docker.compose.project", (char *)"x y\n"},
        {(char *)"io.deeplens.backup.nfs_path", (char *)"srv:/x"},
        {(char *)"io.deeplens.backup.future_field", (char *)"whatever"},
        {(char *)"io.deeplens.backup.tenant", (char *)"acme"},
    };
    dl_spec s, want;
    dl_err err;
    (void)state;
    /* unknown labels are ignored, missing ones keep their defaults */
    assert_int_equal(dl_spec_from_labels(&s, l, N(l), &err), 0);
    make_spec(&want, "acme", "srv:/x");
    assert_spec_equal(&s, &want);

    /* tenant and path have no default */
    assert_int_equal(dl_spec_from_labels(&s, l, 3, &err), -1);
    assert_string_equal(err.msg, "missing label 'io.deeplens.backup.tenant'");
    assert_int_equal(dl_spec_from_labels(&s, l + 2, 2, &err), -1);
    assert_string_equal(err.msg, "missing label 'io.deeplens.backup.nfs_path'");
    assert_int_equal(dl_spec_from_labels(&s, NULL, 0, &err), -1);

    /* a tenant an older version provisioned as 0:0 can still be read
     * (shown, removed); validating it names the field */
    {
        dk_kv root[] = {
            {(char *)"io.deeplens.backup.tenant", (char *)"acme"},
            {(char *)"io.deeplens.backup.nfs_path", (char *)"srv:/x"},
            {(char *)"io.deeplens.backup.uid_gid", (char *)"0:0"},
        };
        assert_int_equal(dl_spec_from_labels(&s, root, N(root), &err), 0);
        assert_int_equal(s.uid, 0);
        assert_int_equal(dl_spec_validate(&s, &err), -1);
        assert_non_null(strstr(err.msg, "invalid uid:gid '0:0': uid 0 is root"));
    }
}

static void test_labels_tampered(void **state)
{
    static const struct {
        const char *key, *value, *want;
    } rows[] = {
        {"tenant", "Acme", "label 'io.deeplens.backup.tenant': invalid tenant name 'Acme': "},
        {"tenant", "acme;reboot", "invalid tenant name 'acme;reboot'"},
        {"nfs_path", "srv:/x,addr=10.6.6.6", "invalid NFS path 'srv:/x,addr=10.6.6.6'"},
        {"nfs_options", "rw,addr=10.6.6.6", "a second addr= is not allowed"},
        {"schedule", "0 2 * * *\n* * * * * rm -rf /",
         "label 'io.deeplens.backup.schedule': invalid schedule '0 2 * * *\\n* * * * * rm -rf /': "},
        {"retention_days", "0",
         "label 'io.deeplens.backup.retention_days': invalid retention '0': must be 1-3650 days"},
        {"retention_days", "30x", "invalid retention '30x'"},
        {"keep_min", "-1", "invalid keep minimum '-1'"},
        {"compression", "yes", "invalid compression 'yes'"},
        {"compression", "3", "invalid compression '3'"},
        {"format", "tar", "invalid format 'tar'"},
        {"zstd_level", "0", "invalid zstd level '0'"},
        {"zstd_level", "22", "invalid zstd level '22'"},
        {"image", "evil image", "invalid image 'evil image'"},
        {"uid_gid", "postgres:999", "invalid uid:gid 'postgres:999'"},
        {"database", "x;drop", "invalid database name 'x;drop'"},
        {"pg_host", "a b", "invalid postgres host 'a b'"},
        {"pg_port", "99999", "invalid postgres port '99999'"},
        {"pg_user", "$(id)", "invalid postgres user '$(id)'"},
        {"network", "net work", "invalid network name 'net work'"},
        {"prefix", "../", "invalid container name prefix '../'"},
        {"version", "2", "labels format version 2 is newer than this program reads (1)"},
        {"version", "one", "label 'io.deeplens.backup.version': invalid labels format version 'one'"},
        {"tenant_id", "a b", "invalid tenant id 'a b'"},
    };
    (void)state;
    for (size_t i = 0; i < N(rows); i++) {
        dl_spec a, b;
        dk_kv *l = NULL;
        size_t n = 0;
        dl_err err;
        char key[128];
        odd_spec(&a);
        assert_int_equal(dl_spec_to_labels(&a, &l, &n, &err), 0);
        snprintf(key, sizeof key, "io.deeplens.backup.%s", rows[i].key);
        for (size_t k = 0; k < n; k++) {
            if (!strcmp(l[k].key, key)) {
                free(l[k].value);
                l[k].value = strdup(rows[i].value);
                assert_non_null(l[k].value);
            }
        }
        dl_err_clear(&err);
        if (dl_spec_from_labels(&b, l, n, &err) != -1)
            fail_msg("%s=%s accepted", key, rows[i].value);
        if (!strstr(err.msg, rows[i].want))
            fail_msg("%s: message \"%s\" lacks \"%s\"", key, err.msg, rows[i].want);
        assert_null(strchr(err.msg, '\n'));
        dl_labels_free(l, n);
    }
}

static void test_labels_too_long_and_invalid_spec(void **state)
{
    dl_spec s;
    dk_kv dummy;
    dk_kv *l = &dummy;
    size_t n = 99;
    dl_err err;
    dk_kv bad[] = {
        {(char *)"io.deeplens.backup.tenant", NULL},
        {(char *)"io.deeplens.backup.nfs_path", (char *)"srv:/x"},
    };
    (void)state;
    bad[0].value = repeat('a', 300);
    assert_int_equal(dl_spec_from_labels(&s, bad, N(bad), &err), -1);
    assert_string_equal(err.msg,
                        "label 'io.deeplens.backup.tenant': value is too long (at most 47 characters)");

    /* an invalid spec never becomes labels */
    make_spec(&s, "acme", "srv:/x");
    s.retention_days = 0;
    assert_int_equal(dl_spec_to_labels(&s, &l, &n, &err), -1);
    assert_null(l);
    assert_int_equal(n, 0);
    assert_string_equal(err.msg, "invalid retention '0': must be 1-3650 days");
}

/* ---- shell --------------------------------------------------------------- */

static void test_shell_quote(void **state)
{
    static const struct {
        const char *in, *out;
    } rows[] = {
        {"it's", "'it'\\''s'"},
        {"", "''"},
        {"a b", "'a b'"},
        {"$(id) `id` $HOME \\ \" ; | &", "'$(id) `id` $HOME \\ \" ; | &'"},
        {"''", "''\\'''\\'''"},
        {"line\nbreak", "'line\nbreak'"},
    };
    char buf[128];
    (void)state;
    for (size_t i = 0; i < N(rows); i++) {
        size_t need = dl_shell_quote(rows[i].in, buf, sizeof buf);
        assert_string_equal(buf, rows[i].out);
        assert_int_equal(need, strlen(rows[i].out));
    }
    /* short buffer: cut and terminated, the needed length reported */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(dl_shell_quote("it's", buf, 5), 9);
    assert_string_equal(buf, "'it'");
    assert_int_equal(dl_shell_quote("it's", NULL, 0), 9);
    assert_int_equal(dl_shell_quote("abc", buf, 1), 5);
    assert_string_equal(buf, "");
}

/* --compression / --zstd-level / --format / --no-compression, and the names they give */
static void test_storage_options(void **state)
{
    static const struct {
        const char *comp, *level, *format;
        int no_comp;
        const char *error;     /* NULL: accepted */
        int want_comp;
        const char *ext;
    } rows[] = {
        {NULL, NULL, NULL, 0, NULL, DL_COMP_GZIP, ".sql.gz"},
        {"zstd", NULL, NULL, 0, NULL, DL_COMP_ZSTD, ".sql.zst"},
        {"zstd", "19", NULL, 0, NULL, DL_COMP_ZSTD, ".sql.zst"},
        {"none", NULL, NULL, 0, NULL, DL_COMP_NONE, ".sql"},
        {NULL, NULL, NULL, 1, NULL, DL_COMP_NONE, ".sql"},
        {"none", NULL, NULL, 1, NULL, DL_COMP_NONE, ".sql"},
        {NULL, NULL, "custom", 0, NULL, DL_COMP_GZIP, ".dump"},
        {"none", NULL, "custom", 0, NULL, DL_COMP_NONE, ".dump"},
        {"lz4", NULL, NULL, 0, "invalid compression 'lz4'", 0, NULL},
        {"ZSTD", NULL, NULL, 0, "invalid compression 'ZSTD'", 0, NULL},
        {"gzip", NULL, NULL, 1, "invalid compression 'gzip' with --no-compression", 0, NULL},
        {"zstd", "0", NULL, 0, "invalid zstd level '0'", 0, NULL},
        {"zstd", "20", NULL, 0, "invalid zstd level '20'", 0, NULL},
        {"zstd", "3x", NULL, 0, "invalid zstd level '3x'", 0, NULL},
        {NULL, "5", NULL, 0, "invalid zstd level '5': only with --compression zstd (compression is gzip)", 0, NULL},
        {"none", "5", NULL, 0, "invalid zstd level '5': only with --compression zstd (compression is none)", 0, NULL},
        {NULL, NULL, "tar", 0, "invalid format 'tar'", 0, NULL},
        {"zstd", NULL, "custom", 0, "invalid compression 'zstd' with format 'custom'", 0, NULL},
    };
    (void)state;
    for (size_t i = 0; i < N(rows); i++) {
        dl_spec s;
        dl_err err;
        dl_storage_opts o = {rows[i].comp, rows[i].level, rows[i].format, rows[i].no_comp};
        make_spec(&s, "acme", "local:/srv/acme");
        dl_err_clear(&err);
        if (rows[i].error) {
            dl_spec before = s;
            assert_int_equal(dl_spec_apply_storage(&s, &o, &err), -1);
            assert_int_equal(err.kind, DL_EINVAL);
            assert_non_null(strstr(err.msg, rows[i].error));
            assert_memory_equal(&before, &s, sizeof s);   /* nothing applied */
            continue;
        }
        assert_int_equal(dl_spec_apply_storage(&s, &o, &err), 0);
        assert_int_equal(s.compression, rows[i].want_comp);
        assert_string_equal(dl_spec_backup_ext(&s), rows[i].ext);
        assert_int_equal(dl_spec_validate(&s, &err), 0);
        if (rows[i].level)
            assert_int_equal(s.zstd_level, atoi(rows[i].level));
        else
            assert_int_equal(s.zstd_level, DL_ZSTD_LEVEL_DEFAULT);
    }
}

/* old labels (compression 0/1, no format, no zstd_level) read as before */
static void test_labels_old_storage(void **state)
{
    dl_spec s, back;
    dk_kv *l;
    size_t n;
    dl_err err;
    (void)state;
    make_spec(&s, "acme", "local:/srv/acme");
    s.compression = DL_COMP_ZSTD;
    s.zstd_level = 7;
    assert_int_equal(dl_spec_to_labels(&s, &l, &n, &err), 0);
    assert_string_equal(label(l, n, "io.deeplens.backup.compression"), "2");
    assert_string_equal(label(l, n, "io.deeplens.backup.zstd_level"), "7");
    assert_string_equal(label(l, n, "io.deeplens.backup.format"), "plain");
    assert_int_equal(dl_spec_from_labels(&back, l, n, &err), 0);
    assert_int_equal(back.compression, DL_COMP_ZSTD);
    assert_int_equal(back.zstd_level, 7);
    /* an old container: no format or zstd_level label, compression 0 */
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(l[i].key, "io.deeplens.backup.compression"))
            l[i].value[0] = '0';
        if (!strcmp(l[i].key, "io.deeplens.backup.format") ||
            !strcmp(l[i].key, "io.deeplens.backup.zstd_level"))
            l[i].key[0] = 'x';
    }
    assert_int_equal(dl_spec_from_labels(&back, l, n, &err), 0);
    assert_int_equal(back.compression, DL_COMP_NONE);
    assert_string_equal(back.format, "plain");
    assert_string_equal(dl_spec_backup_ext(&back), ".sql");
    dl_labels_free(l, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tenant),
        cmocka_unit_test(test_tenant_id),
        cmocka_unit_test(test_nfs_path_good),
        cmocka_unit_test(test_nfs_path_bad),
        cmocka_unit_test(test_nfs_options),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_retention),
        cmocka_unit_test(test_uid_gid),
        cmocka_unit_test(test_inert),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_image),
        cmocka_unit_test(test_database_user_network_prefix),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_defaults_and_names),
        cmocka_unit_test(test_spec_validate_first_failure),
        cmocka_unit_test(test_volume_opts),
        cmocka_unit_test(test_labels_round_trip),
        cmocka_unit_test(test_spec_set_proof),
        cmocka_unit_test(test_labels_foreign_and_missing),
        cmocka_unit_test(test_labels_tampered),
        cmocka_unit_test(test_labels_too_long_and_invalid_spec),
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_storage_options),
        cmocka_unit_test(test_labels_old_storage),
        cmocka_unit_test(test_webhook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
