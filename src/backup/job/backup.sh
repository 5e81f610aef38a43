#!/bin/sh
# backup.sh - the job that runs inside one tenant's backup container.
#
#   backup.sh                 one backup; output to stdout and /var/log/backup.log
#   backup.sh --cron          one backup; output to the log only (the entrypoint forwards it)
#   backup.sh --health        docker healthcheck: reads the status file, no database access
#   backup.sh --verify [FILE] structure (gzip -t / zstd -t + trailer, pg_restore -l and a full
#                             read for .dump) + sha256 sidecar of FILE (default newest);
#                             no sidecar: not verified (exit 4)
#   backup.sh --list          this tenant's backups, newest first ("name size mtime sum
#                             tables rows", "- -" without a manifest), then a df line
#   backup.sh --manifest FILE FILE's manifest, filtered; exit 4 when it has none
#   backup.sh --restore FILE DATABASE [--force]
#   backup.sh --drill [FILE]  restore drill of FILE (default newest) into a scratch database,
#                             rows and tables compared with the manifest (see drill())
#   backup.sh --drill-cron    the same for the newest, output to the log only (crontab)
#
#   backup.sh --busy          "busy ..." (exit 0) while a live run holds the lock, else "free"
#   backup.sh --delete        this tenant's files and its directory on the target, under the lock
#   backup.sh --check         crond, every minute while a webhook is set: notify once per
#                             overdue episode (see check)
#   backup.sh --sign KEYFILE  HMAC-SHA256 of stdin keyed with KEYFILE, hex (see notify)
#
# Each tenant has its own directory on the target, BACKUP_DIR = BACKUP_ROOT/TENANT (tenants
# may share one export). It owns there: ${DB}_YYYYMMDD_HHMMSS.sql, .sql.gz, .sql.zst (plain
# SQL: none, gzip, zstd) or .dump (pg_dump -Fc, compressed inside) with ${name}.sha256 and
# ${name}.manifest, their hidden .${name}.partial temporaries, .deeplens/lock, .deeplens/status and
# .deeplens/tenant (the owner's name). Nothing outside it is ever touched, except that the
# container's start moves this tenant's files of the old flat layout (BACKUP_ROOT itself)
# in. In the container: /var/lib/deeplens/status. Every line it prints is logfmt (ts=.. event=.. ...).
# Runs on busybox ash (Alpine) and on Debian with busybox ash as /bin/sh: only POSIX sh,
# `set -o pipefail` and `local`. Exit codes: 0 ok, 1 failed, 2 usage, 3 restore refused,
# 4 not verified (verify, restore, drill: no sha256 sidecar), 75 another run holds the lock.
#
# shellcheck shell=dash
# shellcheck disable=SC2153 # BACKUP_UID, BACKUP_GID, SCHEDULE... come from backup.conf

CONF=${DEEPLENS_CONF:-/etc/deeplens/backup.conf}
STATE_DIR=${DEEPLENS_STATE_DIR:-/var/lib/deeplens}
LOG=${DEEPLENS_LOG:-/var/log/backup.log}
SELF=$0
MODE=${1:-run}

TRAILER='-- PostgreSQL database dump complete'
D8='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
D6='[0-9][0-9][0-9][0-9][0-9][0-9]'

# shellcheck source=/dev/null
if ! . "$CONF"; then
	echo "event=config result=FAILED reason=\"cannot read $CONF\"" >&2
	exit 1
fi
BACKUP_ROOT=${BACKUP_ROOT:-/backups}
case $TENANT in
'' | .* | */*)
	echo "event=config result=FAILED reason=\"invalid TENANT in $CONF\"" >&2
	exit 1
	;;
esac
BACKUP_DIR=$BACKUP_ROOT/$TENANT
# lock heartbeat: stale after LOCK_STALE s without one (the environment may shorten it)
LOCK_STALE=${DEEPLENS_LOCK_STALE:-${LOCK_STALE:-120}}
LOCK_WAIT=${DEEPLENS_LOCK_WAIT:-${LOCK_WAIT:-120}}
RETENTION_DAYS=${RETENTION_DAYS:-30}
KEEP_MIN=${KEEP_MIN:-1}
COMPRESSION=${COMPRESSION:-gzip}
FORMAT=${FORMAT:-plain}
ZSTD_LEVEL=${ZSTD_LEVEL:-3}
MAX_GAP=${MAX_GAP:-86400}
PGPORT=${PGPORT:-5432}
case $KEEP_MIN in '' | *[!0-9]* | 0) KEEP_MIN=1 ;; esac
case $RETENTION_DAYS in '' | *[!0-9]*) RETENTION_DAYS=30 ;; esac
case $MAX_GAP in '' | *[!0-9]* | 0) MAX_GAP=86400 ;; esac
# COMPRESSION 1 / 0: what containers made before zstd and custom were say
case $COMPRESSION in 1) COMPRESSION=gzip ;; 0) COMPRESSION=none ;; esac
case $ZSTD_LEVEL in '' | *[!0-9]* | 0 | 0*) ZSTD_LEVEL=3 ;; esac
[ "$ZSTD_LEVEL" -gt 19 ] && ZSTD_LEVEL=19
case $LOCK_STALE in '' | *[!0-9]* | 0) LOCK_STALE=120 ;; esac
case $LOCK_WAIT in '' | *[!0-9]*) LOCK_WAIT=120 ;; esac
SIZE_MIN_PERCENT=${SIZE_MIN_PERCENT:-50}
SIZE_MAX_FACTOR=${SIZE_MAX_FACTOR:-3}
SIZE_WINDOW=${SIZE_WINDOW:-7}
SIZE_FLOOR=${SIZE_FLOOR:-0}
RUN_TIMEOUT=${RUN_TIMEOUT:-0}
case $SIZE_MIN_PERCENT in '' | *[!0-9]* | 0) SIZE_MIN_PERCENT=50 ;; esac
case $SIZE_MAX_FACTOR in '' | *[!0-9]* | 0 | 1) SIZE_MAX_FACTOR=3 ;; esac
case $SIZE_WINDOW in '' | *[!0-9]* | 0) SIZE_WINDOW=7 ;; esac
case $SIZE_FLOOR in '' | *[!0-9]*) SIZE_FLOOR=0 ;; esac
case $RUN_TIMEOUT in '' | *[!0-9]*) RUN_TIMEOUT=0 ;; esac
LOCK_BEAT=$((LOCK_STALE / 4))
[ "$LOCK_BEAT" -gt 30 ] && LOCK_BEAT=30
[ "$LOCK_BEAT" -lt 1 ] && LOCK_BEAT=1
HEARTBEAT='' LOCKED=0

# The password only ever comes from the pgpass file.
unset PGPASSWORD PGDATABASE PGSERVICE
export PGPASSFILE=${DEEPLENS_PGPASS:-/etc/deeplens/pgpass}
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-15}
export PGAPPNAME=deeplens-backup
export LC_ALL=C

# --- output ---------------------------------------------------------------

TO_LOG=0 # also append each emitted line to $LOG

iso_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
now() { date -u +%s; }

emit() {
	printf '%s\n' "$1"
	if [ "$TO_LOG" = 1 ]; then printf '%s\n' "$1" >>"$LOG" 2>/dev/null; fi
}

# The inert filter, for every value that came from pg_dump, the database or the share:
# awk over od's decimal bytes (byte-exact on mawk, busybox awk and gawk under LC_ALL=C).
# Printable ASCII and valid UTF-8 stay; tab, CR and LF become a space, runs of spaces one;
# C0 and DEL become \xNN, bytes that are not strict UTF-8 \xNN, C1 (U+0080-U+009F), bidi
# controls and zero-width or invisible format characters \uNNNN. At most max characters,
# cut between characters. lines=1 keeps LF as the end of a line (each line cleaned).
# shellcheck disable=SC2016 # awk's $i, not the shell's
CLEAN_AWK='
function hidden(cp) {
	return cp < 160 || cp == 1564 || (cp >= 8203 && cp <= 8207) || (cp >= 8232 && cp <= 8238) ||
		(cp >= 8288 && cp <= 8303) || cp == 65279 || (cp >= 65529 && cp <= 65531)
}
function put(s, w) {
	if (full) return
	if (sp && out != "") { s = " " s; w++ }
	sp = 0
	if (chars + w > max) { full = 1; return }
	out = out s
	chars += w
}
function endline() { print out; out = ""; chars = 0; sp = 0; full = 0 }
BEGIN { for (i = 1; i < 256; i++) chr[i] = sprintf("%c", i); if (max == "") max = 400 }
{ for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
END {
	for (i = 0; i < n; i++) {
		c = b[i]
		if (c == 10 && lines) { endline(); continue }
		if (c == 9 || c == 10 || c == 13 || c == 32) { sp = 1; continue }
		if (c < 32 || c == 127) { put(sprintf("\\x%02x", c), 4); continue }
		if (c < 128) { put(chr[c], 1); continue }
		need = 0
		if (c >= 194 && c <= 223) { need = 1; cp = c - 192; min = 128 }
		else if (c >= 224 && c <= 239) { need = 2; cp = c - 224; min = 2048 }
		else if (c >= 240 && c <= 244) { need = 3; cp = c - 240; min = 65536 }
		ok = need > 0 && i + need < n
		for (k = 1; ok && k <= need; k++) {
			d = b[i + k]
			if (d < 128 || d > 191) ok = 0
			else cp = cp * 64 + d - 128
		}
		if (ok && (cp < min || cp > 1114111 || (cp >= 55296 && cp <= 57343))) ok = 0
		if (!ok) { put(sprintf("\\x%02x", c), 4); continue }
		if (hidden(cp)) put(sprintf("\\u%04x", cp), 6)
		else {
			s = ""
			for (k = 0; k <= need; k++) s = s chr[b[i + k]]
			put(s, 1)
		}
		i += need
	}
	if (!lines || out != "") endline()
}'

# clean TEXT: one line, inert (see CLEAN_AWK), at most 400 characters
clean() {
	printf '%s' "$1" | head -c 8192 | od -An -v -tu1 | awk -v max=400 "$CLEAN_AWK"
}

# q TEXT: a logfmt double-quoted value
q() {
	printf '"%s"' "$(clean "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# v TEXT: a logfmt value, quoted only when it needs to be
v() {
	case $1 in
	'' | *[!A-Za-z0-9_.:/@+-]*) q "$1" ;;
	*) printf '%s' "$1" ;;
	esac
}

# --- small helpers ----------------------------------------------------------

uptime_now() {
	local up rest
	read -r up rest </proc/uptime 2>/dev/null || up=0
	printf '%s\n' "$up"
}

# seconds between two /proc/uptime readings, one decimal
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0) d = 0; printf "%.1f\n", d }'; }

# epoch_of YYYYMMDD_HHMMSS: UTC epoch by days-from-civil, independent of date(1) flavour
epoch_of() {
	printf '%s\n' "$1" | awk '
	function days(y, m, d,   era, yoe, doy, doe) {
		y -= (m <= 2); era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
		doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
		doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
		return era * 146097 + doe - 719468
	}
	{ printf "%.0f\n", days(substr($0,1,4)+0, substr($0,5,2)+0, substr($0,7,2)+0) * 86400 \
		+ substr($0,10,2) * 3600 + substr($0,12,2) * 60 + substr($0,14,2) }'
}

fmt_age() {
	local s=$1
	[ "$s" -lt 0 ] && s=0
	if [ "$s" -ge 86400 ]; then
		echo "$((s / 86400))d$((s % 86400 / 3600))h"
	elif [ "$s" -ge 3600 ]; then
		echo "$((s / 3600))h$((s % 3600 / 60))m"
	elif [ "$s" -ge 60 ]; then
		echo "$((s / 60))m$((s % 60))s"
	else
		echo "${s}s"
	fi
}

hostname_now() {
	local h
	read -r h </proc/sys/kernel/hostname 2>/dev/null || h=unknown
	printf '%s\n' "$h"
}

# the suffixes of backup names, one per format and compression
BACKUP_EXTS='.sql .sql.gz .sql.zst .dump'

# is_backup_name NAME: exactly ${DB}_YYYYMMDD_HHMMSS followed by one of BACKUP_EXTS, nothing else
is_backup_name() {
	# shellcheck disable=SC2254 # D8 and D6 are glob patterns on purpose
	case $1 in
	"$DB"_${D8}_$D6.sql.gz | "$DB"_${D8}_$D6.sql | "$DB"_${D8}_$D6.sql.zst | "$DB"_${D8}_$D6.dump) return 0 ;;
	esac
	return 1
}

# backup_kind NAME: gzip, zstd, plain (SQL uncompressed) or custom (pg_dump -Fc)
backup_kind() {
	case $1 in
	*.sql.gz) echo gzip ;;
	*.sql.zst) echo zstd ;;
	*.dump) echo custom ;;
	*) echo plain ;;
	esac
}

# ts_of NAME: the YYYYMMDD_HHMMSS part of a backup name
ts_of() {
	local rest=${1#"$DB"_}
	printf '%s\n' "${rest%%.*}"
}

valid_db_name() {
	case $1 in
	'' | [!A-Za-z_]* | *[!A-Za-z0-9_-]*) return 1 ;;
	esac
	[ ${#1} -le 63 ]
}

# list_backups: names of this tenant's backups, newest first (by filename timestamp)
list_backups() {
	local f n
	for f in "$BACKUP_DIR/$DB"_*.sql.gz "$BACKUP_DIR/$DB"_*.sql "$BACKUP_DIR/$DB"_*.sql.zst \
		"$BACKUP_DIR/$DB"_*.dump; do
		[ -f "$f" ] || continue
		n=${f##*/}
		is_backup_name "$n" && printf '%s\n' "$n"
	done | awk -v skip="$((${#DB} + 1))" '
	{ k = substr($0, skip + 1, 15); n[NR] = $0; key[NR] = k
	  for (i = NR; i > 1 && key[i - 1] < k; i--) { n[i] = n[i - 1]; key[i] = key[i - 1] }
	  n[i] = $0; key[i] = k }
	END { for (i = 1; i <= NR; i++) print n[i] }'
}

# sidecar_sum NAME: the digest in NAME's sidecar, if it holds one (64 hex digits)
sidecar_sum() {
	local sum='' rest
	[ -f "$BACKUP_DIR/$1.sha256" ] || return 1
	read -r sum rest <"$BACKUP_DIR/$1.sha256" 2>/dev/null
	case $sum in *[!0-9a-f]* | '') return 1 ;; esac
	[ ${#sum} = 64 ] || return 1
	printf '%s\n' "$sum"
}

# describe_backups: "name size mtime sum" per backup, newest first; sum = the sidecar's
# digest, or none (no sidecar, or one that holds no digest)
describe_backups() {
	local n sm sum
	list_backups | while read -r n; do
		sm=$(stat -c '%s %Y' "$BACKUP_DIR/$n" 2>/dev/null) || continue
		sum=$(sidecar_sum "$n") || sum=none
		printf '%s %s %s\n' "$n" "$sm" "$sum"
	done
}

# disk_usage: "total_kb used_kb free_kb" of BACKUP_DIR
disk_usage() {
	local d=$BACKUP_DIR
	[ -d "$d" ] || d=$BACKUP_ROOT
	df -Pk "$d" 2>/dev/null | awk 'NR == 2 { print $(NF-4), $(NF-3), $(NF-2) }'
}

sig_name() {
	case $1 in
	1) echo HUP ;; 2) echo INT ;; 3) echo QUIT ;; 6) echo ABRT ;; 9) echo KILL ;;
	11) echo SEGV ;; 13) echo PIPE ;; 15) echo TERM ;; *) echo "$1" ;;
	esac
}

# first_error FILE: the meaningful line of a tool's stderr: an "error:" line, else a
# FATAL/ERROR/system error line, else the first line
first_error() {
	[ -s "$1" ] && awk '
		!NF { next }
		/error:/ { print; done = 1; exit }
		!second && /FATAL|ERROR|No space|Permission denied|could not connect|Killed/ { second = $0 }
		!first { first = $0 }
		END { if (!done) print (second != "" ? second : first) }' "$1"
}

psql_base() { psql -X -w -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$@"; }

# --- privileges --------------------------------------------------------------

# Re-exec as BACKUP_UID:BACKUP_GID when started as root: the job never runs as root.
drop_privileges() {
	local tool
	[ "$(id -u)" = 0 ] || return 0
	case $BACKUP_UID:$BACKUP_GID in
	*[!0-9:]* | :* | *: | 0:*) return 1 ;;
	esac
	for tool in su-exec gosu; do
		if command -v "$tool" >/dev/null 2>&1; then
			exec "$tool" "$BACKUP_UID:$BACKUP_GID" /bin/sh "$SELF" "$@"
		fi
	done
	if command -v setpriv >/dev/null 2>&1; then
		exec setpriv --reuid="$BACKUP_UID" --regid="$BACKUP_GID" --clear-groups \
			/bin/sh "$SELF" "$@"
	fi
	return 1
}

# --- verification ----------------------------------------------------------------

# check_written NAME: the check of a run's own file NAME, from what the run saw while
# writing it (every process of its pipe exited 0 before): a plain dump's stream ended with
# the SQL trailer; a custom archive was read whole by the manifest's pg_restore. Sets
# CHECK_REASON. (--verify, restore and drills read the file itself: check_dump.)
check_written() {
	CHECK_REASON=''
	[ "$(backup_kind "$1")" = custom ] && return 0
	case $(cat "$WORK/stream.tail" 2>/dev/null) in
	*"$TRAILER"*) return 0 ;;
	esac
	CHECK_REASON="dump incomplete: trailer missing"
	return 1
}

# check_dump PATH NAME: sets CHECK_REASON and fails when the dump PATH, a backup named NAME
# (its suffix says the kind), is damaged. For gzip and zstd the full decompression is the
# integrity test (CRC + length, like gzip -t / zstd -t) and the SQL trailer must be there;
# for custom, pg_restore -l reads the archive's table of contents and a full pg_restore
# to /dev/null reads and decompresses every data block (a truncated archive fails there).
check_dump() {
	local path=$1 kind err=$WORK/check.err tailtext rc
	kind=$(backup_kind "$2")
	CHECK_REASON=''
	case $kind in
	gzip | zstd)
		if [ "$kind" = gzip ]; then
			tailtext=$(gzip -dc "$path" 2>"$err" | tail -n 8)
		else
			tailtext=$(zstd -dcq "$path" 2>"$err" | tail -n 8)
		fi
		rc=$?
		if [ "$rc" != 0 ]; then
			CHECK_REASON="$kind integrity check failed: $(first_error "$err")"
			[ "$CHECK_REASON" = "$kind integrity check failed: " ] &&
				CHECK_REASON="$kind integrity check failed (exit $rc)"
			return 1
		fi
		;;
	custom)
		if ! pg_restore -l "$path" >/dev/null 2>"$err"; then
			CHECK_REASON="pg_restore cannot read the archive: $(first_error "$err")"
			return 1
		fi
		if ! pg_restore -f /dev/null "$path" 2>"$err"; then
			CHECK_REASON="archive damaged: $(first_error "$err")"
			return 1
		fi
		return 0
		;;
	*)
		tailtext=$(tail -n 8 "$path" 2>"$err") || {
			CHECK_REASON="cannot read: $(first_error "$err")"
			return 1
		}
		;;
	esac
	case $tailtext in
	*"$TRAILER"*) ;;
	*)
		CHECK_REASON="dump incomplete: trailer missing"
		return 1
		;;
	esac
	return 0
}

# sha_of PATH: hex digest
sha_of() {
	# shellcheck disable=SC2046 # split "digest  -" into words
	set -- $(sha256sum <"$1")
	[ -n "$1" ] && printf '%s\n' "$1"
}

# verify_backup NAME: full check of a finished backup; sets VERIFY_REASON, VERIFY_SUM.
# 0 verified, 1 damaged, 4 not verified: no sidecar holding a digest (without one a
# plain .sql is proven by its trailer only, so it is never called verified)
verify_backup() {
	local name=$1 path=$BACKUP_DIR/$1 want got
	VERIFY_REASON='' VERIFY_SUM=none
	if [ ! -f "$path" ]; then
		VERIFY_REASON="no such backup"
		return 1
	fi
	if ! check_dump "$path" "$name"; then
		VERIFY_REASON=$CHECK_REASON
		return 1
	fi
	if ! want=$(sidecar_sum "$name"); then
		if [ -f "$path.sha256" ]; then
			VERIFY_REASON="not verified: checksum file $name.sha256 holds no sha256 digest"
		else
			VERIFY_REASON="not verified: no checksum file $name.sha256"
		fi
		return 4
	fi
	got=$(sha_of "$path")
	if [ "$want" != "$got" ]; then
		VERIFY_REASON="checksum mismatch: sidecar $want, file ${got:-unreadable}"
		return 1
	fi
	VERIFY_SUM=sha256
	return 0
}

# --- manifest -----------------------------------------------------------------------
#
# ${name}.manifest beside ${name}.sha256: what the dump holds, counted from the dump stream
# while it is written (a tee into a FIFO that one awk reads), so it describes exactly the
# file. Lines: version=1, format=, compression=, server_version=, database_size= (bytes,
# pg_database_size at dump time), duration= (s, one decimal), tables=<count>, then per
# COPY block "table=<rows> <data bytes> <name>", the qualified name as in the COPY line,
# made inert (CLEAN_AWK). A backup without one (older versions) stays verifiable.

# MANIFEST_NAME_AWK: the awk functions both readers below share: copy_name(line) is the
# qualified table name of a COPY line as written (quoted identifiers kept), "" if none
# shellcheck disable=SC2016 # awk's $0, not the shell's
MANIFEST_NAME_AWK='
function ident(s, p,   c, n) {
	if (substr(s, p, 1) == "\"") {
		for (p++; p <= length(s); p++) {
			c = substr(s, p, 1)
			if (c != "\"") continue
			if (substr(s, p + 1, 1) != "\"") return p + 1
			p++
		}
		return 0
	}
	n = match(substr(s, p), /^[^ ."(]+/)
	return n ? p + RLENGTH : 0
}
function copy_name(s,   e) {
	e = ident(s, 6)
	if (e && substr(s, e, 1) == ".") e = ident(s, e + 1)
	if (!e || substr(s, e, 1) != " ") return ""
	return substr(s, 6, e - 6)
}
'
# MANIFEST_AWK: reads the plain dump, prints server_version= and one table= line per COPY
# block of a "-- Data for Name:" section (a COPY line in a function body is not data)
# shellcheck disable=SC2016 # awk's $0, not the shell's
MANIFEST_AWK="$MANIFEST_NAME_AWK"'
function start(s) {
	name = copy_name(s)
	gsub(/\n/, " ", name)
	data = 0; pend = ""; npend = 0
	if (name != "") { incopy = 1; rows = 0; bytes = 0 }
}
BEGIN { FS = "\n" }
incopy {
	if ($0 == "\\.") { printf "table=%.0f %.0f %s\n", rows, bytes, name; incopy = 0; next }
	rows++; bytes += length($0) + 1; next
}
npend {
	pend = pend "\n" $0
	if ($0 ~ / FROM stdin;$/) start(pend)
	else if (++npend > 8) { npend = 0; pend = ""; data = 0 }
	next
}
/^-- Data for Name: .*; Type: TABLE DATA;/ { data = 1; next }
data && /^COPY / {
	if ($0 ~ / FROM stdin;$/) start($0)
	else { pend = $0; npend = 1 }
	next
}
!ver && /^-- Dumped from database version / {
	split($0, w, " "); ver = w[6]
	if (ver ~ /^[0-9][0-9A-Za-z.]*$/) print "server_version=" ver
	else ver = ""
}'

# MANIFEST_GREP_AWK: the same from `grep -a -b -n` of the dump's few structural lines
# (LINE:OFFSET:TEXT): rows are line spans and data bytes offset spans, so only grep reads
# every byte (GNU grep with anchored patterns scans several times faster than any awk, and
# the dump's CPU is shared with pg_dump and gzip). A COPY header that a line break in a
# quoted name splits is seen by its first line only: its name is that line's, its second
# line is counted in its data bytes, and more lines than two as rows.
# shellcheck disable=SC2016 # awk's $0, not the shell's
MANIFEST_GREP_AWK="$MANIFEST_NAME_AWK"'
function start(s, ln, off) {
	name = copy_name(s)
	data = 0; split_hdr = 0
	if (name != "") { incopy = 1; cl = ln; cs = off }
}
{
	i = index($0, ":"); ln = substr($0, 1, i - 1) + 0; r = substr($0, i + 1)
	i = index(r, ":"); off = substr(r, 1, i - 1) + 0; t = substr(r, i + 1)
}
incopy {
	if (t == "\\.") { printf "table=%.0f %.0f %s\n", ln - cl - 1 - split_hdr, off - cs, name; incopy = 0 }
	next
}
t ~ /^-- Data for Name: .*; Type: TABLE DATA;/ { data = 1; next }
data && t ~ /^COPY / {
	if (t ~ / FROM stdin;$/) start(t, ln, off + length(t) + 1)
	else { name = substr(t, 6); incopy = 1; cl = ln; cs = off + length(t) + 1; split_hdr = 1; data = 0 }
	next
}
!ver && t ~ /^-- Dumped from database version / {
	split(t, w, " "); ver = w[6]
	if (ver ~ /^[0-9][0-9A-Za-z.]*$/) print "server_version=" ver
	else ver = ""
}'

# manifest_count: MANIFEST_AWK's output for the dump on stdin, by grep when it can give
# offsets (GNU grep), else by awk (busybox)
manifest_count() {
	if printf 'x\n' | grep -a -b -n x >/dev/null 2>&1; then
		# (no line matching is no error: grep's 1 would fail the pipe)
		{
			grep -a -b -n -e '^COPY ' -e '^\\\.$' -e '^-- Data for Name: ' \
				-e '^-- Dumped from database version '
			[ $? -le 1 ]
		} | awk "$MANIFEST_GREP_AWK"
		return $?
	fi
	awk "$MANIFEST_AWK"
}

# write_manifest RAW OUT COMPRESSION DBSIZE DURATION: the manifest from MANIFEST_AWK's output
write_manifest() {
	local raw=$1 ver
	ver=$(awk -F= '$1 == "server_version" { print $2; exit }' "$raw")
	{
		echo "version=1"
		echo "format=$FORMAT"
		echo "compression=$3"
		echo "server_version=$ver"
		echo "database_size=$4"
		echo "duration=$5"
		echo "tables=$(grep -c '^table=' "$raw")"
		# (a database without a table has no table= line: grep's 1 is no error of the pipe)
		{ grep '^table=' "$raw" || [ $? -eq 1 ]; } | od -An -v -tu1 | awk -v lines=1 -v max=1024 "$CLEAN_AWK"
	} >"$2"
}

# manifest_file NAME: the path of NAME's manifest when it is a regular file (not a link)
manifest_file() {
	local m=$BACKUP_DIR/$1.manifest
	[ -f "$m" ] && [ ! -L "$m" ] && printf '%s\n' "$m"
}

# manifest_filter FILE: the lines of manifest FILE that are one (the share is the tenant's:
# known keys, each once but table=, values inert and of their key's form; the rest dropped)
manifest_filter() {
	head -c 2097152 "$1" | od -An -v -tu1 | awk -v lines=1 -v max=1100 "$CLEAN_AWK" | awk '
	function num(v) { return v ~ /^[0-9]+$/ }
	{
		k = $0; sub(/=.*/, "", k)
		if (index($0, "=") == 0 || (k != "table" && seen[k]++)) next
		v = substr($0, length(k) + 2)
		if (k == "version" || k == "tables") good = num(v)
		else if (k == "database_size") good = v == "" || num(v)
		else if (k == "duration") good = v ~ /^[0-9]+([.][0-9]+)?$/
		else if (k == "format") good = v == "plain" || v == "custom"
		else if (k == "compression") good = v == "gzip" || v == "zstd" || v == "none"
		else if (k == "server_version") good = v == "" || v ~ /^[0-9][0-9A-Za-z.]*$/
		else if (k == "table") good = v ~ /^[0-9]+ [0-9]+ [^ ]/
		else good = 0
		if (good) print
	}'
}

# manifest_summary NAME: "tables rows" of NAME's manifest, or "- -" without one
manifest_summary() {
	local m
	if m=$(manifest_file "$1"); then
		manifest_filter "$m" | awk '
			/^table=/ { n++; split(substr($0, 7), f, " "); r += f[1] }
			/^version=/ { ok = 1 }
			END { if (ok) printf "%d %.0f\n", n, r; else print "- -" }'
	else
		echo "- -"
	fi
}

# --- status -----------------------------------------------------------------------

# load_previous: the last_success* keys of the current status, kept across failed runs
load_previous() {
	local line k v
	PREV_SUCCESS='' PREV_SUCCESS_FILE='' PREV_SUCCESS_SIZE='' PREV_SUCCESS_DURATION=''
	SIZE_FLAG='' SIZE_REASON='' TIMEOUT_COUNT=0 PREV_RESULT='' PREV_REASON=''
	[ -f "$STATE_DIR/status" ] || return 0
	while IFS= read -r line; do
		k=${line%%=*}
		v=${line#*=}
		case $k in
		last_success) PREV_SUCCESS=$v ;;
		last_success_file) PREV_SUCCESS_FILE=$v ;;
		last_success_size) PREV_SUCCESS_SIZE=$v ;;
		last_success_duration) PREV_SUCCESS_DURATION=$v ;;
		size_flag) SIZE_FLAG=$v ;;
		size_reason) SIZE_REASON=$v ;;
		timeout_count) TIMEOUT_COUNT=$v ;;
		last_result) PREV_RESULT=$v ;;
		last_reason) PREV_REASON=$v ;;
		esac
	done <"$STATE_DIR/status"
	case $SIZE_FLAG in suspicious) ;; *) SIZE_FLAG='' SIZE_REASON='' ;; esac
	case $TIMEOUT_COUNT in '' | *[!0-9]*) TIMEOUT_COUNT=0 ;; esac
}

# status_filter FILE: the lines of status file FILE that are one: known keys, each once
# (file= lines excepted), each value inert (CLEAN_AWK) and of its key's form; the rest
# is dropped. For a status read from the share, which the tenant can write.
status_filter() {
	head -c 262144 "$1" | od -An -v -tu1 | awk -v lines=1 -v max=1024 "$CLEAN_AWK" |
		awk -v db="$DB" '
	function num(v) { return v ~ /^[0-9]+$/ }
	function backup(v,   r) {
		if (substr(v, 1, length(db) + 1) != db "_") return 0
		r = substr(v, length(db) + 2)
		return r ~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_[0-9][0-9][0-9][0-9][0-9][0-9][.](sql([.](gz|zst))?|dump)$/
	}
	{
		k = $0; sub(/=.*/, "", k)
		if (index($0, "=") == 0 || (k != "file" && seen[k]++)) next
		v = substr($0, length(k) + 2)
		if (k == "version" || k == "last_run_start" || k == "last_run_end" || k == "last_size" ||
			k == "last_success" || k == "last_success_size" || k == "db_size_bytes" ||
			k == "disk_total_kb" || k == "disk_free_kb" || k == "file_count" || k == "total_bytes" ||
			k == "timeout_count")
			good = v == "" || num(v)
		else if (k == "last_duration" || k == "last_success_duration")
			good = v == "" || v ~ /^[0-9]+([.][0-9]+)?$/
		else if (k == "last_result")
			good = v == "" || v == "ok" || v == "FAILED"
		else if (k == "last_file" || k == "last_success_file")
			good = v == "" || backup(v)
		else if (k == "tenant" || k == "database" || k == "last_reason" || k == "size_reason")
			good = 1
		else if (k == "size_flag")
			good = v == "" || v == "suspicious"
		else if (k == "last_drill")
			good = v == "" || num(v)
		else if (k == "last_drill_result")
			good = v == "" || v == "ok" || v == "FAILED"
		else if (k == "last_drill_reason")
			good = 1
		else if (k == "last_drill_file")
			good = v == "" || backup(v)
		else if (k == "last_drill_duration")
			good = v == "" || v ~ /^[0-9]+([.][0-9]+)?$/
		else if (k == "file")
			good = split(v, f, " ") == 4 && backup(f[1]) && num(f[2]) && num(f[3]) &&
				(f[4] == "none" || (f[4] ~ /^[0-9a-f]+$/ && length(f[4]) == 64))
		else
			good = 0
		if (good) print
	}'
}

# write_status: /var/lib/deeplens/status and the copy beside the backups, each tmp + mv
write_status() {
	local tmp=$STATE_DIR/.status.$$ total free files
	# shellcheck disable=SC2046 # split "total used free"
	set -- $(disk_usage)
	total=${1:-} free=${3:-}
	files=$WORK/files
	describe_backups >"$files"
	{
		echo "version=1"
		echo "tenant=$TENANT"
		echo "database=$DB"
		echo "last_run_start=$RUN_START"
		echo "last_run_end=$RUN_END"
		echo "last_result=$RESULT"
		echo "last_reason=$(clean "$REASON")"
		echo "last_file=$OUT_FILE"
		echo "last_size=$OUT_SIZE"
		echo "last_duration=$DURATION"
		echo "last_success=$PREV_SUCCESS"
		echo "last_success_file=$PREV_SUCCESS_FILE"
		echo "last_success_size=$PREV_SUCCESS_SIZE"
		echo "last_success_duration=$PREV_SUCCESS_DURATION"
		echo "db_size_bytes=$DB_SIZE"
		echo "size_flag=$SIZE_FLAG"
		echo "size_reason=$(clean "$SIZE_REASON")"
		echo "timeout_count=$TIMEOUT_COUNT"
		echo "disk_total_kb=$total"
		echo "disk_free_kb=$free"
		awk '{ n++; b += $2 } END { printf "file_count=%d\ntotal_bytes=%.0f\n", n, b }' "$files"
		# the last drill's keys (drill_record) outlive the backup runs
		[ -f "$STATE_DIR/status" ] && grep '^last_drill' "$STATE_DIR/status"
		sed 's/^/file=/' "$files"
	} >"$tmp" 2>/dev/null && mv -f "$tmp" "$STATE_DIR/status" 2>/dev/null
	rm -f "$tmp"
	if [ -d "$BACKUP_DIR/.deeplens" ] && [ ! -L "$BACKUP_DIR/.deeplens" ] && [ -f "$STATE_DIR/status" ]; then
		tmp=$BACKUP_DIR/.deeplens/.status.$$
		{ cat "$STATE_DIR/status" >"$tmp" && mv -f "$tmp" "$BACKUP_DIR/.deeplens/status"; } 2>/dev/null
		rm -f "$tmp" 2>/dev/null
	fi
}

# --- lock -------------------------------------------------------------------------
#
# One lock per tenant: the directory $BACKUP_DIR/.deeplens/lock holding an owner file
# (host, pid, start, mode). Its holder touches the owner file every LOCK_BEAT seconds from
# a background loop (the heartbeat); a lock is stale only when that heartbeat is older
# than LOCK_STALE seconds, whoever's host it names and however long the holder has run.
# Ages are measured on the target's own clock (a file touched there), so the clocks of
# the hosts that share an NFS export need not agree.

pid_is_backup() {
	local cmd
	[ -d "/proc/$1" ] || return 1
	cmd=$(tr '\000' ' ' <"/proc/$1/cmdline" 2>/dev/null)
	case $cmd in *backup.sh*) return 0 ;; esac
	return 1
}

# read_owner DIR: OWNER_HOST OWNER_PID OWNER_START OWNER_MODE of a lock directory
read_owner() {
	local k v
	OWNER_HOST='' OWNER_PID='' OWNER_START='' OWNER_MODE=''
	if [ -f "$1/owner" ]; then
		while IFS='=' read -r k v; do
			case $k in
			host) OWNER_HOST=$v ;;
			pid) OWNER_PID=$v ;;
			start) OWNER_START=$v ;;
			mode) OWNER_MODE=$v ;;
			esac
		done <"$1/owner"
	fi
	case $OWNER_START in '' | *[!0-9]*) OWNER_START=$(stat -c %Y "$1" 2>/dev/null) ;; esac
}

# fs_now: the current time on the target's clock (what an mtime there is compared with)
fs_now() {
	local probe=$BACKUP_DIR/.deeplens/.now.$$ t=''
	if (: >"$probe") 2>/dev/null; then
		t=$(stat -c %Y "$probe" 2>/dev/null)
		rm -f "$probe"
	fi
	case $t in '' | *[!0-9]*) now ;; *) printf '%s\n' "$t" ;; esac
}

# beat_age: seconds since the lock's last heartbeat (the owner file's mtime, else the
# directory's: a lock whose owner is being written is fresh)
beat_age() {
	local beat
	beat=$(stat -c %Y "$LOCK/owner" 2>/dev/null) || beat=$(stat -c %Y "$LOCK" 2>/dev/null) || return 1
	echo $(($(fs_now) - beat))
}

# lock_stale: sets STALE_WHY when the current lock belongs to nobody alive
lock_stale() {
	local age
	read_owner "$LOCK"
	# a run of this very container whose pid is gone: no need to wait for the heartbeat
	if [ "$OWNER_HOST" = "$HOST" ] && [ -n "$OWNER_PID" ] && [ "$OWNER_PID" != $$ ] &&
		! pid_is_backup "$OWNER_PID"; then
		STALE_WHY="owner pid $OWNER_PID on $OWNER_HOST is gone"
		return 0
	fi
	age=$(beat_age) || return 1
	if [ "$age" -gt "$LOCK_STALE" ]; then
		STALE_WHY="no heartbeat for $(fmt_age "$age") from pid ${OWNER_PID:-?} on ${OWNER_HOST:-?} (limit ${LOCK_STALE}s)"
		return 0
	fi
	return 1
}

# break_lock: move the stale lock aside, and only remove it if it is still the one judged
break_lock() {
	local aside=$LOCK.stale.$HOST.$$ seen="$OWNER_HOST $OWNER_PID $OWNER_START"
	mv "$LOCK" "$aside" 2>/dev/null || return 1
	read_owner "$aside"
	if [ "$OWNER_HOST $OWNER_PID $OWNER_START" != "$seen" ]; then
		mv "$aside" "$LOCK" 2>/dev/null || rm -rf "$aside"
		return 1
	fi
	rm -rf "$aside"
	emit "ts=$(iso_now) event=lock tenant=$TENANT action=broken reason=$(q "$STALE_WHY")"
	return 0
}

# heartbeat_start: touch our owner file every LOCK_BEAT seconds while we live and the lock
# is still ours (a lock broken meanwhile is left alone; touch -c never creates one)
heartbeat_start() {
	local me=$$ beat=$LOCK_BEAT
	(
		trap - EXIT TERM INT HUP
		while sleep "$beat"; do
			kill -0 "$me" 2>/dev/null || exit 0
			read_owner "$LOCK"
			[ "$OWNER_HOST:$OWNER_PID" = "$HOST:$me" ] || exit 0
			touch -c "$LOCK/owner" 2>/dev/null
		done
	) </dev/null >/dev/null 2>&1 &
	HEARTBEAT=$!
}

# lock_acquire MODE [WAIT]: 0 taken, 1 held by another run (after waiting up to WAIT
# seconds for it), 2 cannot be created or its owner file not written (a lock without
# owner would outlive us); the error is in $WORK/target.err
lock_acquire() {
	local mode=$1 wait=${2:-0} t0
	t0=$(now)
	HOST=${HOST:-$(hostname_now)}
	LOCK=$BACKUP_DIR/.deeplens/lock
	while :; do
		if mkdir "$LOCK" 2>"$WORK/target.err"; then
			if ! printf 'host=%s\npid=%s\nstart=%s\nmode=%s\n' "$HOST" "$$" "$(now)" "$mode" \
				>"$LOCK/owner" 2>"$WORK/target.err"; then
				rm -rf "$LOCK"
				return 2
			fi
			LOCKED=1
			heartbeat_start
			return 0
		fi
		[ -d "$LOCK" ] || return 2
		if lock_stale; then
			break_lock && continue
		fi
		[ $(($(now) - t0)) -lt "$wait" ] || return 1
		sleep 1
	done
}

# lock_release: only our own lock (a lock broken as stale may belong to another run now)
lock_release() {
	[ "$LOCKED" = 1 ] || return 0
	LOCKED=0
	[ -n "$HEARTBEAT" ] && kill "$HEARTBEAT" 2>/dev/null
	HEARTBEAT=''
	read_owner "$LOCK"
	[ "$OWNER_HOST:$OWNER_PID" = "$HOST:$$" ] && rm -rf "$LOCK"
}

# busy: "busy mode=.. pid=.. host=.. since=.." (exit 0) while a live run holds the lock,
# else "free" (exit 1); the C side waits on it before it replaces the container
busy() {
	HOST=$(hostname_now)
	LOCK=$BACKUP_DIR/.deeplens/lock
	if [ -d "$LOCK" ] && ! lock_stale; then
		read_owner "$LOCK"
		echo "busy mode=${OWNER_MODE:-backup} pid=${OWNER_PID:-?} host=$(v "${OWNER_HOST:-?}") since=${OWNER_START:-0}"
		return 0
	fi
	echo free
	return 1
}

# --- size rule -------------------------------------------------------------------
#
# A good backup is suspicious when it is smaller than SIZE_MIN_PERCENT % (50) or larger
# than SIZE_MAX_FACTOR times (3) the median size of the last SIZE_WINDOW (7) good backups
# of the same kind before it (those with a checksum, same extension), or smaller than
# SIZE_FLOOR bytes (0: off). With fewer than SIZE_WINDOW before it, the median of those
# there are; the first backup is held to the floor only. It is kept either way; the flag
# stays until a backup that passes the rule.

# size_check NAME SIZE: sets SIZE_FLAG (suspicious or empty) and SIZE_REASON
size_check() {
	local name=$1 size=$2 ext=${1#*.} med cnt
	SIZE_FLAG='' SIZE_REASON=''
	# shellcheck disable=SC2046 # split "median count"
	set -- $(describe_backups | awk -v self="$name" -v ext=".$ext" -v n="$SIZE_WINDOW" '
		$1 != self && $4 != "none" && substr($1, length($1) - length(ext) + 1) == ext && k < n {
			v[++k] = $2 + 0 }
		END {
			for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
			if (k == 0) print 0, 0
			else printf "%.0f %d\n", (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2, k }')
	med=${1:-0} cnt=${2:-0}
	if [ "$SIZE_FLOOR" -gt 0 ] && [ "$size" -lt "$SIZE_FLOOR" ]; then
		SIZE_FLAG=suspicious
		SIZE_REASON="size $size B is below the floor of $SIZE_FLOOR B"
		return 0
	fi
	[ "$cnt" -gt 0 ] && [ "$med" -gt 0 ] || return 0
	SIZE_REASON=$(awk -v s="$size" -v m="$med" -v c="$cnt" -v lo="$SIZE_MIN_PERCENT" -v hi="$SIZE_MAX_FACTOR" 'BEGIN {
		of = sprintf("the median %.0f B of the last %d good backup%s", m, c, c == 1 ? "" : "s")
		if (s * 100 < m * lo) printf "size %.0f B is %.0f%% of %s (limit %d%%)\n", s, s * 100 / m, of, lo
		else if (s > m * hi) printf "size %.0f B is %.1f times %s (limit %d times)\n", s, s / m, of, hi }')
	[ -n "$SIZE_REASON" ] && SIZE_FLAG=suspicious
	return 0
}

# --- run timeout ----------------------------------------------------------------
#
# RUN_TIMEOUT seconds, or 0 (auto): 5 times the median dump duration of the last
# SIZE_WINDOW backups' manifests, at least 1800 s; 21600 s (6 h) while no backup has a
# manifest. A watchdog kills the run's processes (pg_dump and its pipe) when it is over
# (TERM, KILL 5 s later); the run is FAILED "timed out after N s", timeout_count counts
# it, and the lock is released as after any failure.

# run_limit: the timeout of this run, in seconds
run_limit() {
	local n m
	if [ "$RUN_TIMEOUT" -gt 0 ]; then
		echo "$RUN_TIMEOUT"
		return 0
	fi
	list_backups | awk -v n="$SIZE_WINDOW" 'NR <= n' | while read -r n; do
		# the header only: a manifest of many tables is not read (nor filtered) whole
		m=$(manifest_file "$n") &&
			head -n 10 "$m" | awk -F= '$1 == "duration" && $2 ~ /^[0-9]+([.][0-9]+)?$/ { print $2; exit }'
	done | awk '{ v[++k] = $1 + 0 }
		END {
			if (k == 0) { print 21600; exit }
			for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
			med = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
			lim = med * 5 < 1800 ? 1800 : med * 5
			printf "%.0f\n", lim }'
}

# proc_kids ROOT SKIP: the pids below ROOT, but SKIP's (a list) and those below them
proc_kids() {
	local f line pid rest
	for f in /proc/[0-9]*/stat; do
		read -r line <"$f" 2>/dev/null || continue
		pid=${line%% *}
		rest=${line##*) }
		# shellcheck disable=SC2086 # split "state ppid ..."
		set -- $rest
		printf '%s %s\n' "$pid" "$2"
	done | awk -v root="$1" -v skip="$2" '
		{ par[$1] = $2 }
		END {
			n = split(skip, s, " "); for (i = 1; i <= n; i++) no[s[i]] = 1
			for (p in par) {
				q = p; hit = 0
				while (q != "" && q > 1 && !no[q]) { if (par[q] == root) { hit = 1; break } q = par[q] }
				if (hit && !no[q] && !no[p]) print p
			}
		}'
}

# watchdog_start SECONDS: kill this run's processes after SECONDS (see above)
watchdog_start() {
	local me=$$ secs=$1 hb=$HEARTBEAT
	case $secs in '' | *[!0-9]* | 0) secs=21600 ;; esac
	(
		trap - EXIT TERM INT HUP
		read -r self _ </proc/self/stat
		i=0
		while [ "$i" -lt "$secs" ]; do
			sleep 1
			kill -0 "$me" 2>/dev/null || exit 0
			i=$((i + 1))
		done
		echo "$secs" >"$WORK/timed_out"
		# shellcheck disable=SC2046 # a list of pids
		kill -TERM $(proc_kids "$me" "$self $hb") 2>/dev/null
		sleep 5
		# shellcheck disable=SC2046 # a list of pids
		kill -KILL $(proc_kids "$me" "$self $hb") 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	WATCHDOG=$!
}

watchdog_stop() {
	[ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
	WATCHDOG=''
}

# --- notifications ---------------------------------------------------------------
#
# notify EVENT REASON FILE SIZE posts one webhook (WEBHOOK_URL, from backup.conf) in the
# background: the caller never waits for it. EVENT is one of NOTIFY_EVENTS; only those
# in WEBHOOK_EVENTS (comma-separated, empty = all) are sent. Body (WEBHOOK_FORMAT):
#   json   {"tenant":..,"database":..,"event":..,"reason":..,"file":..,"size":N|null,"time":..}
#   slack  {"text":"deeplens-backup: tenant T: <what> - <reason> (file F, N bytes)"}
# every string inert (CLEAN_AWK, so no control character) and JSON-escaped. When the
# secret file exists, X-DeepLens-Signature: sha256=<HMAC-SHA256 of the exact body, hex>.
# At most NOTIFY_TRIES attempts, NOTIFY_TIMEOUT s each, 2 s then 4 s apart; each
# attempt's result is a logfmt line (event=notify) in the log. curl when the image has
# it, else (busybox) wget. The URL itself is never logged (it may hold a token), only
# its scheme and host.

NOTIFY_EVENTS=failure,recovery,overdue,suspicious,drill_failed
NOTIFY_TRIES=3
NOTIFY_TIMEOUT=10
WEBHOOK_SECRET_FILE=${DEEPLENS_WEBHOOK_SECRET:-/etc/deeplens/webhook.secret}

# hex_octal: hex digits on stdin as printf octal escapes (\ooo per byte)
# shellcheck disable=SC2016 # awk's $1, not the shell's
HEX_OCTAL_AWK='
BEGIN { for (i = 0; i < 16; i++) val[substr("0123456789abcdef", i + 1, 1)] = i }
{ h = tolower($1); for (i = 1; i < length(h); i += 2)
	printf "\\%03o", val[substr(h, i, 1)] * 16 + val[substr(h, i + 1, 1)] }'

# PAD_AWK: the key's decimal bytes (od -tu1) zero-padded to 64, each XOR pad, as \ooo
# escapes (POSIX awk has no XOR: bit by bit)
# shellcheck disable=SC2016 # awk's $i, not the shell's
PAD_AWK='
function xor(a, b,   r, bit, i) {
	r = 0; bit = 1
	for (i = 0; i < 8; i++) { if (a % 2 != b % 2) r += bit; a = int(a / 2); b = int(b / 2); bit *= 2 }
	return r
}
{ for (i = 1; i <= NF; i++) k[n++] = $i + 0 }
END { for (i = 0; i < 64; i++) printf "\\%03o", xor(i < n ? k[i] : 0, pad) }'

# hmac_sha256 KEYFILE: HMAC-SHA256 (RFC 2104) of stdin keyed with KEYFILE's bytes, hex
# digits; sha256sum, od, awk and printf only (no openssl in the image)
hmac_sha256() {
	local key ipad opad inner
	[ -r "$1" ] || return 1
	if [ "$(wc -c <"$1")" -gt 64 ]; then
		key=$(sha_of "$1" | awk "$HEX_OCTAL_AWK")
		# shellcheck disable=SC2059 # the format is the key's octal escapes
		key=$(printf "$key" | od -An -v -tu1)
	else
		key=$(od -An -v -tu1 <"$1")
	fi
	ipad=$(printf '%s\n' "$key" | awk -v pad=54 "$PAD_AWK")
	opad=$(printf '%s\n' "$key" | awk -v pad=92 "$PAD_AWK")
	# shellcheck disable=SC2059 # formats made of octal escapes only
	inner=$({ printf "$ipad" && cat; } | sha256sum | awk '{ print $1 }' | awk "$HEX_OCTAL_AWK") || return 1
	# shellcheck disable=SC2059
	{ printf "$opad" && printf "$inner"; } | sha256sum | awk '{ print $1 }'
}

# json_num TEXT: TEXT when it is a decimal number, else null
json_num() {
	case $1 in '' | *[!0-9]*) printf 'null' ;; *) printf '%s' "$1" ;; esac
}

# notify_what EVENT: the words for EVENT in a text message
notify_what() {
	case $1 in
	failure) echo "backup FAILED" ;;
	recovery) echo "backup recovered" ;;
	overdue) echo "backup overdue" ;;
	suspicious) echo "suspicious backup size" ;;
	drill_failed) echo "restore drill FAILED" ;;
	esac
}

# notify_body EVENT REASON FILE SIZE TIME: the request body, one line (see above)
notify_body() {
	local text
	if [ "${WEBHOOK_FORMAT:-json}" = slack ]; then
		text="deeplens-backup: tenant $TENANT: $(notify_what "$1")"
		[ -n "$2" ] && text="$text - $2"
		if [ -n "$3" ]; then
			text="$text (file $3"
			case $4 in '' | *[!0-9]*) ;; *) text="$text, $4 bytes" ;; esac
			text="$text)"
		fi
		printf '{"text":%s}' "$(q "$text")"
		return 0
	fi
	printf '{"tenant":%s,"database":%s,"event":%s,"reason":%s,"file":%s,"size":%s,"time":%s}' \
		"$(q "$TENANT")" "$(q "$DB")" "$(q "$1")" "$(q "$2")" "$(q "$3")" "$(json_num "$4")" "$(q "$5")"
}

# notify_dest: scheme://host[:port] of WEBHOOK_URL, for the log
notify_dest() {
	local rest=${WEBHOOK_URL#*://}
	printf '%s://%s\n' "${WEBHOOK_URL%%://*}" "${rest%%/*}"
}

# notify_post BODY SIGNATURE: one attempt; 0 on a 2xx answer, else the client's error on
# stdout. Arguments are not secret: the body, and a MAC of it.
notify_post() {
	local body=$1 sig=$2 limit=''
	set -- --header 'Content-Type: application/json' --header 'User-Agent: deeplens-backup'
	[ -n "$sig" ] && set -- "$@" --header "X-DeepLens-Signature: sha256=$sig"
	if command -v curl >/dev/null 2>&1; then
		curl -fsS -o /dev/null --connect-timeout 5 -m "$NOTIFY_TIMEOUT" "$@" --data-binary "$body" \
			-- "$WEBHOOK_URL" 2>&1
		return
	fi
	command -v timeout >/dev/null 2>&1 && limit="timeout $NOTIFY_TIMEOUT"
	# shellcheck disable=SC2086 # $limit is empty or two words
	$limit wget -q -O /dev/null "$@" --post-data "$body" -- "$WEBHOOK_URL" 2>&1
}

# notify_log TEXT: one line into the job log (the entrypoint forwards it to docker logs)
notify_log() {
	printf '%s\n' "ts=$(iso_now) event=notify tenant=$TENANT $1" >>"$LOG" 2>/dev/null
}

# notify_send EVENT REASON FILE SIZE: build, sign and post with retries (the background part)
notify_send() {
	local body sig='' try=1 wait=2 out rc dest
	dest=$(notify_dest)
	body=$(notify_body "$1" "$2" "$3" "$4" "$(iso_now)")
	if [ -f "$WEBHOOK_SECRET_FILE" ]; then
		sig=$(printf '%s' "$body" | hmac_sha256 "$WEBHOOK_SECRET_FILE") || sig=''
		case $sig in
		*[!0-9a-f]* | '')
			notify_log "alert=$1 to=$(v "$dest") result=FAILED reason=\"cannot read the webhook secret: not sent\""
			return 1
			;;
		esac
	fi
	while :; do
		out=$(notify_post "$body" "$sig")
		rc=$?
		if [ "$rc" = 0 ]; then
			notify_log "alert=$1 to=$(v "$dest") result=ok attempt=$try/$NOTIFY_TRIES"
			return 0
		fi
		[ "$rc" = 124 ] && out="no answer within ${NOTIFY_TIMEOUT}s"
		out=$(printf '%s\n' "$out" | awk 'NF { l = $0 } END { print l }')
		if [ "$try" -ge "$NOTIFY_TRIES" ]; then
			notify_log "alert=$1 to=$(v "$dest") result=FAILED attempt=$try/$NOTIFY_TRIES reason=$(q "${out:-exit status $rc}") action=gave_up"
			return 1
		fi
		notify_log "alert=$1 to=$(v "$dest") result=FAILED attempt=$try/$NOTIFY_TRIES reason=$(q "${out:-exit status $rc}") retry_in=${wait}s"
		sleep "$wait"
		try=$((try + 1)) wait=$((wait * 2))
	done
}

# notify EVENT REASON FILE SIZE: see above; returns at once (2: EVENT unknown)
notify() {
	case ,$NOTIFY_EVENTS, in
	*,"$1",*) ;;
	*)
		emit "ts=$(iso_now) event=notify tenant=$TENANT alert=$(v "$1") result=FAILED reason=\"unknown event\""
		return 2
		;;
	esac
	[ -n "${WEBHOOK_URL:-}" ] || return 0
	case ,${WEBHOOK_EVENTS:-$NOTIFY_EVENTS}, in *,"$1",*) ;; *) return 0 ;; esac
	(
		trap - EXIT TERM INT HUP
		notify_send "$@"
	) </dev/null >/dev/null 2>&1 &
	return 0
}

# check: run by crond every minute while a webhook is set: once per overdue episode
# (named by the last good backup's time, or by the container's start when there has
# been none), an overdue notification. The verdict is the health probe's own.
check() {
	local verdict key started='' mark=$STATE_DIR/overdue.notified
	[ -n "${WEBHOOK_URL:-}" ] || return 0
	if verdict=$(health_verdict); then
		rm -f "$mark"
		return 0
	fi
	case $verdict in overdue:*) ;; *) return 0 ;; esac
	load_previous
	[ -f "$STATE_DIR/started" ] && read -r started <"$STATE_DIR/started"
	key=${PREV_SUCCESS:-start$started}
	[ "$(cat "$mark" 2>/dev/null)" = "$key" ] && return 0
	{ printf '%s\n' "$key" >"$mark.$$" && mv -f "$mark.$$" "$mark"; } 2>/dev/null || return 1
	emit "ts=$(iso_now) event=check tenant=$TENANT result=overdue reason=$(q "${verdict#overdue: }")"
	notify overdue "${verdict#overdue: }" "$PREV_SUCCESS_FILE" "$PREV_SUCCESS_SIZE"
}

# --- one backup run ---------------------------------------------------------------

cleanup() {
	[ -n "$PARTIAL" ] && rm -f "$PARTIAL"
	[ -n "$SIDE_TMP" ] && rm -f "$SIDE_TMP"
	[ -n "$DUMP_NAMED" ] && rm -f "$DUMP_NAMED"
	[ -n "$SIDE_NAMED" ] && rm -f "$SIDE_NAMED"
	PARTIAL='' SIDE_TMP='' DUMP_NAMED='' SIDE_NAMED=''
	watchdog_stop
	manifest_cleanup
	lock_release
	[ -n "$WORK" ] && rm -rf "$WORK"
	return 0
}

# finish RESULT REASON: status file, result line, exit
finish() {
	trap '' TERM INT HUP
	watchdog_stop
	RESULT=$1 REASON=$2
	if [ "$RESULT" = FAILED ] && [ -n "$WORK" ] && [ -s "$WORK/timed_out" ]; then
		REASON="timed out after $(cat "$WORK/timed_out") s"
		TIMEOUT_COUNT=$((TIMEOUT_COUNT + 1))
		# what the watchdog's TERM left of this run
		[ -n "$PARTIAL" ] && rm -f "$PARTIAL"
	fi
	RUN_END=$(now)
	DURATION=$(elapsed "$UP_START" "$(uptime_now)")
	if [ "$RESULT" = ok ]; then
		PREV_SUCCESS=$RUN_END PREV_SUCCESS_FILE=$OUT_FILE
		PREV_SUCCESS_SIZE=$OUT_SIZE PREV_SUCCESS_DURATION=$DURATION
		DB_SIZE=$MF_DB_SIZE
		[ -n "$DB_SIZE" ] ||
			DB_SIZE=$(psql_base -At -d "$DB" -c 'select pg_database_size(current_database())' 2>/dev/null)
		case $DB_SIZE in *[!0-9]*) DB_SIZE= ;; esac
	fi
	write_status
	if [ "$RESULT" = ok ]; then
		if [ -n "$SIZE_FLAG" ]; then
			emit "ts=$(iso_now) event=size tenant=$TENANT result=suspicious file=$OUT_FILE size=$OUT_SIZE reason=$(q "$SIZE_REASON")"
			notify suspicious "$SIZE_REASON" "$OUT_FILE" "$OUT_SIZE"
		fi
		emit "ts=$(iso_now) event=backup tenant=$TENANT result=ok file=$OUT_FILE size=$OUT_SIZE duration=$DURATION pruned=$PRUNED"
		# the first good run after a failed one
		[ "$PREV_RESULT" = FAILED ] &&
			notify recovery "recovered from: ${PREV_REASON:-a failed run}" "$OUT_FILE" "$OUT_SIZE"
		cleanup
		exit 0
	fi
	emit "ts=$(iso_now) event=backup tenant=$TENANT result=FAILED reason=$(q "$REASON") duration=$DURATION"
	notify failure "$REASON" "$OUT_FILE" "$OUT_SIZE"
	cleanup
	exit 1
}

on_signal() {
	[ -n "$PARTIAL" ] && rm -f "$PARTIAL"
	finish FAILED "interrupted by SIG$1"
}

# sweep: hidden temporaries of this tenant left by dead runs (we hold the lock; a file
# still being written would be newer than our start)
sweep() {
	local f n m
	for f in "$BACKUP_DIR/.$DB"_*.partial; do
		[ -f "$f" ] || continue
		n=${f##*/.}
		n=${n%.partial}
		# shellcheck disable=SC2254 # D8 and D6 are glob patterns on purpose
		case $n in
		*.sha256) is_backup_name "${n%.sha256}" || continue ;;
		*.manifest) is_backup_name "${n%.manifest}" || continue ;;
		*) is_backup_name "$n" || continue ;;
		esac
		m=$(stat -c %Y "$f" 2>/dev/null) || continue
		[ "$m" -lt "$RUN_START" ] || continue
		rm -f "$f" && emit "ts=$(iso_now) event=sweep tenant=$TENANT file=${f##*/}"
	done
}

# prune: retention by filename timestamp; the newest KEEP_MIN good backups (those with a
# sidecar) always stay; only exact backup names of this tenant are ever touched
prune() {
	local cutoff list n s ts e
	cutoff=$(($(now) - RETENTION_DAYS * 86400))
	list=$WORK/prune
	list_backups | while read -r n; do
		s=0
		[ -f "$BACKUP_DIR/$n.sha256" ] && s=1
		printf '%s %s %s\n' "$n" "$s" "$(epoch_of "$(ts_of "$n")")"
	done | awk -v keep="$KEEP_MIN" -v cutoff="$cutoff" '
		$2 == 1 && kept < keep { kept++; next }
		$3 + 0 < cutoff + 0 { print $1, $3 }' >"$list"
	while read -r n e; do
		is_backup_name "$n" || continue
		if rm -f "$BACKUP_DIR/$n"; then
			rm -f "$BACKUP_DIR/$n.sha256" "$BACKUP_DIR/$n.manifest"
			PRUNED=$((PRUNED + 1))
			emit "ts=$(iso_now) event=prune tenant=$TENANT file=$n age_days=$((($(now) - e) / 86400))"
		fi
	done <"$list"
	# sidecars whose backup is gone
	for s in "$BACKUP_DIR/$DB"_*.sql.gz.sha256 "$BACKUP_DIR/$DB"_*.sql.sha256 \
		"$BACKUP_DIR/$DB"_*.sql.zst.sha256 "$BACKUP_DIR/$DB"_*.dump.sha256 \
		"$BACKUP_DIR/$DB"_*.sql.gz.manifest "$BACKUP_DIR/$DB"_*.sql.manifest \
		"$BACKUP_DIR/$DB"_*.sql.zst.manifest "$BACKUP_DIR/$DB"_*.dump.manifest; do
		[ -f "$s" ] || continue
		n=${s##*/}
		n=${n%.sha256}
		n=${n%.manifest}
		is_backup_name "$n" || continue
		[ -f "$BACKUP_DIR/$n" ] && continue
		ts=$(epoch_of "$(ts_of "$n")")
		[ "$ts" -lt "$cutoff" ] && rm -f "$s"
	done
}

# tenant_dir ERRFILE: this tenant's directory and its .deeplens/ (with the owner marker)
tenant_dir() {
	[ -d "$BACKUP_DIR/.deeplens" ] || mkdir -p "$BACKUP_DIR/.deeplens" 2>"$1" || return 1
	[ -f "$BACKUP_DIR/.deeplens/tenant" ] ||
		printf 'tenant=%s\ndatabase=%s\n' "$TENANT" "$DB" >"$BACKUP_DIR/.deeplens/tenant" 2>"$1" ||
		return 1
	return 0
}

# target_failed ERRFILE: finish with the operator-level cause of a failed write to the target
target_failed() {
	case $(cat "$1" 2>/dev/null) in
	*"No space left"* | *"Disk quota"*) finish FAILED "no space left on device" ;;
	*"Read-only file system"*) finish FAILED "target $BACKUP_DIR is read-only" ;;
	*) finish FAILED "target $BACKUP_DIR not writable by uid $(id -u)" ;;
	esac
}

# flush PATH...: fsync each file or directory, or fail with the error in FLUSH_ERR.
# `sync FILE` is coreutils' and busybox's (FEATURE_SYNC_FANCY; a busybox without it only
# warns that it ignores the names: then its fsync applet, else no flush is proven).
flush() {
	FLUSH_ERR=$(sync -- "$@" 2>&1) || return 1
	case $FLUSH_ERR in
	*ignoring*)
		command -v fsync >/dev/null 2>&1 || {
			FLUSH_ERR="this image cannot flush single files (no sync FILE, no fsync)"
			return 1
		}
		FLUSH_ERR=$(fsync "$@" 2>&1) || return 1
		;;
	esac
	return 0
}

# flush_failed: finish with the cause of a failed flush (cleanup takes back what was named)
flush_failed() {
	case $FLUSH_ERR in
	*"No space left"* | *"Disk quota"*) finish FAILED "no space left on device (at flush)" ;;
	esac
	finish FAILED "cannot flush to $BACKUP_DIR: $(printf '%s\n' "$FLUSH_ERR" | awk 'NF { print; exit }')"
}

# backup_ext: the suffix of this run's file, from FORMAT and COMPRESSION
backup_ext() {
	if [ "$FORMAT" = custom ]; then
		echo .dump
		return 0
	fi
	case $COMPRESSION in
	gzip) echo .sql.gz ;;
	zstd) echo .sql.zst ;;
	*) echo .sql ;;
	esac
}

# dump_plain: the plain SQL dump on stdout (pg_dump's status in $WORK/dump.rc). The one
# place a plain run's SQL stream exists whole: a reader of the dump itself (the manifest)
# taps the pipe between dump_plain and compress_stream.
dump_plain() {
	pg_dump -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" -w 2>"$WORK/dump.err"
	rc=$?
	echo "$rc" >"$WORK/dump.rc"
	return "$rc"
}

# compress_stream: stdin to stdout in COMPRESSION (zstd on every core, with its checksum)
compress_stream() {
	case $COMPRESSION in
	gzip) gzip -6 ;;
	zstd) zstd -q -T0 -"$ZSTD_LEVEL" ;;
	*) cat ;;
	esac
}

# dump_custom PATH: pg_dump -Fc into PATH (a file, so that its offsets are written and
# pg_restore -j can seek); compressed inside: gzip level 6, or -Z 0 with compression none
dump_custom() {
	local z=6
	[ "$COMPRESSION" = none ] && z=0
	pg_dump -Fc -Z "$z" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" -w -f "$1" 2>"$WORK/dump.err"
	rc=$?
	echo "$rc" >"$WORK/dump.rc"
	return "$rc"
}

# dump_stream: the plain run. dump_plain through tee into compress_stream into $PARTIAL;
# tee's copies go through FIFOs to the manifest reader ($WORK/mf.raw) and to tail, which
# keeps the stream's last lines ($WORK/stream.tail) for the trailer check: the run's own
# file is not read back and decompressed. Sets MF_DURATION (the pipe's, manifest
# included) and MF_DB_SIZE (right after the dump).
dump_stream() {
	local up0 fifo=$WORK/mf.fifo tailf=$WORK/tail.fifo rc mf_rc tail_pid
	up0=$(uptime_now)
	if ! mkfifo "$fifo" "$tailf" 2>"$WORK/mf.err"; then
		echo 0 >"$WORK/dump.rc"
		return 1
	fi
	manifest_count <"$fifo" >"$WORK/mf.raw" 2>"$WORK/mf.err" &
	MF_PID=$!
	tail -n 8 <"$tailf" >"$WORK/stream.tail" 2>/dev/null &
	tail_pid=$!
	dump_plain | tee "$fifo" "$tailf" 2>"$WORK/tee.err" | compress_stream 2>"$WORK/compress.err" >"$PARTIAL"
	rc=$?
	# a tee that never opened the FIFOs leaves the readers waiting for a writer
	[ "$rc" = 0 ] || kill "$MF_PID" "$tail_pid" 2>/dev/null
	wait "$MF_PID"
	mf_rc=$?
	MF_PID=''
	wait "$tail_pid"
	MF_DURATION=$(elapsed "$up0" "$(uptime_now)")
	[ "$rc" = 0 ] || return "$rc"
	[ "$mf_rc" = 0 ] || return "$mf_rc"
	dump_db_size
	return 0
}

# dump_custom_stream: the custom run. pg_dump -Fc into $PARTIAL, then the manifest from
# the archive itself: pg_restore's script of it, read once and whole, which is also the
# archive's check (its trailer goes to $WORK/stream.tail). Sets MF_DURATION, MF_DB_SIZE.
dump_custom_stream() {
	local up0 rc
	up0=$(uptime_now)
	dump_custom "$PARTIAL" || return $?
	pg_restore -f - "$PARTIAL" 2>"$WORK/mf.err" | manifest_count >"$WORK/mf.raw" 2>>"$WORK/mf.err"
	rc=$?
	MF_DURATION=$(elapsed "$up0" "$(uptime_now)")
	[ "$rc" = 0 ] || return "$rc"
	dump_db_size
	return 0
}

# dump_db_size: MF_DB_SIZE, the size at dump time: asked once the dump worked (an
# unreachable server is not waited for twice)
dump_db_size() {
	MF_DB_SIZE=$(psql_base -At -d "$DB" -c 'select pg_database_size(current_database())' 2>/dev/null)
	case $MF_DB_SIZE in *[!0-9]*) MF_DB_SIZE= ;; esac
}

# manifest_cleanup: the manifest reader and the manifest names of a run that did not finish
manifest_cleanup() {
	[ -n "$MF_PID" ] && kill "$MF_PID" 2>/dev/null
	[ -n "$MF_TMP" ] && rm -f "$MF_TMP"
	[ -n "$MF_NAMED" ] && rm -f "$MF_NAMED"
	MF_PID='' MF_TMP='' MF_NAMED=''
}

run_backup() {
	local ts ext final rc dump_rc err reason try sum
	RUN_START=$(now) UP_START=$(uptime_now)
	HOST=$(hostname_now)
	OUT_FILE='' OUT_SIZE='' PRUNED=0 DB_SIZE='' DURATION=0 REASON='' MF_DB_SIZE=''
	PARTIAL='' SIDE_TMP='' DUMP_NAMED='' SIDE_NAMED='' LOCKED=0
	MF_TMP='' MF_NAMED='' MF_PID='' WATCHDOG=''
	LOCK=$BACKUP_DIR/.deeplens/lock
	load_previous
	trap cleanup EXIT
	trap 'on_signal TERM' TERM
	trap 'on_signal INT' INT
	trap 'on_signal HUP' HUP

	[ -d "$BACKUP_ROOT" ] || finish FAILED "target $BACKUP_ROOT does not exist"
	for link in "$BACKUP_DIR" "$BACKUP_DIR/.deeplens"; do
		[ -L "$link" ] &&
			finish FAILED "$link on the backup target is a symbolic link: not followed; remove it"
	done
	tenant_dir "$WORK/target.err" || target_failed "$WORK/target.err"
	lock_acquire backup
	rc=$?
	# a verify, restore or delete holds it: wait for that rather than skip the backup
	if [ "$rc" = 1 ] && [ -n "$OWNER_MODE" ] && [ "$OWNER_MODE" != backup ]; then
		lock_acquire backup "$LOCK_WAIT"
		rc=$?
	fi
	case $rc in
	1)
		emit "ts=$(iso_now) event=backup tenant=$TENANT result=SKIPPED reason=\"another run is in progress\" holder=$(q "${OWNER_HOST:-?}:${OWNER_PID:-?}")"
		trap - EXIT
		rm -rf "$WORK"
		exit 75
		;;
	2) target_failed "$WORK/target.err" ;;
	esac
	sweep
	RUN_LIMIT=$(run_limit)
	watchdog_start "$RUN_LIMIT"

	ext=$(backup_ext)
	# shellcheck disable=SC2034 # a bounded retry
	for try in 1 2 3; do
		ts=$(date -u +%Y%m%d_%H%M%S)
		final=${DB}_$ts$ext
		[ -e "$BACKUP_DIR/$final" ] || break
		sleep 1
	done
	PARTIAL=$BACKUP_DIR/.$final.partial
	if ! (: >"$PARTIAL") 2>"$WORK/target.err"; then
		PARTIAL=''
		target_failed "$WORK/target.err"
	fi

	err=$WORK/dump.err
	if [ "$FORMAT" = custom ]; then
		dump_custom_stream
	else
		dump_stream
	fi
	rc=$?
	dump_rc=$rc
	[ -s "$WORK/dump.rc" ] && read -r dump_rc <"$WORK/dump.rc"
	if [ "$rc" != 0 ] || [ "$dump_rc" != 0 ]; then
		rm -f "$PARTIAL"
		# a signal death first: the shell's own "Killed" may have landed in the capture
		if [ "$dump_rc" -gt 128 ] 2>/dev/null; then
			reason="pg_dump terminated by signal $(sig_name $((dump_rc - 128)))"
		else
			reason=$(first_error "$err")
		fi
		if [ -z "$reason" ] && [ "$dump_rc" = 0 ] && [ -s "$WORK/compress.err" ]; then
			reason="$COMPRESSION: $(first_error "$WORK/compress.err")"
		fi
		if [ -z "$reason" ] && [ "$dump_rc" = 0 ] && [ -s "$WORK/tee.err" ]; then
			reason="writing the dump: $(first_error "$WORK/tee.err")"
		fi
		if [ -z "$reason" ] && [ "$dump_rc" = 0 ] && [ -s "$WORK/mf.err" ]; then
			reason="manifest: $(first_error "$WORK/mf.err")"
		fi
		if [ -z "$reason" ] && [ "$dump_rc" = 0 ]; then
			reason="the dump's pipe exited with status $rc"
			[ "$FORMAT" = plain ] && [ "$COMPRESSION" != none ] && reason="$COMPRESSION exited with status $rc"
		fi
		[ -n "$reason" ] || reason="pg_dump exited with status $dump_rc"
		case "$reason $(cat "$WORK/compress.err" "$WORK/tee.err" 2>/dev/null)" in
		*"No space left on device"*) reason="no space left on device" ;;
		esac
		finish FAILED "$reason"
	fi

	if ! check_written "$final"; then
		rm -f "$PARTIAL"
		finish FAILED "$CHECK_REASON"
	fi
	MF_TMP=$BACKUP_DIR/.$final.manifest.partial
	write_manifest "$WORK/mf.raw" "$MF_TMP" "$COMPRESSION" "$MF_DB_SIZE" "$MF_DURATION" 2>"$WORK/side.err" ||
		finish FAILED "cannot write manifest: $(first_error "$WORK/side.err")"
	SIDE_TMP=$BACKUP_DIR/.$final.sha256.partial
	sum=$(sha_of "$PARTIAL")
	if [ -z "$sum" ] || ! printf '%s  %s\n' "$sum" "$final" >"$SIDE_TMP" 2>"$WORK/side.err"; then
		finish FAILED "cannot write checksum: $(first_error "$WORK/side.err")"
	fi
	# Flushed before any gets its name, and the sidecars named first: neither a crash
	# nor a write error that surfaces only at flush (NFS) leaves a dump with a good name
	# that is short or has no checksum. Names given but not flushed are taken back.
	flush "$PARTIAL" "$SIDE_TMP" "$MF_TMP" || flush_failed
	mv -f "$MF_TMP" "$BACKUP_DIR/$final.manifest" 2>"$WORK/mv.err" ||
		finish FAILED "cannot rename manifest: $(first_error "$WORK/mv.err")"
	MF_TMP='' MF_NAMED=$BACKUP_DIR/$final.manifest
	mv -f "$SIDE_TMP" "$BACKUP_DIR/$final.sha256" 2>"$WORK/mv.err" ||
		finish FAILED "cannot rename checksum: $(first_error "$WORK/mv.err")"
	SIDE_TMP='' SIDE_NAMED=$BACKUP_DIR/$final.sha256
	mv -f "$PARTIAL" "$BACKUP_DIR/$final" 2>"$WORK/mv.err" ||
		finish FAILED "cannot rename dump: $(first_error "$WORK/mv.err")"
	PARTIAL='' DUMP_NAMED=$BACKUP_DIR/$final
	flush "$BACKUP_DIR" || flush_failed
	DUMP_NAMED='' SIDE_NAMED='' MF_NAMED=''
	OUT_FILE=$final
	OUT_SIZE=$(stat -c %s "$BACKUP_DIR/$final")
	size_check "$final" "$OUT_SIZE"
	prune
	finish ok ""
}

# --- the other modes ---------------------------------------------------------------

# health: the verdict line (docker's health status follows the exit status), then the
# status file's summary (not its file list): readers of the engine's health log
# (container inspect) get every tenant's status with one cheap request each instead of
# a file read through the archive API (a docker-tar process in the engine per read).
health() {
	local rc
	health_verdict
	rc=$?
	[ -f "$STATE_DIR/status" ] && grep -v '^file=' "$STATE_DIR/status"
	return "$rc"
}

health_verdict() {
	local result reason success started='' t age limit flag why
	t=$(now)
	limit=$((MAX_GAP + 600 + MAX_GAP / 10))
	load_previous
	result=$PREV_RESULT reason=$PREV_REASON success=$PREV_SUCCESS flag=$SIZE_FLAG why=$SIZE_REASON
	[ -f "$STATE_DIR/started" ] && read -r started <"$STATE_DIR/started"
	case $success in *[!0-9]*) success= ;; esac
	case $started in *[!0-9]*) started= ;; esac
	if [ "$result" = FAILED ]; then
		echo "failing: ${reason:-no reason recorded}"
		return 1
	fi
	if [ -n "$success" ]; then
		age=$((t - success))
		if [ "$age" -gt "$limit" ]; then
			echo "overdue: last good backup $(fmt_age "$age") ago (schedule '$SCHEDULE')"
			return 1
		fi
		# a suspicious size is a warning, not a failure: the probe stays healthy
		if [ "$flag" = suspicious ]; then
			echo "warning: suspicious backup size: ${why:-no reason recorded}; last good backup $(fmt_age "$age") ago"
			return 0
		fi
		echo "ok: last good backup $(fmt_age "$age") ago (schedule '$SCHEDULE')"
		return 0
	fi
	if [ -n "$started" ]; then
		age=$((t - started))
		if [ "$age" -gt "$limit" ]; then
			echo "overdue: no good backup since container start $(fmt_age "$age") ago (schedule '$SCHEDULE')"
			return 1
		fi
		echo "ok: no backup yet, container started $(fmt_age "$age") ago (schedule '$SCHEDULE')"
		return 0
	fi
	echo "ok: no backup yet (schedule '$SCHEDULE')"
	return 0
}

list() {
	local n size mtime sum
	describe_backups | while read -r n size mtime sum; do
		[ "$sum" = none ] || sum=sha256
		printf '%s %s %s %s %s\n' "$n" "$size" "$mtime" "$sum" "$(manifest_summary "$n")"
	done
	# shellcheck disable=SC2046 # split "total used free"
	set -- $(disk_usage)
	echo "# df total_kb=${1:-0} used_kb=${2:-0} free_kb=${3:-0}"
}

# pick_backup [NAME]: validated bare name of this tenant's backup, or the newest
pick_backup() {
	if [ -z "$1" ]; then
		list_backups | awk 'NR == 1'
		return 0
	fi
	case $1 in */*) return 1 ;; esac
	is_backup_name "$1" || return 1
	printf '%s\n' "$1"
}

verify() {
	local name rc
	name=$(pick_backup "$1")
	if [ -z "$name" ]; then
		if [ -n "$1" ]; then
			emit "ts=$(iso_now) event=verify tenant=$TENANT result=FAILED file=$(v "$1") reason=$(q "not a backup of database $DB")"
		else
			emit "ts=$(iso_now) event=verify tenant=$TENANT result=FAILED file=\"\" reason=\"no backups\""
		fi
		return 1
	fi
	verify_backup "$name"
	rc=$?
	if [ "$rc" = 0 ]; then
		emit "ts=$(iso_now) event=verify tenant=$TENANT result=ok file=$name size=$(stat -c %s "$BACKUP_DIR/$name") checksum=$VERIFY_SUM"
		return 0
	fi
	emit "ts=$(iso_now) event=verify tenant=$TENANT result=FAILED file=$name reason=$(q "$VERIFY_REASON")"
	return "$rc"
}

# manifest NAME: NAME's manifest, filtered (manifest_filter); exit 4 when it has none
manifest() {
	local name m
	name=$(pick_backup "$1")
	if [ -z "$1" ] || [ -z "$name" ]; then
		emit "ts=$(iso_now) event=manifest tenant=$TENANT result=FAILED file=$(v "$1") reason=$(q "not a backup of database $DB")"
		return 1
	fi
	if [ ! -f "$BACKUP_DIR/$name" ]; then
		emit "ts=$(iso_now) event=manifest tenant=$TENANT result=FAILED file=$name reason=\"no such backup\""
		return 1
	fi
	if ! m=$(manifest_file "$name"); then
		emit "ts=$(iso_now) event=manifest tenant=$TENANT result=FAILED file=$name reason=\"no manifest\""
		return 4
	fi
	manifest_filter "$m"
}

restore_fail() {
	emit "ts=$(iso_now) event=restore tenant=$TENANT result=FAILED file=$(v "$RS_FILE") database=$(v "$RS_DB") reason=$(q "$1")"
	exit "${2:-1}"
}

# drop_scratch: remove the scratch database of a restore that did not finish
drop_scratch() {
	[ -n "$RS_SCRATCH" ] || return 0
	psql_base -d postgres -c "drop database if exists \"$RS_SCRATCH\"$RS_DROPOPT" >/dev/null 2>&1
	RS_SCRATCH=''
}

# restore_jobs: parallel pg_restore jobs the server allows: at most 4 and the cores here,
# and only as many as its free connections less two (psql's own and one to spare)
restore_jobs() {
	local cores free
	cores=$(nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo 2>/dev/null)
	case $cores in '' | *[!0-9]* | 0) cores=1 ;; esac
	[ "$cores" -gt 4 ] && cores=4
	free=$(psql_base -At -d postgres -c "select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int - (select count(*) from pg_stat_activity)" 2>/dev/null)
	case $free in '' | *[!0-9]*) free=0 ;; esac
	free=$((free - 2))
	[ "$cores" -gt "$free" ] && cores=$free
	[ "$cores" -lt 1 ] && cores=1
	echo "$cores"
}

# restore_custom PATH DATABASE: pg_restore of a .dump, the first error stops it; one
# transaction when one job, else -j N (the scratch database is dropped on failure either way)
restore_custom() {
	local jobs
	jobs=$(restore_jobs)
	if [ "$jobs" -gt 1 ]; then
		pg_restore -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -w --exit-on-error -j "$jobs" -d "$2" "$1"
	else
		pg_restore -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -w --exit-on-error -1 -d "$2" "$1"
	fi
}

# restore FILE DATABASE FORCE: verify FILE, then load it into a scratch database of its own
# (one transaction, first error stops it) and only when that worked give it DATABASE's
# name. An existing DATABASE - empty or not, the tenant's live one included - is never
# written into: without FORCE the restore is refused (exit 3) before anything changes;
# with FORCE it is dropped just before the rename. A failed restore leaves DATABASE as it
# was and no scratch database behind.
restore() {
	local file=$1 db=$2 force=$3 up0 exists tables rc err=$WORK/restore.err ver what
	RS_FILE=$file RS_DB=$db RS_SCRATCH='' RS_DROPOPT=''
	up0=$(uptime_now)
	if [ -z "$file" ] || ! pick_backup "$file" >/dev/null; then
		restore_fail "not a backup of database $DB: $(clean "$file")" 2
	fi
	valid_db_name "$db" || restore_fail "invalid database name" 2
	verify "$file"
	case $? in
	0) ;;
	4) restore_fail "$VERIFY_REASON: restore refused (if the file is known good, write its checksum file: sha256sum $file > $file.sha256)" 4 ;;
	*) restore_fail "verification failed" ;;
	esac

	exists=$(psql_base -At -d postgres -c "select 1 from pg_database where datname = '$db'" 2>"$err") ||
		restore_fail "$(first_error "$err")"
	if [ "$exists" = 1 ] && [ "$force" != 1 ]; then
		tables=$(psql_base -At -d "$db" -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'" 2>/dev/null)
		case $tables in
		'' | *[!0-9]*) what='' ;;
		0) what=' (no tables)' ;;
		1) what=' (1 table)' ;;
		*) what=" ($tables tables)" ;;
		esac
		restore_fail "database '$db' already exists$what: restore writes only into a new database; --force drops '$db' and replaces it with the backup" 3
	fi
	ver=$(psql_base -At -d postgres -c 'show server_version_num' 2>/dev/null)
	[ "${ver:-0}" -ge 130000 ] 2>/dev/null && RS_DROPOPT=' with (force)'

	RS_SCRATCH=dl_restore_$(now)_$$
	trap 'drop_scratch; restore_fail "interrupted by SIGTERM"' TERM
	trap 'drop_scratch; restore_fail "interrupted by SIGINT"' INT
	trap 'drop_scratch; restore_fail "interrupted by SIGHUP"' HUP
	if ! psql_base -d postgres -c "create database \"$RS_SCRATCH\"" >/dev/null 2>"$err"; then
		RS_SCRATCH=''
		restore_fail "$(first_error "$err")"
	fi
	case $(backup_kind "$file") in
	gzip) gzip -dc "$BACKUP_DIR/$file" | psql_base -v ON_ERROR_STOP=1 -1 -d "$RS_SCRATCH" >/dev/null 2>"$err" ;;
	zstd) zstd -dcq "$BACKUP_DIR/$file" | psql_base -v ON_ERROR_STOP=1 -1 -d "$RS_SCRATCH" >/dev/null 2>"$err" ;;
	custom) restore_custom "$BACKUP_DIR/$file" "$RS_SCRATCH" 2>"$err" ;;
	*) psql_base -v ON_ERROR_STOP=1 -1 -d "$RS_SCRATCH" <"$BACKUP_DIR/$file" >/dev/null 2>"$err" ;;
	esac
	rc=$?
	if [ "$rc" != 0 ]; then
		drop_scratch
		what="database $db not created"
		[ "$exists" = 1 ] && what="database $db left as it was"
		restore_fail "$(first_error "$err") (exit $rc); $what"
	fi
	if [ "$exists" = 1 ]; then
		if ! psql_base -d postgres -c "drop database if exists \"$db\"$RS_DROPOPT" >/dev/null 2>"$err"; then
			drop_scratch
			restore_fail "cannot drop database $db: $(first_error "$err"); database $db left as it was"
		fi
		emit "ts=$(iso_now) event=restore tenant=$TENANT action=dropped database=$db"
	fi
	if ! psql_base -d postgres -c "alter database \"$RS_SCRATCH\" rename to \"$db\"" >/dev/null 2>"$err"; then
		restore_fail "restored into database $RS_SCRATCH but cannot rename it to $db: $(first_error "$err")"
	fi
	RS_SCRATCH=''
	trap - TERM INT HUP
	emit "ts=$(iso_now) event=restore tenant=$TENANT result=ok file=$file database=$db duration=$(elapsed "$up0" "$(uptime_now)")"
	exit 0
}

# --- restore drill -------------------------------------------------------------------
#
# drill [FILE]: prove that a backup restores. The newest backup (or FILE) is verified
# (sha256 sidecar required, like verify), loaded into a scratch database of its own on
# the tenant's server (one transaction, first error stops it), and what came back is
# compared with what the backup says it holds: the table set and each table's rows, from
# the manifest (FILE.manifest, written at dump time) or, without one, from the dump's
# own COPY blocks. The scratch database is dropped however the drill ends (error,
# signal; one left by a drill that was killed outright is dropped by the next drill of
# this tenant). The live database is never connected to. The result goes into the
# status (last_drill*), kept across backup runs.

# COPY_AWK: per COPY block of a plain dump, "rows bytes name" (name as the COPY line
# writes it: schema.table, quoted identifiers kept); bytes = the data lines with their
# newline. The same rule as the manifest's table= lines.
# shellcheck disable=SC2016 # awk's $0, not the shell's
COPY_AWK='
function qname(s,   i, c, n, q, out) {
	out = ""; i = 1; n = length(s); q = 0
	for (; i <= n; i++) {
		c = substr(s, i, 1)
		if (q) {
			out = out c
			if (c == "\"") {
				if (substr(s, i + 1, 1) == "\"") { out = out "\""; i++ } else q = 0
			}
		} else if (c == "\"") { q = 1; out = out c }
		else if (c == " ") break
		else out = out c
	}
	return out
}
!inblock && /^COPY .* FROM stdin;$/ { name = qname(substr($0, 6)); inblock = 1; rows = 0; bytes = 0; next }
inblock && $0 == "\\." { printf "%d %d %s\n", rows, bytes, name; inblock = 0; next }
inblock { rows++; bytes += length($0) + 1 }'

# dump_cat NAME: the backup's SQL on stdout
dump_cat() {
	case $1 in
	*.gz) gzip -dc "$BACKUP_DIR/$1" ;;
	*.zst) zstd -dc -q "$BACKUP_DIR/$1" ;;
	*.dump) pg_restore -f - "$BACKUP_DIR/$1" ;;
	*) cat "$BACKUP_DIR/$1" ;;
	esac
}

# drill_scratch_prefix: dl_drill_<cksum of the tenant>_ - this tenant's scratch names
# (at most 9 + 10 + 1 + 10 + 1 + 10 = 41 characters with the epoch and pid after it)
drill_scratch_prefix() {
	printf 'dl_drill_%s_\n' "$(printf '%s' "$TENANT" | cksum | awk '{ print $1 }')"
}

drill_drop() {
	[ -n "$DR_SCRATCH" ] || return 0
	psql_base -d postgres -c "drop database if exists \"$DR_SCRATCH\"$DR_DROPOPT" >/dev/null 2>&1
	DR_SCRATCH=''
}

# drill_record RESULT REASON: the last_drill* keys into the status (the rest of it kept)
drill_record() {
	local tmp=$STATE_DIR/.status.$$ dur
	dur=$(elapsed "$DR_UP0" "$(uptime_now)")
	{
		[ -f "$STATE_DIR/status" ] && grep -v '^last_drill' "$STATE_DIR/status"
		echo "last_drill=$(now)"
		echo "last_drill_result=$1"
		echo "last_drill_reason=$(clean "$2")"
		echo "last_drill_file=$DR_FILE"
		echo "last_drill_duration=$dur"
	} >"$tmp" 2>/dev/null && mv -f "$tmp" "$STATE_DIR/status" 2>/dev/null
	rm -f "$tmp"
	if [ -d "$BACKUP_DIR/.deeplens" ] && [ ! -L "$BACKUP_DIR/.deeplens" ] && [ -f "$STATE_DIR/status" ]; then
		tmp=$BACKUP_DIR/.deeplens/.status.$$
		{ cat "$STATE_DIR/status" >"$tmp" && mv -f "$tmp" "$BACKUP_DIR/.deeplens/status"; } 2>/dev/null
		rm -f "$tmp" 2>/dev/null
	fi
	DR_DURATION=$dur
}

# drill_fail REASON [EXIT]: drop the scratch database, record, say, exit
drill_fail() {
	trap '' TERM INT HUP
	drill_drop
	# a bad argument is no drill: nothing recorded
	[ "${2:-1}" = 2 ] || drill_record FAILED "$1"
	emit "ts=$(iso_now) event=drill tenant=$TENANT result=FAILED file=$(v "$DR_FILE") reason=$(q "$1") duration=$DR_DURATION"
	[ "${2:-1}" = 2 ] || notify drill_failed "$1" "$DR_FILE" ""
	exit "${2:-1}"
}

# drill_expected NAME OUT: "rows bytes name" per table the backup says it holds, into
# OUT; DR_SOURCE says where from (manifest or dump)
drill_expected() {
	local man=$BACKUP_DIR/$1.manifest err=$WORK/count.err ver
	if [ -f "$man" ] && [ ! -L "$man" ]; then
		DR_SOURCE=manifest
		ver=$(sed -n 's/^version=//p' "$man" | head -n 1)
		[ "$ver" = 1 ] || drill_fail "manifest $1.manifest: version '$(clean "$ver")' not understood"
		# table=<rows> <bytes> <name>: name last, may hold spaces
		awk '/^table=/ { sub(/^table=/, ""); print }' "$man" >"$2.raw" ||
			drill_fail "cannot read the manifest $1.manifest"
		if ! awk '$1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || NF < 3 { bad = 1 } END { exit bad }' "$2.raw"; then
			drill_fail "manifest $1.manifest: a table= line is not '<rows> <bytes> <name>'"
		fi
		# names: as the filter wrote them, so the restored names get the same filter
		cp "$2.raw" "$2"
		ver=$(sed -n 's/^tables=//p' "$man" | head -n 1)
		if [ -n "$ver" ] && [ "$ver" != "$(grep -c . "$2")" ]; then
			drill_fail "manifest $1.manifest: tables=$(clean "$ver") but $(grep -c . "$2") table= lines"
		fi
		return 0
	fi
	DR_SOURCE=dump
	dump_cat "$1" 2>"$err" | awk "$COPY_AWK" >"$2.raw" ||
		drill_fail "cannot count the rows of the dump: $(first_error "$err")"
	# the same inert filter as the manifest's names
	cut -d ' ' -f 1,2 "$2.raw" >"$2.nums"
	cut -d ' ' -f 3- "$2.raw" | od -An -v -tu1 | awk -v lines=1 -v max=400 "$CLEAN_AWK" >"$2.names"
	paste -d ' ' "$2.nums" "$2.names" >"$2"
}

# drill_restored OUT: "rows name" per table of the scratch database (name as pg_dump
# writes it in its COPY lines: schema-qualified, quoted where needed; ONLY: a parent's
# own rows, as its COPY block holds), passed through the inert filter
drill_restored() {
	local err=$WORK/rows.err
	psql_base -At -F ' ' -v ON_ERROR_STOP=1 -d "$DR_SCRATCH" >"$1.raw" 2>"$err" <<'SQL' ||
set search_path = '';
select format('select count(*), %L from only %s', c.oid::regclass::text, c.oid::regclass)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
order by 1 \gexec
SQL
		drill_fail "cannot count the restored rows: $(first_error "$err")"
	cut -d ' ' -f 1 "$1.raw" >"$1.nums"
	cut -d ' ' -f 2- "$1.raw" | od -An -v -tu1 | awk -v lines=1 -v max=400 "$CLEAN_AWK" >"$1.names"
	paste -d ' ' "$1.nums" "$1.names" >"$1"
}

# drill_compare EXPECTED RESTORED WORD: the first difference, or nothing (WORD names
# the side expected: "the manifest" or "the dump")
drill_compare() {
	awk -v word="$3" '
	FNR == NR { n = $0; sub(/^[^ ]+ [^ ]+ /, "", n); want[n] = $1; order[++nw] = n; next }
	{ n = $0; sub(/^[^ ]+ /, "", n); got[n] = $1; gorder[++ng] = n }
	END {
		for (i = 1; i <= nw; i++) {
			n = order[i]
			if (!(n in got)) { printf "table %s: in %s (%d rows), missing after the restore\n", n, word, want[n]; exit }
			if (got[n] != want[n]) { printf "table %s: %d rows restored, %d in %s\n", n, got[n], want[n], word; exit }
		}
		for (i = 1; i <= ng; i++)
			if (!(gorder[i] in want)) { printf "table %s: restored (%d rows), not in %s\n", gorder[i], got[gorder[i]], word; exit }
	}' "$1" "$2"
}

drill() {
	local name err=$WORK/drill.err ver prefix diff tables rows word stale d
	DR_UP0=$(uptime_now) DR_FILE='' DR_SCRATCH='' DR_DROPOPT='' DR_DURATION=0 DR_SOURCE=''
	name=$(pick_backup "$1")
	if [ -z "$name" ]; then
		if [ -n "$1" ]; then
			drill_fail "not a backup of database $DB: $(clean "$1")" 2
		fi
		drill_fail "no backups"
	fi
	DR_FILE=$name
	verify_backup "$name"
	case $? in
	0) ;;
	4) drill_fail "$VERIFY_REASON: drill refused" 4 ;;
	*) drill_fail "verification failed: $VERIFY_REASON" ;;
	esac
	ver=$(psql_base -At -d postgres -c 'show server_version_num' 2>"$err") ||
		drill_fail "$(first_error "$err")"
	[ "${ver:-0}" -ge 130000 ] 2>/dev/null && DR_DROPOPT=' with (force)'
	prefix=$(drill_scratch_prefix)
	# scratch databases of this tenant's drills that were killed outright (we hold the lock)
	stale=$(psql_base -At -d postgres -c "select datname from pg_database where datname like '${prefix}%'" 2>/dev/null)
	for d in $stale; do
		case $d in "$prefix"*[!0-9_]*) continue ;; "$prefix"*) ;; *) continue ;; esac
		psql_base -d postgres -c "drop database if exists \"$d\"$DR_DROPOPT" >/dev/null 2>&1 &&
			emit "ts=$(iso_now) event=drill tenant=$TENANT action=dropped database=$d reason=\"left by an earlier drill\""
	done

	trap 'drill_fail "interrupted by SIGTERM"' TERM
	trap 'drill_fail "interrupted by SIGINT"' INT
	trap 'drill_fail "interrupted by SIGHUP"' HUP
	DR_SCRATCH=$prefix$(now)_$$
	if ! psql_base -d postgres -c "create database \"$DR_SCRATCH\"" >/dev/null 2>"$err"; then
		DR_SCRATCH=''
		case $(cat "$err") in
		*"permission denied to create database"*)
			drill_fail "cannot create a scratch database: role $PGUSER lacks CREATEDB (a drill restores into a database of its own: ALTER ROLE $PGUSER CREATEDB)" ;;
		esac
		drill_fail "cannot create a scratch database: $(first_error "$err")"
	fi
	emit "ts=$(iso_now) event=drill tenant=$TENANT step=restore file=$name database=$DR_SCRATCH"
	: >"$WORK/cat.err"
	case $name in
	*.dump) restore_custom "$BACKUP_DIR/$name" "$DR_SCRATCH" >/dev/null 2>"$err" ;;
	*) dump_cat "$name" 2>"$WORK/cat.err" | psql_base -v ON_ERROR_STOP=1 -1 -d "$DR_SCRATCH" >/dev/null 2>"$err" ;;
	esac ||
		drill_fail "restore into the scratch database failed: $(first_error "$err")$(first_error "$WORK/cat.err")"
	drill_expected "$name" "$WORK/expected"
	drill_restored "$WORK/restored"
	word="the $DR_SOURCE"
	diff=$(drill_compare "$WORK/expected" "$WORK/restored" "$word")
	[ -n "$diff" ] && drill_fail "$diff"
	tables=$(grep -c . "$WORK/restored")
	rows=$(awk '{ r += $1 } END { printf "%.0f\n", r }' "$WORK/restored")
	trap '' TERM INT HUP
	drill_drop
	[ "$DR_SOURCE" = dump ] && d="no manifest: compared with the dump's COPY blocks" || d=''
	drill_record ok "$d"
	emit "ts=$(iso_now) event=drill tenant=$TENANT result=ok file=$name tables=$tables rows=$rows source=$DR_SOURCE duration=$DR_DURATION${d:+ note=$(q "$d")}"
	exit 0
}

# boot: run once by the entrypoint (as the backup uid) before crond starts
boot() {
	local line db_of=
	TO_LOG=1
	HOST=$(hostname_now)
	LOCK=$BACKUP_DIR/.deeplens/lock
	# the entrypoint said so; runs fail
	{ [ -L "$BACKUP_DIR" ] || [ -L "$BACKUP_DIR/.deeplens" ]; } && return 0
	tenant_dir /dev/null
	migrate
	# No run of this container can be alive yet: a lock it left behind is stale.
	if [ -d "$LOCK" ]; then
		read_owner "$LOCK"
		if [ "$OWNER_HOST" = "$HOST" ]; then
			STALE_WHY="left by pid ${OWNER_PID:-?} before the container (re)started"
			break_lock
		fi
	fi
	# A recreated container keeps knowing its last result: from the share, which the
	# tenant can write, so only what status_filter lets through, and never via a link
	# (the entrypoint says so).
	if [ ! -f "$STATE_DIR/status" ] && [ ! -L "$BACKUP_DIR/.deeplens/status" ] &&
		[ -f "$BACKUP_DIR/.deeplens/status" ]; then
		if status_filter "$BACKUP_DIR/.deeplens/status" >"$STATE_DIR/.status.$$" 2>/dev/null; then
			while IFS= read -r line; do
				case $line in database=*) db_of=${line#database=} ;; esac
			done <"$STATE_DIR/.status.$$"
			[ "$db_of" = "$DB" ] && mv -f "$STATE_DIR/.status.$$" "$STATE_DIR/status"
		fi
		rm -f "$STATE_DIR/.status.$$"
	fi
	return 0
}

# flat_names: this tenant's backups and sidecars in the old flat layout (BACKUP_ROOT)
flat_names() {
	local f n
	for f in "$BACKUP_ROOT/$DB"_*; do
		[ -f "$f" ] || continue
		n=${f##*/}
		case $n in
		*.sha256) is_backup_name "${n%.sha256}" || continue ;;
		*.manifest) is_backup_name "${n%.manifest}" || continue ;;
		*) is_backup_name "$n" || continue ;;
		esac
		printf '%s\n' "$n"
	done
}

# migrate: move this tenant's files of the old flat layout into its directory, by rename
# on the same filesystem; a name already taken there is left where it is. When the flat
# layout's status names another tenant or database, the flat files may be that tenant's:
# nothing is moved.
migrate() {
	local line st_db='' st_tenant='' n moved=0 kept=0 names
	names=$(flat_names)
	if [ -f "$BACKUP_ROOT/.deeplens/status" ]; then
		while IFS= read -r line; do
			case $line in
			database=*) st_db=${line#database=} ;;
			tenant=*) st_tenant=${line#tenant=} ;;
			esac
		done <"$BACKUP_ROOT/.deeplens/status"
		if { [ -n "$st_db" ] && [ "$st_db" != "$DB" ]; } ||
			{ [ -n "$st_tenant" ] && [ "$st_tenant" != "$TENANT" ]; }; then
			[ -n "$names" ] && emit "ts=$(iso_now) event=migrate tenant=$TENANT result=skipped count=0 left=$(printf '%s\n' "$names" | grep -c .) reason=$(q "the old layout in $BACKUP_ROOT belongs to tenant ${st_tenant:-?} database ${st_db:-?}: its files are left in place")"
			return 0
		fi
	fi
	[ -n "$names" ] || return 0
	tenant_dir /dev/null || {
		emit "ts=$(iso_now) event=migrate tenant=$TENANT result=FAILED count=0 reason=$(q "cannot create $BACKUP_DIR")"
		return 0
	}
	for n in $names; do
		if [ -e "$BACKUP_DIR/$n" ] || ! mv "$BACKUP_ROOT/$n" "$BACKUP_DIR/$n" 2>/dev/null; then
			kept=$((kept + 1))
			continue
		fi
		moved=$((moved + 1))
	done
	if [ -n "$st_db" ] && [ ! -f "$BACKUP_DIR/.deeplens/status" ]; then
		mv "$BACKUP_ROOT/.deeplens/status" "$BACKUP_DIR/.deeplens/status" 2>/dev/null
	fi
	emit "ts=$(iso_now) event=migrate tenant=$TENANT result=ok count=$moved left=$kept from=$BACKUP_ROOT to=$BACKUP_DIR"
	return 0
}

# delete_all: this tenant's backups, sidecars, temporaries, status and marker, then its
# directory when nothing else is left in it - under the lock, after the old layout's
# files were moved in (so they go too)
delete_all() {
	local f n=0 d x
	HOST=$(hostname_now)
	migrate
	if [ ! -d "$BACKUP_DIR" ]; then
		emit "ts=$(iso_now) event=delete tenant=$TENANT result=ok deleted=0"
		return 0
	fi
	tenant_dir "$WORK/target.err"
	lock_acquire delete "$LOCK_WAIT"
	case $? in
	1)
		emit "ts=$(iso_now) event=delete tenant=$TENANT result=FAILED reason=\"another run is in progress\" holder=$(q "${OWNER_HOST:-?}:${OWNER_PID:-?}")"
		return 75
		;;
	2)
		emit "ts=$(iso_now) event=delete tenant=$TENANT result=FAILED reason=$(q "$(first_error "$WORK/target.err")")"
		return 1
		;;
	esac
	d='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_[0-9][0-9][0-9][0-9][0-9][0-9]'
	# shellcheck disable=SC2086 # $d is a glob pattern on purpose
	for x in $BACKUP_EXTS; do
		for f in "$BACKUP_DIR/$DB"_$d$x "$BACKUP_DIR/$DB"_$d$x.sha256 "$BACKUP_DIR/$DB"_$d$x.manifest \
			"$BACKUP_DIR/.$DB"_$d$x.partial "$BACKUP_DIR/.$DB"_$d$x.sha256.partial \
			"$BACKUP_DIR/.$DB"_$d$x.manifest.partial; do
			[ -e "$f" ] || continue
			rm -f -- "$f" && n=$((n + 1))
		done
	done
	rm -f "$BACKUP_DIR/.deeplens/status" "$BACKUP_DIR/.deeplens/tenant" "$BACKUP_DIR/.deeplens"/.status.* \
		"$BACKUP_DIR/.deeplens"/.now.*
	lock_release
	rmdir "$BACKUP_DIR/.deeplens" "$BACKUP_DIR" 2>/dev/null
	emit "ts=$(iso_now) event=delete tenant=$TENANT result=ok deleted=$n"
	return 0
}

# with_lock MODE CMD...: CMD under the tenant's lock (waiting up to LOCK_WAIT for a run
# that holds it); exit 75 when it stays held
with_lock() {
	local mode=$1
	shift
	HOST=$(hostname_now)
	tenant_dir "$WORK/target.err"
	lock_acquire "$mode" "$LOCK_WAIT"
	case $? in
	1)
		emit "ts=$(iso_now) event=$mode tenant=$TENANT result=FAILED reason=\"another run is in progress\" holder=$(q "${OWNER_HOST:-?}:${OWNER_PID:-?}") waited=${LOCK_WAIT}s"
		exit 75
		;;
	2)
		emit "ts=$(iso_now) event=$mode tenant=$TENANT result=FAILED reason=$(q "cannot lock $BACKUP_DIR: $(first_error "$WORK/target.err")")"
		exit 1
		;;
	esac
	"$@"
}

# boot_id: PID 1's start time, which tells one start of the container from the next
boot_id() { awk '{ print $22 }' /proc/1/stat 2>/dev/null; }

# wait_ready: a run exec'd right after the container (re)started must not race the
# entrypoint's preparation, which clears .work.* and the locks of the previous start and
# recovers the status: wait, at most 15 s, until the entrypoint has marked this start
# ready. Only when PID 1 is our entrypoint (nothing else writes the mark).
wait_ready() {
	local boot i=0
	case $(tr '\000' ' ' </proc/1/cmdline 2>/dev/null) in
	*deeplens-entrypoint*) ;;
	*) return 0 ;;
	esac
	boot=$(boot_id)
	while [ "$(cat "$STATE_DIR/ready" 2>/dev/null)" != "$boot" ] && [ "$i" -lt 150 ]; do
		sleep 0.1 2>/dev/null || sleep 1
		i=$((i + 1))
	done
}

# --- main ----------------------------------------------------------------------------

case $MODE in
run | --cron) EVENT=backup ;;
*) EVENT=${MODE#--} ;;
esac
# --health and --sign touch no file of the tenant's: they run as whoever calls them
priv=1
case $MODE in --health | --sign) ;; *) drop_privileges "$@" || priv=0 ;; esac
if [ "$priv" = 0 ]; then
	echo "ts=$(iso_now) event=$EVENT tenant=$TENANT result=FAILED reason=\"cannot drop privileges to uid ${BACKUP_UID:-?}: no su-exec, gosu or setpriv, or uid 0\""
	exit 1
fi
umask 027
export HOME=$STATE_DIR
# crond starts jobs in root's home, unreadable after the switch (pg_dump warns about it)
cd "$STATE_DIR" 2>/dev/null || cd /

# Without pipefail a failed pg_dump piped into gzip looks like success: refuse to run.
# (--sign has no pipeline whose failure could pass unseen: it checks its digest.)
if [ "$MODE" != --sign ] && ! (set -o pipefail) 2>/dev/null; then
	echo "ts=$(iso_now) event=$EVENT tenant=$TENANT result=FAILED reason=\"/bin/sh lacks set -o pipefail\""
	exit 1
fi
[ "$MODE" = --sign ] || set -o pipefail

case $MODE in
run | --cron | --verify | --restore | --list | --busy | --manifest | --drill | --drill-cron) wait_ready ;;
esac

# Scratch space for stderr captures, never on the backup target.
WORK=''
case $MODE in
run | --cron | --verify | --restore | --delete | --drill | --drill-cron)
	for d in "$STATE_DIR" "${TMPDIR:-/tmp}"; do
		if mkdir "$d/.work.$$" 2>/dev/null; then
			WORK=$d/.work.$$
			break
		fi
	done
	if [ -z "$WORK" ]; then
		echo "ts=$(iso_now) event=$EVENT tenant=$TENANT result=FAILED reason=\"no writable temporary directory\""
		exit 1
	fi
	trap 'rm -rf "$WORK"' EXIT
	;;
esac
case $MODE in
--verify | --restore | --delete | --drill | --drill-cron)
	# the lock they take is released however they end
	trap 'lock_release; rm -rf "$WORK"' EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	;;
esac

case $MODE in
run | --cron)
	# Bounded log: /var/log is root's, so no rename here; truncating is safe for tail -F
	# and the history is in docker logs.
	if [ "$(stat -c %s "$LOG" 2>/dev/null || echo 0)" -gt 4194304 ]; then : >"$LOG"; fi 2>/dev/null
	;;
esac
case $MODE in
run)
	TO_LOG=1
	run_backup
	;;
--cron)
	if (: >>"$LOG") 2>/dev/null; then exec >>"$LOG" 2>&1; fi
	run_backup
	;;
--health) health ;;
--list) list ;;
--verify)
	TO_LOG=1
	with_lock verify verify "${2:-}"
	;;
--busy) busy ;;
--manifest) manifest "${2:-}" ;;
--drill)
	TO_LOG=1
	[ $# -le 2 ] || {
		echo "usage: backup.sh --drill [FILE]" >&2
		exit 2
	}
	with_lock drill drill "${2:-}"
	;;
--drill-cron)
	# the drill schedule's crontab line: output to the log only, like --cron
	if (: >>"$LOG") 2>/dev/null; then exec >>"$LOG" 2>&1; fi
	with_lock drill drill ""
	;;
--delete)
	TO_LOG=1
	delete_all
	;;
--restore)
	TO_LOG=1
	force=0
	[ "${4:-}" = --force ] && force=1
	if [ $# -lt 3 ] || [ $# -gt 4 ] || { [ $# = 4 ] && [ "$force" = 0 ]; }; then
		echo "usage: backup.sh --restore FILE DATABASE [--force]" >&2
		exit 2
	fi
	with_lock restore restore "$2" "$3" "$force"
	;;
--boot) boot ;;
--check)
	if (: >>"$LOG") 2>/dev/null; then exec >>"$LOG" 2>&1; fi
	check
	;;
--sign)
	# HMAC-SHA256 of stdin with the key in FILE, hex (what X-DeepLens-Signature carries)
	[ $# = 2 ] || {
		echo "usage: backup.sh --sign KEYFILE <BODY" >&2
		exit 2
	}
	sig=$(hmac_sha256 "$2") && [ ${#sig} = 64 ] && printf '%s\n' "$sig"
	;;
*)
	echo "usage: backup.sh [--cron | --health | --list | --verify [FILE] | --manifest FILE | --restore FILE DATABASE [--force] | --drill [FILE] | --drill-cron | --busy | --delete | --check | --sign KEYFILE]" >&2
	exit 2
	;;
esac
