/* fleet_multi.h - private to fleet.c and fleet_multi.c: the fleet over
 * several engines that fleet.c's public calls hand over to when
 * dl_fleet.multi is set (see fleet.h, "several engines"). */
#ifndef DEEPLENS_FLEET_MULTI_H
#define DEEPLENS_FLEET_MULTI_H

#include "deeplens/fleet.h"

typedef struct fleet_multi fleet_multi;

fleet_multi *fm_new(dl_ctx *ctx, const dl_engine *e, size_t n, dl_err *err);
void fm_free(fleet_multi *m);
void fm_start(fleet_multi *m);
int fm_tick(fleet_multi *m, time_t now);
void fm_refresh(fleet_multi *m);
void fm_relist(fleet_multi *m);
void fm_refresh_one(fleet_multi *m, const char *tenant);
unsigned long fm_generation(const fleet_multi *m);
const char *fm_error(fleet_multi *m, time_t *next_retry);
const dk_version *fm_engine(const fleet_multi *m);
int fm_loading(const fleet_multi *m);
size_t fm_count(fleet_multi *m);
const dl_status *fm_at(fleet_multi *m, size_t i);
const dl_status *fm_find(fleet_multi *m, const char *tenant);
int fm_poll(fleet_multi *m, int extra_fd, int timeout_ms);
size_t fm_engines(const fleet_multi *m);
const char *fm_engine_name(const fleet_multi *m, size_t i);
const char *fm_engine_error(const fleet_multi *m, size_t i);
const dk_version *fm_engine_version(const fleet_multi *m, size_t i);
dl_ctx *fm_ctx_of(fleet_multi *m, const char *tenant, dl_err *err);
dl_ctx *fm_ctx_on(fleet_multi *m, const char *engine, const char *tenant, dl_err *err);

#endif
