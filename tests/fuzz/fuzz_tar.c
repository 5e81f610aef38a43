/* fuzz_tar.c - the tar reader (dk_tar_walk, src/docker/tar.c) over an
 * archive body as the engine (or a hostile container's files) could send
 * it. Properties: every entry's data lies inside the input; names are NUL
 * terminated; each byte handed over is read (so ASan sees over-reads). */
#include "fuzz.h"

#include "deeplens/docker.h"

typedef struct span {
    const char *lo, *hi;
    unsigned sum;
} span;

static int entry(void *ud, const char *name, const char *data, size_t len, unsigned mode,
                 time_t mtime)
{
    span *s = ud;
    (void)mode;
    (void)mtime;
    s->sum += (unsigned)strlen(name);
    if (len) {
        FZ_CHECK(data >= s->lo && data + len <= s->hi);
        for (size_t i = 0; i < len; i++)
            s->sum += (unsigned char)data[i];
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    span s = {(const char *)data, (const char *)data + size, 0};
    dl_err err;
    dk_tar_walk((const char *)data, size, entry, &s, &err);
    return 0;
}
