/* version.c - the API version rule: the engine must speak 1.41 (its
 * ApiVersion at least 1.41, its MinAPIVersion at most 1.41).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1.41" -> 1041: comparable, and 1.100 > 1.41; -1 if unparsable. */
static long api_num(const char *v)
{
    char *end;
    long major = strtol(v, &end, 10), minor = 0;
    if (end == v)
        return -1;
    if (*end == '.')
        minor = strtol(end + 1, NULL, 10);
    return major * 1000 + minor;
}

int dk_version_check(const char *body, size_t len, const char *where,
                     dk_version *v, dl_err *err)
{
    long want = api_num(DK_API_VERSION);
    cJSON *o = dkj_parse(body, len, "the engine version", err);
    memset(v, 0, sizeof *v);
    if (!o)
        return -1;
    snprintf(v->version, sizeof v->version, "%s", dkj_str(o, "Version"));
    snprintf(v->api_version, sizeof v->api_version, "%s", dkj_str(o, "ApiVersion"));
    snprintf(v->min_api_version, sizeof v->min_api_version, "%s", dkj_str(o, "MinAPIVersion"));
    snprintf(v->os, sizeof v->os, "%s", dkj_str(o, "Os"));
    snprintf(v->arch, sizeof v->arch, "%s", dkj_str(o, "Arch"));
    snprintf(v->kernel, sizeof v->kernel, "%s", dkj_str(o, "KernelVersion"));
    cJSON_Delete(o);
    if (api_num(v->api_version) < want)
        return dl_err_set(err, DL_EPROTO,
                          "the docker engine%s (version %s) speaks api %s at most; "
                          "deeplens-backup needs api " DK_API_VERSION " (docker 20.10 or newer)",
                          where, v->version[0] ? v->version : "unknown",
                          v->api_version[0] ? v->api_version : "unknown");
    if (v->min_api_version[0] && api_num(v->min_api_version) > want)
        return dl_err_set(err, DL_EPROTO,
                          "the docker engine%s (version %s) requires api %s or newer; "
                          "deeplens-backup speaks api " DK_API_VERSION
                          " (start dockerd with DOCKER_MIN_API_VERSION=" DK_API_VERSION ")",
                          where, v->version, v->min_api_version);
    return 0;
}

int dk_version_parse(const char *json, size_t len, dk_version *out, dl_err *err)
{
    dk_version v;
    int rc = dk_version_check(json, len, "", &v, err);
    if (out)
        *out = v;
    return rc;
}
