/* test_output.c - the CLI's text and JSON output (src/cli/text.c, json.c):
 * inert control characters, sizes, durations, times, the status block and
 * the --json mapping (stable keys, numbers as numbers, epoch + ISO times). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "../../../src/cli/json.h"
#include "../../../src/cli/text.h"

static char *inert(const char *p, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_write_inert(f, p, n);
    fclose(f);
    return text;
}

#define INERT(in, want)                                                                          \
    do {                                                                                         \
        char *got_ = inert((in), sizeof(in) - 1);                                                \
        assert_string_equal(got_, (want));                                                       \
        free(got_);                                                                              \
    } while (0)

static void test_inert(void **state)
{
    (void)state;
    INERT("plain text", "plain text");
    INERT("tab\tkept", "tab\tkept");
    INERT("\033[2J\033]0;pwned\007", "^[[2J^[]0;pwned^G");
    INERT("cr\rnl\n", "cr^Mnl^J");
    INERT("del\177", "del^?");
    INERT("nul\0x", "nul^@x");
    INERT("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");      /* é € pass */
    INERT("csi\xc2\x9b" "31m", "csi\\u009b31m");                            /* C1 CSI */
    INERT("bad\xff\xfe", "bad\\xff\\xfe");
    INERT("cut\xe2\x82", "cut\\xe2\\x82");                                   /* truncated */
    INERT("over\xc0\xaf", "over\\xc0\\xaf");                                 /* overlong / */
    INERT("surr\xed\xa0\x80", "surr\\xed\\xa0\\x80");                        /* surrogate */
}

static void test_formats(void **state)
{
    char b[64];
    (void)state;
    assert_string_equal(cli_fmt_size(0, b, sizeof b), "0 B");
    assert_string_equal(cli_fmt_size(1023, b, sizeof b), "1023 B");
    assert_string_equal(cli_fmt_size(1536, b, sizeof b), "1.5 KiB");
    assert_string_equal(cli_fmt_size(5LL << 30, b, sizeof b), "5.0 GiB");
    assert_string_equal(cli_fmt_duration(45, b, sizeof b), "45s");
    assert_string_equal(cli_fmt_duration(12 * 60 + 5, b, sizeof b), "12m");
    assert_string_equal(cli_fmt_duration(5 * 3600 + 3 * 60, b, sizeof b), "5h 3m");
    assert_string_equal(cli_fmt_duration(2 * 86400 + 4 * 3600, b, sizeof b), "2d 4h");
    assert_string_equal(cli_fmt_duration(-3, b, sizeof b), "0s");
    assert_string_equal(cli_fmt_time(1765850401, b, sizeof b), "2025-12-16 02:00:01 UTC");
    assert_string_equal(cli_fmt_time(0, b, sizeof b), "never");
    assert_string_equal(cli_fmt_iso(1765850401, b, sizeof b), "2025-12-16T02:00:01Z");
    assert_string_equal(cli_schedule_words("0 2 * * *", b, sizeof b), "daily 02:00");
    assert_string_equal(cli_schedule_words("not a schedule", b, sizeof b), "");
}

static void sample(dl_status *st, int with_job)
{
    memset(st, 0, sizeof *st);
    dl_spec_defaults(&st->spec);
    strcpy(st->spec.tenant, "vayyari");
    strcpy(st->spec.nfs_path, "nfs-server.company.com:/exports/vayyari/backups");
    dl_validate_nfs_path(st->spec.nfs_path, &st->spec.target, NULL);
    strcpy(st->container, "deeplens-backup-vayyari");
    strcpy(st->state, "running");
    st->started_at = 1765850401 - 7200;
    st->created = st->started_at - 10;
    st->health = DL_HEALTH_OK;
    if (with_job) {
        st->have_job_status = 1;
        st->file_count = 30;
        st->total_bytes = 3LL << 30;
        st->last_success = 1765850401;
        strcpy(st->last_success_file, "tenant_vayyari_metadata_20251216_020001.sql.gz");
        st->last_success_size = 100 << 20;
        strcpy(st->last_result, "FAILED");
        strcpy(st->last_reason, "pg_dump: \033[31mconnection refused");
        st->last_run_end = 1765850401 + 60;
        st->next_run = 1765850401 + 86400;
        st->health = DL_HEALTH_FAILING;
        strcpy(st->health_reason, "the last run failed");
    }
}

static char *capture_status(const dl_status *st, int tty)
{
    char *text = NULL;
    size_t len = 0;
    cli_out o = {0};
    o.f = open_memstream(&text, &len);
    o.tty = tty;
    cli_print_status(&o, st, 1765850401 + 3600);
    fclose(o.f);
    return text;
}

static void test_status_block(void **state)
{
    dl_status st;
    char *text;
    (void)state;
    sample(&st, 1);
    text = capture_status(&st, 1);
    assert_non_null(strstr(text, "PostgreSQL Backup Status: vayyari\n"));
    assert_non_null(strstr(text, "deeplens-backup-vayyari - running, up 3h 0m"));
    assert_non_null(strstr(text, "tenant_vayyari_pgbackup"));
    assert_non_null(strstr(text, "nfs-server.company.com:/exports/vayyari/backups"));
    assert_non_null(strstr(text, "tenant_vayyari_metadata"));
    assert_non_null(strstr(text, "0 2 * * * (daily 02:00 UTC)"));
    assert_non_null(strstr(text, "30 days"));
    assert_non_null(strstr(text, "30, 3.0 GiB"));
    assert_non_null(strstr(text, "2025-12-16 02:00:01 UTC (1h 0m ago)"));
    assert_non_null(strstr(text, "FAILED"));
    assert_non_null(strstr(text, "^[[31mconnection refused"));   /* inert on a tty */
    assert_null(strstr(text, "\033"));
    assert_non_null(strstr(text, "Next Run:"));
    assert_non_null(strstr(text, "failing: the last run failed"));
    free(text);
    sample(&st, 0);
    text = capture_status(&st, 0);
    assert_non_null(strstr(text, "unknown (status file not read)"));
    assert_non_null(strstr(text, "Health:       ok\n"));
    free(text);
}

static cJSON *json_of(const dl_status *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    dl_err err;
    cJSON *root;
    assert_int_equal(cli_json_statuses(f, st, 1, 1765850401 + 3600, &err), 0);
    fclose(f);
    root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);
    assert_true(cJSON_IsArray(root));
    assert_int_equal(cJSON_GetArraySize(root), 1);
    return root;
}

/* The key sets of the full and the quick (list) object are the same. */
static void keys_equal(const cJSON *a, const cJSON *b)
{
    const cJSON *x;
    assert_int_equal(cJSON_GetArraySize(a), cJSON_GetArraySize(b));
    cJSON_ArrayForEach(x, a) assert_non_null(cJSON_GetObjectItemCaseSensitive(b, x->string));
}

static void test_json_status(void **state)
{
    dl_status full, quick;
    cJSON *jf, *jq, *o, *q, *ls;
    (void)state;
    sample(&full, 1);
    sample(&quick, 0);
    jf = json_of(&full);
    jq = json_of(&quick);
    o = cJSON_GetArrayItem(jf, 0);
    q = cJSON_GetArrayItem(jq, 0);
    keys_equal(o, q);
    assert_string_equal(cJSON_GetObjectItem(o, "tenant")->valuestring, "vayyari");
    assert_string_equal(cJSON_GetObjectItem(o, "health")->valuestring, "failing");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "retention_days")));
    assert_int_equal(cJSON_GetObjectItem(o, "retention_days")->valueint, 30);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "file_count")));
    assert_true(cJSON_IsBool(cJSON_GetObjectItem(o, "compression")));
    assert_int_equal((long long)cJSON_GetObjectItem(o, "uptime_seconds")->valuedouble, 3 * 3600);
    assert_string_equal(cJSON_GetObjectItem(o, "schedule_words")->valuestring, "daily 02:00");
    ls = cJSON_GetObjectItem(o, "last_success");
    assert_int_equal((long long)cJSON_GetObjectItem(ls, "time")->valuedouble, 1765850401);
    assert_string_equal(cJSON_GetObjectItem(ls, "time_iso")->valuestring, "2025-12-16T02:00:01Z");
    assert_int_equal((long long)cJSON_GetObjectItem(ls, "age_seconds")->valuedouble, 3600);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "last_run"), "result")->valuestring,
                        "FAILED");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "target"), "kind")->valuestring,
                        "nfs");
    /* unknown is null, never 0 or "" */
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(q, "file_count")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(q, "last_run")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(q, "next_run")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(q, "next_run_iso")));
    cJSON_Delete(jf);
    cJSON_Delete(jq);
}

static void test_json_files(void **state)
{
    dl_file files[2];
    dl_files f;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    dl_err err;
    cJSON *root, *arr;
    (void)state;
    memset(files, 0, sizeof files);
    strcpy(files[0].name, "tenant_a_metadata_20251216_020001.sql.gz");
    files[0].size = 1000;
    files[0].mtime = 1765850401;
    files[0].has_checksum = 1;
    strcpy(files[1].name, "tenant_a_metadata_20251215_020001.sql.gz");
    files[1].size = 24;
    memset(&f, 0, sizeof f);
    f.files = files;
    f.n = 2;
    assert_int_equal(cli_json_files(out, "a", &f, &err), 0);
    fclose(out);
    root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);
    arr = cJSON_GetObjectItem(root, "files");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_int_equal(cJSON_GetObjectItem(root, "total_bytes")->valueint, 1024);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "checksum")));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "mtime_iso")->valuestring,
                        "2025-12-16T02:00:01Z");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "mtime")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "disk"), "free_bytes")));
    cJSON_Delete(root);
}

static void capture_progress(int fancy, char **text)
{
    size_t len = 0;
    cli_out o = {0};
    o.f = open_memstream(text, &len);
    o.fancy = fancy;
    cli_progress(&o, DL_STEP_BEGIN, "Creating NFS volume: tenant_v_pgbackup");
    cli_progress(&o, DL_STEP_OK, "Volume created");
    cli_progress(&o, DL_STEP_FAIL, "boom");
    cli_progress(&o, DL_STEP_ROLLBACK, "Removing volume tenant_v_pgbackup");
    cli_progress(&o, DL_STEP_INFO, "job line");
    fclose(o.f);
}

static void test_progress_plain_and_fancy(void **state)
{
    char *text;
    (void)state;
    capture_progress(0, &text);
    assert_string_equal(text, "==> Creating NFS volume: tenant_v_pgbackup\n"
                              "ok Volume created\n"
                              "FAILED boom\n"
                              "rollback Removing volume tenant_v_pgbackup\n"
                              "    job line\n");
    free(text);
    capture_progress(1, &text);
    assert_non_null(strstr(text, "\xf0\x9f\x93\xa6 Creating NFS volume"));   /* 📦 */
    assert_non_null(strstr(text, "\xe2\x9c\x85 Volume created"));             /* ✅ */
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inert),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_status_block),
        cmocka_unit_test(test_json_status),
        cmocka_unit_test(test_json_files),
        cmocka_unit_test(test_progress_plain_and_fancy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
