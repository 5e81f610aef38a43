/* internal.h - shared by the domain modules in src/backup only. */
#ifndef DEEPLENS_BACKUP_INTERNAL_H
#define DEEPLENS_BACKUP_INTERNAL_H

#include "deeplens/backup.h"

/* Paths inside the backup container (the contract with src/backup/job). */
#define DL_JOB_SCRIPT      "/usr/local/bin/backup.sh"
#define DL_JOB_ENTRYPOINT  "/usr/local/bin/deeplens-entrypoint.sh"
#define DL_JOB_CONF        "/etc/deeplens/backup.conf"
#define DL_JOB_PGPASS      "/etc/deeplens/pgpass"
#define DL_JOB_WEBHOOK_SECRET "/etc/deeplens/webhook.secret"
#define DL_JOB_STATUS      "/var/lib/deeplens/status"
#define DL_JOB_BACKUP_DIR  "/backups"

/* Everything a tenant container needs, built from a spec: the create spec
 * (pointing into this struct) and the tar of files to copy in before the
 * first start. Free with dl_container_plan_free. */
typedef struct dl_container_plan {
    dk_create_spec create;
    dk_kv *labels;
    size_t nlabels;
    dk_mount mount;
    char volume[128];
    char *tar;
    size_t tar_len;
    const char *entrypoint[3];
    const char *env[3];
    const char *health[3];
} dl_container_plan;

/* password: written to the 0600 pgpass file only. */
int dl_container_plan_build(dl_container_plan *p, const dl_spec *s,
                            const char *password, dl_err *err);
/* The same plus the webhook's shared secret (0600, the job's uid), which
 * s->webhook_signed requires. */
int dl_container_plan_build_signed(dl_container_plan *p, const dl_spec *s,
                                   const char *password, const char *secret, dl_err *err);
/* The same without the credentials file, for helpers that never connect. */
int dl_container_plan_build_nocreds(dl_container_plan *p, const dl_spec *s, dl_err *err);
void dl_container_plan_free(dl_container_plan *p);

/* The pgpass line "host:port:*:user:password\n" into buf (size n), ':' and '\'
 * escaped in every field (IPv6 hosts); the password must be one line. */
int dl_pgpass_line(const dl_spec *s, const char *password, char *buf, size_t n,
                   dl_err *err);

/* Find the tenant's container; fills name (size n) and ct. DL_ENOTFOUND
 * with "no backup configured for tenant 'x'". */
int dl_find_tenant(dl_ctx *ctx, const char *tenant, char *name, size_t n,
                   dk_container *ct, dl_err *err);

/* The filter that selects our containers: label io.deeplens.backup=1. */
const char *dl_container_filter(void);

/* Run a command in the tenant's container, streaming stdout+stderr lines to
 * progress (DL_STEP_INFO). *exit_code set. Lines matching "result=FAILED"
 * or "reason=" are remembered in last_line (may be NULL, size n). */
int dl_exec_lines(dl_ctx *ctx, const char *container, const char *const *cmd,
                  const char *user, dl_progress_fn progress, void *ud,
                  int *exit_code, char *last_line, size_t n, dl_err *err);

/* Extract a logfmt value (key=value or key="quoted") from a line. */
int dl_logfmt_get(const char *line, const char *key, char *out, size_t n);

/* The job password from the pgpass file of an existing container (used by
 * reschedule so the operator need not give it again). */
int dl_read_password(dl_ctx *ctx, const char *container, char *buf, size_t n,
                     dl_err *err);

/* Async reads of one container's job status (used by the fleet and
 * dl_status_all). done(ud, container, ok, text, len, started_at) is called
 * from dk_client_poll; started_at is when the container started, when the
 * read learnt it (an inspect), else 0. */
typedef void (*dl_status_read_fn)(void *ud, const char *container, int ok,
                                  const char *text, size_t len, time_t started_at);
/* From the engine's health log (one container inspect, no process
 * started in the engine): the job's health probe prints the status file's
 * summary - everything but the file list - every 120 s. Falls back to the
 * status file (an archive read) when there is no such output yet (no probe
 * has run, or a container made by an older version). At most a probe
 * interval old: for overviews; a tenant's own status reads the file, and so
 * does `fresh` (after a run), which still learns started_at from the
 * inspect. */
dk_req *dl_status_probe_async(dl_ctx *ctx, const char *container, int fresh,
                              dl_status_read_fn done, void *ud, dl_err *err);

/* Report one progress line (printf-style); fn may be NULL. */
void dl_say(dl_progress_fn fn, void *ud, dl_step_kind k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Steps shared by provision and reschedule (provision.c). */
/* Create the tenant's volume unless it exists with the same options. */
int dl_volume_ensure(dl_ctx *ctx, const dl_spec *s, int *created, dl_err *err);
/* Short-lived container proving target, database and pg_dump version. */
int dl_preflight(dl_ctx *ctx, const dl_spec *s, const char *password,
                 long long *db_size, dl_err *err);
/* Run a short-lived helper container `<container>-<what>-<pid>` of the tenant's
 * image with its volume and the job's files (credentials only when password is
 * not NULL), plus `extra` (a tar, may be NULL), entrypoint ep; waits for it to
 * end, fills log (its output, size n) and *code, and removes it. */
int dl_job_helper(dl_ctx *ctx, const dl_spec *s, const char *password, const char *what,
                  const char *const *ep, const char *extra, size_t extra_len, char *log,
                  size_t n, long *code, dl_err *err);
/* Another tenant's container or volume that uses the same target as s: its
 * tenant in other (size n) and 1; 0 when none. */
int dl_target_user(dl_ctx *ctx, const dl_spec *s, char *other, size_t n, dl_err *err);
/* 0 if no other tenant backs up to s's target, else DL_ECONFLICT naming that
 * tenant and --shared-target (provision, container or service). */
int dl_target_unshared(dl_ctx *ctx, const dl_spec *s, dl_err *err);
/* Create container `name` from the spec and copy the job files in (the
 * webhook's shared secret too when s->webhook_signed; NULL otherwise). */
int dl_container_make(dl_ctx *ctx, const dl_spec *s, const char *name,
                      const char *password, const char *webhook_secret, dl_err *err);
/* The webhook's shared secret of an existing container (reschedule keeps it). */
int dl_read_webhook_secret(dl_ctx *ctx, const char *container, char *buf, size_t n,
                           dl_err *err);
/* Run the backup job once in `container`, lines to progress. */
int dl_run_job(dl_ctx *ctx, const char *container, dl_progress_fn progress,
               void *ud, dl_err *err);

/* ---- swarm services (service.c) ----------------------------------------- */
/* 1 when ct stands for a swarm service (dl_find_tenant fills it so: the
 * running task's container, or the service alone, with its labels). */
int dl_svc_is(const dk_container *ct);
const char *dl_svc_name(const dk_container *ct);
/* The tenant backup service `service`: 1 with name (the running task's
 * container, else the service) and ct; 0 when there is no such service or
 * no swarm; -1 on an error. */
int dl_svc_find(dl_ctx *ctx, const char *service, char *name, size_t n, dk_container *ct,
                dl_err *err);
/* Append the tenant backup services to a list (nothing when no swarm). */
int dl_svc_list_append(dl_ctx *ctx, dl_status **st, size_t *k, dl_err *err);
/* Service sv's row (as dl_svc_list_append makes it) from lists the caller
 * already has: tasks t (of any services; sv's are those with its ServiceID)
 * and containers cts (the swarm task containers; any service). No request. */
int dl_svc_status(const dk_service *sv, const dk_task *t, size_t nt, const dk_container *cts,
                  size_t ncts, dl_status *out, dl_err *err);
int dl_svc_provision(dl_ctx *ctx, const dl_spec *spec, const dl_provision_opts *o,
                     dl_progress_fn progress, void *ud, dl_err *err);
/* The stored password of a service's task container (its secret file). */
int dl_svc_read_password(dl_ctx *ctx, const char *container, char *buf, size_t n, dl_err *err);
/* The webhook's shared secret of a service's task container (its secret file). */
int dl_svc_read_webhook_secret(dl_ctx *ctx, const char *container, char *buf, size_t n,
                               dl_err *err);
/* A new generation: new secrets (the pgpass; the webhook's when spec signs,
 * webhook_secret) and config, service updated, old ones removed. */
int dl_svc_reschedule(dl_ctx *ctx, const char *svc, const char *container, const dl_spec *spec,
                      const char *password, const char *webhook_secret,
                      dl_progress_fn progress, void *ud, dl_err *err);
/* A new task for the service (force update), waited for. */
int dl_svc_restart(dl_ctx *ctx, const char *svc, const char *container, dl_progress_fn progress,
                   void *ud, dl_err *err);
/* Service, its secrets, configs and this node's volume (files only with
 * delete_backups). */
int dl_svc_remove(dl_ctx *ctx, const char *svc, const dl_spec *spec, int delete_backups,
                  dl_progress_fn progress, void *ud, dl_err *err);
/* The password of a pgpass line (data, len; wiped and freed) of `container`. */
int dl_pgpass_password(const char *container, char *data, size_t len, char *buf, size_t n,
                       dl_err *err);

#endif
