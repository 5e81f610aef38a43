/* test_engines.c - merging several engines' rows, conflicts, finding a
 * tenant's engine, engine names (src/backup/engines.c, the pure parts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deeplens/engines.h"

/* An answer of engine `name` holding the tenants of the space-separated list. */
static void answer(dl_engine_answer *a, const char *name, const char *tenants)
{
    char copy[256], *save = NULL;
    memset(a, 0, sizeof *a);
    a->ok = 1;
    a->st = calloc(16, sizeof *a->st);
    assert_non_null(a->st);
    snprintf(copy, sizeof copy, "%s", tenants);
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        dl_status *s = &a->st[a->n++];
        snprintf(s->spec.tenant, sizeof s->spec.tenant, "%s", t);
        snprintf(s->engine, sizeof s->engine, "%s", name);
        s->files = calloc(1, sizeof *s->files);   /* owned: moved by the merge, freed once */
        s->nfiles = 1;
    }
}

static void test_merge_sorted_tagged(void **state)
{
    dl_engine_answer ans[3];
    dl_status *v;
    size_t n;
    (void)state;
    answer(&ans[0], "a", "zeta acme");
    answer(&ans[1], "b", "");
    answer(&ans[2], "c", "beta");
    assert_int_equal(dl_engines_merge(ans, 3, &v, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].spec.tenant, "acme");
    assert_string_equal(v[0].engine, "a");
    assert_string_equal(v[1].spec.tenant, "beta");
    assert_string_equal(v[1].engine, "c");
    assert_string_equal(v[2].spec.tenant, "zeta");
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].conflict, 0);
    for (int i = 0; i < 3; i++)
        assert_null(ans[i].st);   /* moved out */
    dl_engine_answers_clear(ans, 3);
    dl_statuses_free(v, n);
}

static void test_merge_conflicts(void **state)
{
    dl_engine_answer ans[3];
    dl_status *v;
    size_t n;
    (void)state;
    answer(&ans[0], "e1", "dup one");
    answer(&ans[1], "e2", "dup two both");
    answer(&ans[2], "e3", "both dup");
    /* two tenants in conflict: dup (3 engines), both (2) */
    assert_int_equal(dl_engines_merge(ans, 3, &v, &n), 2);
    assert_int_equal(n, 7);
    /* both@e2 both@e3 dup@e1 dup@e2 dup@e3 one two: the engines in their order */
    const char *want[][3] = {{"both", "e2", "1"}, {"both", "e3", "1"}, {"dup", "e1", "1"},
                             {"dup", "e2", "1"},  {"dup", "e3", "1"},  {"one", "e1", "0"},
                             {"two", "e2", "0"}};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].spec.tenant, want[i][0]);
        assert_string_equal(v[i].engine, want[i][1]);
        assert_int_equal(v[i].conflict, atoi(want[i][2]));
    }
    dl_statuses_free(v, n);
}

static void test_merge_unreachable_and_empty(void **state)
{
    dl_engine_answer ans[2];
    dl_status *v;
    size_t n;
    (void)state;
    answer(&ans[0], "up", "acme");
    memset(&ans[1], 0, sizeof ans[1]);   /* unreachable: no rows */
    assert_int_equal(dl_engines_merge(ans, 2, &v, &n), 0);
    assert_int_equal(n, 1);
    dl_statuses_free(v, n);
    assert_int_equal(dl_engines_merge(ans, 0, &v, &n), 0);
    assert_int_equal(n, 0);
    dl_statuses_free(v, n);
}

static void test_find(void **state)
{
    dl_engine_answer ans[3];
    size_t idx[2];
    (void)state;
    answer(&ans[0], "e1", "acme dup");
    answer(&ans[1], "e2", "beta");
    answer(&ans[2], "e3", "dup gamma dup");
    assert_int_equal(dl_engines_find(ans, 3, "beta", idx, 2), 1);
    assert_int_equal(idx[0], 1);
    assert_int_equal(dl_engines_find(ans, 3, "dup", idx, 2), 2);   /* counted once per engine */
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 2);
    assert_int_equal(dl_engines_find(ans, 3, "nope", idx, 2), 0);
    assert_int_equal(dl_engines_find(ans, 3, "acm", idx, 2), 0);   /* whole names only */
    assert_int_equal(dl_engines_find(ans, 1, "dup", idx, 0), 1);   /* counts past max */
    dl_engine_answers_clear(ans, 3);
}

static void test_names(void **state)
{
    dl_err err;
    char longname[80];
    (void)state;
    assert_int_equal(dl_engine_name_check("engine name", "eng2", &err), 0);
    assert_int_equal(dl_engine_name_check("engine name", "Prod_1.b-x", &err), 0);
    assert_int_equal(dl_engine_name_check("engine name", "", &err), -1);
    assert_string_equal(err.msg, "invalid engine name '': empty");
    assert_int_equal(dl_engine_name_check("engine name", ".x", &err), -1);
    assert_int_equal(dl_engine_name_check("engine name", "a b", &err), -1);
    assert_non_null(strstr(err.msg, "invalid engine name 'a b'"));
    assert_int_equal(dl_engine_name_check("engine name", "a\033[2Jb", &err), -1);
    assert_null(strchr(err.msg, '\033'));   /* quoted inert */
    memset(longname, 'a', 64);
    longname[64] = '\0';
    assert_int_equal(dl_engine_name_check("engine name", longname, &err), -1);
    assert_non_null(strstr(err.msg, "longer than 63 characters"));
    longname[63] = '\0';
    assert_int_equal(dl_engine_name_check("engine name", longname, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_sorted_tagged),
        cmocka_unit_test(test_merge_conflicts),
        cmocka_unit_test(test_merge_unreachable_and_empty),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
