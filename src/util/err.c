/* err.c - errors as values (see include/deeplens/err.h). */
#include "deeplens/err.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *word;
    int exit_code;
} kinds[] = {
#define DL_X_ROW(name, word, code) {word, code},
    DL_ERRKINDS(DL_X_ROW)
#undef DL_X_ROW
};

void dl_err_clear(dl_err *e)
{
    if (!e)
        return;
    e->kind = DL_OK;
    e->http_status = 0;
    e->msg[0] = '\0';
}

int dl_err_setv(dl_err *e, dl_errkind kind, const char *fmt, va_list ap)
{
    if (!e)
        return -1;
    e->kind = kind;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return -1;
}

int dl_err_set(dl_err *e, dl_errkind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dl_err_setv(e, kind, fmt, ap);
    va_end(ap);
    return -1;
}

void dl_err_prefix(dl_err *e, const char *fmt, ...)
{
    char head[256], old[sizeof e->msg];
    va_list ap;
    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%s: %s", head, old);
}

const char *dl_errkind_word(dl_errkind k)
{
    return (unsigned)k < DL_ERRKIND_COUNT ? kinds[k].word : "unknown error";
}

int dl_errkind_exit_code(dl_errkind k)
{
    return (unsigned)k < DL_ERRKIND_COUNT ? kinds[k].exit_code : 1;
}
