/* cmd_audit.c - `audit [TENANT] [--json]`: the audit trail (audit.h).
 *
 * Reads the audit file (audit_file in the config, else the default) oldest
 * first, so the newest record is the last line. Text in a record is partly
 * tenant-controlled (error messages) and the file can be edited by its
 * owner: every field goes out through cli_write_inert, whatever stdout is.
 * --json prints an array of the records as the file holds them.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "deeplens/audit.h"

typedef struct audit_print {
    const cli_out *o;
    int json;
    size_t n;
} audit_print;

/* field inert, padded to width (columns = bytes for the ASCII it mostly is) */
static void put_field(FILE *f, const char *s, int width)
{
    size_t len = strlen(s);
    cli_write_inert(f, s, len);
    for (int i = (int)len; i < width; i++)
        fputc(' ', f);
    fputc(' ', f);
}

static void print_one(void *ud, const dl_audit_entry *e)
{
    audit_print *p = ud;
    FILE *f = p->o->f;
    char who[160], args[1400];

    if (p->json) {
        char *j = dl_audit_to_json(e);
        fputs(p->n ? ",\n  " : "[\n  ", f);
        fputs(j, f);
        free(j);
        p->n++;
        return;
    }
    if (!p->n++)
        fprintf(f, "%-20s %-16s %-15s %-7s %-10s %-16s %-6s %s\n", "TIME", "USER", "FROM",
                "VIA", "ACTION", "TENANT", "RESULT", "DETAILS");
    snprintf(who, sizeof who, "%s%s%s%s", e->user, e->login[0] ? "(" : "", e->login,
             e->login[0] ? ")" : "");
    put_field(f, e->time, 20);
    put_field(f, who, 16);
    put_field(f, e->client[0] ? e->client : "local", 15);
    put_field(f, e->source, 7);
    put_field(f, e->action, 10);
    put_field(f, e->tenant[0] ? e->tenant : "-", 16);
    put_field(f, e->ok ? "ok" : "error", 6);
    dl_audit_args_text(e, args, sizeof args);
    cli_write_inert(f, args, strlen(args));
    if (!e->ok) {
        fputs(args[0] ? "  error: " : "error: ", f);
        cli_write_inert(f, e->error, strlen(e->error));
    }
    fputc('\n', f);
}

int cli_cmd_audit(cli_run *r)
{
    const char *tenant = NULL;
    audit_print p = {&r->out, cli_flag(r->a, OPT_JSON), 0};
    char def[1024];
    const char *path = r->cfg.audit_file;
    size_t skipped = 0;
    dl_err err;

    dl_err_clear(&err);
    if (r->a->npos && cli_tenant_arg(r, 0, &tenant, &err) < 0)
        return cli_fail(&err);
    if (!strcmp(path, "none")) {
        dl_err_set(&err, DL_EINVAL, "audit_file is none in the config: no audit file to show "
                                    "(the records went to syslog only)");
        return cli_fail(&err);
    }
    if (!path[0])
        path = dl_audit_default_path(def, sizeof def);
    if (dl_audit_each(path, tenant, print_one, &p, &skipped, &err) < 0)
        return cli_fail(&err);
    if (p.json)
        fputs(p.n ? "\n]\n" : "[]\n", stdout);
    else if (!p.n) {
        fputs("no audit records", stdout);
        if (tenant)
            printf(" of tenant %s", tenant);
        fputs(" in ", stdout);
        cli_write_inert(stdout, path, strlen(path));
        fputc('\n', stdout);
    }
    if (skipped)
        fprintf(stderr, CLI_PROG ": warning: %zu line%s of the audit file %s not a record\n",
                skipped, skipped == 1 ? "" : "s", skipped == 1 ? "is" : "are");
    return 0;
}
