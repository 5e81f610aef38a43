#!/usr/bin/env bash
# tests/integration/lifecycle/swarm.test.sh - `provision --swarm` on a real single-node
# swarm (tests/env/swarm.sh starts it: its own dockerd, socket, data and exec root, the
# test images, a postgres on the attachable overlay network deeplens-network, which the
# task reaches by name). End to end: the service (1 replica, placement constraints, the
# configuration in its labels), the password as a secret that is in no Env of the
# service spec and that the task reads from /run/secrets, the volume defined in the mount
# (the local driver's bind form, as the other suites use), the backup file written on the
# target; status, list, files, logs (the service's logs), backup-now, verify, restore
# into a new database, drill, restart (a new task); reschedule rotating the secret (new secret, service updated, old
# secret gone, backups still work); a reschedule while no task runs (the one node drained)
# refused with nothing changed; one whose new task cannot start (the target moved away)
# rolled back to the old secret, config and schedule; remove leaving no service,
# secret, config or volume.
# Bad input and faults: --swarm on an engine that is no swarm manager (the shared test
# engine), a secret name that exists already, a --constraint that is no constraint - a
# clear error and nothing created; a task that never runs (a constraint no node meets)
# rolls back the service, the secret, the config and the volume. Prints TAP.
# shellcheck disable=SC2010 # ls over directories whose names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" = 0 ]; then
    "$here/../../env/swarm.sh" > /dev/null 2>&1 || bail_out "tests/env/swarm.sh failed (see /var/log/deeplens-swarm-dockerd.log)"
fi
[ -r /run/deeplens-swarm/env ] || skip_all "swarm test engine not up (run tests/env/swarm.sh as root)"

lc_setup sw
test_host=$DOCKER_HOST
# shellcheck source=/dev/null
. /run/deeplens-swarm/env
# from here on, $docker, $bin and psql_pg talk to the swarm manager
export DOCKER_HOST=$DL_SWARM_DOCKER_HOST
pg=$DL_SWARM_PG_CONTAINER
net=$DL_SWARM_NETWORK
for _ in $(seq 1 120); do
    _cli_pg_login && break
    sleep 0.5
done
_cli_pg_login || bail_out "PostgreSQL $pg on the swarm engine does not take the test password"

# shellcheck disable=SC2317 # run on exit
sw_sweep() {
    local s
    for s in $("$docker" service ls -q --filter "name=deeplens-backup-$id"); do "$docker" service rm "$s"; done
    sleep 2
    for s in $("$docker" secret ls -q --filter "name=deeplens-backup-$id"); do "$docker" secret rm "$s"; done
    for s in $("$docker" config ls -q --filter "name=deeplens-backup-$id"); do "$docker" config rm "$s"; done
    "$docker" network rm "$id-br"
}
cli_at_exit sw_sweep

# left T: every service, secret, config, container and volume of tenant T on the swarm engine
left() {
    {
        "$docker" service ls --format 'service {{.Name}}' | grep -F -- "deeplens-backup-$1"
        "$docker" secret ls --format 'secret {{.Name}}' | grep -F -- "deeplens-backup-$1"
        "$docker" config ls --format 'config {{.Name}}' | grep -F -- "deeplens-backup-$1"
        "$docker" ps -a --format 'container {{.Names}}' | grep -F -- "deeplens-backup-$1"
        "$docker" volume ls -q | grep -Fx -- "tenant_$1_pgbackup"
    } | sort | tr '\n' ' '
}

svc_provision() {
    local t=$1 dir=$2
    shift 2
    run provision "$t" --swarm --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
        --postgres-user "$pg_user" --network "$net" --password-file "$pw_file" "$@"
}

t=${id}a
lc_db "tenant_${t}_metadata" || bail_out "cannot create the tenant database on the swarm engine"
dir=$(lc_target a)
password=$(cat "$pw_file")

# --- not a swarm manager: the shared test engine ------------------------------------------------------
DOCKER_HOST=$test_host svc_provision "$t" "$dir"
expect "--swarm on an engine that is no swarm manager: exit 2, said so" 2 \
    "^deeplens-backup: --swarm: the engine at unix:///run/deeplens-test/docker.sock is not a swarm manager \(swarm state 'inactive'\)"
is "$(DOCKER_HOST=$test_host "$docker" ps -a --format '{{.Names}}' | grep -cF -- "$t")" 0 \
    "not a manager: no container made on that engine"
is "$(DOCKER_HOST=$test_host "$docker" volume ls -q | grep -cF -- "$t")" 0 \
    "not a manager: no volume made on that engine"

# --- bad input before anything --------------------------------------------------------------------------
svc_provision "$t" "$dir" --constraint 'node.role=manager'
expect "a constraint without == or !=: exit 2 naming it" 2 \
    "^deeplens-backup: invalid --constraint 'node.role=manager': expected node.role==manager"
run provision "$t" --nfs-path "local:$dir" --constraint node.role==manager --password-file "$pw_file"
expect "--constraint without --swarm: exit 2" 2 "^deeplens-backup: --constraint 'node.role==manager' needs --swarm"
is "$(left "$t")" "" "bad input: nothing created"
"$docker" network create -d bridge "$id-br" > /dev/null || bail_out "cannot create a bridge network"
run provision "$t" --swarm --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
    --postgres-user "$pg_user" --network "$id-br" --password-file "$pw_file"
expect "a network that is no overlay network: exit 2 naming it" 2 \
    "^deeplens-backup: --network '$id-br' is a 'bridge' network: a swarm service needs an overlay network"
is "$(left "$t")" "" "a bridge network: nothing created"

# --- the secret name is taken -----------------------------------------------------------------------------
printf 'not ours' | "$docker" secret create "deeplens-backup-$t-pgpass-1" - > /dev/null
svc_provision "$t" "$dir"
expect "an existing secret: exit 5 naming it" 5 \
    "^deeplens-backup: secret 'deeplens-backup-$t-pgpass-1' already exists on the swarm"
is "$(left "$t")" "secret deeplens-backup-$t-pgpass-1 " "an existing secret: nothing else created, it is kept"
"$docker" secret rm "deeplens-backup-$t-pgpass-1" > /dev/null

# --- a task that never runs: rolled back ------------------------------------------------------------------
DEEPLENS_SWARM_WAIT=6 svc_provision "$t" "$dir" --constraint node.hostname==nowhere-$id
expect "no node meets the constraint: exit 1, the task's state said" 1 \
    "^deeplens-backup: service 'deeplens-backup-$t' has no running task after 6 s \(last: pending"
like "$out" "Removing service deeplens-backup-$t" "rollback: the service"
like "$out" "Removing secret deeplens-backup-$t-pgpass-1" "rollback: the secret"
like "$out" "Removing volume tenant_${t}_pgbackup" "rollback: the volume"
is "$(left "$t")" "" "rollback: no service, secret, config, container or volume left"

# --- provision --swarm end to end -------------------------------------------------------------------------
svc_provision "$t" "$dir" --constraint node.role==manager --constraint node.platform.os==linux \
    --schedule '0 2 * * *'
expect "provision --swarm: exit 0" 0 "Initial backup completed"
like "$out" "Creating service deeplens-backup-$t \(1 replica\)" "provision --swarm: a service"
svc=deeplens-backup-$t
is "$("$docker" service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$svc")" 1 "the service has 1 replica"
is "$("$docker" service inspect -f '{{json .Spec.TaskTemplate.Placement.Constraints}}' "$svc")" \
    '["node.role==manager","node.platform.os==linux"]' "the placement constraints are the service's"
is "$("$docker" service inspect -f '{{index .Spec.Labels "io.deeplens.backup.tenant"}} {{index .Spec.Labels "io.deeplens.backup.schedule"}}' "$svc")" \
    "$t 0 2 * * *" "the configuration is in the service's labels"
spec=$("$docker" service inspect -f '{{json .Spec}}' "$svc")
if grep -qF -- "$password" <<< "$spec"; then not_ok "the password is nowhere in the service spec"; else ok "the password is nowhere in the service spec"; fi
env=$("$docker" service inspect -f '{{json .Spec.TaskTemplate.ContainerSpec.Env}}' "$svc")
like "$env" "PGPASSFILE=/run/secrets/deeplens-pgpass" "Env points PGPASSFILE at the secret's file"
if grep -qiF -- "$password" <<< "$env" || grep -qi 'PGPASSWORD' <<< "$env"; then not_ok "no password in Env" "$env"; else ok "no password in Env"; fi
is "$("$docker" service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{.File.Name}} {{.File.UID}} {{.File.Mode}}{{end}}' "$svc")" \
    "deeplens-backup-$t-pgpass-1 deeplens-pgpass 999 -r--------" "the secret is mounted 0400 for uid 999"
is "$("$docker" service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Source}} {{.Target}} {{.VolumeOptions.DriverConfig.Name}} {{index .VolumeOptions.DriverConfig.Options "type"}} {{index .VolumeOptions.DriverConfig.Options "o"}} {{index .VolumeOptions.DriverConfig.Options "device"}}{{end}}' "$svc")" \
    "tenant_${t}_pgbackup /backups local none bind $dir" "the volume is defined in the service's mount with the driver options"
task_ct=$("$docker" ps -q --filter "label=com.docker.swarm.service.name=$svc" | head -n 1)
is "$("$docker" exec "$task_ct" sh -c 'cut -d: -f5 /run/secrets/deeplens-pgpass')" "$password" \
    "the task reads the password from /run/secrets/deeplens-pgpass"
first=$(lc_backups "$dir/$t" "tenant_${t}_metadata" | tail -n 1)
[ -n "$first" ] && ok "the initial backup file is on the target ($first)" || not_ok "the initial backup file is on the target" "$(ls -la "$dir/$t")"

run status "$t"
expect "status: exit 0, healthy, the task's container" 0 "Health: +ok"
like "$out" "Container: +deeplens-backup-$t\.1\." "status names the service's task container"
like "$out" "Last Backup: +$first" "status: the last backup"
run list
expect "list shows the service's tenant" 0 "^$t +ok +running"
run files "$t"
expect "files lists the initial backup" 0 "^$first "
# swarm shows a task's logs once it runs, after its first health probe (30 s)
for _ in $(seq 1 45); do
    run logs "$t" --tail 20
    [[ $out == *"event=start tenant=$t"* ]] && break
    sleep 1
done
expect "logs: the service's log, the start and the initial backup" 0 "event=start tenant=$t"
like "$out" "event=backup tenant=$t result=ok" "logs: the backup line"

sleep 1
run backup-now "$t"
expect "backup-now: exit 0 in the task's container" 0 "Backup completed"
second=$(lc_backups "$dir/$t" "tenant_${t}_metadata" | tail -n 1)
[ "$second" != "$first" ] && ok "backup-now wrote a new file" || not_ok "backup-now wrote a new file" "$(ls "$dir/$t")"
run verify "$t" "$second"
expect "verify: exit 0" 0 "Backup verified"
run restore "$t" "$second" --to "${t}_restored"
expect "restore into a new database: exit 0" 0 "Restored $second into ${t}_restored"
is "$(lc_fingerprint "${t}_restored")" "$(lc_fingerprint "tenant_${t}_metadata")" \
    "the restored database has the tenant's data"
run drill "$t"
expect "drill in the task's container: exit 0" 0 "Drill passed: $second restored into a scratch database"

# --- restart: a new task -----------------------------------------------------------------------------------
old_task=$("$docker" ps -q --no-trunc --filter "label=com.docker.swarm.service.name=$svc" | head -n 1)
run restart "$t"
expect "restart: exit 0, a new task" 0 "Service $svc restarted: task container"
new_task=$("$docker" ps -q --no-trunc --filter "label=com.docker.swarm.service.name=$svc" --filter status=running | head -n 1)
[ -n "$new_task" ] && [ "$new_task" != "$old_task" ] && ok "restart: another task container runs" ||
    not_ok "restart: another task container runs" "old $old_task new $new_task"

# --- reschedule rotates the secret ---------------------------------------------------------------------------
run reschedule "$t" --schedule '30 4 * * *'
expect "reschedule: exit 0" 0 "Rescheduled: 30 4 \* \* \*"
like "$out" "Old secret deeplens-backup-$t-pgpass-1 removed" "reschedule: the old secret is removed"
is "$("$docker" secret ls --format '{{.Name}}' | grep -F -- "deeplens-backup-$t" | tr '\n' ' ')" \
    "deeplens-backup-$t-pgpass-2 " "reschedule: one secret, the new one"
is "$("$docker" service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}}{{end}} {{index .Spec.Labels "io.deeplens.backup.schedule"}}' "$svc")" \
    "deeplens-backup-$t-pgpass-2 30 4 * * *" "reschedule: the service uses the new secret and schedule"
is "$("$docker" config ls --format '{{.Name}}' | grep -F -- "deeplens-backup-$t" | tr '\n' ' ')" \
    "deeplens-backup-$t-job-2 " "reschedule: the job's config rotated too"
sleep 1
run backup-now "$t"
expect "backup-now after the rotation: the new secret works" 0 "Backup completed"
run status "$t"
like "$out" "Schedule: +30 4 \* \* \*" "status: the new schedule"

# --- a reschedule while no task runs: refused, nothing changed ------------------------------------------------
# The only node drained: no task runs, so the stored secrets cannot be read from one.
node=$("$docker" info -f '{{.Swarm.NodeID}}')
# shellcheck disable=SC2317 # run on exit
sw_undrain() { "$docker" node update --availability active "$node" > /dev/null 2>&1; }
cli_at_exit sw_undrain
svc_state() {
    "$docker" service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}}{{end}} {{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{.ConfigName}}{{end}} {{index .Spec.Labels "io.deeplens.backup.schedule"}}' "$svc"
    "$docker" secret ls --format '{{.Name}}' | grep -F -- "deeplens-backup-$t" | sort | tr '\n' ' '
    "$docker" config ls --format '{{.Name}}' | grep -F -- "deeplens-backup-$t" | sort | tr '\n' ' '
}
wait_task() {   # until a task container of the service runs (60 s)
    local c=''
    for _ in $(seq 1 60); do
        c=$("$docker" ps -q --filter "label=com.docker.swarm.service.name=$svc" --filter status=running | head -n 1)
        [ -n "$c" ] && return 0
        sleep 1
    done
    return 1
}
before=$(svc_state)
"$docker" node update --availability drain "$node" > /dev/null
for _ in $(seq 1 30); do
    [ -z "$("$docker" ps -q --filter "label=com.docker.swarm.service.name=$svc")" ] && break
    sleep 1
done
run reschedule "$t" --schedule '45 5 * * *'
expect "reschedule with no running task: exit 5, the task's state and where to look" 5 \
    "^deeplens-backup: reschedule reads the stored credentials from the running task: service '$svc' has no running task \(service task pending.*\): the swarm says why in 'docker service ps $svc'"
is "$(svc_state)" "$before" "... nothing changed: the service, its secret and config"
run backup-now "$t"
expect "backup-now with no running task: exit 5, the same reason" 5 "service '$svc' has no running task"
sw_undrain
wait_task; t_rc=$?
is "$t_rc" 0 "the node active again: a task runs"

# --- a reschedule whose new task never runs: rolled back -----------------------------------------------------
# The target's directory moved away while the task runs: the updated service's task cannot
# mount its volume and is rejected. The service goes back to the old settings, secret and
# config; the new generation's secret and config go.
for _ in $(seq 1 60); do   # the secrets are read from the task: wait until it answers
    "$docker" exec "$("$docker" ps -q --filter "label=com.docker.swarm.service.name=$svc" | head -n 1)" true 2> /dev/null && break
    sleep 1
done
mv "$dir" "$dir.away"
# shellcheck disable=SC2317 # run on exit
sw_back() { [ -d "$dir.away" ] && mv "$dir.away" "$dir"; }
cli_at_exit sw_back
DEEPLENS_SWARM_WAIT=20 run reschedule "$t" --schedule '45 5 * * *'
expect "the new task cannot start: exit 1, the task's state said" 1 \
    "^deeplens-backup: the task of service '$svc' (rejected|failed): "
like "$out" "Rolling service $svc back" "the reschedule rolls the service back"
sw_back
is "$(svc_state)" "$before" "rolled back: the old secret, config and schedule; no new secret or config left"
wait_task; t_rc=$?
is "$t_rc" 0 "the target back: the old settings' task runs"
for _ in $(seq 1 60); do
    run status "$t"
    [[ $out == *"Health:"*" ok"* ]] && break
    sleep 1
done
like "$out" "Schedule: +30 4 \* \* \*" "status after the rollback: the old schedule"
run backup-now "$t"
expect "backup-now after the rollback: the old secret still works" 0 "Backup completed"

# --- remove leaves nothing ---------------------------------------------------------------------------------
run remove "$t"
expect "remove: exit 0" 0 "Backup files kept on local:$dir"
is "$(left "$t")" "" "remove: no service, secret, config, container or volume left"
[ -n "$(lc_backups "$dir/$t" "tenant_${t}_metadata")" ] && ok "remove: the backup files are kept" ||
    not_ok "remove: the backup files are kept"
run status "$t"
expect "status after remove: no such tenant" 4 "no backup configured for tenant '$t'"

done_testing
