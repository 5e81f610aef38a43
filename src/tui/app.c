/* app.c - the console: its one loop, key dispatch and painting. What it
 * shows is views (views.h) and modals over them (modal.h); what it does to
 * tenants is operation.c's.
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

static const ui_view_ops *top_ops(const ui_app *a) { return ui_views[ui_app_top(a)]; }

int ui_app_context(const ui_app *a)
{
    int cx = ui_modal_context(a);
    if (cx) return cx;
    const ui_view_ops *v = top_ops(a);
    return v->context ? v->context(a) : v->cx;
}

const dl_status *ui_app_current(const ui_app *a)
{
    const ui_view_ops *v = top_ops(a);
    return v->current ? v->current(a) : NULL;
}

/* ---- layout ----------------------------------------------------------------- */

static WINDOW *remake(WINDOW *old, int h, int w, int y, int x)
{
    if (old) delwin(old);
    if (h < 1) h = 1;
    if (w < 1) w = 1;
    WINDOW *win = newwin(h, w, y, x);
    if (!win) dl_oom();
    return win;
}

static void layout(ui_app *a)
{
    int body_h = LINES - 3;
    a->hdr = remake(a->hdr, 1, COLS, 0, 0);
    a->body = remake(a->body, body_h, COLS, 1, 0);
    a->status = remake(a->status, 2, COLS, LINES >= 3 ? LINES - 2 : 0, 0);
    ui_modal_layout(a);
}

/* ---- painting ---------------------------------------------------------------- */

static void draw_body(ui_app *a)
{
    WINDOW *w = a->body;
    werase(w);
    wattrset(w, ui_attr(UI_NORMAL));
    if (top_ops(a)->draw) top_ops(a)->draw(a, w);
    if (dl_fleet_error(a->fleet, NULL)) ui_chrome_unreachable(a, w);
    ui_modal_draw(a, UI_MODAL_BODY, w, NULL);
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
    ui_engines_sync_keys(a);    /* the key bar and help of the selected tenant's engine */
    if (mask & UI_R_HEADER) ui_chrome_header(a);
    if (mask & UI_R_BODY) draw_body(a);
    if (mask & UI_R_STATUS) ui_chrome_status(a);
    int cursor = 0;
    ui_modal_draw(a, UI_MODAL_WINDOW, NULL, &cursor);
    curs_set(cursor);
    doupdate();
}

/* ---- keys ------------------------------------------------------------------------- */

static int global_action(ui_app *a, ui_action act)
{
    dl_err err;
    switch (act) {
    case UI_ACT_QUIT_NOW:
        return ui_app_quit(a);
    case UI_ACT_HELP:
        ui_op_hide_progress(a);     /* help replaces it; J brings it back */
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
        return ui_op_show_progress(a);
    default:
        return -1;
    }
}

static int handle_key(ui_app *a, int key)
{
    if (ui_term_too_small()) {
        if (ui_keys_lookup(key, UI_CX_SMALL) == UI_ACT_SMALL_QUIT) a->quit = 1;
        return 0;
    }
    ui_engines_sync_keys(a);           /* the selected tenant's engine read-only? */
    int m = ui_modal_key(a, key);      /* a form, a prompt, the progress ... */
    if (m >= 0) return m;
    a->msg[0] = '\0';
    ui_action act = ui_keys_lookup(key, ui_app_context(a));
    if (act == UI_ACT_NONE) {
        if (key == (UI_KEY_FN | KEY_RESIZE)) return UI_R_ALL;
        char name[32];
        ui_key_name(key, name, sizeof name);
        ui_app_message(a, UI_DIM, "key %s does nothing here (? shows the keys)", name);
        return UI_R_STATUS;
    }
    m = global_action(a, act);
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
        UI_EACH_VIEW(mask, model_changed, a);
    }
    mask |= ui_op_poll(a);
    UI_EACH_VIEW(mask, poll, a);
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
    ui_op_free(a);      /* modals first: they may point into views' state */
    for (int v = 0; v < UI_VIEW_COUNT; v++)
        if (ui_views[v]->free) ui_views[v]->free(a);
    if (a->fleet) dl_fleet_free(a->fleet);
    dl_ctx_close(&a->ctx);
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
    ui_engines_init(o);
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
