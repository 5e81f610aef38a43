/* views.h - the console's screens, one row each (internal to src/tui).
 *
 * Adding a screen: write src/tui/<screen>.c exporting
 *     const ui_view_ops ui_<screen>_view = { .name = "...", .cx = UI_CX_..., ... };
 * (only the hooks it needs; app.h says when each is called) and add one row
 * here. The loop (app.c) knows no screen by name: it dispatches through
 * this table. Included by app.h after ui_view_ops.
 *
 * X(enum, ops) - the bottom of the view stack is the first row.
 */
#ifndef DEEPLENS_TUI_VIEWS_H
#define DEEPLENS_TUI_VIEWS_H

#define UI_VIEWS(X)                     \
    X(UI_VIEW_LIST, ui_list_view)       \
    X(UI_VIEW_DETAIL, ui_detail_view)   \
    X(UI_VIEW_HELP, ui_help_view)       \
    X(UI_VIEW_AUDIT, ui_audit_view)     \
    X(UI_VIEW_MANIFEST, ui_manifest_view)

typedef enum ui_view_id {
#define UI_X_VIEW_ID(e, ops) e,
    UI_VIEWS(UI_X_VIEW_ID)
#undef UI_X_VIEW_ID
    UI_VIEW_COUNT
} ui_view_id;

#define UI_X_VIEW_DECL(e, ops) extern const ui_view_ops ops;
UI_VIEWS(UI_X_VIEW_DECL)
#undef UI_X_VIEW_DECL

/* ui_views[id]: the table (app.c). */
extern const ui_view_ops *const ui_views[UI_VIEW_COUNT];

#endif
