/* test_fmt.c - the console's number formats (src/tui/fmt.c): the size
 * trend's sparkline (Unicode blocks, ASCII fallback, scaling, the newest
 * kept when it does not fit) and a manifest's table row, whose
 * tenant-controlled name reaches the screen inert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../../src/tui/fmt.h"

static void test_sparkline_unicode(void **state)
{
    (void)state;
    char buf[128];
    long long v[] = {0, 100, 800, 400, 80};
    /* 0 -> lowest, 800 -> full, 400 -> half (3.5 rounds to 4: U+2585), 80 -> 0.7 -> 1 */
    assert_string_equal(ui_fmt_sparkline(v, 5, 0, buf, sizeof buf),
                        "\u2581\u2582\u2588\u2585\u2582");
}

static void test_sparkline_ascii(void **state)
{
    (void)state;
    char buf[128];
    long long v[] = {1000, 1000, 100, 1000, -5};
    assert_string_equal(ui_fmt_sparkline(v, 5, 1, buf, sizeof buf), "##.#_");
    assert_int_equal(strlen(UI_SPARK_ASCII), 8);
    for (const char *p = ui_fmt_sparkline(v, 5, 1, buf, sizeof buf); *p; p++)
        assert_true((unsigned char)*p < 0x80);
    /* all equal: all full; all zero: all lowest; nothing: empty */
    long long same[] = {7, 7, 7}, zero[] = {0, 0};
    assert_string_equal(ui_fmt_sparkline(same, 3, 1, buf, sizeof buf), "###");
    assert_string_equal(ui_fmt_sparkline(zero, 2, 1, buf, sizeof buf), "__");
    assert_string_equal(ui_fmt_sparkline(NULL, 0, 1, buf, sizeof buf), "");
}

static void test_sparkline_keeps_newest(void **state)
{
    (void)state;
    char small[4], ublocks[8];
    long long v[] = {10, 10, 10, 10, 1};
    /* 3 cells fit: the last three values, scaled among themselves */
    assert_string_equal(ui_fmt_sparkline(v, 5, 1, small, sizeof small), "##.");
    /* a UTF-8 block is 3 bytes: 2 fit in 8, never a cut sequence */
    assert_string_equal(ui_fmt_sparkline(v, 5, 0, ublocks, sizeof ublocks), "\u2588\u2582");
}

static void test_manifest_row_inert(void **state)
{
    (void)state;
    char buf[512];
    /* a table named with an escape sequence, a bidi override and a newline */
    const char *name = "public.\"evil\033[2J\033]0;pwned\007\342\200\256txt\ngpj\"";
    ui_fmt_manifest_row(5000, 2048, name, 6, 1, buf, sizeof buf);
    assert_string_equal(buf, "  5000     2.0 KiB  public.\"evil^[[2J^[]0;pwned^G\\u202etxt^Jgpj\"");
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f);
    /* no UTF-8 terminal: nothing above ASCII either */
    ui_fmt_manifest_row(1, 0, "t\303\251st", 1, 0, buf, sizeof buf);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    assert_non_null(strstr(buf, "t\\xc3\\xa9st"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparkline_unicode),
        cmocka_unit_test(test_sparkline_ascii),
        cmocka_unit_test(test_sparkline_keeps_newest),
        cmocka_unit_test(test_manifest_row_inert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
