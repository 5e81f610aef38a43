/* backup.h - the tenant backup domain: provision, status, reschedule,
 * backup now, verify, restore, remove, metrics.
 *
 * The CLI and the console both drive these functions; they are the only
 * layer that knows what a tenant backup is made of (container, volume,
 * scripts, labels). They call the Docker client and nothing above it.
 * All operations are blocking and report progress through a callback; the
 * console runs them on a worker thread with its own context (dl_ctx_open; a
 * context belongs to one thread). Read-only views for an event loop live in
 * fleet.h; the console reaches the engine only through this header and
 * fleet.h (its context, its wait, log streams), never the Docker client.
 *
 * Ownership: dl_status / dl_file arrays returned here are freed with the
 * matching *_free function. Errors: 0 / -1 + dl_err (see err.h).
 */
#ifndef DEEPLENS_BACKUP_H
#define DEEPLENS_BACKUP_H

#include <stdio.h>
#include <time.h>

#include "deeplens/docker.h"
#include "deeplens/err.h"
#include "deeplens/spec.h"

/* ---- health ---------------------------------------------------------------
 * The verdict rule (documented in the man page, computed by dl_health_eval):
 *   stopped  the container is not running (exited, created, dead, paused,
 *            restarting);
 *   failing  the last run failed (status file), or the engine's health
 *            probe reports failing;
 *   overdue  no good backup within the schedule's longest gap plus grace
 *            (10 min + 10% of the gap) - counted from the container start
 *            when there has never been a good backup;
 *   warning  the last good backup's size is suspicious (size_flag in the
 *            status file: the job's size rule, see the man page);
 *   untested no restore drill has passed within the drill window
 *            (drill_window_days, 8) although drills are expected: the
 *            tenant has a drill schedule (counted from the container start
 *            until its first drill), or its last drill FAILED (a drill run
 *            by hand that failed shows whatever the schedule). A tenant
 *            without a drill schedule that never ran a drill, or whose last
 *            drill passed, is not judged on drills;
 *   ok       otherwise.
 *   unknown  only in the quick list when nothing but the engine's container
 *            summary is known and it has no health yet.
 */
#define DL_HEALTHS(X)                                   \
    X(DL_HEALTH_OK,      "ok",      "+")                \
    X(DL_HEALTH_OVERDUE, "overdue", "!")                \
    X(DL_HEALTH_WARNING, "warning", "~")                \
    X(DL_HEALTH_FAILING, "failing", "x")                \
    X(DL_HEALTH_STOPPED, "stopped", "-")                \
    X(DL_HEALTH_UNKNOWN, "unknown", "?")                \
    X(DL_HEALTH_UNTESTED, "untested", "*")

typedef enum dl_health {
#define DL_X_H(name, word, sym) name,
    DL_HEALTHS(DL_X_H)
#undef DL_X_H
    DL_HEALTH_COUNT
} dl_health;

const char *dl_health_word(dl_health h);
const char *dl_health_symbol(dl_health h);   /* ASCII marker: + ! ~ x - ? * */

/* ---- status ------------------------------------------------------------- */

typedef struct dl_file {
    char name[160];
    long long size;
    time_t mtime;
    int has_checksum;      /* a .sha256 sidecar exists */
    int has_manifest;      /* a .manifest sidecar (files list only) */
    long long tables, rows;   /* its summary, when has_manifest */
} dl_file;

typedef struct dl_status {
    dl_spec spec;                 /* from the container's labels */
    char container[160];
    char container_id[65];
    char state[24];               /* running, exited, ... */
    char engine_status[64];       /* "Up 2 hours (healthy)" */
    char engine_health[16];       /* healthy, unhealthy, starting, "" */
    time_t created, started_at;

    /* from the job's status file (have_job_status = 0 when not read) */
    int have_job_status;
    time_t last_run_start, last_run_end;
    char last_result[16];         /* "ok", "FAILED", "" (never ran) */
    char last_reason[256];
    char last_file[160];
    long long last_size;
    double last_duration;
    time_t last_success;
    char last_success_file[160];
    long long last_success_size;
    double last_success_duration;
    long long db_size_bytes;
    char size_flag[16];           /* "suspicious" or "" */
    char size_reason[256];
    long long timeout_count;      /* runs killed by the run timeout */
    long long disk_total_kb, disk_free_kb;
    int file_count;
    long long total_bytes;
    time_t last_drill;            /* the last restore drill (0: none recorded) */
    char last_drill_result[16];   /* "ok", "FAILED", "" */
    char last_drill_reason[256];  /* the first difference, or why it failed */
    char last_drill_file[160];
    double last_drill_duration;
    dl_file *files;               /* newest first; owned */
    size_t nfiles;

    /* several engines (engines.h): the engine's name, "" with one engine;
     * conflict: the tenant is on another engine too */
    char engine[64];
    int conflict;

    /* a swarm service (provision --swarm): its name; "" for a container */
    char service[160];

    /* derived by dl_health_eval */
    time_t next_run;
    long max_gap;
    dl_health health;
    char health_reason[256];
} dl_status;

void dl_status_clear(dl_status *st);            /* frees members */
void dl_statuses_free(dl_status *v, size_t n);  /* frees array too */

/* Fill the container part of a status from an engine container summary or
 * inspect (labels -> spec). DL_EINVAL if the labels are not ours. */
int dl_status_from_container(dl_status *st, const dk_container *ct, dl_err *err);
/* Parse the job's status file text into st (keeps the container part). */
int dl_status_parse_job(dl_status *st, const char *text, size_t len, dl_err *err);
/* Compute next_run, max_gap, health and health_reason at `now`. */
void dl_health_eval(dl_status *st, time_t now);
/* A scheduled run at most `window` s before `now` whose result st does not
 * have yet (its last run started before it, and the container was up): 1 and
 * its time in *at, else 0. A read just after a scheduled time uses it to look
 * again once that run is done, rather than only after the next one. */
int dl_status_pending_run(const dl_status *st, time_t now, time_t window, time_t *at);

/* The share of the database's on-disk size a gzip-compressed plain dump
 * takes (the document's rule of thumb), and the safety margin of the
 * storage estimate: the one definition of both. */
#define DL_GZIP_FACTOR 0.3
#define DL_STORAGE_MARGIN 1.2
#define DL_STORAGE_FACTOR(compression) ((compression) ? DL_GZIP_FACTOR : 1.0)

/* Storage estimate from the document: DB size x retention x compression
 * factor (0.3 with gzip, 1.0 without) x safety margin 1.2. Bytes. */
long long dl_storage_estimate(long long db_size_bytes, int retention_days,
                              int compression);

/* ---- the context ---------------------------------------------------------- */

typedef struct dl_ctx {
    dk_client *dk;
    dl_spec site;        /* site defaults (config file + flags) */
} dl_ctx;

/* A context with a client of its own on the engine at `ep` (not connected
 * yet) and the site defaults `site` (copied; NULL = built-in defaults).
 * A context belongs to one thread; close it with dl_ctx_close. For callers
 * above the domain (the console), which never touch the Docker client. */
int dl_ctx_open(dl_ctx *ctx, const dk_endpoint *ep, const dl_spec *site, dl_err *err);
/* Cancels what is still open (each callback runs with DL_ECANCEL), frees. */
void dl_ctx_close(dl_ctx *ctx);
/* The event loop's wait: drives every stream and request of the context
 * (their callbacks run from here) for at most timeout_ms (< 0: no limit),
 * and returns early when extra_fd (-1 = none) is readable. Returns 1 if
 * extra_fd became readable, 0 otherwise, -1 on a loop error. */
int dl_ctx_poll(dl_ctx *ctx, int extra_fd, int timeout_ms);
/* Make a dl_ctx_poll in progress (or the next one) return at once; safe
 * from another thread (a worker's progress). */
void dl_ctx_wakeup(dl_ctx *ctx);

/* Progress of a multi-step operation, for "Expected Output"-like lines.
 * kind: DL_STEP_BEGIN "Creating NFS volume: x", DL_STEP_OK, DL_STEP_FAIL,
 * DL_STEP_INFO (a line of output, e.g. from the backup job),
 * DL_STEP_ROLLBACK (undoing something after a failure). */
typedef enum dl_step_kind {
    DL_STEP_BEGIN, DL_STEP_OK, DL_STEP_FAIL, DL_STEP_INFO, DL_STEP_ROLLBACK
} dl_step_kind;
typedef void (*dl_progress_fn)(void *ud, dl_step_kind kind, const char *text);

/* ---- reads ---------------------------------------------------------------- */

/* Every tenant backup container, one engine request, no job status read
 * (health from the engine's state and health probe only). */
int dl_list(dl_ctx *ctx, dl_status **out, size_t *n, dl_err *err);
/* One tenant, full: inspect + job status file. DL_ENOTFOUND for an unknown
 * tenant ("no backup configured for tenant 'x'"). */
int dl_status_get(dl_ctx *ctx, const char *tenant, dl_status *out, dl_err *err);
/* All tenants, full: one list + concurrent status-file reads (at most
 * `concurrency` in flight; 0 = 8). */
int dl_status_all(dl_ctx *ctx, int concurrency, dl_status **out, size_t *n,
                  dl_err *err);

typedef struct dl_files {
    dl_file *files;            /* newest first */
    size_t n;
    long long disk_total_kb, disk_used_kb, disk_free_kb;
} dl_files;
void dl_files_clear(dl_files *f);
/* Current files on the target (runs `backup.sh --list` in the container). */
int dl_files_list(dl_ctx *ctx, const char *tenant, dl_files *out, dl_err *err);

/* Prometheus text for all tenants into `out`. */
int dl_metrics_write(dl_ctx *ctx, FILE *out, dl_err *err);
/* The same into DIR/deeplens_backup.prom for node_exporter's textfile
 * collector: written to a temporary file in DIR (not *.prom), fsynced and
 * renamed over the old one, so the collector never reads half a file.
 * dl_metrics_check_dir refuses a DIR that is missing, not a directory or
 * not writable (DL_EINVAL naming --textfile and DIR) - before any engine call. */
#define DL_METRICS_TEXTFILE "deeplens_backup.prom"
int dl_metrics_check_dir(const char *dir, dl_err *err);
int dl_metrics_textfile(dl_ctx *ctx, const char *dir, dl_err *err);
/* The same from rows already read (several engines: each row's engine
 * becomes an `engine` label, and eng[0..neng) a tenant_backup_engine_up
 * series each; neng 0 and untagged rows print what dl_metrics_write does). */
typedef struct dl_metrics_engine {
    const char *name;
    int up;
} dl_metrics_engine;
int dl_metrics_print(FILE *out, const dl_status *st, size_t n, const dl_metrics_engine *eng,
                     size_t neng, dl_err *err);
/* Write text[0..len) as DIR/deeplens_backup.prom atomically (as above). */
int dl_metrics_save(const char *dir, const char *text, size_t len, dl_err *err);
/* A label value as the exposition format wants it: the text made inert
 * (valid UTF-8, no controls), then \\, \" and \n escaped. Returns the
 * bytes written to buf (size n >= 1, always terminated, cut whole). */
size_t dl_metrics_label(char *buf, size_t n, const char *s);

/* ---- changes -------------------------------------------------------------- */

typedef struct dl_provision_opts {
    const char *password;      /* database password (never logged) */
    int replace;               /* an existing tenant backup is replaced */
    int skip_initial_backup;
    int shared_target;         /* the target may be another tenant's too */
    const char *webhook_secret; /* the webhook's shared secret when spec->webhook_signed
                                   (never logged, never in a label) */
    /* swarm: a replicated service instead of a container (service.c) */
    int swarm;
    const char *const *constraints; /* placement constraints, NULL-terminated */
    size_t nconstraints;
} dl_provision_opts;

/* A placement constraint of --constraint: node.role==manager,
 * node.labels.KEY!=VALUE ...; DL_EINVAL naming it otherwise. */
int dl_validate_constraint(const char *c, dl_err *err);
/* The service spec JSON of a tenant (exposed for unit tests; caller frees). */
char *dl_svc_spec_json(const dl_spec *s, const char *svc, long gen,
                       const char *const *constraints, const char *secret_id,
                       const char *config_id, dl_err *err);

/* Validate -> volume -> preflight -> container -> files -> start -> initial
 * backup. Rolls back everything it created on failure. */
int dl_provision(dl_ctx *ctx, const dl_spec *spec, const dl_provision_opts *o,
                 dl_progress_fn progress, void *ud, dl_err *err);

/* 0 when file is a backup name of s's database: <db>_YYYYMMDD_HHMMSS with
 * .sql, .sql.gz, .sql.zst or .dump, nothing else; else DL_EINVAL naming it.
 * The one grammar (verify, restore, and the console's file forms). */
int dl_backup_name_check(const dl_spec *s, const char *file, dl_err *err);

/* New schedule and/or retention (NULL / 0 = keep). The old container keeps
 * running if anything fails. Keeps volume, files, all other settings. */
int dl_reschedule(dl_ctx *ctx, const char *tenant, const char *schedule,
                  int retention_days, dl_progress_fn progress, void *ud,
                  dl_err *err);
/* Everything reschedule may change; NULL / 0 = keep. drill_schedule "" or
 * "none" = no scheduled drills. storage may be NULL: new backups take the new
 * compression and format; existing files keep theirs and stay verifiable and
 * restorable. set: the size rule and the run timeout (dl_spec_set labels).
 * Each is validated before anything changes. */
typedef struct dl_reschedule_opts {
    const char *schedule;
    int retention_days;
    const char *drill_schedule;
    int drill_window_days;
    const dl_storage_opts *storage;
    const dl_spec_setting *set;
    size_t nset;
    /* the webhook: webhook_off removes it (and its secret); webhook_url sets
     * it; webhook_format alone changes the format of the stored one;
     * webhook_secret (a new shared secret, never logged) signs it - without
     * one, a signed webhook keeps the secret stored in the old container. */
    int webhook_off;
    const char *webhook_url, *webhook_format, *webhook_events;
    const char *webhook_secret;
} dl_reschedule_opts;
int dl_reschedule_opts_apply(dl_ctx *ctx, const char *tenant, const dl_reschedule_opts *o,
                             dl_progress_fn progress, void *ud, dl_err *err);

/* Run the backup job now; job output lines go to progress (DL_STEP_INFO).
 * -1 with DL_EFAIL when the job reports failure. */
int dl_backup_now(dl_ctx *ctx, const char *tenant, dl_progress_fn progress,
                  void *ud, dl_err *err);
/* Restore drill of `file` (NULL = newest) inside the tenant's container:
 * verified first, restored into a scratch database, per-table rows and the
 * table set compared with the backup's manifest (or its COPY blocks), the
 * scratch database dropped, the result recorded in the status. -1 with
 * DL_EFAIL and the first difference when it fails, DL_EUNVERIFIED when the
 * backup has no sha256 sidecar. The live database is never touched. */
int dl_drill(dl_ctx *ctx, const char *tenant, const char *file,
             dl_progress_fn progress, void *ud, dl_err *err);
/* file NULL = newest. */
int dl_verify(dl_ctx *ctx, const char *tenant, const char *file,
              dl_progress_fn progress, void *ud, dl_err *err);
/* Verify `file`, then restore it into `database`, which must not exist:
 * an existing one (empty or not, the tenant's live database included) is
 * refused with DL_ECONFLICT unless `force`, which drops and replaces it.
 * The job restores into a scratch database and renames it, so a failed
 * restore leaves `database` as it was. */
int dl_restore(dl_ctx *ctx, const char *tenant, const char *file,
               const char *database, int force, dl_progress_fn progress,
               void *ud, dl_err *err);
/* Removes container (and the volume definition); backup files are deleted
 * only with delete_backups (callers confirm first). */
int dl_remove(dl_ctx *ctx, const char *tenant, int delete_backups,
              dl_progress_fn progress, void *ud, dl_err *err);
int dl_restart(dl_ctx *ctx, const char *tenant, dl_progress_fn progress,
               void *ud, dl_err *err);

/* ---- log streams ----------------------------------------------------------
 * A tenant container's log, line by line (cap 64 KiB per piece; longer
 * lines arrive in pieces with continued=1), driven by the caller's loop
 * (dl_ctx_poll). on_line returns 0 to go on, -1 to stop the stream. on_end
 * runs exactly once when the stream is over: err NULL when the engine ended
 * it (the container stopped), else why (kind DL_ECANCEL after
 * dl_log_stream_close). The handle is freed right after on_end returns.
 * Ownership: the handle belongs to the domain; close it (or let it end),
 * never free it. Not from inside on_line: return -1 there instead. */
typedef struct dl_log_stream dl_log_stream;
typedef int (*dl_line_fn)(void *ud, const char *line, size_t n, int continued,
                          int stream);
typedef void (*dl_log_end_fn)(void *ud, const dl_err *err);
/* Finds the tenant's container first (blocking: for the CLI). */
dl_log_stream *dl_logs_open(dl_ctx *ctx, const char *tenant, int follow, long tail,
                            int timestamps, dl_line_fn on_line, dl_log_end_fn on_end,
                            void *ud, dl_err *err);
/* The same for a container already known by name (the console's rows):
 * no lookup, so nothing blocks. Our containers never have a TTY. */
dl_log_stream *dl_logs_open_container(dl_ctx *ctx, const char *container, int follow,
                                      long tail, int timestamps, dl_line_fn on_line,
                                      dl_log_end_fn on_end, void *ud, dl_err *err);
/* The same for a row: a swarm service's row (st->service set) streams the
 * service's logs (its tasks', as `logs` does), any other its container's. */
dl_log_stream *dl_logs_open_row(dl_ctx *ctx, const dl_status *st, int follow, long tail,
                                int timestamps, dl_line_fn on_line, dl_log_end_fn on_end,
                                void *ud, dl_err *err);
/* Stop following: on_end runs (DL_ECANCEL) before this returns. NULL: no-op. */
void dl_log_stream_close(dl_log_stream *s);

#endif
