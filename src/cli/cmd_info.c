/* cmd_info.c - commands that need no engine: keys, themes, version, help. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "deeplens/tui.h"

#ifndef DL_VERSION
#define DL_VERSION "0.0.0"
#endif
#ifndef DL_DATADIR
#define DL_DATADIR "/usr/local/share/deeplens-backup"
#endif

/* keys: the console's "key<TAB>action<TAB>help" lines as they are for a
 * pipe; aligned columns on a terminal. */
int cli_cmd_keys(cli_run *r)
{
    char *text = NULL, *line, *save = NULL;
    size_t len = 0;
    FILE *mem;

    if (!r->out.tty) {
        dl_tui_print_keys(stdout);
        return 0;
    }
    mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    dl_tui_print_keys(mem);
    fclose(mem);
    printf("%-20s %-14s %s\n", "KEYS", "ACTION", "WHAT IT DOES");
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        *t1 = *t2 = '\0';
        printf("%-20s %-14s %s\n", line, t1 + 1, t2 + 1);
    }
    free(text);
    return 0;
}

/* ---- themes -------------------------------------------------------------- */

/* Where the console looks for named themes, in its order (src/tui/theme.c):
 * $DEEPLENS_BACKUP_THEMES, ./themes, themes/ beside the program, DATADIR. */
static int theme_dirs(char dirs[4][PATH_MAX])
{
    const char *env = getenv("DEEPLENS_BACKUP_THEMES");
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int n = 0;
    if (env && *env)
        snprintf(dirs[n++], PATH_MAX, "%s", env);
    snprintf(dirs[n++], PATH_MAX, "themes");
    if (len > 0) {
        char *slash;
        exe[len] = '\0';
        if ((slash = strrchr(exe, '/'))) {
            *slash = '\0';
            snprintf(dirs[n++], PATH_MAX, "%.*s/themes", PATH_MAX - 8, exe);
        }
    }
    snprintf(dirs[n++], PATH_MAX, "%s/themes", DL_DATADIR);
    return n;
}

typedef struct theme_file {
    char name[NAME_MAX + 1];
    char path[PATH_MAX + NAME_MAX + 2];
} theme_file;

/* Every *.theme in the search path; a name found twice counts once (the
 * first, as the console would load it). Sorted by directory then name. */
static theme_file *find_themes(size_t *n)
{
    char dirs[4][PATH_MAX];
    int nd = theme_dirs(dirs);
    theme_file *v = NULL;
    *n = 0;
    for (int d = 0; d < nd; d++) {
        struct dirent **ents;
        int ne = scandir(dirs[d], &ents, NULL, alphasort);
        for (int i = 0; i < ne; i++) {
            const char *nm = ents[i]->d_name;
            size_t l = strlen(nm), k;
            if (l > 6 && strcmp(nm + l - 6, ".theme") == 0 && nm[0] != '.') {
                for (k = 0; k < *n && strncmp(v[k].name, nm, l - 6) != 0; k++)
                    ;
                if (k == *n || v[k].name[l - 6] != '\0') {
                    v = realloc(v, (*n + 1) * sizeof *v);
                    if (!v)
                        abort();
                    snprintf(v[*n].name, sizeof v[*n].name, "%.*s", (int)(l - 6), nm);
                    snprintf(v[*n].path, sizeof v[*n].path, "%s/%s", dirs[d], nm);
                    (*n)++;
                }
            }
            free(ents[i]);
        }
        if (ne >= 0)
            free(ents);
    }
    return v;
}

static int check_theme(const char *path, int *rc)
{
    dl_err err;
    dl_err_clear(&err);
    if (dl_tui_theme_check(path, &err) < 0) {
        int code = cli_fail(&err);
        if (!*rc)
            *rc = code;
        return -1;
    }
    printf("ok %s\n", path);
    return 0;
}

int cli_cmd_themes(cli_run *r)
{
    const cli_args *a = r->a;
    theme_file *v;
    size_t n;
    int rc = 0;

    if (a->npos && !a->val[OPT_CHECK]) {
        dl_err err;
        dl_err_set(&err, DL_EINVAL, "unexpected argument '%s': theme files are checked with --check",
                   a->pos[0]);
        return cli_fail(&err);
    }
    for (int i = 0; i < a->npos; i++)
        check_theme(a->pos[i], &rc);
    if (a->npos)
        return rc;
    v = find_themes(&n);
    for (size_t i = 0; i < n; i++) {
        if (a->val[OPT_CHECK])
            check_theme(v[i].path, &rc);
        else
            printf("%-16s %s\n", v[i].name, v[i].path);
    }
    if (n == 0 && !a->val[OPT_CHECK])
        fputs("no theme files found (the console's built-in default is used)\n", stdout);
    free(v);
    return rc;
}

/* ---- version, help --------------------------------------------------------- */

int cli_cmd_version(cli_run *r)
{
    (void)r;
    printf(CLI_PROG " %s (Docker Engine API %s)\n", DL_VERSION, DK_API_VERSION);
    return 0;
}

int cli_cmd_help(cli_run *r)
{
    dl_err err;
    if (r->a->npos == 0) {
        cli_help(stdout);
        return 0;
    }
    if (cli_help_command(stdout, r->a->pos[0]) < 0) {
        dl_err_set(&err, DL_EINVAL, "unknown command '%s'", r->a->pos[0]);
        return cli_fail(&err);
    }
    return 0;
}
