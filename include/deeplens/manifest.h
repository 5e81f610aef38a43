/* manifest.h - a backup's manifest: what its dump holds, per table.
 *
 * The job writes `<backup>.manifest` beside `<backup>.sha256` while the dump
 * is written (counted from the dump stream's COPY blocks) and prints it,
 * filtered, with `backup.sh --manifest FILE`. Lines:
 *   version=1, format=plain|custom, compression=gzip|zstd|none,
 *   server_version=15.8, database_size=<bytes>, duration=<s>,
 *   tables=<count>, then per table "table=<rows> <data bytes> <name>"
 *   (the qualified name as in the dump, made inert by the job; last, may
 *   hold spaces).
 * Backups made before manifests existed have none: they stay verifiable
 * and restorable, and the readers here say "no manifest".
 *
 * Ownership: dl_manifest_clear frees the tables (and their names).
 */
#ifndef DEEPLENS_MANIFEST_H
#define DEEPLENS_MANIFEST_H

#include <stddef.h>

#include "deeplens/backup.h"
#include "deeplens/err.h"

typedef struct dl_manifest_table {
    long long rows, data_bytes;
    char *name;                   /* owned */
} dl_manifest_table;

typedef struct dl_manifest {
    int present;                  /* 0: the backup has no manifest */
    int version;
    char format[16];              /* plain, custom */
    char compression[16];         /* gzip, zstd, none */
    char server_version[32];
    long long database_size;      /* -1 unknown */
    double duration;              /* seconds */
    long long tables_declared;    /* the tables= line */
    dl_manifest_table *tables;    /* in dump order; owned */
    size_t ntables;
    long long total_rows, total_data_bytes;
} dl_manifest;

void dl_manifest_clear(dl_manifest *m);
/* Parse manifest text (keys as above; unknown or malformed lines are
 * skipped, each key but table= taken once). DL_EPROTO when there is no
 * version=1 line. Sets present = 1 on success. */
int dl_manifest_parse(dl_manifest *m, const char *text, size_t len, dl_err *err);
/* The manifest of one of the tenant's backups (`backup.sh --manifest`):
 * file is validated first (DL_EINVAL). A backup without a manifest is not
 * an error: m->present = 0. DL_ENOTFOUND when there is no such backup. */
int dl_manifest_get(dl_ctx *ctx, const char *tenant, const char *file, dl_manifest *m,
                    dl_err *err);

#endif
