/* engines.c - several engines at once (see engines.h).
 *
 * One thread per engine, each with its own context, so the engines are
 * asked concurrently and each is bounded by its own timeouts: the version
 * check first (DL_ENGINE_TIMEOUT_MS), then the list or the status pass.
 * The merge and the lookups are pure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deeplens/engines.h"
#include "deeplens/text.h"
#include "internal.h"

struct engine_job {
    const dl_engine *e;
    const dl_spec *site;
    dl_engines_read what;
    dl_engine_answer *ans;
};

struct version_wait {
    int done;
    dl_err err;
    dk_version v;
};

static void version_done(void *ud, const dk_version *v, const dl_err *err)
{
    struct version_wait *w = ud;
    w->done = 1;
    if (err)
        w->err = *err;
    else
        w->v = *v;
}

static double since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int ask(struct engine_job *j, dl_ctx *ctx)
{
    dl_engine_answer *a = j->ans;
    struct version_wait w;
    dk_req *req;

    memset(&w, 0, sizeof w);
    dl_err_clear(&w.err);
    req = dk_version_async(ctx->dk, DL_ENGINE_TIMEOUT_MS, version_done, &w, &a->err);
    if (!req)
        return -1;
    while (!w.done)
        if (dk_client_poll(ctx->dk, -1, 500) < 0)
            return dl_err_set(&a->err, DL_ESYS, "event loop failed");
    if (w.err.kind != DL_OK) {
        a->err = w.err;
        return -1;
    }
    a->version = w.v;
    if (j->what == DL_ENGINES_STATUS)
        return dl_status_all(ctx, 8, &a->st, &a->n, &a->err);
    return dl_list(ctx, &a->st, &a->n, &a->err);
}

static void *engine_thread(void *p)
{
    struct engine_job *j = p;
    dl_engine_answer *a = j->ans;
    struct timespec t0;
    dl_ctx ctx;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    dl_err_clear(&a->err);
    if (dl_ctx_open(&ctx, &j->e->ep, j->site, &a->err) == 0) {
        a->ok = ask(j, &ctx) == 0;
        dl_ctx_close(&ctx);
    }
    if (a->ok)
        for (size_t i = 0; i < a->n; i++)
            snprintf(a->st[i].engine, sizeof a->st[i].engine, "%s", j->e->name);
    a->seconds = since(&t0);
    return NULL;
}

size_t dl_engines_read_all(const dl_engine *e, size_t ne, const dl_spec *site,
                           dl_engines_read what, dl_engine_answer *ans)
{
    struct engine_job jobs[DL_ENGINES_MAX];
    pthread_t th[DL_ENGINES_MAX];
    int started[DL_ENGINES_MAX];
    size_t ok = 0;

    if (ne > DL_ENGINES_MAX)
        ne = DL_ENGINES_MAX;
    memset(ans, 0, ne * sizeof *ans);
    for (size_t i = 0; i < ne; i++) {
        jobs[i] = (struct engine_job){&e[i], site, what, &ans[i]};
        started[i] = pthread_create(&th[i], NULL, engine_thread, &jobs[i]) == 0;
        if (!started[i])   /* no thread: ask it here, still bounded by its timeouts */
            engine_thread(&jobs[i]);
    }
    for (size_t i = 0; i < ne; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        ok += ans[i].ok != 0;
    }
    return ok;
}

void dl_engine_answers_clear(dl_engine_answer *ans, size_t ne)
{
    for (size_t i = 0; i < ne; i++) {
        dl_statuses_free(ans[i].st, ans[i].n);
        ans[i].st = NULL;
        ans[i].n = 0;
    }
}

/* ---- merge ------------------------------------------------------------------ */

struct merged {
    dl_status st;
    size_t engine;
};

static int cmp_merged(const void *a, const void *b)
{
    const struct merged *x = a, *y = b;
    int c = strcmp(x->st.spec.tenant, y->st.spec.tenant);
    if (c)
        return c;
    return x->engine < y->engine ? -1 : x->engine > y->engine;
}

size_t dl_engines_merge(dl_engine_answer *ans, size_t ne, dl_status **out, size_t *n)
{
    size_t total = 0, k = 0, conflicts = 0;
    struct merged *m;
    dl_status *v;

    for (size_t i = 0; i < ne; i++)
        total += ans[i].n;
    m = calloc(total ? total : 1, sizeof *m);
    v = calloc(total ? total : 1, sizeof *v);
    if (!m || !v)
        dl_oom();
    for (size_t i = 0; i < ne; i++) {
        for (size_t j = 0; j < ans[i].n; j++) {
            m[k].st = ans[i].st[j];   /* takes over files */
            m[k++].engine = i;
        }
        free(ans[i].st);
        ans[i].st = NULL;
        ans[i].n = 0;
    }
    qsort(m, total, sizeof *m, cmp_merged);
    for (size_t i = 0; i < total;) {
        size_t j = i + 1;
        while (j < total && !strcmp(m[j].st.spec.tenant, m[i].st.spec.tenant))
            j++;
        for (size_t x = i; x < j; x++)
            m[x].st.conflict = j - i > 1;
        conflicts += j - i > 1;
        i = j;
    }
    for (size_t i = 0; i < total; i++)
        v[i] = m[i].st;
    free(m);
    *out = v;
    *n = total;
    return conflicts;
}

size_t dl_engines_find(const dl_engine_answer *ans, size_t ne, const char *tenant, size_t *idx,
                       size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < ans[i].n; j++)
            if (!strcmp(ans[i].st[j].spec.tenant, tenant)) {
                if (found < max)
                    idx[found] = i;
                found++;
                break;
            }
    return found;
}

int dl_engine_name_check(const char *field, const char *name, dl_err *err)
{
    size_t len = strlen(name);
    char q[96];
    if (len == 0)
        return dl_err_set(err, DL_EINVAL, "invalid %s '': empty", field);
    if (len >= DL_ENGINE_NAME_MAX)
        return dl_err_set(err, DL_EINVAL, "invalid %s '%s': longer than %d characters", field,
                          dl_inert(name, 60, q, sizeof q), DL_ENGINE_NAME_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
            return dl_err_set(err, DL_EINVAL,
                              "invalid %s '%s': letters, digits, '_', '.' and '-' only, "
                              "starting with a letter or digit",
                              field, dl_inert(name, 60, q, sizeof q));
    }
    return 0;
}

const char *dl_engine_ro_how(const char *name, const char *read_only, char *buf, size_t n)
{
    if (!strcmp(read_only, DL_ENGINE_RO_OPTION))
        snprintf(buf, n, "%s %s", DL_ENGINE_RO_OPTION, name);
    else
        snprintf(buf, n, "%s", read_only);
    return buf;
}
