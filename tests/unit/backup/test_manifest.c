/* Manifest parsing: the job's sidecar as it writes it, and as a tenant who
 * can write the share might leave it - no engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "deeplens/manifest.h"

/* as the job writes it (recorded from a real run) */
static const char job_manifest[] =
    "version=1\n"
    "format=plain\n"
    "compression=gzip\n"
    "server_version=15.20\n"
    "database_size=8053251\n"
    "duration=0.4\n"
    "tables=4\n"
    "table=2000 222294 crm.customers\n"
    "table=0 0 public.empty_table\n"
    "table=3000 356916 public.images\n"
    "table=5 10 public.\"we ird\"\" (x\"\n";

static void test_parse_job_manifest(void **state)
{
    dl_manifest m;
    dl_err err;
    (void)state;
    memset(&m, 0, sizeof m);
    assert_int_equal(dl_manifest_parse(&m, job_manifest, strlen(job_manifest), &err), 0);
    assert_true(m.present);
    assert_int_equal(m.version, 1);
    assert_string_equal(m.format, "plain");
    assert_string_equal(m.compression, "gzip");
    assert_string_equal(m.server_version, "15.20");
    assert_int_equal(m.database_size, 8053251);
    assert_true(m.duration > 0.39 && m.duration < 0.41);
    assert_int_equal(m.tables_declared, 4);
    assert_int_equal(m.ntables, 4);
    assert_string_equal(m.tables[0].name, "crm.customers");
    assert_int_equal(m.tables[0].rows, 2000);
    assert_int_equal(m.tables[0].data_bytes, 222294);
    assert_int_equal(m.tables[1].rows, 0);
    /* the name is last and keeps its spaces and quotes */
    assert_string_equal(m.tables[3].name, "public.\"we ird\"\" (x\"");
    assert_int_equal(m.total_rows, 5005);
    assert_int_equal(m.total_data_bytes, 222294 + 356916 + 10);
    dl_manifest_clear(&m);
    assert_int_equal(m.ntables, 0);
    assert_null(m.tables);
}

static void test_no_version_is_refused(void **state)
{
    static const char text[] = "format=plain\ntable=1 2 public.t\n";
    dl_manifest m;
    dl_err err;
    (void)state;
    memset(&m, 0, sizeof m);
    assert_int_equal(dl_manifest_parse(&m, text, strlen(text), &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_false(m.present);
    assert_null(m.tables);
    static const char v2[] = "version=2\n";
    assert_int_equal(dl_manifest_parse(&m, v2, strlen(v2), &err), -1);
}

/* a tenant's hand on the share: unknown keys, second copies, bad words and
 * numbers are dropped; nothing overflows */
static void test_hostile_manifest(void **state)
{
    static const char text[] =
        "version=1\n"
        "version=7\n"
        "format=tar; rm -rf /\n"
        "compression=zstd\n"
        "compression=none\n"
        "server_version=15.8 (Debian)\n"
        "database_size=-5\n"
        "duration=nan\n"
        "tables=99999999999999999999999\n"
        "table=-1 5 public.neg\n"
        "table=1 2\n"
        "table=1 x public.badbytes\n"
        "table=99999999999999999999 1 public.huge\n"
        "table=9007199254740992 1 public.max\n"
        "table=1 1 public.one\n"
        "evil=\033]0;x\007\n"
        "no equals sign\n";
    dl_manifest m;
    dl_err err;
    (void)state;
    memset(&m, 0, sizeof m);
    assert_int_equal(dl_manifest_parse(&m, text, strlen(text), &err), 0);
    assert_int_equal(m.version, 1);
    assert_string_equal(m.format, "");
    assert_string_equal(m.compression, "zstd");
    assert_string_equal(m.server_version, "");
    assert_int_equal(m.database_size, -1);
    assert_true(m.duration == 0);
    assert_int_equal(m.tables_declared, -1);
    assert_int_equal(m.ntables, 2);
    assert_string_equal(m.tables[0].name, "public.max");
    assert_string_equal(m.tables[1].name, "public.one");
    /* the sum stays where JSON holds it exactly */
    assert_true(m.total_rows <= (1LL << 53));
    dl_manifest_clear(&m);
}

static void test_long_and_unterminated(void **state)
{
    char text[6000];
    dl_manifest m;
    dl_err err;
    (void)state;
    memset(&m, 0, sizeof m);
    strcpy(text, "version=1\ntable=3 4 ");
    memset(text + strlen(text), 'n', 5000);
    text[21 + 5000] = '\0';
    assert_int_equal(dl_manifest_parse(&m, text, strlen(text), &err), 0);
    assert_int_equal(m.ntables, 1);
    assert_true(strlen(m.tables[0].name) < 2048);
    assert_int_equal(m.tables[0].rows, 3);
    dl_manifest_clear(&m);
    /* an embedded NUL ends nothing early and is not taken into a name */
    static const char nul[] = "version=1\ntable=1 1 a\0b\ntable=2 2 c\n";
    assert_int_equal(dl_manifest_parse(&m, nul, sizeof nul - 1, &err), 0);
    assert_int_equal(m.ntables, 1);
    assert_string_equal(m.tables[0].name, "c");
    dl_manifest_clear(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_job_manifest),
        cmocka_unit_test(test_no_version_is_refused),
        cmocka_unit_test(test_hostile_manifest),
        cmocka_unit_test(test_long_and_unterminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
