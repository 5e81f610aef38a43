/* async.c - typed asynchronous calls for a caller with its own event loop
 * (the console's live model): version, container list, inspect, one
 * archive read, the service list and tasks, each one request driven by
 * dk_client_poll whose answer is parsed here and handed over as plain structs. The engine's methods and
 * paths stay in this module; the caller never sees a dk_req's body.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum call_kind { CALL_VERSION, CALL_LIST, CALL_INSPECT, CALL_ARCHIVE, CALL_SERVICES, CALL_TASKS };

typedef struct call {
    enum call_kind kind;
    union {
        dk_version_done version;
        dk_list_done list;
        dk_inspect_done inspect;
        dk_archive_done archive;
        dk_services_done services;
        dk_tasks_done tasks;
    } done;
    void *ud;
} call;

static void call_done(void *ud, dk_req *r)
{
    call *c = ud;
    size_t len = 0;
    const char *body = dk_req_body(r, &len);
    int ok;
    dl_err e;

    dl_err_clear(&e);
    ok = dk_req_result(r, &e) == 0;
    switch (c->kind) {
    case CALL_VERSION: {
        dk_version v;
        memset(&v, 0, sizeof v);
        if (ok && dk_version_parse(body, len, &v, &e) < 0)
            ok = 0;
        c->done.version(c->ud, ok ? &v : NULL, ok ? NULL : &e);
        break;
    }
    case CALL_LIST: {
        dk_container *v = NULL;
        size_t n = 0;
        if (ok && dk_containers_parse(body, len, &v, &n, &e) < 0)
            ok = 0;
        c->done.list(c->ud, ok ? v : NULL, ok ? n : 0, ok ? NULL : &e);
        dk_containers_free(v, n);
        break;
    }
    case CALL_INSPECT: {
        dk_container ct;
        memset(&ct, 0, sizeof ct);
        if (ok && dk_container_parse_inspect(body, len, &ct, &e) < 0)
            ok = 0;
        c->done.inspect(c->ud, ok ? &ct : NULL, ok ? NULL : &e);
        dk_container_clear(&ct);
        break;
    }
    case CALL_ARCHIVE:
        c->done.archive(c->ud, ok ? body : NULL, ok ? len : 0, ok ? NULL : &e);
        break;
    case CALL_SERVICES: {
        dk_service *v = NULL;
        size_t n = 0;
        if (ok && dk_services_parse(body, len, &v, &n, &e) < 0)
            ok = 0;
        c->done.services(c->ud, ok ? v : NULL, ok ? n : 0, ok ? NULL : &e);
        dk_services_free(v, n);
        break;
    }
    case CALL_TASKS: {
        dk_task *v = NULL;
        size_t n = 0;
        if (ok && dk_tasks_parse(body, len, &v, &n, &e) < 0)
            ok = 0;
        c->done.tasks(c->ud, ok ? v : NULL, ok ? n : 0, ok ? NULL : &e);
        dk_tasks_free(v, n);
        break;
    }
    }
    free(c);
}

static dk_req *call_submit(dk_client *cl, call *c, const char *path, long timeout_ms,
                           size_t max_body, dl_err *err)
{
    dk_req *r = dk_submit(cl, &(dk_req_opts){.method = "GET", .path = path,
                                              .mode = DK_BODY_BUFFER,
                                              .timeout_ms = timeout_ms,
                                              .max_body = max_body,
                                              .on_done = call_done, .ud = c},
                          err);
    if (!r)
        free(c);
    return r;
}

static call *call_new(enum call_kind kind, void *ud)
{
    call *c = dk_xcalloc(1, sizeof *c);
    c->kind = kind;
    c->ud = ud;
    return c;
}

dk_req *dk_version_async(dk_client *cl, long timeout_ms, dk_version_done done, void *ud,
                         dl_err *err)
{
    call *c = call_new(CALL_VERSION, ud);
    c->done.version = done;
    return call_submit(cl, c, "/version", timeout_ms, 0, err);
}

dk_req *dk_containers_list_async(dk_client *cl, const char *filters_json, int all,
                                 long timeout_ms, dk_list_done done, void *ud, dl_err *err)
{
    call *c = call_new(CALL_LIST, ud);
    char *path = dk_containers_list_path(filters_json, all);
    dk_req *r;
    c->done.list = done;
    r = call_submit(cl, c, path, timeout_ms, 0, err);
    free(path);
    return r;
}

dk_req *dk_container_inspect_async(dk_client *cl, const char *name, long timeout_ms,
                                   size_t max_body, dk_inspect_done done, void *ud,
                                   dl_err *err)
{
    call *c = call_new(CALL_INSPECT, ud);
    char *path = dk_container_inspect_path(name);
    dk_req *r;
    c->done.inspect = done;
    r = call_submit(cl, c, path, timeout_ms, max_body, err);
    free(path);
    return r;
}

dk_req *dk_archive_get_async(dk_client *cl, const char *container, const char *path,
                             long timeout_ms, size_t cap, dk_archive_done done, void *ud,
                             dl_err *err)
{
    call *c = call_new(CALL_ARCHIVE, ud);
    char *en = dk_escape(container), *ep = dk_escape(path);
    char *p = dk_xfmt("/containers/%s/archive?path=%s", en, ep);
    dk_req *r;
    free(en);
    free(ep);
    c->done.archive = done;
    r = call_submit(cl, c, p, timeout_ms, cap, err);
    free(p);
    return r;
}

dk_req *dk_services_list_async(dk_client *cl, const char *filters_json, long timeout_ms,
                               dk_services_done done, void *ud, dl_err *err)
{
    call *c = call_new(CALL_SERVICES, ud);
    char *path = dk_services_list_path(filters_json);
    dk_req *r;
    c->done.services = done;
    r = call_submit(cl, c, path, timeout_ms, 0, err);
    free(path);
    return r;
}

dk_req *dk_tasks_list_async(dk_client *cl, const char *filters_json, long timeout_ms,
                            dk_tasks_done done, void *ud, dl_err *err)
{
    call *c = call_new(CALL_TASKS, ud);
    char *path = dk_tasks_list_path(filters_json);
    dk_req *r;
    c->done.tasks = done;
    r = call_submit(cl, c, path, timeout_ms, 0, err);
    free(path);
    return r;
}
