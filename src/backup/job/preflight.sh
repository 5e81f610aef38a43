#!/bin/sh
# preflight.sh - runs once, in a short-lived container, before a tenant
# backup container is created. It proves with the real image, the real
# volume and the real network that a backup can work:
#   - the backup target is writable by the backup UID:GID,
#   - the database server answers, the password is right, the database exists,
#   - the image's pg_dump is not older than the server (broken dumps otherwise),
#   - the image has the tools the chosen format and compression need (zstd,
#     gzip, pg_restore), checked first of all.
# Its last line is `PREFLIGHT OK ...` or `PREFLIGHT FAIL <cause> <message>`;
# the C side turns the cause into operator advice.
. /etc/deeplens/backup.conf
PGPASSFILE=/etc/deeplens/pgpass
export PGPASSFILE

fail() {
	echo "PREFLIGHT FAIL $1 $2"
	exit 1
}

as_backup() {
	if command -v su-exec >/dev/null 2>&1; then
		su-exec "$BACKUP_UID:$BACKUP_GID" "$@"
	elif command -v gosu >/dev/null 2>&1; then
		gosu "$BACKUP_UID:$BACKUP_GID" "$@"
	else
		setpriv --reuid="$BACKUP_UID" --regid="$BACKUP_GID" --clear-groups "$@"
	fi
}

# the tools the options need, before anything is written
need_tool() {
	command -v "$1" >/dev/null 2>&1 || fail tools "the image has no $1, needed for $2"
}
need_tool pg_dump "every backup"
need_tool psql "every backup"
case ${FORMAT:-plain} in
custom) need_tool pg_restore "--format custom (pg_restore reads, verifies and restores .dump files)" ;;
esac
case ${COMPRESSION:-gzip} in
zstd) need_tool zstd "--compression zstd" ;;
gzip | 1) need_tool gzip "--compression gzip" ;;
esac

chown "$BACKUP_UID:$BACKUP_GID" "$PGPASSFILE" && chmod 600 "$PGPASSFILE" ||
	fail setup "cannot prepare the credentials file"

BACKUP_ROOT=${BACKUP_ROOT:-/backups}
probe="$BACKUP_ROOT/.deeplens-preflight-$$"
if ! werr=$(as_backup sh -c 'echo ok > "$1" && rm -f "$1"' sh "$probe" 2>&1); then
	fail target "target $BACKUP_ROOT is not writable by uid $BACKUP_UID:$BACKUP_GID ($(echo "$werr" | head -n 1))"
fi
# the tenant's own directory there, when an earlier provision made it
if [ -d "$BACKUP_ROOT/$TENANT" ] &&
	! werr=$(as_backup sh -c 'echo ok > "$1" && rm -f "$1"' sh "$BACKUP_ROOT/$TENANT/.deeplens-preflight-$$" 2>&1); then
	fail target "target $BACKUP_ROOT/$TENANT is not writable by uid $BACKUP_UID:$BACKUP_GID ($(echo "$werr" | head -n 1))"
fi

# The job posts webhooks with curl, else busybox wget: plain http always works; https
# needs curl, or a wget with TLS (busybox's calls ssl_client, GNU wget has it built in).
case ${WEBHOOK_URL:-} in
https://*)
	if ! command -v curl >/dev/null 2>&1 && ! command -v ssl_client >/dev/null 2>&1 &&
		! { wget --version 2>/dev/null | grep -q 'GNU Wget'; }; then
		fail webhook "image cannot send an https:// webhook: it has no curl and its wget has no TLS (no ssl_client)"
	fi
	;;
esac

tries=0
until pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 3 >/dev/null 2>&1; do
	tries=$((tries + 1))
	[ "$tries" -ge 3 ] && fail unreachable "database server $PGHOST:$PGPORT does not answer"
	sleep 1
done

if ! ver=$(as_backup psql -X -w -A -t -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" \
	-c 'show server_version_num' 2>&1); then
	ver=$(echo "$ver" | tr '\n' ' ')
	case "$ver" in
	*"password authentication failed"* | *"no password supplied"*)
		fail password "password authentication failed for user $PGUSER on $PGHOST" ;;
	*"does not exist"*)
		fail database "database $DB does not exist on $PGHOST" ;;
	*) fail connect "$ver" ;;
	esac
fi

server_major=$((ver / 10000))
dump_major=$(pg_dump --version | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+(\.[0-9]+)*$/) { split($i, a, "."); print a[1]; exit } }')
[ -n "$dump_major" ] || fail version "cannot tell the version of pg_dump in the image"
if [ "$dump_major" -lt "$server_major" ]; then
	fail version "pg_dump $dump_major in the image is older than the server ($server_major): use an image with PostgreSQL $server_major or newer"
fi

size=$(as_backup psql -X -w -A -t -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" \
	-c 'select pg_database_size(current_database())' 2>/dev/null)
echo "PREFLIGHT OK server=$server_major pg_dump=$dump_major db_size=${size:-0} format=${FORMAT:-plain} compression=${COMPRESSION:-gzip}"
