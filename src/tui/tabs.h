/* tabs.h - the detail view's Logs and Files tabs (internal to detail.c,
 * logs.c and files.c: no other screen includes it).
 */
#ifndef DEEPLENS_TUI_TABS_H
#define DEEPLENS_TUI_TABS_H

#include "app.h"

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

/* files.c */
void ui_files_init(ui_files *f);
void ui_files_free(ui_files *f);
int ui_files_open(ui_app *a, ui_files *f, const char *tenant);
int ui_files_reload(ui_app *a, ui_files *f);
/* 1 when a listing came in (repaint the tab) */
int ui_files_poll(ui_app *a, ui_files *f);
int ui_files_action(ui_app *a, ui_files *f, ui_action act);
void ui_files_draw(ui_app *a, ui_files *f, WINDOW *w, int y0);

#endif
