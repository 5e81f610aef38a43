/* test_fleet.c - the console's live model (src/backup/fleet.c) against the
 * scripted fake engine (tests/lib/fake_engine.h): the first connect, events,
 * the status-read schedule, and an engine that goes away and comes back -
 * driven the way the console's loop drives it (tick, then poll). The plain
 * engine is no swarm manager (its /tasks answers 503, asked once per
 * connection); a swarm manager's tenant service is a row too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <time.h>

#include "deeplens/fleet.h"
#include "fake_engine.h"

#define V "GET /v1.41"
#define ACME "deeplens-backup-acme"

static const char version_json[] =
    "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\","
    "\"Os\":\"linux\",\"Arch\":\"amd64\",\"KernelVersion\":\"6.1\"}";
static const char list_json[] =
    "[{\"Id\":\"a1\",\"Names\":[\"/" ACME "\"],\"Image\":\"img\",\"State\":\"running\","
    "\"Status\":\"Up 2 hours (healthy)\",\"Created\":1795000000,"
    "\"Labels\":{\"io.deeplens.backup\":\"1\",\"io.deeplens.backup.tenant\":\"acme\","
    "\"io.deeplens.backup.nfs_path\":\"nfs.example.com:/exports/acme\","
    "\"io.deeplens.backup.schedule\":\"0 2 * * *\"}}]";
static const char inspect_json[] =
    "{\"Id\":\"a1\",\"Name\":\"/" ACME "\",\"Created\":\"2026-11-01T00:00:00Z\","
    "\"State\":{\"Status\":\"running\",\"StartedAt\":\"2026-11-01T00:00:01Z\","
    "\"Health\":{\"Status\":\"healthy\",\"Log\":[{\"Output\":"
    "\"healthy\\nversion=1\\nlast_result=ok\\nlast_run_start=1795000100\\n\"}]}},"
    "\"Config\":{\"Image\":\"img\",\"Labels\":{\"io.deeplens.backup\":\"1\","
    "\"io.deeplens.backup.tenant\":\"acme\"}}}";
/* an events stream that stays open with nothing to say */
static const char events_open[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char event_die[] =
    "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"a1\",\"Attributes\":"
    "{\"name\":\"" ACME "\"}},\"time\":1795645152}\n";
static char events_one[512];   /* events_open, then event_die as one chunk */
/* the job's status file, as the archive endpoint sends it (a tar) */
static const char status_file[] = "version=1\nlast_result=FAILED\nlast_run_start=1795000200\n";
static char archive_resp[4096];
static size_t archive_len;

/* a plain engine's answer to any swarm call */
static const char not_manager_json[] =
    "{\"message\":\"This node is not a swarm manager. Use \\\"docker swarm init\\\" or "
    "\\\"docker swarm join\\\" to connect this node to swarm and try again.\"}";

/* a swarm manager with one tenant service, zeta, whose task runs in c9 */
#define ZETA "deeplens-backup-zeta"
#define ZETA_CT ZETA ".1.t1"
static const char tasks_json[] =
    "[{\"ID\":\"t0\",\"ServiceID\":\"s1\",\"DesiredState\":\"shutdown\","
    "\"Status\":{\"State\":\"failed\",\"Err\":\"exit 1\",\"ContainerStatus\":"
    "{\"ContainerID\":\"c8\"}},\"Version\":{\"Index\":9}},"
    "{\"ID\":\"t1\",\"ServiceID\":\"s1\",\"DesiredState\":\"running\","
    "\"Status\":{\"State\":\"running\",\"ContainerStatus\":{\"ContainerID\":\"c9\"}},"
    "\"Version\":{\"Index\":10}}]";
static const char task_cts_json[] =
    "[{\"Id\":\"c9\",\"Names\":[\"/" ZETA_CT "\"],\"Image\":\"img\",\"State\":\"running\","
    "\"Status\":\"Up 1 minute (healthy)\",\"Created\":1795000000,"
    "\"Labels\":{\"com.docker.swarm.service.id\":\"s1\"}},"
    "{\"Id\":\"c7\",\"Names\":[\"/web.1.x\"],\"Image\":\"nginx\",\"State\":\"running\","
    "\"Status\":\"Up 3 days\",\"Created\":1795000000,"
    "\"Labels\":{\"com.docker.swarm.service.id\":\"s2\"}}]";
static const char services_json[] =
    "[{\"ID\":\"s1\",\"Version\":{\"Index\":5},\"Spec\":{\"Name\":\"" ZETA "\","
    "\"Labels\":{\"io.deeplens.backup\":\"1\",\"io.deeplens.backup.tenant\":\"zeta\","
    "\"io.deeplens.backup.nfs_path\":\"nfs.example.com:/exports/zeta\","
    "\"io.deeplens.backup.schedule\":\"0 3 * * *\"}}}]";
static const char zeta_inspect_json[] =
    "{\"Id\":\"c9\",\"Name\":\"/" ZETA_CT "\",\"Created\":\"2026-11-01T00:00:00Z\","
    "\"State\":{\"Status\":\"running\",\"StartedAt\":\"2026-11-01T00:00:01Z\","
    "\"Health\":{\"Status\":\"healthy\",\"Log\":[{\"Output\":"
    "\"healthy\\nversion=1\\nlast_result=ok\\nlast_run_start=1795000300\\n\"}]}},"
    "\"Config\":{\"Image\":\"img\",\"Labels\":{\"com.docker.swarm.service.id\":\"s1\"}}}";

static dl_ctx ctx;

/* The engine; its events stream sends `events` (the event, if any, half a
 * second after the headers: once the first list and read are in). */
static void engine_routes(const char *events)
{
    fe_route rt[] = {
        {V "/version", fe_json(200, version_json), 0, 0, 0, 0},
        {V "/events", events, 0, sizeof events_open - 1, 500, 1},
        {V "/containers/json", fe_json(200, list_json), 0, 0, 0, 0},
        {V "/containers/" ACME "/json", fe_json(200, inspect_json), 0, 0, 0, 0},
        {V "/containers/" ACME "/archive?path=%2Fvar%2Flib%2Fdeeplens%2Fstatus", archive_resp,
         archive_len, 0, 0, 0},
        {V "/tasks", fe_json(503, not_manager_json), 0, 0, 0, 0},
    };
    fe_routes(rt, 6);
}

/* A swarm manager: the container acme and the service zeta. */
static void swarm_routes(void)
{
    fe_route rt[] = {
        {V "/version", fe_json(200, version_json), 0, 0, 0, 0},
        {V "/events", events_open, 0, 0, 0, 1},
        {V "/containers/json?all=0&filters=", fe_json(200, task_cts_json), 0, 0, 0, 0},
        {V "/containers/json", fe_json(200, list_json), 0, 0, 0, 0},
        {V "/containers/" ACME "/json", fe_json(200, inspect_json), 0, 0, 0, 0},
        {V "/containers/" ZETA_CT "/json", fe_json(200, zeta_inspect_json), 0, 0, 0, 0},
        {V "/tasks", fe_json(200, tasks_json), 0, 0, 0, 0},
        {V "/services", fe_json(200, services_json), 0, 0, 0, 0},
    };
    fe_routes(rt, 8);
}

static int setup(void **state)
{
    dk_endpoint ep;
    dl_err err;
    (void)state;
    if (fe_start() || dk_endpoint_parse(&ep, fe_host(), NULL, NULL, NULL, NULL, &err) ||
        dk_client_new(&ctx.dk, &ep, &err))
        return -1;
    dl_spec_defaults(&ctx.site);
    {
        dk_tar_entry e = {.name = "status", .data = status_file, .len = sizeof status_file - 1,
                          .mode = 0644};
        char *tar;
        size_t len;
        int head;
        if (dk_tar_build(&e, 1, &tar, &len, &err) < 0)
            return -1;
        head = snprintf(archive_resp, sizeof archive_resp,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\n"
                        "Content-Length: %zu\r\n\r\n", len);
        if ((size_t)head + len > sizeof archive_resp)
            return -1;
        memcpy(archive_resp + head, tar, len);
        archive_len = (size_t)head + len;
        free(tar);
    }
    snprintf(events_one, sizeof events_one, "%s%zx\r\n%s\r\n", events_open, strlen(event_die),
             event_die);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dk_client_free(ctx.dk);
    fe_stop();
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One turn of the console's loop: the fleet's timers, then the engine. */
static void turn(dl_fleet *f, time_t now)
{
    int timeout = dl_fleet_tick(f, now);
    if (timeout > 100)
        timeout = 100;
    assert_true(dk_client_poll(ctx.dk, -1, timeout < 0 ? 0 : timeout) >= 0);
}

typedef int (*cond_fn)(dl_fleet *f);

/* Turn the loop until cond holds; fails after `seconds`. */
static void spin_until(dl_fleet *f, cond_fn cond, double seconds, const char *what)
{
    double end = now_s() + seconds;
    while (!cond(f)) {
        if (now_s() > end) {
            const dl_status *st = dl_fleet_find(f, "acme");
            char last[4096];
            fe_last_request(0, last, sizeof last);
            print_message("# error=%s loading=%d engine=%d rows=%zu job=%d requests=%d last=%.60s\n",
                          dl_fleet_error(f, NULL) ? dl_fleet_error(f, NULL) : "-",
                          dl_fleet_loading(f), dl_fleet_engine(f) != NULL, dl_fleet_count(f),
                          st ? st->have_job_status : -1, fe_count(""), last);
            dl_fleet_free(f);
            fail_msg("not within %.1f s: %s", seconds, what);
        }
        turn(f, time(NULL));
    }
}

static void spin_for(dl_fleet *f, double seconds)
{
    double end = now_s() + seconds;
    while (now_s() < end)
        turn(f, time(NULL));
}

static int is_live(dl_fleet *f)
{
    const dl_status *st = dl_fleet_find(f, "acme");
    return !dl_fleet_error(f, NULL) && !dl_fleet_loading(f) && dl_fleet_engine(f) && st &&
           st->have_job_status;
}

static int is_unreachable(dl_fleet *f)
{
    return dl_fleet_error(f, NULL) != NULL;
}

static int says_no_socket(dl_fleet *f)
{
    const char *e = dl_fleet_error(f, NULL);
    return e && strstr(e, "cannot reach the docker engine at unix:///tmp/dl-ut-fake-") &&
           strstr(e, "no such socket");
}

static int listed_twice(dl_fleet *f)
{
    (void)f;
    return fe_count(V "/containers/json") >= 2;
}

static dl_fleet *live_fleet(const char *events)
{
    dl_fleet *f;
    engine_routes(events);
    f = dl_fleet_new(&ctx);
    dl_fleet_start(f);
    spin_until(f, is_live, 5, "the first list and status read");
    return f;
}

/* ---- tests ----------------------------------------------------------------- */

/* version, events and list go out at once (the list after the engine said
 * it is no swarm manager); then one status read per row. */
static void test_first_connect(void **state)
{
    dl_fleet *f;
    const dl_status *st;
    (void)state;
    f = live_fleet(events_open);
    assert_string_equal(dl_fleet_engine(f)->version, "20.10.24");
    assert_int_equal(dl_fleet_count(f), 1);
    st = dl_fleet_at(f, 0);
    assert_string_equal(st->container, ACME);
    assert_string_equal(st->last_result, "ok");
    assert_true(st->last_run_start == 1795000100);
    spin_for(f, 0.3);
    assert_int_equal(fe_count(V "/version"), 1);
    assert_int_equal(fe_count(V "/events?since="), 1);
    assert_int_equal(fe_count(V "/containers/json?all=1&filters="), 1);
    assert_int_equal(fe_count(V "/containers/" ACME "/json"), 1);
    assert_int_equal(fe_count(V "/tasks"), 1);
    /* the health probe's copy did: no archive read */
    assert_int_equal(fe_count(V "/containers/" ACME "/archive"), 0);
    /* and nothing else */
    assert_int_equal(fe_count(""), 5);
    assert_string_equal(dl_fleet_find(f, "acme")->service, "");
    dl_fleet_free(f);
}

static int read_after_event(dl_fleet *f)
{
    const dl_status *st = dl_fleet_find(f, "acme");
    return st && !strcmp(st->last_result, "FAILED");
}

/* An event about a container re-lists and reads that tenant's status file
 * itself (the probe's copy may predate what the event says). */
static void test_event_relists(void **state)
{
    dl_fleet *f;
    const dl_status *st;
    (void)state;
    f = live_fleet(events_one);
    assert_string_equal(dl_fleet_find(f, "acme")->last_result, "ok");   /* the probe's */
    spin_until(f, read_after_event, 5, "the status file read after the event");
    st = dl_fleet_find(f, "acme");
    assert_true(st->last_run_start == 1795000200);
    spin_until(f, listed_twice, 5, "a re-list after the event");
    assert_int_equal(fe_count(V "/containers/" ACME "/archive"), 1);
    /* no swarm manager: not asked again on this connection */
    assert_int_equal(fe_count(V "/tasks"), 1);
    assert_null(dl_fleet_error(f, NULL));
    dl_fleet_free(f);
}

/* A tenant is read again at its spot in the DL_FLEET_REREAD period, and
 * only then. */
static void test_reread_schedule(void **state)
{
    dl_fleet *f;
    time_t now = time(NULL);
    (void)state;
    f = live_fleet(events_open);
    for (int i = 0; i < 5; i++)
        turn(f, now + 30);
    assert_int_equal(fe_count(V "/containers/" ACME "/json"), 1);
    /* a whole period later its turn has come, whatever its spot */
    for (int i = 0; i < 20 && fe_count(V "/containers/" ACME "/json") < 2; i++)
        turn(f, now + DL_FLEET_REREAD + 61);
    assert_int_equal(fe_count(V "/containers/" ACME "/json"), 2);
    dl_fleet_free(f);
}

/* The engine goes away and comes back: the fleet says so at once, retries
 * on its own, and is live again without being asked. */
static void test_engine_away_and_back(void **state)
{
    dl_fleet *f;
    time_t retry = 0;
    (void)state;
    f = live_fleet(events_open);
    fe_down();
    spin_until(f, is_unreachable, 3, "the engine marked unreachable");
    assert_non_null(dl_fleet_error(f, &retry));
    assert_true(retry > 0);
    assert_int_equal(dl_fleet_count(f), 1);   /* the last known rows stay */
    /* it retries by itself: the retry finds no socket and says so */
    spin_until(f, says_no_socket, 3, "a retry that finds no socket");
    assert_true(is_unreachable(f));
    assert_int_equal(fe_up(), 0);
    fe_reset_counts();
    spin_until(f, is_live, 12, "live again after the engine came back");
    /* one connect: version, events, the swarm question, list, and the read of the one row */
    spin_for(f, 0.5);
    assert_int_equal(fe_count(""), 5);
    assert_int_equal(fe_count(V "/tasks"), 1);
    assert_int_equal(fe_count(V "/version"), 1);
    assert_int_equal(fe_count(V "/events?since="), 1);
    assert_int_equal(fe_count(V "/containers/json"), 1);
    assert_int_equal(fe_count(V "/containers/" ACME "/json"), 1);
    dl_fleet_free(f);
}

/* The events stream ends while the loop is busy elsewhere (painting, keys):
 * the poll's first pass over the transfers reads the end, before it waits.
 * The fleet, now unreachable, wants a retry in a second, but the loop got
 * its sleep from the fleet while it was still connected (a minute): the
 * poll must come back at once so the loop asks the fleet again, not sleep
 * that minute out with nothing left to wake it (issue 7 item 9: "then no
 * request for 20 s"). */
static void test_engine_away_while_loop_busy(void **state)
{
    dl_fleet *f;
    int timeout;
    double t0;
    (void)state;
    f = live_fleet(events_open);
    spin_for(f, 0.2);
    timeout = dl_fleet_tick(f, time(NULL));
    assert_true(timeout >= 10000);   /* nothing due: a long sleep */
    fe_down();                       /* the end of the stream waits in the socket */
    t0 = now_s();
    assert_true(dk_client_poll(ctx.dk, -1, timeout < 4000 ? timeout : 4000) >= 0);
    assert_true(is_unreachable(f));
    if (now_s() - t0 > 1.0)
        fail_msg("the poll slept %.1f s after the engine went away", now_s() - t0);
    /* and the loop's next turns retry on the fleet's schedule */
    spin_until(f, says_no_socket, 3, "a retry that finds no socket");
    dl_fleet_free(f);
}

static int swarm_live(dl_fleet *f)
{
    const dl_status *a = dl_fleet_find(f, "acme"), *z = dl_fleet_find(f, "zeta");
    return !dl_fleet_error(f, NULL) && !dl_fleet_loading(f) && a && z && a->have_job_status &&
           z->have_job_status;
}

/* On a swarm manager the tenant service is a row: built from the tasks, the
 * running task containers and the services (one request each, whatever the
 * number of tenants), its status read from its running task's container;
 * the services and their task containers get event streams of their own. */
static void test_swarm_service_row(void **state)
{
    dl_fleet *f;
    const dl_status *z, *a;
    char line[256];
    (void)state;
    swarm_routes();
    f = dl_fleet_new(&ctx);
    dl_fleet_start(f);
    spin_until(f, swarm_live, 5, "the container's and the service's rows with their status");
    assert_int_equal(dl_fleet_count(f), 2);
    z = dl_fleet_find(f, "zeta");
    assert_string_equal(z->service, ZETA);
    assert_string_equal(z->container, ZETA_CT);   /* the running task's, not the failed one's */
    assert_string_equal(z->state, "running");
    assert_string_equal(z->spec.schedule, "0 3 * * *");
    assert_true(z->last_run_start == 1795000300);
    a = dl_fleet_find(f, "acme");
    assert_string_equal(a->service, "");
    spin_for(f, 0.3);
    assert_int_equal(fe_count(V "/tasks"), 1);
    assert_int_equal(fe_count(V "/services"), 1);
    assert_int_equal(fe_count(V "/containers/json"), 2);
    assert_int_equal(fe_count(V "/events"), 3);
    assert_int_equal(fe_count(V "/containers/" ZETA_CT "/json"), 1);
    if (fe_count("") != 10)
        for (int i = 0; *fe_line(i, line, sizeof line); i++)
            print_message("# %s\n", line);
    assert_int_equal(fe_count(""), 10);   /* with the version and the two status reads */
    /* the tasks are asked for by the services' label, the task containers by swarm's */
    for (int i = 0; *fe_line(i, line, sizeof line); i++)
        if (!strncmp(line, V "/tasks", strlen(V "/tasks")))
            assert_non_null(strstr(line, "io.deeplens.backup.tenant"));
        else if (!strncmp(line, V "/containers/json?all=0", strlen(V "/containers/json?all=0")))
            assert_non_null(strstr(line, "com.docker.swarm.service.id"));
    /* a re-list: the same four requests, no more */
    fe_reset_counts();
    dl_fleet_relist(f);
    spin_for(f, 0.5);
    assert_int_equal(fe_count(V "/tasks"), 1);
    assert_int_equal(fe_count(V "/services"), 1);
    assert_int_equal(fe_count(V "/containers/json"), 2);
    assert_int_equal(dl_fleet_count(f), 2);
    /* a manager's error answer is no reason to drop the service's row (nor
     * an error of the engine): the last rows stay, the next list asks again */
    fe_once(V "/services", fe_json(500, "{\"message\":\"rpc error: code = Unknown\"}"));
    fe_reset_counts();
    dl_fleet_relist(f);
    spin_for(f, 0.5);
    assert_int_equal(fe_count(V "/services"), 1);
    assert_int_equal(fe_count(V "/containers/json?all=1"), 1);
    assert_null(dl_fleet_error(f, NULL));
    assert_non_null(dl_fleet_find(f, "zeta"));
    fe_reset_counts();
    dl_fleet_relist(f);
    spin_for(f, 0.5);
    assert_int_equal(fe_count(V "/tasks"), 1);
    assert_non_null(dl_fleet_find(f, "zeta"));
    dl_fleet_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_connect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_relists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reread_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_away_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_away_while_loop_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swarm_service_row, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
