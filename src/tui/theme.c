/* theme.c - colour roles to curses attributes; theme files are data.
 *
 * A theme is parsed into a plain table (no curses needed, so the CLI's
 * `themes --check` and the tests can use the parser), then applied with
 * init_pair. Without colour (NO_COLOR, a terminal without colours) every
 * role falls back to the attributes of its line plus a built-in monochrome
 * attribute, so selection, headers and marks still read.
 */
#include <ctype.h>
#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeplens/tui.h"
#include "theme.h"

#ifndef DL_DATADIR
#define DL_DATADIR "/usr/local/share/deeplens-backup"
#endif

#define THEME_NONE (-2)   /* colour not set: keep the default's */

typedef struct theme_entry {
    short fg, bg;         /* -1 = terminal default, 0-255 */
    int attrs;            /* A_BOLD | ... */
} theme_entry;

typedef struct theme_def {
    const char *fg, *bg;
    int attrs;            /* with colour */
    int mono;             /* added when there is no colour */
} theme_def;

/* The compiled-in default (the same as themes/default.theme). */
static const theme_def builtin[UI_ROLE_COUNT] = {
    [UI_NORMAL]         = {"default", "default", 0, 0},
    [UI_HEADER]         = {"black", "cyan", 0, A_REVERSE},
    [UI_FOOTER]         = {"black", "cyan", 0, A_REVERSE},
    [UI_FOOTER_KEY]     = {"bright-white", "black", A_BOLD, A_BOLD},
    [UI_TITLE]          = {"bright-white", "default", A_BOLD, A_BOLD},
    [UI_TAB_ACTIVE]     = {"black", "cyan", A_BOLD, A_REVERSE | A_BOLD},
    [UI_COLUMN]         = {"black", "green", 0, A_BOLD | A_UNDERLINE},
    [UI_SELECTED]       = {"black", "cyan", 0, A_REVERSE},
    [UI_HEALTH_OK]      = {"green", "default", 0, 0},
    [UI_HEALTH_OVERDUE] = {"yellow", "default", A_BOLD, A_BOLD},
    [UI_HEALTH_FAILING] = {"red", "default", A_BOLD, A_BOLD | A_UNDERLINE},
    [UI_HEALTH_STOPPED] = {"magenta", "default", 0, A_DIM},
    [UI_HEALTH_UNKNOWN] = {"default", "default", A_DIM, A_DIM},
    [UI_DIM]            = {"default", "default", A_DIM, A_DIM},
    [UI_ERROR]          = {"red", "default", A_BOLD, A_BOLD},
    [UI_WARNING]        = {"yellow", "default", 0, A_BOLD},
    [UI_SUCCESS]        = {"green", "default", A_BOLD, 0},
    [UI_SEARCH]         = {"black", "yellow", 0, A_REVERSE | A_UNDERLINE},
    [UI_BORDER]         = {"blue", "default", 0, 0},
    [UI_FORM_LABEL]     = {"default", "default", A_BOLD, A_BOLD},
    [UI_FORM_FIELD]     = {"default", "default", A_UNDERLINE, A_UNDERLINE},
    [UI_FORM_ACTIVE]    = {"black", "cyan", 0, A_REVERSE},
    [UI_LOG_STDERR]     = {"red", "default", 0, 0},
    [UI_LOG_CONTROL]    = {"bright-white", "magenta", 0, A_REVERSE},
};

static const char *const role_names[UI_ROLE_COUNT] = {
#define UI_X_NAME(e, name, help) [e] = name,
    UI_ROLES(UI_X_NAME)
#undef UI_X_NAME
};

static const char *const colour_names[8] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static struct {
    char name[256];
    theme_entry e[UI_ROLE_COUNT];
    int attr[UI_ROLE_COUNT];
    int loaded;
} cur;

/* ---- parsing (no curses) ------------------------------------------------- */

static int parse_colour(const char *w, short *out)
{
    if (!strcmp(w, "default")) { *out = -1; return 0; }
    for (int i = 0; i < 8; i++) {
        if (!strcmp(w, colour_names[i])) { *out = (short)i; return 0; }
        if (!strncmp(w, "bright-", 7) && !strcmp(w + 7, colour_names[i])) {
            *out = (short)(i + 8);
            return 0;
        }
    }
    if (isdigit((unsigned char)w[0])) {
        char *end;
        errno = 0;
        long v = strtol(w, &end, 10);
        if (!*end && !errno && v >= 0 && v <= 255) { *out = (short)v; return 0; }
    }
    return -1;
}

static int parse_attr(const char *w, int *attrs)
{
    static const struct { const char *name; int a; } tab[] = {
        {"bold", A_BOLD}, {"underline", A_UNDERLINE}, {"reverse", A_REVERSE},
        {"dim", A_DIM}, {"normal", 0},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(w, tab[i].name)) { *attrs |= tab[i].a; return 0; }
    return -1;
}

static int role_by_name(const char *w)
{
    for (int i = 0; i < UI_ROLE_COUNT; i++)
        if (!strcmp(w, role_names[i])) return i;
    return -1;
}

static void builtin_entries(theme_entry *e)
{
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        parse_colour(builtin[r].fg, &e[r].fg);
        parse_colour(builtin[r].bg, &e[r].bg);
        e[r].attrs = builtin[r].attrs;
    }
}

/* Parse theme text over the entries already in e. `name` names the file. */
static int parse_text(const char *name, const char *text, theme_entry *e, dl_err *err)
{
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[512];
        lineno++;
        if (len >= sizeof line)
            return dl_err_set(err, DL_EINVAL, "%s:%d: line too long", name, lineno);
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (eol ? 1 : 0);

        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *words[12];
        int nw = 0;
        for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
            if (nw == 12)
                return dl_err_set(err, DL_EINVAL, "%s:%d: too many words", name, lineno);
            words[nw++] = tok;
        }
        if (nw == 0) continue;
        if (strcmp(words[0], "color") != 0)
            return dl_err_set(err, DL_EINVAL, "%s:%d: unknown directive '%s' (expected 'color')",
                              name, lineno, words[0]);
        if (nw < 4)
            return dl_err_set(err, DL_EINVAL, "%s:%d: expected 'color <role> <fg> <bg> [attrs]'",
                              name, lineno);
        int role = role_by_name(words[1]);
        if (role < 0)
            return dl_err_set(err, DL_EINVAL, "%s:%d: unknown role '%s'", name, lineno, words[1]);
        theme_entry t = {0, 0, 0};
        if (parse_colour(words[2], &t.fg) < 0)
            return dl_err_set(err, DL_EINVAL, "%s:%d: unknown colour '%s'", name, lineno, words[2]);
        if (parse_colour(words[3], &t.bg) < 0)
            return dl_err_set(err, DL_EINVAL, "%s:%d: unknown colour '%s'", name, lineno, words[3]);
        for (int i = 4; i < nw; i++)
            if (parse_attr(words[i], &t.attrs) < 0)
                return dl_err_set(err, DL_EINVAL, "%s:%d: unknown attribute '%s'",
                                  name, lineno, words[i]);
        e[role] = t;
    }
    return 0;
}

static int read_file(const char *path, char **out, dl_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return dl_err_set(err, errno == ENOENT ? DL_ENOTFOUND : DL_ESYS,
                          "cannot read theme '%s': %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) { fclose(f); return dl_err_set(err, DL_ESYS, "out of memory"); }
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len > 256 * 1024) {
            free(buf);
            fclose(f);
            return dl_err_set(err, DL_EINVAL, "theme '%s' is too large", path);
        }
        if (cap - len - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); fclose(f); return dl_err_set(err, DL_ESYS, "out of memory"); }
            buf = nb;
            cap *= 2;
        }
    }
    buf[len] = '\0';
    fclose(f);
    if (memchr(buf, '\0', len)) {
        free(buf);
        return dl_err_set(err, DL_EINVAL, "theme '%s' is not a text file", path);
    }
    *out = buf;
    return 0;
}

static int parse_file(const char *path, theme_entry *e, dl_err *err)
{
    char *text;
    if (read_file(path, &text, err) < 0) return -1;
    int rc = parse_text(path, text, e, err);
    free(text);
    return rc;
}

int ui_theme_check_text(const char *name, const char *text, dl_err *err)
{
    theme_entry e[UI_ROLE_COUNT];
    builtin_entries(e);
    return parse_text(name, text, e, err);
}

int dl_tui_theme_check(const char *path, dl_err *err)
{
    theme_entry e[UI_ROLE_COUNT];
    builtin_entries(e);
    return parse_file(path, e, err);
}

/* ---- finding themes ------------------------------------------------------ */

/* The directories searched for named themes, in order. */
static int theme_dirs(char dirs[4][PATH_MAX])
{
    int n = 0;
    const char *env = getenv("DEEPLENS_BACKUP_THEMES");
    if (env && *env) snprintf(dirs[n++], PATH_MAX, "%s", env);
    snprintf(dirs[n++], PATH_MAX, "themes");
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dirs[n++], PATH_MAX, "%.*s/themes", PATH_MAX - 8, exe);
        }
    }
    snprintf(dirs[n++], PATH_MAX, "%s/themes", DL_DATADIR);
    return n;
}

static int is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 6 && !strcmp(s + n - 6, ".theme"));
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) > 64) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_') return 0;
    return 1;
}

int dl_tui_theme_each(void (*fn)(void *ud, const char *name, const char *path), void *ud)
{
    char dirs[4][PATH_MAX];
    char seen[64][65];          /* names already given (valid names are <= 64) */
    int nd = theme_dirs(dirs), n = 0, nseen = 0;
    for (int d = 0; d < nd; d++) {
        struct dirent **ents;
        int ne = scandir(dirs[d], &ents, NULL, alphasort);
        for (int i = 0; i < ne; i++) {
            const char *file = ents[i]->d_name;
            size_t len = strlen(file);
            char name[256], path[PATH_MAX + 256];
            int dup = 0;
            if (len > 6 && !strcmp(file + len - 6, ".theme")) {
                snprintf(name, sizeof name, "%.*s", (int)(len - 6), file);
                for (int k = 0; k < nseen && !dup; k++) dup = !strcmp(seen[k], name);
                if (!dup && valid_name(name)) {
                    if (nseen < 64) snprintf(seen[nseen++], sizeof seen[0], "%s", name);
                    snprintf(path, sizeof path, "%s/%s", dirs[d], file);
                    if (fn) fn(ud, name, path);
                    n++;
                }
            }
            free(ents[i]);
        }
        if (ne >= 0) free(ents);
    }
    return n;
}

static int find_theme(const char *name, char *path, size_t n)
{
    char dirs[4][PATH_MAX];
    int nd = theme_dirs(dirs);
    for (int i = 0; i < nd; i++) {
        snprintf(path, n, "%.*s/%s.theme", PATH_MAX - 80, dirs[i], name);
        if (access(path, R_OK) == 0) return 0;
    }
    return -1;
}

/* ---- applying ------------------------------------------------------------ */

/* Map a 256-colour index to one the terminal has. */
static short fit_colour(short c, int *attrs)
{
    if (c < 0 || c < COLORS) return c;
    if (c < 16) {                        /* bright-x on an 8-colour terminal */
        *attrs |= A_BOLD;
        return (short)(c - 8);
    }
    int r, g, b;
    if (c >= 232) {                      /* grey ramp */
        int v = (c - 232) * 10 + 8;
        r = g = b = v;
    } else {
        int i = c - 16;
        static const int lvl[6] = {0, 95, 135, 175, 215, 255};
        r = lvl[i / 36];
        g = lvl[(i / 6) % 6];
        b = lvl[i % 6];
    }
    int bits = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0);
    int maxv = r > g ? (r > b ? r : b) : (g > b ? g : b);
    if (bits == 7 && maxv < 200) return COLOR_WHITE;
    if (bits == 0 && maxv > 60) {        /* dark but coloured: keep the hue */
        bits = (r == maxv ? 1 : 0) | (g == maxv ? 2 : 0) | (b == maxv ? 4 : 0);
    }
    return (short)bits;                  /* bit order matches curses colours */
}

static int colour_ok(int no_color)
{
    return !no_color && stdscr && has_colors() && COLORS >= 8 && COLOR_PAIRS > UI_ROLE_COUNT;
}

static void apply(int no_color)
{
    int colour = colour_ok(no_color);
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        theme_entry *t = &cur.e[r];
        if (colour) {
            int attrs = t->attrs;
            short fg = fit_colour(t->fg, &attrs);
            int dummy = 0;
            short bg = fit_colour(t->bg, &dummy);
            init_pair((short)(r + 1), fg, bg);
            cur.attr[r] = (int)(COLOR_PAIR(r + 1) | (attr_t)attrs);
        } else {
            cur.attr[r] = t->attrs | builtin[r].mono;
        }
    }
    cur.loaded = 1;
}

int ui_theme_load(const char *name_or_path, int no_color, dl_err *err)
{
    theme_entry e[UI_ROLE_COUNT];
    char path[PATH_MAX + 80];
    char name[256];
    builtin_entries(e);
    if (!name_or_path || !*name_or_path) name_or_path = "default";
    if (is_path(name_or_path)) {
        if (parse_file(name_or_path, e, err) < 0) return -1;
        const char *base = strrchr(name_or_path, '/');
        snprintf(name, sizeof name, "%s", base ? base + 1 : name_or_path);
        char *dot = strstr(name, ".theme");
        if (dot && dot != name && !dot[6]) *dot = '\0';
    } else {
        if (!valid_name(name_or_path))
            return dl_err_set(err, DL_EINVAL, "invalid theme name '%s'", name_or_path);
        if (find_theme(name_or_path, path, sizeof path) == 0) {
            if (parse_file(path, e, err) < 0) return -1;
        } else if (strcmp(name_or_path, "default") != 0) {
            return dl_err_set(err, DL_ENOTFOUND,
                              "no theme '%s' (looked for %s.theme in $DEEPLENS_BACKUP_THEMES, ./themes, %s/themes)",
                              name_or_path, name_or_path, DL_DATADIR);
        }
        snprintf(name, sizeof name, "%s", name_or_path);
    }
    memcpy(cur.e, e, sizeof e);
    snprintf(cur.name, sizeof cur.name, "%s", name);
    apply(no_color);
    return 0;
}

int ui_attr(enum ui_role role)
{
    if ((int)role < 0 || role >= UI_ROLE_COUNT) return 0;
    if (!cur.loaded) return builtin[role].mono | builtin[role].attrs;
    return cur.attr[role];
}

enum ui_role ui_health_role(dl_health h)
{
    switch (h) {
    case DL_HEALTH_OK: return UI_HEALTH_OK;
    case DL_HEALTH_OVERDUE: return UI_HEALTH_OVERDUE;
    case DL_HEALTH_FAILING: return UI_HEALTH_FAILING;
    case DL_HEALTH_STOPPED: return UI_HEALTH_STOPPED;
    case DL_HEALTH_WARNING: return UI_HEALTH_OVERDUE;   /* needs a look, like overdue */
    case DL_HEALTH_UNTESTED: return UI_WARNING;
    default: return UI_HEALTH_UNKNOWN;
    }
}

const char *ui_theme_name(void)
{
    return cur.loaded ? cur.name : "default";
}

static int cmp_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    /* "default" first, then alphabetical */
    if (!strcmp(x, "default")) return strcmp(y, "default") ? -1 : 0;
    if (!strcmp(y, "default")) return 1;
    return strcmp(x, y);
}

typedef struct theme_names {
    char *v[64];
    int n, oom;
} theme_names;

static void add_name(void *ud, const char *name, const char *path)
{
    theme_names *t = ud;
    (void)path;
    if (t->n >= 64 || !strcmp(name, "default")) return;
    if (!(t->v[t->n++] = strdup(name))) t->oom = 1;
}

int ui_theme_next(int no_color, dl_err *err)
{
    theme_names t = {.n = 1};
    t.v[0] = strdup("default");
    if (!t.v[0]) t.oom = 1;
    dl_tui_theme_each(add_name, &t);
    if (t.oom) {
        for (int k = 0; k < t.n; k++) free(t.v[k]);
        return dl_err_set(err, DL_ESYS, "out of memory");
    }
    char **names = t.v;
    int n = t.n;
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    int at = -1;
    for (int k = 0; k < n; k++)
        if (!strcmp(names[k], ui_theme_name())) at = k;
    int rc = -1;
    dl_err e2;
    for (int step = 1; step <= n; step++) {
        const char *nm = names[(at + step + n) % n];
        if (ui_theme_load(nm, no_color, &e2) == 0) { rc = 0; break; }
        if (err) *err = e2;
    }
    for (int k = 0; k < n; k++) free(names[k]);
    return rc;
}
