#!/usr/bin/env bash
# tests/integration/cli/errors.test.sh - the CLI's error paths against the
# real engine: an unreachable engine (exit 3, fast, in operator words), an
# unknown tenant (exit 4 from every tenant command), usage errors (exit 2),
# and `remove --delete-backups` without a terminal and without --yes (exit 2,
# nothing removed, files kept - on a real tenant when deeplens-postgres is
# up). Needs tests/env/up.sh. Prints TAP.
set -u

# shellcheck source=tests/lib/cli.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/cli.sh"
cli_setup cli-err
tenant=clierr$$

# --- the engine is not there ---------------------------------------------------------------
for cmd in status list "files x" "logs x" metrics "restart x"; do
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # split the command words
    run -H "unix://$work/no-engine.sock" $cmd
    ms=$((($(date +%s%N) - t0) / 1000000))
    expect "-H to a missing socket: $cmd exits 3" 3 "^deeplens-backup: cannot reach the docker engine at unix://$work/no-engine.sock"
    if [ "$ms" -lt 3000 ]; then ok "... within 3 s ($ms ms)"; else not_ok "... within 3 s" "took $ms ms"; fi
done
DOCKER_HOST=tcp://127.0.0.1:1 run list
expect "DOCKER_HOST with nothing listening exits 3" 3 "cannot reach the docker engine at tcp://127.0.0.1:1"
run -H "unix://$work/no-engine.sock" status
is "$(wc -l <<< "$out" | tr -d ' ')" 1 "the message is one line on stderr"
run -H "bogus://x" list
expect "a malformed -H is invalid input" 2 "^deeplens-backup: .*bogus://x"

# --- DEEPLENS_TRACE: one line per request start and end, nothing secret ----------------------
DEEPLENS_TRACE=$work/trace run list
expect "list with DEEPLENS_TRACE still works" 0 ""
like "$(cat "$work/trace" 2>/dev/null)" "submit GET /containers/json" "the trace names the request"
like "$(cat "$work/trace" 2>/dev/null)" "done   GET /containers/json.* -> 200 ok \\([0-9]+ ms\\)" \
    "... and its status, result and duration"
DEEPLENS_TRACE=$work/trace2 run -H "unix://$work/no-engine.sock" list
like "$(cat "$work/trace2" 2>/dev/null)" "-> 0 cannot reach the docker engine" \
    "a failed request is traced with the operator's words"

# --- an unknown tenant -----------------------------------------------------------------------
nobody=clinobody$$
for cmd in status files logs backup-now verify restart remove "reschedule --retention 9" \
    "restore f.sql.gz"; do
    # shellcheck disable=SC2086 # split the command words
    set -- $cmd
    first=$1
    shift
    run "$first" "$nobody" "$@"
    expect "$first of an unknown tenant exits 4" 4 "^deeplens-backup: .*'$nobody'"
done
run status --json "$nobody"
expect "status --json of an unknown tenant exits 4" 4 "'$nobody'"

# --- usage --------------------------------------------------------------------------------------
run
expect "no command and no terminal: usage, exit 2" 2 "^Usage: deeplens-backup"
run status --frobnicate
expect "unknown option named, exit 2" 2 "unknown option '--frobnicate'"
run files
expect "missing TENANT named, exit 2" 2 "missing TENANT for 'files'"
run frobnicate
expect "unknown command named, exit 2" 2 "unknown command 'frobnicate'"
run status "Bad Name"
expect "a bad tenant name is rejected before the engine" 2 "invalid tenant name 'Bad Name'"
run reschedule "$nobody"
expect "reschedule with nothing to change exits 2" 2 "needs --schedule, --retention, a --size-\* option or --run-timeout, a drill setting"
run logs "$nobody" --tail many
expect "a bad --tail is named" 2 "invalid tail 'many'"

# --- remove --delete-backups needs to be asked twice ------------------------------------------
run remove "$nobody" --delete-backups
expect "remove --delete-backups without a terminal or --yes exits 2" 2 "add --yes"

cli_postgres
# shellcheck disable=SC2016 # expanded at exit
cli_at_exit '"$docker" exec "$pg" dropdb -U "$pg_user" --if-exists "tenant_${tenant}_metadata"'
"$docker" exec "$pg" createdb -U "$pg_user" "tenant_${tenant}_metadata"
target=$work/target
mkdir -p "$target"
chown 999:999 "$target"
run provision "$tenant" --nfs-path "local:$target" --no-initial-backup \
    --image "${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}" \
    --postgres-host "$pg" --postgres-user "$pg_user" \
    --network "${DL_TEST_NETWORK:-deeplens-network}" --password-file "$pw_file"
if [ "$rc" != 0 ]; then
    not_ok "provision a tenant for the remove checks" "exit $rc:" "$out"
    done_testing
    exit $?
fi
# shellcheck disable=SC2016 # expanded at exit
cli_at_exit '"$bin" remove "$tenant" --delete-backups --yes < /dev/null
    "$docker" rm -f "deeplens-backup-$tenant"; "$docker" volume rm -f "tenant_${tenant}_pgbackup"'
ok "provision a tenant for the remove checks"
like "$out" "deeplens-backup logs $tenant" "provision ends with the summary and our commands"
# a backup file as the job names them (what --delete-backups would delete)
bfile=tenant_${tenant}_metadata_20250101_020000.sql.gz
mkdir -p "$target/$tenant"     # the tenant's own directory on the target
printf 'x' | gzip > "$target/$tenant/$bfile"
chown 999:999 "$target/$tenant" "$target/$tenant/$bfile"

run remove "$tenant" --delete-backups
expect "remove --delete-backups of a real tenant without --yes exits 2" 2 "without confirmation"
[ -f "$target/$tenant/$bfile" ]
is "$?" 0 "... and the backup file is kept"
"$docker" inspect "deeplens-backup-$tenant" > /dev/null 2>&1
is "$?" 0 "... and the container is still there"

run remove "$tenant"
expect "remove without --delete-backups succeeds" 0 "backup files kept"
[ -f "$target/$tenant/$bfile" ]
is "$?" 0 "... and keeps the backup file"
"$docker" inspect "deeplens-backup-$tenant" > /dev/null 2>&1
is "$?" 1 "... and the container is gone"
run status "$tenant"
expect "... and the tenant is unknown now" 4 "no backup configured for tenant '$tenant'"

done_testing
