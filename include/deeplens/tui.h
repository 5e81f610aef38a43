/* tui.h - the console (ncurses). The only public entry point of src/tui/.
 *
 * Runs the interactive console until the operator quits, the terminal goes
 * away (SIGHUP) or a fatal error; the terminal is restored on every path.
 * The console reads engine data through the fleet model (fleet.h) and
 * changes things through the domain (backup.h), never through the Docker
 * client directly.
 */
#ifndef DEEPLENS_TUI_H
#define DEEPLENS_TUI_H

#include <stdio.h>

#include "deeplens/config.h"
#include "deeplens/docker.h"
#include "deeplens/err.h"

typedef struct dl_tui_opts {
    const dl_config *config;
    const dk_endpoint *endpoint;
    const char *theme;          /* --theme, overrides config; NULL = config */
    const char *password_file;  /* --password-file for provision */
    int ascii;                  /* force ASCII line drawing */
    /* several engines (engines.h): all of them in one list; endpoint is
     * engines[0]'s. nengines 0 or 1: the one endpoint. */
    const struct dl_engine *engines;
    size_t nengines;
} dl_tui_opts;

/* Returns the process exit code (0 normal quit). */
int dl_tui_run(const dl_tui_opts *o, dl_err *err);

/* Theme files: used by the console and by `deeplens-backup themes --check`.
 * Parses a theme file (grammar in themes/default.theme); DL_EINVAL naming
 * file, line and word on error. */
int dl_tui_theme_check(const char *path, dl_err *err);

/* The named themes the console can load, in the order it looks for them:
 * every NAME.theme in $DEEPLENS_BACKUP_THEMES, ./themes, themes/ beside the
 * program, then DATADIR/themes, each directory by name; a name found twice
 * only the first time (the file the console loads). Calls fn for each
 * (strings valid during the call) and returns how many there were. The one
 * search order: the console's theme loading and `themes` both use it. */
int dl_tui_theme_each(void (*fn)(void *ud, const char *name, const char *path), void *ud);

/* The console's key actions, for `--help`/man page generation and tests:
 * prints "key<TAB>action<TAB>help" lines. */
void dl_tui_print_keys(FILE *out);

#endif
