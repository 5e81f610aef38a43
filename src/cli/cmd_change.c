/* cmd_change.c - the commands that change a provisioned tenant:
 * reschedule, backup-now, verify, drill, restore, restart, remove.
 * Inputs are validated before the engine is touched; the domain's progress
 * lines are shown as they come. Deleting backup files is asked twice. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "deeplens/text.h"

/* Validate TENANT, connect, and run one tenant operation with progress. */
typedef int (*tenant_op)(cli_run *r, const char *tenant, dl_err *err);

static int run_tenant_op(cli_run *r, tenant_op op)
{
    const char *tenant;
    dl_err err;
    dl_err_clear(&err);
    if (cli_tenant_arg(r, 0, &tenant, &err) < 0 || cli_engine(r, &err) < 0)
        return cli_fail(&err);
    cli_signals_blocking_step();
    if (op(r, tenant, &err) < 0)
        return cli_fail(&err);
    return 0;
}

/* ---- reschedule ---------------------------------------------------------- */

int cli_cmd_reschedule(cli_run *r)
{
    const cli_args *a = r->a;
    const char *tenant, *sched = a->val[OPT_SCHEDULE], *drill = a->val[OPT_DRILL_SCHEDULE];
    dl_storage_opts so = {a->val[OPT_COMPRESSION], a->val[OPT_ZSTD_LEVEL], a->val[OPT_FORMAT],
                          a->val[OPT_NO_COMPRESSION] != NULL};
    int days = 0, rc, storage = so.compression || so.zstd_level || so.format || so.no_compression;
    int webhook = a->val[OPT_WEBHOOK] || a->val[OPT_WEBHOOK_FORMAT] ||
                  a->val[OPT_WEBHOOK_SECRET_FILE] || a->val[OPT_NO_WEBHOOK];
    long window = 0;
    dl_reschedule_opts o;
    char secret[1024] = "";
    dl_err err;
    dl_spec_setting set[CLI_NSETTINGS];
    size_t nset = cli_settings(a, set);
    dl_spec check;

    dl_err_clear(&err);
    if (cli_tenant_arg(r, 0, &tenant, &err) < 0)
        return cli_fail(&err);
    if (!sched && !a->val[OPT_RETENTION] && !drill && !a->val[OPT_DRILL_WINDOW] && !nset &&
        !storage && !webhook) {
        dl_err_set(&err, DL_EINVAL,
                   "'reschedule' needs --schedule, --retention, a --size-* option or --run-timeout, "
                   "a drill setting (--drill-schedule, --drill-window), a storage option "
                   "(--compression, --zstd-level, --format) or a webhook option (--webhook, "
                   "--webhook-format, --webhook-secret-file, --no-webhook)");
        return cli_fail(&err);
    }
    dl_spec_defaults(&check);
    for (size_t i = 0; i < nset; i++)
        if (dl_spec_set(&check, set[i].label, set[i].text, &err) < 0)
            return cli_fail(&err);
    if ((sched && dl_validate_schedule(sched, &err) < 0) ||
        (a->val[OPT_RETENTION] && dl_validate_retention(a->val[OPT_RETENTION], &days, &err) < 0) ||
        (so.compression && dl_parse_compression(so.compression, NULL, &err) < 0) ||
        (so.format && dl_validate_format(so.format, &err) < 0) ||
        (so.zstd_level && dl_validate_zstd_level(so.zstd_level, NULL, &err) < 0) ||
        (drill && strcmp(drill, "none") && dl_validate_drill_schedule(drill, &err) < 0) ||
        (drill && !*drill &&
         dl_err_set(&err, DL_EINVAL, "invalid drill schedule '': give a cron or 'none'") < 0) ||
        (a->val[OPT_DRILL_WINDOW] &&
         dl_validate_number("drill window", a->val[OPT_DRILL_WINDOW], 1, DL_RETENTION_MAX,
                            &window, &err) < 0) ||
        cli_webhook_flags_check(a, &err) < 0 ||
        (a->val[OPT_WEBHOOK] && dl_validate_webhook_url(a->val[OPT_WEBHOOK], &err) < 0) ||
        (a->val[OPT_WEBHOOK_FORMAT] &&
         dl_validate_webhook_format(a->val[OPT_WEBHOOK_FORMAT], &err) < 0))
        return cli_fail(&err);
    o = (dl_reschedule_opts){.schedule = sched, .retention_days = days, .drill_schedule = drill,
                             .drill_window_days = (int)window, .storage = storage ? &so : NULL,
                             .set = set, .nset = nset};
    if (a->val[OPT_WEBHOOK_SECRET_FILE]) {
        static dl_config c;
        c = r->cfg;
        if (dl_config_set(&c, "webhook_secret_file", a->val[OPT_WEBHOOK_SECRET_FILE], &err) < 0 ||
            dl_config_webhook_secret(&c, secret, sizeof secret, &err) < 0)
            return cli_fail(&err);
        o.webhook_secret = secret;
    }
    if (cli_engine(r, &err) < 0) {
        dl_wipe(secret, sizeof secret);
        return cli_fail(&err);
    }
    o.webhook_off = a->val[OPT_NO_WEBHOOK] != NULL;
    o.webhook_url = a->val[OPT_WEBHOOK];
    o.webhook_format = a->val[OPT_WEBHOOK_FORMAT];
    cli_signals_blocking_step();
    rc = dl_reschedule_opts_apply(&r->ctx, tenant, &o, cli_progress, &r->out, &err);
    dl_wipe(secret, sizeof secret);
    if (rc < 0)
        return cli_fail(&err);
    return 0;
}

/* ---- backup-now, restart, verify ------------------------------------------ */

static int op_backup_now(cli_run *r, const char *tenant, dl_err *err)
{
    return dl_backup_now(&r->ctx, tenant, cli_progress, &r->out, err);
}

static int op_restart(cli_run *r, const char *tenant, dl_err *err)
{
    return dl_restart(&r->ctx, tenant, cli_progress, &r->out, err);
}

static int op_verify(cli_run *r, const char *tenant, dl_err *err)
{
    return dl_verify(&r->ctx, tenant, r->a->npos > 1 ? r->a->pos[1] : NULL, cli_progress, &r->out,
                     err);
}

int cli_cmd_backup_now(cli_run *r)
{
    return run_tenant_op(r, op_backup_now);
}

int cli_cmd_restart(cli_run *r)
{
    return run_tenant_op(r, op_restart);
}

int cli_cmd_verify(cli_run *r)
{
    return run_tenant_op(r, op_verify);
}

static int op_drill(cli_run *r, const char *tenant, dl_err *err)
{
    return dl_drill(&r->ctx, tenant, r->a->npos > 1 ? r->a->pos[1] : NULL, cli_progress, &r->out,
                    err);
}

int cli_cmd_drill(cli_run *r)
{
    return run_tenant_op(r, op_drill);
}

/* ---- restore ---------------------------------------------------------- */

static int op_restore(cli_run *r, const char *tenant, dl_err *err)
{
    const char *to = r->a->val[OPT_TO];
    char target[80];
    if (!to) {   /* <database>_restore: the tenant's database comes from its labels */
        dl_status st;
        char db[64];
        memset(&st, 0, sizeof st);
        if (dl_status_get(&r->ctx, tenant, &st, err) < 0)
            return -1;
        snprintf(target, sizeof target, "%s_restore", dl_spec_database(&st.spec, db, sizeof db));
        dl_status_clear(&st);
        if (dl_validate_database(target, err) < 0) {
            dl_err_prefix(err, "default restore target too long, use --to");
            return -1;
        }
        to = target;
    }
    return dl_restore(&r->ctx, tenant, r->a->pos[1], to, r->a->val[OPT_FORCE] != NULL, cli_progress,
                      &r->out, err);
}

int cli_cmd_restore(cli_run *r)
{
    dl_err err;
    dl_err_clear(&err);
    if (r->a->val[OPT_TO] && dl_validate_database(r->a->val[OPT_TO], &err) < 0)
        return cli_fail(&err);
    return run_tenant_op(r, op_restore);
}

/* ---- remove ----------------------------------------------------------- */

/* On a terminal: show what goes and have the tenant name typed. */
static int confirm_delete(cli_run *r, const char *tenant, dl_err *err)
{
    dl_status st;
    char line[128], size[32];
    memset(&st, 0, sizeof st);
    if (dl_status_get(&r->ctx, tenant, &st, err) < 0)
        return -1;
    fputs("This removes ", stderr);
    cli_write_inert(stderr, st.container, strlen(st.container));
    fprintf(stderr, " and DELETES %s%d backup files (%s) on ", st.have_job_status ? "" : "all ",
            st.file_count, cli_fmt_size(st.total_bytes, size, sizeof size));
    cli_write_inert(stderr, st.spec.nfs_path, strlen(st.spec.nfs_path));
    fputs(".\n", stderr);
    dl_status_clear(&st);
    fprintf(stderr, "Type the tenant name to confirm: ");
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin))
        line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, tenant) != 0)
        return dl_err_set(err, DL_ECANCEL, "not confirmed ('%s' is not '%s'): nothing removed",
                          line, tenant);
    return 0;
}

static int op_remove(cli_run *r, const char *tenant, dl_err *err)
{
    int del = r->a->val[OPT_DELETE_BACKUPS] != NULL;
    if (dl_remove(&r->ctx, tenant, del, cli_progress, &r->out, err) < 0)
        return -1;
    printf("Backup of %s removed%s\n", tenant,
           del ? ", backup files deleted" : "; backup files kept (--delete-backups deletes them)");
    return 0;
}

int cli_cmd_remove(cli_run *r)
{
    const cli_args *a = r->a;
    const char *tenant;
    dl_err err;

    dl_err_clear(&err);
    if (cli_tenant_arg(r, 0, &tenant, &err) < 0)
        return cli_fail(&err);
    if (a->val[OPT_DELETE_BACKUPS] && !a->val[OPT_YES]) {
        if (!r->stdin_tty || !isatty(STDERR_FILENO)) {
            dl_err_set(&err, DL_EINVAL,
                       "refusing to delete the backup files of '%s' without confirmation: "
                       "no terminal to ask on, add --yes",
                       tenant);
            return cli_fail(&err);
        }
        if (cli_engine(r, &err) < 0 || confirm_delete(r, tenant, &err) < 0)
            return cli_fail(&err);
    }
    return run_tenant_op(r, op_remove);
}
