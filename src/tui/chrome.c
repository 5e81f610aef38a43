/* chrome.c - what frames every view: the header (engine, endpoint, health
 * counts), the status line (message, prompt, the running operation) with
 * the key bar under it, the engine-unreachable notice over the body and
 * the too-small-terminal notice. The loop (app.c) calls these when the
 * repaint mask names them; views never draw here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "chrome.h"
#include "draw.h"
#include "term.h"
#include "theme.h"
#include "engines.h"

void ui_chrome_header(ui_app *a)
{
    WINDOW *w = a->hdr;
    int hattr = ui_attr(UI_HEADER);
    werase(w);
    ui_fill(w, 0, 0, COLS, hattr);
    /* the counts at the right, in the longest form that fits: by the width
     * (the engine's version keeps its place at 120 columns), and with several
     * engines by what their states on the left need */
    char forms[3][160], left[512];
    size_t total = dl_fleet_count(a->fleet);
    snprintf(forms[0], sizeof forms[0],
             "%zu tenant%s  %d ok  %d overdue  %d warning  %d untested  %d failing  %d stopped ",
             total, total == 1 ? "" : "s", a->counts[DL_HEALTH_OK],
             a->counts[DL_HEALTH_OVERDUE], a->counts[DL_HEALTH_WARNING],
             a->counts[DL_HEALTH_UNTESTED], a->counts[DL_HEALTH_FAILING],
             a->counts[DL_HEALTH_STOPPED]);
    snprintf(forms[1], sizeof forms[1], "%zu: %d ok %d overdue %d warning %d untested %d failing %d stopped ",
             total, a->counts[DL_HEALTH_OK], a->counts[DL_HEALTH_OVERDUE],
             a->counts[DL_HEALTH_WARNING], a->counts[DL_HEALTH_UNTESTED],
             a->counts[DL_HEALTH_FAILING], a->counts[DL_HEALTH_STOPPED]);
    snprintf(forms[2], sizeof forms[2], "%zu: +%d !%d ~%d *%d x%d -%d ", total, /* dl_health_symbol */
             a->counts[DL_HEALTH_OK], a->counts[DL_HEALTH_OVERDUE], a->counts[DL_HEALTH_WARNING],
             a->counts[DL_HEALTH_UNTESTED], a->counts[DL_HEALTH_FAILING],
             a->counts[DL_HEALTH_STOPPED]);
    int down = 0, several = ui_engines_header(a, left, sizeof left, &down);
    static const char title[] = " deeplens-backup ", ro_tag[] = "[READ-ONLY]";
    int need = ui_str_width(title) + (ui_keys_read_only() ? ui_str_width(ro_tag) : 0) +
               (several ? ui_str_width(left) : 0);
    int pick = COLS < 100 ? 2 : COLS < 150 ? 1 : 0;
    while (several && pick < 2 && COLS - ui_str_width(forms[pick]) - 2 < need)
        pick++;
    const char *right = forms[pick];
    int rw = ui_str_width(right);
    if (rw > COLS - 20) rw = 0;
    int lw = COLS - rw - 2;     /* a gap between the two halves */
    const dk_version *v = dl_fleet_engine(a->fleet);
    const char *ep = a->opts->endpoint ? a->opts->endpoint->display : "";
    int x = ui_draw_str(w, 0, 0, lw, hattr | A_BOLD, title);
    if (ui_keys_read_only())
        x += ui_draw_str(w, 0, x, lw - x, ui_attr(UI_WARNING) | A_BOLD, ro_tag);
    if (several) {   /* several engines: each one's state */
        ui_draw_str(w, 0, x, lw - x, down ? ui_attr(UI_ERROR) : hattr, left);
    } else if (dl_fleet_error(a->fleet, NULL)) {
        snprintf(left, sizeof left, " %s: unreachable", ep);
        ui_draw_str(w, 0, x, lw - x, ui_attr(UI_ERROR), left);
    } else {
        /* the engine's version matters more than the start of a long endpoint:
         * cut the endpoint's head (".../deeplens-test/docker.sock") to keep it */
        char ver[80];
        snprintf(ver, sizeof ver, "  docker %s", v ? v->version : "...");
        int room = lw - x - 1 - (int)strlen(ver);
        size_t el = strlen(ep);
        if (room > 12 && el > (size_t)room)
            snprintf(left, sizeof left, " ...%s%s", ep + el - (size_t)(room - 4), ver);
        else
            snprintf(left, sizeof left, " %s%s", ep, ver);
        ui_draw_str(w, 0, x, lw - x, hattr, left);
    }
    if (rw) ui_draw_str(w, 0, COLS - rw, rw, hattr, right);
    wnoutrefresh(w);
}

static void draw_keys(ui_app *a, WINDOW *w, int y)
{
    int fattr = ui_attr(UI_FOOTER), kattr = ui_attr(UI_FOOTER_KEY);
    ui_fill(w, y, 0, COLS, fattr);
    const char *hints = ui_modal_hints(a);    /* a modal says its own keys */
    if (hints) {
        ui_draw_str(w, y, 1, COLS - 1, fattr, hints);
        return;
    }
    int cx = ui_app_context(a), x = 0;
    /* help, quit and back first, then what only this view has
     * (the Files tab's Verify), then the rest: on a narrow terminal the
     * view's own keys are the last to be cut */
    int full = 0;
    for (int pass = 0; pass < 3 && !full; pass++) {
        for (int act = 0; act < UI_ACT_COUNT && x < COLS; act++) {
            const char *label = ui_action_label((ui_action)act);
            int reach = ui_action_contexts((ui_action)act);
            if (!label || !(reach & cx)) continue;
            int nav = act == UI_ACT_HELP || act == UI_ACT_QUIT || act == UI_ACT_BACK;
            int own = (reach & (UI_CX_LIST | UI_CX_DETAIL | UI_CX_AUDIT)) == cx;
            if (pass != (nav ? 0 : own ? 1 : 2)) continue;
            /* the footer shows one key per action: the first that reaches it */
            char keys[64];
            ui_action_keys((ui_action)act, cx, keys, sizeof keys);
            char *sp = strchr(keys, ' ');
            if (sp) *sp = '\0';
            if (!keys[0]) continue;
            int need = ui_str_width(keys) + ui_str_width(label) + 2;
            if (x + need > COLS) {
                full = 1;
                break;
            }
            x += ui_draw_str(w, y, x, COLS - x, kattr, keys);
            x += ui_draw_str(w, y, x, COLS - x, fattr, " ");
            x += ui_draw_str(w, y, x, COLS - x, fattr, label);
            x += ui_draw_str(w, y, x, COLS - x, fattr, " ");
        }
    }
}

/* The right end of the status line: the running operation, or how the
 * last one ended, while its progress is not on screen. Returns its width. */
static int draw_job_state(ui_app *a, WINDOW *w)
{
    char text[sizeof a->job_outcome + 16];
    int role;
    if (ui_op_progress_shown(a)) return 0;
    if (a->job) {
        snprintf(text, sizeof text, " %s: running (J) ", a->job_label);
        role = UI_WARNING;
    } else if (a->job_outcome[0]) {
        snprintf(text, sizeof text, " %s ", a->job_outcome);
        role = a->job_outcome_role;
    } else {
        return 0;
    }
    int tw = ui_str_width(text);
    if (tw > COLS / 2) tw = COLS / 2;
    ui_draw_str(w, 0, COLS - tw, tw, ui_attr(role) | A_BOLD, text);
    return tw;
}

void ui_chrome_status(ui_app *a)
{
    WINDOW *w = a->status;
    werase(w);
    int nattr = ui_attr(UI_NORMAL);
    ui_fill(w, 0, 0, COLS, nattr);
    int cols = COLS - draw_job_state(a, w);
    if (ui_modal_draw(a, UI_MODAL_STATUS, w, NULL)) {
        /* a prompt or a question has the line */
    } else if (a->msg[0]) {
        ui_draw_str(w, 0, 0, cols, ui_attr(a->msg_role), a->msg);
    } else {
        const ui_view_ops *v = ui_views[ui_app_top(a)];
        char text[400];
        if (v->status && v->status(a, text, sizeof text))
            ui_draw_str(w, 0, 0, cols, ui_attr(UI_DIM), text);
    }
    draw_keys(a, w, 1);
    wnoutrefresh(w);
}

void ui_chrome_unreachable(ui_app *a, WINDOW *w)
{
    time_t next = 0;
    const char *err = dl_fleet_error(a->fleet, &next);
    char retry[96], when[32];
    struct tm tm;
    time_t now = time(NULL);
    if (next > now && localtime_r(&next, &tm)) {
        strftime(when, sizeof when, "%H:%M:%S", &tm);
        snprintf(retry, sizeof retry, "retrying by itself at %s; the console stays open", when);
    } else {
        snprintf(retry, sizeof retry, "retrying now; the console stays open");
    }
    const char *lines[] = {
        err, "", retry,
        dl_fleet_count(a->fleet) ? "the list behind shows the last known state" :
                                   "no tenant data yet",
        "q quits, F5 retries at once",
    };
    ui_draw_box(w, UI_ERROR, "Docker engine unreachable", lines, 5);
}

void ui_chrome_too_small(void)
{
    werase(stdscr);
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: %dx%d", COLS, LINES);
    char need[64];
    snprintf(need, sizeof need, "need at least %dx%d", UI_MIN_COLS, UI_MIN_ROWS);
    int y = LINES / 2 - 1;
    if (y < 0) y = 0;
    attrset(ui_attr(UI_WARNING));
    mvaddnstr(y, 0, msg, COLS);
    attrset(ui_attr(UI_NORMAL));
    if (y + 1 < LINES) mvaddnstr(y + 1, 0, need, COLS);
    char keys[64], quit[80];
    ui_action_keys(UI_ACT_SMALL_QUIT, UI_CX_SMALL, keys, sizeof keys);
    char *sp = strchr(keys, ' ');
    if (sp) *sp = '\0';
    snprintf(quit, sizeof quit, "%s quits", keys);
    if (y + 2 < LINES) mvaddnstr(y + 2, 0, quit, COLS);
    wnoutrefresh(stdscr);
}
