/* spec.h - a tenant's backup configuration, its validators and its labels.
 *
 * `dl_spec` is the whole configuration of one tenant backup: what the
 * operator asked for plus the site defaults. Validators check every field
 * against a strict grammar BEFORE anything touches the engine; their errors
 * (DL_EINVAL) name the field and quote the value, e.g.
 *   invalid tenant name 'Acme': use lowercase letters, digits, '-' and '_'
 *   invalid NFS path 'server/export': expected server:/export/path
 * The same validators serve the CLI and the console's forms.
 * The spec round-trips through container labels (dl_spec_to_labels /
 * dl_spec_from_labels), so status, list and reschedule need nothing else.
 * No allocation except dl_labels_free; no I/O.
 */
#ifndef DEEPLENS_SPEC_H
#define DEEPLENS_SPEC_H

#include <stddef.h>

#include "deeplens/docker.h"
#include "deeplens/err.h"

#define DL_TENANT_MAX 47      /* "tenant_" + name + "_metadata" <= 63 (PG identifier) */
#define DL_RETENTION_MAX 3650
#define DL_LABEL_PREFIX "io.deeplens.backup."
#define DL_WEBHOOK_URL_MAX 511
/* the events the job notifies, in the order the man page lists them */
#define DL_WEBHOOK_EVENTS "failure,recovery,overdue,suspicious,drill_failed"

/* Compression of a backup (the label and backup.conf keep the number; the
 * old labels' 0/1 mean none/gzip, as before). Format custom is pg_dump -Fc,
 * compressed inside by pg_dump itself (gzip level 6, or none): zstd is
 * refused with it. File names: .sql, .sql.gz, .sql.zst, .dump. */
enum { DL_COMP_NONE = 0, DL_COMP_GZIP = 1, DL_COMP_ZSTD = 2 };
#define DL_ZSTD_LEVEL_MAX 19
#define DL_ZSTD_LEVEL_DEFAULT 3

typedef enum dl_target_kind { DL_TARGET_NFS, DL_TARGET_LOCAL } dl_target_kind;

typedef struct dl_target {
    dl_target_kind kind;
    char server[256];    /* NFS: host name, IPv4, or IPv6 without brackets */
    char path[1024];     /* NFS export path or local host directory */
} dl_target;

typedef struct dl_spec {
    /* the tenant */
    char tenant[DL_TENANT_MAX + 1];
    char tenant_id[129];          /* optional, for reference */
    char nfs_path[1300];          /* as given: "server:/export" or "local:/dir" */
    dl_target target;             /* parsed from nfs_path */
    char nfs_options[256];        /* "rw,sync,hard,intr" */
    char schedule[128];           /* cron, 5 fields or macro */
    int retention_days;           /* 1..DL_RETENTION_MAX */
    int keep_min;                 /* newest good backups never deleted (>=1) */
    /* proof (issue 9): the size rule and the run timeout */
    int size_min_percent;         /* smaller than this % of the median: suspicious (50) */
    int size_max_factor;          /* larger than this many times the median: suspicious (3) */
    int size_window;              /* the median of the last N good backups (7) */
    int size_floor;               /* bytes; smaller is suspicious; 0 = off */
    int run_timeout;              /* seconds a run may take; 0 = auto */
    int compression;              /* DL_COMP_NONE / DL_COMP_GZIP / DL_COMP_ZSTD */
    int zstd_level;               /* 1..DL_ZSTD_LEVEL_MAX (3); used with DL_COMP_ZSTD only */
    char format[8];               /* "plain" (SQL) or "custom" (pg_dump -Fc) */
    char image[256];              /* "postgres:16-alpine" */
    unsigned uid, gid;            /* 999:999 */
    char database[64];            /* default tenant_<tenant>_metadata */
    char drill_schedule[128];     /* cron of the restore drills, "" = none scheduled */
    int drill_window_days;        /* health "untested" after this long without a
                                     passed drill (1..DL_RETENTION_MAX, 8) */
    /* the site (config file; flags override) */
    char pg_host[256];            /* deeplens-postgres */
    int pg_port;                  /* 5432 */
    char pg_user[64];             /* deeplens */
    char network[128];            /* deeplens-network */
    char prefix[64];              /* container name prefix "deeplens-backup-" */
    /* notifications, sent by the job (the site's; a tenant's flags override) */
    char webhook_url[DL_WEBHOOK_URL_MAX + 1];   /* "" = none */
    char webhook_format[8];       /* json | slack */
    char webhook_events[96];      /* comma-separated, of DL_WEBHOOK_EVENTS */
    int webhook_signed;           /* 1: a shared secret file was copied in (never the secret) */
} dl_spec;

/* Fill every field with the document's defaults (tenant and path empty). */
void dl_spec_defaults(dl_spec *s);

/* Derived names (write into buf of size n; return buf). */
const char *dl_spec_container_name(const dl_spec *s, char *buf, size_t n);
const char *dl_spec_volume_name(const dl_spec *s, char *buf, size_t n);
/* database: s->database if set, else tenant_<tenant>_metadata */
const char *dl_spec_database(const dl_spec *s, char *buf, size_t n);

/* Field validators - each returns 0 or -1 with a DL_EINVAL message naming
 * the field and quoting the value. */
int dl_validate_tenant(const char *name, dl_err *err);
int dl_validate_tenant_id(const char *id, dl_err *err);
/* Parses "server:/export/path" or "local:/abs/dir" into *t (may be NULL). */
int dl_validate_nfs_path(const char *text, dl_target *t, dl_err *err);
int dl_validate_nfs_options(const char *opts, dl_err *err);
int dl_validate_schedule(const char *text, dl_err *err);
/* "" (no scheduled drills) or a cron like dl_validate_schedule, the message
 * naming the drill schedule: invalid drill schedule '61 * * * *': ... */
int dl_validate_drill_schedule(const char *text, dl_err *err);
/* Parses decimal text; 1..DL_RETENTION_MAX. */
int dl_validate_retention(const char *text, int *days, dl_err *err);
/* "uid:gid", each 0..2147483647; uid 0 is refused (the job never runs as
 * root). dl_parse_uid_gid checks the grammar only: for labels an older
 * version wrote, so such a tenant can still be shown and removed. */
int dl_validate_uid_gid(const char *text, unsigned *uid, unsigned *gid, dl_err *err);
int dl_parse_uid_gid(const char *text, unsigned *uid, unsigned *gid, dl_err *err);
int dl_validate_image(const char *ref, dl_err *err);
int dl_validate_database(const char *name, dl_err *err);
int dl_validate_host(const char *field, const char *host, dl_err *err);
int dl_validate_pg_user(const char *user, dl_err *err);
int dl_validate_network(const char *name, dl_err *err);
/* Container name prefix: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 63. */
int dl_validate_prefix(const char *prefix, dl_err *err);
/* Webhook: "" (none) or http(s)://HOST[:PORT][/PATH...] with no
 * credentials before the host (refused: they would be in the labels; a
 * shared secret goes to --webhook-secret-file) and only URL characters. */
int dl_validate_webhook_url(const char *url, dl_err *err);
/* json | slack */
int dl_validate_webhook_format(const char *format, dl_err *err);
/* A non-empty comma-separated list of DL_WEBHOOK_EVENTS names. */
int dl_validate_webhook_events(const char *events, dl_err *err);
/* Decimal digits only (no sign, no blanks), lo..hi, e.g.
 * dl_validate_number("postgres port", "5432", 1, 65535, &v, err);
 * `field` names the value in the message; out may be NULL. */
int dl_validate_number(const char *field, const char *text, long lo, long hi, long *out,
                       dl_err *err);
/* "auto" (0) or 5..DL_RUN_TIMEOUT_MAX seconds. */
#define DL_RUN_TIMEOUT_MAX 604800
int dl_validate_run_timeout(const char *text, int *secs, dl_err *err);
/* Set one field by its label name (size_min_percent, size_max_factor,
 * size_window, size_floor, run_timeout) from operator text, with the
 * field's own check; DL_EINVAL names the field and quotes the value. */
int dl_spec_set(dl_spec *s, const char *label, const char *text, dl_err *err);
typedef struct dl_spec_setting {
    const char *label, *text;
} dl_spec_setting;
/* "gzip", "zstd" or "none" into DL_COMP_*; names the field and the value. */
int dl_parse_compression(const char *text, int *out, dl_err *err);
const char *dl_compression_name(int compression);
/* "plain" or "custom". */
int dl_validate_format(const char *text, dl_err *err);
/* Decimal 1..DL_ZSTD_LEVEL_MAX. */
int dl_validate_zstd_level(const char *text, int *out, dl_err *err);
/* The combination of format and compression: custom with zstd is refused
 * (pg_dump -Fc compresses inside with gzip; zstd there needs pg_dump 16). */
int dl_validate_format_compression(const char *format, int compression, dl_err *err);
/* Backup file name suffix for the spec: .sql, .sql.gz, .sql.zst or .dump */
const char *dl_spec_backup_ext(const dl_spec *s);

/* The storage options of provision and reschedule applied to s (each NULL
 * or 0 when not given): --compression, --zstd-level, --format and the old
 * --no-compression (an alias of --compression none). Refuses a zstd level
 * without zstd compression, --no-compression against another --compression,
 * and custom with zstd; the field and the value are named. */
typedef struct dl_storage_opts {
    const char *compression, *zstd_level, *format;
    int no_compression;
} dl_storage_opts;
int dl_spec_apply_storage(dl_spec *s, const dl_storage_opts *o, dl_err *err);

/* Whole spec, field by field; the first failure wins. */
int dl_spec_validate(const dl_spec *s, dl_err *err);

/* Docker volume driver options for the target (type/o/device). Fills up to
 * 3 entries of out (strings point into bufs). Returns the count, or -1 when
 * s->nfs_path or s->nfs_options does not validate (the target is parsed from
 * nfs_path, not taken from s->target). NFS: type=nfs, o=addr=<server>,<opts>
 * with vers= passed as nfsvers= (type nfs4 would not resolve host names),
 * device=:<path>. Local: type=none, o=bind, device=<path>. */
typedef struct dl_volume_opts {
    dk_kv kv[3];
    char type[16], o[512], device[1300];
} dl_volume_opts;
int dl_spec_volume_opts(const dl_spec *s, dl_volume_opts *out);

/* Labels: DL_LABEL_PREFIX + field name. The returned array and strings are
 * malloc'd; free with dl_labels_free. */
int dl_spec_to_labels(const dl_spec *s, dk_kv **labels, size_t *n, dl_err *err);
void dl_labels_free(dk_kv *labels, size_t n);
/* Reads a spec back from a container's labels. Missing labels keep their
 * defaults; a tenant label is required. */
int dl_spec_from_labels(dl_spec *s, const dk_kv *labels, size_t n, dl_err *err);

/* Quote any validated text for a POSIX shell: 'it'\''s'. Returns needed
 * length (like snprintf). The only way text reaches a shell. */
size_t dl_shell_quote(const char *s, char *buf, size_t n);

/* Text made inert for a message: control and non-ASCII bytes escaped
 * (\n, \t, \r, \xNN), at most len bytes (stops at a NUL), cut with "..."
 * when it does not fit in buf (size n). Returns buf. Every validator quotes
 * the operator's value through this. */
const char *dl_inert(const char *s, size_t len, char *buf, size_t n);

#endif
