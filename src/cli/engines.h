/* engines.h - the command line over several engines (see deeplens/engines.h).
 *
 * Which engines: every -H/--context given (a value that is the name of an
 * `engine` line of the config file means that engine; -H NAME=ADDRESS names
 * an address), else the config's `engine` lines, else the one engine of
 * today (-H, --context, DOCKER_HOST, ...). With one engine nothing changes.
 * With several, list/status/metrics show the tenants of all of them, tagged
 * with the engine, and an action goes to the tenant's own engine.
 * Exit codes: 3 when an engine was unreachable (the others are still shown,
 * one stderr line per unreachable engine), else 5 when a tenant is on more
 * than one engine (a conflict; an action on it is refused), else as today.
 */
#ifndef DEEPLENS_CLI_ENGINES_H
#define DEEPLENS_CLI_ENGINES_H

#include "deeplens/engines.h"
#include "deeplens/docker.h"

typedef struct cli_run cli_run;

typedef struct cli_engines {
    dl_engine e[DL_ENGINES_MAX];
    size_t n;
} cli_engines;

/* 0: not several engines and no config engine chosen (resolve as today);
 * 1: resolved - r->multi set with several, r->ep set with one; -1: error. */
int cli_engines_setup(cli_run *r, const dk_env *env, dl_err *err);
/* The handlers with several engines. */
int cli_multi_list(cli_run *r);
int cli_multi_status(cli_run *r);
int cli_multi_metrics(cli_run *r);
/* Point r->ep at the engine of the command's TENANT (pos 0): DL_ECONFLICT
 * when it is on several, DL_ENOTFOUND on none, DL_ECONN when not found and
 * an engine did not answer. */
int cli_multi_route(cli_run *r, dl_err *err);

#endif
