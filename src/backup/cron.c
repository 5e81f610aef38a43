/* cron.c - five-field cron schedules as busybox crond runs them.
 *
 * The schedule ends up in a busybox crontab inside the backup container, so
 * the semantics here are busybox's, and the normalised text (dl_cron.text)
 * is written so that busybox reads it exactly as we computed it:
 *  - busybox fails on a day of week of 7 (its range loop never meets 7), so
 *    a day-of-week field using 7 is rewritten from the parsed set ("0,5-6");
 *  - busybox fills "* /N" in day of month from day 0 (even days), so such an
 *    item is written "1-31/N" (odd days, what every other cron does);
 *  - macros are expanded (older busybox has no macros).
 * The day rule is busybox's: a day field counts as unrestricted when its
 * set is complete ('*' for day of month, all seven days for day of week);
 * when both are restricted a day matches either.
 * Anything busybox would read differently from us is rejected: reversed
 * (wrapping) ranges, a step on a single value ("5/10"), names longer than
 * three letters, numbers out of range.
 */
#include "deeplens/cron.h"
#include "deeplens/spec.h"

#include <stdio.h>
#include <string.h>

#define CRON_TEXT_MAX (sizeof ((dl_cron *)0)->text - 1)

const dl_cron_preset dl_cron_presets[] = {
    {"daily 2 AM", "0 2 * * *"},
    {"every 6 hours", "0 */6 * * *"},
    {"every 12 hours", "0 */12 * * *"},
    {"twice daily", "0 2,14 * * *"},
    {"weekly (Sunday 3 AM)", "0 3 * * 0"},
    {"hourly", "0 * * * *"},
};
const int dl_cron_npresets = (int)(sizeof dl_cron_presets / sizeof dl_cron_presets[0]);

static const struct {
    const char *name;
    const char *expr;
} macros[] = {
    {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
};

static const char month_names[12][4] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
static const char day_names[7][4] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

enum field_id { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_COUNT };

static const struct field_def {
    const char *name;
    int lo, hi;
    const char (*names)[4];
    int nnames, name_base;  /* value of names[0] */
    const char *range;      /* for messages */
} fields[F_COUNT] = {
    {"minute", 0, 59, NULL, 0, 0, "0-59"},
    {"hour", 0, 23, NULL, 0, 0, "0-23"},
    {"day of month", 1, 31, NULL, 0, 0, "1-31"},
    {"month", 1, 12, month_names, 12, 1, "1-12 or jan-dec"},
    {"day of week", 0, 7, day_names, 7, 0, "0-7 or sun-sat"},
};

/* ---- small helpers --------------------------------------------------- */

static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static int is_alpha(int ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
static int lower(int ch) { return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch; }

static int cron_fail(dl_err *err, const char *text, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cron_fail(dl_err *err, const char *text, const char *fmt, ...)
{
    char q[200], why[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return dl_err_set(err, DL_EINVAL, "invalid schedule '%s': %s",
                      dl_inert(text, (size_t)-1, q, sizeof q), why);
}

static int test_bit(uint64_t mask, int bit) { return (int)((mask >> bit) & 1u); }

static int popcount(uint64_t m)
{
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

/* Lowest set bit >= from and <= to, or -1. */
static int next_bit(uint64_t mask, int from, int to)
{
    for (int b = from; b <= to; b++)
        if (test_bit(mask, b))
            return b;
    return -1;
}

/* ---- calendar (proleptic Gregorian, UTC) -------------------------------- */

static int is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(long y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* 1970-01-01 + z days -> y-m-d (H. Hinnant's algorithm). */
static void civil_from_days(long long z, long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (long)(yoe + era * 400 + (*m <= 2));
}

static int weekday_of(long long days) /* 0 = sunday; 1970-01-01 was a thursday */
{
    long long w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int day_matches(const dl_cron *c, int mday, int wday)
{
    int dm = test_bit(c->mday, mday), dw = test_bit(c->wday, wday);
    if (c->mday_star || c->wday_star)
        return dm && dw;
    return dm || dw;
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct field_out {
    uint64_t mask;
    int has_star;       /* some item is '*' or '*' with a step */
    int star_step1;     /* some item is '*' or '* /1' */
    int uses_seven;     /* day of week used the value 7 */
    char text[128];     /* normalised field text */
} field_out;

/* Reads one value (number or name) at s[*i]. Returns 0 and *v, or -1 with a
 * message in err. */
static int read_value(const struct field_def *f, const char *text, const char *s, size_t *i,
                      int *v, dl_err *err)
{
    size_t start = *i, j = *i;
    char q[64];
    if (is_digit(s[j])) {
        long n = 0;
        while (is_digit(s[j])) {
            if (n < 100000)
                n = n * 10 + (s[j] - '0');
            j++;
        }
        if (n < f->lo || n > f->hi)
            return cron_fail(err, text, "%s must be %s", f->name, f->range);
        *v = (int)n;
        *i = j;
        return 0;
    }
    while (is_alpha(s[j]))
        j++;
    if (f->names && j - start == 3) {
        for (int k = 0; k < f->nnames; k++) {
            if (lower(s[start]) == f->names[k][0] && lower(s[start + 1]) == f->names[k][1] &&
                lower(s[start + 2]) == f->names[k][2]) {
                *v = f->name_base + k;
                *i = j;
                return 0;
            }
        }
    }
    if (j == start) /* not even a word: show the rest of the item */
        while (s[j] && s[j] != ',' && s[j] != '-' && s[j] != '/')
            j++;
    if (j == start)
        j = start + 1;
    return cron_fail(err, text, "%s must be %s, not '%s'", f->name, f->range,
                     dl_inert(s + start, j - start, q, sizeof q));
}

static int read_step(const struct field_def *f, const char *text, const char *s, size_t *i,
                     int *step, dl_err *err)
{
    size_t j = *i;
    long n = 0;
    int span = f->hi - f->lo + 1;
    if (!is_digit(s[j]))
        return cron_fail(err, text, "%s step must be a number", f->name);
    while (is_digit(s[j])) {
        if (n < 100000)
            n = n * 10 + (s[j] - '0');
        j++;
    }
    if (n < 1)
        return cron_fail(err, text, "%s step must be at least 1", f->name);
    if (n > span)
        return cron_fail(err, text, "%s step must be 1-%d", f->name, span);
    *step = (int)n;
    *i = j;
    return 0;
}

static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    if (len >= n)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

/* A set of small numbers written as "0,2-4,6". */
static void write_set(uint64_t mask, int lo, int hi, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int b = lo; b <= hi; b++) {
        if (!test_bit(mask, b))
            continue;
        int e = b;
        while (e + 1 <= hi && test_bit(mask, e + 1))
            e++;
        append(buf, n, buf[0] ? "," : "");
        if (e == b)
            append(buf, n, "%d", b);
        else
            append(buf, n, "%d-%d", b, e);
        b = e;
    }
}

static int parse_field(enum field_id id, const char *text, const char *s, size_t len,
                       field_out *out, dl_err *err)
{
    const struct field_def *f = &fields[id];
    char item[64], q[64];
    size_t i = 0;

    memset(out, 0, sizeof *out);
    for (;;) {
        size_t start = i;
        int a, b, step = 1, star = 0, ranged = 0;

        if (i >= len || s[i] == ',')
            return cron_fail(err, text, "%s has an empty list item", f->name);
        if (s[i] == '*') {
            star = 1;
            a = f->lo;
            b = f->hi == 7 ? 6 : f->hi;
            i++;
            if (i < len && s[i] == '-')
                return cron_fail(err, text, "%s '*-' is not a range; write a-b", f->name);
        } else {
            if (read_value(f, text, s, &i, &a, err) < 0)
                return -1;
            b = a;
            if (i < len && s[i] == '-') {
                i++;
                if (i >= len || s[i] == ',' || s[i] == '/')
                    return cron_fail(err, text, "%s range '%s' has no end", f->name,
                                     dl_inert(s + start, i - start, q, sizeof q));
                if (read_value(f, text, s, &i, &b, err) < 0)
                    return -1;
                ranged = 1;
                if (b < a)
                    return cron_fail(err, text, "%s range '%s' is reversed", f->name,
                                     dl_inert(s + start, i - start, q, sizeof q));
            }
        }
        if (i < len && s[i] == '/') {
            if (!star && !ranged) {
                size_t e = i + 1;
                while (e < len && is_digit(s[e]))
                    e++;
                return cron_fail(err, text, "%s '%s': a step needs a range or '*', e.g. %d-%d%s",
                                 f->name, dl_inert(s + start, e - start, q, sizeof q), a,
                                 id == F_WDAY ? 6 : f->hi, dl_inert(s + i, e - i, item, sizeof item));
            }
            i++;
            if (read_step(f, text, s, &i, &step, err) < 0)
                return -1;
        }
        if (i < len && s[i] != ',') {
            size_t e = i;
            while (e < len && s[e] != ',')
                e++;
            return cron_fail(err, text, "%s has unexpected '%s' in '%s'", f->name,
                             dl_inert(s + i, e - i, item, sizeof item),
                             dl_inert(s + start, e - start, q, sizeof q));
        }

        for (int v = a; v <= b; v += step) {
            int bit = (id == F_WDAY && v == 7) ? 0 : v;
            out->mask |= (uint64_t)1 << bit;
        }
        if (id == F_WDAY && (a == 7 || b == 7))
            out->uses_seven = 1;
        if (star) {
            out->has_star = 1;
            if (step == 1)
                out->star_step1 = 1;
        }

        /* normalised item */
        if (id == F_MDAY && star && step > 1)
            snprintf(item, sizeof item, "1-31/%d", step);
        else
            snprintf(item, sizeof item, "%.*s", (int)(i - start), s + start);
        append(out->text, sizeof out->text, "%s%s", out->text[0] ? "," : "", item);

        if (i >= len)
            break;
        i++; /* ',' */
    }
    if (id == F_WDAY && out->uses_seven)
        write_set(out->mask, 0, 6, out->text, sizeof out->text);
    return 0;
}

/* Does the schedule fire on at least one day? Only a day of month alone can
 * be impossible ("30 2", "31 4,6,9,11"). */
static int some_day_exists(const dl_cron *c)
{
    if (!c->wday_star)
        return 1;
    for (int m = 1; m <= 12; m++) {
        if (!test_bit(c->month, m))
            continue;
        for (int d = 1; d <= month_days(2000, m); d++) /* 2000: a leap year */
            if (test_bit(c->mday, d))
                return 1;
    }
    return 0;
}

int dl_cron_parse(dl_cron *c, const char *text, dl_err *err)
{
    const char *src = text ? text : "";
    size_t len = strlen(src);
    const char *tok[F_COUNT + 1];
    size_t toklen[F_COUNT + 1];
    int ntok = 0;
    field_out out[F_COUNT];
    char norm[F_COUNT * sizeof out[0].text + 8];

    memset(c, 0, sizeof *c);
    if (len > CRON_TEXT_MAX)
        return cron_fail(err, src, "at most %d characters", (int)CRON_TEXT_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch == '\n' || ch == '\r')
            return cron_fail(err, src, "must be a single line");
        if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
            return cron_fail(err, src, "contains a control or non-ASCII character");
    }

    /* split on blanks, as busybox does (space and tab) */
    for (size_t i = 0; i < len;) {
        while (i < len && (src[i] == ' ' || src[i] == '\t'))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && src[i] != ' ' && src[i] != '\t')
            i++;
        if (ntok <= F_COUNT) {
            tok[ntok] = src + start;
            toklen[ntok] = i - start;
        }
        ntok++;
    }
    if (ntok == 0)
        return cron_fail(err, src, "must not be empty (e.g. 0 2 * * *)");

    if (tok[0][0] == '@') {
        char q[64];
        for (size_t k = 0; k < sizeof macros / sizeof macros[0]; k++) {
            const char *name = macros[k].name;
            if (strlen(name) != toklen[0])
                continue;
            size_t j = 0;
            while (j < toklen[0] && lower(tok[0][j]) == name[j])
                j++;
            if (j < toklen[0])
                continue;
            if (ntok > 1)
                return cron_fail(err, src, "%s takes no fields", name);
            if (dl_cron_parse(c, macros[k].expr, err) < 0)
                return -1; /* cannot happen: the table is valid */
            return 0;
        }
        dl_inert(tok[0], toklen[0], q, sizeof q);
        for (char *p = q; *p; p++)
            *p = (char)lower(*p);
        if (!strcmp(q, "@reboot"))
            return cron_fail(err, src, "@reboot runs only when the container starts, "
                                       "not on a schedule");
        return cron_fail(err, src,
                         "unknown macro '%s' (use @hourly, @daily, @midnight, @weekly, "
                         "@monthly, @yearly or @annually)",
                         q);
    }
    if (ntok != F_COUNT)
        return cron_fail(err, src,
                         "expected 5 fields (minute hour day-of-month month day-of-week), got %d",
                         ntok);

    norm[0] = '\0';
    for (int k = 0; k < F_COUNT; k++) {
        if (parse_field((enum field_id)k, src, tok[k], toklen[k], &out[k], err) < 0)
            return -1;
        append(norm, sizeof norm, "%s%s", k ? " " : "", out[k].text);
    }
    c->minute = out[F_MINUTE].mask;
    c->hour = (uint32_t)out[F_HOUR].mask;
    c->mday = (uint32_t)out[F_MDAY].mask;
    c->month = (uint16_t)out[F_MONTH].mask;
    c->wday = (uint8_t)out[F_WDAY].mask;
    /* busybox: day of month is unrestricted only when '*' filled it (it also
     * sets its unused day 0); day of week when all seven days are set */
    c->mday_star = out[F_MDAY].star_step1;
    c->wday_star = c->wday == 0x7f;
    if (strlen(norm) > CRON_TEXT_MAX)
        return cron_fail(err, src, "at most %d characters once normalised", (int)CRON_TEXT_MAX);
    if (!some_day_exists(c))
        return cron_fail(err, src, "never runs (no such date in the chosen months)");
    memcpy(c->text, norm, strlen(norm) + 1);
    return 0;
}

/* ---- next run, gaps ----------------------------------------------------- */

int dl_cron_next(const dl_cron *c, time_t after, time_t *next)
{
    long long t = (long long)after;
    long long mins = (t >= 0 ? t / 60 : (t - 59) / 60) + 1; /* first whole minute > after */
    long long days = mins >= 0 ? mins / 1440 : (mins - 1439) / 1440;
    long long limit = days + 5 * 366 + 1;
    int hh = (int)((mins - days * 1440) / 60), mm = (int)((mins - days * 1440) % 60);
    long y;
    int m, d;

    civil_from_days(days, &y, &m, &d);
    while (days <= limit) {
        if (!test_bit(c->month, m)) {
            days += month_days(y, m) - d + 1;
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
            hh = mm = 0;
            continue;
        }
        int h = day_matches(c, d, weekday_of(days)) ? next_bit(c->hour, hh, 23) : -1;
        if (h >= 0 && h != hh) {
            hh = h;
            mm = 0;
        }
        int mi = h >= 0 ? next_bit(c->minute, mm, 59) : -1;
        if (mi >= 0) {
            *next = (time_t)((days * 1440 + hh * 60 + mi) * 60);
            return 0;
        }
        if (h >= 0 && hh < 23) { /* later hour, same day */
            hh++;
            mm = 0;
            continue;
        }
        days++;
        hh = mm = 0;
        if (++d > month_days(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    return -1;
}

long dl_cron_max_gap(const dl_cron *c, time_t from)
{
    time_t end = from + (time_t)400 * 86400, t, u;
    long gap = -1;
    if (dl_cron_next(c, from, &t) < 0)
        return -1;
    /* every run inside the window and the one after it (a leap-day
     * schedule has its first run beyond the window) */
    do {
        if (dl_cron_next(c, t, &u) < 0)
            break;
        if ((long)(u - t) > gap)
            gap = (long)(u - t);
        t = u;
    } while (t <= end);
    return gap;
}

/* ---- words -------------------------------------------------------------- */

/* step if mask is exactly {0, step, 2*step, ...} up to hi and step divides
 * hi+1, else 0. */
static int uniform_step(uint64_t mask, int hi)
{
    for (int step = 2; step <= (hi + 1) / 2; step++) {
        uint64_t want = 0;
        if ((hi + 1) % step)
            continue;
        for (int v = 0; v <= hi; v += step)
            want |= (uint64_t)1 << v;
        if (want == mask)
            return step;
    }
    return 0;
}

static const char *ordinal(int d)
{
    if (d % 100 >= 11 && d % 100 <= 13)
        return "th";
    switch (d % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

void dl_cron_describe(const dl_cron *c, char *buf, size_t n)
{
    const uint64_t all_min = ((uint64_t)1 << 60) - 1;
    const uint32_t all_hour = (1u << 24) - 1;
    int month_all = c->month == 0x1ffe, every_day = c->mday_star && c->wday_star;
    int nmin = popcount(c->minute), nhour = popcount(c->hour);
    char out[160] = "", times[64] = "";
    int step;

    if (!n)
        return;
    if (month_all && every_day && c->hour == all_hour) {
        if (c->minute == all_min)
            snprintf(out, sizeof out, "every minute");
        else if ((step = uniform_step(c->minute, 59)) != 0)
            snprintf(out, sizeof out, "every %d min", step);
        else if (nmin == 1)
            snprintf(out, sizeof out, "hourly at :%02d", next_bit(c->minute, 0, 59));
    } else if (month_all && every_day && nmin == 1 && (step = uniform_step(c->hour, 23)) != 0) {
        snprintf(out, sizeof out, "every %d h at :%02d", step, next_bit(c->minute, 0, 59));
    } else if (nmin >= 1 && nhour >= 1 && nmin * nhour <= 4) {
        for (int h = 0; h < 24; h++) {
            if (!test_bit(c->hour, h))
                continue;
            for (int mi = 0; mi < 60; mi++)
                if (test_bit(c->minute, mi))
                    append(times, sizeof times, "%s%02d:%02d", times[0] ? "," : "", h, mi);
        }
        int nwday = popcount(c->wday), nmday = popcount(c->mday);
        if (month_all && every_day) {
            snprintf(out, sizeof out, "daily %s", times);
        } else if (month_all && c->mday_star && !c->wday_star) {
            if (nwday == 1)
                snprintf(out, sizeof out, "weekly %s %s", day_names[next_bit(c->wday, 0, 6)],
                         times);
            else if (c->wday == 0x3e)
                snprintf(out, sizeof out, "weekdays %s", times);
            else if (c->wday == 0x41)
                snprintf(out, sizeof out, "weekends %s", times);
            else {
                for (int w = 0; w < 7; w++)
                    if (test_bit(c->wday, w))
                        append(out, sizeof out, "%s%s", out[0] ? "," : "", day_names[w]);
                append(out, sizeof out, " %s", times);
            }
        } else if (c->wday_star && !c->mday_star && nmday == 1) {
            int d = next_bit(c->mday, 1, 31);
            if (month_all)
                snprintf(out, sizeof out, "monthly %d%s %s", d, ordinal(d), times);
            else if (popcount(c->month) == 1)
                snprintf(out, sizeof out, "yearly %s %d%s %s",
                         month_names[next_bit(c->month, 1, 12) - 1], d, ordinal(d), times);
        }
    }
    if (!out[0] || strlen(out) >= n)
        snprintf(buf, n, "%s", c->text);
    else
        snprintf(buf, n, "%s", out);
}
