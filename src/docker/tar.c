/* tar.c - in-memory ustar archives, the body format of the engine's
 * archive endpoints. The writer makes plain ustar (names up to 255 bytes
 * via the prefix field; numbers too large for octal, such as uid 3000000,
 * in GNU base-256); the reader also understands GNU long names ('L'), pax
 * path records ('x'), which the engine emits for long paths, and base-256.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BLOCK 512

/* ustar header field offsets */
enum {
    T_NAME = 0, T_MODE = 100, T_UID = 108, T_GID = 116, T_SIZE = 124,
    T_MTIME = 136, T_CHKSUM = 148, T_TYPE = 156, T_LINK = 157, T_MAGIC = 257,
    T_VERSION = 263, T_PREFIX = 345
};

/* A numeric field: octal digits and a NUL when the value fits, else the
 * GNU base-256 form (high bit of the first byte set, the value big-endian
 * in the rest), which GNU tar, bsdtar and Go's archive/tar (the engine)
 * read. An 8-byte field holds 7 octal digits: uid 3000000 needs base-256. */
static void put_num(unsigned char *h, size_t width, unsigned long long v)
{
    if (width - 1 >= 22 || v < 1ULL << (3 * (width - 1))) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%0*llo", (int)(width - 1), v);
        memcpy(h, tmp, width - 1);
        h[width - 1] = '\0';
        return;
    }
    memset(h, 0, width);
    for (size_t i = width - 1; i > 0 && v; i--, v >>= 8)
        h[i] = (unsigned char)(v & 0xff);
    h[0] = 0x80;
}

static unsigned checksum(const unsigned char *h)
{
    unsigned sum = 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += (i >= T_CHKSUM && i < T_CHKSUM + 8) ? ' ' : h[i];
    return sum;
}

/* Split name into prefix/name fields; -1 if it cannot fit. */
static int put_name(unsigned char *h, const char *name, int is_dir)
{
    char full[260];
    size_t n = strlen(name);
    if (n == 0 || n + 2 > sizeof full)
        return -1;
    memcpy(full, name, n + 1);
    if (is_dir && full[n - 1] != '/') {
        full[n++] = '/';
        full[n] = '\0';
    }
    if (n <= 100) {
        memcpy(h + T_NAME, full, n);
        return 0;
    }
    for (size_t i = n - 1; i > 0; i--) {  /* the rightmost '/' that works */
        if (full[i] != '/' || i > 155)
            continue;
        if (n - i - 1 > 100 || n - i - 1 == 0)
            break;
        memcpy(h + T_PREFIX, full, i);
        memcpy(h + T_NAME, full + i + 1, n - i - 1);
        return 0;
    }
    return -1;
}

int dk_tar_build(const dk_tar_entry *e, size_t n, char **out, size_t *len,
                 dl_err *err)
{
    size_t total = 2 * BLOCK, off = 0;
    unsigned char *buf;
    time_t now = time(NULL);

    *out = NULL;
    *len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t dl = e[i].is_dir ? 0 : e[i].len;
        total += BLOCK + (dl + BLOCK - 1) / BLOCK * BLOCK;
    }
    buf = dk_xcalloc(1, total);
    for (size_t i = 0; i < n; i++) {
        unsigned char *h = buf + off;
        size_t dl = e[i].is_dir ? 0 : e[i].len;
        if (!e[i].name || put_name(h, e[i].name, e[i].is_dir)) {
            free(buf);
            return dl_err_set(err, DL_EINVAL, "file name '%s' is too long for a tar archive",
                              e[i].name ? e[i].name : "");
        }
        put_num(h + T_MODE, 8, e[i].mode & 07777);
        put_num(h + T_UID, 8, e[i].uid);
        put_num(h + T_GID, 8, e[i].gid);
        put_num(h + T_SIZE, 12, dl);
        put_num(h + T_MTIME, 12, (unsigned long long)(e[i].mtime ? e[i].mtime : now));
        h[T_TYPE] = e[i].is_dir ? '5' : '0';
        memcpy(h + T_MAGIC, "ustar", 6);
        memcpy(h + T_VERSION, "00", 2);
        put_num(h + T_CHKSUM, 7, checksum(h));
        h[T_CHKSUM + 7] = ' ';
        off += BLOCK;
        if (dl)
            memcpy(buf + off, e[i].data, dl);
        off += (dl + BLOCK - 1) / BLOCK * BLOCK;
    }
    *out = (char *)buf;
    *len = total;
    return 0;
}

/* Octal (NUL/space terminated) or GNU base-256 numeric field. Negative
 * base-256 values (0xff first byte) and values beyond 64 bits are errors. */
static int get_num(const unsigned char *f, size_t width, unsigned long long *v)
{
    size_t i = 0;
    *v = 0;
    if (f[0] & 0x80) {
        if (f[0] & 0x40)
            return -1;
        *v = f[0] & 0x3f;
        for (i = 1; i < width; i++) {
            if (*v >> 56)
                return -1;
            *v = (*v << 8) | f[i];
        }
        return 0;
    }
    while (i < width && f[i] == ' ')
        i++;
    for (; i < width && f[i] >= '0' && f[i] <= '7'; i++) {
        if (*v >> 61)
            return -1;
        *v = (*v << 3) | (unsigned)(f[i] - '0');
    }
    if (i < width && f[i] != '\0' && f[i] != ' ')
        return -1;
    return 0;
}

static int all_zero(const unsigned char *h)
{
    for (size_t i = 0; i < BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

/* Find "path=" in pax records ("<len> key=value\n"...). The records are
 * the engine's bytes, not a string: every length is checked against the
 * data before anything is read through it. */
static char *pax_path(const char *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t rl = 0, i = off, kv, vend;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (rl > n)  /* longer than the data: no need to read on */
                return NULL;
            rl = rl * 10 + (size_t)(p[i] - '0');
            i++;
        }
        if (i == off || i >= n || p[i] != ' ' || rl > n - off)
            return NULL;
        kv = i + 1;
        if (rl < kv - off + 1)  /* shorter than its own "<len> " and '\n' (or 0) */
            return NULL;
        vend = off + rl - 1;    /* the '\n' ending the record */
        if (p[vend] != '\n')
            return NULL;
        if (vend - kv > 5 && !memcmp(p + kv, "path=", 5))
            return dk_xstrndup(p + kv + 5, vend - kv - 5);
        off += rl;
    }
    return NULL;
}

int dk_tar_walk(const char *tar, size_t len, dk_tar_fn cb, void *ud, dl_err *err)
{
    const unsigned char *t = (const unsigned char *)tar;
    char *long_name = NULL;
    size_t off = 0;
    int rc = 0;

    while (off + BLOCK <= len) {
        const unsigned char *h = t + off;
        unsigned long long size, mode, mtime, sum;
        char name[260];
        const char *data, *use_name;
        size_t datalen;
        unsigned type_bits = 0;
        char type;

        if (all_zero(h))
            break;
        if (get_num(h + T_CHKSUM, 8, &sum) || sum != checksum(h)) {
            rc = dl_err_set(err, DL_EPROTO, "corrupt tar archive: bad header at offset %zu", off);
            break;
        }
        if (get_num(h + T_SIZE, 12, &size) || get_num(h + T_MODE, 8, &mode) ||
            get_num(h + T_MTIME, 12, &mtime)) {
            rc = dl_err_set(err, DL_EPROTO, "corrupt tar archive: bad number at offset %zu", off);
            break;
        }
        if (size > len - off - BLOCK) {
            rc = dl_err_set(err, DL_EPROTO, "truncated tar archive at offset %zu", off);
            break;
        }
        data = tar + off + BLOCK;
        datalen = (size_t)size;
        off += BLOCK + (datalen + BLOCK - 1) / BLOCK * BLOCK;
        type = (char)h[T_TYPE];

        if (type == 'L' || type == 'x') {  /* names the next entry */
            free(long_name);
            long_name = type == 'L' ? dk_xstrndup(data, strnlen(data, datalen))
                                    : pax_path(data, datalen);
            continue;
        }
        if (type == 'K' || type == 'g')
            continue;

        /* the prefix field is POSIX only: old GNU keeps times there */
        if (!memcmp(h + T_MAGIC, "ustar\0", 6) && h[T_PREFIX])
            snprintf(name, sizeof name, "%.*s/%.*s",
                     (int)strnlen((const char *)h + T_PREFIX, 155), (const char *)h + T_PREFIX,
                     (int)strnlen((const char *)h + T_NAME, 100), (const char *)h + T_NAME);
        else
            snprintf(name, sizeof name, "%.*s",
                     (int)strnlen((const char *)h + T_NAME, 100), (const char *)h + T_NAME);
        use_name = long_name ? long_name : name;

        switch (type) {
        case '0': case '\0': case '7':
            type_bits = S_IFREG;
            break;
        case '5':
            type_bits = S_IFDIR;
            break;
        case '2':  /* symlink: hand the target over as the data */
            type_bits = S_IFLNK;
            data = (const char *)h + T_LINK;
            datalen = strnlen(data, 100);
            break;
        default:   /* hard links, devices, fifos: no data */
            datalen = 0;
            break;
        }
        if (type == '5')
            datalen = 0;
        if (cb && cb(ud, use_name, data, datalen, (unsigned)(mode & 07777) | type_bits,
                     (time_t)mtime)) {
            break;
        }
        free(long_name);
        long_name = NULL;
    }
    free(long_name);
    return rc;
}
