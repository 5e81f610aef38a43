/* fuzz_inert.c - the inert text filters: whatever bytes a container, the
 * engine, a status file or pg_dump produced, what the filter writes to a
 * terminal must not drive it. Property (check_inert): valid UTF-8 only; no
 * C0 control but TAB and LF; no DEL; no C1 control (U+0080-U+009F, as a
 * code point or a raw byte), so no ESC, CSI or OSC can start; no bidi
 * control or zero-width character.
 *
 * The filter is one module (src/util/text.c); the rows of `filters` are its
 * three ways out: the CLI's writer (cli_write_inert), the console's copy
 * (ui_text_sanitize) and dl_inert_copy in an ASCII terminal. The first
 * input byte picks the row and an output size. */
#include "fuzz.h"

#include <locale.h>

#include "../../src/cli/text.h"
#include "../../src/tui/text.h"
#include "deeplens/text.h"

/* Writes the filtered form of in[0..n) to out (size cap); returns its length. */
typedef size_t (*filter_fn)(const char *in, size_t n, char *out, size_t cap);

static size_t via_cli(const char *in, size_t n, char *out, size_t cap)
{
    FILE *f = fmemopen(out, cap, "w");
    long len;
    if (!f)
        abort();
    setvbuf(f, NULL, _IONBF, 0);
    cli_write_inert(f, in, n);
    len = ftell(f);
    fclose(f);
    return len < 0 ? 0 : (size_t)len < cap ? (size_t)len : cap - 1;
}

static size_t via_tui_utf8(const char *in, size_t n, char *out, size_t cap)
{
    ui_text_sanitize(in, n, 1, out, cap);
    return strlen(out);
}

static size_t via_copy_ascii(const char *in, size_t n, char *out, size_t cap)
{
    return dl_inert_copy(out, cap, in, n, 0);
}

static const struct {
    const char *name;
    filter_fn fn;
    int ascii;    /* the output must be ASCII */
} filters[] = {
    {"cli_write_inert", via_cli, 0},
    {"ui_text_sanitize utf8", via_tui_utf8, 0},
    {"dl_inert_copy ascii", via_copy_ascii, 1},
};
#define NFILTERS (sizeof filters / sizeof filters[0])

/* 0 if s[0..n) is inert text, else the offset of the first bad byte + 1. */
static size_t check_inert(const unsigned char *s, size_t n, int ascii)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], cp, len, min;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                return i + 1;
            i++;
            continue;
        }
        if (ascii)
            return i + 1;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return i + 1;
        if (i + len > n)
            return i + 1;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i + 1;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
            return i + 1;
        /* bidi controls and zero-width characters reorder or hide text */
        if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
            (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff)
            return i + 1;
        i += len;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int locale_set;
    unsigned sel = fz_byte(&data, &size);
    size_t cap = size * 12 + 16, len, bad;
    char *out;
    int row = (int)(sel % NFILTERS);

    if (!locale_set) {  /* wcwidth() answers for non-ASCII only in a UTF-8 locale */
        if (!setlocale(LC_CTYPE, "C.UTF-8"))
            setlocale(LC_CTYPE, "");
        locale_set = 1;
    }
    if ((sel & 0x80) && filters[row].fn != via_cli)  /* a short buffer: what is cut */
        cap = (sel & 0x3f) + 1;                        /* must still be inert */
    out = malloc(cap);
    if (!out)
        abort();
    len = filters[row].fn((const char *)data, size, out, cap);
    FZ_CHECK(len < cap);
    bad = check_inert((const unsigned char *)out, len, filters[row].ascii);
    if (bad) {
        fprintf(stderr, "%s: byte 0x%02x at %zu of its output is not inert\n", filters[row].name,
                (unsigned char)out[bad - 1], bad - 1);
        abort();
    }
    free(out);
    return 0;
}
