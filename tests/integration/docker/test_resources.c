/* test_resources.c - volumes, networks and the archive endpoints against a
 * real engine: a local bind volume used by a container, an NFS-options
 * volume created and inspected but never mounted, label filters, 409 in
 * use; network 404/409/connect/disconnect/remove; tar put into a stopped
 * container and read back with get and stat, and the 404s.
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

#include "itest.h"

/* ---- volumes ------------------------------------------------------------- */

static void test_volumes(void **state)
{
    char bind[96], nfs[96], dir[128], filt[160], ct[96], id[65], hostfile[192], run[32];
    dk_kv opts_bind[3], opts_nfs[3], labels[2];
    dk_volume v, *list;
    size_t n;
    dl_err err;
    int created = -1;
    (void)state;
    it_name(bind, sizeof bind, "vol-bind");
    it_name(nfs, sizeof nfs, "vol-nfs");
    it_name(ct, sizeof ct, "vol-user");
    snprintf(dir, sizeof dir, "/tmp/dl-it-%ld-voldir", (long)getpid());
    snprintf(run, sizeof run, "%ld", (long)getpid());
    mkdir(dir, 0777);
    it_track(IT_VOLUME, bind);
    it_track(IT_VOLUME, nfs);

    opts_bind[0] = (dk_kv){"type", "none"};
    opts_bind[1] = (dk_kv){"o", "bind"};
    opts_bind[2] = (dk_kv){"device", dir};
    labels[0] = (dk_kv){"deeplens.it-run", run};
    labels[1] = (dk_kv){"deeplens.tenant", "acme"};
    CHECK(dk_volume_create(it.c, bind, NULL, opts_bind, 3, labels, 2, &created, &err));
    assert_int_equal(created, 1);

    opts_nfs[0] = (dk_kv){"type", "nfs"};
    opts_nfs[1] = (dk_kv){"o", "addr=127.0.0.1,rw"};
    opts_nfs[2] = (dk_kv){"device", ":/export"};
    CHECK(dk_volume_create(it.c, nfs, "local", opts_nfs, 3, labels, 1, &created, &err));
    assert_int_equal(created, 1);

    /* inspect shows the stored options; create never mounted anything */
    CHECK(dk_volume_inspect(it.c, nfs, &v, &err));
    assert_string_equal(v.name, nfs);
    assert_string_equal(v.driver, "local");
    assert_string_equal(dk_volume_option(&v, "type"), "nfs");
    assert_string_equal(dk_volume_option(&v, "o"), "addr=127.0.0.1,rw");
    assert_string_equal(dk_volume_option(&v, "device"), ":/export");
    assert_string_equal(dk_volume_label(&v, "deeplens.it-run"), run);
    assert_null(dk_volume_label(&v, "deeplens.tenant"));
    assert_true(strlen(v.mountpoint) > 0);
    dk_volume_clear(&v);

    /* the same name again: 201 with the OLD options; *created says so */
    CHECK(dk_volume_create(it.c, nfs, NULL, opts_bind, 3, NULL, 0, &created, &err));
    assert_int_equal(created, 0);
    CHECK(dk_volume_inspect(it.c, nfs, &v, &err));
    assert_string_equal(dk_volume_option(&v, "type"), "nfs");
    dk_volume_clear(&v);

    /* list: label filter (key=value, split on '='), name filter */
    snprintf(filt, sizeof filt, "{\"label\":[\"deeplens.it-run=%s\"]}", run);
    CHECK(dk_volumes_list(it.c, filt, &list, &n, &err));
    assert_int_equal(n, 2);
    dk_volumes_free(list, n);
    CHECK(dk_volumes_list(it.c, "{\"label\":[\"deeplens.tenant=acme\"]}", &list, &n, &err));
    {
        int seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += !strcmp(list[i].name, bind);
        assert_int_equal(seen, 1);
    }
    dk_volumes_free(list, n);
    snprintf(filt, sizeof filt, "{\"name\":[\"dl-it-%s-vol-n\"]}", run);
    CHECK(dk_volumes_list(it.c, filt, &list, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, nfs);
    dk_volumes_free(list, n);
    CHECK(dk_volumes_list(it.c, "{\"label\":[\"deeplens.none=never\"]}", &list, &n, &err));
    assert_int_equal(n, 0);
    assert_null(list);

    /* the bind volume in use: a file written inside shows on the host */
    {
        const char *ep[] = {"/bin/sh", "-c", "echo from-container > /data/hello; "
                            "trap 'exit 0' TERM; while :; do sleep 1; done", NULL};
        dk_mount m = {"volume", bind, "/data", 0, 1};
        dk_create_spec s;
        char *text = NULL;
        memset(&s, 0, sizeof s);
        s.image = it.image;
        s.entrypoint = ep;
        s.mounts = &m;
        s.nmounts = 1;
        it_track(IT_CONTAINER, ct);
        CHECK(dk_container_create(it.c, ct, &s, id, &err));
        CHECK(dk_container_start(it.c, ct, NULL, &err));
        snprintf(hostfile, sizeof hostfile, "%s/hello", dir);
        for (int i = 0; i < 50 && access(hostfile, F_OK); i++)
            usleep(100000);
        CHECK(dk_archive_read_file(it.c, ct, "/data/hello", 0, &text, NULL, &err));
        assert_string_equal(text, "from-container\n");
        free(text);
        assert_int_equal(access(hostfile, F_OK), 0);
    }

    /* 409 while a container (even stopped) uses it, force or not */
    assert_int_equal(dk_volume_remove(it.c, bind, 0, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    {
        char want[160];
        snprintf(want, sizeof want, "volume '%s' is in use by a container", bind);
        assert_string_equal(err.msg, want);
    }
    CHECK(dk_container_stop(it.c, ct, 5, NULL, &err));
    assert_int_equal(dk_volume_remove(it.c, bind, 1, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    CHECK(dk_container_remove(it.c, ct, 1, 0, &err));
    CHECK(dk_volume_remove(it.c, bind, 0, &err));
    CHECK(dk_volume_remove(it.c, nfs, 0, &err));

    /* 404s; force ignores a missing volume */
    assert_int_equal(dk_volume_inspect(it.c, nfs, &v, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    {
        char want[160];
        snprintf(want, sizeof want, "no such volume '%s'", nfs);
        assert_string_equal(err.msg, want);
    }
    assert_int_equal(dk_volume_remove(it.c, nfs, 0, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    CHECK(dk_volume_remove(it.c, nfs, 1, &err));

    /* the engine validates option names (400) */
    {
        dk_kv bad[] = {{"bogus", "1"}};
        char nm[96];
        it_name(nm, sizeof nm, "vol-bad");
        it_track(IT_VOLUME, nm);
        assert_int_equal(dk_volume_create(it.c, nm, NULL, bad, 1, NULL, 0, &created, &err), -1);
        assert_int_equal(err.kind, DL_EHTTP);
        assert_int_equal(err.http_status, 400);
    }
    unlink(hostfile);
    rmdir(dir);
}

/* ---- networks ------------------------------------------------------------- */

static void test_networks(void **state)
{
    static const char *const aliases[] = {"pg-alias", NULL};
    char net[96], ct[96], id[65], id2[65], want[200];
    dk_kv labels[] = {{"deeplens.it", "1"}};
    dk_network nw;
    dl_err err;
    (void)state;
    it_name(net, sizeof net, "net");
    it_name(ct, sizeof ct, "net-user");

    assert_int_equal(dk_network_inspect(it.c, net, &nw, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_int_equal(err.http_status, 404);
    snprintf(want, sizeof want, "no such network '%s'", net);
    assert_string_equal(err.msg, want);

    it_track(IT_NETWORK, net);
    CHECK(dk_network_create(it.c, net, NULL, labels, 1, id, &err));
    assert_int_equal(strlen(id), 64);
    assert_int_equal(dk_network_create(it.c, net, "bridge", NULL, 0, id2, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 409);
    snprintf(want, sizeof want, "network '%s' already exists", net);
    assert_string_equal(err.msg, want);

    CHECK(dk_network_inspect(it.c, net, &nw, &err));
    assert_string_equal(nw.id, id);
    assert_string_equal(nw.name, net);
    assert_string_equal(nw.driver, "bridge");
    dk_network_clear(&nw);

    /* connect a running container with an alias; again: already connected */
    IT_RUN(ct, "trap 'exit 0' TERM; while :; do sleep 1; done");
    CHECK(dk_network_connect(it.c, net, ct, aliases, &err));
    assert_int_equal(dk_network_connect(it.c, net, ct, aliases, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);
    assert_int_equal(err.http_status, 403);
    {
        dk_container c;
        char *body = NULL, *path;
        long st;
        CHECK(dk_container_inspect(it.c, ct, &c, &err));
        path = malloc(200);
        snprintf(path, 200, "/containers/%s/json", c.id);
        CHECK(dk_call(it.c, "GET", path, NULL, 10000, &body, &st, &err));
        assert_non_null(strstr(body, "pg-alias"));
        free(body);
        free(path);
        dk_container_clear(&c);
    }
    /* in use: not removable */
    assert_int_equal(dk_network_remove(it.c, net, &err), -1);
    assert_int_equal(err.kind, DL_ECONFLICT);

    /* missing network / container */
    assert_int_equal(dk_network_connect(it.c, "dl-it-no-such-net", ct, NULL, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, "no such network 'dl-it-no-such-net'");
    assert_int_equal(dk_network_connect(it.c, net, "dl-it-no-such-ct", NULL, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, "no such container 'dl-it-no-such-ct'");

    CHECK(dk_network_disconnect(it.c, net, ct, 0, &err));
    assert_int_equal(dk_network_disconnect(it.c, net, ct, 0, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "is not connected to network"));

    CHECK(dk_network_remove(it.c, net, &err));
    assert_int_equal(dk_network_remove(it.c, net, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
}

/* ---- archive ---------------------------------------------------------------- */

typedef struct names {
    char name[8][128];
    unsigned mode[8];
    int n;
} names;

static int collect(void *ud, const char *name, const char *data, size_t len, unsigned mode,
                   time_t mtime)
{
    names *k = ud;
    if (k->n < 8) {
        snprintf(k->name[k->n], sizeof k->name[0], "%s", name);
        k->mode[k->n] = mode;
        k->n++;
    }
    return 0;
}

static void test_archive(void **state)
{
    static const char script[] = "#!/bin/sh\necho backup\n";
    char ct[96], id[65], *tar, *got, want[200];
    size_t len, glen;
    dk_tar_entry e[3];
    dk_path_stat st;
    names k;
    dl_err err;
    (void)state;
    it_name(ct, sizeof ct, "archive");
    CHECK(it_create(ct, "sleep 60", NULL, 0, id, &err));  /* never started */

    memset(e, 0, sizeof e);
    e[0] = (dk_tar_entry){.name = "dl-job", .mode = 0750, .is_dir = 1};
    e[1] = (dk_tar_entry){.name = "dl-job/backup.sh", .data = script, .len = sizeof script - 1,
                          .mode = 0755, .uid = 0, .gid = 0, .mtime = 1700000000};
    e[2] = (dk_tar_entry){.name = "dl-job/secret", .data = "pw\n", .len = 3, .mode = 0600,
                          .uid = 1234, .gid = 1234};
    CHECK(dk_tar_build(e, 3, &tar, &len, &err));
    CHECK(dk_archive_put(it.c, ct, "/tmp", tar, len, &err));
    free(tar);

    CHECK(dk_archive_stat(it.c, ct, "/tmp/dl-job/backup.sh", &st, &err));
    assert_string_equal(st.name, "backup.sh");
    assert_int_equal(st.size, sizeof script - 1);
    assert_int_equal(st.mode, 0755);
    assert_int_equal(st.is_dir, 0);
    assert_int_equal(st.is_link, 0);
    assert_int_equal(st.mtime, 1700000000);
    CHECK(dk_archive_stat(it.c, ct, "/tmp/dl-job", &st, &err));
    assert_int_equal(st.is_dir, 1);
    assert_int_equal(st.mode, 0750);
    CHECK(dk_archive_stat(it.c, ct, "/tmp/dl-job/secret", &st, &err));
    assert_int_equal(st.mode, 0600);

    CHECK(dk_archive_get(it.c, ct, "/tmp/dl-job", 0, &tar, &len, &err));
    memset(&k, 0, sizeof k);
    CHECK(dk_tar_walk(tar, len, collect, &k, &err));
    free(tar);
    assert_int_equal(k.n, 3);
    assert_string_equal(k.name[0], "dl-job/");
    assert_int_equal(k.mode[0], S_IFDIR | 0750);

    CHECK(dk_archive_read_file(it.c, ct, "/tmp/dl-job/backup.sh", 0, &got, &glen, &err));
    assert_int_equal(glen, sizeof script - 1);
    assert_string_equal(got, script);
    free(got);
    /* cap */
    assert_int_equal(dk_archive_read_file(it.c, ct, "/tmp/dl-job/backup.sh", 4, &got, &glen,
                                          &err), -1);
    assert_null(got);
    assert_non_null(strstr(err.msg, "larger than 4 bytes"));
    /* a directory is not a file */
    assert_int_equal(dk_archive_read_file(it.c, ct, "/tmp/dl-job", 0, &got, &glen, &err), -1);
    assert_non_null(strstr(err.msg, "is not a regular file"));

    /* 404s: missing path (stat has no body, get and put do) */
    snprintf(want, sizeof want, "no such file or directory '/tmp/nope' in container '%s'", ct);
    assert_int_equal(dk_archive_stat(it.c, ct, "/tmp/nope", &st, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.msg, want);
    assert_int_equal(dk_archive_get(it.c, ct, "/tmp/nope", 0, &tar, &len, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, want);
    CHECK(dk_tar_build(e + 2, 1, &tar, &len, &err));
    assert_int_equal(dk_archive_put(it.c, ct, "/tmp/nope", tar, len, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, want);
    /* into a file: not a directory */
    assert_int_equal(dk_archive_put(it.c, ct, "/tmp/dl-job/backup.sh", tar, len, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "is not a directory"));
    /* missing container */
    assert_int_equal(dk_archive_put(it.c, "dl-it-no-such-ct", "/tmp", tar, len, &err), -1);
    assert_int_equal(err.kind, DL_ENOTFOUND);
    assert_string_equal(err.msg, "no such container 'dl-it-no-such-ct'");
    assert_int_equal(dk_archive_stat(it.c, "dl-it-no-such-ct", "/tmp", &st, &err), -1);
    assert_string_equal(err.msg, "no such container 'dl-it-no-such-ct'");
    free(tar);
}

/* A uid beyond the 7 octal digits of a tar header (2097151): the engine
 * must create the file with that owner (before base-256, 3000000 arrived
 * as 375000). Read back with stat(1) inside the running container. */
static void test_archive_large_ids(void **state)
{
    static const char *const cmd[] = {"stat", "-c", "%u:%g", "/tmp/big-id", NULL};
    char ct[96], *tar, *out = NULL;
    size_t len;
    dk_tar_entry e = {.name = "big-id", .data = "x\n", .len = 2, .mode = 0600,
                      .uid = 3000000, .gid = 3000001, .mtime = 1700000000};
    dk_exec_opts x;
    dl_err err;
    int code = -1;
    (void)state;
    it_name(ct, sizeof ct, "bigid");
    IT_RUN(ct, "trap 'exit 0' TERM; while :; do sleep 1; done");
    CHECK(dk_tar_build(&e, 1, &tar, &len, &err));
    CHECK(dk_archive_put(it.c, ct, "/tmp", tar, len, &err));
    free(tar);
    memset(&x, 0, sizeof x);
    x.cmd = cmd;
    CHECK(dk_exec_capture(it.c, ct, &x, &out, NULL, 0, &code, &err));
    assert_int_equal(code, 0);
    assert_string_equal(out, "3000000:3000001\n");
    free(out);
}

static int teardown(void **state)
{
    char dir[128], file[160];
    snprintf(dir, sizeof dir, "/tmp/dl-it-%ld-voldir", (long)getpid());
    snprintf(file, sizeof file, "%s/hello", dir);
    it_teardown(state);  /* containers and volumes first */
    unlink(file);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volumes),
        cmocka_unit_test(test_networks),
        cmocka_unit_test(test_archive),
        cmocka_unit_test(test_archive_large_ids),
    };
    return cmocka_run_group_tests(tests, it_setup, teardown);
}
