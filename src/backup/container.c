/* container.c - what a tenant backup container is made of.
 *
 * From a validated spec: the engine's create request (image, entrypoint,
 * labels that record the whole configuration, the backup volume, network,
 * restart policy, health probe) and the files copied in before the first
 * start (the job scripts, their configuration, the crontab and the 0600
 * pgpass - the password is in no Env, no Cmd, nothing `docker inspect`
 * shows). Every value reaching a shell or the crontab went through the
 * spec validators and dl_shell_quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deeplens/cron.h"
#include "deeplens/text.h"
#include "deeplens/audit.h"
#include "internal.h"

static const char job_backup_sh[] =
#include "job_backup.inc"
    ;
static const char job_entrypoint_sh[] =
#include "job_entrypoint.inc"
    ;

const char *dl_container_filter(void)
{
    return "{\"label\":[\"" DL_LABEL_PREFIX "tenant\"]}";
}

/* Append `KEY='value'\n` to buf. */
static int conf_add(char *buf, size_t n, size_t *len, const char *key,
                    const char *value)
{
    char q[2048];
    size_t need = dl_shell_quote(value, q, sizeof q);
    int w;
    if (need >= sizeof q)
        return -1;
    w = snprintf(buf + *len, n - *len, "%s=%s\n", key, q);
    if (w < 0 || (size_t)w >= n - *len)
        return -1;
    *len += (size_t)w;
    return 0;
}

static int conf_addl(char *buf, size_t n, size_t *len, const char *key, long v)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", v);
    return conf_add(buf, n, len, key, num);
}

static int build_conf(const dl_spec *s, char *buf, size_t n, dl_err *err)
{
    dl_cron cron;
    char db[64];
    size_t len = 0;
    long gap;
    int bad = 0;

    if (dl_cron_parse(&cron, s->schedule, err) < 0)
        return -1;
    gap = dl_cron_max_gap(&cron, time(NULL));
    dl_spec_database(s, db, sizeof db);
    buf[0] = '\0';
    bad |= conf_add(buf, n, &len, "TENANT", s->tenant);
    bad |= conf_add(buf, n, &len, "DB", db);
    bad |= conf_add(buf, n, &len, "PGHOST", s->pg_host);
    bad |= conf_addl(buf, n, &len, "PGPORT", s->pg_port);
    bad |= conf_add(buf, n, &len, "PGUSER", s->pg_user);
    bad |= conf_addl(buf, n, &len, "RETENTION_DAYS", s->retention_days);
    bad |= conf_addl(buf, n, &len, "KEEP_MIN", s->keep_min);
    bad |= conf_addl(buf, n, &len, "SIZE_MIN_PERCENT", s->size_min_percent);
    bad |= conf_addl(buf, n, &len, "SIZE_MAX_FACTOR", s->size_max_factor);
    bad |= conf_addl(buf, n, &len, "SIZE_WINDOW", s->size_window);
    bad |= conf_addl(buf, n, &len, "SIZE_FLOOR", s->size_floor);
    bad |= conf_addl(buf, n, &len, "RUN_TIMEOUT", s->run_timeout);
    bad |= conf_add(buf, n, &len, "COMPRESSION", dl_compression_name(s->compression));
    bad |= conf_addl(buf, n, &len, "ZSTD_LEVEL", s->zstd_level);
    bad |= conf_add(buf, n, &len, "FORMAT", s->format);
    bad |= conf_addl(buf, n, &len, "BACKUP_UID", (long)s->uid);
    bad |= conf_addl(buf, n, &len, "BACKUP_GID", (long)s->gid);
    bad |= conf_add(buf, n, &len, "SCHEDULE", cron.text);
    bad |= conf_addl(buf, n, &len, "MAX_GAP", gap);
    bad |= conf_add(buf, n, &len, "BACKUP_ROOT", DL_JOB_BACKUP_DIR);
    bad |= conf_add(buf, n, &len, "DRILL_SCHEDULE", s->drill_schedule);
    if (s->webhook_url[0]) {
        bad |= conf_add(buf, n, &len, "WEBHOOK_URL", s->webhook_url);
        bad |= conf_add(buf, n, &len, "WEBHOOK_FORMAT", s->webhook_format);
        bad |= conf_add(buf, n, &len, "WEBHOOK_EVENTS", s->webhook_events);
    }
    if (bad)
        return dl_err_set(err, DL_EINVAL, "backup configuration too long");
    return 0;
}

/* Append one pgpass field and its terminator (':' or '\n'): ':' and '\' are
 * escaped with '\', PostgreSQL's rule for every field (an IPv6 host such as
 * fd00::5 is full of ':'). -1 on a line break in the value or no room. */
static int pgpass_field(char *buf, size_t n, size_t *len, const char *v, char end)
{
    for (const char *p = v; *p; p++) {
        if (*p == '\n' || *p == '\r' || *len + 3 >= n)
            return -1;
        if (*p == ':' || *p == '\\')
            buf[(*len)++] = '\\';
        buf[(*len)++] = *p;
    }
    if (*len + 2 >= n)
        return -1;
    buf[(*len)++] = end;
    buf[*len] = '\0';
    return 0;
}

int dl_pgpass_line(const dl_spec *s, const char *password, char *buf, size_t n,
                   dl_err *err)
{
    char port[16];
    size_t len = 0;

    snprintf(port, sizeof port, "%d", s->pg_port);
    if (n)
        buf[0] = '\0';
    if (pgpass_field(buf, n, &len, s->pg_host, ':') < 0 ||
        pgpass_field(buf, n, &len, port, ':') < 0 ||
        pgpass_field(buf, n, &len, "*", ':') < 0 ||
        pgpass_field(buf, n, &len, s->pg_user, ':') < 0)
        return dl_err_set(err, DL_EINVAL, "database connection too long");
    if (strpbrk(password, "\r\n"))
        return dl_err_set(err, DL_EINVAL, "invalid password: must be a single line");
    if (pgpass_field(buf, n, &len, password, '\n') < 0)
        return dl_err_set(err, DL_EINVAL, "invalid password: too long");
    return 0;
}

/* password NULL: no credentials file (a helper that never connects);
 * secret: the webhook's shared secret, NULL or "" for none */
static int plan_build(dl_container_plan *p, const dl_spec *s, const char *password,
                      const char *secret, dl_err *err)
{
    char conf[8192], pgpass[1024] = "", crontab[512];
    size_t nfiles;
    dl_cron cron, drill;
    int rc;

    memset(p, 0, sizeof *p);
    if (dl_cron_parse(&cron, s->schedule, err) < 0 ||
        build_conf(s, conf, sizeof conf, err) < 0 ||
        (password && dl_pgpass_line(s, password, pgpass, sizeof pgpass, err) < 0)) {
        dl_wipe(pgpass, sizeof pgpass);
        return -1;
    }
    snprintf(crontab, sizeof crontab, "%s " DL_JOB_SCRIPT " --cron\n", cron.text);
    /* the restore drills: a second line, from the same validated cron grammar */
    if (s->drill_schedule[0]) {
        size_t used = strlen(crontab);
        if (dl_cron_parse(&drill, s->drill_schedule, err) < 0) {
            dl_err_prefix(err, "drill schedule");
            return -1;
        }
        snprintf(crontab + used, sizeof crontab - used, "%s " DL_JOB_SCRIPT " --drill-cron\n",
                 drill.text);
    }
    /* overdue is noticed in the container, so that alerts need no console */
    if (s->webhook_url[0])
        snprintf(crontab + strlen(crontab), sizeof crontab - strlen(crontab),
                 "* * * * * " DL_JOB_SCRIPT " --check\n");

    dk_tar_entry files[] = {
        {.name = "usr/local/bin/backup.sh", .data = job_backup_sh,
         .len = sizeof job_backup_sh - 1, .mode = 0755},
        {.name = "usr/local/bin/deeplens-entrypoint.sh", .data = job_entrypoint_sh,
         .len = sizeof job_entrypoint_sh - 1, .mode = 0755},
        {.name = "etc/deeplens", .mode = 0755, .is_dir = 1},
        {.name = "etc/deeplens/backup.conf", .data = conf, .len = strlen(conf),
         .mode = 0644},
        {.name = "etc/crontabs", .mode = 0755, .is_dir = 1},
        {.name = "etc/crontabs/root", .data = crontab, .len = strlen(crontab),
         .mode = 0600},
        {.name = "etc/deeplens/pgpass", .data = pgpass, .len = strlen(pgpass),
         .mode = 0600, .uid = s->uid, .gid = s->gid},
        {.name = "etc/deeplens/webhook.secret", .data = secret, .len = secret ? strlen(secret) : 0,
         .mode = 0600, .uid = s->uid, .gid = s->gid},
    };
    /* the pgpass entry and the secret are the last two; the secret moves up
     * into the pgpass slot when there is no password */
    nfiles = sizeof files / sizeof files[0] - 2;
    if (password)
        nfiles++;
    if (secret && *secret && s->webhook_url[0])
        files[nfiles++] = files[sizeof files / sizeof files[0] - 1];
    rc = dk_tar_build(files, nfiles, &p->tar, &p->tar_len, err);
    /* the password must not outlive its use in static storage */
    dl_wipe(pgpass, sizeof pgpass);
    if (rc < 0)
        return -1;

    if (dl_spec_to_labels(s, &p->labels, &p->nlabels, err) < 0) {
        dl_container_plan_free(p);
        return -1;
    }
    if (dl_audit_labels(&p->labels, &p->nlabels) < 0) {   /* changed_by, changed_at */
        dl_container_plan_free(p);
        return dl_err_set(err, DL_ESYS, "out of memory building labels");
    }
    dl_spec_volume_name(s, p->volume, sizeof p->volume);
    p->mount = (dk_mount){.type = "volume", .source = p->volume,
                          .target = DL_JOB_BACKUP_DIR, .no_copy = 1};
    p->entrypoint[0] = "/bin/sh";
    p->entrypoint[1] = DL_JOB_ENTRYPOINT;
    p->env[0] = "PGPASSFILE=" DL_JOB_PGPASS;
    p->env[1] = "TZ=UTC";
    p->health[0] = "CMD-SHELL";
    p->health[1] = DL_JOB_SCRIPT " --health";
    p->create = (dk_create_spec){
        .image = s->image,
        .entrypoint = p->entrypoint,
        .env = p->env,
        .user = "0:0",
        .labels = p->labels,
        .nlabels = p->nlabels,
        .mounts = &p->mount,
        .nmounts = 1,
        .network = s->network,
        .restart_policy = "unless-stopped",
        .health_cmd = p->health,
        .health_interval_ns = 120LL * 1000000000LL,
        .health_timeout_ns = 20LL * 1000000000LL,
        .health_start_period_ns = 60LL * 1000000000LL,
        .health_retries = 1,
    };
    return 0;
}

int dl_container_plan_build(dl_container_plan *p, const dl_spec *s,
                            const char *password, dl_err *err)
{
    if (!password || !*password) {
        memset(p, 0, sizeof *p);
        return dl_err_set(err, DL_EINVAL,
                          "no database password given (use --password-file, "
                          "DEEPLENS_PG_PASSWORD or the prompt)");
    }
    return plan_build(p, s, password, NULL, err);
}

int dl_container_plan_build_signed(dl_container_plan *p, const dl_spec *s,
                                   const char *password, const char *secret, dl_err *err)
{
    if (!password || !*password)
        return dl_container_plan_build(p, s, password, err);
    if (s->webhook_signed && (!secret || !*secret)) {
        memset(p, 0, sizeof *p);
        return dl_err_set(err, DL_EINVAL, "the webhook is signed but no shared secret was given "
                                          "(--webhook-secret-file)");
    }
    return plan_build(p, s, password, secret, err);
}

int dl_container_plan_build_nocreds(dl_container_plan *p, const dl_spec *s, dl_err *err)
{
    return plan_build(p, s, NULL, NULL, err);
}

void dl_container_plan_free(dl_container_plan *p)
{
    if (!p)
        return;
    dl_labels_free(p->labels, p->nlabels);
    free(p->tar);
    memset(p, 0, sizeof *p);
}
