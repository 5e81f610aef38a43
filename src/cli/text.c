/* text.c - human output of the command line (see text.h). */
#include "text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeplens/cron.h"
#include "deeplens/spec.h"
#include "deeplens/text.h"

#define C_RESET "\033[0m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

void cli_out_init(cli_out *o, FILE *f, int ascii, int no_color)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    o->f = f;
    o->tty = isatty(fileno(f));
    o->fancy = o->tty && !ascii && dl_locale_utf8();
    o->color = o->tty && !no_color && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
}

const char *cli_fmt_size(long long bytes, char *buf, size_t n)
{
    return dl_fmt_size(bytes, buf, n);
}

const char *cli_fmt_duration(long long s, char *buf, size_t n)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, n, "%llds", s);
    else if (s < 3600)
        snprintf(buf, n, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(buf, n, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, n, "%lldd %lldh", s / 86400, s % 86400 / 3600);
    return buf;
}

static const char *fmt_utc(time_t t, int iso, char *buf, size_t n)
{
    struct tm tm;
    size_t w = 0;
    if (gmtime_r(&t, &tm))
        w = iso ? strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm)
                : strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (!w)
        snprintf(buf, n, "%lld", (long long)t);
    return buf;
}

const char *cli_fmt_time(time_t t, char *buf, size_t n)
{
    if (t <= 0) {
        snprintf(buf, n, "never");
        return buf;
    }
    return fmt_utc(t, 0, buf, n);
}

const char *cli_fmt_iso(time_t t, char *buf, size_t n)
{
    return fmt_utc(t, 1, buf, n);
}

const char *cli_schedule_words(const char *schedule, char *buf, size_t n)
{
    dl_cron c;
    buf[0] = '\0';
    if (schedule && *schedule && dl_cron_parse(&c, schedule, NULL) == 0)
        dl_cron_describe(&c, buf, n);
    return buf;
}

void cli_write_inert(FILE *f, const char *s, size_t n)
{
    dl_inert_write(f, s, n, 1);   /* valid UTF-8 that prints is kept, as it was */
}

void cli_write_foreign(const cli_out *o, const char *p, size_t n)
{
    cli_write_inert(o->f, p, n);
}

/* s made inert into buf, for a printf argument */
static const char *inert(const char *s, char *buf, size_t n)
{
    dl_inert_copy(buf, n, s, strlen(s), 1);
    return buf;
}

static void put_foreign(const cli_out *o, const char *s)
{
    cli_write_foreign(o, s, strlen(s));
}

static void color(const cli_out *o, const char *c)
{
    if (o->color)
        fputs(c, o->f);
}

/* The document's emoji for a step, by what it works on (first match). */
static const struct {
    const char *word, *emoji;
} step_emoji[] = {
    {"Setting up", "🗄️"}, {"Preflight", "🔍"}, {"volume", "📦"},
    {"container", "🐳"},   {"backup", "🔄"},    {"", "🔧"},
};

void cli_progress(void *ud, dl_step_kind kind, const char *text)
{
    const cli_out *o = ud;
    const char *mark = "", *c = NULL;
    switch (kind) {
    case DL_STEP_BEGIN:
        if (o->fancy) {
            size_t i = 0;
            while (!strstr(text, step_emoji[i].word))
                i++;
            mark = step_emoji[i].emoji;
        } else {
            mark = "==>";
        }
        break;
    case DL_STEP_OK:
        mark = o->fancy ? "✅" : "ok";
        c = C_GREEN;
        break;
    case DL_STEP_FAIL:
        mark = o->fancy ? "❌" : "FAILED";
        c = C_RED;
        break;
    case DL_STEP_ROLLBACK:
        mark = o->fancy ? "↩️ " : "rollback";
        c = C_YELLOW;
        break;
    case DL_STEP_INFO:
        mark = "   ";
        c = C_DIM;
        break;
    }
    if (c)
        color(o, c);
    fprintf(o->f, "%s ", mark);
    put_foreign(o, text);
    if (c)
        color(o, C_RESET);
    fputc('\n', o->f);
    fflush(o->f);
}

void cli_heading(const cli_out *o, const char *emoji, const char *text)
{
    if (o->fancy)
        fprintf(o->f, "%s %s\n", emoji, text);
    else
        fprintf(o->f, "%s\n", text);
}

static const char *health_color(dl_health h)
{
    switch (h) {
    case DL_HEALTH_OK:
        return C_GREEN;
    case DL_HEALTH_OVERDUE:
    case DL_HEALTH_WARNING:
    case DL_HEALTH_UNTESTED:
        return C_YELLOW;
    case DL_HEALTH_FAILING:
    case DL_HEALTH_STOPPED:
        return C_RED;
    default:
        return "";
    }
}

/* "running, up 2h 5m" / "exited" / the engine's own words (inert) */
static const char *uptime(const dl_status *st, time_t now, char *buf, size_t n)
{
    char d[32], raw[160];
    if (strcmp(st->state, "running") == 0 && st->started_at > 0)
        snprintf(raw, sizeof raw, "running, up %s", cli_fmt_duration(now - st->started_at, d, sizeof d));
    else if (st->engine_status[0])
        snprintf(raw, sizeof raw, "%s", st->engine_status);
    else
        snprintf(raw, sizeof raw, "%s", st->state[0] ? st->state : "unknown");
    return inert(raw, buf, n);
}

static void row(const cli_out *o, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void row(const cli_out *o, const char *label, const char *fmt, ...)
{
    va_list ap;
    fprintf(o->f, "   %-13s ", label);
    va_start(ap, fmt);
    vfprintf(o->f, fmt, ap);
    va_end(ap);
    fputc('\n', o->f);
}

void cli_print_status(const cli_out *o, const dl_status *st, time_t now)
{
    const dl_spec *s = &st->spec;
    char a[256], b[64], c[64], words[96], vol[160], db[80], head[512];
    char t1[1024], t2[1024], t3[1024];

    /* every string below came from the engine (labels, state) or from the
     * tenant's status file: inert, whatever it holds */
    snprintf(head, sizeof head, "PostgreSQL Backup Status: %s", inert(s->tenant, t1, sizeof t1));
    cli_heading(o, "📊", head);
    if (st->engine[0])
        row(o, "Engine:", "%s%s", inert(st->engine, t1, sizeof t1),
            st->conflict ? " (conflict: the tenant is on another engine too)" : "");
    row(o, "Container:", "%s - %s", inert(st->container, t1, sizeof t1), uptime(st, now, a, sizeof a));
    row(o, "Volume:", "%s", inert(dl_spec_volume_name(s, vol, sizeof vol), t1, sizeof t1));
    row(o, "NFS Path:", "%s (%s)", inert(s->nfs_path, t1, sizeof t1), inert(s->nfs_options, t2, sizeof t2));
    if (st->db_size_bytes > 0)
        row(o, "Database:", "%s on %s:%d, %s; needs about %s for %d days",
            inert(dl_spec_database(s, db, sizeof db), t1, sizeof t1), inert(s->pg_host, t2, sizeof t2), s->pg_port, cli_fmt_size(st->db_size_bytes, a, sizeof a),
            cli_fmt_size(dl_storage_estimate(st->db_size_bytes, s->retention_days, s->compression),
                         b, sizeof b),
            s->retention_days);
    else
        row(o, "Database:", "%s on %s:%d", inert(dl_spec_database(s, db, sizeof db), t1, sizeof t1),
            inert(s->pg_host, t2, sizeof t2), s->pg_port);
    cli_schedule_words(s->schedule, words, sizeof words);
    row(o, "Schedule:", "%s (%s%sUTC)", inert(s->schedule, t1, sizeof t1), words, *words ? " " : "");
    {
        char lv[24] = "";
        if (s->compression == DL_COMP_ZSTD)
            snprintf(lv, sizeof lv, " level %d", s->zstd_level);
        row(o, "Retention:", "%d days, at least %d kept; format %s, compression %s%s",
            s->retention_days, s->keep_min, s->format,
            s->compression == DL_COMP_NONE ? "off" : dl_compression_name(s->compression), lv);
    }
    if (s->drill_schedule[0]) {
        cli_schedule_words(s->drill_schedule, words, sizeof words);
        row(o, "Drills:", "%s (%s%sUTC); untested after %d days without a passed drill",
            inert(s->drill_schedule, t1, sizeof t1), words, *words ? " " : "", s->drill_window_days);
    } else {
        row(o, "Drills:", "none scheduled (--drill-schedule)");
    }
    if (s->webhook_url[0]) {
        /* scheme and host only: a path may hold a token */
        const char *h = strstr(s->webhook_url, "://");
        size_t keep = h ? (size_t)(h - s->webhook_url) + 3 + strcspn(h + 3, "/?#")
                        : strlen(s->webhook_url);
        char url[sizeof s->webhook_url];
        snprintf(url, sizeof url, "%.*s", (int)keep, s->webhook_url);
        row(o, "Webhook:", "%s (%s%s; %s)", inert(url, t1, sizeof t1), s->webhook_format,
            s->webhook_signed ? ", signed" : "", s->webhook_events);
    }
    if (!st->have_job_status) {
        row(o, "Backup Files:", "unknown (status file not read)");
    } else {
        row(o, "Backup Files:", "%d, %s", st->file_count, cli_fmt_size(st->total_bytes, a, sizeof a));
        if (st->disk_total_kb > 0)
            row(o, "Disk:", "%s free of %s", cli_fmt_size(st->disk_free_kb * 1024, a, sizeof a),
                cli_fmt_size(st->disk_total_kb * 1024, b, sizeof b));
        if (st->last_success > 0)
            row(o, "Last Backup:", "%s, %s, %s (%s ago)", inert(st->last_success_file, t3, sizeof t3),
                cli_fmt_size(st->last_success_size, a, sizeof a),
                cli_fmt_time(st->last_success, b, sizeof b),
                cli_fmt_duration(now - st->last_success, c, sizeof c));
        else
            row(o, "Last Backup:", "none yet");
        if (st->last_drill > 0) {
            fprintf(o->f, "   %-13s ", "Last Drill:");
            color(o, strcmp(st->last_drill_result, "ok") == 0 ? C_GREEN : C_RED);
            put_foreign(o, st->last_drill_result[0] ? st->last_drill_result : "?");
            color(o, C_RESET);
            fprintf(o->f, " at %s (%s ago), %.1f s", cli_fmt_time(st->last_drill, a, sizeof a),
                    cli_fmt_duration(now - st->last_drill, b, sizeof b), st->last_drill_duration);
            if (st->last_drill_file[0]) {
                fputs(", ", o->f);
                put_foreign(o, st->last_drill_file);
            }
            if (st->last_drill_reason[0]) {
                fputs(": ", o->f);
                put_foreign(o, st->last_drill_reason);
            }
            fputc('\n', o->f);
        } else {
            row(o, "Last Drill:", "none");
        }
        if (!st->last_result[0]) {
            row(o, "Last Run:", "never ran");
        } else {
            fprintf(o->f, "   %-13s ", "Last Run:");
            color(o, strcmp(st->last_result, "ok") == 0 ? C_GREEN : C_RED);
            put_foreign(o, st->last_result);
            color(o, C_RESET);
            fprintf(o->f, " at %s, %.1f s", cli_fmt_time(st->last_run_end ? st->last_run_end : st->last_run_start, a, sizeof a),
                    st->last_duration);
            if (st->last_reason[0]) {
                fputs(": ", o->f);
                put_foreign(o, st->last_reason);
            }
            fputc('\n', o->f);
        }
    }
    if (st->next_run > 0)
        row(o, "Next Run:", "%s (in %s)", cli_fmt_time(st->next_run, a, sizeof a),
            cli_fmt_duration(st->next_run - now, b, sizeof b));
    fprintf(o->f, "   %-13s ", "Health:");
    color(o, health_color(st->health));
    fputs(dl_health_word(st->health), o->f);
    color(o, C_RESET);
    if (st->health_reason[0]) {
        fputs(": ", o->f);
        put_foreign(o, st->health_reason);
    }
    fputc('\n', o->f);
}

enum { L_TENANT, L_ENGINE, L_HEALTH, L_STATE, L_SCHEDULE, L_RETENTION, L_IMAGE, L_STATUS, L_NCOL };
enum { CELL = 512 };

/* The cells, inert (they come from the engine) */
static void list_cells(const dl_status *st, time_t now, char cell[L_NCOL][CELL])
{
    inert(st->spec.tenant, cell[L_TENANT], CELL);
    snprintf(cell[L_ENGINE], CELL, "%s%s", st->engine, st->conflict ? " (conflict)" : "");
    snprintf(cell[L_HEALTH], CELL, "%s", dl_health_word(st->health));
    inert(st->state, cell[L_STATE], CELL);
    inert(st->spec.schedule, cell[L_SCHEDULE], CELL);
    snprintf(cell[L_RETENTION], CELL, "%dd", st->spec.retention_days);
    inert(st->spec.image, cell[L_IMAGE], CELL);
    uptime(st, now, cell[L_STATUS], CELL);
}

static int cols(const char *s)
{
    return (int)dl_text_width(s, strlen(s), 1);
}

void cli_print_list(const cli_out *o, const dl_status *v, size_t n, time_t now)
{
    static const char *const head[L_NCOL] = {"TENANT", "ENGINE", "HEALTH", "STATE", "SCHEDULE",
                                             "RETENTION", "IMAGE", "STATUS"};
    char cell[L_NCOL][CELL];
    int w[L_NCOL], engines = 0;   /* the ENGINE column: only with several engines */
    for (size_t i = 0; i < n; i++)
        engines |= v[i].engine[0] != 0;
    for (int c = 0; c < L_NCOL; c++)
        w[c] = (int)strlen(head[c]);
    for (size_t i = 0; i < n; i++) {
        list_cells(&v[i], now, cell);
        for (int c = 0; c < L_NCOL; c++)
            if (cols(cell[c]) > w[c])
                w[c] = cols(cell[c]);
    }
    for (int c = 0; c + 1 < L_NCOL; c++)
        if (c != L_ENGINE || engines)
            fprintf(o->f, "%-*s   ", w[c], head[c]);
    fprintf(o->f, "%s\n", head[L_NCOL - 1]);
    for (size_t i = 0; i < n; i++) {
        list_cells(&v[i], now, cell);
        for (int c = 0; c < L_NCOL; c++) {
            if (c == L_ENGINE && !engines)
                continue;
            if (c == L_HEALTH)
                color(o, health_color(v[i].health));
            if (c + 1 < L_NCOL)
                fprintf(o->f, "%s%*s", cell[c], w[c] - cols(cell[c]), "");
            if (c == L_HEALTH)
                color(o, C_RESET);
            if (c + 1 < L_NCOL)
                fputs("   ", o->f);
            else
                fputs(cell[c], o->f);
        }
        fputc('\n', o->f);
    }
}

void cli_print_files(const cli_out *o, const char *tenant, const dl_files *f)
{
    char a[64], b[64], c[64], name[1024];
    int w = 4;
    long long total = 0;
    for (size_t i = 0; i < f->n; i++)
        if (cols(inert(f->files[i].name, name, sizeof name)) > w)
            w = cols(name);
    fprintf(o->f, "%-*s   %10s   %-23s   %-8s   %s\n", w, "NAME", "SIZE", "TIME", "CHECKSUM",
            "MANIFEST");
    for (size_t i = 0; i < f->n; i++) {
        const dl_file *fl = &f->files[i];
        total += fl->size;
        fputs(inert(fl->name, name, sizeof name), o->f);
        if (fl->has_manifest)
            snprintf(c, sizeof c, "%lld table%s, %lld row%s", fl->tables, fl->tables == 1 ? "" : "s",
                     fl->rows, fl->rows == 1 ? "" : "s");
        else
            snprintf(c, sizeof c, "no manifest");
        fprintf(o->f, "%*s   %10s   %-23s   %-8s   %s\n", w - cols(name), "",
                cli_fmt_size(fl->size, a, sizeof a), cli_fmt_time(fl->mtime, b, sizeof b),
                fl->has_checksum ? "sha256" : "none", c);
    }
    fprintf(o->f, "%zu file%s of %s, %s", f->n, f->n == 1 ? "" : "s", inert(tenant, name, sizeof name),
            cli_fmt_size(total, a, sizeof a));
    if (f->disk_total_kb > 0)
        fprintf(o->f, "; disk: %s used, %s free of %s", cli_fmt_size(f->disk_used_kb * 1024, a, sizeof a),
                cli_fmt_size(f->disk_free_kb * 1024, b, sizeof b),
                cli_fmt_size(f->disk_total_kb * 1024, c, sizeof c));
    fputc('\n', o->f);
}

void cli_print_manifest(const cli_out *o, const char *file, const dl_manifest *m)
{
    char a[64], name[4096];
    int w = 5;
    fprintf(o->f, "Manifest of %s\n", inert(file, name, sizeof name));
    if (!m->present) {
        fputs("  no manifest (made before manifests were written, or its manifest was removed)\n",
              o->f);
        return;
    }
    fprintf(o->f, "  Format:         %s\n", m->format[0] ? m->format : "unknown");
    fprintf(o->f, "  Compression:    %s\n", m->compression[0] ? m->compression : "unknown");
    fprintf(o->f, "  Server version: %s\n", m->server_version[0] ? m->server_version : "unknown");
    fprintf(o->f, "  Database size:  %s\n",
            m->database_size >= 0 ? cli_fmt_size(m->database_size, a, sizeof a) : "unknown");
    fprintf(o->f, "  Dump duration:  %.1f s\n", m->duration);
    fprintf(o->f, "  Tables:         %zu, %lld rows, %s of data\n", m->ntables, m->total_rows,
            cli_fmt_size(m->total_data_bytes, a, sizeof a));
    if (!m->ntables)
        return;
    for (size_t i = 0; i < m->ntables; i++) {
        snprintf(a, sizeof a, "%lld", m->tables[i].rows);
        if ((int)strlen(a) > w)
            w = (int)strlen(a);
    }
    fprintf(o->f, "\n  %*s   %10s   %s\n", w, "ROWS", "DATA", "TABLE");
    for (size_t i = 0; i < m->ntables; i++) {
        fprintf(o->f, "  %*lld   %10s   ", w, m->tables[i].rows,
                cli_fmt_size(m->tables[i].data_bytes, a, sizeof a));
        fputs(inert(m->tables[i].name, name, sizeof name), o->f);
        fputc('\n', o->f);
    }
}

void cli_print_provisioned(const cli_out *o, const dl_spec *s, const char *hint)
{
    char name[160], db[80], words[96];
    const int fancy = o->fancy;
#define ITEM(emoji, label) fprintf(o->f, "   %s%s%s", fancy ? emoji : "", fancy ? " " : "", label)
    fputc('\n', o->f);
    color(o, C_GREEN);
    cli_heading(o, "✅", "PostgreSQL backup configured successfully!");
    color(o, C_RESET);
    ITEM("📦", "Container: ");
    fprintf(o->f, "%s\n", dl_spec_container_name(s, name, sizeof name));
    ITEM("🐘", "Database: ");
    fprintf(o->f, "%s on %s:%d\n", dl_spec_database(s, db, sizeof db), s->pg_host, s->pg_port);
    ITEM("💾", "NFS Path: ");
    fprintf(o->f, "%s\n", s->nfs_path);
    ITEM("⏰", "Schedule: ");
    cli_schedule_words(s->schedule, words, sizeof words);
    fprintf(o->f, "%s (%s%sUTC)\n", s->schedule, words, *words ? " " : "");
    ITEM("📅", "Retention: ");
    fprintf(o->f, "%d days (at least %d kept)\n", s->retention_days, s->keep_min);
    ITEM("🗜️ ", "Compression: ");
    if (s->compression == DL_COMP_NONE)
        fprintf(o->f, "Disabled (format %s)\n", s->format);
    else if (s->compression == DL_COMP_ZSTD)
        fprintf(o->f, "zstd level %d (format %s)\n", s->zstd_level, s->format);
    else
        fprintf(o->f, "Enabled, gzip (format %s)\n", s->format);
#undef ITEM
    fputc('\n', o->f);
    cli_heading(o, "📊", "Check backup logs:");
    fprintf(o->f, "   %s logs %s\n\n", hint, s->tenant);
    cli_heading(o, "🔍", "List backups:");
    fprintf(o->f, "   %s files %s\n", hint, s->tenant);
}
