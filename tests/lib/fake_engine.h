/* fake_engine.h - a scripted Docker engine on a unix socket, for unit tests
 * of the Docker client and of the domain above it (no docker needed).
 *
 * One fake per test program. It answers each connection's first request
 * with the first route whose prefix starts the request line ("GET
 * /v1.41/containers/json"), or 599 Unscripted; it adds "Connection: close"
 * to answers that do not hold the connection, so a client never reuses a
 * connection the fake closes. Routes are copied: string pointers must stay
 * valid while they are in use (string literals or static buffers).
 * fe_down makes the engine go away as a dying dockerd (or a killed proxy)
 * does: the socket file disappears and every open connection drops;
 * fe_up brings it back on the same path.
 */
#ifndef DEEPLENS_TEST_FAKE_ENGINE_H
#define DEEPLENS_TEST_FAKE_ENGINE_H

#include <stddef.h>

typedef struct fe_route {
    const char *prefix;     /* request line starts with this, e.g. "GET /v1.41/x" */
    const char *resp;       /* raw HTTP answer */
    size_t len;             /* 0 = strlen(resp) */
    size_t piece;           /* send in pieces of this size (0 = at once) */
    int delay_ms;           /* between pieces */
    int hold;               /* 1: keep the connection open until the client leaves;
                               2: keep it open, then drop the next request unanswered
                               (an engine closing an idle keep-alive connection) */
} fe_route;

#define FE_MAX_ROUTES 32

/* Listen on a fresh socket; 0 or -1. */
int fe_start(void);
/* Every connection closed, the socket removed. */
void fe_stop(void);
const char *fe_path(void);   /* "/tmp/dl-ut-fake-<pid>.sock" */
const char *fe_host(void);   /* "unix:///tmp/dl-ut-fake-<pid>.sock" */

/* Replace the script (at most FE_MAX_ROUTES); drops pending fe_once. */
void fe_routes(const fe_route *r, int n);
/* The next request whose line starts with prefix gets `resp` instead of
 * its route's answer, once (a step that fails the first time only). At most
 * 8 pending; both strings must outlive their use. */
void fe_once(const char *prefix, const char *resp);

/* Request i, newest first (0 = the last), headers and body as received. */
void fe_last_request(int i, char *out, size_t n);
/* Requests whose request line starts with prefix, since the start or the
 * last fe_reset_counts ("" counts all). */
int fe_count(const char *prefix);
void fe_reset_counts(void);
/* Request line i (0 = the oldest since the last reset) without " HTTP/1.1",
 * into buf; "" when there is none. Returns buf. */
const char *fe_line(int i, char *buf, size_t n);
int fe_held(void);          /* connections held open now (routes with hold) */

/* The engine goes away: no socket file, every open connection dropped. */
void fe_down(void);
/* It comes back on the same path; 0 or -1. */
int fe_up(void);

/* An HTTP answer with this status and JSON body (Content-Length set). The
 * string belongs to the fake and lives until fe_stop. */
const char *fe_json(int status, const char *body);

#endif
