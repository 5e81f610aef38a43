/* engines.h - several engines at once: ask them all concurrently, merge
 * their tenants into one list tagged with the engine, find a tenant's own
 * engine, and say which tenants are on more than one (a conflict).
 *
 * Each engine is asked on a thread of its own with a context of its own
 * (dl_ctx_open: one context per thread), so an engine that is down or slow
 * costs the others nothing: a stopped engine fails at connect, one that
 * accepts but does not answer fails its version check after
 * DL_ENGINE_TIMEOUT_MS, and the answer of every other engine is in by then.
 * Pure parts (merge, find) take answers and touch no engine.
 *
 * Ownership: the rows of a dl_engine_answer belong to it until
 * dl_engines_merge moves them into the merged array (freed with
 * dl_statuses_free); dl_engine_answers_clear frees what is left.
 */
#ifndef DEEPLENS_ENGINES_H
#define DEEPLENS_ENGINES_H

#include <stddef.h>

#include "deeplens/backup.h"

#define DL_ENGINES_MAX 16
#define DL_ENGINE_NAME_MAX 64
/* An engine that does not answer its version check within this is unreachable. */
#define DL_ENGINE_TIMEOUT_MS 5000

typedef struct dl_engine {
    char name[DL_ENGINE_NAME_MAX];   /* "eng2": the tag of its rows */
    dk_endpoint ep;
    /* NULL: writable; else read-only (no change to a tenant on it) and how
     * it was made so, for messages (static storage): DL_ENGINE_RO_OPTION,
     * DL_ENGINE_RO_CONFIG */
    const char *read_only;
} dl_engine;
#define DL_ENGINE_RO_OPTION "--read-only-engine"
#define DL_ENGINE_RO_CONFIG "read-only on its engine line in the config"

typedef enum dl_engines_read {
    DL_ENGINES_LIST,     /* dl_list: one request per engine */
    DL_ENGINES_STATUS    /* dl_status_all: the job status files too */
} dl_engines_read;

/* What one engine answered. */
typedef struct dl_engine_answer {
    int ok;              /* 1 answered; 0 unreachable (or failed), err says why */
    dl_err err;
    dk_version version;  /* when ok */
    dl_status *st;       /* its tenants, sorted by name, engine set; owned */
    size_t n;
    double seconds;      /* how long it took */
} dl_engine_answer;

/* Ask every engine at once (one thread each); fills ans[0..ne). Returns
 * the number of engines that answered. site: defaults for the contexts. */
size_t dl_engines_read_all(const dl_engine *e, size_t ne, const dl_spec *site,
                           dl_engines_read what, dl_engine_answer *ans);
void dl_engine_answers_clear(dl_engine_answer *ans, size_t ne);

/* Move the rows of every answer into one array sorted by tenant, then by
 * engine order; a row whose tenant is on more than one engine gets
 * conflict = 1. Returns the number of tenants in conflict. */
size_t dl_engines_merge(dl_engine_answer *ans, size_t ne, dl_status **out, size_t *n);

/* The engines (indices into ans, at most max) whose answer holds tenant;
 * returns how many hold it (may exceed max). */
size_t dl_engines_find(const dl_engine_answer *ans, size_t ne, const char *tenant, size_t *idx,
                       size_t max);

/* An engine name: 1-63 of [A-Za-z0-9_.-], starting with a letter or digit.
 * DL_EINVAL naming `field` and quoting the value. */
int dl_engine_name_check(const char *field, const char *name, dl_err *err);

/* How engine `name` was made read-only, for messages: "--read-only-engine
 * eng2" for the option, else read_only itself (DL_ENGINE_RO_CONFIG). */
const char *dl_engine_ro_how(const char *name, const char *read_only, char *buf, size_t n);

#endif
