#!/usr/bin/env bash
# scheduled.test.sh - a backup that crond runs inside the container makes no
# engine event: the console still shows its result by itself, because it
# re-reads a tenant's status shortly after each scheduled run - and only
# then, not in periodic bursts over every tenant (DEEPLENS_TRACE counts the
# status reads it made).
. "$(dirname "$0")/lib.sh"
tui_setup

t=$(tui_name m)
daily=$(tui_name n)
tui_tenant "$t" --schedule '* * * * *' --no-initial-backup; t_ok $? "provisioned $t, every minute, no first backup"
tui_tenant "$daily"; t_ok $? "provisioned $daily, daily 02:00"

trace=$TUI_TMP/trace
tui_start DEEPLENS_TRACE="$trace"
started=$SECONDS
tui_wait "$t" 15; t_ok $? "the list shows $t"
tui_filter "tui$$"
row() { tui_screen | grep -E "^ *$t " | head -n1; }
row | grep -qE " - +- +[0-9]+d *$"; t_ok $? "no backup yet: no files, no size"

# The first scheduled run comes within a minute; its result must appear
# without a key press (at most a minute plus DL_FLEET_AFTER_RUN plus the run).
shown=1
for _ in $(seq 1 240); do
    if row | grep -qE "\+ ok .* ok +1 +[0-9.]+ (B|KiB|MiB)"; then shown=0; break; fi
    sleep 0.5
done
t_ok $shown "the scheduled run's result shows by itself (ok, 1 file)"

reads=$(grep -c "submit GET /containers/deeplens-backup-$t/archive" "$trace" 2>/dev/null)
[ "${reads:-0}" -ge 1 ] && [ "${reads:-0}" -le 5 ]
t_ok $? "its status was read a few times, not on a timer ($reads reads)"
# the daily tenant's status cannot change before 02:00: read once, not again
while [ $((SECONDS - started)) -lt 60 ]; do sleep 1; done
reads=$(grep -c "submit GET /containers/deeplens-backup-$daily/archive" "$trace" 2>/dev/null)
is "${reads:-0}" 1 "in a minute the daily tenant's status was read once, at start"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"
done_testing
