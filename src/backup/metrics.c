/* metrics.c - Prometheus text exposition of every tenant backup: the
 * document's planned metrics plus health, size flag, run timeouts and the
 * last drill, from one status-all pass; on stdout or as node_exporter's
 * textfile (written atomically). A series is written only when its value
 * is known (the job's status file was read, the event happened); every
 * label value goes through dl_metrics_label. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deeplens/backup.h"
#include "deeplens/text.h"

typedef double (*metric_value)(const dl_status *st, int *present);

static double v_last_success(const dl_status *st, int *ok)
{
    *ok = st->last_success > 0;
    return (double)st->last_success;
}
static double v_duration(const dl_status *st, int *ok)
{
    *ok = st->last_success > 0;
    return st->last_success_duration;
}
static double v_size(const dl_status *st, int *ok)
{
    *ok = st->last_success > 0;
    return (double)st->last_success_size;
}
static double v_count(const dl_status *st, int *ok)
{
    *ok = st->have_job_status;
    return st->have_job_status ? (double)st->file_count : 0;
}
static double v_total(const dl_status *st, int *ok)
{
    *ok = st->have_job_status;
    return (double)st->total_bytes;
}
static double v_last_ok(const dl_status *st, int *ok)
{
    *ok = st->have_job_status && st->last_result[0];
    return !strcmp(st->last_result, "ok");
}
static double v_free(const dl_status *st, int *ok)
{
    *ok = st->have_job_status && st->disk_total_kb > 0;
    return (double)st->disk_free_kb * 1024.0;
}
static double v_drill_time(const dl_status *st, int *ok)
{
    *ok = st->have_job_status && st->last_drill > 0;
    return (double)st->last_drill;
}
static double v_drill_ok(const dl_status *st, int *ok)
{
    *ok = st->have_job_status && st->last_drill > 0 && st->last_drill_result[0];
    return !strcmp(st->last_drill_result, "ok");
}
static double v_next(const dl_status *st, int *ok)
{
    *ok = st->next_run > 0;
    return (double)st->next_run;
}
static double v_last_run(const dl_status *st, int *ok)
{
    *ok = st->have_job_status && st->last_run_end > 0;
    return (double)st->last_run_end;
}
static double v_suspicious(const dl_status *st, int *ok)
{
    *ok = st->have_job_status;
    return !strcmp(st->size_flag, "suspicious");
}
static double v_timeouts(const dl_status *st, int *ok)
{
    *ok = st->have_job_status;
    return (double)st->timeout_count;
}

static const struct {
    const char *name, *type, *help;
    metric_value value;
} metrics[] = {
    {"tenant_backup_last_run_timestamp", "gauge",
     "Unix time the last run (good or failed) ended.", v_last_run},
    {"tenant_backup_size_suspicious", "gauge",
     "1 if the newest good backup's size is suspicious (size rule), else 0.", v_suspicious},
    {"tenant_backup_timeouts_total", "counter",
     "Runs killed by the run timeout.", v_timeouts},
    {"tenant_backup_last_success_timestamp", "gauge",
     "Unix time of the newest good backup.", v_last_success},
    {"tenant_backup_duration_seconds", "gauge",
     "Duration of the newest good backup run.", v_duration},
    {"tenant_backup_size_bytes", "gauge", "Size of the newest good backup file.", v_size},
    {"tenant_backup_count_total", "gauge",
     "Number of backup files on the target (kept by retention).", v_count},
    {"tenant_backup_stored_bytes", "gauge",
     "Bytes of all backup files on the target.", v_total},
    {"tenant_backup_last_run_success", "gauge",
     "1 if the last run succeeded, 0 if it failed.", v_last_ok},
    {"tenant_backup_target_free_bytes", "gauge",
     "Free space on the backup target.", v_free},
    {"tenant_backup_next_run_timestamp", "gauge",
     "Unix time of the next scheduled run.", v_next},
    {"tenant_backup_last_drill_timestamp", "gauge",
     "Unix time of the last restore drill.", v_drill_time},
    {"tenant_backup_last_drill_success", "gauge",
     "1 if the last restore drill passed, 0 if it failed.", v_drill_ok},
};

size_t dl_metrics_label(char *buf, size_t n, const char *s)
{
    char inert[1024];
    size_t len = dl_inert_copy(inert, sizeof inert, s, strlen(s), 1), o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = inert[i], esc = c == '\\' ? '\\' : c == '"' ? '"' : c == '\n' ? 'n' : 0;
        size_t need = esc ? 2 : 1;
        if (o + need >= n)
            break;
        if (esc) {
            buf[o++] = '\\';
            buf[o++] = esc;
        } else {
            buf[o++] = c;
        }
    }
    buf[o] = '\0';
    return o;
}

static void header(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{tenant="..."[,engine="..."][,k="v"...]} value: labels as k, v pairs
 * (NULL ends); the engine label only with several engines (st->engine set). */
static void sample(FILE *out, const char *name, const dl_status *st, double v, ...)
{
    char lab[1100];
    va_list ap;
    const char *k;

    dl_metrics_label(lab, sizeof lab, st->spec.tenant);
    fprintf(out, "%s{tenant=\"%s\"", name, lab);
    if (st->engine[0]) {
        dl_metrics_label(lab, sizeof lab, st->engine);
        fprintf(out, ",engine=\"%s\"", lab);
    }
    va_start(ap, v);
    while ((k = va_arg(ap, const char *))) {
        dl_metrics_label(lab, sizeof lab, va_arg(ap, const char *));
        fprintf(out, ",%s=\"%s\"", k, lab);
    }
    va_end(ap);
    fprintf(out, "} %.15g\n", v);
}

int dl_metrics_write(dl_ctx *ctx, FILE *out, dl_err *err)
{
    dl_status *st = NULL;
    size_t n = 0;
    int rc;

    if (dl_status_all(ctx, 8, &st, &n, err) < 0)
        return -1;
    rc = dl_metrics_print(out, st, n, NULL, 0, err);
    dl_statuses_free(st, n);
    return rc;
}

int dl_metrics_print(FILE *out, const dl_status *st, size_t n, const dl_metrics_engine *eng,
                     size_t neng, dl_err *err)
{
    for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++) {
        header(out, metrics[m].name, metrics[m].type, metrics[m].help);
        for (size_t i = 0; i < n; i++) {
            int ok = 0;
            double v = metrics[m].value(&st[i], &ok);
            if (ok)
                sample(out, metrics[m].name, &st[i], v, (const char *)NULL);
        }
    }
    header(out, "tenant_backup_health", "gauge",
           "Health verdict, one series per state (1 = current).");
    for (size_t i = 0; i < n; i++)
        for (int h = 0; h < DL_HEALTH_COUNT; h++)
            sample(out, "tenant_backup_health", &st[i], st[i].health == (dl_health)h,
                   "health", dl_health_word((dl_health)h), (const char *)NULL);
    header(out, "tenant_backup_health_info", "gauge",
           "Always 1: the current health and its reason as labels.");
    for (size_t i = 0; i < n; i++)
        sample(out, "tenant_backup_health_info", &st[i], 1, "health",
               dl_health_word(st[i].health), "reason", st[i].health_reason, (const char *)NULL);
    header(out, "tenant_backup_last_drill_info", "gauge",
           "Always 1: the last restore drill's result, file and reason as labels.");
    for (size_t i = 0; i < n; i++)
        if (st[i].have_job_status && st[i].last_drill > 0)
            sample(out, "tenant_backup_last_drill_info", &st[i], 1, "result",
                   st[i].last_drill_result, "file", st[i].last_drill_file, "reason",
                   st[i].last_drill_reason, (const char *)NULL);
    fprintf(out, "# HELP tenant_backup_tenants Tenant backups configured.\n"
                 "# TYPE tenant_backup_tenants gauge\ntenant_backup_tenants %zu\n", n);
    if (neng) {
        char lab[1100];
        header(out, "tenant_backup_engine_up", "gauge",
               "1 if the engine answered, 0 if it was unreachable.");
        for (size_t i = 0; i < neng; i++) {
            dl_metrics_label(lab, sizeof lab, eng[i].name);
            fprintf(out, "tenant_backup_engine_up{engine=\"%s\"} %d\n", lab, eng[i].up != 0);
        }
    }
    return ferror(out) ? dl_err_set(err, DL_ESYS, "writing metrics failed") : 0;
}

int dl_metrics_check_dir(const char *dir, dl_err *err)
{
    struct stat sb;

    if (!dir || !dir[0])
        return dl_err_set(err, DL_EINVAL, "--textfile: a directory is needed");
    if (stat(dir, &sb) < 0)
        return dl_err_set(err, DL_EINVAL, "--textfile '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return dl_err_set(err, DL_EINVAL, "--textfile '%s': not a directory", dir);
    if (access(dir, W_OK | X_OK) < 0)
        return dl_err_set(err, DL_EINVAL, "--textfile '%s': not writable: %s", dir,
                          strerror(errno));
    return 0;
}

int dl_metrics_textfile(dl_ctx *ctx, const char *dir, dl_err *err)
{
    char *text = NULL, dst[4096];
    size_t len = 0;
    FILE *mem;
    int rc;

    if (dl_metrics_check_dir(dir, err) < 0)
        return -1;
    if ((size_t)snprintf(dst, sizeof dst, "%s/.%s.XXXXXX", dir, DL_METRICS_TEXTFILE) >= sizeof dst)
        return dl_err_set(err, DL_EINVAL, "--textfile '%s': path too long", dir);
    /* Everything from the engine first: a failed pass leaves the old file. */
    if (!(mem = open_memstream(&text, &len)))
        dl_oom();
    rc = dl_metrics_write(ctx, mem, err);
    if (fclose(mem) != 0 && rc == 0)
        rc = dl_err_set(err, DL_ESYS, "writing metrics failed");
    if (rc == 0)
        rc = dl_metrics_save(dir, text, len, err);
    free(text);
    return rc;
}

int dl_metrics_save(const char *dir, const char *text, size_t len, dl_err *err)
{
    char tmp[4096], dst[4096];
    int fd, rc;

    if ((size_t)snprintf(dst, sizeof dst, "%s/%s", dir, DL_METRICS_TEXTFILE) >= sizeof dst ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, DL_METRICS_TEXTFILE) >=
            sizeof tmp)
        return dl_err_set(err, DL_EINVAL, "--textfile '%s': path too long", dir);
    if ((fd = mkstemp(tmp)) < 0) {
        return dl_err_set(err, DL_ESYS, "--textfile '%s': %s", tmp, strerror(errno));
    }
    rc = fchmod(fd, 0644);
    for (size_t off = 0; rc == 0 && off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = -1;
        else
            off += (size_t)w;
    }
    if (rc == 0)
        rc = fsync(fd);
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, dst);
    if (rc != 0) {
        int e = errno;
        unlink(tmp);
        return dl_err_set(err, DL_ESYS, "--textfile '%s': %s", dst, strerror(e));
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {   /* the rename itself */
        fsync(fd);
        close(fd);
    }
    return 0;
}
