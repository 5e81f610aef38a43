/* table.c - the option and subcommand tables, and the help derived from them.
 *
 * `--help`, `help COMMAND` and the exit status table are printed from these
 * rows only; tests/unit/cli/test_help.c and tests/integration/cli/man.test.sh
 * fail when the help or the man page drift from them.
 */
#include "table.h"

#include <string.h>

#include "cmd.h"
#include "deeplens/err.h"

const cli_option cli_options[CLI_OPT_COUNT] = {
#define CLI_X_ROW(id, name, sh, arg, global, help) {name, sh, arg, global, help},
    CLI_OPTIONS(CLI_X_ROW)
#undef CLI_X_ROW
};

#define O(id) CLI_OPT(id)
/* the size rule and the run timeout: provision and reschedule */
#define CLI_PROOF_OPTS                                                                       \
    (O(OPT_SIZE_MIN_PERCENT) | O(OPT_SIZE_MAX_FACTOR) | O(OPT_SIZE_WINDOW) | O(OPT_SIZE_FLOOR) | \
     O(OPT_RUN_TIMEOUT))

const cli_command cli_commands[] = {
    {"provision", "TENANT",
     "create a tenant's backup: volume, container, first backup",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES,
     O(OPT_NFS_PATH) | O(OPT_TENANT_ID) | O(OPT_SCHEDULE) | O(OPT_RETENTION) |
         O(OPT_KEEP_MIN) | O(OPT_NFS_OPTIONS) | O(OPT_NO_COMPRESSION) | O(OPT_IMAGE) |
         O(OPT_COMPRESSION) | O(OPT_ZSTD_LEVEL) | O(OPT_FORMAT) |
         O(OPT_UID_GID) | O(OPT_DATABASE) | O(OPT_PASSWORD_FILE) | O(OPT_REPLACE) |
         O(OPT_NO_INITIAL_BACKUP) | O(OPT_SHARED_TARGET) | O(OPT_DRILL_SCHEDULE) |
         O(OPT_DRILL_WINDOW) | CLI_PROOF_OPTS | O(OPT_WEBHOOK) |
         O(OPT_WEBHOOK_FORMAT) | O(OPT_WEBHOOK_SECRET_FILE) | O(OPT_NO_WEBHOOK) |
         O(OPT_SWARM) | O(OPT_CONSTRAINT),
     O(OPT_NFS_PATH), cli_cmd_provision},
    {"status", "[TENANT...]",
     "full status of tenant backups (all when none named); exit 6 if one is not ok",
     CLI_ENGINE, O(OPT_JSON), 0, cli_cmd_status},
    {"list", "", "every tenant backup, one line each", CLI_ENGINE, O(OPT_JSON), 0,
     cli_cmd_list},
    {"files", "TENANT [FILE]",
     "backup files on the tenant's target and disk usage; with FILE, its manifest", CLI_ENGINE,
     O(OPT_JSON), 0, cli_cmd_files},
    {"logs", "TENANT", "the backup container's log", CLI_ENGINE,
     O(OPT_FOLLOW) | O(OPT_TAIL) | O(OPT_TIMESTAMPS) | O(OPT_RAW), 0, cli_cmd_logs},
    {"reschedule", "TENANT",
     "change schedule, retention, drills, storage, size rule, run timeout or webhook",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES,
     O(OPT_SCHEDULE) | O(OPT_RETENTION) | O(OPT_DRILL_SCHEDULE) | O(OPT_DRILL_WINDOW) |
         O(OPT_NO_COMPRESSION) | O(OPT_COMPRESSION) | O(OPT_ZSTD_LEVEL) | O(OPT_FORMAT) |
         CLI_PROOF_OPTS | O(OPT_WEBHOOK) | O(OPT_WEBHOOK_FORMAT) |
         O(OPT_WEBHOOK_SECRET_FILE) | O(OPT_NO_WEBHOOK),
     0, cli_cmd_reschedule},
    {"backup-now", "TENANT", "run a backup now and show its output",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES, 0, 0, cli_cmd_backup_now},
    {"verify", "TENANT [FILE]", "check a backup file (the newest if none named)",
     CLI_ENGINE | CLI_CHANGES, 0, 0, cli_cmd_verify},
    {"drill", "TENANT [FILE]",
     "restore drill: restore a backup (the newest if none named) into a scratch database, "
     "compare its tables and rows with the manifest, drop it",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES, 0, 0, cli_cmd_drill},
    {"restore", "TENANT FILE", "restore a backup file into a database",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES, O(OPT_TO) | O(OPT_FORCE), 0, cli_cmd_restore},
    {"restart", "TENANT", "restart the backup container",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES, 0, 0, cli_cmd_restart},
    {"remove", "TENANT",
     "remove the backup container; files are kept unless --delete-backups",
     CLI_ENGINE | CLI_CHANGES | CLI_MUTATES, O(OPT_DELETE_BACKUPS) | O(OPT_YES), 0, cli_cmd_remove},
    {"audit", "[TENANT]",
     "the audit trail: who changed what and how it ended, oldest first (one tenant's if named)",
     CLI_ENGINE, O(OPT_JSON), 0, cli_cmd_audit},
    {"metrics", "", "Prometheus text metrics of every tenant on stdout (or --textfile DIR)",
     CLI_ENGINE, O(OPT_TEXTFILE), 0, cli_cmd_metrics},
    {"keys", "", "the console's keys", 0, 0, 0, cli_cmd_keys},
    {"themes", "[FILE...]", "list the shipped console themes, or check theme files", 0,
     O(OPT_CHECK), 0, cli_cmd_themes},
    {"version", "", "show the version", 0, 0, 0, cli_cmd_version},
    {"help", "[COMMAND]", "help for a command", 0, 0, 0, cli_cmd_help},
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

const unsigned long long cli_console_opts = O(OPT_PASSWORD_FILE);

#undef O

const cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; i < cli_ncommands; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

/* Walk the words of the positional synopsis. */
static const char *next_word(const char *p, const char **start, size_t *len)
{
    while (*p == ' ')
        p++;
    if (!*p)
        return NULL;
    *start = p;
    while (*p && *p != ' ')
        p++;
    *len = (size_t)(p - *start);
    return p;
}

void cli_command_npos(const cli_command *c, int *min, int *max)
{
    const char *p = c->pos, *w;
    size_t len;
    *min = *max = 0;
    while ((p = next_word(p, &w, &len))) {
        int optional = w[0] == '[';
        int many = len >= 3 && memcmp(w + len - (optional ? 4 : 3), "...", 3) == 0;
        if (!optional)
            (*min)++;
        if (*max >= 0)
            *max = many ? -1 : *max + 1;
    }
}

const char *cli_command_pos_name(const cli_command *c, int n, char *buf, size_t len)
{
    const char *p = c->pos, *w = "ARG";
    size_t wl = 3, last = 3;
    const char *lastw = w;
    for (int i = 0; (p = next_word(p, &w, &wl)); i++) {
        lastw = w;
        last = wl;
        if (i == n)
            break;
    }
    /* strip [ ] and ... */
    while (last && (*lastw == '['))
        lastw++, last--;
    while (last && (lastw[last - 1] == ']' || lastw[last - 1] == '.'))
        last--;
    snprintf(buf, len, "%.*s", (int)last, lastw);
    return buf;
}

void cli_command_synopsis(const cli_command *c, char *buf, size_t len)
{
    size_t off = 0;
    int more = 0;
#define PUT(...)                                                               \
    do {                                                                       \
        if (off < len)                                                         \
            off += (size_t)snprintf(buf + off, len - off, __VA_ARGS__);        \
    } while (0)
    PUT("%s%s%s", c->name, *c->pos ? " " : "", c->pos);
    for (int o = 0; o < CLI_OPT_COUNT; o++) {
        if (c->need & CLI_OPT(o))
            PUT(" --%s %s", cli_options[o].name, cli_options[o].arg);
        else if (c->opts & CLI_OPT(o))
            more = 1;
    }
    if (more)
        PUT(" [options]");
#undef PUT
}

int cli_exit_rows(cli_exit_row *rows, int max)
{
    int n = 0;
    /* err.h's kinds grouped by exit code, then the CLI's own code. */
    for (int k = 0; k <= DL_ERRKIND_COUNT; k++) {
        int code = k < DL_ERRKIND_COUNT ? dl_errkind_exit_code((dl_errkind)k) : CLI_EXIT_UNHEALTHY;
        const char *word = k < DL_ERRKIND_COUNT ? dl_errkind_word((dl_errkind)k)
                                                : "unhealthy: status shows a tenant that is not ok";
        int i;
        for (i = 0; i < n && rows[i].code != code; i++)
            ;
        if (i == n) {
            if (n == max)
                continue;
            rows[n].code = code;
            rows[n].text[0] = '\0';
            n++;
        }
        size_t used = strlen(rows[i].text);
        snprintf(rows[i].text + used, sizeof rows[i].text - used, "%s%s", used ? ", " : "", word);
    }
    for (int i = 1; i < n; i++)   /* insertion sort by code */
        for (int j = i; j > 0 && rows[j - 1].code > rows[j].code; j--) {
            cli_exit_row t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    return n;
}

#define HELP_COL 30   /* where help text starts */
#define HELP_WIDTH 79

/* The cursor is at column `col`: write text from HELP_COL on (the next line
 * if col is too far), wrapped at HELP_WIDTH; ends the line. */
static void wrap(FILE *out, int col, const char *text)
{
    const char *p = text;
    if (col + 2 > HELP_COL) {
        fprintf(out, "\n%*s", HELP_COL, "");
        col = HELP_COL;
    } else {
        fprintf(out, "%*s", HELP_COL - col, "");
        col = HELP_COL;
    }
    while (*p) {
        size_t w = strcspn(p, " ");
        if (col > HELP_COL && col + 1 + (int)w > HELP_WIDTH) {
            fprintf(out, "\n%*s", HELP_COL, "");
            col = HELP_COL;
        } else if (col > HELP_COL) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, w, out);
        col += (int)w;
        p += w;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

static void print_option(FILE *out, int o, const cli_command *only_for)
{
    const cli_option *op = &cli_options[o];
    char head[80];
    if (op->shortname)
        snprintf(head, sizeof head, "-%c, --%s%s%s", op->shortname, op->name, op->arg ? " " : "",
                 op->arg ? op->arg : "");
    else
        snprintf(head, sizeof head, "    --%s%s%s", op->name, op->arg ? " " : "",
                 op->arg ? op->arg : "");
    char text[512];
    size_t off = (size_t)snprintf(text, sizeof text, "%s", op->help);
    if (only_for && (only_for->need & CLI_OPT(o)))
        off += (size_t)snprintf(text + off, sizeof text - off, " (required)");
    if (!only_for && !op->global) {
        const char *sep = " [";
        for (size_t i = 0; i < cli_ncommands && off < sizeof text; i++)
            if (cli_commands[i].opts & CLI_OPT(o)) {
                off += (size_t)snprintf(text + off, sizeof text - off, "%s%s", sep,
                                        cli_commands[i].name);
                sep = " ";
            }
        if (off < sizeof text)
            snprintf(text + off, sizeof text - off, "]");
    }
    fprintf(out, "  %s", head);
    wrap(out, 2 + (int)strlen(head), text);
}

void cli_usage(FILE *out)
{
    fputs("Usage: " CLI_PROG " [OPTIONS] COMMAND [ARGS]   (help COMMAND: its options)\n"
          "       " CLI_PROG " [OPTIONS]                  (the console, on a terminal)\n",
          out);
}

void cli_help(FILE *out)
{
    cli_exit_row rows[DL_ERRKIND_COUNT + 1];
    int nrows = cli_exit_rows(rows, DL_ERRKIND_COUNT + 1);

    cli_usage(out);
    fputs("\nProvision and watch per-tenant PostgreSQL backup containers through the\n"
          "Docker Engine API. Without a command on a terminal, opens the console.\n"
          "\nCommands:\n",
          out);
    for (size_t i = 0; i < cli_ncommands; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s %s", cli_commands[i].name, cli_commands[i].pos);
        fprintf(out, "  %s", head);
        wrap(out, 2 + (int)strlen(head), cli_commands[i].help);
    }
    fputs("\nGlobal options (before or after the command):\n", out);
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (cli_options[o].global)
            print_option(out, o, NULL);
    fputs("\nCommand options [the commands that take them]:\n", out);
    for (int o = 0; o < CLI_OPT_COUNT; o++)
        if (!cli_options[o].global)
            print_option(out, o, NULL);
    fputs("\nThe database password is never given on the command line: --password-file,\n"
          "postgres_password_file in the config file, $DEEPLENS_PG_PASSWORD or\n"
          "$PGPASSWORD, else it is asked for on the terminal.\n"
          "\nEnvironment: DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_TLS DOCKER_CERT_PATH NO_COLOR\n"
          "             DEEPLENS_BACKUP_CONFIG DEEPLENS_PG_PASSWORD PGPASSWORD\n"
          "\nExit status:\n",
          out);
    for (int i = 0; i < nrows; i++)
        fprintf(out, "  %3d  %s\n", rows[i].code, rows[i].text);
    fputs("\nSee deeplens-backup(1).\n", out);
}

int cli_help_command(FILE *out, const char *name)
{
    const cli_command *c = cli_command_find(name);
    char syn[512];
    if (!c)
        return -1;
    cli_command_synopsis(c, syn, sizeof syn);
    fprintf(out, "Usage: " CLI_PROG " %s\n\n%s.\n", syn, c->help);
    if (c->opts) {
        fputs("\nOptions:\n", out);
        for (int o = 0; o < CLI_OPT_COUNT; o++)
            if (c->opts & CLI_OPT(o))
                print_option(out, o, c);
    }
    fputs("\nGlobal options: see '" CLI_PROG " --help'.\n", out);
    return 0;
}
