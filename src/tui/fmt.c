/* fmt.c - numbers and times in the console's words (see fmt.h). */
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "deeplens/text.h"

const char *ui_fmt_span(long long s, char *buf, size_t n)
{
    if (s < 0) s = -s;
    if (s < 60)
        snprintf(buf, n, "%llds", s);
    else if (s < 3600)
        snprintf(buf, n, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(buf, n, "%lldh %lldm", s / 3600, (s % 3600) / 60);
    else if (s < 86400LL * 100)
        snprintf(buf, n, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
    else
        snprintf(buf, n, "%lldd", s / 86400);
    return buf;
}

const char *ui_fmt_time(time_t t, char *buf, size_t n)
{
    struct tm tm;
    if (t <= 0 || !gmtime_r(&t, &tm)) {
        snprintf(buf, n, "-");
        return buf;
    }
    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

const char *ui_fmt_ago(time_t t, time_t now, char *buf, size_t n)
{
    char s[32];
    if (t <= 0)
        snprintf(buf, n, "never");
    else if (t > now)
        snprintf(buf, n, "just now");
    else
        snprintf(buf, n, "%s ago", ui_fmt_span((long long)(now - t), s, sizeof s));
    return buf;
}

const char *ui_fmt_in(time_t t, time_t now, char *buf, size_t n)
{
    char s[32];
    if (t <= 0)
        snprintf(buf, n, "-");
    else if (t <= now)
        snprintf(buf, n, "due");
    else
        snprintf(buf, n, "in %s", ui_fmt_span((long long)(t - now), s, sizeof s));
    return buf;
}

const char *ui_fmt_sparkline(const long long *v, size_t nv, int ascii, char *buf, size_t n)
{
    static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588"};
    size_t cell = ascii ? 1 : strlen(blocks[0]), len = 0, first = 0;
    long long max = 0;
    if (!n) return buf;
    buf[0] = '\0';
    if (nv > (n - 1) / cell) first = nv - (n - 1) / cell;   /* keep the newest */
    for (size_t i = first; i < nv; i++)
        if (v[i] > max) max = v[i];
    for (size_t i = first; i < nv; i++) {
        int level = 0;
        if (max > 0 && v[i] > 0) level = (int)((double)v[i] * 7.0 / (double)max + 0.5);
        if (level > 7) level = 7;
        if (ascii) buf[len] = UI_SPARK_ASCII[level];
        else memcpy(buf + len, blocks[level], cell);
        len += cell;
    }
    buf[len] = '\0';
    return buf;
}

const char *ui_fmt_manifest_row(long long rows, long long data_bytes, const char *name,
                                int rows_w, int utf8, char *buf, size_t n)
{
    char size[32], inert[1024];
    dl_inert_copy(inert, sizeof inert, name ? name : "", name ? strlen(name) : 0, utf8);
    snprintf(buf, n, "%*lld  %10s  %s", rows_w, rows, dl_fmt_size(data_bytes, size, sizeof size),
             inert);
    return buf;
}
