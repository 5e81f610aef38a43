/* args.h - argv into a cli_args, nothing else.
 *
 * Pure: reads the option and subcommand tables, touches no file, no
 * environment and no engine. Global options may stand before or after the
 * subcommand; `--opt value`, `--opt=value`, `-H value`, `-Hvalue` and
 * clustered short flags (`-ft`) are understood; `--` ends the options.
 * Errors (DL_EINVAL) name the option or argument and quote it:
 *   unknown option '--frobnicate'
 *   option '--json' does not apply to 'provision'
 *   missing TENANT for 'files'
 * There is deliberately no option that carries a password.
 */
#ifndef DEEPLENS_CLI_ARGS_H
#define DEEPLENS_CLI_ARGS_H

#include "deeplens/err.h"
#include "table.h"

#define CLI_MAX_POS 64
#define CLI_MAX_CONSTRAINTS 16
#define CLI_MAX_ENGINES 16

/* One -H or --context as given (both repeat: several engines at once). */
typedef struct cli_engine_arg {
    enum cli_opt opt;   /* OPT_HOST or OPT_CONTEXT */
    const char *v;
} cli_engine_arg;

typedef struct cli_args {
    const cli_command *cmd;           /* NULL: no subcommand given */
    const char *val[CLI_OPT_COUNT];   /* NULL unset; a set flag is "1" */
    const char *pos[CLI_MAX_POS];     /* point into argv */
    int npos;
    /* --constraint is repeatable: every value, in order (val[] has the last) */
    const char *constraint[CLI_MAX_CONSTRAINTS + 1];
    int nconstraint;
    cli_engine_arg engines[CLI_MAX_ENGINES];   /* every -H/--context, in order */
    int nengines;
    /* --read-only-engine is repeatable: every NAME, in order */
    const char *ro_engines[CLI_MAX_ENGINES];
    int nro_engines;
} cli_args;

/* argv[0] is the program name. With --help or --version the positional
 * count is not checked (so `provision --help` works). */
int cli_args_parse(cli_args *a, int argc, char *const *argv, dl_err *err);

static inline int cli_flag(const cli_args *a, enum cli_opt o) { return a->val[o] != 0; }

#endif
