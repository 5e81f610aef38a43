/* views.c - the view table (views.h) and the view stack: the list at the
 * bottom, the detail and the help screen pushed over it (app.h). */
#include <stdio.h>

#include "app.h"

/* ---- the view table and stack ------------------------------------------------- */

const ui_view_ops *const ui_views[UI_VIEW_COUNT] = {
#define UI_X_VIEW_ROW(e, ops) [e] = &ops,
    UI_VIEWS(UI_X_VIEW_ROW)
#undef UI_X_VIEW_ROW
};

ui_view_id ui_app_top(const ui_app *a) { return a->depth ? a->stack[a->depth - 1] : UI_VIEW_LIST; }
ui_view_id ui_app_below(const ui_app *a) { return a->depth > 1 ? a->stack[a->depth - 2] : UI_VIEW_LIST; }
static const ui_view_ops *top_ops(const ui_app *a) { return ui_views[ui_app_top(a)]; }

int ui_app_push(ui_app *a, ui_view_id v, const ui_view_arg *arg)
{
    if (a->depth == UI_VIEW_DEPTH) return 0;
    a->stack[a->depth++] = v;
    return ui_views[v]->enter ? ui_views[v]->enter(a, arg) | UI_R_ALL : UI_R_ALL;
}

int ui_app_pop(ui_app *a)
{
    if (a->depth <= 1) return 0;
    const ui_view_ops *v = top_ops(a);
    a->depth--;
    if (v->leave) v->leave(a);
    return UI_R_ALL;
}

int ui_app_pop_to(ui_app *a, ui_view_id v)
{
    int mask = 0;
    while (a->depth > 1 && ui_app_top(a) != v) mask |= ui_app_pop(a);
    return mask;
}

int ui_app_focus(ui_app *a, const char *tenant)
{
    int mask = UI_R_ALL;
    snprintf(a->focus, sizeof a->focus, "%s", tenant);
    UI_EACH_VIEW(mask, model_changed, a);
    return mask;
}

