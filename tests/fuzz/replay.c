/* replay.c - a main() for a fuzz target without libFuzzer: every file of
 * the directories (or the files) named on the command line goes through
 * LLVMFuzzerTestOneInput once, in name order. Prints TAP: one line per
 * argument; a crash or a failed property aborts (under ASan+UBSan in the
 * unit build). Used by tests/run.sh --unit to replay tests/fuzz/corpus.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    if (!f)
        return -1;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got);
    fclose(f);
    /* an exact-size copy, so that ASan sees every byte read past the end */
    {
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact)
            abort();
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int failed = 0;
    printf("1..%d\n", argc - 1);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        size_t n = 0, cap = 0, ran = 0;
        char **names = NULL;
        if (stat(argv[i], &st) != 0) {
            printf("not ok %d - %s: cannot read\n", i, argv[i]);
            failed = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    names = realloc(names, cap * sizeof *names);
                    if (!names)
                        abort();
                }
                names[n++] = strdup(e->d_name);
            }
            if (d)
                closedir(d);
            qsort(names, n, sizeof *names, by_name);
            for (size_t k = 0; k < n; k++) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], names[k]);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path) == 0)
                    ran++;
                free(names[k]);
            }
            free(names);
        } else if (run_file(argv[i]) == 0) {
            ran = 1;
        }
        if (ran) {
            printf("ok %d - %s: %zu inputs\n", i, argv[i], ran);
        } else {
            printf("not ok %d - %s: no inputs\n", i, argv[i]);
            failed = 1;
        }
        fflush(stdout);
    }
    return failed;
}
