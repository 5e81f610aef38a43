/* endpoint.c - where the engine is: DOCKER_HOST and the TLS variables,
 * resolved the way the docker CLI resolves them (cli/flags/options.go,
 * opts/hosts.go). Pure apart from stat()/access() of the certificate files.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/var/run/docker.sock"
#define DEFAULT_TCP_PORT 2375
#define DEFAULT_TLS_PORT 2376

static int set_unix(dk_endpoint *ep, const char *path, const char *orig,
                    dl_err *err)
{
    if (!*path)
        path = DEFAULT_SOCKET;
    if (path[0] != '/')
        return dl_err_set(err, DL_EINVAL,
                          "invalid DOCKER_HOST '%s': the socket path must be absolute",
                          orig);
    if (strlen(path) >= sizeof ep->socket_path)
        return dl_err_set(err, DL_EINVAL,
                          "socket path '%s' is too long (at most %zu bytes)", path,
                          sizeof ep->socket_path - 1);
    ep->transport = DK_UNIX;
    snprintf(ep->socket_path, sizeof ep->socket_path, "%s", path);
    snprintf(ep->display, sizeof ep->display, "unix://%s", path);
    return 0;
}

/* "host", "host:port", "[v6]:port", ":port", "" (+ optional "/") */
static int set_tcp(dk_endpoint *ep, const char *addr, const char *orig,
                   dl_err *err)
{
    char host[256] = "";
    const char *port_s = NULL, *end;
    size_t hl;

    end = strchr(addr, '/');
    if (end && end[strspn(end, "/")] != '\0')
        return dl_err_set(err, DL_EINVAL,
                          "invalid DOCKER_HOST '%s': a path after the address is not supported",
                          orig);
    if (!end)
        end = addr + strlen(addr);
    if (addr[0] == '[') {
        const char *rb = memchr(addr, ']', (size_t)(end - addr));
        if (!rb)
            return dl_err_set(err, DL_EINVAL,
                              "invalid DOCKER_HOST '%s': missing ']' in the address", orig);
        hl = (size_t)(rb - addr - 1);
        if (hl >= sizeof host)
            return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': host name too long", orig);
        memcpy(host, addr + 1, hl);
        host[hl] = '\0';
        if (rb + 1 < end) {
            if (rb[1] != ':')
                return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s'", orig);
            port_s = rb + 2;
        }
    } else {
        const char *colon = memchr(addr, ':', (size_t)(end - addr));
        hl = (size_t)((colon ? colon : end) - addr);
        if (hl >= sizeof host)
            return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': host name too long", orig);
        memcpy(host, addr, hl);
        host[hl] = '\0';
        if (colon)
            port_s = colon + 1;
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            return dl_err_set(err, DL_EINVAL,
                              "invalid DOCKER_HOST '%s': put an IPv6 address in brackets", orig);
    }
    for (size_t i = 0; host[i]; i++)
        if (isspace((unsigned char)host[i]) || host[i] == '@')
            return dl_err_set(err, DL_EINVAL, "invalid DOCKER_HOST '%s': bad host name", orig);

    ep->port = DEFAULT_TCP_PORT;   /* the CLI: 2375 even with TLS */
    if (port_s && port_s < end) {
        char *stop;
        long p = strtol(port_s, &stop, 10);
        if (stop != end || p < 1 || p > 65535 || !isdigit((unsigned char)*port_s))
            return dl_err_set(err, DL_EINVAL,
                              "invalid port in DOCKER_HOST '%s': must be 1-65535", orig);
        ep->port = (int)p;
    }
    ep->transport = DK_TCP;
    snprintf(ep->host, sizeof ep->host, "%s", host[0] ? host : "localhost");
    if (strchr(ep->host, ':'))
        snprintf(ep->display, sizeof ep->display, "tcp://[%s]:%d", ep->host, ep->port);
    else
        snprintf(ep->display, sizeof ep->display, "tcp://%s:%d", ep->host, ep->port);
    return 0;
}

/* Set *dst to dir/file if it exists. A CA that exists but cannot be read is
 * an error (the CLI fails too); a missing file is skipped. */
static int pick_file(char *dst, size_t cap, const char *dir, const char *file,
                     dl_err *err)
{
    struct stat st;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);
    dst[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof path || (size_t)n >= cap)
        return dl_err_set(err, DL_EINVAL, "certificate path '%s' is too long", dir);
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode) || access(path, R_OK) != 0)
        return dl_err_set(err, DL_EINVAL, "cannot read tls file '%s'", path);
    memcpy(dst, path, (size_t)n + 1);
    return 0;
}

static int set_tls(dk_endpoint *ep, int verify, const char *cert_path,
                   const char *home, dl_err *err)
{
    char dir[4096];
    ep->tls = 1;
    ep->tls_verify = verify;
    if (cert_path && *cert_path)
        snprintf(dir, sizeof dir, "%s", cert_path);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.docker", home);
    else
        return 0;
    if (pick_file(ep->ca, sizeof ep->ca, dir, "ca.pem", err) ||
        pick_file(ep->cert, sizeof ep->cert, dir, "cert.pem", err) ||
        pick_file(ep->key, sizeof ep->key, dir, "key.pem", err))
        return -1;
    if (!ep->cert[0] != !ep->key[0])
        return dl_err_set(err, DL_EINVAL,
                          "tls client authentication needs both cert.pem and key.pem in '%s'",
                          dir);
    return 0;
}

int dk_endpoint_tls_dir(dk_endpoint *ep, int verify, const char *dir, dl_err *err)
{
    return set_tls(ep, verify, dir, NULL, err);
}

int dk_endpoint_parse(dk_endpoint *ep, const char *docker_host,
                      const char *tls_verify, const char *tls,
                      const char *cert_path, const char *home, dl_err *err)
{
    char buf[1024];
    const char *h, *sep;
    int want_tls = (tls_verify && *tls_verify) || (tls && *tls);
    int verify = tls_verify && *tls_verify;
    size_t len;

    memset(ep, 0, sizeof *ep);
    dl_err_clear(err);
    h = docker_host ? docker_host : "";
    while (isspace((unsigned char)*h))
        h++;
    len = strlen(h);
    while (len && isspace((unsigned char)h[len - 1]))
        len--;
    if (len >= sizeof buf)
        return dl_err_set(err, DL_EINVAL, "DOCKER_HOST is too long (%zu bytes)", len);
    memcpy(buf, h, len);
    buf[len] = '\0';

    if (!buf[0]) {
        if (!want_tls)
            return set_unix(ep, DEFAULT_SOCKET, buf, err);
        if (set_tcp(ep, "localhost", buf, err))
            return -1;
        ep->port = DEFAULT_TLS_PORT;
        snprintf(ep->display, sizeof ep->display, "tcp://localhost:%d", ep->port);
        return set_tls(ep, verify, cert_path, home, err);
    }

    sep = strstr(buf, "://");
    if (!sep) {  /* the CLI reads a bare address as tcp */
        if (set_tcp(ep, buf, buf, err))
            return -1;
    } else {
        size_t sl = (size_t)(sep - buf);
        const char *rest = sep + 3;
        if (sl == 4 && !strncmp(buf, "unix", 4))
            return set_unix(ep, rest, buf, err);  /* TLS does not apply */
        if (sl == 3 && !strncmp(buf, "tcp", 3)) {
            if (set_tcp(ep, rest, buf, err))
                return -1;
        } else if (sl == 3 && !strncmp(buf, "ssh", 3)) {
            return dk_ssh_parse(ep, rest, buf, err);  /* ssh.c; TLS does not apply */
        } else if (sl == 2 && !strncmp(buf, "fd", 2)) {
            return dl_err_set(err, DL_EINVAL,
                              "fd:// is a daemon listener, not an engine address "
                              "(DOCKER_HOST '%s'): use unix://, tcp:// or ssh://", buf);
        } else {
            return dl_err_set(err, DL_EINVAL,
                              "unsupported scheme '%.*s' in DOCKER_HOST '%s': "
                              "use unix://, tcp:// or ssh://",
                              (int)sl, buf, buf);
        }
    }
    if (want_tls)
        return set_tls(ep, verify, cert_path, home, err);
    return 0;
}

int dk_endpoint_from_env(dk_endpoint *ep, dl_err *err)
{
    const char *cert = getenv("DOCKER_CERT_PATH");
    if (!cert || !*cert)
        cert = getenv("DOCKER_CONFIG");  /* the CLI's config.Dir() */
    return dk_endpoint_parse(ep, getenv("DOCKER_HOST"), getenv("DOCKER_TLS_VERIFY"),
                             getenv("DOCKER_TLS"), cert, getenv("HOME"), err);
}
