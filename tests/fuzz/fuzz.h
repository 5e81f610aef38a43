/* fuzz.h - what every tests/fuzz/fuzz_*.c target shares.
 *
 * A target defines LLVMFuzzerTestOneInput and nothing else: the same source
 * is linked with libFuzzer by `make fuzz` (clang, -fsanitize=fuzzer) and
 * with replay.c by the unit build (gcc, ASan+UBSan), which feeds it every
 * file of tests/fuzz/corpus/<target>/ in `make check`. A property that
 * does not hold aborts, so both drivers report it as a crash.
 */
#ifndef DL_FUZZ_H
#define DL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                                 \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__,     \
                    __LINE__);                                                         \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* data[0..n) as a malloc'd NUL-terminated string (it may hold NULs). */
static inline char *fz_str(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* Take the first byte as a selector (0 when empty). */
static inline unsigned fz_byte(const uint8_t **data, size_t *n)
{
    unsigned b = 0;
    if (*n) {
        b = (*data)[0];
        (*data)++;
        (*n)--;
    }
    return b;
}

#endif
