/* test_keys.c - the action table (src/tui/keys.h) and everything derived
 * from it: key names, the key map with config binds, the keys listing used
 * by --help and the man page. Fails when the table and its uses drift. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/tui.h"
#include "../../../src/tui/keys.h"

static const char *const default_keys[UI_ACT_COUNT] = {
#define X_KEYS(e, name, keys, cx, label, help) [e] = keys,
    UI_ACTIONS(X_KEYS)
#undef X_KEYS
};

static void test_table_complete(void **state)
{
    (void)state;
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        assert_true(strlen(ui_action_name((ui_action)a)) > 0);
        assert_true(strlen(ui_action_help((ui_action)a)) > 0);
        assert_true(ui_action_contexts((ui_action)a) != 0);
        for (int b = a + 1; b < UI_ACT_COUNT; b++)
            assert_string_not_equal(ui_action_name((ui_action)a), ui_action_name((ui_action)b));
    }
}

/* Every default key parses, prints back to its name, and no two actions
 * claim the same key where their contexts overlap. */
static void test_default_keys(void **state)
{
    (void)state;
    int keys[UI_ACT_COUNT][8], nkeys[UI_ACT_COUNT];
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", default_keys[a]);
        nkeys[a] = 0;
        for (char *k = strtok(buf, " "); k; k = strtok(NULL, " ")) {
            int key = ui_key_parse(k);
            if (key < 0) fail_msg("action %s: key '%s' does not parse", ui_action_name((ui_action)a), k);
            char name[32];
            ui_key_name(key, name, sizeof name);
            assert_string_equal(name, k);
            keys[a][nkeys[a]++] = key;
        }
        assert_true(nkeys[a] > 0);
    }
    for (int a = 0; a < UI_ACT_COUNT; a++)
        for (int b = a + 1; b < UI_ACT_COUNT; b++) {
            if (!(ui_action_contexts((ui_action)a) & ui_action_contexts((ui_action)b))) continue;
            for (int i = 0; i < nkeys[a]; i++)
                for (int j = 0; j < nkeys[b]; j++)
                    if (keys[a][i] == keys[b][j])
                        fail_msg("actions %s and %s share a key", ui_action_name((ui_action)a),
                                 ui_action_name((ui_action)b));
        }
    /* so every default key reaches its action */
    assert_int_equal(ui_keys_init(NULL, NULL), 0);
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        char got[64];
        ui_action_keys((ui_action)a, ui_action_contexts((ui_action)a), got, sizeof got);
        assert_string_equal(got, default_keys[a]);
    }
}

/* Over an operation's progress: the scrolling keys scroll it, Esc, q, h
 * and Enter hide it, J, help and quit-now still work, tenant actions do
 * not reach the list behind. */
static void test_progress_context(void **state)
{
    (void)state;
    assert_int_equal(ui_keys_init(NULL, NULL), 0);
    assert_int_equal(ui_keys_lookup(UI_KEY_ESC, UI_CX_PROGRESS), UI_ACT_BACK);
    assert_int_equal(ui_keys_lookup('q', UI_CX_PROGRESS), UI_ACT_QUIT);
    assert_int_equal(ui_keys_lookup('h', UI_CX_PROGRESS), UI_ACT_HIDE);
    assert_int_equal(ui_keys_lookup('\n', UI_CX_PROGRESS), UI_ACT_HIDE);
    assert_int_equal(ui_keys_lookup('J', UI_CX_PROGRESS), UI_ACT_JOBS);
    assert_int_equal(ui_keys_lookup('Q', UI_CX_PROGRESS), UI_ACT_QUIT_NOW);
    assert_int_equal(ui_keys_lookup('j', UI_CX_PROGRESS), UI_ACT_DOWN);
    assert_int_equal(ui_keys_lookup('b', UI_CX_PROGRESS), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('h', UI_CX_LOGS), UI_ACT_SCROLL_LEFT);
    assert_int_equal(ui_keys_lookup('J', UI_CX_LIST), UI_ACT_JOBS);
}

static void test_binds(void **state)
{
    (void)state;
    dl_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.path, sizeof cfg.path, "test.conf");
    snprintf(cfg.binds[0].key, sizeof cfg.binds[0].key, "F9");
    snprintf(cfg.binds[0].action, sizeof cfg.binds[0].action, "backup-now");
    snprintf(cfg.binds[1].key, sizeof cfg.binds[1].key, "b");
    snprintf(cfg.binds[1].action, sizeof cfg.binds[1].action, "refresh");
    cfg.nbinds = 2;
    dl_err err;
    dl_err_clear(&err);
    assert_int_equal(ui_keys_init(&cfg, &err), 0);
    assert_int_equal(ui_keys_lookup(ui_key_parse("F9"), UI_CX_LIST), UI_ACT_BACKUP_NOW);
    assert_int_equal(ui_keys_lookup('b', UI_CX_LIST), UI_ACT_REFRESH);
    char got[64];
    ui_action_keys(UI_ACT_BACKUP_NOW, UI_CX_LIST, got, sizeof got);
    assert_string_equal(got, "F9");       /* b now refreshes */

    snprintf(cfg.binds[1].action, sizeof cfg.binds[1].action, "bakup");
    assert_int_equal(ui_keys_init(&cfg, &err), -1);
    assert_int_equal(err.kind, DL_EINVAL);
    assert_non_null(strstr(err.msg, "unknown action 'bakup'"));
    snprintf(cfg.binds[1].action, sizeof cfg.binds[1].action, "refresh");
    snprintf(cfg.binds[1].key, sizeof cfg.binds[1].key, "Hyper-X");
    assert_int_equal(ui_keys_init(&cfg, &err), -1);
    assert_non_null(strstr(err.msg, "unknown key 'Hyper-X'"));
    ui_keys_init(NULL, NULL);
}

/* read-only mode: the UI_MUT rows reach nothing, the rest as before */
static void test_read_only(void **state)
{
    static dl_config c;
    char keys[64];
    (void)state;
    memset(&c, 0, sizeof c);
    c.read_only = 1;
    assert_int_equal(ui_keys_init(&c, NULL), 0);
    assert_true(ui_keys_read_only());
    static const ui_action changes[] = {UI_ACT_PROVISION, UI_ACT_BACKUP_NOW, UI_ACT_RESTART,
                                        UI_ACT_RESCHEDULE, UI_ACT_REMOVE, UI_ACT_RESTORE};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        assert_true(ui_action_mutates(changes[i]));
        assert_int_equal(ui_action_contexts(changes[i]), 0);
        ui_action_keys(changes[i], UI_CX_LIST | UI_CX_DETAIL | UI_CX_FILES, keys, sizeof keys);
        assert_string_equal(keys, "");
    }
    assert_int_equal(ui_keys_lookup('b', UI_CX_LIST), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('D', UI_CX_OVERVIEW), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('n', UI_CX_LIST), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('\n', UI_CX_FILES), UI_ACT_NONE);
    /* looking still works */
    assert_false(ui_action_mutates(UI_ACT_VERIFY));
    assert_int_equal(ui_keys_lookup('v', UI_CX_FILES), UI_ACT_VERIFY);
    assert_int_equal(ui_keys_lookup('A', UI_CX_LIST), UI_ACT_AUDIT);
    assert_int_equal(ui_keys_lookup('n', UI_CX_LOGS), UI_ACT_SEARCH_NEXT);
    assert_int_equal(ui_keys_lookup('\n', UI_CX_LIST), UI_ACT_OPEN);
    /* a bind does not bring a change back */
    snprintf(c.binds[0].key, sizeof c.binds[0].key, "F6");
    snprintf(c.binds[0].action, sizeof c.binds[0].action, "backup-now");
    c.nbinds = 1;
    assert_int_equal(ui_keys_init(&c, NULL), 0);
    assert_int_equal(ui_keys_lookup(ui_key_parse("F6"), UI_CX_LIST), UI_ACT_NONE);
    /* and without read-only everything is back */
    c.read_only = 0;
    assert_int_equal(ui_keys_init(&c, NULL), 0);
    assert_false(ui_keys_read_only());
    assert_int_equal(ui_keys_lookup('b', UI_CX_LIST), UI_ACT_BACKUP_NOW);
    assert_int_equal(ui_action_contexts(UI_ACT_BACKUP_NOW), UI_CX_LIST | UI_CX_DETAIL);
    assert_int_equal(ui_keys_init(NULL, NULL), 0);
}

/* the selected tenant on a read-only engine: its changes reach nothing,
 * provision (a new tenant) and every read stay; off again, all are back */
static void test_engine_read_only(void **state)
{
    char keys[64];
    (void)state;
    assert_int_equal(ui_keys_init(NULL, NULL), 0);
    ui_keys_set_engine_read_only(1);
    assert_false(ui_keys_read_only());   /* not the whole console's mode */
    static const ui_action changes[] = {UI_ACT_BACKUP_NOW, UI_ACT_RESTART, UI_ACT_RESCHEDULE,
                                        UI_ACT_REMOVE, UI_ACT_DRILL, UI_ACT_RESTORE};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        assert_int_equal(ui_action_contexts(changes[i]), 0);
        ui_action_keys(changes[i], UI_CX_LIST | UI_CX_DETAIL | UI_CX_FILES, keys, sizeof keys);
        assert_string_equal(keys, "");
    }
    assert_int_equal(ui_keys_lookup('b', UI_CX_LIST), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('d', UI_CX_FILES), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('\n', UI_CX_FILES), UI_ACT_NONE);
    assert_int_equal(ui_keys_lookup('n', UI_CX_LIST), UI_ACT_PROVISION);
    assert_int_equal(ui_keys_lookup('v', UI_CX_FILES), UI_ACT_VERIFY);
    assert_int_equal(ui_keys_lookup('l', UI_CX_LIST), UI_ACT_OPEN_LOGS);
    ui_keys_set_engine_read_only(0);
    assert_int_equal(ui_keys_lookup('b', UI_CX_LIST), UI_ACT_BACKUP_NOW);
    assert_int_equal(ui_keys_lookup('\n', UI_CX_FILES), UI_ACT_RESTORE);
    assert_int_equal(ui_action_contexts(UI_ACT_REMOVE), UI_CX_LIST | UI_CX_DETAIL);
}

static void test_print_keys(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    dl_tui_print_keys(f);
    fclose(f);
    int lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t1 = strchr(line, '\t');
        assert_non_null(t1);
        char *t2 = strchr(t1 + 1, '\t');
        assert_non_null(t2);
        *t1 = *t2 = '\0';
        assert_true(lines < UI_ACT_COUNT);
        assert_string_equal(line, default_keys[lines]);
        assert_string_equal(t1 + 1, ui_action_name((ui_action)lines));
        assert_string_equal(t2 + 1, ui_action_help((ui_action)lines));
        lines++;
    }
    assert_int_equal(lines, UI_ACT_COUNT);
    free(text);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_default_keys),
        cmocka_unit_test(test_progress_context),
        cmocka_unit_test(test_binds),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_engine_read_only),
        cmocka_unit_test(test_print_keys),
    };
    return cmocka_run_group_tests_name("tui keys", tests, NULL, NULL);
}
