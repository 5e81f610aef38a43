/* keys.c - key names, the key map and the action table's accessors. */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "deeplens/tui.h"
#include "keys.h"

typedef struct action_def {
    const char *name, *keys, *label, *help;
    int cx;
    int mutates;
} action_def;

static const action_def actions[UI_ACT_COUNT] = {
#define UI_X_DEF(e, name, keys, cx, label, help) \
    [e] = {name, keys, label, help, (cx) & ~UI_MUT, ((cx) & UI_MUT) != 0},
    UI_ACTIONS(UI_X_DEF)
#undef UI_X_DEF
};

static const struct { const char *name; int key; } named[] = {
    {"Enter", '\n'}, {"Tab", '\t'}, {"BackTab", UI_KEY_FN | KEY_BTAB},
    {"Esc", UI_KEY_ESC}, {"Space", ' '},
    {"Backspace", UI_KEY_FN | KEY_BACKSPACE}, {"Del", UI_KEY_FN | KEY_DC},
    {"Ins", UI_KEY_FN | KEY_IC}, {"Up", UI_KEY_FN | KEY_UP},
    {"Down", UI_KEY_FN | KEY_DOWN}, {"Left", UI_KEY_FN | KEY_LEFT},
    {"Right", UI_KEY_FN | KEY_RIGHT}, {"PgUp", UI_KEY_FN | KEY_PPAGE},
    {"PgDn", UI_KEY_FN | KEY_NPAGE}, {"Home", UI_KEY_FN | KEY_HOME},
    {"End", UI_KEY_FN | KEY_END},
};

typedef struct bind { int key; ui_action act; } bind;

static int read_only;
static int engine_read_only;   /* the selected tenant's engine is read-only */
static int no_writable_engine; /* several engines, every one read-only */

/* the contexts an action reaches now: none for a change in read-only mode,
 * nor for a change to the selected tenant when its engine is read-only
 * (provision makes a new tenant, on any writable engine: gone only when
 * there is none) */
static int reach(int a)
{
    if (actions[a].mutates &&
        (read_only ||
         (a == UI_ACT_PROVISION ? no_writable_engine : engine_read_only)))
        return 0;
    return actions[a].cx;
}

#define MAX_BINDS (UI_ACT_COUNT * 4 + DL_CONFIG_MAX_BINDS)
static bind binds[MAX_BINDS];
static int nbinds, ndefault;

int ui_key_parse(const char *s)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(s, named[i].name)) return named[i].key;
    if ((s[0] == 'F' || s[0] == 'f') && s[1]) {
        char *end;
        long n = strtol(s + 1, &end, 10);
        if (!*end && n >= 1 && n <= 24) return UI_KEY_FN | KEY_F((int)n);
    }
    if (s[0] == '^' && s[1] && !s[2]) {
        int c = s[1];
        if (c >= 'a' && c <= 'z') c -= 32;
        if (c >= '@' && c <= '_' && c != '[' && c != 'I' && c != 'M' && c != 'J')
            return c - '@';
        return -1;
    }
    /* one character (UTF-8) */
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t len = strlen(s);
    size_t r = mbrtowc(&wc, s, len, &st);
    if (r == len && len > 0 && wc > ' ' && wc != 0x7f) return (int)wc;
    if (len == 1 && (unsigned char)s[0] > ' ' && (unsigned char)s[0] < 0x7f) return s[0];
    return -1;
}

void ui_key_name(int key, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].key == key) { snprintf(buf, n, "%s", named[i].name); return; }
    if (key & UI_KEY_FN) {
        int k = key & ~UI_KEY_FN;
        if (k >= KEY_F(1) && k <= KEY_F(24)) { snprintf(buf, n, "F%d", k - KEY_F0); return; }
        snprintf(buf, n, "key%d", k);
        return;
    }
    if (key > 0 && key < 32) { snprintf(buf, n, "^%c", key + '@'); return; }
    char mb[MB_LEN_MAX + 1];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t r = wcrtomb(mb, (wchar_t)key, &st);
    if (r == (size_t)-1) { snprintf(buf, n, "U+%04X", key); return; }
    mb[r] = '\0';
    snprintf(buf, n, "%s", mb);
}

int ui_key_from_wch(int rc, unsigned ch)
{
    if (rc == KEY_CODE_YES) {
        if (ch == KEY_ENTER) return '\n';
        return UI_KEY_FN | (int)ch;
    }
    if (ch == '\r') return '\n';
    if (ch == 127 || ch == 8) return UI_KEY_FN | KEY_BACKSPACE;
    return (int)ch;
}

static int add_bind(int key, ui_action act)
{
    if (nbinds >= MAX_BINDS) return -1;
    binds[nbinds].key = key;
    binds[nbinds].act = act;
    nbinds++;
    return 0;
}

static void add_defaults(void)
{
    nbinds = 0;
    for (int a = 0; a < UI_ACT_COUNT; a++) {
        char keys[64];
        snprintf(keys, sizeof keys, "%s", actions[a].keys);
        char *save = NULL;
        for (char *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
            int key = ui_key_parse(k);
            if (key >= 0) add_bind(key, (ui_action)a);
        }
    }
    ndefault = nbinds;
}

static ui_action action_by_name(const char *name)
{
    for (int a = 0; a < UI_ACT_COUNT; a++)
        if (!strcmp(actions[a].name, name)) return (ui_action)a;
    return UI_ACT_NONE;
}

int ui_keys_init(const dl_config *cfg, dl_err *err)
{
    add_defaults();
    read_only = cfg && cfg->read_only;
    if (!cfg) return 0;
    for (int i = 0; i < cfg->nbinds; i++) {
        const dl_bind *b = &cfg->binds[i];
        int key = ui_key_parse(b->key);
        if (key < 0)
            return dl_err_set(err, DL_EINVAL, "%s: bind: unknown key '%s'",
                              cfg->path[0] ? cfg->path : "config", b->key);
        ui_action act = action_by_name(b->action);
        if (act == UI_ACT_NONE)
            return dl_err_set(err, DL_EINVAL, "%s: bind: unknown action '%s'",
                              cfg->path[0] ? cfg->path : "config", b->action);
        if (add_bind(key, act) < 0)
            return dl_err_set(err, DL_EINVAL, "%s: too many key bindings",
                              cfg->path[0] ? cfg->path : "config");
    }
    return 0;
}

ui_action ui_keys_lookup(int key, int cx)
{
    if (nbinds == 0) add_defaults();
    for (int i = nbinds - 1; i >= 0; i--)
        if (binds[i].key == key && (reach(binds[i].act) & cx)) return binds[i].act;
    return UI_ACT_NONE;
}

const char *ui_action_name(ui_action a) { return a >= 0 && a < UI_ACT_COUNT ? actions[a].name : ""; }
const char *ui_action_label(ui_action a) { return a >= 0 && a < UI_ACT_COUNT ? actions[a].label : NULL; }
const char *ui_action_help(ui_action a) { return a >= 0 && a < UI_ACT_COUNT ? actions[a].help : ""; }
int ui_action_contexts(ui_action a) { return a >= 0 && a < UI_ACT_COUNT ? reach(a) : 0; }
int ui_action_mutates(ui_action a) { return a >= 0 && a < UI_ACT_COUNT && actions[a].mutates; }
int ui_keys_read_only(void) { return read_only; }
void ui_keys_set_engine_read_only(int on) { engine_read_only = on != 0; }
void ui_keys_set_no_writable_engine(int on) { no_writable_engine = on != 0; }

void ui_action_keys(ui_action a, int cx, char *buf, size_t n)
{
    size_t o = 0;
    int shown[16], nshown = 0;
    if (nbinds == 0) add_defaults();
    buf[0] = '\0';
    /* the operator's own binds first, then the defaults in table order */
    for (int pass = 0; pass < 2; pass++) {
        int lo = pass == 0 ? ndefault : 0, hi = pass == 0 ? nbinds : ndefault;
        for (int i = lo; i < hi; i++) {
            if (binds[i].act != a) continue;
            if (!(cx & reach(a)) || ui_keys_lookup(binds[i].key, cx & reach(a)) != a) continue;
            int dup = 0;
            for (int k = 0; k < nshown; k++)
                if (shown[k] == binds[i].key) dup = 1;
            if (dup || nshown == 16) continue;
            shown[nshown++] = binds[i].key;
            char name[32];
            ui_key_name(binds[i].key, name, sizeof name);
            int w = snprintf(buf + o, n - o, "%s%s", o ? " " : "", name);
            if (w < 0 || (size_t)w >= n - o) return;
            o += (size_t)w;
        }
    }
}

void dl_tui_print_keys(FILE *out)
{
    for (int a = 0; a < UI_ACT_COUNT; a++)
        fprintf(out, "%s\t%s\t%s\n", actions[a].keys, actions[a].name, actions[a].help);
}
