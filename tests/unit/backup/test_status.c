/* Status model: the job's status file, the health rule, the storage
 * estimate and logfmt parsing - no engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../../src/backup/internal.h"
#include "deeplens/backup.h"

/* as the job writes it (recorded from a real run, trimmed) */
static const char job_status[] =
    "version=1\n"
    "tenant=vayyari\n"
    "database=tenant_vayyari_metadata\n"
    "last_run_start=1764036001\n"
    "last_run_end=1764036003\n"
    "last_result=ok\n"
    "last_reason=\n"
    "last_file=tenant_vayyari_metadata_20251125_020001.sql.gz\n"
    "last_size=48213\n"
    "last_duration=2\n"
    "last_success=1764036003\n"
    "last_success_file=tenant_vayyari_metadata_20251125_020001.sql.gz\n"
    "last_success_size=48213\n"
    "last_success_duration=2.5\n"
    "db_size_bytes=8053251\n"
    "disk_total_kb=1000000\n"
    "disk_free_kb=250000\n"
    "file_count=2\n"
    "total_bytes=96000\n"
    "file=tenant_vayyari_metadata_20251125_020001.sql.gz 48213 1764036003 sha256\n"
    "file=tenant_vayyari_metadata_20251124_020001.sql.gz 47787 1763949603 none\n"
    "garbage line without equals\n";

static void running(dl_status *st)
{
    memset(st, 0, sizeof *st);
    dl_spec_defaults(&st->spec);
    snprintf(st->spec.tenant, sizeof st->spec.tenant, "vayyari");
    snprintf(st->state, sizeof st->state, "running");
    st->started_at = 1764000000;
}

static void test_parse_job(void **state)
{
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    assert_int_equal(dl_status_parse_job(&st, job_status, strlen(job_status), &err), 0);
    assert_true(st.have_job_status);
    assert_string_equal(st.last_result, "ok");
    assert_int_equal(st.last_success, 1764036003);
    assert_int_equal(st.last_success_size, 48213);
    assert_true(st.last_success_duration > 2.4 && st.last_success_duration < 2.6);
    assert_int_equal(st.db_size_bytes, 8053251);
    assert_int_equal(st.disk_free_kb, 250000);
    assert_int_equal(st.file_count, 2);
    assert_int_equal(st.nfiles, 2);
    assert_string_equal(st.files[0].name, "tenant_vayyari_metadata_20251125_020001.sql.gz");
    assert_true(st.files[0].has_checksum);
    assert_false(st.files[1].has_checksum);
    assert_int_equal(st.files[1].size, 47787);
    /* parsing again replaces, not appends */
    assert_int_equal(dl_status_parse_job(&st, job_status, strlen(job_status), &err), 0);
    assert_int_equal(st.nfiles, 2);
    dl_status_clear(&st);
}

/* a suspicious size: warning with the job's reason; failing and overdue
 * still win; a cleared flag is ok again */
static void test_health_warning_size(void **state)
{
    static const char flagged[] =
        "version=1\nlast_result=ok\nlast_success=1764036003\nsize_flag=suspicious\n"
        "size_reason=size 4100 B is 9% of the median 45000 B of the last 3 good backups (limit 50%)\n"
        "timeout_count=2\n";
    static const char cleared[] = "version=1\nlast_result=ok\nlast_success=1764036003\nsize_flag=\n";
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    assert_int_equal(dl_status_parse_job(&st, flagged, strlen(flagged), &err), 0);
    assert_int_equal(st.timeout_count, 2);
    dl_health_eval(&st, 1764036003 + 3600);
    assert_int_equal(st.health, DL_HEALTH_WARNING);
    assert_string_equal(dl_health_word(st.health), "warning");
    assert_string_equal(dl_health_symbol(st.health), "~");
    assert_non_null(strstr(st.health_reason, "suspicious backup size: size 4100 B is 9% of the median"));
    /* overdue outranks it */
    dl_health_eval(&st, 1764036003 + 10 * 86400);
    assert_int_equal(st.health, DL_HEALTH_OVERDUE);
    /* and a failed run */
    snprintf(st.last_result, sizeof st.last_result, "FAILED");
    dl_health_eval(&st, 1764036003 + 3600);
    assert_int_equal(st.health, DL_HEALTH_FAILING);
    running(&st);
    assert_int_equal(dl_status_parse_job(&st, cleared, strlen(cleared), &err), 0);
    dl_health_eval(&st, 1764036003 + 3600);
    assert_int_equal(st.health, DL_HEALTH_OK);
    dl_status_clear(&st);
}

static void test_health_ok_and_next_run(void **state)
{
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    dl_status_parse_job(&st, job_status, strlen(job_status), &err);
    /* 2025-11-25 10:00 UTC: last good backup 8 h ago, daily schedule */
    dl_health_eval(&st, 1764064800);
    assert_int_equal(st.health, DL_HEALTH_OK);
    assert_int_equal(st.max_gap, 86400);
    assert_int_equal(st.next_run, 1764122400); /* 2025-11-26 02:00 */
    dl_status_clear(&st);
}

/* A read a few seconds after a scheduled time, before that run's result:
 * the run is pending; once its result is in, or long after, it is not. */
static void test_pending_run(void **state)
{
    dl_status st;
    dl_err err;
    time_t at = 0;
    (void)state;
    running(&st);
    dl_status_parse_job(&st, job_status, strlen(job_status), &err);
    snprintf(st.spec.schedule, sizeof st.spec.schedule, "* * * * *");
    st.last_run_start = 1764064800 - 60;            /* the 09:59 run */
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 3, 20, &at), 1);
    assert_true(at == 1764064800);                  /* 10:00 is pending */
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 20, 20, &at), 1);
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 22, 20, &at), 0);
    st.last_run_start = 1764064800;                 /* 10:00's result is in */
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 3, 20, &at), 0);
    st.last_run_start = 0;                          /* no run yet */
    st.started_at = 1764064800 + 1;                 /* but started after 10:00 */
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 3, 20, &at), 0);
    st.started_at = 1764064800 - 300;
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 3, 20, &at), 1);
    /* a daily schedule: nothing pending at 10:00:03 */
    snprintf(st.spec.schedule, sizeof st.spec.schedule, "0 2 * * *");
    assert_int_equal(dl_status_pending_run(&st, 1764064800 + 3, 20, &at), 0);
    dl_status_clear(&st);
}

static void test_health_overdue(void **state)
{
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    dl_status_parse_job(&st, job_status, strlen(job_status), &err);
    /* one day + grace (600 + 8640 s) is still ok, a bit later is overdue */
    dl_health_eval(&st, 1764036003 + 86400 + 9240 - 1);
    assert_int_equal(st.health, DL_HEALTH_OK);
    dl_health_eval(&st, 1764036003 + 86400 + 9240 + 60);
    assert_int_equal(st.health, DL_HEALTH_OVERDUE);
    assert_non_null(strstr(st.health_reason, "last good backup"));
    dl_status_clear(&st);
}

static void test_health_failing_and_stopped(void **state)
{
    static const char failed[] =
        "last_result=FAILED\nlast_reason=pg_dump: error: password authentication failed\n"
        "last_success=1764036003\n";
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    dl_status_parse_job(&st, failed, strlen(failed), &err);
    dl_health_eval(&st, 1764036003 + 60);
    assert_int_equal(st.health, DL_HEALTH_FAILING);
    assert_non_null(strstr(st.health_reason, "password authentication failed"));
    snprintf(st.state, sizeof st.state, "exited");
    dl_health_eval(&st, 1764036003 + 60);
    assert_int_equal(st.health, DL_HEALTH_STOPPED);
    assert_string_equal(dl_health_word(st.health), "stopped");
    dl_status_clear(&st);
}

/* the drill part of the rule (backup.h): untested only when drills are expected */
static void test_health_untested(void **state)
{
    static const char drilled[] = "last_drill=1764036100\nlast_drill_result=ok\n"
                                  "last_drill_reason=\nlast_drill_duration=3.5\n"
                                  "last_drill_file=tenant_vayyari_metadata_20251125_020001.sql.gz\n";
    static const char failed[] = "last_drill=1764036100\nlast_drill_result=FAILED\n"
                                 "last_drill_reason=table crm.orders: 1200 rows restored, "
                                 "1201 in the manifest\n";
    time_t t = 1764064800;   /* 8 h after the good backup */
    char text[2048];
    dl_status st;
    dl_err err;
    (void)state;

    /* no drill schedule, never drilled: not judged on drills */
    running(&st);
    dl_status_parse_job(&st, job_status, strlen(job_status), &err);
    dl_health_eval(&st, t);
    assert_int_equal(st.health, DL_HEALTH_OK);
    /* a drill schedule, container younger than the window: ok; older: untested */
    snprintf(st.spec.drill_schedule, sizeof st.spec.drill_schedule, "30 3 * * 0");
    dl_health_eval(&st, t);
    assert_int_equal(st.health, DL_HEALTH_OK);
    st.started_at = t - 9 * 86400;
    dl_health_eval(&st, t);
    assert_int_equal(st.health, DL_HEALTH_UNTESTED);
    assert_non_null(strstr(st.health_reason, "no drill has passed"));
    assert_string_equal(dl_health_word(st.health), "untested");
    assert_string_equal(dl_health_symbol(st.health), "*");
    dl_status_clear(&st);

    /* a passed drill within the window: ok; beyond it: untested */
    running(&st);
    snprintf(text, sizeof text, "%s%s", job_status, drilled);
    dl_status_parse_job(&st, text, strlen(text), &err);
    assert_int_equal(st.last_drill, 1764036100);
    assert_string_equal(st.last_drill_result, "ok");
    assert_true(st.last_drill_duration > 3.4 && st.last_drill_duration < 3.6);
    snprintf(st.spec.drill_schedule, sizeof st.spec.drill_schedule, "30 3 * * 0");
    st.spec.drill_window_days = 2;
    dl_health_eval(&st, 1764036100 + 2 * 86400);
    assert_int_equal(st.health, DL_HEALTH_OVERDUE);
    /* (the backup is overdue by then: overdue outranks untested) */
    st.last_success = 1764036100 + 2 * 86400 - 3600;
    dl_health_eval(&st, 1764036100 + 2 * 86400);
    assert_int_equal(st.health, DL_HEALTH_OK);
    dl_health_eval(&st, 1764036100 + 2 * 86400 + 60);
    assert_int_equal(st.health, DL_HEALTH_UNTESTED);
    assert_non_null(strstr(st.health_reason, "last passed drill"));
    dl_status_clear(&st);

    /* a failed drill: untested with its reason, with or without a schedule */
    running(&st);
    snprintf(text, sizeof text, "%s%s", job_status, failed);
    dl_status_parse_job(&st, text, strlen(text), &err);
    dl_health_eval(&st, t);
    assert_int_equal(st.health, DL_HEALTH_UNTESTED);
    assert_non_null(strstr(st.health_reason, "last drill failed: table crm.orders: 1200 rows"));
    /* a failing backup outranks it */
    snprintf(st.last_result, sizeof st.last_result, "FAILED");
    dl_health_eval(&st, t);
    assert_int_equal(st.health, DL_HEALTH_FAILING);
    dl_status_clear(&st);
}

static void test_health_without_job_status(void **state)
{
    dl_status st;
    (void)state;
    running(&st);
    dl_health_eval(&st, 1764036003);
    assert_int_equal(st.health, DL_HEALTH_UNKNOWN);
    snprintf(st.engine_health, sizeof st.engine_health, "unhealthy");
    dl_health_eval(&st, 1764036003);
    assert_int_equal(st.health, DL_HEALTH_FAILING);
    snprintf(st.engine_health, sizeof st.engine_health, "healthy");
    dl_health_eval(&st, 1764036003);
    assert_int_equal(st.health, DL_HEALTH_OK);
}

static void test_never_succeeded_counts_from_start(void **state)
{
    static const char never[] = "last_result=\n";
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    dl_status_parse_job(&st, never, strlen(never), &err);
    dl_health_eval(&st, st.started_at + 3600);
    assert_int_equal(st.health, DL_HEALTH_OK);
    dl_health_eval(&st, st.started_at + 3 * 86400);
    assert_int_equal(st.health, DL_HEALTH_OVERDUE);
    assert_non_null(strstr(st.health_reason, "no good backup"));
    dl_status_clear(&st);
}

/* A hostile status file (found by fuzz_status_file: last_success far in
 * the past made now - last_success overflow): absurd numbers are unknown. */
static void test_parse_job_hostile_numbers(void **state)
{
    static const char text[] = "last_result=ok\n"
                               "last_success=-9223372036854775808\n"
                               "last_run_end=99999999999999999999\n"
                               "last_size=-5\n"
                               "last_duration=nan\n"
                               "last_success_duration=1e308\n"
                               "file=a.sql.gz -1 1764036003 none\n"
                               "file=b.sql.gz 10 -1764036003 none\n"
                               "file=c.sql.gz 10 1764036003 none\n";
    dl_status st;
    dl_err err;
    (void)state;
    running(&st);
    assert_int_equal(dl_status_parse_job(&st, text, strlen(text), &err), 0);
    assert_int_equal(st.last_success, 0);
    assert_int_equal(st.last_run_end, 0);
    assert_int_equal(st.last_size, 0);
    assert_true(st.last_duration == 0);
    assert_true(st.last_success_duration == 0);
    assert_int_equal(st.nfiles, 1);
    assert_string_equal(st.files[0].name, "c.sql.gz");
    /* no success known: counted from the start, no overflow */
    dl_health_eval(&st, 1765850401);
    assert_int_equal(st.health, DL_HEALTH_OVERDUE);
    dl_status_clear(&st);
}

static void test_storage_estimate(void **state)
{
    (void)state;
    /* the document's example: 5 GB x 30 x 0.3 x 1.2 = 54 GB */
    assert_int_equal(dl_storage_estimate(5000000000LL, 30, 1), 54000000000LL);
    assert_int_equal(dl_storage_estimate(1000, 10, 0), 12000);
}

static void test_logfmt(void **state)
{
    char v[128];
    const char *line = "ts=2026-11-25T02:00:01Z event=backup result=FAILED "
                       "reason=\"pg_dump: error: \\\"x\\\" failed\" size=0";
    (void)state;
    assert_int_equal(dl_logfmt_get(line, "result", v, sizeof v), 0);
    assert_string_equal(v, "FAILED");
    assert_int_equal(dl_logfmt_get(line, "reason", v, sizeof v), 0);
    assert_string_equal(v, "pg_dump: error: \"x\" failed");
    assert_int_equal(dl_logfmt_get(line, "size", v, sizeof v), 0);
    assert_string_equal(v, "0");
    assert_int_equal(dl_logfmt_get(line, "file", v, sizeof v), -1);
    /* a key that is the tail of another key is not matched */
    assert_int_equal(dl_logfmt_get("xresult=1", "result", v, sizeof v), -1);
}

static void test_health_words(void **state)
{
    (void)state;
    assert_string_equal(dl_health_word(DL_HEALTH_OK), "ok");
    assert_string_equal(dl_health_word(DL_HEALTH_OVERDUE), "overdue");
    assert_string_equal(dl_health_word(DL_HEALTH_FAILING), "failing");
    assert_string_equal(dl_health_symbol(DL_HEALTH_FAILING), "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_job),
        cmocka_unit_test(test_health_ok_and_next_run),
        cmocka_unit_test(test_health_overdue),
        cmocka_unit_test(test_pending_run),
        cmocka_unit_test(test_health_failing_and_stopped),
        cmocka_unit_test(test_health_untested),
        cmocka_unit_test(test_health_without_job_status),
        cmocka_unit_test(test_never_succeeded_counts_from_start),
        cmocka_unit_test(test_parse_job_hostile_numbers),
        cmocka_unit_test(test_storage_estimate),
        cmocka_unit_test(test_logfmt),
        cmocka_unit_test(test_health_words),
        cmocka_unit_test(test_health_warning_size),
    };
    return cmocka_run_group_tests_name("backup/status", tests, NULL, NULL);
}
