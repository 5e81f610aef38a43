# shellcheck shell=bash disable=SC2034 # the names are used by the suites sourcing it
# tests/lib/cli.sh - the common start of the suites that drive the built
# program against the test engine (tests/integration/cli, .../lifecycle).
# Source it from a suite; it sources tap.sh. Then:
#
#   cli_setup NAME      the test bed's env (skip_all when it is not up), $bin
#                       (bail_out when not built), $docker (bail_out when the
#                       engine does not answer), $work: a fresh /tmp/dl-NAME.XXXXXX
#                       removed on exit; no site config (DEEPLENS_BACKUP_CONFIG);
#                       the default audit file under $work (XDG_STATE_HOME)
#   cli_at_exit CMD     run the shell text CMD on exit, the last registered first,
#                       before $work goes; INT and TERM exit through it too
#   cli_postgres        $pg, $pg_user, $pw_file (a copy of the test password):
#                       the shared deeplens-postgres (tests/env/postgres.sh starts
#                       it when it is not running), else a private server on the
#                       network, removed on exit; waits for a password login over
#                       TCP as the backup job does it; bail_out when none works
#   run ARGS...         the program, no terminal on any side: $out (stdout and
#                       stderr) and $rc
#   expect NAME RC ERE  ok when $rc is RC and a line of $out matches ERE
#   has_line TEXT ERE NAME  ok when a line of TEXT matches ERE (like matches the whole text)
#   psql_pg DB ARGS...  psql as $pg_user on $pg's socket, ON_ERROR_STOP, stdin passed

_cli_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$_cli_lib_dir/tap.sh"
root=$(cd "$_cli_lib_dir/../.." && pwd)

_cli_exit=()

# shellcheck disable=SC2317 # run by the EXIT trap
_cli_cleanup() {
    local i
    for ((i = ${#_cli_exit[@]} - 1; i >= 0; i--)); do
        eval "${_cli_exit[i]}" > /dev/null 2>&1
    done
    [ -z "${work:-}" ] || rm -rf "$work"
}

cli_at_exit() { _cli_exit+=("$1"); }

cli_setup() {
    local env_file=/run/deeplens-test/env
    [ -r "$env_file" ] || skip_all "test bed not up (run tests/env/up.sh)"
    # shellcheck source=/dev/null
    . "$env_file"
    bin=${DL_BIN:-$root/deeplens-backup}
    [ -x "$bin" ] || bail_out "no program at $bin (run make)"
    docker=${DL_TEST_DOCKER:-docker}
    "$docker" version > /dev/null 2>&1 || bail_out "engine not answering on $DOCKER_HOST"
    export DEEPLENS_BACKUP_CONFIG=/dev/null
    work=$(mktemp -d "/tmp/dl-$1.XXXXXX")
    export XDG_STATE_HOME=$work/state   # the default audit file, not in $HOME
    trap _cli_cleanup EXIT
    trap 'exit 130' INT TERM
}

cli_postgres() {
    pg=${DL_TEST_PG_CONTAINER:-deeplens-postgres}
    pg_user=${DL_TEST_PG_USER:-deeplens}
    pw_file=$work/pg-password
    cat "${DL_TEST_PG_PASSWORD_FILE:-/nonexistent}" > "$pw_file" 2> /dev/null ||
        echo deeplens-dev > "$pw_file"
    if [ "$("$docker" inspect -f '{{.State.Running}}' "$pg" 2> /dev/null)" != true ] &&
        [ -x "$root/tests/env/postgres.sh" ]; then
        "$root/tests/env/postgres.sh" > /dev/null 2>&1
    fi
    if [ "$("$docker" inspect -f '{{.State.Running}}' "$pg" 2> /dev/null)" != true ]; then
        pg=dl-${work##*.}-pg
        pg=${pg,,}
        cli_at_exit "\"\$docker\" rm -f -v '$pg'"
        "$docker" run -d --name "$pg" --network "${DL_TEST_NETWORK:-deeplens-network}" \
            -e POSTGRES_USER="$pg_user" -e POSTGRES_PASSWORD="$(cat "$pw_file")" \
            "${DL_TEST_PG_IMAGE:-deeplens/postgres:15}" > /dev/null ||
            bail_out "cannot start a private PostgreSQL"
    fi
    local _
    for _ in $(seq 1 120); do
        _cli_pg_login && return 0
        sleep 0.5
    done
    bail_out "PostgreSQL $pg does not accept the test password for $pg_user"
}

# The image's first start runs a socket-only server for initialisation, then
# restarts: ready means a password login over TCP, as the job does it.
_cli_pg_login() {
    "$docker" exec -e PGPASSWORD="$(cat "$pw_file")" "$pg" psql -X -h 127.0.0.1 -U "$pg_user" \
        -d postgres -Atc 'select 1' > /dev/null 2>&1
}

run() {
    out=$("$bin" "$@" 2>&1 < /dev/null)
    rc=$?
}

expect() {
    if [ "$rc" = "$2" ] && printf '%s\n' "$out" | grep -Eq -- "$3"; then
        ok "$1"
    else
        not_ok "$1" "want exit $2 and /$3/, got exit $rc:" "$out"
    fi
}

has_line() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        ok "$3"
    else
        not_ok "$3" "no line matches /$2/ in:" "$1"
    fi
}

psql_pg() {
    local db=$1
    shift
    "$docker" exec -i "$pg" psql -X -q -v ON_ERROR_STOP=1 -U "$pg_user" -d "$db" "$@"
}
