/* detail.c - one tenant: the tab bar and the Overview tab; the Logs and
 * Files tabs live in logs.c and files.c.
 *
 * The overview is everything `status` shows (dl_status) plus the
 * configuration recorded on the container (dl_spec), read from the fleet
 * model at every paint, so it follows the engine live.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tabs.h"
#include "deeplens/cron.h"
#include "draw.h"
#include "fmt.h"
#include "proof.h"
#include "deeplens/text.h"
#include "term.h"

static const char *const tab_names[UI_TAB_COUNT] = {"Overview", "Logs", "Files"};

typedef struct ui_detail {
    char tenant[DL_TENANT_MAX + 1];
    ui_tab tab;
    int scroll;                /* overview */
    int lines;                 /* overview lines at the last paint */
    ui_logs logs;
    ui_files files;
} ui_detail;

static ui_detail detail;      /* one console per process */

static int show_tab(ui_app *a, ui_tab tab)
{
    ui_detail *d = &detail;
    d->tab = tab;
    if (tab == UI_TAB_LOGS && (!d->logs.tenant[0] || strcmp(d->logs.tenant, d->tenant)))
        ui_logs_open(a, &d->logs, d->tenant);
    if (tab == UI_TAB_FILES && strcmp(d->files.tenant, d->tenant))
        ui_files_open(a, &d->files, d->tenant);
    return UI_R_ALL;
}

static void detail_close(ui_app *a);

static int detail_enter(ui_app *a, const ui_view_arg *arg)
{
    ui_detail *d = &detail;
    const char *tenant = arg->tenant;
    ui_tab tab = arg->tab;
    if (strcmp(d->tenant, tenant)) {
        detail_close(a);
        snprintf(d->tenant, sizeof d->tenant, "%s", tenant);
        d->scroll = 0;
    }
    dl_fleet_refresh_one(a->fleet, tenant);
    return show_tab(a, tab);
}

static void detail_close(ui_app *a)
{
    ui_detail *d = &detail;
    ui_logs_close(&d->logs);
    d->logs.tenant[0] = '\0';
    d->files.tenant[0] = '\0';
    d->tenant[0] = '\0';
}

static int detail_model_changed(ui_app *a)
{
    ui_detail *d = &detail;
    if (ui_app_top(a) != UI_VIEW_DETAIL) return 0;
    const dl_status *st = dl_fleet_find(a->fleet, d->tenant);
    if (!st) return UI_R_ALL;
    /* a log stream ends when the container stops: follow the new run */
    if (d->logs.tenant[0] && d->logs.ended && !strcmp(st->state, "running") &&
        st->started_at != d->logs.started_at)
        ui_logs_open(a, &d->logs, d->tenant);
    return UI_R_ALL;
}

static int detail_action(ui_app *a, ui_action act)
{
    ui_detail *d = &detail;
    switch (act) {
    case UI_ACT_QUIT:
    case UI_ACT_BACK:
        return ui_app_pop(a);
    case UI_ACT_NEXT_TAB: return show_tab(a, (ui_tab)((d->tab + 1) % UI_TAB_COUNT));
    case UI_ACT_PREV_TAB: return show_tab(a, (ui_tab)((d->tab + UI_TAB_COUNT - 1) % UI_TAB_COUNT));
    case UI_ACT_TAB_OVERVIEW: return show_tab(a, UI_TAB_OVERVIEW);
    case UI_ACT_TAB_LOGS: return show_tab(a, UI_TAB_LOGS);
    case UI_ACT_TAB_FILES: return show_tab(a, UI_TAB_FILES);
    case UI_ACT_AUDIT: return ui_app_push(a, UI_VIEW_AUDIT, &(ui_view_arg){d->tenant, d->tab});
    case UI_ACT_BACKUP_NOW:
    case UI_ACT_RESTART:
    case UI_ACT_RESCHEDULE:
    case UI_ACT_REMOVE: {
        const dl_status *st = dl_fleet_find(a->fleet, d->tenant);
        return ui_app_tenant_action(a, act, st);
    }
    case UI_ACT_DRILL:      /* the Files tab drills its selected file */
        if (d->tab == UI_TAB_FILES) break;
        return ui_drill_start(a, dl_fleet_find(a->fleet, d->tenant), NULL);
    default:
        break;
    }
    if (d->tab == UI_TAB_LOGS) return ui_logs_action(a, &d->logs, act);
    if (d->tab == UI_TAB_FILES) return ui_files_action(a, &d->files, act);
    /* overview: scrolling */
    int page = LINES - 6 > 1 ? LINES - 6 : 1;
    switch (act) {
    case UI_ACT_UP: d->scroll--; break;
    case UI_ACT_DOWN: d->scroll++; break;
    case UI_ACT_PAGE_UP: d->scroll -= page; break;
    case UI_ACT_PAGE_DOWN: d->scroll += page; break;
    case UI_ACT_TOP: d->scroll = 0; break;
    case UI_ACT_BOTTOM: d->scroll = d->lines; break;
    default: return 0;
    }
    if (d->scroll < 0) d->scroll = 0;
    return UI_R_BODY;
}

/* ---- overview ------------------------------------------------------------------- */

typedef struct ov_line {
    const char *label;
    char text[700];
    int role;
} ov_line;

#define OV_MAX 40

static ov_line *add(ov_line *v, int *n, const char *label, int role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static ov_line *add(ov_line *v, int *n, const char *label, int role, const char *fmt, ...)
{
    if (*n >= OV_MAX) return &v[OV_MAX - 1];
    ov_line *l = &v[(*n)++];
    l->label = label;
    l->role = role;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    return l;
}

void ui_storage_line(const dl_spec *sp, long long db_size, long long total_kb,
                     long long free_kb, long long backups_bytes, char *buf, size_t n,
                     int *role)
{
    char a1[32], a2[32], a3[32], a4[32], a5[32];
    long long est = db_size > 0 ? dl_storage_estimate(db_size, sp->retention_days, sp->compression) : 0;
    *role = UI_NORMAL;
    if (total_kb <= 0) {
        if (est > 0)
            snprintf(buf, n, "target size unknown; estimate for %d days: %s (DB %s x %d x %.1f x %.1f)",
                     sp->retention_days, dl_fmt_size(est, a1, sizeof a1),
                     dl_fmt_size(db_size, a2, sizeof a2), sp->retention_days,
                     DL_STORAGE_FACTOR(sp->compression), DL_STORAGE_MARGIN);
        else
            snprintf(buf, n, "target size unknown (no job status yet)");
        return;
    }
    long long total = total_kb * 1024, freeb = free_kb * 1024;
    if (est <= 0) {
        snprintf(buf, n, "used %s, free %s of %s; estimate needs the database size",
                 dl_fmt_size(total - freeb, a1, sizeof a1), dl_fmt_size(freeb, a2, sizeof a2),
                 dl_fmt_size(total, a3, sizeof a3));
        return;
    }
    int short_of = freeb + backups_bytes < est;
    if (short_of) *role = UI_WARNING;
    snprintf(buf, n, "used %s, free %s of %s; estimate for %d days %s (DB %s x %d x %.1f x %.1f)%s",
             dl_fmt_size(total - freeb, a1, sizeof a1), dl_fmt_size(freeb, a2, sizeof a2),
             dl_fmt_size(total, a3, sizeof a3), sp->retention_days,
             dl_fmt_size(est, a4, sizeof a4), dl_fmt_size(db_size, a5, sizeof a5),
             sp->retention_days, DL_STORAGE_FACTOR(sp->compression), DL_STORAGE_MARGIN,
             short_of ? ": NOT ENOUGH ROOM" : ": fits");
}

/* The size rule's verdict on the last good backup and the last restore
 * drill (issue 9): what makes the health warning or untested. */
static void proof_lines(const dl_status *st, time_t now, ov_line *v, int *n)
{
    const dl_spec *sp = &st->spec;
    char t1[64], t2[64], floor[32];
    if (sp->size_floor > 0) snprintf(floor, sizeof floor, ", floor %d B", sp->size_floor);
    else floor[0] = '\0';
    if (st->size_flag[0])
        add(v, n, "Size rule", UI_WARNING, "%s: %s", st->size_flag,
            st->size_reason[0] ? st->size_reason : "no reason given");
    else if (st->last_success)
        add(v, n, "Size rule", UI_SUCCESS,
            "ok: the last good backup is within %d%% .. %dx of the median of the last %d%s",
            sp->size_min_percent, sp->size_max_factor, sp->size_window, floor);
    else
        add(v, n, "Size rule", UI_DIM, "no good backup to judge yet");
    if (st->last_drill > 0) {
        int good = !strcmp(st->last_drill_result, "ok");
        add(v, n, "Last drill", good ? UI_SUCCESS : UI_ERROR, "%s at %s UTC (%s), %.1f s, %s",
            good ? "ok" : st->last_drill_result[0] ? st->last_drill_result : "?",
            ui_fmt_time(st->last_drill, t1, sizeof t1), ui_fmt_ago(st->last_drill, now, t2, sizeof t2),
            st->last_drill_duration, st->last_drill_file[0] ? st->last_drill_file : "-");
        if (st->last_drill_reason[0])   /* the first difference, on a line of its own */
            add(v, n, "Drill reason", good ? UI_NORMAL : UI_ERROR, "%s", st->last_drill_reason);
    } else {
        add(v, n, "Last drill", sp->drill_schedule[0] ? UI_WARNING : UI_DIM,
            "none yet (d runs one)");
    }
    if (sp->drill_schedule[0])
        add(v, n, "Drills", UI_NORMAL, "%s; untested after %d days without a passed drill",
            sp->drill_schedule, sp->drill_window_days);
    else
        add(v, n, "Drills", UI_DIM, "none scheduled (--drill-schedule)");
}

static int overview_lines(const dl_status *st, ov_line *v)
{
    int n = 0;
    time_t now = time(NULL);
    const dl_spec *sp = &st->spec;
    char t1[64], t2[64], t3[64], t4[64], buf[160];

    if (sp->tenant_id[0])
        add(v, &n, "Tenant", UI_TITLE, "%s (id %s)", sp->tenant, sp->tenant_id);
    else
        add(v, &n, "Tenant", UI_TITLE, "%s", sp->tenant);
    add(v, &n, "Health", ui_health_role(st->health), "%s %s%s%s", dl_health_symbol(st->health),
        dl_health_word(st->health), st->health_reason[0] ? ": " : "", st->health_reason);
    if (st->service[0])   /* provision --swarm: the row is the service, the container its task's */
        add(v, &n, "Service", UI_NORMAL, "%s  (swarm service; the container is its task's)",
            st->service);
    add(v, &n, "Container", UI_NORMAL, "%s  %.12s", st->container, st->container_id);
    add(v, &n, "State", strcmp(st->state, "running") ? UI_WARNING : UI_NORMAL, "%s  (%s)%s%s",
        st->state, st->engine_status, st->engine_health[0] ? "  probe: " : "", st->engine_health);
    if (st->started_at > 0)
        add(v, &n, "Started", UI_NORMAL, "%s UTC (%s); created %s UTC",
            ui_fmt_time(st->started_at, t1, sizeof t1),
            ui_fmt_ago(st->started_at, now, t2, sizeof t2), ui_fmt_time(st->created, t3, sizeof t3));
    else
        add(v, &n, "Created", UI_NORMAL, "%s UTC (%s)", ui_fmt_time(st->created, t1, sizeof t1),
            ui_fmt_ago(st->created, now, t2, sizeof t2));
    dl_cron c;
    dl_err e;
    if (dl_cron_parse(&c, sp->schedule, &e) == 0) dl_cron_describe(&c, buf, sizeof buf);
    else snprintf(buf, sizeof buf, "invalid: %s", e.msg);
    add(v, &n, "Schedule", UI_NORMAL, "%s  (%s)", sp->schedule, buf);
    add(v, &n, "Next run", UI_NORMAL, "%s UTC (%s); longest gap %s",
        ui_fmt_time(st->next_run, t1, sizeof t1), ui_fmt_in(st->next_run, now, t2, sizeof t2),
        st->max_gap > 0 ? ui_fmt_span(st->max_gap, t3, sizeof t3) : "-");
    add(v, &n, "Retention", UI_NORMAL, "%d days, keep at least %d newest; compression %s, format %s",
        sp->retention_days, sp->keep_min, dl_compression_name(sp->compression),
        sp->format[0] ? sp->format : "plain");
    if (!st->have_job_status) {
        add(v, &n, "Last run", UI_DIM, "job status not read yet");
    } else if (!st->last_run_start) {
        add(v, &n, "Last run", UI_WARNING, "never ran");
    } else {
        int bad = strcmp(st->last_result, "ok") != 0;
        add(v, &n, "Last run", bad ? UI_ERROR : UI_SUCCESS, "%s UTC (%s): %s in %.1f s, %s %s",
            ui_fmt_time(st->last_run_start, t1, sizeof t1),
            ui_fmt_ago(st->last_run_start, now, t2, sizeof t2),
            st->last_result[0] ? st->last_result : "running", st->last_duration,
            st->last_file[0] ? st->last_file : "-", dl_fmt_size(st->last_size, t3, sizeof t3));
        if (bad && st->last_reason[0]) add(v, &n, "Reason", UI_ERROR, "%s", st->last_reason);
    }
    if (st->have_job_status) {
        if (st->last_success)
            add(v, &n, "Last good", UI_NORMAL, "%s UTC (%s): %s, %s in %.1f s",
                ui_fmt_time(st->last_success, t1, sizeof t1),
                ui_fmt_ago(st->last_success, now, t2, sizeof t2), st->last_success_file,
                dl_fmt_size(st->last_success_size, t3, sizeof t3), st->last_success_duration);
        else
            add(v, &n, "Last good", UI_WARNING, "never");
        add(v, &n, "Backups", UI_NORMAL, "%d files, %s", st->file_count,
            dl_fmt_size(st->total_bytes, t1, sizeof t1));
        proof_lines(st, now, v, &n);
    }
    char db[80], vol[200];
    dl_spec_database(sp, db, sizeof db);
    add(v, &n, "Database", UI_NORMAL, "%s on %s:%d as %s%s%s", db, sp->pg_host, sp->pg_port,
        sp->pg_user, st->db_size_bytes > 0 ? ", size " : "",
        st->db_size_bytes > 0 ? dl_fmt_size(st->db_size_bytes, t4, sizeof t4) : "");
    add(v, &n, "Target", UI_NORMAL, "%s (%s)%s%s", sp->nfs_path,
        sp->target.kind == DL_TARGET_NFS ? "NFS" : "local directory",
        sp->target.kind == DL_TARGET_NFS ? ", options " : "",
        sp->target.kind == DL_TARGET_NFS ? sp->nfs_options : "");
    add(v, &n, "Volume", UI_NORMAL, "%s", dl_spec_volume_name(sp, vol, sizeof vol));
    ov_line *s = add(v, &n, "Storage", UI_NORMAL, "%s", "");
    ui_storage_line(sp, st->db_size_bytes, st->disk_total_kb, st->disk_free_kb, st->total_bytes,
                    s->text, sizeof s->text, &s->role);
    add(v, &n, "Image", UI_NORMAL, "%s, runs as %u:%u", sp->image, sp->uid, sp->gid);
    add(v, &n, "Network", UI_NORMAL, "%s", sp->network);
    return n;
}

static void draw_overview(ui_app *a, const dl_status *st, WINDOW *w, int y0)
{
    ui_detail *d = &detail;
    static ov_line v[OV_MAX];
    int n = overview_lines(st, v);
    int width = getmaxx(w), height = getmaxy(w);
    int rows = height - y0;
    d->lines = n;
    if (d->scroll > n - rows) d->scroll = n - rows > 0 ? n - rows : 0;
    int lw = 12;
    for (int i = d->scroll, y = y0; i < n && y < height; i++, y++) {
        ui_draw_str(w, y, 1, lw, ui_attr(UI_FORM_LABEL), v[i].label);
        ui_draw_str(w, y, lw + 2, width - lw - 3, ui_attr(v[i].role), v[i].text);
    }
}

static void detail_draw(ui_app *a, WINDOW *w)
{
    ui_detail *d = &detail;
    int width = getmaxx(w);
    const dl_status *st = dl_fleet_find(a->fleet, d->tenant);
    /* tab bar */
    int x = ui_draw_str(w, 0, 0, width, ui_attr(UI_TITLE), " ");
    x += ui_draw_str(w, 0, x, width - x, ui_attr(UI_TITLE), d->tenant);
    if (st) {
        char h[32];
        snprintf(h, sizeof h, " %s %s ", dl_health_symbol(st->health), dl_health_word(st->health));
        x += ui_draw_str(w, 0, x, width - x, ui_attr(ui_health_role(st->health)), h);
    }
    x += ui_draw_str(w, 0, x, width - x, ui_attr(UI_DIM), ui_term_ascii() ? " | " : " │ ");
    for (int t = 0; t < UI_TAB_COUNT && x < width; t++) {
        char name[32];
        snprintf(name, sizeof name, " %d %s ", t + 1, tab_names[t]);
        x += ui_draw_str(w, 0, x, width - x, ui_attr(t == (int)d->tab ? UI_TAB_ACTIVE : UI_NORMAL), name);
        x += ui_draw_str(w, 0, x, width - x, ui_attr(UI_NORMAL), " ");
    }
    ui_hline(w, 1, 0, width, ui_attr(UI_BORDER));
    if (!st) {
        ui_drawf(w, 3, 2, width - 4, ui_attr(UI_WARNING),
                 "tenant '%s' has no backup container (any more); Esc goes back", d->tenant);
        if (d->tab != UI_TAB_LOGS) return;
    }
    switch (d->tab) {
    case UI_TAB_OVERVIEW: if (st) draw_overview(a, st, w, 2); break;
    case UI_TAB_LOGS: ui_logs_draw(a, &d->logs, w, st ? 2 : 4); break;
    case UI_TAB_FILES: ui_files_draw(a, &d->files, w, 2); break;
    default: break;
    }
}

/* ---- the view's hooks ------------------------------------------------------------ */

static void detail_init(ui_app *a)
{
    ui_logs_init(&detail.logs);
    ui_files_init(&detail.files);
}

static void detail_free(ui_app *a)
{
    detail_close(a);
    ui_logs_free(&detail.logs);
    ui_files_free(&detail.files);
}

/* Back to the list: it selects the tenant this view showed. */
static void detail_leave(ui_app *a)
{
    char tenant[DL_TENANT_MAX + 1];
    snprintf(tenant, sizeof tenant, "%s", detail.tenant);
    detail_close(a);
    ui_app_focus(a, tenant);
}

static int on_files_tab(const ui_app *a)
{
    return ui_app_top(a) == UI_VIEW_DETAIL && detail.tab == UI_TAB_FILES;
}

static int detail_poll(ui_app *a)
{
    ui_detail *d = &detail;
    int mask = 0;
    if ((d->files.job || d->files.old_job) && ui_files_poll(a, &d->files) && on_files_tab(a))
        mask |= UI_R_BODY;
    if (d->logs.dirty) {
        d->logs.dirty = 0;
        if (ui_app_top(a) == UI_VIEW_DETAIL && d->tab == UI_TAB_LOGS) mask |= UI_R_STREAM;
    }
    return mask;
}

static int detail_job_done(ui_app *a, ui_job_kind kind, const char *tenant, int ok)
{
    ui_detail *d = &detail;
    if (!d->tenant[0] || strcmp(d->tenant, tenant)) return 0;
    if (kind == UI_JOB_REMOVE && ok && ui_app_top(a) != UI_VIEW_LIST)
        return ui_app_pop_to(a, UI_VIEW_LIST);
    if (on_files_tab(a)) ui_files_reload(a, &d->files);   /* the job may have changed them */
    return 0;
}

static int detail_reread(ui_app *a)
{
    dl_fleet_refresh_one(a->fleet, detail.tenant);
    if (detail.tab == UI_TAB_FILES) ui_files_reload(a, &detail.files);
    return 0;
}

static int detail_context(const ui_app *a)
{
    return detail.tab == UI_TAB_LOGS ? UI_CX_LOGS
         : detail.tab == UI_TAB_FILES ? UI_CX_FILES : UI_CX_OVERVIEW;
}

static const dl_status *detail_current(const ui_app *a)
{
    return dl_fleet_find(a->fleet, detail.tenant);
}

const ui_view_ops ui_detail_view = {
    .name = "detail",
    .cx = UI_CX_DETAIL,
    .init = detail_init,
    .free = detail_free,
    .enter = detail_enter,
    .leave = detail_leave,
    .draw = detail_draw,
    .action = detail_action,
    .poll = detail_poll,
    .model_changed = detail_model_changed,
    .job_done = detail_job_done,
    .reread = detail_reread,
    .context = detail_context,
    .current = detail_current,
};
