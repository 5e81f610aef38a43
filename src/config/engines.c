/* engines.c - the config file's `engine` lines (see config.h):
 *
 *   engine prod host tcp://prod.example:2376
 *   engine eng2 host unix:///run/deeplens-eng2/docker.sock
 *   engine lab  context lab
 *
 * Checked for shape here (name, kind, an address DOCKER_HOST would take, no
 * name twice); a context is read from the docker CLI's store when it is used.
 */
#include <stdio.h>
#include <string.h>

#include "deeplens/config.h"
#include "deeplens/docker.h"
#include "deeplens/engines.h"

int dl_config_add_engine(dl_config *c, const char *v, dl_err *err)
{
    char name[256], kind[32], where[1100], extra[2], q[96];
    dl_engine_conf *e;
    dk_endpoint ep;

    if (strlen(v) >= sizeof where ||
        sscanf(v, "%255s %31s %1099s %1s", name, kind, where, extra) != 3 ||
        (strcmp(kind, "host") && strcmp(kind, "context")))
        return dl_err_set(err, DL_EINVAL,
                          "invalid engine '%s': expected 'engine NAME host DOCKER_HOST' or "
                          "'engine NAME context CONTEXT'",
                          dl_inert(v, 80, q, sizeof q));
    if (dl_engine_name_check("engine name", name, err) < 0)
        return -1;
    for (int i = 0; i < c->nengines; i++)
        if (!strcmp(c->engines[i].name, name))
            return dl_err_set(err, DL_EINVAL, "invalid engine '%s': the name is used twice",
                              name);
    if (c->nengines == DL_CONFIG_MAX_ENGINES)
        return dl_err_set(err, DL_EINVAL, "too many engine lines (at most %d)",
                          DL_CONFIG_MAX_ENGINES);
    e = &c->engines[c->nengines];
    memset(e, 0, sizeof *e);
    if (!strcmp(kind, "host")) {
        if (strlen(where) >= sizeof e->host)
            return dl_err_set(err, DL_EINVAL, "invalid engine '%s': host too long", name);
        if (dk_endpoint_parse(&ep, where, NULL, NULL, NULL, NULL, err) < 0) {
            dl_err_prefix(err, "engine '%s'", name);
            return -1;
        }
        snprintf(e->host, sizeof e->host, "%s", where);
    } else {
        if (strlen(where) >= sizeof e->context)
            return dl_err_set(err, DL_EINVAL, "invalid engine '%s': context name too long", name);
        snprintf(e->context, sizeof e->context, "%s", where);
    }
    snprintf(e->name, sizeof e->name, "%s", name);
    c->nengines++;
    return 0;
}
