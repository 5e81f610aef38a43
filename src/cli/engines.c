/* engines.c - the command line over several engines (see engines.h).
 *
 * The engines are chosen once, in setup, before any engine call; every
 * address is parsed (and every context read) then, so a bad one is an error
 * naming it before anything is asked. The read commands ask all engines at
 * once (dl_engines_read_all) and print the merged rows; an action asks all
 * engines where its tenant is and then runs the one-engine handler there.
 */
#include "engines.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "json.h"
#include "deeplens/text.h"

static const dl_engine_conf *conf_engine(const dl_config *c, const char *name)
{
    for (int i = 0; i < c->nengines; i++)
        if (!strcmp(c->engines[i].name, name))
            return &c->engines[i];
    return NULL;
}

static int add(cli_engines *m, const char *name, const dk_env *env0, const char *host,
               const char *context, dl_err *err)
{
    dk_env env = *env0;
    dl_engine *e;
    char q[96];

    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->e[i].name, name))
            return dl_err_set(err, DL_EINVAL, "engine '%s' is given twice",
                              dl_inert(name, 60, q, sizeof q));
    if (m->n == DL_ENGINES_MAX)
        return dl_err_set(err, DL_EINVAL, "too many engines (at most %d)", DL_ENGINES_MAX);
    e = &m->e[m->n];
    env.host_opt = host;
    env.context_opt = context;
    if (dk_endpoint_resolve(&e->ep, &env, err) < 0) {
        dl_err_prefix(err, "engine '%s'", dl_inert(name, 60, q, sizeof q));
        return -1;
    }
    if (strlen(name) >= sizeof e->name)
        return dl_err_set(err, DL_EINVAL,
                          "engine '%s': the address is too long to be its name; "
                          "name it with -H NAME=ADDRESS",
                          dl_inert(name, 60, q, sizeof q));
    snprintf(e->name, sizeof e->name, "%s", name);
    m->n++;
    return 0;
}

static int add_conf(cli_engines *m, const dl_engine_conf *c, const dk_env *env, dl_err *err)
{
    if (add(m, c->name, env, c->host[0] ? c->host : NULL, c->context[0] ? c->context : NULL,
            err) < 0)
        return -1;
    if (c->read_only)
        m->e[m->n - 1].read_only = DL_ENGINE_RO_CONFIG;
    return 0;
}

/* -H VALUE: a config engine's name, NAME=ADDRESS, or an address */
static int add_host(cli_engines *m, const dl_config *cfg, const char *v, const dk_env *env,
                    dl_err *err)
{
    const dl_engine_conf *c = conf_engine(cfg, v);
    const char *eq = strchr(v, '=');
    if (c)
        return add_conf(m, c, env, err);
    if (eq && (size_t)(eq - v) < strcspn(v, ":/")) {   /* named() */
        char name[DL_ENGINE_NAME_MAX + 1];
        if ((size_t)(eq - v) >= sizeof name)
            return dl_err_set(err, DL_EINVAL, "invalid engine name in -H '%s': too long", v);
        memcpy(name, v, (size_t)(eq - v));
        name[eq - v] = '\0';
        if (dl_engine_name_check("engine name in -H", name, err) < 0)
            return -1;
        return add(m, name, env, eq + 1, NULL, err);
    }
    return add(m, v, env, v, NULL, err);
}

/* -H NAME=ADDRESS */
static int named(const cli_engine_arg *g)
{
    const char *eq = strchr(g->v, '=');
    return g->opt == OPT_HOST && eq && (size_t)(eq - g->v) < strcspn(g->v, ":/");
}

static void engine_names(const cli_engines *m, char *buf, size_t cap);

/* --read-only-engine NAME...: each names an engine of this invocation (or an
 * engine line of the config that is not used now); else an error naming it. */
static int mark_read_only(cli_engines *m, const cli_args *a, const dl_config *cfg, dl_err *err)
{
    for (int i = 0; i < a->nro_engines; i++) {
        const char *name = a->ro_engines[i];
        size_t k = 0;
        char names[800], q[96];
        while (k < m->n && strcmp(m->e[k].name, name))
            k++;
        if (k < m->n) {
            m->e[k].read_only = DL_ENGINE_RO_OPTION;
            continue;
        }
        if (conf_engine(cfg, name))
            continue;   /* a config engine not used by this command */
        dl_inert(name, 60, q, sizeof q);
        if (!m->n)
            return dl_err_set(err, DL_EINVAL,
                              "unknown engine '%s' in --read-only-engine: the one engine has no "
                              "name (name engines with -H NAME=ADDRESS or engine lines in the "
                              "config)",
                              q);
        engine_names(m, names, sizeof names);
        return dl_err_set(err, DL_EINVAL,
                          "unknown engine '%s' in --read-only-engine: the engines are %s", q,
                          names);
    }
    return 0;
}

int cli_engines_setup(cli_run *r, const dk_env *env, dl_err *err)
{
    static cli_engines m;
    const cli_args *a = r->a;
    const dl_config *cfg = &r->cfg;

    if (cfg->nengines == 0 &&
        (a->nengines == 0 || (a->nengines == 1 && !named(&a->engines[0])))) {
        memset(&m, 0, sizeof m);
        if (mark_read_only(&m, a, cfg, err) < 0)   /* no engine has a name */
            return -1;
        return 0;   /* exactly as with one engine before */
    }
    memset(&m, 0, sizeof m);
    if (a->nengines == 0) {
        for (int i = 0; i < cfg->nengines; i++)
            if (add_conf(&m, &cfg->engines[i], env, err) < 0)
                return -1;
    } else {
        for (int i = 0; i < a->nengines; i++) {
            const cli_engine_arg *g = &a->engines[i];
            const dl_engine_conf *c = conf_engine(cfg, g->v);
            int rc = g->opt == OPT_HOST ? add_host(&m, cfg, g->v, env, err)
                     : c                ? add_conf(&m, c, env, err)
                                        : add(&m, g->v, env, NULL, g->v, err);
            if (rc < 0)
                return -1;
        }
    }
    if (mark_read_only(&m, a, cfg, err) < 0)
        return -1;
    if (m.n == 1) {
        r->ep = m.e[0].ep;
        r->engine = &m.e[0];
        return 1;
    }
    r->multi = &m;
    return 1;
}

/* ---- reports ------------------------------------------------------------- */

/* `deeplens-backup: <msg>` on stderr, inert (cli_fail) */
static void say(const char *msg)
{
    dl_err e;
    dl_err_clear(&e);
    snprintf(e.msg, sizeof e.msg, "%s", msg);
    cli_fail(&e);
}

/* One stderr line per unreachable engine and per tenant in conflict; the
 * exit code: 3 unreachable, else 5 conflict, else 0. */
static int report(const cli_engines *m, const dl_engine_answer *ans, const dl_status *v, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char list[600] = "";
        size_t j = i;
        if (!v[i].conflict || (i && !strcmp(v[i - 1].spec.tenant, v[i].spec.tenant)))
            continue;
        for (; j < n && !strcmp(v[j].spec.tenant, v[i].spec.tenant); j++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s'%s'", used ? ", " : "", v[j].engine);
        }
        char msg[1000];
        snprintf(msg, sizeof msg,
                 "conflict: tenant '%s' is on several engines: %s (an action on it needs -H ENGINE)",
                 v[i].spec.tenant, list);
        say(msg);
        rc = dl_errkind_exit_code(DL_ECONFLICT);
    }
    for (size_t i = 0; i < m->n; i++)
        if (!ans[i].ok) {
            char msg[800];
            snprintf(msg, sizeof msg, "engine '%s' unreachable: %s", m->e[i].name, ans[i].err.msg);
            say(msg);
            rc = dl_errkind_exit_code(DL_ECONN);
        }
    return rc;
}

static void engine_names(const cli_engines *m, char *buf, size_t cap)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->n && off < cap; i++)
        off += (size_t)snprintf(buf + off, cap - off, "%s%s", i ? ", " : "", m->e[i].name);
}

/* ---- list, status, metrics -------------------------------------------------- */

int cli_multi_list(cli_run *r)
{
    cli_engines *m = r->multi;
    dl_engine_answer ans[DL_ENGINES_MAX];
    dl_status *v = NULL;
    size_t n = 0;
    dl_err err;
    int rc = 0;

    dl_err_clear(&err);
    dl_engines_read_all(m->e, m->n, &r->cfg.site, DL_ENGINES_LIST, ans);
    dl_engines_merge(ans, m->n, &v, &n);
    if (r->a->val[OPT_JSON])
        rc = cli_json_statuses(stdout, v, n, time(NULL), &err) < 0 ? cli_fail(&err) : 0;
    else
        cli_print_list(&r->out, v, n, time(NULL));
    fflush(stdout);
    if (!rc)
        rc = report(m, ans, v, n);
    dl_statuses_free(v, n);
    dl_engine_answers_clear(ans, m->n);
    return rc;
}

/* The engine of `tenant` among the answers: its index, or -1 with err. */
static int find_engine(const cli_engines *m, const dl_engine_answer *ans, const char *tenant,
                       int creating, dl_err *err)
{
    size_t idx[DL_ENGINES_MAX], found = dl_engines_find(ans, m->n, tenant, idx, DL_ENGINES_MAX);
    char names[800], down[900] = "";

    if (found == 1)
        return (int)idx[0];
    if (found > 1) {
        size_t off = 0;
        names[0] = '\0';
        for (size_t i = 0; i < found && i < DL_ENGINES_MAX; i++)
            off += (size_t)snprintf(names + off, sizeof names - off, "%s'%s'",
                                    i ? (i + 1 == found ? " and " : ", ") : "", m->e[idx[i]].name);
        return dl_err_set(err, DL_ECONFLICT,
                          "tenant '%s' is on %zu engines, %s: name the one to use with -H ENGINE",
                          tenant, found, names);
    }
    engine_names(m, names, sizeof names);
    for (size_t i = 0; i < m->n; i++)
        if (!ans[i].ok) {
            snprintf(down, sizeof down, "engine '%s' is unreachable (%s)", m->e[i].name,
                     ans[i].err.msg);
            break;
        }
    if (creating)
        return dl_err_set(err, DL_EINVAL,
                          "several engines (%s): name the one to create tenant '%s' on with "
                          "-H ENGINE",
                          names, tenant);
    if (down[0])
        return dl_err_set(err, DL_ECONN, "tenant '%s' not found on the engines that answered; %s",
                          tenant, down);
    return dl_err_set(err, DL_ENOTFOUND, "no backup configured for tenant '%s' on any engine (%s)",
                      tenant, names);
}

static void warn_down(const cli_engines *m, const dl_engine_answer *ans, const char *tenant,
                      size_t at)
{
    char msg[1200];
    for (size_t i = 0; i < m->n; i++)
        if (!ans[i].ok) {
            snprintf(msg, sizeof msg, "warning: engine '%s' unreachable (%s); using '%s' on '%s'",
                     m->e[i].name, ans[i].err.msg, tenant, m->e[at].name);
            say(msg);
        }
}

int cli_multi_route(cli_run *r, dl_err *err)
{
    cli_engines *m = r->multi;
    dl_engine_answer ans[DL_ENGINES_MAX];
    const char *tenant = r->a->npos > 0 ? r->a->pos[0] : NULL;
    int at, creating = !strcmp(r->a->cmd->name, "provision");

    if (!tenant) {
        char names[800];
        engine_names(m, names, sizeof names);
        return dl_err_set(err, DL_EINVAL, "'%s' works on one engine: name it with -H ENGINE (%s)",
                          r->a->cmd->name, names);
    }
    dl_engines_read_all(m->e, m->n, &r->cfg.site, DL_ENGINES_LIST, ans);
    at = find_engine(m, ans, tenant, creating, err);
    if (at >= 0) {
        warn_down(m, ans, tenant, (size_t)at);
        r->ep = m->e[at].ep;
        r->engine = &m->e[at];
    }
    dl_engine_answers_clear(ans, m->n);
    return at < 0 ? -1 : 0;
}

static int status_named(cli_run *r)
{
    cli_engines *m = r->multi;
    const cli_args *a = r->a;
    dl_engine_answer ans[DL_ENGINES_MAX];
    dl_status *v = calloc((size_t)a->npos, sizeof *v);
    size_t n = 0;
    dl_err err;
    int rc = 0;

    if (!v)
        dl_oom();
    dl_engines_read_all(m->e, m->n, &r->cfg.site, DL_ENGINES_LIST, ans);
    for (int i = 0; i < a->npos; i++) {
        dl_ctx ctx;
        int at;
        dl_err_clear(&err);
        at = find_engine(m, ans, a->pos[i], 0, &err);
        if (at >= 0 && dl_ctx_open(&ctx, &m->e[at].ep, &r->cfg.site, &err) == 0) {
            int got = dl_status_get(&ctx, a->pos[i], &v[n], &err);
            dl_ctx_close(&ctx);
            if (got == 0) {
                snprintf(v[n].engine, sizeof v[n].engine, "%s", m->e[at].name);
                n++;
                continue;
            }
            dl_status_clear(&v[n]);
        }
        if (!rc)
            rc = cli_fail(&err);
        else
            cli_fail(&err);
    }
    dl_engine_answers_clear(ans, m->n);
    return cli_print_statuses(r, v, n, rc, NULL);
}

int cli_multi_status(cli_run *r)
{
    cli_engines *m = r->multi;
    dl_engine_answer ans[DL_ENGINES_MAX];
    dl_status *v = NULL;
    size_t n = 0;
    dl_err err;
    int rc = 0;
    time_t now;

    dl_err_clear(&err);
    for (int i = 0; i < r->a->npos; i++) {
        const char *t;
        if (cli_tenant_arg(r, i, &t, &err) < 0)
            return cli_fail(&err);
    }
    if (r->a->npos)
        return status_named(r);
    dl_engines_read_all(m->e, m->n, &r->cfg.site, DL_ENGINES_STATUS, ans);
    dl_engines_merge(ans, m->n, &v, &n);
    now = time(NULL);
    if (r->a->val[OPT_JSON]) {
        if (cli_json_statuses(stdout, v, n, now, &err) < 0)
            rc = cli_fail(&err);
    } else if (n == 0) {
        fputs("no tenant backups found\n", stdout);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputc('\n', stdout);
            cli_print_status(&r->out, &v[i], now);
        }
    }
    fflush(stdout);
    if (!rc)
        rc = report(m, ans, v, n);
    for (size_t i = 0; !rc && i < n; i++)
        if (v[i].health != DL_HEALTH_OK)
            rc = CLI_EXIT_UNHEALTHY;
    dl_statuses_free(v, n);
    dl_engine_answers_clear(ans, m->n);
    return rc;
}

int cli_multi_metrics(cli_run *r)
{
    cli_engines *m = r->multi;
    const char *dir = r->a->val[OPT_TEXTFILE];
    dl_engine_answer ans[DL_ENGINES_MAX];
    dl_metrics_engine up[DL_ENGINES_MAX];
    dl_status *v = NULL;
    size_t n = 0, len = 0;
    char *text = NULL;
    FILE *out;
    dl_err err;
    int rc;

    dl_err_clear(&err);
    dl_engines_read_all(m->e, m->n, &r->cfg.site, DL_ENGINES_STATUS, ans);
    dl_engines_merge(ans, m->n, &v, &n);
    for (size_t i = 0; i < m->n; i++)
        up[i] = (dl_metrics_engine){m->e[i].name, ans[i].ok};
    out = dir ? open_memstream(&text, &len) : stdout;
    if (!out)
        dl_oom();
    rc = dl_metrics_print(out, v, n, up, m->n, &err);
    if (dir) {
        if (fclose(out) != 0 && rc == 0)
            rc = dl_err_set(&err, DL_ESYS, "writing metrics failed");
        if (rc == 0)
            rc = dl_metrics_save(dir, text, len, &err);
        free(text);
    }
    fflush(stdout);
    rc = rc < 0 ? cli_fail(&err) : report(m, ans, v, n);
    dl_statuses_free(v, n);
    dl_engine_answers_clear(ans, m->n);
    return rc;
}
