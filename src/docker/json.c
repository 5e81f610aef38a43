/* json.c - the cJSON boundary of the docker client: lookups that never
 * return NULL strings, string maps to dk_kv arrays, builders that abort on
 * OOM, and RFC 3339 times. cJSON trees never leave src/docker.
 */
#include "internal.h"
#include "deeplens/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *dkj_parse(const char *body, size_t len, const char *what, dl_err *err)
{
    cJSON *o = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    if (!o)
        dl_err_set(err, DL_EPROTO, "the engine sent invalid json for %s", what);
    return o;
}

cJSON *dkj_get(const cJSON *o, ...)
{
    va_list ap;
    const char *k;
    cJSON *cur = (cJSON *)o;
    va_start(ap, o);
    while (cur && (k = va_arg(ap, const char *)))
        cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, k) : NULL;
    va_end(ap);
    return cur;
}

const char *dkj_str(const cJSON *o, const char *key)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

char *dkj_strdup(const cJSON *o, const char *key)
{
    return dk_xstrdup(dkj_str(o, key));
}

long long dkj_ll(const cJSON *o, const char *key, long long dflt)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    /* a double beyond long long does not convert (undefined behaviour) */
    if (!cJSON_IsNumber(v) || !(v->valuedouble > -9.2e18 && v->valuedouble < 9.2e18))
        return dflt;
    return (long long)v->valuedouble;
}

int dkj_bool(const cJSON *o, const char *key)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsTrue(v);
}

void dkj_kv(const cJSON *map, dk_kv **out, size_t *n)
{
    const cJSON *it;
    size_t cnt = 0, i = 0;
    *out = NULL;
    *n = 0;
    if (!cJSON_IsObject(map))
        return;
    cJSON_ArrayForEach(it, map)
        cnt++;
    if (!cnt)
        return;
    *out = dk_xcalloc(cnt, sizeof **out);
    cJSON_ArrayForEach(it, map) {
        (*out)[i].key = dk_xstrdup(it->string);
        (*out)[i].value = dk_xstrdup(cJSON_IsString(it) ? it->valuestring : "");
        i++;
    }
    *n = cnt;
}

void dk_kv_free(dk_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

const char *dk_kv_get(const dk_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].key, key))
            return kv[i].value;
    return NULL;
}

static cJSON *chk(cJSON *p)
{
    if (!p) {
        dl_oom();
    }
    return p;
}

cJSON *dkj_obj(void)
{
    return chk(cJSON_CreateObject());
}

void dkj_add_str(cJSON *o, const char *key, const char *v)
{
    chk(cJSON_AddStringToObject(o, key, v ? v : ""));
}

void dkj_add_strv(cJSON *o, const char *key, const char *const *v)
{
    cJSON *a = chk(cJSON_AddArrayToObject(o, key));
    for (; v && *v; v++)
        cJSON_AddItemToArray(a, chk(cJSON_CreateString(*v)));
}

void dkj_add_kv(cJSON *o, const char *key, const dk_kv *kv, size_t n)
{
    cJSON *m = chk(cJSON_AddObjectToObject(o, key));
    for (size_t i = 0; i < n; i++)
        dkj_add_str(m, kv[i].key, kv[i].value);
}

void dkj_add_num(cJSON *o, const char *key, double v)
{
    chk(cJSON_AddNumberToObject(o, key, v));
}

void dkj_add_bool(cJSON *o, const char *key, int v)
{
    chk(cJSON_AddBoolToObject(o, key, v ? 1 : 0));
}

cJSON *dkj_add_obj(cJSON *o, const char *key)
{
    return chk(cJSON_AddObjectToObject(o, key));
}

void dkj_add_health(cJSON *o, const char *key, const char *const *cmd, long long interval_ns,
                    long long timeout_ns, long long start_period_ns, int retries)
{
    cJSON *h;
    if (!cmd || !cmd[0])
        return;
    h = dkj_add_obj(o, key);
    dkj_add_strv(h, "Test", cmd);
    if (interval_ns > 0)
        dkj_add_num(h, "Interval", (double)interval_ns);
    if (timeout_ns > 0)
        dkj_add_num(h, "Timeout", (double)timeout_ns);
    if (start_period_ns > 0)
        dkj_add_num(h, "StartPeriod", (double)start_period_ns);
    if (retries > 0)
        dkj_add_num(h, "Retries", retries);
}

char *dkj_print_free(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    char *r;
    cJSON_Delete(o);
    if (!s)
        chk(NULL);
    r = dk_xstrdup(s);  /* caller frees with free(), whatever cJSON's hooks */
    cJSON_free(s);
    return r;
}

time_t dk_parse_time(const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, n = 0;
    long off = 0;
    time_t t;

    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return 0;
    if (y <= 1)
        return 0;
    s += n;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            ;
    if (*s == '+' || *s == '-') {
        int oh = 0, om = 0;
        if (sscanf(s + 1, "%2d:%2d", &oh, &om) < 1)
            return 0;
        off = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
    } else if (*s != 'Z') {
        return 0;
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    return t == (time_t)-1 ? 0 : t - off;
}
