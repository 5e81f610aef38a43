/* audit.c - the audit trail screen (A in the list: everyone's; in a
 * tenant's detail: that tenant's).
 *
 * Reads the audit file (audit.h) when it opens, on F5 and after every
 * operation of the console, and keeps the newest UI_AUDIT_KEEP records,
 * oldest at the top and the newest last, scrolled to the end. Every field
 * is drawn through the inert text helpers: error messages quote the engine
 * and the job. Its key context is UI_CX_AUDIT plus the help screen's (so
 * Back, the scrolling keys and everything global reach it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "deeplens/audit.h"
#include "deeplens/text.h"
#include "draw.h"
#include "theme.h"

#define UI_AUDIT_KEEP 500

static struct {
    dl_audit_entry *v;              /* ring of the newest UI_AUDIT_KEEP */
    size_t head, n, seen;
    size_t skipped;
    char tenant[DL_TENANT_MAX + 1]; /* "" = all */
    char path[1024];
    char error[300];
    long top;                       /* first row shown; -1 = the end */
} au;

static void keep(void *ud, const dl_audit_entry *e)
{
    (void)ud;
    if (!au.v)
        return;
    if (au.n < UI_AUDIT_KEEP) {
        au.v[(au.head + au.n++) % UI_AUDIT_KEEP] = *e;
    } else {
        au.v[au.head] = *e;
        au.head = (au.head + 1) % UI_AUDIT_KEEP;
    }
    au.seen++;
}

static const dl_audit_entry *row(size_t i)
{
    return &au.v[(au.head + i) % UI_AUDIT_KEEP];
}

static void load(ui_app *a)
{
    const char *cfg = a->opts->config ? a->opts->config->audit_file : "";
    dl_err err;

    if (!au.v && !(au.v = calloc(UI_AUDIT_KEEP, sizeof *au.v)))
        dl_oom();
    au.head = au.n = au.seen = au.skipped = 0;
    au.error[0] = '\0';
    if (!strcmp(cfg, "none")) {
        snprintf(au.error, sizeof au.error,
                 "audit_file is none in the config: the records go to syslog only");
        return;
    }
    if (cfg[0])
        snprintf(au.path, sizeof au.path, "%s", cfg);
    else if (dl_audit_path()[0])
        snprintf(au.path, sizeof au.path, "%s", dl_audit_path());
    else
        dl_audit_default_path(au.path, sizeof au.path);
    dl_err_clear(&err);
    if (dl_audit_each(au.path, au.tenant[0] ? au.tenant : NULL, keep, NULL, &au.skipped,
                      &err) < 0)
        snprintf(au.error, sizeof au.error, "%s", err.msg);
}

static int audit_enter(ui_app *a, const ui_view_arg *arg)
{
    snprintf(au.tenant, sizeof au.tenant, "%s", arg && arg->tenant ? arg->tenant : "");
    au.top = -1;
    load(a);
    return UI_R_ALL;
}

static void audit_free(ui_app *a)
{
    free(au.v);
    au.v = NULL;
}

static int audit_action(ui_app *a, ui_action act)
{
    int page = LINES - 6 > 1 ? LINES - 6 : 1;
    long last = (long)au.n - page;
    if (last < 0)
        last = 0;
    if (au.top < 0)
        au.top = last;
    switch (act) {
    case UI_ACT_QUIT:
    case UI_ACT_BACK:
        return ui_app_pop(a);
    case UI_ACT_UP: au.top--; break;
    case UI_ACT_DOWN: au.top++; break;
    case UI_ACT_PAGE_UP: au.top -= page; break;
    case UI_ACT_PAGE_DOWN: au.top += page; break;
    case UI_ACT_TOP: au.top = 0; break;
    case UI_ACT_BOTTOM: au.top = -1; return UI_R_BODY;
    default: return 0;
    }
    if (au.top < 0)
        au.top = 0;
    if (au.top >= last)
        au.top = -1;   /* at the end: follow new records */
    return UI_R_BODY;
}

static void audit_draw(ui_app *a, WINDOW *w)
{
    int width = getmaxx(w), height = getmaxy(w), y = 2;
    char title[1200], who[160], args[1400], line[2400];

    snprintf(title, sizeof title, "Audit trail%s%s: %zu record%s (newest last)  %s",
             au.tenant[0] ? " of " : "", au.tenant, au.seen, au.seen == 1 ? "" : "s", au.path);
    ui_draw_str(w, 0, 1, width - 2, ui_attr(UI_TITLE), title);
    if (au.error[0]) {
        ui_draw_str(w, 1, 1, width - 2, ui_attr(UI_ERROR), au.error);
        return;
    }
    ui_drawf(w, 1, 1, width - 2, ui_attr(UI_DIM), "%-20s %-14s %-15s %-7s %-10s %-14s %-6s %s",
             "TIME", "USER", "FROM", "VIA", "ACTION", "TENANT", "RESULT", "DETAILS");
    if (!au.n) {
        ui_draw_str(w, y, 1, width - 2, ui_attr(UI_DIM),
                    au.tenant[0] ? "no records of this tenant yet" : "no records yet");
        return;
    }
    int rows = height - y;
    long maxtop = (long)au.n - rows > 0 ? (long)au.n - rows : 0;
    long top = au.top < 0 || au.top > maxtop ? maxtop : au.top;
    for (size_t i = (size_t)top; i < au.n && y < height; i++, y++) {
        const dl_audit_entry *e = row(i);
        snprintf(who, sizeof who, "%s%s%s%s", e->user, e->login[0] ? "(" : "", e->login,
                 e->login[0] ? ")" : "");
        dl_audit_args_text(e, args, sizeof args);
        snprintf(line, sizeof line, "%-20s %-14s %-15s %-7s %-10s %-14s ", e->time, who,
                 e->client[0] ? e->client : "local", e->source, e->action,
                 e->tenant[0] ? e->tenant : "-");
        int x = 1 + ui_draw_str(w, y, 1, width - 2, ui_attr(UI_NORMAL), line);
        if (x >= width - 1)
            continue;
        x += ui_draw_str(w, y, x, width - 1 - x, ui_attr(e->ok ? UI_SUCCESS : UI_ERROR),
                         e->ok ? "ok     " : "error  ");
        snprintf(line, sizeof line, "%s%s%s", args, args[0] && !e->ok ? "  " : "",
                 e->ok ? "" : e->error);
        if (x < width - 1)
            ui_draw_str(w, y, x, width - 1 - x, ui_attr(e->ok ? UI_NORMAL : UI_ERROR), line);
    }
}

static int audit_reread(ui_app *a)
{
    load(a);
    return UI_R_BODY;
}

/* an operation of this console ended: its record is in the file now */
static int audit_job_done(ui_app *a, ui_job_kind kind, const char *tenant, int ok)
{
    if (ui_app_top(a) != UI_VIEW_AUDIT)
        return 0;
    load(a);
    return UI_R_BODY;
}

static int audit_context(const ui_app *a)
{
    return UI_CX_AUDIT | UI_CX_HELP;
}

static int audit_status(const ui_app *a, char *buf, size_t n)
{
    if (!au.skipped)
        return 0;
    snprintf(buf, n, "%zu line%s of the audit file %s not a record", au.skipped,
             au.skipped == 1 ? "" : "s", au.skipped == 1 ? "is" : "are");
    return 1;
}

const ui_view_ops ui_audit_view = {
    .name = "audit",
    .cx = UI_CX_AUDIT,
    .free = audit_free,
    .enter = audit_enter,
    .draw = audit_draw,
    .action = audit_action,
    .job_done = audit_job_done,
    .reread = audit_reread,
    .context = audit_context,
    .status = audit_status,
};

/* ---- the console's operations, recorded -------------------------------------------- */

int ui_audit_job_mutates(ui_job_kind k)
{
    return k != UI_JOB_VERIFY && k != UI_JOB_FILES && k != UI_JOB_MANIFEST;
}

int ui_audit_job_begin(dl_audit_entry *e, const ui_job_req *r, const char *tenant,
                       const char *engine)
{
    const ui_form_result *f = &r->form;
    char num[32];
    if (!ui_audit_job_mutates(r->kind))
        return 0;
    dl_audit_begin(e, ui_job_kind_name(r->kind), tenant, engine);
    switch (r->kind) {
    case UI_JOB_PROVISION:
        dl_audit_add(e, "nfs-path", f->spec.nfs_path);
        dl_audit_add(e, "schedule", f->spec.schedule);
        snprintf(num, sizeof num, "%d", f->spec.retention_days);
        dl_audit_add(e, "retention", num);
        if (f->spec.database[0])
            dl_audit_add(e, "database", f->spec.database);
        dl_audit_add(e, "image", f->spec.image);
        if (f->shared_target)
            dl_audit_add(e, "shared-target", "yes");
        break;
    case UI_JOB_RESCHEDULE:
        if (f->schedule[0])
            dl_audit_add(e, "schedule", f->schedule);
        if (f->retention_days) {
            snprintf(num, sizeof num, "%d", f->retention_days);
            dl_audit_add(e, "retention", num);
        }
        break;
    case UI_JOB_REMOVE:
        if (f->delete_backups)
            dl_audit_add(e, "delete-backups", "yes");
        break;
    case UI_JOB_RESTORE:
        dl_audit_add(e, "file", f->file);
        dl_audit_add(e, "to", f->database);
        if (f->force)
            dl_audit_add(e, "force", "yes");
        break;
    default:
        if (r->file[0])
            dl_audit_add(e, "file", r->file);
        break;
    }
    return 1;
}

void ui_audit_job_end(dl_audit_entry *e, int rc, const dl_err *err)
{
    dl_audit_record(e, rc == 0, err && err->msg[0] ? err->msg : "failed", NULL);
}
