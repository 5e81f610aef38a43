/* cmd_read.c - the read commands: status, list, files, logs, metrics.
 * None of them changes anything; all take their data from the domain. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "engines.h"
#include "json.h"
#include "deeplens/manifest.h"
#include "deeplens/text.h"

/* status: exit 0 when every shown tenant is ok, 6 when one is not, the
 * first error's code when a tenant could not be read. */
int cli_cmd_status(cli_run *r)
{
    const cli_args *a = r->a;
    dl_status *v = NULL;
    size_t n = 0;
    dl_err err;
    int rc = 0;

    if (r->multi)
        return cli_multi_status(r);
    dl_err_clear(&err);
    for (int i = 0; i < a->npos; i++) {
        const char *t;
        if (cli_tenant_arg(r, i, &t, &err) < 0)
            return cli_fail(&err);
    }
    if (cli_engine(r, &err) < 0)
        return cli_fail(&err);
    if (a->npos == 0) {
        if (dl_status_all(&r->ctx, 0, &v, &n, &err) < 0)
            return cli_fail(&err);
    } else {
        v = calloc((size_t)a->npos, sizeof *v);
        if (!v)
            dl_oom();
        for (int i = 0; i < a->npos; i++) {
            if (dl_status_get(&r->ctx, a->pos[i], &v[n], &err) == 0) {
                n++;
                continue;
            }
            dl_status_clear(&v[n]);
            memset(&v[n], 0, sizeof v[n]);
            if (!rc)
                rc = cli_fail(&err);
            else
                cli_fail(&err);
        }
    }
    return cli_print_statuses(r, v, n, rc, a->npos == 0 ? "no tenant backups found\n" : NULL);
}

int cli_print_statuses(cli_run *r, dl_status *v, size_t n, int rc, const char *none)
{
    time_t now = time(NULL);
    dl_err err;

    dl_err_clear(&err);
    if (rc && n == 0) {
        /* nothing could be read: no "[]" that a script would take for "no tenants" */
    } else if (r->a->val[OPT_JSON]) {
        if (cli_json_statuses(stdout, v, n, now, &err) < 0 && !rc)
            rc = cli_fail(&err);
    } else if (n == 0 && none) {
        fputs(none, stdout);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputc('\n', stdout);
            cli_print_status(&r->out, &v[i], now);
        }
    }
    for (size_t i = 0; !rc && i < n; i++)
        if (v[i].health != DL_HEALTH_OK)
            rc = CLI_EXIT_UNHEALTHY;
    dl_statuses_free(v, n);
    return rc;
}

int cli_cmd_list(cli_run *r)
{
    dl_status *v = NULL;
    size_t n = 0;
    dl_err err;
    int rc = 0;

    if (r->multi)
        return cli_multi_list(r);
    dl_err_clear(&err);
    if (cli_engine(r, &err) < 0 || dl_list(&r->ctx, &v, &n, &err) < 0)
        return cli_fail(&err);
    if (r->a->val[OPT_JSON])
        rc = cli_json_statuses(stdout, v, n, time(NULL), &err) < 0 ? cli_fail(&err) : 0;
    else
        cli_print_list(&r->out, v, n, time(NULL));
    dl_statuses_free(v, n);
    return rc;
}

/* files TENANT FILE: one backup's manifest */
static int files_manifest(cli_run *r, const char *tenant, const char *file)
{
    dl_manifest m;
    dl_err err;
    int rc = 0;

    dl_err_clear(&err);
    memset(&m, 0, sizeof m);
    if (cli_engine(r, &err) < 0 || dl_manifest_get(&r->ctx, tenant, file, &m, &err) < 0)
        return cli_fail(&err);
    if (r->a->val[OPT_JSON])
        rc = cli_json_manifest(stdout, tenant, file, &m, &err) < 0 ? cli_fail(&err) : 0;
    else
        cli_print_manifest(&r->out, file, &m);
    dl_manifest_clear(&m);
    return rc;
}

int cli_cmd_files(cli_run *r)
{
    const char *tenant;
    dl_files f;
    dl_err err;
    int rc = 0;

    dl_err_clear(&err);
    memset(&f, 0, sizeof f);
    if (cli_tenant_arg(r, 0, &tenant, &err) < 0)
        return cli_fail(&err);
    if (r->a->npos > 1)
        return files_manifest(r, tenant, r->a->pos[1]);
    if (cli_engine(r, &err) < 0 || dl_files_list(&r->ctx, tenant, &f, &err) < 0)
        return cli_fail(&err);
    if (r->a->val[OPT_JSON])
        rc = cli_json_files(stdout, tenant, &f, &err) < 0 ? cli_fail(&err) : 0;
    else
        cli_print_files(&r->out, tenant, &f);
    dl_files_clear(&f);
    return rc;
}

/* ---- logs -------------------------------------------------------------- */

struct logs_state {
    cli_out out, errout;
    int follow, done, last_stream, raw;
    dl_err err;
};

static int log_line(void *ud, const char *line, size_t n, int continued, int stream)
{
    struct logs_state *s = ud;
    const cli_out *o = stream == 2 ? &s->errout : &s->out;
    if (stream != s->last_stream) {   /* keep the order when both go to one place */
        fflush(stdout);
        s->last_stream = stream;
    }
    if (s->raw)
        fwrite(line, 1, n, o->f);
    else
        cli_write_foreign(o, line, n);
    if (!continued)
        fputc('\n', o->f);
    if (s->follow)
        fflush(o->f);
    return 0;
}

static void log_end(void *ud, const dl_err *err)
{
    struct logs_state *s = ud;
    if (err)
        s->err = *err;
    s->done = 1;
}

static int parse_tail(const char *text, long *tail, dl_err *err)
{
    if (!text || strcmp(text, "all") == 0) {
        *tail = -1;
        return 0;
    }
    if (dl_validate_number("tail", text, 0, 100000000, tail, NULL) < 0)
        return dl_err_set(err, DL_EINVAL, "invalid tail '%s': expected a number of lines or 'all'",
                          text);
    return 0;
}

int cli_cmd_logs(cli_run *r)
{
    const cli_args *a = r->a;
    static struct logs_state s;
    const char *tenant;
    long tail;
    dl_log_stream *stream;
    int cancelled = 0;

    memset(&s, 0, sizeof s);
    dl_err_clear(&s.err);
    s.out = r->out;
    cli_out_init(&s.errout, stderr, a->val[OPT_ASCII] != NULL, a->val[OPT_NO_COLOR] != NULL);
    s.follow = a->val[OPT_FOLLOW] != NULL;
    s.raw = a->val[OPT_RAW] != NULL;
    if (cli_tenant_arg(r, 0, &tenant, &s.err) < 0 || parse_tail(a->val[OPT_TAIL], &tail, &s.err) < 0 ||
        cli_engine(r, &s.err) < 0)
        return cli_fail(&s.err);
    cli_signals_install();
    stream = dl_logs_open(&r->ctx, tenant, s.follow, tail, a->val[OPT_TIMESTAMPS] != NULL,
                          log_line, log_end, &s, &s.err);
    if (!stream)
        return cli_fail(&s.err);
    while (!s.done) {
        int p = dl_ctx_poll(&r->ctx, cli_signal_fd(), 1000);
        if ((p == 1 || cli_interrupted()) && !cancelled) {
            cancelled = 1;
            dl_log_stream_close(stream);   /* log_end runs before this returns */
        } else if (p < 0) {
            dl_log_stream_close(stream);
            break;
        }
    }
    fflush(stdout);
    if (cancelled) {
        if (s.errout.tty)
            fputc('\n', stderr);   /* the shell's prompt after the ^C, not on it */
        return dl_errkind_exit_code(DL_ECANCEL);
    }
    if (s.err.kind != DL_OK)
        return cli_fail(&s.err);
    return 0;
}

int cli_cmd_metrics(cli_run *r)
{
    dl_err err;
    const char *dir = r->a->val[OPT_TEXTFILE];
    dl_err_clear(&err);
    if (dir && dl_metrics_check_dir(dir, &err) < 0)
        return cli_fail(&err);
    if (r->multi)
        return cli_multi_metrics(r);
    if (cli_engine(r, &err) < 0 ||
        (dir ? dl_metrics_textfile(&r->ctx, dir, &err) : dl_metrics_write(&r->ctx, stdout, &err)) < 0)
        return cli_fail(&err);
    return 0;
}
