/* fmt.c - numbers and times in the console's words (see fmt.h). */
#include <stdio.h>

#include "fmt.h"

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
