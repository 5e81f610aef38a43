/* app.c - the console: its one loop, key dispatch, painting and jobs.
 *
 * The loop waits in dl_ctx_poll on the engine's sockets and on the
 * terminal (keys, signals) at once. Each turn: fleet timers, then models
 * (fleet generation, job lines, log lines, file listings) and keys turn
 * into a repaint mask; painting happens once per turn and only when the
 * mask is not empty - log floods are painted at most every ~30 ms. Idle,
 * nothing wakes the loop but the periodic status refresh.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "engines.h"
#include "chrome.h"
#include "draw.h"
#include "fmt.h"
#include "term.h"
#include "theme.h"
#include "deeplens/text.h"

#define STREAM_PAINT_MS 30
#define MAX_KEYS_PER_TURN 256

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ui_app_message(ui_app *a, int role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    a->msg_role = role;
}

/* ---- the view table and stack ------------------------------------------------- */

const ui_view_ops *const ui_views[UI_VIEW_COUNT] = {
#define UI_X_VIEW_ROW(e, ops) [e] = &ops,
    UI_VIEWS(UI_X_VIEW_ROW)
#undef UI_X_VIEW_ROW
};

ui_view_id ui_app_top(const ui_app *a) { return a->depth ? a->stack[a->depth - 1] : UI_VIEW_LIST; }
ui_view_id ui_app_below(const ui_app *a) { return a->depth > 1 ? a->stack[a->depth - 2] : UI_VIEW_LIST; }
static const ui_view_ops *top_ops(const ui_app *a) { return ui_views[ui_app_top(a)]; }

int ui_app_push(ui_app *a, ui_view_id v, const ui_view_arg *arg)
{
    if (a->depth == UI_VIEW_DEPTH) return 0;
    a->stack[a->depth++] = v;
    return ui_views[v]->enter ? ui_views[v]->enter(a, arg) | UI_R_ALL : UI_R_ALL;
}

int ui_app_pop(ui_app *a)
{
    if (a->depth <= 1) return 0;
    const ui_view_ops *v = top_ops(a);
    a->depth--;
    if (v->leave) v->leave(a);
    return UI_R_ALL;
}

int ui_app_pop_to(ui_app *a, ui_view_id v)
{
    int mask = 0;
    while (a->depth > 1 && ui_app_top(a) != v) mask |= ui_app_pop(a);
    return mask;
}

/* Every view's hook of that name, masks or'ed. */
#define EACH_VIEW(mask, hook, ...)                                        \
    for (int v_ = 0; v_ < UI_VIEW_COUNT; v_++)                            \
        if (ui_views[v_]->hook) (mask) |= ui_views[v_]->hook(__VA_ARGS__)

int ui_app_focus(ui_app *a, const char *tenant)
{
    int mask = UI_R_ALL;
    snprintf(a->focus, sizeof a->focus, "%s", tenant);
    EACH_VIEW(mask, model_changed, a);
    return mask;
}

int ui_app_context(const ui_app *a)
{
    if (a->progress && a->progress_open) return UI_CX_PROGRESS;
    const ui_view_ops *v = top_ops(a);
    return v->context ? v->context(a) : v->cx;
}

const dl_status *ui_app_current(const ui_app *a)
{
    const ui_view_ops *v = top_ops(a);
    return v->current ? v->current(a) : NULL;
}

/* ---- layout ----------------------------------------------------------------- */

/* The inner area of a modal (form, progress): centred, framed when the
 * frame leaves the 60x15 a form needs; *framed says whether it is. */
static void modal_size(int *h, int *w, int *y, int *x, int *framed)
{
    *w = COLS >= 82 ? 78 : COLS;
    *h = LINES >= 20 ? (LINES - 2 < 26 ? LINES - 2 : 26) : LINES;
    *y = (LINES - *h) / 2;
    *x = (COLS - *w) / 2;
    *framed = *w - 2 >= 60 && *h - 2 >= 15;
    if (*framed) {
        *w -= 2;
        *h -= 2;
        *y += 1;
        *x += 1;
    }
}

static WINDOW *remake(WINDOW *old, int h, int w, int y, int x)
{
    if (old) delwin(old);
    if (h < 1) h = 1;
    if (w < 1) w = 1;
    WINDOW *win = newwin(h, w, y, x);
    if (!win) {
        dl_oom();
    }
    return win;
}

static void layout(ui_app *a)
{
    int body_h = LINES - 3;
    a->hdr = remake(a->hdr, 1, COLS, 0, 0);
    a->body = remake(a->body, body_h, COLS, 1, 0);
    a->status = remake(a->status, 2, COLS, LINES >= 3 ? LINES - 2 : 0, 0);
    int h, w, y, x, framed;
    modal_size(&h, &w, &y, &x, &framed);
    if (a->form) {
        a->form_win = remake(a->form_win, h, w, y, x);
        keypad(a->form_win, TRUE);
        ui_form_resize(a->form, a->form_win);
    }
    if (a->progress) a->progress_win = remake(a->progress_win, h, w, y, x);
}

/* ---- painting ---------------------------------------------------------------- */

static void draw_password(ui_app *a, WINDOW *w)
{
    char q[160], stars[80];
    snprintf(q, sizeof q, "Database password for provisioning '%s' (not shown):",
             a->pending.form.spec.tenant);
    size_t n = a->password.len < sizeof stars - 1 ? a->password.len : sizeof stars - 1;
    memset(stars, '*', n);
    stars[n] = '\0';
    const char *lines[] = {
        q, stars[0] ? stars : "_", "",
        "no password file was given (--password-file or postgres_password_file)",
    };
    ui_draw_box(w, UI_TITLE, "Password", lines, 4);
}

static void draw_body(ui_app *a)
{
    WINDOW *w = a->body;
    werase(w);
    wattrset(w, ui_attr(UI_NORMAL));
    if (top_ops(a)->draw) top_ops(a)->draw(a, w);
    if (dl_fleet_error(a->fleet, NULL)) ui_chrome_unreachable(a, w);
    if (a->password.kind) draw_password(a, w);
    wnoutrefresh(w);
}

static void paint(ui_app *a, int mask)
{
    if (mask & UI_R_CLEAR) clearok(curscr, TRUE);
    if (ui_term_too_small()) {
        ui_chrome_too_small();
        doupdate();
        return;
    }
    if (is_wintouched(stdscr)) {
        wnoutrefresh(stdscr);
        mask |= UI_R_ALL;
    }
    if (mask & UI_R_STREAM) mask |= UI_R_BODY;
    if (mask & UI_R_HEADER) ui_chrome_header(a);
    if (mask & UI_R_BODY) draw_body(a);
    if (mask & UI_R_STATUS) ui_chrome_status(a);
    int cursor = 0;
    int modal = (a->form && a->form_win) || (a->progress && a->progress_open && a->progress_win);
    int h, wd, y, x, framed;
    modal_size(&h, &wd, &y, &x, &framed);
    if (modal && framed) {
        WINDOW *f = newwin(h + 2, wd + 2, y - 1, x - 1);
        if (f) {
            werase(f);
            ui_frame(f, ui_attr(UI_BORDER), NULL);
            wnoutrefresh(f);
            delwin(f);
        }
    }
    if (a->form && a->form_win) {
        ui_form_draw(a->form, a->form_win);
        touchwin(a->form_win);
        wnoutrefresh(a->form_win);
        cursor = 1;
    } else if (a->progress && a->progress_open && a->progress_win) {
        ui_progress_draw(a->progress, a->progress_win);
        touchwin(a->progress_win);
        wnoutrefresh(a->progress_win);
    }
    curs_set(cursor);
    doupdate();
}

/* ---- jobs ---------------------------------------------------------------------- */

static void on_job_line(void *ud, dl_step_kind k, const char *line)
{
    ui_app *a = ud;
    if (a->progress) ui_progress_add(a->progress, k, line);
}

int ui_app_start_job(ui_app *a, const ui_job_req *r)
{
    if (a->job) {
        ui_app_message(a, UI_WARNING, "%s is still running (J shows it)", a->job_label);
        return UI_R_STATUS;
    }
    dl_err err;
    dl_err_clear(&err);
    const dk_endpoint *ep = ui_engine_endpoint(
        a, r->kind == UI_JOB_PROVISION ? r->form.spec.tenant : r->tenant, &err);
    ui_job *j = ep ? ui_job_start(ep, &a->ctx.site, r, &a->ctx, &err) : NULL;
    if (!j) {
        ui_app_message(a, UI_ERROR, "%s", err.msg);
        return UI_R_STATUS;
    }
    a->job = j;
    a->job_kind = r->kind;
    snprintf(a->job_tenant, sizeof a->job_tenant, "%s",
             r->kind == UI_JOB_PROVISION ? r->form.spec.tenant : r->tenant);
    snprintf(a->job_label, sizeof a->job_label, "%s %s", ui_job_kind_name(r->kind),
             a->job_tenant);
    a->job_outcome[0] = '\0';
    if (a->progress) ui_progress_free(a->progress);
    a->progress = ui_progress_new(ui_job_title(j));
    if (a->progress) ui_progress_set_ascii(a->progress, ui_term_ascii());
    a->progress_open = a->progress != NULL;
    int h, w, y, x, framed;
    modal_size(&h, &w, &y, &x, &framed);
    a->progress_win = remake(a->progress_win, h, w, y, x);
    a->msg[0] = '\0';
    return UI_R_ALL;
}

static int poll_job(ui_app *a)
{
    if (!a->job) return 0;
    if (!ui_job_poll(a->job, on_job_line, a)) return UI_R_BODY;
    dl_err err;
    dl_err_clear(&err);
    int ok = ui_job_result(a->job, &err) == 0;
    char title[160];
    snprintf(title, sizeof title, "%s", ui_job_title(a->job));
    ui_job_free(a->job);
    a->job = NULL;
    a->quit_asked = 0;          /* nothing left to wait for: ask again */
    if (ok) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: done", title);
        if (a->progress) ui_progress_finish(a->progress, 1, msg);
        snprintf(a->job_outcome, sizeof a->job_outcome, "%s: ok", a->job_label);
        a->job_outcome_role = UI_SUCCESS;   /* shown at the status line's end */
    } else {
        if (a->progress) ui_progress_finish(a->progress, 0, err.msg);
        snprintf(a->job_outcome, sizeof a->job_outcome, "%s: FAILED", a->job_label);
        a->job_outcome_role = UI_ERROR;
        ui_app_message(a, UI_ERROR, "%s: FAILED: %s", a->job_label, err.msg);
    }
    if (a->job_kind == UI_JOB_PROVISION && ok)
        snprintf(a->focus, sizeof a->focus, "%s", a->job_tenant);
    dl_fleet_refresh_one(a->fleet, a->job_tenant);
    int mask = UI_R_ALL;
    EACH_VIEW(mask, job_done, a, a->job_kind, a->job_tenant, ok);
    return mask;
}

/* ---- forms ---------------------------------------------------------------------- */

int ui_app_open_form(ui_app *a, ui_form *f)
{
    if (!f) {
        ui_app_message(a, UI_ERROR, "cannot open the form: out of memory");
        return UI_R_STATUS;
    }
    if (a->form) ui_form_free(a->form);
    a->form = f;
    int h, w, y, x, framed;
    modal_size(&h, &w, &y, &x, &framed);
    a->form_win = remake(a->form_win, h, w, y, x);
    keypad(a->form_win, TRUE);
    ui_form_resize(f, a->form_win);
    a->msg[0] = '\0';
    return UI_R_ALL;
}

static void close_form(ui_app *a)
{
    ui_form_free(a->form);
    a->form = NULL;
    if (a->form_win) delwin(a->form_win);
    a->form_win = NULL;
}

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

static int form_done(ui_app *a)
{
    const ui_form_result *r = ui_form_result_get(a->form);
    ui_job_req req;
    memset(&req, 0, sizeof req);
    req.form = *r;
    snprintf(req.tenant, sizeof req.tenant, "%s",
             r->kind == UI_FORM_PROVISION ? r->spec.tenant : r->tenant);
    snprintf(req.file, sizeof req.file, "%s", r->file);
    switch (r->kind) {
    case UI_FORM_PROVISION: req.kind = UI_JOB_PROVISION; break;
    case UI_FORM_RESCHEDULE: req.kind = UI_JOB_RESCHEDULE; break;
    case UI_FORM_REMOVE: req.kind = UI_JOB_REMOVE; break;
    case UI_FORM_RESTORE: req.kind = UI_JOB_RESTORE; break;
    }
    close_form(a);
    if (req.kind == UI_JOB_PROVISION) {
        dl_err err;
        dl_err_clear(&err);
        if (dl_config_password(a->opts->config, a->opts->password_file, 0, req.password,
                               sizeof req.password, &err) < 0) {
            a->pending = req;
            ui_prompt_start(&a->password, UI_PROMPT_PASSWORD, "", NULL, NULL);
            wipe(&req, sizeof req);
            return UI_R_ALL;
        }
    }
    int m = ui_app_start_job(a, &req);
    wipe(&req, sizeof req);
    return m;
}

/* keys go to forms as curses gives them: characters, or KEY_* codes */
static int curses_key(int key)
{
    return key & UI_KEY_FN ? key & ~UI_KEY_FN : key;
}

/* ---- tenant actions -------------------------------------------------------------- */

int ui_app_tenant_action(ui_app *a, ui_action act, const dl_status *st)
{
    if (act == UI_ACT_PROVISION)
        return ui_app_open_form(a, ui_form_provision(&a->ctx.site));
    if (!st) {
        ui_app_message(a, UI_WARNING, "no tenant selected");
        return UI_R_STATUS;
    }
    ui_job_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.tenant, sizeof req.tenant, "%s", st->spec.tenant);
    switch (act) {
    case UI_ACT_BACKUP_NOW:
        req.kind = UI_JOB_BACKUP_NOW;
        return ui_app_start_job(a, &req);
    case UI_ACT_RESTART:
        req.kind = UI_JOB_RESTART;
        return ui_app_start_job(a, &req);
    case UI_ACT_RESCHEDULE:
        return ui_app_open_form(a, ui_form_reschedule(st));
    case UI_ACT_REMOVE:
        return ui_app_open_form(a, ui_form_remove(st));
    default:
        return 0;
    }
}

/* ---- keys ------------------------------------------------------------------------- */

/* Quitting waits for a running operation (it cannot be interrupted), so
 * the operator is asked first. */
int ui_app_quit(ui_app *a)
{
    if (!a->job) {
        a->quit = 1;
        return 0;
    }
    a->quit_asked = 1;
    return UI_R_STATUS;
}

static int hide_progress(ui_app *a)
{
    a->progress_open = 0;
    if (a->job)
        ui_app_message(a, UI_DIM, "%s goes on in the background; J shows it again",
                       a->job_label);
    return UI_R_ALL;
}

/* Keys over an operation's progress; -1: not one of its own. */
static int progress_action(ui_app *a, ui_action act)
{
    ui_progress_motion m;
    switch (act) {
    case UI_ACT_QUIT:
    case UI_ACT_BACK:
    case UI_ACT_HIDE: return hide_progress(a);
    case UI_ACT_UP: m = UI_PROGRESS_UP; break;
    case UI_ACT_DOWN: m = UI_PROGRESS_DOWN; break;
    case UI_ACT_PAGE_UP: m = UI_PROGRESS_PAGE_UP; break;
    case UI_ACT_PAGE_DOWN: m = UI_PROGRESS_PAGE_DOWN; break;
    case UI_ACT_TOP: m = UI_PROGRESS_TOP; break;
    case UI_ACT_BOTTOM: m = UI_PROGRESS_BOTTOM; break;
    default: return -1;
    }
    ui_progress_move(a->progress, m);
    return UI_R_ALL;
}

static int global_action(ui_app *a, ui_action act)
{
    dl_err err;
    switch (act) {
    case UI_ACT_QUIT_NOW:
        return ui_app_quit(a);
    case UI_ACT_HELP:
        a->progress_open = 0;       /* help replaces it; J brings it back */
        if (ui_app_top(a) != UI_VIEW_HELP) return ui_app_push(a, UI_VIEW_HELP, NULL);
        return UI_R_ALL;
    case UI_ACT_THEME:
        dl_err_clear(&err);
        if (ui_theme_next(a->no_color, &err) < 0)
            ui_app_message(a, UI_ERROR, "%s", err.msg);
        else
            ui_app_message(a, UI_NORMAL, "theme: %s%s", ui_theme_name(),
                           a->no_color ? " (NO_COLOR: attributes only)" : "");
        return UI_R_ALL | UI_R_CLEAR;
    case UI_ACT_REFRESH:
        dl_fleet_refresh(a->fleet);
        if (dl_fleet_error(a->fleet, NULL)) dl_fleet_tick(a->fleet, (time_t)1 << 40);
        a->last_refresh = time(NULL);
        if (top_ops(a)->reread) top_ops(a)->reread(a);
        return UI_R_ALL | UI_R_CLEAR;
    case UI_ACT_JOBS:
        if (!a->progress) {
            ui_app_message(a, UI_DIM, "no operation yet");
            return UI_R_STATUS;
        }
        a->progress_open = 1;
        return UI_R_ALL;
    default:
        return -1;
    }
}

static int handle_key(ui_app *a, int key)
{
    if (ui_term_too_small()) {
        if (key == 'q' || key == 'Q') a->quit = 1;
        return 0;
    }
    if (a->form) {
        ui_form_state s = ui_form_key(a->form, curses_key(key));
        if (s == UI_FORM_DONE) return form_done(a);
        if (s == UI_FORM_CANCELLED) {
            close_form(a);
            ui_app_message(a, UI_DIM, "cancelled");
        }
        return UI_R_ALL;
    }
    if (a->password.kind) {
        int r = ui_prompt_key(&a->password, key);
        if (r == 0) return UI_R_BODY | UI_R_STATUS;
        if (r > 0) {
            snprintf(a->pending.password, sizeof a->pending.password, "%s", a->password.text);
            wipe(&a->password, sizeof a->password);
            int m = ui_app_start_job(a, &a->pending);
            wipe(&a->pending, sizeof a->pending);
            return m | UI_R_ALL;
        }
        wipe(&a->password, sizeof a->password);
        wipe(&a->pending, sizeof a->pending);
        ui_app_message(a, UI_DIM, "provisioning cancelled");
        return UI_R_ALL;
    }
    if (a->quit_asked) {
        a->quit_asked = 0;
        if (key == 'y' || key == 'Y') {
            a->quit = 1;
            return 0;
        }
        ui_app_message(a, UI_DIM, "not quitting; %s goes on", a->job ? a->job_label : "nothing runs");
        return UI_R_STATUS;
    }
    if (a->prompt.kind) {
        int r = ui_prompt_key(&a->prompt, key);
        int m = a->prompt.on_key ? a->prompt.on_key(a, a->prompt.ud, a->prompt.text, r) : 0;
        if (r != 0) a->prompt.kind = UI_PROMPT_NONE;
        return m | UI_R_BODY | UI_R_STATUS;
    }
    a->msg[0] = '\0';
    ui_action act = ui_keys_lookup(key, ui_app_context(a));
    if (act == UI_ACT_NONE) {
        if (key == (UI_KEY_FN | KEY_RESIZE)) return UI_R_ALL;
        char name[32];
        ui_key_name(key, name, sizeof name);
        ui_app_message(a, UI_DIM, "key %s does nothing here (? shows the keys)", name);
        return UI_R_STATUS;
    }
    int m = ui_app_context(a) == UI_CX_PROGRESS ? progress_action(a, act) : -1;
    if (m < 0) m = global_action(a, act);
    if (m >= 0) return m | UI_R_STATUS;
    const ui_view_ops *v = top_ops(a);
    return (v->action ? v->action(a, act) : 0) | UI_R_STATUS;
}

static int read_keys(ui_app *a)
{
    int mask = 0;
    for (int n = 0; n < MAX_KEYS_PER_TURN && !a->quit; n++) {
        wint_t ch;
        int rc = get_wch(&ch);
        if (rc == ERR) break;
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            ui_term_resize();
            mask |= UI_R_LAYOUT | UI_R_ALL | UI_R_CLEAR;
            continue;
        }
        mask |= handle_key(a, ui_key_from_wch(rc, (unsigned)ch));
    }
    return mask;
}

/* ---- models ---------------------------------------------------------------------- */

static int poll_models(ui_app *a)
{
    int mask = 0;
    unsigned long gen = dl_fleet_generation(a->fleet);
    time_t next = 0;
    const char *err = dl_fleet_error(a->fleet, &next);
    if (gen != a->fleet_gen || err != a->last_error || next != a->last_retry) {
        a->fleet_gen = gen;
        a->last_error = err;
        a->last_retry = next;
        mask |= UI_R_ALL;
        EACH_VIEW(mask, model_changed, a);
    }
    mask |= poll_job(a);
    EACH_VIEW(mask, poll, a);
    return mask;
}

/* ---- the loop --------------------------------------------------------------------- */

static void loop(ui_app *a)
{
    int mask = UI_R_ALL | UI_R_LAYOUT;
    while (!a->quit) {
        time_t now = time(NULL);
        int timeout = dl_fleet_tick(a->fleet, now);
        if (timeout < 0 || timeout > 60000) timeout = 60000;
        if (now - a->last_refresh >= UI_REFRESH_SECONDS) {
            if (!dl_fleet_error(a->fleet, NULL) && !dl_fleet_loading(a->fleet))
                dl_fleet_relist(a->fleet);   /* status reads: the fleet's own timers */
            a->last_refresh = now;
        }
        long long until = ((long long)a->last_refresh + UI_REFRESH_SECONDS - now) * 1000;
        if (until < timeout) timeout = until < 0 ? 0 : (int)until;

        mask |= poll_models(a);
        if (mask & UI_R_LAYOUT) layout(a);
        if (mask) {
            long long ms = now_ms();
            long long since = ms - a->last_paint_ms;
            if ((mask & ~UI_R_STREAM) == 0 && since < STREAM_PAINT_MS) {
                int wait = (int)(STREAM_PAINT_MS - since);
                if (wait < timeout) timeout = wait;
            } else {
                paint(a, mask);
                mask = 0;
                a->last_paint_ms = ms;
            }
        }
        if (a->job && timeout > 1000) timeout = 1000;   /* a job's end */
        if (dl_fleet_poll(a->fleet, ui_term_fd(), timeout) < 0) {   /* every engine */
            /* a loop error: do not spin */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        int ev = ui_term_events();
        if (ev & UI_TERM_QUIT) {
            a->rc = 128 + ui_term_signal();
            break;
        }
        if (ev & UI_TERM_RESIZE) {
            ui_term_resize();
            mask |= UI_R_LAYOUT | UI_R_ALL | UI_R_CLEAR;
        }
        int before = mask;
        mask |= read_keys(a);
        if ((ev & UI_TERM_HANGUP) && mask == before) {
            a->rc = 129;        /* the terminal went away */
            break;
        }
    }
}

/* ---- run ---------------------------------------------------------------------------- */

static void app_free(ui_app *a)
{
    if (a->form) ui_form_free(a->form);
    for (int v = 0; v < UI_VIEW_COUNT; v++)
        if (ui_views[v]->free) ui_views[v]->free(a);
    if (a->job) ui_job_free(a->job);   /* waits for the worker */
    if (a->progress) ui_progress_free(a->progress);
    if (a->fleet) dl_fleet_free(a->fleet);
    dl_ctx_close(&a->ctx);
    wipe(&a->password, sizeof a->password);
    wipe(&a->pending, sizeof a->pending);
}

int dl_tui_run(const dl_tui_opts *o, dl_err *err)
{
    static ui_app app;   /* one console per process */
    ui_app *a = &app;
    memset(a, 0, sizeof *a);
    a->opts = o;
    if (!o || !o->config || !o->endpoint)
        return dl_err_set(err, DL_EINVAL, "console: no configuration or endpoint"), 2;
    if (ui_keys_init(o->config, err) < 0) return dl_errkind_exit_code(err->kind);
    const char *nc = getenv("NO_COLOR");
    a->no_color = nc && *nc;
    if (dl_ctx_open(&a->ctx, o->endpoint, &o->config->site, err) < 0) return dl_errkind_exit_code(err->kind);
    const char *theme = o->theme && *o->theme ? o->theme : o->config->theme;
    if (ui_term_open(o->ascii, err) < 0) {
        dl_ctx_close(&a->ctx);
        return dl_errkind_exit_code(err->kind);
    }
    if (ui_theme_load(theme, a->no_color, err) < 0) {
        ui_term_close();
        dl_ctx_close(&a->ctx);
        return dl_errkind_exit_code(err->kind);
    }
    for (int v = 0; v < UI_VIEW_COUNT; v++)
        if (ui_views[v]->init) ui_views[v]->init(a);
    a->stack[a->depth++] = UI_VIEW_LIST;
    a->fleet = o->nengines > 1 ? dl_fleet_new_engines(&a->ctx, o->engines, o->nengines, err)
                               : dl_fleet_new(&a->ctx);
    if (!a->fleet) {
        ui_term_close();
        dl_ctx_close(&a->ctx);
        return dl_errkind_exit_code(err->kind);
    }
    dl_fleet_start(a->fleet);
    a->last_refresh = time(NULL);
    a->fleet_gen = (unsigned long)-1;
    loop(a);
    ui_term_close();
    if (a->job)     /* app_free waits for it: say so on the restored terminal */
        fprintf(stderr, "deeplens-backup: waiting for %s to finish (it cannot be interrupted)\n",
                a->job_label);
    app_free(a);
    return a->rc;
}
