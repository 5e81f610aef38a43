/* internal.h - declarations shared by the src/docker modules only.
 *
 * Nothing outside src/docker (and its unit tests) includes this file. It
 * holds the allocation helpers, the blocking request helper every operation
 * module uses, the cJSON helpers that keep cJSON inside this directory, and
 * the pure functions the unit tests exercise directly.
 */
#ifndef DEEPLENS_DOCKER_INTERNAL_H
#define DEEPLENS_DOCKER_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "deeplens/docker.h"

/* Timeouts for short calls (inspect, create, list ...). Streams, wait and
 * exec never get one. */
#define DK_SHORT_TIMEOUT_MS 60000L
#define DK_CONNECT_TIMEOUT_MS 10000L
/* Cap on a buffered error body of a stream request. */
#define DK_ERROR_BODY_CAP (64u * 1024u)

/* ---- allocation (abort on OOM only) ------------------------------------ */

void dk_oom(void) __attribute__((noreturn));
void *dk_xmalloc(size_t n);
void *dk_xcalloc(size_t n, size_t size);
void *dk_xrealloc(void *p, size_t n);
char *dk_xstrdup(const char *s);
char *dk_xstrndup(const char *s, size_t n);
/* printf into a malloc'd string. */
char *dk_xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- blocking request --------------------------------------------------- */

typedef struct dk_resp {
    long status;
    char *body;          /* malloc'd, NUL terminated; NULL if empty */
    size_t len;
    char *path_stat;     /* X-Docker-Container-Path-Stat, malloc'd or NULL */
} dk_resp;

void dk_resp_free(dk_resp *r);

/* Submit a DK_BODY_BUFFER request and poll until it ends. Returns -1 with
 * err filled on transport failure or cancellation; otherwise 0 with the
 * answer in *resp, whatever its HTTP status. */
int dk_do(dk_client *c, const char *method, const char *path,
          const char *body, size_t body_len, const char *content_type,
          long timeout_ms, size_t max_body, dk_resp *resp, dl_err *err);

/* Same with full options (mode, on_data, on_done and ud are ignored). */
int dk_do_opts(dk_client *c, const dk_req_opts *o, dk_resp *resp, dl_err *err);

/* Word the HTTP errors of a stream: "what: engine message", and a 404
 * "No such container" as "no such container '<container>'" (may be NULL). */
void dk_req_set_context(dk_req *r, const char *what, const char *container);
/* Word a 404 from /containers/{name}... ; returns -1. */
int dk_container_error(long status, const char *body, size_t len,
                       const char *what, const char *name, dl_err *err);

/* 1 while libcurl runs this client's callbacks (blocking calls refused). */
int dk_client_in_callback(const dk_client *c);
/* Take a finished request's buffered body (malloc'd, NUL terminated; NULL
 * when empty). Only from on_done. */
char *dk_req_take_body(dk_req *r, size_t *len);
/* Parse GET /version and apply the rule; `where` (" at unix://...", or "")
 * goes into the message after "the docker engine". */
int dk_version_check(const char *body, size_t len, const char *where,
                     dk_version *v, dl_err *err);

/* 1 if the status is a success (2xx or 304). */
int dk_status_ok(long status);

/* Poll the client until *flag becomes non-zero. Fails when called from
 * inside a libcurl callback (a stream's on_data). */
int dk_wait_flag(dk_client *c, const int *flag, dl_err *err);

/* ---- ssh:// transport (ssh.c) ------------------------------------------ */

/* Parse what follows "ssh://" ([user@]host[:port], IPv6 in brackets) into
 * ep; orig is the whole value for messages. Pure. */
int dk_ssh_parse(dk_endpoint *ep, const char *rest, const char *orig, dl_err *err);
/* The ssh command line of ep into argv (NULL-terminated, at most max
 * entries with the NULL; buf holds the port text). Returns argc. Pure. */
size_t dk_ssh_argv(const dk_endpoint *ep, char *buf, size_t cap, const char **argv,
                   size_t max);
typedef struct dk_ssh dk_ssh;
dk_ssh *dk_ssh_new(const dk_endpoint *ep);
/* After curl_multi_cleanup: every connection is closed by then. */
void dk_ssh_free(dk_ssh *s);
/* Make the CURL easy handle's connections ssh processes. */
void dk_ssh_setup(dk_ssh *s, void *easy);
/* Failures recorded so far (take it when a request starts) ... */
unsigned dk_ssh_seq(const dk_ssh *s);
/* ... and, when one was recorded after `since`, word it into err (naming
 * the endpoint and ssh's own inert stderr): 1, else 0. */
int dk_ssh_explain(const dk_ssh *s, unsigned since, dl_err *err);

/* Transport failure in operator words (exposed for unit tests). curl_code
 * is a CURLcode, os_errno what CURLINFO_OS_ERRNO gave. */
void dk_transport_error(const dk_endpoint *ep, int curl_code, long os_errno,
                        const char *curl_msg, long timeout_ms, dl_err *err);

/* ---- endpoint ------------------------------------------------------------ */

/* TLS on for ep, with ca.pem, cert.pem and key.pem of dir where present
 * (both or neither of cert and key); verify the peer when verify. */
int dk_endpoint_tls_dir(dk_endpoint *ep, int verify, const char *dir, dl_err *err);

/* ---- cJSON helpers ------------------------------------------------------ */

/* Parse a body; on failure err names `what` (DL_EPROTO). */
cJSON *dkj_parse(const char *body, size_t len, const char *what, dl_err *err);
/* Walk nested objects: dkj_get(o, "State", "Health", "Status", NULL). */
cJSON *dkj_get(const cJSON *o, ...);
/* Strings: "" when missing or not a string. */
const char *dkj_str(const cJSON *o, const char *key);
char *dkj_strdup(const cJSON *o, const char *key);
/* Numbers: dflt when missing or not a number. */
long long dkj_ll(const cJSON *o, const char *key, long long dflt);
int dkj_bool(const cJSON *o, const char *key);
/* Copy a string map ({"k":"v"}) into a dk_kv array; NULL / {} -> 0 items. */
void dkj_kv(const cJSON *map, dk_kv **out, size_t *n);
void dk_kv_free(dk_kv *kv, size_t n);
const char *dk_kv_get(const dk_kv *kv, size_t n, const char *key);
/* Add helpers that abort on OOM. */
cJSON *dkj_obj(void);
void dkj_add_str(cJSON *o, const char *key, const char *v);
void dkj_add_strv(cJSON *o, const char *key, const char *const *v);
void dkj_add_kv(cJSON *o, const char *key, const dk_kv *kv, size_t n);
void dkj_add_num(cJSON *o, const char *key, double v);
void dkj_add_bool(cJSON *o, const char *key, int v);
cJSON *dkj_add_obj(cJSON *o, const char *key);
/* o[key] = {Test, Interval, Timeout, StartPeriod, Retries} when cmd is set
 * (a container's "Healthcheck", a service's "HealthCheck"); unset values out. */
void dkj_add_health(cJSON *o, const char *key, const char *const *cmd, long long interval_ns,
                    long long timeout_ns, long long start_period_ns, int retries);
/* Print compactly into a malloc'd string and delete the tree. */
char *dkj_print_free(cJSON *o);

/* RFC 3339 ("2026-11-25T21:04:01.931440927Z", "+01:00") to seconds;
 * 0 for the zero time "0001-01-01T00:00:00Z" or garbage. */
time_t dk_parse_time(const char *s);

/* ---- pure parsers (unit tested) ----------------------------------------- */

/* One element of GET /containers/json, or the whole GET /containers/{}/json. */
void dk_container_from_list_json(const cJSON *item, dk_container *out);
void dk_container_from_inspect_json(const cJSON *o, dk_container *out);
/* "Up 2 hours (healthy)" -> "healthy"; "(health: starting)" -> "starting". */
const char *dk_health_from_status(const char *status);
void dk_volume_from_json(const cJSON *o, dk_volume *out);
void dk_network_from_json(const cJSON *o, dk_network *out);
/* One line of the events stream; strings point into a scratch tree owned by
 * *tree (delete it after use). Returns -1 on an unparsable line. */
int dk_event_parse(const char *line, size_t n, dk_event *ev, cJSON **tree);
/* Decode X-Docker-Container-Path-Stat (base64 JSON). */
int dk_path_stat_decode(const char *header, dk_path_stat *out, dl_err *err);
/* Standard base64 (padding optional). Returns a malloc'd buffer, NUL
 * terminated, or NULL when the text is not base64. */
char *dk_base64_decode(const char *s, size_t *len);
/* GET /exec/{id}/json: the exit code, or DL_EFAIL while it still runs. */
int dk_exec_exit_from_json(const char *body, size_t len, const char *exec_id, int *exit_code,
                           dl_err *err);
/* Exec create body (exposed for unit tests). Caller frees. */
char *dk_exec_body(const dk_exec_opts *o);
/* One GET /services item, or GET /services/{id} (swarm.c). */
void dk_service_from_json(const cJSON *o, dk_service *out);

/* logs.c: GET /{kind}s/{name}/logs for kind "container" or "service" (raw: the
 * container has a TTY, else stdcopy frames). */
dk_req *dk_logs_submit(dk_client *c, const char *kind, const char *name, const dk_logs_opts *o,
                       int raw, dk_data_fn on_data, dk_done_fn on_done, void *ud, dl_err *err);

#endif
