/* test_text.c - untrusted text becomes inert glyphs (src/tui/text.c): no
 * escape sequence, control byte, invalid UTF-8 or bidi control reaches the
 * terminal as itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "../../../src/tui/text.h"

static const char *clean(const char *s, int utf8)
{
    static char buf[512];
    ui_text_sanitize(s, strlen(s), utf8, buf, sizeof buf);
    return buf;
}

/* Nothing below 0x20 (but tab, which is spaces) and no DEL survives. */
static void assert_inert(const char *out)
{
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f);
}

static void test_escape_sequences(void **state)
{
    (void)state;
    const char *out = clean("a\033[2J\033]0;pwned\007b", 1);
    assert_string_equal(out, "a^[[2J^[]0;pwned^Gb");
    assert_inert(out);
    assert_string_equal(clean("x\r\n\177", 1), "x^M^J^?");
}

static void test_c1_and_invalid_utf8(void **state)
{
    (void)state;
    /* C1 CSI as a UTF-8 character and as a raw byte */
    assert_string_equal(clean("\xc2\x9b" "31m", 1), "\\u009b31m");
    assert_string_equal(clean("\x9b" "31m", 1), "\\x9b31m");
    /* overlong, surrogate, beyond U+10FFFF, truncated */
    assert_string_equal(clean("\xc0\xaf", 1), "\\xc0\\xaf");
    assert_string_equal(clean("\xed\xa0\x80", 1), "\\xed\\xa0\\x80");
    assert_string_equal(clean("\xf4\x90\x80\x80", 1), "\\xf4\\x90\\x80\\x80");
    assert_string_equal(clean("ok\xe2\x82", 1), "ok\\xe2\\x82");
}

static void test_bidi_and_zero_width(void **state)
{
    (void)state;
    assert_string_equal(clean("a\xe2\x80\xae" "b", 1), "a\\u202eb");   /* RLO */
    assert_string_equal(clean("a\xe2\x80\x8b" "b", 1), "a\\u200bb");   /* ZWSP */
    /* ordinary text passes */
    assert_string_equal(clean("gr\xc3\xbc\xc3\x9f" " \xe6\x97\xa5", 1), "gr\xc3\xbc\xc3\x9f \xe6\x97\xa5");
}

static void test_non_utf8_terminal(void **state)
{
    (void)state;
    assert_string_equal(clean("gr\xc3\xbc", 0), "gr\\xc3\\xbc");
}

static void test_widths(void **state)
{
    (void)state;
    assert_int_equal(ui_text_width("abc", 3, 1), 3);
    assert_int_equal(ui_text_width("\033", 1, 1), 2);          /* ^[ */
    assert_int_equal(ui_text_width("\xe6\x97\xa5", 3, 1), 2);  /* wide */
    assert_int_equal(ui_text_width("a\tb", 3, 1), 9);          /* tab stop 8 */
    int used;
    size_t n = ui_text_fit("\xe6\x97\xa5\xe6\x97\xa5", 6, 1, 3, &used);
    assert_int_equal(n, 3);          /* the second wide glyph does not fit */
    assert_int_equal(used, 2);
}

static void test_find(void **state)
{
    (void)state;
    assert_int_equal(ui_text_find("Hello World", 11, "world", 5), 6);
    assert_int_equal(ui_text_find("Hello", 5, "xyz", 3), -1);
    assert_int_equal(ui_text_find("ab", 2, "abc", 3), -1);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_sequences),
        cmocka_unit_test(test_c1_and_invalid_utf8),
        cmocka_unit_test(test_bidi_and_zero_width),
        cmocka_unit_test(test_non_utf8_terminal),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests_name("tui text", tests, NULL, NULL);
}
