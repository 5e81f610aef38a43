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
/* Where a provision goes: the engine named `engine` (the form's Engine field)
 * with several engines, refused when the tenant is listed on another one; the
 * console's own endpoint with one engine. */
const dk_endpoint *ui_engine_endpoint_on(ui_app *a, const char *engine, const char *tenant,
                                         dl_err *err);
/* Several engines: the provision form's Engine field, prefilled with the
 * selected row's engine when it is writable. Nothing with one engine. */
void ui_engines_form(ui_app *a, ui_form *f);
/* Several engines: the header's left part, "eng1 ok  eng2 DOWN ..." (each
 * engine's state), into buf; 0 with one engine. *down: engines unreachable. */
int ui_engines_header(ui_app *a, char *buf, size_t n, int *down);

/* Read-only engines (`read-only` on an engine line, --read-only-engine):
 * with several engines, how the engine named `engine` was made read-only
 * (DL_ENGINE_RO_*), or NULL when it is writable (always NULL with one
 * engine: a read-only one engine makes the whole console read-only). */
void ui_engines_init(const dl_tui_opts *o);
const char *ui_engine_read_only(const char *engine);
/* Before a key and a paint: the keys of the selected tenant's engine
 * (ui_keys_set_engine_read_only). */
void ui_engines_sync_keys(const ui_app *a);
/* The guard of a change to tenant: DL_EREADONLY naming its engine and how
 * it was made read-only when that engine is; else 0. engine: the engine it
 * goes to when known (a provision's), else the tenant's row's. */
int ui_engine_refuse(const ui_app *a, const char *what, const char *tenant, const char *engine,
                     dl_err *err);

#endif
