/* forms.h - the console's modal forms, built on ncurses' form library.
 *
 * A form is a state machine the console's loop feeds keys to; it never
 * blocks and never talks to the engine. Validation uses the same validators
 * as the CLI (spec.h, cron.h) and shows the message next to the field.
 * Submitting moves to a summary / confirmation step; confirming yields a
 * ui_form_result the caller turns into a ui_job (job.h).
 * Ownership: ui_form_* constructors return a form freed by ui_form_free.
 */
#ifndef DEEPLENS_TUI_FORMS_H
#define DEEPLENS_TUI_FORMS_H

#include <curses.h>

#include "deeplens/backup.h"
#include "deeplens/spec.h"

typedef enum ui_form_kind {
    UI_FORM_PROVISION, UI_FORM_RESCHEDULE, UI_FORM_REMOVE, UI_FORM_RESTORE
} ui_form_kind;

typedef enum ui_form_state {
    UI_FORM_EDITING,     /* fields being edited */
    UI_FORM_CONFIRMING,  /* summary shown, waiting for confirmation */
    UI_FORM_DONE,        /* confirmed: read ui_form_result */
    UI_FORM_CANCELLED
} ui_form_state;

typedef struct ui_form_result {
    ui_form_kind kind;
    dl_spec spec;              /* provision: the full spec */
    char tenant[DL_TENANT_MAX + 1];
    char schedule[128];        /* reschedule */
    int retention_days;        /* reschedule */
    int delete_backups;        /* remove: typed the tenant name */
    char file[160];            /* restore */
    char database[64];         /* restore */
    int force;                 /* restore into an existing database */
    int shared_target;         /* provision: --shared-target */
    char engine[64];           /* provision, several engines: the one to make it on */
} ui_form_result;

typedef struct ui_form ui_form;

/* site: defaults from the config file. */
ui_form *ui_form_provision(const dl_spec *site);
ui_form *ui_form_reschedule(const dl_status *st);
ui_form *ui_form_remove(const dl_status *st);
ui_form *ui_form_restore(const dl_status *st, const char *file);
void ui_form_free(ui_form *f);
/* Several engines: the provision form's first field is the Engine, one of
 * names[n] (ro[i]: how engine i was made read-only, static storage, or NULL
 * when writable; a read-only one is refused naming it), prefilled with dflt.
 * F3/Ctrl-N and Shift-F3/Ctrl-P cycle the names. Does nothing on other
 * forms or with fewer than 2 names; -1 when the form has no room. */
int ui_form_set_engines(ui_form *f, const char *const *names, const char *const *ro, size_t n,
                        const char *dflt);

ui_form_kind ui_form_kind_of(const ui_form *f);
/* Editing or confirming (the console picks the key context by it). */
ui_form_state ui_form_state_of(const ui_form *f);
/* Feed one key (wint_t-ish int from get_wch/getch, KEY_* codes too). */
ui_form_state ui_form_key(ui_form *f, int ch);
/* Draw inside win (the caller sizes it: at least 60x15; the form lays
 * itself out to the window and redraws fully on resize). Uses ui_attr(). */
void ui_form_draw(ui_form *f, WINDOW *win);
/* Tell the form its window changed size (recreates the FORM). */
void ui_form_resize(ui_form *f, WINDOW *win);
const ui_form_result *ui_form_result_get(const ui_form *f);
/* Key hints for the footer while this form is open. */
const char *ui_form_hints(const ui_form *f);

/* Keys (ui_form_key): Tab/Down next field, Shift-Tab/Up previous, PgDn/PgUp
 * next/previous page of fields, Enter next field (submits on the last),
 * F2 or Ctrl-S submit, Esc cancel; in text fields Left/Right/Home/End,
 * Backspace/Delete, Ctrl-U clear, Ctrl-K clear to end, printable ASCII
 * only; Space toggles on/off fields; F3/Ctrl-N and Shift-F3/Ctrl-P cycle
 * the schedule presets (and the engines, on the Engine field). Confirming: y/Enter yes, n/Esc back to editing,
 * Up/Down scroll the summary.
 * Drawing: the form paints into a private window and copies it into `win`
 * on every draw, leaving win's cursor on the field being edited; show the
 * terminal cursor when ui_form_wants_cursor() says so (and keep
 * leaveok(win, FALSE)). */
int ui_form_wants_cursor(const ui_form *f);
/* Force ASCII symbols (--ascii); UTF-8 is used when the locale is UTF-8. */
void ui_form_set_ascii(ui_form *f, int ascii);

#endif
