/* fleet_multi.c - one fleet over several engines (see fleet.h).
 *
 * A plain fleet per engine, each on its own context; the owner's loop waits
 * on all of them at once (dk_clients_poll). The merged rows are shallow
 * copies of the engines' rows, tagged with the engine, rebuilt whenever an
 * engine's generation moved (a plain fleet bumps it on every change of its
 * rows, so a copy is never read after its original changed); they are never
 * cleared, only their array freed. An engine that is down keeps its last
 * rows, shown as "unreachable".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_multi.h"
#include "internal.h"
#include "deeplens/text.h"

struct fleet_multi {
    size_t n;
    dl_engine e[DL_ENGINES_MAX];
    dl_ctx *ctx[DL_ENGINES_MAX];      /* [0] the owner's, the others own[i] */
    dl_ctx own[DL_ENGINES_MAX];
    dl_fleet *sub[DL_ENGINES_MAX];
    unsigned long seen[DL_ENGINES_MAX];
    int down[DL_ENGINES_MAX];         /* its error, as last merged */
    int built;
    dl_status *rows;                  /* shallow copies */
    size_t nrows;
    unsigned long gen;
    char error[700];
};

fleet_multi *fm_new(dl_ctx *ctx, const dl_engine *e, size_t n, dl_err *err)
{
    fleet_multi *m;
    if (n < 2 || n > DL_ENGINES_MAX) {
        dl_err_set(err, DL_EINVAL, "a fleet over several engines needs 2 to %d, not %zu",
                   DL_ENGINES_MAX, n);
        return NULL;
    }
    m = calloc(1, sizeof *m);
    if (!m)
        dl_oom();
    m->n = n;
    for (size_t i = 0; i < n; i++) {
        m->e[i] = e[i];
        if (i == 0) {
            m->ctx[0] = ctx;
        } else if (dl_ctx_open(&m->own[i], &e[i].ep, &ctx->site, err) < 0) {
            for (size_t j = 1; j < i; j++) {
                dl_fleet_free(m->sub[j]);
                dl_ctx_close(&m->own[j]);
            }
            dl_fleet_free(m->sub[0]);
            free(m);
            return NULL;
        } else {
            m->ctx[i] = &m->own[i];
        }
        m->sub[i] = dl_fleet_new(m->ctx[i]);
    }
    return m;
}

void fm_free(fleet_multi *m)
{
    for (size_t i = 0; i < m->n; i++) {
        dl_fleet_free(m->sub[i]);
        if (i)
            dl_ctx_close(&m->own[i]);
    }
    free(m->rows);
    free(m);
}

void fm_start(fleet_multi *m)
{
    for (size_t i = 0; i < m->n; i++)
        dl_fleet_start(m->sub[i]);
}

int fm_tick(fleet_multi *m, time_t now)
{
    int t = 60000;
    for (size_t i = 0; i < m->n; i++) {
        int ti = dl_fleet_tick(m->sub[i], now);
        if (ti < t)
            t = ti;
    }
    return t;
}

void fm_refresh(fleet_multi *m)
{
    for (size_t i = 0; i < m->n; i++)
        dl_fleet_refresh(m->sub[i]);
}

void fm_relist(fleet_multi *m)
{
    for (size_t i = 0; i < m->n; i++)
        dl_fleet_relist(m->sub[i]);
}

void fm_refresh_one(fleet_multi *m, const char *tenant)
{
    for (size_t i = 0; i < m->n; i++)
        if (dl_fleet_find(m->sub[i], tenant))
            dl_fleet_refresh_one(m->sub[i], tenant);
}

unsigned long fm_generation(const fleet_multi *m)
{
    unsigned long g = 0;
    for (size_t i = 0; i < m->n; i++)
        g += dl_fleet_generation(m->sub[i]);
    return g;
}

const char *fm_error(fleet_multi *m, time_t *next_retry)
{
    size_t off = 0;
    time_t next = 0;
    for (size_t i = 0; i < m->n; i++) {
        time_t t;
        const char *e = dl_fleet_error(m->sub[i], &t);
        if (!e)
            return NULL;   /* one engine answers: the console is live */
        if (!next || t < next)
            next = t;
        if (off < sizeof m->error)
            off += (size_t)snprintf(m->error + off, sizeof m->error - off, "%s%s: %s",
                                    i ? "; " : "no engine answers: ", m->e[i].name, e);
    }
    if (next_retry)
        *next_retry = next;
    return m->error;
}

const dk_version *fm_engine(const fleet_multi *m)
{
    for (size_t i = 0; i < m->n; i++)
        if (!dl_fleet_error(m->sub[i], NULL) && dl_fleet_engine(m->sub[i]))
            return dl_fleet_engine(m->sub[i]);
    return NULL;
}

int fm_loading(const fleet_multi *m)
{
    /* until every engine has listed or failed: a down engine never lists */
    for (size_t i = 0; i < m->n; i++)
        if (dl_fleet_loading(m->sub[i]) && !dl_fleet_error(m->sub[i], NULL))
            return 1;
    return 0;
}

/* ---- the merged rows ----------------------------------------------------------- */

static int cmp_rows(const void *a, const void *b)
{
    const dl_status *x = a, *y = b;
    int c = strcmp(x->spec.tenant, y->spec.tenant);
    return c ? c : strcmp(x->engine, y->engine);
}

static void rebuild(fleet_multi *m)
{
    int stale = !m->built;
    size_t total = 0, k = 0;
    for (size_t i = 0; i < m->n; i++) {
        int down = dl_fleet_error(m->sub[i], NULL) != NULL;
        if (dl_fleet_generation(m->sub[i]) != m->seen[i] || down != m->down[i])
            stale = 1;
    }
    if (!stale)
        return;
    for (size_t i = 0; i < m->n; i++)
        total += dl_fleet_count(m->sub[i]);
    free(m->rows);
    m->rows = calloc(total ? total : 1, sizeof *m->rows);
    if (!m->rows)
        dl_oom();
    for (size_t i = 0; i < m->n; i++) {
        const char *err = dl_fleet_error(m->sub[i], NULL);
        m->seen[i] = dl_fleet_generation(m->sub[i]);
        m->down[i] = err != NULL;
        for (size_t j = 0; j < dl_fleet_count(m->sub[i]); j++) {
            dl_status *r = &m->rows[k++];
            *r = *dl_fleet_at(m->sub[i], j);   /* shallow: files stay the engine's */
            snprintf(r->engine, sizeof r->engine, "%s", m->e[i].name);
            r->conflict = 0;
            if (err) {
                snprintf(r->state, sizeof r->state, "unreachable");
                r->health = DL_HEALTH_UNKNOWN;
                snprintf(r->health_reason, sizeof r->health_reason,
                         "engine '%s' unreachable (last known values): %s", m->e[i].name, err);
            }
        }
    }
    qsort(m->rows, k, sizeof *m->rows, cmp_rows);
    for (size_t i = 0; i + 1 < k; i++)
        if (!strcmp(m->rows[i].spec.tenant, m->rows[i + 1].spec.tenant))
            m->rows[i].conflict = m->rows[i + 1].conflict = 1;
    m->nrows = k;
    m->built = 1;
}

size_t fm_count(fleet_multi *m)
{
    rebuild(m);
    return m->nrows;
}

const dl_status *fm_at(fleet_multi *m, size_t i)
{
    rebuild(m);
    return i < m->nrows ? &m->rows[i] : NULL;
}

const dl_status *fm_find(fleet_multi *m, const char *tenant)
{
    rebuild(m);
    for (size_t i = 0; i < m->nrows; i++)
        if (!strcmp(m->rows[i].spec.tenant, tenant))
            return &m->rows[i];
    return NULL;
}

int fm_poll(fleet_multi *m, int extra_fd, int timeout_ms)
{
    dk_client *c[DL_ENGINES_MAX];
    for (size_t i = 0; i < m->n; i++)
        c[i] = m->ctx[i]->dk;
    return dk_clients_poll(c, m->n, extra_fd, timeout_ms);
}

size_t fm_engines(const fleet_multi *m)
{
    return m->n;
}

const char *fm_engine_name(const fleet_multi *m, size_t i)
{
    return i < m->n ? m->e[i].name : "";
}

const char *fm_engine_error(const fleet_multi *m, size_t i)
{
    return i < m->n ? dl_fleet_error(m->sub[i], NULL) : NULL;
}

const dk_version *fm_engine_version(const fleet_multi *m, size_t i)
{
    return i < m->n ? dl_fleet_engine(m->sub[i]) : NULL;
}

dl_ctx *fm_ctx_of(fleet_multi *m, const char *tenant, dl_err *err)
{
    size_t at = 0, found = 0;
    char names[600] = "";
    for (size_t i = 0; i < m->n; i++)
        if (dl_fleet_find(m->sub[i], tenant)) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s'%s'", found ? " and " : "",
                     m->e[i].name);
            if (!found)
                at = i;
            found++;
        }
    if (found == 1)
        return m->ctx[at];
    if (found > 1)
        dl_err_set(err, DL_ECONFLICT,
                   "tenant '%s' is on %zu engines, %s: start the console on one (-H ENGINE) "
                   "to act on it",
                   tenant, found, names);
    else
        dl_err_set(err, DL_EINVAL,
                   "several engines: start the console on the one for '%s' (-H ENGINE) to "
                   "create it there",
                   tenant);
    return NULL;
}

/* The engine named `engine`, to create tenant on: refused when the name is no
 * engine's, or when the tenant is listed on another engine (one name on two
 * engines is a conflict). */
dl_ctx *fm_ctx_on(fleet_multi *m, const char *engine, const char *tenant, dl_err *err)
{
    size_t at = m->n;
    for (size_t i = 0; i < m->n; i++)
        if (engine && !strcmp(m->e[i].name, engine))
            at = i;
    if (at == m->n) {
        dl_err_set(err, DL_EINVAL, "engine '%s': no such engine in this console", engine ? engine : "");
        return NULL;
    }
    for (size_t i = 0; tenant && i < m->n; i++)
        if (i != at && dl_fleet_find(m->sub[i], tenant)) {
            dl_err_set(err, DL_ECONFLICT,
                       "tenant '%s' is on engine '%s': a second one on '%s' would be a conflict",
                       tenant, m->e[i].name, m->e[at].name);
            return NULL;
        }
    return m->ctx[at];
}
