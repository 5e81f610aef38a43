/* list.c - the home screen: one row per tenant backup.
 *
 * Rows are fleet indices, filtered and sorted whenever the fleet's
 * generation, the filter or the sort changes; the selection follows the
 * tenant's name, not its position. Columns are a table: a narrow terminal
 * drops the least important ones first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "deeplens/cron.h"
#include "draw.h"
#include "engines.h"
#include "fmt.h"
#include "proof.h"
#include "deeplens/text.h"
#include "term.h"
#include "text.h"

/* X(enum, title, width, priority (0 = always), right-aligned) */
#define LIST_COLUMNS(X)                          \
    X(COL_TENANT, "TENANT", 12, 0, 0)            \
    X(COL_ENGINE, "ENGINE", 8, 1, 0)             \
    X(COL_KIND, "KIND", 9, 2, 0)                 \
    X(COL_HEALTH, "HEALTH", 10, 0, 0)            \
    X(COL_STATE, "STATE", 8, 3, 0)               \
    X(COL_SCHEDULE, "SCHEDULE", 16, 2, 0)        \
    X(COL_NEXT, "NEXT", 9, 4, 0)                 \
    X(COL_LAST_GOOD, "LAST GOOD", 9, 1, 0)       \
    X(COL_RESULT, "RESULT", 6, 2, 0)             \
    X(COL_FILES, "FILES", 5, 3, 1)               \
    X(COL_SIZE, "SIZE", 8, 3, 1)                 \
    X(COL_RETENTION, "KEEP", 5, 4, 1)

enum {
#define X_ENUM(e, t, w, p, r) e,
    LIST_COLUMNS(X_ENUM)
#undef X_ENUM
    COL_COUNT
};

static const struct { const char *title; int width, prio, right; } cols[COL_COUNT] = {
#define X_DEF(e, t, w, p, r) [e] = {t, w, p, r},
    LIST_COLUMNS(X_DEF)
#undef X_DEF
};

typedef struct ui_list {
    size_t *rows;              /* fleet indices, filtered and sorted */
    size_t nrows, cap;
    size_t sel, top;
    int sort_col, sort_rev;
    char filter[256];
} ui_list;

static ui_list list;          /* one console per process */

static void list_free(ui_app *a)
{
    ui_list *l = &list;
    free(l->rows);
    memset(l, 0, sizeof *l);
}

/* ---- cells ------------------------------------------------------------------ */

static const char *cell(const dl_status *st, int col, time_t now, char *buf, size_t n, int *role)
{
    char tmp[64];
    *role = UI_NORMAL;
    switch (col) {
    case COL_TENANT:
        return st->spec.tenant;
    case COL_ENGINE:   /* several engines only */
        if (st->conflict) *role = UI_WARNING;
        snprintf(buf, n, "%s%s%s", st->engine, ui_engine_read_only(st->engine) ? " ro" : "",
                 st->conflict ? "!" : "");
        return buf;
    case COL_KIND:     /* only when a swarm service is listed */
        return st->service[0] ? "service" : "container";
    case COL_HEALTH:
        *role = ui_health_role(st->health);
        snprintf(buf, n, "%s %s", dl_health_symbol(st->health), dl_health_word(st->health));
        return buf;
    case COL_STATE:
        if (strcmp(st->state, "running")) *role = UI_WARNING;
        return st->state[0] ? st->state : "-";
    case COL_SCHEDULE: {
        dl_cron c;
        dl_err e;
        if (dl_cron_parse(&c, st->spec.schedule, &e) == 0)
            dl_cron_describe(&c, buf, n);
        else
            snprintf(buf, n, "%s", st->spec.schedule);
        return buf;
    }
    case COL_NEXT:
        return ui_fmt_in(st->next_run, now, buf, n);
    case COL_LAST_GOOD:
        if (!st->have_job_status) return "?";
        if (!st->last_success) { *role = UI_WARNING; return "never"; }
        return ui_fmt_span((long long)(now - st->last_success), buf, n);
    case COL_RESULT:
        if (!st->have_job_status) return "?";
        if (!st->last_result[0]) return "-";
        *role = strcmp(st->last_result, "ok") ? UI_ERROR : UI_SUCCESS;
        return st->last_result;
    case COL_FILES:
        if (!st->have_job_status) return "-";
        snprintf(buf, n, "%d", st->file_count);
        return buf;
    case COL_SIZE:
        if (!st->have_job_status) return "-";
        return dl_fmt_size(st->total_bytes, buf, n);
    case COL_RETENTION:
        snprintf(tmp, sizeof tmp, "%dd", st->spec.retention_days);
        snprintf(buf, n, "%s", tmp);
        return buf;
    }
    return "";
}

/* ---- sorting and filtering ----------------------------------------------------- */

static const dl_fleet *sort_fleet;
static int sort_col, sort_rev;

static int health_rank(dl_health h)
{
    static const int rank[DL_HEALTH_COUNT] = {
        [DL_HEALTH_FAILING] = 0, [DL_HEALTH_OVERDUE] = 1, [DL_HEALTH_STOPPED] = 2,
        [DL_HEALTH_WARNING] = 3, [DL_HEALTH_UNTESTED] = 4, [DL_HEALTH_UNKNOWN] = 5,
        [DL_HEALTH_OK] = 6,
    };
    return (int)h >= 0 && h < DL_HEALTH_COUNT ? rank[h] : 7;
}

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

static int cmp_rows(const void *pa, const void *pb)
{
    const dl_status *a = dl_fleet_at(sort_fleet, *(const size_t *)pa);
    const dl_status *b = dl_fleet_at(sort_fleet, *(const size_t *)pb);
    int c = 0;
    switch (sort_col) {
    case COL_HEALTH: c = CMP(health_rank(a->health), health_rank(b->health)); break;
    case COL_STATE: c = strcmp(a->state, b->state); break;
    case COL_ENGINE: c = strcmp(a->engine, b->engine); break;
    case COL_KIND: c = CMP(a->service[0] != 0, b->service[0] != 0); break;
    case COL_SCHEDULE: c = CMP(a->max_gap, b->max_gap); break;
    case COL_NEXT: c = CMP(a->next_run, b->next_run); break;
    case COL_LAST_GOOD: c = CMP(b->last_success, a->last_success); break;
    case COL_RESULT: c = strcmp(a->last_result, b->last_result); break;
    case COL_FILES: c = CMP(a->file_count, b->file_count); break;
    case COL_SIZE: c = CMP(a->total_bytes, b->total_bytes); break;
    case COL_RETENTION: c = CMP(a->spec.retention_days, b->spec.retention_days); break;
    default: break;
    }
    if (sort_rev) c = -c;
    if (c == 0) c = strcmp(a->spec.tenant, b->spec.tenant);
    if (c == 0) c = strcmp(a->engine, b->engine);   /* a tenant on two engines */
    return c;
}

static int matches(const dl_status *st, const char *filter)
{
    if (!filter[0]) return 1;
    char hay[512];
    snprintf(hay, sizeof hay, "%s %s %s %s %s", st->spec.tenant, dl_health_word(st->health),
             st->state, st->last_result, st->spec.tenant_id);
    return ui_text_find(hay, strlen(hay), filter, strlen(filter)) >= 0;
}

static void rebuild(ui_app *a)
{
    ui_list *l = &list;
    size_t n = dl_fleet_count(a->fleet);
    if (n > l->cap) {
        size_t *nr = realloc(l->rows, n * sizeof *nr);
        if (!nr) dl_oom();
        l->rows = nr;
        l->cap = n;
    }
    memset(a->counts, 0, sizeof a->counts);
    l->nrows = 0;
    for (size_t i = 0; i < n; i++) {
        const dl_status *st = dl_fleet_at(a->fleet, i);
        if ((int)st->health >= 0 && st->health < DL_HEALTH_COUNT) a->counts[st->health]++;
        if (matches(st, l->filter)) l->rows[l->nrows++] = i;
    }
    sort_fleet = a->fleet;
    sort_col = l->sort_col;
    sort_rev = l->sort_rev;
    if (l->nrows) qsort(l->rows, l->nrows, sizeof *l->rows, cmp_rows);
    /* keep the selected tenant selected */
    if (a->focus[0]) {
        for (size_t i = 0; i < l->nrows; i++)
            if (!strcmp(dl_fleet_at(a->fleet, l->rows[i])->spec.tenant, a->focus)) {
                l->sel = i;
                return;
            }
    }
    if (l->sel >= l->nrows) l->sel = l->nrows ? l->nrows - 1 : 0;
    if (l->nrows)
        snprintf(a->focus, sizeof a->focus, "%s",
                 dl_fleet_at(a->fleet, l->rows[l->sel])->spec.tenant);
}

static const dl_status *list_selected(const ui_app *a)
{
    const ui_list *l = &list;
    if (!l->nrows || l->sel >= l->nrows) return NULL;
    return dl_fleet_at(a->fleet, l->rows[l->sel]);
}

/* the filter prompt: the list follows every key; Esc clears the filter */
static int filter_key(ui_app *a, void *ud, const char *text, int r)
{
    snprintf(list.filter, sizeof list.filter, "%s", r < 0 ? "" : text);
    rebuild(a);
    return 0;
}

/* a KIND column (container or service) only when a swarm service is listed */
static int any_service(const ui_app *a)
{
    size_t n = dl_fleet_count(a->fleet);
    for (size_t i = 0; i < n; i++)
        if (dl_fleet_at(a->fleet, i)->service[0]) return 1;
    return 0;
}

/* ---- keys -------------------------------------------------------------------------- */

static void select_row(ui_app *a, long i)
{
    ui_list *l = &list;
    if (!l->nrows) return;
    if (i < 0) i = 0;
    if (i >= (long)l->nrows) i = (long)l->nrows - 1;
    l->sel = (size_t)i;
    snprintf(a->focus, sizeof a->focus, "%s",
             dl_fleet_at(a->fleet, l->rows[l->sel])->spec.tenant);
}

static int list_action(ui_app *a, ui_action act)
{
    ui_list *l = &list;
    long page = LINES - 5 > 1 ? LINES - 5 : 1;
    const dl_status *st = list_selected(a);
    switch (act) {
    case UI_ACT_UP: select_row(a, (long)l->sel - 1); return UI_R_BODY;
    case UI_ACT_DOWN: select_row(a, (long)l->sel + 1); return UI_R_BODY;
    case UI_ACT_PAGE_UP: select_row(a, (long)l->sel - page); return UI_R_BODY;
    case UI_ACT_PAGE_DOWN: select_row(a, (long)l->sel + page); return UI_R_BODY;
    case UI_ACT_TOP: select_row(a, 0); return UI_R_BODY;
    case UI_ACT_BOTTOM: select_row(a, (long)l->nrows - 1); return UI_R_BODY;
    case UI_ACT_OPEN:
    case UI_ACT_OPEN_LOGS:
    case UI_ACT_OPEN_FILES:
        if (!st) return 0;
        return ui_app_push(a, UI_VIEW_DETAIL,
                           &(ui_view_arg){st->spec.tenant,
                                          act == UI_ACT_OPEN_LOGS ? UI_TAB_LOGS
                                          : act == UI_ACT_OPEN_FILES ? UI_TAB_FILES
                                                                     : UI_TAB_OVERVIEW});
    case UI_ACT_QUIT:
        return ui_app_quit(a);
    case UI_ACT_AUDIT:
        return ui_app_push(a, UI_VIEW_AUDIT, &(ui_view_arg){NULL, UI_TAB_OVERVIEW});
    case UI_ACT_FILTER:
        return ui_app_prompt(a, UI_PROMPT_FILTER, l->filter, filter_key, NULL);
    case UI_ACT_SORT:
        l->sort_col = (l->sort_col + 1) % COL_COUNT;
        if (l->sort_col == COL_ENGINE && dl_fleet_engines(a->fleet) < 2)
            l->sort_col++;   /* not shown with one engine */
        if (l->sort_col == COL_KIND && !any_service(a))
            l->sort_col++;   /* not shown without a swarm service */
        rebuild(a);
        ui_app_message(a, UI_DIM, "sorted by %s%s", cols[l->sort_col].title,
                       l->sort_rev ? " (reversed)" : "");
        return UI_R_BODY;
    case UI_ACT_SORT_REVERSE:
        l->sort_rev = !l->sort_rev;
        rebuild(a);
        return UI_R_BODY;
    case UI_ACT_NEXT_PROBLEM:
        for (size_t k = 1; k <= l->nrows; k++) {
            size_t i = (l->sel + k) % l->nrows;
            if (dl_fleet_at(a->fleet, l->rows[i])->health != DL_HEALTH_OK) {
                select_row(a, (long)i);
                return UI_R_BODY;
            }
        }
        ui_app_message(a, UI_SUCCESS, "every tenant is ok");
        return UI_R_STATUS;
    case UI_ACT_PROVISION:
    case UI_ACT_BACKUP_NOW:
    case UI_ACT_RESTART:
    case UI_ACT_RESCHEDULE:
    case UI_ACT_REMOVE:
        return ui_app_tenant_action(a, act, st);
    case UI_ACT_DRILL:
        return ui_drill_start(a, st, NULL);
    default:
        return 0;
    }
}

/* ---- drawing --------------------------------------------------------------------- */

static void list_draw(ui_app *a, WINDOW *w)
{
    ui_list *l = &list;
    int width = getmaxx(w), height = getmaxy(w);
    time_t now = time(NULL);
    int show[COL_COUNT], wid[COL_COUNT];

    /* columns: drop the least important until they fit */
    for (int c = 0; c < COL_COUNT; c++) { show[c] = 1; wid[c] = cols[c].width; }
    show[COL_ENGINE] = dl_fleet_engines(a->fleet) > 1;   /* only with several engines */
    show[COL_KIND] = any_service(a);                      /* only with a swarm service */
    for (int prio = 4; prio > 0; prio--) {
        int total = 0;
        for (int c = 0; c < COL_COUNT; c++) if (show[c]) total += wid[c] + 1;
        if (total <= width) break;
        for (int c = COL_COUNT - 1; c >= 0; c--) {
            if (cols[c].prio != prio || !show[c]) continue;
            show[c] = 0;
            total -= wid[c] + 1;
            if (total <= width) break;
        }
    }
    int total = 0;
    for (int c = 0; c < COL_COUNT; c++) if (show[c]) total += wid[c] + 1;
    /* the tenant column takes what is left, up to the longest name */
    int longest = 6;
    for (size_t i = 0; i < l->nrows; i++) {
        int len = (int)strlen(dl_fleet_at(a->fleet, l->rows[i])->spec.tenant);
        if (len > longest) longest = len;
    }
    int spare = width - total;
    if (spare > 0) wid[COL_TENANT] += spare < longest - wid[COL_TENANT] ? spare
                                    : (longest > wid[COL_TENANT] ? longest - wid[COL_TENANT] : 0);
    else if (spare < 0) wid[COL_TENANT] += spare > -6 ? spare : -6;

    /* headings */
    int cattr = ui_attr(UI_COLUMN);
    ui_fill(w, 0, 0, width, cattr);
    int x = 0;
    for (int c = 0; c < COL_COUNT && x < width; c++) {
        if (!show[c]) continue;
        char title[32];
        const char *mark = c == l->sort_col ? (l->sort_rev ? (ui_term_ascii() ? "v" : "▼")
                                                           : (ui_term_ascii() ? "^" : "▲")) : "";
        snprintf(title, sizeof title, "%s%s", cols[c].title, mark);
        if (cols[c].right) ui_draw_right(w, 0, x, wid[c], cattr, title);
        else ui_draw_str(w, 0, x, wid[c], cattr, title);
        x += wid[c] + 1;
    }

    int rows = height - 1;
    if (rows < 1) return;
    if (!l->nrows) {
        const char *msg;
        char buf[300];
        if (dl_fleet_loading(a->fleet) && !dl_fleet_error(a->fleet, NULL))
            msg = "loading tenants ...";
        else if (l->filter[0]) {
            snprintf(buf, sizeof buf, "no tenant matches '%s' (/ then Esc clears the filter)", l->filter);
            msg = buf;
        } else
            msg = "no tenant backups yet: press n to provision one";
        ui_draw_str(w, 2 < height ? 2 : 1, 2, width - 4, ui_attr(UI_DIM), msg);
        return;
    }
    if (l->sel < l->top) l->top = l->sel;
    if (l->sel >= l->top + (size_t)rows) l->top = l->sel - (size_t)rows + 1;
    if (l->top + (size_t)rows > l->nrows)
        l->top = l->nrows > (size_t)rows ? l->nrows - (size_t)rows : 0;
    int dim = dl_fleet_error(a->fleet, NULL) ? A_DIM : 0;
    for (int r = 0; r < rows && l->top + (size_t)r < l->nrows; r++) {
        size_t i = l->top + (size_t)r;
        const dl_status *st = dl_fleet_at(a->fleet, l->rows[i]);
        int selected = i == l->sel;
        int sattr = ui_attr(UI_SELECTED);
        if (selected) ui_fill(w, r + 1, 0, width, sattr);
        x = 0;
        for (int c = 0; c < COL_COUNT && x < width; c++) {
            if (!show[c]) continue;
            char buf[128];
            int role;
            const char *t = cell(st, c, now, buf, sizeof buf, &role);
            int attr = selected ? sattr : ui_attr(role) | dim;
            int cw = wid[c] < width - x ? wid[c] : width - x;
            if (cols[c].right) ui_draw_right(w, r + 1, x, cw, attr, t);
            else ui_draw_str(w, r + 1, x, cw, attr, t);
            x += wid[c] + 1;
        }
    }
}

static int list_model_changed(ui_app *a)
{
    rebuild(a);
    return UI_R_ALL;
}

static int list_status(const ui_app *a, char *buf, size_t n)
{
    if (!list.filter[0]) return 0;
    snprintf(buf, n, "filter '%s': %zu of %zu tenants (/ to change, Esc in the prompt clears)",
             list.filter, list.nrows, dl_fleet_count(a->fleet));
    return 1;
}

const ui_view_ops ui_list_view = {
    .name = "list",
    .cx = UI_CX_LIST,
    .free = list_free,
    .draw = list_draw,
    .action = list_action,
    .model_changed = list_model_changed,
    .current = list_selected,
    .status = list_status,
};
