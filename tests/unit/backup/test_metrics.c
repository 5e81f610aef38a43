/* Metrics: label values as the exposition format wants them - escaped,
 * inert, cut whole - no engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "deeplens/backup.h"

static void label_is(const char *in, const char *want)
{
    char buf[256];
    size_t n = dl_metrics_label(buf, sizeof buf, in);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_label_escapes(void **state)
{
    (void)state;
    label_is("acme", "acme");
    label_is("", "");
    label_is("a\\b", "a\\\\b");
    label_is("say \"hi\"", "say \\\"hi\\\"");
    label_is("pg_dump: error: \"x\\y\"", "pg_dump: error: \\\"x\\\\y\\\"");
    label_is("Zürich ✓", "Zürich ✓");
}

static void test_label_inert(void **state)
{
    char buf[256];
    (void)state;
    /* a newline, an escape sequence and invalid UTF-8 from a status file:
     * never a raw control or a bad byte in the output */
    dl_metrics_label(buf, sizeof buf, "one\ntwo\x1b[31mred\xff\xfe");
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        assert_true(*p >= 0x20 && *p != 0x7f);
        assert_true(*p < 0x80);
    }
    assert_non_null(strstr(buf, "one"));
    assert_non_null(strstr(buf, "two"));
    assert_non_null(strstr(buf, "red"));
    assert_null(strchr(buf, '\n'));
}

static void test_label_cut_whole(void **state)
{
    char buf[4];
    (void)state;
    /* "a\"" needs 3 bytes + NUL: fits; a 4th byte does not, and an escape
     * is never cut in half */
    assert_int_equal(dl_metrics_label(buf, sizeof buf, "a\"b"), 3);
    assert_string_equal(buf, "a\\\"");
    assert_int_equal(dl_metrics_label(buf, sizeof buf, "ab\""), 2);
    assert_string_equal(buf, "ab");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_escapes),
        cmocka_unit_test(test_label_inert),
        cmocka_unit_test(test_label_cut_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
