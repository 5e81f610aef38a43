/* events.c - GET /events as a stream of newline-separated JSON objects,
 * parsed one record at a time into dk_event. The stream has no heartbeat,
 * so it never gets a timeout. timeNano is read from the text: it exceeds
 * 2^53 and a cJSON double would round it.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The last top-level "timeNano": <digits> in the record (the engine writes
 * it last; a label of that name would be a string, not digits). */
static long long time_nano_from_text(const char *line, size_t n)
{
    static const char key[] = "\"timeNano\":";
    const size_t kl = sizeof key - 1;
    long long v = 0;
    for (size_t i = 0; i + kl <= n; i++) {
        size_t j;
        long long acc = 0;
        if (memcmp(line + i, key, kl))
            continue;
        j = i + kl;
        while (j < n && line[j] == ' ')
            j++;
        if (j >= n || !isdigit((unsigned char)line[j]))
            continue;
        for (; j < n && isdigit((unsigned char)line[j]); j++) {
            if (acc > (LLONG_MAX - 9) / 10) {  /* not a time: ignore it */
                acc = 0;
                break;
            }
            acc = acc * 10 + (line[j] - '0');
        }
        v = acc;
    }
    return v;
}

int dk_event_parse(const char *line, size_t n, dk_event *ev, cJSON **tree)
{
    cJSON *j;
    const cJSON *actor, *attrs;
    const char *id;

    memset(ev, 0, sizeof *ev);
    *tree = NULL;
    while (n && isspace((unsigned char)*line)) {
        line++;
        n--;
    }
    if (!n)
        return -1;
    j = cJSON_ParseWithLength(line, n);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return -1;
    }
    actor = dkj_get(j, "Actor", NULL);
    attrs = dkj_get(actor, "Attributes", NULL);
    ev->type = dkj_str(j, "Type");
    ev->action = dkj_str(j, "Action");
    if (!*ev->action)  /* old engines: "status" */
        ev->action = dkj_str(j, "status");
    id = dkj_str(actor, "ID");
    ev->id = *id ? id : dkj_str(j, "id");
    ev->name = dkj_str(attrs, "name");
    ev->time = dkj_ll(j, "time", 0);
    ev->time_nano = time_nano_from_text(line, n);
    if (!ev->time_nano && ev->time > -LLONG_MAX / 1000000000LL &&
        ev->time < LLONG_MAX / 1000000000LL)
        ev->time_nano = ev->time * 1000000000LL;
    else if (!ev->time)
        ev->time = ev->time_nano / 1000000000LL;
    *tree = j;
    return 0;
}

typedef struct ev_stream {
    dk_event_fn on_event;
    dk_done_fn on_done;
    void *ud;
} ev_stream;

static int ev_line(void *ud, int stream, const char *p, size_t n)
{
    ev_stream *s = ud;
    dk_event ev;
    cJSON *tree;
    int rc = 0;
    if (dk_event_parse(p, n, &ev, &tree) != 0)
        return 0;  /* skip what we cannot read */
    if (s->on_event)
        rc = s->on_event(s->ud, &ev);
    cJSON_Delete(tree);
    return rc;
}

static void ev_done(void *ud, dk_req *r)
{
    ev_stream *s = ud;
    if (s->on_done)
        s->on_done(s->ud, r);
    free(s);
}

dk_req *dk_events_open(dk_client *c, long long since, const char *filters_json,
                       dk_event_fn on_event, dk_done_fn on_done, void *ud,
                       dl_err *err)
{
    char *ef = filters_json ? dk_escape(filters_json) : NULL;
    char since_q[48] = "";
    char *path;
    ev_stream *s = dk_xcalloc(1, sizeof *s);
    dk_req_opts o;
    dk_req *r;

    if (since > 0)
        snprintf(since_q, sizeof since_q, "since=%lld", since);
    path = dk_xfmt("/events?%s%s%s", since_q, ef ? (since > 0 ? "&filters=" : "filters=") : "",
                   ef ? ef : "");
    free(ef);
    s->on_event = on_event;
    s->on_done = on_done;
    s->ud = ud;
    memset(&o, 0, sizeof o);
    o.method = "GET";
    o.path = path;
    o.mode = DK_BODY_LINES;
    o.timeout_ms = 0;
    o.on_data = ev_line;
    o.on_done = ev_done;
    o.ud = s;
    r = dk_submit(c, &o, err);
    free(path);
    if (!r)
        free(s);
    else
        dk_req_set_context(r, "watching engine events", NULL);
    return r;
}
