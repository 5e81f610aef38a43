/* config.c - the config file (see include/deeplens/config.h).
 *
 * One table of keys, each with the spec validator that checks its value;
 * the file parser and the command line's overrides (dl_config_set) both go
 * through it, so a value means the same wherever it is written. Also reads
 * the database password: from a file, the environment or a no-echo prompt
 * on the terminal - never from the command line.
 */
#include "deeplens/config.h"
#include "deeplens/text.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (1024 * 1024)

static int copy_value(char *dst, size_t size, const char *field, const char *v, dl_err *err)
{
    size_t len = strlen(v);
    if (len >= size)
    {
        char q[64];
        return dl_err_set(err, DL_EINVAL, "invalid %s '%s': longer than %zu characters",
                          field, dl_inert(v, 40, q, sizeof q), size - 1);
    }
    memcpy(dst, v, len + 1);
    return 0;
}

/* ---- setters, one per key ----------------------------------------------- */

static int set_pg_host(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_host("postgres host", v, err) < 0)
        return -1;
    return copy_value(c->site.pg_host, sizeof c->site.pg_host, "postgres host", v, err);
}

static int set_pg_port(dl_config *c, const char *v, dl_err *err)
{
    long port;
    if (dl_validate_number("postgres port", v, 1, 65535, &port, err) < 0)
        return -1;
    c->site.pg_port = (int)port;
    return 0;
}

static int set_pg_user(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_pg_user(v, err) < 0)
        return -1;
    return copy_value(c->site.pg_user, sizeof c->site.pg_user, "postgres user", v, err);
}

static int set_password_file(dl_config *c, const char *v, dl_err *err)
{
    if (!*v)
        return dl_err_set(err, DL_EINVAL, "invalid postgres password file '': empty");
    return copy_value(c->password_file, sizeof c->password_file, "postgres password file", v, err);
}

static int set_network(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_network(v, err) < 0)
        return -1;
    return copy_value(c->site.network, sizeof c->site.network, "network", v, err);
}

static int set_image(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_image(v, err) < 0)
        return -1;
    return copy_value(c->site.image, sizeof c->site.image, "image", v, err);
}

static int set_uid_gid(dl_config *c, const char *v, dl_err *err)
{
    return dl_validate_uid_gid(v, &c->site.uid, &c->site.gid, err);
}

static int set_prefix(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_prefix(v, err) < 0)
        return -1;
    return copy_value(c->site.prefix, sizeof c->site.prefix, "prefix", v, err);
}

static int set_nfs_options(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_nfs_options(v, err) < 0)
        return -1;
    return copy_value(c->site.nfs_options, sizeof c->site.nfs_options, "NFS options", v, err);
}

static int set_schedule(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_schedule(v, err) < 0)
        return -1;
    return copy_value(c->site.schedule, sizeof c->site.schedule, "schedule", v, err);
}

/* "none" (or empty): no scheduled drills */
static int set_drill_schedule(dl_config *c, const char *v, dl_err *err)
{
    if (!strcmp(v, "none"))
        v = "";
    if (dl_validate_drill_schedule(v, err) < 0)
        return -1;
    return copy_value(c->site.drill_schedule, sizeof c->site.drill_schedule, "drill schedule", v,
                      err);
}

static int set_drill_window(dl_config *c, const char *v, dl_err *err)
{
    long n;
    if (dl_validate_number("drill window", v, 1, DL_RETENTION_MAX, &n, err) < 0)
        return -1;
    c->site.drill_window_days = (int)n;
    return 0;
}

static int set_retention(dl_config *c, const char *v, dl_err *err)
{
    return dl_validate_retention(v, &c->site.retention_days, err);
}

static int set_keep_min(dl_config *c, const char *v, dl_err *err)
{
    long n;
    if (dl_validate_number("keep minimum", v, 1, DL_RETENTION_MAX, &n, err) < 0)
        return -1;
    c->site.keep_min = (int)n;
    return 0;
}

static int set_webhook_url(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_webhook_url(v, err) < 0)
        return -1;
    return copy_value(c->site.webhook_url, sizeof c->site.webhook_url, "webhook URL", v, err);
}

static int set_webhook_format(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_webhook_format(v, err) < 0)
        return -1;
    return copy_value(c->site.webhook_format, sizeof c->site.webhook_format, "webhook format", v,
                      err);
}

static int set_webhook_events(dl_config *c, const char *v, dl_err *err)
{
    if (dl_validate_webhook_events(v, err) < 0)
        return -1;
    return copy_value(c->site.webhook_events, sizeof c->site.webhook_events, "webhook events", v,
                      err);
}

static int set_webhook_secret_file(dl_config *c, const char *v, dl_err *err)
{
    if (!*v)
        return dl_err_set(err, DL_EINVAL, "invalid webhook secret file '': empty");
    return copy_value(c->webhook_secret_file, sizeof c->webhook_secret_file,
                      "webhook secret file", v, err);
}

static int printable_word(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || *s == 0x7f)
            return 0;
    return 1;
}

static int set_theme(dl_config *c, const char *v, dl_err *err)
{
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return dl_err_set(err, DL_EINVAL, "invalid theme: control character in the name");
    if (!*v)
        return dl_err_set(err, DL_EINVAL, "invalid theme '': empty");
    return copy_value(c->theme, sizeof c->theme, "theme", v, err);
}

static int set_read_only(dl_config *c, const char *v, dl_err *err)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        c->read_only = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        c->read_only = 0;
    else {
        char q[64];
        return dl_err_set(err, DL_EINVAL, "invalid read_only '%s': expected yes or no",
                          dl_inert(v, 40, q, sizeof q));
    }
    return 0;
}

static int set_audit_file(dl_config *c, const char *v, dl_err *err)
{
    if (!*v)
        return dl_err_set(err, DL_EINVAL, "invalid audit file '': empty (none: no file)");
    if (strcmp(v, "none") && v[0] != '/') {
        char q[96];
        return dl_err_set(err, DL_EINVAL, "invalid audit file '%s': give an absolute path or none",
                          dl_inert(v, 60, q, sizeof q));
    }
    return copy_value(c->audit_file, sizeof c->audit_file, "audit file", v, err);
}

/* "KEY ACTION": checked for shape here, for meaning by the console's key
 * table when it starts. */
static int set_bind(dl_config *c, const char *v, dl_err *err)
{
    char key[64], action[64], extra[2];
    dl_bind *b;
    if (sscanf(v, "%63s %63s %1s", key, action, extra) != 2 || !printable_word(key) ||
        !printable_word(action))
    {
        char q[96];
        return dl_err_set(err, DL_EINVAL, "invalid bind '%s': expected 'bind KEY ACTION'",
                          dl_inert(v, 60, q, sizeof q));
    }
    if (c->nbinds == DL_CONFIG_MAX_BINDS)
        return dl_err_set(err, DL_EINVAL, "too many bind lines (at most %d)", DL_CONFIG_MAX_BINDS);
    b = &c->binds[c->nbinds];
    if (copy_value(b->key, sizeof b->key, "bind key", key, err) < 0 ||
        copy_value(b->action, sizeof b->action, "bind action", action, err) < 0)
        return -1;
    c->nbinds++;
    return 0;
}

static const struct {
    const char *key;
    int (*set)(dl_config *c, const char *v, dl_err *err);
} keys[] = {
    {"postgres_host", set_pg_host},
    {"postgres_port", set_pg_port},
    {"postgres_user", set_pg_user},
    {"postgres_password_file", set_password_file},
    {"network", set_network},
    {"image", set_image},
    {"uid_gid", set_uid_gid},
    {"prefix", set_prefix},
    {"nfs_options", set_nfs_options},
    {"schedule", set_schedule},
    {"retention", set_retention},
    {"keep_min", set_keep_min},
    {"drill_schedule", set_drill_schedule},
    {"drill_window", set_drill_window},
    {"webhook_url", set_webhook_url},
    {"webhook_format", set_webhook_format},
    {"webhook_events", set_webhook_events},
    {"webhook_secret_file", set_webhook_secret_file},
    {"theme", set_theme},
    {"read_only", set_read_only},
    {"audit_file", set_audit_file},
    {"bind", set_bind},
    {"engine", dl_config_add_engine},
};

void dl_config_defaults(dl_config *c)
{
    memset(c, 0, sizeof *c);
    dl_spec_defaults(&c->site);
}

int dl_config_set(dl_config *c, const char *key, const char *value, dl_err *err)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].key, key) == 0)
            return keys[i].set(c, value, err);
    char q[96];
    return dl_err_set(err, DL_EINVAL, "unknown key '%s'", dl_inert(key, 60, q, sizeof q));
}

/* ---- the file --------------------------------------------------------- */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* One non-blank, non-comment line. */
static int parse_line(dl_config *c, char *line, dl_err *err)
{
    char *eq, *key, *value;
    size_t vl;
    if (strncmp(line, "bind", 4) == 0 && (line[4] == ' ' || line[4] == '\t'))
        return set_bind(c, trim(line + 4), err);
    if (strncmp(line, "engine", 6) == 0 && (line[6] == ' ' || line[6] == '\t'))
        return dl_config_add_engine(c, trim(line + 6), err);
    eq = strchr(line, '=');
    if (!eq)
    {
        char q[96];
        return dl_err_set(err, DL_EINVAL, "expected 'key = value', got '%s'",
                          dl_inert(line, 60, q, sizeof q));
    }
    *eq = '\0';
    key = trim(line);
    value = trim(eq + 1);
    vl = strlen(value);
    if (vl >= 2 && (value[0] == '"' || value[0] == '\'') && value[vl - 1] == value[0]) {
        value[vl - 1] = '\0';
        value++;
    }
    return dl_config_set(c, key, value, err);
}

int dl_config_parse(dl_config *c, const char *name, const char *text, dl_err *err)
{
    char *copy = strdup(text), *line, *next;
    int lineno = 0, rc = 0;
    if (!copy)
        return dl_err_set(err, DL_ESYS, "out of memory reading config %s", name);
    for (line = copy; line && rc == 0; line = next) {
        char *t;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        t = trim(line);
        if (*t == '\0' || *t == '#')
            continue;
        if ((rc = parse_line(c, t, err)) < 0)
            dl_err_prefix(err, "config %s:%d", name, lineno);
    }
    free(copy);
    return rc;
}

/* 0 and *text (malloc'd) if read, 1 if the file does not exist, -1 else. */
static int read_file(const char *path, char **text, dl_err *err)
{
    FILE *f = fopen(path, "r");
    size_t len;
    if (!f) {
        if (errno == ENOENT)
            return 1;
        return dl_err_set(err, DL_EINVAL, "cannot read config '%s': %s", path, strerror(errno));
    }
    *text = malloc(CONFIG_MAX_BYTES + 1);
    if (!*text) {
        fclose(f);
        return dl_err_set(err, DL_ESYS, "out of memory reading config '%s'", path);
    }
    len = fread(*text, 1, CONFIG_MAX_BYTES + 1, f);
    if (ferror(f) || len > CONFIG_MAX_BYTES || memchr(*text, '\0', len)) {
        int e = errno;
        fclose(f);
        free(*text);
        *text = NULL;
        if (len > CONFIG_MAX_BYTES)
            return dl_err_set(err, DL_EINVAL, "config '%s' is larger than 1 MiB", path);
        if (e && len == 0)
            return dl_err_set(err, DL_EINVAL, "cannot read config '%s': %s", path, strerror(e));
        return dl_err_set(err, DL_EINVAL, "config '%s' is not a text file", path);
    }
    fclose(f);
    (*text)[len] = '\0';
    return 0;
}

int dl_config_load(dl_config *c, const char *explicit_path, dl_err *err)
{
    const char *env = getenv("DEEPLENS_BACKUP_CONFIG");
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char cand[3][1024];
    int ncand = 0, required = 0;
    char *text = NULL;

    if (explicit_path || (env && *env)) {
        snprintf(cand[ncand++], sizeof cand[0], "%s", explicit_path ? explicit_path : env);
        required = 1;
    } else {
        if (xdg && xdg[0] == '/')
            snprintf(cand[ncand++], sizeof cand[0], "%s/deeplens-backup/config", xdg);
        else if (home && *home)
            snprintf(cand[ncand++], sizeof cand[0], "%s/.config/deeplens-backup/config", home);
        snprintf(cand[ncand++], sizeof cand[0], "/etc/deeplens-backup/config");
    }
    for (int i = 0; i < ncand; i++) {
        int rc = read_file(cand[i], &text, err);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            if (required)
                return dl_err_set(err, DL_EINVAL, "cannot read config '%s': no such file", cand[i]);
            continue;
        }
        snprintf(c->path, sizeof c->path, "%s", cand[i]);
        rc = dl_config_parse(c, cand[i], text, err);
        free(text);
        return rc;
    }
    c->path[0] = '\0';
    return 0;
}

/* ---- the password ------------------------------------------------------- */

static int copy_password(char *buf, size_t n, const char *v, const char *from, dl_err *err)
{
    size_t len = strlen(v);
    if (len == 0)
        return dl_err_set(err, DL_EINVAL, "the database password from %s is empty", from);
    if (len >= n)
        return dl_err_set(err, DL_EINVAL, "the database password from %s is longer than %zu bytes",
                          from, n - 1);
    memcpy(buf, v, len + 1);
    return 0;
}

static int password_from_file(const char *path, char *buf, size_t n, dl_err *err)
{
    FILE *f = fopen(path, "r");
    char from[1100];
    int rc;
    if (!f)
        return dl_err_set(err, DL_EINVAL, "cannot read password file '%s': %s", path,
                          strerror(errno));
    snprintf(from, sizeof from, "password file '%s'", path);
    if (!fgets(buf, (int)n, f)) {
        fclose(f);
        buf[0] = '\0';
        return copy_password(buf, n, "", from, err);
    }
    fclose(f);
    if (!strchr(buf, '\n') && strlen(buf) == n - 1) {
        dl_wipe(buf, n);
        return dl_err_set(err, DL_EINVAL, "the first line of %s is longer than %zu bytes", from,
                          n - 2);
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    rc = buf[0] ? 0 : copy_password(buf, n, "", from, err);
    return rc;
}

static volatile sig_atomic_t prompt_interrupted;
static void on_prompt_signal(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}

/* No-echo prompt on the controlling terminal; Ctrl-C restores the echo. */
static int password_prompt(const dl_config *c, char *buf, size_t n, dl_err *err)
{
    struct termios old, quiet;
    struct sigaction sa, old_int, old_term;
    char prompt[512];
    size_t len = 0;
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return dl_err_set(err, DL_EINVAL, "no database password and no terminal to ask on: %s",
                          strerror(errno));
    snprintf(prompt, sizeof prompt, "Password of PostgreSQL user '%s' at %s:%d: ", c->site.pg_user,
             c->site.pg_host, c->site.pg_port);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_prompt_signal;   /* no SA_RESTART: read() returns */
    sigemptyset(&sa.sa_mask);
    prompt_interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* the read below reports the problem */
    }
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR && !prompt_interrupted)
            continue;
        if (r <= 0 || prompt_interrupted) {
            rc = prompt_interrupted ? dl_err_set(err, DL_ECANCEL, "password prompt interrupted")
                                    : dl_err_set(err, DL_EINVAL, "no database password entered");
            break;
        }
        if (ch == '\n' || ch == '\r')
            break;
        if (len + 1 >= n) {
            rc = dl_err_set(err, DL_EINVAL, "the database password is longer than %zu bytes",
                            n - 1);
            break;
        }
        buf[len++] = ch;
    }
    buf[len] = '\0';
    tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* nothing to do: the terminal went away */
    }
    close(fd);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc == 0 && len == 0)
        rc = dl_err_set(err, DL_EINVAL, "the database password entered is empty");
    if (rc < 0)
        dl_wipe(buf, n);
    return rc;
}

int dl_config_webhook_secret(const dl_config *c, char *buf, size_t n, dl_err *err)
{
    FILE *f;
    char q[96];
    const char *path = c->webhook_secret_file;
    size_t len;

    buf[0] = '\0';
    if (!path[0])
        return 0;
    f = fopen(path, "r");
    if (!f)
        return dl_err_set(err, DL_EINVAL, "cannot read webhook secret file '%s': %s",
                          dl_inert(path, 80, q, sizeof q), strerror(errno));
    if (!fgets(buf, (int)n, f))
        buf[0] = '\0';
    fclose(f);
    if (!strchr(buf, '\n') && strlen(buf) == n - 1) {
        dl_wipe(buf, n);
        return dl_err_set(err, DL_EINVAL, "the first line of webhook secret file '%s' is longer "
                          "than %zu bytes", dl_inert(path, 80, q, sizeof q), n - 2);
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    len = strlen(buf);
    if (len == 0)
        return dl_err_set(err, DL_EINVAL, "invalid webhook secret file '%s': its first line is "
                          "empty", dl_inert(path, 80, q, sizeof q));
    return 1;
}

int dl_config_password(const dl_config *c, const char *password_file, int interactive, char *buf,
                       size_t n, dl_err *err)
{
    const char *file = password_file ? password_file : c->password_file[0] ? c->password_file : NULL;
    const char *v;
    if (file)
        return password_from_file(file, buf, n, err);
    if ((v = getenv("DEEPLENS_PG_PASSWORD")) && *v)
        return copy_password(buf, n, v, "DEEPLENS_PG_PASSWORD", err);
    if ((v = getenv("PGPASSWORD")) && *v)
        return copy_password(buf, n, v, "PGPASSWORD", err);
    if (interactive)
        return password_prompt(c, buf, n, err);
    return dl_err_set(err, DL_EINVAL,
                      "no database password: use --password-file, postgres_password_file in "
                      "the config file, DEEPLENS_PG_PASSWORD or PGPASSWORD");
}
