/* json.h - the read commands' --json output (the only cJSON user in src/cli).
 *
 * Stable keys, present in every object (null when unknown); numbers as
 * numbers; every time as epoch seconds `x` plus `x_iso` (UTC, RFC 3339).
 * status and list print an array of tenant objects (list's lack the job
 * status fields, which are null); files prints one object.
 */
#ifndef DEEPLENS_CLI_JSON_H
#define DEEPLENS_CLI_JSON_H

#include <stdio.h>
#include <time.h>

#include "deeplens/backup.h"
#include "deeplens/manifest.h"

int cli_json_statuses(FILE *f, const dl_status *v, size_t n, time_t now, dl_err *err);
int cli_json_files(FILE *f, const char *tenant, const dl_files *files, dl_err *err);
/* files TENANT FILE: {"tenant", "file", "manifest": {...} or null} */
int cli_json_manifest(FILE *f, const char *tenant, const char *file, const dl_manifest *m,
                      dl_err *err);

#endif
