#!/usr/bin/env bash
# tests/integration/lifecycle/rollback.test.sh - provision is all or nothing on the
# real engine: a preflight that fails after the volume was created (target not
# writable by UID 999, wrong password, database missing, image not on the engine)
# and a failure after the container exists (the initial backup: pg_dump gets
# permission denied) each exit with the documented status, name the cause in
# operator words, and leave no container (preflight ones included) and no volume.
# `provision --replace` that fails keeps the old container, same id, running and
# still able to back up. Prints TAP.
# shellcheck disable=SC2010,SC2012 # ls over directories whose names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup r

role=${id}r
lc_role "$role" || bail_out "cannot create role $role"
lc_user=$role lc_pw=$work/$role.pw
echo "not-the-password" > "$work/wrong.pw"

# nothing_left NAME TENANT DIR: no container or volume of TENANT, no file on DIR that
# looks like a backup or a temporary of one
nothing_left() {
    is "$(lc_gone "$2")" "" "$1: no container and no volume left"
    is "$(find "$3" -mindepth 1 -printf '%P\n' | grep -E 'sql|partial|preflight' | tr '\n' ' ')" "" \
        "$1: no backup or temporary on the target, in no tenant's directory"
}

# --- the target is not writable for UID 999 ----------------------------------------------------
t=${id}a
lc_db "tenant_${t}_metadata" "$role" || bail_out "cannot create a database"
ro=$work/ro
mkdir -p "$ro" && chmod 0755 "$ro"        # root's
lc_provision "$t" "$ro"
expect "target not writable: exit 1 naming the uid" 1 \
    "^deeplens-backup: target /backups is not writable by uid 999:999 .* - on the host: chown -R 999:999 $ro\$"
like "$out" "Removing volume tenant_${t}_pgbackup" "target not writable: the volume is rolled back"
nothing_left "target not writable" "$t" "$ro"

# --- wrong password -----------------------------------------------------------------------------
dir=$(lc_target b)
lc_pw=$work/wrong.pw lc_provision "$t" "$dir"
expect "wrong password: exit 1 naming the user" 1 \
    "^deeplens-backup: password authentication failed for user $role on $pg - check the password file"
nothing_left "wrong password" "$t" "$dir"

# --- the database does not exist -------------------------------------------------------------------
t2=${id}c
lc_provision "$t2" "$dir"
expect "database missing: exit 1 naming it" 1 \
    "^deeplens-backup: database tenant_${t2}_metadata does not exist on $pg - create the tenant database first"
nothing_left "database missing" "$t2" "$dir"

# --- the image is not on the engine --------------------------------------------------------------
lc_provision "$t" "$dir" --image "dltest/${id}-none:1"
expect "image missing: exit 4 naming it" 4 "^deeplens-backup: image 'dltest/${id}-none:1' is not on the engine"
nothing_left "image missing" "$t" "$dir"

# --- the network does not exist: refused before anything is made ---------------------------------
lc_provision "$t" "$dir" --network "${id}-nonet"
expect "network missing: exit 4 naming it" 4 "network '${id}-nonet' not found"
nothing_left "network missing" "$t" "$dir"

# --- the initial backup fails: the container existed -------------------------------------------------
psql_pg "tenant_${t}_metadata" -c "create table secret (x int)" > /dev/null
lc_provision "$t" "$dir"
expect "initial backup fails: exit 1 with pg_dump's reason" 1 \
    "^deeplens-backup: backup failed: pg_dump: error: .*permission denied for table secret"
like "$out" "Container started" "initial backup fails: the container had been started"
like "$out" "Removing container deeplens-backup-$t" "initial backup fails: the container is rolled back"
nothing_left "initial backup fails" "$t" "$dir"
psql_pg "tenant_${t}_metadata" -c "drop table secret" > /dev/null

# --- --replace that fails keeps the old container --------------------------------------------------
lc_provision "$t" "$dir" --schedule '0 3 * * *'
expect "provision the tenant" 0 "^PostgreSQL backup configured successfully!"
old_id=$("$docker" inspect -f '{{.Id}}' "deeplens-backup-$t" 2> /dev/null)
before=$(lc_snapshot "$dir/$t")

# kept ARGS...: after a failed replace, the old container as it was
kept() {
    is "$("$docker" inspect -f '{{.Id}} {{.State.Running}}' "deeplens-backup-$t" 2> /dev/null)" "$old_id true" \
        "$1: the old container is still there, same id, running"
    is "$(lc_gone "$t" | tr '\n' ' ')" "deeplens-backup-$t tenant_${t}_pgbackup " \
        "$1: no new or set-aside container left, the volume kept"
    is "$(lc_json status "$t" --json | jq -r '.[0].schedule')" "0 3 * * *" "$1: the old schedule"
    is "$(lc_snapshot "$dir/$t")" "$before" "$1: the files unchanged"
}

lc_pw=$work/wrong.pw lc_provision "$t" "$dir" --replace --schedule '0 4 * * *'
expect "--replace with a wrong password: exit 1" 1 "password authentication failed"
kept "--replace, preflight fails"

psql_pg "tenant_${t}_metadata" -c "create table secret (x int)" > /dev/null
lc_provision "$t" "$dir" --replace --schedule '0 4 * * *'
expect "--replace whose initial backup fails: exit 1" 1 "backup failed: .*permission denied for table secret"
like "$out" "Restoring the old container deeplens-backup-$t" "--replace: says it puts the old one back"
kept "--replace, initial backup fails"
psql_pg "tenant_${t}_metadata" -c "drop table secret" > /dev/null
run backup-now "$t"
expect "the old container still backs up" 0 "^ok Backup completed"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
