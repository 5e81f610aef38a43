/* form_preview.c - what the forms show while you type: the schedule in
 * words with its preset, the next three runs (UTC), the storage estimate
 * with retention and compression filled in, and the help under each field.
 * Pure text; no curses calls.
 */
#include "form_internal.h"
#include "deeplens/text.h"

#include <stdio.h>
#include <string.h>

#include "deeplens/cron.h"
#include "theme.h"

/* 10.8, 36, 131.4: one decimal, none when whole. */
static void factor_text(double v, char *buf, size_t n)
{
    long whole = (long)(v * 10.0 + 0.5);
    if (whole % 10 == 0)
        snprintf(buf, n, "%ld", whole / 10);
    else
        snprintf(buf, n, "%ld.%ld", whole / 10, whole % 10);
}

/* ---- schedules ------------------------------------------------------------- */

int uif_preset_find(const char *expr)
{
    dl_cron want, have;
    int i;

    if (dl_cron_parse(&want, expr, NULL) != 0)
        return -1;
    for (i = 0; i < dl_cron_npresets; i++) {
        if (dl_cron_parse(&have, dl_cron_presets[i].expr, NULL) != 0)
            continue;
        if (want.minute == have.minute && want.hour == have.hour &&
            want.mday == have.mday && want.month == have.month &&
            want.wday == have.wday && want.mday_star == have.mday_star &&
            want.wday_star == have.wday_star)
            return i;
    }
    return -1;
}

int uif_preset_cycle(const char *expr, int dir)
{
    int n = dl_cron_npresets, i;

    if (n <= 0)
        return -1;
    i = uif_preset_find(expr);
    if (i < 0)
        return dir > 0 ? 0 : n - 1;
    return ((i + (dir > 0 ? 1 : -1)) % n + n) % n;
}

int uif_next_runs(const char *expr, time_t now, int count, char *buf, size_t n)
{
    return uif_next_runs_fmt(expr, now, count, 0, buf, n);
}

int uif_next_runs_fmt(const char *expr, time_t now, int count, int compact,
                      char *buf, size_t n)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    dl_cron c;
    time_t t = now, next;
    size_t len;
    int i, last_mon = -1;

    if (n)
        buf[0] = '\0';
    if (dl_cron_parse(&c, expr, NULL) != 0)
        return -1;
    len = (size_t)snprintf(buf, n, "next:");
    for (i = 0; i < count && len < n; i++) {
        struct tm tm;
        if (dl_cron_next(&c, t, &next) != 0) {
            if (i == 0) {
                snprintf(buf, n, "next: never (no run within 5 years)");
                return 0;
            }
            break;
        }
        gmtime_r(&next, &tm);
        if (compact && tm.tm_mon == last_mon)   /* "Fri 27 02:00" */
            len += (size_t)snprintf(buf + len, n - len, "%s %s %02d %02d:%02d",
                                    i ? "," : "", wd[tm.tm_wday], tm.tm_mday,
                                    tm.tm_hour, tm.tm_min);
        else
            len += (size_t)snprintf(buf + len, n - len, "%s %s %02d %s %02d:%02d",
                                    i ? "," : "", wd[tm.tm_wday], tm.tm_mday,
                                    mo[tm.tm_mon], tm.tm_hour, tm.tm_min);
        last_mon = tm.tm_mon;
        t = next;
    }
    if (len < n)
        snprintf(buf + len, n - len, " UTC");
    return 0;
}

void uif_describe(const char *expr, int ascii, char *buf, size_t n)
{
    dl_cron c;
    char words[96];
    int p;

    if (n)
        buf[0] = '\0';
    if (dl_cron_parse(&c, expr, NULL) != 0)
        return;
    dl_cron_describe(&c, words, sizeof words);
    p = uif_preset_find(expr);
    if (p >= 0)
        snprintf(buf, n, "%s %s preset '%s' (F3: next preset)", words,
                 ascii ? "-" : "\xc2\xb7", dl_cron_presets[p].name);
    else
        snprintf(buf, n, "%s (F3: presets)", words);
}

void uif_estimate(int retention, int compression, long long db_size, int ascii,
                  char *buf, size_t n)
{
    const char *x = ascii ? "x" : "\xc3\x97";           /* × */
    const char *approx = ascii ? "~" : "\xe2\x89\x88";  /* ≈ */
    double cf = DL_STORAGE_FACTOR(compression);
    char factor[32], cft[32], margin[32];
    size_t len;

    factor_text(retention * cf * DL_STORAGE_MARGIN, factor, sizeof factor);
    factor_text(cf, cft, sizeof cft);
    factor_text(DL_STORAGE_MARGIN, margin, sizeof margin);
    len = (size_t)snprintf(buf, n, "needs %s DB size %s %d %s %s %s %s = %s %s DB size",
                           approx, x, retention, x, cft, x, margin, factor, x);
    if (db_size > 0 && len < n) {
        char now[32];
        dl_fmt_size(dl_storage_estimate(db_size, retention, compression), now,
                  sizeof now);
        snprintf(buf + len, n - len, " (%s now)", now);
    }
}

/* ---- hints and previews ------------------------------------------------------ */

void uif_hint(const ui_form *f, int i, char *buf, size_t n)
{
    const uif_field *x = &f->fld[i];
    const char *h = "";

    switch (x->id) {
    case UIF_TENANT:
        h = "lowercase letters, digits, '-' and '_'";
        break;
    case UIF_TENANT_ID:
        h = "optional, for reference";
        break;
    case UIF_NFS_PATH:
        h = "server:/export/path, or local:/dir for development";
        break;
    case UIF_SCHEDULE:
        uif_describe(x->value, f->ascii, buf, n);
        return;
    case UIF_RETENTION:
        h = "days to keep backups (1-3650)";
        break;
    case UIF_NFS_OPTIONS:
        h = "rw,sync,hard,intr; add nolock or vers=4 only if the server needs it";
        break;
    case UIF_COMPRESSION:
        h = "Space toggles; gzip shrinks dumps to about 30%";
        break;
    case UIF_IMAGE:
        h = "the image the backup container runs";
        break;
    case UIF_CONFIRM_NAME:
        snprintf(buf, n, "type '%s' to DELETE the files; empty keeps them",
                 f->base.tenant);
        return;
    case UIF_FILE:
        h = f->nfiles ? "a file from the Files list (newest by default)"
                      : "a file name on the tenant's target";
        break;
    case UIF_DATABASE:
        h = "created if missing, on the tenant's PostgreSQL server";
        break;
    case UIF_FORCE:
        h = "Space toggles; needed if the database exists (it is replaced)";
        break;
    case UIF_SHARED:
        h = "Space toggles; on: allowed where another tenant backs up (own directory each)";
        break;
    case UIF_ENGINE: {   /* the choices, as F3 goes through them */
        size_t off = (size_t)snprintf(buf, n, "F3 cycles:");
        for (size_t k = 0; k < f->neng && off < n; k++)
            off += (size_t)snprintf(buf + off, n - off, "%s %s%s", k ? "," : "", f->eng[k],
                                    f->eng_ro[k] ? " (read-only)" : "");
        return;
    }
    }
    snprintf(buf, n, "%s", h);
}

void uif_info(const ui_form *f, int i, int row, int cols, char *buf, size_t n,
              int *role)
{
    const uif_field *x = &f->fld[i];
    const uif_field *comp;

    if (n)
        buf[0] = '\0';
    *role = UI_DIM;
    if (row != 0)
        return;
    if (x->id == UIF_SCHEDULE) {
        uif_next_runs(x->value, uif_now(f), 3, buf, n);
        if (strlen(buf) > (size_t)cols)
            uif_next_runs_fmt(x->value, uif_now(f), 3, 1, buf, n);
    } else if (x->id == UIF_RETENTION) {
        comp = uif_field_of(f, UIF_COMPRESSION);
        uif_estimate(uif_retention_of(f, f->base.retention_days),
                     comp ? comp->on : f->base.compression, f->db_size,
                     f->ascii, buf, n);
    }
}
