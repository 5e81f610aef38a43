/* test_context.c - the docker CLI's contexts (src/docker/context.c): which
 * context is chosen (options, DOCKER_HOST, DOCKER_CONTEXT, config.json), the
 * engine a context names, its TLS material, and the errors for a missing
 * store, an unknown name, bad JSON and conflicting options, on a scratch
 * DOCKER_CONFIG directory laid out as the CLI lays it out.
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

static char dir[64];

static void put(const char *rel, const char *text)
{
    char path[512], cmd[600];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void meta(const char *id, const char *name, const char *host, int skip)
{
    char rel[128], text[512];
    snprintf(rel, sizeof rel, "contexts/meta/%s/meta.json", id);
    snprintf(text, sizeof text,
             "{\"Name\":\"%s\",\"Metadata\":{\"Description\":\"\"},\"Endpoints\":{\"docker\":"
             "{\"Host\":\"%s\",\"SkipTLSVerify\":%s}}}",
             name, host, skip ? "true" : "false");
    put(rel, text);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dl-ctx-XXXXXX");
    assert_non_null(mkdtemp(dir));
    meta("0a1b", "prod", "tcp://prod.example:2376", 0);
    meta("2c3d", "lab", "unix:///run/lab/docker.sock", 0);
    meta("4e5f", "insecure", "tcp://10.1.2.3:2376", 1);
    put("contexts/tls/0a1b/docker/ca.pem", "ca");
    put("contexts/tls/0a1b/docker/cert.pem", "cert");
    put("contexts/tls/0a1b/docker/key.pem", "key");
    put("contexts/tls/4e5f/docker/ca.pem", "ca");
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static dk_env env_of(const char *host_opt, const char *context_opt, const char *docker_host,
                     const char *docker_context)
{
    dk_env e;
    memset(&e, 0, sizeof e);
    e.host_opt = host_opt;
    e.context_opt = context_opt;
    e.docker_host = docker_host;
    e.docker_context = docker_context;
    e.docker_config = dir;
    e.home = "/nonexistent";
    return e;
}

typedef struct pick_case {
    const char *host_opt, *context_opt, *docker_host, *docker_context, *current;
    const char *display, *context;
} pick_case;

/* The docker CLI's order: --context; -H; DOCKER_HOST; DOCKER_CONTEXT; currentContext */
static const pick_case picks[] = {
    {NULL, "lab", NULL, NULL, NULL, "unix:///run/lab/docker.sock", "lab"},
    {NULL, "lab", "unix:///env.sock", "prod", "prod", "unix:///run/lab/docker.sock", "lab"},
    {"unix:///opt.sock", NULL, "unix:///env.sock", "lab", "lab", "unix:///opt.sock", ""},
    {NULL, NULL, "unix:///env.sock", "lab", "lab", "unix:///env.sock", ""},
    {NULL, NULL, NULL, "lab", "prod", "unix:///run/lab/docker.sock", "lab"},
    {NULL, NULL, "", "lab", NULL, "unix:///run/lab/docker.sock", "lab"},
    {NULL, NULL, NULL, NULL, "lab", "unix:///run/lab/docker.sock", "lab"},
    {NULL, NULL, NULL, NULL, NULL, "unix:///var/run/docker.sock", ""},
    {NULL, NULL, NULL, NULL, "default", "unix:///var/run/docker.sock", ""},
    {NULL, "default", "unix:///env.sock", NULL, "lab", "unix:///env.sock", ""},
    {NULL, NULL, NULL, "default", "lab", "unix:///var/run/docker.sock", ""},
};

static void set_current(const char *name)
{
    char text[256];
    char path[256];
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (!name) {
        unlink(path);
        return;
    }
    snprintf(text, sizeof text, "{\"auths\":{},\"currentContext\":\"%s\"}", name);
    put("config.json", text);
}

static void test_which_context(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
        const pick_case *p = &picks[i];
        dk_env e = env_of(p->host_opt, p->context_opt, p->docker_host, p->docker_context);
        dk_endpoint ep;
        dl_err err;
        set_current(p->current);
        if (dk_endpoint_resolve(&ep, &e, &err) < 0)
            fail_msg("case %zu: %s", i, err.msg);
        if (strcmp(ep.display, p->display) || strcmp(ep.context, p->context))
            fail_msg("case %zu: got %s [%s], want %s [%s]", i, ep.display, ep.context,
                     p->display, p->context);
    }
    set_current(NULL);
}

static void test_tls_of_a_context(void **state)
{
    dk_env e = env_of(NULL, "prod", NULL, NULL);
    dk_endpoint ep;
    dl_err err;
    char want[256];
    (void)state;
    e.tls_verify = NULL; /* the environment's TLS variables do not apply to a context */
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), 0);
    assert_int_equal(ep.transport, DK_TCP);
    assert_string_equal(ep.host, "prod.example");
    assert_int_equal(ep.port, 2376);
    assert_int_equal(ep.tls, 1);
    assert_int_equal(ep.tls_verify, 1);
    snprintf(want, sizeof want, "%s/contexts/tls/0a1b/docker/ca.pem", dir);
    assert_string_equal(ep.ca, want);
    snprintf(want, sizeof want, "%s/contexts/tls/0a1b/docker/key.pem", dir);
    assert_string_equal(ep.key, want);

    e = env_of(NULL, "insecure", NULL, NULL);
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), 0);
    assert_int_equal(ep.tls, 1);
    assert_int_equal(ep.tls_verify, 0); /* SkipTLSVerify */
    assert_string_equal(ep.cert, "");

    /* a TCP context without TLS material is plain TCP, even with DOCKER_TLS set */
    meta("6a7b", "plain", "tcp://plain.example:2375", 0);
    e = env_of(NULL, "plain", NULL, NULL);
    e.tls = "1";
    e.tls_verify = "1";
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), 0);
    assert_int_equal(ep.tls, 0);
    assert_int_equal(ep.port, 2375);
}

typedef struct bad_case {
    const char *host_opt, *context_opt, *docker_context;
    const char *msg_part;
} bad_case;

static void test_errors(void **state)
{
    static const bad_case bad[] = {
        {"unix:///x.sock", "lab", NULL, "conflicting options: -H/--host and --context"},
        {NULL, "nope", NULL, "docker context 'nope' not found in '"},
        {NULL, NULL, "nope", "docker context 'nope' not found"},
        {NULL, "", NULL, "the name is empty"},
        {NULL, "sshbad", NULL, "docker context 'sshbad': invalid DOCKER_HOST 'ssh://a:pw@host'"},
        {NULL, "nohost", NULL, "docker context 'nohost' has no docker endpoint host"},
        {NULL, "ev\x1b[2Jil", NULL, "docker context 'ev^[[2Jil' not found"},
    };
    (void)state;
    meta("8c9d", "sshbad", "ssh://a:pw@host", 0);
    put("contexts/meta/aa00/meta.json", "{\"Name\":\"nohost\",\"Endpoints\":{}}");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dk_env e = env_of(bad[i].host_opt, bad[i].context_opt, NULL, bad[i].docker_context);
        dk_endpoint ep;
        dl_err err;
        assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), -1);
        assert_int_equal(err.kind, DL_EINVAL);
        if (!strstr(err.msg, bad[i].msg_part))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg_part);
    }
}

/* an ssh endpoint: the ssh transport, named by its context; no TLS even
 * with TLS files in the context's store */
static void test_ssh_context(void **state)
{
    dk_env e = env_of(NULL, "remote", NULL, NULL);
    dk_endpoint ep;
    dl_err err;
    (void)state;
    meta("9e0f", "remote", "ssh://backup@engine.example:2222", 0);
    put("contexts/tls/9e0f/docker/ca.pem", "x");
    if (dk_endpoint_resolve(&ep, &e, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(ep.transport, DK_SSH);
    assert_string_equal(ep.ssh_user, "backup");
    assert_string_equal(ep.host, "engine.example");
    assert_int_equal(ep.port, 2222);
    assert_int_equal(ep.tls, 0);
    assert_string_equal(ep.display, "ssh://backup@engine.example:2222");
    assert_string_equal(ep.context, "remote");
}

static void test_bad_json(void **state)
{
    dk_env e = env_of(NULL, "gone", NULL, NULL);
    dk_endpoint ep;
    dl_err err;
    (void)state;
    put("contexts/meta/ffff/meta.json", "{\"Name\": \"gone\", \"Endpoints\": {");
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), -1);
    assert_non_null(strstr(err.msg, "docker context 'gone' not found; '"));
    assert_non_null(strstr(err.msg, "contexts/meta/ffff/meta.json' is not valid JSON"));
    /* the others are still found */
    e = env_of(NULL, "lab", NULL, NULL);
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), 0);
    assert_string_equal(ep.socket_path, "/run/lab/docker.sock");

    /* a broken config.json matters only when it is read */
    put("config.json", "{\"currentContext\": ");
    e = env_of(NULL, NULL, NULL, NULL);
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), -1);
    assert_non_null(strstr(err.msg, "config.json' is not valid JSON"));
    e = env_of(NULL, NULL, "unix:///env.sock", NULL);
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), 0);
    set_current(NULL);
}

static void test_no_store(void **state)
{
    dk_env e = env_of(NULL, "lab", NULL, NULL);
    dk_endpoint ep;
    dl_err err;
    (void)state;
    e.docker_config = "/nonexistent/docker";
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), -1);
    assert_non_null(strstr(err.msg, "there is no context store in '/nonexistent/docker/contexts/meta'"));
    /* no config.json, no store: the default engine, as the CLI */
    e = env_of(NULL, NULL, NULL, NULL);
    e.docker_config = NULL;
    e.home = "/nonexistent";
    assert_int_equal(dk_endpoint_resolve(&ep, &e, &err), 0);
    assert_string_equal(ep.display, "unix:///var/run/docker.sock");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which_context), cmocka_unit_test(test_tls_of_a_context),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_ssh_context),
        cmocka_unit_test(test_no_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
