/* run.c - dl_cli_main: parse, set up, dispatch (see cli.h and cmd.h).
 *
 * Owns the per-invocation state: the config (file, then global flags), the
 * engine endpoint and the engine client, and the Ctrl-C handling shared by
 * the handlers. Commands without the CLI_ENGINE flag (help, keys, themes,
 * version) run before the config file is read, so a broken config never
 * hides the help.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "deeplens/audit.h"
#include "engines.h"
#include "deeplens/tui.h"

static char last_failure[sizeof ((dl_err *)0)->msg];   /* for the audit record */
static dl_errkind last_kind;

int cli_fail(const dl_err *err)
{
    /* the message may quote the engine, pg_dump or a tenant's status file */
    const char *m = err->msg[0] ? err->msg : dl_errkind_word(err->kind);
    snprintf(last_failure, sizeof last_failure, "%s", m);
    last_kind = err->kind;
    fputs(CLI_PROG ": ", stderr);
    cli_write_inert(stderr, m, strlen(m));
    fputc('\n', stderr);
    return dl_errkind_exit_code(err->kind);
}

/* Global flags that override a config key (same validators as the file). */
static const struct {
    enum cli_opt opt;
    const char *key;
} global_keys[] = {
    {OPT_PG_HOST, "postgres_host"}, {OPT_PG_PORT, "postgres_port"},
    {OPT_PG_USER, "postgres_user"}, {OPT_NETWORK, "network"},
    {OPT_PREFIX, "prefix"},         {OPT_THEME, "theme"},
};

static int setup(cli_run *r, dl_err *err)
{
    const cli_args *a = r->a;
    if (dl_config_load(&r->cfg, a->val[OPT_CONFIG], err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof global_keys / sizeof global_keys[0]; i++)
        if (a->val[global_keys[i].opt] &&
            dl_config_set(&r->cfg, global_keys[i].key, a->val[global_keys[i].opt], err) < 0)
            return -1;
    dk_env env;
    dk_env_from_process(&env);
    env.host_opt = a->val[OPT_HOST];
    env.context_opt = a->val[OPT_CONTEXT];
    switch (cli_engines_setup(r, &env, err)) {
    case -1:
        return -1;
    case 0:   /* one engine, found as always */
        if (dk_endpoint_resolve(&r->ep, &env, err) < 0)
            return -1;
    }
    r->ctx.site = r->cfg.site;
    return 0;
}

/* A change to a tenant on a read-only engine (DL_EREADONLY, exit 8). */
static int engine_read_only(const cli_run *r, dl_err *err)
{
    const dl_engine *e = r->engine;
    char how[200], tenant[DL_TENANT_MAX + 1];
    dl_engine_ro_how(e->name, e->read_only, how, sizeof how);
    if (r->multi && r->a->npos > 0) {
        snprintf(tenant, sizeof tenant, "%s", r->a->pos[0]);
        return dl_err_set(err, DL_EREADONLY,
                          "'%s' changes things and is refused: tenant '%s' is on engine '%s', "
                          "which is read-only (%s): nothing done",
                          r->a->cmd->name, tenant, e->name, how);
    }
    return dl_err_set(err, DL_EREADONLY,
                      "'%s' changes things and is refused: engine '%s' is read-only (%s): "
                      "nothing done",
                      r->a->cmd->name, e->name, how);
}

int cli_engine(cli_run *r, dl_err *err)
{
    dk_version v;
    if (r->ctx.dk)
        return 0;
    if (r->multi && cli_multi_route(r, err) < 0)
        return -1;
    if ((r->a->cmd->flags & CLI_MUTATES) && r->engine && r->engine->read_only)
        return engine_read_only(r, err);   /* routed to a read-only engine: nothing asked yet */
    if (dk_client_new(&r->ctx.dk, &r->ep, err) < 0)
        return -1;
    if ((r->a->cmd->flags & CLI_CHANGES) && dk_client_check_version(r->ctx.dk, &v, err) < 0)
        return -1;
    return 0;
}

int cli_tenant_arg(const cli_run *r, int i, const char **tenant, dl_err *err)
{
    *tenant = r->a->pos[i];
    return dl_validate_tenant(*tenant, err);
}

/* ---- Ctrl-C ------------------------------------------------------------ */

static volatile sig_atomic_t presses;
static int sigpipe_fd[2] = {-1, -1};
static const char *first_press_msg;

static void on_signal(int sig)
{
    int saved = errno;
    presses++;
    if (sigpipe_fd[1] >= 0 && write(sigpipe_fd[1], "", 1) < 0) {
        /* full pipe: already readable */
    }
    if (first_press_msg && presses == 1) {
        ssize_t w = write(STDERR_FILENO, first_press_msg, strlen(first_press_msg));
        (void)w;
    } else if (first_press_msg || presses > 1) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    errno = saved;
}

/* msg NULL: every press only wakes the loop (logs); else the first press
 * prints msg and the second ends the process the default way. */
static void signals_install(const char *msg)
{
    struct sigaction sa;
    first_press_msg = msg;
    if (sigpipe_fd[0] < 0 && pipe(sigpipe_fd) == 0)
        for (int i = 0; i < 2; i++) {
            fcntl(sigpipe_fd[i], F_SETFL, fcntl(sigpipe_fd[i], F_GETFL) | O_NONBLOCK);
            fcntl(sigpipe_fd[i], F_SETFD, FD_CLOEXEC);
        }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    if (!msg)   /* a stream stops cleanly on TERM too; a blocking step is Ctrl-C's only */
        sigaction(SIGTERM, &sa, NULL);
}

void cli_signals_install(void)
{
    signals_install(NULL);
}

void cli_signals_blocking_step(void)
{
    signals_install("\n" CLI_PROG ": interrupted: letting the current engine step finish "
                    "(press Ctrl-C again to quit at once)\n");
}

int cli_interrupted(void)
{
    return presses > 0;
}

int cli_signal_fd(void)
{
    return sigpipe_fd[0];
}

/* ---- hints ------------------------------------------------------------- */

static void put_arg(char *buf, size_t n, size_t *off, const char *flag, const char *v)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789-_./:@%+=,";
    if (*off >= n)
        return;
    *off += (size_t)snprintf(buf + *off, n - *off, " %s ", flag);
    if (*off >= n)
        return;
    if (*v && strspn(v, safe) == strlen(v))
        *off += (size_t)snprintf(buf + *off, n - *off, "%s", v);
    else
        *off += dl_shell_quote(v, buf + *off, n - *off);
}

void cli_hint_prefix(const cli_run *r, char *buf, size_t n)
{
    static const enum cli_opt locating[] = {OPT_HOST, OPT_CONTEXT, OPT_CONFIG, OPT_PREFIX};
    size_t off = (size_t)snprintf(buf, n, CLI_PROG);
    for (size_t i = 0; i < sizeof locating / sizeof locating[0]; i++)
        if (r->a->val[locating[i]]) {
            char flag[40];
            snprintf(flag, sizeof flag, "--%s", cli_options[locating[i]].name);
            put_arg(buf, n, &off, flag, r->a->val[locating[i]]);
        }
}

/* ---- read-only mode and the audit trail ------------------------------------ */

static int read_only(const cli_run *r)
{
    return r->a->val[OPT_READ_ONLY] || r->cfg.read_only;
}

/* A change in read-only mode: refused before anything is done (exit 8). */
static int refuse_read_only(const cli_run *r)
{
    dl_err err;
    dl_err_set(&err, DL_EREADONLY,
               "'%s' changes things and is refused in read-only mode (%s): nothing done",
               r->a->cmd->name, r->a->val[OPT_READ_ONLY] ? "--read-only" : "read_only in the config");
    return cli_fail(&err);
}

/* The audit file: a configured one must open (else nothing is done); the
 * default one falls back to syslog only, with a warning. */
static int audit_open(const cli_run *r, const char *source, dl_err *err)
{
    if (dl_audit_open(source, r->cfg.audit_file, err) == 0)
        return 0;
    if (r->cfg.audit_file[0]) {
        dl_err_prefix(err, "audit_file in the config");
        return -1;
    }
    fputs(CLI_PROG ": warning: ", stderr);
    cli_write_inert(stderr, err->msg, strlen(err->msg));
    fputs(" (recording to syslog only)\n", stderr);
    dl_err_clear(err);
    return 0;
}

/* Run a changing command with its audit record: the options and file it
 * was given (never a password: none is ever an option), then the result. */
static int run_audited(cli_run *r)
{
    const cli_args *a = r->a;
    dl_audit_entry e;
    dl_err err;
    int rc;

    dl_err_clear(&err);
    if (audit_open(r, "cli", &err) < 0)
        return cli_fail(&err);
    dl_audit_begin(&e, a->cmd->name, a->npos ? a->pos[0] : NULL, r->ep.display);
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (a->val[o] && (a->cmd->opts & CLI_OPT(o)))
            dl_audit_add(&e, cli_options[o].name, cli_options[o].arg ? a->val[o] : "yes");
    if (a->npos > 1)
        dl_audit_add(&e, "file", a->pos[1]);
    last_failure[0] = '\0';
    last_kind = DL_OK;
    rc = a->cmd->run(r);
    if (rc != 0 && last_kind == DL_EREADONLY) {
        /* refused on a read-only engine before anything was asked: not
         * recorded, as a change in read-only mode is not */
        dl_audit_close();
        return rc;
    }
    if (dl_audit_record(&e, rc == 0, last_failure[0] ? last_failure : "failed", &err) < 0) {
        fputs(CLI_PROG ": warning: ", stderr);
        cli_write_inert(stderr, err.msg, strlen(err.msg));
        fputc('\n', stderr);
    }
    dl_audit_close();
    return rc;
}

/* ---- main -------------------------------------------------------------- */

static int run_console(cli_run *r)
{
    dl_err err;
    dl_tui_opts o;
    int rc;
    dl_err_clear(&err);
    if (setup(r, &err) < 0)
        return cli_fail(&err);
    if (r->a->val[OPT_NO_COLOR])
        setenv("NO_COLOR", "1", 1);   /* the console's one colour switch */
    memset(&o, 0, sizeof o);
    o.config = &r->cfg;
    o.endpoint = &r->ep;
    if (r->multi) {   /* every engine in one list */
        o.engines = r->multi->e;
        o.nengines = r->multi->n;
        o.endpoint = &r->multi->e[0].ep;
    }
    o.theme = r->a->val[OPT_THEME];   /* NULL: the config's */
    o.password_file = r->a->val[OPT_PASSWORD_FILE];
    o.ascii = r->a->val[OPT_ASCII] != NULL;
    if (!r->multi && r->engine && r->engine->read_only)
        r->cfg.read_only = 1;   /* its one engine is read-only: the whole console is */
    if (read_only(r))
        r->cfg.read_only = 1;   /* the console reads it from the config */
    else if (audit_open(r, "console", &err) < 0)
        return cli_fail(&err);
    rc = dl_tui_run(&o, &err);
    dl_audit_close();
    if (rc != 0 && err.kind != DL_OK)
        cli_fail(&err);
    return rc;
}

int dl_cli_main(int argc, char **argv)
{
    static cli_run r;   /* dl_config is large; one per process */
    cli_args a;
    dl_err err;
    int rc;

    setlocale(LC_ALL, "");
    dl_err_clear(&err);
    if (cli_args_parse(&a, argc, argv, &err) < 0) {
        rc = cli_fail(&err);
        if (a.cmd)
            fprintf(stderr, "Try '" CLI_PROG " help %s'.\n", a.cmd->name);
        else
            fprintf(stderr, "Try '" CLI_PROG " --help'.\n");
        return rc;
    }
    if (a.val[OPT_HELP]) {
        if (a.cmd && strcmp(a.cmd->name, "help") != 0)
            cli_help_command(stdout, a.cmd->name);
        else
            cli_help(stdout);
        return 0;
    }
    memset(&r, 0, sizeof r);
    r.a = &a;
    r.stdin_tty = isatty(STDIN_FILENO);
    cli_out_init(&r.out, stdout, a.val[OPT_ASCII] != NULL, a.val[OPT_NO_COLOR] != NULL);
    dl_config_defaults(&r.cfg);
    if (a.val[OPT_VERSION])
        return cli_cmd_version(&r);
    if (!a.cmd) {
        if (r.stdin_tty && r.out.tty)
            return run_console(&r);
        cli_usage(stderr);
        fprintf(stderr, CLI_PROG ": the console needs a terminal; name a command (see '" CLI_PROG
                        " --help')\n");
        return dl_errkind_exit_code(DL_EINVAL);
    }
    if (!(a.cmd->flags & CLI_ENGINE))
        return a.cmd->run(&r);
    if (setup(&r, &err) < 0)
        return cli_fail(&err);
    if ((a.cmd->flags & CLI_MUTATES) && read_only(&r))
        return refuse_read_only(&r);
    if ((a.cmd->flags & CLI_MUTATES) && r.engine && r.engine->read_only) {
        /* the one engine named (-H NAME, -H NAME=ADDRESS) is read-only */
        engine_read_only(&r, &err);
        return cli_fail(&err);
    }
    rc = (a.cmd->flags & CLI_MUTATES) ? run_audited(&r) : a.cmd->run(&r);
    fflush(stdout);
    dk_client_free(r.ctx.dk);
    return rc;
}
