#!/usr/bin/env bash
# tests/integration/lifecycle/ssh_engine.test.sh - a second engine reached only
# through sshd: tests/env/ssh.sh's port 2223 gives its sessions DOCKER_HOST of
# tests/env/engines.sh's eng2, so `ssh ... docker system dial-stdio` on that port
# lands on eng2 (its own containers, volumes and deeplens-postgres), never on the
# shared engine the CLI could also reach by its socket. Provision, status, files,
# logs, backup-now, reschedule and remove over ssh://root@127.0.0.1:2223, each
# checked on eng2 itself (its socket, read by the docker CLI) and checked absent
# from the shared engine; list and status over two engines at once, one of them
# ssh (rows tagged, actions routed); the shared engine's tenant and the ssh
# engine's tenant of one name are a conflict. No ssh process is left behind.
# Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup se

timeout 300 "$root/tests/env/engines.sh" > "$work/engines.log" 2>&1 ||
    bail_out "tests/env/engines.sh failed: $(tail -n 5 "$work/engines.log")"
"$root/tests/env/ssh.sh" > "$work/ssh-env.log" 2>&1 ||
    bail_out "tests/env/ssh.sh failed: $(tail -n 5 "$work/ssh-env.log")"
# shellcheck source=/dev/null
. /run/deeplens-ssh/env
export PATH=$DL_SSH_BIN:$PATH
[ -n "${DL_SSH_HOST2:-}" ] || bail_out "tests/env/ssh.sh wrote no DL_SSH_HOST2"
H=$DL_SSH_HOST2
E1=$DOCKER_HOST
E2=unix:///run/deeplens-eng2/docker.sock
d2() { "$docker" -H "$E2" "$@"; }

# shellcheck disable=SC2317 # run on exit
sweep_eng2() {
    local c v d
    for c in $(d2 ps -aq --filter "name=$id"); do d2 rm -f -v "$c"; done
    for v in $(d2 volume ls -q --filter "name=$id"); do d2 volume rm -f "$v"; done
    for d in $(d2 exec "$pg" psql -X -U "$pg_user" -d postgres -At \
        -c "select datname from pg_database where datname like '%$id%'" < /dev/null); do
        d2 exec "$pg" psql -X -q -U "$pg_user" -d postgres \
            -c "drop database if exists \"$d\" with (force)" < /dev/null
    done
}
cli_at_exit sweep_eng2

ssh_children() { pgrep -f -- "-p $DL_SSH_PORT2 -- 127.0.0.1 docker system dial-stdio" | wc -l; }
# sr ARGS: the CLI over ssh to eng2 only, bounded: a hang is a failure
sr() {
    out=$(timeout 120 "$bin" -H "$H" "$@" 2>&1 < /dev/null)
    rc=$?
}
# two engines: the shared one by its socket ("here") and eng2 through ssh ("far")
s2() {
    out=$(timeout 120 "$bin" -H "here=$E1" -H "far=$H" "$@" 2>&1 < /dev/null)
    rc=$?
}
on_eng2() { d2 ps -a --format '{{.Names}}' | grep -cFx -- "deeplens-backup-$1"; }
on_shared() { "$docker" ps -a --format '{{.Names}}' | grep -cFx -- "deeplens-backup-$1"; }

t=${id}f th=${id}h
db=tenant_${t}_metadata
dir=$(lc_target far) dirh=$(lc_target here) dirx=$(lc_target x)
d2 exec "$pg" psql -X -q -U "$pg_user" -d postgres -c "create database \"$db\"" < /dev/null > /dev/null &&
    lc_seed | d2 exec -i "$pg" psql -X -q -v ON_ERROR_STOP=1 -U "$pg_user" -d "$db" -f - > /dev/null ||
    bail_out "cannot create $db on eng2"
lc_db "tenant_${th}_metadata" || bail_out "cannot create $th's database"
# the database exists only on eng2's server: a backup that lands on the shared
# engine (or reads its postgres) fails
if "$docker" exec "$pg" psql -X -U "$pg_user" -d postgres -At \
    -c "select 1 from pg_database where datname = '$db'" < /dev/null | grep -q 1; then
    bail_out "$db exists on the shared engine's server too"
fi
base_children=$(ssh_children)

# --- provision over ssh lands on eng2 ------------------------------------------------------
sr provision "$t" --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
    --postgres-user "$pg_user" --network "$net" --password-file "$pw_file" --schedule '0 3 * * *'
expect "provision over ssh to the second engine exits 0 (first backup from eng2's postgres)" 0 \
    "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision over ssh failed: $out"
is "$(on_eng2 "$t") $(on_shared "$t")" "1 0" "the container is on eng2, not on the shared engine"
is "$(d2 volume ls -q --filter "name=tenant_${t}_pgbackup" | wc -l)" 1 "... and so is its volume"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 1 "the first backup, of eng2's database, is on the target"
f0=${files[0]:-none}

# --- reads over ssh ------------------------------------------------------------------------
sr status "$t"
expect "status over ssh reads eng2's container" 0 "Last Backup: +$f0, "
sr list --json
is "$(jq -r --arg t "$t" '[.[] | select(.tenant == $t)] | length' <<< "$out" 2> /dev/null)" 1 \
    "list --json over ssh lists the tenant"
is "$(jq -r --arg t "$th" '[.[] | select(.tenant == $t)] | length' <<< "$out" 2> /dev/null)" 0 \
    "... and nothing of the shared engine"
sr files "$t" --json
is "$(jq -r '[.count, .files[0].name] | join(" ")' <<< "$out" 2> /dev/null)" "1 $f0" \
    "files over ssh lists the one backup"
sr logs "$t" --tail 50
expect "logs over ssh show eng2's job line" 0 "event=backup tenant=$t result=ok"

# --- backup-now and reschedule over ssh change eng2 ----------------------------------------
sr backup-now "$t"
expect "backup-now over ssh exits 0" 0 "^ok Backup completed"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 2 "... a second backup is on the target"
sr reschedule "$t" --schedule '15 4 * * *'
is "$rc" 0 "reschedule over ssh exits 0"
is "$(d2 inspect --format '{{index .Config.Labels "io.deeplens.backup.schedule"}}' "deeplens-backup-$t" 2> /dev/null)" \
    "15 4 * * *" "... eng2's container has the new schedule label"
is "$(on_shared "$t")" 0 "... and the shared engine still has no such container"

# --- two engines, one through ssh ----------------------------------------------------------
lc_provision "$th" "$dirh" --no-initial-backup
expect "provision $th on the shared engine" 0 "^PostgreSQL backup configured successfully!"
s2 list --json
is "$(jq -r --arg a "$t" --arg b "$th" \
    '[.[] | select(.tenant == $a or .tenant == $b) | "\(.tenant)@\(.engine)"] | sort | join(" ")' \
    <<< "$out" 2> /dev/null)" "$(printf '%s\n' "$t@far" "$th@here" | sort | tr '\n' ' ' | sed 's/ $//')" \
    "list over the socket and ssh at once tags each tenant with its engine"
s2 status "$t"
expect "status TENANT over two engines goes to the ssh engine" 0 "Last Backup: +${db}_"
s2 backup-now "$t"
expect "backup-now over two engines runs on eng2" 0 "^ok Backup completed"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 3 "... a third backup of eng2's database"

# the same tenant name on both engines: a conflict, nothing done
lc_db "$db" || bail_out "cannot create $db on the shared engine's server"
lc_provision "$t" "$dirx" --no-initial-backup
expect "the same tenant provisioned on the shared engine too" 0 "^PostgreSQL backup configured successfully!"
s2 backup-now "$t"
is "$rc" 5 "a tenant name on the shared engine and behind ssh: backup-now refused (exit 5)"
like "$out" "here" "... the error names the socket engine"
like "$out" "far" "... and the ssh engine"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 3 "... and no backup ran on eng2"
is "$(lc_backups "$dirx/$t" "$db" | wc -l)" 0 "... nor on the shared engine"
out=$(timeout 120 "$bin" -H "$E1" remove "$t" 2>&1 < /dev/null) ||
    bail_out "cannot remove $t from the shared engine: $out"

# --- remove over ssh -----------------------------------------------------------------------
sr remove "$t"
is "$rc" 0 "remove over ssh exits 0"
is "$(on_eng2 "$t")" 0 "... the container is gone from eng2"
is "$(d2 volume ls -q --filter "name=tenant_${t}_pgbackup" | wc -l)" 0 "... and so is its volume"
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 3 "... the backups stay on the target"
is "$(ssh_children)" "$base_children" "no ssh process left behind"
done_testing
