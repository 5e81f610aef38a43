#!/usr/bin/env bash
# tests/integration/lifecycle/lock.test.sh - a backup in progress, through the CLI on the
# real engine (pg_dump is held up by another session's table lock, so a run lasts as
# long as the test wants). A second backup-now waits for it and then runs; reschedule
# waits for it, says so, and the backup completes; reschedule refuses, exit 5 and no
# container replaced, when it is still running after DEEPLENS_BUSY_WAIT. A run killed
# mid-dump (docker kill) leaves a lock whose heartbeat stops: once that is LOCK_STALE
# old (the owner file is backdated: the time that passes), a re-provision on the same
# export breaks it (event=lock action=broken) and backs up. remove --delete-backups
# during a run stops it first and leaves nothing of the tenant's on the target.
# Prints TAP.
# shellcheck disable=SC2010,SC2012 # ls over directories whose names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup lock

# hold DB SECONDS: another session holds crm.customers of DB for SECONDS (pg_dump waits)
hold() {
    psql_pg "$1" -c "begin; lock table crm.customers in access exclusive mode; select pg_sleep($2); commit" \
        > /dev/null 2>&1 &
    holder=$!
    for _ in $(seq 1 50); do
        [ "$(psql_pg "$1" -Atc "select count(*) from pg_locks where relation = 'crm.customers'::regclass and mode = 'AccessExclusiveLock' and granted")" = 1 ] && return 0
        sleep 0.1
    done
}
# running T: wait until T's run holds its lock (at most 10 s)
running() {
    for _ in $(seq 1 100); do
        [ -f "$dir/$1/.deeplens/lock/owner" ] && return 0
        sleep 0.1
    done
    return 1
}

t=$id
db=tenant_${t}_metadata
c=deeplens-backup-$t
dir=$(lc_target target) || bail_out "cannot make the target directory"
lc_db "$db" || bail_out "cannot create $db"
lc_provision "$t" "$dir"
expect "provision" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"

# --- backup-now while a backup runs: waits, then backs up --------------------------------------
hold "$db" 6
"$bin" backup-now "$t" > "$work/first.out" 2>&1 < /dev/null &
first=$!
running "$t"
out=$(DEEPLENS_BUSY_WAIT=60 "$bin" backup-now "$t" 2>&1 < /dev/null)
rc=$?
expect "a second backup-now says a backup is in progress and waits" 0 \
    "a backup \\(pid [0-9]+, running for [0-9]+s\\) is in progress in $c: waiting up to 60 s"
like "$out" "Waited [0-9]+ s for the run in progress to finish" "... says that it waited"
like "$out" "ok Backup completed" "... then backs up"
wait "$first"
like "$?:$(cat "$work/first.out")" "^0:.*ok Backup completed" "the first backup-now completes"
wait "$holder"

# --- reschedule while a backup runs: waits, the backup completes ------------------------------
hold "$db" 6
"$bin" backup-now "$t" > "$work/bg.out" 2>&1 < /dev/null &
bg=$!
running "$t"
out=$(DEEPLENS_BUSY_WAIT=60 "$bin" reschedule "$t" --schedule '0 3 * * *' 2>&1 < /dev/null)
rc=$?
expect "reschedule during a backup waits for it" 0 "is in progress in $c: waiting up to 60 s"
like "$out" "Waited [0-9]+ s for the run in progress to finish" "... says that it waited"
like "$out" "Rescheduled: 0 3 \\* \\* \\*" "... then reschedules"
wait "$bg"
like "$?:$(cat "$work/bg.out")" "^0:.*ok Backup completed" "the backup was not interrupted"
wait "$holder"

# --- reschedule refused while the backup still runs after the wait ---------------------------------
id0=$("$docker" inspect -f '{{.Id}}' "$c")
hold "$db" 10
"$bin" backup-now "$t" > "$work/bg.out" 2>&1 < /dev/null &
bg=$!
running "$t"
out=$(DEEPLENS_BUSY_WAIT=3 "$bin" reschedule "$t" --schedule '0 4 * * *' 2>&1 < /dev/null)
rc=$?
expect "reschedule still blocked after DEEPLENS_BUSY_WAIT: exit 5" 5 \
    "^deeplens-backup: reschedule refused: a backup \\(pid [0-9]+, running for [0-9]+s\\) is still in progress in '$c' after waiting [34] s; nothing was changed"
is "$("$docker" inspect -f '{{.Id}} {{index .Config.Labels "io.deeplens.backup.schedule"}}' "$c")" "$id0 0 3 * * *" \
    "... the container is the same, with the old schedule"
wait "$bg"
like "$?:$(cat "$work/bg.out")" "^0:.*ok Backup completed" "... and the backup completes"
wait "$holder"

# --- a run killed mid-dump, then a re-provision on the same export --------------------------------
hold "$db" 4
"$bin" backup-now "$t" > "$work/bg.out" 2>&1 < /dev/null &
bg=$!
running "$t"
"$docker" kill "$c" > /dev/null
wait "$bg"
wait "$holder"
check "the killed run left its lock" test -f "$dir/$t/.deeplens/lock/owner"
like "$(ls -A "$dir/$t")" '\.partial' "... and its temporary"
# its heartbeat stopped with it: let LOCK_STALE (120 s) pass
touch -d '-3 minutes' "$dir/$t/.deeplens/lock/owner"
lc_provision "$t" "$dir" --replace
expect "re-provision on the export of the killed run backs up" 0 "^PostgreSQL backup configured successfully!"
like "$out" "event=lock tenant=$t action=broken reason=\"no heartbeat for 3m[0-9]+s from pid [0-9]+ on [0-9a-f]+ \\(limit 120s\\)\"" \
    "... breaking the dead run's lock"
like "$out" "event=sweep tenant=$t file=\\.${db}_" "... and sweeping its temporary"
is "$(ls -A "$dir/$t" | grep -c partial)" 0 "no temporary left"

# --- remove --delete-backups during a run ----------------------------------------------------------
hold "$db" 8
"$bin" backup-now "$t" > "$work/bg.out" 2>&1 < /dev/null &
bg=$!
running "$t"
run remove "$t" --delete-backups --yes
expect "remove --delete-backups during a run exits 0" 0 "Backup of $t removed, backup files deleted"
like "$out" "Stopping $c so that no run writes meanwhile" "... it stops the container first"
wait "$bg"
like "$(cat "$work/bg.out")" "interrupted by SIGTERM" "the run was stopped, and said so"
wait "$holder"
is "$(find "$dir" -mindepth 1 -printf '%P\n')" "" "nothing of the tenant is left on the target, no temporary"
is "$(lc_gone "$t")" "" "no container, no volume, no helper left"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
