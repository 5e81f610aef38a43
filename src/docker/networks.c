/* networks.c - user-defined networks: inspect, create (always with
 * CheckDuplicate, or a 1.41 engine makes a second network of the same
 * name), connect, disconnect, remove.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dk_network_from_json(const cJSON *o, dk_network *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", dkj_str(o, "Id"));
    out->name = dkj_strdup(o, "Name");
    out->driver = dkj_strdup(o, "Driver");
}

void dk_network_clear(dk_network *n)
{
    if (!n)
        return;
    free(n->name);
    free(n->driver);
    memset(n, 0, sizeof *n);
}

/* Call /networks/{name}{suffix}; returns the raw answer for wording. */
static int net_call(dk_client *c, const char *method, const char *name,
                    const char *suffix, const char *body, dk_resp *r, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/networks/%s%s", en, suffix);
    int rc = dk_do(c, method, path, body, body ? strlen(body) : 0, NULL, DK_SHORT_TIMEOUT_MS,
                   0, r, err);
    free(en);
    free(path);
    return rc;
}

/* A failed call: the engine's words after what was being done ("creating
 * network 'x': ..."), with the HTTP status; callers then reword the answers
 * they know a plainer wording for (dl_err_set keeps the status). */
static void net_error(const dk_resp *r, dl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void net_error(const dk_resp *r, dl_err *err, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    dk_error_from_response(r->status, r->body, r->len, what, err);
}

static int body_has(const dk_resp *r, const char *text)
{
    return r->body && strstr(r->body, text);
}

int dk_network_inspect(dk_client *c, const char *name, dk_network *out, dl_err *err)
{
    dk_resp r;
    cJSON *j;
    memset(out, 0, sizeof *out);
    if (net_call(c, "GET", name, "", NULL, &r, err))
        return -1;
    if (!dk_status_ok(r.status)) {
        net_error(&r, err, "inspecting network '%s'", name);
        if (r.status == 404)
            dl_err_set(err, DL_ENOTFOUND, "no such network '%s'", name);
        dk_resp_free(&r);
        return -1;
    }
    j = dkj_parse(r.body, r.len, "a network", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    dk_network_from_json(j, out);
    cJSON_Delete(j);
    return 0;
}

int dk_network_create(dk_client *c, const char *name, const char *driver,
                      const dk_kv *labels, size_t nlabels, char id_out[65],
                      dl_err *err)
{
    cJSON *o = dkj_obj(), *j;
    char *body;
    dk_resp r;
    int rc;

    if (id_out)
        id_out[0] = '\0';
    dkj_add_str(o, "Name", name);
    dkj_add_bool(o, "CheckDuplicate", 1);
    dkj_add_str(o, "Driver", driver && *driver ? driver : "bridge");
    if (nlabels)
        dkj_add_kv(o, "Labels", labels, nlabels);
    body = dkj_print_free(o);
    rc = dk_do(c, "POST", "/networks/create", body, strlen(body), NULL, DK_SHORT_TIMEOUT_MS, 0,
               &r, err);
    free(body);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        net_error(&r, err, "creating network '%s'", name);
        if (r.status == 409)
            dl_err_set(err, DL_ECONFLICT, "network '%s' already exists", name);
        dk_resp_free(&r);
        return -1;
    }
    j = dkj_parse(r.body, r.len, "a created network", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    if (id_out)
        snprintf(id_out, 65, "%s", dkj_str(j, "Id"));
    cJSON_Delete(j);
    return 0;
}

/* 404 on connect/disconnect: the network or the container is missing. */
static void word_pair_error(const dk_resp *r, const char *doing, const char *network,
                            const char *container, dl_err *err)
{
    net_error(r, err, "%s container '%s' %s network '%s'", doing, container,
              !strcmp(doing, "connecting") ? "to" : "from", network);
    if (r->status == 404 && body_has(r, "No such container"))
        dl_err_set(err, DL_ENOTFOUND, "no such container '%s'", container);
    else if (r->status == 404 && body_has(r, "network"))
        dl_err_set(err, DL_ENOTFOUND, "no such network '%s'", network);
}

int dk_network_connect(dk_client *c, const char *network, const char *container,
                       const char *const *aliases, dl_err *err)
{
    cJSON *o = dkj_obj(), *ep;
    char *body;
    dk_resp r;
    int rc;

    dkj_add_str(o, "Container", container);
    ep = dkj_add_obj(o, "EndpointConfig");
    if (aliases && aliases[0])
        dkj_add_strv(ep, "Aliases", aliases);
    body = dkj_print_free(o);
    rc = net_call(c, "POST", network, "/connect", body, &r, err);
    free(body);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        word_pair_error(&r, "connecting", network, container, err);
        if (r.status == 403 && body_has(&r, "already exists"))
            dl_err_set(err, DL_ECONFLICT,
                       "container '%s' is already connected to network '%s'", container,
                       network);
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}

int dk_network_disconnect(dk_client *c, const char *network,
                          const char *container, int force, dl_err *err)
{
    cJSON *o = dkj_obj();
    char *body;
    dk_resp r;
    int rc;

    dkj_add_str(o, "Container", container);
    dkj_add_bool(o, "Force", force);
    body = dkj_print_free(o);
    rc = net_call(c, "POST", network, "/disconnect", body, &r, err);
    free(body);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        word_pair_error(&r, "disconnecting", network, container, err);
        if (r.status != 404 && body_has(&r, "is not connected"))
            dl_err_set(err, DL_ENOTFOUND,
                       "container '%s' is not connected to network '%s'", container, network);
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}

int dk_network_remove(dk_client *c, const char *name, dl_err *err)
{
    dk_resp r;
    if (net_call(c, "DELETE", name, "", NULL, &r, err))
        return -1;
    if (!dk_status_ok(r.status)) {
        net_error(&r, err, "removing network '%s'", name);
        if (r.status == 404)
            dl_err_set(err, DL_ENOTFOUND, "no such network '%s'", name);
        else if (r.status == 409 || body_has(&r, "active endpoints"))
            dl_err_set(err, DL_ECONFLICT, "network '%s' is in use by containers", name);
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}
