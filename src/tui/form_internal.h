/* form_internal.h - what the form modules share: forms.c (lifecycle,
 * focus, keys), form_draw.c (layout, painting), form_kinds.c (fields,
 * validation, results), form_preview.c (live previews, help text) and
 * form_summary.c (the confirmation). Private to them and the unit tests.
 *
 * The model is plain data: every field's text lives in uif_field.value and
 * is kept in step with the ncurses FORM after each key, so validation,
 * previews and summaries never look at curses. The FORM (and the windows
 * it is posted in) is built from the model on the first draw and rebuilt
 * whenever the window changes size.
 */
#ifndef DEEPLENS_TUI_FORM_INTERNAL_H
#define DEEPLENS_TUI_FORM_INTERNAL_H

#include <form.h>
#include <time.h>

#include "forms.h"
#include "deeplens/engines.h"

enum uif_id {
    UIF_TENANT, UIF_TENANT_ID, UIF_NFS_PATH, UIF_SCHEDULE, UIF_RETENTION,
    UIF_NFS_OPTIONS, UIF_COMPRESSION, UIF_IMAGE,
    UIF_CONFIRM_NAME,   /* remove: type the tenant name to delete backups */
    UIF_FILE, UIF_DATABASE, UIF_FORCE,
    UIF_SHARED,         /* provision: the target may be another tenant's too */
    UIF_ENGINE          /* provision, several engines: where the tenant is made */
};

#define UIF_MAX_FIELDS 12
#define UIF_VALUE_MAX 1300      /* dl_spec.nfs_path */
#define UIF_MAX_SUMMARY 24

typedef struct uif_field {
    enum uif_id id;
    const char *label;
    int toggle;                 /* on/off: Space toggles, no text */
    int on;                     /* toggle state */
    char value[UIF_VALUE_MAX];  /* text, trimmed */
    size_t maxlen;              /* longest accepted text */
    int width;                  /* preferred display width (0 = wide) */
    int info_rows;              /* preview rows under the message row */
    char msg[512];              /* validator message, "" = valid */
    int shown;                  /* msg is displayed (left once / submit) */
} uif_field;

typedef struct uif_line {
    int role;                   /* enum ui_role */
    char label[24];             /* "" = continuation */
    char text[400];
} uif_line;

struct ui_form {
    ui_form_kind kind;
    ui_form_state state;
    char title[128];
    char intro[256];
    uif_field fld[UIF_MAX_FIELDS];
    int nfld;
    int cur;

    dl_spec base;               /* provision: site; others: the tenant's spec */
    long long db_size;          /* bytes, 0 = unknown */
    int file_count;             /* remove: files on the target, -1 unknown */
    long long total_bytes;
    char live_db[64];           /* the tenant's database */
    char (*files)[160];         /* restore: known file names (owned) */
    size_t nfiles;
    /* provision, several engines (ui_form_set_engines): their names and
     * how each read-only one was made so (static storage; NULL writable) */
    char eng[DL_ENGINES_MAX][DL_ENGINE_NAME_MAX];
    const char *eng_ro[DL_ENGINES_MAX];
    size_t neng;

    char form_msg[512];         /* whole-form message (status line) */
    ui_form_result res;
    int utf8, ascii;
    time_t now;                 /* 0 = the clock; tests pin it */

    uif_line sum[UIF_MAX_SUMMARY];
    int nsum;
    int sum_top;

    /* curses: a private window the FORM is posted in, copied into the
     * caller's window on every draw (so the caller may erase its own) */
    WINDOW *win, *sub;
    int wh, ww;                 /* size it was built for */
    FORM *form;
    FIELD *fields[UIF_MAX_FIELDS + 1];
    int fx, fw[UIF_MAX_FIELDS]; /* field column, widths */
    int block_y[UIF_MAX_FIELDS], block_page[UIF_MAX_FIELDS];
    int npages;
    int status_rows;            /* rows under the fields for messages */
    int dirty;                  /* rebuild the FORM at the next draw */
    unsigned long theme_sig;    /* attributes it was built with */
    int too_small;
};

/* ---- form_kinds.c, form_preview.c, form_summary.c: pure logic ------------ */

/* Set up the fields of a kind (values prefilled). */
void uif_init_provision(ui_form *f, const dl_spec *site);
void uif_init_reschedule(ui_form *f, const dl_status *st);
void uif_init_remove(ui_form *f, const dl_status *st);
void uif_init_restore(ui_form *f, const dl_status *st, const char *file);

/* Validate field i with the CLI's validators; fills fld[i].msg ("" when
 * valid). Returns 0 valid, -1 invalid. */
int uif_validate(ui_form *f, int i);
/* Whole-form checks after every field passed (e.g. the full spec, "nothing
 * changed"); -1 with form_msg set. */
int uif_validate_form(ui_form *f);
/* The summary shown before confirming (fills f->sum). */
void uif_summary_build(ui_form *f);
/* Fill f->res from the fields (after validation). */
void uif_result_build(ui_form *f);

/* Dim help text under a field without a message, and its preview rows. */
void uif_hint(const ui_form *f, int i, char *buf, size_t n);
/* cols: the room on the row (previews pick a shorter form to fit). */
void uif_info(const ui_form *f, int i, int row, int cols, char *buf, size_t n,
              int *role);

/* Toggle text: "[x] on (gzip)". */
const char *uif_toggle_text(const ui_form *f, int i);

/* Schedules: the preset matching expr (same normalised cron), or -1; the
 * next/previous preset from expr (dir +1/-1; from a non-preset: the first
 * / last). */
int uif_preset_find(const char *expr);
/* The engine after/before `name` in the form's list (dir +1/-1, wrapping;
 * from a name not in it: the first / last); NULL with no engines. */
const char *uif_engine_cycle(const ui_form *f, const char *name, int dir);
int uif_preset_cycle(const char *expr, int dir);
/* "next: Wed 26 Nov 02:00, Thu 27 Nov 02:00, Fri 28 Nov 02:00 UTC" (count
 * runs after `now`); -1 and "" when the schedule does not parse. */
int uif_next_runs(const char *expr, time_t now, int count, char *buf, size_t n);
/* compact: a month is not repeated ("Thu 26 Nov 02:00, Fri 27 02:00"). */
int uif_next_runs_fmt(const char *expr, time_t now, int count, int compact,
                      char *buf, size_t n);
/* "daily 02:00" (+ " - preset 'daily 2 AM'"); "" when invalid. */
void uif_describe(const char *expr, int ascii, char *buf, size_t n);
/* "needs ≈ DB size × 30 × 0.3 × 1.2 = 10.8 × DB size" (+ "; now ≈ 54 GB"
 * when db_size is known); ASCII: "needs ~ DB size x 30 x ...". */
void uif_estimate(int retention, int compression, long long db_size, int ascii,
                  char *buf, size_t n);

/* Index of a field by id, -1 if absent; the field of an id its kind has. */
int uif_find(const ui_form *f, enum uif_id id);
const uif_field *uif_field_of(const ui_form *f, enum uif_id id);
/* Retention typed when valid, else dflt. */
int uif_retention_of(const ui_form *f, int dflt);
/* The spec a provision form describes (fields assumed valid). */
void uif_provision_spec(const ui_form *f, dl_spec *s);

/* ---- forms.c, for form_draw.c ------------------------------------------- */

/* The current field's text from the FORM into the model. */
void uif_sync_current(ui_form *f);
/* Unpost and free the FORM, its fields and windows. */
void uif_curses_free(ui_form *f);
/* The clock for previews. */
time_t uif_now(const ui_form *f);

#endif
