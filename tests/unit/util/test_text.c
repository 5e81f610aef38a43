/* test_text.c - the shared text toolkit (src/util/text.c): the inert
 * filter used by the CLI and the console, the UTF-8 helpers and the one
 * size format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deeplens/text.h"
#include "../../../src/cli/text.h"

/* The property every output of the filter has: no byte a terminal
 * interprets (C0 but TAB, DEL, C1 in either form), valid UTF-8 only, no
 * bidi or zero-width code point. */
static void assert_inert(const char *out, size_t n, int utf8)
{
    const unsigned char *p = (const unsigned char *)out;
    size_t i = 0;
    while (i < n) {
        unsigned cp;
        int len;
        assert_true(p[i] == '\t' || (p[i] >= 0x20 && p[i] != 0x7f));
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        assert_true(utf8);
        len = dl_utf8_decode(p + i, n - i, &cp);
        assert_true(len > 0);
        assert_false(cp >= 0x80 && cp < 0xa0);
        assert_false(cp >= 0x202a && cp <= 0x202e);
        assert_false(cp >= 0x2066 && cp <= 0x2069);
        assert_false(cp >= 0x200b && cp <= 0x200f);
        assert_false(cp == 0xfeff);
        i += (size_t)len;
    }
}

static const char *copy(const char *s, int utf8)
{
    static char buf[1024];
    size_t n = dl_inert_copy(buf, sizeof buf, s, strlen(s), utf8);
    assert_int_equal(n, strlen(buf));
    assert_inert(buf, n, utf8);
    return buf;
}

/* What cli_write_inert writes (the CLI's path to stdout and stderr). */
static const char *written(const char *s, size_t n)
{
    static char buf[1024];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    cli_write_inert(f, s, n);
    fclose(f);
    assert_inert(buf, strlen(buf), 1);
    return buf;
}

static void test_osc_and_csi(void **state)
{
    (void)state;
    /* a table name holding OSC 0 (retitle) and a 7-bit CSI */
    assert_string_equal(copy("t\033]0;pwned\007x\033[2J", 1), "t^[]0;pwned^Gx^[[2J");
    assert_string_equal(written("t\033]0;pwned\007x", 12), "t^[]0;pwned^Gx");
}

static void test_c1_controls(void **state)
{
    (void)state;
    /* U+009B CSI, U+009D OSC, U+009C ST as UTF-8, and a raw 0x9b byte */
    assert_string_equal(copy("a\xc2\x9b" "2Jb\xc2\x9d" "0;x\xc2\x9c", 1), "a\\u009b2Jb\\u009d0;x\\u009c");
    assert_string_equal(copy("a\x9b" "2J", 1), "a\\x9b2J");
    assert_string_equal(written("a\xc2\x9b" "2J\x9b", 6), "a\\u009b2J\\x9b");
}

static void test_bidi_and_zero_width(void **state)
{
    (void)state;
    /* RLO, LRI..PDI, ZWSP, ZWJ, BOM, line separator */
    assert_string_equal(copy("ok\xe2\x80\xae" "txt.exe", 1), "ok\\u202etxt.exe");
    assert_string_equal(copy("\xe2\x81\xa6" "a\xe2\x81\xa9", 1), "\\u2066a\\u2069");
    assert_string_equal(copy("a\xe2\x80\x8b" "b\xe2\x80\x8d" "c\xef\xbb\xbf" "d\xe2\x80\xa8", 1),
                        "a\\u200bb\\u200dc\\ufeffd\\u2028");
    assert_string_equal(written("x\xe2\x80\xae" "y", 5), "x\\u202ey");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* overlong, surrogate, above U+10FFFF, truncated at the end */
    assert_string_equal(copy("\xc0\xaf", 1), "\\xc0\\xaf");
    assert_string_equal(copy("\xed\xa0\x80", 1), "\\xed\\xa0\\x80");
    assert_string_equal(copy("\xf4\x90\x80\x80", 1), "\\xf4\\x90\\x80\\x80");
    assert_string_equal(copy("ab\xe2\x82", 1), "ab\\xe2\\x82");
}

static void test_printable_kept(void **state)
{
    (void)state;
    assert_string_equal(copy("grüße, 東京 €", 1), "grüße, 東京 €");
    assert_string_equal(copy("tab\there", 1), "tab here");
    /* outside a UTF-8 locale every non-ASCII byte is escaped: in an 8-bit
     * terminal 0x9b (the second byte of "Û") would be a CSI */
    assert_string_equal(copy("\xc3\x9b", 0), "\\xc3\\x9b");
}

static void test_copy_never_splits_an_escape(void **state)
{
    (void)state;
    char buf[6];
    /* "ab" + "\x9b" needs 6 bytes with the terminator: the escape is left
     * out whole, never cut to "\x9" */
    assert_int_equal(dl_inert_copy(buf, sizeof buf, "ab\x9b" "c", 4, 1), 2);
    assert_string_equal(buf, "ab");
    assert_int_equal(dl_inert_copy(buf, 1, "abc", 3, 1), 0);
    assert_string_equal(buf, "");
}

/* Random bytes: the property holds for anything (a small in-test fuzz;
 * make fuzz runs the long one). */
static void test_random_bytes(void **state)
{
    (void)state;
    unsigned seed = 12345;
    char in[64], out[64 * 4 + 1];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand_r(&seed) % (int)sizeof in);
        for (size_t i = 0; i < n; i++)
            in[i] = (char)(rand_r(&seed) & 0xff);
        size_t o = dl_inert_copy(out, sizeof out, in, n, round & 1);
        assert_inert(out, o, round & 1);
    }
}

static void test_utf8_last(void **state)
{
    (void)state;
    assert_int_equal(dl_utf8_last("ab", 2), 1);
    assert_int_equal(dl_utf8_last("a\xc3\xbc", 3), 2);
    assert_int_equal(dl_utf8_last("\xe6\x9d\xb1", 3), 3);
    assert_int_equal(dl_utf8_last("", 0), 0);
    /* a run of continuation bytes: one backspace takes at most 4 */
    assert_int_equal(dl_utf8_last("\x80\x80\x80\x80\x80", 5), 4);
}

static void test_sizes_iec(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(dl_fmt_size(0, b, sizeof b), "0 B");
    assert_string_equal(dl_fmt_size(-5, b, sizeof b), "0 B");
    assert_string_equal(dl_fmt_size(1023, b, sizeof b), "1023 B");
    assert_string_equal(dl_fmt_size(1024, b, sizeof b), "1.0 KiB");
    assert_string_equal(dl_fmt_size(1536, b, sizeof b), "1.5 KiB");
    assert_string_equal(dl_fmt_size(1024 * 1024 - 1, b, sizeof b), "1.0 MiB");
    assert_true(strlen(dl_fmt_size(1023LL << 50, b, sizeof b)) <= 8);
    assert_string_equal(dl_fmt_size(12LL * 1024 * 1024 + 300 * 1024, b, sizeof b), "12 MiB");
    assert_string_equal(dl_fmt_size(1023LL * 1024 + 100, b, sizeof b), "1023 KiB");
    assert_string_equal(dl_fmt_size(1024LL * 1024 - 200, b, sizeof b), "1.0 MiB");
    assert_string_equal(dl_fmt_size(9LL * 1024 + 1000, b, sizeof b), "10 KiB");
    assert_string_equal(dl_fmt_size(1610612736LL, b, sizeof b), "1.5 GiB");
    /* the CLI and the console print the same words */
    assert_string_equal(cli_fmt_size(1610612736LL, b, sizeof b), "1.5 GiB");
}

static void test_wipe(void **state)
{
    (void)state;
    char secret[16] = "hunter2";
    dl_wipe(secret, sizeof secret);
    for (size_t i = 0; i < sizeof secret; i++)
        assert_int_equal(secret[i], 0);
    dl_wipe(NULL, 4);   /* no-op */
}

static void oom_marker(void)
{
    /* the hook runs before the message: the console restores the
     * terminal here */
    fputs("hook;", stderr);
}

/* dl_oom runs the hook once, prints one line and exits 70 (no abort, no
 * core, no raw terminal left behind). */
static void test_oom(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        setvbuf(stderr, NULL, _IONBF, 0);
        dl_oom_hook(oom_marker);
        dl_oom();
    }
    close(fds[1]);
    char buf[128] = {0};
    size_t got = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)r;
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 70);
    assert_string_equal(buf, "hook;deeplens-backup: out of memory\n");
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osc_and_csi),
        cmocka_unit_test(test_c1_controls),
        cmocka_unit_test(test_bidi_and_zero_width),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_printable_kept),
        cmocka_unit_test(test_copy_never_splits_an_escape),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_utf8_last),
        cmocka_unit_test(test_sizes_iec),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
