/* text.h - the command line's human output.
 *
 * Formats sizes, durations and UTC times, draws the status block, the list
 * table, the files table and provisioning progress in the words of the
 * original document's "Expected Output". Emoji only when stdout is a
 * terminal with a UTF-8 locale (and no --ascii); colour only on a terminal
 * without NO_COLOR / --no-color. Every string that came from outside (the
 * engine's labels and messages, a container's log lines, a tenant's status
 * file, pg_dump's errors) goes through the shared inert filter
 * (deeplens/text.h) whatever stdout is, since a pipe (| head, | less -R)
 * reaches a terminal too; only `logs --raw` writes bytes as they came.
 * Pure formatting: no engine, no allocation.
 */
#ifndef DEEPLENS_CLI_TEXT_H
#define DEEPLENS_CLI_TEXT_H

#include <stdio.h>
#include <time.h>

#include "deeplens/backup.h"
#include "deeplens/manifest.h"

typedef struct cli_out {
    FILE *f;
    int tty;      /* f is a terminal: control characters made inert */
    int fancy;    /* emoji */
    int color;    /* ANSI colours */
} cli_out;

/* Decide fancy/color for f from isatty, the locale's codeset, TERM,
 * $NO_COLOR and the --ascii / --no-color flags. */
void cli_out_init(cli_out *o, FILE *f, int ascii, int no_color);

/* "512 B", "12.0 KiB", "1.2 GiB" */
const char *cli_fmt_size(long long bytes, char *buf, size_t n);
/* "45s", "12m", "5h 3m", "2d 4h" */
const char *cli_fmt_duration(long long secs, char *buf, size_t n);
/* "2025-12-16 02:00:01 UTC"; "never" for 0 */
const char *cli_fmt_time(time_t t, char *buf, size_t n);
/* "2025-12-16T02:00:01Z" */
const char *cli_fmt_iso(time_t t, char *buf, size_t n);
/* "daily 02:00" for a valid schedule, "" otherwise */
const char *cli_schedule_words(const char *schedule, char *buf, size_t n);

/* Write p[0..n) so that a terminal shows it and obeys none of it: C0
 * controls (but TAB) as ^X, DEL as ^?, C1 controls, bidi controls and
 * zero-width characters as \u0080-style, invalid UTF-8 bytes as \xNN
 * (valid printable UTF-8 is kept, whatever the locale). */
void cli_write_inert(FILE *f, const char *p, size_t n);
/* Write text from outside to o->f: always inert. */
void cli_write_foreign(const cli_out *o, const char *p, size_t n);

/* dl_progress_fn; ud is a cli_out. */
void cli_progress(void *ud, dl_step_kind kind, const char *text);
/* Heading with an emoji when fancy: cli_heading(o, "🗄️", "Setting up ...") */
void cli_heading(const cli_out *o, const char *emoji, const char *text);

void cli_print_status(const cli_out *o, const dl_status *st, time_t now);
void cli_print_list(const cli_out *o, const dl_status *v, size_t n, time_t now);
void cli_print_files(const cli_out *o, const char *tenant, const dl_files *f);
/* files TENANT FILE: the manifest, or "no manifest" */
void cli_print_manifest(const cli_out *o, const char *file, const dl_manifest *m);
/* The summary after provisioning; hint is the command prefix for the
 * "check logs / list backups" lines ("deeplens-backup -H x"). */
void cli_print_provisioned(const cli_out *o, const dl_spec *s, const char *hint);

#endif
