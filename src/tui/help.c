/* help.c - the help screen, generated from the action table (keys.h) with
 * the bindings in force, so it cannot drift from what the keys do. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "draw.h"
#include "theme.h"

static const struct { int cx; const char *title; } sections[] = {
    {UI_CX_ALL, "Everywhere"},
    {UI_CX_LIST, "Tenant list"},
    {UI_CX_LIST | UI_CX_DETAIL, "Tenant list and detail"},
    {UI_CX_LIST | UI_CX_FILES, "Tenant list and Files tab"},
    {UI_CX_DETAIL | UI_CX_HELP | UI_CX_PROGRESS, "Detail, help and progress"},
    {UI_CX_DETAIL, "Tenant detail (tabs)"},
    {UI_CX_LOGS, "Logs tab"},
    {UI_CX_FILES, "Files tab"},
    {UI_CX_PROGRESS, "Operation progress (q and Esc hide it too)"},
    {UI_CX_FORM, "Forms (other keys edit the field; Space toggles on/off)"},
    {UI_CX_CONFIRM, "A form's summary"},
    {UI_CX_QUIT_ASK, "Quitting while an operation runs"},
    {UI_CX_SMALL, "Terminal too small"},
};

typedef struct help_line {
    int kind;                /* 0 text, 1 section, 2 key line */
    const char *text;
    ui_action act;
} help_line;

#define HELP_MAX (UI_ACT_COUNT + 40)

static const char *const legend[] = {
    "Health: + ok   ! overdue   x failing   - stopped   ? unknown",
    "  stopped: the container is not running; failing: the last run failed or",
    "  the health probe fails; overdue: no good backup within the schedule's",
    "  longest gap plus grace (10 min + 10%); ok otherwise.",
    "Times are UTC, the containers' zone. The list follows the engine live.",
    "Change keys in the config file:  bind <key> <action>   e.g.  bind F9 backup-now",
    "Themes: --theme NAME, `theme = NAME` in the config, or T; NO_COLOR is honoured.",
};

static int build(help_line *v)
{
    int n = 0;
    for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++)
        v[n++] = (help_line){0, legend[i], UI_ACT_NONE};
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        int header = 0;
        for (int a = 0; a < UI_ACT_COUNT && n < HELP_MAX - 1; a++) {
            if (ui_action_contexts((ui_action)a) != sections[s].cx) continue;
            if (!header) {
                v[n++] = (help_line){0, "", UI_ACT_NONE};
                v[n++] = (help_line){1, sections[s].title, UI_ACT_NONE};
                header = 1;
            }
            v[n++] = (help_line){2, NULL, (ui_action)a};
        }
    }
    return n;
}

static int help_top;

static int help_enter(ui_app *a, const ui_view_arg *arg)
{
    help_top = 0;
    return UI_R_ALL;
}

static int help_action(ui_app *a, ui_action act)
{
    int page = LINES - 5 > 1 ? LINES - 5 : 1;
    switch (act) {
    case UI_ACT_QUIT:
    case UI_ACT_BACK:
    case UI_ACT_HELP:
        return ui_app_pop(a);
    case UI_ACT_UP: help_top--; break;
    case UI_ACT_DOWN: help_top++; break;
    case UI_ACT_PAGE_UP: help_top -= page; break;
    case UI_ACT_PAGE_DOWN: help_top += page; break;
    case UI_ACT_TOP: help_top = 0; break;
    case UI_ACT_BOTTOM: help_top = HELP_MAX; break;
    default: return 0;
    }
    if (help_top < 0) help_top = 0;
    return UI_R_BODY;
}

static void help_draw(ui_app *a, WINDOW *w)
{
    static help_line v[HELP_MAX];
    int n = build(v);
    int width = getmaxx(w), height = getmaxy(w);
    ui_drawf(w, 0, 1, width - 2, ui_attr(UI_TITLE), "Help: keys and their actions (theme %s)",
             ui_theme_name());
    int rows = height - 1;
    if (help_top > n - rows) help_top = n - rows > 0 ? n - rows : 0;
    for (int i = help_top, y = 1; i < n && y < height; i++, y++) {
        const help_line *l = &v[i];
        if (l->kind == 0) {
            ui_draw_str(w, y, 1, width - 2, ui_attr(UI_DIM), l->text);
        } else if (l->kind == 1) {
            ui_draw_str(w, y, 1, width - 2, ui_attr(UI_TITLE), l->text);
        } else {
            char keys[64];
            ui_action_keys(l->act, ui_action_contexts(l->act), keys, sizeof keys);
            int x = 3;
            ui_draw_str(w, y, x, 18, ui_attr(UI_FOOTER_KEY), keys[0] ? keys : "(unbound)");
            x += 19;
            ui_draw_str(w, y, x, 15, ui_attr(UI_FORM_LABEL), ui_action_name(l->act));
            x += 16;
            ui_draw_str(w, y, x, width - x - 1, ui_attr(UI_NORMAL), ui_action_help(l->act));
        }
    }
}

/* the tenant of the view under the help screen */
static const dl_status *help_current(const ui_app *a)
{
    const ui_view_ops *below = ui_views[ui_app_below(a)];
    return below->current ? below->current(a) : NULL;
}

const ui_view_ops ui_help_view = {
    .name = "help",
    .cx = UI_CX_HELP,
    .enter = help_enter,
    .draw = help_draw,
    .action = help_action,
    .current = help_current,
};
