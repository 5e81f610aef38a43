/* test_containers.c - the docker client against a real engine: ping and
 * version, an unreachable engine, list filters, inspect, the container
 * lifecycle with its 304/404/409 answers, rename and wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "itest.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct ping {
    int done;
    long status;
    char body[16];
    char api[16];
} ping;

static void ping_done(void *ud, dk_req *r)
{
    ping *p = ud;
    size_t n;
    const char *b = dk_req_body(r, &n);
    const char *h = dk_req_header(r, "api-version");  /* any case */
    p->done = 1;
    p->status = dk_req_status(r);
    snprintf(p->body, sizeof p->body, "%.*s", (int)n, b);
    snprintf(p->api, sizeof p->api, "%s", h ? h : "");
}

static void test_ping_version(void **state)
{
    dk_version v;
    dl_err err;
    dk_req_opts o;
    ping p;
    (void)state;
    CHECK(dk_client_check_version(it.c, &v, &err));
    assert_true(strlen(v.version) > 0);
    assert_true(strcmp(v.api_version, "1.41") >= 0 || strlen(v.api_version) > 4);
    /* cached: same answer again */
    CHECK(dk_client_check_version(it.c, &v, &err));

    /* /_ping is unversioned; the loop is driven by hand */
    memset(&o, 0, sizeof o);
    memset(&p, 0, sizeof p);
    o.method = "GET";
    o.path = "/_ping";
    o.unversioned = 1;
    o.timeout_ms = 10000;
    o.on_done = ping_done;
    o.ud = &p;
    assert_non_null(dk_submit(it.c, &o, &err));
    assert_int_equal(dk_client_pending(it.c), 1);
    while (!p.done)
        assert_true(dk_client_poll(it.c, -1, 1000) >= 0);
    assert_int_equal(dk_client_pending(it.c), 0);
    assert_int_equal(p.status, 200);
    assert_string_equal(p.body, "OK");
    assert_string_equal(p.api, v.api_version);
}

static void expect_unreachable(const char *host, const char *msg_part)
{
    dk_endpoint ep;
    dk_client *c;
    dk_version v;
    dl_err err;
    double t0;
    int rc;
    CHECK(dk_endpoint_parse(&ep, host, NULL, NULL, NULL, NULL, &err));
    CHECK(dk_client_new(&c, &ep, &err));
    t0 = now_s();
    rc = dk_client_check_version(c, &v, &err);
    assert_int_equal(rc, -1);
    assert_int_equal(err.kind, DL_ECONN);
    assert_int_equal(err.http_status, 0);
    if (!strstr(err.msg, msg_part))
        fail_msg("'%s' lacks '%s'", err.msg, msg_part);
    assert_true(now_s() - t0 < 5.0);  /* no hang */
    /* blocking helpers fail the same way */
    {
        dk_container *list;
        size_t n;
        assert_int_equal(dk_containers_list(c, NULL, 1, &list, &n, &err), -1);
        assert_int_equal(err.kind, DL_ECONN);
    }
    dk_client_free(c);
}

static void test_unreachable(void **state)
{
    char host[128], path[100], want[200];
    struct sockaddr_un sa;
    int fd;
    (void)state;
    snprintf(path, sizeof path, "/tmp/dl-it-%ld-missing.sock", (long)getpid());
    snprintf(host, sizeof host, "unix://%s", path);
    snprintf(want, sizeof want, "cannot reach the docker engine at %s: no such socket "
             "(is dockerd running?)", host);
    expect_unreachable(host, want);

    /* a socket file nobody listens on */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd);
    expect_unreachable(host, "connection refused (is dockerd running?)");
    unlink(path);

    expect_unreachable("tcp://127.0.0.1:1", "cannot reach the docker engine at tcp://127.0.0.1:1");
}

static void test_list_filters(void **state)
{
    char a[96], b[96], other[96], filt[256], id[65];
    dk_kv la[] = {{"deeplens.it", "1"}, {"deeplens.tenant", "alpha"}};
    dk_kv lb[] = {{"deeplens.it", "1"}, {"deeplens.tenant", "beta"}};
    dk_container *v;
    size_t n;
    dl_err err;
    (void)state;
    it_name(a, sizeof a, "list-alpha");
    it_name(b, sizeof b, "list-beta");
    snprintf(other, sizeof other, "dl-other-%ld-list", (long)getpid());
    CHECK(it_create(a, "sleep 60", la, 2, id, &err));
    CHECK(it_create(b, "sleep 60", lb, 2, id, &err));
    CHECK(it_create(other, "sleep 60", la, 2, id, &err));
    CHECK(dk_container_start(it.c, a, NULL, &err));

    /* name: an unanchored regexp; ^ makes it a prefix */
    snprintf(filt, sizeof filt, "{\"name\":[\"^dl-it-%ld-list-\"]}", (long)getpid());
    CHECK(dk_containers_list(it.c, filt, 1, &v, &n, &err));
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        assert_true(!strcmp(v[i].name, a) || !strcmp(v[i].name, b));
    dk_containers_free(v, n);

    /* all=0: running only */
    CHECK(dk_containers_list(it.c, filt, 0, &v, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, a);
    assert_string_equal(v[0].state, "running");
    assert_string_equal(v[0].image, it.image);
    assert_string_equal(dk_container_label(&v[0], "deeplens.tenant"), "alpha");
    assert_int_equal(strlen(v[0].id), 64);
    assert_true(v[0].created > 0);
    dk_containers_free(v, n);

    /* label: exact key=value; name and label ANDed */
    snprintf(filt, sizeof filt, "{\"name\":[\"%ld-list\"],\"label\":[\"deeplens.tenant=alpha\"]}",
             (long)getpid());
    CHECK(dk_containers_list(it.c, filt, 1, &v, &n, &err));
    assert_int_equal(n, 2);  /* a and other */
    dk_containers_free(v, n);
    snprintf(filt, sizeof filt, "{\"name\":[\"^dl-it-%ld-\"],\"label\":[\"deeplens.it\","
             "\"deeplens.tenant=beta\"]}", (long)getpid());
    CHECK(dk_containers_list(it.c, filt, 1, &v, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, b);
    dk_containers_free(v, n);

    /* nothing matches: an empty list, not an error */
    CHECK(dk_containers_list(it.c, "{\"name\":[\"^no-such-prefix-xyz\"]}", 1, &v, &n, &err));
    assert_int_equal(n, 0);
    dk_containers_free(v, n);

    /* an unknown filter key is the engine's 400 */
    assert_int_equal(dk_containers_list(it.c, "{\"colour\":[\"red\"]}", 1, &v, &n, &err), -1);
    assert_int_equal(err.kind, DL_EHTTP);
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.msg, "listing containers: "));
}

static void test_lifecycle(void **state)
{
    char name[96], renamed[96], id[65];
    dk_kv labels[] = {{"deeplens.tenant", "acme"}};
    dk_container ct;
    dl_err err;
    int changed = -1;
    long code = -1;
    (void)state;
    it_name(name, sizeof name, "life");
    it_name(renamed, sizeof renamed, "life-renamed");
    it_track(IT_CONTAINER, renamed);

    CHECK(it_create(name, "trap 'exit 0' TERM; while :; do sleep 1; done", labels, 1, id,
                    &err));
    assert_int_equal(strlen(id), 64);
    CHECK(dk_container_inspect(it.c, name, &ct, &err));
    assert_string_equal(ct.state, "created");
    assert_string_equal(ct.id, id);
    assert_string_equal(ct.name, name);
    assert_string_equal(ct.image, it.image);
    assert_string_equal(dk_container_label(&ct, "deeplens.tenant"), "acme");
    assert_int_equal(ct.started_at, 0);
    dk_container_clear(&ct);

    CHECK(dk_container_start(it.c, name, &changed, &err));
    assert_int_equal(changed, 1);
    CHECK(dk_container_start(it.c, name, &changed, &err));  /* 304 is success */
    assert_int_equal(changed, 0);
    CHECK(dk_container_inspect(it.c, id, &ct, &err));  /* by id as well */
    assert_string_equal(ct.state, "running");
    assert_true(ct.started_at > 0);
    dk_container_clear(&ct);

    /* a running container is not removed without force */
    assert_int_equal(dk_container_remove(it.c, name, 0, 0, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    assert_non_null(strstr(err.msg, name));

    CHECK(dk_container_stop(it.c, name, 5, &changed, &err));
    assert_int_equal(changed, 1);
    CHECK(dk_container_stop(it.c, name, 5, &changed, &err));
    assert_int_equal(changed, 0);
    CHECK(dk_container_inspect(it.c, name, &ct, &err));
    assert_string_equal(ct.state, "exited");
    assert_int_equal(ct.exit_code, 0);  /* the TERM trap */
    assert_true(ct.finished_at >= ct.started_at);
    dk_container_clear(&ct);

    CHECK(dk_container_restart(it.c, name, 1, &err));
    CHECK(dk_container_inspect(it.c, name, &ct, &err));
    assert_string_equal(ct.state, "running");
    dk_container_clear(&ct);

    /* rename while stopped: a 20.10 engine with --bridge=none answers 500
     * "sandbox ... not found" when renaming a restarted running container */
    CHECK(dk_container_stop(it.c, name, 5, NULL, &err));
    CHECK(dk_container_rename(it.c, name, renamed, &err));
    assert_int_equal(dk_container_inspect(it.c, name, &ct, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    CHECK(dk_container_inspect(it.c, renamed, &ct, &err));
    assert_string_equal(ct.id, id);
    dk_container_clear(&ct);

    CHECK(dk_container_wait(it.c, renamed, "not-running", &code, &err));
    assert_int_equal(code, 0);
    CHECK(dk_container_remove(it.c, renamed, 0, 1, &err));
    assert_int_equal(dk_container_inspect(it.c, renamed, &ct, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
}

static void test_wait_exit_code(void **state)
{
    char name[96];
    dl_err err;
    long code = -1;
    (void)state;
    it_name(name, sizeof name, "wait");
    IT_RUN(name, "sleep 1; exit 7");
    CHECK(dk_container_wait(it.c, name, "not-running", &code, &err));
    assert_int_equal(code, 7);
    /* already stopped: answers at once */
    CHECK(dk_container_wait(it.c, name, NULL, &code, &err));
    assert_int_equal(code, 7);
}

static void test_errors(void **state)
{
    char name[96], other[96], missing[96], id[65];
    dk_container ct;
    dl_err err;
    long code;
    (void)state;
    it_name(missing, sizeof missing, "never-created");
    it_name(name, sizeof name, "err");
    it_name(other, sizeof other, "err-other");

    /* 404 everywhere, in operator words */
    assert_int_equal(dk_container_inspect(it.c, missing, &ct, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_int_equal(err.http_status, 404);
    {
        char want[160];
        snprintf(want, sizeof want, "no such container '%s'", missing);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_start(it.c, missing, NULL, &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_stop(it.c, missing, 1, NULL, &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_remove(it.c, missing, 1, 0, &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_rename(it.c, missing, "x", &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_wait(it.c, missing, NULL, &code, &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_restart(it.c, missing, 1, &err), -1);
        assert_int_equal(err.kind, DL_ENOTFOUND);
    }

    /* 409: name in use, on create and on rename */
    CHECK(it_create(name, "true", NULL, 0, id, &err));
    CHECK(it_create(other, "true", NULL, 0, id, &err));
    assert_int_equal(it_create(name, "true", NULL, 0, id, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    {
        char want[160];
        snprintf(want, sizeof want, "container name '%s' is already in use", name);
        assert_string_equal(err.msg, want);
        assert_int_equal(dk_container_rename(it.c, other, name, &err), -1);
        assert_int_equal(err.kind, DL_ECONFLICT);
        assert_string_equal(err.msg, want);
    }

    /* 404 on the image */
    {
        dk_create_spec s;
        char nm[96];
        memset(&s, 0, sizeof s);
        s.image = "deeplens/no-such-image:never";
        it_name(nm, sizeof nm, "err-image");
        it_track(IT_CONTAINER, nm);
        assert_int_equal(dk_container_create(it.c, nm, &s, id, &err), -1);
        assert_int_equal(err.kind, DL_ENOTFOUND);
        assert_non_null(strstr(err.msg, "no such image 'deeplens/no-such-image:never'"));
    }

    /* dk_call keeps the engine's words */
    assert_int_equal(dk_call(it.c, "GET", "/containers/dl-it-nope-nope/json", NULL, 10000,
                             NULL, &code, &err), -1);
    assert_int_equal(code, 404);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no such container"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_version),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_wait_exit_code),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, it_setup, it_teardown);
}
