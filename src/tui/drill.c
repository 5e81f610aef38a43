/* drill.c - the drill key: a restore drill of the selected tenant as an
 * operation with its progress (see proof.h). The result (ok, or FAILED
 * with the first difference) ends the progress and the status line; the
 * overview shows it as the last drill once the status is read again.
 */
#include <stdio.h>
#include <string.h>

#include "proof.h"
#include "theme.h"

int ui_drill_start(ui_app *a, const dl_status *st, const char *file)
{
    ui_job_req req;
    if (!st) {
        ui_app_message(a, UI_WARNING, "no tenant selected");
        return UI_R_STATUS;
    }
    memset(&req, 0, sizeof req);
    req.kind = UI_JOB_DRILL;
    snprintf(req.tenant, sizeof req.tenant, "%s", st->spec.tenant);
    if (file) snprintf(req.file, sizeof req.file, "%s", file);
    return ui_app_start_job(a, &req);
}
