#!/usr/bin/env bash
# engines_ro.test.sh - a read-only engine in the console over two engines: the
# shared test engine (writable) and eng2 of tests/env/engines.sh (started when
# missing), eng2 read-only by `read-only` on its engine line, then by
# --read-only-engine. The header says "eng2 ro", eng2's rows say "eng2 ro"; while
# eng2's tenant is selected its change keys are gone from the key bar and the help
# screen and do nothing, the provision form's Engine field refuses eng2 inline and a
# provision of eng2's tenant on the other engine is a conflict, and nothing changes on eng2 (container, labels, no
# audit record); the test engine's tenant keeps every key and its backup runs.
# Global read-only stays as it was (readonly.test.sh).
. "$(dirname "$0")/lib.sh"
tui_setup
timeout 300 "$TUI_TOP/tests/env/engines.sh" > "$TUI_TMP/engines.log" 2>&1 ||
    bail_out "tests/env/engines.sh failed: $(tail -n 5 "$TUI_TMP/engines.log")"

E2=unix:///run/deeplens-eng2/docker.sock
t1=$(tui_name r1) t2=$(tui_name r2)
audit=$TUI_TMP/audit.jsonl   # audit_file of lib.sh's config
d2() { docker -H "$E2" "$@"; }

eng2_cleanup() {
    d2 rm -f -v "deeplens-backup-$t2" > /dev/null 2>&1
    d2 volume rm -f "tenant_${t2}_pgbackup" > /dev/null 2>&1
    d2 exec deeplens-postgres psql -q -U deeplens -d postgres \
        -c "drop database if exists tenant_${t2}_metadata with (force)" > /dev/null 2>&1
}
trap 'eng2_cleanup; tui_cleanup' EXIT

tui_tenant "$t1" --no-initial-backup; t_ok $? "provisioned $t1 on the test engine"
d2 exec deeplens-postgres psql -q -U deeplens -d postgres -c "create database tenant_${t2}_metadata" > /dev/null 2>&1
d2 exec deeplens-postgres psql -q -U deeplens -d "tenant_${t2}_metadata" \
    -c "create table t (id int); insert into t values (1)" > /dev/null 2>&1
mkdir -p "$TUI_TMP/target/$t2" && chmod 777 "$TUI_TMP/target/$t2"
timeout 120 "$TUI_BIN" --config "$TUI_TMP/config" -H "$E2" provision "$t2" \
    --nfs-path "local:$TUI_TMP/target/$t2" --password-file "$TUI_PW_FILE" --postgres-host deeplens-postgres \
    > "$TUI_TMP/provision-$t2.log" 2>&1
t_ok $? "provisioned $t2 on eng2 (its first backup from eng2's postgres)"

# what a change on eng2 could touch
eng2_state() {
    d2 inspect -f '{{.Id}} {{.State.StartedAt}} {{.RestartCount}} {{json .Config.Labels}}' "deeplens-backup-$t2"
    d2 ps -a --filter "name=$t2" --format '{{.Names}} {{.State}}'
    find "$TUI_TMP/target/$t2" -type f | sort
}
s2=$(eng2_state)
[[ $s2 == *io.deeplens* ]]; t_ok $? "eng2's state recorded ($t2's container and labels)"

cp "$TUI_TMP/config" "$TUI_TMP/ro.conf"
cat >> "$TUI_TMP/ro.conf" << EOF
engine test host $DOCKER_HOST
engine eng2 host $E2 read-only
EOF
footer() { tui_screen | grep -E '\? Help' | tail -n 1; }

TUI_COLS=160 TUI_ROWS=60 tui_start -- --config "$TUI_TMP/ro.conf"
tui_wait "$t2" 15; t_ok $? "the list shows eng2's tenant"
tui_filter "tui$$"
tui_wait "$t1" 5; t_ok $? "and the test engine's"
tui_wait "eng2 ro ok" 10; t_ok $? "the header says eng2 is read-only"
tui_screen | head -n 1 | grep -q "test ok eng2 ro ok"; t_ok $? "... and test writable"
! tui_screen | head -n 1 | grep -q "READ-ONLY"; t_ok $? "no [READ-ONLY]: the console is not read-only"
tui_screen | grep -Eq "$t2 +eng2 ro "; t_ok $? "$t2's row says eng2 ro"
tui_screen | grep -Eq "$t1 +test "; t_ok $? "$t1's row says test"

# eng2's tenant selected: no change keys
tui_keys / Escape   # clears the filter
tui_wait "$t1" 5
tui_filter "$t2"
tui_wait_gone "$t1" 5; t_ok $? "filtered to $t2"
f=$(footer)
for label in Backup Restart Resched Remove Drill; do
    [[ $f != *" $label "* ]]; t_ok $? "no '$label' in the key bar on $t2's row"
done
[[ $f == *"Open"* && $f == *"A Audit"* && $f == *"n New"* ]]; t_ok $? "reads and New (a new tenant) stay"
for k in b r R D d; do
    tui_keys "$k"
    tui_wait "key $k does nothing here" 3; t_ok $? "$k does nothing on $t2's row"
done
sleep 1
! tui_screen | grep -Eq "Backing up|Restarting|Reschedule '|Remove the backup|Drill"; t_ok $? "... no form and no progress opened"
tui_keys '?'
tui_wait "Help: keys" 5; t_ok $? "the help screen opens"
help=$(tui_screen)
for act in backup-now restart reschedule remove drill restore; do
    ! grep -Eq "^   [^ ].{18}$act " <<< "$help"; t_ok $? "the help does not list $act on $t2"
done
grep -Eq "^   n {18}provision " <<< "$help"; t_ok $? "the help lists n provision"
tui_keys Escape
tui_wait "TENANT" 5
tui_keys f
tui_wait "TIME (UTC)" 5; t_ok $? "$t2's Files tab opens (a read on eng2)"
tui_wait "sorted by time" 10
tui_screen | grep -q "tenant_${t2}_metadata_"; t_ok $? "it lists $t2's backup read from eng2"
footer | grep -q "Restore"; [ $? != 0 ]; t_ok $? "no Restore in the Files tab's key bar"
tui_keys Enter
tui_wait "key Enter does nothing here" 3; t_ok $? "Enter on a file does not open the restore form"
tui_keys Escape
tui_wait "TENANT" 5

# the provision form: eng2 is not prefilled, and choosing it is refused inline, naming it
# and how it was made read-only; a provision of eng2's tenant elsewhere is a conflict
tui_keys n
tui_wait "Provision a tenant backup" 5; t_ok $? "n opens the provision form"
tui_screen | grep -Eq " Engine +test "; t_ok $? "its Engine field has the writable engine, not eng2"
tui_keys BTab C-u
tui_type "eng2"
tui_keys Tab
tui_wait "engine 'eng2' is read-only (read-only on its engine line in the config)" 5
t_ok $? "choosing eng2 is refused inline, naming it and how it was made read-only"
tui_type "$t2"
tui_keys Tab Tab
tui_type "local:$TUI_TMP/target/$t2"
tui_keys F2
sleep 0.5
! tui_screen | grep -q "y/Enter"; t_ok $? "... and the form does not submit"
tui_keys C-u   # the refused submit put the cursor on the Engine field
tui_type "test"
tui_keys F2
tui_wait "y/Enter" 5; t_ok $? "on the test engine the summary asks to confirm"
tui_keys y
tui_wait "tenant '$t2' is on engine 'eng2': a second one on 'test' would be a conflict" 10
t_ok $? "eng2's tenant on the test engine is refused as a conflict"
! tui_screen | grep -q "Provisioning"; t_ok $? "... no job started"
[ "$(eng2_state)" = "$s2" ]; t_ok $? "nothing changed on eng2"
! docker inspect "deeplens-backup-$t2" > /dev/null 2>&1; t_ok $? "nothing made on the test engine"

# the test engine's tenant keeps every key
tui_keys / Escape   # clears the filter
tui_filter "$t1"
tui_wait_gone "$t2" 5; t_ok $? "filtered to $t1"
f=$(footer)
for label in Backup Restart Resched Remove Drill; do
    [[ $f == *" $label "* ]]; t_ok $? "'$label' in the key bar on $t1's row"
done
tui_keys b
tui_wait "press Enter to close" 90; t_ok $? "b on $t1's row: its backup runs on the test engine"
tui_keys Enter
tui_keys q
is "$(tui_exit_code)" "0" "q quits"
! grep -q "\"source\":\"console\".*\"tenant\":\"$t2\"" "$audit"
t_ok $? "no console record for $t2"
grep -q "\"source\":\"console\".*\"action\":\"backup-now\",\"tenant\":\"$t1\"" "$audit"; t_ok $? "$t1's backup-now is recorded"

# --read-only-engine eng2 over a config where eng2 is writable: the same
cp "$TUI_TMP/config" "$TUI_TMP/rw.conf"
cat >> "$TUI_TMP/rw.conf" << EOF
engine test host $DOCKER_HOST
engine eng2 host $E2
EOF
tui_start -- --config "$TUI_TMP/rw.conf" --read-only-engine eng2
tui_wait "eng2 ro ok" 15; t_ok $? "--read-only-engine eng2: the header says eng2 ro"
tui_wait "$t1" 5
tui_filter "$t2"
tui_wait_gone "$t1" 5
f=$(footer)
[[ $f != *" Backup "* && $f != *" Remove "* ]]; t_ok $? "... no change keys on $t2's row"
tui_keys q
tui_exit_code > /dev/null
# every engine read-only: provision (a new tenant, on some writable engine) goes too
tui_start -- --config "$TUI_TMP/rw.conf" --read-only-engine eng2 --read-only-engine test
tui_wait "test ro ok eng2 ro ok" 15; t_ok $? "both engines read-only: the header says both"
tui_wait "$t1" 5
f=$(footer)
[[ -n $f && $f != *" New "* ]]; t_ok $? "... no New (provision) in the key bar"
tui_keys n
sleep 0.5
! tui_screen | grep -q "Provision a tenant backup"; t_ok $? "... and n opens no form"
tui_keys q
tui_exit_code > /dev/null
tui_start -- --config "$TUI_TMP/rw.conf"
tui_wait "eng2 ok" 15
tui_screen | head -n 1 | grep -q "eng2 ro"; [ $? != 0 ]; t_ok $? "without it eng2 is writable"
tui_wait "$t1" 5
tui_filter "$t2"
tui_wait_gone "$t1" 5
footer | grep -q " Backup "; t_ok $? "... and $t2's row has Backup"
tui_keys q
tui_exit_code > /dev/null
[ "$(eng2_state)" = "$s2" ]; t_ok $? "eng2 unchanged at the end"
done_testing
