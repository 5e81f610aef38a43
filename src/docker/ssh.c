/* ssh.c - the ssh:// transport, as the docker CLI does it
 * (cli/connhelper): every connection libcurl opens is one
 *   ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15
 *       -o ServerAliveCountMax=3 -T [-l user] [-p port] -- host
 *       docker system dial-stdio
 * whose stdin and stdout are one end of a socketpair; the other end is
 * handed to libcurl as an already connected socket (OPENSOCKETFUNCTION,
 * SOCKOPTFUNCTION), so HTTP, keep-alive reuse, streams, exec and archives
 * run unchanged over it and the console's loop polls it like any socket.
 *
 * The child: ssh from PATH, in a session of its own (no controlling
 * terminal: it can never ask for a password or a host key confirmation on
 * the operator's terminal; BatchMode makes it fail instead), default
 * signal dispositions, ended with its client (PR_SET_PDEATHSIG), no
 * inherited descriptor but 0, 1 and 2; its stderr
 * goes to an anonymous memory file read when the connection closes.
 * CLOSESOCKETFUNCTION closes libcurl's end and ends the child: a child that
 * already exited by itself with a failure leaves its stderr (remote text:
 * made inert) as the client's latest ssh failure, which the request that
 * failed reports; any other child gets SIGTERM (then SIGKILL) and is
 * reaped at once, so no zombie and no descriptor outlives its connection.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "deeplens/text.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SSH_CONNECT_TIMEOUT_S 10
#define ERR_TAIL 2048           /* stderr bytes read back (its end) */
#define EXIT_WAIT_MS 300        /* a failing ssh's exit after its EOF */
#define TERM_WAIT_MS 500        /* SIGTERM to SIGKILL */

/* ---- parsing ------------------------------------------------------------ */

static int bad_char(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '?' || ch == '#' || ch == '\\' ||
            ch == '\'' || ch == '"' || ch == '`' || ch == '$' || ch == ';' || ch == '&' ||
            ch == '|' || ch == '<' || ch == '>' || ch == '(' || ch == ')' || ch == '*')
            return 1;
    }
    return 0;
}

int dk_ssh_parse(dk_endpoint *ep, const char *rest, const char *orig, dl_err *err)
{
    char shown[300];
    const char *at, *hs, *he, *port_s = NULL, *end;
    size_t ul = 0, hl;

    dl_inert_copy(shown, sizeof shown, orig, strlen(orig), 0);
    end = rest + strlen(rest);
    if ((hs = strchr(rest, '/')) && hs[strspn(hs, "/")] != '\0')
        return dl_err_set(err, DL_EINVAL,
                          "invalid DOCKER_HOST '%s': a path after the ssh host is not supported "
                          "(the remote engine is the one 'docker' finds there)", shown);
    if (hs)
        end = hs;
    at = memchr(rest, '@', (size_t)(end - rest));
    if (at) {
        ul = (size_t)(at - rest);
        if (!ul)
            return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': empty ssh user name",
                              shown);
        if (memchr(rest, ':', ul))
            return dl_err_set(err, DL_EINVAL,
                              "invalid DOCKER_HOST '%s': a password in the address is not "
                              "supported (use a key or an ssh agent)", shown);
        if (ul >= sizeof ep->ssh_user || rest[0] == '-' || bad_char(rest, ul) ||
            memchr(at + 1, '@', (size_t)(end - at - 1)))
            return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': bad ssh user name",
                              shown);
        hs = at + 1;
    } else {
        hs = rest;
    }
    if (*hs == '[') {
        const char *rb = memchr(hs, ']', (size_t)(end - hs));
        if (!rb)
            return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': missing ']' in the address",
                              shown);
        he = rb;
        hs++;
        if (rb + 1 < end) {
            if (rb[1] != ':')
                return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s'", shown);
            port_s = rb + 2;
        }
    } else {
        const char *colon = memchr(hs, ':', (size_t)(end - hs));
        he = colon ? colon : end;
        if (colon) {
            port_s = colon + 1;
            if (memchr(port_s, ':', (size_t)(end - port_s)))
                return dl_err_set(err, DL_EINVAL,
                                  "invalid DOCKER_HOST '%s': put an IPv6 address in brackets",
                                  shown);
        }
    }
    hl = (size_t)(he - hs);
    if (!hl)
        return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': the ssh host is missing",
                          shown);
    if (hl >= sizeof ep->host || hs[0] == '-' || bad_char(hs, hl) || memchr(hs, '[', hl) ||
        memchr(hs, ']', hl))
        return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': bad ssh host name", shown);
    ep->port = 0;
    if (port_s) {
        char *stop;
        long p;
        if (port_s == end || !isdigit((unsigned char)*port_s))
            return dl_err_set(err, DL_EINVAL,
                              "invalid port in DOCKER_HOST '%s': must be 1-65535", shown);
        p = strtol(port_s, &stop, 10);
        if (stop != end || p < 1 || p > 65535)
            return dl_err_set(err, DL_EINVAL,
                              "invalid port in DOCKER_HOST '%s': must be 1-65535", shown);
        ep->port = (int)p;
    }
    ep->transport = DK_SSH;
    memcpy(ep->ssh_user, rest, ul);
    ep->ssh_user[ul] = '\0';
    memcpy(ep->host, hs, hl);
    ep->host[hl] = '\0';
    {
        char hostpart[300], portpart[16] = "";
        if (strchr(ep->host, ':'))
            snprintf(hostpart, sizeof hostpart, "[%s]", ep->host);
        else
            snprintf(hostpart, sizeof hostpart, "%s", ep->host);
        if (ep->port)
            snprintf(portpart, sizeof portpart, ":%d", ep->port);
        snprintf(ep->display, sizeof ep->display, "ssh://%s%s%s%s", ep->ssh_user,
                 ep->ssh_user[0] ? "@" : "", hostpart, portpart);
    }
    return 0;
}

size_t dk_ssh_argv(const dk_endpoint *ep, char *buf, size_t cap, const char **argv,
                   size_t max)
{
    static const char *const head[] = {
        "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o",
        "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "-T"};
    size_t n = 0;
    int w;

    for (size_t i = 0; i < sizeof head / sizeof head[0] && n + 1 < max; i++)
        argv[n++] = head[i];
    if (ep->ssh_user[0] && n + 2 < max) {
        argv[n++] = "-l";
        argv[n++] = ep->ssh_user;
    }
    if (ep->port && n + 2 < max) {
        w = snprintf(buf, cap, "%d", ep->port);
        if (w > 0 && (size_t)w < cap) {
            argv[n++] = "-p";
            argv[n++] = buf;
        }
    }
    if (n + 6 < max) {
        argv[n++] = "--";
        argv[n++] = ep->host;
        argv[n++] = "docker";
        argv[n++] = "system";
        argv[n++] = "dial-stdio";
    }
    argv[n] = NULL;
    return n;
}

/* ---- connections -------------------------------------------------------- */

typedef struct ssh_conn {
    int fd;          /* libcurl's end */
    pid_t pid;
    int errfd;       /* the child's stderr (memfd) */
    struct ssh_conn *next;
} ssh_conn;

struct dk_ssh {
    dk_endpoint ep;
    ssh_conn *conns;
    unsigned seq;                 /* failures recorded so far */
    char fail[400];               /* the latest one, inert */
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* waitpid for up to ms; 1 reaped (status in *st), 0 still running */
static int wait_child(pid_t pid, int *st, long ms)
{
    for (long waited = 0;; waited += 10) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR) {   /* ECHILD: reaped elsewhere (SIGCHLD ignored) */
            *st = -1;
            return 1;
        }
        if (waited >= ms)
            return 0;
        sleep_ms(10);
    }
}

/* The last one or two non-empty lines of the child's stderr, inert. */
static void err_tail(int fd, char *out, size_t cap)
{
    char raw[ERR_TAIL + 1], joined[ERR_TAIL + 8] = "";
    off_t size = lseek(fd, 0, SEEK_END), from;
    ssize_t n;
    char *lines[2] = {NULL, NULL}, *p, *save = NULL;

    out[0] = '\0';
    if (size <= 0)
        return;
    from = size > ERR_TAIL ? size - ERR_TAIL : 0;
    n = pread(fd, raw, (size_t)(size - from), from);
    if (n <= 0)
        return;
    raw[n] = '\0';
    for (p = strtok_r(raw, "\r\n", &save); p; p = strtok_r(NULL, "\r\n", &save)) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            continue;
        lines[0] = lines[1];
        lines[1] = p;
    }
    if (lines[0] && lines[1])
        snprintf(joined, sizeof joined, "%s / %s", lines[0], lines[1]);
    else if (lines[1])
        snprintf(joined, sizeof joined, "%s", lines[1]);
    dl_inert_copy(out, cap, joined, strlen(joined), 0);
}

static void record(dk_ssh *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void record(dk_ssh *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->fail, sizeof s->fail, fmt, ap);
    va_end(ap);
    s->seq++;
}

/* End a connection: close libcurl's end, then the child (see the top). */
static void conn_end(dk_ssh *s, ssh_conn *k, int closing_fd)
{
    int st = 0, exited, gone = 0;
    char tail[300];

    if (k->fd >= 0) {
        /* ssh's end closed (it exited or is exiting): its status tells why */
        struct pollfd p = {k->fd, POLLIN | POLLRDHUP, 0};
        gone = poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
        if (closing_fd)
            close(k->fd);
    }
    k->fd = -1;
    err_tail(k->errfd, tail, sizeof tail);
    exited = wait_child(k->pid, &st, tail[0] || gone ? EXIT_WAIT_MS : 0);
    if (exited && st != -1 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !tail[0])
            record(s, "cannot run ssh (is openssh-client installed and in PATH?)");
        else if (WIFEXITED(st))
            record(s, "ssh exited with status %d%s%s", WEXITSTATUS(st), tail[0] ? ": " : "",
                   tail);
        else
            record(s, "ssh was killed by signal %d%s%s", WTERMSIG(st), tail[0] ? ": " : "",
                   tail);
    }
    if (!exited) {
        kill(k->pid, SIGTERM);
        if (!wait_child(k->pid, &st, TERM_WAIT_MS)) {
            kill(k->pid, SIGKILL);
            while (waitpid(k->pid, &st, 0) < 0 && errno == EINTR)
                ;
        }
    }
    close(k->errfd);
    k->errfd = -1;
}

static int cloexec_above2(int fd)
{
    int d;
    if (fd < 0 || fd > 2)
        return fd;
    d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return d;
}

/* The child, between fork and exec: only async-signal-safe calls. Wait
 * for libcurl's connect (from the parent: SO_PEERCRED), make the accepted
 * socket stdin and stdout, errfd stderr, then exec ssh. */
static void child(int lfd, int errfd, char *const *argv) __attribute__((noreturn));
static void child(int lfd, int errfd, char *const *argv)
{
    struct sigaction dfl;
    sigset_t none;
    pid_t parent = getppid();

    setsid();   /* no controlling terminal: ssh cannot prompt on it */
    /* the client killed outright (SIGKILL, a crash) takes its ssh along:
     * an ssh left with only a silent stream would otherwise stay */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(125);
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (;;) {
        struct pollfd p = {lfd, POLLIN, 0};
        struct ucred cr;
        socklen_t cl = sizeof cr;
        int s;
        if (poll(&p, 1, 30000) <= 0)
            _exit(125);
        s = accept(lfd, NULL, NULL);
        if (s < 0)
            continue;
        if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) != 0 || cr.pid != parent ||
            cr.uid != getuid()) {
            close(s);   /* someone else: not ours to serve */
            continue;
        }
        if (dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(errfd, 2) < 0)
            _exit(125);
        break;
    }
    closefrom(3);
    execvp(argv[0], argv);
    _exit(errno == ENOENT ? 127 : 126);
}

static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    static unsigned counter;
    dk_ssh *s = ud;
    struct sockaddr_un sa;
    socklen_t salen;
    int lfd = -1, cfd = -1, errfd = -1;
    char portbuf[16];
    const char *argv[32];
    pid_t pid;
    ssh_conn *k;

    (void)purpose;
    /* libcurl 7.88 connects whatever it is given (it ignores
     * CURL_SOCKOPT_ALREADY_CONNECTED), so it connects to a listening
     * socket of this connection alone, in the abstract namespace (no file
     * to clean up), which the child accepts and hands to ssh */
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "deeplens-ssh-%ld-%u-%ld",
                 (long)getpid(), ++counter, (long)ts.tv_nsec);
    }
    salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1));
    lfd = cloexec_above2(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    cfd = cloexec_above2(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    errfd = cloexec_above2(memfd_create("deeplens-ssh-stderr", MFD_CLOEXEC));
    if (lfd < 0 || cfd < 0 || errfd < 0 || bind(lfd, (struct sockaddr *)&sa, salen) != 0 ||
        listen(lfd, 1) != 0) {
        record(s, "cannot set up the ssh connection: %s", strerror(errno));
        goto fail;
    }
    dk_ssh_argv(&s->ep, portbuf, sizeof portbuf, argv, sizeof argv / sizeof argv[0]);
    pid = fork();
    if (pid < 0) {
        record(s, "cannot start ssh: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0)
        child(lfd, errfd, (char *const *)argv);
    close(lfd);
    /* libcurl connects cfd to this address when the callback returns */
    /* addr->addr is the head of a sockaddr_storage inside libcurl, which
     * holds the sockaddr_un of CURLOPT_UNIX_SOCKET_PATH the same way */
    memcpy((char *)addr + offsetof(struct curl_sockaddr, addr), &sa, salen);
    addr->addrlen = salen;
    addr->family = AF_UNIX;
    addr->socktype = SOCK_STREAM;
    addr->protocol = 0;
    k = dk_xcalloc(1, sizeof *k);
    k->fd = cfd;
    k->pid = pid;
    k->errfd = errfd;
    k->next = s->conns;
    s->conns = k;
    return cfd;
fail:
    if (lfd >= 0)
        close(lfd);
    if (cfd >= 0)
        close(cfd);
    if (errfd >= 0)
        close(errfd);
    return CURL_SOCKET_BAD;
}

static int on_close(void *ud, curl_socket_t fd)
{
    dk_ssh *s = ud;
    for (ssh_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
        ssh_conn *k = *pp;
        if (k->fd == fd) {
            *pp = k->next;
            conn_end(s, k, 1);
            free(k);
            return 0;
        }
    }
    return close(fd);  /* not one of ours (never expected) */
}

/* ---- the client's side -------------------------------------------------- */

dk_ssh *dk_ssh_new(const dk_endpoint *ep)
{
    dk_ssh *s = dk_xcalloc(1, sizeof *s);
    s->ep = *ep;
    return s;
}

void dk_ssh_free(dk_ssh *s)
{
    if (!s)
        return;
    while (s->conns) {   /* libcurl closed everything it had: none expected */
        ssh_conn *k = s->conns;
        s->conns = k->next;
        conn_end(s, k, 1);
        free(k);
    }
    free(s);
}

void dk_ssh_setup(dk_ssh *s, void *easy)
{
    CURL *e = easy;
    /* a unix "socket" makes libcurl skip name resolution; OPENSOCKETFUNCTION
     * replaces this path with the connection's own listening socket */
    curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, "/nonexistent/deeplens-ssh");
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, s);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, s);
}

unsigned dk_ssh_seq(const dk_ssh *s)
{
    return s ? s->seq : 0;
}

int dk_ssh_explain(const dk_ssh *s, unsigned since, dl_err *err)
{
    char where[sizeof s->ep.display + sizeof s->ep.context + 16];
    const char *hint = "";

    if (!s || s->seq == since)
        return 0;
    if (s->ep.context[0])
        snprintf(where, sizeof where, "%s (context %s)", s->ep.display, s->ep.context);
    else
        snprintf(where, sizeof where, "%s", s->ep.display);
    if (strstr(s->fail, "Permission denied"))
        hint = " (ssh runs with BatchMode=yes: log in with a key or an ssh agent, "
               "never a password)";
    else if (strstr(s->fail, "Host key verification failed"))
        hint = " (the host key is unknown or changed: check it, then add it to "
               "known_hosts with one interactive ssh)";
    else if (strstr(s->fail, "docker: command not found") || strstr(s->fail, "docker: not found"))
        hint = " (the remote host needs the docker CLI)";
    dl_err_set(err, DL_ECONN, "cannot reach the docker engine at %s: %s%s", where, s->fail,
               hint);
    err->http_status = 0;
    return 1;
}
