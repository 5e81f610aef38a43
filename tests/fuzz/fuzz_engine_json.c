/* fuzz_engine_json.c - engine JSON to the program's model: the container
 * list (through to the tenant status: labels -> spec -> health), container
 * inspect, volume, network, exec inspect, an events line, /version, the
 * archive path-stat header, an error answer ({"message": ...} with a status)
 * and the time and health words. The first byte picks the parser; the rest
 * is the engine's answer. */
#include "fuzz.h"

#include <time.h>

#include "deeplens/backup.h"
#include "deeplens/docker.h"
#include "../../src/docker/internal.h"

static void to_status(const dk_container *ct)
{
    dl_status st;
    dl_err err;
    memset(&st, 0, sizeof st);
    if (dl_status_from_container(&st, ct, &err) == 0)
        dl_health_eval(&st, (time_t)1765850401);
    dl_status_clear(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned kind = fz_byte(&data, &size) % 10;
    const char *body = (const char *)data;
    dl_err err;
    cJSON *j;

    switch (kind) {
    case 0: {  /* GET /containers/json */
        dk_container *v = NULL;
        size_t n = 0;
        if (dk_containers_parse(body, size, &v, &n, &err) == 0)
            for (size_t i = 0; i < n; i++)
                to_status(&v[i]);
        dk_containers_free(v, n);
        break;
    }
    case 1: {  /* GET /containers/{name}/json */
        dk_container ct;
        if (!(j = dkj_parse(body, size, "a container", &err)))
            break;
        memset(&ct, 0, sizeof ct);
        dk_container_from_inspect_json(j, &ct);
        cJSON_Delete(j);
        to_status(&ct);
        dk_container_clear(&ct);
        break;
    }
    case 2: {  /* GET /volumes/{name} */
        dk_volume v;
        if (!(j = dkj_parse(body, size, "a volume", &err)))
            break;
        memset(&v, 0, sizeof v);
        dk_volume_from_json(j, &v);
        cJSON_Delete(j);
        (void)dk_volume_option(&v, "device");
        (void)dk_volume_label(&v, "io.deeplens.backup.tenant");
        dk_volume_clear(&v);
        break;
    }
    case 3: {  /* GET /networks/{name} */
        dk_network nw;
        if (!(j = dkj_parse(body, size, "a network", &err)))
            break;
        memset(&nw, 0, sizeof nw);
        dk_network_from_json(j, &nw);
        cJSON_Delete(j);
        dk_network_clear(&nw);
        break;
    }
    case 4: {  /* GET /exec/{id}/json */
        int code = 0;
        dk_exec_exit_from_json(body, size, "0123456789abcdef", &code, &err);
        break;
    }
    case 5: {  /* one line of GET /events */
        dk_event ev;
        cJSON *tree = NULL;
        if (dk_event_parse(body, size, &ev, &tree) == 0) {
            FZ_CHECK(ev.type && ev.action && ev.id && ev.name);
            (void)strlen(ev.type);
            (void)strlen(ev.action);
            (void)strlen(ev.id);
            (void)strlen(ev.name);
        }
        cJSON_Delete(tree);
        break;
    }
    case 6: {  /* GET /version */
        dk_version v;
        memset(&v, 0, sizeof v);
        dk_version_check(body, size, " at unix:///fuzz", &v, &err);
        break;
    }
    case 8: {  /* an error answer: [status selector] body */
        static const long statuses[] = {304, 400, 404, 409, 500, 503, 200, 0};
        unsigned st = fz_byte(&data, &size);
        body = (const char *)data;
        memset(&err, 0, sizeof err);
        dk_error_from_response(statuses[st % 8], body, size, "starting the container", &err);
        FZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL);
        dk_container_error(statuses[st % 8], body, size, "inspecting", "deeplens-backup-acme",
                           &err);
        break;
    }
    case 9: {  /* "Created"/"StartedAt" times and the "Status" words */
        char *t = fz_str(data, size);
        (void)dk_parse_time(t);
        (void)dk_health_from_status(t);
        free(t);
        break;
    }
    default: {  /* X-Docker-Container-Path-Stat */
        char *h = fz_str(data, size);
        dk_path_stat st;
        if (dk_path_stat_decode(h, &st, &err) == 0) {
            FZ_CHECK(memchr(st.name, '\0', sizeof st.name) != NULL);
            FZ_CHECK(memchr(st.link_target, '\0', sizeof st.link_target) != NULL);
        }
        free(h);
        break;
    }
    }
    return 0;
}
