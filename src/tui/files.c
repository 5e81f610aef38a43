/* files.c - the Files tab: backup files on the tenant's target.
 *
 * Shows the fleet's snapshot (from the job status file) at once, then the
 * real listing from a UI_JOB_FILES worker (dl_files_list runs an exec in
 * the container, which must not block the loop). Verify and restore act
 * on the selected file through the progress view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tabs.h"
#include "engines.h"
#include "draw.h"
#include "fmt.h"
#include "proof.h"
#include "term.h"
#include "deeplens/text.h"

/* the size trend: at most this many of the newest backups */
#define TREND_MAX 30

enum { FCOL_TIME, FCOL_NAME, FCOL_SIZE, FCOL_COUNT };
static const char *const fcol_names[FCOL_COUNT] = {"time", "name", "size"};

void ui_files_init(ui_files *f)
{
    memset(f, 0, sizeof *f);
}

void ui_files_free(ui_files *f)
{
    if (f->job) ui_job_free(f->job);
    if (f->old_job) ui_job_free(f->old_job);
    f->job = f->old_job = NULL;
    dl_files_clear(&f->data);
    free(f->order);
    f->order = NULL;
}

static const dl_file *file_at(const ui_app *a, const ui_files *f, size_t i, size_t *n)
{
    const dl_file *v;
    size_t count;
    if (f->have) {
        v = f->data.files;
        count = f->data.n;
    } else {
        const dl_status *st = dl_fleet_find(a->fleet, f->tenant);
        v = st ? st->files : NULL;
        count = st ? st->nfiles : 0;
    }
    if (n) *n = count;
    return v && i < count ? &v[i] : NULL;
}

static const dl_file *cmp_base;
static int cmp_col, cmp_rev;

static int cmp_files(const void *pa, const void *pb)
{
    const dl_file *x = &cmp_base[*(const size_t *)pa], *y = &cmp_base[*(const size_t *)pb];
    int c = 0;
    switch (cmp_col) {
    case FCOL_TIME: c = x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : 0; break;
    case FCOL_NAME: c = strcmp(x->name, y->name); break;
    case FCOL_SIZE: c = x->size < y->size ? 1 : x->size > y->size ? -1 : 0; break;
    }
    if (cmp_rev) c = -c;
    return c ? c : strcmp(x->name, y->name);
}

static void resort(const ui_app *a, ui_files *f)
{
    size_t n;
    const dl_file *base = file_at(a, f, 0, &n);
    if (n > f->norder || !f->order) {
        size_t *o = realloc(f->order, (n ? n : 1) * sizeof *o);
        if (!o) dl_oom();
        f->order = o;
    }
    f->norder = n;
    for (size_t i = 0; i < n; i++) f->order[i] = i;
    if (!base || n < 2) return;
    cmp_base = base;
    cmp_col = f->sort_col;
    cmp_rev = f->sort_rev;
    qsort(f->order, n, sizeof *f->order, cmp_files);
}

static void noop_line(void *ud, dl_step_kind k, const char *line) {}

static int start_listing(ui_app *a, ui_files *f)
{
    if (f->job) return 0;
    ui_job_req req;
    memset(&req, 0, sizeof req);
    req.kind = UI_JOB_FILES;
    snprintf(req.tenant, sizeof req.tenant, "%s", f->tenant);
    dl_err err;
    dl_err_clear(&err);
    const dk_endpoint *ep = ui_engine_endpoint(a, f->tenant, &err);
    f->job = ep ? ui_job_start(ep, &a->ctx.site, &req, &a->ctx, &err) : NULL;
    if (!f->job) snprintf(f->err, sizeof f->err, "%s", err.msg);
    return UI_R_BODY;
}

int ui_files_open(ui_app *a, ui_files *f, const char *tenant)
{
    if (f->job) {            /* a listing of another tenant: let it finish */
        if (f->old_job) ui_job_free(f->old_job);
        f->old_job = f->job;
        f->job = NULL;
    }
    dl_files_clear(&f->data);
    f->have = 0;
    f->err[0] = '\0';
    f->sel = f->top = 0;
    snprintf(f->tenant, sizeof f->tenant, "%s", tenant);
    resort(a, f);
    return start_listing(a, f);
}

int ui_files_reload(ui_app *a, ui_files *f)
{
    if (!f->tenant[0]) return 0;
    return start_listing(a, f);
}

int ui_files_poll(ui_app *a, ui_files *f)
{
    if (f->old_job && ui_job_poll(f->old_job, noop_line, NULL)) {
        ui_job_free(f->old_job);
        f->old_job = NULL;
    }
    if (!f->job || !ui_job_poll(f->job, noop_line, NULL)) return 0;
    dl_err err;
    dl_err_clear(&err);
    char selected[160] = "";
    const dl_file *cur = f->norder ? file_at(a, f, f->order[f->sel], NULL) : NULL;
    if (cur) snprintf(selected, sizeof selected, "%s", cur->name);
    if (ui_job_result(f->job, &err) == 0) {
        dl_files_clear(&f->data);
        if (ui_job_files(f->job, &f->data) == 0) f->have = 1;
        f->err[0] = '\0';
    } else {
        snprintf(f->err, sizeof f->err, "listing failed: %s", err.msg);
    }
    ui_job_free(f->job);
    f->job = NULL;
    resort(a, f);
    f->sel = 0;
    for (size_t i = 0; i < f->norder; i++) {
        const dl_file *x = file_at(a, f, f->order[i], NULL);
        if (x && !strcmp(x->name, selected)) f->sel = i;
    }
    return 1;
}

static const dl_file *selected(const ui_app *a, const ui_files *f)
{
    if (f->sel >= f->norder) return NULL;
    return file_at(a, f, f->order[f->sel], NULL);
}

int ui_files_action(ui_app *a, ui_files *f, ui_action act)
{
    long page = f->rows > 1 ? f->rows - 1 : 1;
    long sel = (long)f->sel;
    const dl_file *file = selected(a, f);
    switch (act) {
    case UI_ACT_UP: sel--; break;
    case UI_ACT_DOWN: sel++; break;
    case UI_ACT_PAGE_UP: sel -= page; break;
    case UI_ACT_PAGE_DOWN: sel += page; break;
    case UI_ACT_TOP: sel = 0; break;
    case UI_ACT_BOTTOM: sel = (long)f->norder - 1; break;
    case UI_ACT_SORT:
        f->sort_col = (f->sort_col + 1) % FCOL_COUNT;
        resort(a, f);
        ui_app_message(a, UI_DIM, "files sorted by %s", fcol_names[f->sort_col]);
        return UI_R_BODY;
    case UI_ACT_SORT_REVERSE:
        f->sort_rev = !f->sort_rev;
        resort(a, f);
        return UI_R_BODY;
    case UI_ACT_VERIFY: {
        if (!file) {
            ui_app_message(a, UI_WARNING, "no file selected");
            return UI_R_STATUS;
        }
        ui_job_req req;
        memset(&req, 0, sizeof req);
        req.kind = UI_JOB_VERIFY;
        snprintf(req.tenant, sizeof req.tenant, "%s", f->tenant);
        snprintf(req.file, sizeof req.file, "%s", file->name);
        return ui_app_start_job(a, &req);
    }
    case UI_ACT_RESTORE: {
        const dl_status *st = dl_fleet_find(a->fleet, f->tenant);
        if (!file || !st) {
            ui_app_message(a, UI_WARNING, "no file selected");
            return UI_R_STATUS;
        }
        return ui_app_open_form(a, ui_form_restore(st, file->name));
    }
    case UI_ACT_MANIFEST:
        if (!file) {
            ui_app_message(a, UI_WARNING, "no file selected");
            return UI_R_STATUS;
        }
        return ui_manifest_open(a, f->tenant, file->name);
    case UI_ACT_DRILL:
        if (!file) {
            ui_app_message(a, UI_WARNING, "no file selected");
            return UI_R_STATUS;
        }
        return ui_drill_start(a, dl_fleet_find(a->fleet, f->tenant), file->name);
    default:
        return 0;
    }
    if (sel >= (long)f->norder) sel = (long)f->norder - 1;
    if (sel < 0) sel = 0;
    f->sel = (size_t)sel;
    return UI_R_BODY;
}

static const dl_file *trend_base;

static int cmp_mtime(const void *pa, const void *pb)
{
    const dl_file *x = &trend_base[*(const size_t *)pa], *y = &trend_base[*(const size_t *)pb];
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime ? 1 : strcmp(x->name, y->name);
}

/* "Size trend  ▁▇██▇  last 5 backups, oldest first: 1.1 KiB .. 12 KiB" */
static void draw_trend(const ui_app *a, const ui_files *f, WINDOW *w, int y, int width)
{
    size_t n, idx[TREND_MAX], k = 0;
    const dl_file *base = file_at(a, f, 0, &n);
    size_t *all = n ? malloc(n * sizeof *all) : NULL;
    long long sizes[TREND_MAX], lo = 0, hi = 0;
    char spark[TREND_MAX * 3 + 1], t1[32], t2[32], text[200];
    int x = ui_draw_str(w, y, 1, width - 1, ui_attr(UI_FORM_LABEL), "Size trend ");
    if (!base || !n || !all) {
        free(all);
        ui_draw_str(w, y, 1 + x, width - 1 - x, ui_attr(UI_DIM), "no backups yet");
        return;
    }
    for (size_t i = 0; i < n; i++) all[i] = i;
    trend_base = base;
    qsort(all, n, sizeof *all, cmp_mtime);
    size_t first = n > TREND_MAX ? n - TREND_MAX : 0;
    for (size_t i = first; i < n; i++) idx[k++] = all[i];
    free(all);
    for (size_t i = 0; i < k; i++) {
        sizes[i] = base[idx[i]].size;
        if (!i || sizes[i] < lo) lo = sizes[i];
        if (!i || sizes[i] > hi) hi = sizes[i];
    }
    ui_fmt_sparkline(sizes, k, ui_term_ascii(), spark, sizeof spark);
    x += ui_draw_str(w, y, 1 + x, width - 1 - x, ui_attr(UI_SUCCESS), spark);
    snprintf(text, sizeof text, "  last %zu backup%s, oldest first: %s .. %s", k, k == 1 ? "" : "s",
             dl_fmt_size(lo, t1, sizeof t1), dl_fmt_size(hi, t2, sizeof t2));
    ui_draw_str(w, y, 1 + x, width - 1 - x, ui_attr(UI_DIM), text);
}

void ui_files_draw(ui_app *a, ui_files *f, WINDOW *w, int y0)
{
    int width = getmaxx(w), height = getmaxy(w);
    const dl_status *st = dl_fleet_find(a->fleet, f->tenant);
    time_t now = time(NULL);
    char line[600], t1[32], t2[32], t3[32];
    int role = UI_NORMAL;

    /* storage against the estimate */
    if (st) {
        long long total_kb = f->have && f->data.disk_total_kb ? f->data.disk_total_kb : st->disk_total_kb;
        long long free_kb = f->have && f->data.disk_total_kb ? f->data.disk_free_kb : st->disk_free_kb;
        long long bytes = 0;
        for (size_t i = 0; i < f->norder; i++) {
            const dl_file *x = file_at(a, f, i, NULL);
            if (x) bytes += x->size;
        }
        ui_storage_line(&st->spec, st->db_size_bytes, total_kb, free_kb, bytes, line,
                        sizeof line, &role);
        int x = ui_draw_str(w, y0, 1, width - 1, ui_attr(UI_FORM_LABEL), "Storage ");
        ui_draw_str(w, y0, 1 + x, width - 1 - x, ui_attr(role), line);
    }
    char state[400];
    if (f->job) snprintf(state, sizeof state, "%zu files%s, loading the listing from the container ...",
                         f->norder, f->have ? "" : " (last status)");
    else if (f->err[0]) snprintf(state, sizeof state, "%s", f->err);
    else snprintf(state, sizeof state, "%zu files%s, sorted by %s%s", f->norder,
                  f->have ? "" : " (from the last status)", fcol_names[f->sort_col],
                  f->sort_rev ? " (reversed)" : "");
    draw_trend(a, f, w, y0 + 1, width);
    ui_draw_str(w, y0 + 2, 1, width - 1, ui_attr(f->err[0] && !f->job ? UI_ERROR : UI_DIM), state);

    int hy = y0 + 3;
    if (hy >= height) return;
    int cattr = ui_attr(UI_COLUMN);
    int sizew = 8, timew = 17, agew = 9, sumw = 9, manw = 10;
    int namew = width - sizew - timew - agew - sumw - manw - 5;
    int show_age = 1;
    if (namew < 24) { show_age = 0; namew += agew + 1; }
    ui_fill(w, hy, 0, width, cattr);
    int x = 0;
    ui_draw_str(w, hy, x, namew, cattr, "FILE"); x += namew + 1;
    ui_draw_right(w, hy, x, sizew, cattr, "SIZE"); x += sizew + 1;
    ui_draw_str(w, hy, x, timew, cattr, "TIME (UTC)"); x += timew + 1;
    if (show_age) { ui_draw_str(w, hy, x, agew, cattr, "AGE"); x += agew + 1; }
    ui_draw_str(w, hy, x, sumw, cattr, "CHECKSUM"); x += sumw + 1;
    ui_draw_str(w, hy, x, manw, cattr, "MANIFEST");

    int rows = height - hy - 1;
    f->rows = rows;
    if (rows < 1) return;
    if (!f->norder) {
        ui_draw_str(w, hy + 1, 2, width - 4, ui_attr(UI_DIM),
                    f->job ? "loading ..." : "no backup files on the target yet (b runs one)");
        return;
    }
    if (f->sel >= f->norder) f->sel = f->norder - 1;
    if (f->sel < f->top) f->top = f->sel;
    if (f->sel >= f->top + (size_t)rows) f->top = f->sel - (size_t)rows + 1;
    for (int r = 0; r < rows && f->top + (size_t)r < f->norder; r++) {
        size_t i = f->top + (size_t)r;
        const dl_file *d = file_at(a, f, f->order[i], NULL);
        if (!d) continue;
        int y = hy + 1 + r;
        int sel = i == f->sel;
        int attr = sel ? ui_attr(UI_SELECTED) : ui_attr(UI_NORMAL);
        if (sel) ui_fill(w, y, 0, width, attr);
        x = 0;
        ui_draw_str(w, y, x, namew, attr, d->name); x += namew + 1;
        ui_draw_right(w, y, x, sizew, attr, dl_fmt_size(d->size, t1, sizeof t1)); x += sizew + 1;
        ui_draw_str(w, y, x, timew, attr, ui_fmt_time(d->mtime, t2, sizeof t2)); x += timew + 1;
        if (show_age) {
            ui_draw_str(w, y, x, agew, attr, ui_fmt_span((long long)(now - d->mtime), t3, sizeof t3));
            x += agew + 1;
        }
        ui_draw_str(w, y, x, sumw, sel ? attr : ui_attr(d->has_checksum ? UI_SUCCESS : UI_WARNING),
                    d->has_checksum ? "sha256" : "none");
        x += sumw + 1;
        /* the snapshot of the status file does not say; the listing does */
        if (!f->have) snprintf(t3, sizeof t3, "...");
        else if (d->has_manifest) snprintf(t3, sizeof t3, "%lld tbl", d->tables);
        else snprintf(t3, sizeof t3, "none");
        ui_draw_str(w, y, x, manw, sel ? attr : ui_attr(f->have && !d->has_manifest ? UI_WARNING : UI_NORMAL), t3);
    }
}
