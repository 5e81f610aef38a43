/* test_json.c - the JSON boundary of the docker client: request bodies
 * parsed back and checked field by field, recorded engine answers
 * (tests/unit/docker/data/, from a 20.10.24 engine) mapped to structs,
 * the version rule, events with exact timeNano, and error mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>

#include "deeplens/docker.h"
#include "../../../src/docker/internal.h"
#include "testdata.h"

/* ---- request bodies ------------------------------------------------------ */

static const cJSON *item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        fail_msg("missing '%s'", key);
    return v;
}

static void assert_strv(const cJSON *arr, const char *const *want)
{
    int n = 0;
    assert_true(cJSON_IsArray(arr));
    for (; want[n]; n++)
        assert_string_equal(cJSON_GetArrayItem(arr, n)->valuestring, want[n]);
    assert_int_equal(cJSON_GetArraySize(arr), n);
}

static void test_create_body_full(void **state)
{
    static const char *const cmd[] = {"sh", "-c", "exec crond -f", NULL};
    static const char *const env[] = {"PGHOST=db", "TZ=UTC", NULL};
    static const char *const aliases[] = {"backup-acme", NULL};
    static const char *const health[] = {"CMD-SHELL", "test -f /run/ok", NULL};
    static const dk_kv labels[] = {{"deeplens.tenant", "acme"}, {"deeplens.managed", "1"}};
    static const dk_mount mounts[] = {
        {"volume", "deeplens-nfs-acme", "/backups", 0, 1},
        {"bind", "/srv/deeplens/acme", "/config", 1, 0},
    };
    dk_create_spec s;
    char *body;
    cJSON *o;
    const cJSON *hc, *m0, *m1, *hcheck, *ep;
    (void)state;

    memset(&s, 0, sizeof s);
    s.image = "deeplens/backup-runner:15";
    s.cmd = cmd;
    s.env = env;
    s.user = "999:999";
    s.working_dir = "/work";
    s.labels = labels;
    s.nlabels = 2;
    s.mounts = mounts;
    s.nmounts = 2;
    s.network = "deeplens-network";
    s.aliases = aliases;
    s.restart_policy = "unless-stopped";
    s.health_cmd = health;
    s.health_interval_ns = 30000000000LL;
    s.health_timeout_ns = 5000000000LL;
    s.health_start_period_ns = 10000000000LL;
    s.health_retries = 3;
    s.memory_bytes = 268435456LL;

    body = dk_create_body(&s);
    o = cJSON_Parse(body);
    assert_non_null(o);
    assert_string_equal(item(o, "Image")->valuestring, "deeplens/backup-runner:15");
    assert_strv(item(o, "Cmd"), cmd);
    assert_strv(item(o, "Env"), env);
    assert_string_equal(item(o, "User")->valuestring, "999:999");
    assert_string_equal(item(o, "WorkingDir")->valuestring, "/work");
    assert_null(cJSON_GetObjectItem(o, "Entrypoint"));
    assert_null(cJSON_GetObjectItem(o, "Tty"));
    assert_string_equal(item(item(o, "Labels"), "deeplens.tenant")->valuestring, "acme");
    assert_string_equal(item(item(o, "Labels"), "deeplens.managed")->valuestring, "1");

    hcheck = item(o, "Healthcheck");
    assert_strv(item(hcheck, "Test"), health);
    assert_true(item(hcheck, "Interval")->valuedouble == 30000000000.0);
    assert_true(item(hcheck, "Timeout")->valuedouble == 5000000000.0);
    assert_true(item(hcheck, "StartPeriod")->valuedouble == 10000000000.0);
    assert_int_equal(item(hcheck, "Retries")->valueint, 3);

    hc = item(o, "HostConfig");
    assert_int_equal(cJSON_GetArraySize(item(hc, "Mounts")), 2);
    m0 = cJSON_GetArrayItem(item(hc, "Mounts"), 0);
    m1 = cJSON_GetArrayItem(item(hc, "Mounts"), 1);
    assert_string_equal(item(m0, "Type")->valuestring, "volume");
    assert_string_equal(item(m0, "Source")->valuestring, "deeplens-nfs-acme");
    assert_string_equal(item(m0, "Target")->valuestring, "/backups");
    assert_true(cJSON_IsTrue(item(item(m0, "VolumeOptions"), "NoCopy")));
    assert_null(cJSON_GetObjectItem(m0, "ReadOnly"));
    assert_string_equal(item(m1, "Type")->valuestring, "bind");
    assert_true(cJSON_IsTrue(item(m1, "ReadOnly")));
    assert_null(cJSON_GetObjectItem(m1, "VolumeOptions"));
    assert_string_equal(item(item(hc, "RestartPolicy"), "Name")->valuestring, "unless-stopped");
    assert_string_equal(item(hc, "NetworkMode")->valuestring, "deeplens-network");
    assert_true(item(hc, "Memory")->valuedouble == 268435456.0);
    assert_null(cJSON_GetObjectItem(hc, "AutoRemove"));

    /* exactly one endpoint (v1.41 rejects two) */
    ep = item(item(o, "NetworkingConfig"), "EndpointsConfig");
    assert_int_equal(cJSON_GetArraySize(ep), 1);
    assert_strv(item(item(ep, "deeplens-network"), "Aliases"), aliases);
    cJSON_Delete(o);
    free(body);
}

static void test_create_body_minimal(void **state)
{
    static const char *const ep[] = {"/entry", NULL};
    dk_create_spec s;
    char *body;
    cJSON *o;
    (void)state;
    memset(&s, 0, sizeof s);
    s.image = "img";
    s.entrypoint = ep;
    s.tty = 1;
    s.auto_remove = 1;
    body = dk_create_body(&s);
    o = cJSON_Parse(body);
    assert_non_null(o);
    assert_string_equal(item(o, "Image")->valuestring, "img");
    assert_strv(item(o, "Entrypoint"), ep);
    assert_true(cJSON_IsTrue(item(o, "Tty")));
    assert_true(cJSON_IsTrue(item(item(o, "HostConfig"), "AutoRemove")));
    assert_null(cJSON_GetObjectItem(o, "Cmd"));
    assert_null(cJSON_GetObjectItem(o, "Env"));
    assert_null(cJSON_GetObjectItem(o, "Labels"));
    assert_null(cJSON_GetObjectItem(o, "Healthcheck"));
    assert_null(cJSON_GetObjectItem(o, "NetworkingConfig"));
    assert_null(cJSON_GetObjectItem(item(o, "HostConfig"), "Mounts"));
    assert_null(cJSON_GetObjectItem(item(o, "HostConfig"), "NetworkMode"));
    cJSON_Delete(o);
    free(body);
}

/* Quotes, backslashes and newlines in values survive the round trip. */
static void test_create_body_escaping(void **state)
{
    static const char *const cmd[] = {"sh", "-c", "echo \"a\\b\"\n'x'", NULL};
    static const dk_kv labels[] = {{"k\"ey", "v\\al\n"}};
    dk_create_spec s;
    char *body;
    cJSON *o;
    (void)state;
    memset(&s, 0, sizeof s);
    s.image = "img";
    s.cmd = cmd;
    s.labels = labels;
    s.nlabels = 1;
    body = dk_create_body(&s);
    o = cJSON_Parse(body);
    assert_non_null(o);
    assert_strv(item(o, "Cmd"), cmd);
    assert_string_equal(item(item(o, "Labels"), "k\"ey")->valuestring, "v\\al\n");
    cJSON_Delete(o);
    free(body);
}

static void test_exec_body(void **state)
{
    static const char *const cmd[] = {"pg_dump", "-Fc", NULL};
    static const char *const env[] = {"PGPASSWORD=x", NULL};
    dk_exec_opts x = {cmd, env, "postgres", "/tmp"};
    char *body = dk_exec_body(&x);
    cJSON *o = cJSON_Parse(body);
    (void)state;
    assert_non_null(o);
    assert_true(cJSON_IsTrue(item(o, "AttachStdout")));
    assert_true(cJSON_IsTrue(item(o, "AttachStderr")));
    assert_true(cJSON_IsFalse(item(o, "Tty")));
    assert_strv(item(o, "Cmd"), cmd);
    assert_strv(item(o, "Env"), env);
    assert_string_equal(item(o, "User")->valuestring, "postgres");
    assert_string_equal(item(o, "WorkingDir")->valuestring, "/tmp");
    cJSON_Delete(o);
    free(body);
}

/* ---- recorded answers ---------------------------------------------------- */

static void test_parse_list(void **state)
{
    size_t len, n;
    char *json = td_read("list.json", &len);
    dk_container *v;
    dl_err err;
    (void)state;
    assert_int_equal(dk_containers_parse(json, len, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, "a053885425a39737e309c1ccefd6d6ca0ff4114627b2c2b07ac9b1688d098030");
    assert_string_equal(v[0].name, "dlrec-acme");  /* leading '/' gone */
    assert_string_equal(v[0].image, "dl-test-busybox:local");
    assert_string_equal(v[0].state, "running");
    assert_string_equal(v[0].status, "Up 3 seconds (healthy)");
    assert_string_equal(v[0].health, "healthy");
    assert_int_equal(v[0].created, 1795645151);
    assert_string_equal(dk_container_label(&v[0], "deeplens.tenant"), "acme");
    assert_string_equal(dk_container_label(&v[0], "deeplens.managed"), "1");
    assert_null(dk_container_label(&v[0], "nope"));
    dk_containers_free(v, n);
    free(json);

    assert_int_equal(dk_containers_parse("[]", 2, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    dk_containers_free(v, n);
    assert_int_equal(dk_containers_parse("{}", 2, &v, &n, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_int_equal(dk_containers_parse("[{", 2, &v, &n, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_non_null(strstr(err.msg, "invalid json"));
}

static void test_parse_inspect(void **state)
{
    size_t len;
    char *json = td_read("inspect.json", &len);
    dk_container ct;
    dl_err err;
    (void)state;
    assert_int_equal(dk_container_parse_inspect(json, len, &ct, &err), 0);
    assert_string_equal(ct.name, "dlrec-acme");
    assert_string_equal(ct.image, "dl-test-busybox:local");  /* Config.Image, not the sha */
    assert_string_equal(ct.state, "running");
    assert_string_equal(ct.health, "healthy");
    assert_string_equal(ct.health_log, "ok\n");
    assert_string_equal(ct.status, "running (healthy)");
    assert_int_equal(ct.started_at, 1795645152);  /* 2026-11-25T22:19:12.539Z */
    assert_int_equal(ct.finished_at, 0);          /* zero time */
    assert_int_equal(ct.created, 1795645151);
    assert_int_equal(ct.exit_code, 0);
    assert_int_equal(ct.tty, 0);
    assert_string_equal(dk_container_label(&ct, "deeplens.tenant"), "acme");
    dk_container_clear(&ct);
    free(json);

    json = td_read("inspect-exited.json", &len);
    assert_int_equal(dk_container_parse_inspect(json, len, &ct, &err), 0);
    assert_string_equal(ct.state, "exited");
    assert_int_equal(ct.exit_code, 137);
    assert_string_equal(ct.status, "exited (137)");
    assert_string_equal(ct.health, "unhealthy");
    assert_true(ct.finished_at > ct.started_at);
    dk_container_clear(&ct);
    free(json);

    assert_int_equal(dk_container_parse_inspect("[]", 2, &ct, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
}

static void test_health_words(void **state)
{
    (void)state;
    assert_string_equal(dk_health_from_status("Up 2 hours (healthy)"), "healthy");
    assert_string_equal(dk_health_from_status("Up 1 second (health: starting)"), "starting");
    assert_string_equal(dk_health_from_status("Up 5 minutes (unhealthy)"), "unhealthy");
    assert_string_equal(dk_health_from_status("Exited (0) 3 days ago"), "");
    assert_string_equal(dk_health_from_status(NULL), "");
}

static void test_parse_volume_network(void **state)
{
    size_t len;
    char *json = td_read("volume.json", &len);
    cJSON *o = cJSON_ParseWithLength(json, len);
    dk_volume v;
    dk_network n;
    (void)state;
    assert_non_null(o);
    dk_volume_from_json(o, &v);
    assert_string_equal(v.name, "dlrec-nfs");
    assert_string_equal(v.driver, "local");
    assert_string_equal(dk_volume_option(&v, "type"), "nfs");
    assert_string_equal(dk_volume_option(&v, "o"), "addr=127.0.0.1,rw");
    assert_string_equal(dk_volume_option(&v, "device"), ":/export");
    assert_string_equal(dk_volume_label(&v, "deeplens.tenant"), "acme");
    assert_null(dk_volume_option(&v, "size"));
    dk_volume_clear(&v);
    cJSON_Delete(o);
    free(json);

    /* Options and Labels are null on a plain volume */
    o = cJSON_Parse("{\"Name\":\"x\",\"Driver\":\"local\",\"Options\":null,\"Labels\":null}");
    dk_volume_from_json(o, &v);
    assert_int_equal(v.noptions, 0);
    assert_int_equal(v.nlabels, 0);
    assert_string_equal(v.mountpoint, "");
    dk_volume_clear(&v);
    cJSON_Delete(o);

    json = td_read("network.json", &len);
    o = cJSON_ParseWithLength(json, len);
    dk_network_from_json(o, &n);
    assert_string_equal(n.name, "dlrec-net");
    assert_string_equal(n.driver, "bridge");
    assert_string_equal(n.id, "582980333ecd097a0bc3ab2981054839d052a3d75d232785ef8630196cad3260");
    dk_network_clear(&n);
    cJSON_Delete(o);
    free(json);
}

static void test_version_rule(void **state)
{
    size_t len;
    char *json = td_read("version.json", &len);
    dk_version v;
    dl_err err;
    (void)state;
    assert_int_equal(dk_version_parse(json, len, &v, &err), 0);
    assert_string_equal(v.version, "20.10.24+dfsg1");
    assert_string_equal(v.api_version, "1.41");
    assert_string_equal(v.min_api_version, "1.12");
    assert_string_equal(v.os, "linux");
    assert_string_equal(v.arch, "amd64");
    free(json);

    /* too old: names both versions */
    json = "{\"Version\":\"19.03.15\",\"ApiVersion\":\"1.40\",\"MinAPIVersion\":\"1.12\"}";
    assert_int_equal(dk_version_parse(json, strlen(json), &v, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_non_null(strstr(err.msg, "speaks api 1.40 at most"));
    assert_non_null(strstr(err.msg, "needs api 1.41"));
    assert_string_equal(v.api_version, "1.40");

    /* minimum above 1.41 (docker 29.0-29.2) */
    json = "{\"Version\":\"29.1.0\",\"ApiVersion\":\"1.52\",\"MinAPIVersion\":\"1.44\"}";
    assert_int_equal(dk_version_parse(json, strlen(json), &v, &err), -1);
    assert_non_null(strstr(err.msg, "requires api 1.44 or newer"));
    assert_non_null(strstr(err.msg, "speaks api 1.41"));
    assert_non_null(strstr(err.msg, "DOCKER_MIN_API_VERSION"));

    /* newer engines that still accept 1.41; 1.100 > 1.41 numerically */
    json = "{\"Version\":\"28.2.2\",\"ApiVersion\":\"1.50\",\"MinAPIVersion\":\"1.24\"}";
    assert_int_equal(dk_version_parse(json, strlen(json), &v, &err), 0);
    json = "{\"Version\":\"x\",\"ApiVersion\":\"1.100\",\"MinAPIVersion\":\"1.40\"}";
    assert_int_equal(dk_version_parse(json, strlen(json), &v, &err), 0);
    json = "{\"Version\":\"x\",\"ApiVersion\":\"1.5\"}";
    assert_int_equal(dk_version_parse(json, strlen(json), &v, &err), -1);
    assert_int_equal(dk_version_parse("nope", 4, &v, &err), -1);
}

static void test_events(void **state)
{
    size_t len;
    char *text = td_read("events.jsonl", &len), *line, *save = NULL;
    const char *want[] = {"create", "start", "health_status: healthy", "die", "stop"};
    int i = 0;
    (void)state;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
        dk_event ev;
        cJSON *tree;
        assert_true(i < 5);
        assert_int_equal(dk_event_parse(line, strlen(line), &ev, &tree), 0);
        assert_string_equal(ev.type, "container");
        assert_string_equal(ev.action, want[i]);
        assert_string_equal(ev.name, "dlrec-acme");
        assert_string_equal(ev.id,
                            "a053885425a39737e309c1ccefd6d6ca0ff4114627b2c2b07ac9b1688d098030");
        assert_true(ev.time >= 1795645152 && ev.time <= 1795645160);
        assert_int_equal(ev.time_nano / 1000000000LL, ev.time);
        if (i == 0)  /* exact: a double would give ...201136384 */
            assert_true(ev.time_nano == 1795645152201136319LL);
        cJSON_Delete(tree);
    }
    assert_int_equal(i, 5);
    free(text);
}

static void test_events_odd(void **state)
{
    dk_event ev;
    cJSON *tree;
    const char *l;
    (void)state;
    /* a label named timeNano is a string; the real one is last */
    l = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":"
        "{\"timeNano\":\"12\",\"name\":\"n\"}},\"time\":1700000000,\"timeNano\":1700000000123456789}";
    assert_int_equal(dk_event_parse(l, strlen(l), &ev, &tree), 0);
    assert_true(ev.time_nano == 1700000000123456789LL);
    assert_string_equal(ev.name, "n");
    cJSON_Delete(tree);
    /* no timeNano: derived from time; no Action: legacy status */
    l = "{\"status\":\"die\",\"id\":\"abc\",\"Type\":\"container\",\"time\":1700000001}";
    assert_int_equal(dk_event_parse(l, strlen(l), &ev, &tree), 0);
    assert_string_equal(ev.action, "die");
    assert_string_equal(ev.id, "abc");
    assert_string_equal(ev.name, "");
    assert_true(ev.time_nano == 1700000001000000000LL);
    cJSON_Delete(tree);
    assert_int_equal(dk_event_parse("  ", 2, &ev, &tree), -1);
    assert_null(tree);
    assert_int_equal(dk_event_parse("{broken", 7, &ev, &tree), -1);
    assert_int_equal(dk_event_parse("[1]", 3, &ev, &tree), -1);

    /* times that do not fit (found by fuzz_engine_json: signed overflow in
     * time * 1e9, in the timeNano digits, and a double cast beyond long long) */
    l = "{\"Type\":\"container\",\"Action\":\"die\",\"time\":3591290318908674048}";
    assert_int_equal(dk_event_parse(l, strlen(l), &ev, &tree), 0);
    assert_true(ev.time == 3591290318908674048LL);
    assert_true(ev.time_nano == 0);
    cJSON_Delete(tree);
    l = "{\"Type\":\"container\",\"Action\":\"die\",\"time\":1e300,"
        "\"timeNano\":99999999999999999999999999}";
    assert_int_equal(dk_event_parse(l, strlen(l), &ev, &tree), 0);
    assert_true(ev.time == 0);
    assert_true(ev.time_nano == 0);
    cJSON_Delete(tree);
}

static void test_times(void **state)
{
    (void)state;
    assert_int_equal(dk_parse_time("2026-11-25T22:19:12.539317517Z"), 1795645152);
    assert_int_equal(dk_parse_time("2026-11-25T22:19:12Z"), 1795645152);
    assert_int_equal(dk_parse_time("2026-11-25T23:19:12+01:00"), 1795645152);
    assert_int_equal(dk_parse_time("2026-11-25T21:19:12.5-01:00"), 1795645152);
    assert_int_equal(dk_parse_time("0001-01-01T00:00:00Z"), 0);
    assert_int_equal(dk_parse_time(""), 0);
    assert_int_equal(dk_parse_time(NULL), 0);
    assert_int_equal(dk_parse_time("yesterday"), 0);
}

/* ---- error mapping -------------------------------------------------------- */

static void test_http_errors(void **state)
{
    dl_err err;
    const char *b;
    (void)state;
    b = "{\"message\":\"No such container: nope\"}";
    dk_error_from_response(404, b, strlen(b), NULL, &err);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.msg, "no such container: nope");

    b = "{\"message\":\"Conflict. The container name \\\"/x\\\" is already in use by container "
        "\\\"abc\\\". You have to remove (or rename) that container to be able to reuse that "
        "name.\"}";
    dk_error_from_response(409, b, strlen(b), "creating container 'x'", &err);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    assert_true(strncmp(err.msg, "creating container 'x': conflict. The container", 47) == 0);

    b = "{\"message\":\"error while mounting volume '/var/lib/docker/volumes/v/_data': failed\"}";
    dk_error_from_response(500, b, strlen(b), "starting container 'x'", &err);
    assert_int_equal(err.kind, DL_EHTTP);
    assert_int_equal(err.http_status, 500);
    assert_non_null(strstr(err.msg, "starting container 'x': error while mounting volume"));

    /* no body (HEAD, 404 archive): status in words */
    dk_error_from_response(404, NULL, 0, NULL, &err);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, "engine answered 404 not found");
    /* a body that is not NUL terminated is read within its length (found
     * by fuzz_engine_json: strstr ran past it) */
    {
        static const char text[] = "N\"\"No such container: x";
        char *nt = malloc(3);
        memcpy(nt, text, 3);
        dk_container_error(404, nt, 3, "inspecting", "x", &err);
        assert_int_equal(err.kind, DL_ENOTFOUND);
        assert_int_not_equal(strcmp(err.msg, "no such container 'x'"), 0);
        free(nt);
        nt = malloc(sizeof text - 1);
        memcpy(nt, text, sizeof text - 1);
        dk_container_error(404, nt, sizeof text - 1, "inspecting", "x", &err);
        assert_string_equal(err.msg, "no such container 'x'");
        free(nt);
    }
    /* plain text body: first line */
    dk_error_from_response(400, "Bad thing\nmore", 14, NULL, &err);
    assert_int_equal(err.kind, DL_EHTTP);
    assert_string_equal(err.msg, "bad thing");
    /* acronyms keep their case */
    b = "{\"message\":\"API version too old\"}";
    dk_error_from_response(400, b, strlen(b), NULL, &err);
    assert_string_equal(err.msg, "API version too old");

    /* container wording */
    b = "{\"message\":\"No such container: deeplens-backup-acme\"}";
    dk_container_error(404, b, strlen(b), "starting container 'deeplens-backup-acme'",
                       "deeplens-backup-acme", &err);
    assert_string_equal(err.msg, "no such container 'deeplens-backup-acme'");
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_int_equal(err.http_status, 404);
}

static void test_transport_errors(void **state)
{
    dk_endpoint unix_ep, tcp_ep;
    dl_err err;
    (void)state;
    assert_int_equal(dk_endpoint_parse(&unix_ep, "unix:///run/x.sock", NULL, NULL, NULL, NULL,
                                       &err), 0);
    assert_int_equal(dk_endpoint_parse(&tcp_ep, "tcp://10.1.2.3:2376", "1", NULL, "/nonexistent",
                                       NULL, &err), 0);

    dk_transport_error(&unix_ep, CURLE_COULDNT_CONNECT, ENOENT, "", 0, &err);
    assert_int_equal(err.kind, DL_ECONN);
    assert_int_equal(err.http_status, 0);
    assert_string_equal(err.msg, "cannot reach the docker engine at unix:///run/x.sock: "
                                 "no such socket (is dockerd running?)");
    dk_transport_error(&unix_ep, CURLE_COULDNT_CONNECT, EACCES, "", 0, &err);
    assert_string_equal(err.msg, "permission denied on /run/x.sock (add the user to the docker "
                                 "group)");
    dk_transport_error(&unix_ep, CURLE_COULDNT_CONNECT, ECONNREFUSED, "", 0, &err);
    assert_non_null(strstr(err.msg, "connection refused (is dockerd running?)"));
    dk_transport_error(&tcp_ep, CURLE_OPERATION_TIMEDOUT, 0, "", 60000, &err);
    assert_string_equal(err.msg, "the docker engine at tcp://10.1.2.3:2376 did not answer "
                                 "within 60 s");
    dk_transport_error(&tcp_ep, CURLE_PEER_FAILED_VERIFICATION, 0, "SSL: certificate subject "
                       "name does not match", 0, &err);
    assert_int_equal(err.kind, DL_ECONN);
    assert_non_null(strstr(err.msg, "tls with the docker engine at tcp://10.1.2.3:2376 failed"));
    dk_transport_error(&tcp_ep, CURLE_COULDNT_RESOLVE_HOST, 0, "", 0, &err);
    assert_non_null(strstr(err.msg, "unknown host '10.1.2.3'"));
    dk_transport_error(&tcp_ep, CURLE_RECV_ERROR, 0, "Connection reset by peer", 0, &err);
    assert_non_null(strstr(err.msg, "connection to the docker engine at tcp://10.1.2.3:2376 "
                                    "failed: Connection reset by peer"));
    dk_transport_error(&tcp_ep, CURLE_GOT_NOTHING, 0, "", 0, &err);
    assert_non_null(strstr(err.msg, "closed the connection without answering"));
}

static void test_kv_and_escape(void **state)
{
    cJSON *o = cJSON_Parse("{\"a\":\"1\",\"b\":2,\"c\":\"\"}");
    dk_kv *kv;
    size_t n;
    char *e;
    (void)state;
    dkj_kv(o, &kv, &n);
    assert_int_equal(n, 3);
    assert_string_equal(dk_kv_get(kv, n, "a"), "1");
    assert_string_equal(dk_kv_get(kv, n, "b"), "");  /* not a string */
    assert_string_equal(dk_kv_get(kv, n, "c"), "");
    assert_null(dk_kv_get(kv, n, "d"));
    dk_kv_free(kv, n);
    cJSON_Delete(o);

    e = dk_escape("{\"name\":[\"^deeplens-\"]}");
    assert_string_equal(e, "%7B%22name%22%3A%5B%22%5Edeeplens-%22%5D%7D");
    free(e);
    e = dk_containers_list_path("{\"label\":[\"a=b\"]}", 1);
    assert_string_equal(e, "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
    free(e);
    e = dk_containers_list_path(NULL, 0);
    assert_string_equal(e, "/containers/json?all=0");
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_body_full),
        cmocka_unit_test(test_create_body_minimal),
        cmocka_unit_test(test_create_body_escaping),
        cmocka_unit_test(test_exec_body),
        cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_parse_inspect),
        cmocka_unit_test(test_health_words),
        cmocka_unit_test(test_parse_volume_network),
        cmocka_unit_test(test_version_rule),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_events_odd),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_http_errors),
        cmocka_unit_test(test_transport_errors),
        cmocka_unit_test(test_kv_and_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
