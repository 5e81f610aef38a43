/* engines.h - the console over several engines: where a row's action goes.
 * The rows of every engine come from one fleet (fleet.h, several engines);
 * an action on a tenant is run on the tenant's own engine. */
#ifndef DEEPLENS_TUI_ENGINES_H
#define DEEPLENS_TUI_ENGINES_H

#include "app.h"

/* The endpoint of tenant's engine: the console's own with one engine; NULL
 * with err (naming the engines) when several hold it, or none (provision
 * with several engines: start the console on one). */
const dk_endpoint *ui_engine_endpoint(ui_app *a, const char *tenant, dl_err *err);
/* Several engines: the header's left part, "eng1 ok  eng2 DOWN ..." (each
 * engine's state), into buf; 0 with one engine. *down: engines unreachable. */
int ui_engines_header(ui_app *a, char *buf, size_t n, int *down);

#endif
