#!/usr/bin/env bash
# actions.test.sh - Backup now, restart and verify from the console, with a
# visible progress and result; the Files tab shows the fresh backup; a
# provision without a password file asks for it in a masked prompt.
. "$(dirname "$0")/lib.sh"
tui_setup

t=$(tui_name x)
tui_tenant "$t"; t_ok $? "provisioned $t"
count_files() { tui_screen | grep -c "tenant_${t}_metadata_.*sql.gz" || true; }

tui_start
tui_wait "$t"
tui_filter "$t"
tui_keys f
tui_wait "TIME (UTC)"; t_ok $? "f opens the Files tab"
tui_wait "sorted by time" 10; t_ok $? "the listing from the container arrives"
before=$(count_files)
[ "$before" -ge 1 ]; t_ok $? "the initial backup is listed ($before)"
tui_screen | grep -q "Storage .*estimate"; t_ok $? "the storage line compares with the estimate"

sleep 1   # backup file names carry the second
tui_keys b
tui_wait "Backing up" 5; t_ok $? "b shows the backup's progress"
tui_wait "press Enter to close" 60; t_ok $? "the backup finishes"
tui_screen | grep -q "result=ok"; t_ok $? "the job's own output line is shown"
tui_keys Enter
for _ in $(seq 100); do [ "$(count_files)" -gt "$before" ] && break; sleep 0.1; done
after=$(count_files)
[ "$after" -gt "$before" ]; t_ok $? "the Files tab shows the fresh backup ($before -> $after)"

tui_keys v
tui_wait "Verifying" 5; t_ok $? "v verifies the selected file"
tui_wait "press Enter to close" 60; t_ok $? "the verification finishes"
tui_screen | grep -q "done"; t_ok $? "and reports success"
tui_keys Enter

# restore the selected file into a new database
tui_keys Enter
tui_wait "Restore a backup of '$t'" 5; t_ok $? "Enter on a file opens the restore form"
tui_wait "tenant_${t}_metadata_restore" 5; t_ok $? "it proposes a new database"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "press Enter to close" 90; t_ok $? "the restore finishes"
tui_screen | grep -q "done"; t_ok $? "and reports success"
tui_keys Enter
n=$(dk exec "$TUI_PG" psql -tA -U deeplens -d "tenant_${t}_metadata_restore" \
    -c "select count(*) from information_schema.tables where table_schema = 'public'" 2>/dev/null)
[ -n "$n" ]; t_ok $? "the restored database exists ($n tables)"
dk exec "$TUI_PG" psql -q -U deeplens -d postgres \
    -c "drop database if exists tenant_${t}_metadata_restore" >/dev/null 2>&1

tui_keys r
tui_wait "Restarting" 5; t_ok $? "r restarts the container with progress"
tui_wait "press Enter to close" 60; t_ok $? "the restart finishes"
tui_keys Enter
tui_keys q
tui_wait "TENANT"; t_ok $? "q goes back to the list"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"

# provision without any password source: the masked prompt
p=$(tui_name p)
tui_db "$p"
mkdir -p "$TUI_TMP/target/$p" && chmod 777 "$TUI_TMP/target/$p"
TUI_TENANTS+=("$p")
sed -i '/postgres_password_file/d' "$TUI_TMP/config"
tui_start DEEPLENS_PG_PASSWORD= PGPASSWORD=
tui_wait "TENANT"
tui_keys n
tui_wait "Provision a tenant backup"
tui_type "$p"
tui_keys Tab Tab
tui_type "local:$TUI_TMP/target/$p"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "Database password" 5; t_ok $? "with no password source the console asks for it"
tui_type "$(cat "$TUI_PW_FILE")"
tui_wait "************" 5; t_ok $? "the password is masked"
tui_screen | grep -qF "$(cat "$TUI_PW_FILE")"; [ $? != 0 ]; t_ok $? "the password itself never shows"
tui_keys Enter
tui_wait "press Enter to close" 90; t_ok $? "the provision with the typed password finishes"
tui_screen | grep -q "$p: done"; t_ok $? "successfully"
tui_keys Enter Q
done_testing
