/* test_args.c - the argument parser (src/cli/args.c) against the tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../src/cli/args.h"

#define MAXV 32

/* Parse a NULL-terminated list of words (argv[0] added). */
static int parse_v(cli_args *a, dl_err *err, const char *const *words)
{
    char *argv[MAXV + 1];
    int argc = 0;
    argv[argc++] = (char *)"deeplens-backup";
    for (; *words; words++) {
        assert_true(argc < MAXV);
        argv[argc++] = (char *)*words;
    }
    argv[argc] = NULL;
    dl_err_clear(err);
    return cli_args_parse(a, argc, argv, err);
}
#define PARSE(a, err, ...) parse_v((a), (err), (const char *const[]){__VA_ARGS__, NULL})

/* Positional words a command needs, plus its required options. */
static int minimal(const cli_command *c, const char **w)
{
    int n = 0, min, max;
    cli_command_npos(c, &min, &max);
    w[n++] = c->name;
    for (int i = 0; i < min; i++)
        w[n++] = i == 0 ? "acme" : "file.sql.gz";
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (c->need & CLI_OPT(o)) {
            static char flag[64];
            snprintf(flag, sizeof flag, "--%s=local:/tmp/x", cli_options[o].name);
            w[n++] = flag;
        }
    return n;
}

static void test_every_command_takes_its_options(void **state)
{
    (void)state;
    for (size_t i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        for (int o = 0; o < CLI_OPT_COUNT; o++) {
            const char *w[MAXV];
            char flag[64];
            int n;
            cli_args a;
            dl_err err;
            if (!(c->opts & CLI_OPT(o)))
                continue;
            n = minimal(c, w);
            snprintf(flag, sizeof flag, "--%s", cli_options[o].name);
            w[n++] = flag;
            if (cli_options[o].arg)
                w[n++] = "7";
            w[n] = NULL;
            if (parse_v(&a, &err, w) != 0)
                fail_msg("%s %s: %s", c->name, flag, err.msg);
            assert_ptr_equal(a.cmd, c);
            assert_non_null(a.val[o]);
        }
    }
}

static void test_every_command_rejects_foreign_options(void **state)
{
    (void)state;
    for (size_t i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        for (int o = 0; o < CLI_OPT_COUNT; o++) {
            const char *w[MAXV];
            char flag[64], want[160];
            int n;
            cli_args a;
            dl_err err;
            if (cli_options[o].global || (c->opts & CLI_OPT(o)))
                continue;
            n = minimal(c, w);
            snprintf(flag, sizeof flag, "--%s", cli_options[o].name);
            w[n++] = flag;
            if (cli_options[o].arg)
                w[n++] = "7";
            w[n] = NULL;
            assert_int_equal(parse_v(&a, &err, w), -1);
            assert_int_equal(err.kind, DL_EINVAL);
            snprintf(want, sizeof want, "option '--%s' does not apply to '%s'", cli_options[o].name,
                     c->name);
            assert_string_equal(err.msg, want);
        }
    }
}

static void test_missing_positionals_named(void **state)
{
    cli_args a;
    dl_err err;
    (void)state;
    for (size_t i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        int min, max;
        char want[128], name[32];
        cli_command_npos(c, &min, &max);
        if (min == 0)
            continue;
        assert_int_equal(parse_v(&a, &err, (const char *const[]){c->name, NULL}), -1);
        snprintf(want, sizeof want, "missing %s for '%s'",
                 cli_command_pos_name(c, 0, name, sizeof name), c->name);
        assert_string_equal(err.msg, want);
        assert_int_equal(dl_errkind_exit_code(err.kind), 2);
    }
    assert_int_equal(PARSE(&a, &err, "files"), -1);
    assert_string_equal(err.msg, "missing TENANT for 'files'");
    assert_int_equal(PARSE(&a, &err, "restore", "acme"), -1);
    assert_string_equal(err.msg, "missing FILE for 'restore'");
    assert_int_equal(PARSE(&a, &err, "provision", "acme"), -1);
    assert_string_equal(err.msg, "missing --nfs-path for 'provision'");
}

static void test_extra_arguments(void **state)
{
    cli_args a;
    dl_err err;
    (void)state;
    assert_int_equal(PARSE(&a, &err, "files", "acme", "f.sql.gz"), 0);
    assert_int_equal(PARSE(&a, &err, "files", "acme", "f.sql.gz", "other"), -1);
    assert_string_equal(err.msg, "unexpected argument 'other' for 'files'");
    assert_int_equal(PARSE(&a, &err, "list", "x"), -1);
    assert_int_equal(PARSE(&a, &err, "status", "a", "b", "c"), 0);
    assert_int_equal(a.npos, 3);
    assert_int_equal(PARSE(&a, &err, "verify", "acme"), 0);
    assert_int_equal(PARSE(&a, &err, "verify", "acme", "f.sql.gz"), 0);
    assert_int_equal(PARSE(&a, &err, "verify", "acme", "f", "g"), -1);
}

static void test_unknown_option_and_command(void **state)
{
    cli_args a;
    dl_err err;
    (void)state;
    assert_int_equal(PARSE(&a, &err, "status", "--frobnicate"), -1);
    assert_string_equal(err.msg, "unknown option '--frobnicate'");
    assert_int_equal(err.kind, DL_EINVAL);
    assert_int_equal(PARSE(&a, &err, "--frobnicate=1", "status"), -1);
    assert_string_equal(err.msg, "unknown option '--frobnicate'");
    assert_int_equal(PARSE(&a, &err, "logs", "acme", "-z"), -1);
    assert_string_equal(err.msg, "unknown option '-z'");
    assert_int_equal(PARSE(&a, &err, "frobnicate"), -1);
    assert_string_equal(err.msg, "unknown command 'frobnicate'");
}

static void test_no_password_on_the_command_line(void **state)
{
    cli_args a;
    dl_err err;
    (void)state;
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (strstr(cli_options[o].name, "pass"))
            assert_string_equal(cli_options[o].name, "password-file");
    assert_int_equal(PARSE(&a, &err, "provision", "acme", "--nfs-path", "local:/x", "--password",
                           "secret"), -1);
    assert_non_null(strstr(err.msg, "unknown option '--password'"));
    assert_non_null(strstr(err.msg, "--password-file"));
    assert_null(strstr(err.msg, "secret"));
    assert_int_equal(PARSE(&a, &err, "provision", "acme", "--nfs-path", "local:/x",
                           "--password=secret"), -1);
    assert_null(strstr(err.msg, "secret"));
    assert_int_equal(PARSE(&a, &err, "provision", "acme", "--nfs-path", "local:/x", "-p", "s"), -1);
    assert_int_equal(PARSE(&a, &err, "provision", "acme", "--nfs-path", "local:/x", "--pgpassword",
                           "s"), -1);
}

static void test_forms_of_options(void **state)
{
    cli_args a;
    dl_err err;
    (void)state;
    /* global options before and after the command */
    assert_int_equal(PARSE(&a, &err, "-H", "tcp://h:2375", "--config=/c", "status", "--prefix", "p-",
                           "--no-color"), 0);
    assert_string_equal(a.val[OPT_HOST], "tcp://h:2375");
    assert_string_equal(a.val[OPT_CONFIG], "/c");
    assert_string_equal(a.val[OPT_PREFIX], "p-");
    assert_non_null(a.val[OPT_NO_COLOR]);
    assert_string_equal(a.cmd->name, "status");
    assert_int_equal(PARSE(&a, &err, "-Hunix:///s", "list"), 0);
    assert_string_equal(a.val[OPT_HOST], "unix:///s");
    /* clustered short flags, then an option taking a value */
    assert_int_equal(PARSE(&a, &err, "logs", "-ft", "acme", "--tail", "50"), 0);
    assert_non_null(a.val[OPT_FOLLOW]);
    assert_non_null(a.val[OPT_TIMESTAMPS]);
    assert_string_equal(a.val[OPT_TAIL], "50");
    assert_string_equal(a.pos[0], "acme");
    /* a value that looks like an option is still the value */
    assert_int_equal(PARSE(&a, &err, "reschedule", "acme", "--retention", "-5"), 0);
    assert_string_equal(a.val[OPT_RETENTION], "-5");
    /* -- ends the options: a dash-led word is an argument (the validator judges it) */
    assert_int_equal(PARSE(&a, &err, "provision", "--nfs-path", "local:/x", "--", "-acme"), 0);
    assert_string_equal(a.pos[0], "-acme");
    /* flags take no value; values are required */
    assert_int_equal(PARSE(&a, &err, "status", "--json=yes"), -1);
    assert_string_equal(err.msg, "option '--json' takes no value");
    assert_int_equal(PARSE(&a, &err, "reschedule", "acme", "--schedule"), -1);
    assert_string_equal(err.msg, "option '--schedule' needs a value (CRON)");
    assert_int_equal(PARSE(&a, &err, "status", "-H"), -1);
    /* the last of a repeated option wins */
    assert_int_equal(PARSE(&a, &err, "reschedule", "acme", "--retention", "3", "--retention", "4"), 0);
    assert_string_equal(a.val[OPT_RETENTION], "4");
}

static void test_console_and_help(void **state)
{
    cli_args a;
    dl_err err;
    (void)state;
    assert_int_equal(parse_v(&a, &err, (const char *const[]){NULL}), 0);
    assert_null(a.cmd);
    assert_int_equal(PARSE(&a, &err, "--theme", "light", "--ascii", "--password-file", "/p"), 0);
    assert_null(a.cmd);
    assert_int_equal(PARSE(&a, &err, "--json"), -1);
    assert_string_equal(err.msg, "option '--json' needs a command");
    /* --help skips the argument checks so every command has help */
    assert_int_equal(PARSE(&a, &err, "files", "--help"), 0);
    assert_non_null(a.val[OPT_HELP]);
    assert_int_equal(PARSE(&a, &err, "provision", "-h"), 0);
    assert_int_equal(PARSE(&a, &err, "-V"), 0);
    assert_non_null(a.val[OPT_VERSION]);
    /* but an option foreign to the command is still an error */
    assert_int_equal(PARSE(&a, &err, "files", "--help", "--follow"), -1);
}

static void test_positional_synopsis(void **state)
{
    int min, max;
    char buf[32];
    (void)state;
    cli_command_npos(cli_command_find("provision"), &min, &max);
    assert_int_equal(min, 1);
    assert_int_equal(max, 1);
    cli_command_npos(cli_command_find("status"), &min, &max);
    assert_int_equal(min, 0);
    assert_int_equal(max, -1);
    cli_command_npos(cli_command_find("verify"), &min, &max);
    assert_int_equal(min, 1);
    assert_int_equal(max, 2);
    cli_command_npos(cli_command_find("restore"), &min, &max);
    assert_int_equal(min, 2);
    assert_int_equal(max, 2);
    cli_command_npos(cli_command_find("list"), &min, &max);
    assert_int_equal(min, 0);
    assert_int_equal(max, 0);
    assert_string_equal(cli_command_pos_name(cli_command_find("verify"), 1, buf, sizeof buf), "FILE");
    assert_string_equal(cli_command_pos_name(cli_command_find("status"), 0, buf, sizeof buf), "TENANT");
    assert_null(cli_command_find("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_takes_its_options),
        cmocka_unit_test(test_every_command_rejects_foreign_options),
        cmocka_unit_test(test_missing_positionals_named),
        cmocka_unit_test(test_extra_arguments),
        cmocka_unit_test(test_unknown_option_and_command),
        cmocka_unit_test(test_no_password_on_the_command_line),
        cmocka_unit_test(test_forms_of_options),
        cmocka_unit_test(test_console_and_help),
        cmocka_unit_test(test_positional_synopsis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
