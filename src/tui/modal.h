/* modal.h - the console's modal stack (internal to src/tui).
 *
 * A modal is what sits over the views and takes the keys first: a form, the
 * password prompt, the quit question, the one-line text prompt (filter,
 * search) and an operation's progress. They stack (the quit question over a
 * progress view); the top one gets every key, and all of them are drawn,
 * bottom first, each in its place: a centred framed window (form,
 * progress), a box over the body (password) or the status line (prompt,
 * quit question). The footer's hints and the terminal cursor come from the
 * modal too. The loop (app.c) knows no modal by name: it calls ui_modal_key,
 * ui_modal_draw and ui_modal_hints; one who opens a modal pushes its ops.
 *
 * Keys: a modal with a key context (ops.cx or ops.context) gets the action
 * of the key in that context (keys.h: rebindable, in the help screen), else
 * UI_ACT_NONE and the raw key (text input). Its key hook returns a repaint
 * mask, or -1: not its key - the key goes on to the console's own actions
 * in the modal's context (the progress view lets help, theme, refresh
 * through).
 * Ownership: data belongs to the one who pushed it; close (may be NULL)
 * is called whenever the modal leaves the stack, before the window goes.
 */
#ifndef DEEPLENS_TUI_MODAL_H
#define DEEPLENS_TUI_MODAL_H

#include <curses.h>

#include "keys.h"

typedef struct ui_app ui_app;

typedef enum ui_modal_place {
    UI_MODAL_WINDOW,    /* its own centred window, framed when there is room */
    UI_MODAL_BODY,      /* drawn over the body window */
    UI_MODAL_STATUS     /* drawn on the status line (row 0 of its window) */
} ui_modal_place;

typedef struct ui_modal ui_modal;

typedef struct ui_modal_ops {
    const char *name;
    ui_modal_place place;
    int cx;                                    /* key context; 0: raw keys */
    int (*context)(const ui_app *a, const ui_modal *m);   /* overrides cx */
    int (*key)(ui_app *a, ui_modal *m, int key, ui_action act);
    /* into m->win (UI_MODAL_WINDOW) or the body / status window */
    void (*draw)(ui_app *a, ui_modal *m, WINDOW *w);
    const char *(*hints)(const ui_app *a, const ui_modal *m);  /* NULL: key bar */
    int (*cursor)(const ui_app *a, const ui_modal *m);  /* show the cursor */
    void (*resize)(ui_app *a, ui_modal *m);   /* m->win was made anew */
    void (*close)(ui_app *a, ui_modal *m);
} ui_modal_ops;

struct ui_modal {
    const ui_modal_ops *ops;
    void *data;
    WINDOW *win;        /* UI_MODAL_WINDOW only */
};

#define UI_MODAL_DEPTH 6

/* Put a modal on top (a UI_MODAL_WINDOW one gets its window); returns a
 * repaint mask. */
int ui_modal_push(ui_app *a, const ui_modal_ops *ops, void *data);
/* Take the top one off / the topmost with these ops (wherever it is);
 * 0 when there was none. */
int ui_modal_pop(ui_app *a);
int ui_modal_remove(ui_app *a, const ui_modal_ops *ops);
/* The top modal, or the topmost with these ops; NULL if none. */
ui_modal *ui_modal_top(ui_app *a);
ui_modal *ui_modal_find(const ui_app *a, const ui_modal_ops *ops);
/* Take every modal off (the end of the run). */
void ui_modal_clear(ui_app *a);

/* The top modal's key context, or 0 (none, or raw keys). */
int ui_modal_context(const ui_app *a);
/* A key for the top modal: its mask, or -1 when there is no modal or the
 * modal let the key through. */
int ui_modal_key(ui_app *a, int key);
/* Draw the modals of one place (bottom first); w: the body or status
 * window (ignored for UI_MODAL_WINDOW). Returns how many drew; for
 * UI_MODAL_WINDOW also sets *cursor when the top one wants the cursor. */
int ui_modal_draw(ui_app *a, ui_modal_place place, WINDOW *w, int *cursor);
/* The footer's hints of the top modal, or NULL (the context's key bar). */
const char *ui_modal_hints(const ui_app *a);
/* The terminal changed size: every window modal's window anew. */
void ui_modal_layout(ui_app *a);

#endif
