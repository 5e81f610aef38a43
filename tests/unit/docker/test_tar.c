/* test_tar.c - ustar build -> walk round trip, GNU long names and pax
 * paths when reading, corrupt input, and the archive stat header
 * (base64 JSON with Go FileMode bits) (src/docker/tar.c, archive.c).
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
#include "../../../src/docker/internal.h"

typedef struct seen {
    char name[8][300];
    char data[8][2048];
    size_t len[8];
    unsigned mode[8];
    time_t mtime[8];
    int n;
    int stop_at;
} seen;

static int record(void *ud, const char *name, const char *data, size_t len, unsigned mode,
                  time_t mtime)
{
    seen *s = ud;
    assert_true(s->n < 8);
    snprintf(s->name[s->n], sizeof s->name[0], "%s", name);
    assert_true(len < sizeof s->data[0]);
    memcpy(s->data[s->n], data, len);
    s->len[s->n] = len;
    s->mode[s->n] = mode;
    s->mtime[s->n] = mtime;
    s->n++;
    return s->stop_at && s->n == s->stop_at;
}

static void test_round_trip(void **state)
{
    char big[1500], longname[200];
    dk_tar_entry e[4];
    char *tar;
    size_t len;
    seen s;
    dl_err err;
    (void)state;

    memset(big, 'z', sizeof big);
    big[0] = '#';
    /* 150 bytes: needs the ustar prefix field */
    snprintf(longname, sizeof longname, "%s/%s",
             "deep/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.txt");
    memset(e, 0, sizeof e);
    e[0] = (dk_tar_entry){.name = "etc", .mode = 0755, .is_dir = 1, .mtime = 1700000000};
    e[1] = (dk_tar_entry){.name = "etc/backup.sh", .data = "#!/bin/sh\necho hi\n", .len = 18,
                          .mode = 0755, .uid = 999, .gid = 999, .mtime = 1700000001};
    e[2] = (dk_tar_entry){.name = "big.bin", .data = big, .len = sizeof big, .mode = 0600};
    e[3] = (dk_tar_entry){.name = longname, .data = "", .len = 0, .mode = 0644,
                          .mtime = 1700000002};
    assert_int_equal(dk_tar_build(e, 4, &tar, &len, &err), 0);
    assert_int_equal(len % 512, 0);
    /* 4 headers + 1 + 3 data blocks + 2 end blocks */
    assert_int_equal(len, 512 * (4 + 1 + 3 + 2));

    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk(tar, len, record, &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.name[0], "etc/");
    assert_int_equal(s.mode[0], S_IFDIR | 0755);
    assert_int_equal(s.len[0], 0);
    assert_int_equal(s.mtime[0], 1700000000);
    assert_string_equal(s.name[1], "etc/backup.sh");
    assert_int_equal(s.mode[1], S_IFREG | 0755);
    assert_int_equal(s.len[1], 18);
    assert_memory_equal(s.data[1], "#!/bin/sh\necho hi\n", 18);
    assert_string_equal(s.name[2], "big.bin");
    assert_int_equal(s.len[2], sizeof big);
    assert_memory_equal(s.data[2], big, sizeof big);
    assert_int_equal(s.mode[2], S_IFREG | 0600);
    assert_true(s.mtime[2] > 1700000000);  /* 0 = now */
    assert_string_equal(s.name[3], longname);
    assert_int_equal(s.len[3], 0);

    /* the walk stops when the callback says so */
    memset(&s, 0, sizeof s);
    s.stop_at = 2;
    assert_int_equal(dk_tar_walk(tar, len, record, &s, &err), 0);
    assert_int_equal(s.n, 2);

    /* uid/gid and magic land where tar(1) expects them */
    assert_memory_equal(tar + 512 * 1 + 257, "ustar\0" "00", 8);
    assert_memory_equal(tar + 512 * 1 + 108, "0001747", 7);
    free(tar);
}

static void test_build_errors(void **state)
{
    char name[300];
    dk_tar_entry e;
    char *tar = (char *)1;
    size_t len = 1;
    dl_err err;
    (void)state;
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';  /* no slash, 299 bytes */
    memset(&e, 0, sizeof e);
    e.name = name;
    e.mode = 0644;
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "too long for a tar archive"));
    assert_null(tar);
    assert_int_equal(len, 0);
    e.name = "";
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), -1);
    /* empty archive: just the end blocks */
    assert_int_equal(dk_tar_build(NULL, 0, &tar, &len, &err), 0);
    assert_int_equal(len, 1024);
    free(tar);
}

/* Hand-made header with a valid checksum; GNU magic. */
static void header(unsigned char *h, const char *name, char type, size_t size,
                   const char *link)
{
    unsigned sum = 0;
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", size);
    snprintf((char *)h + 136, 12, "%011o", 1700000000);
    h[156] = (unsigned char)type;
    if (link)
        snprintf((char *)h + 157, 100, "%s", link);
    memcpy(h + 257, "ustar  ", 8);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

static void test_gnu_long_name_and_pax(void **state)
{
    static unsigned char t[512 * 12];
    static const char pax[] = "28 path=pax/named/file.conf\n";
    char longname[180];
    size_t off = 0;
    seen s;
    dl_err err;
    (void)state;
    memset(longname, 'L', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    memcpy(longname, "dir/", 4);
    memset(t, 0, sizeof t);

    header(t + off, "././@LongLink", 'L', strlen(longname) + 1, NULL);
    off += 512;
    memcpy(t + off, longname, strlen(longname) + 1);
    off += 512;
    header(t + off, "dir/LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", '0', 3, NULL);
    off += 512;
    memcpy(t + off, "abc", 3);
    off += 512;
    assert_int_equal(strlen(pax), 28);
    header(t + off, "PaxHeaders/file", 'x', 28, NULL);
    off += 512;
    memcpy(t + off, pax, 28);
    off += 512;
    header(t + off, "short", '0', 2, NULL);
    off += 512;
    memcpy(t + off, "ok", 2);
    off += 512;
    header(t + off, "link", '2', 0, "target");
    off += 512;
    header(t + off, "after", '0', 0, NULL);
    off += 512;
    off += 1024;

    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk((const char *)t, off, record, &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.name[0], longname);  /* from the 'L' entry */
    assert_int_equal(s.len[0], 3);
    assert_string_equal(s.name[1], "pax/named/file.conf");
    assert_int_equal(s.len[1], 2);
    assert_string_equal(s.name[2], "link");
    assert_int_equal(s.mode[2] & S_IFMT, S_IFLNK);
    assert_int_equal(s.len[2], 6);
    assert_memory_equal(s.data[2], "target", 6);
    assert_string_equal(s.name[3], "after");  /* long name used once only */
}

static void test_corrupt(void **state)
{
    dk_tar_entry e = {.name = "f", .data = "0123456789", .len = 10, .mode = 0644};
    char *tar;
    size_t len;
    seen s;
    dl_err err;
    (void)state;
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), 0);
    /* truncated data */
    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk(tar, 512 + 5, record, &s, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_non_null(strstr(err.msg, "truncated"));
    /* a flipped byte breaks the checksum */
    tar[10] ^= 1;
    assert_int_equal(dk_tar_walk(tar, len, record, &s, &err), -1);
    assert_non_null(strstr(err.msg, "bad header"));
    tar[10] ^= 1;
    /* no end blocks is fine; so is a partial trailing block */
    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk(tar, 1024 + 100, record, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(dk_tar_walk(tar, 0, record, &s, &err), 0);
    free(tar);
}

/* uid/gid beyond the 7 octal digits of their fields (2097151) use GNU
 * base-256; octal would have kept only the low 21 bits (3000000 -> 375000). */
static void test_large_ids(void **state)
{
    dk_tar_entry e = {.name = "pgpass", .data = "x\n", .len = 2, .mode = 0600,
                      .uid = 3000000, .gid = 2147483647, .mtime = 1700000000};
    static const unsigned char want_uid[8] = {0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0};
    static const unsigned char want_gid[8] = {0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    char *tar, path[] = "/tmp/dl-test-tar-XXXXXX", cmd[128], line[256] = "";
    size_t len;
    seen s;
    dl_err err;
    FILE *f;
    int fd;
    (void)state;
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), 0);
    assert_memory_equal(tar + 108, want_uid, 8);
    assert_memory_equal(tar + 116, want_gid, 8);
    /* the largest octal one stays octal */
    e.uid = 2097151;
    e.gid = 999;
    free(tar);
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), 0);
    assert_memory_equal(tar + 108, "7777777", 8);
    assert_memory_equal(tar + 116, "0001747", 8);
    free(tar);

    /* our reader and GNU tar read the archive back */
    e.uid = 3000000;
    e.gid = 3000001;
    assert_int_equal(dk_tar_build(&e, 1, &tar, &len, &err), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk(tar, len, record, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.name[0], "pgpass");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, tar, len), (ssize_t)len);
    close(fd);
    free(tar);
    if (access("/bin/tar", X_OK) == 0) {
        snprintf(cmd, sizeof cmd, "/bin/tar --numeric-owner -tvf %s 2>&1", path);
        f = popen(cmd, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        pclose(f);
        assert_non_null(strstr(line, " 3000000/3000001 "));
    }
    unlink(path);
}

/* Base-256 numbers are read; negative ones and ones beyond 64 bits are
 * corrupt (today's reader took 2^80 as 0 and -1 as 2^56-1). */
static void test_base256_read(void **state)
{
    unsigned char *t = calloc(1, 512 * 4);
    seen s;
    dl_err err;
    (void)state;
    header(t, "b256", '0', 0, NULL);
    memset(t + 124, 0, 12);
    t[124] = 0x80;
    t[135] = 3;  /* size 3 */
    memcpy(t + 512, "abc", 3);
    {
        unsigned sum = 0;
        memset(t + 148, ' ', 8);
        for (int i = 0; i < 512; i++)
            sum += t[i];
        snprintf((char *)t + 148, 8, "%06o", sum);
    }
    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk((const char *)t, 512 * 4, record, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.len[0], 3);
    assert_memory_equal(s.data[0], "abc", 3);

    /* 2^80: does not fit */
    memset(t + 124, 0, 12);
    t[124] = 0x80;
    t[125] = 1;
    memset(t + 148, ' ', 8);
    {
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
            sum += t[i];
        snprintf((char *)t + 148, 8, "%06o", sum);
    }
    memset(&s, 0, sizeof s);
    assert_int_equal(dk_tar_walk((const char *)t, 512 * 4, record, &s, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_non_null(strstr(err.msg, "bad number"));
    assert_int_equal(s.n, 0);

    /* a negative mtime */
    header(t, "neg", '0', 0, NULL);
    memset(t + 136, 0xff, 12);
    memset(t + 148, ' ', 8);
    {
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
            sum += t[i];
        snprintf((char *)t + 148, 8, "%06o", sum);
    }
    assert_int_equal(dk_tar_walk((const char *)t, 512 * 4, record, &s, &err), -1);
    assert_non_null(strstr(err.msg, "bad number"));
    free(t);
}

/* A hostile pax header: records whose length is shorter than their own
 * length digits, or whose digits run to the end of the data. The old
 * parser read past the record (and past the buffer: an ASan heap overflow)
 * with strtoul and a negative length. The archive ends exactly at the data
 * (no end blocks, no NUL after it), as a body of that size would. */
static void walk_exact(const char *pax, size_t paxlen, seen *s, int *rc)
{
    size_t total = 512 + (paxlen + 511) / 512 * 512 + 512 + 512;
    unsigned char *t = malloc(total);
    dl_err err;
    memset(t, 'A', total);
    header(t, "PaxHeaders/x", 'x', paxlen, NULL);
    memcpy(t + 512, pax, paxlen);
    header(t + 512 + (paxlen + 511) / 512 * 512, "named", '0', 512, NULL);
    memset(s, 0, sizeof *s);
    *rc = dk_tar_walk((const char *)t, total, record, s, &err);
    free(t);
}

static void test_pax_hostile(void **state)
{
    char pax[512];
    seen s;
    int rc;
    (void)state;
    /* "1 path=AAAA...": record length 1 < its own header */
    memset(pax, 'A', sizeof pax);
    memcpy(pax, "1 path=", 7);
    walk_exact(pax, sizeof pax, &s, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.name[0], "named");  /* no pax name taken */
    /* digits to the very end of the data */
    memset(pax, '9', sizeof pax);
    walk_exact(pax, sizeof pax, &s, &rc);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.name[0], "named");
    /* a zero length (found by fuzz_tar: it indexed the data at -1) */
    walk_exact("0 path=x\n", 9, &s, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s.name[0], "named");
    walk_exact("3 path=x\n", 9, &s, &rc);
    assert_string_equal(s.name[0], "named");
    /* a record that overruns the data, one without its '\n' */
    walk_exact("99 path=x\n", 10, &s, &rc);
    assert_string_equal(s.name[0], "named");
    walk_exact("10 path=xy", 10, &s, &rc);
    assert_string_equal(s.name[0], "named");
    /* a good record after another key still works; an empty path is none */
    walk_exact("12 mtime=17\n13 path=a/bc\n", 25, &s, &rc);
    assert_string_equal(s.name[0], "a/bc");
    walk_exact("8 path=\n", 8, &s, &rc);
    assert_string_equal(s.name[0], "named");
}

/* ---- stat header ------------------------------------------------------------ */

static char *b64(const char *in)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;
    char *out = malloc(n * 4 / 3 + 5);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static void test_stat_header(void **state)
{
    dk_path_stat st;
    dl_err err;
    char *h;
    size_t n;
    char *raw;
    (void)state;
    /* as recorded: a directory, mode 0x800001ED */
    h = b64("{\"name\":\"backups\",\"size\":4096,\"mode\":2147484141,"
            "\"mtime\":\"2026-11-25T22:19:12.5Z\",\"linkTarget\":\"\"}");
    assert_int_equal(dk_path_stat_decode(h, &st, &err), 0);
    assert_string_equal(st.name, "backups");
    assert_int_equal(st.size, 4096);
    assert_int_equal(st.is_dir, 1);
    assert_int_equal(st.is_link, 0);
    assert_int_equal(st.mode, 0755);
    assert_int_equal(st.mtime, 1795645152);
    free(h);

    /* a symlink (1<<27) with setuid (1<<23) and sticky (1<<20) */
    {
        char j[200];
        snprintf(j, sizeof j, "{\"name\":\"l\",\"size\":3,\"mode\":%u,\"linkTarget\":\"/etc/x\"}",
                 (1u << 27) | (1u << 23) | (1u << 20) | 0777u);
        h = b64(j);
    }
    assert_int_equal(dk_path_stat_decode(h, &st, &err), 0);
    assert_int_equal(st.is_link, 1);
    assert_int_equal(st.is_dir, 0);
    assert_int_equal(st.mode, 04000 | 01000 | 0777);
    assert_string_equal(st.link_target, "/etc/x");
    free(h);

    /* a regular file, unpadded base64 */
    h = b64("{\"name\":\"f\",\"size\":18,\"mode\":420}");
    while (h[strlen(h) - 1] == '=')
        h[strlen(h) - 1] = '\0';
    assert_int_equal(dk_path_stat_decode(h, &st, &err), 0);
    assert_int_equal(st.mode, 0644);
    assert_int_equal(st.size, 18);
    assert_int_equal(st.mtime, 0);
    free(h);

    assert_int_equal(dk_path_stat_decode("not base64!", &st, &err), -1);
    assert_int_equal(err.kind, DL_EPROTO);
    assert_int_equal(dk_path_stat_decode(NULL, &st, &err), -1);
    h = b64("not json");
    assert_int_equal(dk_path_stat_decode(h, &st, &err), -1);
    free(h);

    raw = dk_base64_decode("aGVsbG8=", &n);
    assert_int_equal(n, 5);
    assert_string_equal(raw, "hello");
    free(raw);
    raw = dk_base64_decode("", &n);
    assert_int_equal(n, 0);
    free(raw);
    assert_null(dk_base64_decode("aGVs=bG8", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_gnu_long_name_and_pax),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_large_ids),
        cmocka_unit_test(test_base256_read),
        cmocka_unit_test(test_pax_hostile),
        cmocka_unit_test(test_stat_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
