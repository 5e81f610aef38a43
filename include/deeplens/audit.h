/* audit.h - who changed what, when, where, and how it ended.
 *
 * Every mutating action (provision, reschedule, remove, restore,
 * backup-now, restart, drill) is recorded by the CLI and the console alike:
 *   - to syslog (ident deeplens-backup, facility LOG_AUTHPRIV; journald
 *     takes it from there), one logfmt line, made inert;
 *   - to a local JSON-lines file (config audit_file; default
 *     $XDG_STATE_HOME/deeplens-backup/audit.jsonl, else
 *     ~/.local/state/deeplens-backup/audit.jsonl), created 0600, opened
 *     O_APPEND, one write(2) per line under an exclusive flock, so lines of
 *     several processes never interleave;
 *   - as the labels io.deeplens.backup.changed_by / changed_at on a
 *     container provision or reschedule creates (dl_audit_labels).
 * One line of the file:
 *   {"time":"2026-12-07T09:30:00Z","user":"ops","login":"ana","client":"10.0.0.5",
 *    "source":"cli","engine":"unix:///var/run/docker.sock","action":"reschedule",
 *    "tenant":"acme","args":{"schedule":"0 3 * * *"},"result":"ok"}
 * with "result":"error","error":"<message>" for a failed action. No
 * password is ever recorded (an argument whose name says password is
 * withheld) and a webhook URL keeps only its scheme and host (its path is
 * often the token).
 * The text in a record is partly tenant-controlled (error messages quote
 * the engine, pg_dump, the job): show it only through text.h's inert
 * helpers. The file itself holds JSON-escaped text.
 * Process state: dl_audit_open is called once, before any thread starts
 * (it computes the operator's identity and opens the file); dl_audit_record
 * may then be called from any thread. Nothing returned points into static
 * storage except where said.
 */
#ifndef DEEPLENS_AUDIT_H
#define DEEPLENS_AUDIT_H

#include <stddef.h>

#include "deeplens/docker.h"
#include "deeplens/err.h"
#include "deeplens/spec.h"

#define DL_AUDIT_MAX_ARGS 12

typedef struct dl_audit_arg {
    char name[32];
    char value[256];
} dl_audit_arg;

typedef struct dl_audit_entry {
    char time[32];                   /* UTC, "2026-12-07T09:30:00Z": when it started */
    char user[64];                   /* getpwuid(getuid()) */
    char login[64];                  /* $LOGNAME (or $SUDO_USER) when it differs, else "" */
    char client[64];                 /* the SSH_CONNECTION client address, "" if local */
    char source[16];                 /* "cli" or "console" */
    char engine[256];                /* the engine endpoint */
    char action[32];                 /* "provision", "backup-now", ... */
    char tenant[DL_TENANT_MAX + 1];
    dl_audit_arg args[DL_AUDIT_MAX_ARGS];
    int nargs;
    int ok;                          /* 1 ok, 0 error */
    char error[512];                 /* the error message when !ok */
} dl_audit_entry;

/* The default file into buf: $XDG_STATE_HOME/deeplens-backup/audit.jsonl,
 * else $HOME/.local/state/... (HOME from the password database when not
 * set). Returns buf. */
const char *dl_audit_default_path(char *buf, size_t n);

/* Once per process: source "cli"/"console"; path NULL or "" = the default
 * (its directories are made 0700), "none" = no file (syslog only). Learns
 * the operator (user, login, SSH client) and opens syslog and the file
 * (created 0600; an existing file of ours is set to 0600). Returns -1 with
 * err when the file cannot be opened: records then still go to syslog. */
int dl_audit_open(const char *source, const char *path, dl_err *err);
void dl_audit_close(void);
/* The file dl_audit_open chose ("" for none, or before open). */
const char *dl_audit_path(void);

/* A new record: time now, the process's operator and source, action,
 * tenant and engine (either may be NULL). */
void dl_audit_begin(dl_audit_entry *e, const char *action, const char *tenant,
                    const char *engine);
/* One argument that matters (name as the CLI spells it: "schedule",
 * "nfs-path", "file"). Password-like names are withheld, webhook URLs cut
 * to scheme://host/...; past DL_AUDIT_MAX_ARGS arguments are dropped. */
void dl_audit_add(dl_audit_entry *e, const char *name, const char *value);
/* Finish and write e (ok, else error: the message): syslog and the file.
 * Safe from any thread. -1 with err if the file write failed (syslog was
 * still written). */
int dl_audit_record(dl_audit_entry *e, int ok, const char *error, dl_err *err);

/* The record as one JSON object (no newline), malloc'd; free() it. */
char *dl_audit_to_json(const dl_audit_entry *e);
/* Parse one line (a JSON object as dl_audit_to_json writes); DL_EPROTO
 * when it is not one. Over-long fields are cut. */
int dl_audit_parse(const char *line, size_t len, dl_audit_entry *e, dl_err *err);
/* "schedule='0 3 * * *' retention=14" into buf (values with blanks or
 * quotes single-quoted), raw: display it through the inert helpers. */
const char *dl_audit_args_text(const dl_audit_entry *e, char *buf, size_t n);

/* Read path (NULL = dl_audit_path(), else the default) oldest first and
 * call fn for each record of tenant (NULL = all). A missing file is no
 * records. Lines that do not parse are skipped and counted in *skipped (may
 * be NULL). -1 with err when the file cannot be read. */
int dl_audit_each(const char *path, const char *tenant,
                  void (*fn)(void *ud, const dl_audit_entry *e), void *ud, size_t *skipped,
                  dl_err *err);

/* Append io.deeplens.backup.changed_by (user[@client]) and changed_at (UTC)
 * to a label array from dl_spec_to_labels (reallocated; free with
 * dl_labels_free). Does nothing before dl_audit_open. -1 out of memory. */
int dl_audit_labels(dk_kv **labels, size_t *n);

#endif
