/* keys.h - the console's actions, their default keys and help text, and
 * the key map (internal to src/tui).
 *
 * UI_ACTIONS is the one table of what the operator can do: the key map,
 * the help screen, the footer and dl_tui_print_keys (the man page's key
 * list) are all generated from it. A view context says where an action
 * applies; the same key may mean different actions in different contexts
 * (`n` is "provision" in the list, "search-next" in the Logs tab).
 * Config `bind <key> <action>` lines are appended to the defaults; the last
 * binding of a key that applies in the current context wins.
 */
#ifndef DEEPLENS_TUI_KEYS_H
#define DEEPLENS_TUI_KEYS_H

#include <stddef.h>

#include "deeplens/config.h"
#include "deeplens/err.h"

/* contexts */
#define UI_CX_LIST     0x01
#define UI_CX_OVERVIEW 0x02
#define UI_CX_LOGS     0x04
#define UI_CX_FILES    0x08
#define UI_CX_HELP     0x10
#define UI_CX_PROGRESS 0x20   /* an operation's progress, over any view */
#define UI_CX_AUDIT    0x800  /* the audit trail (audit.c) */
/* the modals' own contexts (modal.h): not part of UI_CX_ALL - there a key
 * types text or answers a question, and `q` or `?` mean nothing else */
#define UI_CX_FORM     0x40   /* a form, editing its fields */
#define UI_CX_CONFIRM  0x80   /* a form's summary, waiting for y/n */
#define UI_CX_QUIT_ASK 0x100  /* "quit and wait for the operation?" */
#define UI_CX_SMALL    0x200  /* the terminal is too small to draw the console */
#define UI_CX_DETAIL   (UI_CX_OVERVIEW | UI_CX_LOGS | UI_CX_FILES)
#define UI_CX_ALL      (UI_CX_LIST | UI_CX_DETAIL | UI_CX_HELP | UI_CX_PROGRESS)

/* Or'ed into the contexts of an action that changes a tenant: in read-only
 * mode (read_only = yes, --read-only) such an action has no context - no
 * key reaches it, the footer and the help screen leave it out. So too, but
 * provision, while the selected tenant is on a read-only engine. */
#define UI_MUT 0x40000000

/* X(enum, name, default keys (space separated), contexts [| UI_MUT], footer
 *   label or NULL, help text) */
#define UI_ACTIONS(X)                                                                    \
    X(UI_ACT_HELP, "help", "? F1", UI_CX_ALL, "Help", "show this help")                  \
    X(UI_ACT_QUIT, "quit", "q", UI_CX_ALL, "Quit",                                       \
      "close the view; quit from the tenant list")                                       \
    X(UI_ACT_QUIT_NOW, "quit-now", "Q", UI_CX_ALL, NULL, "quit the console at once")     \
    X(UI_ACT_BACK, "back", "Esc Backspace", UI_CX_DETAIL | UI_CX_HELP | UI_CX_PROGRESS,  \
      "Back", "back to the previous view")                                               \
    X(UI_ACT_UP, "up", "Up k", UI_CX_ALL, NULL, "move the selection up / scroll up")     \
    X(UI_ACT_DOWN, "down", "Down j", UI_CX_ALL, NULL,                                    \
      "move the selection down / scroll down")                                           \
    X(UI_ACT_PAGE_UP, "page-up", "PgUp ^B", UI_CX_ALL, NULL, "one page up")              \
    X(UI_ACT_PAGE_DOWN, "page-down", "PgDn ^F", UI_CX_ALL, NULL, "one page down")        \
    X(UI_ACT_TOP, "top", "Home g", UI_CX_ALL, NULL, "to the first line")                 \
    X(UI_ACT_BOTTOM, "bottom", "End G", UI_CX_ALL, NULL,                                 \
      "to the last line (in the Logs tab: follow again)")                                \
    X(UI_ACT_FORM_NEXT, "form-next", "Tab Down", UI_CX_FORM, NULL, "next field")        \
    X(UI_ACT_FORM_PREV, "form-prev", "BackTab Up", UI_CX_FORM, NULL, "previous field")  \
    X(UI_ACT_FORM_NEXT_PAGE, "form-next-page", "PgDn", UI_CX_FORM, NULL,                 \
      "first field of the next page (small terminals)")                                  \
    X(UI_ACT_FORM_PREV_PAGE, "form-prev-page", "PgUp", UI_CX_FORM, NULL,                 \
      "first field of the previous page")                                                \
    X(UI_ACT_FORM_ENTER, "form-enter", "Enter", UI_CX_FORM, NULL,                        \
      "next field; on the last one, submit")                                             \
    X(UI_ACT_FORM_SUBMIT, "form-submit", "F2 ^S", UI_CX_FORM, NULL,                      \
      "check every field and show the summary")                                          \
    X(UI_ACT_FORM_CANCEL, "form-cancel", "Esc", UI_CX_FORM, NULL,                        \
      "close the form; nothing is changed")                                              \
    X(UI_ACT_FORM_PRESET_NEXT, "form-preset-next", "F3 ^N", UI_CX_FORM, NULL,            \
      "schedule field: the next preset")                                                 \
    X(UI_ACT_FORM_PRESET_PREV, "form-preset-prev", "F15 ^P", UI_CX_FORM, NULL,           \
      "schedule field: the previous preset (F15 is Shift-F3)")                           \
    X(UI_ACT_CONFIRM_YES, "confirm-yes", "y Y Enter", UI_CX_CONFIRM, NULL,               \
      "carry the form out")                                                              \
    X(UI_ACT_CONFIRM_NO, "confirm-no", "n N Esc", UI_CX_CONFIRM, NULL,                   \
      "back to editing the form")                                                        \
    X(UI_ACT_CONFIRM_UP, "confirm-up", "Up k", UI_CX_CONFIRM, NULL, "scroll the summary up") \
    X(UI_ACT_CONFIRM_DOWN, "confirm-down", "Down j", UI_CX_CONFIRM, NULL,                \
      "scroll the summary down")                                                         \
    X(UI_ACT_CONFIRM_PAGE_UP, "confirm-page-up", "PgUp", UI_CX_CONFIRM, NULL,            \
      "scroll the summary a page up")                                                    \
    X(UI_ACT_CONFIRM_PAGE_DOWN, "confirm-page-down", "PgDn", UI_CX_CONFIRM, NULL,        \
      "scroll the summary a page down")                                                  \
    X(UI_ACT_QUIT_YES, "quit-yes", "y Y", UI_CX_QUIT_ASK, NULL,                          \
      "quit and wait for the running operation")                                         \
    X(UI_ACT_QUIT_NO, "quit-no", "n N Esc", UI_CX_QUIT_ASK, NULL,                        \
      "stay (so does any other key)")                                                    \
    X(UI_ACT_SMALL_QUIT, "small-quit", "q Q", UI_CX_SMALL, NULL,                         \
      "quit while the terminal is too small to show the console")                        \
    X(UI_ACT_OPEN, "open", "Enter Right", UI_CX_LIST, "Open",                            \
      "open the selected tenant (overview, logs, files)")                                \
    X(UI_ACT_OPEN_LOGS, "open-logs", "l", UI_CX_LIST, "Logs",                            \
      "open the selected tenant's log")                                                  \
    X(UI_ACT_OPEN_FILES, "open-files", "f", UI_CX_LIST, "Files",                         \
      "open the selected tenant's backup files")                                         \
    X(UI_ACT_FILTER, "filter", "/", UI_CX_LIST, "Filter",                                \
      "filter tenants by name, health or state (Esc clears)")                            \
    X(UI_ACT_SORT, "sort", "s", UI_CX_LIST | UI_CX_FILES, "Sort",                        \
      "sort by the next column")                                                         \
    X(UI_ACT_SORT_REVERSE, "sort-reverse", "S", UI_CX_LIST | UI_CX_FILES, NULL,          \
      "reverse the sort order")                                                          \
    X(UI_ACT_NEXT_PROBLEM, "next-problem", "! x", UI_CX_LIST, NULL,                      \
      "jump to the next tenant that is not ok")                                          \
    X(UI_ACT_PROVISION, "provision", "n", UI_CX_LIST | UI_MUT, "New",                    \
      "provision a backup for a new tenant")                                             \
    X(UI_ACT_BACKUP_NOW, "backup-now", "b", UI_CX_LIST | UI_CX_DETAIL | UI_MUT, "Backup", \
      "run a backup of the selected tenant now")                                         \
    X(UI_ACT_RESTART, "restart", "r", UI_CX_LIST | UI_CX_DETAIL | UI_MUT, "Restart",     \
      "restart the selected tenant's backup container")                                  \
    X(UI_ACT_RESCHEDULE, "reschedule", "R", UI_CX_LIST | UI_CX_DETAIL | UI_MUT, "Resched", \
      "change the schedule or retention")                                                \
    X(UI_ACT_REMOVE, "remove", "D", UI_CX_LIST | UI_CX_DETAIL | UI_MUT, "Remove",        \
      "remove the tenant's backup (files are kept unless asked)")                        \
    X(UI_ACT_DRILL, "drill", "d", UI_CX_LIST | UI_CX_DETAIL | UI_MUT, "Drill",           \
      "restore drill: the newest backup (in the Files tab the selected one) into a "     \
      "scratch database, compared with its manifest")                                    \
    X(UI_ACT_NEXT_TAB, "next-tab", "Tab", UI_CX_DETAIL, NULL, "next tab")                \
    X(UI_ACT_PREV_TAB, "prev-tab", "BackTab", UI_CX_DETAIL, NULL, "previous tab")        \
    X(UI_ACT_TAB_OVERVIEW, "tab-overview", "1", UI_CX_DETAIL, NULL, "the Overview tab")  \
    X(UI_ACT_TAB_LOGS, "tab-logs", "2", UI_CX_DETAIL, NULL, "the Logs tab")              \
    X(UI_ACT_TAB_FILES, "tab-files", "3", UI_CX_DETAIL, NULL, "the Files tab")           \
    X(UI_ACT_SEARCH, "search", "/", UI_CX_LOGS, "Search", "search the log")              \
    X(UI_ACT_SEARCH_NEXT, "search-next", "n", UI_CX_LOGS, NULL, "next match (older)")    \
    X(UI_ACT_SEARCH_PREV, "search-prev", "N", UI_CX_LOGS, NULL, "previous match (newer)") \
    X(UI_ACT_PAUSE, "pause", "p Space", UI_CX_LOGS, "Pause",                             \
      "pause or resume following the log")                                               \
    X(UI_ACT_TIMESTAMPS, "timestamps", "t", UI_CX_LOGS, "Time",                          \
      "show or hide timestamps (reopens the stream)")                                    \
    X(UI_ACT_WRAP, "wrap", "w", UI_CX_LOGS, "Wrap",                                      \
      "wrap long lines, or cut them and scroll sideways")                                \
    X(UI_ACT_SCROLL_LEFT, "scroll-left", "Left h", UI_CX_LOGS, NULL,                     \
      "scroll long lines left")                                                          \
    X(UI_ACT_SCROLL_RIGHT, "scroll-right", "Right l", UI_CX_LOGS, NULL,                  \
      "scroll long lines right")                                                         \
    X(UI_ACT_VERIFY, "verify", "v", UI_CX_FILES, "Verify",                               \
      "verify the selected backup file")                                                 \
    X(UI_ACT_RESTORE, "restore", "Enter", UI_CX_FILES | UI_MUT, "Restore",               \
      "restore the selected file into a database")                                       \
    X(UI_ACT_MANIFEST, "manifest", "m", UI_CX_FILES, "Manifest",                         \
      "show the selected file's manifest (tables, rows, sizes)")                         \
    X(UI_ACT_HIDE, "hide", "h Enter", UI_CX_PROGRESS, "Hide",                            \
      "hide the operation's progress; a running one goes on (J shows it again)")         \
    X(UI_ACT_AUDIT, "audit", "A", UI_CX_LIST | UI_CX_DETAIL, "Audit",                    \
      "the audit trail: who changed what, when, and how it ended (the tenant's in detail)") \
    X(UI_ACT_JOBS, "jobs", "J", UI_CX_ALL, NULL,                                         \
      "show the running or the last operation's progress")                              \
    X(UI_ACT_REFRESH, "refresh", "^L F5", UI_CX_ALL, NULL,                               \
      "re-read statuses (files too) and redraw the screen")                              \
    X(UI_ACT_THEME, "theme", "T", UI_CX_ALL, "Theme", "switch to the next theme")

typedef enum ui_action {
    UI_ACT_NONE = -1,
#define UI_X_ACT(e, name, keys, cx, label, help) e,
    UI_ACTIONS(UI_X_ACT)
#undef UI_X_ACT
    UI_ACT_COUNT
} ui_action;

/* Keys: characters are their code point; curses function keys (KEY_*) are
 * or'ed with UI_KEY_FN. */
#define UI_KEY_FN 0x1000000
#define UI_KEY_ESC 27

/* Build the key map: defaults plus the config's binds. DL_EINVAL names an
 * unknown key or action ("bind: unknown action 'bakup'"). */
int ui_keys_init(const dl_config *cfg, dl_err *err);

/* Normalise what get_wch returned (rc = OK or KEY_CODE_YES). */
int ui_key_from_wch(int rc, unsigned ch);
/* The action of `key` in context cx, or UI_ACT_NONE. */
ui_action ui_keys_lookup(int key, int cx);

const char *ui_action_name(ui_action a);
const char *ui_action_label(ui_action a);    /* footer label or NULL */
const char *ui_action_help(ui_action a);
/* Where a reaches (0 for a change in read-only mode). */
int ui_action_contexts(ui_action a);
/* a changes a tenant (UI_MUT in its row). */
int ui_action_mutates(ui_action a);
/* Read-only mode: set by ui_keys_init from the config's read_only. */
int ui_keys_read_only(void);
/* Several engines: the selected tenant's engine is read-only (on) or not;
 * while on, the changes to that tenant reach nothing, as in read-only mode
 * (the loop sets it before each key and paint, tui/engines.c). */
void ui_keys_set_engine_read_only(int on);
/* Several engines and none writable: provision (a new tenant) goes too. */
void ui_keys_set_no_writable_engine(int on);
/* Keys bound to a in context cx, "j Down" (all that currently reach it). */
void ui_action_keys(ui_action a, int cx, char *buf, size_t n);

/* "F5", "^L", "x", "Enter" <-> key codes; -1 if unknown. */
int ui_key_parse(const char *name);
void ui_key_name(int key, char *buf, size_t n);

#endif
