#!/usr/bin/env bash
# forms.test.sh - a tenant provisioned through the console's form,
# rescheduled and removed; bad input shows the message and creates nothing.
. "$(dirname "$0")/lib.sh"
tui_setup

t=$(tui_name f)
tui_db "$t"
mkdir -p "$TUI_TMP/target/$t" && chmod 777 "$TUI_TMP/target/$t"
TUI_TENANTS+=("$t")      # cleaned up even if a step fails
row() { tui_screen | grep -E "^ *$t " | head -n1; }

tui_start
tui_wait "TENANT"; t_ok $? "the console is up"

# bad input: the validator's message, nothing created
bad="TUIBAD$$"
tui_keys n
tui_wait "Provision a tenant backup"; t_ok $? "n opens the provision form"
tui_type "$bad"
tui_keys Tab
tui_wait "invalid tenant name" 5; t_ok $? "a bad tenant name shows the validator's message"
tui_keys F2
tui_wait "Provision a tenant backup" 2; t_ok $? "submitting with bad input stays in the form"
tui_keys Escape
tui_wait "cancelled" 5; t_ok $? "Esc cancels the form"
n=$(dk ps -a --format '{{.Names}}' | grep -ci "tuibad$$" || true)
is "$n" "0" "nothing was created for the bad input"

# provision through the form
tui_keys n
tui_wait "Provision a tenant backup"
tui_type "$t"
tui_keys Tab Tab
tui_type "local:$TUI_TMP/target/$t"
tui_keys F2
tui_wait "y/Enter" 5; t_ok $? "submitting shows the summary to confirm"
tui_keys y
tui_wait "Provisioning" 5; t_ok $? "confirming starts the job with a progress view"
tui_wait "press Enter to close" 90; t_ok $? "the provision job finishes"
tui_screen | grep -q "$t: done"; t_ok $? "the progress view says done"
tui_keys Enter
tui_filter "$t"
tui_wait "$t " 10
row | grep -qF "daily 02:00"; t_ok $? "$t is in the list with its schedule"
tui_wait "+ ok" 30; t_ok $? "$t becomes ok"
dk inspect "deeplens-backup-$t" >/dev/null 2>&1; t_ok $? "its container exists"

# reschedule, first with a bad schedule
tui_keys R
tui_wait "Reschedule '$t'"; t_ok $? "R opens the reschedule form"
tui_keys C-u
tui_type "61 2 * * *"
tui_keys Tab
tui_wait "minute must be 0-59" 5; t_ok $? "a bad schedule shows the validator's message"
tui_keys BTab C-u
tui_type "30 4 * * *"
tui_keys Tab C-u
tui_type "9"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "press Enter to close" 60; t_ok $? "the reschedule job finishes"
tui_keys Enter
tui_wait "daily 04:30" 20; t_ok $? "the list shows the new schedule in words"
row | grep -q " 9d"; t_ok $? "and the new retention"
sched=$(dk inspect -f '{{index .Config.Labels "io.deeplens.backup.schedule"}}' "deeplens-backup-$t" 2>/dev/null)
is "$sched" "30 4 * * *" "the container carries the new schedule"

# remove, keeping the files
tui_keys D
tui_wait "Remove the backup of '$t'"; t_ok $? "D opens the remove form"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "press Enter to close" 60; t_ok $? "the remove job finishes"
tui_keys Enter
tui_wait_gone "$t " 20; t_ok $? "$t is gone from the list"
dk inspect "deeplens-backup-$t" >/dev/null 2>&1; [ $? != 0 ]; t_ok $? "its container is gone"
compgen -G "$TUI_TMP/target/$t/$t/*sql.gz*" >/dev/null; t_ok $? "its backup files were kept"

tui_keys q
is "$(tui_exit_code)" "0" "q quits"
done_testing
