/* progress.h - the live view of a long operation (provision, restore, ...).
 *
 * A title, then every step line as it arrives from the job (job.h) with a
 * marker per kind - UTF-8:  ▸ begin  ✓ ok  ✗ fail  ↺ undo (rollback)  and
 * indented info lines; ASCII when the locale is not UTF-8 (or forced):
 * "->", "[ok]", "[FAIL]", "[undo]". Long lines wrap to the window. The view
 * follows the newest line until the operator scrolls up (ui_progress_move);
 * moving to the bottom follows again. ui_progress_finish adds the result
 * line and "press Enter to close". The keys are the console's (keys.h,
 * the progress context); the domain calls cannot be cancelled midway, so
 * the view of a running job can be hidden - the job goes on - but offers
 * no "cancel".
 *
 * Pure model + drawing: no threads, no engine. Text is sanitised on entry
 * (control characters and invalid UTF-8 become '?'; tabs become spaces).
 * At most UI_PROGRESS_MAX_LINES lines are kept; older ones are dropped and
 * counted ("... N earlier lines not shown").
 * Ownership: ui_progress_new returns a view freed by ui_progress_free;
 * strings passed in are copied.
 */
#ifndef DEEPLENS_TUI_PROGRESS_H
#define DEEPLENS_TUI_PROGRESS_H

#include <curses.h>

#include "deeplens/backup.h"

#define UI_PROGRESS_MAX_LINES 5000

typedef struct ui_progress ui_progress;

/* NULL only when out of memory. Markers default to the locale's charset
 * (call after setlocale). */
ui_progress *ui_progress_new(const char *title);
void ui_progress_free(ui_progress *p);

/* Force ASCII markers (--ascii) or allow UTF-8 again. */
void ui_progress_set_ascii(ui_progress *p, int ascii);

/* Append a step line (the job's dl_progress_fn lines, via ui_job_poll). */
void ui_progress_add(ui_progress *p, dl_step_kind kind, const char *text);
/* The job ended: ok = 1 success, 0 failure; msg is the result line
 * ("backup configured for 'vayyari'", or the error message). */
void ui_progress_finish(ui_progress *p, int ok, const char *msg);
int ui_progress_finished(const ui_progress *p);

/* Draw into win (any size; erases it first). */
void ui_progress_draw(ui_progress *p, WINDOW *win);
/* Scroll the view (repaint after). */
typedef enum ui_progress_motion {
    UI_PROGRESS_UP, UI_PROGRESS_DOWN, UI_PROGRESS_PAGE_UP, UI_PROGRESS_PAGE_DOWN,
    UI_PROGRESS_TOP, UI_PROGRESS_BOTTOM
} ui_progress_motion;
void ui_progress_move(ui_progress *p, ui_progress_motion m);

/* For tests and the footer: number of stored lines, line i as displayed
 * without marker, and its kind. */
size_t ui_progress_count(const ui_progress *p);
const char *ui_progress_line(const ui_progress *p, size_t i, dl_step_kind *kind);

#endif
