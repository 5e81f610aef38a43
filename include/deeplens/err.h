/* err.h - errors as values.
 *
 * Every fallible function in deeplens-backup returns 0 on success and -1 on
 * failure, and fills a caller-owned `dl_err` with a kind and a human message.
 * Messages are lowercase, name the thing and quote the value:
 *   no such container 'deeplens-backup-acme'
 *   invalid schedule '61 2 * * *': minute must be 0-59
 * The kind decides the CLI exit code (one table, below). Nothing here
 * allocates; a dl_err lives on the caller's stack.
 */
#ifndef DEEPLENS_ERR_H
#define DEEPLENS_ERR_H

#include <stdarg.h>

/* X(name, word, exit code) - the one table of error kinds. */
#define DL_ERRKINDS(X)                                   \
    X(DL_OK,        "ok",                 0)             \
    X(DL_EFAIL,     "failed",             1)             \
    X(DL_EINVAL,    "invalid input",      2)             \
    X(DL_ECONN,     "engine unreachable", 3)             \
    X(DL_ENOTFOUND, "not found",          4)             \
    X(DL_ECONFLICT, "conflict",           5)             \
    X(DL_EUNVERIFIED, "not verified",     7)             \
    X(DL_EREADONLY, "refused: read-only mode", 8)        \
    X(DL_EHTTP,     "engine error",       1)             \
    X(DL_EPROTO,    "protocol error",     1)             \
    X(DL_ESYS,      "system error",       1)             \
    X(DL_ECANCEL,   "cancelled",          130)

typedef enum dl_errkind {
#define DL_X_ENUM(name, word, code) name,
    DL_ERRKINDS(DL_X_ENUM)
#undef DL_X_ENUM
    DL_ERRKIND_COUNT
} dl_errkind;

typedef struct dl_err {
    dl_errkind kind;
    long http_status;  /* engine HTTP status when the engine answered, else 0 */
    char msg[512];
} dl_err;

/* Clear to DL_OK with an empty message. */
void dl_err_clear(dl_err *e);

/* Set kind and message (printf-style); http_status is left as it is, so an
 * engine error can be reworded. Always returns -1 so callers can
 * `return dl_err_set(err, DL_EINVAL, "...", ...);`. `e` may be NULL. */
int dl_err_set(dl_err *e, dl_errkind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int dl_err_setv(dl_err *e, dl_errkind kind, const char *fmt, va_list ap);

/* Prepend context: "creating volume: <old message>". Keeps the kind. */
void dl_err_prefix(dl_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *dl_errkind_word(dl_errkind k);
int dl_errkind_exit_code(dl_errkind k);

#endif
