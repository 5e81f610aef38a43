/* test_endpoint.c - DOCKER_HOST and TLS variables resolved like the docker
 * CLI (src/docker/endpoint.c): a table of addresses, TLS combinations with
 * real certificate files in a scratch directory, and the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "deeplens/docker.h"

typedef struct host_case {
    const char *in;
    int tls_on;             /* DOCKER_TLS=1 */
    dk_transport transport;
    const char *path_or_host;
    int port;
    const char *display;
} host_case;

static const host_case hosts[] = {
    {NULL, 0, DK_UNIX, "/var/run/docker.sock", 0, "unix:///var/run/docker.sock"},
    {"", 0, DK_UNIX, "/var/run/docker.sock", 0, "unix:///var/run/docker.sock"},
    {"  ", 0, DK_UNIX, "/var/run/docker.sock", 0, "unix:///var/run/docker.sock"},
    {"unix:///run/deeplens-test/docker.sock", 0, DK_UNIX, "/run/deeplens-test/docker.sock", 0,
     "unix:///run/deeplens-test/docker.sock"},
    {" unix:///x.sock\n", 0, DK_UNIX, "/x.sock", 0, "unix:///x.sock"},
    {"unix://", 0, DK_UNIX, "/var/run/docker.sock", 0, "unix:///var/run/docker.sock"},
    {"unix:///x.sock", 1, DK_UNIX, "/x.sock", 0, "unix:///x.sock"},  /* TLS ignored */
    {"tcp://10.0.0.5:2376", 0, DK_TCP, "10.0.0.5", 2376, "tcp://10.0.0.5:2376"},
    {"tcp://engine.example", 0, DK_TCP, "engine.example", 2375, "tcp://engine.example:2375"},
    {"tcp://engine.example", 1, DK_TCP, "engine.example", 2375, "tcp://engine.example:2375"},
    {"tcp://engine.example/", 0, DK_TCP, "engine.example", 2375, "tcp://engine.example:2375"},
    {"tcp://:4000", 0, DK_TCP, "localhost", 4000, "tcp://localhost:4000"},
    {"tcp://", 0, DK_TCP, "localhost", 2375, "tcp://localhost:2375"},
    {"tcp://[::1]:2376", 0, DK_TCP, "::1", 2376, "tcp://[::1]:2376"},
    {"tcp://[fe80::1]", 0, DK_TCP, "fe80::1", 2375, "tcp://[fe80::1]:2375"},
    {"192.168.1.9:2375", 0, DK_TCP, "192.168.1.9", 2375, "tcp://192.168.1.9:2375"},
    {"", 1, DK_TCP, "localhost", 2376, "tcp://localhost:2376"},  /* TLS default */
};

static void test_hosts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        const host_case *h = &hosts[i];
        dk_endpoint ep;
        dl_err err;
        int rc = dk_endpoint_parse(&ep, h->in, NULL, h->tls_on ? "1" : NULL, "/nonexistent",
                                   NULL, &err);
        if (rc)
            fail_msg("'%s': %s", h->in ? h->in : "(null)", err.msg);
        assert_int_equal(ep.transport, h->transport);
        if (h->transport == DK_UNIX) {
            assert_string_equal(ep.socket_path, h->path_or_host);
            assert_int_equal(ep.tls, 0);
        } else {
            assert_string_equal(ep.host, h->path_or_host);
            assert_int_equal(ep.port, h->port);
            assert_int_equal(ep.tls, h->tls_on);
        }
        assert_string_equal(ep.display, h->display);
    }
}

typedef struct bad_case {
    const char *in;
    const char *msg_part;
} bad_case;

static const bad_case bad[] = {
    {"ssh://user:secret@host", "a password in the address is not supported"},
    {"ssh://", "the ssh host is missing"},
    {"fd://", "fd:// is a daemon listener"},
    {"http://host:2375", "unsupported scheme 'http'"},
    {"npipe:////./pipe/docker_engine", "unsupported scheme 'npipe'"},
    {"tcp://host:0", "invalid port"},
    {"tcp://host:65536", "invalid port"},
    {"tcp://host:abc", "invalid port"},
    {"tcp://host:23a", "invalid port"},
    {"tcp://host:2375/some/path", "a path after the address is not supported"},
    {"tcp://::1:2375", "put an IPv6 address in brackets"},
    {"tcp://[::1", "missing ']'"},
    {"unix://relative.sock", "must be absolute"},
    {"unix:///aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock", "too long"},
};

static void test_bad_hosts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dk_endpoint ep;
        dl_err err;
        dl_err_clear(&err);
        if (dk_endpoint_parse(&ep, bad[i].in, NULL, NULL, NULL, NULL, &err) == 0)
            fail_msg("'%s' was accepted", bad[i].in);
        assert_int_equal(err.kind, DL_EINVAL);
        if (!strstr(err.msg, bad[i].msg_part))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].in, err.msg, bad[i].msg_part);
        assert_true(err.msg[0] < 'A' || err.msg[0] > 'Z');  /* lowercase */
    }
}

/* ---- TLS ------------------------------------------------------------------- */

static char tmpdir[64];

static void touch(const char *dir, const char *name, mode_t mode)
{
    char p[256];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("-----BEGIN CERTIFICATE-----\n", f);
    fclose(f);
    chmod(p, mode);
}

static void rm(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

static int setup_tls(void **state)
{
    char p[128];
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dl-test-ep-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(p, sizeof p, "%s/.docker", tmpdir);  /* a fake $HOME */
    mkdir(p, 0700);
    return 0;
}

static int teardown_tls(void **state)
{
    char p[128];
    (void)state;
    snprintf(p, sizeof p, "%s/.docker", tmpdir);
    rm(p, "ca.pem");
    rm(p, "cert.pem");
    rm(p, "key.pem");
    rmdir(p);
    rm(tmpdir, "ca.pem");
    rm(tmpdir, "cert.pem");
    rm(tmpdir, "key.pem");
    rmdir(tmpdir);
    return 0;
}

static void test_tls_combinations(void **state)
{
    dk_endpoint ep;
    dl_err err;
    char home_docker[128], want[256];
    (void)state;
    snprintf(home_docker, sizeof home_docker, "%s/.docker", tmpdir);

    /* DOCKER_TLS_VERIFY with any non-empty value, even "0", verifies */
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h:2376", "0", NULL, NULL, NULL, &err), 0);
    assert_int_equal(ep.tls, 1);
    assert_int_equal(ep.tls_verify, 1);
    /* empty DOCKER_TLS_VERIFY is unset */
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h:2376", "", NULL, NULL, NULL, &err), 0);
    assert_int_equal(ep.tls, 0);
    /* DOCKER_TLS alone: TLS without verification */
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h:2376", NULL, "1", NULL, NULL, &err), 0);
    assert_int_equal(ep.tls, 1);
    assert_int_equal(ep.tls_verify, 0);
    /* both */
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h:2376", "1", "1", NULL, NULL, &err), 0);
    assert_int_equal(ep.tls_verify, 1);

    /* no files at all: nothing set, no error */
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, NULL, tmpdir, &err), 0);
    assert_string_equal(ep.ca, "");
    assert_string_equal(ep.cert, "");
    assert_string_equal(ep.key, "");

    /* ~/.docker by default */
    touch(home_docker, "ca.pem", 0644);
    touch(home_docker, "cert.pem", 0644);
    touch(home_docker, "key.pem", 0600);
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, NULL, tmpdir, &err), 0);
    snprintf(want, sizeof want, "%s/ca.pem", home_docker);
    assert_string_equal(ep.ca, want);
    snprintf(want, sizeof want, "%s/cert.pem", home_docker);
    assert_string_equal(ep.cert, want);
    snprintf(want, sizeof want, "%s/key.pem", home_docker);
    assert_string_equal(ep.key, want);

    /* DOCKER_CERT_PATH wins over ~/.docker; there only the CA exists */
    touch(tmpdir, "ca.pem", 0644);
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, tmpdir, tmpdir, &err), 0);
    snprintf(want, sizeof want, "%s/ca.pem", tmpdir);
    assert_string_equal(ep.ca, want);
    assert_string_equal(ep.cert, "");  /* missing cert and key skipped */
    assert_string_equal(ep.key, "");

    /* a cert without its key is an error */
    touch(tmpdir, "cert.pem", 0644);
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, tmpdir, NULL, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "both cert.pem and key.pem"));
    touch(tmpdir, "key.pem", 0600);
    assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, tmpdir, NULL, &err), 0);

    /* TLS env does not touch unix sockets */
    assert_int_equal(dk_endpoint_parse(&ep, "unix:///s.sock", "1", NULL, tmpdir, NULL, &err), 0);
    assert_int_equal(ep.tls, 0);
    assert_string_equal(ep.ca, "");

    /* a CA that is not a readable file is fatal */
    {
        char sub[160], p[200];
        snprintf(sub, sizeof sub, "%s/.docker/odd", tmpdir);
        snprintf(p, sizeof p, "%s/ca.pem", sub);
        mkdir(sub, 0700);
        mkdir(p, 0700);
        assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, sub, NULL, &err), -1);
        assert_non_null(strstr(err.msg, "cannot read tls file"));
        rmdir(p);
        rmdir(sub);
    }
    /* an unreadable CA is fatal (root reads anything: only check as a user) */
    if (geteuid() != 0) {
        char p[256];
        snprintf(p, sizeof p, "%s/ca.pem", tmpdir);
        chmod(p, 0);
        assert_int_equal(dk_endpoint_parse(&ep, "tcp://h", "1", NULL, tmpdir, NULL, &err), -1);
        assert_non_null(strstr(err.msg, "cannot read tls file"));
        chmod(p, 0644);
    }
}

static void test_from_env(void **state)
{
    dk_endpoint ep;
    dl_err err;
    char *saved = getenv("DOCKER_HOST") ? strdup(getenv("DOCKER_HOST")) : NULL;
    (void)state;
    setenv("DOCKER_HOST", "tcp://example.test:1234", 1);
    unsetenv("DOCKER_TLS_VERIFY");
    unsetenv("DOCKER_TLS");
    assert_int_equal(dk_endpoint_from_env(&ep, &err), 0);
    assert_int_equal(ep.transport, DK_TCP);
    assert_int_equal(ep.port, 1234);
    if (saved) {
        setenv("DOCKER_HOST", saved, 1);
        free(saved);
    } else {
        unsetenv("DOCKER_HOST");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_bad_hosts),
        cmocka_unit_test_setup_teardown(test_tls_combinations, setup_tls, teardown_tls),
        cmocka_unit_test(test_from_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
