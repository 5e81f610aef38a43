/* test_forms.c - the console's forms and progress view.
 *
 * The pure parts (validation mapping, presets, next-run preview, storage
 * estimate, summaries, results, the remove confirmation) are driven through
 * the model; then whole forms are driven key by key on a real ncurses
 * screen (newterm on /dev/null) with the form library doing the editing,
 * and read back from the window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/config.h"
#include "deeplens/cron.h"
#include "../../../src/tui/form_internal.h"
#include "../../../src/tui/keys.h"
#include "../../../src/tui/progress.h"

/* Tue 25 Nov 2025 12:00:00 UTC */
#define NOW ((time_t)1764072000)

static void type(ui_form *f, const char *s)
{
    for (; *s; s++)
        ui_form_key(f, (unsigned char)*s);
}

static void clear_field(ui_form *f)
{
    ui_form_key(f, 0x15);   /* Ctrl-U */
}

static int fld_idx(ui_form *f, enum uif_id id)
{
    int i = uif_find(f, id);
    assert_true(i >= 0);
    return i;
}

/* Move focus to a field with Tab, as an operator would. */
static void go(ui_form *f, enum uif_id id)
{
    int want = fld_idx(f, id), guard = 0;
    while (f->cur != want && guard++ < 20)
        ui_form_key(f, '\t');
    assert_int_equal(f->cur, want);
}

static void set_text(ui_form *f, enum uif_id id, const char *s)
{
    go(f, id);
    clear_field(f);
    type(f, s);
}

static int summary_has(const ui_form *f, const char *needle)
{
    int i;
    for (i = 0; i < f->nsum; i++)
        if (strstr(f->sum[i].text, needle))
            return 1;
    return 0;
}

static dl_spec site(void)
{
    dl_spec s;
    dl_spec_defaults(&s);
    return s;
}

static void status_of(dl_status *st, const char *tenant)
{
    memset(st, 0, sizeof *st);
    dl_spec_defaults(&st->spec);
    snprintf(st->spec.tenant, sizeof st->spec.tenant, "%s", tenant);
    snprintf(st->spec.nfs_path, sizeof st->spec.nfs_path, "nfs1:/exports/%s", tenant);
    dl_validate_nfs_path(st->spec.nfs_path, &st->spec.target, NULL);
    st->have_job_status = 1;
    st->file_count = 30;
    st->total_bytes = 3LL << 30;
    snprintf(st->last_success_file, sizeof st->last_success_file,
             "tenant_%s_metadata_20251124_020001.sql.gz", tenant);
}

/* ---- pure parts ------------------------------------------------------------ */

static void test_presets(void **state)
{
    (void)state;
    assert_int_equal(dl_cron_npresets, 6);
    assert_int_equal(uif_preset_find("0 2 * * *"), 0);
    assert_int_equal(uif_preset_find("0  2 * *   *"), 0);   /* same schedule */
    assert_int_equal(uif_preset_find("0 */6 * * *"), 1);
    assert_int_equal(uif_preset_find("0 3 * * sun"), 4);
    assert_int_equal(uif_preset_find("5 4 * * *"), -1);
    assert_int_equal(uif_preset_find("garbage"), -1);
    assert_int_equal(uif_preset_cycle("0 2 * * *", 1), 1);
    assert_int_equal(uif_preset_cycle("0 2 * * *", -1), dl_cron_npresets - 1);
    assert_int_equal(uif_preset_cycle("0 * * * *", 1), 0);        /* wraps */
    assert_int_equal(uif_preset_cycle("5 4 * * *", 1), 0);
    assert_int_equal(uif_preset_cycle("5 4 * * *", -1), dl_cron_npresets - 1);
}

static void test_next_runs(void **state)
{
    char buf[200];
    (void)state;
    assert_int_equal(uif_next_runs("0 2 * * *", NOW, 3, buf, sizeof buf), 0);
    assert_string_equal(buf, "next: Wed 26 Nov 02:00, Thu 27 Nov 02:00, Fri 28 Nov 02:00 UTC");
    uif_next_runs("0 */6 * * *", NOW, 3, buf, sizeof buf);
    assert_string_equal(buf, "next: Tue 25 Nov 18:00, Wed 26 Nov 00:00, Wed 26 Nov 06:00 UTC");
    uif_next_runs("0 3 * * 0", NOW, 3, buf, sizeof buf);
    assert_string_equal(buf, "next: Sun 30 Nov 03:00, Sun 07 Dec 03:00, Sun 14 Dec 03:00 UTC");
    uif_next_runs_fmt("0 2 * * *", NOW, 3, 1, buf, sizeof buf);
    assert_string_equal(buf, "next: Wed 26 Nov 02:00, Thu 27 02:00, Fri 28 02:00 UTC");
    uif_next_runs_fmt("0 2 30 * *", NOW, 3, 1, buf, sizeof buf);
    assert_string_equal(buf, "next: Sun 30 Nov 02:00, Tue 30 Dec 02:00, Fri 30 Jan 02:00 UTC");
    assert_int_equal(uif_next_runs("61 2 * * *", NOW, 3, buf, sizeof buf), -1);
    assert_string_equal(buf, "");
    /* 31 April: the parser may refuse it; if not, it never runs */
    if (uif_next_runs("0 0 31 4 *", NOW, 3, buf, sizeof buf) == 0)
        assert_string_equal(buf, "next: never (no run within 5 years)");
}

static void test_estimate(void **state)
{
    char buf[200];
    (void)state;
    uif_estimate(30, 1, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "needs \xe2\x89\x88 DB size \xc3\x97 30 \xc3\x97 0.3 "
                             "\xc3\x97 1.2 = 10.8 \xc3\x97 DB size");
    uif_estimate(30, 1, 0, 1, buf, sizeof buf);
    assert_string_equal(buf, "needs ~ DB size x 30 x 0.3 x 1.2 = 10.8 x DB size");
    uif_estimate(30, 0, 0, 1, buf, sizeof buf);
    assert_string_equal(buf, "needs ~ DB size x 30 x 1 x 1.2 = 36 x DB size");
    uif_estimate(60, 1, 0, 1, buf, sizeof buf);
    assert_string_equal(buf, "needs ~ DB size x 60 x 0.3 x 1.2 = 21.6 x DB size");
    /* the document's example: 5 GB x 30 x 0.3 x 1.2 = 54 GB */
    uif_estimate(30, 1, 5LL << 30, 1, buf, sizeof buf);
    assert_string_equal(buf, "needs ~ DB size x 30 x 0.3 x 1.2 = 10.8 x DB size (54 GiB now)");   /* the one IEC size format */
}

/* Every field message is exactly the CLI validator's message. */
static void test_validation_mapping(void **state)
{
    dl_spec s = site();
    ui_form *f = ui_form_provision(&s);
    dl_err err;
    int i;
    (void)state;

    i = fld_idx(f, UIF_TENANT);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "Acme");
    assert_int_equal(uif_validate(f, i), -1);
    dl_validate_tenant("Acme", &err);
    assert_string_equal(f->fld[i].msg, err.msg);
    assert_non_null(strstr(f->fld[i].msg, "'Acme'"));

    i = fld_idx(f, UIF_NFS_PATH);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "server/export");
    assert_int_equal(uif_validate(f, i), -1);
    dl_validate_nfs_path("server/export", NULL, &err);
    assert_string_equal(f->fld[i].msg, err.msg);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "local:/tmp/x");
    assert_int_equal(uif_validate(f, i), 0);
    assert_string_equal(f->fld[i].msg, "");

    i = fld_idx(f, UIF_SCHEDULE);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "61 2 * * *");
    assert_int_equal(uif_validate(f, i), -1);
    dl_validate_schedule("61 2 * * *", &err);
    assert_string_equal(f->fld[i].msg, err.msg);

    i = fld_idx(f, UIF_RETENTION);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "0");
    assert_int_equal(uif_validate(f, i), -1);
    dl_validate_retention("0", NULL, &err);
    assert_string_equal(f->fld[i].msg, err.msg);

    i = fld_idx(f, UIF_NFS_OPTIONS);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "rw,sync;reboot");
    assert_int_equal(uif_validate(f, i), -1);
    dl_validate_nfs_options("rw,sync;reboot", &err);
    assert_string_equal(f->fld[i].msg, err.msg);

    i = fld_idx(f, UIF_IMAGE);
    snprintf(f->fld[i].value, sizeof f->fld[i].value, "Bad Image");
    assert_int_equal(uif_validate(f, i), -1);
    dl_validate_image("Bad Image", &err);
    assert_string_equal(f->fld[i].msg, err.msg);

    i = fld_idx(f, UIF_TENANT_ID);     /* optional */
    f->fld[i].value[0] = '\0';
    assert_int_equal(uif_validate(f, i), 0);
    ui_form_free(f);
}

/* ---- whole forms on the model (no window) ---------------------------------- */

static void test_provision_flow(void **state)
{
    dl_spec s = site();
    ui_form *f = ui_form_provision(&s);
    const ui_form_result *r;
    int t;
    (void)state;

    f->now = NOW;
    assert_int_equal(ui_form_kind_of(f), UI_FORM_PROVISION);
    /* defaults from the document */
    assert_string_equal(f->fld[fld_idx(f, UIF_SCHEDULE)].value, "0 2 * * *");
    assert_string_equal(f->fld[fld_idx(f, UIF_RETENTION)].value, "30");
    assert_string_equal(f->fld[fld_idx(f, UIF_NFS_OPTIONS)].value, "rw,sync,hard,intr");
    assert_int_equal(f->fld[fld_idx(f, UIF_COMPRESSION)].on, 1);

    /* leaving a field shows its message inline */
    type(f, "Acme");
    t = f->cur;
    assert_int_equal(ui_form_key(f, '\t'), UI_FORM_EDITING);
    assert_true(f->fld[t].shown);
    assert_non_null(strstr(f->fld[t].msg, "invalid tenant name 'Acme'"));
    /* ... and follows the typing once shown */
    ui_form_key(f, KEY_BTAB);
    clear_field(f);
    type(f, "acme");
    assert_string_equal(f->fld[t].msg, "");

    /* submit with the NFS path empty: focus goes to it, with its message */
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_EDITING);
    assert_int_equal(f->cur, fld_idx(f, UIF_NFS_PATH));
    assert_true(f->fld[f->cur].msg[0] != '\0');
    assert_string_equal(f->form_msg, f->fld[f->cur].msg);

    type(f, "nfs-server.company.com:/exports/acme/backups");
    /* F3 cycles presets in the schedule field */
    go(f, UIF_SCHEDULE);
    ui_form_key(f, KEY_F(3));
    assert_string_equal(f->fld[f->cur].value, "0 */6 * * *");
    ui_form_key(f, KEY_F(15));
    ui_form_key(f, KEY_F(15));
    assert_string_equal(f->fld[f->cur].value, "0 * * * *");
    clear_field(f);
    type(f, "0 2,14 * * *");
    set_text(f, UIF_RETENTION, "60");
    go(f, UIF_COMPRESSION);
    ui_form_key(f, ' ');
    assert_int_equal(f->fld[f->cur].on, 0);
    ui_form_key(f, ' ');
    assert_int_equal(f->fld[f->cur].on, 1);
    /* the target is this tenant's only, unless shared on purpose */
    go(f, UIF_SHARED);
    assert_int_equal(f->fld[f->cur].on, 0);
    assert_int_equal(ui_form_key(f, 0x13), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "files in acme/ there; refused if another tenant backs up there"));
    assert_int_equal(ui_form_key(f, 'n'), UI_FORM_EDITING);
    go(f, UIF_SHARED);
    ui_form_key(f, ' ');
    assert_int_equal(f->fld[f->cur].on, 1);

    /* Ctrl-S submits: the summary says what will be created */
    assert_int_equal(ui_form_key(f, 0x13), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "deeplens-backup-acme"));
    assert_true(summary_has(f, "tenant_acme_pgbackup"));
    assert_true(summary_has(f, "nfs-server.company.com:/exports/acme/backups"));
    assert_true(summary_has(f, "NFS options rw,sync,hard,intr"));
    assert_true(summary_has(f, "tenant_acme_metadata on deeplens-postgres"));
    assert_true(summary_has(f, "0 2,14 * * *"));
    assert_true(summary_has(f, "60 days"));
    assert_true(summary_has(f, "other tenants may back up there too"));
    assert_true(summary_has(f, "= 21.6 "));
    assert_null(ui_form_result_get(f));

    /* n goes back to editing, values kept; Esc from confirming too */
    assert_int_equal(ui_form_key(f, 'n'), UI_FORM_EDITING);
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_int_equal(ui_form_key(f, 27), UI_FORM_EDITING);
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_int_equal(ui_form_key(f, 'y'), UI_FORM_DONE);

    r = ui_form_result_get(f);
    assert_non_null(r);
    assert_int_equal(r->kind, UI_FORM_PROVISION);
    assert_string_equal(r->tenant, "acme");
    assert_string_equal(r->spec.tenant, "acme");
    assert_string_equal(r->spec.nfs_path, "nfs-server.company.com:/exports/acme/backups");
    assert_int_equal(r->spec.target.kind, DL_TARGET_NFS);
    assert_string_equal(r->spec.target.server, "nfs-server.company.com");
    assert_string_equal(r->spec.target.path, "/exports/acme/backups");
    assert_string_equal(r->spec.schedule, "0 2,14 * * *");
    assert_int_equal(r->spec.retention_days, 60);
    assert_int_equal(r->spec.compression, 1);
    assert_int_equal(r->shared_target, 1);
    assert_string_equal(r->spec.image, s.image);
    assert_string_equal(r->spec.pg_host, s.pg_host);
    /* keys after DONE change nothing */
    assert_int_equal(ui_form_key(f, 27), UI_FORM_DONE);
    ui_form_free(f);
}

static void test_cancel_and_control_chars(void **state)
{
    dl_spec s = site();
    ui_form *f = ui_form_provision(&s);
    int c;
    (void)state;

    type(f, "ab");
    for (c = 1; c < 0x20; c++) {
        if (c == '\t' || c == '\n' || c == '\r' || c == 0x13 || c == 0x0e ||
            c == 0x10 || c == 0x15 || c == 0x0b || c == 0x08 || c == 0x01 ||
            c == 0x05 || c == 0x04 || c == 0x1b)
            continue;   /* keys with a meaning */
        ui_form_key(f, c);
    }
    ui_form_key(f, 0xe9);     /* é */
    ui_form_key(f, 0x2028);   /* line separator */
    assert_string_equal(f->fld[0].value, "ab");
    ui_form_key(f, KEY_BACKSPACE);
    assert_string_equal(f->fld[0].value, "a");
    assert_int_equal(ui_form_key(f, 27), UI_FORM_CANCELLED);
    assert_null(ui_form_result_get(f));
    ui_form_free(f);
}

static void test_provision_local_target(void **state)
{
    dl_spec s = site();
    ui_form *f = ui_form_provision(&s);
    (void)state;
    type(f, "dev1");
    set_text(f, UIF_NFS_PATH, "local:/tmp/dev1");
    ui_form_key(f, KEY_F(2));
    assert_int_equal(f->state, UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "local directory /tmp/dev1"));
    ui_form_key(f, '\n');
    assert_int_equal(ui_form_result_get(f)->spec.target.kind, DL_TARGET_LOCAL);
    ui_form_free(f);
}

/* Several engines: the Engine field comes first, prefilled, the cursor on the
 * Tenant; F3 cycles the names; an unknown or read-only name is refused
 * inline naming the field's value; the result and the summary carry it. */
static void test_provision_engine(void **state)
{
    dl_spec s = site();
    const char *names[] = {"a", "eng2", "eng3"};
    const char *ro[] = {NULL, DL_ENGINE_RO_OPTION, NULL};
    ui_form *f = ui_form_provision(&s);
    int e;
    (void)state;

    /* one engine, or another form: no field */
    assert_int_equal(ui_form_set_engines(f, names, ro, 1, NULL), 0);
    assert_int_equal(uif_find(f, UIF_ENGINE), -1);
    {
        dl_status st;
        status_of(&st, "acme");
        ui_form *g = ui_form_reschedule(&st);
        assert_int_equal(ui_form_set_engines(g, names, ro, 3, NULL), 0);
        assert_int_equal(uif_find(g, UIF_ENGINE), -1);
        ui_form_free(g);
    }

    /* a read-only default is not prefilled: the first writable one is */
    assert_int_equal(ui_form_set_engines(f, names, ro, 3, NULL), 0);
    e = uif_find(f, UIF_ENGINE);
    assert_int_equal(e, 0);
    assert_string_equal(f->fld[e].value, "a");
    assert_int_equal(f->fld[f->cur].id, UIF_TENANT);
    /* twice: still one field */
    assert_int_equal(ui_form_set_engines(f, names, ro, 3, "eng3"), 0);
    assert_string_equal(f->fld[0].value, "a");
    assert_int_equal(f->fld[1].id, UIF_TENANT);

    type(f, "acme");
    set_text(f, UIF_NFS_PATH, "local:/tmp/acme");
    go(f, UIF_ENGINE);
    assert_true(strstr(ui_form_hints(f), "engine") != NULL);
    ui_form_key(f, KEY_F(3));
    assert_string_equal(f->fld[e].value, "eng2");
    ui_form_key(f, KEY_F(3));
    assert_string_equal(f->fld[e].value, "eng3");
    ui_form_key(f, KEY_F(3));
    assert_string_equal(f->fld[e].value, "a");
    ui_form_key(f, KEY_F(15));
    assert_string_equal(f->fld[e].value, "eng3");

    /* a read-only engine: refused before the summary, naming it and why */
    set_text(f, UIF_ENGINE, "eng2");
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_EDITING);
    assert_int_equal(f->cur, e);
    assert_string_equal(f->fld[e].msg,
                        "engine 'eng2' is read-only (--read-only-engine eng2)");
    {
        char h[200];
        uif_hint(f, e, h, sizeof h);
        assert_string_equal(h, "F3 cycles: a, eng2 (read-only), eng3");
    }
    /* a name no engine has: the choices listed */
    set_text(f, UIF_ENGINE, "eng9");
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_EDITING);
    assert_string_equal(f->fld[e].msg,
                        "unknown engine 'eng9': one of a, eng2 (read-only), eng3 (F3 cycles them)");

    set_text(f, UIF_ENGINE, "eng3");
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "eng3"));
    assert_int_equal(ui_form_key(f, '\n'), UI_FORM_DONE);
    assert_string_equal(ui_form_result_get(f)->engine, "eng3");
    assert_string_equal(ui_form_result_get(f)->spec.tenant, "acme");
    ui_form_free(f);

    /* the selected row's writable engine is the default */
    f = ui_form_provision(&s);
    assert_int_equal(ui_form_set_engines(f, names, ro, 3, "eng3"), 0);
    assert_string_equal(f->fld[0].value, "eng3");
    ui_form_free(f);
    /* one engine: the result names none */
    f = ui_form_provision(&s);
    type(f, "acme");
    set_text(f, UIF_NFS_PATH, "local:/tmp/acme");
    ui_form_key(f, KEY_F(2));
    ui_form_key(f, '\n');
    assert_string_equal(ui_form_result_get(f)->engine, "");
    ui_form_free(f);
}

static void test_remove_confirmation(void **state)
{
    dl_status st;
    ui_form *f;
    const ui_form_result *r;
    (void)state;

    status_of(&st, "vayyari");
    /* default: keep */
    f = ui_form_remove(&st);
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "KEPT: 30 backup files (3.0 GiB) on nfs1:/exports/vayyari"));
    assert_false(summary_has(f, "DELETED"));
    ui_form_key(f, 'y');
    r = ui_form_result_get(f);
    assert_int_equal(r->delete_backups, 0);
    assert_string_equal(r->tenant, "vayyari");
    ui_form_free(f);

    /* anything but the exact name is refused */
    f = ui_form_remove(&st);
    type(f, "vayyar");
    assert_int_equal(ui_form_key(f, '\n'), UI_FORM_EDITING);
    assert_non_null(strstr(f->fld[0].msg, "'vayyar' is not the tenant name 'vayyari'"));
    clear_field(f);
    type(f, "VAYYARI");
    assert_int_equal(ui_form_key(f, '\n'), UI_FORM_EDITING);
    clear_field(f);
    type(f, "vayyari");
    assert_string_equal(f->fld[0].msg, "");
    assert_int_equal(ui_form_key(f, '\n'), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "DELETED: 30 backup files"));
    assert_false(summary_has(f, "KEPT"));
    /* back, clear the name: keep again */
    ui_form_key(f, 'n');
    clear_field(f);
    ui_form_key(f, KEY_F(2));
    assert_true(summary_has(f, "KEPT"));
    ui_form_key(f, 'n');
    type(f, "vayyari");
    ui_form_key(f, KEY_F(2));
    ui_form_key(f, 'Y');
    assert_int_equal(ui_form_result_get(f)->delete_backups, 1);
    ui_form_free(f);
}

static void test_restore(void **state)
{
    dl_status st;
    ui_form *f;
    const ui_form_result *r;
    int db;
    (void)state;

    status_of(&st, "acme");
    f = ui_form_restore(&st, NULL);
    assert_string_equal(f->fld[fld_idx(f, UIF_FILE)].value,
                        "tenant_acme_metadata_20251124_020001.sql.gz");
    db = fld_idx(f, UIF_DATABASE);
    assert_string_equal(f->fld[db].value, "tenant_acme_metadata_restore");
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "created if missing"));
    assert_false(summary_has(f, "REPLACED"));
    ui_form_key(f, 'n');

    /* force: the confirmation says REPLACED */
    go(f, UIF_FORCE);
    ui_form_key(f, ' ');
    ui_form_key(f, KEY_F(2));
    assert_true(summary_has(f, "will be REPLACED"));
    ui_form_key(f, 'n');

    /* the live database needs force */
    ui_form_key(f, ' ');
    set_text(f, UIF_DATABASE, "tenant_acme_metadata");
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_EDITING);
    assert_int_equal(f->cur, db);
    assert_non_null(strstr(f->fld[db].msg, "live database"));
    go(f, UIF_FORCE);
    ui_form_key(f, ' ');
    assert_string_equal(f->fld[db].msg, "");       /* follows the toggle */
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "LIVE database: it will be REPLACED"));
    ui_form_key(f, 'y');
    r = ui_form_result_get(f);
    assert_string_equal(r->database, "tenant_acme_metadata");
    assert_int_equal(r->force, 1);
    assert_string_equal(r->file, "tenant_acme_metadata_20251124_020001.sql.gz");
    ui_form_free(f);

    /* the file name grammar is the domain's, and a known list is checked */
    f = ui_form_restore(&st, "tenant_acme_metadata_20251124_020001.sql");
    assert_int_equal(uif_validate(f, fld_idx(f, UIF_FILE)), 0);
    set_text(f, UIF_FILE, "tenant_acme_metadata_2025112_020001.sql.gz");
    ui_form_key(f, '\t');
    assert_string_equal(f->fld[fld_idx(f, UIF_FILE)].msg,
                        "invalid backup file 'tenant_acme_metadata_2025112_020001.sql.gz': "
                        "expected tenant_acme_metadata_YYYYMMDD_HHMMSS.sql.gz");
    ui_form_free(f);
    {
        dl_file files[1];
        memset(files, 0, sizeof files);
        snprintf(files[0].name, sizeof files[0].name,
                 "tenant_acme_metadata_20251124_020001.sql.gz");
        st.files = files;
        st.nfiles = 1;
        f = ui_form_restore(&st, "tenant_acme_metadata_20251123_020001.sql.gz");
        assert_int_equal(uif_validate(f, fld_idx(f, UIF_FILE)), -1);
        assert_non_null(strstr(f->fld[fld_idx(f, UIF_FILE)].msg, "no backup file"));
        ui_form_free(f);
        f = ui_form_restore(&st, NULL);
        st.last_success_file[0] = '\0';
        assert_int_equal(uif_validate(f, fld_idx(f, UIF_FILE)), 0);
        ui_form_free(f);
        st.files = NULL;
        st.nfiles = 0;
    }

    /* an invalid target name and file name */
    f = ui_form_restore(&st, "x.sql.gz");
    set_text(f, UIF_FILE, "../etc/passwd");
    set_text(f, UIF_DATABASE, "bad name");
    ui_form_key(f, KEY_F(2));
    assert_int_equal(f->state, UI_FORM_EDITING);
    assert_int_equal(f->cur, fld_idx(f, UIF_FILE));
    assert_non_null(strstr(f->fld[f->cur].msg, "'../etc/passwd'"));
    assert_true(f->fld[db].msg[0] != '\0');
    ui_form_free(f);
}

static void test_reschedule(void **state)
{
    dl_status st;
    ui_form *f;
    const ui_form_result *r;
    (void)state;

    status_of(&st, "acme");
    st.db_size_bytes = 5LL << 30;
    f = ui_form_reschedule(&st);
    f->now = NOW;
    assert_string_equal(f->fld[0].value, "0 2 * * *");
    assert_string_equal(f->fld[1].value, "30");
    /* nothing changed: refused with a clear message */
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_EDITING);
    assert_non_null(strstr(f->form_msg, "nothing changed"));
    ui_form_key(f, KEY_F(3));
    assert_string_equal(f->fld[0].value, "0 */6 * * *");
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_true(summary_has(f, "0 */6 * * *"));
    assert_true(summary_has(f, "next: Tue 25 Nov 18:00"));
    assert_true(summary_has(f, "30 days (unchanged)"));
    ui_form_key(f, '\n');
    r = ui_form_result_get(f);
    assert_string_equal(r->tenant, "acme");
    assert_string_equal(r->schedule, "0 */6 * * *");
    assert_int_equal(r->retention_days, 30);
    ui_form_free(f);
}

/* ---- on a real screen ------------------------------------------------------ */

static SCREEN *scr;
static FILE *scr_out, *scr_in;

static int screen_up(void **state)
{
    (void)state;
    setenv("LINES", "50", 1);
    setenv("COLUMNS", "160", 1);
    scr_out = fopen("/dev/null", "w");
    scr_in = fopen("/dev/null", "r");
    scr = newterm("xterm", scr_out, scr_in);
    return scr ? 0 : -1;
}

static int screen_down(void **state)
{
    (void)state;
    endwin();
    delscreen(scr);
    fclose(scr_out);
    fclose(scr_in);
    return 0;
}

static int row_has(WINDOW *w, int y, const char *needle)
{
    char buf[512];
    mvwinnstr(w, y, 0, buf, (int)sizeof buf - 1);
    return strstr(buf, needle) != NULL;
}

static int win_has(WINDOW *w, const char *needle)
{
    int y, h = getmaxy(w);
    for (y = 0; y < h; y++)
        if (row_has(w, y, needle))
            return 1;
    return 0;
}

static void keys_draw(ui_form *f, WINDOW *w, const char *s)
{
    for (; *s; s++) {
        ui_form_key(f, (unsigned char)*s);
        ui_form_draw(f, w);
    }
}

static void test_screen_provision(void **state)
{
    WINDOW *w = newwin(30, 100, 0, 0);
    dl_spec s = site();
    ui_form *f = ui_form_provision(&s);
    const ui_form_result *r;
    (void)state;

    ui_form_set_ascii(f, 1);
    f->now = NOW;
    ui_form_draw(f, w);
    assert_int_equal(f->npages, 1);
    assert_true(win_has(w, "Provision a tenant backup"));
    assert_true(win_has(w, "Tenant"));
    assert_true(win_has(w, "next: Wed 26 Nov 02:00, Thu 27 Nov 02:00, Fri 28 Nov 02:00 UTC"));
    assert_true(win_has(w, "daily 02:00 - preset 'daily 2 AM'"));
    assert_true(win_has(w, "needs ~ DB size x 30 x 0.3 x 1.2 = 10.8 x DB size"));
    assert_true(win_has(w, "[x] on (gzip)"));
    assert_true(ui_form_wants_cursor(f));

    /* the FORM edits: typed text, Left + insert, Backspace */
    keys_draw(f, w, "acm");
    ui_form_key(f, KEY_LEFT);
    keys_draw(f, w, "x");
    assert_string_equal(f->fld[0].value, "acxm");
    ui_form_key(f, KEY_BACKSPACE);
    ui_form_key(f, KEY_END);
    keys_draw(f, w, "e");
    assert_string_equal(f->fld[0].value, "acme");
    assert_true(win_has(w, "acme"));

    /* leave the NFS path invalid: the message appears under it */
    keys_draw(f, w, "\t\tserver/export\t");
    assert_true(win_has(w, "invalid NFS path 'server/export'"));
    ui_form_key(f, KEY_UP);
    ui_form_key(f, 0x15);
    keys_draw(f, w, "local:/tmp/acme");
    assert_false(win_has(w, "invalid NFS path"));

    /* schedule: typing updates the preview live */
    ui_form_key(f, '\t');
    ui_form_key(f, 0x15);
    keys_draw(f, w, "0 3 * * 0");
    assert_true(win_has(w, "next: Sun 30 Nov 03:00, Sun 07 Dec 03:00, Sun 14 Dec 03:00 UTC"));
    keys_draw(f, w, "0");     /* "0 3 * * 00" is still sunday */
    ui_form_key(f, KEY_BACKSPACE);
    ui_form_key(f, KEY_BACKSPACE);
    keys_draw(f, w, "9");
    assert_false(win_has(w, "next:"));

    /* submit: focus moves to the schedule with its message */
    ui_form_key(f, KEY_F(2));
    ui_form_draw(f, w);
    assert_int_equal(f->cur, fld_idx(f, UIF_SCHEDULE));
    assert_true(win_has(w, "invalid schedule '0 3 * * 9'"));
    ui_form_key(f, KEY_BACKSPACE);
    keys_draw(f, w, "1");
    ui_form_key(f, '\t');
    ui_form_key(f, 0x15);
    keys_draw(f, w, "7");
    assert_true(win_has(w, "= 2.5 x DB size"));    /* 7 x 0.3 x 1.2 */

    ui_form_key(f, KEY_F(2));
    assert_int_equal(f->state, UI_FORM_CONFIRMING);
    ui_form_draw(f, w);
    assert_true(win_has(w, "deeplens-backup-acme"));
    assert_true(win_has(w, "tenant_acme_pgbackup -> local directory /tmp/acme"));
    assert_true(win_has(w, "Create it? y/Enter yes"));
    ui_form_key(f, 'n');
    ui_form_draw(f, w);
    assert_true(win_has(w, "local:/tmp/acme"));      /* back, fields intact */
    ui_form_key(f, KEY_F(2));
    ui_form_key(f, 'y');
    r = ui_form_result_get(f);
    assert_non_null(r);
    assert_string_equal(r->spec.tenant, "acme");
    assert_string_equal(r->spec.nfs_path, "local:/tmp/acme");
    assert_string_equal(r->spec.schedule, "0 3 * * 1");
    assert_int_equal(r->spec.retention_days, 7);
    ui_form_free(f);
    delwin(w);
}

/* 60x15: the fields go on pages; resizing keeps what was typed. */
static void test_screen_small_and_resize(void **state)
{
    WINDOW *w = newwin(15, 60, 0, 0), *big;
    dl_spec s = site();
    ui_form *f = ui_form_provision(&s);
    int y;
    (void)state;

    ui_form_set_ascii(f, 1);
    f->now = NOW;
    ui_form_draw(f, w);
    assert_false(f->too_small);
    assert_true(f->npages > 1);
    assert_true(win_has(w, "page 1/"));
    keys_draw(f, w, "small");
    go(f, UIF_IMAGE);
    ui_form_draw(f, w);
    assert_true(win_has(w, "Image"));
    assert_false(win_has(w, "Tenant id"));
    go(f, UIF_SCHEDULE);
    ui_form_draw(f, w);
    assert_true(win_has(w, "next: Wed 26 Nov 02:00, Thu 27 02:00, Fri 28 02:00 UTC"));
    go(f, UIF_IMAGE);
    ui_form_draw(f, w);
    assert_true(win_has(w, s.image));
    /* every row fits in 60 columns */
    for (y = 0; y < 15; y++) {
        char buf[80];
        mvwinnstr(w, y, 0, buf, 61);
        assert_true(strlen(buf) <= 60);
    }
    ui_form_key(f, KEY_PPAGE);
    ui_form_key(f, KEY_PPAGE);
    ui_form_draw(f, w);
    assert_int_equal(f->cur, 0);
    assert_true(win_has(w, "small"));

    big = newwin(40, 120, 0, 0);
    ui_form_resize(f, big);
    ui_form_draw(f, big);
    assert_int_equal(f->npages, 1);
    assert_true(win_has(big, "small"));
    assert_true(win_has(big, "Image"));
    keys_draw(f, big, "er");
    assert_string_equal(f->fld[0].value, "smaller");

    /* too small: says so instead of failing */
    delwin(w);
    w = newwin(3, 30, 0, 0);
    ui_form_draw(f, w);
    assert_true(win_has(w, "too small"));
    ui_form_draw(f, big);
    assert_true(win_has(big, "smaller"));
    ui_form_free(f);
    delwin(w);
    delwin(big);
}

static void test_screen_remove_summary(void **state)
{
    WINDOW *w = newwin(15, 60, 0, 0);
    dl_status st;
    ui_form *f;
    (void)state;

    status_of(&st, "vayyari");
    f = ui_form_remove(&st);
    ui_form_set_ascii(f, 1);
    ui_form_draw(f, w);
    assert_true(win_has(w, "type 'vayyari' to DELETE the files; empty keeps them"));
    /* a message too long for its row: cut there, whole in the status area */
    keys_draw(f, w, "vayyar\n");
    assert_true(row_has(w, 3, "'vayyar' is not the tenant name 'vayyari': type it ex..."));
    assert_true(row_has(w, 13, "'vayyar' is not the tenant name 'vayyari': type it"));
    assert_true(row_has(w, 14, "to delete the backups, or leave it empty to keep them"));
    keys_draw(f, w, "i\n");
    assert_int_equal(f->state, UI_FORM_CONFIRMING);
    ui_form_draw(f, w);
    assert_true(win_has(w, "DELETED"));
    assert_true(win_has(w, "cannot be undone"));
    ui_form_free(f);
    delwin(w);
}

/* ---- progress view --------------------------------------------------------- */

static void test_progress(void **state)
{
    WINDOW *w = newwin(10, 60, 0, 0);
    ui_progress *p = ui_progress_new("Provisioning acme");
    dl_step_kind k;
    int i;
    (void)state;

    ui_progress_set_ascii(p, 1);
    ui_progress_add(p, DL_STEP_BEGIN, "Creating NFS volume: tenant_acme_pgbackup");
    ui_progress_add(p, DL_STEP_OK, "NFS volume created: tenant_acme_pgbackup");
    ui_progress_add(p, DL_STEP_INFO, "bell\a and\ttab \x1b[31mred");
    ui_progress_add(p, DL_STEP_FAIL, "container start failed");
    ui_progress_add(p, DL_STEP_ROLLBACK, "removing volume tenant_acme_pgbackup");
    assert_int_equal(ui_progress_count(p), 5);
    assert_string_equal(ui_progress_line(p, 2, &k), "bell^G and tab ^[[31mred");   /* the shared inert filter */
    assert_int_equal(k, DL_STEP_INFO);
    ui_progress_draw(p, w);
    assert_true(win_has(w, "Provisioning acme"));
    assert_true(win_has(w, "running"));
    assert_true(row_has(w, 2, "->     Creating NFS volume"));
    assert_true(row_has(w, 3, "[ok]   NFS volume created"));
    assert_true(row_has(w, 5, "[FAIL] container start failed"));
    assert_true(row_has(w, 6, "[undo] removing volume"));
    assert_true(win_has(w, "hide it and it goes on"));
    assert_int_equal(ui_progress_finished(p), 0);

    ui_progress_finish(p, 0, "no such image 'x'");
    ui_progress_draw(p, w);
    assert_true(win_has(w, "[FAIL] no such image 'x'"));
    assert_true(win_has(w, "press Enter to close"));
    assert_true(win_has(w, "failed"));

    /* many lines: follows the end, scrolls back, End follows again */
    for (i = 0; i < 50; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        ui_progress_add(p, DL_STEP_INFO, line);
    }
    ui_progress_draw(p, w);
    assert_true(win_has(w, "line 49"));
    ui_progress_move(p, UI_PROGRESS_TOP);
    ui_progress_draw(p, w);
    assert_true(win_has(w, "Creating NFS volume"));
    assert_false(win_has(w, "line 49"));
    ui_progress_move(p, UI_PROGRESS_BOTTOM);
    ui_progress_draw(p, w);
    assert_true(win_has(w, "line 49"));

    /* long lines wrap, at spaces when there are some */
    ui_progress_add(p, DL_STEP_INFO, "a very long line that goes on and on past the "
                                     "sixty columns of this window so it wraps END");
    ui_progress_add(p, DL_STEP_INFO, "x0123456789012345678901234567890123456789"
                                     "0123456789012345678901234567890123456789");
    ui_progress_draw(p, w);
    assert_true(row_has(w, 4, "a very long line that goes on and on past the sixty"));
    assert_true(row_has(w, 5, "       columns of this window so it wraps END"));
    /* no space: cut at the width (60 - 7 columns of marker) */
    assert_true(row_has(w, 6, "       x0123456789012345678901234567890123456789012345678901"));
    assert_true(row_has(w, 7, "       2345678901234567890123456789 "));

    assert_int_equal(ui_progress_finished(p), 1);
    ui_progress_free(p);
    delwin(w);
}

static void test_progress_utf8_and_cap(void **state)
{
    ui_progress *p = ui_progress_new("t");
    size_t i;
    (void)state;

    ui_progress_add(p, DL_STEP_INFO, "caf\xc3\xa9 \xff\xfe bad");
    assert_string_equal(ui_progress_line(p, 0, NULL), "caf\xc3\xa9 \\xff\\xfe bad");
    for (i = 0; i < UI_PROGRESS_MAX_LINES + 10; i++)
        ui_progress_add(p, DL_STEP_INFO, "x");
    assert_true(ui_progress_count(p) <= UI_PROGRESS_MAX_LINES);
    ui_progress_free(p);
}

/* The footer's hints come from the key table: a form key the operator
 * rebinds shows as bound, and works. */
static void test_hints_follow_binds(void **state)
{
    dl_spec s = site();
    dl_config cfg;
    dl_err err;
    (void)state;

    assert_int_equal(ui_keys_init(NULL, NULL), 0);
    ui_form *f = ui_form_provision(&s);
    go(f, UIF_TENANT);
    assert_string_equal(ui_form_hints(f),
                        "Tab/Down next  BackTab/Up prev  Enter next/submit  F2/^S submit  Esc cancel");
    go(f, UIF_SCHEDULE);
    assert_string_equal(ui_form_hints(f),
                        "Tab/Down next  BackTab/Up prev  F3 preset  F2/^S submit  Esc cancel");
    ui_form_free(f);

    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.binds[0].key, sizeof cfg.binds[0].key, "F4");
    snprintf(cfg.binds[0].action, sizeof cfg.binds[0].action, "form-submit");
    snprintf(cfg.binds[1].key, sizeof cfg.binds[1].key, "^G");
    snprintf(cfg.binds[1].action, sizeof cfg.binds[1].action, "form-cancel");
    snprintf(cfg.binds[2].key, sizeof cfg.binds[2].key, "F5");
    snprintf(cfg.binds[2].action, sizeof cfg.binds[2].action, "form-preset-next");
    cfg.nbinds = 3;
    dl_err_clear(&err);
    assert_int_equal(ui_keys_init(&cfg, &err), 0);
    f = ui_form_provision(&s);
    go(f, UIF_SCHEDULE);
    assert_string_equal(ui_form_hints(f),
                        "Tab/Down next  BackTab/Up prev  F5 preset  F4/F2 submit  ^G cancel");
    set_text(f, UIF_TENANT, "acme");
    set_text(f, UIF_NFS_PATH, "nfs-server.company.com:/exports/acme/backups");
    /* the console maps the bound key to the action (operation.c), the form takes F2 */
    assert_int_equal(ui_keys_lookup(ui_key_parse("F4"), UI_CX_FORM), UI_ACT_FORM_SUBMIT);
    assert_int_equal(ui_form_key(f, KEY_F(2)), UI_FORM_CONFIRMING);
    assert_string_equal(ui_form_hints(f), "y/Enter confirm  n/Esc back to editing  Up/Down scroll");
    ui_form_free(f);
    assert_int_equal(ui_keys_init(NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_next_runs),
        cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_validation_mapping),
        cmocka_unit_test(test_provision_flow),
        cmocka_unit_test(test_cancel_and_control_chars),
        cmocka_unit_test(test_provision_local_target),
        cmocka_unit_test(test_provision_engine),
        cmocka_unit_test(test_remove_confirmation),
        cmocka_unit_test(test_restore),
        cmocka_unit_test(test_reschedule),
        cmocka_unit_test(test_progress_utf8_and_cap),
        cmocka_unit_test(test_hints_follow_binds),
    };
    const struct CMUnitTest screen[] = {
        cmocka_unit_test(test_screen_provision),
        cmocka_unit_test(test_screen_small_and_resize),
        cmocka_unit_test(test_screen_remove_summary),
        cmocka_unit_test(test_progress),
    };
    int failed;

    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    failed = cmocka_run_group_tests_name("forms (model)", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("forms (screen)", screen, screen_up,
                                          screen_down);
    return failed ? 1 : 0;
}
