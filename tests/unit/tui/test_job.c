/* test_job.c - the console's worker jobs without an engine: every kind runs
 * on its thread against an endpoint nobody listens on, hands its lines
 * over, ends with the engine-unreachable error, and frees cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../../src/tui/job.h"

typedef struct seen {
    int lines;
    char last[512];
} seen;

static void on_line(void *ud, dl_step_kind k, const char *line)
{
    seen *s = ud;
    (void)k;
    s->lines++;
    snprintf(s->last, sizeof s->last, "%s", line);
}

static void endpoint(dk_endpoint *ep)
{
    dl_err err;
    char host[200];
    snprintf(host, sizeof host, "unix:///tmp/deeplens-test-nobody-%ld.sock",
             (long)getpid());
    assert_int_equal(dk_endpoint_parse(ep, host, NULL, NULL, NULL, "/tmp", &err), 0);
}

/* Poll like the console's loop until the job says it is over. */
static void wait_done(ui_job *j, seen *s)
{
    int i;
    for (i = 0; i < 1000; i++) {
        if (ui_job_poll(j, on_line, s))
            return;
        usleep(10000);
    }
    fail_msg("job did not finish");
}

static void test_kinds_fail_cleanly(void **state)
{
    static const struct {
        ui_job_kind kind;
        const char *title;
    } kinds[] = {
        {UI_JOB_RESCHEDULE, "Rescheduling acme"},
        {UI_JOB_REMOVE, "Removing acme"},
        {UI_JOB_BACKUP_NOW, "Backing up acme"},
        {UI_JOB_RESTART, "Restarting acme"},
        {UI_JOB_VERIFY, "Verifying acme"},
        {UI_JOB_RESTORE, "Restoring acme"},
        {UI_JOB_FILES, "Listing files of acme"},
    };
    dk_endpoint ep;
    dl_spec site;
    size_t i;
    (void)state;

    endpoint(&ep);
    dl_spec_defaults(&site);
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        ui_job_req r;
        ui_job *j;
        dl_err err;
        dl_files files;
        seen s = {0};

        memset(&r, 0, sizeof r);
        r.kind = kinds[i].kind;
        snprintf(r.tenant, sizeof r.tenant, "acme");
        snprintf(r.form.schedule, sizeof r.form.schedule, "0 3 * * *");
        snprintf(r.form.database, sizeof r.form.database, "tenant_acme_metadata_restore");
        j = ui_job_start(&ep, &site, &r, NULL, &err);
        assert_non_null(j);
        assert_string_equal(ui_job_title(j), kinds[i].title);
        assert_int_equal(ui_job_kind_of(j), kinds[i].kind);
        wait_done(j, &s);
        assert_int_equal(ui_job_result(j, &err), -1);
        assert_int_equal(err.kind, DL_ECONN);
        assert_true(err.msg[0] != '\0');
        assert_int_equal(ui_job_files(j, &files), -1);
        /* polling again after the end is harmless */
        assert_int_equal(ui_job_poll(j, on_line, &s), 1);
        ui_job_free(j);
    }
}

static void test_provision_tenant_from_form(void **state)
{
    dk_endpoint ep;
    dl_spec site;
    ui_job_req r;
    ui_job *j;
    dl_err err;
    seen s = {0};
    (void)state;

    endpoint(&ep);
    dl_spec_defaults(&site);
    memset(&r, 0, sizeof r);
    r.kind = UI_JOB_PROVISION;
    r.form.kind = UI_FORM_PROVISION;
    r.form.spec = site;
    snprintf(r.form.spec.tenant, sizeof r.form.spec.tenant, "vayyari");
    snprintf(r.form.spec.nfs_path, sizeof r.form.spec.nfs_path, "local:/tmp/x");
    dl_validate_nfs_path(r.form.spec.nfs_path, &r.form.spec.target, NULL);
    snprintf(r.password, sizeof r.password, "secret");
    j = ui_job_start(&ep, &site, &r, NULL, &err);
    assert_non_null(j);
    assert_string_equal(ui_job_title(j), "Provisioning vayyari");
    wait_done(j, &s);
    assert_int_equal(ui_job_result(j, &err), -1);
    ui_job_free(j);
}

static void test_refused_requests(void **state)
{
    dk_endpoint ep;
    dl_spec site;
    ui_job_req r;
    dl_err err;
    (void)state;

    endpoint(&ep);
    dl_spec_defaults(&site);
    memset(&r, 0, sizeof r);
    r.kind = UI_JOB_BACKUP_NOW;                   /* no tenant anywhere */
    assert_null(ui_job_start(&ep, &site, &r, NULL, &err));
    assert_int_equal(err.kind, DL_EINVAL);
    r.kind = (ui_job_kind)99;
    snprintf(r.tenant, sizeof r.tenant, "acme");
    assert_null(ui_job_start(&ep, &site, &r, NULL, &err));
    assert_null(ui_job_start(NULL, &site, &r, NULL, &err));
    ui_job_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_fail_cleanly),
        cmocka_unit_test(test_provision_tenant_from_form),
        cmocka_unit_test(test_refused_requests),
    };
    return cmocka_run_group_tests_name("jobs", tests, NULL, NULL);
}
