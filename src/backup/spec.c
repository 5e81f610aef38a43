/* spec.c - a tenant's backup spec: defaults, derived names, volume options,
 * container labels and shell quoting.
 *
 * The label table below is the one list of spec fields: it drives
 * dl_spec_to_labels, dl_spec_from_labels and dl_spec_validate, so a field
 * added there is stored, read back and checked everywhere at once. Labels
 * can be edited by anyone with engine access, so reading them back goes
 * through the same validators as operator input.
 */
#include "deeplens/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABELS_VERSION 1
#define MARKER_LABEL "io.deeplens.backup"

/* ---- defaults and names ------------------------------------------------- */

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

void dl_spec_defaults(dl_spec *s)
{
    memset(s, 0, sizeof *s);
    COPY(s->nfs_options, "rw,sync,hard,intr");
    COPY(s->schedule, "0 2 * * *");
    s->retention_days = 30;
    s->keep_min = 3;
    s->size_min_percent = 50;
    s->size_max_factor = 3;
    s->size_window = 7;
    s->compression = DL_COMP_GZIP;
    s->zstd_level = DL_ZSTD_LEVEL_DEFAULT;
    COPY(s->format, "plain");
    s->drill_window_days = 8;
    COPY(s->image, "postgres:16-alpine");
    s->uid = s->gid = 999;
    COPY(s->pg_host, "deeplens-postgres");
    s->pg_port = 5432;
    COPY(s->pg_user, "deeplens");
    COPY(s->network, "deeplens-network");
    COPY(s->prefix, "deeplens-backup-");
    COPY(s->webhook_format, "json");
    COPY(s->webhook_events, DL_WEBHOOK_EVENTS);
}

const char *dl_spec_container_name(const dl_spec *s, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", s->prefix, s->tenant);
    return buf;
}

const char *dl_spec_volume_name(const dl_spec *s, char *buf, size_t n)
{
    snprintf(buf, n, "tenant_%s_pgbackup", s->tenant);
    return buf;
}

const char *dl_spec_database(const dl_spec *s, char *buf, size_t n)
{
    if (s->database[0])
        snprintf(buf, n, "%s", s->database);
    else
        snprintf(buf, n, "tenant_%s_metadata", s->tenant);
    return buf;
}

/* ---- volume options ----------------------------------------------------- */

int dl_spec_volume_opts(const dl_spec *s, dl_volume_opts *out)
{
    dl_target t;
    int len;

    memset(out, 0, sizeof *out);
    if (dl_validate_nfs_path(s->nfs_path, &t, NULL) < 0)
        return -1;
    if (t.kind == DL_TARGET_LOCAL) {
        COPY(out->type, "none");
        COPY(out->o, "bind");
        len = COPY(out->device, t.path);
    } else {
        if (dl_validate_nfs_options(s->nfs_options, NULL) < 0)
            return -1;
        COPY(out->type, "nfs");
        len = COPY(out->o, "addr=");
        len += snprintf(out->o + len, sizeof out->o - (size_t)len, "%s", t.server);
        for (const char *p = s->nfs_options; *p && (size_t)len < sizeof out->o;) {
            size_t n = strcspn(p, ",");
            /* "vers=4" with type nfs: the mount helper-less kernel mount
             * wants nfsvers (docker-engine-api.md §5) */
            const char *key = !strncmp(p, "vers=", 5) ? "nfs" : "";
            len += snprintf(out->o + len, sizeof out->o - (size_t)len, ",%s%.*s", key, (int)n, p);
            p += n + (p[n] == ',');
        }
        if ((size_t)len >= sizeof out->o)
            return -1;
        len = snprintf(out->device, sizeof out->device, ":%s", t.path);
    }
    if ((size_t)len >= sizeof out->device)
        return -1;
    out->kv[0].key = (char *)"type";
    out->kv[0].value = out->type;
    out->kv[1].key = (char *)"o";
    out->kv[1].value = out->o;
    out->kv[2].key = (char *)"device";
    out->kv[2].value = out->device;
    return 3;
}

/* ---- the field table ---------------------------------------------------- */

typedef enum field_id {
    F_TENANT, F_TENANT_ID, F_NFS_PATH, F_NFS_OPTIONS, F_SCHEDULE, F_RETENTION, F_KEEP_MIN,
    F_COMPRESSION, F_IMAGE, F_UID_GID, F_DATABASE, F_PG_HOST, F_PG_PORT, F_PG_USER, F_NETWORK,
    F_PREFIX, F_SIZE_MIN_PERCENT, F_SIZE_MAX_FACTOR, F_SIZE_WINDOW, F_SIZE_FLOOR, F_RUN_TIMEOUT,
    F_FORMAT, F_ZSTD_LEVEL, F_DRILL_SCHEDULE, F_DRILL_WINDOW,
    F_WEBHOOK_URL, F_WEBHOOK_FORMAT, F_WEBHOOK_EVENTS, F_WEBHOOK_SIGNED,
    F_COUNT
} field_id;

typedef enum field_kind { K_STR, K_INT, K_UIDGID } field_kind;

#define STR_FIELD(f) K_STR, offsetof(dl_spec, f), sizeof(((dl_spec *)0)->f)
#define INT_FIELD(f) K_INT, offsetof(dl_spec, f), sizeof(int)

static const struct field_def {
    field_id id;
    const char *label;  /* after DL_LABEL_PREFIX */
    field_kind kind;
    size_t off, size;
    const char *words;  /* K_INT: the value's name in messages */
    long lo, hi;        /* K_INT */
} field_defs[F_COUNT] = {
    {F_TENANT, "tenant", STR_FIELD(tenant), NULL, 0, 0},
    {F_TENANT_ID, "tenant_id", STR_FIELD(tenant_id), NULL, 0, 0},
    {F_NFS_PATH, "nfs_path", STR_FIELD(nfs_path), NULL, 0, 0},
    {F_NFS_OPTIONS, "nfs_options", STR_FIELD(nfs_options), NULL, 0, 0},
    {F_SCHEDULE, "schedule", STR_FIELD(schedule), NULL, 0, 0},
    {F_RETENTION, "retention_days", INT_FIELD(retention_days), "retention", 1, DL_RETENTION_MAX},
    {F_KEEP_MIN, "keep_min", INT_FIELD(keep_min), "keep minimum", 1, DL_RETENTION_MAX},
    {F_COMPRESSION, "compression", INT_FIELD(compression), "compression", 0, 2},
    {F_IMAGE, "image", STR_FIELD(image), NULL, 0, 0},
    {F_UID_GID, "uid_gid", K_UIDGID, 0, 0, NULL, 0, 0},
    {F_DATABASE, "database", STR_FIELD(database), NULL, 0, 0},
    {F_PG_HOST, "pg_host", STR_FIELD(pg_host), NULL, 0, 0},
    {F_PG_PORT, "pg_port", INT_FIELD(pg_port), "postgres port", 1, 65535},
    {F_PG_USER, "pg_user", STR_FIELD(pg_user), NULL, 0, 0},
    {F_NETWORK, "network", STR_FIELD(network), NULL, 0, 0},
    {F_PREFIX, "prefix", STR_FIELD(prefix), NULL, 0, 0},
    {F_SIZE_MIN_PERCENT, "size_min_percent", INT_FIELD(size_min_percent), "size minimum percent", 1,
     99},
    {F_SIZE_MAX_FACTOR, "size_max_factor", INT_FIELD(size_max_factor), "size maximum factor", 2,
     1000},
    {F_SIZE_WINDOW, "size_window", INT_FIELD(size_window), "size window", 1, 100},
    {F_SIZE_FLOOR, "size_floor", INT_FIELD(size_floor), "size floor", 0, 2147483647},
    {F_RUN_TIMEOUT, "run_timeout", INT_FIELD(run_timeout), "run timeout", 0, DL_RUN_TIMEOUT_MAX},
    {F_FORMAT, "format", STR_FIELD(format), NULL, 0, 0},
    {F_ZSTD_LEVEL, "zstd_level", INT_FIELD(zstd_level), "zstd level", 1, DL_ZSTD_LEVEL_MAX},
    {F_DRILL_SCHEDULE, "drill_schedule", STR_FIELD(drill_schedule), NULL, 0, 0},
    {F_DRILL_WINDOW, "drill_window_days", INT_FIELD(drill_window_days), "drill window", 1,
     DL_RETENTION_MAX},
    {F_WEBHOOK_URL, "webhook_url", STR_FIELD(webhook_url), NULL, 0, 0},
    {F_WEBHOOK_FORMAT, "webhook_format", STR_FIELD(webhook_format), NULL, 0, 0},
    {F_WEBHOOK_EVENTS, "webhook_events", STR_FIELD(webhook_events), NULL, 0, 0},
    {F_WEBHOOK_SIGNED, "webhook_signed", INT_FIELD(webhook_signed), "webhook signed", 0, 1},
};

static const char *str_of(const dl_spec *s, const struct field_def *f)
{
    return (const char *)s + f->off;
}

static int int_of(const dl_spec *s, const struct field_def *f)
{
    int v;
    memcpy(&v, (const char *)s + f->off, sizeof v);
    return v;
}

/* The field's value as label text. */
static void field_text(const dl_spec *s, const struct field_def *f, char *buf, size_t n)
{
    if (f->kind == K_STR)
        snprintf(buf, n, "%s", str_of(s, f));
    else if (f->kind == K_INT)
        snprintf(buf, n, "%d", int_of(s, f));
    else
        snprintf(buf, n, "%u:%u", s->uid, s->gid);
}

static int validate_field(const dl_spec *s, const struct field_def *f, dl_err *err)
{
    const char *v = f->kind == K_STR ? str_of(s, f) : NULL;
    char num[32];

    switch (f->id) {
    case F_TENANT: return dl_validate_tenant(v, err);
    case F_TENANT_ID: return dl_validate_tenant_id(v, err);
    case F_NFS_PATH: return dl_validate_nfs_path(v, NULL, err);
    case F_NFS_OPTIONS: return dl_validate_nfs_options(v, err);
    case F_SCHEDULE: return dl_validate_schedule(v, err);
    case F_DRILL_SCHEDULE: return dl_validate_drill_schedule(v, err);
    case F_IMAGE: return dl_validate_image(v, err);
    case F_DATABASE: return v[0] ? dl_validate_database(v, err) : 0; /* empty: derived */
    case F_PG_HOST: return dl_validate_host("postgres host", v, err);
    case F_PG_USER: return dl_validate_pg_user(v, err);
    case F_NETWORK: return dl_validate_network(v, err);
    case F_PREFIX: return dl_validate_prefix(v, err);
    case F_FORMAT: return dl_validate_format(v, err);
    case F_WEBHOOK_URL: return dl_validate_webhook_url(v, err);
    case F_WEBHOOK_FORMAT: return dl_validate_webhook_format(v, err);
    case F_WEBHOOK_EVENTS: return dl_validate_webhook_events(v, err);
    case F_RETENTION:
        field_text(s, f, num, sizeof num);
        return dl_validate_retention(num, NULL, err);
    case F_RUN_TIMEOUT:
        field_text(s, f, num, sizeof num);
        return dl_validate_run_timeout(num, NULL, err);
    case F_KEEP_MIN:
    case F_DRILL_WINDOW:
    case F_COMPRESSION:
    case F_ZSTD_LEVEL:
    case F_PG_PORT:
    case F_SIZE_MIN_PERCENT:
    case F_SIZE_MAX_FACTOR:
    case F_SIZE_WINDOW:
    case F_SIZE_FLOOR:
    case F_WEBHOOK_SIGNED:
        field_text(s, f, num, sizeof num);
        return dl_validate_number(f->words, num, f->lo, f->hi, NULL, err);
    case F_UID_GID:
        field_text(s, f, num, sizeof num);
        return dl_validate_uid_gid(num, NULL, NULL, err);
    case F_COUNT: break;
    }
    return dl_err_set(err, DL_EFAIL, "unknown spec field %d", (int)f->id);
}

int dl_spec_validate(const dl_spec *s, dl_err *err)
{
    for (int i = 0; i < F_COUNT; i++)
        if (validate_field(s, &field_defs[i], err) < 0)
            return -1;
    return dl_validate_format_compression(s->format, s->compression, err);
}

const char *dl_spec_backup_ext(const dl_spec *s)
{
    if (!strcmp(s->format, "custom"))
        return ".dump";
    return s->compression == DL_COMP_GZIP ? ".sql.gz"
           : s->compression == DL_COMP_ZSTD ? ".sql.zst" : ".sql";
}

/* ---- labels ------------------------------------------------------------- */

void dl_labels_free(dk_kv *labels, size_t n)
{
    if (!labels)
        return;
    for (size_t i = 0; i < n; i++) {
        free(labels[i].key);
        free(labels[i].value);
    }
    free(labels);
}

static int add_label(dk_kv *l, size_t *n, const char *prefix, const char *name, const char *value)
{
    size_t kn = strlen(prefix) + strlen(name) + 1, vn = strlen(value) + 1;
    char *k = malloc(kn), *v = malloc(vn);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    snprintf(k, kn, "%s%s", prefix, name);
    memcpy(v, value, vn);
    l[*n].key = k;
    l[*n].value = v;
    (*n)++;
    return 0;
}

int dl_spec_to_labels(const dl_spec *s, dk_kv **labels, size_t *n, dl_err *err)
{
    dk_kv *l;
    size_t count = 0;
    char text[sizeof s->nfs_path], ver[16];
    int rc = 0;

    *labels = NULL;
    *n = 0;
    if (dl_spec_validate(s, err) < 0)
        return -1;
    l = calloc(F_COUNT + 2, sizeof *l);
    if (!l)
        return dl_err_set(err, DL_ESYS, "out of memory building labels");
    rc |= add_label(l, &count, "", MARKER_LABEL, "1");
    snprintf(ver, sizeof ver, "%d", LABELS_VERSION);
    rc |= add_label(l, &count, DL_LABEL_PREFIX, "version", ver);
    for (int i = 0; i < F_COUNT && !rc; i++) {
        field_text(s, &field_defs[i], text, sizeof text);
        rc |= add_label(l, &count, DL_LABEL_PREFIX, field_defs[i].label, text);
    }
    if (rc) {
        dl_labels_free(l, count);
        return dl_err_set(err, DL_ESYS, "out of memory building labels");
    }
    *labels = l;
    *n = count;
    return 0;
}

static const char *find_label(const dk_kv *labels, size_t n, const char *name)
{
    size_t plen = strlen(DL_LABEL_PREFIX);
    for (size_t i = 0; i < n; i++)
        if (labels[i].key && labels[i].value && !strncmp(labels[i].key, DL_LABEL_PREFIX, plen) &&
            !strcmp(labels[i].key + plen, name))
            return labels[i].value;
    return NULL;
}

/* Reads one label into the spec, with the field's own check. */
static int read_field(dl_spec *s, const struct field_def *f, const char *v, dl_err *err)
{
    long num = 0;
    switch (f->kind) {
    case K_STR:
        if (strlen(v) >= f->size)
            return dl_err_set(err, DL_EINVAL, "value is too long (at most %zu characters)",
                              f->size - 1);
        memcpy((char *)s + f->off, v, strlen(v) + 1);
        if (f->id == F_NFS_PATH)
            return dl_validate_nfs_path(v, &s->target, err);
        return validate_field(s, f, err);
    case K_INT:
        if (f->id == F_RETENTION) {
            if (dl_validate_retention(v, &s->retention_days, err) < 0)
                return -1;
            return 0;
        }
        if (f->id == F_RUN_TIMEOUT) {
            int secs;
            if (dl_validate_run_timeout(v, &secs, err) < 0)
                return -1;
            num = secs;
        } else if (dl_validate_number(f->words, v, f->lo, f->hi, &num, err) < 0) {
            return -1;
        }
        {
            int iv = (int)num;
            memcpy((char *)s + f->off, &iv, sizeof iv);
        }
        return 0;
    case K_UIDGID:
        return dl_parse_uid_gid(v, &s->uid, &s->gid, err);
    }
    return -1;
}

int dl_spec_set(dl_spec *s, const char *label, const char *text, dl_err *err)
{
    for (int i = 0; i < F_COUNT; i++) {
        const struct field_def *f = &field_defs[i];
        if (strcmp(f->label, label))
            continue;
        if (f->id < F_SIZE_MIN_PERCENT)
            break;   /* the others have their own flags and config keys */
        return read_field(s, f, text ? text : "", err);
    }
    return dl_err_set(err, DL_EINVAL, "unknown setting '%s'", label);
}

int dl_spec_from_labels(dl_spec *s, const dk_kv *labels, size_t n, dl_err *err)
{
    const char *v;
    long version = 0;

    dl_spec_defaults(s);
    v = find_label(labels, n, "version");
    if (v) {
        if (dl_validate_number("labels format version", v, 1, 1000000, &version, err) < 0) {
            dl_err_prefix(err, "label '%sversion'", DL_LABEL_PREFIX);
            return -1;
        }
        if (version > LABELS_VERSION)
            return dl_err_set(err, DL_EINVAL,
                              "labels format version %ld is newer than this program reads (%d)",
                              version, LABELS_VERSION);
    }
    for (int i = 0; i < F_COUNT; i++) {
        const struct field_def *f = &field_defs[i];
        v = find_label(labels, n, f->label);
        if (!v) {
            /* a default stands in; the tenant and the path have none */
            if (validate_field(s, f, NULL) < 0)
                return dl_err_set(err, DL_EINVAL, "missing label '%s%s'", DL_LABEL_PREFIX,
                                  f->label);
            continue;
        }
        if (read_field(s, f, v, err) < 0) {
            dl_err_prefix(err, "label '%s%s'", DL_LABEL_PREFIX, f->label);
            return -1;
        }
    }
    return dl_validate_format_compression(s->format, s->compression, err);
}

/* ---- storage options ---------------------------------------------------- */

int dl_spec_apply_storage(dl_spec *s, const dl_storage_opts *o, dl_err *err)
{
    int comp = s->compression, level = s->zstd_level;

    if (o->compression && dl_parse_compression(o->compression, &comp, err) < 0)
        return -1;
    if (o->no_compression) {
        if (o->compression && comp != DL_COMP_NONE)
            return dl_err_set(err, DL_EINVAL,
                              "invalid compression '%s' with --no-compression (its alias for "
                              "--compression none): give one of them",
                              o->compression);
        comp = DL_COMP_NONE;
    }
    if (o->format && dl_validate_format(o->format, err) < 0)
        return -1;
    if (o->zstd_level) {
        if (dl_validate_zstd_level(o->zstd_level, &level, err) < 0)
            return -1;
        if (comp != DL_COMP_ZSTD) {
            char q[64];
            return dl_err_set(err, DL_EINVAL,
                              "invalid zstd level '%s': only with --compression zstd "
                              "(compression is %s)",
                              dl_inert(o->zstd_level, (size_t)-1, q, sizeof q),
                              dl_compression_name(comp));
        }
    }
    if (dl_validate_format_compression(o->format ? o->format : s->format, comp, err) < 0)
        return -1;
    s->compression = comp;
    s->zstd_level = level;
    if (o->format)
        COPY(s->format, o->format);
    return 0;
}

/* ---- shell -------------------------------------------------------------- */

size_t dl_shell_quote(const char *s, char *buf, size_t n)
{
    size_t o = 0;
#define PUT(ch)                 \
    do {                        \
        if (o + 1 < n)          \
            buf[o] = (ch);      \
        o++;                    \
    } while (0)
    PUT('\'');
    for (; s && *s; s++) {
        if (*s == '\'') {
            PUT('\'');
            PUT('\\');
            PUT('\'');
            PUT('\'');
        } else {
            PUT(*s);
        }
    }
    PUT('\'');
#undef PUT
    if (n)
        buf[o < n ? o : n - 1] = '\0';
    return o;
}
