#!/usr/bin/env bash
# swarm.test.sh - the console on a Swarm manager (tests/env/swarm.sh: a single-node
# swarm on its own socket, started when missing): a tenant provisioned with
# `provision --swarm` is a row like any other, marked by a KIND column (shown only
# when a service is listed), with its health from the job's status; backup now from
# the console runs in the service's task and the row and the Files tab show the new
# file; verify, restore and drill work on it; the Logs tab shows the task's log;
# restart makes a new task the row follows; reschedule rotates the secret; a service made
# behind the console's back (the CLI) appears by itself (service events); remove
# from the console leaves no service, secret, config or volume. Then one console over
# the shared test engine and the swarm engine (-H a=... -H b=...) shows the
# container tenant and the service tenant together. Prints TAP.
. "$(dirname "$0")/lib.sh"
tui_setup
if [ "$(id -u)" = 0 ]; then
    timeout 600 "$TUI_TOP/tests/env/swarm.sh" > "$TUI_TMP/swarm.log" 2>&1 ||
        bail_out "tests/env/swarm.sh failed: $(tail -n 5 "$TUI_TMP/swarm.log")"
fi
[ -r /run/deeplens-swarm/env ] || skip_all "swarm test engine not up (run tests/env/swarm.sh as root)"
# shellcheck source=/dev/null
. /run/deeplens-swarm/env
SW=$DL_SWARM_DOCKER_HOST
TEST_HOST=$DOCKER_HOST
swd() { docker -H "$SW" "$@"; }
s1=$(tui_name s1) s2=$(tui_name s2) c1=$(tui_name c1)
SVC=()   # tenants provisioned on the swarm engine

# left T: every service, secret, config, container and volume of tenant T on the swarm engine
left() {
    {
        swd service ls --format 'service {{.Name}}' | grep -F -- "deeplens-backup-$1"
        swd secret ls --format 'secret {{.Name}}' | grep -F -- "deeplens-backup-$1"
        swd config ls --format 'config {{.Name}}' | grep -F -- "deeplens-backup-$1"
        swd ps -a --format 'container {{.Names}}' | grep -F -- "deeplens-backup-$1"
        swd volume ls -q | grep -Fx -- "tenant_$1_pgbackup"
    } | sort | tr '\n' ' '
}

on_swarm() {   # on_swarm TENANT [provision options]: database on the swarm's postgres, provision --swarm
    local t=$1
    shift
    swd exec "$DL_SWARM_PG_CONTAINER" psql -q -U deeplens -d postgres \
        -c "create database tenant_${t}_metadata" > /dev/null 2>&1
    swd exec "$DL_SWARM_PG_CONTAINER" psql -q -U deeplens -d "tenant_${t}_metadata" \
        -c "create table t (id int); insert into t values (1)" > /dev/null 2>&1
    mkdir -p "$TUI_TMP/target/$t" && chmod 777 "$TUI_TMP/target/$t"
    SVC+=("$t")
    timeout 240 "$TUI_BIN" --config "$TUI_TMP/config" -H "$SW" provision "$t" --swarm \
        --nfs-path "local:$TUI_TMP/target/$t" --password-file "$TUI_PW_FILE" \
        --postgres-host "$DL_SWARM_PG_CONTAINER" --network "$DL_SWARM_NETWORK" "$@" \
        > "$TUI_TMP/provision-$t.log" 2>&1 || { sed 's/^/# provision: /' "$TUI_TMP/provision-$t.log"; return 1; }
}
svc_cleanup() {
    local t s
    for t in "${SVC[@]+"${SVC[@]}"}"; do
        for s in $(swd service ls -q --filter "name=deeplens-backup-$t"); do swd service rm "$s" > /dev/null 2>&1; done
    done
    [ ${#SVC[@]} -gt 0 ] && sleep 3
    for t in "${SVC[@]+"${SVC[@]}"}"; do
        for s in $(swd secret ls -q --filter "name=deeplens-backup-$t"); do swd secret rm "$s" > /dev/null 2>&1; done
        for s in $(swd config ls -q --filter "name=deeplens-backup-$t"); do swd config rm "$s" > /dev/null 2>&1; done
        swd volume rm -f "tenant_${t}_pgbackup" > /dev/null 2>&1
        swd exec "$DL_SWARM_PG_CONTAINER" psql -q -U deeplens -d postgres \
            -c "drop database if exists tenant_${t}_metadata with (force)" \
            -c "drop database if exists tenant_${t}_metadata_restore with (force)" > /dev/null 2>&1
    done
}
trap 'svc_cleanup; tui_cleanup' EXIT

backups() { find "$TUI_TMP/target/$1" -name "tenant_$1_metadata_*.sql.gz" | wc -l; }
tui_wait_row() {   # tui_wait_row ERE SECS
    local i
    for ((i = 0; i < $2 * 10; i++)); do tui_screen | grep -Eq "$1" && return 0; sleep 0.1; done
    return 1
}

on_swarm "$s1"; t_ok $? "provisioned $s1 as a swarm service (its initial backup done)"

# --- one console on the swarm manager -------------------------------------------------------------------
DOCKER_HOST=$SW tui_start
tui_wait "$s1" 15; t_ok $? "the service tenant is listed"
tui_filter "tui$$"
tui_screen | grep -Eq "^TENANT.* KIND +HEALTH"; t_ok $? "a KIND column, since a service is listed"
tui_wait_row "^$s1 +service +\+ ok +running " 15; t_ok $? "$s1's row: a service, ok from its status, running"
tui_wait_row "^$s1 .* ok +1 " 15; t_ok $? "the row has the job's status: last result ok, 1 file"

# the overview names the service and its task's container
tui_keys Enter
tui_wait "Overview" 5
tui_wait "Service      deeplens-backup-$s1" 5; t_ok $? "the overview names the service"
tui_screen | grep -Eq "Container +deeplens-backup-$s1\.1\."; t_ok $? "and its task's container"

# Files tab, then backup now from the console
tui_keys 3
tui_wait "sorted by time" 15; t_ok $? "the Files tab lists the service's files"
count_files() { tui_screen | grep -c "tenant_${s1}_metadata_.*sql.gz" || true; }
before=$(count_files)
[ "$before" -ge 1 ]; t_ok $? "the initial backup is listed ($before)"
n_before=$(backups "$s1")
sleep 1   # backup file names carry the second
tui_keys b
tui_wait "Backing up" 5; t_ok $? "b on the service: the backup's progress"
tui_wait "press Enter to close" 90; t_ok $? "the backup finishes"
tui_screen | grep -q "result=ok"; t_ok $? "with the job's ok line"
tui_screen | grep -q "Running backup of $s1 in"; t_ok $? "run in the service's task container"
tui_screen | grep -q "deeplens-backup-$s1\.1\."; t_ok $? "(named in the progress)"
tui_keys Enter
for _ in $(seq 100); do [ "$(count_files)" -gt "$before" ] && break; sleep 0.1; done
after=$(count_files)
[ "$after" -gt "$before" ]; t_ok $? "the Files tab shows the fresh backup ($before -> $after)"
n_after=$(backups "$s1")
[ "$n_after" -gt "$n_before" ]; t_ok $? "the new file is on the service's target ($n_before -> $n_after)"

# verify, restore and drill the selected file (the fresh one), from the Files tab
tui_keys v
tui_wait "Verifying" 5; t_ok $? "v on the service's file: verifying"
tui_wait "press Enter to close" 90; t_ok $? "the verification finishes"
tui_screen | grep -q "Backup verified"; t_ok $? "and the file is verified"
tui_keys Enter
tui_keys Enter
tui_wait "Restore a backup of '$s1'" 5; t_ok $? "Enter on the file opens the restore form"
tui_wait "tenant_${s1}_metadata_restore" 5
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "press Enter to close" 120; t_ok $? "the restore finishes"
tui_screen | grep -q "done"; t_ok $? "and reports success"
tui_keys Enter
is "$(swd exec "$DL_SWARM_PG_CONTAINER" psql -tA -U deeplens -d "tenant_${s1}_metadata_restore" -c "select count(*) from t" 2>&1)" \
    1 "the restored database (the swarm's postgres) has the tenant's row"
tui_keys d
tui_wait "Restore drill of $s1" 5; t_ok $? "d on the service's file: a drill"
tui_wait "press Enter to close" 120; t_ok $? "the drill finishes"
tui_screen | grep -q "Drill passed"; t_ok $? "and passes"
tui_keys Enter

# the Logs tab: the task's log (swarm shows it once the task's first probe ran)
tui_keys 2
tui_wait "event=start tenant=$s1" 60; t_ok $? "the Logs tab shows the task's log"
tui_wait "event=backup tenant=$s1 result=ok" 10; t_ok $? "with the backup lines"
tui_keys Escape
tui_wait "TENANT" 5
tui_wait_row "^$s1 .* ok +2 " 15; t_ok $? "the row counts the new file (2)"

# restart: a new task, the row follows it
old_ct=$(swd ps -q --no-trunc --filter "label=com.docker.swarm.service.name=deeplens-backup-$s1" --filter status=running | head -n 1)
tui_keys r
tui_wait "Restarting service deeplens-backup-$s1" 5; t_ok $? "r on the service: a new task"
tui_wait "press Enter to close" 120; t_ok $? "the restart finishes"
tui_keys Enter
new_ct=
for _ in $(seq 1 30); do
    new_ct=$(swd ps -q --no-trunc --filter "label=com.docker.swarm.service.name=deeplens-backup-$s1" --filter status=running | head -n 1)
    [ -n "$new_ct" ] && [ "$new_ct" != "$old_ct" ] && break
    sleep 0.5
done
[ -n "$new_ct" ] && [ "$new_ct" != "$old_ct" ]; t_ok $? "another task container runs"
tui_wait_row "^$s1 +service .* running .* ok +2 " 20; t_ok $? "the row follows the new task: running, its last known status kept"
tui_keys Enter
tui_wait "Overview" 5
tui_wait "${new_ct:0:12}" 15; t_ok $? "the overview follows the new task's container"
tui_keys Escape

# reschedule from the console: the service's secret rotates
tui_wait "TENANT" 5
tui_keys R
tui_wait "Reschedule '$s1'" 5; t_ok $? "R on the service opens the reschedule form"
tui_keys C-u
tui_type "30 4 * * *"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "press Enter to close" 180; t_ok $? "the reschedule finishes"
tui_screen | grep -q "Old secret deeplens-backup-$s1-pgpass-1 removed"; t_ok $? "it rotated the secret"
tui_keys Enter
tui_wait_row "^$s1 +service .*daily 04:30" 20; t_ok $? "the row shows the new schedule"
is "$(swd secret ls --format '{{.Name}}' | grep -F -- "deeplens-backup-$s1" | tr '\n' ' ')" \
    "deeplens-backup-$s1-pgpass-2 " "one secret left, the new one"

# a service made behind the console's back: the service events bring it in
t0=$SECONDS
on_swarm "$s2" --no-initial-backup; t_ok $? "provisioned $s2 with the CLI while the console runs"
tui_wait_row "^$s2 +service .* running " 10; t_ok $? "it appears by itself, running"
[ $((SECONDS - t0)) -lt 60 ]; t_ok $? "without a refresh key ($((SECONDS - t0)) s; the periodic re-list is slower)"

# remove from the console: no service, secret, config or volume left
tui_keys / Escape   # clears the filter
tui_filter "$s2"
tui_wait_gone "$s1 " 5
tui_keys D
tui_wait "Remove the backup of '$s2'" 5; t_ok $? "D opens the remove form"
tui_screen | grep -q "Removes the service, its secret and config"; t_ok $? "which says what goes"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "press Enter to close" 90; t_ok $? "the remove job finishes"
tui_screen | grep -q "Removing secret deeplens-backup-$s2-pgpass-1"; t_ok $? "it removed the secret"
tui_keys Enter
tui_wait_gone "$s2 " 20; t_ok $? "$s2 is gone from the list"
is "$(left "$s2")" "" "remove: no service, secret, config, container or volume left"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"

# --- the shared test engine and the swarm manager in one console ------------------------------------------
tui_tenant "$c1" --no-initial-backup; t_ok $? "provisioned $c1 as a container on the test engine"
tui_start -- -H "a=$TEST_HOST" -H "b=$SW"
tui_wait "$c1" 15; t_ok $? "the container tenant of engine a is listed"
tui_filter "tui$$"
tui_wait "$s1" 10; t_ok $? "and the service tenant of engine b"
tui_screen | grep -Eq "^TENANT.* ENGINE +KIND +HEALTH"; t_ok $? "ENGINE and KIND columns"
tui_wait_row "^$c1 +a +container " 10; t_ok $? "$c1: engine a, a container"
tui_wait_row "^$s1 +b +service +\+ ok " 10; t_ok $? "$s1: engine b, a service, ok"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"

# --- no service listed: no KIND column ---------------------------------------------------------------------------
tui_start
tui_wait "$c1" 15
tui_screen | grep -Eq "^TENANT[^ ]* +HEALTH "; t_ok $? "the test engine alone (no swarm): no KIND column"
tui_keys q
done_testing
