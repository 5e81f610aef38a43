/* form_kinds.c - the four forms as data and rules: their fields and
 * defaults, the mapping of each field to the CLI's validator, the whole-form
 * checks and the result handed to the job. Previews are in form_preview.c,
 * the confirmation text in form_summary.c. No curses calls: this is what
 * the unit tests exercise directly.
 */
#include "form_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/cron.h"

/* ---- small helpers ------------------------------------------------------- */

int uif_find(const ui_form *f, enum uif_id id)
{
    int i;
    for (i = 0; i < f->nfld; i++)
        if (f->fld[i].id == id)
            return i;
    return -1;
}

const uif_field *uif_field_of(const ui_form *f, enum uif_id id)
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
    add_toggle(f, UIF_SHARED, "Shared target", 0);
}

int ui_form_set_engines(ui_form *f, const char *const *names, const char *const *ro, size_t n,
                        const char *dflt)
{
    uif_field *x;

    if (!f || f->kind != UI_FORM_PROVISION || n < 2 || uif_find(f, UIF_ENGINE) >= 0)
        return 0;
    if (f->nfld >= UIF_MAX_FIELDS)
        return -1;
    if (n > DL_ENGINES_MAX)
        n = DL_ENGINES_MAX;
    for (size_t i = 0; i < n; i++) {
        snprintf(f->eng[i], sizeof f->eng[i], "%s", names[i]);
        f->eng_ro[i] = ro ? ro[i] : NULL;
    }
    f->neng = n;
    if (!dflt || !*dflt) {   /* the first writable one, else the first */
        dflt = f->eng[0];
        for (size_t i = n; i-- > 0;)
            if (!f->eng_ro[i])
                dflt = f->eng[i];
    }
    /* first: where the tenant is made comes before what it is */
    memmove(&f->fld[1], &f->fld[0], (size_t)f->nfld * sizeof f->fld[0]);
    f->nfld++;
    x = &f->fld[0];
    memset(x, 0, sizeof *x);
    x->id = UIF_ENGINE;
    x->label = "Engine";
    x->maxlen = DL_ENGINE_NAME_MAX - 1;
    x->width = 24;
    snprintf(x->value, sizeof x->value, "%s", dflt);
    f->cur = 1;   /* prefilled: the cursor starts on the Tenant, Shift-Tab goes up to it */
    f->dirty = 1;
    return 0;
}

const char *uif_engine_cycle(const ui_form *f, const char *name, int dir)
{
    size_t i;

    if (!f->neng)
        return NULL;
    for (i = 0; i < f->neng; i++)
        if (name && !strcmp(f->eng[i], name))
            return f->eng[(i + f->neng + (size_t)(dir < 0 ? -1 : 1)) % f->neng];
    return f->eng[dir < 0 ? f->neng - 1 : 0];
}

/* The engine named in the Engine field: valid when it is one of the form's
 * and writable; the message names the field's value and the choices. */
static int check_engine(const ui_form *f, const char *name, dl_err *err)
{
    char all[DL_ENGINES_MAX * (DL_ENGINE_NAME_MAX + 8)];
    size_t off = 0;

    for (size_t i = 0; i < f->neng; i++)
        if (!strcmp(f->eng[i], name)) {
            char how[200];
            if (!f->eng_ro[i])
                return 0;
            return dl_err_set(err, DL_EREADONLY, "engine '%s' is read-only (%s)", name,
                              dl_engine_ro_how(name, f->eng_ro[i], how, sizeof how));
        }
    all[0] = '\0';
    for (size_t i = 0; i < f->neng && off < sizeof all; i++)
        off += (size_t)snprintf(all + off, sizeof all - off, "%s%s%s", i ? ", " : "", f->eng[i],
                                f->eng_ro[i] ? " (read-only)" : "");
    return dl_err_set(err, DL_EINVAL, "unknown engine '%s': one of %s (F3 cycles them)", name, all);
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
    if (st->service[0])   /* a swarm service: dl_remove takes its secret and config too */
        snprintf(f->intro, sizeof f->intro,
                 "Removes the service, its secret and config; files are KEPT by default.");
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
        force = uif_field_of(f, UIF_FORCE);
        if (rc == 0 && strcmp(x->value, f->live_db) == 0 && force && !force->on)
            rc = dl_err_set(&err, DL_EINVAL,
                            "database '%s' is the tenant's live database: set "
                            "Force to replace it, or choose another name", x->value);
        break;
    case UIF_ENGINE:
        rc = check_engine(f, x->value, &err);
        break;
    case UIF_COMPRESSION:
    case UIF_FORCE:
    case UIF_SHARED:
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
void uif_provision_spec(const ui_form *f, dl_spec *s)
{
    int days = f->base.retention_days;

    *s = f->base;
    snprintf(s->tenant, sizeof s->tenant, "%s", uif_field_of(f, UIF_TENANT)->value);
    snprintf(s->tenant_id, sizeof s->tenant_id, "%s",
             uif_field_of(f, UIF_TENANT_ID)->value);
    snprintf(s->nfs_path, sizeof s->nfs_path, "%s",
             uif_field_of(f, UIF_NFS_PATH)->value);
    if (dl_validate_nfs_path(s->nfs_path, &s->target, NULL) != 0)
        memset(&s->target, 0, sizeof s->target);
    snprintf(s->schedule, sizeof s->schedule, "%s",
             uif_field_of(f, UIF_SCHEDULE)->value);
    if (dl_validate_retention(uif_field_of(f, UIF_RETENTION)->value, &days, NULL) == 0)
        s->retention_days = days;
    snprintf(s->nfs_options, sizeof s->nfs_options, "%s",
             uif_field_of(f, UIF_NFS_OPTIONS)->value);
    s->compression = uif_field_of(f, UIF_COMPRESSION)->on;
    snprintf(s->image, sizeof s->image, "%s", uif_field_of(f, UIF_IMAGE)->value);
}

/* Retention shown in previews: the typed value when valid, else `dflt`. */
int uif_retention_of(const ui_form *f, int dflt)
{
    const uif_field *r = uif_field_of(f, UIF_RETENTION);
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
        uif_provision_spec(f, &s);
        dl_err_clear(&err);
        if (dl_spec_validate(&s, &err) != 0) {
            snprintf(f->form_msg, sizeof f->form_msg, "%s", err.msg);
            return -1;
        }
    } else if (f->kind == UI_FORM_RESCHEDULE) {
        const uif_field *sc = uif_field_of(f, UIF_SCHEDULE);
        dl_cron a, b;
        int same_sched;
        if (!sc)
            return 0;
        same_sched = strcmp(sc->value, f->base.schedule) == 0 ||
            (dl_cron_parse(&a, sc->value, NULL) == 0 &&
             dl_cron_parse(&b, f->base.schedule, NULL) == 0 &&
             strcmp(a.text, b.text) == 0);
        if (same_sched && uif_retention_of(f, 0) == f->base.retention_days) {
            snprintf(f->form_msg, sizeof f->form_msg,
                     "nothing changed: schedule '%s' and %d days are what "
                     "'%s' has now", f->base.schedule, f->base.retention_days,
                     f->base.tenant);
            return -1;
        }
    }
    return 0;
}

const char *uif_toggle_text(const ui_form *f, int i)
{
    const uif_field *x = &f->fld[i];
    if (x->id == UIF_COMPRESSION)
        return x->on ? "[x] on (gzip)" : "[ ] off (plain SQL)";
    if (x->id == UIF_FORCE)
        return x->on ? "[x] replace if it exists" : "[ ] off";
    if (x->id == UIF_SHARED)
        return x->on ? "[x] other tenants may use it too" : "[ ] this tenant's only";
    return x->on ? "[x] on" : "[ ] off";
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
        uif_provision_spec(f, &r->spec);
        snprintf(r->tenant, sizeof r->tenant, "%s", r->spec.tenant);
        snprintf(r->schedule, sizeof r->schedule, "%s", r->spec.schedule);
        r->retention_days = r->spec.retention_days;
        r->shared_target = uif_field_of(f, UIF_SHARED)->on;
        if ((x = uif_field_of(f, UIF_ENGINE)) != NULL)
            snprintf(r->engine, sizeof r->engine, "%s", x->value);
        break;
    case UI_FORM_RESCHEDULE:
        r->spec = f->base;
        snprintf(r->tenant, sizeof r->tenant, "%s", f->base.tenant);
        snprintf(r->schedule, sizeof r->schedule, "%s",
                 uif_field_of(f, UIF_SCHEDULE)->value);
        r->retention_days = uif_retention_of(f, f->base.retention_days);
        break;
    case UI_FORM_REMOVE:
        r->spec = f->base;
        snprintf(r->tenant, sizeof r->tenant, "%s", f->base.tenant);
        x = uif_field_of(f, UIF_CONFIRM_NAME);
        r->delete_backups = strcmp(x->value, f->base.tenant) == 0;
        break;
    case UI_FORM_RESTORE:
        r->spec = f->base;
        snprintf(r->tenant, sizeof r->tenant, "%s", f->base.tenant);
        snprintf(r->file, sizeof r->file, "%s", uif_field_of(f, UIF_FILE)->value);
        snprintf(r->database, sizeof r->database, "%s",
                 uif_field_of(f, UIF_DATABASE)->value);
        r->force = uif_field_of(f, UIF_FORCE)->on;
        break;
    }
}
