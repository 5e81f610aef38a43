/* form_kinds.c - the four forms as data and rules: their fields and
 * defaults, the mapping of each field to the CLI's validator, the previews
 * (next runs, schedule words, storage estimate), the summary shown before
 * confirming and the result handed to the job. No curses calls here: this
 * is what the unit tests exercise directly.
 */
#include "form_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/cron.h"
#include "theme.h"

/* ---- small helpers ------------------------------------------------------- */

int uif_find(const ui_form *f, enum uif_id id)
{
    int i;
    for (i = 0; i < f->nfld; i++)
        if (f->fld[i].id == id)
            return i;
    return -1;
}

/* The field of an id the caller knows its kind has. */
static const uif_field *cfld_of(const ui_form *f, enum uif_id id)
{
    int i = uif_find(f, id);
    return i < 0 ? NULL : &f->fld[i];
}

time_t uif_now(const ui_form *f)
{
    return f->now ? f->now : time(NULL);
}

static uif_field *add_text(ui_form *f, enum uif_id id, const char *label,
                           const char *value, size_t maxlen, int width)
{
    uif_field *x = &f->fld[f->nfld++];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->label = label;
    if (maxlen >= sizeof x->value)
        maxlen = sizeof x->value - 1;
    x->maxlen = maxlen;
    x->width = width;
    snprintf(x->value, sizeof x->value, "%.*s", (int)maxlen, value ? value : "");
    return x;
}

static uif_field *add_toggle(ui_form *f, enum uif_id id, const char *label, int on)
{
    uif_field *x = &f->fld[f->nfld++];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->label = label;
    x->toggle = 1;
    x->on = !!on;
    x->width = 26;
    return x;
}

static const char *arrow(const ui_form *f)
{
    return f->ascii ? "->" : "\xe2\x86\x92";     /* → */
}

void uif_bytes(long long bytes, char *buf, size_t n)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    double v = (double)bytes;
    int u = 0;

    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, n, "%lld B", bytes);
    else
        snprintf(buf, n, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* 10.8, 36, 131.4: one decimal, none when whole. */
static void factor_text(double v, char *buf, size_t n)
{
    long whole = (long)(v * 10.0 + 0.5);
    if (whole % 10 == 0)
        snprintf(buf, n, "%ld", whole / 10);
    else
        snprintf(buf, n, "%ld.%ld", whole / 10, whole % 10);
}

/* ---- schedules ------------------------------------------------------------- */

int uif_preset_find(const char *expr)
{
    dl_cron want, have;
    int i;

    if (dl_cron_parse(&want, expr, NULL) != 0)
        return -1;
    for (i = 0; i < dl_cron_npresets; i++) {
        if (dl_cron_parse(&have, dl_cron_presets[i].expr, NULL) != 0)
            continue;
        if (want.minute == have.minute && want.hour == have.hour &&
            want.mday == have.mday && want.month == have.month &&
            want.wday == have.wday && want.mday_star == have.mday_star &&
            want.wday_star == have.wday_star)
            return i;
    }
    return -1;
}

int uif_preset_cycle(const char *expr, int dir)
{
    int n = dl_cron_npresets, i;

    if (n <= 0)
        return -1;
    i = uif_preset_find(expr);
    if (i < 0)
        return dir > 0 ? 0 : n - 1;
    return ((i + (dir > 0 ? 1 : -1)) % n + n) % n;
}

int uif_next_runs(const char *expr, time_t now, int count, char *buf, size_t n)
{
    return uif_next_runs_fmt(expr, now, count, 0, buf, n);
}

int uif_next_runs_fmt(const char *expr, time_t now, int count, int compact,
                      char *buf, size_t n)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    dl_cron c;
    time_t t = now, next;
    size_t len;
    int i, last_mon = -1;

    if (n)
        buf[0] = '\0';
    if (dl_cron_parse(&c, expr, NULL) != 0)
        return -1;
    len = (size_t)snprintf(buf, n, "next:");
    for (i = 0; i < count && len < n; i++) {
        struct tm tm;
        if (dl_cron_next(&c, t, &next) != 0) {
            if (i == 0) {
                snprintf(buf, n, "next: never (no run within 5 years)");
                return 0;
            }
            break;
        }
        gmtime_r(&next, &tm);
        if (compact && tm.tm_mon == last_mon)   /* "Fri 27 02:00" */
            len += (size_t)snprintf(buf + len, n - len, "%s %s %02d %02d:%02d",
                                    i ? "," : "", wd[tm.tm_wday], tm.tm_mday,
                                    tm.tm_hour, tm.tm_min);
        else
            len += (size_t)snprintf(buf + len, n - len, "%s %s %02d %s %02d:%02d",
                                    i ? "," : "", wd[tm.tm_wday], tm.tm_mday,
                                    mo[tm.tm_mon], tm.tm_hour, tm.tm_min);
        last_mon = tm.tm_mon;
        t = next;
    }
    if (len < n)
        snprintf(buf + len, n - len, " UTC");
    return 0;
}

void uif_describe(const char *expr, int ascii, char *buf, size_t n)
{
    dl_cron c;
    char words[96];
    int p;

    if (n)
        buf[0] = '\0';
    if (dl_cron_parse(&c, expr, NULL) != 0)
        return;
    dl_cron_describe(&c, words, sizeof words);
    p = uif_preset_find(expr);
    if (p >= 0)
        snprintf(buf, n, "%s %s preset '%s' (F3: next preset)", words,
                 ascii ? "-" : "\xc2\xb7", dl_cron_presets[p].name);
    else
        snprintf(buf, n, "%s (F3: presets)", words);
}

void uif_estimate(int retention, int compression, long long db_size, int ascii,
                  char *buf, size_t n)
{
    const char *x = ascii ? "x" : "\xc3\x97";           /* × */
    const char *approx = ascii ? "~" : "\xe2\x89\x88";  /* ≈ */
    double cf = compression ? 0.3 : 1.0;
    char factor[32];
    size_t len;

    factor_text(retention * cf * 1.2, factor, sizeof factor);
    len = (size_t)snprintf(buf, n, "needs %s DB size %s %d %s %s %s 1.2 = %s %s DB size",
                           approx, x, retention, x, compression ? "0.3" : "1", x,
                           factor, x);
    if (db_size > 0 && len < n) {
        char now[32];
        uif_bytes(dl_storage_estimate(db_size, retention, compression), now,
                  sizeof now);
        snprintf(buf + len, n - len, " (%s now)", now);
    }
}

/* ---- the kinds: fields and prefills ----------------------------------------- */

void uif_init_provision(ui_form *f, const dl_spec *site)
{
    dl_spec d;
    char ret[16];

    if (site) {
        d = *site;
    } else {
        dl_spec_defaults(&d);
    }
    if (!d.schedule[0])
        snprintf(d.schedule, sizeof d.schedule, "0 2 * * *");
    if (d.retention_days < 1)
        d.retention_days = 30;
    f->base = d;
    snprintf(f->title, sizeof f->title, "Provision a tenant backup");
    snprintf(f->intro, sizeof f->intro,
             "Scheduled pg_dump of a tenant database to its NFS storage.");
    snprintf(ret, sizeof ret, "%d", d.retention_days);

    add_text(f, UIF_TENANT, "Tenant", d.tenant, DL_TENANT_MAX, 30);
    add_text(f, UIF_TENANT_ID, "Tenant id", d.tenant_id,
             sizeof d.tenant_id - 1, 30);
    add_text(f, UIF_NFS_PATH, "NFS path", d.nfs_path, sizeof d.nfs_path - 1, 0);
    add_text(f, UIF_SCHEDULE, "Schedule", d.schedule, sizeof d.schedule - 1, 24)
        ->info_rows = 1;
    add_text(f, UIF_RETENTION, "Retention days", ret, 4, 6)->info_rows = 1;
    add_text(f, UIF_NFS_OPTIONS, "NFS options", d.nfs_options,
             sizeof d.nfs_options - 1, 30);
    add_toggle(f, UIF_COMPRESSION, "Compression", d.compression);
    add_text(f, UIF_IMAGE, "Image", d.image, sizeof d.image - 1, 40);
}

void uif_init_reschedule(ui_form *f, const dl_status *st)
{
    char ret[16], words[96];
    dl_cron c;

    f->base = st->spec;
    f->db_size = st->db_size_bytes;
    snprintf(f->title, sizeof f->title, "Reschedule '%s'", st->spec.tenant);
    words[0] = '\0';
    if (dl_cron_parse(&c, st->spec.schedule, NULL) == 0)
        dl_cron_describe(&c, words, sizeof words);
    snprintf(f->intro, sizeof f->intro, "now: %s%s%s%s, %d days",
             st->spec.schedule, words[0] ? " (" : "", words,
             words[0] ? ")" : "", st->spec.retention_days);
    snprintf(ret, sizeof ret, "%d", st->spec.retention_days);
    add_text(f, UIF_SCHEDULE, "Schedule", st->spec.schedule,
             sizeof st->spec.schedule - 1, 24)->info_rows = 1;
    add_text(f, UIF_RETENTION, "Retention days", ret, 4, 6)->info_rows = 1;
}

void uif_init_remove(ui_form *f, const dl_status *st)
{
    char ct[200];

    f->base = st->spec;
    f->file_count = st->have_job_status ? st->file_count : -1;
    f->total_bytes = st->total_bytes;
    dl_spec_container_name(&st->spec, ct, sizeof ct);
    snprintf(f->title, sizeof f->title, "Remove the backup of '%s'",
             st->spec.tenant);
    snprintf(f->intro, sizeof f->intro,
             "Removes %s; backup files are KEPT by default.", ct);
    if (strlen(f->intro) > 56)
        snprintf(f->intro, sizeof f->intro,
                 "Removes the container; backup files are KEPT by default.");
    add_text(f, UIF_CONFIRM_NAME, "Delete files?", "", DL_TENANT_MAX, 30);
}

void uif_init_restore(ui_form *f, const dl_status *st, const char *file)
{
    char target[64];
    size_t i;

    f->base = st->spec;
    dl_spec_database(&st->spec, f->live_db, sizeof f->live_db);
    if (strlen(f->live_db) + strlen("_restore") < sizeof target)
        snprintf(target, sizeof target, "%s_restore", f->live_db);
    else
        snprintf(target, sizeof target, "tenant_%.47s_restore", st->spec.tenant);
    if (!file || !*file)
        file = st->last_success_file[0] ? st->last_success_file
             : st->nfiles ? st->files[0].name : "";
    if (st->nfiles) {
        f->files = calloc(st->nfiles, sizeof *f->files);
        if (f->files) {
            for (i = 0; i < st->nfiles; i++)
                snprintf(f->files[i], sizeof f->files[i], "%s", st->files[i].name);
            f->nfiles = st->nfiles;
        }
    }
    snprintf(f->title, sizeof f->title, "Restore a backup of '%s'",
             st->spec.tenant);
    snprintf(f->intro, sizeof f->intro,
             "The file is verified first; the target is created if missing.");
    add_text(f, UIF_FILE, "Backup file", file, 159, 0);
    add_text(f, UIF_DATABASE, "Into database", target, 63, 40);
    add_toggle(f, UIF_FORCE, "Force", 0);
}

/* ---- validation -------------------------------------------------------------- */

/* The domain's grammar for backup names (ops.c): <db>_YYYYMMDD_HHMMSS.sql
 * or .sql.gz, with the same message, so the operator sees it inline. */
static int check_file_name(const ui_form *f, const char *name, dl_err *err)
{
    size_t dl = strlen(f->live_db), i;
    const char *p;

    if (strncmp(name, f->live_db, dl) != 0 || name[dl] != '_')
        goto bad;
    p = name + dl + 1;
    for (i = 0; i < 15; i++, p++)
        if (i == 8 ? *p != '_' : (*p < '0' || *p > '9'))
            goto bad;
    if (strcmp(p, ".sql") != 0 && strcmp(p, ".sql.gz") != 0)
        goto bad;
    if (f->nfiles) {
        for (i = 0; i < f->nfiles; i++)
            if (strcmp(f->files[i], name) == 0)
                return 0;
        return dl_err_set(err, DL_ENOTFOUND,
                          "no backup file '%s' on the target of '%s'", name,
                          f->base.tenant);
    }
    return 0;
bad:
    return dl_err_set(err, DL_EINVAL,
                      "invalid backup file '%s': expected %s_YYYYMMDD_HHMMSS.sql.gz",
                      name, f->live_db);
}

int uif_validate(ui_form *f, int i)
{
    uif_field *x = &f->fld[i];
    const uif_field *force;
    dl_err err;
    int rc = 0, days;

    dl_err_clear(&err);
    switch (x->id) {
    case UIF_TENANT:
        rc = dl_validate_tenant(x->value, &err);
        break;
    case UIF_TENANT_ID:
        rc = x->value[0] ? dl_validate_tenant_id(x->value, &err) : 0;
        break;
    case UIF_NFS_PATH:
        rc = dl_validate_nfs_path(x->value, NULL, &err);
        break;
    case UIF_SCHEDULE:
        rc = dl_validate_schedule(x->value, &err);
        break;
    case UIF_RETENTION:
        rc = dl_validate_retention(x->value, &days, &err);
        break;
    case UIF_NFS_OPTIONS:
        rc = dl_validate_nfs_options(x->value, &err);
        break;
    case UIF_IMAGE:
        rc = dl_validate_image(x->value, &err);
        break;
    case UIF_CONFIRM_NAME:
        if (x->value[0] && strcmp(x->value, f->base.tenant) != 0)
            rc = dl_err_set(&err, DL_EINVAL,
                            "'%s' is not the tenant name '%s': type it exactly "
                            "to delete the backups, or leave it empty to keep them",
                            x->value, f->base.tenant);
        break;
    case UIF_FILE:
        rc = check_file_name(f, x->value, &err);
        break;
    case UIF_DATABASE:
        rc = dl_validate_database(x->value, &err);
        force = cfld_of(f, UIF_FORCE);
        if (rc == 0 && strcmp(x->value, f->live_db) == 0 && force && !force->on)
            rc = dl_err_set(&err, DL_EINVAL,
                            "database '%s' is the tenant's live database: set "
                            "Force to replace it, or choose another name", x->value);
        break;
    case UIF_COMPRESSION:
    case UIF_FORCE:
        break;
    }
    if (rc != 0) {
        snprintf(x->msg, sizeof x->msg, "%s",
                 err.msg[0] ? err.msg : "invalid value");
        return -1;
    }
    x->msg[0] = '\0';
    return 0;
}

/* The spec a provision form describes (fields assumed valid). */
static void provision_spec(const ui_form *f, dl_spec *s)
{
    int days = f->base.retention_days;

    *s = f->base;
    snprintf(s->tenant, sizeof s->tenant, "%s", cfld_of(f, UIF_TENANT)->value);
    snprintf(s->tenant_id, sizeof s->tenant_id, "%s",
             cfld_of(f, UIF_TENANT_ID)->value);
    snprintf(s->nfs_path, sizeof s->nfs_path, "%s",
             cfld_of(f, UIF_NFS_PATH)->value);
    if (dl_validate_nfs_path(s->nfs_path, &s->target, NULL) != 0)
        memset(&s->target, 0, sizeof s->target);
    snprintf(s->schedule, sizeof s->schedule, "%s",
             cfld_of(f, UIF_SCHEDULE)->value);
    if (dl_validate_retention(cfld_of(f, UIF_RETENTION)->value, &days, NULL) == 0)
        s->retention_days = days;
    snprintf(s->nfs_options, sizeof s->nfs_options, "%s",
             cfld_of(f, UIF_NFS_OPTIONS)->value);
    s->compression = cfld_of(f, UIF_COMPRESSION)->on;
    snprintf(s->image, sizeof s->image, "%s", cfld_of(f, UIF_IMAGE)->value);
}

/* Retention shown in previews: the typed value when valid, else `dflt`. */
static int retention_of(const ui_form *f, int dflt)
{
    const uif_field *r = cfld_of(f, UIF_RETENTION);
    int days;
    if (r && dl_validate_retention(r->value, &days, NULL) == 0)
        return days;
    return dflt;
}

int uif_validate_form(ui_form *f)
{
    f->form_msg[0] = '\0';
    if (f->kind == UI_FORM_PROVISION) {
        dl_spec s;
        dl_err err;
        provision_spec(f, &s);
        dl_err_clear(&err);
        if (dl_spec_validate(&s, &err) != 0) {
            snprintf(f->form_msg, sizeof f->form_msg, "%s", err.msg);
            return -1;
        }
    } else if (f->kind == UI_FORM_RESCHEDULE) {
        const uif_field *sc = cfld_of(f, UIF_SCHEDULE);
        dl_cron a, b;
        int same_sched;
        if (!sc)
            return 0;
        same_sched = strcmp(sc->value, f->base.schedule) == 0 ||
            (dl_cron_parse(&a, sc->value, NULL) == 0 &&
             dl_cron_parse(&b, f->base.schedule, NULL) == 0 &&
             strcmp(a.text, b.text) == 0);
        if (same_sched && retention_of(f, 0) == f->base.retention_days) {
            snprintf(f->form_msg, sizeof f->form_msg,
                     "nothing changed: schedule '%s' and %d days are what "
                     "'%s' has now", f->base.schedule, f->base.retention_days,
                     f->base.tenant);
            return -1;
        }
    }
    return 0;
}

/* ---- hints and previews ------------------------------------------------------ */

void uif_hint(const ui_form *f, int i, char *buf, size_t n)
{
    const uif_field *x = &f->fld[i];
    const char *h = "";

    switch (x->id) {
    case UIF_TENANT:
        h = "lowercase letters, digits, '-' and '_'";
        break;
    case UIF_TENANT_ID:
        h = "optional, for reference";
        break;
    case UIF_NFS_PATH:
        h = "server:/export/path, or local:/dir for development";
        break;
    case UIF_SCHEDULE:
        uif_describe(x->value, f->ascii, buf, n);
        return;
    case UIF_RETENTION:
        h = "days to keep backups (1-3650)";
        break;
    case UIF_NFS_OPTIONS:
        h = "rw,sync,hard,intr; add nolock or vers=4 only if the server needs it";
        break;
    case UIF_COMPRESSION:
        h = "Space toggles; gzip shrinks dumps to about 30%";
        break;
    case UIF_IMAGE:
        h = "the image the backup container runs";
        break;
    case UIF_CONFIRM_NAME:
        snprintf(buf, n, "type '%s' to DELETE the files; empty keeps them",
                 f->base.tenant);
        return;
    case UIF_FILE:
        h = f->nfiles ? "a file from the Files list (newest by default)"
                      : "a file name on the tenant's target";
        break;
    case UIF_DATABASE:
        h = "created if missing, on the tenant's PostgreSQL server";
        break;
    case UIF_FORCE:
        h = "Space toggles; only matters if the database exists and is not empty";
        break;
    }
    snprintf(buf, n, "%s", h);
}

void uif_info(const ui_form *f, int i, int row, int cols, char *buf, size_t n,
              int *role)
{
    const uif_field *x = &f->fld[i];
    const uif_field *comp;

    if (n)
        buf[0] = '\0';
    *role = UI_DIM;
    if (row != 0)
        return;
    if (x->id == UIF_SCHEDULE) {
        uif_next_runs(x->value, uif_now(f), 3, buf, n);
        if (strlen(buf) > (size_t)cols)
            uif_next_runs_fmt(x->value, uif_now(f), 3, 1, buf, n);
    } else if (x->id == UIF_RETENTION) {
        comp = cfld_of(f, UIF_COMPRESSION);
        uif_estimate(retention_of(f, f->base.retention_days),
                     comp ? comp->on : f->base.compression, f->db_size,
                     f->ascii, buf, n);
    }
}

const char *uif_toggle_text(const ui_form *f, int i)
{
    const uif_field *x = &f->fld[i];
    if (x->id == UIF_COMPRESSION)
        return x->on ? "[x] on (gzip)" : "[ ] off (plain SQL)";
    if (x->id == UIF_FORCE)
        return x->on ? "[x] replace if it exists" : "[ ] off";
    return x->on ? "[x] on" : "[ ] off";
}

/* ---- summaries --------------------------------------------------------------- */

static uif_line *sum_add(ui_form *f, int role, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static uif_line *sum_add(ui_form *f, int role, const char *label, const char *fmt, ...)
{
    uif_line *l;
    va_list ap;

    if (f->nsum >= UIF_MAX_SUMMARY)
        return NULL;
    l = &f->sum[f->nsum++];
    l->role = role;
    snprintf(l->label, sizeof l->label, "%s", label);
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    return l;
}

static void target_text(const ui_form *f, const dl_spec *s, char *buf, size_t n)
{
    if (s->target.kind == DL_TARGET_LOCAL)
        snprintf(buf, n, "local directory %s (development)", s->target.path);
    else
        snprintf(buf, n, "%s", s->nfs_path);
}

static void summary_provision(ui_form *f)
{
    dl_spec s;
    char ct[200], vol[200], db[64], tgt[1400], words[128], next[160], est[200];
    dl_cron c;

    provision_spec(f, &s);
    dl_spec_container_name(&s, ct, sizeof ct);
    dl_spec_volume_name(&s, vol, sizeof vol);
    dl_spec_database(&s, db, sizeof db);
    target_text(f, &s, tgt, sizeof tgt);
    words[0] = '\0';
    if (dl_cron_parse(&c, s.schedule, NULL) == 0)
        dl_cron_describe(&c, words, sizeof words);
    uif_next_runs(s.schedule, uif_now(f), 3, next, sizeof next);
    uif_estimate(s.retention_days, s.compression, 0, f->ascii, est, sizeof est);

    if (s.tenant_id[0])
        sum_add(f, UI_NORMAL, "Tenant", "%s (id %s)", s.tenant, s.tenant_id);
    else
        sum_add(f, UI_NORMAL, "Tenant", "%s", s.tenant);
    sum_add(f, UI_NORMAL, "Container", "%s  (image %s)", ct, s.image);
    sum_add(f, UI_NORMAL, "Volume", "%s %s %s", vol, arrow(f), tgt);
    if (s.target.kind == DL_TARGET_NFS)
        sum_add(f, UI_DIM, "", "NFS options %s", s.nfs_options);
    sum_add(f, UI_NORMAL, "Database", "%s on %s:%d (user %s)", db, s.pg_host,
            s.pg_port, s.pg_user);
    sum_add(f, UI_NORMAL, "Schedule", "%s  (%s, UTC)", s.schedule, words);
    sum_add(f, UI_DIM, "", "%s", next);
    sum_add(f, UI_NORMAL, "Retention", "%d days", s.retention_days);
    sum_add(f, UI_NORMAL, "Compression", "%s", s.compression ? "gzip" : "off");
    sum_add(f, UI_DIM, "Storage", "%s", est);
    sum_add(f, UI_NORMAL, "Then", "an initial backup runs; anything created is "
            "undone if a step fails");
}

static void summary_reschedule(ui_form *f)
{
    const uif_field *sc = cfld_of(f, UIF_SCHEDULE);
    int days = retention_of(f, f->base.retention_days);
    char ct[200], words[128], next[160];
    dl_cron c;

    dl_spec_container_name(&f->base, ct, sizeof ct);
    words[0] = '\0';
    if (dl_cron_parse(&c, sc->value, NULL) == 0)
        dl_cron_describe(&c, words, sizeof words);
    uif_next_runs(sc->value, uif_now(f), 3, next, sizeof next);

    sum_add(f, UI_NORMAL, "Tenant", "%s (container %s)", f->base.tenant, ct);
    if (strcmp(sc->value, f->base.schedule) == 0)
        sum_add(f, UI_NORMAL, "Schedule", "%s  (%s, unchanged)", sc->value, words);
    else
        sum_add(f, UI_WARNING, "Schedule", "%s %s %s  (%s, UTC)",
                f->base.schedule, arrow(f), sc->value, words);
    sum_add(f, UI_DIM, "", "%s", next);
    if (days == f->base.retention_days)
        sum_add(f, UI_NORMAL, "Retention", "%d days (unchanged)", days);
    else
        sum_add(f, UI_WARNING, "Retention", "%d %s %d days", f->base.retention_days,
                arrow(f), days);
    sum_add(f, UI_NORMAL, "How", "the container is recreated with the new settings;");
    sum_add(f, UI_NORMAL, "", "volume, backup files and all other settings are kept;");
    sum_add(f, UI_NORMAL, "", "if a step fails the old container keeps running");
}

static void summary_remove(ui_form *f)
{
    char ct[200], vol[200], tgt[1400], size[32], count[64];
    const uif_field *name = cfld_of(f, UIF_CONFIRM_NAME);

    dl_spec_container_name(&f->base, ct, sizeof ct);
    dl_spec_volume_name(&f->base, vol, sizeof vol);
    target_text(f, &f->base, tgt, sizeof tgt);
    if (f->file_count >= 0) {
        uif_bytes(f->total_bytes, size, sizeof size);
        snprintf(count, sizeof count, "%d backup file%s (%s)", f->file_count,
                 f->file_count == 1 ? "" : "s", size);
    } else {
        snprintf(count, sizeof count, "the backup files");
    }
    sum_add(f, UI_NORMAL, "Tenant", "%s", f->base.tenant);
    sum_add(f, UI_NORMAL, "Removes", "container %s", ct);
    sum_add(f, UI_NORMAL, "", "volume definition %s", vol);
    if (name->value[0]) {
        sum_add(f, UI_ERROR, "Backups", "DELETED: %s on %s", count, tgt);
        sum_add(f, UI_ERROR, "", "are deleted for good - this cannot be undone");
    } else {
        sum_add(f, UI_SUCCESS, "Backups", "KEPT: %s on %s stay where they are", count,
                tgt);
    }
}

static void summary_restore(ui_form *f)
{
    const uif_field *file = cfld_of(f, UIF_FILE);
    const uif_field *db = cfld_of(f, UIF_DATABASE);
    const uif_field *force = cfld_of(f, UIF_FORCE);
    int live = strcmp(db->value, f->live_db) == 0;

    sum_add(f, UI_NORMAL, "Tenant", "%s", f->base.tenant);
    sum_add(f, UI_NORMAL, "File", "%s (verified first)", file->value);
    sum_add(f, UI_NORMAL, "Into", "database %s on %s:%d", db->value,
            f->base.pg_host, f->base.pg_port);
    if (live && force->on) {
        sum_add(f, UI_ERROR, "Existing", "this is the tenant's LIVE database: it will "
                "be REPLACED");
        sum_add(f, UI_ERROR, "", "its current content is lost");
    } else if (force->on) {
        sum_add(f, UI_ERROR, "Existing", "if %s exists it will be REPLACED: its "
                "current content is lost", db->value);
    } else {
        sum_add(f, UI_NORMAL, "Existing", "created if missing; if it exists and is "
                "not empty the restore stops");
    }
}

void uif_summary_build(ui_form *f)
{
    f->nsum = 0;
    f->sum_top = 0;
    switch (f->kind) {
    case UI_FORM_PROVISION:  summary_provision(f); break;
    case UI_FORM_RESCHEDULE: summary_reschedule(f); break;
    case UI_FORM_REMOVE:     summary_remove(f); break;
    case UI_FORM_RESTORE:    summary_restore(f); break;
    }
}

/* ---- results ----------------------------------------------------------------- */

void uif_result_build(ui_form *f)
{
    ui_form_result *r = &f->res;
    const uif_field *x;

    memset(r, 0, sizeof *r);
    r->kind = f->kind;
    switch (f->kind) {
    case UI_FORM_PROVISION:
        provision_spec(f, &r->spec);
        snprintf(r->tenant, sizeof r->tenant, "%s", r->spec.tenant);
        snprintf(r->schedule, sizeof r->schedule, "%s", r->spec.schedule);
        r->retention_days = r->spec.retention_days;
        break;
    case UI_FORM_RESCHEDULE:
        r->spec = f->base;
        snprintf(r->tenant, sizeof r->tenant, "%s", f->base.tenant);
        snprintf(r->schedule, sizeof r->schedule, "%s",
                 cfld_of(f, UIF_SCHEDULE)->value);
        r->retention_days = retention_of(f, f->base.retention_days);
        break;
    case UI_FORM_REMOVE:
        r->spec = f->base;
        snprintf(r->tenant, sizeof r->tenant, "%s", f->base.tenant);
        x = cfld_of(f, UIF_CONFIRM_NAME);
        r->delete_backups = strcmp(x->value, f->base.tenant) == 0;
        break;
    case UI_FORM_RESTORE:
        r->spec = f->base;
        snprintf(r->tenant, sizeof r->tenant, "%s", f->base.tenant);
        snprintf(r->file, sizeof r->file, "%s", cfld_of(f, UIF_FILE)->value);
        snprintf(r->database, sizeof r->database, "%s",
                 cfld_of(f, UIF_DATABASE)->value);
        r->force = cfld_of(f, UIF_FORCE)->on;
        break;
    }
}
