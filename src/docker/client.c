/* client.c - the request loop: one libcurl multi handle per dk_client,
 * requests and streams driven from dk_client_poll(), response bodies
 * buffered (capped) or streamed (raw, stdcopy frames, lines). Failures are
 * worded by errors.c; blocking helpers live in call.c.
 *
 * Owns every CURL handle. Requests live in one list per client; a request
 * cancelled while libcurl is inside a callback becomes a "zombie" that is
 * removed from the multi handle as soon as curl_multi_perform returns, and
 * a request submitted from inside a callback is added at that point too.
 */
#include "internal.h"

#include <curl/curl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef DL_VERSION
#define DL_VERSION "dev"
#endif

#define DEFAULT_MAX_BODY (64u * 1024u * 1024u)
#define LINE_CAP (1024u * 1024u)

enum req_state { RS_QUEUED, RS_ACTIVE, RS_ZOMBIE, RS_FINISHING };

typedef struct hdr {
    char *name, *value;
} hdr;

struct dk_req {
    dk_client *c;
    CURL *easy;
    struct curl_slist *headers;
    dk_req *prev, *next;
    enum req_state state;

    dk_body_mode mode;
    char *what, *container;  /* error wording context */
    char *trace;             /* "GET /path" when DEEPLENS_TRACE is set */
    long long t0_ms;
    unsigned ssh_seq;        /* ssh failures before it started (DK_SSH) */
    size_t max_body;
    long timeout_ms;
    dk_data_fn on_data;
    dk_done_fn on_done;
    void *ud;

    char *upload;            /* PUT body copy */
    size_t upload_len, upload_off;

    char *buf;               /* buffered body (or error body of a stream) */
    size_t len, cap;
    int checked_status;      /* first body byte seen */
    int streaming;           /* 2xx stream: bytes go to on_data */
    hdr *hdrs;
    size_t nhdrs;

    dk_demux dmx;
    dk_linebuf lb;
    int skipping_line;       /* LINES: dropping an over-long record */

    int user_cancel;         /* on_data returned -1 */
    int overflow;            /* body larger than max_body */
    int out_of_sync;         /* stdcopy frame header invalid */
    long status;
    dl_err err;
    char errbuf[CURL_ERROR_SIZE];
};

struct dk_client {
    dk_endpoint ep;
    CURLM *multi;
    char base[320];          /* "http://localhost" */
    dk_req *reqs;            /* every live request */
    int in_curl;             /* inside curl_multi_perform */
    unsigned long ndone;     /* requests reported done (drain_done) */
    int have_version;
    dk_version version;
    dk_ssh *ssh;             /* DK_SSH: its ssh processes (ssh.c) */
};

/* Clients may live in several threads (one each): the libcurl global
 * state is shared, counted under a lock. */
static pthread_mutex_t curl_lock = PTHREAD_MUTEX_INITIALIZER;
static int curl_users;

/* ---- request trace ---------------------------------------------------------
 * DEEPLENS_TRACE=FILE appends one line per request start and end (time,
 * method, path, status, result, duration): what the tool asked of the engine,
 * for operators and for tests. Bodies and headers are never written. */
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;   /* the writes */
static FILE *trace_file;

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void trace_open(void)
{
    const char *path = getenv("DEEPLENS_TRACE");
    if (path && *path)
        trace_file = fopen(path, "ae");
}

static int trace_on(void)
{
    pthread_once(&trace_once, trace_open);
    return trace_file != NULL;
}

static void trace_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace_line(const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char when[32];
    va_list ap;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    pthread_mutex_lock(&trace_lock);
    fprintf(trace_file, "%s.%03ld [%d] ", when, ts.tv_nsec / 1000000, (int)getpid());
    va_start(ap, fmt);
    vfprintf(trace_file, fmt, ap);
    va_end(ap);
    fputc('\n', trace_file);
    fflush(trace_file);
    pthread_mutex_unlock(&trace_lock);
}

/* GnuTLS initialises itself in a library constructor whenever it is loaded,
 * and Debian's OpenSSL libcurl loads it (through librtmp) although nothing
 * here uses it: about 1 MB resident (its own tables and p11-kit's module
 * list) for nothing. This is what gnutls.h's GNUTLS_SKIP_GLOBAL_INIT
 * expands to (written out so that building does not need the GnuTLS
 * headers); it only makes the implicit init explicit, and every user of
 * GnuTLS - libcurl's GnuTLS backend included - calls gnutls_global_init()
 * itself. Without GnuTLS in the process nothing calls it. */
int _gnutls_global_init_skip(void);
int _gnutls_global_init_skip(void)
{
    return 1;
}

/* ---- callbacks (run inside curl_multi_perform) -------------------------- */

static void buf_append(dk_req *r, const char *p, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        r->buf = dk_xrealloc(r->buf, cap);
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    r->buf[r->len] = '\0';
}

static int emit_data(void *ud, int stream, const char *p, size_t n)
{
    dk_req *r = ud;
    if (r->state == RS_ZOMBIE || !r->on_data)
        return r->state == RS_ZOMBIE ? -1 : 0;
    if (r->on_data(r->ud, stream, p, n) != 0) {
        r->user_cancel = 1;
        return -1;
    }
    return r->state == RS_ZOMBIE ? -1 : 0;  /* cancelled from inside */
}

static int emit_line(void *ud, const char *line, size_t n, int continued)
{
    dk_req *r = ud;
    if (r->skipping_line || continued) {  /* over-long record: drop it */
        r->skipping_line = continued;
        return 0;
    }
    return emit_data(r, 1, line, n);
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    dk_req *r = ud;
    size_t n = size * nmemb;

    if (r->state == RS_ZOMBIE)
        return 0;
    if (!r->checked_status) {
        long st = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &st);
        r->checked_status = 1;
        r->streaming = r->mode != DK_BODY_BUFFER && st >= 200 && st < 300;
    }
    if (!r->streaming) {
        size_t cap = r->mode == DK_BODY_BUFFER ? r->max_body : DK_ERROR_BODY_CAP;
        if (r->len + n > cap) {
            r->overflow = 1;
            return 0;
        }
        buf_append(r, p, n);
        return n;
    }
    switch (r->mode) {
    case DK_BODY_RAW:
        if (emit_data(r, 1, p, n))
            return 0;
        break;
    case DK_BODY_MUX:
        if (dk_demux_feed(&r->dmx, p, n, emit_data, r) != 0) {
            if (r->dmx.broken)
                r->out_of_sync = 1;
            return 0;
        }
        break;
    case DK_BODY_LINES:
        if (dk_linebuf_feed(&r->lb, p, n, emit_line, r) != 0)
            return 0;
        break;
    case DK_BODY_BUFFER:
        break;
    }
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    dk_req *r = ud;
    size_t n = size * nmemb, nl, vs, ve;
    const char *colon;

    if (n >= 5 && !strncmp(p, "HTTP/", 5)) {  /* new response: drop old */
        for (size_t i = 0; i < r->nhdrs; i++) {
            free(r->hdrs[i].name);
            free(r->hdrs[i].value);
        }
        r->nhdrs = 0;
        return n;
    }
    colon = memchr(p, ':', n);
    if (!colon)
        return n;
    nl = (size_t)(colon - p);
    vs = nl + 1;
    while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
        vs++;
    ve = n;
    while (ve > vs && (p[ve - 1] == '\r' || p[ve - 1] == '\n' || p[ve - 1] == ' '))
        ve--;
    r->hdrs = dk_xrealloc(r->hdrs, (r->nhdrs + 1) * sizeof *r->hdrs);
    r->hdrs[r->nhdrs].name = dk_xstrndup(p, nl);
    r->hdrs[r->nhdrs].value = dk_xstrndup(p + vs, ve - vs);
    r->nhdrs++;
    return n;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *ud)
{
    dk_req *r = ud;
    size_t n = size * nmemb, left = r->upload_len - r->upload_off;
    if (n > left)
        n = left;
    memcpy(p, r->upload + r->upload_off, n);
    r->upload_off += n;
    return n;
}

/* libcurl rewinds the body when it resends a request on a fresh connection
 * (a reused keep-alive connection that the engine had just closed) */
static int on_seek(void *ud, curl_off_t off, int origin)
{
    dk_req *r = ud;
    if (origin != SEEK_SET || off < 0 || (size_t)off > r->upload_len)
        return CURL_SEEKFUNC_CANTSEEK;
    r->upload_off = (size_t)off;
    return CURL_SEEKFUNC_OK;
}

/* ---- request lifecycle -------------------------------------------------- */

static void list_unlink(dk_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        r->c->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void req_free(dk_req *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    for (size_t i = 0; i < r->nhdrs; i++) {
        free(r->hdrs[i].name);
        free(r->hdrs[i].value);
    }
    free(r->hdrs);
    free(r->buf);
    free(r->upload);
    free(r->what);
    free(r->container);
    free(r->trace);
    dk_linebuf_free(&r->lb);
    free(r);
}

/* Remove from the multi handle and the list, run on_done, free. */
static void req_finish(dk_req *r)
{
    dk_client *c = r->c;
    if (r->state == RS_ACTIVE || r->state == RS_ZOMBIE)
        curl_multi_remove_handle(c->multi, r->easy);
    list_unlink(r);
    r->state = RS_FINISHING;
    if (r->trace)
        trace_line("done   %s -> %ld %s (%lld ms)", r->trace, r->status,
                   r->err.kind == DL_OK ? "ok" : r->err.msg, mono_ms() - r->t0_ms);
    if (r->on_done)
        r->on_done(r->ud, r);
    req_free(r);
}

static void req_complete(dk_req *r, CURLcode rc)
{
    long os_errno = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    dl_err_clear(&r->err);
    if (r->user_cancel) {
        dl_err_set(&r->err, DL_ECANCEL, "request cancelled");
    } else if (r->overflow && r->mode == DK_BODY_BUFFER && dk_status_ok(r->status)) {
        dl_err_set(&r->err, DL_EPROTO, "the engine's answer is larger than %zu bytes",
                   r->max_body);
    } else if (r->out_of_sync) {
        dl_err_set(&r->err, DL_EPROTO,
                   "output stream out of sync (invalid frame header from the engine)");
    } else if (rc != CURLE_OK && !(r->overflow && r->status)) {
        curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
        if (!r->c->ssh || !dk_ssh_explain(r->c->ssh, r->ssh_seq, &r->err))
            dk_transport_error(&r->c->ep, (int)rc, os_errno, r->errbuf, r->timeout_ms, &r->err);
    } else if (!dk_status_ok(r->status)) {
        if (r->container)
            dk_container_error(r->status, r->buf, r->len, r->what, r->container, &r->err);
        else
            dk_error_from_response(r->status, r->buf, r->len, r->what, &r->err);
    } else if (r->streaming && r->mode == DK_BODY_LINES) {
        r->skipping_line = 0;
        if (dk_linebuf_flush(&r->lb, emit_line, r) != 0)
            dl_err_set(&r->err, DL_ECANCEL, "request cancelled");
    }
    if (r->err.kind != DL_OK && r->err.kind != DL_ECONN)
        r->err.http_status = r->status;
    req_finish(r);
}

static void drain_done(dk_client *c)
{
    CURLMsg *m;
    int q;
    while ((m = curl_multi_info_read(c->multi, &q))) {
        char *priv = NULL;
        dk_req *r;
        if (m->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        r = (dk_req *)priv;
        if (r && r->state == RS_ACTIVE) {
            c->ndone++;
            req_complete(r, m->data.result);
        }
    }
}

/* After curl_multi_perform: reap zombies, add queued requests. */
static void settle(dk_client *c)
{
    dk_req *r = c->reqs, *next;
    for (; r; r = next) {
        next = r->next;
        if (r->state == RS_ZOMBIE) {
            curl_multi_remove_handle(c->multi, r->easy);
            list_unlink(r);
            req_free(r);
        }
    }
    for (r = c->reqs; r; r = r->next)
        if (r->state == RS_QUEUED) {
            curl_multi_add_handle(c->multi, r->easy);
            r->state = RS_ACTIVE;
        }
}

static void perform(dk_client *c)
{
    int running;
    c->in_curl = 1;
    curl_multi_perform(c->multi, &running);
    c->in_curl = 0;
    settle(c);
    drain_done(c);
}

void dk_cancel(dk_req *r)
{
    dk_client *c;
    if (!r || r->state == RS_FINISHING || r->state == RS_ZOMBIE)
        return;
    c = r->c;
    dl_err_set(&r->err, DL_ECANCEL, "request cancelled");
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    r->err.http_status = r->status;
    if (c->in_curl && r->state == RS_ACTIVE) {
        /* libcurl is inside a callback: report now, detach afterwards */
        enum req_state keep = RS_ZOMBIE;
        r->state = RS_FINISHING;
        if (r->on_done)
            r->on_done(r->ud, r);
        r->on_data = NULL;
        r->on_done = NULL;
        r->state = keep;
        return;
    }
    req_finish(r);
}

/* ---- client ------------------------------------------------------------- */

int dk_client_new(dk_client **out, const dk_endpoint *ep, dl_err *err)
{
    dk_client *c;
    *out = NULL;
    pthread_mutex_lock(&curl_lock);
    if (curl_users == 0 && curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        pthread_mutex_unlock(&curl_lock);
        return dl_err_set(err, DL_ESYS, "cannot initialise libcurl");
    }
    curl_users++;
    pthread_mutex_unlock(&curl_lock);
    c = dk_xcalloc(1, sizeof *c);
    c->ep = *ep;
    c->multi = curl_multi_init();
    if (!c->multi)
        dk_oom();
    if (ep->transport == DK_SSH)
        c->ssh = dk_ssh_new(ep);
    if (ep->transport == DK_UNIX || ep->transport == DK_SSH)
        snprintf(c->base, sizeof c->base, "http://localhost");
    else if (strchr(ep->host, ':'))
        snprintf(c->base, sizeof c->base, "%s://[%s]:%d", ep->tls ? "https" : "http",
                 ep->host, ep->port);
    else
        snprintf(c->base, sizeof c->base, "%s://%s:%d", ep->tls ? "https" : "http",
                 ep->host, ep->port);
    *out = c;
    return 0;
}

void dk_client_free(dk_client *c)
{
    if (!c)
        return;
    while (c->reqs) {
        dk_req *r = c->reqs;
        if (r->state == RS_ZOMBIE) {
            curl_multi_remove_handle(c->multi, r->easy);
            list_unlink(r);
            req_free(r);
        } else {
            dk_cancel(r);
        }
    }
    curl_multi_cleanup(c->multi);
    dk_ssh_free(c->ssh);
    free(c);
    pthread_mutex_lock(&curl_lock);
    if (--curl_users == 0)
        curl_global_cleanup();
    pthread_mutex_unlock(&curl_lock);
}

const dk_endpoint *dk_client_endpoint(const dk_client *c)
{
    return &c->ep;
}

int dk_client_poll(dk_client *c, int extra_fd, int timeout_ms)
{
    struct curl_waitfd w = {extra_fd, CURL_WAIT_POLLIN, 0};
    int nfds = 0;
    CURLMcode mc;

    if (c->in_curl)
        return -1;
    /* a request that ends in this first pass (its last bytes came after the
     * previous pass) returns at once: the caller looks at what it waits for
     * before the next wait, which would otherwise run to its timeout */
    unsigned long n0 = c->ndone;
    perform(c);
    if (c->ndone != n0)
        return 0;
    mc = curl_multi_poll(c->multi, extra_fd >= 0 ? &w : NULL, extra_fd >= 0 ? 1 : 0,
                         timeout_ms < 0 ? INT_MAX : timeout_ms, &nfds);
    if (mc != CURLM_OK)
        return -1;
    perform(c);
    return extra_fd >= 0 && (w.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

void dk_client_wakeup(dk_client *c)
{
    curl_multi_wakeup(c->multi);
}

int dk_client_pending(const dk_client *c)
{
    int n = 0;
    for (const dk_req *r = c->reqs; r; r = r->next)
        n += r->state == RS_ACTIVE || r->state == RS_QUEUED;
    return n;
}

/* ---- submit ------------------------------------------------------------- */

dk_req *dk_submit(dk_client *c, const dk_req_opts *o, dl_err *err)
{
    dk_req *r;
    CURL *e;
    char *url;
    const char *method = o->method ? o->method : "GET";
    int has_body = o->body != NULL;

    if (!o->path || o->path[0] != '/') {
        dl_err_set(err, DL_EINVAL, "invalid request path '%s'", o->path ? o->path : "");
        return NULL;
    }
    e = curl_easy_init();
    if (!e) {
        dl_err_set(err, DL_ESYS, "cannot create a libcurl handle");
        return NULL;
    }
    r = dk_xcalloc(1, sizeof *r);
    r->c = c;
    r->easy = e;
    r->mode = o->mode;
    r->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    r->timeout_ms = o->timeout_ms;
    r->on_data = o->on_data;
    r->on_done = o->on_done;
    r->ud = o->ud;
    dk_demux_init(&r->dmx);
    if (r->mode == DK_BODY_LINES && dk_linebuf_init(&r->lb, LINE_CAP) != 0)
        dk_oom();

    url = o->unversioned ? dk_xfmt("%s%s", c->base, o->path)
                         : dk_xfmt("%s/v" DK_API_VERSION "%s", c->base, o->path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    free(url);
    if (trace_on()) {
        r->trace = dk_xfmt("%s %s", method, o->path);
        r->t0_ms = mono_ms();
        trace_line("submit %s", r->trace);
    }
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "deeplens-backup/" DL_VERSION);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, DK_CONNECT_TIMEOUT_MS);
    if (o->timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    if (c->ep.transport == DK_TCP) {
        /* a remote engine that vanishes (network gone, host down) sends no
         * FIN: probes find it within about a minute, also on a silent
         * events stream */
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
    }
    if (c->ep.transport == DK_UNIX) {
        curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, c->ep.socket_path);
    } else if (c->ep.transport == DK_SSH) {
        dk_ssh_setup(c->ssh, e);   /* ssh.c: one ssh process per connection */
        r->ssh_seq = dk_ssh_seq(c->ssh);
    } else if (c->ep.tls) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->ep.tls_verify ? 1L : 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->ep.tls_verify ? 2L : 0L);
        if (c->ep.ca[0]) {
            curl_easy_setopt(e, CURLOPT_CAINFO, c->ep.ca);
            curl_easy_setopt(e, CURLOPT_CAPATH, NULL);  /* the CA replaces system roots */
        }
        if (c->ep.cert[0])
            curl_easy_setopt(e, CURLOPT_SSLCERT, c->ep.cert);
        if (c->ep.key[0])
            curl_easy_setopt(e, CURLOPT_SSLKEY, c->ep.key);
    }

    r->headers = curl_slist_append(r->headers, "Expect:");
    if (has_body) {
        char *ct = dk_xfmt("Content-Type: %s",
                           o->content_type ? o->content_type : "application/json");
        r->headers = curl_slist_append(r->headers, ct);
        free(ct);
    } else {
        r->headers = curl_slist_append(r->headers, "Content-Type:");
    }
    if (!r->headers)
        dk_oom();
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);

    if (!strcmp(method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(method, "POST")) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(has_body ? o->body_len : 0));
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, has_body ? o->body : "");
    } else if (!strcmp(method, "PUT")) {
        r->upload = dk_xmalloc(o->body_len ? o->body_len : 1);
        if (has_body)
            memcpy(r->upload, o->body, o->body_len);
        r->upload_len = has_body ? o->body_len : 0;
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(e, CURLOPT_READDATA, r);
        curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(e, CURLOPT_SEEKDATA, r);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->upload_len);
    } else if (strcmp(method, "GET")) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
        if (has_body) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
            curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, o->body);
        }
    }

    r->next = c->reqs;
    if (c->reqs)
        c->reqs->prev = r;
    c->reqs = r;
    if (c->in_curl) {
        r->state = RS_QUEUED;  /* added when curl_multi_perform returns */
    } else if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
        list_unlink(r);
        req_free(r);
        dl_err_set(err, DL_ESYS, "cannot start a request to the docker engine");
        return NULL;
    } else {
        r->state = RS_ACTIVE;
    }
    return r;
}

void dk_req_set_context(dk_req *r, const char *what, const char *container)
{
    free(r->what);
    free(r->container);
    r->what = what ? dk_xstrdup(what) : NULL;
    r->container = container ? dk_xstrdup(container) : NULL;
}


int dk_client_in_callback(const dk_client *c)
{
    return c->in_curl;
}

char *dk_req_take_body(dk_req *r, size_t *len)
{
    char *b = r->len ? r->buf : NULL;
    *len = b ? r->len : 0;
    if (b) {
        r->buf = NULL;
        r->len = r->cap = 0;
    }
    return b;
}

long dk_req_status(const dk_req *r)
{
    return r->status;
}

const char *dk_req_body(const dk_req *r, size_t *len)
{
    if (len)
        *len = r->len;
    return r->buf ? r->buf : "";
}

const char *dk_req_header(const dk_req *r, const char *name)
{
    for (size_t i = r->nhdrs; i-- > 0;)
        if (!strcasecmp(r->hdrs[i].name, name))
            return r->hdrs[i].value;
    return NULL;
}

int dk_req_result(const dk_req *r, dl_err *err)
{
    if (r->err.kind == DL_OK)
        return 0;
    if (err)
        *err = r->err;
    return -1;
}

/* ---- version ------------------------------------------------------------ */

int dk_client_check_version(dk_client *c, dk_version *out, dl_err *err)
{
    dk_resp r;
    dk_req_opts o;
    dk_version v;
    char *where;
    int rc;

    if (c->have_version) {
        if (out)
            *out = c->version;
        return 0;
    }
    /* Unversioned on purpose: an engine whose minimum is above 1.41 would
     * refuse /v1.41/version, and we want to name both versions. */
    memset(&o, 0, sizeof o);
    o.method = "GET";
    o.path = "/version";
    o.unversioned = 1;
    o.timeout_ms = DK_SHORT_TIMEOUT_MS;
    o.max_body = 1 << 20;
    if (dk_do_opts(c, &o, &r, err))
        return -1;
    if (!dk_status_ok(r.status)) {
        dk_error_from_response(r.status, r.body, r.len, "asking the docker engine its version",
                               err);
        dk_resp_free(&r);
        return -1;
    }
    where = dk_xfmt(" at %s", c->ep.display);
    rc = dk_version_check(r.body, r.len, where, &v, err);
    free(where);
    dk_resp_free(&r);
    if (out)
        *out = v;  /* also on failure: the caller may show the versions */
    if (rc)
        return -1;
    c->version = v;
    c->have_version = 1;
    return 0;
}

/* ---- several clients, one wait (several engines in one console) ---------- */

/* The wait of clients 1..n-1 rides on client 0's poll: their sockets (from
 * curl_multi_fdset) are extra fds of it and their timers shorten it. Their
 * wake-ups (dk_client_wakeup) do not reach that poll, so it waits at most
 * DK_CLIENTS_SLICE_MS: work a callback of theirs leaves is that late at most. */
#define DK_CLIENTS_SLICE_MS 250
#define DK_CLIENTS_MAX_FDS 256

int dk_clients_poll(dk_client *const *v, size_t n, int extra_fd, int timeout_ms)
{
    struct curl_waitfd w[1 + DK_CLIENTS_MAX_FDS];
    unsigned nw = 0;
    int nfds = 0;

    if (n == 1)
        return dk_client_poll(v[0], extra_fd, timeout_ms);
    int ended = 0;    /* as dk_client_poll: an answer in the first pass returns at once */
    for (size_t i = 0; i < n; i++) {
        if (v[i]->in_curl)
            return -1;
        unsigned long n0 = v[i]->ndone;
        perform(v[i]);
        ended |= v[i]->ndone != n0;
    }
    if (ended)
        return 0;
    if (extra_fd >= 0)
        w[nw++] = (struct curl_waitfd){extra_fd, CURL_WAIT_POLLIN, 0};
    for (size_t i = 1; i < n; i++) {
        fd_set rd, wr, ex;
        int maxfd = -1;
        long t = -1;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        if (curl_multi_fdset(v[i]->multi, &rd, &wr, &ex, &maxfd) != CURLM_OK)
            return -1;
        for (int fd = 0; fd <= maxfd && nw < sizeof w / sizeof w[0]; fd++) {
            short ev = (short)((FD_ISSET(fd, &rd) ? CURL_WAIT_POLLIN : 0) |
                               (FD_ISSET(fd, &wr) ? CURL_WAIT_POLLOUT : 0) |
                               (FD_ISSET(fd, &ex) ? CURL_WAIT_POLLPRI : 0));
            if (ev)
                w[nw++] = (struct curl_waitfd){fd, ev, 0};
        }
        curl_multi_timeout(v[i]->multi, &t);
        if (t >= 0 && (timeout_ms < 0 || t < timeout_ms))
            timeout_ms = (int)t;
    }
    if (timeout_ms < 0 || timeout_ms > DK_CLIENTS_SLICE_MS)
        timeout_ms = DK_CLIENTS_SLICE_MS;
    if (curl_multi_poll(v[0]->multi, w, nw, timeout_ms, &nfds) != CURLM_OK)
        return -1;
    for (size_t i = 0; i < n; i++)
        perform(v[i]);
    return extra_fd >= 0 && (w[0].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}
