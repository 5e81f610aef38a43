/* theme.h - colour roles and themes of the console (internal to src/tui).
 *
 * One table of roles; a theme maps each role to fg, bg and attributes.
 * Themes are data: themes/<name>.theme files in the grammar
 *     # comment
 *     color <role> <fg> <bg> [bold] [underline] [reverse] [dim]
 * over a compiled-in default (fg/bg: default black red green yellow blue
 * magenta cyan white, bright-<colour>, or 0-255). NO_COLOR, a monochrome
 * theme or a terminal without colours fall back to attributes only, so
 * everything still reads without colour (health also has a word/symbol).
 */
#ifndef DEEPLENS_TUI_THEME_H
#define DEEPLENS_TUI_THEME_H

#include <stdio.h>

#include "deeplens/backup.h"
#include "deeplens/err.h"

/* X(enum, name in theme files, help) */
#define UI_ROLES(X)                                                   \
    X(UI_NORMAL,        "normal",        "ordinary text")             \
    X(UI_HEADER,        "header",        "top bar")                   \
    X(UI_FOOTER,        "footer",        "bottom key bar")            \
    X(UI_FOOTER_KEY,    "footer-key",    "key names in the key bar")  \
    X(UI_TITLE,         "title",         "titles and tab names")      \
    X(UI_TAB_ACTIVE,    "tab-active",    "the selected tab")          \
    X(UI_COLUMN,        "column",        "column headings")           \
    X(UI_SELECTED,      "selected",      "the selected row")          \
    X(UI_HEALTH_OK,     "health-ok",     "health ok")                 \
    X(UI_HEALTH_OVERDUE,"health-overdue","health overdue")            \
    X(UI_HEALTH_FAILING,"health-failing","health failing")            \
    X(UI_HEALTH_STOPPED,"health-stopped","health stopped")            \
    X(UI_HEALTH_UNKNOWN,"health-unknown","health unknown")            \
    X(UI_DIM,           "dim",           "secondary text")            \
    X(UI_ERROR,         "error",         "error messages")            \
    X(UI_WARNING,       "warning",       "warnings")                  \
    X(UI_SUCCESS,       "success",       "success messages")          \
    X(UI_SEARCH,        "search",        "search matches")            \
    X(UI_BORDER,        "border",        "frames and lines")          \
    X(UI_FORM_LABEL,    "form-label",    "form field labels")         \
    X(UI_FORM_FIELD,    "form-field",    "form input fields")         \
    X(UI_FORM_ACTIVE,   "form-active",   "the field being edited")    \
    X(UI_LOG_STDERR,    "log-stderr",    "stderr lines in logs")      \
    X(UI_LOG_CONTROL,   "log-control",   "inert control characters")

enum ui_role {
#define UI_X_ENUM(e, name, help) e,
    UI_ROLES(UI_X_ENUM)
#undef UI_X_ENUM
    UI_ROLE_COUNT
};

/* Load a theme by name ("default", "light", "high-contrast", "monochrome":
 * looked up in the order of dl_tui_theme_each, tui.h) or by path; NULL or
 * "" = compiled-in default. Call after start_color(). */
int ui_theme_load(const char *name_or_path, int no_color, dl_err *err);
/* Parse theme text over the default without loading it; `name` names the
 * text in messages (what dl_tui_theme_check does for a file). */
int ui_theme_check_text(const char *name, const char *text, dl_err *err);
/* The curses attribute (colour pair | attrs) of a role. */
int ui_attr(enum ui_role role);
/* The role a health is shown in. */
enum ui_role ui_health_role(dl_health h);
/* Name of the loaded theme. */
const char *ui_theme_name(void);
/* Cycle to the next shipped theme (the theme key). */
int ui_theme_next(int no_color, dl_err *err);

#endif
