#!/usr/bin/env bash
# tests/integration/lifecycle/swarm_notify.test.sh - a signed webhook of a Swarm service
# (`provision --swarm --webhook URL --webhook-secret-file F`) on the real single-node swarm
# of tests/env/swarm.sh. The webhook's shared secret is a second Docker secret,
# deeplens-backup-T-hook-N, mounted 0400 for the job's uid as /run/secrets/deeplens-webhook;
# it is in no Env, label or other part of `docker service inspect`. A real HTTP receiver
# (busybox httpd of the runner image with a CGI storing each request, on the swarm's
# attachable overlay network) gets the failure webhook of the service's backup, and its
# X-DeepLens-Signature is recomputed here with python3 from the file's secret. Reschedule
# without a new secret file keeps the secret (the next generation's secret, the old one
# gone); with a new file the webhook (of a run by the task's crond) is signed with the new
# secret only; --no-webhook drops it; remove leaves no secret. Faults: a webhook secret
# name already taken is refused before anything is created; a task that never runs rolls
# back both secrets, the config and the volume. Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" = 0 ]; then
    "$here/../../env/swarm.sh" > /dev/null 2>&1 || bail_out "tests/env/swarm.sh failed (see /var/log/deeplens-swarm-dockerd.log)"
fi
[ -r /run/deeplens-swarm/env ] || skip_all "swarm test engine not up (run tests/env/swarm.sh as root)"

lc_setup sn
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
sn_sweep() {
    local s
    for s in $("$docker" service ls -q --filter "name=deeplens-backup-$id"); do "$docker" service rm "$s"; done
    sleep 2
    for s in $("$docker" secret ls -q --filter "name=deeplens-backup-$id"); do "$docker" secret rm "$s"; done
    for s in $("$docker" config ls -q --filter "name=deeplens-backup-$id"); do "$docker" config rm "$s"; done
}
cli_at_exit sn_sweep

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
secrets_of() { "$docker" secret ls --format '{{.Name}}' | grep -F -- "deeplens-backup-$1" | sort | tr '\n' ' '; }
# lacks TEXT FIXED NAME: ok when TEXT does not contain FIXED
lacks() {
    if grep -qF -- "$2" <<< "$1"; then not_ok "$3" "it does"; else ok "$3"; fi
}

t=${id}a
svc=deeplens-backup-$t
db=tenant_${t}_metadata
role=${id}r
hook=$id-hook
lc_role "$role" || bail_out "cannot create role $role on the swarm engine"
lc_db "$db" "$role" || bail_out "cannot create $db on the swarm engine"
dir=$(lc_target a)

svc_provision() {
    run provision "$t" --swarm --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
        --postgres-user "$role" --network "$net" --password-file "$work/$role.pw" "$@"
}

# --- the receiver, on the swarm's overlay network ------------------------------------------------
mkdir -p "$work/www/cgi-bin" "$work/got"
cat > "$work/www/cgi-bin/hook" << 'CGI'
#!/bin/sh
n=$(date +%s%N)
env | grep -E '^(HTTP_|CONTENT_|REQUEST_METHOD)' | sort > "/got/$n.head"
head -c "${CONTENT_LENGTH:-0}" > "/got/$n.tmp" && mv "/got/$n.tmp" "/got/$n.body"
printf 'Content-Type: text/plain\r\n\r\nok\n'
CGI
chmod 0755 "$work/www/cgi-bin/hook"
"$docker" run -d --name "$hook" --network "$net" -v "$work/www:/www:ro" -v "$work/got:/got" \
    --entrypoint /bin/sh "$runner" -c 'exec busybox httpd -f -p 8080 -h /www' > /dev/null ||
    bail_out "cannot start the receiver on the swarm engine"
url=http://$hook:8080/cgi-bin/hook
secret_a="s3cr3t-A-$id with spaces"
secret_b="s3cr3t-B-$id"
printf '%s\n' "$secret_a" > "$work/secret-a"
printf '%s\n' "$secret_b" > "$work/secret-b"

bodies() { local f; for f in "$work"/got/*.body; do [ -f "$f" ] && printf '%s\n' "$f"; done | sort; }
requests() { bodies | grep -c .; }
wait_requests() {
    local i
    for ((i = 0; i < ${2:-40} * 2; i++)); do
        [ "$(requests)" -ge "$1" ] && return 0
        sleep 0.5
    done
    return 1
}
# sig_of N: the N-th request's X-DeepLens-Signature; hmac_of SECRET N: what it must be
sig_of() { local b; b=$(bodies | sed -n "$1p"); grep '^HTTP_X_DEEPLENS_SIGNATURE=' "${b%.body}.head" | cut -d= -f2-; }
hmac_of() {
    local sha256
    sha256=$(python3 -c 'import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' "$1" "$(bodies | sed -n "$2p")")
    printf 'sha256=%s\n' "$sha256"
}
# fail_backup: backup-now fails on a table the tenant's role may not read (made once the
# service runs; a failure webhook each time)
fail_backup() { run backup-now "$t"; }

# --- the webhook secret's name is taken: refused, nothing created ---------------------------------
printf 'not ours' | "$docker" secret create "$svc-hook-1" - > /dev/null
svc_provision --webhook "$url" --webhook-secret-file "$work/secret-a"
expect "an existing webhook secret: exit 5 naming it" 5 \
    "^deeplens-backup: secret '$svc-hook-1' already exists on the swarm"
is "$(left "$t")" "secret $svc-hook-1 " "an existing webhook secret: nothing else created, it is kept"
"$docker" secret rm "$svc-hook-1" > /dev/null

# --- a task that never runs: both secrets rolled back ----------------------------------------------
DEEPLENS_SWARM_WAIT=6 svc_provision --webhook "$url" --webhook-secret-file "$work/secret-a" \
    --constraint "node.hostname==nowhere-$id"
expect "no node meets the constraint: exit 1" 1 "^deeplens-backup: service '$svc' has no running task after 6 s"
like "$out" "Removing secret $svc-hook-1" "rollback: the webhook secret"
like "$out" "Removing secret $svc-pgpass-1" "rollback: the password secret"
is "$(left "$t")" "" "rollback: no service, secret, config, container or volume left"

# --- provision --swarm with a signed webhook ---------------------------------------------------------
svc_provision --webhook "$url" --webhook-secret-file "$work/secret-a"
expect "provision --swarm --webhook-secret-file: exit 0" 0 "Initial backup completed"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"
like "$out" "Creating secret $svc-pgpass-1, webhook secret $svc-hook-1 and config $svc-job-1" \
    "provision says which secrets it makes"
is "$(secrets_of "$t")" "$svc-hook-1 $svc-pgpass-1 " "two secrets: the password's and the webhook's"
is "$("$docker" service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{.File.Name}} {{.File.UID}} {{.File.Mode}};{{end}}' "$svc")" \
    "$svc-pgpass-1 deeplens-pgpass 999 -r--------;$svc-hook-1 deeplens-webhook 999 -r--------;" \
    "the webhook secret is mounted 0400 for uid 999 as deeplens-webhook"
inspect=$("$docker" service inspect "$svc")
lacks "$inspect" "s3cr3t" "the webhook secret is nowhere in docker service inspect"
env=$("$docker" service inspect -f '{{json .Spec.TaskTemplate.ContainerSpec.Env}}' "$svc")
like "$env" "DEEPLENS_WEBHOOK_SECRET=/run/secrets/deeplens-webhook" "Env names the secret's file only"
is "$("$docker" service inspect -f '{{index .Spec.Labels "io.deeplens.backup.webhook_url"}} {{index .Spec.Labels "io.deeplens.backup.webhook_signed"}}' "$svc")" \
    "$url 1" "the labels say the webhook is signed (not with what)"
task_ct=$("$docker" ps -q --filter "label=com.docker.swarm.service.name=$svc" | head -n 1)
is "$("$docker" exec "$task_ct" cat /run/secrets/deeplens-webhook)" "$secret_a" \
    "the task has the file's secret at /run/secrets/deeplens-webhook"
run status "$t"
like "$out" "Webhook: +http://$hook:8080 \(json, signed;" "status: the webhook is signed"

# --- a failed backup posts a webhook signed with the file's secret -------------------------------------
psql_pg "$db" -c "create table ${id}_locked (x int)" > /dev/null
fail_backup
expect "backup-now fails on a table the role may not read" 1 "permission denied"
wait_requests 1 || diag "no webhook arrived: $("$docker" exec "$task_ct" tail -n 5 /var/log/backup.log 2>&1)"
is "$(requests)" 1 "the service's job posted one webhook"
is "$(jq -r '.tenant + " " + .event' < "$(bodies | sed -n 1p)")" "$t failure" "the webhook: tenant and event"
is "$(sig_of 1)" "$(hmac_of "$secret_a" 1)" "its X-DeepLens-Signature is the HMAC-SHA256 of the body with the file's secret"

# --- reschedule without a secret file keeps the secret ---------------------------------------------------
run reschedule "$t" --webhook-format slack
expect "reschedule --webhook-format slack: exit 0" 0 "Rescheduled"
like "$out" "Old secret $svc-hook-1 removed" "reschedule: the old webhook secret is removed"
is "$(secrets_of "$t")" "$svc-hook-2 $svc-pgpass-2 " "reschedule: the secrets of the next generation only"
fail_backup
expect "backup-now fails again" 1 "permission denied"
wait_requests 2
is "$(jq -r 'keys | join(",")' < "$(bodies | sed -n 2p)")" text "the webhook is now in the Slack form"
is "$(sig_of 2)" "$(hmac_of "$secret_a" 2)" "signed with the same secret (kept by reschedule)"

# --- reschedule with a new secret file signs with the new one (a scheduled run, by crond) ---------------
run reschedule "$t" --webhook-secret-file "$work/secret-b" --schedule '* * * * *'
expect "reschedule --webhook-secret-file --schedule: exit 0" 0 "Rescheduled"
is "$(secrets_of "$t")" "$svc-hook-3 $svc-pgpass-3 " "the old webhook secret object is gone"
lacks "$("$docker" service inspect "$svc")" "s3cr3t" "the new secret is nowhere in docker service inspect"
# the task's crond runs the job within a minute; it fails and notifies like backup-now
wait_requests 3 100 || diag "no webhook from the scheduled run"
is "$(jq -r '.text' < "$(bodies | sed -n 3p)" | grep -c 'backup FAILED')" 1 \
    "the scheduled run of the new task posted the failure webhook"
is "$(sig_of 3)" "$(hmac_of "$secret_b" 3)" "signed with the new file's secret"
isnt "$(sig_of 3)" "$(hmac_of "$secret_a" 3)" "not with the old one"

# --- --no-webhook drops the secret; remove leaves none --------------------------------------------------
run reschedule "$t" --no-webhook
expect "reschedule --no-webhook: exit 0" 0 "Rescheduled"
is "$(secrets_of "$t")" "$svc-pgpass-4 " "--no-webhook: no webhook secret left"
lacks "$("$docker" service inspect -f '{{json .Spec.TaskTemplate.ContainerSpec.Env}}' "$svc")" \
    "DEEPLENS_WEBHOOK_SECRET" "--no-webhook: Env names no webhook secret"
run reschedule "$t" --webhook "$url" --webhook-secret-file "$work/secret-a"
expect "reschedule --webhook --webhook-secret-file: signed again" 0 "Rescheduled"
is "$(secrets_of "$t")" "$svc-hook-5 $svc-pgpass-5 " "a webhook secret again, of generation 5"
run remove "$t"
expect "remove: exit 0" 0 "Backup files kept on local:$dir"
is "$(left "$t")" "" "remove: no service, secret, config, container or volume left"

done_testing
