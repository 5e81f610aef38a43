/* alloc.c - allocation that aborts on OOM (the one allowed exit below
 * main) and URL escaping, for the docker client's modules.
 */
#include "internal.h"
#include "deeplens/text.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dk_oom(void)
{
    dl_oom();
}

void *dk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        dk_oom();
    return p;
}

void *dk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        dk_oom();
    return p;
}

void *dk_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        dk_oom();
    return p;
}

char *dk_xstrdup(const char *s)
{
    return dk_xstrndup(s ? s : "", s ? strlen(s) : 0);
}

char *dk_xstrndup(const char *s, size_t n)
{
    char *p = dk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dk_xfmt(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        dk_oom();
    p = dk_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *dk_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s ? s : "", 0);
    char *r;
    if (!e)
        dk_oom();
    r = dk_xstrdup(e);
    curl_free(e);
    return r;
}
