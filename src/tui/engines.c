/* engines.c - the console over several engines (see engines.h). */
#include <stdio.h>
#include <string.h>

#include "engines.h"
#include "forms.h"
#include "theme.h"

const dk_endpoint *ui_engine_endpoint(ui_app *a, const char *tenant, dl_err *err)
{
    if (dl_fleet_engines(a->fleet) < 2)
        return a->opts->endpoint;
    return dl_fleet_endpoint_of(a->fleet, tenant, err);
}

const dk_endpoint *ui_engine_endpoint_on(ui_app *a, const char *engine, const char *tenant,
                                         dl_err *err)
{
    if (dl_fleet_engines(a->fleet) < 2)
        return a->opts->endpoint;
    return dl_fleet_endpoint_on(a->fleet, engine, tenant, err);
}

int ui_engines_header(ui_app *a, char *buf, size_t n, int *down)
{
    size_t ne = dl_fleet_engines(a->fleet), off = 0;
    *down = 0;
    buf[0] = '\0';
    if (ne < 2)
        return 0;
    for (size_t i = 0; i < ne && off < n; i++) {
        const char *err = dl_fleet_engine_error(a->fleet, i);
        const dk_version *v = dl_fleet_engine_version(a->fleet, i);
        *down += err != NULL;
        const char *name = dl_fleet_engine_name(a->fleet, i);
        off += (size_t)snprintf(buf + off, n - off, " %s%s %s", name,
                                ui_engine_read_only(name) ? " ro" : "",
                                err ? "UNREACHABLE" : v ? "ok" : "...");
    }
    return 1;
}

/* ---- read-only engines -------------------------------------------------------- */

static const dl_engine *engines;   /* the options' (one console per process) */
static size_t nengines;

void ui_engines_init(const dl_tui_opts *o)
{
    size_t writable = 0;
    engines = o && o->nengines > 1 ? o->engines : NULL;
    nengines = engines ? o->nengines : 0;
    for (size_t i = 0; i < nengines; i++)
        writable += !engines[i].read_only;
    ui_keys_set_no_writable_engine(nengines && !writable);
}

const char *ui_engine_read_only(const char *engine)
{
    for (size_t i = 0; engine && i < nengines; i++)
        if (!strcmp(engines[i].name, engine))
            return engines[i].read_only;
    return NULL;
}

void ui_engines_sync_keys(const ui_app *a)
{
    const dl_status *st = nengines ? ui_app_current(a) : NULL;
    ui_keys_set_engine_read_only(st && ui_engine_read_only(st->engine));
}

int ui_engine_refuse(const ui_app *a, const char *what, const char *tenant, const char *engine,
                     dl_err *err)
{
    if (!nengines)
        return 0;
    if (!engine || !*engine) {
        const dl_status *st = tenant ? dl_fleet_find(a->fleet, tenant) : NULL;
        engine = st ? st->engine : NULL;
    }
    const char *why = ui_engine_read_only(engine);
    char how[200];
    if (!why)
        return 0;
    return dl_err_set(err, DL_EREADONLY, "%s is refused: engine '%s' is read-only (%s)", what,
                      engine, dl_engine_ro_how(engine, why, how, sizeof how));
}

void ui_engines_form(ui_app *a, ui_form *f)
{
    const char *names[DL_ENGINES_MAX], *ro[DL_ENGINES_MAX];
    const dl_status *st = nengines ? ui_app_current(a) : NULL;
    size_t n = 0;

    for (; n < nengines && n < DL_ENGINES_MAX; n++) {
        names[n] = engines[n].name;
        ro[n] = engines[n].read_only;
    }
    if (ui_form_set_engines(f, names, ro, n,
                            st && !ui_engine_read_only(st->engine) ? st->engine : NULL) < 0)
        ui_app_message(a, UI_WARNING, "no room for the Engine field");
}
