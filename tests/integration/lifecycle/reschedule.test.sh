#!/usr/bin/env bash
# tests/integration/lifecycle/reschedule.test.sh - reschedule and remove through the
# CLI on the real engine. `reschedule` to every minute makes a new container that
# keeps every file and every other setting (status --json, image, mounts, network,
# labels, credentials, job config apart from schedule and retention) and then backs
# up by itself within the next minute (the slow part: waited for once, at the end,
# while the other checks run). A reschedule rejected before the engine (bad
# schedule) or failing in it (the image is gone) leaves the old container as it
# was, running. `remove --delete-backups --yes` deletes this tenant's backups only:
# another tenant's similar names, an operator's files and another's temporary stay.
# Prints TAP.
# shellcheck disable=SC2010,SC2012 # ls over directories whose names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup s

# status_json T: status --json once the new container's status has been read
status_json() {
    local s _
    for _ in $(seq 1 20); do
        s=$(lc_json status "$1" --json)
        [ "$(jq -r '.[0].job_status_read' <<< "$s" 2> /dev/null)" = true ] && break
        sleep 0.5
    done
    printf '%s\n' "$s"
}
# what reschedule may change, or what changes by itself
volatile='del(.[0] | .container_id, .created, .created_iso, .started_at, .started_at_iso,
    .uptime_seconds, .engine_status, .engine_health, .schedule, .schedule_words, .retention_days,
    .next_run, .next_run_iso, .max_gap_seconds, .storage_estimate_bytes, .disk,
    .last_success.age_seconds)'
# settings C: what the engine and the job's files say about container C, but for the
# schedule and the retention
settings() {
    "$docker" inspect "$1" | jq -S '.[0] | {image: .Config.Image, entrypoint: .Config.Entrypoint,
        cmd: .Config.Cmd, env: .Config.Env, user: .Config.User, health: .Config.Healthcheck,
        restart: .HostConfig.RestartPolicy, mounts: [.Mounts[] | {Type, Name, Destination, RW}],
        networks: (.NetworkSettings.Networks | keys),
        labels: (.Config.Labels | with_entries(select(.key | test("schedule|retention|changed_at") | not)))}'
    "$docker" exec "$1" sh -c 'sha256sum /etc/deeplens/pgpass; stat -c "%a %u" /etc/deeplens/pgpass
        grep -Ev "^(SCHEDULE|RETENTION_DAYS|MAX_GAP)=" /etc/deeplens/backup.conf'
}

# --- reschedule to every minute ------------------------------------------------------------
a=${id}a
dba=tenant_${a}_metadata
dira=$(lc_target a)
lc_db "$dba" || bail_out "cannot create $dba"
lc_provision "$a" "$dira" --schedule '0 2 * * *' --retention 30
expect "provision $a" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"
old_id=$("$docker" inspect -f '{{.Id}}' "deeplens-backup-$a")
st0=$(status_json "$a")
files0=$(lc_snapshot "$dira/$a")
set0=$(settings "deeplens-backup-$a")

run reschedule "$a" --schedule '* * * * *' --retention 7
resched_at=$SECONDS
expect "reschedule to every minute exits 0" 0 "Rescheduled: \\* \\* \\* \\* \\*, retention 7 days \\(volume and files kept\\)"
new_id=$("$docker" inspect -f '{{.Id}} {{.State.Running}}' "deeplens-backup-$a" 2> /dev/null)
like "$new_id" '^[0-9a-f]{64} true$' "a container of that name runs"
isnt "${new_id% *}" "$old_id" "... and it is a new one"
is "$(lc_gone "$a" | tr '\n' ' ')" "deeplens-backup-$a tenant_${a}_pgbackup " "no -next or -prev container left"
st1=$(status_json "$a")
is "$(jq -r '.[0] | [.schedule, .retention_days, .max_gap_seconds] | join(" ")' <<< "$st1")" "* * * * * 7 60" \
    "status --json: the new schedule and retention"
is "$(jq -S "$volatile" <<< "$st1")" "$(jq -S "$volatile" <<< "$st0")" \
    "status --json: everything else as before (files, last backup, health, target, database...)"
is "$(settings "deeplens-backup-$a")" "$set0" "image, mounts, network, labels, credentials and job config kept"
is "$(lc_snapshot "$dira/$a")" "$files0" "every file on the target kept"
is "$("$docker" exec "deeplens-backup-$a" cat /etc/crontabs/root)" "* * * * * /usr/local/bin/backup.sh --cron" \
    "the new crontab"

# --- a reschedule refused before the engine -------------------------------------------------------
run reschedule "$a" --schedule '61 * * * *'
expect "an invalid schedule is refused, exit 2" 2 "^deeplens-backup: invalid schedule '61 \\* \\* \\* \\*': minute"
is "$("$docker" inspect -f '{{.Id}} {{.State.Running}}' "deeplens-backup-$a")" "$new_id" \
    "... the container is untouched and running"

# --- a reschedule that fails in the engine: the image is gone -------------------------------------
b=${id}b
dirb=$(lc_target b)
tag=dltest/${id}-runner:1
"$docker" tag "$runner" "$tag" || bail_out "cannot tag $runner"
psql_pg postgres -c "create database \"tenant_${b}_metadata\"" > /dev/null
lc_provision "$b" "$dirb" --image "$tag" --no-initial-backup
expect "provision $b from a private tag of the image" 0 "^PostgreSQL backup configured successfully!"
b_id=$("$docker" inspect -f '{{.Id}} {{.State.Running}}' "deeplens-backup-$b" 2> /dev/null)
"$docker" rmi "$tag" > /dev/null     # only the tag goes: the image is still the runner's
run reschedule "$b" --schedule '0 5 * * *'
expect "reschedule with the image gone exits 4 naming it" 4 "^deeplens-backup: image '$tag' is not on the engine"
like "$out" "the old container keeps running" "... and says the old container keeps running"
is "$("$docker" inspect -f '{{.Id}} {{.State.Running}}' "deeplens-backup-$b" 2> /dev/null)" "$b_id" \
    "... it is the same container, running"
is "$(lc_gone "$b" | tr '\n' ' ')" "deeplens-backup-$b tenant_${b}_pgbackup " "... no new container left"
is "$(lc_json status "$b" --json | jq -r '.[0].schedule')" "0 2 * * *" "... with its old schedule"

# --- remove --delete-backups --yes ------------------------------------------------------------------
c=${id}c
dbc=tenant_${c}_metadata
dirc=$(lc_target c)
psql_pg postgres -c "create database \"$dbc\"" > /dev/null
psql_pg "$dbc" -c "create table t (x int); insert into t values (1)" > /dev/null
lc_provision "$c" "$dirc"
expect "provision $c" 0 "^PostgreSQL backup configured successfully!"
sleep 1     # a second backup, another second in its name
run backup-now "$c"
expect "a second backup of $c" 0 "^ok Backup completed"
is "$(lc_backups "$dirc/$c" "$dbc" | wc -l)" 2 "two backups of $c"
theirs=(
    "tenant_${c}x_metadata_20250101_020000.sql.gz"        # tenant ${c}x's backup
    "tenant_${c}x_metadata_20250101_020000.sql.gz.sha256"
    ".tenant_${c}x_metadata_20250101_020000.sql.gz.partial"
    "${dbc}_archive.sql.gz"                              # an operator's copies
    "${dbc}_20250101_020000.sql.gz.bak"
    "${dbc}_20250101_0200.sql.gz"
    "notes.txt"
)
for f in "${theirs[@]}"; do
    gzip -dc "$dirc/$c/$(lc_backups "$dirc/$c" "$dbc" | head -n 1)" | gzip > "$dirc/$c/$f"
done
chown 999:999 "$dirc/$c"/* "$dirc/$c"/.tenant_*
keep=$(cd "$dirc/$c" && printf '%s\n' "${theirs[@]}" | LC_ALL=C sort | xargs sha256sum)
run remove "$c" --delete-backups --yes
expect "remove --delete-backups --yes exits 0" 0 "Backup of $c removed, backup files deleted"
like "$out" "Deleted 6 backup files" "... counting its 2 backups, 2 checksums and 2 manifests"
is "$(cd "$dirc/$c" && ls -A | LC_ALL=C sort | xargs sha256sum)" "$keep" \
    "only the other tenant's, the operator's and the foreign temporary files are left, unchanged"
is "$(lc_gone "$c")" "" "the container and the volume are gone"
run status "$c"
expect "the tenant is unknown afterwards" 4 "no backup configured for tenant '$c'"

# --- the every-minute schedule runs by itself ---------------------------------------------------------
first=$(lc_backups "$dira/$a" "$dba" | head -n 1)
new=
while [ $((SECONDS - resched_at)) -lt 130 ]; do
    new=$(lc_backups "$dira/$a" "$dba" | grep -vx -- "$first" | head -n 1)
    [ -n "$new" ] && [ -f "$dira/$a/$new.sha256" ] && break
    new=
    sleep 2
done
if [ -n "$new" ]; then
    ok "the every-minute schedule made a backup by itself, $((SECONDS - resched_at)) s after the reschedule"
    check "... its checksum matches" sh -c "cd '$dira/$a' && sha256sum -c --status '$new.sha256'"
    st=$(lc_json status "$a" --json)
    is "$(jq -r '.[0] | [.last_run.result, .last_success.file, .file_count, .health] | join(" ")' <<< "$st")" \
        "ok $new 2 ok" "... status --json shows it, health ok"
    # the file is renamed into place before the job writes its result line, which tail -F
    # then forwards to docker logs: give it a moment
    for _ in $(seq 1 20); do
        "$docker" logs "deeplens-backup-$a" 2>&1 | grep -q "event=backup tenant=$a result=ok file=$new" &&
            break
        sleep 0.5
    done
    like "$("$docker" logs "deeplens-backup-$a" 2>&1)" "event=backup tenant=$a result=ok file=$new" \
        "... its result line is in the container's log"
    is "$(lc_snapshot "$dira/$a" | grep -F -- "$first")" "$(grep -F -- "$first" <<< "$files0")" \
        "... and the older backup is unchanged"
else
    not_ok "the every-minute schedule made a backup by itself within 130 s" \
        "$("$docker" logs --tail 20 "deeplens-backup-$a" 2>&1)"
fi

diag "elapsed $((SECONDS - t_start)) s"
done_testing
