/* validate.c - the strict grammars every spec field must pass.
 *
 * Each validator answers 0, or -1 with a DL_EINVAL message that names the
 * field and quotes the value with control characters made inert:
 *   invalid tenant name 'Acme': use lowercase letters, digits, '-' and '_'
 * The grammars are narrower than what the engine, the kernel or PostgreSQL
 * would take: these values end up in volume options, crontabs, shell text
 * and database names, so we accept only what is plainly safe everywhere.
 */
#include "deeplens/spec.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "deeplens/cron.h"

/* ---- characters and messages ------------------------------------------- */

static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static int is_lower(int ch) { return ch >= 'a' && ch <= 'z'; }
static int is_upper(int ch) { return ch >= 'A' && ch <= 'Z'; }
static int is_alpha(int ch) { return is_lower(ch) || is_upper(ch); }
static int is_alnum(int ch) { return is_alpha(ch) || is_digit(ch); }
static int is_hex(int ch) { return is_digit(ch) || (ch >= 'a' && ch <= 'f'); }
static int is_ctl(int ch) { return (unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f; }

const char *dl_inert(const char *s, size_t len, char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i;
    if (n == 0)
        return buf;
    for (i = 0; i < len && s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (o + 8 >= n)
            break;
        if (ch == '\n' || ch == '\t' || ch == '\r') {
            buf[o++] = '\\';
            buf[o++] = ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r';
        } else if (is_ctl(ch)) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[ch >> 4];
            buf[o++] = hex[ch & 15];
        } else {
            buf[o++] = (char)ch;
        }
    }
    if (i < len && s[i] && o + 3 < n) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o] = '\0';
    return buf;
}

/* "invalid <what> '<value>': <why>" */
static int fail(dl_err *err, const char *what, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(dl_err *err, const char *what, const char *value, const char *fmt, ...)
{
    char q[240], why[260];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return dl_err_set(err, DL_EINVAL, "invalid %s '%s': %s", what,
                      dl_inert(value, (size_t)-1, q, sizeof q), why);
}

/* One character shown inert in a message, e.g. ' ' or '\n'. */
static const char *show_char(char ch, char *buf, size_t n) { return dl_inert(&ch, 1, buf, n); }

/* ---- numbers ------------------------------------------------------------ */

/* Decimal digits only (no sign, no blanks), lo..hi. `unit` words the range. */
static int check_number(const char *what, const char *text, long lo, long hi, const char *unit,
                        long *out, dl_err *err)
{
    const char *sp = unit ? " " : "", *u = unit ? unit : "";
    long v = 0;
    if (!text)
        text = "";
    if (!*text)
        return fail(err, what, text, "must be %ld-%ld%s%s", lo, hi, sp, u);
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p))
            return fail(err, what, text, "must be a whole number%s%s, %ld-%ld", unit ? " of " : "",
                        u, lo, hi);
        if (v <= hi)
            v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi)
        return fail(err, what, text, "must be %ld-%ld%s%s", lo, hi, sp, u);
    if (out)
        *out = v;
    return 0;
}

int dl_validate_number(const char *field, const char *text, long lo, long hi, long *out,
                       dl_err *err)
{
    return check_number(field, text, lo, hi, NULL, out, err);
}

int dl_validate_retention(const char *text, int *days, dl_err *err)
{
    long v = 0;
    if (check_number("retention", text, 1, DL_RETENTION_MAX, "days", &v, err) < 0)
        return -1;
    if (days)
        *days = (int)v;
    return 0;
}

int dl_validate_run_timeout(const char *text, int *secs, dl_err *err)
{
    long v = 0;
    if (text && !strcmp(text, "auto")) {
        if (secs)
            *secs = 0;
        return 0;
    }
    if (check_number("run timeout", text, 0, DL_RUN_TIMEOUT_MAX, "seconds", &v, err) < 0)
        return -1;
    if (v > 0 && v < 5)
        return fail(err, "run timeout", text, "must be auto or 5-%d seconds", DL_RUN_TIMEOUT_MAX);
    if (secs)
        *secs = (int)v;
    return 0;
}

int dl_parse_uid_gid(const char *text, unsigned *uid, unsigned *gid, dl_err *err)
{
    const char *what = "uid:gid", *colon;
    unsigned long ids[2] = {0, 0};
    if (!text)
        text = "";
    colon = strchr(text, ':');
    if (!colon || colon == text || !colon[1])
        return fail(err, what, text, "expected numeric uid:gid, e.g. 999:999");
    for (int k = 0; k < 2; k++) {
        const char *p = k ? colon + 1 : text, *end = k ? text + strlen(text) : colon;
        for (; p < end; p++) {
            if (!is_digit(*p))
                return fail(err, what, text, "expected numeric uid:gid, e.g. 999:999");
            if (ids[k] <= 2147483647UL)
                ids[k] = ids[k] * 10 + (unsigned long)(*p - '0');
        }
        if (ids[k] > 2147483647UL)
            return fail(err, what, text, "%s must be at most 2147483647", k ? "gid" : "uid");
    }
    if (uid)
        *uid = (unsigned)ids[0];
    if (gid)
        *gid = (unsigned)ids[1];
    return 0;
}

/* The grammar, and what the job can run as: it refuses uid 0 (backup.sh,
 * drop_privileges), so every run of such a tenant would fail. gid 0 works. */
int dl_validate_uid_gid(const char *text, unsigned *uid, unsigned *gid, dl_err *err)
{
    unsigned u = 0, g = 0;
    if (dl_parse_uid_gid(text, &u, &g, err) < 0)
        return -1;
    if (u == 0)
        return fail(err, "uid:gid", text,
                    "uid 0 is root, and the backup job never runs as root; use the owner of "
                    "the backup target, e.g. 999:999");
    if (uid)
        *uid = u;
    if (gid)
        *gid = g;
    return 0;
}

/* ---- names -------------------------------------------------------------- */

int dl_validate_tenant(const char *name, dl_err *err)
{
    const char *what = "tenant name";
    size_t len;
    if (!name)
        name = "";
    len = strlen(name);
    if (!len)
        return fail(err, what, name, "must not be empty");
    if (len > DL_TENANT_MAX)
        return fail(err, what, name,
                    "at most %d characters (the database name tenant_<name>_metadata must fit "
                    "in 63)",
                    DL_TENANT_MAX);
    for (size_t i = 0; i < len; i++)
        if (!is_lower(name[i]) && !is_digit(name[i]) && name[i] != '-' && name[i] != '_')
            return fail(err, what, name, "use lowercase letters, digits, '-' and '_'");
    if (!is_lower(name[0]))
        return fail(err, what, name, "must start with a letter");
    if (name[len - 1] == '-')
        return fail(err, what, name, "must not end with '-'");
    return 0;
}

int dl_validate_tenant_id(const char *id, dl_err *err)
{
    size_t len = id ? strlen(id) : 0;
    if (len > 128)
        return fail(err, "tenant id", id, "at most 128 characters");
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(id[i]) && !strchr("._:-", id[i]))
            return fail(err, "tenant id", id, "use letters, digits, '.', '_', ':' and '-'");
    return 0;
}

/* `[first][rest]*`, 1..max characters. */
static int check_name(const char *what, const char *name, size_t max, int first_underscore,
                      const char *rest_extra, const char *first_words, const char *rest_words,
                      dl_err *err)
{
    size_t len;
    if (!name)
        name = "";
    len = strlen(name);
    if (!len)
        return fail(err, what, name, "must not be empty");
    if (len > max)
        return fail(err, what, name, "at most %zu characters", max);
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(name[i]) && !strchr(rest_extra, name[i]))
            return fail(err, what, name, "use %s", rest_words);
    if (!is_alpha(name[0]) && !(first_underscore && name[0] == '_') &&
        !(!first_underscore && is_digit(name[0])))
        return fail(err, what, name, "must start with %s", first_words);
    return 0;
}

int dl_validate_database(const char *name, dl_err *err)
{
    return check_name("database name", name, 63, 1, "_-", "a letter or '_'",
                      "letters, digits, '_' and '-'", err);
}

int dl_validate_pg_user(const char *user, dl_err *err)
{
    return check_name("postgres user", user, 63, 1, "_-", "a letter or '_'",
                      "letters, digits, '_' and '-'", err);
}

int dl_validate_network(const char *name, dl_err *err)
{
    return check_name("network name", name, 64, 0, "_.-", "a letter or digit",
                      "letters, digits, '_', '.' and '-'", err);
}

int dl_validate_prefix(const char *prefix, dl_err *err)
{
    return check_name("container name prefix", prefix, 63, 0, "_.-", "a letter or digit",
                      "letters, digits, '_', '.' and '-'", err);
}

/* ---- compression and format ------------------------------------------------ */

int dl_parse_compression(const char *text, int *out, dl_err *err)
{
    static const char *const names[] = {"none", "gzip", "zstd"};
    for (int i = 0; i < 3; i++)
        if (text && !strcmp(text, names[i])) {
            if (out)
                *out = i;
            return 0;
        }
    return fail(err, "compression", text ? text : "", "expected gzip, zstd or none");
}

const char *dl_compression_name(int compression)
{
    return compression == DL_COMP_GZIP ? "gzip" : compression == DL_COMP_ZSTD ? "zstd" : "none";
}

int dl_validate_format(const char *text, dl_err *err)
{
    if (text && (!strcmp(text, "plain") || !strcmp(text, "custom")))
        return 0;
    return fail(err, "format", text ? text : "",
                "expected plain (SQL, pg_dump) or custom (pg_dump -Fc, restored with pg_restore)");
}

int dl_validate_zstd_level(const char *text, int *out, dl_err *err)
{
    long v = 0;
    if (check_number("zstd level", text, 1, DL_ZSTD_LEVEL_MAX, NULL, &v, err) < 0)
        return -1;
    if (out)
        *out = (int)v;
    return 0;
}

int dl_validate_format_compression(const char *format, int compression, dl_err *err)
{
    if (format && !strcmp(format, "custom") && compression == DL_COMP_ZSTD)
        return dl_err_set(err, DL_EINVAL,
                          "invalid compression 'zstd' with format 'custom': pg_dump -Fc compresses "
                          "inside with gzip (use --compression gzip or none, or --format plain "
                          "for zstd)");
    return 0;
}

/* ---- hosts -------------------------------------------------------------- */

/* NULL when h[0..len) is a host name (RFC 1123 labels; '_' too when
 * `underscore`, as docker container names have them), a dotted IPv4 address
 * or (when `v6`) a bare IPv6 address; else why not. */
static const char *host_problem(const char *h, size_t len, int underscore, int v6)
{
    char buf[256];
    size_t i = 0;
    int labels = 0, numeric = 1;

    if (!len)
        return "missing host name";
    if (len > 253)
        return "a host name has at most 253 characters";
    if (memchr(h, ':', len)) {
        if (!v6)
            return "expected a host name or IPv4 address";
        memcpy(buf, h, len);
        buf[len] = '\0';
        unsigned char addr[16];
        return inet_pton(AF_INET6, buf, addr) == 1 ? NULL : "not a valid IPv6 address";
    }
    while (i <= len) {
        size_t start = i;
        int digits = 1;
        while (i < len && h[i] != '.') {
            char ch = h[i];
            if (!is_alnum(ch) && ch != '-' && !(underscore && ch == '_'))
                return "expected a host name or IP address";
            if (!is_digit(ch))
                digits = 0;
            i++;
        }
        if (i == start)
            return "empty label in host name";
        if (i - start > 63)
            return "a host name label has at most 63 characters";
        if (h[start] == '-' || h[i - 1] == '-')
            return "a host name label must not start or end with '-'";
        if (!digits)
            numeric = 0;
        labels++;
        i++; /* '.' or past the end */
    }
    if (numeric) {
        struct in_addr a4;
        if (labels != 4 || len > 15)
            return "not a valid IPv4 address";
        for (i = 0; i + 1 < len; i++) /* no leading zeros: 010 reads as octal elsewhere */
            if (h[i] == '0' && (i == 0 || h[i - 1] == '.') && is_digit(h[i + 1]))
                return "not a valid IPv4 address (leading zero)";
        memcpy(buf, h, len);
        buf[len] = '\0';
        if (inet_pton(AF_INET, buf, &a4) != 1)
            return "not a valid IPv4 address";
    }
    return NULL;
}

int dl_validate_host(const char *field, const char *host, dl_err *err)
{
    const char *why;
    if (!host)
        host = "";
    why = host_problem(host, strlen(host), 1, 1);
    return why ? fail(err, field ? field : "host", host, "%s", why) : 0;
}

/* ---- NFS ---------------------------------------------------------------- */

static int check_target_path(const char *text, const char *path, dl_err *err)
{
    const char *what = "NFS path";
    char c[16];
    size_t len = strlen(path);

    if (!len)
        return fail(err, what, text, "missing export path after ':'");
    if (path[0] != '/')
        return fail(err, what, text, "path must be absolute");
    if (len >= sizeof ((dl_target *)0)->path)
        return fail(err, what, text, "path has at most %zu characters",
                    sizeof ((dl_target *)0)->path - 1);
    if (strstr(path, "addr="))
        return fail(err, what, text,
                    "path must not contain 'addr=' (the server address comes from the part "
                    "before ':'; a second addr= is not allowed)");
    for (size_t i = 0; i < len; i++) {
        char ch = path[i];
        if (ch == ' ')
            return fail(err, what, text, "path must not contain spaces");
        if (ch == ',')
            return fail(err, what, text, "path must not contain ',' (it separates mount options)");
        if (!is_alnum(ch) && !strchr("/._-~+@%", ch))
            return fail(err, what, text, "path must not contain '%s'", show_char(ch, c, sizeof c));
    }
    for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
        if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
            return fail(err, what, text, "path must not contain '..' components");
    return 0;
}

int dl_validate_nfs_path(const char *text, dl_target *t, dl_err *err)
{
    const char *what = "NFS path", *server, *path, *why;
    size_t slen;
    dl_target tmp;
    char c[16];

    if (!text)
        text = "";
    if (!*text)
        return fail(err, what, text, "expected server:/export/path");
    if (strlen(text) >= sizeof ((dl_spec *)0)->nfs_path)
        return fail(err, what, text, "at most %zu characters", sizeof ((dl_spec *)0)->nfs_path - 1);
    for (const char *p = text; *p; p++)
        if (is_ctl(*p))
            return fail(err, what, text, "must not contain '%s'", show_char(*p, c, sizeof c));

    memset(&tmp, 0, sizeof tmp);
    if (!strncmp(text, "local:", 6)) {
        tmp.kind = DL_TARGET_LOCAL;
        path = text + 6;
    } else if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close)
            return fail(err, what, text, "missing ']' after the IPv6 address");
        if (close[1] != ':')
            return fail(err, what, text, "expected [IPv6]:/export/path");
        server = text + 1;
        slen = (size_t)(close - server);
        if (!slen || !memchr(server, ':', slen) || (why = host_problem(server, slen, 0, 1)))
            return fail(err, what, text, "not a valid IPv6 address in '[...]'");
        tmp.kind = DL_TARGET_NFS;
        memcpy(tmp.server, server, slen);
        path = close + 2;
    } else {
        const char *colon = strchr(text, ':');
        if (!colon)
            return fail(err, what, text, "expected server:/export/path");
        server = text;
        slen = (size_t)(colon - text);
        if (!slen)
            return fail(err, what, text, "missing server before ':'");
        if ((why = host_problem(server, slen, 0, 0)) != NULL)
            return fail(err, what, text, "server: %s", why);
        tmp.kind = DL_TARGET_NFS;
        memcpy(tmp.server, server, slen);
        path = colon + 1;
    }
    if (check_target_path(text, path, err) < 0)
        return -1;
    memcpy(tmp.path, path, strlen(path) + 1);
    if (t)
        *t = tmp;
    return 0;
}

static const char *const nfs_flags[] = {
    "rw",      "sync",    "async", "hard",       "soft",     "intr", "nointr", "lock",
    "nolock",  "noatime", "nodiratime", "relatime", "noac", "ac",   "tcp",    "udp",
    "nosuid",  "nodev",   "noexec", "bg",        "fg",
};

static const char *const nfs_versions[] = {"3", "4", "4.0", "4.1", "4.2", NULL};

static const struct nfs_keyed {
    const char *name;
    const char *same_as;      /* counted as this option for "given twice" */
    const char *const *words; /* allowed values, or NULL for a number */
    long lo, hi;
    const char *example;
} nfs_keyed[] = {
    {"vers", "vers", nfs_versions, 0, 0, "4"},
    {"nfsvers", "vers", nfs_versions, 0, 0, "4"},
    {"proto", "proto", (const char *const[]){"tcp", "udp", "tcp6", "udp6", NULL}, 0, 0, "tcp"},
    {"sec", "sec", (const char *const[]){"sys", "krb5", "krb5i", "krb5p", NULL}, 0, 0, "sys"},
    {"port", "port", NULL, 0, 65535, "2049"},
    {"timeo", "timeo", NULL, 1, 6000, "600"},
    {"retrans", "retrans", NULL, 0, 100, "2"},
    {"retry", "retry", NULL, 0, 10000, "2"},
    {"rsize", "rsize", NULL, 1024, 1048576, "1048576"},
    {"wsize", "wsize", NULL, 1024, 1048576, "1048576"},
    {"actimeo", "actimeo", NULL, 0, 3600, "30"},
    {"acregmin", "acregmin", NULL, 0, 3600, "3"},
    {"acregmax", "acregmax", NULL, 0, 3600, "60"},
    {"acdirmin", "acdirmin", NULL, 0, 3600, "30"},
    {"acdirmax", "acdirmax", NULL, 0, 3600, "60"},
};

#define NFS_OPTIONS_MAX 240 /* with addr=<253> it fits the volume's o= */

int dl_validate_nfs_options(const char *opts, dl_err *err)
{
    const char *what = "NFS options";
    const char *seen[sizeof nfs_keyed / sizeof nfs_keyed[0]];
    size_t nseen = 0, len;
    char item[NFS_OPTIONS_MAX + 1], c[16];

    if (!opts)
        opts = "";
    len = strlen(opts);
    if (!len)
        return fail(err, what, opts, "must not be empty (e.g. rw,sync,hard,intr)");
    if (len > NFS_OPTIONS_MAX)
        return fail(err, what, opts, "at most %d characters", NFS_OPTIONS_MAX);
    for (size_t i = 0; i < len; i++) {
        if (opts[i] == ' ')
            return fail(err, what, opts, "must not contain spaces");
        if (is_ctl(opts[i]))
            return fail(err, what, opts, "must not contain '%s'", show_char(opts[i], c, sizeof c));
    }
    for (const char *p = opts;; p++) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq, *value;
        size_t k;

        if (!n)
            return fail(err, what, opts, "empty option (a doubled ',' or one at an end)");
        memcpy(item, p, n);
        item[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (!is_lower(item[i]) && !is_digit(item[i]) && !strchr("=.", item[i]))
                return fail(err, what, opts, "option '%s' must not contain '%s'", item,
                            show_char(item[i], c, sizeof c));
        eq = strchr(item, '=');
        if (eq)
            item[eq - item] = '\0';
        value = eq ? item + (eq - item) + 1 : NULL;

        if (!strcmp(item, "addr"))
            return fail(err, what, opts,
                        "addr= comes from the NFS path's server; a second addr= is not allowed");
        if (!strcmp(item, "ro"))
            return fail(err, what, opts, "'ro' mounts read-only; backups need rw");
        for (k = 0; k < sizeof nfs_flags / sizeof nfs_flags[0]; k++)
            if (!strcmp(item, nfs_flags[k]))
                break;
        if (k < sizeof nfs_flags / sizeof nfs_flags[0]) {
            if (value)
                return fail(err, what, opts, "option '%s' takes no value", item);
        } else {
            const struct nfs_keyed *kd = NULL;
            for (k = 0; k < sizeof nfs_keyed / sizeof nfs_keyed[0]; k++)
                if (!strcmp(item, nfs_keyed[k].name))
                    kd = &nfs_keyed[k];
            if (!kd)
                return fail(err, what, opts, "unknown option '%s'", item);
            if (!value || !*value)
                return fail(err, what, opts, "option '%s' needs a value, e.g. %s=%s", item, item,
                            kd->example);
            for (k = 0; k < nseen; k++)
                if (!strcmp(seen[k], kd->same_as))
                    return fail(err, what, opts, "option '%s' given twice", kd->same_as);
            seen[nseen++] = kd->same_as;
            if (kd->words) {
                char list[64] = "";
                for (k = 0; kd->words[k]; k++)
                    if (!strcmp(value, kd->words[k]))
                        break;
                if (!kd->words[k]) {
                    for (k = 0; kd->words[k]; k++)
                        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                                 k ? (kd->words[k + 1] ? ", " : " or ") : "", kd->words[k]);
                    return fail(err, what, opts, "%s must be %s", item, list);
                }
            } else {
                long v = 0;
                int bad = 0;
                for (const char *d = value; *d; d++) {
                    if (!is_digit(*d))
                        bad = 1;
                    else if (v <= kd->hi)
                        v = v * 10 + (*d - '0');
                }
                if (bad || v < kd->lo || v > kd->hi)
                    return fail(err, what, opts, "%s must be a number, %ld-%ld", item, kd->lo,
                                kd->hi);
            }
        }
        if (!end)
            break;
        p = end;
    }
    return 0;
}

/* ---- schedule, image ---------------------------------------------------- */

int dl_validate_schedule(const char *text, dl_err *err)
{
    dl_cron c;
    return dl_cron_parse(&c, text, err);
}

int dl_validate_drill_schedule(const char *text, dl_err *err)
{
    static const char word[] = "invalid schedule";
    dl_cron c;
    dl_err e;
    if (!text || !*text)
        return 0;
    dl_err_clear(&e);
    if (dl_cron_parse(&c, text, &e) == 0)
        return 0;
    if (!strncmp(e.msg, word, sizeof word - 1))
        return dl_err_set(err, e.kind, "invalid drill schedule%s", e.msg + sizeof word - 1);
    return dl_err_set(err, e.kind, "invalid drill schedule: %s", e.msg);
}

/* One repository path component: [a-z0-9]+ joined by '.', '_', '__' or
 * runs of '-' (docker's reference grammar). */
static int repo_component_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (!n)
        return 0;
    for (;;) {
        size_t start = i;
        while (i < n && (is_lower(s[i]) || is_digit(s[i])))
            i++;
        if (i == start)
            return 0;
        if (i == n)
            return 1;
        if (s[i] == '.')
            i++;
        else if (s[i] == '_')
            i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
        else if (s[i] == '-')
            while (i < n && s[i] == '-')
                i++;
        else
            return 0;
    }
}

/* registry host: domain components [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?
 * joined by '.', optional :port */
static int registry_ok(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    size_t hn = colon ? (size_t)(colon - s) : n;
    size_t i = 0;
    if (colon) {
        long port = 0;
        size_t pn = n - hn - 1;
        if (!pn || pn > 5)
            return 0;
        for (size_t k = 0; k < pn; k++) {
            if (!is_digit(colon[1 + k]))
                return 0;
            port = port * 10 + (colon[1 + k] - '0');
        }
        if (port < 1 || port > 65535)
            return 0;
    }
    while (i < hn) {
        size_t start = i;
        while (i < hn && (is_alnum(s[i]) || s[i] == '-'))
            i++;
        if (i == start || s[start] == '-' || s[i - 1] == '-')
            return 0;
        if (i < hn && s[i] != '.')
            return 0;
        if (i < hn && ++i == hn)
            return 0; /* trailing '.' */
    }
    return hn > 0;
}

int dl_validate_image(const char *ref, dl_err *err)
{
    const char *what = "image", *at, *slash, *colon, *name_end, *p;
    size_t len;
    char c[16];

    if (!ref)
        ref = "";
    len = strlen(ref);
    if (!len)
        return fail(err, what, ref, "must not be empty (e.g. postgres:16-alpine)");
    if (len > 255)
        return fail(err, what, ref, "at most 255 characters");
    for (p = ref; *p; p++)
        if (is_ctl(*p) || *p == ' ')
            return fail(err, what, ref, "must not contain '%s'", show_char(*p, c, sizeof c));

    at = strchr(ref, '@');
    if (at) {
        if (strncmp(at + 1, "sha256:", 7) != 0 || strlen(at + 8) != 64)
            return fail(err, what, ref, "digest must be sha256: and 64 hex digits");
        for (p = at + 8; *p; p++)
            if (!is_hex(*p))
                return fail(err, what, ref, "digest must be sha256: and 64 hex digits");
    }
    name_end = at ? at : ref + len;
    slash = NULL;
    for (p = ref; p < name_end; p++)
        if (*p == '/')
            slash = p;
    colon = NULL;
    for (p = slash ? slash : ref; p < name_end; p++)
        if (*p == ':')
            colon = p;
    if (colon) {
        size_t tn = (size_t)(name_end - colon - 1);
        if (!tn || tn > 128)
            return fail(err, what, ref, "tag must be 1-128 characters");
        if (!is_alnum(colon[1]) && colon[1] != '_')
            return fail(err, what, ref, "tag must start with a letter, digit or '_'");
        for (p = colon + 1; p < name_end; p++)
            if (!is_alnum(*p) && !strchr("_.-", *p))
                return fail(err, what, ref, "tag may hold letters, digits, '_', '.' and '-'");
        name_end = colon;
    }
    if (name_end == ref)
        return fail(err, what, ref, "missing repository name");

    /* components; the first is a registry when it looks like a host */
    p = ref;
    const char *first_end = memchr(ref, '/', (size_t)(name_end - ref));
    if (first_end) {
        size_t fn = (size_t)(first_end - ref);
        int hostlike = memchr(ref, '.', fn) || memchr(ref, ':', fn) ||
                       (fn == 9 && !strncmp(ref, "localhost", 9));
        for (size_t k = 0; k < fn; k++)
            if (is_upper(ref[k]))
                hostlike = 1;
        if (hostlike) {
            if (!registry_ok(ref, fn))
                return fail(err, what, ref, "registry '%.*s' is not a valid host[:port]", (int)fn,
                            ref);
            p = first_end + 1;
        }
    }
    if (p == name_end)
        return fail(err, what, ref, "missing repository name");
    for (;;) {
        const char *e = memchr(p, '/', (size_t)(name_end - p));
        size_t n = e ? (size_t)(e - p) : (size_t)(name_end - p);
        for (size_t k = 0; k < n; k++)
            if (is_upper(p[k]))
                return fail(err, what, ref, "repository name must be lowercase");
        if (!repo_component_ok(p, n))
            return fail(err, what, ref,
                        "repository path components are lowercase letters and digits joined "
                        "by '.', '_' or '-'");
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* ---- webhooks ------------------------------------------------------------ */

/* A URL reaches the job's configuration (shell-quoted) and the container's
 * labels, which anyone with engine access reads: http(s), a host, an
 * optional port, then only the characters of RFC 3986 - and never a user
 * or password before the host. The message for credentials does not repeat
 * them. "" (no webhook) is valid. */
int dl_validate_webhook_url(const char *url, dl_err *err)
{
    const char *field = "webhook URL", *host, *end, *p;
    char hbuf[256];
    size_t hlen, len;

    if (!url || !*url)
        return 0;
    len = strlen(url);
    if (len > DL_WEBHOOK_URL_MAX)
        return dl_err_set(err, DL_EINVAL, "invalid %s: longer than %d characters", field,
                          DL_WEBHOOK_URL_MAX);
    if (!strncmp(url, "http://", 7))
        host = url + 7;
    else if (!strncmp(url, "https://", 8))
        host = url + 8;
    else
        return fail(err, field, url, "expected http://HOST[:PORT]/PATH or https://...");
    end = host + strcspn(host, "/?#");
    for (p = host; p < end; p++)
        if (*p == '@')
            return dl_err_set(err, DL_EINVAL,
                              "invalid %s: it holds credentials before '@' (user:password@host), "
                              "which would be stored in the container's labels; give the webhook "
                              "a shared secret with --webhook-secret-file (or webhook_secret_file "
                              "in the config file) instead",
                              field);
    for (p = url; *p; p++) {
        char c[16];
        if (is_ctl(*p) || *p == ' ' || strchr("\"'\\`<>{}|^", *p))
            return fail(err, field, url, "character '%s' is not allowed in a URL (percent-encode it)",
                        show_char(*p, c, sizeof c));
    }
    /* host, [v6], optional :port */
    if (*host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));
        if (!close)
            return fail(err, field, url, "an IPv6 host needs its closing ']'");
        hlen = (size_t)(close - host - 1);
        if (hlen >= sizeof hbuf)
            return fail(err, field, url, "host too long");
        memcpy(hbuf, host + 1, hlen);
        p = close + 1;
    } else {
        const char *colon = memchr(host, ':', (size_t)(end - host));
        p = colon ? colon : end;
        hlen = (size_t)(p - host);
        if (hlen >= sizeof hbuf)
            return fail(err, field, url, "host too long");
        memcpy(hbuf, host, hlen);
    }
    hbuf[hlen] = '\0';
    {
        const char *why = host_problem(hbuf, hlen, 1, *host == '[');
        if (why)
            return fail(err, field, url, "%s", why);
    }
    if (p < end) {
        long port;
        char num[16];
        size_t n = (size_t)(end - p - 1);
        if (*p != ':' || n == 0 || n >= sizeof num)
            return fail(err, field, url, "expected :PORT after the host");
        memcpy(num, p + 1, n);
        num[n] = '\0';
        if (check_number(field, num, 1, 65535, NULL, &port, NULL) < 0)
            return fail(err, field, url, "port must be 1-65535");
    }
    return 0;
}

int dl_validate_webhook_format(const char *format, dl_err *err)
{
    if (format && (!strcmp(format, "json") || !strcmp(format, "slack")))
        return 0;
    return fail(err, "webhook format", format ? format : "", "expected json or slack");
}

int dl_validate_webhook_events(const char *events, dl_err *err)
{
    const char *p = events ? events : "";
    if (!*p)
        return fail(err, "webhook events", p, "expected one or more of " DL_WEBHOOK_EVENTS);
    while (*p) {
        size_t n = strcspn(p, ",");
        int known = 0;
        for (const char *k = DL_WEBHOOK_EVENTS; *k;) {
            size_t kn = strcspn(k, ",");
            if (kn == n && !strncmp(k, p, n))
                known = 1;
            k += kn + (k[kn] == ',');
        }
        if (!known) {
            char one[160];
            dl_inert(p, n, one, sizeof one);
            return fail(err, "webhook events", events,
                        "unknown event '%s' (expected a comma-separated list of "
                        DL_WEBHOOK_EVENTS ")", one);
        }
        p += n;
        if (*p == ',' && !*++p)
            return fail(err, "webhook events", events, "ends with ','");
    }
    return 0;
}
