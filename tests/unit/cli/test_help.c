/* test_help.c - `--help` and `help COMMAND` are derived from the tables
 * (src/cli/table.c): every command, option and exit code appears, and a
 * command's help lists exactly the options it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../src/cli/table.h"
#include "deeplens/err.h"

static char *capture_help(const char *command)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    if (command)
        assert_int_equal(cli_help_command(f, command), 0);
    else
        cli_help(f);
    fclose(f);
    return text;
}

/* "--name" followed by a space, newline or end (so --json is not --json-x). */
static int mentions_option(const char *text, const char *name)
{
    char want[64];
    const char *p = text;
    snprintf(want, sizeof want, "--%s", name);
    while ((p = strstr(p, want))) {
        char next = p[strlen(want)];
        if (next == ' ' || next == '\n' || next == '\0' || next == '=')
            return 1;
        p++;
    }
    return 0;
}

static void test_help_lists_every_command(void **state)
{
    char *help = capture_help(NULL);
    (void)state;
    for (size_t i = 0; i < cli_ncommands; i++) {
        char want[96];
        snprintf(want, sizeof want, "\n  %s %s", cli_commands[i].name, cli_commands[i].pos);
        if (!strstr(help, want))
            fail_msg("--help lacks command '%s'", cli_commands[i].name);
        /* the first word of the one-line help is there too */
        snprintf(want, sizeof want, "%.12s", cli_commands[i].help);
        assert_non_null(strstr(help, want));
    }
    free(help);
}

static void test_help_lists_every_option(void **state)
{
    char *help = capture_help(NULL);
    (void)state;
    for (int o = 0; o < CLI_OPT_COUNT; o++) {
        if (!mentions_option(help, cli_options[o].name))
            fail_msg("--help lacks option '--%s'", cli_options[o].name);
        if (cli_options[o].shortname) {
            char want[16];
            snprintf(want, sizeof want, "-%c, --%s", cli_options[o].shortname, cli_options[o].name);
            assert_non_null(strstr(help, want));
        }
    }
    free(help);
}

static void test_help_lists_exit_codes(void **state)
{
    char *help = capture_help(NULL);
    cli_exit_row rows[DL_ERRKIND_COUNT + 1];
    int n = cli_exit_rows(rows, DL_ERRKIND_COUNT + 1);
    (void)state;
    assert_non_null(strstr(help, "Exit status:"));
    for (int i = 0; i < n; i++) {
        char want[200];
        snprintf(want, sizeof want, "%3d  %s\n", rows[i].code, rows[i].text);
        assert_non_null(strstr(help, want));
    }
    free(help);
}

static void test_exit_rows_cover_err_kinds(void **state)
{
    cli_exit_row rows[DL_ERRKIND_COUNT + 1];
    int n = cli_exit_rows(rows, DL_ERRKIND_COUNT + 1);
    static const int documented[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 130};
    (void)state;
    for (int i = 1; i < n; i++)
        assert_true(rows[i - 1].code < rows[i].code);
    for (int k = 0; k < DL_ERRKIND_COUNT; k++) {
        int found = 0;
        for (int i = 0; i < n; i++)
            if (rows[i].code == dl_errkind_exit_code((dl_errkind)k) &&
                strstr(rows[i].text, dl_errkind_word((dl_errkind)k)))
                found = 1;
        assert_true(found);
    }
    assert_int_equal(n, (int)(sizeof documented / sizeof documented[0]));
    for (int i = 0; i < n; i++)
        assert_int_equal(rows[i].code, documented[i]);
    assert_int_equal(rows[6].code, CLI_EXIT_UNHEALTHY);
}

static void test_command_help_lists_exactly_its_options(void **state)
{
    (void)state;
    for (size_t i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        char *help = capture_help(c->name);
        char want[64];
        snprintf(want, sizeof want, "Usage: deeplens-backup %s", c->name);
        assert_non_null(strstr(help, want));
        for (int o = 0; o < CLI_OPT_COUNT; o++) {
            if (cli_options[o].global)
                continue;
            if (((c->opts & CLI_OPT(o)) != 0) != mentions_option(help, cli_options[o].name))
                fail_msg("help %s and option --%s disagree", c->name, cli_options[o].name);
        }
        for (int o = 0; o < CLI_OPT_COUNT; o++)
            if (c->need & CLI_OPT(o))
                assert_non_null(strstr(help, "(required)"));
        free(help);
    }
    assert_int_equal(cli_help_command(stderr, "no-such-command"), -1);
}

static void test_help_fits_80_columns(void **state)
{
    char *help = capture_help(NULL);
    (void)state;
    for (char *line = help, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        if (nl - line > 79)
            fail_msg("help line too long: %.*s", (int)(nl - line), line);
        assert_true(nl == line || nl[-1] != ' ');
    }
    free(help);
}

static void test_synopsis(void **state)
{
    char buf[256];
    (void)state;
    cli_command_synopsis(cli_command_find("provision"), buf, sizeof buf);
    assert_string_equal(buf, "provision TENANT --nfs-path SERVER:/PATH|local:/DIR [options]");
    cli_command_synopsis(cli_command_find("restart"), buf, sizeof buf);
    assert_string_equal(buf, "restart TENANT");
    cli_command_synopsis(cli_command_find("logs"), buf, sizeof buf);
    assert_string_equal(buf, "logs TENANT [options]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_every_command),
        cmocka_unit_test(test_help_lists_every_option),
        cmocka_unit_test(test_help_lists_exit_codes),
        cmocka_unit_test(test_exit_rows_cover_err_kinds),
        cmocka_unit_test(test_command_help_lists_exactly_its_options),
        cmocka_unit_test(test_help_fits_80_columns),
        cmocka_unit_test(test_synopsis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
