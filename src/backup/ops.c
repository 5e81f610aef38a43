/* ops.c - changes to an existing tenant backup: reschedule, backup now,
 * verify, drill, restore, restart, remove.
 *
 * Reschedule builds the new container beside the old one and swaps names
 * only once it exists and holds its files; if the new one will not start,
 * the old one is put back and started. A run that holds the tenant's lock is
 * never cut short: reschedule and backup-now wait for it (bounded by
 * DEEPLENS_BUSY_WAIT) and say so. Remove keeps the backup files unless the
 * caller (who asked the operator twice) says otherwise; then it stops the
 * container and a helper deletes, under the lock, only this tenant's files in
 * its own directory on the target.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deeplens/text.h"
#include "internal.h"
#include "deeplens/manifest.h"

/* Tenant container + its spec. */
static int load(dl_ctx *ctx, const char *tenant, char *name, size_t n,
                dl_spec *spec, dk_container *ct, dl_err *err)
{
    if (dl_find_tenant(ctx, tenant, name, n, ct, err) < 0)
        return -1;
    dl_spec_defaults(spec);
    if (dl_spec_from_labels(spec, ct->labels, ct->nlabels, err) < 0) {
        dl_err_prefix(err, "container '%s'", name);
        dk_container_clear(ct);
        return -1;
    }
    return 0;
}

static int need_running(const dk_container *ct, const char *name, dl_err *err)
{
    if (ct->state && !strcmp(ct->state, "running"))
        return 0;
    if (dl_svc_is(ct))   /* a swarm service: no task container runs now */
        return dl_err_set(err, DL_ECONFLICT,
                          "service '%s' has no running task (%s): the swarm says why in "
                          "'docker service ps %s'",
                          dl_svc_name(ct), ct->status && *ct->status ? ct->status : "none",
                          dl_svc_name(ct));
    return dl_err_set(err, DL_ECONFLICT,
                      "container '%s' is %s: start it first (deeplens-backup "
                      "restart <tenant>)", name, ct->state ? ct->state : "not running");
}

/* ---- a run in progress ------------------------------------------------------------ */

/* Seconds to wait for a running backup: DEEPLENS_BUSY_WAIT, default 120. */
static long busy_wait_limit(void)
{
    const char *v = getenv("DEEPLENS_BUSY_WAIT");
    char *end;
    long n;
    if (!v || !*v)
        return 120;
    n = strtol(v, &end, 10);
    return (*end || n < 0 || n > 86400) ? 120 : n;
}

/* 1 when a live run holds the tenant's lock (its line in holder), else 0 -
 * also when the container cannot tell (stopped, or a job without --busy). */
static int busy_now(dl_ctx *ctx, const char *name, char *holder, size_t n)
{
    static const char *const cmd[] = {DL_JOB_SCRIPT, "--busy", NULL};
    dk_exec_opts o = {.cmd = cmd, .user = "0:0"};
    char *so = NULL;
    int code = -1, busy;
    dl_err e;

    if (dk_exec_capture(ctx->dk, name, &o, &so, NULL, 4096, &code, &e) < 0)
        return 0;
    busy = code == 0 && so && !strncmp(so, "busy ", 5);
    if (busy) {
        char mode[32] = "backup", pid[32] = "?", since[32] = "";
        dl_logfmt_get(so, "mode", mode, sizeof mode);
        dl_logfmt_get(so, "pid", pid, sizeof pid);
        if (dl_logfmt_get(so, "since", since, sizeof since) == 0 && atol(since) > 0) {
            long ago = (long)(time(NULL) - atol(since));
            snprintf(holder, n, "a %s (pid %s, running for %lds)", mode, pid, ago < 0 ? 0 : ago);
        } else {
            snprintf(holder, n, "a %s (pid %s)", mode, pid);
        }
    }
    free(so);
    return busy;
}

/* Wait until no run holds the lock of `name`, at most DEEPLENS_BUSY_WAIT s;
 * DL_ECONFLICT naming `action` when it is still held then. */
static int wait_idle(dl_ctx *ctx, const char *name, const char *action,
                     dl_progress_fn progress, void *ud, dl_err *err)
{
    long limit = busy_wait_limit();
    time_t t0 = time(NULL);
    char holder[160] = "";
    int said = 0;

    while (busy_now(ctx, name, holder, sizeof holder)) {
        long waited = (long)(time(NULL) - t0);
        if (!said) {
            dl_say(progress, ud, DL_STEP_BEGIN,
                   "%s is in progress in %s: waiting up to %ld s for it to finish", holder,
                   name, limit);
            said = 1;
        }
        if (waited >= limit)
            return dl_err_set(err, DL_ECONFLICT,
                              "%s refused: %s is still in progress in '%s' after waiting %ld s; "
                              "nothing was changed - try again when it has finished "
                              "(DEEPLENS_BUSY_WAIT sets the wait)",
                              action, holder, name, waited);
        sleep(1);
    }
    if (said)
        dl_say(progress, ud, DL_STEP_OK, "Waited %ld s for the run in progress to finish",
               (long)(time(NULL) - t0));
    return 0;
}

/* ---- password of an existing container ---------------------------------------- */

int dl_read_password(dl_ctx *ctx, const char *container, char *buf, size_t n,
                     dl_err *err)
{
    char *data = NULL;
    size_t len = 0;

    if (dk_archive_read_file(ctx->dk, container, DL_JOB_PGPASS, 4096, &data,
                             &len, err) < 0) {
        dl_err_prefix(err, "reading the stored credentials of '%s'", container);
        return -1;
    }
    return dl_pgpass_password(container, data, len, buf, n, err);
}

int dl_pgpass_password(const char *container, char *data, size_t len, char *buf, size_t n,
                       dl_err *err)
{
    size_t k = 0;
    int field = 0;

    /* host:port:db:user:password, ':' and '\' escaped with '\' */
    for (size_t i = 0; i < len && data[i] != '\n'; i++) {
        char ch = data[i];
        if (ch == '\\' && i + 1 < len) {
            ch = data[++i];
        } else if (ch == ':' && field < 4) {
            field++;
            continue;
        }
        if (field == 4 && k + 1 < n)
            buf[k++] = ch;
    }
    buf[k] = '\0';
    memset(data, 0, len);
    free(data);
    if (field < 4 || !k)
        return dl_err_set(err, DL_EPROTO, "stored credentials of '%s' are unreadable",
                          container);
    return 0;
}

/* ---- reschedule ------------------------------------------------------------------ */

int dl_read_webhook_secret(dl_ctx *ctx, const char *container, char *buf, size_t n,
                           dl_err *err)
{
    char *data = NULL;
    size_t len = 0;

    if (dk_archive_read_file(ctx->dk, container, DL_JOB_WEBHOOK_SECRET, 4096, &data, &len,
                             err) < 0) {
        dl_err_prefix(err, "reading the stored webhook secret of '%s'", container);
        return -1;
    }
    if (!len || len >= n || memchr(data, '\0', len)) {
        memset(data, 0, len);
        free(data);
        return dl_err_set(err, DL_EPROTO, "stored webhook secret of '%s' is unreadable",
                          container);
    }
    memcpy(buf, data, len);
    buf[len] = '\0';
    memset(data, 0, len);
    free(data);
    return 0;
}

int dl_reschedule(dl_ctx *ctx, const char *tenant, const char *schedule,
                  int retention_days, dl_progress_fn progress, void *ud,
                  dl_err *err)
{
    dl_reschedule_opts o = {.schedule = schedule, .retention_days = retention_days};
    return dl_reschedule_opts_apply(ctx, tenant, &o, progress, ud, err);
}

/* The webhook part of a change, onto the spec loaded from the labels. */
static int change_webhook(dl_spec *spec, const dl_reschedule_opts *ch, dl_err *err)
{
    if (ch->webhook_off) {
        spec->webhook_url[0] = '\0';
        spec->webhook_signed = 0;
        return 0;
    }
    if (ch->webhook_url) {
        if (dl_validate_webhook_url(ch->webhook_url, err) < 0)
            return -1;
        snprintf(spec->webhook_url, sizeof spec->webhook_url, "%s", ch->webhook_url);
    }
    if ((ch->webhook_format || ch->webhook_events || ch->webhook_secret) && !spec->webhook_url[0])
        return dl_err_set(err, DL_EINVAL,
                          "tenant '%s' has no webhook: give --webhook URL with the webhook's "
                          "other options", spec->tenant);
    if (ch->webhook_format) {
        if (dl_validate_webhook_format(ch->webhook_format, err) < 0)
            return -1;
        snprintf(spec->webhook_format, sizeof spec->webhook_format, "%s", ch->webhook_format);
    }
    if (ch->webhook_events) {
        if (dl_validate_webhook_events(ch->webhook_events, err) < 0)
            return -1;
        snprintf(spec->webhook_events, sizeof spec->webhook_events, "%s", ch->webhook_events);
    }
    if (ch->webhook_secret && *ch->webhook_secret)
        spec->webhook_signed = 1;
    return 0;
}

static int webhook_changed(const dl_reschedule_opts *ch)
{
    return ch->webhook_off || ch->webhook_url || ch->webhook_format || ch->webhook_events ||
           ch->webhook_secret;
}

static int storage_given(const dl_storage_opts *o)
{
    return o && (o->compression || o->zstd_level || o->format || o->no_compression);
}

int dl_reschedule_opts_apply(dl_ctx *ctx, const char *tenant, const dl_reschedule_opts *o,
                             dl_progress_fn progress, void *ud, dl_err *err)
{
    char name[160], next[200], prev[200], pw[512], secret[1024] = "";
    char rbuf[16], svc[160] = "";
    const dl_reschedule_opts *ch = o;
    dl_spec spec;
    dk_container ct = {0};
    dl_err e2;
    const char *schedule = o->schedule;
    const char *drill = o->drill_schedule && !strcmp(o->drill_schedule, "none")
                            ? "" : o->drill_schedule;
    int retention_days = o->retention_days, window = o->drill_window_days;
    const dl_storage_opts *storage = o->storage;
    const dl_spec_setting *set = o->set;
    size_t nset = o->nset;

    if (dl_validate_tenant(tenant, err) < 0)
        return -1;
    if (schedule && dl_validate_schedule(schedule, err) < 0)
        return -1;
    if (drill && dl_validate_drill_schedule(drill, err) < 0)
        return -1;
    if (window) {
        snprintf(rbuf, sizeof rbuf, "%d", window);
        if (dl_validate_number("drill window", rbuf, 1, DL_RETENTION_MAX, NULL, err) < 0)
            return -1;
    }
    if (retention_days) {
        snprintf(rbuf, sizeof rbuf, "%d", retention_days);
        if (dl_validate_retention(rbuf, &retention_days, err) < 0)
            return -1;
    }
    if ((ch->webhook_url && dl_validate_webhook_url(ch->webhook_url, err) < 0) ||
        (ch->webhook_format && dl_validate_webhook_format(ch->webhook_format, err) < 0) ||
        (ch->webhook_events && dl_validate_webhook_events(ch->webhook_events, err) < 0))
        return -1;
    {
        dl_spec check;   /* every setting checked before the engine is asked */
        dl_spec_defaults(&check);
        for (size_t i = 0; i < nset; i++)
            if (dl_spec_set(&check, set[i].label, set[i].text, err) < 0)
                return -1;
    }
    if (!schedule && !retention_days && !drill && !window && !nset && !storage_given(storage) &&
        !webhook_changed(ch))
        return dl_err_set(err, DL_EINVAL,
                          "nothing to change: give a schedule, a retention, drill settings, a "
                          "compression, a format, a webhook or a setting");
    if (storage_given(storage)) {
        /* the values alone first, before the engine is asked anything */
        if (storage->compression && dl_parse_compression(storage->compression, NULL, err) < 0)
            return -1;
        if (storage->format && dl_validate_format(storage->format, err) < 0)
            return -1;
        if (storage->zstd_level && dl_validate_zstd_level(storage->zstd_level, NULL, err) < 0)
            return -1;
    }
    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    if (dl_svc_is(&ct)) {   /* swarm: the service's own path below (service.c) */
        snprintf(svc, sizeof svc, "%s", dl_svc_name(&ct));
        /* its stored secrets are read from the running task's mount */
        if (need_running(&ct, name, err) < 0) {
            dl_err_prefix(err, "reschedule reads the stored credentials from the running task");
            dk_container_clear(&ct);
            return -1;
        }
    }
    dk_container_clear(&ct);
    if (storage_given(storage) && dl_spec_apply_storage(&spec, storage, err) < 0)
        return -1;
    for (size_t i = 0; i < nset; i++)
        if (dl_spec_set(&spec, set[i].label, set[i].text, err) < 0)
            return -1;
    if (schedule)
        snprintf(spec.schedule, sizeof spec.schedule, "%s", schedule);
    if (retention_days)
        spec.retention_days = retention_days;
    if (drill)
        snprintf(spec.drill_schedule, sizeof spec.drill_schedule, "%s", drill);
    if (window)
        spec.drill_window_days = window;
    if (change_webhook(&spec, ch, err) < 0 || dl_spec_validate(&spec, err) < 0)
        return -1;
    if ((svc[0] ? dl_svc_read_password(ctx, name, pw, sizeof pw, err)
                : dl_read_password(ctx, name, pw, sizeof pw, err)) < 0)
        return -1;
    if (ch->webhook_secret && *ch->webhook_secret)
        snprintf(secret, sizeof secret, "%s", ch->webhook_secret);
    else if (spec.webhook_signed &&
             (svc[0] ? dl_svc_read_webhook_secret(ctx, name, secret, sizeof secret, err)
                     : dl_read_webhook_secret(ctx, name, secret, sizeof secret, err)) < 0) {
        memset(pw, 0, sizeof pw);
        return -1;
    }
    /* a new https webhook: the image must be able to send it (preflight says) */
    if (ch->webhook_url && !strncmp(spec.webhook_url, "https://", 8)) {
        long long size;
        dl_say(progress, ud, DL_STEP_BEGIN, "Checking that image %s can send the webhook",
               spec.image);
        if (dl_preflight(ctx, &spec, pw, &size, err) < 0) {
            memset(pw, 0, sizeof pw);
            dl_wipe(secret, sizeof secret);
            dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
            return -1;
        }
        dl_say(progress, ud, DL_STEP_OK, "The image can send the webhook");
    }

    if (wait_idle(ctx, name, "reschedule", progress, ud, err) < 0) {
        memset(pw, 0, sizeof pw);
        dl_wipe(secret, sizeof secret);
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }

    if (svc[0]) {   /* swarm: rotate the secret, update the service (service.c) */
        int rc = dl_svc_reschedule(ctx, svc, name, &spec, pw, secret, progress, ud, err);
        memset(pw, 0, sizeof pw);
        dl_wipe(secret, sizeof secret);
        if (rc < 0)
            dl_say(progress, ud, DL_STEP_FAIL, "%s (the service keeps its old settings)",
                   err->msg);
        return rc;
    }
    snprintf(next, sizeof next, "%s-next", name);
    snprintf(prev, sizeof prev, "%s-prev", name);
    /* leftovers of an interrupted reschedule */
    dk_container_remove(ctx->dk, next, 1, 0, &e2);

    dl_say(progress, ud, DL_STEP_BEGIN, "Creating the new container beside the old one");
    if (dl_container_make(ctx, &spec, next, pw, secret, err) < 0) {
        memset(pw, 0, sizeof pw);
        dl_wipe(secret, sizeof secret);
        dl_say(progress, ud, DL_STEP_FAIL, "%s (the old container keeps running)", err->msg);
        return -1;
    }
    memset(pw, 0, sizeof pw);
    dl_wipe(secret, sizeof secret);
    dl_say(progress, ud, DL_STEP_OK,
        "New container ready: schedule '%s', retention %d days, format %s, compression %s%s",
        spec.schedule, spec.retention_days, spec.format, dl_compression_name(spec.compression),
        spec.webhook_url[0] ? ", webhook set" : "");

    dl_say(progress, ud, DL_STEP_BEGIN, "Swapping containers");
    dk_container_remove(ctx->dk, prev, 1, 0, &e2);
    if (dk_container_stop(ctx->dk, name, 30, NULL, err) < 0 ||
        dk_container_rename(ctx->dk, name, prev, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Removing the new container; restarting the old one");
        dk_container_remove(ctx->dk, next, 1, 0, &e2);
        dk_container_start(ctx->dk, name, NULL, &e2);
        return -1;
    }
    if (dk_container_rename(ctx->dk, next, name, err) < 0 ||
        dk_container_start(ctx->dk, name, NULL, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        dl_say(progress, ud, DL_STEP_ROLLBACK, "Putting the old container back");
        dk_container_remove(ctx->dk, name, 1, 0, &e2);
        dk_container_remove(ctx->dk, next, 1, 0, &e2);
        dk_container_rename(ctx->dk, prev, name, &e2);
        dk_container_start(ctx->dk, name, NULL, &e2);
        return -1;
    }
    if (dk_container_remove(ctx->dk, prev, 1, 0, &e2) < 0)
        dl_say(progress, ud, DL_STEP_FAIL, "could not remove %s: %s", prev, e2.msg);
    dl_say(progress, ud, DL_STEP_OK, "Rescheduled: %s, retention %d days%s%s%s (volume and files kept)",
        spec.schedule, spec.retention_days, spec.drill_schedule[0] ? ", drills '" : "",
        spec.drill_schedule, spec.drill_schedule[0] ? "'" : "");
    return 0;
}

/* ---- job runs --------------------------------------------------------------------- */

int dl_backup_now(dl_ctx *ctx, const char *tenant, dl_progress_fn progress,
                  void *ud, dl_err *err)
{
    char name[160];
    dl_spec spec;
    dk_container ct = {0};
    int rc;

    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    rc = need_running(&ct, name, err);
    dk_container_clear(&ct);
    if (rc < 0)
        return -1;
    if (wait_idle(ctx, name, "backup-now", progress, ud, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_say(progress, ud, DL_STEP_BEGIN, "Running backup of %s in %s", tenant, name);
    if (dl_run_job(ctx, name, progress, ud, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_say(progress, ud, DL_STEP_OK, "Backup completed");
    return 0;
}

/* <db>_YYYYMMDD_HHMMSS.sql, .sql.gz, .sql.zst or .dump - the only names we act on. */
int dl_backup_name_check(const dl_spec *s, const char *file, dl_err *err)
{
    char db[64];
    size_t dl;
    const char *p;

    dl_spec_database(s, db, sizeof db);
    dl = strlen(db);
    if (!file || strncmp(file, db, dl) || file[dl] != '_')
        goto bad;
    p = file + dl + 1;
    for (int i = 0; i < 15; i++, p++)
        if (i == 8 ? *p != '_' : (*p < '0' || *p > '9'))
            goto bad;
    if (!strcmp(p, ".sql") || !strcmp(p, ".sql.gz") || !strcmp(p, ".sql.zst") ||
        !strcmp(p, ".dump"))
        return 0;
bad:
    return dl_err_set(err, DL_EINVAL,
                      "invalid backup file '%s': expected %s_YYYYMMDD_HHMMSS.sql.gz "
                      "(or .sql, .sql.zst, .dump)",
                      file ? file : "", db);
}

static int run_mode(dl_ctx *ctx, const char *name, const char *const *cmd,
                    const char *what, dl_progress_fn progress, void *ud,
                    dl_err *err)
{
    char last[1024], reason[512];
    int code = -1;
    if (dl_exec_lines(ctx, name, cmd, "0:0", progress, ud, &code, last,
                      sizeof last, err) < 0)
        return -1;
    if (code == 0)
        return 0;
    if (dl_logfmt_get(last, "reason", reason, sizeof reason) < 0)
        snprintf(reason, sizeof reason, "exit status %d", code);
    /* the job's exit codes: 2 bad arguments, 3 refused (the restore target exists),
     * 4 not verified (no sha256 sidecar), 75 another run held the tenant's lock for
     * as long as the job waited */
    if (code == 3 || code == 75)
        return dl_err_set(err, DL_ECONFLICT, "%s refused: %s", what, reason);
    if (code == 4)
        return dl_err_set(err, DL_EUNVERIFIED, "%s: %s", what, reason);
    return dl_err_set(err, code == 2 ? DL_EINVAL : DL_EFAIL, "%s failed: %s", what, reason);
}

int dl_verify(dl_ctx *ctx, const char *tenant, const char *file,
              dl_progress_fn progress, void *ud, dl_err *err)
{
    char name[160];
    dl_spec spec;
    dk_container ct = {0};
    const char *cmd[] = {DL_JOB_SCRIPT, "--verify", file, NULL};
    int rc;

    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    rc = need_running(&ct, name, err);
    dk_container_clear(&ct);
    if (rc < 0 || (file && dl_backup_name_check(&spec, file, err) < 0))
        return -1;
    dl_say(progress, ud, DL_STEP_BEGIN, "Verifying %s", file ? file : "the newest backup");
    if (run_mode(ctx, name, cmd, "verify", progress, ud, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    /* the job exits 0 only with checksum=sha256: no sidecar is exit 4 */
    dl_say(progress, ud, DL_STEP_OK, "Backup verified: %sdump complete, sha256 checksum matches",
        !file ? ""
        : strstr(file, ".dump") ? "archive readable by pg_restore, "
        : strstr(file, ".gz") || strstr(file, ".zst") ? "compressed stream intact, " : "");
    return 0;
}

int dl_manifest_get(dl_ctx *ctx, const char *tenant, const char *file, dl_manifest *m,
                    dl_err *err)
{
    char name[160], *so = NULL, *se = NULL, reason[256] = "";
    dl_spec spec;
    dk_container ct = {0};
    const char *cmd[] = {DL_JOB_SCRIPT, "--manifest", file, NULL};
    int rc, code = -1;

    dl_manifest_clear(m);
    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    rc = need_running(&ct, name, err);
    dk_container_clear(&ct);
    if (rc < 0 || dl_backup_name_check(&spec, file, err) < 0)
        return -1;
    dk_exec_opts o = {.cmd = cmd};
    if (dk_exec_capture(ctx->dk, name, &o, &so, &se, 4 << 20, &code, err) < 0)
        return -1;
    if (code == 0)
        rc = dl_manifest_parse(m, so ? so : "", so ? strlen(so) : 0, err);
    else if (code == 4)   /* the job: the backup has none */
        rc = 0;
    else {
        dl_logfmt_get(so ? so : "", "reason", reason, sizeof reason);
        rc = dl_err_set(err, strcmp(reason, "no such backup") ? DL_EFAIL : DL_ENOTFOUND,
                        "manifest of '%s' in '%s': %s", file, name,
                        reason[0] ? reason : se && *se ? se : "no message");
    }
    free(so);
    free(se);
    return rc;
}

int dl_drill(dl_ctx *ctx, const char *tenant, const char *file,
             dl_progress_fn progress, void *ud, dl_err *err)
{
    char name[160], last[1024], reason[512], f[160] = "", tables[32] = "?", rows[32] = "?",
        source[32] = "", dur[32] = "?";
    dl_spec spec;
    dk_container ct = {0};
    const char *cmd[] = {DL_JOB_SCRIPT, "--drill", file, NULL};
    int rc, code = -1;

    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    rc = need_running(&ct, name, err);
    dk_container_clear(&ct);
    if (rc < 0 || (file && dl_backup_name_check(&spec, file, err) < 0))
        return -1;
    dl_say(progress, ud, DL_STEP_BEGIN, "Restore drill of %s in %s",
           file ? file : "the newest backup", name);
    if (dl_exec_lines(ctx, name, cmd, "0:0", progress, ud, &code, last, sizeof last, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    if (code != 0) {
        if (dl_logfmt_get(last, "reason", reason, sizeof reason) < 0)
            snprintf(reason, sizeof reason, "exit status %d", code);
        if (code == 75)
            dl_err_set(err, DL_ECONFLICT, "drill refused: %s", reason);
        else if (code == 4)
            dl_err_set(err, DL_EUNVERIFIED, "drill: %s", reason);
        else
            dl_err_set(err, code == 2 ? DL_EINVAL : DL_EFAIL, "drill FAILED: %s", reason);
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_logfmt_get(last, "file", f, sizeof f);
    dl_logfmt_get(last, "tables", tables, sizeof tables);
    dl_logfmt_get(last, "rows", rows, sizeof rows);
    dl_logfmt_get(last, "source", source, sizeof source);
    dl_logfmt_get(last, "duration", dur, sizeof dur);
    dl_say(progress, ud, DL_STEP_OK,
           "Drill passed: %s restored into a scratch database in %s s, %s tables and %s rows "
           "match %s; scratch database dropped", f, dur, tables, rows,
           !strcmp(source, "manifest") ? "the manifest"
                                       : "the dump's COPY blocks (no manifest)");
    return 0;
}

int dl_restore(dl_ctx *ctx, const char *tenant, const char *file,
               const char *database, int force, dl_progress_fn progress,
               void *ud, dl_err *err)
{
    char name[160], db[64];
    dl_spec spec;
    dk_container ct = {0};
    const char *cmd[] = {DL_JOB_SCRIPT, "--restore", file, database,
                         force ? "--force" : NULL, NULL};
    int rc;

    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    rc = need_running(&ct, name, err);
    dk_container_clear(&ct);
    if (rc < 0 || dl_backup_name_check(&spec, file, err) < 0 ||
        dl_validate_database(database, err) < 0)
        return -1;
    dl_spec_database(&spec, db, sizeof db);
    if (!strcmp(db, database) && !force)
        return dl_err_set(err, DL_ECONFLICT,
                          "restore refused: '%s' is the live database of tenant '%s'; "
                          "--force drops it and replaces it with the backup", database,
                          tenant);
    dl_say(progress, ud, DL_STEP_BEGIN, "Restoring %s into database %s%s", file,
        database, force ? " (replacing it)" : "");
    if (run_mode(ctx, name, cmd, "restore", progress, ud, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_say(progress, ud, DL_STEP_OK, "Restored %s into %s", file, database);
    return 0;
}

int dl_restart(dl_ctx *ctx, const char *tenant, dl_progress_fn progress,
               void *ud, dl_err *err)
{
    char name[160];
    dl_spec spec;
    dk_container ct = {0};

    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    if (dl_svc_is(&ct)) {   /* swarm: a new task (service.c) */
        char svc[160];
        snprintf(svc, sizeof svc, "%s", dl_svc_name(&ct));
        dk_container_clear(&ct);
        return dl_svc_restart(ctx, svc, name, progress, ud, err);
    }
    dk_container_clear(&ct);
    dl_say(progress, ud, DL_STEP_BEGIN, "Restarting %s", name);
    if (dk_container_restart(ctx->dk, name, 10, err) < 0) {
        if (strstr(err->msg, "mount"))
            dl_err_prefix(err, "cannot mount the backup target %s", spec.nfs_path);
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_say(progress, ud, DL_STEP_OK, "Container %s restarted", name);
    return 0;
}

/* ---- remove ------------------------------------------------------------------------ */

/* Stop the container (a running job ends and removes its temporaries), then
 * let a helper on the same volume run the job's --delete: under the tenant's
 * lock, only this tenant's files in its own directory. */
static int delete_files(dl_ctx *ctx, const dl_spec *spec, const char *name,
                        const dk_container *ct, dl_progress_fn progress, void *ud,
                        dl_err *err)
{
    static const char *const ep[] = {"/bin/sh", DL_JOB_SCRIPT, "--delete", NULL};
    char log[8192], count[32], one[256];
    const char *line = NULL;
    long code = -1;
    int was_running = ct->state && !strcmp(ct->state, "running");
    dl_err e2;

    if (was_running) {
        dl_say(progress, ud, DL_STEP_BEGIN, "Stopping %s so that no run writes meanwhile", name);
        if (dk_container_stop(ctx->dk, name, 30, NULL, err) < 0) {
            dl_say(progress, ud, DL_STEP_FAIL, "%s (nothing removed)", err->msg);
            return -1;
        }
    }
    dl_say(progress, ud, DL_STEP_BEGIN, "Deleting the backup files of %s on %s", spec->tenant,
           spec->nfs_path);
    if (dl_job_helper(ctx, spec, NULL, "delete", ep, NULL, 0, log, sizeof log, &code, err) == 0 &&
        (code != 0 || !(line = strstr(log, "result=ok deleted=")))) {
        char reason[512];
        const char *failed = strstr(log, "result=FAILED");
        if (!failed || dl_logfmt_get(failed, "reason", reason, sizeof reason) < 0)
            snprintf(reason, sizeof reason, "exit status %ld", code);
        dl_err_set(err, code == 75 ? DL_ECONFLICT : DL_EFAIL, "deleting backup files failed: %s",
                   reason);
        code = -1;
    }
    if (code != 0) {
        if (was_running)
            dk_container_start(ctx->dk, name, NULL, &e2);
        dl_say(progress, ud, DL_STEP_FAIL, "%s (container kept)", err->msg);
        return -1;
    }
    if (line)
        snprintf(one, sizeof one, "%.*s", (int)strcspn(line, "\r\n"), line);
    if (!line || dl_logfmt_get(one, "deleted", count, sizeof count) < 0)
        snprintf(count, sizeof count, "the");
    dl_say(progress, ud, DL_STEP_OK, "Deleted %s backup files", count);
    return 0;
}

int dl_remove(dl_ctx *ctx, const char *tenant, int delete_backups,
              dl_progress_fn progress, void *ud, dl_err *err)
{
    char name[160], vol[128];
    dl_spec spec;
    dk_container ct = {0};
    dl_err e2;

    if (load(ctx, tenant, name, sizeof name, &spec, &ct, err) < 0)
        return -1;
    if (dl_svc_is(&ct)) {   /* swarm: service, secrets, volume (service.c) */
        char svc[160];
        int rc;
        snprintf(svc, sizeof svc, "%s", dl_svc_name(&ct));
        dk_container_clear(&ct);
        rc = dl_svc_remove(ctx, svc, &spec, delete_backups, progress, ud, err);
        return rc;
    }
    dl_spec_volume_name(&spec, vol, sizeof vol);
    if (delete_backups && delete_files(ctx, &spec, name, &ct, progress, ud, err) < 0) {
        dk_container_clear(&ct);
        return -1;
    }
    dk_container_clear(&ct);
    dl_say(progress, ud, DL_STEP_BEGIN, "Removing container %s", name);
    if (dk_container_remove(ctx->dk, name, 1, 0, err) < 0) {
        dl_say(progress, ud, DL_STEP_FAIL, "%s", err->msg);
        return -1;
    }
    dl_say(progress, ud, DL_STEP_OK, "Container removed");
    dl_say(progress, ud, DL_STEP_BEGIN, "Removing volume %s", vol);
    if (dk_volume_remove(ctx->dk, vol, 0, &e2) < 0 && e2.kind != DL_ENOTFOUND)
        dl_say(progress, ud, DL_STEP_FAIL, "volume kept: %s", e2.msg);
    else
        dl_say(progress, ud, DL_STEP_OK, "Volume definition removed");
    if (!delete_backups)
        dl_say(progress, ud, DL_STEP_INFO, "Backup files kept on %s", spec.nfs_path);
    return 0;
}
