#!/usr/bin/env bash
# tests/integration/lifecycle/shared.test.sh - tenants sharing one export, through the CLI
# on the real engine: three tenants whose volumes bind the SAME host directory, two of them
# dumping a database of the same name. Provision refuses the shared target without
# --shared-target (exit 5, before anything is created) and accepts it with it. Each tenant
# then keeps to its own directory there: runs of different tenants do not skip each other,
# retention of one never deletes the other's backups, files/verify/restore of one never
# see the other's dumps, and remove --delete-backups of one leaves the others' files.
# Then the old flat layout: a container started on a target with this tenant's backups in
# its root moves them into the tenant's directory (nothing lost, another tenant's and the
# operator's files left), and leaves a flat layout alone whose status names another
# tenant. Prints TAP.
# shellcheck disable=SC2010,SC2012 # ls over directories whose names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup shared

ts_days_ago() { date -u -d "-$1 days" +%Y%m%d_%H%M%S; }
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

shared=$(lc_target export) || bail_out "cannot make the shared directory"
a=${id}a b=${id}b c=${id}c
sdb=tenant_${id}same_metadata     # a and b dump a database of this one name
dbc=tenant_${c}_metadata
lc_db "$sdb" || bail_out "cannot create $sdb"
lc_db "$dbc" || bail_out "cannot create $dbc"

# --- one target, one tenant, unless --shared-target ----------------------------------------
lc_provision "$a" "$shared" --database "$sdb"
expect "provision $a on the export" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"
lc_provision "$b" "$shared" --database "$sdb"
expect "provision $b on $a's target without --shared-target: refused, exit 5" 5 \
    "^deeplens-backup: --nfs-path 'local:$shared' is already the backup target of tenant '$a': .*--shared-target"
is "$(lc_gone "$b")" "" "... nothing created: no container, no volume"
check "... and no directory of $b on the target" test ! -e "$shared/$b"
lc_provision "$b" "$shared/" --database "$sdb"
expect "the same directory written with a trailing slash is the same target" 5 "already the backup target of tenant '$a'"
lc_provision "$b" "$shared" --database "$sdb" --shared-target
expect "provision $b with --shared-target" 0 "^PostgreSQL backup configured successfully!"
lc_provision "$c" "$shared" --shared-target
expect "provision $c (another database) with --shared-target" 0 "^PostgreSQL backup configured successfully!"

is "$(lc_backups "$shared/$a" "$sdb" | wc -l) $(lc_backups "$shared/$b" "$sdb" | wc -l) $(lc_backups "$shared/$c" "$dbc" | wc -l)" \
    "1 1 1" "each tenant's first backup is in its own directory"
is "$(lc_backups "$shared" "$sdb"; lc_backups "$shared" "$dbc")" "" "no backup in the export's root"
is "$(head -n 1 "$shared/$a/.deeplens/tenant")" "tenant=$a" "the directory carries its owner's name"

# --- runs of two tenants at once: neither skips the other --------------------------------
hold "$sdb" 8
"$bin" backup-now "$a" > "$work/a.out" 2>&1 < /dev/null &
arun=$!
sleep 2
run backup-now "$c"
expect "$c backs up while $a's run is in progress on the same export" 0 "^ok Backup completed"
wait "$arun"
like "$?:$(cat "$work/a.out")" "^0:.*ok Backup completed" "... and $a's run completes too"
wait "$holder"

# --- retention: b's never touches a's ----------------------------------------------------------
# (keep-min is 3: b keeps its two new backups and the newest old one, prunes the other two)
mapfile -t a_now < <(lc_backups "$shared/$a" "$sdb")
declare -a olds
for d in 40 41 42; do
    n=${sdb}_$(ts_days_ago "$d").sql.gz
    olds+=("$n")
    for t in "$a" "$b"; do
        gzip -dc "$shared/$a/${a_now[0]}" | gzip > "$shared/$t/$n"
        (cd "$shared/$t" && sha256sum "$n" > "$n.sha256")
        touch -d '-45 days' "$shared/$t/$n" "$shared/$t/$n.sha256"
    done
done
chown -R 999:999 "$shared"
a_before=$(lc_snapshot "$shared/$a")
run backup-now "$b"
expect "backup-now $b prunes its old backups beyond keep-min" 0 "event=prune tenant=$b file=${olds[2]} "
like "$out" "event=prune tenant=$b file=${olds[1]} " "... both of them"
check "... they are gone from $b's directory" test ! -e "$shared/$b/${olds[1]}" -a ! -e "$shared/$b/${olds[2]}"
is "$(lc_snapshot "$shared/$a")" "$a_before" "... and $a's same-named old backups are all still there, unchanged"

# --- files, verify, restore see only the tenant's own dumps -------------------------------------
fa=$(lc_json files "$a" --json)
is "$(jq -r '[.files[].name] | sort | join(" ")' <<< "$fa")" "$(lc_backups "$shared/$a" "$sdb" | tr '\n' ' ' | sed 's/ $//')" \
    "files $a lists exactly the backups in $a's directory"
mapfile -t b_now < <(lc_backups "$shared/$b" "$sdb")
only_a=${olds[2]}     # pruned in b's directory, still in a's
run verify "$b" "$only_a"
expect "verify $b of a file that only $a has: fails, no such backup" 1 "result=FAILED file=$only_a reason=\"no such backup\""
run verify "$a" "$only_a"
expect "verify $a of its own file: ok" 0 "event=verify tenant=$a result=ok file=$only_a "
run restore "$b" "$only_a" --to "${sdb}_x"
is "$rc" 1 "restore $b of $a's file fails"
is "$(psql_pg postgres -Atc "select count(*) from pg_database where datname = '${sdb}_x'")" 0 \
    "... and creates no database"

# --- remove --delete-backups of one leaves the others' --------------------------------------------
a_before=$(lc_snapshot "$shared/$a")
c_before=$(lc_snapshot "$shared/$c")
# (the planted old backups have a checksum but no manifest, the job's have both)
b_files=0
for n in "${b_now[@]}"; do
    for f in "$n" "$n.sha256" "$n.manifest"; do [ -f "$shared/$b/$f" ] && b_files=$((b_files + 1)); done
done
run remove "$b" --delete-backups --yes
expect "remove $b --delete-backups exits 0" 0 "Backup of $b removed, backup files deleted"
like "$out" "Deleted $b_files backup files" "... its ${#b_now[@]} backups with their checksums and manifests ($b_files files)"
check "... $b's directory is gone" test ! -e "$shared/$b"
is "$(lc_snapshot "$shared/$a")" "$a_before" "... $a's files (same database name) are all there, unchanged"
is "$(lc_snapshot "$shared/$c")" "$c_before" "... $c's files are all there, unchanged"
run status "$a"
expect "$a is still healthy" 0 "Health: +ok"

# --- the old flat layout is moved into the tenant's directory ---------------------------------------
m=${id}m dbm=tenant_${id}m_metadata
lc_db "$dbm" || bail_out "cannot create $dbm"
flat=$(lc_target flat) || bail_out "cannot make the flat directory"
mine=("${dbm}_$(ts_days_ago 2).sql.gz" "${dbm}_$(ts_days_ago 1).sql.gz")
for n in "${mine[@]}"; do
    gzip -dc "$shared/$a/$only_a" | gzip > "$flat/$n"
    (cd "$flat" && sha256sum "$n" > "$n.sha256")
done
theirs=("tenant_other_metadata_$(ts_days_ago 1).sql.gz" "${dbm}_archive.sql.gz" notes.txt
    ".${dbm}_$(ts_days_ago 1).sql.gz.partial")
for n in "${theirs[@]}"; do echo "not mine: $n" > "$flat/$n"; done
mkdir -p "$flat/.deeplens"
printf 'version=1\ntenant=%s\ndatabase=%s\nlast_result=ok\nlast_success=%s\nlast_success_file=%s\n' "$m" "$dbm" \
    "$(date -d '-1 day' +%s)" "${mine[1]}" \
    > "$flat/.deeplens/status"
chown -R 999:999 "$flat"
sums=$(cd "$flat" && sha256sum "${mine[@]}" "${mine[@]/%/.sha256}")
others=$(cd "$flat" && sha256sum "${theirs[@]}")
lc_provision "$m" "$flat" --no-initial-backup
expect "provision $m on the flat layout" 0 "^PostgreSQL backup configured successfully!"
for _ in $(seq 1 50); do
    "$docker" logs "deeplens-backup-$m" 2>&1 | grep -q 'event=migrate' && break
    sleep 0.2
done
like "$("$docker" logs "deeplens-backup-$m" 2>&1)" \
    "event=migrate tenant=$m result=ok count=4 left=0 from=/backups to=/backups/$m" \
    "the start logs the migration with its count"
is "$(cd "$flat/$m" 2> /dev/null && sha256sum "${mine[@]}" "${mine[@]/%/.sha256}")" "$sums" \
    "both backups and their checksums are in $m's directory, byte for byte"
is "$(lc_backups "$flat" "$dbm")" "" "... and no longer in the root"
is "$(cd "$flat" && sha256sum "${theirs[@]}")" "$others" "another tenant's, the operator's files and the temporary stay in the root"
is "$(lc_json files "$m" --json | jq -r '[.files[].name] | sort | join(" ")')" "${mine[*]}" \
    "files $m lists the moved backups"
run verify "$m" "${mine[0]}"
expect "verify $m of a moved backup: ok" 0 "result=ok file=${mine[0]} .*checksum=sha256"
st=$(lc_json status "$m" --json)
is "$(jq -r '.[0].last_success.file' <<< "$st")" "${mine[1]}" "the flat layout's status came along"

# --- a flat layout whose status names another tenant is left alone ----------------------------------
n=${id}n dbn=tenant_${id}n_metadata
lc_db "$dbn" || bail_out "cannot create $dbn"
amb=$(lc_target amb) || bail_out "cannot make the ambiguous directory"
hers=("${dbn}_$(ts_days_ago 1).sql.gz")
gzip -dc "$shared/$a/$only_a" | gzip > "$amb/${hers[0]}"
mkdir -p "$amb/.deeplens"
printf 'version=1\ntenant=someone-else\ndatabase=%s\n' "$dbn" > "$amb/.deeplens/status"
chown -R 999:999 "$amb"
before=$(cd "$amb" && sha256sum "${hers[0]}" .deeplens/status)
lc_provision "$n" "$amb" --no-initial-backup
expect "provision $n on a flat layout of another tenant" 0 "^PostgreSQL backup configured successfully!"
for _ in $(seq 1 50); do
    "$docker" logs "deeplens-backup-$n" 2>&1 | grep -q 'event=migrate' && break
    sleep 0.2
done
like "$("$docker" logs "deeplens-backup-$n" 2>&1)" \
    "event=migrate tenant=$n result=skipped count=0 left=1 reason=\"the old layout in /backups belongs to tenant someone-else" \
    "the start says why it moved nothing"
is "$(cd "$amb" && sha256sum "${hers[0]}" .deeplens/status)" "$before" "the file and the flat status stay where they were"
is "$(lc_backups "$amb/$n" "$dbn")" "" "nothing in $n's directory"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
