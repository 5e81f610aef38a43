/* containers.c - list, inspect and the lifecycle calls (start, stop,
 * restart, remove, rename, wait), with the engine's answers mapped to plain
 * dk_container structs and its errors worded for an operator.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ------------------------------------------------------------ */

const char *dk_health_from_status(const char *status)
{
    if (!status)
        return "";
    if (strstr(status, "(unhealthy)"))
        return "unhealthy";
    if (strstr(status, "(healthy)"))
        return "healthy";
    if (strstr(status, "(health: starting)"))
        return "starting";
    return "";
}

static char *strip_slash(const char *s)
{
    return dk_xstrdup(s[0] == '/' ? s + 1 : s);
}

void dk_container_from_list_json(const cJSON *item, dk_container *out)
{
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(item, "Names");
    const cJSON *first = cJSON_IsArray(names) ? cJSON_GetArrayItem(names, 0) : NULL;

    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", dkj_str(item, "Id"));
    out->name = strip_slash(cJSON_IsString(first) ? first->valuestring : "");
    out->image = dkj_strdup(item, "Image");
    out->state = dkj_strdup(item, "State");
    out->status = dkj_strdup(item, "Status");
    out->health = dk_xstrdup(dk_health_from_status(out->status));
    out->created = (time_t)dkj_ll(item, "Created", 0);
    out->health_log = dk_xstrdup("");
    out->exit_code = -1;
    dkj_kv(cJSON_GetObjectItemCaseSensitive(item, "Labels"), &out->labels, &out->nlabels);
}

void dk_container_from_inspect_json(const cJSON *o, dk_container *out)
{
    const cJSON *state = dkj_get(o, "State", NULL);
    const cJSON *cfg = dkj_get(o, "Config", NULL);
    const cJSON *health = dkj_get(o, "State", "Health", NULL);
    const cJSON *log = dkj_get(health, "Log", NULL);
    const cJSON *last = cJSON_IsArray(log) ? cJSON_GetArrayItem(log, cJSON_GetArraySize(log) - 1)
                                           : NULL;
    const char *st;

    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", dkj_str(o, "Id"));
    out->name = strip_slash(dkj_str(o, "Name"));
    out->image = dkj_strdup(cfg, "Image");
    out->state = dkj_strdup(state, "Status");
    out->health = dkj_strdup(health, "Status");
    out->health_log = dkj_strdup(last, "Output");
    out->created = dk_parse_time(dkj_str(o, "Created"));
    out->started_at = dk_parse_time(dkj_str(state, "StartedAt"));
    out->finished_at = dk_parse_time(dkj_str(state, "FinishedAt"));
    out->exit_code = (int)dkj_ll(state, "ExitCode", 0);
    out->restart_count = (int)dkj_ll(o, "RestartCount", 0);
    out->tty = dkj_bool(cfg, "Tty");
    /* inspect has no "Up 2 hours" text; give the state in words */
    st = out->state;
    if (!strcmp(st, "exited") || !strcmp(st, "dead"))
        out->status = dk_xfmt("%s (%d)", st, out->exit_code);
    else if (out->health[0])
        out->status = dk_xfmt("%s (%s)", st, out->health);
    else
        out->status = dk_xstrdup(st);
    dkj_kv(dkj_get(cfg, "Labels", NULL), &out->labels, &out->nlabels);
}

const char *dk_container_label(const dk_container *ct, const char *key)
{
    return dk_kv_get(ct->labels, ct->nlabels, key);
}

void dk_container_clear(dk_container *ct)
{
    if (!ct)
        return;
    free(ct->name);
    free(ct->image);
    free(ct->state);
    free(ct->status);
    free(ct->health);
    free(ct->health_log);
    dk_kv_free(ct->labels, ct->nlabels);
    memset(ct, 0, sizeof *ct);
}

void dk_containers_free(dk_container *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        dk_container_clear(&v[i]);
    free(v);
}

/* ---- errors ------------------------------------------------------------- */

/* Word an HTTP failure of a call on container `name`. */
static int ct_error(const dk_resp *r, const char *name, const char *doing, dl_err *err)
{
    char *what = dk_xfmt("%s container '%s'", doing, name);
    dk_container_error(r->status, r->body, r->len, what, name, err);
    free(what);
    return -1;
}

/* Run a call on /containers/{name}{suffix}; map errors. */
static int ct_call(dk_client *c, const char *method, const char *name,
                   const char *suffix, long timeout_ms, const char *doing,
                   dk_resp *r, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/containers/%s%s", en, suffix);
    int rc = dk_do(c, method, path, NULL, 0, NULL, timeout_ms, 0, r, err);
    free(en);
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r->status)) {
        ct_error(r, name, doing, err);
        dk_resp_free(r);
        return -1;
    }
    return 0;
}

/* ---- list and inspect --------------------------------------------------- */

char *dk_containers_list_path(const char *filters_json, int all)
{
    char *ef = filters_json ? dk_escape(filters_json) : NULL;
    char *path = dk_xfmt("/containers/json?all=%d%s%s", all ? 1 : 0, ef ? "&filters=" : "",
                         ef ? ef : "");
    free(ef);
    return path;
}

char *dk_container_inspect_path(const char *name)
{
    char *en = dk_escape(name);
    char *path = dk_xfmt("/containers/%s/json", en);
    free(en);
    return path;
}

int dk_containers_parse(const char *json, size_t len, dk_container **out,
                        size_t *n, dl_err *err)
{
    cJSON *j = dkj_parse(json, len, "the container list", err), *it;
    size_t cnt, i = 0;

    *out = NULL;
    *n = 0;
    if (!j)
        return -1;
    if (!cJSON_IsArray(j)) {
        cJSON_Delete(j);
        return dl_err_set(err, DL_EPROTO, "the engine sent a container list that is not a list");
    }
    cnt = (size_t)cJSON_GetArraySize(j);
    if (cnt)
        *out = dk_xcalloc(cnt, sizeof **out);
    cJSON_ArrayForEach(it, j)
        dk_container_from_list_json(it, &(*out)[i++]);
    *n = cnt;
    cJSON_Delete(j);
    return 0;
}

int dk_container_parse_inspect(const char *json, size_t len, dk_container *out,
                               dl_err *err)
{
    cJSON *j = dkj_parse(json, len, "a container", err);
    memset(out, 0, sizeof *out);
    if (!j)
        return -1;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return dl_err_set(err, DL_EPROTO, "the engine sent a container that is not an object");
    }
    dk_container_from_inspect_json(j, out);
    cJSON_Delete(j);
    return 0;
}

int dk_containers_list(dk_client *c, const char *filters_json, int all,
                       dk_container **out, size_t *n, dl_err *err)
{
    char *path = dk_containers_list_path(filters_json, all);
    dk_resp r;
    int rc = dk_do(c, "GET", path, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);

    *out = NULL;
    *n = 0;
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        dk_error_from_response(r.status, r.body, r.len, "listing containers", err);
        dk_resp_free(&r);
        return -1;
    }
    rc = dk_containers_parse(r.body, r.len, out, n, err);
    dk_resp_free(&r);
    return rc;
}

int dk_container_inspect(dk_client *c, const char *name, dk_container *out,
                         dl_err *err)
{
    dk_resp r;
    int rc;
    memset(out, 0, sizeof *out);
    if (ct_call(c, "GET", name, "/json", DK_SHORT_TIMEOUT_MS, "inspecting", &r, err))
        return -1;
    rc = dk_container_parse_inspect(r.body, r.len, out, err);
    dk_resp_free(&r);
    return rc;
}

/* ---- lifecycle ---------------------------------------------------------- */

int dk_container_start(dk_client *c, const char *name, int *changed, dl_err *err)
{
    dk_resp r;
    if (ct_call(c, "POST", name, "/start", DK_SHORT_TIMEOUT_MS, "starting", &r, err))
        return -1;
    if (changed)
        *changed = r.status != 304;
    dk_resp_free(&r);
    return 0;
}

static long stop_timeout_ms(int timeout_s)
{
    return timeout_s < 0 ? 0 : (timeout_s + 60) * 1000L;
}

int dk_container_stop(dk_client *c, const char *name, int timeout_s,
                      int *changed, dl_err *err)
{
    dk_resp r;
    char suffix[32] = "/stop";
    if (timeout_s >= 0)
        snprintf(suffix, sizeof suffix, "/stop?t=%d", timeout_s);
    if (ct_call(c, "POST", name, suffix, stop_timeout_ms(timeout_s), "stopping", &r, err))
        return -1;
    if (changed)
        *changed = r.status != 304;
    dk_resp_free(&r);
    return 0;
}

int dk_container_restart(dk_client *c, const char *name, int timeout_s, dl_err *err)
{
    dk_resp r;
    char suffix[32] = "/restart";
    if (timeout_s >= 0)
        snprintf(suffix, sizeof suffix, "/restart?t=%d", timeout_s);
    if (ct_call(c, "POST", name, suffix, stop_timeout_ms(timeout_s), "restarting", &r, err))
        return -1;
    dk_resp_free(&r);
    return 0;
}

int dk_container_remove(dk_client *c, const char *name, int force,
                        int remove_anon_volumes, dl_err *err)
{
    dk_resp r;
    char suffix[32];
    snprintf(suffix, sizeof suffix, "?force=%d&v=%d", force ? 1 : 0,
             remove_anon_volumes ? 1 : 0);
    if (ct_call(c, "DELETE", name, suffix, DK_SHORT_TIMEOUT_MS, "removing", &r, err)) {
        if (err && err->http_status == 409 && strstr(err->msg, "running container"))
            dl_err_set(err, DL_ECONFLICT,
                       "container '%s' is running (stop it first or remove it by force)", name);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}

int dk_container_rename(dk_client *c, const char *name, const char *new_name,
                        dl_err *err)
{
    dk_resp r;
    char *en = dk_escape(new_name), *suffix = dk_xfmt("/rename?name=%s", en);
    int rc = ct_call(c, "POST", name, suffix, DK_SHORT_TIMEOUT_MS, "renaming", &r, err);
    free(en);
    free(suffix);
    if (rc) {
        if (err && err->http_status == 409 && strstr(err->msg, "already in use"))
            dl_err_set(err, DL_ECONFLICT, "container name '%s' is already in use", new_name);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}

int dk_container_wait(dk_client *c, const char *name, const char *condition,
                      long *exit_code, dl_err *err)
{
    dk_resp r;
    cJSON *j;
    const char *emsg;
    char *ec = dk_escape(condition ? condition : "not-running");
    char *suffix = dk_xfmt("/wait?condition=%s", ec);
    int rc = ct_call(c, "POST", name, suffix, 0, "waiting for", &r, err);
    free(ec);
    free(suffix);
    if (rc)
        return -1;
    j = dkj_parse(r.body, r.len, "a container wait", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    if (exit_code)
        *exit_code = (long)dkj_ll(j, "StatusCode", -1);
    emsg = dkj_str(dkj_get(j, "Error", NULL), "Message");
    if (*emsg) {
        dl_err_set(err, DL_EFAIL, "waiting for container '%s': %s", name, emsg);
        cJSON_Delete(j);
        return -1;
    }
    cJSON_Delete(j);
    return 0;
}
