/* audit.c - the audit trail (see include/deeplens/audit.h).
 *
 * Owns the process's audit state: the operator's identity (learnt once),
 * the open file and syslog. A record is formatted in full before the one
 * write(2) that appends it, under flock(LOCK_EX) so that lines of
 * concurrent processes never interleave; the mutex orders the console's
 * worker threads. cJSON is used here only: the rest of the program sees
 * dl_audit_entry.
 */
#include "deeplens/audit.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "deeplens/text.h"

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static struct {
    int opened;
    int fd;
    char path[1024];
    char source[16];
    char user[64], login[64], client[64];
} st = {.fd = -1};
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- the operator ------------------------------------------------------- */

/* Printable ASCII without blanks or quotes, else "" (environment text). */
static void clean_word(char *dst, size_t n, const char *v)
{
    size_t i;
    dst[0] = '\0';
    if (!v)
        return;
    for (i = 0; v[i]; i++)
        if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f || v[i] == '"' ||
            v[i] == '\'' || v[i] == '\\')
            return;
    if (i < n)
        memcpy(dst, v, i + 1);
}

static void learn_operator(void)
{
    struct passwd *pw = getpwuid(getuid());
    const char *login = getenv("SUDO_USER");
    const char *ssh = getenv("SSH_CONNECTION");

    if (pw && pw->pw_name)
        clean_word(st.user, sizeof st.user, pw->pw_name);
    if (!st.user[0])
        snprintf(st.user, sizeof st.user, "uid %u", (unsigned)getuid());
    if (!login || !*login)
        login = getenv("LOGNAME");
    clean_word(st.login, sizeof st.login, login);
    if (!strcmp(st.login, st.user))
        st.login[0] = '\0';
    st.client[0] = '\0';
    if (ssh) {   /* "client port server port" */
        char addr[64];
        size_t len = strcspn(ssh, " ");
        if (len > 0 && len < sizeof addr) {
            memcpy(addr, ssh, len);
            addr[len] = '\0';
            /* an IPv4 or IPv6 address, an IPv6 one with its %zone */
            size_t ip = strspn(addr, "0123456789abcdefABCDEF:.");
            if (ip == len ||
                (ip > 0 && addr[ip] == '%' && ip + 1 < len &&
                 strspn(addr + ip + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_.-") == len - ip - 1))
                memcpy(st.client, addr, len + 1);
        }
    }
}

/* ---- the file -------------------------------------------------------------- */

const char *dl_audit_default_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/') {
        snprintf(buf, n, "%s/deeplens-backup/audit.jsonl", xdg);
        return buf;
    }
    if (!home || home[0] != '/') {
        struct passwd *pw = getpwuid(getuid());
        home = pw && pw->pw_dir ? pw->pw_dir : "/";
    }
    snprintf(buf, n, "%s/.local/state/deeplens-backup/audit.jsonl", home);
    return buf;
}

/* mkdir -p of the file's directory, new directories 0700. */
static void make_dirs(const char *file)
{
    char d[1024];
    snprintf(d, sizeof d, "%s", file);
    char *slash = strrchr(d, '/');
    if (!slash || slash == d)
        return;
    *slash = '\0';
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(d, 0700);
            *p = '/';
        }
    mkdir(d, 0700);
}

static int open_file(const char *path, int is_default, dl_err *err)
{
    char q[200];
    struct stat sb;
    int fd;

    if (is_default)
        make_dirs(path);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        return dl_err_set(err, DL_ESYS, "cannot open audit file '%s': %s",
                          dl_inert(path, 160, q, sizeof q), strerror(errno));
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return dl_err_set(err, DL_ESYS, "audit file '%s' is not a regular file",
                          dl_inert(path, 160, q, sizeof q));
    }
    /* a file of ours that others could read: theirs no longer */
    if (sb.st_uid == geteuid() && (sb.st_mode & 077))
        fchmod(fd, sb.st_mode & 0700);
    st.fd = fd;
    return 0;
}

int dl_audit_open(const char *source, const char *path, dl_err *err)
{
    char def[1024];
    int is_default = !path || !*path;

    dl_audit_close();
    memset(&st, 0, sizeof st);
    st.fd = -1;
    COPY(st.source, source);
    learn_operator();
    openlog("deeplens-backup", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
    st.opened = 1;
    if (path && !strcmp(path, "none"))
        return 0;
    if (is_default)
        path = dl_audit_default_path(def, sizeof def);
    COPY(st.path, path);
    return open_file(st.path, is_default, err);
}

void dl_audit_close(void)
{
    if (!st.opened)
        return;
    if (st.fd >= 0)
        close(st.fd);
    st.fd = -1;
    closelog();
    st.opened = 0;
}

const char *dl_audit_path(void)
{
    return st.path;
}

/* ---- records ----------------------------------------------------------------- */

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void dl_audit_begin(dl_audit_entry *e, const char *action, const char *tenant,
                    const char *engine)
{
    memset(e, 0, sizeof *e);
    utc_now(e->time, sizeof e->time);
    COPY(e->user, st.user);
    COPY(e->login, st.login);
    COPY(e->client, st.client);
    COPY(e->source, st.source);
    COPY(e->engine, engine);
    COPY(e->action, action);
    COPY(e->tenant, tenant);
}

static int secret_name(const char *name)
{
    size_t n = strlen(name);
    int is_file = n > 5 && (!strcmp(name + n - 5, "-file") || !strcmp(name + n - 5, "_file"));
    return !is_file && (strstr(name, "password") || strstr(name, "secret") ||
                        strstr(name, "token"));
}

void dl_audit_add(dl_audit_entry *e, const char *name, const char *value)
{
    dl_audit_arg *a;
    if (!name || !value || e->nargs == DL_AUDIT_MAX_ARGS)
        return;
    a = &e->args[e->nargs++];
    COPY(a->name, name);
    if (secret_name(name)) {
        COPY(a->value, "(withheld)");
    } else if (strstr(name, "webhook") && strstr(value, "://")) {
        /* scheme://host/... - the path of a Slack-style URL is its secret */
        const char *host = strstr(value, "://") + 3;
        size_t hl = strcspn(host, "/?#");
        snprintf(a->value, sizeof a->value, "%.*s%s", (int)(host - value + hl), value,
                 host[hl] ? "/..." : "");
    } else {
        COPY(a->value, value);
    }
}

char *dl_audit_to_json(const dl_audit_entry *e)
{
    cJSON *o = cJSON_CreateObject(), *args;
    char *text;
    if (!o)
        dl_oom();
    cJSON_AddStringToObject(o, "time", e->time);
    cJSON_AddStringToObject(o, "user", e->user);
    if (e->login[0])
        cJSON_AddStringToObject(o, "login", e->login);
    if (e->client[0])
        cJSON_AddStringToObject(o, "client", e->client);
    cJSON_AddStringToObject(o, "source", e->source);
    if (e->engine[0])
        cJSON_AddStringToObject(o, "engine", e->engine);
    cJSON_AddStringToObject(o, "action", e->action);
    cJSON_AddStringToObject(o, "tenant", e->tenant);
    args = cJSON_AddObjectToObject(o, "args");
    for (int i = 0; args && i < e->nargs; i++)
        cJSON_AddStringToObject(args, e->args[i].name, e->args[i].value);
    cJSON_AddStringToObject(o, "result", e->ok ? "ok" : "error");
    if (!e->ok)
        cJSON_AddStringToObject(o, "error", e->error);
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        dl_oom();
    return text;
}

static void get_str(const cJSON *o, const char *key, char *dst, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    dst[0] = '\0';
    if (cJSON_IsString(v) && v->valuestring)
        snprintf(dst, n, "%s", v->valuestring);
}

int dl_audit_parse(const char *line, size_t len, dl_audit_entry *e, dl_err *err)
{
    cJSON *o = cJSON_ParseWithLength(line, len), *args, *a;
    char result[16];

    memset(e, 0, sizeof *e);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return dl_err_set(err, DL_EPROTO, "audit record is not a JSON object");
    }
    get_str(o, "time", e->time, sizeof e->time);
    get_str(o, "user", e->user, sizeof e->user);
    get_str(o, "login", e->login, sizeof e->login);
    get_str(o, "client", e->client, sizeof e->client);
    get_str(o, "source", e->source, sizeof e->source);
    get_str(o, "engine", e->engine, sizeof e->engine);
    get_str(o, "action", e->action, sizeof e->action);
    get_str(o, "tenant", e->tenant, sizeof e->tenant);
    get_str(o, "error", e->error, sizeof e->error);
    get_str(o, "result", result, sizeof result);
    args = cJSON_GetObjectItemCaseSensitive(o, "args");
    cJSON_ArrayForEach(a, args)
    {
        if (e->nargs == DL_AUDIT_MAX_ARGS || !a->string)
            break;
        COPY(e->args[e->nargs].name, a->string);
        if (cJSON_IsString(a) && a->valuestring)
            COPY(e->args[e->nargs].value, a->valuestring);
        e->nargs++;
    }
    cJSON_Delete(o);
    if (!e->time[0] || !e->action[0] || (strcmp(result, "ok") && strcmp(result, "error")))
        return dl_err_set(err, DL_EPROTO, "audit record without time, action or result");
    e->ok = !strcmp(result, "ok");
    return 0;
}

const char *dl_audit_args_text(const dl_audit_entry *e, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->nargs && off < n; i++) {
        const char *v = e->args[i].value;
        int plain = *v && strcspn(v, " \t'\"\\") == strlen(v);
        off += (size_t)snprintf(buf + off, n - off, plain ? "%s%s=%s" : "%s%s='%s'",
                                off ? " " : "", e->args[i].name, v);
    }
    return buf;
}

/* The syslog line: logfmt, inert ASCII (journald shows it raw). */
static void to_syslog(const dl_audit_entry *e)
{
    char args[1200], qa[1400], qe[700], qt[200], tail[2200];
    size_t off = 0;
    dl_inert_copy(qt, sizeof qt, e->tenant, strlen(e->tenant), 0);
    dl_audit_args_text(e, args, sizeof args);
    dl_inert_copy(qa, sizeof qa, args, strlen(args), 0);
    dl_inert_copy(qe, sizeof qe, e->error, strlen(e->error), 0);
    tail[0] = '\0';
    if (!e->ok)
        off += (size_t)snprintf(tail, sizeof tail, " error=\"%s\"", qe);
    if (qa[0] && off < sizeof tail)
        snprintf(tail + off, sizeof tail - off, " args: %s", qa);
    syslog(LOG_NOTICE, "audit action=%s tenant=%s user=%s%s%s client=%s source=%s result=%s%s",
           e->action, qt[0] ? qt : "-", e->user, e->login[0] ? " login=" : "",
           e->login, e->client[0] ? e->client : "local", e->source, e->ok ? "ok" : "error",
           tail);
}

int dl_audit_record(dl_audit_entry *e, int ok, const char *error, dl_err *err)
{
    char *json, q[200];
    size_t len;
    int rc = 0;

    e->ok = ok != 0;
    COPY(e->error, ok ? "" : error && *error ? error : "failed");
    json = dl_audit_to_json(e);
    len = strlen(json);
    json[len] = '\n';   /* over the NUL: written by length */
    pthread_mutex_lock(&mu);
    if (st.opened)
        to_syslog(e);
    if (st.fd >= 0) {
        ssize_t w;
        flock(st.fd, LOCK_EX);
        do
            w = write(st.fd, json, len + 1);
        while (w < 0 && errno == EINTR);
        flock(st.fd, LOCK_UN);
        if (w != (ssize_t)(len + 1))
            rc = dl_err_set(err, DL_ESYS, "cannot write audit file '%s': %s",
                            dl_inert(st.path, 160, q, sizeof q),
                            w < 0 ? strerror(errno) : "short write");
    }
    pthread_mutex_unlock(&mu);
    free(json);
    return rc;
}

/* ---- reading ------------------------------------------------------------------- */

int dl_audit_each(const char *path, const char *tenant,
                  void (*fn)(void *ud, const dl_audit_entry *e), void *ud, size_t *skipped,
                  dl_err *err)
{
    char def[1024], q[200];
    FILE *f;
    char *line = NULL;
    size_t cap = 0, bad = 0;
    ssize_t len;
    dl_audit_entry e;

    if (!path || !*path)
        path = st.path[0] ? st.path : dl_audit_default_path(def, sizeof def);
    if (skipped)
        *skipped = 0;
    f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return dl_err_set(err, DL_ESYS, "cannot read audit file '%s': %s",
                          dl_inert(path, 160, q, sizeof q), strerror(errno));
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (dl_audit_parse(line, (size_t)len, &e, NULL) < 0) {
            bad++;
            continue;
        }
        if (tenant && strcmp(tenant, e.tenant))
            continue;
        fn(ud, &e);
    }
    free(line);
    fclose(f);
    if (skipped)
        *skipped = bad;
    return 0;
}

/* ---- labels --------------------------------------------------------------------- */

static int push_label(dk_kv *l, size_t *n, const char *key, const char *value)
{
    l[*n].key = strdup(key);
    l[*n].value = strdup(value);
    if (!l[*n].key || !l[*n].value) {
        free(l[*n].key);
        free(l[*n].value);
        return -1;
    }
    (*n)++;
    return 0;
}

int dl_audit_labels(dk_kv **labels, size_t *n)
{
    char by[160], at[32];
    dk_kv *l;
    if (!st.opened)
        return 0;
    l = realloc(*labels, (*n + 2) * sizeof *l);
    if (!l)
        return -1;
    *labels = l;
    snprintf(by, sizeof by, "%s%s%s", st.user, st.client[0] ? "@" : "", st.client);
    utc_now(at, sizeof at);
    if (push_label(l, n, DL_LABEL_PREFIX "changed_by", by) < 0 ||
        push_label(l, n, DL_LABEL_PREFIX "changed_at", at) < 0)
        return -1;
    return 0;
}
