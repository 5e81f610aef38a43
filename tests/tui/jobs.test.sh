#!/usr/bin/env bash
# jobs.test.sh - a running operation's progress can be hidden: the console
# stays usable, the status line says the job runs and then how it ended, J
# brings the progress back; quitting while it runs asks first and then
# waits for it. A table lock held in the tenant's database keeps pg_dump
# (and so the backup) waiting for exactly as long as the test needs.
. "$(dirname "$0")/lib.sh"
tui_setup

t=$(tui_name j)
tui_tenant "$t"; t_ok $? "provisioned $t"
db=tenant_${t}_metadata
psql_t() { dk exec "$TUI_PG" psql -qtA -U deeplens -d "$db" -c "$1"; }
psql_t "create table hold (x int)" >/dev/null

# hold_lock: an ACCESS EXCLUSIVE lock on 'hold' until release_lock
hold_lock() {
    dk exec -d "$TUI_PG" psql -q -U deeplens -d "$db" \
        -c "begin; lock table hold in access exclusive mode; select pg_sleep(120)" || return 1
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(psql_t "select count(*) from pg_locks l join pg_class c on c.oid = l.relation
                     where c.relname = 'hold' and l.mode = 'AccessExclusiveLock' and l.granted")" = 1 ] &&
            return 0
        sleep 0.1
    done
    return 1
}
release_lock() {
    psql_t "select pg_terminate_backend(pid) from pg_stat_activity
            where datname = '$db' and query like '%pg_sleep(120)%' and pid <> pg_backend_pid()" >/dev/null
}
waiting_dump() {   # pg_dump is blocked on the lock
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(psql_t "select count(*) from pg_stat_activity where datname = '$db'
                     and wait_event_type = 'Lock'")" -ge 1 ] 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# held_backup: b with the lock held; the backup runs until release_lock
held_backup() {
    hold_lock || return 1
    tui_keys b
    tui_wait "Backing up $t" 5 || return 1
    waiting_dump
}

tui_start
tui_wait "$t"
tui_filter "$t"
held_backup; t_ok $? "b shows the backup's progress; the backup waits on a table lock"
tui_screen | grep -q "hide it and it goes on"; t_ok $? "the progress says it can be hidden"

tui_keys Escape
tui_wait "backup-now $t: running (J)" 5; t_ok $? "Esc hides it; the status line says it runs"
tui_screen | grep -q "TENANT"; t_ok $? "the list is back on screen"
tui_wait_gone "Backing up $t" 5; t_ok $? "the progress is gone"

tui_keys Enter
tui_wait "Overview" 5; t_ok $? "the console answers keys: Enter opens the tenant"
tui_screen | grep -q "backup-now $t: running"; t_ok $? "the detail view shows the job running too"
tui_keys b
tui_wait "backup-now $t is still running" 5; t_ok $? "a second operation is refused while one runs"
tui_keys q
tui_wait "TENANT" 5; t_ok $? "q goes back to the list"

tui_keys J
tui_wait "Backing up $t" 5; t_ok $? "J brings the progress back"
tui_screen | grep -q "running"; t_ok $? "still running"
release_lock
tui_wait "press Enter to close" 60; t_ok $? "the backup finishes once the lock is gone"
tui_screen | grep -q "result=ok"; t_ok $? "with the job's own output"
tui_keys Enter
tui_wait "backup-now $t: ok" 5; t_ok $? "closed, the status line keeps the result"
tui_screen | grep -q "backup-now $t: running"; [ $? != 0 ]; t_ok $? "and no longer says running"

# the result arrives while the progress is hidden
held_backup; t_ok $? "another backup, held"
tui_keys h
tui_wait "backup-now $t: running (J)" 5; t_ok $? "h hides it too"
release_lock
tui_wait "backup-now $t: ok" 60; t_ok $? "the result shows in the status line while hidden"
tui_screen | grep -q "press Enter to close"; [ $? != 0 ]; t_ok $? "the progress did not pop up"

# quitting while it runs: asked, refused, then asked and waited for
held_backup; t_ok $? "a third backup, held"
tui_keys Escape
tui_wait "running (J)" 5
tui_keys q
tui_wait "quit and wait for it? (y/N)" 5; t_ok $? "q with a job running asks first"
tui_keys n
tui_wait "not quitting; backup-now $t goes on" 5; t_ok $? "n keeps the console"
tui_keys Q
tui_wait "quit and wait for it? (y/N)" 5; t_ok $? "Q asks too"
tui_keys y
tui_wait "waiting for backup-now $t to finish" 10; t_ok $? "y quits the screen and says it waits"
[ ! -s "$TUI_TMP/exit" ]; t_ok $? "the console has not exited yet"
release_lock
for ((i = 0; i < 600; i++)); do [ -s "$TUI_TMP/exit" ] && break; sleep 0.1; done
is "$(tui_exit_code)" "0" "once the backup is done the console exits 0"
n=$(find "$TUI_TMP/target/$t/$t" -maxdepth 1 -name "*sql.gz" | wc -l)
[ "$n" -ge 4 ]; t_ok $? "every backup of the test was written ($n files)"
done_testing
