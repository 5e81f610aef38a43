/* docker.h - Docker Engine API v1.41 client (libcurl + cJSON).
 *
 * Knows nothing about tenants or backups. One `dk_client` owns a libcurl
 * multi handle: every request and stream is driven from dk_client_poll(), so
 * a caller with its own event loop (the console) never blocks on the engine.
 * The blocking helpers further down run that same loop until their request
 * finishes; they are for the CLI and the domain layer's one-shot calls.
 *
 * Threading: a dk_client and everything it returns belong to one thread.
 * Ownership: every `dk_*_free` frees what the matching call returned; strings
 * inside returned structs belong to the struct. cJSON never leaves this
 * module: responses are parsed into the plain structs below.
 * Errors: functions return 0 / -1 and fill `dl_err` (see err.h). HTTP errors
 * carry the engine's `message`, kind DL_ENOTFOUND for 404, DL_ECONFLICT for
 * 409, DL_ECONN when the engine cannot be reached (socket missing, permission
 * denied, TLS failure - said in operator words), DL_EHTTP otherwise.
 */
#ifndef DEEPLENS_DOCKER_H
#define DEEPLENS_DOCKER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deeplens/err.h"

#define DK_API_VERSION "1.41"

/* ---- endpoint ----------------------------------------------------------- */

/* DK_SSH: "ssh://[user@]host[:port]" as the docker CLI reads it: each
 * connection runs `ssh -o BatchMode=yes ... [-l user] [-p port] -- host
 * docker system dial-stdio` (ssh from PATH, never a password prompt) and
 * speaks HTTP through it (src/docker/ssh.c). */
typedef enum dk_transport { DK_UNIX, DK_TCP, DK_SSH } dk_transport;

typedef struct dk_endpoint {
    dk_transport transport;
    char socket_path[108];  /* DK_UNIX */
    char host[256];         /* DK_TCP, DK_SSH */
    int port;               /* DK_TCP; DK_SSH: 0 = ssh's own default */
    char ssh_user[64];      /* DK_SSH: "" = ssh's own default */
    int tls;                /* DK_TCP: https */
    int tls_verify;         /* verify peer and host name */
    char ca[4096], cert[4096], key[4096]; /* empty when absent */
    char display[300];      /* "unix:///var/run/docker.sock" for headers */
    char context[128];      /* the docker CLI context it came from, "" if none */
} dk_endpoint;

/* Resolve like the docker CLI from explicit values (NULL = unset):
 * docker_host ($DOCKER_HOST), tls_verify ($DOCKER_TLS_VERIFY), tls
 * ($DOCKER_TLS), cert_path ($DOCKER_CERT_PATH), home ($HOME, for ~/.docker).
 * Pure: touches no environment and no file except stat() of cert files. */
int dk_endpoint_parse(dk_endpoint *ep, const char *docker_host,
                      const char *tls_verify, const char *tls,
                      const char *cert_path, const char *home, dl_err *err);
/* Same, reading the process environment. */
int dk_endpoint_from_env(dk_endpoint *ep, dl_err *err);

/* Where the engine is, chosen as the docker CLI chooses it
 * (cli/command/cli.go resolveContextName): -H and --context together are an
 * error; --context NAME; else -H; else $DOCKER_HOST; else $DOCKER_CONTEXT;
 * else "currentContext" of DOCKER_CONFIG/config.json (DOCKER_CONFIG defaults
 * to ~/.docker); else the default. The context "default" is the
 * environment's engine (-H/DOCKER_HOST/TLS variables). A named context is
 * read from the CLI's store, DOCKER_CONFIG/contexts/meta/<id>/meta.json
 * (its Endpoints.docker.Host and SkipTLSVerify), with the TLS material of
 * DOCKER_CONFIG/contexts/tls/<id>/docker/{ca,cert,key}.pem when present.
 * NULL members are unset. Reads only those files. */
typedef struct dk_env {
    const char *host_opt, *context_opt;         /* -H, --context */
    const char *docker_host, *docker_context;   /* $DOCKER_HOST, $DOCKER_CONTEXT */
    const char *tls_verify, *tls, *cert_path;   /* $DOCKER_TLS_VERIFY, $DOCKER_TLS, $DOCKER_CERT_PATH */
    const char *docker_config, *home;           /* $DOCKER_CONFIG, $HOME */
} dk_env;
int dk_endpoint_resolve(dk_endpoint *ep, const dk_env *env, dl_err *err);
/* env's variables from the process environment (options left NULL). */
void dk_env_from_process(dk_env *env);

/* ---- client and event loop -------------------------------------------- */

typedef struct dk_client dk_client;

typedef struct dk_version {
    char version[64];       /* engine version, "20.10.24+dfsg1" */
    char api_version[16];   /* max API it speaks */
    char min_api_version[16];
    char os[32], arch[32], kernel[128];
} dk_version;

/* Creates a client; does not connect. */
int dk_client_new(dk_client **out, const dk_endpoint *ep, dl_err *err);
/* Cancels what is still open (each on_done runs with DL_ECANCEL), then
 * frees. Not from inside a callback of this client. */
void dk_client_free(dk_client *c);
const dk_endpoint *dk_client_endpoint(const dk_client *c);

/* GET /version; fails with a clear DL_EPROTO message when the engine is
 * older than 1.41 or its minimum is newer. Caches the answer. */
int dk_client_check_version(dk_client *c, dk_version *out, dl_err *err);

/* Drive all transfers. Waits at most timeout_ms (< 0: no limit) for activity
 * on the engine's sockets or on `extra_fd` (-1 = none; e.g. STDIN). Returns
 * 1 if extra_fd became readable, 0 otherwise, -1 on a loop error (also when
 * called from inside an on_data). Callbacks of requests (below) run from
 * inside this call (or a blocking helper, which runs it), never from
 * anywhere else. */
int dk_client_poll(dk_client *c, int extra_fd, int timeout_ms);
/* Make a poll in progress return early (async-signal-unsafe; same thread or
 * other thread). */
void dk_client_wakeup(dk_client *c);
/* Number of requests still running. */
int dk_client_pending(const dk_client *c);
/* dk_client_poll over several clients of this thread at once (several
 * engines, one loop): waits on all their sockets and extra_fd, at most
 * timeout_ms and at most 250 ms (the wake-ups of v[1..] reach only v[0]'s
 * wait through that bound; dk_client_wakeup(v[0]) ends it at once). */
int dk_clients_poll(dk_client *const *v, size_t n, int extra_fd, int timeout_ms);

/* ---- asynchronous requests -------------------------------------------- */

typedef struct dk_req dk_req;

typedef enum dk_body_mode {
    DK_BODY_BUFFER,   /* keep the whole body (capped at max_body) */
    DK_BODY_RAW,      /* pass bytes to on_data as they come (stream 1) */
    DK_BODY_MUX,      /* docker stdcopy frames, demultiplexed into on_data */
    DK_BODY_LINES     /* newline-separated records (events), one per on_data */
} dk_body_mode;

/* stream: 0 stdin (treat as stdout), 1 stdout, 2 stderr, 3 engine error.
 * For DK_BODY_RAW / DK_BODY_LINES stream is 1. Return 0 to continue, -1 to
 * cancel the request (it then finishes with DL_ECANCEL). Runs inside
 * libcurl: it may dk_submit and dk_cancel (any request), but blocking
 * helpers fail there with DL_EFAIL. Only 2xx answers reach on_data; an
 * error answer is kept for dk_req_result. */
typedef int (*dk_data_fn)(void *ud, int stream, const char *p, size_t n);
/* Called once when the request ends (ok, error or cancelled). `r` is valid
 * during the call and freed right after it returns. Runs outside libcurl:
 * anything goes, blocking helpers included. */
typedef void (*dk_done_fn)(void *ud, dk_req *r);

typedef struct dk_req_opts {
    const char *method;       /* "GET", "POST", "PUT", "DELETE", "HEAD" */
    const char *path;         /* "/containers/json?all=1", without /v1.41 */
    const char *body;         /* may be NULL */
    size_t body_len;
    const char *content_type; /* default application/json when body set */
    dk_body_mode mode;
    long timeout_ms;          /* 0 = none (streams); short calls set one */
    size_t max_body;          /* DK_BODY_BUFFER cap; 0 = 64 MiB */
    dk_data_fn on_data;
    dk_done_fn on_done;
    void *ud;
    int unversioned;          /* send path as is, without /v1.41 (/_ping) */
} dk_req_opts;

/* Start a request; returns NULL and fills err if it cannot be started. */
dk_req *dk_submit(dk_client *c, const dk_req_opts *o, dl_err *err);
/* Cancel: safe any time, from inside any on_data too (returning -1 from a
 * request's own on_data does the same). on_done still runs, with
 * DL_ECANCEL, before dk_cancel returns; after that `r` is gone. No-op
 * inside the request's own on_done. */
void dk_cancel(dk_req *r);

/* Accessors valid inside on_done. */
long dk_req_status(const dk_req *r);            /* HTTP status, 0 if none */
/* DK_BODY_BUFFER body, or a stream's error answer; "" when none. */
const char *dk_req_body(const dk_req *r, size_t *len);
const char *dk_req_header(const dk_req *r, const char *name); /* or NULL */
/* 0 if the request succeeded with a 2xx/304; otherwise -1 with err filled
 * (engine message, transport reason, or cancellation). */
int dk_req_result(const dk_req *r, dl_err *err);

/* Blocking: submit and poll until done. On success *body (malloc'd, NUL
 * terminated, caller frees; may be NULL if not wanted) and *status are set.
 * A non-2xx answer is an error unless it is 304. */
int dk_call(dk_client *c, const char *method, const char *path,
            const char *json_body, long timeout_ms, char **body, long *status,
            dl_err *err);

/* ---- containers -------------------------------------------------------- */

typedef struct dk_kv {
    char *key;
    char *value;
} dk_kv;

typedef struct dk_container {
    char id[65];
    char *name;          /* without leading '/' */
    char *image;
    char *state;         /* "running", "exited", "restarting", ... */
    char *status;        /* "Up 2 hours (healthy)" */
    char *health;        /* "healthy", "unhealthy", "starting", "" (none) */
    time_t created;
    time_t started_at;   /* inspect only; 0 if unknown */
    time_t finished_at;  /* inspect only */
    int exit_code;       /* inspect only */
    int restart_count;   /* inspect only */
    int tty;             /* inspect only: Config.Tty */
    char *health_log;    /* inspect only: output of the last health probe */
    dk_kv *labels;
    size_t nlabels;
} dk_container;

const char *dk_container_label(const dk_container *ct, const char *key);
void dk_container_clear(dk_container *ct);            /* frees members */
void dk_containers_free(dk_container *v, size_t n);   /* frees array too */

/* filters_json: the engine's filter object, e.g.
 * {"label":["k=v"],"name":["^deeplens-backup-"]}; NULL for none. all=1 lists
 * stopped containers too. */
int dk_containers_list(dk_client *c, const char *filters_json, int all,
                       dk_container **out, size_t *n, dl_err *err);
int dk_container_inspect(dk_client *c, const char *name, dk_container *out,
                         dl_err *err);

typedef struct dk_mount {
    const char *type;     /* "volume" or "bind" */
    const char *source;
    const char *target;
    int read_only;
    int no_copy;          /* volume: VolumeOptions.NoCopy */
} dk_mount;

typedef struct dk_create_spec {
    const char *image;
    const char *const *cmd;        /* NULL-terminated, or NULL */
    const char *const *entrypoint; /* NULL-terminated, or NULL */
    const char *const *env;        /* "K=V", NULL-terminated, or NULL */
    const char *user;              /* "999:999" or NULL */
    const char *working_dir;
    const dk_kv *labels;
    size_t nlabels;
    const dk_mount *mounts;
    size_t nmounts;
    const char *network;           /* NetworkMode + one EndpointsConfig */
    const char *const *aliases;    /* NULL-terminated, or NULL */
    const char *restart_policy;    /* "unless-stopped", ... or NULL */
    const char *const *health_cmd; /* CMD-SHELL form: {"CMD-SHELL","x"} or NULL */
    long long health_interval_ns, health_timeout_ns, health_start_period_ns;
    int health_retries;
    int tty;
    int auto_remove;
    long long memory_bytes;        /* 0 = unlimited */
} dk_create_spec;

/* Builds the create body (exposed for unit tests). Caller frees. */
char *dk_create_body(const dk_create_spec *s);

int dk_container_create(dk_client *c, const char *name,
                        const dk_create_spec *s, char id_out[65], dl_err *err);
/* start/stop: *changed (may be NULL) is 0 when the engine said 304. */
int dk_container_start(dk_client *c, const char *name, int *changed, dl_err *err);
int dk_container_stop(dk_client *c, const char *name, int timeout_s,
                      int *changed, dl_err *err);
int dk_container_restart(dk_client *c, const char *name, int timeout_s, dl_err *err);
int dk_container_remove(dk_client *c, const char *name, int force,
                        int remove_anon_volumes, dl_err *err);
int dk_container_rename(dk_client *c, const char *name, const char *new_name,
                        dl_err *err);
/* condition: "not-running", "next-exit", "removed". Blocks until then. */
int dk_container_wait(dk_client *c, const char *name, const char *condition,
                      long *exit_code, dl_err *err);

/* ---- logs ---------------------------------------------------------------- */

typedef struct dk_logs_opts {
    int stdout_, stderr_;   /* at least one */
    int follow;
    int timestamps;
    long tail;              /* -1 = all */
    double since;           /* seconds since epoch, 0 = beginning */
    int tty;                /* container has a TTY: raw stream, no frames */
} dk_logs_opts;

/* Starts a log stream; on_data receives demultiplexed payload chunks (not
 * lines: use dk_linebuf to assemble). Cancel with dk_cancel. */
dk_req *dk_logs_open(dk_client *c, const char *name, const dk_logs_opts *o,
                     dk_data_fn on_data, dk_done_fn on_done, void *ud,
                     dl_err *err);

/* ---- exec ---------------------------------------------------------------- */

typedef struct dk_exec_opts {
    const char *const *cmd;   /* NULL-terminated */
    const char *const *env;   /* NULL-terminated or NULL */
    const char *user;         /* NULL = container default */
    const char *working_dir;
} dk_exec_opts;

/* Run a command to completion; output chunks go to on_data (stream 1/2) as
 * they arrive (may be NULL), then the exit code is read. Blocking. Failures
 * after the start (binary not found ...) arrive as output text and an exit
 * code (126/127), not as an error. */
int dk_exec_run(dk_client *c, const char *container, const dk_exec_opts *o,
                dk_data_fn on_data, void *ud, int *exit_code, dl_err *err);
/* Same, collecting stdout and stderr into malloc'd strings (may be NULL =
 * discard); each capped at cap bytes (0 = 1 MiB), the rest dropped. */
int dk_exec_capture(dk_client *c, const char *container, const dk_exec_opts *o,
                    char **out, char **errout, size_t cap, int *exit_code,
                    dl_err *err);

/* Asynchronous exec: creates the exec (blocking, short) then streams its
 * output through the loop; on_done fires at EOF. Read the exit code inside
 * or after on_done with dk_exec_exit_code(exec_id). exec_id_out: 65 bytes. */
dk_req *dk_exec_start_async(dk_client *c, const char *container,
                            const dk_exec_opts *o, dk_data_fn on_data,
                            dk_done_fn on_done, void *ud, char *exec_id_out,
                            dl_err *err);
int dk_exec_exit_code(dk_client *c, const char *exec_id, int *exit_code,
                      dl_err *err);

/* ---- volumes ------------------------------------------------------------- */

typedef struct dk_volume {
    char *name;
    char *driver;
    char *mountpoint;
    dk_kv *options;   /* DriverOpts as the engine stored them */
    size_t noptions;
    dk_kv *labels;
    size_t nlabels;
} dk_volume;

const char *dk_volume_option(const dk_volume *v, const char *key);
const char *dk_volume_label(const dk_volume *v, const char *key);
void dk_volume_clear(dk_volume *v);
void dk_volumes_free(dk_volume *v, size_t n);

/* Note: the engine answers 201 for an existing name with the OLD options;
 * *created (may be NULL) tells whether the volume is new, found by an
 * inspect before the create. */
int dk_volume_create(dk_client *c, const char *name, const char *driver,
                     const dk_kv *opts, size_t nopts, const dk_kv *labels,
                     size_t nlabels, int *created, dl_err *err);
int dk_volume_inspect(dk_client *c, const char *name, dk_volume *out, dl_err *err);
int dk_volumes_list(dk_client *c, const char *filters_json, dk_volume **out,
                    size_t *n, dl_err *err);
int dk_volume_remove(dk_client *c, const char *name, int force, dl_err *err);

/* ---- networks ------------------------------------------------------------ */

typedef struct dk_network {
    char id[65];
    char *name;
    char *driver;
} dk_network;
void dk_network_clear(dk_network *n);

int dk_network_inspect(dk_client *c, const char *name, dk_network *out, dl_err *err);
/* Always sends CheckDuplicate. */
int dk_network_create(dk_client *c, const char *name, const char *driver,
                      const dk_kv *labels, size_t nlabels, char id_out[65],
                      dl_err *err);
/* 403 "already connected" (running container) is DL_ECONFLICT; a stopped
 * container may be connected twice without complaint. */
int dk_network_connect(dk_client *c, const char *network, const char *container,
                       const char *const *aliases, dl_err *err);
/* Not connected is DL_ENOTFOUND. */
int dk_network_disconnect(dk_client *c, const char *network,
                          const char *container, int force, dl_err *err);
/* Containers still attached: DL_ECONFLICT (the engine says 403). */
int dk_network_remove(dk_client *c, const char *name, dl_err *err);

/* ---- archive (tar) -------------------------------------------------------- */

typedef struct dk_tar_entry {
    const char *name;     /* relative path inside the tar, "backup.sh" */
    const char *data;
    size_t len;
    unsigned mode;        /* 0755, 0600 ... */
    unsigned uid, gid;
    time_t mtime;         /* 0 = now */
    int is_dir;
} dk_tar_entry;

/* Build a ustar archive in memory (malloc'd, caller frees). */
int dk_tar_build(const dk_tar_entry *e, size_t n, char **out, size_t *len,
                 dl_err *err);
/* Walk a tar in memory; cb returns 0 to go on, 1 to stop. mode is the
 * permission bits | S_IFREG, S_IFDIR or S_IFLNK (no type bits for hard
 * links and devices); for a symlink `data` is its target. GNU long names
 * and pax paths are read. */
typedef int (*dk_tar_fn)(void *ud, const char *name, const char *data,
                         size_t len, unsigned mode, time_t mtime);
int dk_tar_walk(const char *tar, size_t len, dk_tar_fn cb, void *ud, dl_err *err);

typedef struct dk_path_stat {
    char name[256];
    long long size;
    unsigned mode;        /* permission bits */
    int is_dir, is_link;
    time_t mtime;
    char link_target[256];
} dk_path_stat;

/* PUT tar into directory `dir` in the container (works when stopped). */
int dk_archive_put(dk_client *c, const char *container, const char *dir,
                   const char *tar, size_t len, dl_err *err);
/* GET a path as a tar (malloc'd). cap: max bytes (0 = 64 MiB). */
int dk_archive_get(dk_client *c, const char *container, const char *path,
                   size_t cap, char **tar, size_t *len, dl_err *err);
/* HEAD: stat a path. DL_ENOTFOUND if missing. */
int dk_archive_stat(dk_client *c, const char *container, const char *path,
                    dk_path_stat *out, dl_err *err);
/* Convenience: GET one regular file's contents (malloc'd, NUL terminated). */
int dk_archive_read_file(dk_client *c, const char *container, const char *path,
                         size_t cap, char **data, size_t *len, dl_err *err);

/* ---- events -------------------------------------------------------------- */

typedef struct dk_event {
    const char *type;     /* "container", "volume", "network", ... */
    const char *action;   /* "start", "die", "health_status: healthy", ... */
    const char *id;
    const char *name;     /* Actor.Attributes.name, or "" */
    long long time;       /* seconds */
    long long time_nano;  /* exact (parsed from the text, not a double) */
} dk_event;

/* Called for every event; pointers are valid only during the call. Return
 * -1 to cancel. */
typedef int (*dk_event_fn)(void *ud, const dk_event *ev);

/* Open the events stream. since: seconds (0 = now); filters_json like the
 * engine's ({"type":["container"],"label":["k"]}) or NULL. */
dk_req *dk_events_open(dk_client *c, long long since, const char *filters_json,
                       dk_event_fn on_event, dk_done_fn on_done, void *ud,
                       dl_err *err);

/* ---- typed asynchronous calls ----------------------------------------------
 * For a caller with its own event loop (the console's live model): each
 * starts one request and calls `done` exactly once, from dk_client_poll, or
 * from dk_cancel with DL_ECANCEL. On success the answer is parsed and err is
 * NULL; on failure the answer pointer is NULL and err says why (the engine's
 * message, the transport reason, a parse error). Everything passed to done
 * is valid during the call only. They return the request (for dk_cancel;
 * it is gone once done has run) or NULL with err filled, and done is then
 * never called. */

/* GET /version, with the rule of dk_client_check_version. */
typedef void (*dk_version_done)(void *ud, const dk_version *v, const dl_err *err);
dk_req *dk_version_async(dk_client *c, long timeout_ms, dk_version_done done, void *ud,
                         dl_err *err);
/* The container list, as dk_containers_list. */
typedef void (*dk_list_done)(void *ud, const dk_container *v, size_t n, const dl_err *err);
dk_req *dk_containers_list_async(dk_client *c, const char *filters_json, int all,
                                 long timeout_ms, dk_list_done done, void *ud, dl_err *err);
/* One container's inspect; max_body 0 = 64 MiB. */
typedef void (*dk_inspect_done)(void *ud, const dk_container *ct, const dl_err *err);
dk_req *dk_container_inspect_async(dk_client *c, const char *name, long timeout_ms,
                                   size_t max_body, dk_inspect_done done, void *ud,
                                   dl_err *err);
/* A path in a container as a tar (walk it with dk_tar_walk); cap 0 = 64 MiB. */
typedef void (*dk_archive_done)(void *ud, const char *tar, size_t len, const dl_err *err);
dk_req *dk_archive_get_async(dk_client *c, const char *container, const char *path,
                             long timeout_ms, size_t cap, dk_archive_done done, void *ud,
                             dl_err *err);

/* ---- parsers for asynchronous callers -------------------------------------
 * The typed calls above parse with these; they stay public for callers that
 * drive requests themselves with dk_submit. cJSON stays inside this module. */

/* "/containers/json?all=1&filters=..." (malloc'd; caller frees). */
char *dk_containers_list_path(const char *filters_json, int all);
/* "/containers/<name>/json" (malloc'd; caller frees). */
char *dk_container_inspect_path(const char *name);
/* A /containers/json answer. */
int dk_containers_parse(const char *json, size_t len, dk_container **out,
                        size_t *n, dl_err *err);
/* A /containers/{id}/json answer. */
int dk_container_parse_inspect(const char *json, size_t len, dk_container *out,
                               dl_err *err);
/* A /version answer, with the same version rule as dk_client_check_version. */
int dk_version_parse(const char *json, size_t len, dk_version *out, dl_err *err);

/* ---- helpers shared by all callers -------------------------------------- */

/* Stream demultiplexer (exposed for unit tests and custom streams). Feed any
 * byte split; emits payload slices. */
typedef struct dk_demux {
    uint8_t hdr[8];
    size_t hlen;
    uint32_t left;
    int type;
    int broken;       /* out of sync: stream type > 3 */
} dk_demux;
void dk_demux_init(dk_demux *d);
/* Returns 0, or -1 if the stream is out of sync. emit's return -1 aborts. */
int dk_demux_feed(dk_demux *d, const char *p, size_t n,
                  int (*emit)(void *ud, int stream, const char *p, size_t n),
                  void *ud);

/* Line assembler with a hard cap on line length: longer lines are emitted
 * in pieces of `cap` bytes with `continued` set on all but the last. The
 * buffer grows to the cap only as far as the longest line needs. */
typedef struct dk_linebuf {
    char *buf;
    size_t len, cap;
    size_t size;      /* allocated, <= cap */
} dk_linebuf;
int dk_linebuf_init(dk_linebuf *lb, size_t cap);
void dk_linebuf_free(dk_linebuf *lb);
typedef int (*dk_line_fn)(void *ud, const char *line, size_t n, int continued);
int dk_linebuf_feed(dk_linebuf *lb, const char *p, size_t n, dk_line_fn fn, void *ud);
/* Emit what is left without a newline (end of stream). */
int dk_linebuf_flush(dk_linebuf *lb, dk_line_fn fn, void *ud);

/* Map an HTTP status + body to a dl_err (exposed for unit tests). */
void dk_error_from_response(long status, const char *body, size_t len,
                            const char *what, dl_err *err);

/* URL-escape into a malloc'd string (free with free()). */
char *dk_escape(const char *s);

/* ---- swarm: services, tasks, secrets, configs (swarm.c) ------------------
 * Only on a swarm manager; any other engine answers 503, which these calls
 * report as DL_EFAIL "the engine is not a swarm manager". */

typedef struct dk_swarm_state {
    char node_state[32];   /* Swarm.LocalNodeState: "inactive", "active", ... */
    int manager;           /* Swarm.ControlAvailable */
    char node_id[65];
} dk_swarm_state;
/* GET /info, the Swarm part. */
int dk_swarm_state_get(dk_client *c, dk_swarm_state *out, dl_err *err);

/* Secrets and configs: create (201; DL_ECONFLICT when the name exists),
 * inspect by name or ID (DL_ENOTFOUND), remove. Data is sent base64. */
int dk_secret_create(dk_client *c, const char *name, const char *data, size_t len,
                     const dk_kv *labels, size_t nlabels, char id_out[65], dl_err *err);
int dk_secret_inspect(dk_client *c, const char *name, char id_out[65], dl_err *err);
int dk_secret_remove(dk_client *c, const char *name, dl_err *err);
int dk_config_create(dk_client *c, const char *name, const char *data, size_t len,
                     const dk_kv *labels, size_t nlabels, char id_out[65], dl_err *err);
int dk_config_inspect(dk_client *c, const char *name, char id_out[65], dl_err *err);
int dk_config_remove(dk_client *c, const char *name, dl_err *err);

/* A file from a secret or config in the task's container: Name is the path
 * (a bare name is under /run/secrets for a secret). */
typedef struct dk_file_ref {
    const char *id, *name;   /* SecretID/ConfigID and its name */
    const char *target;      /* File.Name */
    unsigned uid, gid, mode;
} dk_file_ref;

typedef struct dk_service_spec {
    const char *name;
    const dk_kv *labels;           /* the service's */
    size_t nlabels;
    const char *image;
    const char *const *command;    /* ContainerSpec.Command (entrypoint), NULL-terminated */
    const char *const *env;
    const char *user;
    const dk_mount *mounts;        /* volume mounts get DriverConfig below */
    size_t nmounts;
    const char *volume_driver;     /* "local" */
    const dk_kv *volume_opts;      /* DriverConfig.Options of every volume mount */
    size_t nvolume_opts;
    const dk_kv *volume_labels;
    size_t nvolume_labels;
    const dk_file_ref *secrets;
    size_t nsecrets;
    const dk_file_ref *configs;
    size_t nconfigs;
    const char *network;           /* TaskTemplate.Networks[0].Target */
    const char *const *constraints;/* Placement.Constraints, NULL-terminated or NULL */
    const char *const *health_cmd; /* {"CMD-SHELL","x"} or NULL */
    long long health_interval_ns, health_timeout_ns, health_start_period_ns;
    int health_retries;
    long long stop_grace_ns;
    unsigned replicas;             /* Mode.Replicated.Replicas */
} dk_service_spec;

/* The ServiceSpec JSON (exposed for unit tests). Caller frees. */
char *dk_service_body(const dk_service_spec *s);

typedef struct dk_service {
    char id[65];
    char *name;
    long long version;             /* Version.Index, for update */
    dk_kv *labels;                 /* Spec.Labels */
    size_t nlabels;
    dk_kv *secrets;                /* SecretName -> SecretID of the spec */
    size_t nsecrets;
    dk_kv *configs;                /* ConfigName -> ConfigID */
    size_t nconfigs;
    char **env;                    /* ContainerSpec.Env, NULL-terminated (tests look) */
    size_t nenv;
    char **constraints;            /* Placement.Constraints, NULL-terminated */
    size_t nconstraints;
} dk_service;
void dk_service_clear(dk_service *s);
void dk_services_free(dk_service *v, size_t n);

/* POST /services/create; DL_ECONFLICT when the name exists. */
int dk_service_create(dk_client *c, const dk_service_spec *s, char id_out[65], dl_err *err);
/* GET /services/{name or id}; DL_ENOTFOUND "no such service '<name>'". */
int dk_service_inspect(dk_client *c, const char *name, dk_service *out, dl_err *err);
/* filters_json like {"label":["k"]}; NULL for all. */
int dk_services_list(dk_client *c, const char *filters_json, dk_service **out, size_t *n,
                     dl_err *err);
/* POST /services/{id}/update?version=N with the whole new spec. */
int dk_service_update(dk_client *c, const char *id, long long version,
                      const dk_service_spec *s, dl_err *err);
int dk_service_remove(dk_client *c, const char *name, dl_err *err);
/* The same spec again with TaskTemplate.ForceUpdate raised: swarm replaces
 * the task (docker service update --force). */
int dk_service_force_update(dk_client *c, const char *name, dl_err *err);

typedef struct dk_task {
    char id[65];
    char container_id[65];         /* Status.ContainerStatus.ContainerID, "" before */
    char service_id[65];           /* ServiceID */
    char *state;                   /* Status.State: "running", "failed", "pending" ... */
    char *desired_state;           /* DesiredState */
    char *message;                 /* Status.Err, else Status.Message */
    long long version;             /* Version.Index: newer tasks are higher */
    time_t updated;
} dk_task;
void dk_tasks_free(dk_task *v, size_t n);
/* GET /tasks?filters={"service":[service]} (a name or an ID). */
int dk_tasks_list(dk_client *c, const char *service, dk_task **out, size_t *n, dl_err *err);

/* Asynchronous (as the typed calls above): the service list and the task
 * list, filters_json as the engine's (NULL: all). A non-manager's 503
 * arrives as err with http_status 503. The parsers and paths they use: */
typedef void (*dk_services_done)(void *ud, const dk_service *v, size_t n, const dl_err *err);
dk_req *dk_services_list_async(dk_client *c, const char *filters_json, long timeout_ms,
                               dk_services_done done, void *ud, dl_err *err);
typedef void (*dk_tasks_done)(void *ud, const dk_task *v, size_t n, const dl_err *err);
dk_req *dk_tasks_list_async(dk_client *c, const char *filters_json, long timeout_ms,
                            dk_tasks_done done, void *ud, dl_err *err);
char *dk_services_list_path(const char *filters_json);
char *dk_tasks_list_path(const char *filters_json);
int dk_services_parse(const char *json, size_t len, dk_service **out, size_t *n, dl_err *err);
int dk_tasks_parse(const char *json, size_t len, dk_task **out, size_t *n, dl_err *err);

/* GET /services/{id}/logs: the tasks' logs, stdcopy frames as for a
 * container (o->tty ignored). */
dk_req *dk_service_logs_open(dk_client *c, const char *service, const dk_logs_opts *o,
                             dk_data_fn on_data, dk_done_fn on_done, void *ud, dl_err *err);

#endif
