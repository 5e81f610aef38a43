/* json.c - --json output of status, list and files (see json.h).
 * The cJSON tree is built, printed and freed here; nothing else sees it. */
#include "json.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/spec.h"
#include "text.h"

/* `key` epoch seconds and `key_iso`, both null when t is 0. */
static void add_time(cJSON *obj, const char *key, time_t t)
{
    char iso_key[64], iso[32];
    snprintf(iso_key, sizeof iso_key, "%s_iso", key);
    if (t > 0) {
        cJSON_AddNumberToObject(obj, key, (double)t);
        cJSON_AddStringToObject(obj, iso_key, cli_fmt_iso(t, iso, sizeof iso));
    } else {
        cJSON_AddNullToObject(obj, key);
        cJSON_AddNullToObject(obj, iso_key);
    }
}

static void add_num_or_null(cJSON *obj, const char *key, int known, double v)
{
    if (known)
        cJSON_AddNumberToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

static cJSON *status_obj(const dl_status *st, time_t now)
{
    const dl_spec *s = &st->spec;
    const int job = st->have_job_status;
    char buf[160], words[96];
    cJSON *o = cJSON_CreateObject(), *t;

    cJSON_AddStringToObject(o, "tenant", s->tenant);
    if (st->engine[0]) {   /* several engines only */
        cJSON_AddStringToObject(o, "engine", st->engine);
        cJSON_AddBoolToObject(o, "conflict", st->conflict);
    }
    cJSON_AddStringToObject(o, "tenant_id", s->tenant_id);
    cJSON_AddStringToObject(o, "container", st->container);
    cJSON_AddStringToObject(o, "container_id", st->container_id);
    cJSON_AddStringToObject(o, "image", s->image);
    cJSON_AddStringToObject(o, "state", st->state);
    cJSON_AddStringToObject(o, "engine_status", st->engine_status);
    cJSON_AddStringToObject(o, "engine_health", st->engine_health);
    add_time(o, "created", st->created);
    add_time(o, "started_at", st->started_at);
    add_num_or_null(o, "uptime_seconds", strcmp(st->state, "running") == 0 && st->started_at > 0,
                    (double)(now - st->started_at));

    cJSON_AddStringToObject(o, "volume", dl_spec_volume_name(s, buf, sizeof buf));
    cJSON_AddStringToObject(o, "nfs_path", s->nfs_path);
    cJSON_AddStringToObject(o, "nfs_options", s->nfs_options);
    t = cJSON_AddObjectToObject(o, "target");
    cJSON_AddStringToObject(t, "kind", s->target.kind == DL_TARGET_LOCAL ? "local" : "nfs");
    cJSON_AddStringToObject(t, "server", s->target.server);
    cJSON_AddStringToObject(t, "path", s->target.path);

    cJSON_AddStringToObject(o, "database", dl_spec_database(s, buf, sizeof buf));
    t = cJSON_AddObjectToObject(o, "postgres");
    cJSON_AddStringToObject(t, "host", s->pg_host);
    cJSON_AddNumberToObject(t, "port", s->pg_port);
    cJSON_AddStringToObject(t, "user", s->pg_user);
    cJSON_AddStringToObject(t, "network", s->network);

    cJSON_AddStringToObject(o, "schedule", s->schedule);
    cJSON_AddStringToObject(o, "schedule_words", cli_schedule_words(s->schedule, words, sizeof words));
    cJSON_AddNumberToObject(o, "retention_days", s->retention_days);
    cJSON_AddNumberToObject(o, "keep_min", s->keep_min);
    if (s->drill_schedule[0])
        cJSON_AddStringToObject(o, "drill_schedule", s->drill_schedule);
    else
        cJSON_AddNullToObject(o, "drill_schedule");
    cJSON_AddNumberToObject(o, "drill_window_days", s->drill_window_days);
    cJSON_AddBoolToObject(o, "compression", s->compression != DL_COMP_NONE);
    cJSON_AddStringToObject(o, "compression_method", dl_compression_name(s->compression));
    if (s->compression == DL_COMP_ZSTD)
        cJSON_AddNumberToObject(o, "zstd_level", s->zstd_level);
    else
        cJSON_AddNullToObject(o, "zstd_level");
    cJSON_AddStringToObject(o, "format", s->format);
    cJSON_AddNumberToObject(o, "uid", s->uid);
    cJSON_AddNumberToObject(o, "gid", s->gid);
    t = cJSON_AddObjectToObject(o, "size_rule");
    cJSON_AddNumberToObject(t, "min_percent", s->size_min_percent);
    cJSON_AddNumberToObject(t, "max_factor", s->size_max_factor);
    cJSON_AddNumberToObject(t, "window", s->size_window);
    add_num_or_null(t, "floor_bytes", s->size_floor > 0, s->size_floor);
    add_num_or_null(o, "run_timeout_seconds", s->run_timeout > 0, s->run_timeout); /* null: auto */
    if (s->webhook_url[0]) {
        t = cJSON_AddObjectToObject(o, "webhook");
        cJSON_AddStringToObject(t, "url", s->webhook_url);
        cJSON_AddStringToObject(t, "format", s->webhook_format);
        cJSON_AddStringToObject(t, "events", s->webhook_events);
        cJSON_AddBoolToObject(t, "signed", s->webhook_signed);
    } else {
        cJSON_AddNullToObject(o, "webhook");
    }

    cJSON_AddBoolToObject(o, "job_status_read", job);
    add_num_or_null(o, "file_count", job, st->file_count);
    add_num_or_null(o, "total_bytes", job, (double)st->total_bytes);
    add_num_or_null(o, "db_size_bytes", job && st->db_size_bytes > 0, (double)st->db_size_bytes);
    add_num_or_null(o, "storage_estimate_bytes", job && st->db_size_bytes > 0,
                    (double)dl_storage_estimate(st->db_size_bytes, s->retention_days, s->compression));
    if (job)
        cJSON_AddStringToObject(o, "size_flag", st->size_flag);
    else
        cJSON_AddNullToObject(o, "size_flag");
    if (job)
        cJSON_AddStringToObject(o, "size_reason", st->size_reason);
    else
        cJSON_AddNullToObject(o, "size_reason");
    add_num_or_null(o, "timeout_count", job, (double)st->timeout_count);
    t = cJSON_AddObjectToObject(o, "disk");
    add_num_or_null(t, "total_bytes", job && st->disk_total_kb > 0, (double)st->disk_total_kb * 1024);
    add_num_or_null(t, "free_bytes", job && st->disk_total_kb > 0, (double)st->disk_free_kb * 1024);

    if (job && st->last_success > 0) {
        t = cJSON_AddObjectToObject(o, "last_success");
        add_time(t, "time", st->last_success);
        cJSON_AddNumberToObject(t, "age_seconds", (double)(now - st->last_success));
        cJSON_AddStringToObject(t, "file", st->last_success_file);
        cJSON_AddNumberToObject(t, "size_bytes", (double)st->last_success_size);
        cJSON_AddNumberToObject(t, "duration_seconds", st->last_success_duration);
    } else {
        cJSON_AddNullToObject(o, "last_success");
    }
    if (job && st->last_result[0]) {
        t = cJSON_AddObjectToObject(o, "last_run");
        add_time(t, "start", st->last_run_start);
        add_time(t, "end", st->last_run_end);
        cJSON_AddStringToObject(t, "result", st->last_result);
        cJSON_AddStringToObject(t, "reason", st->last_reason);
        cJSON_AddStringToObject(t, "file", st->last_file);
        cJSON_AddNumberToObject(t, "size_bytes", (double)st->last_size);
        cJSON_AddNumberToObject(t, "duration_seconds", st->last_duration);
    } else {
        cJSON_AddNullToObject(o, "last_run");
    }
    if (job && st->last_drill > 0) {
        t = cJSON_AddObjectToObject(o, "last_drill");
        add_time(t, "time", st->last_drill);
        cJSON_AddNumberToObject(t, "age_seconds", (double)(now - st->last_drill));
        cJSON_AddStringToObject(t, "result", st->last_drill_result);
        cJSON_AddStringToObject(t, "reason", st->last_drill_reason);
        cJSON_AddStringToObject(t, "file", st->last_drill_file);
        cJSON_AddNumberToObject(t, "duration_seconds", st->last_drill_duration);
    } else {
        cJSON_AddNullToObject(o, "last_drill");
    }
    add_time(o, "next_run", st->next_run);
    add_num_or_null(o, "max_gap_seconds", st->max_gap > 0, (double)st->max_gap);
    cJSON_AddStringToObject(o, "health", dl_health_word(st->health));
    cJSON_AddStringToObject(o, "health_reason", st->health_reason);
    return o;
}

static int print_free(FILE *f, cJSON *root, dl_err *err)
{
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return dl_err_set(err, DL_ESYS, "out of memory writing json");
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return 0;
}

int cli_json_statuses(FILE *f, const dl_status *v, size_t n, time_t now, dl_err *err)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++)
        cJSON_AddItemToArray(arr, status_obj(&v[i], now));
    return print_free(f, arr, err);
}

int cli_json_manifest(FILE *f, const char *tenant, const char *file, const dl_manifest *m,
                      dl_err *err)
{
    cJSON *o = cJSON_CreateObject(), *mo, *arr;
    if (!o)
        return print_free(f, NULL, err);
    cJSON_AddStringToObject(o, "tenant", tenant);
    cJSON_AddStringToObject(o, "file", file);
    if (!m->present) {
        cJSON_AddNullToObject(o, "manifest");
        return print_free(f, o, err);
    }
    mo = cJSON_AddObjectToObject(o, "manifest");
    cJSON_AddNumberToObject(mo, "version", m->version);
    cJSON_AddStringToObject(mo, "format", m->format);
    cJSON_AddStringToObject(mo, "compression", m->compression);
    cJSON_AddStringToObject(mo, "server_version", m->server_version);
    add_num_or_null(mo, "database_size_bytes", m->database_size >= 0, (double)m->database_size);
    cJSON_AddNumberToObject(mo, "duration_seconds", m->duration);
    cJSON_AddNumberToObject(mo, "table_count", (double)m->ntables);
    cJSON_AddNumberToObject(mo, "rows", (double)m->total_rows);
    cJSON_AddNumberToObject(mo, "data_bytes", (double)m->total_data_bytes);
    arr = cJSON_AddArrayToObject(mo, "tables");
    for (size_t i = 0; i < m->ntables; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", m->tables[i].name);
        cJSON_AddNumberToObject(e, "rows", (double)m->tables[i].rows);
        cJSON_AddNumberToObject(e, "data_bytes", (double)m->tables[i].data_bytes);
        cJSON_AddItemToArray(arr, e);
    }
    return print_free(f, o, err);
}

int cli_json_files(FILE *f, const char *tenant, const dl_files *files, dl_err *err)
{
    cJSON *o = cJSON_CreateObject(), *arr, *d;
    long long total = 0;
    const int disk = files->disk_total_kb > 0;
    if (!o)
        return print_free(f, NULL, err);
    cJSON_AddStringToObject(o, "tenant", tenant);
    arr = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; i < files->n; i++) {
        const dl_file *fl = &files->files[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", fl->name);
        cJSON_AddNumberToObject(e, "size_bytes", (double)fl->size);
        add_time(e, "mtime", fl->mtime);
        cJSON_AddBoolToObject(e, "checksum", fl->has_checksum);
        if (fl->has_manifest) {
            cJSON *mo = cJSON_AddObjectToObject(e, "manifest");
            cJSON_AddNumberToObject(mo, "tables", (double)fl->tables);
            cJSON_AddNumberToObject(mo, "rows", (double)fl->rows);
        } else {
            cJSON_AddNullToObject(e, "manifest");
        }
        cJSON_AddItemToArray(arr, e);
        total += fl->size;
    }
    cJSON_AddNumberToObject(o, "count", (double)files->n);
    cJSON_AddNumberToObject(o, "total_bytes", (double)total);
    d = cJSON_AddObjectToObject(o, "disk");
    add_num_or_null(d, "total_bytes", disk, (double)files->disk_total_kb * 1024);
    add_num_or_null(d, "used_bytes", disk, (double)files->disk_used_kb * 1024);
    add_num_or_null(d, "free_bytes", disk, (double)files->disk_free_kb * 1024);
    return print_free(f, o, err);
}
