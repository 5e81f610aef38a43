#!/usr/bin/env bash
# tests/integration/lifecycle/workflow.test.sh - the document's complete Vayyari
# workflow through the CLI on the real engine and PostgreSQL: a tenant database
# with real data -> provision (with its initial backup) -> the file and its
# checksum on the target -> status, status/files/list --json -> verify ->
# restore into a new database with identical content (rows and an md5 of every
# table's rows, sequences, a view) -> a second restore into the same or any
# existing database is refused without --force (exit 5), --force replaces it ->
# backup-now streams its output while pg_dump waits -> metrics. Prints TAP.
# shellcheck disable=SC2010,SC2012 # ls over directories whose names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup w

t=$id
db=tenant_${t}_metadata
dir=$(lc_target target) || bail_out "cannot make the target directory"

lc_db "$db" || bail_out "cannot create $db"
src=$(lc_fingerprint "$db")
like "$src" $'crm.customers 2000 [0-9a-f]{32}\nempty_table 0 [0-9a-f]{32}\nimages 3000 [0-9a-f]{32}' \
    "the tenant database has the sample tables and rows"

# --- provision, with the initial backup --------------------------------------------------
t0=$(date -u +%s)
lc_provision "$t" "$dir" --schedule '0 2 * * *' --retention 30
t1=$(date -u +%s)
expect "provision exits 0 and reports success" 0 "^PostgreSQL backup configured successfully!"
for want in "Creating local volume: tenant_${t}_pgbackup" "Creating backup container: deeplens-backup-$t" \
    "Running initial backup" "event=backup tenant=$t result=ok" "Schedule: 0 2 \\* \\* \\*" \
    "Retention: 30 days"; do
    like "$out" "$want" "provision output: $want"
done
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"

mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 1 "one backup file on the target after provision"
f0=${files[0]:-none}
ts=${f0#"${db}"_}
ts=${ts%.sql.gz}
e=$(date -u -d "${ts:0:8} ${ts:9:2}:${ts:11:2}:${ts:13:2}" +%s 2> /dev/null || echo 0)
if [ "$e" -ge $((t0 - 1)) ] && [ "$e" -le $((t1 + 1)) ]; then
    ok "its name is <database>_YYYYMMDD_HHMMSS.sql.gz in UTC ($f0)"
else
    not_ok "its name is <database>_YYYYMMDD_HHMMSS.sql.gz in UTC" "$f0, provision ran $t0..$t1"
fi
check "the checksum sidecar matches (sha256sum -c)" sh -c "cd '$dir/$t' && sha256sum -c --status '$f0.sha256'"
check "gzip -t passes" gzip -t "$dir/$t/$f0"
like "$(gzip -dc "$dir/$t/$f0" | tail -n 5)" '-- PostgreSQL database dump complete' "the dump is complete"
is "$(stat -c %u:%g "$dir/$t/$f0")" 999:999 "the file belongs to the backup uid"
is "$(ls -A "$dir/$t" | grep -v '^\.deeplens$' | sort | tr '\n' ' ')" "$f0 $f0.manifest $f0.sha256 " \
    "nothing else on the target but the sidecars (no partial, no probe)"
size0=$(stat -c %s "$dir/$t/$f0")

# --- what the operator sees --------------------------------------------------------------
run status "$t"
expect "status exits 0 for a healthy tenant" 0 "Health: +ok"
like "$out" "Last Backup: +$f0, " "status names the last backup"
like "$out" "Backup Files: +1," "status counts one file"

st=$(lc_json status "$t" --json)
is "$(jq -r 'length' <<< "$st")" 1 "status --json: one tenant"
is "$(jq -r '.[0] | [.tenant, .container, .volume, .database, .nfs_path, .state] | join(" ")' <<< "$st")" \
    "$t deeplens-backup-$t tenant_${t}_pgbackup $db local:$dir running" "status --json: names and state"
is "$(jq -r '.[0] | [.schedule, .retention_days, .compression, .uid, .gid] | join(" ")' <<< "$st")" \
    "0 2 * * * 30 true 999 999" "status --json: schedule, retention, compression, owner"
is "$(jq -r '.[0] | [.health, .last_run.result, .last_success.file, .last_success.size_bytes, .file_count] | join(" ")' <<< "$st")" \
    "ok ok $f0 $size0 1" "status --json: health ok, the last good backup is the file"
like "$(jq -r '.[0].db_size_bytes' <<< "$st")" '^[1-9][0-9]+$' "status --json: database size known"

fj=$(lc_json files "$t" --json)
is "$(jq -r '[.count, .files[0].name, .files[0].size_bytes, .files[0].checksum] | join(" ")' <<< "$fj")" \
    "1 $f0 $size0 true" "files --json: the file, its size and its checksum"

lj=$(lc_json list --json)
row=$(jq -c --arg t "$t" '[.[] | select(.tenant == $t)]' <<< "$lj")
is "$(jq -r '[length, .[0].container, .[0].state, .[0].schedule, .[0].database] | join(" ")' <<< "$row" 2> /dev/null)" \
    "1 deeplens-backup-$t running 0 2 * * * $db" "list --json: the tenant, once, running"
# list costs one engine request: its health is the engine's probe, which first
# runs two minutes after the start - before that it can only say unknown
health=$(jq -r '.[0] | .health + " " + .engine_health' <<< "$row")
like "$health" '^(ok (healthy|starting)|unknown starting)$' "list --json: health ok, or unknown while the engine's first probe is pending"

# --- verify, restore --------------------------------------------------------------------------
run verify "$t"
expect "verify exits 0" 0 "event=verify tenant=$t result=ok file=$f0 .*checksum=sha256"
like "$out" "Backup verified" "verify says what it checked"

rdb=${db}_copy
run restore "$t" "$f0" --to "$rdb"
expect "restore into a new database exits 0" 0 "Restored $f0 into $rdb"
is "$(lc_fingerprint "$rdb")" "$src" "the restored database is identical: rows and content of every table, sequences, view"

run restore "$t" "$f0" --to "$rdb"
expect "a second restore into the same database without --force is refused, exit 5" 5 \
    "^deeplens-backup: restore refused: database '$rdb' already exists \\(3 tables\\)"
like "$out" "--force drops '$rdb' and replaces it" "... the message says what --force does"
psql_pg "$rdb" -c "delete from images where id > 10; update crm.customers set name = 'changed'" > /dev/null
changed=$(lc_fingerprint "$rdb")
isnt "$changed" "$src" "the copy is changed by hand"
run restore "$t" "$f0" --to "$rdb"
is "$rc:$(lc_fingerprint "$rdb")" "5:$changed" "... a refused restore does not touch it"
run restore "$t" "$f0" --to "$rdb" --force
expect "restore --force into it exits 0" 0 "Restored $f0 into $rdb"
is "$(lc_fingerprint "$rdb")" "$src" "... and it is the backup again"

psql_pg postgres -c "create database \"${db}_empty\"" > /dev/null
run restore "$t" "$f0" --to "${db}_empty"
expect "an existing empty database is refused too" 5 "database '${db}_empty' already exists \\(no tables\\)"
is "$(psql_pg "${db}_empty" -Atc "select count(*) from pg_class where relnamespace = 'public'::regnamespace")" 0 \
    "... and nothing was written into it"

run restore "$t" "$f0" --to "$db"
expect "restoring over the live database without --force is refused" 5 "'$db' is the live database of tenant '$t'"
is "$(lc_fingerprint "$db")" "$src" "... and the live database is untouched"

run restore "$t" "$f0"
expect "restore without --to goes to <database>_restore" 0 "Restored $f0 into ${db}_restore"
is "$(lc_fingerprint "${db}_restore")" "$src" "... identical too"

# --- backup-now, while pg_dump waits for a lock ------------------------------------------------
# Another session holds a table for 6 s (a slow engine takes one or two of them
# to see the lock granted and start the CLI): the CLI's first line must arrive while
# the job is still waiting (output streamed, not collected at the end).
psql_pg "$db" -c "begin; lock table crm.customers in access exclusive mode; select pg_sleep(6); commit" \
    > /dev/null 2>&1 &
locker=$!
for _ in $(seq 1 50); do
    [ "$(psql_pg "$db" -Atc "select count(*) from pg_locks where relation = 'crm.customers'::regclass and mode = 'AccessExclusiveLock' and granted")" = 1 ] && break
    sleep 0.1
done
"$bin" backup-now "$t" 2>&1 < /dev/null | while IFS= read -r line; do
    printf '%s %s\n' "$(date +%s%N)" "$line"
done > "$work/now.out"
rc=${PIPESTATUS[0]}
wait "$locker"
out=$(cut -d' ' -f2- "$work/now.out")
expect "backup-now exits 0" 0 "^ok Backup completed"
like "$out" "Running backup of $t" "backup-now says what it runs"
has_line "$out" "^    ts=[0-9TZ:-]+ event=backup tenant=$t result=ok file=${db}_[0-9]{8}_[0-9]{6}\\.sql\\.gz size=[0-9]+" \
    "backup-now shows the job's result line"
first=$(head -n 1 "$work/now.out" | cut -d' ' -f1)
result=$(grep -m1 'event=backup' "$work/now.out" | cut -d' ' -f1)
gap=$(((${result:-0} - ${first:-0}) / 1000000))
if [ "$gap" -ge 1500 ]; then
    ok "backup-now streams: its first line came ${gap} ms before the job's result"
else
    not_ok "backup-now streams" "first line only ${gap} ms before the result:" "$(cat "$work/now.out")"
fi

mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 2 "two backups now"
f1=${files[1]:-none}
isnt "$f1" "$f0" "the new one has a name of its own"
check "the first backup is unchanged" sh -c "cd '$dir/$t' && sha256sum -c --status '$f0.sha256' && test \$(stat -c %s '$f0') = $size0"
check "the new backup's sidecar matches" sh -c "cd '$dir/$t' && sha256sum -c --status '$f1.sha256'"
size1=$(stat -c %s "$dir/$t/$f1")

# --- metrics ------------------------------------------------------------------------------------
t2=$(date -u +%s)
run metrics
is "$rc" 0 "metrics exits 0"
bad=$(printf '%s\n' "$out" | awk '
    /^# HELP [a-z_]+ / { help[$3] = 1; next }
    /^# TYPE [a-z_]+ (gauge|counter)$/ { type[$3] = 1; next }
    /^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$/ {
        name = $1; sub(/\{.*/, "", name)
        if (!help[name] || !type[name]) print "undeclared: " $0
        next }
    { print "malformed: " $0 }')
is "$bad" "" "metrics: Prometheus text format, every series declared by HELP and TYPE"
metric() { printf '%s\n' "$out" | awk -v k="$1{tenant=\"$t\"${2:-}}" '$1 == k { print $2 }'; }
last=$(metric tenant_backup_last_success_timestamp)
if [ "${last:-0}" -ge "$t1" ] && [ "${last:-0}" -le "$t2" ]; then
    ok "metrics: last success time is the backup-now run ($last)"
else
    not_ok "metrics: last success time is the backup-now run" "got '$last', want $t1..$t2"
fi
is "$(metric tenant_backup_size_bytes)" "$size1" "metrics: size of the newest backup"
is "$(metric tenant_backup_count_total)" 2 "metrics: two files"
is "$(metric tenant_backup_stored_bytes)" $((size0 + size1)) "metrics: bytes stored"
is "$(metric tenant_backup_last_run_success)" 1 "metrics: last run succeeded"
dur=$(metric tenant_backup_duration_seconds)
like "$dur" '^([1-9][0-9]*)(\.[0-9]+)?$' "metrics: the duration counts the wait for the lock ($dur s)"
like "$(metric tenant_backup_target_free_bytes)" '^[1-9][0-9]*$' "metrics: free space on the target"
today=$(date -u -d "$(date -u +%F) 02:00" +%s)
next=$today
[ "$next" -gt "$t2" ] || next=$((today + 86400))
is "$(metric tenant_backup_next_run_timestamp)" "$next" "metrics: the next run is the next 02:00 UTC"
is "$(metric tenant_backup_health ',health="ok"') $(metric tenant_backup_health ',health="failing"')" "1 0" \
    "metrics: health ok"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
