/* audit.h - the console's side of the audit trail (internal to src/tui):
 * the screen is ui_audit_view (views.h); these record the console's
 * operations. The worker thread (job.c) calls them around its domain call.
 */
#ifndef DEEPLENS_TUI_AUDIT_H
#define DEEPLENS_TUI_AUDIT_H

#include "deeplens/audit.h"
#include "job.h"

/* The job kind changes a tenant (recorded; refused in read-only mode). */
int ui_audit_job_mutates(ui_job_kind k);
/* Start the record of r into e; 0 (nothing to record) for a job that
 * changes nothing. No password is ever taken from r. */
int ui_audit_job_begin(dl_audit_entry *e, const ui_job_req *r, const char *tenant,
                       const char *engine);
/* Write it: rc 0 ok, else err's message. */
void ui_audit_job_end(dl_audit_entry *e, int rc, const dl_err *err);

#endif
