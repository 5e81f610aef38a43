/* fake_engine.c - the scripted fake Docker engine of fake_engine.h: an
 * accept thread and one thread per connection, all state under one lock.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include "fake_engine.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define MAX_LINES 4096

static struct {
    pthread_mutex_t lock;
    char path[108], host[120];
    int lfd;
    int listening;
    pthread_t accept_thread;
    int active;
    int conns[MAX_CONNS];     /* open connection fds, -1 = free slot */
    fe_route routes[FE_MAX_ROUTES];
    int nroutes;
    char last[8][4096];       /* the last requests, newest first */
    char *lines[MAX_LINES];   /* request lines since the last reset */
    int nlines;
    int held;
    struct { const char *prefix, *resp; } once[8];
    int nonce;
    char **owned;             /* fe_json answers */
    size_t nowned;
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER, .lfd = -1};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void conn_track(int fd, int add)
{
    for (int i = 0; i < MAX_CONNS; i++)
        if (add ? fake.conns[i] < 0 : fake.conns[i] == fd) {
            fake.conns[i] = add ? fd : -1;
            return;
        }
}

static void record(const char *req)
{
    size_t eol = strcspn(req, "\r\n");
    memmove(fake.last[1], fake.last[0], sizeof fake.last - sizeof fake.last[0]);
    snprintf(fake.last[0], sizeof fake.last[0], "%s", req);
    if (fake.nlines < MAX_LINES && (fake.lines[fake.nlines] = strndup(req, eol)) != NULL)
        fake.nlines++;
}

static void answer(int fd, const fe_route *r)
{
    size_t len = r->len ? r->len : strlen(r->resp), off = 0;
    const char *resp = r->resp;
    char *own = NULL;
    const char *eol = memchr(resp, '\n', len);
    /* one request per connection: say so, as an engine would, so that the
     * client never reuses a connection this fake closes */
    if (!r->hold && eol && !strcasestr(resp, "\r\nConnection: close\r\n") &&
        (own = malloc(len + 20)) != NULL) {
        size_t head = (size_t)(eol + 1 - resp);
        memcpy(own, resp, head);
        memcpy(own + head, "Connection: close\r\n", 19);
        memcpy(own + head + 19, resp + head, len - head);
        len += 19;
        resp = own;
    }
    while (off < len) {
        size_t k = r->piece && r->piece < len - off ? r->piece : len - off;
        if (write_all(fd, resp + off, k))
            break;
        off += k;
        if (r->delay_ms && off < len)
            sleep_ms(r->delay_ms);
    }
    free(own);
}

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[4096];
    size_t got = 0;
    const char *hdr_end = NULL;
    fe_route r;
    int found = 0;

    /* headers, then Content-Length bytes of body */
    while (got < sizeof req - 1) {
        ssize_t n = recv(fd, req + got, sizeof req - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
        if (!hdr_end)
            hdr_end = strstr(req, "\r\n\r\n");
        if (hdr_end) {
            const char *cl = strcasestr(req, "\r\nContent-Length:");
            size_t body = cl && cl < hdr_end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
            if (got >= (size_t)(hdr_end + 4 - req) + body)
                break;
        }
    }
    req[got] = '\0';
    pthread_mutex_lock(&fake.lock);
    if (got)
        record(req);
    for (int i = 0; i < fake.nonce && !found; i++)
        if (!strncmp(req, fake.once[i].prefix, strlen(fake.once[i].prefix))) {
            r = (fe_route){fake.once[i].prefix, fake.once[i].resp, 0, 0, 0, 0};
            memmove(&fake.once[i], &fake.once[i + 1],
                    (size_t)(--fake.nonce - i) * sizeof fake.once[0]);
            found = 1;
        }
    for (int i = 0; i < fake.nroutes && !found; i++)
        if (!strncmp(req, fake.routes[i].prefix, strlen(fake.routes[i].prefix))) {
            r = fake.routes[i];
            found = 1;
        }
    pthread_mutex_unlock(&fake.lock);
    if (!found) {
        static const char nf[] = "HTTP/1.1 599 Unscripted\r\nContent-Length: 0\r\n"
                                 "Connection: close\r\n\r\n";
        r = (fe_route){"", nf, 0, 0, 0, 0};
    }
    if (got)
        answer(fd, &r);
    if (got && r.hold == 2) {  /* the next request on this connection dies unanswered */
        char b[4096];
        struct pollfd p = {fd, POLLIN, 0};
        int timeout = 20000;
        while (poll(&p, 1, timeout) > 0 && recv(fd, b, sizeof b, 0) > 0)
            timeout = 200;   /* all of it read: then close without a word */
    } else if (got && r.hold) {  /* until the client closes (at most 20 s) */
        char b[256];
        struct pollfd p = {fd, POLLIN, 0};
        pthread_mutex_lock(&fake.lock);
        fake.held++;
        pthread_mutex_unlock(&fake.lock);
        while (poll(&p, 1, 20000) > 0 && recv(fd, b, sizeof b, 0) > 0)
            ;
        pthread_mutex_lock(&fake.lock);
        fake.held--;
        pthread_mutex_unlock(&fake.lock);
    }
    pthread_mutex_lock(&fake.lock);
    conn_track(fd, 0);
    close(fd);
    fake.active--;
    pthread_mutex_unlock(&fake.lock);
    return NULL;
}

static void *accept_loop(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    for (;;) {
        pthread_t t;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        pthread_mutex_lock(&fake.lock);
        fake.active++;
        conn_track(fd, 1);
        pthread_mutex_unlock(&fake.lock);
        if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) != 0) {
            pthread_mutex_lock(&fake.lock);
            conn_track(fd, 0);
            close(fd);
            fake.active--;
            pthread_mutex_unlock(&fake.lock);
            continue;
        }
        pthread_detach(t);
    }
}

int fe_up(void)
{
    struct sockaddr_un sa;
    int lfd;

    if (fake.listening)
        return 0;
    unlink(fake.path);
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", fake.path);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 64)) {
        if (lfd >= 0)
            close(lfd);
        return -1;
    }
    fake.lfd = lfd;
    if (pthread_create(&fake.accept_thread, NULL, accept_loop, (void *)(intptr_t)lfd)) {
        close(lfd);
        fake.lfd = -1;
        return -1;
    }
    fake.listening = 1;
    return 0;
}

static void wait_idle(void)
{
    for (int i = 0; i < 500; i++) {   /* handlers finish once their peers left */
        int a;
        pthread_mutex_lock(&fake.lock);
        a = fake.active;
        pthread_mutex_unlock(&fake.lock);
        if (!a)
            return;
        sleep_ms(10);
    }
}

void fe_down(void)
{
    if (fake.listening) {
        shutdown(fake.lfd, SHUT_RDWR);
        close(fake.lfd);
        pthread_join(fake.accept_thread, NULL);
        fake.lfd = -1;
        fake.listening = 0;
    }
    unlink(fake.path);
    pthread_mutex_lock(&fake.lock);
    for (int i = 0; i < MAX_CONNS; i++)
        if (fake.conns[i] >= 0)
            shutdown(fake.conns[i], SHUT_RDWR);
    pthread_mutex_unlock(&fake.lock);
    wait_idle();
}

int fe_start(void)
{
    for (int i = 0; i < MAX_CONNS; i++)
        fake.conns[i] = -1;
    snprintf(fake.path, sizeof fake.path, "/tmp/dl-ut-fake-%ld.sock", (long)getpid());
    snprintf(fake.host, sizeof fake.host, "unix://%s", fake.path);
    return fe_up();
}

void fe_stop(void)
{
    fe_down();
    pthread_mutex_lock(&fake.lock);
    for (size_t i = 0; i < fake.nowned; i++)
        free(fake.owned[i]);
    free(fake.owned);
    fake.owned = NULL;
    fake.nowned = 0;
    fake.nroutes = 0;
    fake.nonce = 0;
    pthread_mutex_unlock(&fake.lock);
    fe_reset_counts();
}

const char *fe_path(void)
{
    return fake.path;
}

const char *fe_host(void)
{
    return fake.host;
}

void fe_routes(const fe_route *r, int n)
{
    if (n > FE_MAX_ROUTES)
        n = FE_MAX_ROUTES;
    pthread_mutex_lock(&fake.lock);
    memcpy(fake.routes, r, (size_t)n * sizeof *r);
    fake.nroutes = n;
    fake.nonce = 0;
    pthread_mutex_unlock(&fake.lock);
}

void fe_once(const char *prefix, const char *resp)
{
    pthread_mutex_lock(&fake.lock);
    if (fake.nonce < 8) {
        fake.once[fake.nonce].prefix = prefix;
        fake.once[fake.nonce++].resp = resp;
    }
    pthread_mutex_unlock(&fake.lock);
}

void fe_last_request(int i, char *out, size_t n)
{
    pthread_mutex_lock(&fake.lock);
    snprintf(out, n, "%s", i >= 0 && i < 8 ? fake.last[i] : "");
    pthread_mutex_unlock(&fake.lock);
}

int fe_count(const char *prefix)
{
    int k = 0;
    size_t pl = strlen(prefix);
    pthread_mutex_lock(&fake.lock);
    for (int i = 0; i < fake.nlines; i++)
        k += !strncmp(fake.lines[i], prefix, pl);
    pthread_mutex_unlock(&fake.lock);
    return k;
}

const char *fe_line(int i, char *buf, size_t n)
{
    pthread_mutex_lock(&fake.lock);
    if (i >= 0 && i < fake.nlines) {
        const char *l = fake.lines[i], *h = strstr(l, " HTTP/");
        snprintf(buf, n, "%.*s", (int)(h ? (size_t)(h - l) : strlen(l)), l);
    } else if (n) {
        buf[0] = '\0';
    }
    pthread_mutex_unlock(&fake.lock);
    return buf;
}

void fe_reset_counts(void)
{
    pthread_mutex_lock(&fake.lock);
    for (int i = 0; i < fake.nlines; i++)
        free(fake.lines[i]);
    fake.nlines = 0;
    pthread_mutex_unlock(&fake.lock);
}

int fe_held(void)
{
    int h;
    pthread_mutex_lock(&fake.lock);
    h = fake.held;
    pthread_mutex_unlock(&fake.lock);
    return h;
}

const char *fe_json(int status, const char *body)
{
    size_t bl = strlen(body), cap = bl + 160;
    char *s = malloc(cap), **v;
    if (!s)
        abort();
    snprintf(s, cap, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s", status, status < 300 ? "OK" : "Error", bl, body);
    pthread_mutex_lock(&fake.lock);
    v = realloc(fake.owned, (fake.nowned + 1) * sizeof *v);
    if (!v)
        abort();
    fake.owned = v;
    fake.owned[fake.nowned++] = s;
    pthread_mutex_unlock(&fake.lock);
    return s;
}
