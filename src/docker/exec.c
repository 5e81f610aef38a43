/* exec.c - run a command in a running container: POST .../exec, then a
 * plain POST /exec/{id}/start (no Upgrade: the engine takes over the socket
 * anyway, streams stdcopy frames and closes at exit), then the exit code
 * from GET /exec/{id}/json.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *dk_exec_body(const dk_exec_opts *o)
{
    cJSON *j = dkj_obj();
    dkj_add_bool(j, "AttachStdin", 0);
    dkj_add_bool(j, "AttachStdout", 1);
    dkj_add_bool(j, "AttachStderr", 1);
    dkj_add_bool(j, "Tty", 0);
    dkj_add_strv(j, "Cmd", o->cmd);
    if (o->env)
        dkj_add_strv(j, "Env", o->env);
    if (o->user && *o->user)
        dkj_add_str(j, "User", o->user);
    if (o->working_dir && *o->working_dir)
        dkj_add_str(j, "WorkingDir", o->working_dir);
    return dkj_print_free(j);
}

static int exec_create(dk_client *c, const char *container, const dk_exec_opts *o,
                       char id_out[65], dl_err *err)
{
    char *body, *en, *path;
    dk_resp r;
    cJSON *j;
    int rc;

    if (!o->cmd || !o->cmd[0])
        return dl_err_set(err, DL_EINVAL, "running a command in container '%s': no command given",
                          container);
    body = dk_exec_body(o);
    en = dk_escape(container);
    path = dk_xfmt("/containers/%s/exec", en);
    rc = dk_do(c, "POST", path, body, strlen(body), NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);
    free(body);
    free(en);
    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        char *what = dk_xfmt("running '%s' in container '%s'", o->cmd[0], container);
        dk_container_error(r.status, r.body, r.len, what, container, err);
        free(what);
        if (r.status == 409 && r.body && strstr(r.body, "is not running"))
            dl_err_set(err, DL_ECONFLICT, "container '%s' is not running", container);
        else if (r.status == 409 && r.body && strstr(r.body, "is paused"))
            dl_err_set(err, DL_ECONFLICT, "container '%s' is paused", container);
        if (err)
            err->http_status = r.status;
        dk_resp_free(&r);
        return -1;
    }
    j = dkj_parse(r.body, r.len, "an exec", err);
    dk_resp_free(&r);
    if (!j)
        return -1;
    snprintf(id_out, 65, "%s", dkj_str(j, "Id"));
    cJSON_Delete(j);
    if (!id_out[0])
        return dl_err_set(err, DL_EPROTO, "the engine created an exec but sent no id");
    return 0;
}

dk_req *dk_exec_start_async(dk_client *c, const char *container,
                            const dk_exec_opts *o, dk_data_fn on_data,
                            dk_done_fn on_done, void *ud, char *exec_id_out,
                            dl_err *err)
{
    static const char start_body[] = "{\"Detach\":false,\"Tty\":false}";
    char id[65], *path, *what;
    dk_req_opts ro;
    dk_req *r;

    if (exec_id_out)
        exec_id_out[0] = '\0';
    if (exec_create(c, container, o, id, err))
        return NULL;
    if (exec_id_out)
        memcpy(exec_id_out, id, sizeof id);
    path = dk_xfmt("/exec/%s/start", id);
    memset(&ro, 0, sizeof ro);
    ro.method = "POST";
    ro.path = path;
    ro.body = start_body;
    ro.body_len = sizeof start_body - 1;
    ro.mode = DK_BODY_MUX;
    ro.timeout_ms = 0;  /* runs as long as the command does */
    ro.on_data = on_data;
    ro.on_done = on_done;
    ro.ud = ud;
    r = dk_submit(c, &ro, err);
    free(path);
    if (r) {
        what = dk_xfmt("running '%s' in container '%s'", o->cmd[0], container);
        dk_req_set_context(r, what, NULL);
        free(what);
    }
    return r;
}

int dk_exec_exit_from_json(const char *body, size_t len, const char *exec_id, int *exit_code,
                           dl_err *err)
{
    const cJSON *code;
    cJSON *j = dkj_parse(body, len, "an exec", err);
    if (!j)
        return -1;
    code = cJSON_GetObjectItemCaseSensitive(j, "ExitCode");
    if (dkj_bool(j, "Running") || !cJSON_IsNumber(code)) {
        cJSON_Delete(j);
        return dl_err_set(err, DL_EFAIL, "the command '%.12s' is still running", exec_id);
    }
    if (exit_code)
        *exit_code = code->valueint;
    cJSON_Delete(j);
    return 0;
}

int dk_exec_exit_code(dk_client *c, const char *exec_id, int *exit_code,
                      dl_err *err)
{
    char *path = dk_xfmt("/exec/%s/json", exec_id);
    dk_resp r;
    int rc = dk_do(c, "GET", path, NULL, 0, NULL, DK_SHORT_TIMEOUT_MS, 0, &r, err);

    free(path);
    if (rc)
        return -1;
    if (!dk_status_ok(r.status)) {
        dk_error_from_response(r.status, r.body, r.len, "reading the exit code of a command", err);
        if (r.status == 404)
            dl_err_set(err, DL_ENOTFOUND, "no such exec '%.12s' (the engine forgets them after "
                       "a few minutes)", exec_id);
        if (err)
            err->http_status = r.status;
        dk_resp_free(&r);
        return -1;
    }
    rc = dk_exec_exit_from_json(r.body, r.len, exec_id, exit_code, err);
    dk_resp_free(&r);
    return rc;
}

typedef struct run_ctx {
    int done;
    dl_err err;
    dk_data_fn on_data;
    void *ud;
} run_ctx;

static int run_data(void *ud, int stream, const char *p, size_t n)
{
    run_ctx *x = ud;
    if (stream == 0)
        stream = 1;
    return x->on_data ? x->on_data(x->ud, stream, p, n) : 0;
}

static void run_done(void *ud, dk_req *r)
{
    run_ctx *x = ud;
    x->done = 1;
    dk_req_result(r, &x->err);
}

int dk_exec_run(dk_client *c, const char *container, const dk_exec_opts *o,
                dk_data_fn on_data, void *ud, int *exit_code, dl_err *err)
{
    char id[65];
    run_ctx x;
    memset(&x, 0, sizeof x);
    x.on_data = on_data;
    x.ud = ud;
    if (exit_code)
        *exit_code = -1;
    if (!dk_exec_start_async(c, container, o, run_data, run_done, &x, id, err))
        return -1;
    if (dk_wait_flag(c, &x.done, err))
        return -1;
    if (x.err.kind != DL_OK) {
        if (err)
            *err = x.err;
        return -1;
    }
    return dk_exec_exit_code(c, id, exit_code, err);
}

typedef struct capture {
    char *buf[2];
    size_t len[2], cap;
    int want[2];
} capture;

static int capture_data(void *ud, int stream, const char *p, size_t n)
{
    capture *k = ud;
    int i = stream == 2 ? 1 : 0;
    size_t room;
    if (stream == 3 || !k->want[i])
        return 0;
    room = k->cap - k->len[i];
    if (n > room)
        n = room;  /* the rest is dropped */
    if (!n)
        return 0;
    k->buf[i] = dk_xrealloc(k->buf[i], k->len[i] + n + 1);
    memcpy(k->buf[i] + k->len[i], p, n);
    k->len[i] += n;
    k->buf[i][k->len[i]] = '\0';
    return 0;
}

int dk_exec_capture(dk_client *c, const char *container, const dk_exec_opts *o,
                    char **out, char **errout, size_t cap, int *exit_code,
                    dl_err *err)
{
    capture k;
    int rc;
    memset(&k, 0, sizeof k);
    k.cap = cap ? cap : 1024u * 1024u;
    k.want[0] = out != NULL;
    k.want[1] = errout != NULL;
    rc = dk_exec_run(c, container, o, capture_data, &k, exit_code, err);
    if (out)
        *out = k.buf[0] ? k.buf[0] : dk_xstrdup("");
    if (errout)
        *errout = k.buf[1] ? k.buf[1] : dk_xstrdup("");
    if (rc) {
        if (out) {
            free(*out);
            *out = NULL;
        }
        if (errout) {
            free(*errout);
            *errout = NULL;
        }
    }
    return rc;
}
