#!/usr/bin/env bash
# tests/integration/lifecycle/failures.test.sh - failed runs through the CLI, with
# a tenant whose database role is not a superuser: backup-now when pg_dump gets
# "permission denied" (a table of another role) and when the role's password has
# changed exits 1 with the job's reason, status and metrics say failing, no new
# or partial file appears and the older backups keep their checksums; the next
# good run clears it. A restore whose SQL fails stops at the first error and
# leaves the target database as it was (absent, or unchanged with --force) and
# no scratch database behind. Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup f

t=$id
db=tenant_${t}_metadata
role=${id}r
dir=$(lc_target target) || bail_out "cannot make the target directory"
lc_role "$role" || bail_out "cannot create role $role"
lc_db "$db" "$role" || bail_out "cannot create $db"
lc_user=$role lc_pw=$work/$role.pw

lc_provision "$t" "$dir"
expect "provision with a non-superuser role" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
f0=${files[0]:-none}
before=$(lc_snapshot "$dir/$t")
like "$before" "$f0.sha256" "the initial backup and its sidecar are there"
# metric NAME [LABELS]: the tenant's value in the last `metrics` output ($metrics)
metric() { printf '%s\n' "$metrics" | awk -v k="$1{tenant=\"$t\"${2:-}}" '$1 == k { print $2 }'; }
metrics=$(lc_json metrics)
success0=$(metric tenant_backup_last_success_timestamp)

# failed_run NAME REASON_ERE: backup-now fails for the reason, and nothing on the target changes
failed_run() {
    run backup-now "$t"
    expect "$1: backup-now exits 1" 1 "^deeplens-backup: backup failed: .*$2"
    has_line "$out" "^    ts=[0-9TZ:-]+ event=backup tenant=$t result=FAILED reason=\".*$2" \
        "$1: the job's FAILED line is shown"
    is "$(lc_snapshot "$dir/$t")" "$before" "$1: no new file, no partial, older backups unchanged"
    run status "$t"
    expect "$1: status exits 6 and says failing" 6 "Health: +failing.*$2"
    st=$(lc_json status "$t" --json)
    is "$(jq -r '.[0] | [.health, .last_run.result, .last_success.file] | join(" ")' <<< "$st")" \
        "failing FAILED $f0" "$1: status --json: failing, the last good backup is still the first"
    like "$(jq -r '.[0].last_run.reason' <<< "$st")" "$2" "$1: status --json: the reason"
}

# --- pg_dump: permission denied -------------------------------------------------------------
psql_pg "$db" -c "create table secret (x int); insert into secret values (1)" > /dev/null
failed_run "permission denied" 'permission denied for table secret'
metrics=$(lc_json metrics)
is "$(metric tenant_backup_last_run_success) $(metric tenant_backup_health ',health="failing"')" "0 1" \
    "metrics: the last run failed, health failing"
is "$(metric tenant_backup_last_success_timestamp)" "$success0" "metrics: the last good backup's time is kept"
psql_pg "$db" -c "drop table secret" > /dev/null

# --- the role's password changed ----------------------------------------------------------------
psql_pg postgres -c "alter role \"$role\" password 'not-the-stored-one'" > /dev/null
failed_run "wrong password" "password authentication failed for user .*$role"
psql_pg postgres -c "alter role \"$role\" password '$(cat "$lc_pw")'" > /dev/null

# --- the next good run ----------------------------------------------------------------------------
run backup-now "$t"
expect "a good backup-now after the failures exits 0" 0 "^ok Backup completed"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 2 "one new backup"
missing=$(grep -Fxv -f <(lc_snapshot "$dir/$t") <<< "$before")
is "$missing" "" "the first backup and its sidecar are unchanged"
is "$(lc_json status "$t" --json | jq -r '.[0].health')" ok "health is ok again"

# --- a restore that fails --------------------------------------------------------------------------
# Well-formed as far as verify can see (gzip, trailer, checksum), but its SQL fails
# half-way: psql must stop at the first error, inside one transaction.
bad=${db}_$(date -u -d '-2 days' +%Y%m%d_%H%M%S).sql.gz
printf '%s\n' 'CREATE TABLE half_restored (x int);' 'INSERT INTO half_restored VALUES (1);' \
    'SELECT 1/0;' 'CREATE TABLE after_the_error (x int);' '' '-- PostgreSQL database dump complete' |
    gzip > "$dir/$t/$bad"
(cd "$dir/$t" && sha256sum "$bad" > "$bad.sha256")
chown 999:999 "$dir/$t/$bad" "$dir/$t/$bad.sha256"
run verify "$t" "$bad"
expect "verify passes the well-formed bad file" 0 "result=ok file=$bad"
scratch() {
    psql_pg postgres -Atc "select count(*) from pg_database where datname like 'dl\\_restore\\_%' and datdba = '\"$role\"'::regrole"
}

run restore "$t" "$bad" --to "${db}_new"
expect "a failing restore into a new database exits 1 with psql's error" 1 \
    "^deeplens-backup: restore failed: .*division by zero.*; database ${db}_new not created"
is "$(psql_pg postgres -Atc "select count(*) from pg_database where datname = '${db}_new'")" 0 \
    "... the database does not exist afterwards"
is "$(scratch)" 0 "... and no scratch database is left"

run restore "$t" "$f0" --to "${db}_old"
expect "a good restore into another database" 0 "Restored $f0 into ${db}_old"
good=$(lc_fingerprint "${db}_old")
is "$good" "$(lc_fingerprint "$db")" "... identical to the tenant database"
run restore "$t" "$bad" --to "${db}_old" --force
expect "a failing restore --force exits 1" 1 "division by zero.*; database ${db}_old left as it was"
is "$(lc_fingerprint "${db}_old")" "$good" "... and the existing database is unchanged"
is "$(psql_pg "${db}_old" -Atc "select count(*) from pg_class where relname in ('half_restored', 'after_the_error')")" 0 \
    "... with nothing of the failed file in it"
is "$(scratch)" 0 "... and no scratch database is left"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
