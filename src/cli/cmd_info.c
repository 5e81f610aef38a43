/* cmd_info.c - commands that need no engine: keys, themes, version, help. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "deeplens/tui.h"
#include "deeplens/text.h"

#ifndef DL_VERSION
#define DL_VERSION "0.0.0"
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
        dl_oom();
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

/* One named theme: listed, or checked with --check. */
typedef struct theme_visit {
    int check, rc;
} theme_visit;

static int check_theme(const char *path, int *rc);

static void visit_theme(void *ud, const char *name, const char *path)
{
    theme_visit *tv = ud;
    if (tv->check)
        check_theme(path, &tv->rc);
    else
        printf("%-16s %s\n", name, path);
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
    theme_visit tv = {0, 0};
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
    tv.check = cli_flag(a, OPT_CHECK);
    if (dl_tui_theme_each(visit_theme, &tv) == 0 && !tv.check)
        fputs("no theme files found (the console's built-in default is used)\n", stdout);
    return tv.rc;
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
