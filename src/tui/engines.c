/* engines.c - the console over several engines (see engines.h). */
#include <stdio.h>
#include <string.h>

#include "engines.h"

const dk_endpoint *ui_engine_endpoint(ui_app *a, const char *tenant, dl_err *err)
{
    if (dl_fleet_engines(a->fleet) < 2)
        return a->opts->endpoint;
    return dl_fleet_endpoint_of(a->fleet, tenant, err);
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
        off += (size_t)snprintf(buf + off, n - off, " %s %s", dl_fleet_engine_name(a->fleet, i),
                                err ? "UNREACHABLE" : v ? "ok" : "...");
    }
    return 1;
}
