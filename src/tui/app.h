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
#include "deeplens/tui.h"
#include "forms.h"
#include "job.h"
#include "keys.h"
#include "logbuf.h"
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

typedef enum ui_view_id { UI_VIEW_LIST, UI_VIEW_DETAIL, UI_VIEW_HELP } ui_view_id;
typedef enum ui_tab { UI_TAB_OVERVIEW, UI_TAB_LOGS, UI_TAB_FILES, UI_TAB_COUNT } ui_tab;

/* A one-line input: the list filter, the log search, the password. */
typedef enum ui_prompt_kind { UI_PROMPT_NONE, UI_PROMPT_FILTER, UI_PROMPT_SEARCH,
                              UI_PROMPT_PASSWORD } ui_prompt_kind;
typedef struct ui_prompt {
    ui_prompt_kind kind;
    char text[256];
    size_t len;
} ui_prompt;

typedef struct ui_list {
    size_t *rows;              /* fleet indices, filtered and sorted */
    size_t nrows, cap;
    size_t sel, top;
    char sel_tenant[DL_TENANT_MAX + 1];
    int sort_col, sort_rev;
    char filter[256];
    int counts[DL_HEALTH_COUNT];
} ui_list;

typedef struct ui_logs {
    ui_logbuf *buf;
    dl_log_stream *stream;
    char tenant[DL_TENANT_MAX + 1];
    int ended;                 /* the stream finished */
    char end_msg[300];
    time_t started_at;         /* container start the stream belongs to */
    int paused;                /* not following: view holds its place */
    uint64_t top;              /* first line shown when paused */
    uint64_t seen_end;         /* end when paused, for "N new lines" */
    int timestamps, wrap, hscroll;
    char search[128];
    uint64_t match;            /* line of the current match, or UINT64_MAX */
    int dirty;                 /* lines arrived since the last paint */
    int rows;                  /* body height at the last paint */
} ui_logs;

typedef struct ui_files {
    char tenant[DL_TENANT_MAX + 1];
    dl_files data;
    int have;                  /* data holds a listing (else the snapshot) */
    ui_job *job;               /* UI_JOB_FILES in flight */
    ui_job *old_job;           /* a listing for a tenant left behind */
    char err[300];
    size_t sel, top;
    int sort_col, sort_rev;
    size_t *order;
    size_t norder;
    int rows;
} ui_files;

typedef struct ui_detail {
    char tenant[DL_TENANT_MAX + 1];
    ui_tab tab;
    int scroll;                /* overview */
    int lines;                 /* overview lines at the last paint */
    ui_logs logs;
    ui_files files;
} ui_detail;

typedef struct ui_app {
    const dl_tui_opts *opts;
    dl_ctx ctx;
    dl_fleet *fleet;
    unsigned long fleet_gen;
    time_t last_refresh;
    int quit;
    int no_color;
    int rc;

    ui_view_id view, help_from;
    int help_top;
    ui_list list;
    ui_detail detail;

    ui_prompt prompt;          /* filter / search, on the status line */
    ui_prompt password;        /* masked, in a box */
    ui_job_req pending;        /* a provision waiting for the password */

    ui_form *form;
    WINDOW *form_win;
    ui_job *job;
    ui_job_kind job_kind;
    char job_tenant[DL_TENANT_MAX + 1];
    char job_label[DL_TENANT_MAX + 32];  /* "backup-now vayyari" */
    ui_progress *progress;
    int progress_open;         /* shown; else hidden (J shows it again) */
    WINDOW *progress_win;
    char job_outcome[400];     /* "backup-now vayyari: ok", until the next job */
    int job_outcome_role;
    int quit_asked;            /* q with a job running: waiting for y/n */

    char msg[300];
    int msg_role;
    const char *last_error;
    time_t last_retry;

    WINDOW *hdr, *body, *status;
    long long last_paint_ms;
} ui_app;

/* app.c */
void ui_app_message(ui_app *a, int role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ui_app_context(const ui_app *a);
/* Start a worker job with a progress view. */
int ui_app_start_job(ui_app *a, const ui_job_req *r);
int ui_app_open_form(ui_app *a, ui_form *f);
/* The selected tenant's status (list or detail), or NULL. */
const dl_status *ui_app_current(const ui_app *a);
/* Actions on the selected tenant, from the list and the detail view. */
int ui_app_tenant_action(ui_app *a, ui_action act, const dl_status *st);

/* list.c */
void ui_list_init(ui_list *l);
void ui_list_free(ui_list *l);
void ui_list_rebuild(ui_app *a);
int ui_list_action(ui_app *a, ui_action act);
void ui_list_draw(ui_app *a, WINDOW *w);
const dl_status *ui_list_selected(const ui_app *a);

/* detail.c */
int ui_detail_open(ui_app *a, const char *tenant, ui_tab tab);
void ui_detail_close(ui_app *a);
int ui_detail_action(ui_app *a, ui_action act);
void ui_detail_draw(ui_app *a, WINDOW *w);
/* Called when the fleet changed (reopen a log after a restart...). */
int ui_detail_fleet_changed(ui_app *a);
/* The storage line: used and free on the target against the document's
 * estimate (DB size x retention x compression factor x 1.2). */
void ui_storage_line(const dl_spec *sp, long long db_size, long long total_kb,
                     long long free_kb, long long backups_bytes, char *buf, size_t n,
                     int *role);

/* logs.c */
void ui_logs_init(ui_logs *l);
void ui_logs_free(ui_logs *l);
int ui_logs_open(ui_app *a, ui_logs *l, const char *tenant);
void ui_logs_close(ui_logs *l);
int ui_logs_action(ui_app *a, ui_logs *l, ui_action act);
void ui_logs_draw(ui_app *a, ui_logs *l, WINDOW *w, int y0);
void ui_logs_search(ui_app *a, ui_logs *l, const char *needle);

/* files.c */
void ui_files_init(ui_files *f);
void ui_files_free(ui_files *f);
int ui_files_open(ui_app *a, ui_files *f, const char *tenant);
int ui_files_reload(ui_app *a, ui_files *f);
int ui_files_poll(ui_app *a, ui_files *f);
int ui_files_action(ui_app *a, ui_files *f, ui_action act);
void ui_files_draw(ui_app *a, ui_files *f, WINDOW *w, int y0);

/* help.c */
int ui_help_action(ui_app *a, ui_action act);
void ui_help_draw(ui_app *a, WINDOW *w);

/* prompt.c: returns 1 when Enter ended it, -1 when Esc cancelled, 0 when
 * still editing. */
int ui_prompt_key(ui_prompt *p, int key);
void ui_prompt_start(ui_prompt *p, ui_prompt_kind kind, const char *initial);

#endif
