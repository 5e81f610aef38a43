/* service.c - a tenant backup as a Swarm service (provision --swarm).
 *
 * On a swarm manager the tenant's backup is a replicated service (1 replica)
 * named like the container would be. What a container gets copied in before
 * its first start comes from swarm objects instead, so that whichever node
 * runs the task has it:
 *   - the pgpass line is a secret, <name>-pgpass-<gen>, mounted 0400 as
 *     /run/secrets/deeplens-pgpass (PGPASSFILE points there; the password is
 *     in no Env);
 *   - a signed webhook's shared secret is a second secret, <name>-hook-<gen>,
 *     mounted 0400 as /run/secrets/deeplens-webhook (DEEPLENS_WEBHOOK_SECRET
 *     points the job there; the secret is in no Env or label);
 *   - the job's files (scripts, backup.conf, crontab) are one tar in a
 *     config, <name>-job-<gen>, unpacked by the task's command before the
 *     entrypoint runs;
 *   - the backup volume is defined in the service's mount, with the driver
 *     options of the tenant's target (NFS, or the local bind form), so any
 *     node makes the same volume.
 * The service's labels carry the configuration as a container's do, plus
 * the generation <gen>, which reschedule raises: a new secret and config,
 * the service updated to them, the old ones removed (rotation). Reads and job
 * runs go to the running task's container, found through the task list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeplens/text.h"
#include "internal.h"

#define SVC_LABEL_SERVICE "com.docker.swarm.service.name"
#define SVC_LABEL_GEN     DL_LABEL_PREFIX "swarm_generation"
#define SVC_PGPASS        "/run/secrets/deeplens-pgpass"
#define SVC_HOOK_TARGET   "deeplens-webhook"
#define SVC_HOOK          "/run/secrets/" SVC_HOOK_TARGET
#define SVC_JOB_TAR       "/deeplens-job.tar"
#define SVC_HEALTH_INTERVAL_S 30

/* ---- constraints -------------------------------------------------------------- */

int dl_validate_constraint(const char *c, dl_err *err)
{
    const char *p = c, *op;
    static const char *const keys[] = {"node.id", "node.hostname", "node.role",
                                       "node.platform.os", "node.platform.arch", NULL};
    size_t kl;
    int ok = 0;

    if (!c || !*c || strlen(c) > 200)
        goto bad;
    op = strstr(c, "==");
    if (!op)
        op = strstr(c, "!=");
    if (!op)
        goto bad;
    kl = (size_t)(op - c);
    while (kl && c[kl - 1] == ' ')
        kl--;
    for (int i = 0; keys[i]; i++)
        if (strlen(keys[i]) == kl && !strncmp(c, keys[i], kl))
            ok = 1;
    if (!ok && (!strncmp(c, "node.labels.", 12) || !strncmp(c, "engine.labels.", 14))) {
        const char *k = c + (c[0] == 'n' ? 12 : 14);
        ok = k < c + kl;
        for (; ok && k < c + kl; k++)
            ok = (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                 (*k >= '0' && *k <= '9') || *k == '.' || *k == '-' || *k == '_';
    }
    if (!ok)
        goto bad;
    p = op + 2;
    while (*p == ' ')
        p++;
    if (!*p)
        goto bad;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            goto bad;
    return 0;
bad:
    {
        char shown[64];
        dl_inert(c ? c : "", 200, shown, sizeof shown);
        return dl_err_set(err, DL_EINVAL,
                          "invalid --constraint '%s': expected node.role==manager, "
                          "node.hostname!=NAME, node.labels.KEY==VALUE (node.id, "
                          "node.platform.os, node.platform.arch, engine.labels.KEY; == or !=)",
                          shown);
    }
}

/* ---- finding the service and its task ------------------------------------------- */

int dl_svc_is(const dk_container *ct)
{
    return ct && dk_container_label(ct, SVC_LABEL_SERVICE) != NULL;
}

const char *dl_svc_name(const dk_container *ct)
{
    return ct ? dk_container_label(ct, SVC_LABEL_SERVICE) : NULL;
}

static const char *kv_get(const dk_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].key, key))
            return kv[i].value;
    return NULL;
}

static void kv_set(dk_kv **kv, size_t *n, const char *key, const char *value)
{
    dk_kv *nv = realloc(*kv, (*n + 1) * sizeof *nv);
    if (!nv)
        dl_oom();
    nv[*n].key = strdup(key);
    nv[*n].value = strdup(value);
    if (!nv[*n].key || !nv[*n].value)
        dl_oom();
    *kv = nv;
    (*n)++;
}

/* A task whose container runs: swarm says "starting" until the first health
 * probe (start period + interval, minutes), "running" after. */
static int task_up(const dk_task *t)
{
    return (!strcmp(t->state, "running") || !strcmp(t->state, "starting")) &&
           t->container_id[0] && !strcmp(t->desired_state, "running");
}

/* The newest task that runs (else the newest one): its index or -1. */
static long pick_task(const dk_task *t, size_t n)
{
    long best = -1, newest = -1;
    for (size_t i = 0; i < n; i++) {
        if (newest < 0 || t[i].version > t[newest].version)
            newest = (long)i;
        if (task_up(&t[i]) && (best < 0 || t[i].version > t[best].version))
            best = (long)i;
    }
    return best >= 0 ? best : newest;
}

/* ct for a service whose task has no running container: the service's name,
 * the task's state and message (t may be NULL: no task yet). */
static void svc_no_container(const dk_service *sv, const dk_task *t, dk_container *ct)
{
    char status[300];
    memset(ct, 0, sizeof *ct);
    ct->name = strdup(sv->name);
    ct->state = strdup(t ? t->state : "pending");
    snprintf(status, sizeof status, "service task %s%s%s", t ? t->state : "pending",
             t && t->message[0] ? ": " : "", t ? t->message : "");
    ct->status = strdup(status);
    ct->health = strdup("");
    ct->image = strdup("");
    if (!ct->name || !ct->state || !ct->status || !ct->health || !ct->image)
        dl_oom();
}

/* ct from the service and its task: the task container's inspect (state,
 * health, name) when one runs, with the service's labels. */
static int svc_container(dl_ctx *ctx, const dk_service *sv, dk_container *ct, dl_err *err)
{
    dk_task *t = NULL;
    size_t nt = 0;
    long k;
    int have = 0;

    memset(ct, 0, sizeof *ct);
    if (dk_tasks_list(ctx->dk, sv->id, &t, &nt, err) < 0)
        return -1;
    k = pick_task(t, nt);
    if (k >= 0 && task_up(&t[k])) {
        dl_err e2;
        if (dk_container_inspect(ctx->dk, t[k].container_id, ct, &e2) == 0)
            have = 1;
    }
    if (!have)
        svc_no_container(sv, k >= 0 ? &t[k] : NULL, ct);
    dk_tasks_free(t, nt);
    /* the configuration lives on the service, not on its task's container */
    dl_labels_free(ct->labels, ct->nlabels);
    ct->labels = NULL;
    ct->nlabels = 0;
    for (size_t i = 0; i < sv->nlabels; i++)
        kv_set(&ct->labels, &ct->nlabels, sv->labels[i].key, sv->labels[i].value);
    kv_set(&ct->labels, &ct->nlabels, SVC_LABEL_SERVICE, sv->name);
    return 0;
}

int dl_svc_find(dl_ctx *ctx, const char *service, char *name, size_t n, dk_container *ct,
                dl_err *err)
{
    dk_service sv;
    dl_err e2;

    if (dk_service_inspect(ctx->dk, service, &sv, &e2) < 0) {
        if (e2.kind == DL_ENOTFOUND || e2.http_status == 503)
            return 0;   /* no such service, or no swarm here */
        *err = e2;
        return -1;
    }
    if (!kv_get(sv.labels, sv.nlabels, DL_LABEL_PREFIX "tenant")) {
        dk_service_clear(&sv);
        return dl_err_set(err, DL_ECONFLICT,
                          "service '%s' exists but is not a deeplens backup service (no "
                          DL_LABEL_PREFIX "tenant label)", service);
    }
    if (svc_container(ctx, &sv, ct, err) < 0) {
        dk_service_clear(&sv);
        return -1;
    }
    snprintf(name, n, "%s", ct->name);
    dk_service_clear(&sv);
    return 1;
}

int dl_svc_list_append(dl_ctx *ctx, dl_status **st, size_t *k, dl_err *err)
{
    dk_service *v = NULL;
    size_t nv = 0;
    dl_err e2;

    if (dk_services_list(ctx->dk, dl_container_filter(), &v, &nv, &e2) < 0) {
        if (e2.http_status == 503)
            return 0;   /* not a swarm manager: no services to show */
        *err = e2;
        return -1;
    }
    if (nv) {
        dl_status *ns = realloc(*st, (*k + nv) * sizeof *ns);
        if (!ns)
            dl_oom();
        *st = ns;
    }
    for (size_t i = 0; i < nv; i++) {
        dk_container ct;
        dl_err skip;
        memset(&(*st)[*k], 0, sizeof **st);
        if (svc_container(ctx, &v[i], &ct, &skip) < 0)
            continue;
        if (dl_status_from_container(&(*st)[*k], &ct, &skip) == 0)
            (*k)++;
        dk_container_clear(&ct);
    }
    dk_services_free(v, nv);
    return 0;
}

/* ---- the service spec ----------------------------------------------------------- */

/* Everything a service spec points into. */
typedef struct svc_plan {
    dl_container_plan cp;          /* the job's files (no credentials) and labels */
    dk_kv *labels;
    size_t nlabels;
    dl_volume_opts vo;
    int nvo;
    dk_kv vlabels[2];
    dk_file_ref secrets[2], config;   /* [0] the pgpass, [1] the webhook's (when signed) */
    size_t nsecrets;
    char secret_name[200], config_name[200], secret_id[65], config_id[65];
    char hook_name[200], hook_id[65];
    const char *command[4];
    const char *env[6];
    const char *health[3];
    dk_service_spec spec;
} svc_plan;

static void names_for(const char *svc, long gen, svc_plan *p)
{
    snprintf(p->secret_name, sizeof p->secret_name, "%s-pgpass-%ld", svc, gen);
    snprintf(p->config_name, sizeof p->config_name, "%s-job-%ld", svc, gen);
    snprintf(p->hook_name, sizeof p->hook_name, "%s-hook-%ld", svc, gen);
}

/* 1 when a secret of service svc is its webhook secret (<svc>-hook-<gen>). */
static int is_hook_secret(const char *svc, const char *name)
{
    size_t l = strlen(svc);
    return !strncmp(name, svc, l) && !strncmp(name + l, "-hook-", 6);
}

static void plan_free(svc_plan *p)
{
    dl_container_plan_free(&p->cp);
    dl_labels_free(p->labels, p->nlabels);
    p->labels = NULL;
    p->nlabels = 0;
}

/* The plan's spec once its secret and config exist (ids set). */
static int plan_build(svc_plan *p, const dl_spec *s, const char *svc, long gen,
                      const char *const *constraints, dl_err *err)
{
    char g[24];
    memset(p, 0, sizeof *p);
    names_for(svc, gen, p);
    if (dl_container_plan_build_nocreds(&p->cp, s, err) < 0)
        return -1;
    for (size_t i = 0; i < p->cp.nlabels; i++)
        kv_set(&p->labels, &p->nlabels, p->cp.labels[i].key, p->cp.labels[i].value);
    snprintf(g, sizeof g, "%ld", gen);
    kv_set(&p->labels, &p->nlabels, SVC_LABEL_GEN, g);
    p->nvo = dl_spec_volume_opts(s, &p->vo);
    p->vlabels[0] = (dk_kv){DL_LABEL_PREFIX "tenant", (char *)s->tenant};
    p->vlabels[1] = (dk_kv){DL_LABEL_PREFIX "nfs_path", (char *)s->nfs_path};
    p->secrets[0] = (dk_file_ref){.id = p->secret_id, .name = p->secret_name,
                                  .target = "deeplens-pgpass", .uid = s->uid, .gid = s->gid,
                                  .mode = 0400};
    p->nsecrets = 1;
    /* the webhook's shared secret: a file of the job's uid like the container's
     * /etc/deeplens/webhook.secret; the job signs with the file Env names */
    if (s->webhook_signed && s->webhook_url[0])
        p->secrets[p->nsecrets++] = (dk_file_ref){.id = p->hook_id, .name = p->hook_name,
                                                  .target = SVC_HOOK_TARGET, .uid = s->uid,
                                                  .gid = s->gid, .mode = 0400};
    p->config = (dk_file_ref){.id = p->config_id, .name = p->config_name,
                              .target = SVC_JOB_TAR, .mode = 0400};
    p->command[0] = "/bin/sh";
    p->command[1] = "-c";
    p->command[2] = "tar -xf " SVC_JOB_TAR " -C / && exec /bin/sh " DL_JOB_ENTRYPOINT;
    p->env[0] = "PGPASSFILE=" SVC_PGPASS;
    p->env[1] = "DEEPLENS_PGPASS=" SVC_PGPASS;
    p->env[2] = "TZ=UTC";
    if (p->nsecrets > 1)
        p->env[3] = "DEEPLENS_WEBHOOK_SECRET=" SVC_HOOK;
    /* an unhealthy task is killed and replaced by swarm: a failed or overdue
     * backup must not restart the job, so the probe only reports (its output
     * is the status summary the overviews read) */
    p->health[0] = "CMD-SHELL";
    p->health[1] = DL_JOB_SCRIPT " --health; exit 0";
    p->spec = (dk_service_spec){
        .name = svc,
        .labels = p->labels,
        .nlabels = p->nlabels,
        .image = s->image,
        .command = p->command,
        .env = p->env,
        .user = "0:0",
        .mounts = &p->cp.mount,
        .nmounts = 1,
        .volume_driver = "local",
        .volume_opts = p->vo.kv,
        .nvolume_opts = (size_t)p->nvo,
        .volume_labels = p->vlabels,
        .nvolume_labels = 2,
        .secrets = p->secrets,
        .nsecrets = p->nsecrets,
        .configs = &p->config,
        .nconfigs = 1,
        .network = s->network,
        .constraints = constraints,
        .health_cmd = p->health,
        /* swarm holds a task in "starting" until its first probe, and shows
         * no logs of it until it runs: probe early and often enough */
        .health_interval_ns = SVC_HEALTH_INTERVAL_S * 1000000000LL,
        .health_timeout_ns = p->cp.create.health_timeout_ns,
        .health_retries = p->cp.create.health_retries,
        .stop_grace_ns = 30LL * 1000000000LL,
        .replicas = 1,
    };
    return 0;
}

char *dl_svc_spec_json(const dl_spec *s, const char *svc, long gen,
                       const char *const *constraints, const char *secret_id,
                       const char *config_id, dl_err *err)
{
    svc_plan p;
    char *body;
    if (plan_build(&p, s, svc, gen, constraints, err) < 0)
        return NULL;
    snprintf(p.secret_id, sizeof p.secret_id, "%s", secret_id ? secret_id : "");
    snprintf(p.config_id, sizeof p.config_id, "%s", config_id ? config_id : "");
    body = dk_service_body(&p.spec);
    plan_free(&p);
    return body;
}

/* The secrets and config of generation gen (the webhook's secret only when
 * the plan signs); each one made is flagged, and rolled back by the caller. */
static int make_objects(dl_ctx *ctx, const dl_spec *s, const char *password,
                        const char *webhook_secret, svc_plan *p, int *secret_made,
                        int *hook_made, int *config_made, dl_err *err)
{
    char line[1024];
    dk_kv lab = {DL_LABEL_PREFIX "tenant", (char *)s->tenant};
    int rc;

    if (p->nsecrets > 1 && (!webhook_secret || !*webhook_secret))
        return dl_err_set(err, DL_EINVAL, "the webhook is signed but no shared secret was "
                                          "given (--webhook-secret-file)");
    if (dl_pgpass_line(s, password, line, sizeof line, err) < 0)
        return -1;
    rc = dk_secret_create(ctx->dk, p->secret_name, line, strlen(line), &lab, 1, p->secret_id,
                          err);
    dl_wipe(line, sizeof line);
    if (rc < 0)
        return -1;
    *secret_made = 1;
    if (p->nsecrets > 1) {
        if (dk_secret_create(ctx->dk, p->hook_name, webhook_secret, strlen(webhook_secret),
                             &lab, 1, p->hook_id, err) < 0)
            return -1;
        *hook_made = 1;
    }
    if (dk_config_create(ctx->dk, p->config_name, p->cp.tar, p->cp.tar_len, &lab, 1,
                         p->config_id, err) < 0)
        return -1;
    *config_made = 1;
    return 0;
}

/* Seconds to wait for a task: DEEPLENS_SWARM_WAIT, default 120. */
static long task_wait_limit(void)
{
    const char *v = getenv("DEEPLENS_SWARM_WAIT");
    long n = v && *v ? strtol(v, NULL, 10) : 120;
    return n > 0 && n <= 3600 ? n : 120;
}

/* Wait for a running task of the service whose container is not `not_ct`;
 * its container ID into ct_id. A task that fails is the error. */
static int wait_running(dl_ctx *ctx, const char *svc, const char *not_ct, char ct_id[65],
                        dl_err *err)
{
    long limit = task_wait_limit();
    char last[512] = "no task yet";

    for (long waited = 0; waited <= limit; waited++) {
        dk_task *t = NULL;
        size_t nt = 0;
        if (dk_tasks_list(ctx->dk, svc, &t, &nt, err) < 0)
            return -1;
        for (size_t i = 0; i < nt; i++) {
            if (task_up(&t[i]) && (!not_ct || strcmp(t[i].container_id, not_ct))) {
                snprintf(ct_id, 65, "%s", t[i].container_id);
                dk_tasks_free(t, nt);
                return 0;
            }
            if (!strcmp(t[i].state, "failed") || !strcmp(t[i].state, "rejected")) {
                snprintf(last, sizeof last, "%s: %s", t[i].state, t[i].message);
                if (waited >= 5) {   /* a restart may still work; say it after a few tries */
                    dk_tasks_free(t, nt);
                    return dl_err_set(err, DL_EFAIL, "the task of service '%s' %s", svc,
                                      last);
                }
            } else if (nt) {
                snprintf(last, sizeof last, "%s%s%s", t[i].state, t[i].message[0] ? ": " : "",
                         t[i].message);
            }
        }
        dk_tasks_free(t, nt);
        sleep(1);
    }
    return dl_err_set(err, DL_EFAIL,
                      "service '%s' has no running task after %ld s (last: %s); "
                      "DEEPLENS_SWARM_WAIT sets the wait", svc, limit, last);
}

/* Until no container of the service is left on this node (at most 60 s): a
 * volume or a secret they use cannot go before they do. */
static void wait_gone(dl_ctx *ctx, const char *svc)
{
    char filter[300];
    snprintf(filter, sizeof filter, "{\"label\":[\"" SVC_LABEL_SERVICE "=%s\"]}", svc);
    for (int i = 0; i < 60; i++) {
        dk_container *v = NULL;
        size_t nv = 0;
        dl_err e2;
        if (dk_containers_list(ctx->dk, filter, 1, &v, &nv, &e2) < 0)
            return;
        dk_containers_free(v, nv);
        if (!nv)
            return;
        sleep(1);
    }
}

static void remove_volume(dl_ctx *ctx, const char *vol, dl_progress_fn progress, void *ud)
{
    dl_err e2;
    for (int i = 0; i < 10; i++) {
        if (dk_volume_remove(ctx->dk, vol, 0, &e2) == 0 || e2.kind == DL_ENOTFOUND)
            return;
        sleep(1);
    }
    dl_say(progress, ud, DL_STEP_FAIL, "volume %s kept: %s", vol, e2.msg);
}

/* ---- provision --------------------------------------------------------------------- */

static int check_manager(dl_ctx *ctx, dl_err *err)
{
    dk_swarm_state sw;
    if (dk_swarm_state_get(ctx->dk, &sw, err) < 0)
        return -1;
    if (!sw.manager)
        return dl_err_set(err, DL_EINVAL,
                          "--swarm: the engine at %s is not a swarm manager (swarm state "
                          "'%s'): run `docker swarm init` there, or point -H/--context at a "
                          "manager; nothing was created",
                          dk_client_endpoint(ctx->dk)->display, sw.node_state);
    return 0;
}

static int check_free(dl_ctx *ctx, const char *kind, const char *name, dl_err *err)
{
    char id[65];
    dl_err e2;
    int rc = !strcmp(kind, "secret") ? dk_secret_inspect(ctx->dk, name, id, &e2)
                                     : dk_config_inspect(ctx->dk, name, id, &e2);
    if (rc == 0)
        return dl_err_set(err, DL_ECONFLICT,
                          "%s '%s' already exists on the swarm: remove it (docker %s rm %s) "
                          "if it is a leftover; nothing was created", kind, name, kind, name);
    if (e2.kind != DL_ENOTFOUND) {
        *err = e2;
        return -1;
    }
    return 0;
}

int dl_svc_provision(dl_ctx *ctx, const dl_spec *spec, const dl_provision_opts *o,
                     dl_progress_fn progress, void *ud, dl_err *err)
{
    char name[160], vol[128], ct_id[65];
    svc_plan p;
    dk_container ct = {0};
    dk_service sv;
    dk_network net = {0};
    int vol_created = 0, secret_made = 0, hook_made = 0, config_made = 0, svc_made = 0;
    long long db_size = 0;
    dl_err e2;

    for (size_t i = 0; i < o->nconstraints; i++)
        if (dl_validate_constraint(o->constraints[i], err) < 0)
            return -1;
    if (dl_spec_validate(spec, err) < 0)
        return -1;
    if (spec->webhook_signed && spec->webhook_url[0] &&
        (!o->webhook_secret || !*o->webhook_secret))
        return dl_err_set(err, DL_EINVAL, "the webhook is signed but no shared secret was "
                                          "given (--webhook-secret-file)");
    if (o->replace)
        return dl_err_set(err, DL_EINVAL, "--swarm: --replace is not supported; remove the "
                                          "tenant backup first (its files are kept)");
    if (check_manager(ctx, err) < 0)
        return -1;
    dl_spec_container_name(spec, name, sizeof name);
    dl_spec_volume_name(spec, vol, sizeof vol);
    dl_say(progress, ud, DL_STEP_BEGIN,
           "Setting up PostgreSQL backup for tenant: %s (swarm service)", spec->tenant);

    if (dk_container_inspect(ctx->dk, name, &ct, &e2) == 0) {
        dk_container_clear(&ct);
        return dl_err_set(err, DL_ECONFLICT, "tenant '%s' already has a backup (container "
                          "'%s'): remove it first to make it a service", spec->tenant, name);
    }
    if (dk_service_inspect(ctx->dk, name, &sv, &e2) == 0) {
        dk_service_clear(&sv);
        return dl_err_set(err, DL_ECONFLICT, "tenant '%s' already has a backup (service "
                          "'%s'): use reschedule to change it", spec->tenant, name);
    } else if (e2.kind != DL_ENOTFOUND) {
        *err = e2;
        return -1;
    }
    if (!o->shared_target && dl_target_unshared(ctx, spec, err) < 0)
        return -1;
    if (dk_network_inspect(ctx->dk, spec->network, &net, &e2) < 0) {
        if (e2.kind == DL_ENOTFOUND)
            return dl_err_set(err, DL_ENOTFOUND, "network '%s' not found: a swarm service "
                              "needs an overlay network (docker network create -d overlay "
                              "--attachable %s)", spec->network, spec->network);
        *err = e2;
        return -1;
    }
    if (!net.driver || strcmp(net.driver, "overlay")) {
        dl_err_set(err, DL_EINVAL, "--network '%s' is a '%s' network: a swarm service needs an "
                   "overlay network (docker network create -d overlay --attachable NAME)",
                   spec->network, net.driver ? net.driver : "");
        dk_network_clear(&net);
        return -1;
    }
    dk_network_clear(&net);

    if (plan_build(&p, spec, name, 1, o->constraints, err) < 0)
        return -1;
    if (check_free(ctx, "secret", p.secret_name, err) < 0 ||
        (p.nsecrets > 1 && check_free(ctx, "secret", p.hook_name, err) < 0) ||
        check_free(ctx, "config", p.config_name, err) < 0) {
        plan_free(&p);
        return -1;
    }

    dl_say(progress, ud, DL_STEP_BEGIN, "Creating %s volume on this node: %s",
           spec->target.kind == DL_TARGET_NFS ? "NFS" : "local", vol);
    if (dl_volume_ensure(ctx, spec, &vol_created, err) < 0)
        goto fail;
    dl_say(progress, ud, DL_STEP_BEGIN,
           "Preflight: target writable by %u:%u, database reachable, pg_dump version",
           spec->uid, spec->gid);
    if (dl_preflight(ctx, spec, o->password, &db_size, err) < 0)
        goto fail;
    dl_say(progress, ud, DL_STEP_OK, "Preflight passed (database size %lld bytes)", db_size);

    dl_say(progress, ud, DL_STEP_BEGIN, "Creating secret %s%s%s and config %s", p.secret_name,
           p.nsecrets > 1 ? ", webhook secret " : "", p.nsecrets > 1 ? p.hook_name : "",
           p.config_name);
    if (make_objects(ctx, spec, o->password, o->webhook_secret, &p, &secret_made, &hook_made,
                     &config_made, err) < 0)
        goto fail;
    dl_say(progress, ud, DL_STEP_BEGIN, "Creating service %s (1 replica)", name);
    if (dk_service_create(ctx->dk, &p.spec, NULL, err) < 0)
        goto fail;
    svc_made = 1;
    if (wait_running(ctx, name, NULL, ct_id, err) < 0) {
        if (strstr(err->msg, "mount"))
            dl_err_prefix(err, "cannot mount the backup target %s", spec->nfs_path);
        goto fail;
    }
    dl_say(progress, ud, DL_STEP_OK, "Service running: task container %.12s", ct_id);
    if (!o->skip_initial_backup) {
        dl_say(progress, ud, DL_STEP_BEGIN, "Running initial backup...");
        if (dl_run_job(ctx, ct_id, progress, ud, err) < 0)
            goto fail;
        dl_say(progress, ud, DL_STEP_OK, "Initial backup completed");
    }
    plan_free(&p);
    return 0;

fail:
    dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
    if (svc_made) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing service %s", name);
        if (dk_service_remove(ctx->dk, name, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
        wait_gone(ctx, name);
    }
    if (config_made) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing config %s", p.config_name);
        if (dk_config_remove(ctx->dk, p.config_name, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
    }
    if (hook_made) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing secret %s", p.hook_name);
        if (dk_secret_remove(ctx->dk, p.hook_name, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
    }
    if (secret_made) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing secret %s", p.secret_name);
        if (dk_secret_remove(ctx->dk, p.secret_name, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
    }
    if (vol_created) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing volume %s", vol);
        remove_volume(ctx, vol, progress, ud);
    }
    plan_free(&p);
    return -1;
}

/* ---- reschedule: a new generation ------------------------------------------------------ */

/* A mounted secret's content, read in the task's container as root (the
 * archive API sees the secret's mount point, not the secret). *out is the
 * caller's to wipe and free; err names what and the container. */
static int svc_read_secret(dl_ctx *ctx, const char *container, const char *path,
                           const char *what, char **out, dl_err *err)
{
    const char *const cmd[] = {"cat", path, NULL};
    dk_exec_opts o = {.cmd = cmd, .user = "0:0"};
    char *so = NULL;
    int code = -1;

    *out = NULL;
    if (dk_exec_capture(ctx->dk, container, &o, &so, NULL, 4096, &code, err) < 0 || code != 0) {
        if (so) {
            dl_wipe(so, strlen(so));
            free(so);
        }
        if (code > 0)
            dl_err_set(err, DL_EFAIL, "cat exited %d", code);
        dl_err_prefix(err, "reading the stored %s of '%s'", what, container);
        return -1;
    }
    *out = so;
    return 0;
}

int dl_svc_read_password(dl_ctx *ctx, const char *container, char *buf, size_t n, dl_err *err)
{
    char *so;
    if (svc_read_secret(ctx, container, SVC_PGPASS, "credentials", &so, err) < 0)
        return -1;
    return dl_pgpass_password(container, so, so ? strlen(so) : 0, buf, n, err);
}

/* The webhook's shared secret of a service, kept by a reschedule that gives
 * no new one: the API never hands a secret's data back, so it is read where
 * the task has it, like the password, and goes into the next generation's
 * secret (every secret of a service rotates with its generation). */
int dl_svc_read_webhook_secret(dl_ctx *ctx, const char *container, char *buf, size_t n,
                               dl_err *err)
{
    char *so;
    size_t len;

    if (svc_read_secret(ctx, container, SVC_HOOK, "webhook secret", &so, err) < 0)
        return -1;
    len = so ? strlen(so) : 0;
    if (!len || len >= n) {
        if (so) {
            dl_wipe(so, len);
            free(so);
        }
        return dl_err_set(err, DL_EPROTO, "stored webhook secret of '%s' is unreadable",
                          container);
    }
    memcpy(buf, so, len + 1);
    dl_wipe(so, len);
    free(so);
    return 0;
}

static long generation(const dk_service *sv)
{
    const char *g = kv_get(sv->labels, sv->nlabels, SVC_LABEL_GEN);
    long v = g ? strtol(g, NULL, 10) : 1;
    return v > 0 && v < 1000000000L ? v : 1;
}

int dl_svc_reschedule(dl_ctx *ctx, const char *svc, const char *container, const dl_spec *spec,
                      const char *password, const char *webhook_secret,
                      dl_progress_fn progress, void *ud, dl_err *err)
{
    dk_service sv;
    svc_plan p;
    char old_ct[65] = "", ct_id[65];
    const char **cons = NULL;
    int secret_made = 0, hook_made = 0, config_made = 0;
    long gen;
    dl_err e2;

    if (dk_service_inspect(ctx->dk, svc, &sv, err) < 0)
        return -1;
    gen = generation(&sv) + 1;
    {
        dk_container ct = {0};
        if (container && dk_container_inspect(ctx->dk, container, &ct, &e2) == 0)
            snprintf(old_ct, sizeof old_ct, "%s", ct.id);
        dk_container_clear(&ct);
    }
    /* the placement stays as it was */
    cons = calloc(sv.nconstraints + 1, sizeof *cons);
    if (!cons)
        dl_oom();
    for (size_t i = 0; i < sv.nconstraints; i++)
        cons[i] = sv.constraints[i];
    if (plan_build(&p, spec, svc, gen, cons, err) < 0)
        goto out;
    /* a leftover of an interrupted reschedule would block the name */
    dk_secret_remove(ctx->dk, p.secret_name, &e2);
    dk_secret_remove(ctx->dk, p.hook_name, &e2);
    dk_config_remove(ctx->dk, p.config_name, &e2);
    dl_say(progress, ud, DL_STEP_BEGIN, "Rotating the secret: %s%s%s, config %s", p.secret_name,
           p.nsecrets > 1 ? ", webhook secret " : "", p.nsecrets > 1 ? p.hook_name : "",
           p.config_name);
    if (make_objects(ctx, spec, password, webhook_secret, &p, &secret_made, &hook_made,
                     &config_made, err) < 0)
        goto undo;
    dl_say(progress, ud, DL_STEP_BEGIN, "Updating service %s", svc);
    if (dk_service_update(ctx->dk, sv.id, sv.version, &p.spec, err) < 0)
        goto undo;
    if (wait_running(ctx, svc, old_ct[0] ? old_ct : NULL, ct_id, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Rolling service %s back", svc);
        {
            /* the old settings (from the old labels) with the old secret and config */
            dk_service now;
            if (dk_service_inspect(ctx->dk, svc, &now, &e2) == 0) {
                dl_err e3;
                dl_spec old;
                dl_spec_defaults(&old);
                if (dl_spec_from_labels(&old, sv.labels, sv.nlabels, &e3) == 0) {
                    svc_plan q;
                    if (plan_build(&q, &old, svc, gen - 1, cons, &e3) == 0) {
                        /* each old secret back in its slot: the pgpass, the webhook's */
                        for (size_t i = 0; i < sv.nsecrets; i++)
                            if (is_hook_secret(svc, sv.secrets[i].key)) {
                                snprintf(q.hook_id, sizeof q.hook_id, "%s", sv.secrets[i].value);
                                snprintf(q.hook_name, sizeof q.hook_name, "%s", sv.secrets[i].key);
                            } else {
                                snprintf(q.secret_id, sizeof q.secret_id, "%s",
                                         sv.secrets[i].value);
                                snprintf(q.secret_name, sizeof q.secret_name, "%s",
                                         sv.secrets[i].key);
                            }
                        snprintf(q.config_id, sizeof q.config_id, "%s",
                                 sv.nconfigs ? sv.configs[0].value : "");
                        if (sv.nconfigs)
                            snprintf(q.config_name, sizeof q.config_name, "%s", sv.configs[0].key);
                        dk_service_update(ctx->dk, now.id, now.version, &q.spec, &e3);
                        plan_free(&q);
                    }
                }
                dk_service_clear(&now);
            }
        }
        wait_running(ctx, svc, NULL, ct_id, &e2);
        goto undo;
    }
    dl_say(progress, ud, DL_STEP_OK, "Service updated: task container %.12s", ct_id);
    for (size_t i = 0; i < sv.nsecrets; i++)
        if (dk_secret_remove(ctx->dk, sv.secrets[i].key, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "old secret %s kept: %s", sv.secrets[i].key,
                   e2.msg);
        else
            dl_say(progress, ud, DL_STEP_OK, "Old secret %s removed", sv.secrets[i].key);
    for (size_t i = 0; i < sv.nconfigs; i++)
        dk_config_remove(ctx->dk, sv.configs[i].key, &e2);
    dl_say(progress, ud, DL_STEP_OK,
           "Rescheduled: %s, retention %d days%s%s%s (volume and files kept)", spec->schedule,
           spec->retention_days, spec->drill_schedule[0] ? ", drills '" : "",
           spec->drill_schedule, spec->drill_schedule[0] ? "'" : "");
    plan_free(&p);
    free(cons);
    dk_service_clear(&sv);
    return 0;

undo:
    if (config_made)
        dk_config_remove(ctx->dk, p.config_name, &e2);
    if (hook_made)
        dk_secret_remove(ctx->dk, p.hook_name, &e2);
    if (secret_made)
        dk_secret_remove(ctx->dk, p.secret_name, &e2);
    plan_free(&p);
out:
    free(cons);
    dk_service_clear(&sv);
    return -1;
}

/* ---- restart: a new task ---------------------------------------------------------------- */

int dl_svc_restart(dl_ctx *ctx, const char *svc, const char *container, dl_progress_fn progress,
                   void *ud, dl_err *err)
{
    dk_container ct = {0};
    char old_ct[65] = "", ct_id[65];
    dl_err e2;

    if (container && dk_container_inspect(ctx->dk, container, &ct, &e2) == 0)
        snprintf(old_ct, sizeof old_ct, "%s", ct.id);
    dk_container_clear(&ct);
    dl_say(progress, ud, DL_STEP_BEGIN, "Restarting service %s (a new task)", svc);
    if (dk_service_force_update(ctx->dk, svc, err) < 0 ||
        wait_running(ctx, svc, old_ct[0] ? old_ct : NULL, ct_id, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_say(progress, ud, DL_STEP_OK, "Service %s restarted: task container %.12s", svc, ct_id);
    return 0;
}

/* ---- remove ------------------------------------------------------------------------------ */

int dl_svc_remove(dl_ctx *ctx, const char *svc, const dl_spec *spec, int delete_backups,
                  dl_progress_fn progress, void *ud, dl_err *err)
{
    dk_service sv;
    char vol[128];
    dl_err e2;

    if (dk_service_inspect(ctx->dk, svc, &sv, err) < 0)
        return -1;
    dl_spec_volume_name(spec, vol, sizeof vol);
    dl_say(progress, ud, DL_STEP_BEGIN, "Removing service %s", svc);
    if (dk_service_remove(ctx->dk, svc, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        dk_service_clear(&sv);
        return -1;
    }
    wait_gone(ctx, svc);
    dl_say(progress, ud, DL_STEP_OK, "Service removed");
    if (delete_backups) {
        static const char *const ep[] = {"/bin/sh", DL_JOB_SCRIPT, "--delete", NULL};
        char log[8192];
        long code = -1;
        dl_say(progress, ud, DL_STEP_BEGIN, "Deleting the backup files of %s on %s",
               spec->tenant, spec->nfs_path);
        if (dl_job_helper(ctx, spec, NULL, "delete", ep, NULL, 0, log, sizeof log, &code,
                          &e2) < 0 || code != 0 || !strstr(log, "result=ok deleted="))
            dl_say(progress, ud, DL_STEP_FAIL, "deleting backup files failed (exit %ld)%s%s",
                   code, e2.kind != DL_OK ? ": " : "", e2.kind != DL_OK ? e2.msg : "");
        else
            dl_say(progress, ud, DL_STEP_OK, "Deleted the backup files");
    }
    for (size_t i = 0; i < sv.nsecrets; i++) {
        dl_say(progress, ud, DL_STEP_BEGIN, "Removing secret %s", sv.secrets[i].key);
        if (dk_secret_remove(ctx->dk, sv.secrets[i].key, &e2) < 0 && e2.kind != DL_ENOTFOUND)
            dl_say(progress, ud, DL_STEP_FAIL, "secret kept: %s", e2.msg);
    }
    for (size_t i = 0; i < sv.nconfigs; i++)
        if (dk_config_remove(ctx->dk, sv.configs[i].key, &e2) < 0 && e2.kind != DL_ENOTFOUND)
            dl_say(progress, ud, DL_STEP_FAIL, "config kept: %s", e2.msg);
    dl_say(progress, ud, DL_STEP_BEGIN, "Removing volume %s", vol);
    remove_volume(ctx, vol, progress, ud);
    if (!delete_backups)
        dl_say(progress, ud, DL_STEP_INFO, "Backup files kept on %s", spec->nfs_path);
    dk_service_clear(&sv);
    return 0;
}

/* ---- a service's row from lists already read (the console's fleet) ----------------------- */

int dl_svc_status(const dk_service *sv, const dk_task *t, size_t nt, const dk_container *cts,
                  size_t ncts, dl_status *out, dl_err *err)
{
    dk_task *mine = calloc(nt ? nt : 1, sizeof *mine);   /* shallow: this service's tasks */
    dk_container ct;
    size_t n = 0;
    long k;
    int rc;

    if (!mine)
        dl_oom();
    for (size_t i = 0; i < nt; i++)
        if (!strcmp(t[i].service_id, sv->id) || !strcmp(t[i].service_id, sv->name))
            mine[n++] = t[i];
    k = pick_task(mine, n);
    memset(&ct, 0, sizeof ct);
    if (k >= 0 && task_up(&mine[k]))
        for (size_t i = 0; i < ncts && !ct.name; i++)
            if (!strcmp(cts[i].id, mine[k].container_id)) {
                snprintf(ct.id, sizeof ct.id, "%s", cts[i].id);
                ct.name = strdup(cts[i].name ? cts[i].name : "");
                ct.state = strdup(cts[i].state ? cts[i].state : "");
                ct.status = strdup(cts[i].status ? cts[i].status : "");
                ct.health = strdup(cts[i].health ? cts[i].health : "");
                ct.image = strdup(cts[i].image ? cts[i].image : "");
                ct.created = cts[i].created;
                ct.started_at = cts[i].started_at;
                if (!ct.name || !ct.state || !ct.status || !ct.health || !ct.image)
                    dl_oom();
            }
    if (!ct.name)
        svc_no_container(sv, k >= 0 ? &mine[k] : NULL, &ct);
    free(mine);
    for (size_t i = 0; i < sv->nlabels; i++)
        kv_set(&ct.labels, &ct.nlabels, sv->labels[i].key, sv->labels[i].value);
    kv_set(&ct.labels, &ct.nlabels, SVC_LABEL_SERVICE, sv->name);
    memset(out, 0, sizeof *out);
    rc = dl_status_from_container(out, &ct, err);
    dk_container_clear(&ct);
    return rc;
}
