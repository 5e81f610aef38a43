#!/bin/sh
# docker-entrypoint.sh - entrypoint of the deeplens test images: the part of
# the official postgres image's entrypoint that deeplens-backup relies on.
#
#   postgres [args]   initialise $PGDATA on first start, then run the server
#   -c x=y ...        same as "postgres -c x=y ..."
#   anything else     exec'd as is (the backup runner's job, a shell, ...)
#
# Env (first init only): POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (required
# unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (postgres),
# POSTGRES_DB (= user), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD
# (scram-sha-256). Local socket connections are trusted, as upstream.
# /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh run after initdb.
#
# The server runs as postgres (UID 999). A container stop (SIGTERM) is turned
# into PostgreSQL's fast shutdown (SIGINT), which the official image gets from
# STOPSIGNAL; "docker import" cannot set STOPSIGNAL, so this shell stays PID 1.
set -eu

case "${1:-}" in
    -*) set -- postgres "$@" ;;
esac
if [ "${1:-}" != postgres ]; then
    exec "$@"
fi

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 3777 /var/run/postgresql
    chown postgres:postgres /var/run/postgresql
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    chmod 0700 "$PGDATA" || :
    exec gosu postgres "$0" "$@"
fi

say() { printf 'docker-entrypoint: %s\n' "$*"; }

psql_local() {
    psql -X -v ON_ERROR_STOP=1 --no-password --username "$pg_user" "$@"
}

init_cluster() {
    if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
        POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
    fi
    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
        say "error: database is uninitialized and POSTGRES_PASSWORD is not set" >&2
        say "set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust" >&2
        exit 1
    fi

    pwfile=
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list, as upstream
    initdb --username="$pg_user" ${pwfile:+--pwfile="$pwfile"} \
        --auth-local=trust --auth-host="$auth" \
        --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-}
    [ -z "$pwfile" ] || rm -f "$pwfile"

    printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
    printf "\nlisten_addresses = '*'\njit = off\n" >> "$PGDATA/postgresql.conf"

    # A socket-only server for the first-run setup, so nothing can connect
    # over the network before the database and init scripts are in place.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    if [ "$pg_db" != postgres ]; then
        echo 'CREATE DATABASE :"db";' | psql_local --dbname postgres -v db="$pg_db"
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        # shellcheck disable=SC1090 # the init scripts are the user's
        case "$f" in
            *.sh) say "running $f"; . "$f" ;;
            *.sql) say "running $f"; psql_local --dbname "$pg_db" -f "$f" ;;
            *.sql.gz) say "running $f"; gunzip -c "$f" | psql_local --dbname "$pg_db" ;;
            *) say "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    say "PostgreSQL init process complete; ready for start up"
}

pg_user=${POSTGRES_USER:-postgres}
pg_db=${POSTGRES_DB:-$pg_user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    init_cluster
fi

# Server messages go to stdout (the container log).
"$@" 2>&1 &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
trap 'kill -HUP "$pid" 2>/dev/null' HUP
trap 'kill -QUIT "$pid" 2>/dev/null' QUIT
status=0
while :; do
    if wait "$pid"; then status=0; else status=$?; fi
    kill -0 "$pid" 2>/dev/null || break
done
# A wait cut short by a signal (> 128) hides the server's own exit status.
if [ "$status" -gt 128 ]; then
    if wait "$pid"; then status=0; else rc=$?; [ "$rc" = 127 ] || status=$rc; fi
fi
exit "$status"
