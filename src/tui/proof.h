/* proof.h - the console's proofs of a backup (internal to src/tui): its
 * manifest screen (manifest.c) and the restore drill (drill.c), issue 9.
 */
#ifndef DEEPLENS_TUI_PROOF_H
#define DEEPLENS_TUI_PROOF_H

#include "app.h"

/* Push the manifest screen of one of tenant's backups; it reads the
 * manifest on a worker (an exec in the container) and shows it, or says
 * that the backup has none. */
int ui_manifest_open(ui_app *a, const char *tenant, const char *file);

/* Run a restore drill of tenant's file (NULL or "" = the newest) as an
 * operation with live progress, like backup-now. */
int ui_drill_start(ui_app *a, const dl_status *st, const char *file);

#endif
