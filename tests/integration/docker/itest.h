/* itest.h - shared setup for the docker client's integration tests: a
 * client on the test engine, unique names (pid in them), and a registry of
 * everything a test creates so the group teardown removes it even when an
 * assertion failed halfway.
 *
 * Engine: $DOCKER_HOST, else the test engine unix:///run/deeplens-test/
 * docker.sock (never the system engine). Image: $DL_TEST_RUNNER_IMAGE, else
 * deeplens/backup-runner:15 (tests/env/up.sh builds it); any image with
 * /bin/sh, sleep, echo, cat and mkdir works.
 */
#ifndef DL_ITEST_DOCKER_H
#define DL_ITEST_DOCKER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeplens/docker.h"

#define IT_TEST_SOCKET "unix:///run/deeplens-test/docker.sock"
#define IT_MAX_THINGS 64

enum it_kind { IT_CONTAINER, IT_VOLUME, IT_NETWORK };

static struct {
    dk_client *c;
    const char *image;
    struct {
        enum it_kind kind;
        char name[128];
    } things[IT_MAX_THINGS];
    int nthings;
} it;

static const char *it_image(void)
{
    const char *i = getenv("DL_TEST_RUNNER_IMAGE");
    return i && *i ? i : "deeplens/backup-runner:15";
}

/* "dl-it-<pid>-<what>" */
static const char *it_name(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "dl-it-%ld-%s", (long)getpid(), what);
    return buf;
}

static void it_track(enum it_kind kind, const char *name)
{
    if (it.nthings < IT_MAX_THINGS) {
        it.things[it.nthings].kind = kind;
        snprintf(it.things[it.nthings].name, sizeof it.things[0].name, "%s", name);
        it.nthings++;
    }
}

static int it_endpoint(dk_endpoint *ep, dl_err *err)
{
    const char *h = getenv("DOCKER_HOST");
    if (!h || !*h)
        return dk_endpoint_parse(ep, IT_TEST_SOCKET, NULL, NULL, NULL, NULL, err);
    return dk_endpoint_from_env(ep, err);
}

static int it_setup(void **state)
{
    dk_endpoint ep;
    dk_version v;
    dl_err err;
    char *path, *esc;
    long st = 0;
    (void)state;
    it.image = it_image();
    if (it_endpoint(&ep, &err) || dk_client_new(&it.c, &ep, &err)) {
        fprintf(stderr, "# docker endpoint: %s\n", err.msg);
        return -1;
    }
    if (dk_client_check_version(it.c, &v, &err)) {
        fprintf(stderr, "# %s (run tests/env/up.sh)\n", err.msg);
        return -1;
    }
    esc = dk_escape(it.image);
    path = malloc(strlen(esc) + 32);
    sprintf(path, "/images/%s/json", esc);
    free(esc);
    if (dk_call(it.c, "GET", path, NULL, 30000, NULL, &st, &err)) {
        fprintf(stderr, "# test image '%s' is missing: %s (run tests/env/up.sh or set "
                "DL_TEST_RUNNER_IMAGE)\n", it.image, err.msg);
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

static void it_cleanup(void)
{
    dl_err err;
    /* containers first: they hold volumes and networks */
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < it.nthings; i++) {
            if ((int)it.things[i].kind != pass)
                continue;
            if (pass == IT_CONTAINER)
                dk_container_remove(it.c, it.things[i].name, 1, 1, &err);
            else if (pass == IT_VOLUME)
                dk_volume_remove(it.c, it.things[i].name, 1, &err);
            else
                dk_network_remove(it.c, it.things[i].name, &err);
        }
    it.nthings = 0;
}

static int it_teardown(void **state)
{
    (void)state;
    if (it.c) {
        it_cleanup();
        dk_client_free(it.c);
        it.c = NULL;
    }
    return 0;
}

/* Create (and track) a container running `/bin/sh -c script`. */
static int it_create(const char *name, const char *script, const dk_kv *labels,
                     size_t nlabels, char id[65], dl_err *err)
{
    const char *ep[] = {"/bin/sh", "-c", script, NULL};
    dk_create_spec s;
    memset(&s, 0, sizeof s);
    s.image = it.image;
    s.entrypoint = ep;
    s.labels = labels;
    s.nlabels = nlabels;
    s.user = "0:0";
    it_track(IT_CONTAINER, name);
    return dk_container_create(it.c, name, &s, id, err);
}

/* Create and start; fails the test on error. */
#define IT_RUN(name, script)                                                  \
    do {                                                                      \
        dl_err it_e_;                                                         \
        char it_id_[65];                                                      \
        if (it_create((name), (script), NULL, 0, it_id_, &it_e_))             \
            fail_msg("create %s: %s", (name), it_e_.msg);                     \
        if (dk_container_start(it.c, (name), NULL, &it_e_))                   \
            fail_msg("start %s: %s", (name), it_e_.msg);                      \
    } while (0)

/* Fail the test with the dl_err message; needs `dl_err err` in scope. */
#define CHECK(expr)                                                           \
    do {                                                                      \
        if ((expr) != 0)                                                      \
            fail_msg("%s: %s", #expr, err.msg);                               \
    } while (0)

#endif
