/* app.h - the console's state, shared by its views (internal to src/tui).
 *
 * One ui_app per run. The loop (app.c) owns it; views (list, detail with
 * its tabs, help) read the fleet model and change their own part of the
 * state, and their key handlers return a repaint mask (UI_R_*): the loop
 * alone paints, and only what a mask names.
 */
#ifndef DEEPLENS_TUI_APP_H
#define DEEPLENS_TUI_APP_H

#include <curses.h>
#include <time.h>

#include "deeplens/fleet.h"
#include "deeplens/spec.h"
#include "deeplens/tui.h"
#include "forms.h"
#include "job.h"
#include "keys.h"
#include "logbuf.h"
#include "modal.h"
#include "progress.h"

/* repaint mask */
#define UI_R_HEADER 0x01
#define UI_R_BODY   0x02
#define UI_R_STATUS 0x04   /* status line and key bar */
#define UI_R_ALL    0x07
#define UI_R_STREAM 0x08   /* new log lines: body, at most every ~30 ms */
#define UI_R_CLEAR  0x10   /* redraw the terminal from scratch */
#define UI_R_LAYOUT 0x20   /* the terminal changed size */

#define UI_REFRESH_SECONDS 45

/* The detail view's tabs: which one to open (ui_view_arg). */
typedef enum ui_tab { UI_TAB_OVERVIEW, UI_TAB_LOGS, UI_TAB_FILES, UI_TAB_COUNT } ui_tab;

/* A one-line input: the list filter, the log search, the password. The
 * one who starts it gives on_key and ud: called after every key with r = 1
 * when Enter ended it, -1 when Esc cancelled, 0 while editing; returns a
 * repaint mask. */
typedef enum ui_prompt_kind { UI_PROMPT_NONE, UI_PROMPT_FILTER, UI_PROMPT_SEARCH,
                              UI_PROMPT_PASSWORD } ui_prompt_kind;
typedef struct ui_app ui_app;
typedef struct ui_prompt {
    ui_prompt_kind kind;
    char text[256];
    size_t len;
    int (*on_key)(ui_app *a, void *ud, const char *text, int r);
    void *ud;
} ui_prompt;

/* ---- views as data -------------------------------------------------------------
 * A screen is one file exporting one ui_view_ops and one row in UI_VIEWS
 * (views.h). Views are stacked: the list is at the bottom, the detail and
 * the help screen go on top of it (ui_app_push) and Back takes them off
 * (ui_app_pop); the top one gets the keys and is drawn. Each screen keeps
 * its state to itself (file scope: one console per process). Every hook
 * may be NULL; masks are UI_R_*. */
typedef struct ui_view_arg {
    const char *tenant;        /* the detail: which tenant */
    ui_tab tab;                /* and which tab */
} ui_view_arg;

typedef struct ui_view_ops {
    const char *name;
    int cx;                                       /* key context (keys.h) */
    void (*init)(ui_app *a);                      /* once, at start */
    void (*free)(ui_app *a);                      /* once, at the end */
    int (*enter)(ui_app *a, const ui_view_arg *arg); /* pushed */
    void (*leave)(ui_app *a);                     /* popped */
    void (*draw)(ui_app *a, WINDOW *body);        /* the top view, into the body */
    int (*action)(ui_app *a, ui_action act);      /* the top view's keys */
    /* every turn, every view (it may have work in flight off screen) */
    int (*poll)(ui_app *a);
    /* every view, when the fleet or the focused tenant changed */
    int (*model_changed)(ui_app *a);
    /* every view, when an operation ended */
    int (*job_done)(ui_app *a, ui_job_kind kind, const char *tenant, int ok);
    int (*reread)(ui_app *a);   /* the top view, on F5 (refresh is a curses macro) */
    int (*context)(const ui_app *a);              /* top view; overrides cx */
    const dl_status *(*current)(const ui_app *a); /* its selected tenant */
    /* the status line when no message shows; 0 = nothing to say */
    int (*status)(const ui_app *a, char *buf, size_t n);
} ui_view_ops;

#include "views.h"

#define UI_VIEW_DEPTH 8

/* Every view's hook of that name, masks or'ed into mask. */
#define UI_EACH_VIEW(mask, hook, ...)                                     \
    for (int v_ = 0; v_ < UI_VIEW_COUNT; v_++)                            \
        if (ui_views[v_]->hook) (mask) |= ui_views[v_]->hook(__VA_ARGS__)

struct ui_app {
    const dl_tui_opts *opts;
    dl_ctx ctx;
    dl_fleet *fleet;
    unsigned long fleet_gen;
    time_t last_refresh;
    int quit;
    int no_color;
    int rc;

    ui_view_id stack[UI_VIEW_DEPTH];   /* stack[depth - 1] is on screen */
    int depth;
    char focus[DL_TENANT_MAX + 1];     /* the tenant the list selects, by name */
    int counts[DL_HEALTH_COUNT];       /* tenants per health, for the header */

    ui_modal modals[UI_MODAL_DEPTH];   /* over the views (modal.h) */
    int nmodals;
    ui_prompt prompt;          /* filter / search, on the status line */
    ui_prompt password;        /* masked, in a box */
    ui_job_req pending;        /* a provision waiting for the password */

    ui_job *job;
    ui_job_kind job_kind;
    char job_tenant[DL_TENANT_MAX + 1];
    char job_label[DL_TENANT_MAX + 32];  /* "backup-now vayyari" */
    ui_progress *progress;     /* the last job's; a modal while shown */
    char job_outcome[400];     /* "backup-now vayyari: ok", until the next job */
    int job_outcome_role;

    char msg[300];
    int msg_role;
    const char *last_error;
    time_t last_retry;

    WINDOW *hdr, *body, *status;
    long long last_paint_ms;
};

/* app.c */
void ui_app_message(ui_app *a, int role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The key context: the top modal's, else the top view's. */
int ui_app_context(const ui_app *a);
/* The selected tenant's status (list or detail), or NULL. */
const dl_status *ui_app_current(const ui_app *a);

/* operation.c - jobs, forms, the password, the progress view, quitting */
/* Start a worker job with a progress view. */
int ui_app_start_job(ui_app *a, const ui_job_req *r);
/* Show a form (a modal; takes f, NULL: out of memory). */
int ui_app_open_form(ui_app *a, ui_form *f);
/* Actions on the selected tenant, from the list and the detail view. */
int ui_app_tenant_action(ui_app *a, ui_action act, const dl_status *st);
/* Every turn: the job's new lines, and its end (every view's job_done). */
int ui_op_poll(ui_app *a);
/* The progress view: on screen?, take it off (the job goes on), J. */
int ui_op_progress_shown(const ui_app *a);
void ui_op_hide_progress(ui_app *a);
int ui_op_show_progress(ui_app *a);
/* The end of the run: modals off, waits for a running job. */
void ui_op_free(ui_app *a);

/* The view on screen, and the one under it (UI_VIEW_COUNT: none). */
ui_view_id ui_app_top(const ui_app *a);
ui_view_id ui_app_below(const ui_app *a);
/* Put a view on top (its enter hook), or take the top one off (leave);
 * the list at the bottom stays. */
int ui_app_push(ui_app *a, ui_view_id v, const ui_view_arg *arg);
int ui_app_pop(ui_app *a);
/* Take views off until v is on top. */
int ui_app_pop_to(ui_app *a, ui_view_id v);
/* Select this tenant in the list (by name): every view's model_changed. */
int ui_app_focus(ui_app *a, const char *tenant);
/* q in the list: quit, or ask first while an operation runs. */
int ui_app_quit(ui_app *a);

/* prompt.c: returns 1 when Enter ended it, -1 when Esc cancelled, 0 when
 * still editing. */
int ui_prompt_key(ui_prompt *p, int key);
void ui_prompt_start(ui_prompt *p, ui_prompt_kind kind, const char *initial,
                     int (*on_key)(ui_app *a, void *ud, const char *text, int r), void *ud);
/* Open the filter or search prompt (a->prompt) on the status line: a modal
 * until Enter or Esc. */
int ui_app_prompt(ui_app *a, ui_prompt_kind kind, const char *initial,
                  int (*on_key)(ui_app *a, void *ud, const char *text, int r), void *ud);

#endif
