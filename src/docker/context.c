/* context.c - the docker CLI's contexts: which one is in use, and the engine
 * it names, read from the CLI's own store (cli/context/store): a context is
 * a directory DOCKER_CONFIG/contexts/meta/<id>/ holding meta.json
 *   {"Name": "prod", "Endpoints": {"docker": {"Host": "tcp://h:2376",
 *    "SkipTLSVerify": false}}}
 * and its TLS material in DOCKER_CONFIG/contexts/tls/<id>/docker/. The CLI
 * names <id> by the name's sha256; this finds the context by the Name its
 * meta.json holds, which is the same directory.
 */
#include "internal.h"
#include "deeplens/text.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define META_MAX (1u << 20)

/* The file's bytes (NUL-terminated) in *out; 1 if missing, 0 read, -1 error */
static int read_small(const char *path, char **out, size_t *len, dl_err *err)
{
    struct stat st;
    FILE *f;
    char *buf;
    size_t n;

    *out = NULL;
    if (stat(path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR
                   ? 1
                   : dl_err_set(err, DL_EINVAL, "cannot read '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)META_MAX)
        return dl_err_set(err, DL_EINVAL, "'%s' is not a small regular file", path);
    if (!(f = fopen(path, "rb")))
        return dl_err_set(err, DL_EINVAL, "cannot read '%s': %s", path, strerror(errno));
    buf = dk_xmalloc((size_t)st.st_size + 1);
    n = fread(buf, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return dl_err_set(err, DL_EINVAL, "cannot read '%s'", path);
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static void config_dir(const dk_env *env, char *dir, size_t cap)
{
    if (env->docker_config && *env->docker_config)
        snprintf(dir, cap, "%s", env->docker_config);
    else if (env->home && *env->home)
        snprintf(dir, cap, "%s/.docker", env->home);
    else
        snprintf(dir, cap, ".docker");
}

/* "currentContext" of DIR/config.json into name ("" when none) */
static int current_context(const char *dir, char *name, size_t cap, dl_err *err)
{
    char path[4200], *body;
    size_t len;
    cJSON *o;
    int rc;

    name[0] = '\0';
    snprintf(path, sizeof path, "%s/config.json", dir);
    if ((rc = read_small(path, &body, &len, err)) != 0)
        return rc > 0 ? 0 : -1;
    o = len ? cJSON_ParseWithLength(body, len) : NULL;
    free(body);
    if (!o)
        return dl_err_set(err, DL_EINVAL,
                          "'%s' is not valid JSON (it names the current docker context; "
                          "-H or DOCKER_HOST choose an engine without it)", path);
    snprintf(name, cap, "%s", dkj_str(o, "currentContext"));
    cJSON_Delete(o);
    return 0;
}

/* Find NAME in DIR/contexts/meta: its host, SkipTLSVerify and <id> */
static int find_context(const char *dir, const char *name, char *host, size_t host_cap,
                        int *skip_verify, char *id, size_t id_cap, dl_err *err)
{
    char meta[4200], path[4500], bad[4500] = "", shown[300];
    struct dirent *de;
    DIR *d;
    int found = 0;

    dl_inert_copy(shown, sizeof shown, name, strlen(name), 0);
    snprintf(meta, sizeof meta, "%s/contexts/meta", dir);
    if (!(d = opendir(meta)))
        return dl_err_set(err, DL_EINVAL,
                          "docker context '%s' not found: there is no context store in '%s' "
                          "('docker context ls' lists the contexts)", shown, meta);
    while (!found && (de = readdir(d))) {
        char *body;
        size_t len;
        cJSON *o;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/meta.json", meta, de->d_name);
        if (read_small(path, &body, &len, NULL) != 0)
            continue;
        o = len ? cJSON_ParseWithLength(body, len) : NULL;
        free(body);
        if (!o) {
            if (!bad[0])
                snprintf(bad, sizeof bad, "%s", path);
            continue;
        }
        if (!strcmp(dkj_str(o, "Name"), name)) {
            const cJSON *ep = dkj_get(o, "Endpoints", "docker", NULL);
            const char *h = dkj_str(ep, "Host");
            found = 1;
            if (!cJSON_IsObject(ep) || !*h) {
                cJSON_Delete(o);
                closedir(d);
                return dl_err_set(err, DL_EINVAL,
                                  "docker context '%s' has no docker endpoint host in '%s'",
                                  shown, path);
            }
            if (strlen(h) >= host_cap) {
                cJSON_Delete(o);
                closedir(d);
                return dl_err_set(err, DL_EINVAL, "docker context '%s': host too long in '%s'",
                                  shown, path);
            }
            snprintf(host, host_cap, "%s", h);
            *skip_verify = dkj_bool(ep, "SkipTLSVerify");
            snprintf(id, id_cap, "%s", de->d_name);
        }
        cJSON_Delete(o);
    }
    closedir(d);
    if (found)
        return 0;
    if (bad[0])
        return dl_err_set(err, DL_EINVAL,
                          "docker context '%s' not found; '%s' is not valid JSON and may be it",
                          shown, bad);
    return dl_err_set(err, DL_EINVAL,
                      "docker context '%s' not found in '%s' ('docker context ls' lists the "
                      "contexts)", shown, meta);
}

static int has_file(const char *dir, const char *file)
{
    char path[4500];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return stat(path, &st) == 0;
}

int dk_endpoint_resolve(dk_endpoint *ep, const dk_env *env, dl_err *err)
{
    char dir[4096], cur[256], host[1024], id[256], tls[4500], shown[300];
    const char *name = NULL;
    const char *cert;
    int skip = 0;

    memset(ep, 0, sizeof *ep);
    dl_err_clear(err);
    if (env->host_opt && env->context_opt)
        return dl_err_set(err, DL_EINVAL,
                          "conflicting options: -H/--host and --context name the engine twice; "
                          "use one");
    config_dir(env, dir, sizeof dir);
    if (env->context_opt)
        name = env->context_opt;
    else if (!env->host_opt && !(env->docker_host && *env->docker_host)) {
        if (env->docker_context && *env->docker_context)
            name = env->docker_context;
        else {
            if (current_context(dir, cur, sizeof cur, err) < 0)
                return -1;
            if (cur[0])
                name = cur;
        }
    }
    if (name && !*name)
        return dl_err_set(err, DL_EINVAL, "invalid docker context '': the name is empty");
    if (!name || !strcmp(name, "default")) {
        cert = env->cert_path && *env->cert_path ? env->cert_path : env->docker_config;
        return dk_endpoint_parse(ep, env->host_opt ? env->host_opt : env->docker_host,
                                 env->tls_verify, env->tls, cert, env->home, err);
    }
    if (find_context(dir, name, host, sizeof host, &skip, id, sizeof id, err) < 0)
        return -1;
    dl_inert_copy(shown, sizeof shown, name, strlen(name), 0);
    if (dk_endpoint_parse(ep, host, NULL, NULL, NULL, NULL, err) < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return dl_err_set(err, DL_EINVAL, "docker context '%s': %s", shown, why);
    }
    snprintf(tls, sizeof tls, "%s/contexts/tls/%s/docker", dir, id);
    if (ep->transport == DK_TCP &&
        (has_file(tls, "ca.pem") || has_file(tls, "cert.pem") || has_file(tls, "key.pem"))) {
        int port = ep->port;
        if (dk_endpoint_tls_dir(ep, !skip, tls, err) < 0)
            return -1;
        ep->port = port;
    }
    snprintf(ep->context, sizeof ep->context, "%s", shown);
    return 0;
}

void dk_env_from_process(dk_env *env)
{
    memset(env, 0, sizeof *env);
    env->docker_host = getenv("DOCKER_HOST");
    env->docker_context = getenv("DOCKER_CONTEXT");
    env->tls_verify = getenv("DOCKER_TLS_VERIFY");
    env->tls = getenv("DOCKER_TLS");
    env->cert_path = getenv("DOCKER_CERT_PATH");
    env->docker_config = getenv("DOCKER_CONFIG");
    env->home = getenv("HOME");
}
