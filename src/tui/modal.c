/* modal.c - the modal stack (modal.h): push and pop, the one key path, the
 * one draw path, hints and cursor; and the modal windows' size. */
#include <string.h>

#include "app.h"
#include "draw.h"
#include "theme.h"
#include "deeplens/text.h"

/* The inner area of a window modal: centred, framed when the frame leaves
 * the 60x15 a form needs; *framed says whether it is. */
static void modal_size(int *h, int *w, int *y, int *x, int *framed)
{
    *w = COLS >= 82 ? 78 : COLS;
    *h = LINES >= 20 ? (LINES - 2 < 26 ? LINES - 2 : 26) : LINES;
    *y = (LINES - *h) / 2;
    *x = (COLS - *w) / 2;
    *framed = *w - 2 >= 60 && *h - 2 >= 15;
    if (*framed) {
        *w -= 2;
        *h -= 2;
        *y += 1;
        *x += 1;
    }
}

static void make_window(ui_app *a, ui_modal *m)
{
    int h, w, y, x, framed;
    modal_size(&h, &w, &y, &x, &framed);
    if (m->win) delwin(m->win);
    m->win = newwin(h < 1 ? 1 : h, w < 1 ? 1 : w, y, x);
    if (!m->win) dl_oom();
    keypad(m->win, TRUE);
    if (m->ops->resize) m->ops->resize(a, m);
}

int ui_modal_push(ui_app *a, const ui_modal_ops *ops, void *data)
{
    if (a->nmodals == UI_MODAL_DEPTH) return 0;
    ui_modal *m = &a->modals[a->nmodals++];
    memset(m, 0, sizeof *m);
    m->ops = ops;
    m->data = data;
    if (ops->place == UI_MODAL_WINDOW) make_window(a, m);
    return UI_R_ALL;
}

static void take_off(ui_app *a, int i)
{
    ui_modal m = a->modals[i];
    memmove(&a->modals[i], &a->modals[i + 1], (size_t)(a->nmodals - i - 1) * sizeof m);
    a->nmodals--;
    if (m.ops->close) m.ops->close(a, &m);
    if (m.win) delwin(m.win);
}

int ui_modal_pop(ui_app *a)
{
    if (!a->nmodals) return 0;
    take_off(a, a->nmodals - 1);
    return UI_R_ALL;
}

int ui_modal_remove(ui_app *a, const ui_modal_ops *ops)
{
    for (int i = a->nmodals - 1; i >= 0; i--)
        if (a->modals[i].ops == ops) {
            take_off(a, i);
            return UI_R_ALL;
        }
    return 0;
}

ui_modal *ui_modal_top(ui_app *a) { return a->nmodals ? &a->modals[a->nmodals - 1] : NULL; }

ui_modal *ui_modal_find(const ui_app *a, const ui_modal_ops *ops)
{
    for (int i = a->nmodals - 1; i >= 0; i--)
        if (a->modals[i].ops == ops) return (ui_modal *)&a->modals[i];
    return NULL;
}

void ui_modal_clear(ui_app *a)
{
    while (a->nmodals) ui_modal_pop(a);
}

static int context_of(const ui_app *a, const ui_modal *m)
{
    return m->ops->context ? m->ops->context(a, m) : m->ops->cx;
}

int ui_modal_context(const ui_app *a)
{
    return a->nmodals ? context_of(a, &a->modals[a->nmodals - 1]) : 0;
}

int ui_modal_key(ui_app *a, int key)
{
    ui_modal *m = ui_modal_top(a);
    if (!m || !m->ops->key) return -1;
    int cx = context_of(a, m);
    return m->ops->key(a, m, key, cx ? ui_keys_lookup(key, cx) : UI_ACT_NONE);
}

int ui_modal_draw(ui_app *a, ui_modal_place place, WINDOW *w, int *cursor)
{
    int n = 0;
    int h, wd, y, x, framed;
    modal_size(&h, &wd, &y, &x, &framed);
    for (int i = 0; i < a->nmodals; i++) {
        ui_modal *m = &a->modals[i];
        if (m->ops->place != place || !m->ops->draw) continue;
        n++;
        if (place != UI_MODAL_WINDOW) {
            m->ops->draw(a, m, w);
            continue;
        }
        if (!m->win) continue;
        if (framed) {
            WINDOW *f = newwin(h + 2, wd + 2, y - 1, x - 1);
            if (f) {
                werase(f);
                ui_frame(f, ui_attr(UI_BORDER), NULL);
                wnoutrefresh(f);
                delwin(f);
            }
        }
        m->ops->draw(a, m, m->win);
        touchwin(m->win);
        wnoutrefresh(m->win);
        if (cursor) *cursor = m->ops->cursor ? m->ops->cursor(a, m) : 0;
    }
    return n;
}

const char *ui_modal_hints(const ui_app *a)
{
    if (!a->nmodals) return NULL;
    const ui_modal *m = &a->modals[a->nmodals - 1];
    return m->ops->hints ? m->ops->hints(a, m) : NULL;
}

void ui_modal_layout(ui_app *a)
{
    for (int i = 0; i < a->nmodals; i++)
        if (a->modals[i].ops->place == UI_MODAL_WINDOW) make_window(a, &a->modals[i]);
}
