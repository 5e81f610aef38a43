/* archive.c - files in and out of a container (running or stopped) through
 * /containers/{id}/archive: PUT a tar into a directory, GET a path as a
 * tar, HEAD for the X-Docker-Container-Path-Stat header (base64 JSON with a
 * Go os.FileMode).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Go os.FileMode bits */
#define GO_MODE_DIR     (1u << 31)
#define GO_MODE_SYMLINK (1u << 27)
#define GO_MODE_SETUID  (1u << 23)
#define GO_MODE_SETGID  (1u << 22)
#define GO_MODE_STICKY  (1u << 20)

static int b64val(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

char *dk_base64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s), o = 0;
    unsigned acc = 0;
    int bits = 0;
    char *out = dk_xmalloc(n / 4 * 3 + 4);

    for (size_t i = 0; i < n; i++) {
        int v;
        if (s[i] == '=') {  /* padding: only more padding may follow */
            for (; i < n; i++)
                if (s[i] != '=') {
                    free(out);
                    return NULL;
                }
            break;
        }
        v = b64val((unsigned char)s[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    if (len)
        *len = o;
    return out;
}

int dk_path_stat_decode(const char *header, dk_path_stat *out, dl_err *err)
{
    size_t n;
    char *json;
    cJSON *j;
    unsigned long long m;
    const cJSON *mv;

    memset(out, 0, sizeof *out);
    json = header ? dk_base64_decode(header, &n) : NULL;
    if (!json)
        return dl_err_set(err, DL_EPROTO, "the engine sent no usable path stat header");
    j = dkj_parse(json, n, "a path stat", err);
    free(json);
    if (!j)
        return -1;
    mv = cJSON_GetObjectItemCaseSensitive(j, "mode");
    m = cJSON_IsNumber(mv) && mv->valuedouble >= 0 ? (unsigned long long)mv->valuedouble : 0;
    snprintf(out->name, sizeof out->name, "%s", dkj_str(j, "name"));
    snprintf(out->link_target, sizeof out->link_target, "%s", dkj_str(j, "linkTarget"));
    out->size = dkj_ll(j, "size", 0);
    out->mtime = dk_parse_time(dkj_str(j, "mtime"));
    out->is_dir = (m & GO_MODE_DIR) != 0;
    out->is_link = (m & GO_MODE_SYMLINK) != 0;
    out->mode = (unsigned)(m & 0777) | ((m & GO_MODE_SETUID) ? 04000u : 0) |
                ((m & GO_MODE_SETGID) ? 02000u : 0) | ((m & GO_MODE_STICKY) ? 01000u : 0);
    cJSON_Delete(j);
    return 0;
}

static char *archive_path(const char *container, const char *path, const char *extra)
{
    char *ec = dk_escape(container), *ep = dk_escape(path);
    char *p = dk_xfmt("/containers/%s/archive?path=%s%s", ec, ep, extra ? extra : "");
    free(ec);
    free(ep);
    return p;
}

/* 404 means the container or the path; the body says which (HEAD has no
 * body: ask with an inspect). */
static int archive_error(dk_client *c, const dk_resp *r, const char *doing,
                         const char *container, const char *path, dl_err *err)
{
    char *what = dk_xfmt("%s '%s' in container '%s'", doing, path, container);
    dk_error_from_response(r->status, r->body, r->len, what, err);
    free(what);
    if (r->status == 404) {
        int no_ct = r->body && strstr(r->body, "No such container");
        if (!r->body) {
            dk_container ct;
            dl_err e2;
            if (dk_container_inspect(c, container, &ct, &e2) == 0)
                dk_container_clear(&ct);
            else
                no_ct = e2.kind == DL_ENOTFOUND;
        }
        if (no_ct)
            dl_err_set(err, DL_ENOTFOUND, "no such container '%s'", container);
        else
            dl_err_set(err, DL_ENOTFOUND, "no such file or directory '%s' in container '%s'",
                       path, container);
    } else if (r->body && strstr(r->body, "not a directory")) {
        dl_err_set(err, DL_EINVAL, "'%s' in container '%s' is not a directory", path,
                   container);
    } else if (r->status == 403) {
        dl_err_set(err, DL_EHTTP, "cannot write to '%s' in container '%s': read-only file system",
                   path, container);
    }
    if (err)
        err->http_status = r->status;
    return -1;
}

int dk_archive_put(dk_client *c, const char *container, const char *dir,
                   const char *tar, size_t len, dl_err *err)
{
    char *path = archive_path(container, dir, "&noOverwriteDirNonDir=1");
    dk_resp r;
    int rc = dk_do(c, "PUT", path, tar, len, "application/x-tar", DK_SHORT_TIMEOUT_MS, 0,
                   &r, err);
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        archive_error(c, &r, "copying files to", container, dir, err);
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}

int dk_archive_get(dk_client *c, const char *container, const char *path,
                   size_t cap, char **tar, size_t *len, dl_err *err)
{
    char *p = archive_path(container, path, NULL);
    dk_resp r;
    int rc;

    *tar = NULL;
    *len = 0;
    if (!cap)
        cap = 64u * 1024u * 1024u;
    rc = dk_do(c, "GET", p, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, cap, &r, err);
    free(p);
    if (rc) {
        if (err && err->kind == DL_EPROTO && strstr(err->msg, "larger than"))
            dl_err_set(err, DL_EINVAL, "'%s' in container '%s' is larger than %zu bytes", path,
                       container, cap);
        return -1;
    }
    if (!dk_status_ok(r.status)) {
        archive_error(c, &r, "reading", container, path, err);
        dk_resp_free(&r);
        return -1;
    }
    *tar = r.body ? r.body : dk_xstrdup("");
    *len = r.len;
    r.body = NULL;
    dk_resp_free(&r);
    return 0;
}

int dk_archive_stat(dk_client *c, const char *container, const char *path,
                    dk_path_stat *out, dl_err *err)
{
    char *p = archive_path(container, path, NULL);
    dk_resp r;
    int rc = dk_do(c, "HEAD", p, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);

    memset(out, 0, sizeof *out);
    free(p);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        archive_error(c, &r, "looking up", container, path, err);
        dk_resp_free(&r);
        return -1;
    }
    rc = dk_path_stat_decode(r.path_stat, out, err);
    dk_resp_free(&r);
    return rc;
}

typedef struct first_file {
    char *data;
    size_t len;
    int found, not_regular;
} first_file;

static int take_first(void *ud, const char *name, const char *data, size_t len,
                      unsigned mode, time_t mtime)
{
    first_file *f = ud;
    if ((mode & S_IFMT) != S_IFREG) {
        f->not_regular = 1;
        return 1;
    }
    f->data = dk_xstrndup(data, len);
    f->len = len;
    f->found = 1;
    return 1;
}

int dk_archive_read_file(dk_client *c, const char *container, const char *path,
                         size_t cap, char **data, size_t *len, dl_err *err)
{
    first_file f;
    char *tar;
    size_t tl;

    *data = NULL;
    if (len)
        *len = 0;
    memset(&f, 0, sizeof f);
    if (dk_archive_get(c, container, path, cap ? cap + 4096 : 0, &tar, &tl, err))
        return -1;
    if (dk_tar_walk(tar, tl, take_first, &f, err)) {
        free(tar);
        free(f.data);
        return -1;
    }
    free(tar);
    if (!f.found)
        return dl_err_set(err, DL_EINVAL, "'%s' in container '%s' is not a regular file", path,
                          container);
    if (cap && f.len > cap) {
        free(f.data);
        return dl_err_set(err, DL_EINVAL, "'%s' in container '%s' is larger than %zu bytes",
                          path, container, cap);
    }
    *data = f.data;
    if (len)
        *len = f.len;
    return 0;
}
