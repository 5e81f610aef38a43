/* test_engines_args.c - repeated -H/--context kept in order for several
 * engines (src/cli/args.c), the last one still in val[] as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../src/cli/args.h"

static int parse(cli_args *a, dl_err *err, int argc, char **argv)
{
    dl_err_clear(err);
    return cli_args_parse(a, argc, argv, err);
}

static void test_repeats_in_order(void **state)
{
    char *argv[] = {"deeplens-backup", "-H",        "e1=unix:///a.sock", "list",
                    "--context",       "lab",       "-Hunix:///b.sock",  "--host=tcp://h:2375",
                    "--json",          NULL};
    cli_args a;
    dl_err err;
    (void)state;
    assert_int_equal(parse(&a, &err, 9, argv), 0);
    assert_int_equal(a.nengines, 4);
    assert_int_equal(a.engines[0].opt, OPT_HOST);
    assert_string_equal(a.engines[0].v, "e1=unix:///a.sock");
    assert_int_equal(a.engines[1].opt, OPT_CONTEXT);
    assert_string_equal(a.engines[1].v, "lab");
    assert_string_equal(a.engines[2].v, "unix:///b.sock");
    assert_string_equal(a.engines[3].v, "tcp://h:2375");
    assert_string_equal(a.val[OPT_HOST], "tcp://h:2375");   /* the last, as before */
    assert_string_equal(a.val[OPT_CONTEXT], "lab");
    assert_non_null(a.val[OPT_JSON]);
}

static void test_none_and_one(void **state)
{
    char *none[] = {"deeplens-backup", "list", NULL};
    char *one[] = {"deeplens-backup", "list", "-H", "unix:///x.sock", NULL};
    cli_args a;
    dl_err err;
    (void)state;
    assert_int_equal(parse(&a, &err, 2, none), 0);
    assert_int_equal(a.nengines, 0);
    assert_int_equal(parse(&a, &err, 4, one), 0);
    assert_int_equal(a.nengines, 1);
    assert_string_equal(a.val[OPT_HOST], "unix:///x.sock");
}

static void test_too_many(void **state)
{
    char *argv[2 + 2 * (CLI_MAX_ENGINES + 1) + 1];
    int argc = 0;
    cli_args a;
    dl_err err;
    (void)state;
    argv[argc++] = "deeplens-backup";
    argv[argc++] = "list";
    for (int i = 0; i <= CLI_MAX_ENGINES; i++) {
        argv[argc++] = "-H";
        argv[argc++] = "unix:///x.sock";
    }
    argv[argc] = NULL;
    assert_int_equal(parse(&a, &err, argc, argv), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_string_equal(err.msg, "too many engines (at most 16 -H/--context)");
}

/* --read-only-engine repeats (before or after the command), every NAME kept
 * in order; it is no engine of its own */
static void test_read_only_engine(void **state)
{
    char *argv[] = {"deeplens-backup", "--read-only-engine", "eng2", "backup-now", "acme",
                    "--read-only-engine=eng3", NULL};
    char *none[] = {"deeplens-backup", "list", NULL};
    cli_args a;
    dl_err err;
    (void)state;
    assert_int_equal(parse(&a, &err, 6, argv), 0);
    assert_int_equal(a.nro_engines, 2);
    assert_string_equal(a.ro_engines[0], "eng2");
    assert_string_equal(a.ro_engines[1], "eng3");
    assert_int_equal(a.nengines, 0);
    assert_int_equal(a.npos, 1);
    assert_int_equal(parse(&a, &err, 2, none), 0);
    assert_int_equal(a.nro_engines, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats_in_order),
        cmocka_unit_test(test_none_and_one),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_read_only_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
