/* provision.c - create a tenant backup, all or nothing.
 *
 *   validate -> volume -> preflight -> container -> files -> start ->
 *   initial backup
 *
 * Every step that creates something pushes an undo; a failure anywhere runs
 * the undo list backwards, so the engine is left as it was. A replaced
 * tenant's old container keeps running until the new one has proved itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

static const char job_preflight_sh[] =
#include "job_preflight.inc"
    ;

void dl_say(dl_progress_fn fn, void *ud, dl_step_kind k, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (!fn)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fn(ud, k, buf);
}

/* ---- volume ------------------------------------------------------------------ */

int dl_volume_ensure(dl_ctx *ctx, const dl_spec *s, int *created, dl_err *err)
{
    dl_volume_opts vo;
    dk_volume v = {0};
    char name[128];
    dk_kv labels[2];
    int n = dl_spec_volume_opts(s, &vo);
    dl_err e2;

    *created = 0;
    dl_spec_volume_name(s, name, sizeof name);
    if (dk_volume_inspect(ctx->dk, name, &v, &e2) == 0) {
        for (int i = 0; i < n; i++) {
            const char *have = dk_volume_option(&v, vo.kv[i].key);
            if (!have || strcmp(have, vo.kv[i].value) != 0) {
                dl_err_set(err, DL_ECONFLICT,
                           "volume '%s' already exists with other options "
                           "(%s='%s', wanted '%s'): remove the tenant backup "
                           "first (files are kept) or remove the volume",
                           name, vo.kv[i].key, have ? have : "", vo.kv[i].value);
                dk_volume_clear(&v);
                return -1;
            }
        }
        dk_volume_clear(&v);
        return 0;
    }
    if (e2.kind != DL_ENOTFOUND) {
        *err = e2;
        return -1;
    }
    labels[0] = (dk_kv){DL_LABEL_PREFIX "tenant", (char *)s->tenant};
    labels[1] = (dk_kv){DL_LABEL_PREFIX "nfs_path", (char *)s->nfs_path};
    if (dk_volume_create(ctx->dk, name, "local", vo.kv, (size_t)n, labels, 2,
                         created, err) < 0)
        return -1;
    return 0;
}

/* ---- preflight ------------------------------------------------------------------ */

static const char *advice(const char *cause, const dl_spec *s)
{
    static __thread char buf[512];
    if (!strcmp(cause, "target")) {
        if (s->target.kind == DL_TARGET_NFS)
            snprintf(buf, sizeof buf,
                     " - on the NFS server: chown -R %u:%u %s (or export it "
                     "with no_root_squash on a trusted network)",
                     s->uid, s->gid, s->target.path);
        else
            snprintf(buf, sizeof buf, " - on the host: chown -R %u:%u %s",
                     s->uid, s->gid, s->target.path);
        return buf;
    }
    if (!strcmp(cause, "password"))
        return " - check the password file (--password-file) for this database user";
    if (!strcmp(cause, "database"))
        return " - create the tenant database first, or pass --database";
    if (!strcmp(cause, "tools"))
        return " - choose an image that has it (--image), or other --format/--compression";
    if (!strcmp(cause, "unreachable"))
        return " - is the PostgreSQL container running and on the same network?";
    if (!strcmp(cause, "webhook"))
        return " - use an image with curl (or busybox wget with ssl_client), or an http:// "
               "webhook on a trusted network";
    return "";
}

static int mount_error(const dl_spec *s, dl_err *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    if (s->target.kind == DL_TARGET_NFS)
        return dl_err_set(err, DL_EFAIL,
                          "cannot mount NFS export %s:%s (is the server reachable "
                          "on port 2049 and the path exported to this host?): %s",
                          s->target.server, s->target.path, msg);
    return dl_err_set(err, DL_EFAIL, "cannot mount backup target %s: %s",
                      s->target.path, msg);
}

struct collect {
    char buf[8192];
    size_t len;
};

static int collect_data(void *ud, int stream, const char *p, size_t n)
{
    struct collect *c = ud;
    (void)stream;
    if (n > sizeof c->buf - 1 - c->len)
        n = sizeof c->buf - 1 - c->len;
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    c->buf[c->len] = '\0';
    return 0;
}

static void collect_done(void *ud, dk_req *r)
{
    (void)r;
    *(int *)((struct collect *)ud + 1) = 1;
}

/* Whole (short) log of a stopped container. */
static int read_log(dl_ctx *ctx, const char *name, char *out, size_t n, dl_err *err)
{
    struct {
        struct collect c;
        int done;
    } st = {0};
    dk_logs_opts o = {.stdout_ = 1, .stderr_ = 1, .tail = 200};
    if (!dk_logs_open(ctx->dk, name, &o, collect_data, collect_done, &st, err))
        return -1;
    while (!st.done)
        if (dk_client_poll(ctx->dk, -1, 1000) < 0)
            return dl_err_set(err, DL_ESYS, "event loop failed");
    snprintf(out, n, "%s", st.c.buf);
    return 0;
}

int dl_job_helper(dl_ctx *ctx, const dl_spec *s, const char *password, const char *what,
                  const char *const *ep, const char *extra, size_t extra_len, char *log,
                  size_t n, long *code, dl_err *err)
{
    dl_container_plan plan;
    char name[200], cname[160];
    dk_kv label = {DL_LABEL_PREFIX "helper", (char *)s->tenant};
    int rc = -1;

    *code = -1;
    if ((password ? dl_container_plan_build(&plan, s, password, err)
                  : dl_container_plan_build_nocreds(&plan, s, err)) < 0)
        return -1;
    dl_spec_container_name(s, cname, sizeof cname);
    snprintf(name, sizeof name, "%s-%s-%ld", cname, what, (long)getpid());
    dk_create_spec cs = plan.create;
    cs.entrypoint = ep;
    cs.labels = &label;
    cs.nlabels = 1;
    cs.restart_policy = NULL;
    cs.health_cmd = NULL;
    cs.health_interval_ns = cs.health_timeout_ns = cs.health_start_period_ns = 0;
    cs.health_retries = 0;

    if (dk_container_create(ctx->dk, name, &cs, NULL, err) < 0) {
        if (err->kind == DL_ENOTFOUND)
            dl_err_set(err, DL_ENOTFOUND,
                       "image '%s' is not on the engine: load or pull it, or "
                       "pass --image", s->image);
        goto out_plan;
    }
    if (dk_archive_put(ctx->dk, name, "/", plan.tar, plan.tar_len, err) < 0 ||
        (extra && dk_archive_put(ctx->dk, name, "/", extra, extra_len, err) < 0))
        goto out_rm;
    if (dk_container_start(ctx->dk, name, NULL, err) < 0) {
        if (strstr(err->msg, "mount"))
            mount_error(s, err);
        goto out_rm;
    }
    if (dk_container_wait(ctx->dk, name, "not-running", code, err) < 0 ||
        read_log(ctx, name, log, n, err) < 0)
        goto out_rm;
    rc = 0;
out_rm:
    {
        dl_err e2;
        dk_container_remove(ctx->dk, name, 1, 1, &e2);
    }
out_plan:
    dl_container_plan_free(&plan);
    return rc;
}

int dl_preflight(dl_ctx *ctx, const dl_spec *s, const char *password,
                 long long *db_size, dl_err *err)
{
    char log[8192], *tar = NULL;
    const char *ep[] = {"/bin/sh", "/usr/local/bin/deeplens-preflight.sh", NULL};
    size_t tar_len = 0;
    long code = -1;
    int rc = -1;

    dk_tar_entry pf = {.name = "usr/local/bin/deeplens-preflight.sh",
                       .data = job_preflight_sh,
                       .len = sizeof job_preflight_sh - 1, .mode = 0755};
    if (!password || !*password)
        return dl_err_set(err, DL_EINVAL,
                          "no database password given (use --password-file, "
                          "DEEPLENS_PG_PASSWORD or the prompt)");
    if (dk_tar_build(&pf, 1, &tar, &tar_len, err) < 0)
        return -1;
    if (dl_job_helper(ctx, s, password, "preflight", ep, tar, tar_len, log, sizeof log,
                      &code, err) < 0)
        goto out;
    {
        char *line = strstr(log, "PREFLIGHT ");
        char cause[32] = "", *msg;
        if (!line) {
            dl_err_set(err, DL_EFAIL, "preflight check gave no answer (exit %ld): %.300s",
                       code, log);
            goto out;
        }
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        if (!strncmp(line, "PREFLIGHT OK", 12)) {
            char v[32];
            if (db_size && dl_logfmt_get(line, "db_size", v, sizeof v) == 0)
                *db_size = atoll(v);
            rc = 0;
            goto out;
        }
        msg = line + strlen("PREFLIGHT FAIL ");
        sscanf(msg, "%31s", cause);
        msg += strlen(cause);
        while (*msg == ' ')
            msg++;
        dl_err_set(err, DL_EFAIL, "%s%s", msg, advice(cause, s));
    }
out:
    free(tar);
    return rc;
}

/* ---- one target, one tenant ----------------------------------------------------- */

/* The same place on the same server: paths compared without trailing '/'. */
static int same_target(const dl_target *a, const dl_target *b)
{
    size_t la = strlen(a->path), lb = strlen(b->path);
    while (la > 1 && a->path[la - 1] == '/')
        la--;
    while (lb > 1 && b->path[lb - 1] == '/')
        lb--;
    if (a->kind != b->kind || la != lb || strncmp(a->path, b->path, la))
        return 0;
    return a->kind == DL_TARGET_LOCAL || !strcasecmp(a->server, b->server);
}

int dl_target_user(dl_ctx *ctx, const dl_spec *s, char *other, size_t n, dl_err *err)
{
    dk_container *v = NULL;
    dk_volume *vols = NULL;
    size_t nv = 0, nvol = 0;
    int found = 0;
    dl_target mine;

    /* from the text, not s->target: a caller need not have validated */
    if (dl_validate_nfs_path(s->nfs_path, &mine, err) < 0 ||
        dk_containers_list(ctx->dk, dl_container_filter(), 1, &v, &nv, err) < 0)
        return -1;
    for (size_t i = 0; i < nv && !found; i++) {
        dl_spec o;
        dl_err skip;
        dl_spec_defaults(&o);
        if (dl_spec_from_labels(&o, v[i].labels, v[i].nlabels, &skip) < 0 ||
            !strcmp(o.tenant, s->tenant) || !same_target(&o.target, &mine))
            continue;
        snprintf(other, n, "%s", o.tenant);
        found = 1;
    }
    dk_containers_free(v, nv);
    if (found)
        return 1;
    /* a volume left by a tenant whose container is gone still points there */
    if (dk_volumes_list(ctx->dk, dl_container_filter(), &vols, &nvol, err) < 0)
        return -1;
    for (size_t i = 0; i < nvol && !found; i++) {
        const char *t = dk_volume_label(&vols[i], DL_LABEL_PREFIX "tenant");
        const char *p = dk_volume_label(&vols[i], DL_LABEL_PREFIX "nfs_path");
        dl_target tg;
        if (!t || !p || !strcmp(t, s->tenant) || dl_validate_nfs_path(p, &tg, NULL) < 0 ||
            !same_target(&tg, &mine))
            continue;
        snprintf(other, n, "%s", t);
        found = 1;
    }
    dk_volumes_free(vols, nvol);
    return found;
}

/* ---- container -------------------------------------------------------------------- */

int dl_container_make(dl_ctx *ctx, const dl_spec *s, const char *name,
                      const char *password, const char *webhook_secret, dl_err *err)
{
    dl_container_plan plan;
    if (dl_container_plan_build_signed(&plan, s, password, webhook_secret, err) < 0)
        return -1;
    if (dk_container_create(ctx->dk, name, &plan.create, NULL, err) < 0) {
        if (err->kind == DL_ENOTFOUND)
            dl_err_set(err, DL_ENOTFOUND,
                       "image '%s' is not on the engine: load or pull it, or "
                       "pass --image", s->image);
        dl_container_plan_free(&plan);
        return -1;
    }
    if (dk_archive_put(ctx->dk, name, "/", plan.tar, plan.tar_len, err) < 0) {
        dl_err e2;
        dl_err_prefix(err, "copying the backup job into '%s'", name);
        dk_container_remove(ctx->dk, name, 1, 0, &e2);
        dl_container_plan_free(&plan);
        return -1;
    }
    dl_container_plan_free(&plan);
    return 0;
}

int dl_run_job(dl_ctx *ctx, const char *container, dl_progress_fn progress,
               void *ud, dl_err *err)
{
    static const char *const cmd[] = {DL_JOB_SCRIPT, NULL};
    char last[1024], reason[512];
    int code = -1;

    if (dl_exec_lines(ctx, container, cmd, "0:0", progress, ud, &code, last,
                      sizeof last, err) < 0)
        return -1;
    if (code == 0)
        return 0;
    if (dl_logfmt_get(last, "reason", reason, sizeof reason) < 0)
        snprintf(reason, sizeof reason, "exit status %d", code);
    if (code == 75)
        return dl_err_set(err, DL_ECONFLICT, "backup skipped: %s", reason);
    return dl_err_set(err, DL_EFAIL, "backup failed: %s", reason);
}

/* ---- provision ------------------------------------------------------------------------ */

int dl_provision(dl_ctx *ctx, const dl_spec *spec, const dl_provision_opts *o,
                 dl_progress_fn progress, void *ud, dl_err *err)
{
    char name[160], vol[128], old[200];
    dk_container ct = {0};
    int vol_created = 0, have_old = 0, made = 0;
    long long db_size = 0;
    dl_err e2;

    if (o->swarm)   /* swarm: a service (service.c) */
        return dl_svc_provision(ctx, spec, o, progress, ud, err);
    if (dl_spec_validate(spec, err) < 0)
        return -1;
    dl_spec_container_name(spec, name, sizeof name);
    dl_spec_volume_name(spec, vol, sizeof vol);
    dl_say(progress, ud, DL_STEP_BEGIN, "Setting up PostgreSQL backup for tenant: %s",
        spec->tenant);

    if (dk_container_inspect(ctx->dk, name, &ct, &e2) == 0) {
        dk_container_clear(&ct);
        if (!o->replace)
            return dl_err_set(err, DL_ECONFLICT,
                              "tenant '%s' already has a backup (container '%s'): "
                              "use reschedule to change it, or --replace",
                              spec->tenant, name);
        have_old = 1;
    } else if (e2.kind != DL_ENOTFOUND) {
        *err = e2;
        return -1;
    }
    if (!o->shared_target && dl_target_unshared(ctx, spec, err) < 0)
        return -1;
    {
        dk_network net = {0};
        if (dk_network_inspect(ctx->dk, spec->network, &net, &e2) < 0) {
            if (e2.kind == DL_ENOTFOUND)
                return dl_err_set(err, DL_ENOTFOUND,
                                  "network '%s' not found: is the DeepLens core "
                                  "infrastructure running here?", spec->network);
            *err = e2;
            return -1;
        }
        dk_network_clear(&net);
    }

    dl_say(progress, ud, DL_STEP_BEGIN, "Creating %s volume: %s",
        spec->target.kind == DL_TARGET_NFS ? "NFS" : "local", vol);
    if (dl_volume_ensure(ctx, spec, &vol_created, err) < 0)
        goto fail;
    dl_say(progress, ud, DL_STEP_OK, vol_created ? "Volume created: %s -> %s"
                                             : "Volume exists, reused: %s -> %s",
        vol, spec->nfs_path);

    dl_say(progress, ud, DL_STEP_BEGIN,
        "Preflight: target writable by %u:%u, database reachable, pg_dump version",
        spec->uid, spec->gid);
    if (dl_preflight(ctx, spec, o->password, &db_size, err) < 0)
        goto fail;
    dl_say(progress, ud, DL_STEP_OK, "Preflight passed (database size %lld bytes)",
        db_size);

    if (have_old) {
        snprintf(old, sizeof old, "%s-replaced-%ld", name, (long)getpid());
        dl_say(progress, ud, DL_STEP_BEGIN, "Setting the old container aside: %s", old);
        if (dk_container_rename(ctx->dk, name, old, err) < 0)
            goto fail;
    }
    dl_say(progress, ud, DL_STEP_BEGIN, "Creating backup container: %s", name);
    if (dl_container_make(ctx, spec, name, o->password, o->webhook_secret, err) < 0)
        goto fail;
    made = 1;
    dl_say(progress, ud, DL_STEP_OK, "Backup container created and configured");
    if (dk_container_start(ctx->dk, name, NULL, err) < 0) {
        if (strstr(err->msg, "mount"))
            mount_error(spec, err);
        goto fail;
    }
    dl_say(progress, ud, DL_STEP_OK, "Container started");

    if (!o->skip_initial_backup) {
        dl_say(progress, ud, DL_STEP_BEGIN, "Running initial backup...");
        if (dl_run_job(ctx, name, progress, ud, err) < 0)
            goto fail;
        dl_say(progress, ud, DL_STEP_OK, "Initial backup completed");
    }
    if (have_old) {
        dl_say(progress, ud, DL_STEP_BEGIN, "Removing the replaced container %s", old);
        if (dk_container_remove(ctx->dk, old, 1, 0, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "could not remove %s: %s", old, e2.msg);
    }
    return 0;

fail:
    dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
    if (made) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing container %s", name);
        if (dk_container_remove(ctx->dk, name, 1, 0, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
    }
    if (have_old && dk_container_inspect(ctx->dk, old, &ct, &e2) == 0) {
        dk_container_clear(&ct);
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Restoring the old container %s", name);
        if (dk_container_rename(ctx->dk, old, name, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
    }
    if (vol_created) {
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing volume %s", vol);
        if (dk_volume_remove(ctx->dk, vol, 0, &e2) < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "rollback: %s", e2.msg);
    }
    return -1;
}

int dl_target_unshared(dl_ctx *ctx, const dl_spec *spec, dl_err *err)
{
    char other[DL_TENANT_MAX + 1];
    int used = dl_target_user(ctx, spec, other, sizeof other, err);
    if (used < 0)
        return -1;
    if (used)
        return dl_err_set(err, DL_ECONFLICT,
                          "--nfs-path '%s' is already the backup target of tenant '%s': "
                          "give each tenant its own target, or pass --shared-target to "
                          "share it (each tenant then keeps to its own directory there)",
                          spec->nfs_path, other);
    return 0;
}
