/* metrics.c - Prometheus text exposition of every tenant backup: the
 * document's planned metrics plus health, from one status-all pass. */
#include <stdio.h>
#include <string.h>

#include "deeplens/backup.h"

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

static const struct {
    const char *name, *type, *help;
    metric_value value;
} metrics[] = {
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

int dl_metrics_write(dl_ctx *ctx, FILE *out, dl_err *err)
{
    dl_status *st = NULL;
    size_t n = 0;

    if (dl_status_all(ctx, 8, &st, &n, err) < 0)
        return -1;
    for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++) {
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", metrics[m].name,
                metrics[m].help, metrics[m].name, metrics[m].type);
        for (size_t i = 0; i < n; i++) {
            int ok = 0;
            double v = metrics[m].value(&st[i], &ok);
            if (ok)
                fprintf(out, "%s{tenant=\"%s\"} %.15g\n", metrics[m].name,
                        st[i].spec.tenant, v);
        }
    }
    fputs("# HELP tenant_backup_health Health verdict, one series per state (1 = current).\n"
          "# TYPE tenant_backup_health gauge\n", out);
    for (size_t i = 0; i < n; i++)
        for (int h = 0; h < DL_HEALTH_COUNT; h++)
            fprintf(out, "tenant_backup_health{tenant=\"%s\",health=\"%s\"} %d\n",
                    st[i].spec.tenant, dl_health_word((dl_health)h),
                    st[i].health == (dl_health)h);
    fprintf(out, "# HELP tenant_backup_tenants Tenant backups configured.\n"
                 "# TYPE tenant_backup_tenants gauge\ntenant_backup_tenants %zu\n", n);
    dl_statuses_free(st, n);
    return ferror(out) ? dl_err_set(err, DL_ESYS, "writing metrics failed") : 0;
}
