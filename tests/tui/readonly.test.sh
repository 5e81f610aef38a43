#!/usr/bin/env bash
# readonly.test.sh - read-only mode and the audit view in the console. A backup
# started from the console is recorded (source console); A shows the audit trail
# with the CLI's and the console's records, tenant text made inert. With
# --read-only (or read_only = yes) the header says [READ-ONLY], the change keys
# are gone from the key bar and the help screen, and pressing them does nothing:
# no form, no job, no record, the container untouched.
. "$(dirname "$0")/lib.sh"
tui_setup

audit=$TUI_TMP/audit.jsonl   # audit_file of lib.sh's config
ssh="SSH_CONNECTION=198.51.100.9 40000 10.0.0.1 22"
t=$(tui_name ro)
tui_tenant "$t"; t_ok $? "provisioned $t"
grep -q "\"action\":\"provision\",\"tenant\":\"$t\".*\"result\":\"ok\"" "$audit"; t_ok $? "the CLI's provision is in the audit file"

# ---- a console operation is recorded ------------------------------------------------
tui_start "$ssh"
tui_wait "$t"; t_ok $? "the console lists $t"
tui_filter "$t"
tui_screen | head -n 1 | grep -q "READ-ONLY"; [ $? != 0 ]; t_ok $? "no [READ-ONLY] without the option"
tui_keys b
tui_wait "press Enter to close" 90; t_ok $? "b runs a backup from the console"
tui_keys Enter
for _ in $(seq 50); do grep -q '"source":"console"' "$audit" 2>/dev/null && break; sleep 0.1; done
rec=$(grep '"source":"console"' "$audit" | tail -n 1)
[[ $rec == *'"action":"backup-now"'* && $rec == *"\"tenant\":\"$t\""* && $rec == *'"client":"198.51.100.9"'* &&
   $rec == *'"result":"ok"'* && $rec == *"\"user\":\"$(id -un)\""* ]]
t_ok $? "the console's backup-now is recorded with user, client and result"
tui_keys A
tui_wait "Audit trail:" 5; t_ok $? "A opens the audit view"
tui_wait "backup-now $t" 5; t_ok $? "... showing the console's backup-now"
tui_screen | grep -Eq "provision +$t +ok"; t_ok $? "... and the CLI's provision"
tui_screen | grep -Eq "198\.51\.100\.9 +console +backup-now"; t_ok $? "... with its client and source"
tui_keys Escape
tui_wait "TENANT" 5; t_ok $? "Esc goes back to the list"
tui_keys q

# ---- read-only ------------------------------------------------------------------------
ct() { dk inspect -f '{{.State.StartedAt}}' "deeplens-backup-$t"; }
started=$(ct)
nrec=$(wc -l < "$audit")
# tenant text in a record: shown inert
printf '%s\n' "{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"x\",\"source\":\"cli\",\"action\":\"restart\",\"tenant\":\"$t\",\"args\":{},\"result\":\"error\",\"error\":\"evil \\u001b[7mINVERSE\\u001b[0m\"}" >> "$audit"
nrec=$((nrec + 1))

TUI_ROWS=100 tui_start "$ssh" -- --read-only
tui_wait "$t"; t_ok $? "the read-only console lists $t"
tui_screen | head -n 1 | grep -q "deeplens-backup \[READ-ONLY\]"; t_ok $? "the header shows [READ-ONLY]"
footer=$(tui_screen | grep -E '\? Help' | tail -n 1)
for label in New Backup Restart Resched Remove; do
    [[ $footer != *" $label "* ]]; t_ok $? "no '$label' in the key bar"
done
[[ $footer == *"A Audit"* ]]; t_ok $? "the key bar has A Audit"
tui_filter "$t"
for k in b r R D n; do
    tui_keys "$k"
    tui_wait "key $k does nothing here" 3; t_ok $? "$k does nothing"
done
sleep 1
! tui_screen | grep -Eq "Backing up|Restarting|Reschedule|Remove the backup|Provision a"; t_ok $? "... no form and no progress opened"
tui_keys f
tui_wait "TIME (UTC)" 5; t_ok $? "the Files tab opens"
tui_wait "sorted by time" 10
tui_screen | grep -E '\? Help' | tail -n 1 | grep -q "Restore"; [ $? != 0 ]; t_ok $? "no Restore in the Files tab's key bar"
tui_keys Enter
tui_wait "key Enter does nothing here" 3; t_ok $? "Enter on a file does not open the restore form"
tui_keys Escape
tui_wait "TENANT" 5

tui_keys '?'
tui_wait "Help: keys" 5; t_ok $? "the help screen opens"
help=$(tui_screen)
for act in provision backup-now restart reschedule remove restore; do
    ! grep -Eq "^   [^ ].{18}$act " <<< "$help"; t_ok $? "the help does not list $act"
done
grep -Eq "^   A {18}audit " <<< "$help"; t_ok $? "the help lists A audit"
grep -Eq "^   v {18}verify " <<< "$help"; t_ok $? "... and verify (a read)"
tui_keys Escape

tui_keys A
tui_wait "Audit trail:" 5; t_ok $? "A opens the audit view in read-only mode"
tui_wait "evil ^[[7mINVERSE^[[0m" 5; t_ok $? "tenant text in a record is shown inert"
tui_keys Escape
tui_keys q
tui_exit_code > /dev/null
[ "$(wc -l < "$audit")" = "$nrec" ]; t_ok $? "no record was written in read-only mode"
[ "$(ct)" = "$started" ]; t_ok $? "the container was not restarted"

# read_only = yes in the config: the same
cp "$TUI_TMP/config" "$TUI_TMP/config.rw"
echo "read_only = yes" >> "$TUI_TMP/config"
tui_start
tui_wait "$t"
tui_screen | head -n 1 | grep -q "\[READ-ONLY\]"; t_ok $? "read_only = yes: [READ-ONLY] in the header"
tui_keys q
cp "$TUI_TMP/config.rw" "$TUI_TMP/config"

done_testing
