/* fleet.h - the live model of every tenant backup, for an event loop.
 *
 * A dl_fleet keeps the list of tenant statuses current without blocking:
 * it lists containers once, subscribes to the engine's events stream (so a
 * start/die/destroy/health change updates the list at once), and refreshes
 * the job status files on request with a bounded number of concurrent
 * reads. All work happens inside dl_ctx_poll() on the owner's loop; the
 * owner watches dl_fleet_generation() to know when to repaint.
 * When the engine is unreachable the fleet says so (dl_fleet_error) and
 * retries with backoff on its own; the last known rows stay readable.
 * When something inside the poll leaves work for dl_fleet_tick sooner than
 * the sleep it returned (the engine went away, an event), the fleet wakes
 * the poll (dl_ctx_wakeup), so the loop obeying tick's timeouts is enough.
 * On a swarm manager the tenant services are rows too (dl_status.service
 * set; their status from the running task's container), listed with the
 * containers at a constant number of requests; an engine that is no swarm
 * manager is asked once per connection (and on dl_fleet_refresh).
 */
#ifndef DEEPLENS_FLEET_H
#define DEEPLENS_FLEET_H

#include <stddef.h>
#include <time.h>

#include "deeplens/backup.h"

typedef struct dl_fleet dl_fleet;

/* `ctx` must outlive the fleet. Nothing is sent until dl_fleet_start. */
dl_fleet *dl_fleet_new(dl_ctx *ctx);
void dl_fleet_free(dl_fleet *f);

/* Connect: version check, events stream, first list. Non-blocking; errors
 * appear through dl_fleet_error. */
void dl_fleet_start(dl_fleet *f);
/* Call once per loop turn (after dl_ctx_poll): timers, retries, and the
 * status reads that are due. A job's status changes only when it runs, and
 * a scheduled run makes no engine event: a tenant's status is re-read
 * DL_FLEET_AFTER_RUN seconds after each scheduled run (then every minute
 * until that run's result is in, for an hour at most) and otherwise once
 * every DL_FLEET_REREAD seconds, the tenants spread evenly over that period,
 * so an idle console costs the engine a read every few seconds, not a burst
 * of one per tenant. Returns the longest time in ms the loop may sleep
 * before calling again. */
#define DL_FLEET_AFTER_RUN 20
#define DL_FLEET_REREAD 600
int dl_fleet_tick(dl_fleet *f, time_t now);
/* Re-read every tenant's job status now (bounded concurrency): F5. */
void dl_fleet_refresh(dl_fleet *f);
/* Re-list the containers (one request): the periodic check that the engine
 * still answers and nothing was missed. */
void dl_fleet_relist(dl_fleet *f);
/* Re-read one tenant's container and job status. */
void dl_fleet_refresh_one(dl_fleet *f, const char *tenant);

/* Bumps whenever anything visible changed. */
unsigned long dl_fleet_generation(const dl_fleet *f);
/* NULL when connected; else why not ("cannot reach the docker engine at
 * unix:///var/run/docker.sock: ...") and when the next retry is. */
const char *dl_fleet_error(const dl_fleet *f, time_t *next_retry);
/* Engine identity for the header (valid once connected). */
const dk_version *dl_fleet_engine(const dl_fleet *f);
int dl_fleet_loading(const dl_fleet *f);   /* first list not in yet */

size_t dl_fleet_count(const dl_fleet *f);
/* Rows in the engine's order (sort in the view). Valid until the next
 * dl_ctx_poll. */
const dl_status *dl_fleet_at(const dl_fleet *f, size_t i);
const dl_status *dl_fleet_find(const dl_fleet *f, const char *tenant);

/* ---- several engines -------------------------------------------------------
 * One fleet over several engines: a plain fleet per engine inside, each on a
 * context of its own (e[0]'s is `ctx`, the owner's; the others are opened
 * here and closed by dl_fleet_free). Every call above works on all of them:
 * the rows are those of every engine, sorted by tenant, each with its
 * engine's name (dl_status.engine) and conflict set when the tenant is on
 * another engine too; the rows of an engine that went away keep their last
 * known values with state "unreachable" and health unknown (the reason
 * says why) while the others stay live; dl_fleet_error is set only when no
 * engine answers. The owner's loop must wait with dl_fleet_poll. */
#include "deeplens/engines.h"
dl_fleet *dl_fleet_new_engines(dl_ctx *ctx, const dl_engine *e, size_t n, dl_err *err);
/* The owner's wait: dl_ctx_poll over every engine's context. */
int dl_fleet_poll(dl_fleet *f, int extra_fd, int timeout_ms);
/* 1 for a plain fleet; engine i's name ("" plain), its error (NULL when
 * connected) and version (NULL until connected). */
size_t dl_fleet_engines(const dl_fleet *f);
const char *dl_fleet_engine_name(const dl_fleet *f, size_t i);
const char *dl_fleet_engine_error(const dl_fleet *f, size_t i);
const dk_version *dl_fleet_engine_version(const dl_fleet *f, size_t i);
/* The context (and so the endpoint) of the engine holding tenant: the
 * fleet's own for a plain fleet; NULL with err when the tenant is on no
 * engine or on several (DL_ECONFLICT naming them). */
dl_ctx *dl_fleet_ctx_of(dl_fleet *f, const char *tenant, dl_err *err);
/* The same engine's endpoint (for a worker's own context). */
const dk_endpoint *dl_fleet_endpoint_of(dl_fleet *f, const char *tenant, dl_err *err);
/* The endpoint of the engine named `engine`, to create tenant on (several
 * engines; a plain fleet's own whatever the name): NULL with err when no
 * engine has that name (DL_EINVAL) or the tenant is listed on another engine
 * (DL_ECONFLICT). */
const dk_endpoint *dl_fleet_endpoint_on(dl_fleet *f, const char *engine, const char *tenant,
                                        dl_err *err);

#endif
