/* testdata.h - find and read tests/unit/docker/data/<name> whatever the
 * working directory: next to this source (relative to the build's cwd), or
 * found by walking up from the test binary (build/.../tests/unit/docker). */
#ifndef DL_TEST_DOCKER_DATA_H
#define DL_TEST_DOCKER_DATA_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *td_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

/* malloc'd, NUL terminated; aborts the test program if missing */
static char *td_read(const char *name, size_t *len)
{
    char path[PATH_MAX], exe[PATH_MAX];
    char *buf;
    ssize_t n;

    snprintf(path, sizeof path, "tests/unit/docker/data/%s", name);
    if ((buf = td_slurp(path, len)))
        return buf;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (char *slash; (slash = strrchr(exe, '/')) && slash != exe;) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/tests/unit/docker/data/%s", exe, name);
            if ((buf = td_slurp(path, len)))
                return buf;
        }
    }
    fprintf(stderr, "test data '%s' not found\n", name);
    abort();
}

#endif
