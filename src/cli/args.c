/* args.c - argv into a cli_args (see args.h). */
#include "args.h"

#include <string.h>

static const char *const password_words[] = {"password", "pass", "pgpassword", "db-password",
                                             "postgres-password"};

static int find_long(const char *name, size_t len)
{
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (strlen(cli_options[o].name) == len && memcmp(cli_options[o].name, name, len) == 0)
            return o;
    return -1;
}

static int find_short(char c)
{
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (cli_options[o].shortname && cli_options[o].shortname == c)
            return o;
    return -1;
}

static int unknown_long(const char *arg, size_t len, dl_err *err)
{
    for (size_t i = 0; i < sizeof password_words / sizeof password_words[0]; i++)
        if (strlen(password_words[i]) == len && memcmp(arg + 2, password_words[i], len) == 0)
            return dl_err_set(err, DL_EINVAL,
                              "unknown option '--%.*s': a password is never taken on the command "
                              "line; use --password-file, DEEPLENS_PG_PASSWORD or PGPASSWORD",
                              (int)len, arg + 2);
    return dl_err_set(err, DL_EINVAL, "unknown option '--%.*s'", (int)len, arg + 2);
}

/* Set a valued option; -H, --context and --read-only-engine are also kept in
 * order (they repeat). */
static int set_value(cli_args *a, int o, const char *v, dl_err *err)
{
    a->val[o] = v;
    if (o == OPT_READ_ONLY_ENGINE) {
        if (a->nro_engines == CLI_MAX_ENGINES)
            return dl_err_set(err, DL_EINVAL, "too many --read-only-engine options (at most %d)",
                              CLI_MAX_ENGINES);
        a->ro_engines[a->nro_engines++] = v;
        return 0;
    }
    if (o != OPT_HOST && o != OPT_CONTEXT)
        return 0;
    if (a->nengines == CLI_MAX_ENGINES)
        return dl_err_set(err, DL_EINVAL, "too many engines (at most %d -H/--context)",
                          CLI_MAX_ENGINES);
    a->engines[a->nengines++] = (cli_engine_arg){(enum cli_opt)o, v};
    return 0;
}

/* Options that a command (or the console) does not take. */
static int check_applies(const cli_args *a, dl_err *err)
{
    unsigned long long takes = a->cmd ? a->cmd->opts : cli_console_opts;
    for (int o = 0; o < CLI_OPT_COUNT; o++) {
        if (!a->val[o] || cli_options[o].global || (takes & CLI_OPT(o)))
            continue;
        if (a->cmd)
            return dl_err_set(err, DL_EINVAL, "option '--%s' does not apply to '%s'",
                              cli_options[o].name, a->cmd->name);
        return dl_err_set(err, DL_EINVAL, "option '--%s' needs a command", cli_options[o].name);
    }
    return 0;
}

static int check_counts(const cli_args *a, dl_err *err)
{
    int min, max;
    char name[32];
    if (!a->cmd)
        return 0;
    cli_command_npos(a->cmd, &min, &max);
    if (a->npos < min)
        return dl_err_set(err, DL_EINVAL, "missing %s for '%s'",
                          cli_command_pos_name(a->cmd, a->npos, name, sizeof name), a->cmd->name);
    if (max >= 0 && a->npos > max)
        return dl_err_set(err, DL_EINVAL, "unexpected argument '%s' for '%s'", a->pos[max],
                          a->cmd->name);
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if ((a->cmd->need & CLI_OPT(o)) && !a->val[o])
            return dl_err_set(err, DL_EINVAL, "missing --%s for '%s'", cli_options[o].name,
                              a->cmd->name);
    return 0;
}

static int positional(cli_args *a, const char *arg, dl_err *err)
{
    if (!a->cmd && a->npos == 0) {
        a->cmd = cli_command_find(arg);
        if (!a->cmd)
            return dl_err_set(err, DL_EINVAL, "unknown command '%s'", arg);
        return 0;
    }
    if (a->npos == CLI_MAX_POS)
        return dl_err_set(err, DL_EINVAL, "too many arguments (at most %d)", CLI_MAX_POS);
    a->pos[a->npos++] = arg;
    return 0;
}

int cli_args_parse(cli_args *a, int argc, char *const *argv, dl_err *err)
{
    int i, dashdash = 0;
    memset(a, 0, sizeof *a);

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (dashdash || arg[0] != '-' || arg[1] == '\0') {
            if (positional(a, arg, err) < 0)
                return -1;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            dashdash = 1;
            continue;
        }
        if (arg[1] == '-') {                       /* --name[=value] */
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            int o = find_long(arg + 2, len);
            if (o < 0)
                return unknown_long(arg, len, err);
            if (!cli_options[o].arg) {
                if (eq)
                    return dl_err_set(err, DL_EINVAL, "option '--%s' takes no value",
                                      cli_options[o].name);
                a->val[o] = "1";
            } else if (eq) {
                if (set_value(a, o, eq + 1, err) < 0)
                    return -1;
            } else if (i + 1 < argc) {
                if (set_value(a, o, argv[++i], err) < 0)
                    return -1;
            } else {
                return dl_err_set(err, DL_EINVAL, "option '--%s' needs a value (%s)",
                                  cli_options[o].name, cli_options[o].arg);
            }
            if (o == OPT_CONSTRAINT) {   /* repeatable */
                if (a->nconstraint >= CLI_MAX_CONSTRAINTS)
                    return dl_err_set(err, DL_EINVAL, "too many --constraint options (at most %d)",
                                      CLI_MAX_CONSTRAINTS);
                a->constraint[a->nconstraint++] = a->val[o];
            }
            continue;
        }
        for (const char *p = arg + 1; *p; p++) {   /* -ft, -H value, -Hvalue */
            int o = find_short(*p);
            if (o < 0)
                return dl_err_set(err, DL_EINVAL, "unknown option '-%c'", *p);
            if (!cli_options[o].arg) {
                a->val[o] = "1";
                continue;
            }
            if (p[1] || i + 1 < argc) {
                if (set_value(a, o, p[1] ? p + 1 : argv[++i], err) < 0)
                    return -1;
            } else
                return dl_err_set(err, DL_EINVAL, "option '-%c' needs a value (%s)", *p,
                                  cli_options[o].arg);
            break;
        }
    }
    if (check_applies(a, err) < 0)
        return -1;
    if (a->val[OPT_HELP] || a->val[OPT_VERSION])
        return 0;
    return check_counts(a, err);
}
