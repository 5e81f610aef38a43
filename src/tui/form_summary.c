/* form_summary.c - the summary a form shows before it is confirmed: what
 * will be created, changed, kept or deleted, in the operator's words, with
 * the destructive parts in the error role. Pure text; no curses calls.
 */
#include "form_internal.h"
#include "deeplens/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "deeplens/cron.h"
#include "theme.h"

static const char *arrow(const ui_form *f)
{
    return f->ascii ? "->" : "\xe2\x86\x92";     /* → */
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

    uif_provision_spec(f, &s);
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
    if (uif_field_of(f, UIF_ENGINE))
        sum_add(f, UI_NORMAL, "Engine", "%s", uif_field_of(f, UIF_ENGINE)->value);
    sum_add(f, UI_NORMAL, "Container", "%s  (image %s)", ct, s.image);
    sum_add(f, UI_NORMAL, "Volume", "%s %s %s", vol, arrow(f), tgt);
    if (s.target.kind == DL_TARGET_NFS)
        sum_add(f, UI_DIM, "", "NFS options %s", s.nfs_options);
    sum_add(f, UI_DIM, "", "files in %s/ there; %s", s.tenant,
            uif_field_of(f, UIF_SHARED)->on ? "other tenants may back up there too"
                                            : "refused if another tenant backs up there");
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
    const uif_field *sc = uif_field_of(f, UIF_SCHEDULE);
    int days = uif_retention_of(f, f->base.retention_days);
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
    const uif_field *name = uif_field_of(f, UIF_CONFIRM_NAME);

    dl_spec_container_name(&f->base, ct, sizeof ct);
    dl_spec_volume_name(&f->base, vol, sizeof vol);
    target_text(f, &f->base, tgt, sizeof tgt);
    if (f->file_count >= 0) {
        dl_fmt_size(f->total_bytes, size, sizeof size);
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
    const uif_field *file = uif_field_of(f, UIF_FILE);
    const uif_field *db = uif_field_of(f, UIF_DATABASE);
    const uif_field *force = uif_field_of(f, UIF_FORCE);
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
        sum_add(f, UI_NORMAL, "Existing", "created if missing; if it exists the restore "
                "stops (Force replaces it)");
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
