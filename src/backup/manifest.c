/* manifest.c - parse a backup's manifest (see manifest.h).
 *
 * The text comes from the tenant's share through the job's filter; it is
 * parsed again here as if it were hostile: fixed-size copies, bounded
 * numbers, names kept as given (the CLI writes them inert).
 */
#include <stdlib.h>
#include <string.h>

#include "deeplens/manifest.h"
#include "deeplens/text.h"

/* what JSON output holds exactly; anything else is unknown */
#define MF_NUM_MAX (1LL << 53)
#define VERSION_CHARS "0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

void dl_manifest_clear(dl_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ntables; i++)
        free(m->tables[i].name);
    free(m->tables);
    memset(m, 0, sizeof *m);
    m->database_size = -1;
}

/* a decimal count: digits only, at most MF_NUM_MAX; -1 otherwise */
static long long count(const char *s, const char **end)
{
    long long n = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > MF_NUM_MAX)
            return -1;
    }
    if (end)
        *end = p;
    else if (*p)
        return -1;
    return n;
}

static void copy_word(char *dst, size_t n, const char *v, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(v, *allowed)) {
            snprintf(dst, n, "%s", v);
            return;
        }
}

static int parse_table(dl_manifest *m, const char *v, size_t *cap)
{
    const char *p;
    long long rows = count(v, &p), bytes;
    if (rows < 0 || *p != ' ')
        return -1;
    bytes = count(p + 1, &p);
    if (bytes < 0 || *p != ' ' || !p[1])
        return -1;
    if (m->ntables == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        dl_manifest_table *nv = realloc(m->tables, ncap * sizeof *nv);
        if (!nv)
            dl_oom();
        m->tables = nv;
        *cap = ncap;
    }
    m->tables[m->ntables].rows = rows;
    m->tables[m->ntables].data_bytes = bytes;
    if (!(m->tables[m->ntables].name = strdup(p + 1)))
        dl_oom();
    m->ntables++;
    if (m->total_rows + rows <= MF_NUM_MAX)
        m->total_rows += rows;
    if (m->total_data_bytes + bytes <= MF_NUM_MAX)
        m->total_data_bytes += bytes;
    return 0;
}

int dl_manifest_parse(dl_manifest *m, const char *text, size_t len, dl_err *err)
{
    static const char *const formats[] = {"plain", "custom", NULL};
    static const char *const compressions[] = {"gzip", "zstd", "none", NULL};
    enum { K_VERSION, K_FORMAT, K_COMPRESSION, K_SERVER, K_SIZE, K_DURATION, K_TABLES, K_N };
    static const char *const keys[K_N] = {"version", "format", "compression", "server_version",
                                          "database_size", "duration", "tables"};
    int seen[K_N] = {0};
    size_t cap = 0;
    const char *p = text, *end = text + len;

    dl_manifest_clear(m);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[2048], *v;
        int k;
        if (ll >= sizeof line)
            ll = sizeof line - 1;
        memcpy(line, p, ll);
        line[ll] = '\0';
        p = nl ? nl + 1 : end;
        if (memchr(line, '\0', ll) || !(v = strchr(line, '=')))
            continue;
        *v++ = '\0';
        if (!strcmp(line, "table")) {
            parse_table(m, v, &cap);
            continue;
        }
        for (k = 0; k < K_N && strcmp(line, keys[k]); k++)
            ;
        if (k == K_N || seen[k]++)
            continue;
        switch (k) {
        case K_VERSION:
            m->version = count(v, NULL) == 1 ? 1 : 0;
            break;
        case K_FORMAT:
            copy_word(m->format, sizeof m->format, v, formats);
            break;
        case K_COMPRESSION:
            copy_word(m->compression, sizeof m->compression, v, compressions);
            break;
        case K_SERVER:
            if (strlen(v) < sizeof m->server_version && v[0] >= '0' && v[0] <= '9' &&
                strspn(v, VERSION_CHARS) == strlen(v))
                snprintf(m->server_version, sizeof m->server_version, "%s", v);
            break;
        case K_SIZE:
            m->database_size = count(v, NULL);
            break;
        case K_DURATION: {
            char *e;
            double d = strtod(v, &e);
            m->duration = (*v >= '0' && *v <= '9' && !*e && d >= 0 && d <= 1e9) ? d : 0;
            break;
        }
        case K_TABLES:
            m->tables_declared = count(v, NULL);
            break;
        }
    }
    if (m->version != 1) {
        dl_manifest_clear(m);
        return dl_err_set(err, DL_EPROTO, "manifest has no 'version=1' line");
    }
    m->present = 1;
    return 0;
}
