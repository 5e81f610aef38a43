/* fleet.c - the live model of all tenant backups (see fleet.h).
 *
 * State machine per connection: version -> events stream + list -> live.
 * Any event about one of our containers re-lists (one request, coalesced
 * while one is in flight) and re-reads that tenant's status file. Status
 * files are read through a queue with at most FLEET_INFLIGHT reads in
 * flight: all of them after the first list and after a reconnect, then
 * each tenant's when it is due (fleet_due: after its scheduled runs, and
 * once per DL_FLEET_REREAD at its own spot in that period). A failed
 * request or a closed events stream marks the engine unreachable and
 * schedules a reconnect with backoff (1 s .. 10 s).
 *
 * Swarm services (provision --swarm) are rows too. Each list first asks
 * for the tenant services' tasks: an engine that is no swarm manager
 * answers 503, and is then not asked again on this connection (a
 * reconnect or F5 asks again), so a plain engine's list stays one request.
 * On a manager the list is four, whatever the number of tenants: the
 * tasks, the running swarm task containers, the tenant services (their
 * rows are built from the three: dl_svc_status), then the containers as
 * before. Two more event streams watch the services (create, update,
 * remove) and their task containers (start, die, health ...).
 *
 * Callbacks run inside dk_client_poll, which may already have been given
 * the long sleep that dl_fleet_tick returned before they ran: a callback
 * that leaves work for tick (a retry, a re-list, a read to queue) wakes
 * the poll (fleet_wake), so that the loop calls tick again at once. The
 * end of a stream is often read by the poll's pass over the transfers
 * before it waits; without the wake, the wait that follows has nothing
 * left to end it and the retry waited out the whole sleep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deeplens/fleet.h"
#include "fleet_multi.h"
#include "internal.h"
#include "deeplens/text.h"

#define FLEET_INFLIGHT 8         /* status reads in flight at most */
#define WAIT_FOR_RUN_MAX 3600   /* how long to look for a scheduled run's result */
#define WAIT_FOR_RUN_STEP 60

/* When to read a tenant's status again (one per row, beside rows). */
typedef struct fleet_due {
    time_t at;        /* next read; 0: none planned (a read is queued or in flight) */
    time_t sched;     /* the scheduled run `at` waits for, 0 when periodic */
    time_t wait_for;  /* a scheduled run whose result has not been seen yet */
} fleet_due;

struct dl_fleet {
    fleet_multi *multi;       /* several engines: every call goes there */
    dl_ctx *ctx;
    dl_status *rows;
    fleet_due *due;
    size_t n;
    unsigned long gen;

    int connected, loading, started;
    char error[600];
    time_t next_retry;
    int backoff;
    dk_version version;
    unsigned epoch;           /* bumps on reconnect: stale answers ignored */

    dk_req *version_req, *events_req, *list_req;
    int relist_again;

    /* swarm services: -1 not asked yet on this connection, 0 not a manager, 1 a manager */
    int swarm;
    dk_req *svc_req, *svc_events_req, *task_events_req;
    dk_task *tasks;            /* the chain's first two answers, until the services come */
    size_t ntasks;
    dk_container *task_cts;
    size_t ntask_cts;
    dl_status *svc_rows;       /* the last services' rows, merged into each list */
    size_t nsvc;
    int relist_pending;       /* an event asked for a re-list (see tick) */

    struct fleet_q {
        char name[160];
        int fresh;            /* read the file, not the last probe's copy */
    } *queue;
    size_t qn, qcap, inflight;
};

struct fleet_cb {
    dl_fleet *f;
    unsigned epoch;
};

static struct fleet_cb *cb_new(dl_fleet *f)
{
    struct fleet_cb *cb = malloc(sizeof *cb);
    if (!cb)
        dl_oom();
    cb->f = f;
    cb->epoch = f->epoch;
    return cb;
}

dl_fleet *dl_fleet_new(dl_ctx *ctx)
{
    dl_fleet *f = calloc(1, sizeof *f);
    if (!f)
        dl_oom();
    f->ctx = ctx;
    f->loading = 1;
    f->backoff = 1;
    f->swarm = -1;
    return f;
}

static void svc_chain_clear(dl_fleet *f)
{
    dk_tasks_free(f->tasks, f->ntasks);
    dk_containers_free(f->task_cts, f->ntask_cts);
    f->tasks = NULL;
    f->task_cts = NULL;
    f->ntasks = f->ntask_cts = 0;
}

static void cancel_all(dl_fleet *f)
{
    /* dk_cancel runs on_done, which clears the pointers */
    f->epoch++;
    if (f->events_req)
        dk_cancel(f->events_req);
    if (f->list_req)
        dk_cancel(f->list_req);
    if (f->version_req)
        dk_cancel(f->version_req);
    if (f->svc_req)
        dk_cancel(f->svc_req);
    if (f->svc_events_req)
        dk_cancel(f->svc_events_req);
    if (f->task_events_req)
        dk_cancel(f->task_events_req);
    f->events_req = f->list_req = f->version_req = NULL;
    f->svc_req = f->svc_events_req = f->task_events_req = NULL;
    f->relist_again = 0;
    f->swarm = -1;   /* a new connection asks again */
    svc_chain_clear(f);
}

void dl_fleet_free(dl_fleet *f)
{
    if (!f)
        return;
    if (f->multi) {
        fm_free(f->multi);
        free(f);
        return;
    }
    cancel_all(f);
    /* status reads still in flight reference f: drain them */
    while (f->inflight > 0 && dk_client_poll(f->ctx->dk, -1, 100) >= 0)
        ;
    dl_statuses_free(f->rows, f->n);
    dl_statuses_free(f->svc_rows, f->nsvc);
    free(f->due);
    free(f->queue);
    free(f);
}

/* Make the poll in progress (or the next one) return at once. */
static void fleet_wake(dl_fleet *f)
{
    dk_client_wakeup(f->ctx->dk);
}

static void set_error(dl_fleet *f, const char *msg)
{
    time_t now = time(NULL);
    if (f->connected || strcmp(f->error, msg) != 0)
        f->gen++;
    f->connected = 0;
    snprintf(f->error, sizeof f->error, "%s", msg);
    f->next_retry = now + f->backoff;
    f->backoff = f->backoff >= 8 ? 10 : f->backoff * 2;
    cancel_all(f);
    fleet_wake(f);   /* the retry is tick's: the sleep it gave may be long */
}

/* ---- status reads --------------------------------------------------------- */

static dl_status *row_by_container(dl_fleet *f, const char *container)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->rows[i].container, container))
            return &f->rows[i];
    return NULL;
}

/* A row's spot in the reading period: the same for a tenant every time
 * (FNV-1a of the container name), so the reads of many tenants spread out. */
static time_t spread(const char *container)
{
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)container; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (time_t)(h % DL_FLEET_REREAD);
}

/* After a read of row i at `now` (ok or not): when to read it next. */
static void plan_next(dl_fleet *f, size_t i, time_t now, int ok)
{
    fleet_due *d = &f->due[i];
    const dl_status *st = &f->rows[i];
    time_t recent;
    /* the next turn of this row's spot in the period, at least a minute away */
    time_t periodic = now - now % DL_FLEET_REREAD + spread(st->container);

    while (periodic < now + WAIT_FOR_RUN_STEP)
        periodic += DL_FLEET_REREAD;
    if (d->wait_for && ok && st->last_run_start >= d->wait_for)
        d->wait_for = 0;             /* that run's result is in */
    if (d->wait_for && now - d->wait_for > WAIT_FOR_RUN_MAX)
        d->wait_for = 0;             /* the health rule says overdue by now */
    d->sched = 0;
    d->at = periodic;
    /* A read just after a scheduled time may come before that run's result:
     * look again AFTER_RUN after it, not only after the next one. */
    if (!d->wait_for && ok && dl_status_pending_run(st, now, DL_FLEET_AFTER_RUN, &recent)) {
        d->at = recent + DL_FLEET_AFTER_RUN;
        d->sched = recent;
        return;
    }
    if (d->wait_for) {
        d->at = now + WAIT_FOR_RUN_STEP;
    } else if (st->next_run > 0 && st->next_run + DL_FLEET_AFTER_RUN < periodic) {
        d->at = st->next_run + DL_FLEET_AFTER_RUN;
        d->sched = st->next_run;
    }
}

static void read_done(void *ud, const char *container, int ok, const char *text,
                      size_t len, time_t started_at)
{
    dl_fleet *f = ud;
    dl_status *st;
    time_t now = time(NULL);
    f->inflight--;
    if (!(st = row_by_container(f, container)))
        return;
    if (started_at > 0 && st->started_at != started_at) {
        st->started_at = started_at;
        f->gen++;
    }
    if (ok) {
        dl_err e;
        dl_status_parse_job(st, text, len, &e);
        dl_health_eval(st, now);
        f->gen++;
    }
    plan_next(f, (size_t)(st - f->rows), now, ok);
    if (f->qn > 0)
        fleet_wake(f);   /* a slot is free for the next queued read: tick pumps */
}

static void pump(dl_fleet *f)
{
    while (f->connected && f->qn > 0 && f->inflight < FLEET_INFLIGHT) {
        char name[160];
        dl_status *st;
        dl_err e;
        int fresh = f->queue[0].fresh;
        memcpy(name, f->queue[0].name, sizeof name);
        memmove(f->queue, f->queue + 1, --f->qn * sizeof *f->queue);
        if (dl_status_probe_async(f->ctx, name, fresh, read_done, f, &e))
            f->inflight++;
        else if ((st = row_by_container(f, name)))
            plan_next(f, (size_t)(st - f->rows), time(NULL), 0);
    }
}

/* fresh: read the status file itself (after a run, F5); else the copy in
 * the last health probe's output will do (an overview, a safety net). */
static void enqueue(dl_fleet *f, const char *container, int fresh)
{
    dl_status *st = row_by_container(f, container);
    if (st)
        f->due[st - f->rows].at = 0;   /* planned again when the read is done */
    for (size_t i = 0; i < f->qn; i++)
        if (!strcmp(f->queue[i].name, container)) {
            f->queue[i].fresh |= fresh;
            return;
        }
    if (f->qn == f->qcap) {
        f->qcap = f->qcap ? f->qcap * 2 : 64;
        f->queue = realloc(f->queue, f->qcap * sizeof *f->queue);
        if (!f->queue)
            dl_oom();
    }
    snprintf(f->queue[f->qn].name, sizeof f->queue[f->qn].name, "%s", container);
    f->queue[f->qn++].fresh = fresh;
}

/* Queue the reads that are due; the time in s until the next one (or -1). */
static long queue_due(dl_fleet *f, time_t now)
{
    long next = -1;
    for (size_t i = 0; i < f->n; i++) {
        fleet_due *d = &f->due[i];
        if (!d->at)
            continue;
        if (d->at <= now) {
            if (d->sched && now >= d->sched)
                d->wait_for = d->sched;   /* look until that run's result is in */
            enqueue(f, f->rows[i].container, d->wait_for != 0);
            continue;
        }
        if (next < 0 || d->at - now < next)
            next = (long)(d->at - now);
    }
    return next;
}

/* ---- list ------------------------------------------------------------------ */

static void relist(dl_fleet *f);

/* The row (of the list being built, rows[0..k)) for container/service ct or
 * service row sv: keeps the job part and the read plan of the old row. */
static int take_row(dl_fleet *f, dl_status *rows, fleet_due *due, size_t k, const dk_container *ct,
                    const dl_status *sv, time_t now, int first)
{
    const char *name = ct ? (ct->name ? ct->name : "") : sv->container;
    dl_status *old = row_by_container(f, name);
    int moved = 0;
    dl_err e;
    /* a service's new task (restart, reschedule): its last known job part
     * stays on the row until the new container's read is in */
    for (size_t i = 0; !old && sv && i < f->n; i++)
        if (!strcmp(f->rows[i].service, sv->service))
            old = &f->rows[i], moved = 1;
    if (old) {
        rows[k] = *old; /* keeps the job part; takes over files */
        due[k] = f->due[old - f->rows];
        old->files = NULL;
        old->nfiles = 0;
    }
    time_t started = rows[k].started_at;
    if (ct) {
        if (dl_status_from_container(&rows[k], ct, &e) < 0) {
            dl_status_clear(&rows[k]);
            return 0;
        }
    } else {   /* a service: its container part, as dl_status_from_container */
        dl_status *r = &rows[k];
        r->spec = sv->spec;
        memcpy(r->container, sv->container, sizeof r->container);
        memcpy(r->container_id, sv->container_id, sizeof r->container_id);
        memcpy(r->state, sv->state, sizeof r->state);
        memcpy(r->engine_status, sv->engine_status, sizeof r->engine_status);
        memcpy(r->engine_health, sv->engine_health, sizeof r->engine_health);
        memcpy(r->service, sv->service, sizeof r->service);
        r->created = sv->created;
        r->started_at = sv->started_at;
    }
    /* the list does not say when a container started: the last read did */
    if (!rows[k].started_at && old && !strcmp(rows[k].state, "running"))
        rows[k].started_at = started;
    dl_health_eval(&rows[k], now);
    if (first || !old || moved)
        due[k].at = now;   /* read at once (tick queues it) */
    return 1;
}

static void apply_list(dl_fleet *f, const dk_container *v, size_t nv)
{
    size_t cap = nv + f->nsvc;
    dl_status *rows = calloc(cap ? cap : 1, sizeof *rows);
    fleet_due *due = calloc(cap ? cap : 1, sizeof *due);
    size_t k = 0;
    time_t now = time(NULL);
    int first = f->loading;

    if (!rows || !due)
        dl_oom();
    for (size_t i = 0; i < nv; i++)
        k += (size_t)take_row(f, rows, due, k, &v[i], NULL, now, first);
    for (size_t i = 0; i < f->nsvc; i++)
        k += (size_t)take_row(f, rows, due, k, NULL, &f->svc_rows[i], now, first);
    dl_statuses_free(f->rows, f->n);
    free(f->due);
    f->rows = rows;
    f->due = due;
    f->n = k;
    f->loading = 0;
    f->gen++;
}

static void list_done(void *ud, const dk_container *v, size_t nv, const dl_err *err)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int stale = cb->epoch != f->epoch;

    free(cb);
    if (stale)
        return;
    f->list_req = NULL;
    if (err) {
        set_error(f, err->msg);
        return;
    }
    apply_list(f, v, nv);
    if (f->relist_again) {
        f->relist_again = 0;
        relist(f);
    }
    queue_due(f, time(NULL));
    pump(f);
}

static void list_containers(dl_fleet *f)
{
    struct fleet_cb *cb = cb_new(f);
    dl_err e;
    f->list_req = dk_containers_list_async(f->ctx->dk, dl_container_filter(), 1, 15000,
                                           list_done, cb, &e);
    if (!f->list_req) {
        free(cb);
        set_error(f, e.msg);
    }
}

static void svc_start(dl_fleet *f);

static void relist(dl_fleet *f)
{
    if (f->list_req || f->svc_req) {
        f->relist_again = 1;
        return;
    }
    if (f->swarm != 0)
        svc_start(f);   /* the services first, the containers after them */
    else
        list_containers(f);
}

/* ---- swarm services ----------------------------------------------------------- */

#define SVC_TASK_LABEL "com.docker.swarm.service.id"

static void open_swarm_events(dl_fleet *f);

/* The chain is over (rows built, or no swarm): the containers' list. */
static void svc_end(dl_fleet *f)
{
    svc_chain_clear(f);
    list_containers(f);
}

/* A step of the chain failed: an answer of the engine (a manager's 500, a
 * swarm left in between) keeps the last service rows and lists the
 * containers (the next list asks again); no answer at all is the engine
 * going away. */
static void svc_failed(dl_fleet *f, const dl_err *err)
{
    if (err->http_status > 0)
        svc_end(f);
    else
        set_error(f, err->msg);
}

static void services_done(void *ud, const dk_service *v, size_t n, const dl_err *err)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int stale = cb->epoch != f->epoch;
    dl_status *rows;
    size_t k = 0;

    free(cb);
    if (stale)
        return;
    f->svc_req = NULL;
    if (err) {
        svc_failed(f, err);
        return;
    }
    rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows)
        dl_oom();
    for (size_t i = 0; i < n; i++) {
        dl_err skip;
        if (dl_svc_status(&v[i], f->tasks, f->ntasks, f->task_cts, f->ntask_cts, &rows[k],
                          &skip) == 0)
            k++;
        else
            dl_status_clear(&rows[k]);
    }
    dl_statuses_free(f->svc_rows, f->nsvc);
    f->svc_rows = rows;
    f->nsvc = k;
    svc_end(f);
}

static void task_cts_done(void *ud, const dk_container *v, size_t n, const dl_err *err)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int stale = cb->epoch != f->epoch;
    dl_err e;

    free(cb);
    if (stale)
        return;
    f->svc_req = NULL;
    if (err) {
        svc_failed(f, err);
        return;
    }
    /* what dl_svc_status takes from a task's container */
    f->task_cts = calloc(n ? n : 1, sizeof *f->task_cts);
    if (!f->task_cts)
        dl_oom();
    for (size_t i = 0; i < n; i++) {
        dk_container *c = &f->task_cts[i];
        memcpy(c->id, v[i].id, sizeof c->id);
        c->name = strdup(v[i].name ? v[i].name : "");
        c->image = strdup(v[i].image ? v[i].image : "");
        c->state = strdup(v[i].state ? v[i].state : "");
        c->status = strdup(v[i].status ? v[i].status : "");
        c->health = strdup(v[i].health ? v[i].health : "");
        c->created = v[i].created;
        if (!c->name || !c->image || !c->state || !c->status || !c->health)
            dl_oom();
    }
    f->ntask_cts = n;
    cb = cb_new(f);
    f->svc_req = dk_services_list_async(f->ctx->dk, dl_container_filter(), 15000,
                                        services_done, cb, &e);
    if (!f->svc_req) {
        free(cb);
        set_error(f, e.msg);
    }
}

static void tasks_done(void *ud, const dk_task *v, size_t n, const dl_err *err)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int stale = cb->epoch != f->epoch;
    dl_err e;

    free(cb);
    if (stale)
        return;
    f->svc_req = NULL;
    /* not a swarm manager (503; an engine or proxy without the swarm API:
     * 404): no services, never an error of the engine */
    if (err && (err->http_status == 503 || err->http_status == 404)) {
        f->swarm = 0;
        if (f->nsvc) {
            dl_statuses_free(f->svc_rows, f->nsvc);
            f->svc_rows = NULL;
            f->nsvc = 0;
        }
        svc_end(f);
        return;
    }
    if (err) {
        svc_failed(f, err);
        return;
    }
    if (f->swarm != 1) {
        f->swarm = 1;
        open_swarm_events(f);
    }
    f->tasks = calloc(n ? n : 1, sizeof *f->tasks);
    if (!f->tasks)
        dl_oom();
    for (size_t i = 0; i < n; i++) {
        f->tasks[i] = v[i];
        f->tasks[i].state = strdup(v[i].state ? v[i].state : "");
        f->tasks[i].desired_state = strdup(v[i].desired_state ? v[i].desired_state : "");
        f->tasks[i].message = strdup(v[i].message ? v[i].message : "");
        if (!f->tasks[i].state || !f->tasks[i].desired_state || !f->tasks[i].message)
            dl_oom();
    }
    f->ntasks = n;
    cb = cb_new(f);
    f->svc_req = dk_containers_list_async(f->ctx->dk, "{\"label\":[\"" SVC_TASK_LABEL "\"]}", 0,
                                          15000, task_cts_done, cb, &e);
    if (!f->svc_req) {
        free(cb);
        set_error(f, e.msg);
    }
}

/* The tasks of the tenant services: the label filter matches the service's labels. */
static void svc_start(dl_fleet *f)
{
    struct fleet_cb *cb = cb_new(f);
    dl_err e;
    svc_chain_clear(f);
    f->svc_req = dk_tasks_list_async(f->ctx->dk, dl_container_filter(), 15000,
                                     tasks_done, cb, &e);
    if (!f->svc_req) {
        free(cb);
        set_error(f, e.msg);
    }
}

/* ---- events ------------------------------------------------------------------ */

static int on_event(void *ud, const dk_event *ev)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    if (cb->epoch != f->epoch)
        return -1;
    /* inside a transfer callback: only note the work, tick() does it */
    f->relist_pending = 1;
    fleet_wake(f);
    /* a health_status event follows a probe: its copy of the status is new */
    if (ev->name && *ev->name && strcmp(ev->action, "destroy") != 0)
        enqueue(f, ev->name, strncmp(ev->action, "health_status", 13) != 0);
    return 0;
}

static void events_done(void *ud, dk_req *r)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int stale = cb->epoch != f->epoch;
    dl_err e;

    free(cb);
    if (stale)
        return;
    if (r == f->svc_events_req)
        f->svc_events_req = NULL;
    else if (r == f->task_events_req)
        f->task_events_req = NULL;
    else
        f->events_req = NULL;
    if (dk_req_result(r, &e) == 0)
        snprintf(e.msg, sizeof e.msg, "the docker engine closed the events stream");
    set_error(f, e.msg);
}

/* A service event, or one of a swarm task container: re-list when it is one of
 * ours (a task container is named <service>.<slot>.<task>) or a new service. */
static int on_swarm_event(void *ud, const dk_event *ev)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int ours = !strcmp(ev->type, "service");
    if (cb->epoch != f->epoch)
        return -1;
    for (size_t i = 0; !ours && i < f->nsvc; i++) {
        size_t l = strlen(f->svc_rows[i].service);
        ours = l && ev->name && !strncmp(ev->name, f->svc_rows[i].service, l) &&
               ev->name[l] == '.';
    }
    if (!ours)
        return 0;
    f->relist_pending = 1;
    fleet_wake(f);
    if (strcmp(ev->type, "service") && ev->name && row_by_container(f, ev->name) &&
        strcmp(ev->action, "destroy") != 0)
        enqueue(f, ev->name, strncmp(ev->action, "health_status", 13) != 0);
    return 0;
}

static void open_swarm_events(dl_fleet *f)
{
    dl_err e;
    struct fleet_cb *cb = cb_new(f);
    f->svc_events_req = dk_events_open(f->ctx->dk, (long long)time(NULL),
                                       "{\"type\":[\"service\"]}", on_swarm_event,
                                       events_done, cb, &e);
    if (!f->svc_events_req) {
        free(cb);
        set_error(f, e.msg);
        return;
    }
    cb = cb_new(f);
    f->task_events_req = dk_events_open(
        f->ctx->dk, (long long)time(NULL),
        "{\"type\":[\"container\"],\"label\":[\"" SVC_TASK_LABEL "\"],"
        "\"event\":[\"start\",\"die\",\"destroy\",\"health_status\"]}",
        on_swarm_event, events_done, cb, &e);
    if (!f->task_events_req) {
        free(cb);
        set_error(f, e.msg);
    }
}

static void open_events(dl_fleet *f)
{
    dl_err e;
    struct fleet_cb *cb = cb_new(f);
    f->events_req = dk_events_open(
        f->ctx->dk, (long long)time(NULL),
        "{\"type\":[\"container\"],\"label\":[\"" DL_LABEL_PREFIX "tenant\"],"
        "\"event\":[\"create\",\"start\",\"die\",\"stop\",\"kill\",\"destroy\","
        "\"rename\",\"pause\",\"unpause\",\"health_status\"]}",
        on_event, events_done, cb, &e);
    if (!f->events_req) {
        free(cb);
        set_error(f, e.msg);
    }
}

/* ---- connect ------------------------------------------------------------------- */

static void version_done(void *ud, const dk_version *v, const dl_err *err)
{
    struct fleet_cb *cb = ud;
    dl_fleet *f = cb->f;
    int stale = cb->epoch != f->epoch;

    free(cb);
    if (stale)
        return;
    f->version_req = NULL;
    if (err) {
        set_error(f, err->msg);
        return;
    }
    f->version = *v;
    f->connected = 1;
    f->backoff = 1;
    f->error[0] = '\0';
    f->gen++;
    for (size_t i = 0; i < f->n; i++)   /* a reconnect: what we knew may be old */
        f->due[i].at = time(NULL);
    queue_due(f, time(NULL));   /* the list may be in already */
    pump(f);
}

/* The version check, the events stream and the list go out together (the
 * list at once is what the first screen waits for); the events stream opens
 * before the list is taken, so nothing happens unseen in between. Status
 * reads wait for the version check (pump); if it fails, set_error cancels
 * the other two. */
static void connect_engine(dl_fleet *f)
{
    struct fleet_cb *cb = cb_new(f);
    dl_err e;
    f->version_req = dk_version_async(f->ctx->dk, 5000, version_done, cb, &e);
    if (!f->version_req) {
        free(cb);
        set_error(f, e.msg);
        return;
    }
    open_events(f);
    if (f->version_req)
        relist(f);
}

void dl_fleet_start(dl_fleet *f)
{
    if (f->multi) {
        fm_start(f->multi);
        return;
    }
    f->started = 1;
    connect_engine(f);
}

int dl_fleet_tick(dl_fleet *f, time_t now)
{
    if (f->multi)
        return fm_tick(f->multi, now);
    if (!f->started)
        return 60000;
    if (!f->connected && !f->version_req) {
        if (now >= f->next_retry) {
            connect_engine(f);
            return 1000;
        }
        return (int)(f->next_retry - now) * 1000;
    }
    if (f->relist_pending) {
        f->relist_pending = 0;
        relist(f);
    }
    long next = queue_due(f, now);
    pump(f);
    if (next < 0 || next > 60)
        return 60000;
    return (int)next * 1000 + 50;
}

void dl_fleet_relist(dl_fleet *f)
{
    if (f->multi) {
        fm_relist(f->multi);
        return;
    }
    if (f->connected)
        relist(f);
}

void dl_fleet_refresh(dl_fleet *f)
{
    if (f->multi) {
        fm_refresh(f->multi);
        return;
    }
    if (!f->connected)
        return;
    if (f->swarm == 0)
        f->swarm = -1;   /* F5: is it a swarm manager by now? */
    relist(f);
    for (size_t i = 0; i < f->n; i++)
        enqueue(f, f->rows[i].container, 1);
    pump(f);
}

void dl_fleet_refresh_one(dl_fleet *f, const char *tenant)
{
    if (f->multi) {
        fm_refresh_one(f->multi, tenant);
        return;
    }
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->rows[i].spec.tenant, tenant))
            enqueue(f, f->rows[i].container, 1);
    relist(f);
    pump(f);
}

unsigned long dl_fleet_generation(const dl_fleet *f)
{
    if (f->multi)
        return fm_generation(f->multi);
    return f->gen;
}

const char *dl_fleet_error(const dl_fleet *f, time_t *next_retry)
{
    if (f->multi)
        return fm_error(f->multi, next_retry);
    if (next_retry)
        *next_retry = f->next_retry;
    return f->connected || !f->error[0] ? NULL : f->error;
}

const dk_version *dl_fleet_engine(const dl_fleet *f)
{
    if (f->multi)
        return fm_engine(f->multi);
    return f->version.version[0] ? &f->version : NULL;
}

int dl_fleet_loading(const dl_fleet *f)
{
    if (f->multi)
        return fm_loading(f->multi);
    return f->loading;
}

size_t dl_fleet_count(const dl_fleet *f)
{
    if (f->multi)
        return fm_count(f->multi);
    return f->n;
}

const dl_status *dl_fleet_at(const dl_fleet *f, size_t i)
{
    if (f->multi)
        return fm_at(f->multi, i);
    return i < f->n ? &f->rows[i] : NULL;
}

const dl_status *dl_fleet_find(const dl_fleet *f, const char *tenant)
{
    if (f->multi)
        return fm_find(f->multi, tenant);
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->rows[i].spec.tenant, tenant))
            return &f->rows[i];
    return NULL;
}

/* ---- several engines (fleet_multi.c) ----------------------------------------- */

dl_fleet *dl_fleet_new_engines(dl_ctx *ctx, const dl_engine *e, size_t n, dl_err *err)
{
    fleet_multi *m = fm_new(ctx, e, n, err);
    dl_fleet *f;
    if (!m)
        return NULL;
    f = dl_fleet_new(ctx);
    f->multi = m;
    return f;
}

int dl_fleet_poll(dl_fleet *f, int extra_fd, int timeout_ms)
{
    return f->multi ? fm_poll(f->multi, extra_fd, timeout_ms)
                    : dl_ctx_poll(f->ctx, extra_fd, timeout_ms);
}

size_t dl_fleet_engines(const dl_fleet *f)
{
    return f->multi ? fm_engines(f->multi) : 1;
}

const char *dl_fleet_engine_name(const dl_fleet *f, size_t i)
{
    return f->multi ? fm_engine_name(f->multi, i) : "";
}

const char *dl_fleet_engine_error(const dl_fleet *f, size_t i)
{
    return f->multi ? fm_engine_error(f->multi, i) : dl_fleet_error(f, NULL);
}

const dk_version *dl_fleet_engine_version(const dl_fleet *f, size_t i)
{
    return f->multi ? fm_engine_version(f->multi, i) : dl_fleet_engine(f);
}

dl_ctx *dl_fleet_ctx_of(dl_fleet *f, const char *tenant, dl_err *err)
{
    return f->multi ? fm_ctx_of(f->multi, tenant, err) : f->ctx;
}

const dk_endpoint *dl_fleet_endpoint_of(dl_fleet *f, const char *tenant, dl_err *err)
{
    dl_ctx *c = dl_fleet_ctx_of(f, tenant, err);
    return c ? dk_client_endpoint(c->dk) : NULL;
}

const dk_endpoint *dl_fleet_endpoint_on(dl_fleet *f, const char *engine, const char *tenant,
                                        dl_err *err)
{
    dl_ctx *c = f->multi ? fm_ctx_on(f->multi, engine, tenant, err) : f->ctx;
    return c ? dk_client_endpoint(c->dk) : NULL;
}
