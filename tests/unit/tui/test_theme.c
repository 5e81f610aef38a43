/* test_theme.c - theme files (src/tui/theme.c): every shipped theme parses
 * and names every role; mistakes name the file, line and word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeplens/tui.h"
#include "../../../src/tui/theme.h"

static const char *const roles[] = {
#define X_NAME(e, name, help) name,
    UI_ROLES(X_NAME)
#undef X_NAME
};

static void test_shipped_themes(void **state)
{
    (void)state;
    glob_t g;
    const char *repo = getenv("DL_REPO");
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/themes/*.theme", repo ? repo : ".");
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 4);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        dl_err err;
        dl_err_clear(&err);
        if (dl_tui_theme_check(g.gl_pathv[i], &err) < 0) fail_msg("%s", err.msg);
        /* a shipped theme spells out every role */
        FILE *f = fopen(g.gl_pathv[i], "r");
        assert_non_null(f);
        char text[8192];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
        for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++) {
            char want[64];
            snprintf(want, sizeof want, "color %s ", roles[r]);
            if (!strstr(text, want)) fail_msg("%s: no line for role '%s'", g.gl_pathv[i], roles[r]);
        }
    }
    globfree(&g);
}

static void expect_error(const char *text, const char *want)
{
    char path[] = "/tmp/dl-theme-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    dl_err err;
    dl_err_clear(&err);
    assert_int_equal(dl_tui_theme_check(path, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    if (!strstr(err.msg, want)) fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_non_null(strstr(err.msg, path));
    unlink(path);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("# ok\ncolor normal default default\ncolour x y z\n", ":3: unknown directive 'colour'");
    expect_error("color nromal red blue\n", ":1: unknown role 'nromal'");
    expect_error("color normal pink blue\n", ":1: unknown colour 'pink'");
    expect_error("color normal red 256\n", ":1: unknown colour '256'");
    expect_error("color normal red blue blink\n", ":1: unknown attribute 'blink'");
    expect_error("color normal red\n", ":1: expected 'color <role> <fg> <bg> [attrs]'");
    dl_err err;
    assert_int_equal(dl_tui_theme_check("/nonexistent/x.theme", &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_themes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("tui themes", tests, NULL, NULL);
}
