/* term.h - the terminal: curses set-up and restore, signals, resize, the
 * "too small" limit and the character set (internal to src/tui).
 *
 * Everything about the terminal as a device lives here, in one place:
 * locale and UTF-8 detection (else ASCII line drawing), signals (INT, TERM,
 * HUP, QUIT set a flag and wake the loop; WINCH wakes it to resize), the
 * stdin hang-up of a dropped SSH session, and endwin on every exit path.
 * The loop waits on ui_term_fd(): one descriptor that becomes readable on a
 * key or a signal, for dk_client_poll's extra_fd.
 */
#ifndef DEEPLENS_TUI_TERM_H
#define DEEPLENS_TUI_TERM_H

#include "deeplens/err.h"

/* Below this the console shows a "terminal too small" notice only. */
#define UI_MIN_COLS 50
#define UI_MIN_ROWS 12

/* ui_term_events() bits */
#define UI_TERM_QUIT   1   /* a signal asked us to leave */
#define UI_TERM_RESIZE 2   /* the window size changed */
#define UI_TERM_HANGUP 4   /* the terminal went away */
#define UI_TERM_INPUT  8   /* keys may be waiting */

/* force_ascii: --ascii. Fails (DL_ESYS) without a terminal. */
int ui_term_open(int force_ascii, dl_err *err);
/* endwin and the old signal handlers back. Safe to call twice. */
void ui_term_close(void);

int ui_term_fd(void);
/* After a wake-up: what happened (drains the signal pipe). */
int ui_term_events(void);
/* Apply the current window size to curses (the one resize path). Returns 1
 * if the size changed. */
int ui_term_resize(void);

int ui_term_utf8(void);     /* the terminal takes UTF-8 */
int ui_term_ascii(void);    /* draw lines and marks with ASCII */
int ui_term_too_small(void);
/* Which signal asked us to quit (0 none), for the exit code. */
int ui_term_signal(void);

#endif
