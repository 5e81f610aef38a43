/* table.h - the command line's two tables: options and subcommands.
 *
 * Every option and every subcommand is defined once, here and in table.c;
 * `--help`, `help COMMAND`, the argument parser and the man-page drift test
 * all read these tables. A subcommand row says which options it takes
 * (a bit mask over the option table) and its positional arguments as a
 * synopsis ("TENANT [FILE]") from which the parser derives how many it needs.
 * The exit status table is derived from err.h's error kinds plus the one
 * code the CLI adds (6, unhealthy).
 */
#ifndef DEEPLENS_CLI_TABLE_H
#define DEEPLENS_CLI_TABLE_H

#include <stdio.h>

/* X(id, long name, short letter or 0, ARG or NULL for a flag, global, help)
 * Global options are accepted before or after any subcommand. */
#define CLI_OPTIONS(X)                                                                    \
    X(OPT_CONFIG, "config", 0, "FILE", 1, "read this config file instead of the default")  \
    X(OPT_HOST, "host", 'H', "DOCKER_HOST", 1,                                            \
      "docker engine endpoint: unix:///var/run/docker.sock, tcp://host:2376 or ssh://[user@]host[:port] (overrides $DOCKER_HOST); " \
      "repeat for several engines, NAME=ENDPOINT names one")                              \
    X(OPT_CONTEXT, "context", 0, "NAME", 1,                                               \
      "docker CLI context naming the engine (overrides $DOCKER_CONTEXT, docker context use); " \
      "repeat for several engines")                                                        \
    X(OPT_PG_HOST, "postgres-host", 0, "HOST", 1, "PostgreSQL server the backups dump")   \
    X(OPT_PG_PORT, "postgres-port", 0, "PORT", 1, "its port (5432)")                      \
    X(OPT_PG_USER, "postgres-user", 0, "USER", 1, "database user for dumps (deeplens)")   \
    X(OPT_NETWORK, "network", 0, "NAME", 1, "docker network of the server (deeplens-network)") \
    X(OPT_PREFIX, "prefix", 0, "PREFIX", 1, "container name prefix (deeplens-backup-)")   \
    X(OPT_THEME, "theme", 0, "NAME|FILE", 1, "console colour theme")                      \
    X(OPT_NO_COLOR, "no-color", 0, NULL, 1, "no colours (also $NO_COLOR)")                \
    X(OPT_ASCII, "ascii", 0, NULL, 1, "ASCII only: no emoji, no line-drawing characters") \
    X(OPT_READ_ONLY, "read-only", 0, NULL, 1,                                             \
      "refuse every change (exit 8); the console shows no change keys (also read_only = yes)") \
    X(OPT_READ_ONLY_ENGINE, "read-only-engine", 0, "NAME", 1,                             \
      "refuse every change to a tenant on engine NAME (exit 8), repeatable; reads still work " \
      "(also read-only at the end of its engine line in the config)")                                  \
    X(OPT_HELP, "help", 'h', NULL, 1, "show help (for a command: its options)")           \
    X(OPT_VERSION, "version", 'V', NULL, 1, "show the version")                           \
    X(OPT_NFS_PATH, "nfs-path", 0, "SERVER:/PATH|local:/DIR", 0,                          \
      "where backups are written: an NFS export or a local directory")                    \
    X(OPT_TENANT_ID, "tenant-id", 0, "ID", 0, "tenant id, kept for reference")            \
    X(OPT_SCHEDULE, "schedule", 0, "CRON", 0,                                              \
      "five-field cron schedule or @daily-style macro, UTC (0 2 * * *)")                  \
    X(OPT_RETENTION, "retention", 0, "DAYS", 0, "days to keep backups, 1-3650 (30)")      \
    X(OPT_KEEP_MIN, "keep-min", 0, "N", 0, "newest good backups never deleted")           \
    X(OPT_DRILL_SCHEDULE, "drill-schedule", 0, "CRON", 0,                                 \
      "restore drills on this cron schedule (none: no scheduled drills)")                  \
    X(OPT_DRILL_WINDOW, "drill-window", 0, "DAYS", 0,                                      \
      "health is untested after DAYS without a passed drill, 1-3650 (8)")                  \
    X(OPT_NFS_OPTIONS, "nfs-options", 0, "OPTS", 0, "NFS mount options (rw,sync,hard,intr)") \
    X(OPT_NO_COMPRESSION, "no-compression", 0, NULL, 0, "alias of --compression none") \
    X(OPT_COMPRESSION, "compression", 0, "gzip|zstd|none", 0,                              \
      "compression of the backup files (gzip: .sql.gz, zstd: .sql.zst, none: .sql)")      \
    X(OPT_ZSTD_LEVEL, "zstd-level", 0, "N", 0, "zstd level 1-19, with --compression zstd (3)") \
    X(OPT_FORMAT, "format", 0, "plain|custom", 0,                                          \
      "plain SQL, or custom (pg_dump -Fc, .dump, restored with pg_restore) (plain)")      \
    X(OPT_IMAGE, "image", 0, "REF", 0, "image of the backup container")                   \
    X(OPT_SIZE_MIN_PERCENT, "size-min-percent", 0, "PERCENT", 0,                            \
      "a backup below this % of the recent median size is suspicious, 1-99 (50)")         \
    X(OPT_SIZE_MAX_FACTOR, "size-max-factor", 0, "FACTOR", 0,                              \
      "a backup above this many times the recent median is suspicious, 2-1000 (3)")       \
    X(OPT_SIZE_WINDOW, "size-window", 0, "N", 0,                                           \
      "the median of the last N good backups, 1-100 (7)")                                 \
    X(OPT_SIZE_FLOOR, "size-floor", 0, "BYTES", 0,                                         \
      "a backup smaller than BYTES is suspicious (0: off)")                               \
    X(OPT_RUN_TIMEOUT, "run-timeout", 0, "SECONDS|auto", 0,                                \
      "a run that takes longer is killed and FAILED 'timed out' (auto)")                  \
    X(OPT_UID_GID, "uid-gid", 0, "UID:GID", 0, "owner of the backup files (999:999)")     \
    X(OPT_DATABASE, "database", 0, "NAME", 0, "database to dump (tenant_TENANT_metadata)") \
    X(OPT_PASSWORD_FILE, "password-file", 0, "FILE", 0,                                   \
      "read the database password from the first line of FILE")                          \
    X(OPT_REPLACE, "replace", 0, NULL, 0, "replace an existing backup of the tenant")     \
    X(OPT_NO_INITIAL_BACKUP, "no-initial-backup", 0, NULL, 0, "skip the first backup run") \
    X(OPT_SHARED_TARGET, "shared-target", 0, NULL, 0,                                     \
      "allow a target another tenant already uses (each keeps to its own directory)")     \
    X(OPT_WEBHOOK, "webhook", 0, "URL", 0,                                                \
      "notify this http(s) URL on failure, recovery, overdue... (from inside the container)") \
    X(OPT_WEBHOOK_FORMAT, "webhook-format", 0, "json|slack", 0, "webhook body (json)")   \
    X(OPT_WEBHOOK_SECRET_FILE, "webhook-secret-file", 0, "FILE", 0,                       \
      "sign webhooks with the first line of FILE (HMAC-SHA256 header)")                   \
    X(OPT_NO_WEBHOOK, "no-webhook", 0, NULL, 0, "no webhook for this tenant")             \
    X(OPT_SWARM, "swarm", 0, NULL, 0,                                                       \
      "a swarm service (1 replica) with the password as a docker secret, on a swarm manager") \
    X(OPT_CONSTRAINT, "constraint", 0, "EXPR", 0,                                           \
      "with --swarm: placement constraint, e.g. node.role==manager (repeatable)")          \
    X(OPT_JSON, "json", 0, NULL, 0, "machine-readable JSON on stdout")                    \
    X(OPT_FOLLOW, "follow", 'f', NULL, 0, "keep following new lines (Ctrl-C stops)")      \
    X(OPT_TAIL, "tail", 0, "N", 0, "only the last N lines (all)")                          \
    X(OPT_TIMESTAMPS, "timestamps", 't', NULL, 0, "prefix lines with the engine's time")  \
    X(OPT_RAW, "raw", 0, NULL, 0, "write log lines byte for byte (controls not made inert)") \
    X(OPT_TO, "to", 0, "DATABASE", 0, "restore into this database (DATABASE_restore)")    \
    X(OPT_FORCE, "force", 0, NULL, 0, "replace the database restored into if it exists")        \
    X(OPT_DELETE_BACKUPS, "delete-backups", 0, NULL, 0, "also delete the backup files")   \
    X(OPT_YES, "yes", 0, NULL, 0, "confirm --delete-backups without a terminal")          \
    X(OPT_CHECK, "check", 0, NULL, 0, "check theme files (all shipped themes if none given)") \
    X(OPT_TEXTFILE, "textfile", 0, "DIR", 0,                                              \
      "write DIR/deeplens_backup.prom atomically (node_exporter textfile collector)")

enum cli_opt {
#define CLI_X_ENUM(id, name, sh, arg, global, help) id,
    CLI_OPTIONS(CLI_X_ENUM)
#undef CLI_X_ENUM
    CLI_OPT_COUNT
};

#define CLI_OPT(id) (1ULL << (id))
_Static_assert(CLI_OPT_COUNT <= 64, "the option masks are 64-bit: at most 64 options");

typedef struct cli_option {
    const char *name;   /* long name without "--" */
    char shortname;     /* 0 = none */
    const char *arg;    /* NULL = a flag */
    int global;
    const char *help;
} cli_option;

extern const cli_option cli_options[CLI_OPT_COUNT];

typedef struct cli_run cli_run;   /* cmd.h */
typedef int (*cli_handler)(cli_run *r);

/* Subcommand flags. */
enum {
    CLI_ENGINE = 1 << 0,   /* talks to the engine: config + endpoint set up */
    CLI_CHANGES = 1 << 1,  /* changes things: engine version checked first */
    CLI_MUTATES = 1 << 2,  /* changes a tenant: refused in read-only mode, audited */
};

typedef struct cli_command {
    const char *name;
    const char *pos;        /* positional synopsis: "TENANT [FILE]", "[TENANT...]" */
    const char *help;       /* one line */
    unsigned flags;
    unsigned long long opts; /* CLI_OPT() bits of the non-global options it takes */
    unsigned long long need; /* of those, the ones that must be given */
    cli_handler run;
} cli_command;

extern const cli_command cli_commands[];
extern const size_t cli_ncommands;
/* Non-global options taken by the console (no subcommand). */
extern const unsigned long long cli_console_opts;

const cli_command *cli_command_find(const char *name);
/* Positional counts derived from the synopsis; max -1 = unbounded. */
void cli_command_npos(const cli_command *c, int *min, int *max);
/* Name of the n-th positional in the synopsis ("TENANT") into buf. */
const char *cli_command_pos_name(const cli_command *c, int n, char *buf, size_t len);
/* Synopsis line: "provision TENANT --nfs-path SERVER:/PATH|local:/DIR [options]". */
void cli_command_synopsis(const cli_command *c, char *buf, size_t len);

/* One row of the exit status table. */
typedef struct cli_exit_row {
    int code;
    char text[160];
} cli_exit_row;
#define CLI_EXIT_UNHEALTHY 6
/* Fill up to max rows sorted by code; returns the count. */
int cli_exit_rows(cli_exit_row *rows, int max);

void cli_usage(FILE *out);                  /* two lines, for usage errors */
void cli_help(FILE *out);                   /* the whole --help */
/* help COMMAND; -1 if there is no such command. */
int cli_help_command(FILE *out, const char *name);

#endif
