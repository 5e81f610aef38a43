/* job.h - long operations of the console on a worker thread.
 *
 * Provision, reschedule, remove, backup now, restart, verify and restore are
 * blocking domain calls (backup.h). The console runs each on a worker
 * thread with its own domain context (a context belongs to one thread); the
 * worker queues progress lines and wakes the console's loop through
 * dl_ctx_wakeup() on the loop's context. The loop drains the queue with
 * ui_job_poll and paints - the worker never touches curses.
 * The queue is bounded (UI_JOB_MAX_QUEUED lines): when the loop falls
 * behind, the oldest lines are dropped and ui_job_poll reports how many in
 * an info line. The domain calls cannot be cancelled midway: ui_job_free
 * waits for the worker to finish (join), so free a job only once ui_job_poll
 * returned 1 unless blocking is acceptable (quitting).
 * The password in a request is copied into the job and wiped there as soon
 * as the domain call returns; the caller wipes its own request.
 * Ownership: ui_job_start returns a job freed by ui_job_free (joins). The
 * `wake` context must outlive the job.
 */
#ifndef DEEPLENS_TUI_JOB_H
#define DEEPLENS_TUI_JOB_H

#include "deeplens/backup.h"
#include "deeplens/manifest.h"
#include "forms.h"

typedef enum ui_job_kind {
    UI_JOB_PROVISION, UI_JOB_RESCHEDULE, UI_JOB_REMOVE, UI_JOB_BACKUP_NOW,
    UI_JOB_RESTART, UI_JOB_VERIFY, UI_JOB_RESTORE,
    UI_JOB_FILES,               /* dl_files_list; read with ui_job_files */
    UI_JOB_DRILL,               /* dl_drill of file ("" = newest) */
    UI_JOB_MANIFEST             /* dl_manifest_get of file; ui_job_manifest */
} ui_job_kind;

#define UI_JOB_MAX_QUEUED 2000

typedef struct ui_job_req {
    ui_job_kind kind;
    ui_form_result form;        /* provision/reschedule/remove/restore */
    char tenant[DL_TENANT_MAX + 1];
    char file[160];             /* verify, drill: "" = newest; manifest */
    char password[256];         /* provision: database password */
} ui_job_req;

typedef struct ui_job ui_job;

/* ep/site: where and with which site defaults the worker works; wake: the
 * loop's context to wake on progress (may be NULL). */
ui_job *ui_job_start(const dk_endpoint *ep, const dl_spec *site,
                     const ui_job_req *r, dl_ctx *wake, dl_err *err);
/* Main thread: hand every queued line to fn; returns 1 once the job has
 * finished and all its lines were handed over, else 0. */
int ui_job_poll(ui_job *j, void (*fn)(void *ud, dl_step_kind k, const char *line),
                void *ud);
/* After ui_job_poll returned 1: 0 ok, -1 with err. */
int ui_job_result(const ui_job *j, dl_err *err);
const char *ui_job_title(const ui_job *j);   /* "Provisioning vayyari" */
/* The operation's short name, as its console action is called: "backup-now". */
const char *ui_job_kind_name(ui_job_kind k);
ui_job_kind ui_job_kind_of(const ui_job *j);
/* UI_JOB_FILES, after ui_job_poll returned 1 and ui_job_result 0: moves
 * the file list into *out (caller frees with dl_files_clear). Returns 0, or
 * -1 if there is none (wrong kind, failed, or already taken). */
int ui_job_files(ui_job *j, dl_files *out);
/* UI_JOB_MANIFEST, likewise: moves the manifest into *out (caller frees
 * with dl_manifest_clear; out->present = 0 when the backup has none). */
int ui_job_manifest(ui_job *j, dl_manifest *out);
void ui_job_free(ui_job *j);

#endif
