/* swarm.c - the Swarm part of the engine API: the node's swarm state,
 * secrets and configs, services (spec JSON, create, inspect, list, update,
 * remove), their tasks and their logs. Knows nothing of tenants; a service
 * here is just a ServiceSpec built from a dk_service_spec.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------------- */

/* Word an HTTP failure: 503 is "not a swarm manager" whatever the call. */
static int sw_error(const dk_resp *r, const char *what, const char *kind, const char *name,
                    dl_err *err)
{
    dk_error_from_response(r->status, r->body, r->len, what, err);
    if (r->status == 503)
        dl_err_set(err, DL_EFAIL, "%s: the engine is not a swarm manager (%.200s)", what,
                   r->body ? r->body : "no message");
    else if (r->status == 404 && kind)
        dl_err_set(err, DL_ENOTFOUND, "no such %s '%s'", kind, name);
    else if (r->status == 409 && kind)
        dl_err_set(err, DL_ECONFLICT, "%s '%s' already exists", kind, name);
    if (err)
        err->http_status = r->status;
    return -1;
}

/* One buffered call; the parsed answer in *out when wanted (may be NULL). */
static int sw_call(dk_client *c, const char *method, const char *path, const char *body,
                   const char *what, const char *kind, const char *name, cJSON **out,
                   dl_err *err)
{
    dk_resp r;
    if (out)
        *out = NULL;
    if (dk_do(c, method, path, body, body ? strlen(body) : 0, NULL, DK_SHORT_TIMEOUT_MS, 0,
              &r, err))
        return -1;
    if (!dk_status_ok(r.status)) {
        sw_error(&r, what, kind, name, err);
        dk_resp_free(&r);
        return -1;
    }
    if (out && !(*out = dkj_parse(r.body, r.len, what, err))) {
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}

/* ---- swarm state ------------------------------------------------------------- */

int dk_swarm_state_get(dk_client *c, dk_swarm_state *out, dl_err *err)
{
    cJSON *j, *sw;
    memset(out, 0, sizeof *out);
    if (sw_call(c, "GET", "/info", NULL, "reading the engine's info", NULL, NULL, &j, err))
        return -1;
    sw = dkj_get(j, "Swarm", NULL);
    snprintf(out->node_state, sizeof out->node_state, "%s",
             *dkj_str(sw, "LocalNodeState") ? dkj_str(sw, "LocalNodeState") : "inactive");
    snprintf(out->node_id, sizeof out->node_id, "%s", dkj_str(sw, "NodeID"));
    out->manager = dkj_bool(sw, "ControlAvailable");
    cJSON_Delete(j);
    return 0;
}

/* ---- secrets and configs ------------------------------------------------------- */

static char *base64_encode(const char *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)p;
    char *o = dk_xmalloc(4 * ((n + 2) / 3) + 1), *q = o;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        *q++ = t[s[i] >> 2];
        *q++ = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        *q++ = t[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        *q++ = t[s[i + 2] & 63];
    }
    if (i < n) {
        *q++ = t[s[i] >> 2];
        if (i + 1 < n) {
            *q++ = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
            *q++ = t[(s[i + 1] & 15) << 2];
        } else {
            *q++ = t[(s[i] & 3) << 4];
            *q++ = '=';
        }
        *q++ = '=';
    }
    *q = '\0';
    return o;
}

/* kind "secret" or "config", its collection "/secrets" or "/configs" */
static int obj_create(dk_client *c, const char *kind, const char *coll, const char *name,
                      const char *data, size_t len, const dk_kv *labels, size_t nlabels,
                      char id_out[65], dl_err *err)
{
    cJSON *o = dkj_obj(), *j;
    char *b64 = base64_encode(data, len), *body, *path = dk_xfmt("%s/create", coll);
    char *what = dk_xfmt("creating %s '%s'", kind, name);
    int rc;

    dkj_add_str(o, "Name", name);
    dkj_add_str(o, "Data", b64);
    if (nlabels)
        dkj_add_kv(o, "Labels", labels, nlabels);
    memset(b64, 0, strlen(b64));
    free(b64);
    body = dkj_print_free(o);
    rc = sw_call(c, "POST", path, body, what, kind, name, &j, err);
    memset(body, 0, strlen(body));   /* the secret's data, base64 */
    free(body);
    free(path);
    free(what);
    if (rc)
        return -1;
    if (id_out)
        snprintf(id_out, 65, "%s", dkj_str(j, "ID"));
    cJSON_Delete(j);
    return 0;
}

static int obj_inspect(dk_client *c, const char *kind, const char *coll, const char *name,
                       char id_out[65], dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("%s/%s", coll, en);
    char *what = dk_xfmt("inspecting %s '%s'", kind, name);
    cJSON *j;
    int rc = sw_call(c, "GET", path, NULL, what, kind, name, &j, err);
    free(en);
    free(path);
    free(what);
    if (rc)
        return -1;
    if (id_out)
        snprintf(id_out, 65, "%s", dkj_str(j, "ID"));
    cJSON_Delete(j);
    return 0;
}

static int obj_remove(dk_client *c, const char *kind, const char *coll, const char *name,
                      dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("%s/%s", coll, en);
    char *what = dk_xfmt("removing %s '%s'", kind, name);
    int rc = sw_call(c, "DELETE", path, NULL, what, kind, name, NULL, err);
    free(en);
    free(path);
    free(what);
    return rc;
}

int dk_secret_create(dk_client *c, const char *name, const char *data, size_t len,
                     const dk_kv *labels, size_t nlabels, char id_out[65], dl_err *err)
{
    return obj_create(c, "secret", "/secrets", name, data, len, labels, nlabels, id_out, err);
}

int dk_secret_inspect(dk_client *c, const char *name, char id_out[65], dl_err *err)
{
    return obj_inspect(c, "secret", "/secrets", name, id_out, err);
}

int dk_secret_remove(dk_client *c, const char *name, dl_err *err)
{
    return obj_remove(c, "secret", "/secrets", name, err);
}

int dk_config_create(dk_client *c, const char *name, const char *data, size_t len,
                     const dk_kv *labels, size_t nlabels, char id_out[65], dl_err *err)
{
    return obj_create(c, "config", "/configs", name, data, len, labels, nlabels, id_out, err);
}

int dk_config_inspect(dk_client *c, const char *name, char id_out[65], dl_err *err)
{
    return obj_inspect(c, "config", "/configs", name, id_out, err);
}

int dk_config_remove(dk_client *c, const char *name, dl_err *err)
{
    return obj_remove(c, "config", "/configs", name, err);
}

/* ---- the service spec ----------------------------------------------------------- */

static void add_refs(cJSON *cs, const char *key, const char *idkey, const char *namekey,
                     const dk_file_ref *r, size_t n)
{
    cJSON *arr;
    if (!n)
        return;
    arr = cJSON_AddArrayToObject(cs, key);
    if (!arr)
        dk_oom();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = dkj_obj(), *f;
        char num[16];
        cJSON_AddItemToArray(arr, o);
        f = dkj_add_obj(o, "File");
        dkj_add_str(f, "Name", r[i].target);
        snprintf(num, sizeof num, "%u", r[i].uid);
        dkj_add_str(f, "UID", num);
        snprintf(num, sizeof num, "%u", r[i].gid);
        dkj_add_str(f, "GID", num);
        dkj_add_num(f, "Mode", r[i].mode);
        dkj_add_str(o, idkey, r[i].id);
        dkj_add_str(o, namekey, r[i].name);
    }
}

static void add_mounts(cJSON *cs, const dk_service_spec *s)
{
    cJSON *arr;
    if (!s->nmounts)
        return;
    arr = cJSON_AddArrayToObject(cs, "Mounts");
    if (!arr)
        dk_oom();
    for (size_t i = 0; i < s->nmounts; i++) {
        const dk_mount *m = &s->mounts[i];
        cJSON *o = dkj_obj();
        int vol = !m->type || !strcmp(m->type, "volume");
        cJSON_AddItemToArray(arr, o);
        dkj_add_str(o, "Type", m->type ? m->type : "volume");
        dkj_add_str(o, "Source", m->source);
        dkj_add_str(o, "Target", m->target);
        if (m->read_only)
            dkj_add_bool(o, "ReadOnly", 1);
        if (vol) {
            /* the volume as every node must make it: the task may run anywhere */
            cJSON *vo = dkj_add_obj(o, "VolumeOptions"), *dc;
            if (m->no_copy)
                dkj_add_bool(vo, "NoCopy", 1);
            if (s->nvolume_labels)
                dkj_add_kv(vo, "Labels", s->volume_labels, s->nvolume_labels);
            dc = dkj_add_obj(vo, "DriverConfig");
            dkj_add_str(dc, "Name", s->volume_driver && *s->volume_driver ? s->volume_driver
                                                                           : "local");
            if (s->nvolume_opts)
                dkj_add_kv(dc, "Options", s->volume_opts, s->nvolume_opts);
        }
    }
}

char *dk_service_body(const dk_service_spec *s)
{
    cJSON *o = dkj_obj(), *tt, *cs, *pl, *arr, *mode;

    dkj_add_str(o, "Name", s->name);
    if (s->nlabels)
        dkj_add_kv(o, "Labels", s->labels, s->nlabels);
    tt = dkj_add_obj(o, "TaskTemplate");
    cs = dkj_add_obj(tt, "ContainerSpec");
    dkj_add_str(cs, "Image", s->image);
    if (s->command)
        dkj_add_strv(cs, "Command", s->command);
    if (s->env)
        dkj_add_strv(cs, "Env", s->env);
    if (s->user && *s->user)
        dkj_add_str(cs, "User", s->user);
    add_mounts(cs, s);
    add_refs(cs, "Secrets", "SecretID", "SecretName", s->secrets, s->nsecrets);
    add_refs(cs, "Configs", "ConfigID", "ConfigName", s->configs, s->nconfigs);
    dkj_add_health(cs, "HealthCheck", s->health_cmd, s->health_interval_ns, s->health_timeout_ns,
                   s->health_start_period_ns, s->health_retries);
    if (s->stop_grace_ns > 0)
        dkj_add_num(cs, "StopGracePeriod", (double)s->stop_grace_ns);
    /* a stopped job comes back, as unless-stopped does for a container */
    dkj_add_str(dkj_add_obj(tt, "RestartPolicy"), "Condition", "any");
    if (s->constraints && s->constraints[0]) {
        pl = dkj_add_obj(tt, "Placement");
        dkj_add_strv(pl, "Constraints", s->constraints);
    }
    if (s->network && *s->network) {
        cJSON *n = dkj_obj();
        arr = cJSON_AddArrayToObject(tt, "Networks");
        if (!arr)
            dk_oom();
        cJSON_AddItemToArray(arr, n);
        dkj_add_str(n, "Target", s->network);
    }
    mode = dkj_add_obj(dkj_add_obj(o, "Mode"), "Replicated");
    dkj_add_num(mode, "Replicas", s->replicas);
    return dkj_print_free(o);
}

/* ---- services ------------------------------------------------------------------- */

static void refs_kv(const cJSON *arr, const char *namekey, const char *idkey, dk_kv **out,
                    size_t *n)
{
    const cJSON *it;
    size_t cnt = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    *out = NULL;
    *n = 0;
    if (!cnt)
        return;
    *out = dk_xcalloc(cnt, sizeof **out);
    cJSON_ArrayForEach(it, arr) {
        (*out)[i].key = dkj_strdup(it, namekey);
        (*out)[i].value = dkj_strdup(it, idkey);
        i++;
    }
    *n = cnt;
}

static char **strv_dup(const cJSON *arr, size_t *n)
{
    const cJSON *it;
    size_t cnt = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    char **v = dk_xcalloc(cnt + 1, sizeof *v);
    cJSON_ArrayForEach(it, arr)
        if (cJSON_IsString(it))
            v[i++] = dk_xstrdup(it->valuestring);
    *n = i;
    return v;
}

void dk_service_from_json(const cJSON *o, dk_service *out)
{
    const cJSON *spec = dkj_get(o, "Spec", NULL);
    const cJSON *cs = dkj_get(spec, "TaskTemplate", "ContainerSpec", NULL);

    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", dkj_str(o, "ID"));
    out->name = dkj_strdup(spec, "Name");
    out->version = dkj_ll(dkj_get(o, "Version", NULL), "Index", 0);
    dkj_kv(dkj_get(spec, "Labels", NULL), &out->labels, &out->nlabels);
    refs_kv(dkj_get(cs, "Secrets", NULL), "SecretName", "SecretID", &out->secrets,
            &out->nsecrets);
    refs_kv(dkj_get(cs, "Configs", NULL), "ConfigName", "ConfigID", &out->configs,
            &out->nconfigs);
    out->env = strv_dup(dkj_get(cs, "Env", NULL), &out->nenv);
    out->constraints = strv_dup(dkj_get(spec, "TaskTemplate", "Placement", "Constraints", NULL),
                                &out->nconstraints);
}

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void dk_service_clear(dk_service *s)
{
    if (!s)
        return;
    free(s->name);
    dk_kv_free(s->labels, s->nlabels);
    dk_kv_free(s->secrets, s->nsecrets);
    dk_kv_free(s->configs, s->nconfigs);
    strv_free(s->env);
    strv_free(s->constraints);
    memset(s, 0, sizeof *s);
}

void dk_services_free(dk_service *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        dk_service_clear(&v[i]);
    free(v);
}

int dk_service_create(dk_client *c, const dk_service_spec *s, char id_out[65], dl_err *err)
{
    char *body = dk_service_body(s), *what = dk_xfmt("creating service '%s'", s->name);
    cJSON *j;
    int rc = sw_call(c, "POST", "/services/create", body, what, "service", s->name, &j, err);
    free(body);
    free(what);
    if (rc)
        return -1;
    if (id_out)
        snprintf(id_out, 65, "%s", dkj_str(j, "ID"));
    cJSON_Delete(j);
    return 0;
}

int dk_service_inspect(dk_client *c, const char *name, dk_service *out, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/services/%s", en);
    char *what = dk_xfmt("inspecting service '%s'", name);
    cJSON *j;
    int rc = sw_call(c, "GET", path, NULL, what, "service", name, &j, err);
    memset(out, 0, sizeof *out);
    free(en);
    free(path);
    free(what);
    if (rc)
        return -1;
    dk_service_from_json(j, out);
    cJSON_Delete(j);
    return 0;
}

/* A /services answer (j: the array; deleted here). */
static void services_from(cJSON *j, dk_service **out, size_t *n)
{
    const cJSON *it;
    size_t cnt, i = 0;

    cnt = cJSON_IsArray(j) ? (size_t)cJSON_GetArraySize(j) : 0;
    if (cnt) {
        *out = dk_xcalloc(cnt, sizeof **out);
        cJSON_ArrayForEach(it, j)
            dk_service_from_json(it, &(*out)[i++]);
    }
    *n = cnt;
    cJSON_Delete(j);
}

int dk_services_parse(const char *json, size_t len, dk_service **out, size_t *n, dl_err *err)
{
    cJSON *j = dkj_parse(json, len, "listing services", err);
    *out = NULL;
    *n = 0;
    if (!j)
        return -1;
    services_from(j, out, n);
    return 0;
}

char *dk_services_list_path(const char *filters_json)
{
    char *ef = filters_json ? dk_escape(filters_json) : NULL;
    char *path = ef ? dk_xfmt("/services?filters=%s", ef) : dk_xstrdup("/services");
    free(ef);
    return path;
}

int dk_services_list(dk_client *c, const char *filters_json, dk_service **out, size_t *n,
                     dl_err *err)
{
    char *path = dk_services_list_path(filters_json);
    cJSON *j;
    int rc = sw_call(c, "GET", path, NULL, "listing services", NULL, NULL, &j, err);

    *out = NULL;
    *n = 0;
    free(path);
    if (rc)
        return -1;
    services_from(j, out, n);
    return 0;
}

int dk_service_update(dk_client *c, const char *id, long long version,
                      const dk_service_spec *s, dl_err *err)
{
    char *en = dk_escape(id), *path = dk_xfmt("/services/%s/update?version=%lld", en, version);
    char *body = dk_service_body(s), *what = dk_xfmt("updating service '%s'", s->name);
    int rc = sw_call(c, "POST", path, body, what, "service", s->name, NULL, err);
    free(en);
    free(path);
    free(body);
    free(what);
    return rc;
}

int dk_service_force_update(dk_client *c, const char *name, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/services/%s", en);
    char *what = dk_xfmt("updating service '%s'", name), *body;
    cJSON *j, *spec, *tt;
    long long version;
    int rc = sw_call(c, "GET", path, NULL, what, "service", name, &j, err);

    free(path);
    if (rc) {
        free(en);
        free(what);
        return -1;
    }
    version = dkj_ll(dkj_get(j, "Version", NULL), "Index", 0);
    spec = cJSON_DetachItemFromObjectCaseSensitive(j, "Spec");
    cJSON_Delete(j);
    tt = dkj_get(spec, "TaskTemplate", NULL);
    if (!spec || !tt) {
        cJSON_Delete(spec);
        free(en);
        free(what);
        return dl_err_set(err, DL_EPROTO, "service '%s' has no task template", name);
    }
    {
        double n = (double)dkj_ll(tt, "ForceUpdate", 0) + 1;
        cJSON_DeleteItemFromObjectCaseSensitive(tt, "ForceUpdate");
        dkj_add_num(tt, "ForceUpdate", n);
    }
    body = dkj_print_free(spec);
    path = dk_xfmt("/services/%s/update?version=%lld", en, version);
    rc = sw_call(c, "POST", path, body, what, "service", name, NULL, err);
    free(body);
    free(path);
    free(en);
    free(what);
    return rc;
}

int dk_service_remove(dk_client *c, const char *name, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/services/%s", en);
    char *what = dk_xfmt("removing service '%s'", name);
    int rc = sw_call(c, "DELETE", path, NULL, what, "service", name, NULL, err);
    free(en);
    free(path);
    free(what);
    return rc;
}

/* ---- tasks ------------------------------------------------------------------------ */

void dk_tasks_free(dk_task *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].state);
        free(v[i].desired_state);
        free(v[i].message);
    }
    free(v);
}

/* A /tasks answer (j: the array; deleted here). */
static void tasks_from(cJSON *j, dk_task **out, size_t *n)
{
    const cJSON *it;
    size_t cnt, i = 0;

    cnt = cJSON_IsArray(j) ? (size_t)cJSON_GetArraySize(j) : 0;
    if (cnt)
        *out = dk_xcalloc(cnt, sizeof **out);
    cJSON_ArrayForEach(it, j) {
        const cJSON *st = dkj_get(it, "Status", NULL);
        dk_task *t = &(*out)[i++];
        snprintf(t->id, sizeof t->id, "%s", dkj_str(it, "ID"));
        snprintf(t->service_id, sizeof t->service_id, "%s", dkj_str(it, "ServiceID"));
        snprintf(t->container_id, sizeof t->container_id, "%s",
                 dkj_str(dkj_get(st, "ContainerStatus", NULL), "ContainerID"));
        t->state = dkj_strdup(st, "State");
        t->desired_state = dkj_strdup(it, "DesiredState");
        t->message = dk_xstrdup(*dkj_str(st, "Err") ? dkj_str(st, "Err") : dkj_str(st, "Message"));
        t->version = dkj_ll(dkj_get(it, "Version", NULL), "Index", 0);
        t->updated = dk_parse_time(dkj_str(it, "UpdatedAt"));
    }
    *n = i;
    cJSON_Delete(j);
}

int dk_tasks_parse(const char *json, size_t len, dk_task **out, size_t *n, dl_err *err)
{
    cJSON *j = dkj_parse(json, len, "listing tasks", err);
    *out = NULL;
    *n = 0;
    if (!j)
        return -1;
    tasks_from(j, out, n);
    return 0;
}

char *dk_tasks_list_path(const char *filters_json)
{
    char *ef = filters_json ? dk_escape(filters_json) : NULL;
    char *path = ef ? dk_xfmt("/tasks?filters=%s", ef) : dk_xstrdup("/tasks");
    free(ef);
    return path;
}

int dk_tasks_list(dk_client *c, const char *service, dk_task **out, size_t *n, dl_err *err)
{
    cJSON *j, *f = dkj_obj();
    char *filters, *path, *what = dk_xfmt("listing the tasks of service '%s'", service);
    const char *one[] = {service, NULL};
    int rc;

    *out = NULL;
    *n = 0;
    dkj_add_strv(f, "service", one);
    filters = dkj_print_free(f);
    path = dk_tasks_list_path(filters);
    free(filters);
    rc = sw_call(c, "GET", path, NULL, what, NULL, NULL, &j, err);
    free(path);
    free(what);
    if (rc)
        return -1;
    tasks_from(j, out, n);
    return 0;
}

/* ---- logs ------------------------------------------------------------------------- */

dk_req *dk_service_logs_open(dk_client *c, const char *service, const dk_logs_opts *o,
                             dk_data_fn on_data, dk_done_fn on_done, void *ud, dl_err *err)
{
    return dk_logs_submit(c, "service", service, o, 0, on_data, on_done, ud, err);
}
