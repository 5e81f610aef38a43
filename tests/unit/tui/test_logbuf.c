/* test_logbuf.c - the Logs tab's bounded ring (src/tui/logbuf.c): limits on
 * lines and bytes, laps around the arena, pieces joined, long lines cut,
 * search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/tui/logbuf.h"

static void add(ui_logbuf *b, const char *s)
{
    ui_logbuf_append(b, s, strlen(s), 0, 1);
}

static void assert_line(ui_logbuf *b, uint64_t seq, const char *want)
{
    size_t len;
    const char *s = ui_logbuf_line(b, seq, &len, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(s, want, len);
}

static void test_line_limit(void **state)
{
    (void)state;
    ui_logbuf *b = ui_logbuf_new(3, 1024);
    char line[32];
    for (int i = 0; i < 10; i++) {
        snprintf(line, sizeof line, "line %d", i);
        add(b, line);
    }
    assert_int_equal(ui_logbuf_end(b), 10);
    assert_int_equal(ui_logbuf_first(b), 7);
    assert_line(b, 7, "line 7");
    assert_line(b, 9, "line 9");
    assert_null(ui_logbuf_line(b, 6, NULL, NULL, NULL));
    ui_logbuf_free(b);
}

/* Many laps around a small arena: every kept line intact, bytes bounded. */
static void test_byte_limit_and_laps(void **state)
{
    (void)state;
    ui_logbuf *b = ui_logbuf_new(1000, 256);
    char line[64];
    srand(7);
    for (int i = 0; i < 5000; i++) {
        int pad = rand() % 40;
        snprintf(line, sizeof line, "%d:%.*s", i, pad, "........................................");
        add(b, line);
        assert_true(ui_logbuf_bytes(b) <= 256);
        uint64_t first = ui_logbuf_first(b), end = ui_logbuf_end(b);
        assert_true(end - first >= 1);
        for (uint64_t s = first; s < end; s++) {
            size_t len;
            const char *t = ui_logbuf_line(b, s, &len, NULL, NULL);
            assert_non_null(t);
            assert_true(len >= 2);
            assert_int_equal(atoi(t), (int)s);     /* the line is still its own */
        }
    }
    ui_logbuf_free(b);
}

static void test_pieces_and_cut(void **state)
{
    (void)state;
    ui_logbuf *b = ui_logbuf_new(10, 64);      /* lines up to 16 bytes */
    ui_logbuf_append(b, "abc", 3, 1, 2);
    ui_logbuf_append(b, "def", 3, 0, 2);
    int stream, flags;
    size_t len;
    const char *s = ui_logbuf_line(b, 0, &len, &stream, &flags);
    assert_int_equal(len, 6);
    assert_memory_equal(s, "abcdef", 6);
    assert_int_equal(stream, 2);
    assert_int_equal(flags, 0);
    for (int i = 0; i < 5; i++) ui_logbuf_append(b, "0123456789", 10, 1, 1);
    ui_logbuf_append(b, "", 0, 0, 1);
    s = ui_logbuf_line(b, 1, &len, NULL, &flags);
    assert_int_equal(len, 16);
    assert_true(flags & UI_LOG_CUT);
    add(b, "after");
    assert_line(b, 2, "after");
    ui_logbuf_free(b);
}

static void test_clear_and_find(void **state)
{
    (void)state;
    ui_logbuf *b = ui_logbuf_new(100, 4096);
    add(b, "alpha one");
    add(b, "beta");
    add(b, "ALPHA two");
    assert_int_equal(ui_logbuf_find(b, 2, -1, "alpha"), 2);
    assert_int_equal(ui_logbuf_find(b, 1, -1, "alpha"), 0);
    assert_int_equal(ui_logbuf_find(b, 1, 1, "alpha"), 2);
    assert_true(ui_logbuf_find(b, 0, 1, "gamma") == UINT64_MAX);
    ui_logbuf_clear(b);
    assert_int_equal(ui_logbuf_first(b), ui_logbuf_end(b));
    add(b, "again");
    assert_line(b, 3, "again");
    ui_logbuf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_byte_limit_and_laps),
        cmocka_unit_test(test_pieces_and_cut),
        cmocka_unit_test(test_clear_and_find),
    };
    return cmocka_run_group_tests_name("tui logbuf", tests, NULL, NULL);
}
