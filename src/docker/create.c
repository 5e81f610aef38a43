/* create.c - POST /containers/create: the JSON body from a dk_create_spec
 * and the call itself. Only fields that are set are sent, so the engine's
 * defaults apply to the rest.
 */
#include "internal.h"
#include "deeplens/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_mounts(cJSON *hc, const dk_mount *m, size_t n)
{
    cJSON *arr;
    if (!n)
        return;
    arr = cJSON_AddArrayToObject(hc, "Mounts");
    if (!arr)
        dl_oom();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = dkj_obj();
        cJSON_AddItemToArray(arr, o);
        dkj_add_str(o, "Type", m[i].type ? m[i].type : "volume");
        dkj_add_str(o, "Source", m[i].source);
        dkj_add_str(o, "Target", m[i].target);
        if (m[i].read_only)
            dkj_add_bool(o, "ReadOnly", 1);
        if (m[i].no_copy && (!m[i].type || !strcmp(m[i].type, "volume")))
            dkj_add_bool(dkj_add_obj(o, "VolumeOptions"), "NoCopy", 1);
    }
}

char *dk_create_body(const dk_create_spec *s)
{
    cJSON *o = dkj_obj(), *hc;

    dkj_add_str(o, "Image", s->image);
    if (s->cmd)
        dkj_add_strv(o, "Cmd", s->cmd);
    if (s->entrypoint)
        dkj_add_strv(o, "Entrypoint", s->entrypoint);
    if (s->env)
        dkj_add_strv(o, "Env", s->env);
    if (s->user && *s->user)
        dkj_add_str(o, "User", s->user);
    if (s->working_dir && *s->working_dir)
        dkj_add_str(o, "WorkingDir", s->working_dir);
    if (s->nlabels)
        dkj_add_kv(o, "Labels", s->labels, s->nlabels);
    if (s->tty) {
        dkj_add_bool(o, "Tty", 1);
        dkj_add_bool(o, "OpenStdin", 0);
    }
    dkj_add_health(o, "Healthcheck", s->health_cmd, s->health_interval_ns, s->health_timeout_ns,
                   s->health_start_period_ns, s->health_retries);

    hc = dkj_add_obj(o, "HostConfig");
    add_mounts(hc, s->mounts, s->nmounts);
    if (s->restart_policy && *s->restart_policy)
        dkj_add_str(dkj_add_obj(hc, "RestartPolicy"), "Name", s->restart_policy);
    if (s->network && *s->network)
        dkj_add_str(hc, "NetworkMode", s->network);
    if (s->auto_remove)
        dkj_add_bool(hc, "AutoRemove", 1);
    if (s->memory_bytes > 0)
        dkj_add_num(hc, "Memory", (double)s->memory_bytes);

    /* v1.41 takes one endpoint here; connect others afterwards */
    if (s->network && *s->network && s->aliases && s->aliases[0]) {
        cJSON *ep = dkj_add_obj(dkj_add_obj(dkj_add_obj(o, "NetworkingConfig"),
                                            "EndpointsConfig"), s->network);
        dkj_add_strv(ep, "Aliases", s->aliases);
    }
    return dkj_print_free(o);
}

int dk_container_create(dk_client *c, const char *name,
                        const dk_create_spec *s, char id_out[65], dl_err *err)
{
    char *body, *path, *en = NULL;
    dk_resp r;
    cJSON *j;
    const char *id;
    int rc;

    if (id_out)
        id_out[0] = '\0';
    if (!s->image || !*s->image)
        return dl_err_set(err, DL_EINVAL, "creating container '%s': no image given",
                          name ? name : "");
    body = dk_create_body(s);
    if (name && *name) {
        en = dk_escape(name);
        path = dk_xfmt("/containers/create?name=%s", en);
    } else {
        path = dk_xstrdup("/containers/create");
    }
    rc = dk_do(c, "POST", path, body, strlen(body), NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);
    free(body);
    free(path);
    free(en);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        char *what = dk_xfmt("creating container '%s'", name ? name : "");
        dk_error_from_response(r.status, r.body, r.len, what, err);
        free(what);
        if (r.status == 409)
            dl_err_set(err, DL_ECONFLICT, "container name '%s' is already in use",
                       name ? name : "");
        else if (r.status == 404 && r.body && strstr(r.body, "No such image"))
            dl_err_set(err, DL_ENOTFOUND, "no such image '%s' (pull or build it first)",
                       s->image);
        if (err)
            err->http_status = r.status;
        dk_resp_free(&r);
        return -1;
    }
    j = dkj_parse(r.body, r.len, "a created container", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    id = dkj_str(j, "Id");
    if (!*id) {
        cJSON_Delete(j);
        return dl_err_set(err, DL_EPROTO, "the engine created container '%s' but sent no id",
                          name ? name : "");
    }
    if (id_out)
        snprintf(id_out, 65, "%s", id);
    cJSON_Delete(j);
    return 0;
}
