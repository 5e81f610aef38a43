/* volumes.c - named volumes: create (local bind, NFS options ...), inspect,
 * list with filters, remove. The engine never mounts at create time, so a
 * wrong NFS address only shows when a container starts with the volume.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dk_volume_from_json(const cJSON *o, dk_volume *out)
{
    memset(out, 0, sizeof *out);
    out->name = dkj_strdup(o, "Name");
    out->driver = dkj_strdup(o, "Driver");
    out->mountpoint = dkj_strdup(o, "Mountpoint");
    dkj_kv(dkj_get(o, "Options", NULL), &out->options, &out->noptions);
    dkj_kv(dkj_get(o, "Labels", NULL), &out->labels, &out->nlabels);
}

const char *dk_volume_option(const dk_volume *v, const char *key)
{
    return dk_kv_get(v->options, v->noptions, key);
}

const char *dk_volume_label(const dk_volume *v, const char *key)
{
    return dk_kv_get(v->labels, v->nlabels, key);
}

void dk_volume_clear(dk_volume *v)
{
    if (!v)
        return;
    free(v->name);
    free(v->driver);
    free(v->mountpoint);
    dk_kv_free(v->options, v->noptions);
    dk_kv_free(v->labels, v->nlabels);
    memset(v, 0, sizeof *v);
}

void dk_volumes_free(dk_volume *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        dk_volume_clear(&v[i]);
    free(v);
}

static int vol_error(const dk_resp *r, const char *doing, const char *name, dl_err *err)
{
    char *what = dk_xfmt("%s volume '%s'", doing, name);
    dk_error_from_response(r->status, r->body, r->len, what, err);
    free(what);
    if (r->status == 404)
        dl_err_set(err, DL_ENOTFOUND, "no such volume '%s'", name);
    else if (r->status == 409 && r->body && strstr(r->body, "in use"))
        dl_err_set(err, DL_ECONFLICT, "volume '%s' is in use by a container", name);
    if (err)
        err->http_status = r->status;
    return -1;
}

int dk_volume_inspect(dk_client *c, const char *name, dk_volume *out, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/volumes/%s", en);
    dk_resp r;
    cJSON *j;
    int rc = dk_do(c, "GET", path, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);

    memset(out, 0, sizeof *out);
    free(en);
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        vol_error(&r, "inspecting", name, err);
        dk_resp_free(&r);
        return -1;
    }
    j = dkj_parse(r.body, r.len, "a volume", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    dk_volume_from_json(j, out);
    cJSON_Delete(j);
    return 0;
}

int dk_volume_create(dk_client *c, const char *name, const char *driver,
                     const dk_kv *opts, size_t nopts, const dk_kv *labels,
                     size_t nlabels, int *created, dl_err *err)
{
    dk_volume old;
    dl_err e2;
    cJSON *o;
    char *body;
    dk_resp r;
    int rc, existed;

    if (created)
        *created = 0;
    if (!name || !*name)
        return dl_err_set(err, DL_EINVAL, "creating a volume: no name given");
    /* the engine answers 201 for an existing name, keeping the old options */
    rc = dk_volume_inspect(c, name, &old, &e2);
    if (rc && e2.kind != DL_ENOTFOUND) {
        if (err)
            *err = e2;
        return -1;
    }
    existed = rc == 0;
    dk_volume_clear(&old);

    o = dkj_obj();
    dkj_add_str(o, "Name", name);
    dkj_add_str(o, "Driver", driver && *driver ? driver : "local");
    if (nopts)
        dkj_add_kv(o, "DriverOpts", opts, nopts);
    if (nlabels)
        dkj_add_kv(o, "Labels", labels, nlabels);
    body = dkj_print_free(o);
    rc = dk_do(c, "POST", "/volumes/create", body, strlen(body), NULL, DK_SHORT_TIMEOUT_MS,
               0, &r, err);
    free(body);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        vol_error(&r, "creating", name, err);
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    if (created)
        *created = !existed;
    return 0;
}

int dk_volumes_list(dk_client *c, const char *filters_json, dk_volume **out,
                    size_t *n, dl_err *err)
{
    char *ef = filters_json ? dk_escape(filters_json) : NULL;
    char *path = ef ? dk_xfmt("/volumes?filters=%s", ef) : dk_xstrdup("/volumes");
    const cJSON *arr, *it;
    dk_resp r;
    cJSON *j;
    size_t cnt, i = 0;
    int rc = dk_do(c, "GET", path, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);

    *out = NULL;
    *n = 0;
    free(ef);
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        dk_error_from_response(r.status, r.body, r.len, "listing volumes", err);
        dk_resp_free(&r);
        return -1;
    }
    j = dkj_parse(r.body, r.len, "the volume list", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    arr = dkj_get(j, "Volumes", NULL);
    cnt = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;  /* null when none */
    if (cnt) {
        *out = dk_xcalloc(cnt, sizeof **out);
        cJSON_ArrayForEach(it, arr)
            dk_volume_from_json(it, &(*out)[i++]);
    }
    *n = cnt;
    cJSON_Delete(j);
    return 0;
}

int dk_volume_remove(dk_client *c, const char *name, int force, dl_err *err)
{
    char *en = dk_escape(name), *path = dk_xfmt("/volumes/%s?force=%d", en, force ? 1 : 0);
    dk_resp r;
    int rc = dk_do(c, "DELETE", path, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);
    free(en);
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        vol_error(&r, "removing", name, err);
        dk_resp_free(&r);
        return -1;
    }
    dk_resp_free(&r);
    return 0;
}
