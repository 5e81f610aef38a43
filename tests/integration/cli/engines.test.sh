#!/usr/bin/env bash
# tests/integration/cli/engines.test.sh - several engines at once, on three real
# engines: the shared test engine ("test") and eng2, eng3 of tests/env/engines.sh
# (started here when missing; each has its own deeplens-postgres that its tenants
# back up). list, list --json, status and metrics show every tenant tagged with its
# engine; backup-now, files, logs and status TENANT go to the tenant's own engine;
# a tenant on two engines is a conflict that list reports and an action refuses
# until one engine is named; a read-only engine (`read-only` on its line,
# --read-only-engine) refuses every change with exit 8 and is left unchanged while
# it is read and the other engines' tenants are changed; an engine that is gone,
# or hangs, is one stderr line and exit 3 while the others are still listed,
# within a bounded time. Every
# command runs under `timeout`. Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lifecycle" && pwd)/lib.sh"
lc_setup g

timeout 300 "$root/tests/env/engines.sh" > "$work/engines.log" 2>&1 ||
    bail_out "tests/env/engines.sh failed: $(tail -n 5 "$work/engines.log")"
E1=$DOCKER_HOST
E2=unix:///run/deeplens-eng2/docker.sock
E3=unix:///run/deeplens-eng3/docker.sock
d2() { "$docker" -H "$E2" "$@"; }
d3() { "$docker" -H "$E3" "$@"; }

# shellcheck disable=SC2317 # run on exit
sweep_engine() {
    local h=$1 c v d
    for c in $("$docker" -H "$h" ps -aq --filter "name=$id"); do "$docker" -H "$h" rm -f -v "$c"; done
    for v in $("$docker" -H "$h" volume ls -q --filter "name=$id"); do "$docker" -H "$h" volume rm -f "$v"; done
    for d in $("$docker" -H "$h" exec "$pg" psql -X -U "$pg_user" -d postgres -At \
        -c "select datname from pg_database where datname like '%$id%'" < /dev/null); do
        "$docker" -H "$h" exec "$pg" psql -X -q -U "$pg_user" -d postgres \
            -c "drop database if exists \"$d\" with (force)" < /dev/null
    done
}
cli_at_exit "sweep_engine '$E2'; sweep_engine '$E3'"

# The bounded run of every command: $out, $rc, and $secs (wall time).
T() {
    local t0=$SECONDS
    out=$(timeout 60 "$bin" "$@" 2>&1 < /dev/null)
    rc=$?
    secs=$((SECONDS - t0))
}
# stdout only (for --json)
J() { timeout 60 "$bin" "$@" 2> "$work/stderr" < /dev/null; }

conf=$work/engines.conf
cat > "$conf" << EOF
engine test host $E1
engine eng2 host $E2
engine eng3 host $E3
EOF

db_on() {   # db_on DOCKER_HOST DB: the tenant database on that engine's own server
    "$docker" -H "$1" exec "$pg" psql -X -q -U "$pg_user" -d postgres -c "create database \"$2\"" < /dev/null > /dev/null &&
        lc_seed | "$docker" -H "$1" exec -i "$pg" psql -X -q -v ON_ERROR_STOP=1 -U "$pg_user" -d "$2" -f - > /dev/null
}
prov_on() {   # prov_on 'NAME=HOST' TENANT DIR ARGS...: provision on one engine
    local e=$1 t=$2 dir=$3
    shift 3
    T -H "$e" provision "$t" --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
        --postgres-user "$pg_user" --network "$net" --password-file "$pw_file" "$@"
}

ta=${id}a tb=${id}b tc=${id}c tx=${id}x
dira=$(lc_target a) dirb=$(lc_target b) dirc=$(lc_target c) dirx2=$(lc_target x2) dirx3=$(lc_target x3)
lc_db "tenant_${ta}_metadata" || bail_out "cannot create $ta's database"
db_on "$E2" "tenant_${tb}_metadata" || bail_out "cannot create $tb's database on eng2"
db_on "$E3" "tenant_${tc}_metadata" || bail_out "cannot create $tc's database on eng3"
db_on "$E2" "tenant_${tx}_metadata" || bail_out "cannot create $tx's database on eng2"
db_on "$E3" "tenant_${tx}_metadata" || bail_out "cannot create $tx's database on eng3"

# --- one tenant per engine ------------------------------------------------------------------
lc_provision "$ta" "$dira" --no-initial-backup
expect "provision $ta on the test engine" 0 "^PostgreSQL backup configured successfully!"
prov_on "eng2=$E2" "$tb" "$dirb"
expect "provision $tb on eng2, first backup from eng2's own postgres" 0 "^PostgreSQL backup configured successfully!"
prov_on "eng3=$E3" "$tc" "$dirc" --no-initial-backup
expect "provision $tc on eng3" 0 "^PostgreSQL backup configured successfully!"
is "$(d2 ps -q --filter "name=deeplens-backup-$tb" | wc -l) $(d3 ps -q --filter "name=deeplens-backup-$tc" | wc -l)" \
    "1 1" "each container is on its own engine"

# --- list, list --json, status, metrics: every engine, tagged ---------------------------------
T --config "$conf" list
is "$rc" 0 "list over three engines exits 0"
has_line "$out" "^TENANT +ENGINE +HEALTH " "list has an ENGINE column"
has_line "$out" "^$ta +test +" "$ta tagged test"
has_line "$out" "^$tb +eng2 +" "$tb tagged eng2"
has_line "$out" "^$tc +eng3 +" "$tc tagged eng3"

T -H "test=$E1" -H "eng2=$E2" -H "eng3=$E3" list
has_line "$out" "^$tc +eng3 +" "repeated -H NAME=ADDRESS: the same tags"
T -H "$E1" -H "$E3" list
has_line "$out" "^$tc +unix:///run/deeplens-eng3/docker.sock +" "an unnamed -H is tagged with its address"
T -H "eng2=$E2" list
has_line "$out" "^TENANT +HEALTH " "one engine: no ENGINE column, as before"
has_line "$out" "^$tb +" "one engine: its tenant"

json=$(J --config "$conf" list --json)
is "$(jq -r --arg a "$ta" --arg b "$tb" --arg c "$tc" \
    '[.[] | select(.tenant == $a or .tenant == $b or .tenant == $c) | "\(.tenant)=\(.engine):\(.conflict)"] | join(" ")' <<< "$json")" \
    "$ta=test:false $tb=eng2:false $tc=eng3:false" "list --json: an engine field and conflict false on each"
json=$(J -H "eng3=$E3" list --json)
is "$(jq -r 'map(has("engine")) | any' <<< "$json")" "false" "one engine: no engine field in the JSON, as before"

T --config "$conf" status
like "$rc" "^[06]$" "status over three engines: exit 0 or 6 (health), not an engine error"
has_line "$out" "Backup Status: $tb" "status shows $tb"
is "$(printf '%s\n' "$out" | grep -A1 "Backup Status: $tb\$" | grep -c "Engine: *eng2")" 1 "status: $tb's block says Engine: eng2"
json=$(J --config "$conf" status --json)
is "$(jq -r --arg b "$tb" '.[] | select(.tenant == $b) | "\(.engine) \(.job_status_read) \(.file_count)"' <<< "$json")" \
    "eng2 true 1" "status --json: $tb on eng2 with its job status read (1 file)"

T --config "$conf" metrics
is "$rc" 0 "metrics over three engines exits 0"
metrics_text=$out
is "$(printf '%s\n' "$out" | python3 "$root/tests/lib/promcheck.py")" "" "metrics: strict exposition format"
has_line "$out" "^tenant_backup_count_total\{tenant=\"$tb\",engine=\"eng2\"\} 1\$" "metrics: $tb labelled engine=eng2"
has_line "$out" "^tenant_backup_health_info\{tenant=\"$tc\",engine=\"eng3\"," "metrics: $tc labelled engine=eng3"
is "$(printf '%s\n' "$metrics_text" | grep -c '^tenant_backup_engine_up{engine="\(test\|eng2\|eng3\)"} 1$')" 3 \
    "metrics: tenant_backup_engine_up 1 for each engine"

# --- actions go to the tenant's own engine -----------------------------------------------------
before=$(lc_backups "$dirc/$tc" "tenant_${tc}_metadata" | wc -l)
T --config "$conf" backup-now "$tc"
expect "backup-now $tc (on eng3) from three engines" 0 "backup"
is "$(lc_backups "$dirc/$tc" "tenant_${tc}_metadata" | wc -l)" "$((before + 1))" \
    "the new file is $tc's, dumped from eng3's postgres (its database exists only there)"
T --config "$conf" files "$tb"
expect "files $tb finds it on eng2" 0 "tenant_${tb}_metadata_"
T --config "$conf" logs --tail 5 "$tc"
is "$rc" 0 "logs $tc from eng3"
T --config "$conf" status "$tc"
has_line "$out" "Engine: *eng3" "status $tc names eng3"
T --config "$conf" status "${id}nope"
expect "status of a tenant on no engine" 4 "no backup configured for tenant '${id}nope' on any engine \(test, eng2, eng3\)"
T --config "$conf" provision "${id}new" --nfs-path "local:$dira" --password-file "$pw_file"
expect "provision with several engines needs one named" 2 "name the one to create tenant '${id}new' on with -H ENGINE"

# --- read-only engines: `read-only` on an engine line, --read-only-engine ----------------------
conf_ro=$work/engines-ro.conf
cat > "$conf_ro" << EOF
engine test host $E1
engine eng2 host $E2 read-only
engine eng3 host $E3
EOF
audit=$XDG_STATE_HOME/deeplens-backup/audit.jsonl
# everything of this run on eng2 that a change could touch: tb's container (id, start, restarts,
# labels), every container and volume of the run there, tb's target
eng2_state() {
    d2 inspect -f '{{.Id}} {{.State.StartedAt}} {{.RestartCount}} {{json .Config.Labels}}' "deeplens-backup-$tb"
    d2 ps -a --filter "name=$id" --format '{{.Names}} {{.State}}' | sort
    d2 volume ls -q --filter "name=$id" | sort
    lc_snapshot "$dirb"
}
s2=$(eng2_state)
like "$s2" "io\.deeplens" "eng2's state recorded ($tb's container and labels)"
nrec=$(cat "$audit" 2> /dev/null | wc -l)
fileb=$(lc_backups "$dirb/$tb" "tenant_${tb}_metadata" | head -n 1)
refused() {   # refused NAME HOW ARGS...: exit 8 naming eng2 and HOW, eng2 unchanged
    local name=$1 how=$2
    shift 2
    T "$@"
    expect "$name: refused, exit 8" 8 "refused: (tenant '$tb' is on engine 'eng2', which is|engine 'eng2' is) read-only \($how\): nothing done"
    is "$(eng2_state)" "$s2" "$name: nothing changed on eng2 (container, labels, target)"
}
cfg_ro="read-only on its engine line in the config"
refused "backup-now $tb (eng2 read-only in the config)" "$cfg_ro" --config "$conf_ro" backup-now "$tb"
refused "restart $tb" "$cfg_ro" --config "$conf_ro" restart "$tb"
refused "reschedule $tb" "$cfg_ro" --config "$conf_ro" reschedule "$tb" --schedule "7 3 * * *"
refused "drill $tb" "$cfg_ro" --config "$conf_ro" drill "$tb"
refused "restore $tb $fileb" "$cfg_ro" --config "$conf_ro" restore "$tb" "$fileb" --to "tenant_${tb}_ro"
refused "remove $tb --delete-backups --yes" "$cfg_ro" --config "$conf_ro" remove "$tb" --delete-backups --yes
refused "provision --replace $tb (routed to eng2)" "$cfg_ro" \
    --config "$conf_ro" provision "$tb" --replace --nfs-path "local:$dirb" --password-file "$pw_file"
refused "provision a new tenant with -H eng2 (a read-only config engine)" "$cfg_ro" \
    --config "$conf_ro" -H eng2 provision "${id}ro" --nfs-path "local:$dirb" --image "$runner" \
    --postgres-host "$pg" --postgres-user "$pg_user" --network "$net" --password-file "$pw_file"
is "$(d2 ps -aq --filter "name=deeplens-backup-${id}ro" | wc -l)" 0 "... no container made for ${id}ro on eng2"
refused "backup-now $tb with -H eng2=ADDRESS --read-only-engine eng2" "--read-only-engine eng2" \
    -H "eng2=$E2" --read-only-engine eng2 backup-now "$tb"
refused "restart $tb: --read-only-engine eng2 over the plain config" "--read-only-engine eng2" \
    --config "$conf" --read-only-engine eng2 restart "$tb"
is "$(cat "$audit" 2> /dev/null | wc -l)" "$nrec" "no audit record for a refused change (as in read-only mode)"

# reads work on the read-only engine, changes on the others
T --config "$conf_ro" list
is "$rc" 0 "list with eng2 read-only exits 0"
has_line "$out" "^$tb +eng2 +" "... $tb listed on eng2"
T --config "$conf_ro" status "$tb"
has_line "$out" "Engine: *eng2" "status $tb reads eng2"
T --config "$conf_ro" files "$tb"
expect "files $tb reads eng2" 0 "$fileb"
T --config "$conf_ro" logs --tail 3 "$tb"
is "$rc" 0 "logs $tb reads eng2"
T --config "$conf_ro" verify "$tb"
is "$rc" 0 "verify $tb (a read) works on eng2"
is "$(eng2_state)" "$s2" "the reads changed nothing on eng2"
before=$(lc_backups "$dirc/$tc" "tenant_${tc}_metadata" | wc -l)
T --config "$conf_ro" backup-now "$tc"
expect "the same config: backup-now $tc on eng3 (writable) runs" 0 "backup"
is "$(lc_backups "$dirc/$tc" "tenant_${tc}_metadata" | wc -l)" "$((before + 1))" "... a new file of $tc"
check "... recorded in the audit trail" \
    grep -q "\"action\":\"backup-now\",\"tenant\":\"$tc\".*\"result\":\"ok\"" "$audit"
T --config "$conf" --read-only-engine eng3 --read-only-engine eng2 backup-now "$tc"
expect "--read-only-engine eng3 (repeated): backup-now $tc refused" 8 \
    "tenant '$tc' is on engine 'eng3', which is read-only \(--read-only-engine eng3\)"
T --config "$conf" --read-only-engine eng3 reschedule "$ta" --schedule "9 4 * * *"
is "$rc" 0 "--read-only-engine eng3: $ta on the test engine is rescheduled"
is "$("$docker" inspect -f '{{index .Config.Labels "io.deeplens.backup.schedule"}}' "deeplens-backup-$ta" 2> /dev/null)" \
    "9 4 * * *" "... its new schedule is on its container"

# bad input: named, nothing asked
T --config "$conf" --read-only-engine eng9 backup-now "$tb"
expect "--read-only-engine with an unknown name" 2 \
    "unknown engine 'eng9' in --read-only-engine: the engines are test, eng2, eng3"
T --read-only-engine eng2 list
expect "--read-only-engine with one unnamed engine" 2 \
    "unknown engine 'eng2' in --read-only-engine: the one engine has no name"
printf 'engine eng2 host %s readonly\n' "$E2" > "$work/bad-ro.conf"
T --config "$work/bad-ro.conf" list
expect "an engine line with another trailing word" 2 "invalid engine 'eng2': unknown word 'readonly' after the host"
is "$(eng2_state)" "$s2" "eng2 unchanged at the end"

# --- a tenant on two engines: a conflict ----------------------------------------------------------
prov_on "eng2=$E2" "$tx" "$dirx2" --no-initial-backup
expect "provision $tx on eng2" 0 "configured successfully"
prov_on "eng3=$E3" "$tx" "$dirx3" --no-initial-backup
expect "provision $tx on eng3 too" 0 "configured successfully"
T --config "$conf" list
expect "list reports the conflict, exit 5" 5 "conflict: tenant '$tx' is on several engines: 'eng2', 'eng3'"
has_line "$out" "^$tx +eng2 \(conflict\) " "$tx's eng2 row marked (conflict)"
has_line "$out" "^$tx +eng3 \(conflict\) " "$tx's eng3 row marked (conflict)"
json=$(J --config "$conf" list --json)
is "$(jq -r --arg x "$tx" '[.[] | select(.tenant == $x) | "\(.engine):\(.conflict)"] | join(" ")' <<< "$json")" \
    "eng2:true eng3:true" "list --json: both rows conflict true"
T --config "$conf" backup-now "$tx"
expect "an action on it is refused naming both engines" 5 "tenant '$tx' is on 2 engines, 'eng2' and 'eng3': name the one to use with -H ENGINE"
T --config "$conf" -H eng3 backup-now "$tx"
expect "with the engine named (-H eng3, a config name) it runs there" 0 "backup"
is "$(lc_backups "$dirx3/$tx" "tenant_${tx}_metadata" | wc -l) $(lc_backups "$dirx2/$tx" "tenant_${tx}_metadata" | wc -l)" \
    "1 0" "the file is in eng3's target only"
T --config "$conf" -H eng2 -H eng9 list
expect "a -H value that is no config name is an address (here: unreachable)" 3 "engine 'eng9'"

# --- an engine gone: the others still listed, bounded -------------------------------------------
proxy=$work/eng3.sock
python3 "$root/tests/tui/sockproxy.py" "$proxy" "${E3#unix://}" &
proxy_pid=$!
cli_at_exit "kill $proxy_pid"
for _ in $(seq 1 50); do [ -S "$proxy" ] && break; sleep 0.1; done
T -H "test=$E1" -H "eng2=$E2" -H "eng3=unix://$proxy" list
has_line "$out" "^$tc +eng3 +" "through the proxy: eng3 listed"
kill "$proxy_pid"
wait "$proxy_pid" 2> /dev/null
T -H "test=$E1" -H "eng2=$E2" -H "eng3=unix://$proxy" list
is "$rc" 3 "eng3 gone: list exits 3"
has_line "$out" "^deeplens-backup: engine 'eng3' unreachable: cannot reach the docker engine" "one line says eng3 is unreachable, and why"
has_line "$out" "^$ta +test +" "the test engine's tenant still listed"
has_line "$out" "^$tb +eng2 +" "eng2's tenant still listed"
ok_if() { if [ "$1" ]; then ok "$2"; else not_ok "$2" "took $secs s"; fi; }
ok_if "$([ "$secs" -le 3 ] && echo y)" "a gone engine costs no wait (${secs} s)"
T -H "test=$E1" -H "eng2=$E2" -H "eng3=unix://$proxy" metrics
has_line "$out" '^tenant_backup_engine_up\{engine="eng3"\} 0$' "metrics: engine_up 0 for eng3"
is "$rc" 3 "metrics with an engine gone exits 3"

# an engine that accepts and never answers: bounded by its own timeout
python3 - "$work/hang.sock" << 'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(64)
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)   # read nothing, answer nothing
PY
hang_pid=$!
cli_at_exit "kill $hang_pid"
for _ in $(seq 1 50); do [ -S "$work/hang.sock" ] && break; sleep 0.1; done
T -H "test=$E1" -H "eng2=$E2" -H "hung=unix://$work/hang.sock" list
is "$rc" 3 "a hung engine: list exits 3"
has_line "$out" "^deeplens-backup: engine 'hung' unreachable: " "the hung engine is named"
has_line "$out" "^$tb +eng2 +" "eng2's tenant listed beside the hung engine"
ok_if "$([ "$secs" -le 12 ] && echo y)" "the hung engine costs at most its own timeout (${secs} s)"

done_testing
