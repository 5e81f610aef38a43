/* logs.c - GET /containers/{id}/logs as a stream through the request loop:
 * stdcopy frames demultiplexed for containers without a TTY, raw bytes for
 * those with one (v1.41 sends no Content-Type to tell them apart).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /{kind}s/{name}/logs (kind "container" or "service"): one path for both. */
dk_req *dk_logs_submit(dk_client *c, const char *kind, const char *name, const dk_logs_opts *o,
                       int raw, dk_data_fn on_data, dk_done_fn on_done, void *ud, dl_err *err)
{
    char tail[32] = "all", since[48] = "";
    char *en, *path;
    dk_req_opts ro;
    dk_req *r;

    if (!o->stdout_ && !o->stderr_) {
        dl_err_set(err, DL_EINVAL, "reading logs of %s '%s': choose stdout, stderr or both",
                   kind, name);
        return NULL;
    }
    if (o->tail >= 0)
        snprintf(tail, sizeof tail, "%ld", o->tail);
    if (o->since > 0) {
        long long whole = (long long)o->since;
        long nanos = (long)((o->since - (double)whole) * 1e9);
        if (nanos > 999999999L)
            nanos = 999999999L;
        snprintf(since, sizeof since, "&since=%lld.%09ld", whole, nanos < 0 ? 0 : nanos);
    }
    en = dk_escape(name);
    path = dk_xfmt("/%ss/%s/logs?stdout=%d&stderr=%d&follow=%d&timestamps=%d&tail=%s%s",
                   kind, en, o->stdout_ ? 1 : 0, o->stderr_ ? 1 : 0, o->follow ? 1 : 0,
                   o->timestamps ? 1 : 0, tail, since);
    free(en);
    memset(&ro, 0, sizeof ro);
    ro.method = "GET";
    ro.path = path;
    ro.mode = raw ? DK_BODY_RAW : DK_BODY_MUX;
    ro.timeout_ms = 0;  /* a follow stream can be quiet for hours */
    ro.on_data = on_data;
    ro.on_done = on_done;
    ro.ud = ud;
    r = dk_submit(c, &ro, err);
    free(path);
    if (r) {
        char *what = dk_xfmt("reading logs of %s '%s'", kind, name);
        /* a container's 404 says "no such container" by its name */
        dk_req_set_context(r, what, strcmp(kind, "container") ? NULL : name);
        free(what);
    }
    return r;
}

dk_req *dk_logs_open(dk_client *c, const char *name, const dk_logs_opts *o,
                     dk_data_fn on_data, dk_done_fn on_done, void *ud,
                     dl_err *err)
{
    return dk_logs_submit(c, "container", name, o, o->tty, on_data, on_done, ud, err);
}
