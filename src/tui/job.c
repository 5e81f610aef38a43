/* job.c - the console's long operations on a worker thread (see job.h).
 *
 * One pthread per job. The worker owns a domain context (dl_ctx_open) on
 * the endpoint; it calls one domain function and pushes every progress line
 * into a ring of UI_JOB_MAX_QUEUED lines under a mutex, then wakes the
 * loop. The loop takes the whole ring in ui_job_poll and hands the lines
 * over outside the lock, so a slow painter never blocks the worker.
 */
#include "job.h"
#include "audit.h"
#include "keys.h"
#include "deeplens/text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct job_line {
    dl_step_kind kind;
    char *text;
} job_line;

struct ui_job {
    pthread_t thread;

    /* written by ui_job_start, read-only afterwards (the worker wipes the
     * password once the domain call is back) */
    ui_job_req req;
    dk_endpoint ep;
    dl_spec site;
    dl_ctx *wake;
    char tenant[DL_TENANT_MAX + 1];
    char title[128];

    pthread_mutex_t mu;         /* guards everything below */
    job_line ring[UI_JOB_MAX_QUEUED];
    size_t head, len;           /* oldest line, count */
    unsigned long dropped;      /* lines lost since the last poll */
    int done;
    int rc;
    dl_err err;
    dl_files files;
    int have_files;
    dl_manifest manifest;
    int have_manifest;
};

/* Not optimised away like a plain memset before free. */
static const char *job_verb(ui_job_kind k)
{
    switch (k) {
    case UI_JOB_PROVISION:  return "Provisioning";
    case UI_JOB_RESCHEDULE: return "Rescheduling";
    case UI_JOB_REMOVE:     return "Removing";
    case UI_JOB_BACKUP_NOW: return "Backing up";
    case UI_JOB_RESTART:    return "Restarting";
    case UI_JOB_VERIFY:     return "Verifying";
    case UI_JOB_RESTORE:    return "Restoring";
    case UI_JOB_FILES:      return "Listing files of";
    case UI_JOB_DRILL:      return "Restore drill of";
    case UI_JOB_MANIFEST:   return "Reading a manifest of";
    }
    return "Working on";
}

const char *ui_job_kind_name(ui_job_kind k)
{
    switch (k) {
    case UI_JOB_PROVISION:  return "provision";
    case UI_JOB_RESCHEDULE: return "reschedule";
    case UI_JOB_REMOVE:     return "remove";
    case UI_JOB_BACKUP_NOW: return "backup-now";
    case UI_JOB_RESTART:    return "restart";
    case UI_JOB_VERIFY:     return "verify";
    case UI_JOB_RESTORE:    return "restore";
    case UI_JOB_FILES:      return "files";
    case UI_JOB_DRILL:      return "drill";
    case UI_JOB_MANIFEST:   return "manifest";
    }
    return "operation";
}

static void push_line(ui_job *j, dl_step_kind kind, const char *text)
{
    char *copy = strdup(text ? text : "");
    pthread_mutex_lock(&j->mu);
    if (j->len == UI_JOB_MAX_QUEUED) {
        /* full: the oldest line goes */
        job_line *old = &j->ring[j->head];
        free(old->text);
        old->text = NULL;
        j->head = (j->head + 1) % UI_JOB_MAX_QUEUED;
        j->len--;
        j->dropped++;
    }
    if (copy) {
        job_line *l = &j->ring[(j->head + j->len) % UI_JOB_MAX_QUEUED];
        l->kind = kind;
        l->text = copy;
        j->len++;
    } else {
        j->dropped++;
    }
    pthread_mutex_unlock(&j->mu);
    if (j->wake)
        dl_ctx_wakeup(j->wake);
}

/* The dl_progress_fn handed to the domain; runs on the worker. */
static void on_progress(void *ud, dl_step_kind kind, const char *text)
{
    push_line(ud, kind, text);
}

static int run_domain(ui_job *j, dl_ctx *ctx, dl_files *files, dl_manifest *mf, dl_err *err)
{
    const ui_job_req *r = &j->req;
    const ui_form_result *fr = &r->form;

    switch (r->kind) {
    case UI_JOB_PROVISION: {
        dl_provision_opts o = {0};
        int rc;
        o.password = j->req.password;
        o.shared_target = fr->shared_target;
        rc = dl_provision(ctx, &fr->spec, &o, on_progress, j, err);
        dl_wipe(j->req.password, sizeof j->req.password);
        return rc;
    }
    case UI_JOB_RESCHEDULE:
        return dl_reschedule(ctx, j->tenant,
                             fr->schedule[0] ? fr->schedule : NULL,
                             fr->retention_days, on_progress, j, err);
    case UI_JOB_REMOVE:
        return dl_remove(ctx, j->tenant, fr->delete_backups, on_progress, j,
                         err);
    case UI_JOB_BACKUP_NOW:
        return dl_backup_now(ctx, j->tenant, on_progress, j, err);
    case UI_JOB_RESTART:
        return dl_restart(ctx, j->tenant, on_progress, j, err);
    case UI_JOB_VERIFY:
        return dl_verify(ctx, j->tenant, r->file[0] ? r->file : NULL,
                         on_progress, j, err);
    case UI_JOB_RESTORE:
        return dl_restore(ctx, j->tenant, fr->file[0] ? fr->file : NULL,
                          fr->database, fr->force, on_progress, j, err);
    case UI_JOB_FILES:
        return dl_files_list(ctx, j->tenant, files, err);
    case UI_JOB_DRILL:
        return dl_drill(ctx, j->tenant, r->file[0] ? r->file : NULL, on_progress, j, err);
    case UI_JOB_MANIFEST:
        return dl_manifest_get(ctx, j->tenant, r->file, mf, err);
    }
    return dl_err_set(err, DL_EINVAL, "unknown job kind %d", (int)r->kind);
}

static void *worker(void *arg)
{
    ui_job *j = arg;
    dl_err err;
    dl_files files;
    dl_manifest mf;
    dl_ctx ctx;
    int rc;

    dl_audit_entry audit;
    int audited = ui_audit_job_begin(&audit, &j->req, j->tenant, j->ep.display);

    dl_err_clear(&err);
    memset(&files, 0, sizeof files);
    memset(&mf, 0, sizeof mf);
    rc = dl_ctx_open(&ctx, &j->ep, &j->site, &err);
    if (rc == 0)
        rc = run_domain(j, &ctx, &files, &mf, &err);
    dl_ctx_close(&ctx);
    dl_wipe(j->req.password, sizeof j->req.password);
    if (audited)
        ui_audit_job_end(&audit, rc, &err);

    pthread_mutex_lock(&j->mu);
    j->rc = rc;
    j->err = err;
    if (rc == 0 && j->req.kind == UI_JOB_FILES) {
        j->files = files;
        j->have_files = 1;
    } else {
        dl_files_clear(&files);
    }
    if (rc == 0 && j->req.kind == UI_JOB_MANIFEST) {
        j->manifest = mf;
        j->have_manifest = 1;
    } else {
        dl_manifest_clear(&mf);
    }
    j->done = 1;
    pthread_mutex_unlock(&j->mu);
    if (j->wake)
        dl_ctx_wakeup(j->wake);
    return NULL;
}

ui_job *ui_job_start(const dk_endpoint *ep, const dl_spec *site,
                     const ui_job_req *r, dl_ctx *wake, dl_err *err)
{
    ui_job *j;
    const char *tenant;
    int rc;

    if (!ep || !site || !r) {
        dl_err_set(err, DL_EINVAL, "job: missing endpoint, site or request");
        return NULL;
    }
    if ((unsigned)r->kind > UI_JOB_MANIFEST) {
        dl_err_set(err, DL_EINVAL, "unknown job kind %d", (int)r->kind);
        return NULL;
    }
    if (ui_keys_read_only() && ui_audit_job_mutates(r->kind)) {
        dl_err_set(err, DL_EREADONLY, "%s is refused in read-only mode", ui_job_kind_name(r->kind));
        return NULL;
    }
    j = calloc(1, sizeof *j);
    if (!j) {
        dl_err_set(err, DL_ESYS, "out of memory starting a job");
        return NULL;
    }
    j->req = *r;
    j->ep = *ep;
    j->site = *site;
    j->wake = wake;
    tenant = r->tenant[0] ? r->tenant
           : r->form.tenant[0] ? r->form.tenant : r->form.spec.tenant;
    snprintf(j->tenant, sizeof j->tenant, "%s", tenant);
    snprintf(j->title, sizeof j->title, "%s %s", job_verb(r->kind), j->tenant);
    if (!j->tenant[0]) {
        dl_wipe(j->req.password, sizeof j->req.password);
        free(j);
        dl_err_set(err, DL_EINVAL, "job: no tenant given");
        return NULL;
    }
    pthread_mutex_init(&j->mu, NULL);
    rc = pthread_create(&j->thread, NULL, worker, j);
    if (rc != 0) {
        dl_wipe(j->req.password, sizeof j->req.password);
        pthread_mutex_destroy(&j->mu);
        free(j);
        dl_err_set(err, DL_ESYS, "cannot start a worker thread: %s",
                   strerror(rc));
        return NULL;
    }
    return j;
}

int ui_job_poll(ui_job *j, void (*fn)(void *ud, dl_step_kind k, const char *line),
                void *ud)
{
    job_line *taken;
    size_t n, i;
    unsigned long dropped;
    int done;

    if (!j)
        return 1;
    taken = NULL;
    pthread_mutex_lock(&j->mu);
    n = j->len;
    if (n) {
        taken = malloc(n * sizeof *taken);
        if (!taken) {
            n = 0;     /* leave them queued; try again next turn */
        } else {
            for (i = 0; i < n; i++) {
                taken[i] = j->ring[(j->head + i) % UI_JOB_MAX_QUEUED];
                j->ring[(j->head + i) % UI_JOB_MAX_QUEUED].text = NULL;
            }
            j->head = 0;
            j->len = 0;
        }
    }
    dropped = j->dropped;
    if (taken || !j->len)
        j->dropped = 0;
    else
        dropped = 0;
    /* done is set after the worker's last push: seen together with an
     * empty ring, every line has been handed over */
    done = j->done && j->len == 0;
    pthread_mutex_unlock(&j->mu);

    if (dropped && fn) {
        char note[96];
        snprintf(note, sizeof note, "... %lu line%s dropped (the console fell behind)",
                 dropped, dropped == 1 ? "" : "s");
        fn(ud, DL_STEP_INFO, note);
    }
    for (i = 0; i < n; i++) {
        if (fn)
            fn(ud, taken[i].kind, taken[i].text);
        free(taken[i].text);
    }
    free(taken);
    return done;
}

int ui_job_result(const ui_job *j, dl_err *err)
{
    int rc, done;
    ui_job *m = (ui_job *)j;   /* the mutex, not the state, changes */

    if (!j)
        return dl_err_set(err, DL_EINVAL, "no job");
    pthread_mutex_lock(&m->mu);
    done = j->done;
    rc = j->rc;
    if (done && rc != 0 && err)
        *err = j->err;
    pthread_mutex_unlock(&m->mu);
    if (!done)
        return dl_err_set(err, DL_EFAIL, "%s: still running", j->title);
    return rc == 0 ? 0 : -1;
}

const char *ui_job_title(const ui_job *j)
{
    return j ? j->title : "";
}

ui_job_kind ui_job_kind_of(const ui_job *j)
{
    return j->req.kind;
}

int ui_job_files(ui_job *j, dl_files *out)
{
    int rc = -1;

    if (!j || !out)
        return -1;
    pthread_mutex_lock(&j->mu);
    if (j->done && j->have_files) {
        *out = j->files;
        memset(&j->files, 0, sizeof j->files);
        j->have_files = 0;
        rc = 0;
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

int ui_job_manifest(ui_job *j, dl_manifest *out)
{
    int rc = -1;

    if (!j || !out)
        return -1;
    pthread_mutex_lock(&j->mu);
    if (j->done && j->have_manifest) {
        *out = j->manifest;
        memset(&j->manifest, 0, sizeof j->manifest);
        j->have_manifest = 0;
        rc = 0;
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

void ui_job_free(ui_job *j)
{
    size_t i;

    if (!j)
        return;
    /* The domain call cannot be interrupted: this waits for it. */
    pthread_join(j->thread, NULL);
    for (i = 0; i < j->len; i++)
        free(j->ring[(j->head + i) % UI_JOB_MAX_QUEUED].text);
    if (j->have_files)
        dl_files_clear(&j->files);
    if (j->have_manifest)
        dl_manifest_clear(&j->manifest);
    dl_wipe(j->req.password, sizeof j->req.password);
    pthread_mutex_destroy(&j->mu);
    free(j);
}
