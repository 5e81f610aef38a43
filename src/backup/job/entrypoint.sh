#!/bin/sh
# deeplens-entrypoint.sh - PID 1 of a tenant's backup container (runs as root).
#
# Prepares the job's state (/var/log/backup.log, /var/lib/deeplens owned by the backup uid),
# lets backup.sh --boot recover the last status from the volume and clear a lock this
# container left behind, marks the start ready for runs that were exec'd meanwhile
# (/var/lib/deeplens/ready), prints one start line, forwards every job line from the log to
# docker logs, and supervises busybox crond (root, crontabs in /etc/crontabs).
#
# Why not `exec crond`: busybox crond installs no SIGTERM handler, and the kernel drops
# unhandled signals sent to PID 1, so `docker stop` would wait for SIGKILL and a running
# backup would die without cleaning up. This shell traps TERM/INT, asks every process to
# stop, waits briefly for the job's last log lines, then exits.
#
# shellcheck shell=dash
# shellcheck disable=SC2317 # others and shutdown run from traps

CONF=/etc/deeplens/backup.conf
STATE_DIR=/var/lib/deeplens
LOG=/var/log/backup.log
JOB=/usr/local/bin/backup.sh
CRONTABS=/etc/crontabs

iso_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

say() {
	printf '%s\n' "$1"
	printf '%s\n' "$1" >>"$LOG" 2>/dev/null
}

# shellcheck source=/dev/null
if ! . "$CONF"; then
	echo "ts=$(iso_now) event=start result=FAILED reason=\"cannot read $CONF\""
	exit 78
fi
BACKUP_DIR=${BACKUP_ROOT:-/backups}/${TENANT:-?}
OWNER=${BACKUP_UID:-999}:${BACKUP_GID:-999}
case ${COMPRESSION:-1} in 0) COMP=none ;; *) COMP=gzip ;; esac

# Root writes into directories the backup uid owns ($STATE_DIR) and reads a share the
# tenant fills: it follows no link there. A link is refused with a line saying so;
# files are created anew, exclusively (rm takes a link away, not its target; noclobber
# refuses one planted in between).
refuse() {
	say "ts=$(iso_now) event=start tenant=${TENANT:-?} result=FAILED reason=\"$1\""
}

# put FILE TEXT: FILE (in $STATE_DIR) holds TEXT, written through no link
put() {
	rm -f "$1" 2>/dev/null
	if ! (set -C && printf '%s\n' "$2" >"$1") 2>/dev/null || [ -L "$1" ] || [ ! -f "$1" ]; then
		refuse "$1 not written: something other than a new file is in its place (not followed)"
		return 1
	fi
}

umask 022
if [ -L "$STATE_DIR" ]; then
	refuse "$STATE_DIR is a symbolic link: not followed"
	exit 78
fi
mkdir -p "$STATE_DIR" && chown -h "$OWNER" "$STATE_DIR" && chmod 0755 "$STATE_DIR"
[ -L "$LOG" ] && rm -f "$LOG"
: >>"$LOG" && chown -h "$OWNER" "$LOG" && chmod 0644 "$LOG"
# Keep the job log small; tail -F follows the new file after the rename.
if [ "$(stat -c %s "$LOG" 2>/dev/null || echo 0)" -gt 1048576 ]; then
	mv -f "$LOG" "$LOG.1" && (set -C && : >"$LOG") && chown -h "$OWNER" "$LOG" && chmod 0644 "$LOG"
fi
put "$STATE_DIR/started" "$(date -u +%s)"
rm -rf "$STATE_DIR"/.work.* "$STATE_DIR"/.status.*
# The job refuses these too; said here once at the start, where the operator looks.
for f in "$BACKUP_DIR" "$BACKUP_DIR/.deeplens" "$BACKUP_DIR/.deeplens/status" "$BACKUP_DIR/.deeplens/lock"; do
	[ -L "$f" ] && refuse "$f on the backup target is a symbolic link: not followed; backups fail until it is removed"
done

/bin/sh "$JOB" --boot
# Runs exec'd since the start (provision's initial backup comes at once) wait for this
# mark: PID 1's start time, so a mark left by the previous start does not count.
put "$STATE_DIR/ready" "$(awk '{ print $22 }' /proc/1/stat)"

say "ts=$(iso_now) event=start tenant=${TENANT:-?} database=${DB:-?} schedule=\"${SCHEDULE:-?}\"${DRILL_SCHEDULE:+ drill_schedule=\"$DRILL_SCHEDULE\"} retention_days=${RETENTION_DAYS:-?} keep_min=${KEEP_MIN:-?} compression=$COMP uid=${BACKUP_UID:-?} gid=${BACKUP_GID:-?} target=$BACKUP_DIR"

tail -n 0 -F "$LOG" 2>/dev/null &
TAIL=$!
# -L /dev/stderr rather than -d 8: Debian's busybox crond is built without -d, and
# Alpine's accepts both. Job output is crond's own stdout/stderr either way.
crond -f -l 8 -L /dev/stderr -c "$CRONTABS" &
CROND=$!

# others: pids in this container other than us, the log forwarder and zombies
# (called as $(others): the subshell running it is excluded through /proc/self)
others() {
	local p state rest self
	read -r self rest </proc/self/stat
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] || [ "$p" = "$self" ] || [ "$p" = "$TAIL" ] && continue
		read -r rest <"/proc/$p/stat" 2>/dev/null || continue
		state=${rest##*) }
		state=${state%% *}
		[ "$state" = Z ] && continue
		printf '%s ' "$p"
	done
}

shutdown() {
	local sig=$1 pids i
	trap '' TERM INT
	pids=$(others)
	# shellcheck disable=SC2086 # word splitting intended: a list of pids
	[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	i=0
	while [ "$i" -lt 16 ]; do
		pids=$(others)
		[ -z "$pids" ] && break
		sleep 0.5 2>/dev/null || sleep 1
		i=$((i + 1))
	done
	# A job that was stopped has written its FAILED line: give tail a beat to forward it,
	# then stop tail before our own last line so it is not forwarded twice.
	[ "$i" -gt 0 ] && sleep 1
	kill -TERM "$TAIL" 2>/dev/null
	say "ts=$(iso_now) event=stop tenant=${TENANT:-?} signal=$sig"
	exit 0
}

trap 'shutdown TERM' TERM
trap 'shutdown INT' INT
trap '' HUP

wait "$CROND"
rc=$?
sleep 1
kill -TERM "$TAIL" 2>/dev/null
say "ts=$(iso_now) event=stop tenant=${TENANT:-?} reason=\"crond exited with status $rc\""
exit 1
