/* cmd_provision.c - `provision TENANT --nfs-path ...`.
 *
 * Every input is validated (the spec validators, the same as the console's
 * forms) before the password is read and before the first engine request;
 * a bad value exits 2 with nothing created. Then dl_provision runs with
 * progress lines in the document's "Expected Output" words and the summary
 * block at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "deeplens/text.h"

/* Provision flags that are also config keys: the file's rules apply. */
static const struct {
    enum cli_opt opt;
    const char *key;
} spec_keys[] = {
    {OPT_SCHEDULE, "schedule"},       {OPT_RETENTION, "retention"}, {OPT_KEEP_MIN, "keep_min"},
    {OPT_NFS_OPTIONS, "nfs_options"}, {OPT_IMAGE, "image"},         {OPT_UID_GID, "uid_gid"},
    {OPT_DRILL_SCHEDULE, "drill_schedule"}, {OPT_DRILL_WINDOW, "drill_window"},
    {OPT_WEBHOOK, "webhook_url"},     {OPT_WEBHOOK_FORMAT, "webhook_format"},
    {OPT_WEBHOOK_SECRET_FILE, "webhook_secret_file"},
};

static const struct {
    enum cli_opt opt;
    const char *label;
} settings[CLI_NSETTINGS] = {
    {OPT_SIZE_MIN_PERCENT, "size_min_percent"}, {OPT_SIZE_MAX_FACTOR, "size_max_factor"},
    {OPT_SIZE_WINDOW, "size_window"},           {OPT_SIZE_FLOOR, "size_floor"},
    {OPT_RUN_TIMEOUT, "run_timeout"},
};

size_t cli_settings(const cli_args *a, dl_spec_setting *out)
{
    size_t n = 0;
    for (size_t i = 0; i < CLI_NSETTINGS; i++)
        if (a->val[settings[i].opt]) {
            out[n].label = settings[i].label;
            out[n++].text = a->val[settings[i].opt];
        }
    return n;
}

static int copy_field(char *dst, size_t size, const char *field, const char *v, dl_err *err)
{
    if (strlen(v) >= size)
        return dl_err_set(err, DL_EINVAL, "invalid %s '%.60s...': longer than %zu characters", field,
                          v, size - 1);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* --no-webhook goes with no other webhook flag. */
int cli_webhook_flags_check(const cli_args *a, dl_err *err)
{
    static const enum cli_opt with[] = {OPT_WEBHOOK, OPT_WEBHOOK_FORMAT, OPT_WEBHOOK_SECRET_FILE};
    if (!a->val[OPT_NO_WEBHOOK])
        return 0;
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (a->val[with[i]])
            return dl_err_set(err, DL_EINVAL, "--no-webhook and --%s contradict each other",
                              cli_options[with[i]].name);
    return 0;
}

/* The spec from config + flags, fully validated; the webhook's shared secret
 * (flag, else config) into secret when the tenant has a webhook. */
static int build_spec(cli_run *r, const char *tenant, dl_spec *s, char *secret, size_t n,
                      dl_err *err)
{
    const cli_args *a = r->a;
    static dl_config c;   /* a copy: the flags apply to this tenant only */

    secret[0] = '\0';
    if (cli_webhook_flags_check(a, err) < 0)
        return -1;
    if (a->val[OPT_WEBHOOK_SECRET_FILE] && !a->val[OPT_WEBHOOK] && !r->cfg.site.webhook_url[0])
        return dl_err_set(err, DL_EINVAL, "--webhook-secret-file needs a webhook: give --webhook "
                                          "URL (or webhook_url in the config file)");
    c = r->cfg;
    for (size_t i = 0; i < sizeof spec_keys / sizeof spec_keys[0]; i++)
        if (a->val[spec_keys[i].opt] &&
            dl_config_set(&c, spec_keys[i].key, a->val[spec_keys[i].opt], err) < 0)
            return -1;
    *s = c.site;
    if (copy_field(s->tenant, sizeof s->tenant, "tenant name", tenant, err) < 0)
        return -1;
    if (a->val[OPT_TENANT_ID] &&
        (dl_validate_tenant_id(a->val[OPT_TENANT_ID], err) < 0 ||
         copy_field(s->tenant_id, sizeof s->tenant_id, "tenant id", a->val[OPT_TENANT_ID], err) < 0))
        return -1;
    if (dl_validate_nfs_path(a->val[OPT_NFS_PATH], &s->target, err) < 0 ||
        copy_field(s->nfs_path, sizeof s->nfs_path, "NFS path", a->val[OPT_NFS_PATH], err) < 0)
        return -1;
    if (a->val[OPT_DATABASE] &&
        (dl_validate_database(a->val[OPT_DATABASE], err) < 0 ||
         copy_field(s->database, sizeof s->database, "database name", a->val[OPT_DATABASE], err) < 0))
        return -1;
    {
        dl_storage_opts so = {a->val[OPT_COMPRESSION], a->val[OPT_ZSTD_LEVEL], a->val[OPT_FORMAT],
                              a->val[OPT_NO_COMPRESSION] != NULL};
        dl_spec_setting set[CLI_NSETTINGS];
        size_t k = cli_settings(a, set);
        if (dl_spec_apply_storage(s, &so, err) < 0)
            return -1;
        for (size_t i = 0; i < k; i++)
            if (dl_spec_set(s, set[i].label, set[i].text, err) < 0)
                return -1;
    }
    if (a->val[OPT_NO_WEBHOOK])
        s->webhook_url[0] = '\0';
    if (dl_spec_validate(s, err) < 0)
        return -1;
    if (s->webhook_url[0]) {
        int got = dl_config_webhook_secret(&c, secret, n, err);
        if (got < 0)
            return -1;
        s->webhook_signed = got == 1;
    }
    return 0;
}

int cli_cmd_provision(cli_run *r)
{
    const cli_args *a = r->a;
    const char *tenant;
    dl_spec spec;
    dl_provision_opts po;
    char password[512], hint[1024], secret[1024];
    dl_err err;
    int rc;

    dl_err_clear(&err);
    if (cli_tenant_arg(r, 0, &tenant, &err) < 0 ||
        build_spec(r, tenant, &spec, secret, sizeof secret, &err) < 0)
        return cli_fail(&err);
    /* swarm: the placement is checked with the rest, before the password */
    if (a->nconstraint && !a->val[OPT_SWARM]) {
        dl_err_set(&err, DL_EINVAL, "--constraint '%s' needs --swarm", a->constraint[0]);
        return cli_fail(&err);
    }
    for (int i = 0; i < a->nconstraint; i++)
        if (dl_validate_constraint(a->constraint[i], &err) < 0)
            return cli_fail(&err);
    if (dl_config_password(&r->cfg, a->val[OPT_PASSWORD_FILE], r->stdin_tty && isatty(STDERR_FILENO),
                           password, sizeof password, &err) < 0) {
        dl_wipe(secret, sizeof secret);
        return cli_fail(&err);
    }
    memset(&po, 0, sizeof po);
    po.password = password;
    po.replace = a->val[OPT_REPLACE] != NULL;
    po.skip_initial_backup = a->val[OPT_NO_INITIAL_BACKUP] != NULL;
    po.shared_target = a->val[OPT_SHARED_TARGET] != NULL;
    po.webhook_secret = secret;
    po.swarm = a->val[OPT_SWARM] != NULL;
    po.constraints = a->constraint;
    po.nconstraints = (size_t)a->nconstraint;

    if (cli_engine(r, &err) < 0) {
        dl_wipe(password, sizeof password);
        dl_wipe(secret, sizeof secret);
        return cli_fail(&err);
    }
    cli_signals_blocking_step();
    rc = dl_provision(&r->ctx, &spec, &po, cli_progress, &r->out, &err);
    dl_wipe(password, sizeof password);
    dl_wipe(secret, sizeof secret);
    if (rc < 0)
        return cli_fail(&err);
    cli_hint_prefix(r, hint, sizeof hint);
    cli_print_provisioned(&r->out, &spec, hint);
    return 0;
}
