/* fuzz_logfmt.c - the logfmt reader (dl_logfmt_get, src/backup/reads.c)
 * that takes reason=, deleted=, db_size=, *_kb= from the job's output
 * lines. The first byte picks the key and the output buffer size; the rest
 * is the line. Property: the value fits the buffer, NUL terminated. */
#include "fuzz.h"

#include "../../src/backup/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"reason", "deleted", "db_size", "total_kb",
                                       "used_kb", "free_kb", "result", "ts"};
    unsigned sel = fz_byte(&data, &size);
    const char *key = keys[sel % 8];
    size_t n = (sel >> 3) * 8 + 1;  /* 1..249 */
    char *line = fz_str(data, size), *out = malloc(n);

    if (!out)
        abort();
    if (dl_logfmt_get(line, key, out, n) == 0)
        FZ_CHECK(memchr(out, '\0', n) != NULL);
    free(out);
    free(line);
    return 0;
}
