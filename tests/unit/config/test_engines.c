/* test_engines.c - the config file's `engine` lines (src/config/engines.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "deeplens/config.h"

static dl_config cfg;   /* large: not on the stack */

static void test_good_lines(void **state)
{
    dl_err err;
    static const char text[] = "engine test host unix:///run/deeplens-test/docker.sock\n"
                               "  engine\tprod-1 host tcp://prod.example:2376  \n"
                               "engine lab.b context lab\n";
    (void)state;
    dl_config_defaults(&cfg);
    assert_int_equal(cfg.nengines, 0);
    assert_int_equal(dl_config_parse(&cfg, "t", text, &err), 0);
    assert_int_equal(cfg.nengines, 3);
    assert_string_equal(cfg.engines[0].name, "test");
    assert_string_equal(cfg.engines[0].host, "unix:///run/deeplens-test/docker.sock");
    assert_string_equal(cfg.engines[0].context, "");
    assert_string_equal(cfg.engines[1].name, "prod-1");
    assert_string_equal(cfg.engines[1].host, "tcp://prod.example:2376");
    assert_string_equal(cfg.engines[2].name, "lab.b");
    assert_string_equal(cfg.engines[2].host, "");
    assert_string_equal(cfg.engines[2].context, "lab");
    /* dl_config_set takes the same value (the key table's row) */
    assert_int_equal(dl_config_set(&cfg, "engine", "eng9 host unix:///x.sock", &err), 0);
    assert_int_equal(cfg.nengines, 4);
    assert_string_equal(cfg.engines[3].name, "eng9");
    for (int i = 0; i < 4; i++)
        assert_int_equal(cfg.engines[i].read_only, 0);
}

static void test_read_only_word(void **state)
{
    dl_err err;
    static const char text[] = "engine prod host tcp://prod.example:2376 read-only\n"
                               "engine eng2 host unix:///run/deeplens-eng2/docker.sock\n"
                               "engine lab context lab\tread-only  \n";
    (void)state;
    dl_config_defaults(&cfg);
    assert_int_equal(dl_config_parse(&cfg, "t", text, &err), 0);
    assert_int_equal(cfg.nengines, 3);
    assert_string_equal(cfg.engines[0].host, "tcp://prod.example:2376");
    assert_int_equal(cfg.engines[0].read_only, 1);
    assert_int_equal(cfg.engines[1].read_only, 0);
    assert_string_equal(cfg.engines[2].context, "lab");
    assert_int_equal(cfg.engines[2].read_only, 1);
    assert_int_equal(cfg.read_only, 0);   /* the engine's, not the whole console's */
    assert_int_equal(dl_config_set(&cfg, "engine", "eng9 host unix:///x.sock read-only", &err), 0);
    assert_int_equal(cfg.engines[3].read_only, 1);
}

static void bad(const char *text, const char *want)
{
    dl_err err;
    dl_config_defaults(&cfg);
    dl_err_clear(&err);
    assert_int_equal(dl_config_parse(&cfg, "f", text, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("'%s': got '%s', want '%s'", text, err.msg, want);
}

static void test_bad_lines(void **state)
{
    (void)state;
    bad("engine eng2\n",
        "config f:1: invalid engine 'eng2': expected 'engine NAME host DOCKER_HOST [read-only]' "
        "or 'engine NAME context CONTEXT [read-only]'");
    bad("engine eng2 host\n", "invalid engine 'eng2 host'");
    bad("engine eng2 socket unix:///x\n", "invalid engine 'eng2 socket unix:///x'");
    bad("engine eng2 host unix:///x extra\n",
        "invalid engine 'eng2': unknown word 'extra' after the host (only 'read-only' may follow it)");
    bad("engine lab context lab readonly\n",
        "invalid engine 'lab': unknown word 'readonly' after the context");
    bad("engine eng2 host unix:///x read-only extra\n", "expected 'engine NAME host DOCKER_HOST");
    bad("engine eng2 host unix:///x \033[7mro\n", "unknown word '\\x1b[7mro'");
    bad("engine -x host unix:///x\n", "invalid engine name '-x'");
    bad("engine a/b host unix:///x\n", "invalid engine name 'a/b'");
    bad("engine eng2 host ftp://x\n", "engine 'eng2': unsupported scheme 'ftp'");
    bad("engine eng2 host unix://relative\n", "engine 'eng2': invalid DOCKER_HOST 'unix://relative'");
    bad("engine a host unix:///x\nengine a host unix:///y\n",
        "config f:2: invalid engine 'a': the name is used twice");
    {
        char text[4096] = "";
        for (int i = 0; i <= DL_CONFIG_MAX_ENGINES; i++) {
            size_t off = strlen(text);
            snprintf(text + off, sizeof text - off, "engine e%d host unix:///s%d\n", i, i);
        }
        bad(text, "too many engine lines (at most 16)");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_read_only_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
