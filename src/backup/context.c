/* context.c - a domain context on an engine (see backup.h): its client,
 * the loop's wait and its wake-up, so that callers above the domain reach
 * the engine only through the domain.
 */
#include <string.h>

#include "internal.h"

int dl_ctx_open(dl_ctx *ctx, const dk_endpoint *ep, const dl_spec *site, dl_err *err)
{
    memset(ctx, 0, sizeof *ctx);
    if (site)
        ctx->site = *site;
    else
        dl_spec_defaults(&ctx->site);
    return dk_client_new(&ctx->dk, ep, err);
}

void dl_ctx_close(dl_ctx *ctx)
{
    if (!ctx)
        return;
    dk_client_free(ctx->dk);
    ctx->dk = NULL;
}

int dl_ctx_poll(dl_ctx *ctx, int extra_fd, int timeout_ms)
{
    return dk_client_poll(ctx->dk, extra_fd, timeout_ms);
}

void dl_ctx_wakeup(dl_ctx *ctx)
{
    dk_client_wakeup(ctx->dk);
}
