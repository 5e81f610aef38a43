/* call.c - the blocking helpers: submit one buffered request and run the
 * client's loop until it ends. For the CLI and the domain's one-shot calls;
 * the console drives dk_submit itself.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dk_status_ok(long status)
{
    return (status >= 200 && status < 300) || status == 304;
}

int dk_wait_flag(dk_client *c, const int *flag, dl_err *err)
{
    if (dk_client_in_callback(c) && !*flag)
        return dl_err_set(err, DL_EFAIL,
                          "a blocking docker call cannot run inside a stream callback");
    while (!*flag)
        if (dk_client_poll(c, -1, 1000) < 0)
            return dl_err_set(err, DL_ESYS, "the docker request loop failed");
    return 0;
}

typedef struct sync_ctx {
    int done;
    dk_resp *resp;
    dl_err err;
} sync_ctx;

static void sync_done(void *ud, dk_req *r)
{
    sync_ctx *s = ud;
    const char *st;
    dl_err e;
    s->done = 1;
    s->resp->status = dk_req_status(r);
    /* an HTTP error answer goes back to the caller to word; anything else
     * that failed (transport, cancel, protocol) is the result */
    if (dk_req_result(r, &e) != 0 &&
        (s->resp->status == 0 || dk_status_ok(s->resp->status) || e.kind == DL_ECANCEL ||
         e.kind == DL_ECONN || e.kind == DL_EPROTO)) {
        s->err = e;
        return;
    }
    s->resp->body = dk_req_take_body(r, &s->resp->len);
    st = dk_req_header(r, "X-Docker-Container-Path-Stat");
    if (st)
        s->resp->path_stat = dk_xstrdup(st);
}

void dk_resp_free(dk_resp *r)
{
    free(r->body);
    free(r->path_stat);
    memset(r, 0, sizeof *r);
}

int dk_do(dk_client *c, const char *method, const char *path,
          const char *body, size_t body_len, const char *content_type,
          long timeout_ms, size_t max_body, dk_resp *resp, dl_err *err)
{
    dk_req_opts o;
    memset(&o, 0, sizeof o);
    o.method = method;
    o.path = path;
    o.body = body;
    o.body_len = body_len;
    o.content_type = content_type;
    o.mode = DK_BODY_BUFFER;
    o.timeout_ms = timeout_ms;
    o.max_body = max_body;
    return dk_do_opts(c, &o, resp, err);
}

int dk_do_opts(dk_client *c, const dk_req_opts *opts, dk_resp *resp, dl_err *err)
{
    sync_ctx s;
    dk_req_opts o = *opts;
    memset(&s, 0, sizeof s);
    memset(resp, 0, sizeof *resp);
    s.resp = resp;
    o.mode = DK_BODY_BUFFER;
    o.on_data = NULL;
    o.on_done = sync_done;
    o.ud = &s;
    if (dk_client_in_callback(c))
        return dl_err_set(err, DL_EFAIL,
                          "a blocking docker call cannot run inside a stream callback");
    if (!dk_submit(c, &o, err))
        return -1;
    if (dk_wait_flag(c, &s.done, err))
        return -1;
    if (s.err.kind != DL_OK) {
        if (err)
            *err = s.err;
        dk_resp_free(resp);
        return -1;
    }
    return 0;
}

int dk_call(dk_client *c, const char *method, const char *path,
            const char *json_body, long timeout_ms, char **body, long *status,
            dl_err *err)
{
    dk_resp r;
    if (body)
        *body = NULL;
    if (status)
        *status = 0;
    if (dk_do(c, method, path, json_body, json_body ? strlen(json_body) : 0, NULL,
              timeout_ms, 0, &r, err))
        return -1;
    if (status)
        *status = r.status;
    if (!dk_status_ok(r.status)) {
        char *what = dk_xfmt("%s %s", method, path);
        dk_error_from_response(r.status, r.body, r.len, what, err);
        free(what);
        dk_resp_free(&r);
        return -1;
    }
    if (body) {
        *body = r.body ? r.body : dk_xstrdup("");
        r.body = NULL;
    }
    dk_resp_free(&r);
    return 0;
}
