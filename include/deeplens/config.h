/* config.h - the config file: site defaults and console preferences.
 *
 * Found at --config FILE, else $DEEPLENS_BACKUP_CONFIG, else
 * $XDG_CONFIG_HOME/deeplens-backup/config (~/.config/...), else
 * /etc/deeplens-backup/config; a missing default file is not an error.
 * Grammar: one `key = value` per line, `#` comments, blank lines.
 *   postgres_host, postgres_port, postgres_user, postgres_password_file,
 *   network, image, uid_gid, prefix, nfs_options, schedule, retention,
 *   keep_min, drill_schedule (cron or none), drill_window (days), webhook_url,
 *   webhook_format, webhook_events, webhook_secret_file, theme,
 *   read_only (yes/no: refuse every change, CLI and console),
 *   audit_file (the audit trail's JSON-lines file, or none; audit.h),
 *   bind <key> <action>   (console key bindings)
 *   engine <name> host <DOCKER_HOST> | engine <name> context <docker context>
 *                         [read-only]
 *                         (several engines at once, see dl_config_add_engine)
 * Unknown keys and bad values are errors naming the file, line and key.
 * Command-line flags override what the file says.
 */
#ifndef DEEPLENS_CONFIG_H
#define DEEPLENS_CONFIG_H

#include "deeplens/err.h"
#include "deeplens/spec.h"

#define DL_CONFIG_MAX_BINDS 64
#define DL_CONFIG_MAX_ENGINES 16

/* One `engine` line: a name and where the engine is (exactly one of host,
 * context is set), and whether the line ends in `read-only`. */
typedef struct dl_engine_conf {
    char name[64];
    char host[1024];      /* a DOCKER_HOST address: unix:///..., tcp://h:p */
    char context[128];    /* a docker CLI context name */
    int read_only;        /* `engine NAME host X read-only`: no change there */
} dl_engine_conf;

typedef struct dl_bind {
    char key[32];      /* "F5", "^L", "x", "Enter" */
    char action[32];   /* an action name from the console's action table */
} dl_bind;

typedef struct dl_config {
    char path[1024];               /* the file read, "" if none */
    dl_spec site;                  /* site defaults */
    char password_file[1024];
    char webhook_secret_file[1024];  /* "" = none; the secret is its first line */
    char theme[256];               /* name or path, "" = default */
    int read_only;                 /* read_only = yes (or --read-only) */
    char audit_file[1024];         /* "" = the default (audit.h), "none" = no file */
    dl_bind binds[DL_CONFIG_MAX_BINDS];
    int nbinds;
    dl_engine_conf engines[DL_CONFIG_MAX_ENGINES];   /* the `engine` lines, in order */
    int nengines;
} dl_config;

/* Defaults only. */
void dl_config_defaults(dl_config *c);
/* explicit_path: --config value or NULL. Applies the file over defaults. */
int dl_config_load(dl_config *c, const char *explicit_path, dl_err *err);
/* Parse text (for tests); `name` is used in messages. */
int dl_config_parse(dl_config *c, const char *name, const char *text, dl_err *err);
/* Set one key as the file would (command-line overrides use it, so flags
 * and file share one set of rules); DL_EINVAL for an unknown key or a bad
 * value, the message naming the field and quoting the value. */
int dl_config_set(dl_config *c, const char *key, const char *value, dl_err *err);

/* One `engine` line's value, "NAME host ADDRESS" or "NAME context CONTEXT",
 * optionally followed by the word "read-only" (src/config/engines.c): the
 * name as dl_engine_name_check, the address parsed as DOCKER_HOST is, no
 * name twice, at most DL_CONFIG_MAX_ENGINES; any other trailing word is an
 * error naming the engine and the word. */
int dl_config_add_engine(dl_config *c, const char *value, dl_err *err);

/* The webhook's shared secret: the first line of c->webhook_secret_file
 * into buf. 0 (buf "") when no file is set, 1 when read, -1 on error. */
int dl_config_webhook_secret(const dl_config *c, char *buf, size_t n, dl_err *err);

/* Read the database password: password_file (first line) if set, else
 * $DEEPLENS_PG_PASSWORD, else $PGPASSWORD, else prompt on the terminal
 * (echo off) if `interactive`. buf gets a NUL-terminated password. */
int dl_config_password(const dl_config *c, const char *password_file,
                       int interactive, char *buf, size_t n, dl_err *err);

#endif
