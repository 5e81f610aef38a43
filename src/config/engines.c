/* engines.c - the config file's `engine` lines (see config.h):
 *
 *   engine prod host tcp://prod.example:2376
 *   engine eng2 host unix:///run/deeplens-eng2/docker.sock
 *   engine lab  context lab
 *   engine prod host tcp://prod.example:2376 read-only
 *
 * A trailing `read-only` makes that engine read-only: every change to a
 * tenant on it is refused (CLI and console), reads work as on any engine.
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
    char name[256], kind[32], where[1100], word[64], extra[2], q[96];
    dl_engine_conf *e;
    dk_endpoint ep;
    int nw, ro = 0;

    if (strlen(v) >= sizeof where ||
        (nw = sscanf(v, "%255s %31s %1099s %63s %1s", name, kind, where, word, extra)) < 3 ||
        nw > 4 || (strcmp(kind, "host") && strcmp(kind, "context")))
        return dl_err_set(err, DL_EINVAL,
                          "invalid engine '%s': expected 'engine NAME host DOCKER_HOST [read-only]' "
                          "or 'engine NAME context CONTEXT [read-only]'",
                          dl_inert(v, 80, q, sizeof q));
    if (dl_engine_name_check("engine name", name, err) < 0)
        return -1;
    if (nw == 4) {
        if (strcmp(word, "read-only"))
            return dl_err_set(err, DL_EINVAL,
                              "invalid engine '%s': unknown word '%s' after the %s "
                              "(only 'read-only' may follow it)",
                              name, dl_inert(word, 40, q, sizeof q), kind);
        ro = 1;
    }
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
    e->read_only = ro;
    c->nengines++;
    return 0;
}
