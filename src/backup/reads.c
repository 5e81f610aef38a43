/* reads.c - read-only views of tenant backups: list, status, files, logs.
 *
 * `list` costs one engine request whatever the number of tenants (the
 * labels carry the configuration, the engine's health probe the coarse
 * health). `status` adds the job's status file, read through the archive
 * API - no process is started in the container - with a bounded number of
 * reads in flight when all tenants are asked for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "deeplens/text.h"

int dl_find_tenant(dl_ctx *ctx, const char *tenant, char *name, size_t n,
                   dk_container *ct, dl_err *err)
{
    dk_container *v = NULL;
    size_t nv = 0;
    char filter[256];
    dl_err e2;

    if (dl_validate_tenant(tenant, err) < 0)
        return -1;
    snprintf(name, n, "%s%s", ctx->site.prefix, tenant);
    dl_err_clear(&e2);
    if (dk_container_inspect(ctx->dk, name, ct, &e2) == 0) {
        if (dk_container_label(ct, DL_LABEL_PREFIX "tenant"))
            return 0;
        dk_container_clear(ct);
        return dl_err_set(err, DL_ECONFLICT,
                          "container '%s' exists but is not a deeplens backup "
                          "container (no " DL_LABEL_PREFIX "tenant label)", name);
    }
    if (e2.kind != DL_ENOTFOUND) {
        *err = e2;
        return -1;
    }
    {   /* swarm: a service of that name (service.c) */
        int svc = dl_svc_find(ctx, name, name, n, ct, err);
        if (svc != 0)
            return svc < 0 ? -1 : 0;
    }
    /* provisioned with another prefix: find it by its label */
    snprintf(filter, sizeof filter, "{\"label\":[\"" DL_LABEL_PREFIX "tenant=%s\"]}",
             tenant);
    if (dk_containers_list(ctx->dk, filter, 1, &v, &nv, err) < 0)
        return -1;
    for (size_t i = 0; i < nv; i++) {
        if (dk_container_inspect(ctx->dk, v[i].id, ct, err) == 0) {
            snprintf(name, n, "%s", ct->name);
            dk_containers_free(v, nv);
            return 0;
        }
    }
    dk_containers_free(v, nv);
    return dl_err_set(err, DL_ENOTFOUND, "no backup configured for tenant '%s'",
                      tenant);
}

static int cmp_tenant(const void *a, const void *b)
{
    const dl_status *x = a, *y = b;
    return strcmp(x->spec.tenant, y->spec.tenant);
}

int dl_list(dl_ctx *ctx, dl_status **out, size_t *n, dl_err *err)
{
    dk_container *v = NULL;
    size_t nv = 0, k = 0;
    time_t now = time(NULL);
    dl_status *st;

    *out = NULL;
    *n = 0;
    if (dk_containers_list(ctx->dk, dl_container_filter(), 1, &v, &nv, err) < 0)
        return -1;
    st = calloc(nv ? nv : 1, sizeof *st);
    if (!st)
        dl_oom();
    for (size_t i = 0; i < nv; i++) {
        dl_err skip;
        if (dl_status_from_container(&st[k], &v[i], &skip) < 0)
            continue; /* labels edited by hand: not ours to show */
        dl_health_eval(&st[k], now);
        k++;
    }
    dk_containers_free(v, nv);
    if (dl_svc_list_append(ctx, &st, &k, err) < 0) {   /* swarm services (service.c) */
        dl_statuses_free(st, k);
        return -1;
    }
    qsort(st, k, sizeof *st, cmp_tenant);
    *out = st;
    *n = k;
    return 0;
}

/* ---- status file reads ---------------------------------------------------- */

struct read_req {
    dl_status_read_fn done;
    void *ud;
    char container[160];
    time_t started_at;
};

struct tar_find {
    const char *data;
    size_t len;
    int found;
};

static int tar_first_file(void *ud, const char *name, const char *data,
                          size_t len, unsigned mode, time_t mtime)
{
    struct tar_find *f = ud;
    (void)name;
    (void)mtime;
    if (mode & 040000)
        return 0;
    f->data = data;
    f->len = len;
    f->found = 1;
    return 1;
}

static void read_done(void *ud, const char *tar, size_t len, const dl_err *err)
{
    struct read_req *rr = ud;
    struct tar_find f = {0};
    dl_err e;

    if (!err && tar && dk_tar_walk(tar, len, tar_first_file, &f, &e) == 0 && f.found)
        rr->done(rr->ud, rr->container, 1, f.data, f.len, rr->started_at);
    else
        rr->done(rr->ud, rr->container, 0, NULL, 0, rr->started_at);
    free(rr);
}

static dk_req *status_read_submit(dl_ctx *ctx, const char *container, time_t started_at,
                                  dl_status_read_fn done, void *ud, dl_err *err)
{
    struct read_req *rr = calloc(1, sizeof *rr);
    dk_req *r;

    if (!rr)
        dl_oom();
    rr->done = done;
    rr->ud = ud;
    rr->started_at = started_at;
    snprintf(rr->container, sizeof rr->container, "%s", container);
    r = dk_archive_get_async(ctx->dk, container, DL_JOB_STATUS, 15000, 1 << 20, read_done, rr,
                             err);
    if (!r)
        free(rr);
    return r;
}

struct probe_req {
    dl_ctx *ctx;
    int fresh;
    dl_status_read_fn done;
    void *ud;
    char container[160];
};

/* Output of a probe by this version of the job: the verdict line, then
 * "version=N" and the rest of the status summary. */
static int probe_has_status(const char *out)
{
    return out && (!strncmp(out, "version=", 8) || strstr(out, "\nversion="));
}

static void probe_done(void *ud, const dk_container *ct, const dl_err *err)
{
    struct probe_req *pr = ud;
    time_t started_at = ct ? ct->started_at : 0;
    dl_err e;

    if (!err && !pr->fresh && probe_has_status(ct->health_log)) {
        pr->done(pr->ud, pr->container, 1, ct->health_log, strlen(ct->health_log),
                 ct->started_at);
    } else if (!status_read_submit(pr->ctx, pr->container, started_at, pr->done, pr->ud,
                                   &e)) {
        pr->done(pr->ud, pr->container, 0, NULL, 0, started_at);
    }
    free(pr);
}

dk_req *dl_status_probe_async(dl_ctx *ctx, const char *container, int fresh,
                              dl_status_read_fn done, void *ud, dl_err *err)
{
    struct probe_req *pr = calloc(1, sizeof *pr);
    dk_req *r;

    if (!pr)
        dl_oom();
    pr->ctx = ctx;
    pr->fresh = fresh;
    pr->done = done;
    pr->ud = ud;
    snprintf(pr->container, sizeof pr->container, "%s", container);
    r = dk_container_inspect_async(ctx->dk, container, 15000, 4 << 20, probe_done, pr, err);
    if (!r)
        free(pr);
    return r;
}

int dl_status_get(dl_ctx *ctx, const char *tenant, dl_status *out, dl_err *err)
{
    dk_container ct = {0};
    char name[160], *data = NULL;
    size_t len = 0;
    dl_err e2;

    memset(out, 0, sizeof *out);
    if (dl_find_tenant(ctx, tenant, name, sizeof name, &ct, err) < 0)
        return -1;
    if (dl_status_from_container(out, &ct, err) < 0) {
        dk_container_clear(&ct);
        return -1;
    }
    dk_container_clear(&ct);
    if (dk_archive_read_file(ctx->dk, name, DL_JOB_STATUS, 1 << 20, &data, &len,
                             &e2) == 0) {
        dl_status_parse_job(out, data, len, &e2);
        free(data);
    }
    dl_health_eval(out, time(NULL));
    return 0;
}

struct all_state {
    dl_status *st;
    size_t n, next, inflight;
};

static void all_read_done(void *ud, const char *container, int ok,
                          const char *text, size_t len, time_t started_at)
{
    struct all_state *a = ud;
    a->inflight--;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->st[i].container, container)) {
            dl_err e;
            if (started_at > 0)
                a->st[i].started_at = started_at;
            if (ok)
                dl_status_parse_job(&a->st[i], text, len, &e);
            return;
        }
}

int dl_status_all(dl_ctx *ctx, int concurrency, dl_status **out, size_t *n,
                  dl_err *err)
{
    struct all_state a = {0};
    time_t now;

    if (concurrency <= 0)
        concurrency = 8;
    if (dl_list(ctx, &a.st, &a.n, err) < 0)
        return -1;
    while (a.next < a.n || a.inflight > 0) {
        while (a.next < a.n && a.inflight < (size_t)concurrency) {
            dl_status *s = &a.st[a.next++];
            dl_err e;
            if (strcmp(s->state, "running") && strcmp(s->state, "exited") &&
                strcmp(s->state, "created"))
                continue;
            if (dl_status_probe_async(ctx, s->container, 0, all_read_done, &a, &e))
                a.inflight++;
        }
        if (a.inflight && dk_client_poll(ctx->dk, -1, 1000) < 0) {
            dl_statuses_free(a.st, a.n);
            return dl_err_set(err, DL_ESYS, "event loop failed");
        }
    }
    now = time(NULL);
    for (size_t i = 0; i < a.n; i++)
        dl_health_eval(&a.st[i], now);
    *out = a.st;
    *n = a.n;
    return 0;
}

/* ---- exec helpers ----------------------------------------------------------- */

int dl_logfmt_get(const char *line, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    const char *p = line;

    while ((p = strstr(p, key)) != NULL) {
        if ((p == line || p[-1] == ' ') && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t k = 0;
            if (*v == '"') {
                for (v++; *v && *v != '"' && k + 1 < n; v++) {
                    if (*v == '\\' && v[1])
                        v++;
                    out[k++] = *v;
                }
            } else {
                while (*v && *v != ' ' && k + 1 < n)
                    out[k++] = *v++;
            }
            out[k] = '\0';
            return 0;
        }
        p += kl;
    }
    if (n)
        out[0] = '\0';
    return -1;
}

struct exec_lines {
    dk_linebuf lb[2];
    dl_progress_fn progress;
    void *ud;
    char *last;
    size_t nlast;
};

static int exec_line(void *ud, const char *line, size_t n, int continued)
{
    struct exec_lines *x = ud;
    char buf[4096];
    (void)continued;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, line, n);
    buf[n] = '\0';
    if (n && buf[n - 1] == '\r')
        buf[n - 1] = '\0';
    if (x->last && (strstr(buf, "result=") || strstr(buf, "reason=")))
        snprintf(x->last, x->nlast, "%s", buf);
    if (x->progress)
        x->progress(x->ud, DL_STEP_INFO, buf);
    return 0;
}

static int exec_data(void *ud, int stream, const char *p, size_t n)
{
    struct exec_lines *x = ud;
    return dk_linebuf_feed(&x->lb[stream == 2], p, n, exec_line, x);
}

int dl_exec_lines(dl_ctx *ctx, const char *container, const char *const *cmd,
                  const char *user, dl_progress_fn progress, void *ud,
                  int *exit_code, char *last_line, size_t n, dl_err *err)
{
    struct exec_lines x = {.progress = progress, .ud = ud, .last = last_line,
                           .nlast = n};
    dk_exec_opts o = {.cmd = cmd, .user = user};
    int rc;

    if (last_line && n)
        last_line[0] = '\0';
    dk_linebuf_init(&x.lb[0], 8192);
    dk_linebuf_init(&x.lb[1], 8192);
    rc = dk_exec_run(ctx->dk, container, &o, exec_data, &x, exit_code, err);
    dk_linebuf_flush(&x.lb[0], exec_line, &x);
    dk_linebuf_flush(&x.lb[1], exec_line, &x);
    dk_linebuf_free(&x.lb[0]);
    dk_linebuf_free(&x.lb[1]);
    return rc;
}

/* ---- files -------------------------------------------------------------------- */

void dl_files_clear(dl_files *f)
{
    if (!f)
        return;
    free(f->files);
    memset(f, 0, sizeof *f);
}

int dl_files_list(dl_ctx *ctx, const char *tenant, dl_files *out, dl_err *err)
{
    static const char *const cmd[] = {DL_JOB_SCRIPT, "--list", NULL};
    dk_container ct = {0};
    char name[160], *so = NULL, *se = NULL;
    size_t cap = 0;
    int code = -1;

    memset(out, 0, sizeof *out);
    if (dl_find_tenant(ctx, tenant, name, sizeof name, &ct, err) < 0)
        return -1;
    dk_container_clear(&ct);
    dk_exec_opts o = {.cmd = cmd};
    if (dk_exec_capture(ctx->dk, name, &o, &so, &se, 4 << 20, &code, err) < 0) {
        if (err->kind == DL_ECONFLICT || err->http_status == 409)
            dl_err_set(err, DL_ECONFLICT,
                       "container '%s' is not running: start it to list files",
                       name);
        return -1;
    }
    if (code != 0) {
        dl_err_set(err, DL_EFAIL, "listing backup files in '%s' failed: %s",
                   name, se && *se ? se : "no message");
        free(so);
        free(se);
        return -1;
    }
    for (char *line = so ? strtok(so, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            char v[32];
            if (dl_logfmt_get(line, "total_kb", v, sizeof v) == 0)
                out->disk_total_kb = atoll(v);
            if (dl_logfmt_get(line, "used_kb", v, sizeof v) == 0)
                out->disk_used_kb = atoll(v);
            if (dl_logfmt_get(line, "free_kb", v, sizeof v) == 0)
                out->disk_free_kb = atoll(v);
            continue;
        }
        dl_file f = {0};
        char fname[160], sum[16];
        long long size, mtime, tables, rows;
        if (sscanf(line, "%159s %lld %lld %15s", fname, &size, &mtime, sum) != 4)
            continue;
        snprintf(f.name, sizeof f.name, "%s", fname);
        f.size = size;
        f.mtime = (time_t)mtime;
        f.has_checksum = strcmp(sum, "none") != 0;
        /* "tables rows" of its manifest, "- -" without one (older jobs: nothing) */
        if (sscanf(line, "%*s %*s %*s %*s %lld %lld", &tables, &rows) == 2 && tables >= 0 &&
            rows >= 0 && tables <= (1LL << 53) && rows <= (1LL << 53)) {
            f.has_manifest = 1;
            f.tables = tables;
            f.rows = rows;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 32;
            dl_file *nv = realloc(out->files, cap * sizeof *nv);
            if (!nv)
                dl_oom();
            out->files = nv;
        }
        out->files[out->n++] = f;
    }
    free(so);
    free(se);
    return 0;
}

/* ---- logs ----------------------------------------------------------------------- */

struct dl_log_stream {
    dk_req *req;
    dk_linebuf lb[2];
    dl_line_fn on_line;
    dl_log_end_fn on_end;
    void *ud;
    int stream;
};

static int log_line(void *ud, const char *line, size_t n, int continued)
{
    dl_log_stream *ls = ud;
    return ls->on_line(ls->ud, line, n, continued, ls->stream);
}

static int log_data(void *ud, int stream, const char *p, size_t n)
{
    dl_log_stream *ls = ud;
    ls->stream = stream == 2 ? 2 : 1;
    return dk_linebuf_feed(&ls->lb[stream == 2], p, n, log_line, ls);
}

static void log_done(void *ud, dk_req *r)
{
    dl_log_stream *ls = ud;
    dl_err e;
    int failed;

    dl_err_clear(&e);
    failed = dk_req_result(r, &e) < 0;
    ls->stream = 1;
    dk_linebuf_flush(&ls->lb[0], log_line, ls);
    ls->stream = 2;
    dk_linebuf_flush(&ls->lb[1], log_line, ls);
    ls->req = NULL;
    if (ls->on_end)
        ls->on_end(ls->ud, failed ? &e : NULL);
    dk_linebuf_free(&ls->lb[0]);
    dk_linebuf_free(&ls->lb[1]);
    free(ls);
}

static dl_log_stream *logs_open(dl_ctx *ctx, const char *container, const char *service,
                                int tty, int follow, long tail, int timestamps,
                                dl_line_fn on_line, dl_log_end_fn on_end, void *ud, dl_err *err)
{
    dl_log_stream *ls;
    dk_logs_opts o = {.stdout_ = 1, .stderr_ = 1, .follow = follow,
                      .timestamps = timestamps, .tail = tail, .tty = tty};

    ls = calloc(1, sizeof *ls);
    if (!ls)
        dl_oom();
    ls->on_line = on_line;
    ls->on_end = on_end;
    ls->ud = ud;
    dk_linebuf_init(&ls->lb[0], 64 * 1024);
    dk_linebuf_init(&ls->lb[1], 64 * 1024);
    ls->req = service ? dk_service_logs_open(ctx->dk, service, &o, log_data, log_done, ls, err)
                      : dk_logs_open(ctx->dk, container, &o, log_data, log_done, ls, err);
    if (!ls->req) {
        dk_linebuf_free(&ls->lb[0]);
        dk_linebuf_free(&ls->lb[1]);
        free(ls);
        return NULL;
    }
    return ls;
}

dl_log_stream *dl_logs_open(dl_ctx *ctx, const char *tenant, int follow, long tail,
                            int timestamps, dl_line_fn on_line, dl_log_end_fn on_end,
                            void *ud, dl_err *err)
{
    dk_container ct = {0};
    char name[160], svc[160] = "";
    int tty;

    if (dl_find_tenant(ctx, tenant, name, sizeof name, &ct, err) < 0)
        return NULL;
    tty = ct.tty;
    if (dl_svc_is(&ct))   /* a service: its tasks' logs */
        snprintf(svc, sizeof svc, "%s", dl_svc_name(&ct));
    dk_container_clear(&ct);
    return logs_open(ctx, name, svc[0] ? svc : NULL, tty, follow, tail, timestamps, on_line,
                     on_end, ud, err);
}

dl_log_stream *dl_logs_open_container(dl_ctx *ctx, const char *container, int follow,
                                      long tail, int timestamps, dl_line_fn on_line,
                                      dl_log_end_fn on_end, void *ud, dl_err *err)
{
    return logs_open(ctx, container, NULL, 0, follow, tail, timestamps, on_line, on_end, ud,
                     err);
}

dl_log_stream *dl_logs_open_row(dl_ctx *ctx, const dl_status *st, int follow, long tail,
                                int timestamps, dl_line_fn on_line, dl_log_end_fn on_end,
                                void *ud, dl_err *err)
{
    return logs_open(ctx, st->container, st->service[0] ? st->service : NULL, 0, follow, tail,
                     timestamps, on_line, on_end, ud, err);
}

void dl_log_stream_close(dl_log_stream *s)
{
    if (s && s->req)
        dk_cancel(s->req);   /* log_done runs on_end and frees s */
}
