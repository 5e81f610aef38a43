/* cmd.h - what a subcommand handler gets, and the handlers.
 *
 * run.c builds one cli_run per invocation (parsed args, config with the
 * command-line overrides applied, engine endpoint) and calls the handler
 * named in the subcommand table. A handler returns the process exit code;
 * on failure it prints `deeplens-backup: <message>` through cli_fail().
 * Handlers validate every input before the first engine request; the
 * engine client is created on demand by cli_engine().
 */
#ifndef DEEPLENS_CLI_CMD_H
#define DEEPLENS_CLI_CMD_H

#include <stdio.h>

#include "deeplens/backup.h"
#include "deeplens/config.h"
#include "args.h"
#include "text.h"

#define CLI_PROG "deeplens-backup"

struct cli_run {
    const cli_args *a;
    dl_config cfg;        /* file over defaults, then the global flags */
    dk_endpoint ep;
    dl_ctx ctx;           /* ctx.dk is NULL until cli_engine() */
    cli_out out;          /* stdout */
    int stdin_tty;
    struct cli_engines *multi;   /* several engines (engines.h), else NULL */
    /* the one named engine, or the tenant's once routed; NULL for the one
     * unnamed engine of old */
    const struct dl_engine *engine;
};

/* Print `deeplens-backup: <message>` on stderr; returns the exit code of
 * the error's kind. */
int cli_fail(const dl_err *err);
/* Create the engine client (once); with the CLI_CHANGES flag of the
 * command also check the engine's API version first. */
int cli_engine(cli_run *r, dl_err *err);
/* Validate the one TENANT argument (index i) before any engine call. */
int cli_tenant_arg(const cli_run *r, int i, const char **tenant, dl_err *err);
/* Ctrl-C. cli_signals_install: every press makes cli_signal_fd() (a pipe,
 * for dk_client_poll's extra fd) readable - for loops that stop cleanly
 * (logs). cli_signals_blocking_step: around a blocking domain call that
 * cannot be cancelled midway, the first press says the step will finish,
 * the second ends the process. cli_interrupted(): was it pressed. */
void cli_signals_install(void);
void cli_signals_blocking_step(void);
int cli_interrupted(void);
int cli_signal_fd(void);
/* The global options that locate the tenant (-H, --config, --prefix), shell
 * quoted, for hints like "deeplens-backup -H tcp://x:2376 logs acme". */
void cli_hint_prefix(const cli_run *r, char *buf, size_t n);

/* Handlers (one group per file). */
int cli_cmd_provision(cli_run *r);    /* cmd_provision.c */
/* --no-webhook with another webhook flag: DL_EINVAL naming both (cmd_provision.c) */
int cli_webhook_flags_check(const cli_args *a, dl_err *err);
int cli_cmd_status(cli_run *r);       /* cmd_read.c */
int cli_cmd_list(cli_run *r);
int cli_cmd_files(cli_run *r);
/* The size-rule and run-timeout flags given (at most CLI_NSETTINGS) as
 * dl_spec_set pairs; returns the count. */
#define CLI_NSETTINGS 5
size_t cli_settings(const cli_args *a, dl_spec_setting *out);
int cli_cmd_logs(cli_run *r);
int cli_cmd_metrics(cli_run *r);
int cli_cmd_reschedule(cli_run *r);   /* cmd_change.c */
int cli_cmd_backup_now(cli_run *r);
int cli_cmd_verify(cli_run *r);
int cli_cmd_drill(cli_run *r);
int cli_cmd_restore(cli_run *r);
int cli_cmd_restart(cli_run *r);
int cli_cmd_remove(cli_run *r);
int cli_cmd_audit(cli_run *r);        /* cmd_audit.c */
int cli_cmd_keys(cli_run *r);         /* cmd_info.c */
int cli_cmd_themes(cli_run *r);
int cli_cmd_version(cli_run *r);
int cli_cmd_help(cli_run *r);

/* Statuses v[0..n) on stdout (JSON with --json, else one block each), then
 * freed: rc, or CLI_EXIT_UNHEALTHY when rc is 0 and one is not ok. Nothing
 * when none was read and rc says why; `none` (may be NULL) for an empty list. */
int cli_print_statuses(cli_run *r, dl_status *v, size_t n, int rc, const char *none);

#endif
