/* manifest.c - the manifest screen: what one backup file holds (issue 9):
 * format, compression, server version, database size, dump duration and
 * per-table rows and data sizes, as `files TENANT FILE` prints them.
 *
 * Opened from the Files tab (m) on top of the detail view. The manifest is
 * read by a UI_JOB_MANIFEST worker (an exec in the container must not
 * block the loop). Table names are the tenant's: every one goes through
 * the inert filter (ui_fmt_manifest_row, then ui_draw_str).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proof.h"
#include "draw.h"
#include "fmt.h"
#include "term.h"
#include "deeplens/text.h"

typedef struct ui_mview {
    char tenant[DL_TENANT_MAX + 1];
    char file[160];
    ui_job *job;               /* the read in flight */
    ui_job *old_job;           /* one for a screen left before it ended */
    int have;                  /* m holds the answer */
    dl_manifest m;
    char err[400];
    int scroll, rows;
} ui_mview;

static ui_mview mv;           /* one console per process */

static void noop_line(void *ud, dl_step_kind k, const char *line) {}

int ui_manifest_open(ui_app *a, const char *tenant, const char *file)
{
    ui_mview *v = &mv;
    if (v->job) {              /* still reading another one: let it end */
        if (v->old_job) ui_job_free(v->old_job);
        v->old_job = v->job;
        v->job = NULL;
    }
    dl_manifest_clear(&v->m);
    v->have = 0;
    v->err[0] = '\0';
    v->scroll = 0;
    snprintf(v->tenant, sizeof v->tenant, "%s", tenant);
    snprintf(v->file, sizeof v->file, "%s", file);

    ui_job_req req;
    memset(&req, 0, sizeof req);
    req.kind = UI_JOB_MANIFEST;
    snprintf(req.tenant, sizeof req.tenant, "%s", tenant);
    snprintf(req.file, sizeof req.file, "%s", file);
    dl_err err;
    dl_err_clear(&err);
    v->job = ui_job_start(a->opts->endpoint, &a->ctx.site, &req, &a->ctx, &err);
    if (!v->job) snprintf(v->err, sizeof v->err, "%s", err.msg);
    return ui_app_push(a, UI_VIEW_MANIFEST, &(ui_view_arg){tenant, UI_TAB_FILES});
}

static int mv_poll(ui_app *a)
{
    ui_mview *v = &mv;
    if (v->old_job && ui_job_poll(v->old_job, noop_line, NULL)) {
        ui_job_free(v->old_job);
        v->old_job = NULL;
    }
    if (!v->job || !ui_job_poll(v->job, noop_line, NULL)) return 0;
    dl_err err;
    dl_err_clear(&err);
    if (ui_job_result(v->job, &err) == 0 && ui_job_manifest(v->job, &v->m) == 0)
        v->have = 1;
    else
        snprintf(v->err, sizeof v->err, "cannot read the manifest: %s", err.msg);
    ui_job_free(v->job);
    v->job = NULL;
    return ui_app_top(a) == UI_VIEW_MANIFEST ? UI_R_BODY : 0;
}

static int mv_action(ui_app *a, ui_action act)
{
    ui_mview *v = &mv;
    int page = v->rows > 1 ? v->rows - 1 : 1;
    switch (act) {
    case UI_ACT_QUIT:
    case UI_ACT_BACK: return ui_app_pop(a);
    case UI_ACT_UP: v->scroll--; break;
    case UI_ACT_DOWN: v->scroll++; break;
    case UI_ACT_PAGE_UP: v->scroll -= page; break;
    case UI_ACT_PAGE_DOWN: v->scroll += page; break;
    case UI_ACT_TOP: v->scroll = 0; break;
    case UI_ACT_BOTTOM: v->scroll = 1 << 30; break;
    default: return 0;
    }
    if (v->scroll < 0) v->scroll = 0;
    return UI_R_BODY;
}

static void label_line(WINDOW *w, int y, const char *label, int role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void label_line(WINDOW *w, int y, const char *label, int role, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int width = getmaxx(w);
    ui_draw_str(w, y, 1, 15, ui_attr(UI_FORM_LABEL), label);
    ui_draw_str(w, y, 17, width - 18, ui_attr(role), buf);
}

static void mv_draw(ui_app *a, WINDOW *w)
{
    ui_mview *v = &mv;
    const dl_manifest *m = &v->m;
    int width = getmaxx(w), height = getmaxy(w);
    char t1[32], t2[32], row[1400];

    int x = ui_draw_str(w, 0, 0, width, ui_attr(UI_TITLE), " Manifest of ");
    x += ui_draw_str(w, 0, x, width - x, ui_attr(UI_TITLE), v->file);
    x += ui_draw_str(w, 0, x, width - x, ui_attr(UI_DIM), "  (");
    x += ui_draw_str(w, 0, x, width - x, ui_attr(UI_DIM), v->tenant);
    ui_draw_str(w, 0, x, width - x, ui_attr(UI_DIM), ")");
    ui_hline(w, 1, 0, width, ui_attr(UI_BORDER));
    if (v->job) {
        ui_draw_str(w, 3, 2, width - 4, ui_attr(UI_DIM), "reading the manifest from the container ...");
        return;
    }
    if (!v->have) {
        ui_draw_str(w, 3, 2, width - 4, ui_attr(UI_ERROR), v->err[0] ? v->err : "no answer");
        return;
    }
    if (!m->present) {
        ui_draw_str(w, 3, 2, width - 4, ui_attr(UI_WARNING),
                    "no manifest: made before manifests were written, or its manifest was "
                    "removed (a drill then compares with the dump's own COPY blocks)");
        return;
    }
    int y = 2;
    label_line(w, y++, "Server version", UI_NORMAL, "%s", m->server_version[0] ? m->server_version : "unknown");
    label_line(w, y++, "Database size", UI_NORMAL, "%s",
               m->database_size >= 0 ? dl_fmt_size(m->database_size, t1, sizeof t1) : "unknown");
    label_line(w, y++, "Format", UI_NORMAL, "%s", m->format[0] ? m->format : "unknown");
    label_line(w, y++, "Compression", UI_NORMAL, "%s", m->compression[0] ? m->compression : "unknown");
    label_line(w, y++, "Dump duration", UI_NORMAL, "%.1f s", m->duration);
    label_line(w, y++, "Tables", (long long)m->ntables != m->tables_declared ? UI_WARNING : UI_NORMAL,
               "%zu, %lld rows, %s of data%s", m->ntables, m->total_rows,
               dl_fmt_size(m->total_data_bytes, t2, sizeof t2),
               (long long)m->ntables != m->tables_declared ? " (the manifest declares another count)" : "");
    y++;
    if (y >= height) return;
    int rw = 4;
    for (size_t i = 0; i < m->ntables; i++) {
        snprintf(t1, sizeof t1, "%lld", m->tables[i].rows);
        if ((int)strlen(t1) > rw) rw = (int)strlen(t1);
    }
    int cattr = ui_attr(UI_COLUMN);
    ui_fill(w, y, 0, width, cattr);
    snprintf(row, sizeof row, " %*s  %10s  %s", rw, "ROWS", "DATA", "TABLE");
    ui_draw_str(w, y++, 0, width, cattr, row);
    int rows = height - y;
    v->rows = rows;
    if (rows < 1) return;
    int maxs = (int)m->ntables - rows;
    if (v->scroll > maxs) v->scroll = maxs > 0 ? maxs : 0;
    for (int r = 0; r < rows && (size_t)(v->scroll + r) < m->ntables; r++) {
        const dl_manifest_table *t = &m->tables[v->scroll + r];
        ui_fmt_manifest_row(t->rows, t->data_bytes, t->name, rw, ui_term_utf8(), row, sizeof row);
        ui_draw_str(w, y + r, 1, width - 1, ui_attr(UI_NORMAL), row);
    }
    if (!m->ntables)
        ui_draw_str(w, y, 2, width - 4, ui_attr(UI_DIM), "no tables in this dump");
}

static int mv_status(const ui_app *a, char *buf, size_t n)
{
    const ui_mview *v = &mv;
    if (!v->have || !v->m.present || (int)v->m.ntables <= v->rows) return 0;
    snprintf(buf, n, "tables %d-%d of %zu (Up/Down, PgUp/PgDn)", v->scroll + 1,
             v->scroll + v->rows < (int)v->m.ntables ? v->scroll + v->rows : (int)v->m.ntables,
             v->m.ntables);
    return 1;
}

static void mv_free(ui_app *a)
{
    if (mv.job) ui_job_free(mv.job);
    if (mv.old_job) ui_job_free(mv.old_job);
    mv.job = mv.old_job = NULL;
    dl_manifest_clear(&mv.m);
}

static const dl_status *mv_current(const ui_app *a)
{
    return dl_fleet_find(a->fleet, mv.tenant);
}

const ui_view_ops ui_manifest_view = {
    .name = "manifest",
    .cx = UI_CX_HELP,          /* a read-only page: Back, scrolling, help */
    .free = mv_free,
    .draw = mv_draw,
    .action = mv_action,
    .poll = mv_poll,
    .current = mv_current,
    .status = mv_status,
};
