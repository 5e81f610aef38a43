#!/usr/bin/env bash
# tests/integration/job/backup_job.test.sh - the in-container job (src/backup/job/*.sh)
# against the real engine and PostgreSQL, containers built the way the C side builds them:
# docker create runner image + bind-backed local volume at /backups, scripts, backup.conf,
# pgpass and crontab copied in before the first start. Prints TAP.
#
# Needs tests/env/up.sh to have run (/run/deeplens-test/env). Uses the shared
# deeplens-postgres when it is running (or tests/env/postgres.sh can start it), else a
# private server. Everything it creates carries a unique name and is removed on exit.

# shellcheck disable=SC2010 # ls | grep over directories whose names the test made
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
job_src=$root/src/backup/job

# --- TAP --------------------------------------------------------------------
t_n=0 t_failed=0
pass() { t_n=$((t_n + 1)); echo "ok $t_n - $1"; }
fail() {
    t_n=$((t_n + 1)) t_failed=$((t_failed + 1))
    echo "not ok $t_n - $1"
    shift
    local l
    for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
# check NAME CMD...: pass when CMD succeeds
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}
# like NAME TEXT PATTERN: pass when TEXT matches the extended regex
like() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "expected /$3/ in:" "$2"; fi
}
unlike() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then fail "$1" "unexpected /$3/ in:" "$2"; else pass "$1"; fi
}
# expect NAME WANT_RC GOT_RC OUTPUT REGEX: exit status and a matching line
expect() {
    if [ "$2" = "$3" ] && printf '%s\n' "$4" | grep -Eq -- "$5"; then
        pass "$1"
    else
        fail "$1" "expected exit $2 and /$5/, got exit $3:" "$4"
    fi
}
is() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:      '$2'" "expected: '$3'"; fi
}
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
bail() {
    echo "Bail out! $*"
    exit 1
}

# --- environment ---------------------------------------------------------------
env_file=/run/deeplens-test/env
if [ ! -r "$env_file" ]; then
    echo "1..0 # SKIP test bed not up (run tests/env/up.sh)"
    exit 0
fi
# shellcheck source=/dev/null
. "$env_file"
docker=${DL_TEST_DOCKER:-/usr/bin/docker}
dk() { "$docker" "$@"; }
dk version >/dev/null 2>&1 || bail "engine not answering on $DOCKER_HOST"
runner=${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}
net=${DL_TEST_NETWORK:-deeplens-network}
pg_user=${DL_TEST_PG_USER:-deeplens}
pg_pw=$(cat "${DL_TEST_PG_PASSWORD_FILE:-/run/deeplens-test/pg-password}" 2>/dev/null)
[ -n "$pg_pw" ] || pg_pw=deeplens-dev

id=jt$$$RANDOM
tenant=$id
db=tenant_${id}_metadata
work=$(mktemp -d /tmp/dl-jobtest.XXXXXX)
containers=() volumes=() databases=() bg_pids=() own_pg=
t_start=$SECONDS

cleanup() {
    local p c v d
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
    for c in "${containers[@]}"; do dk rm -f "$c" >/dev/null 2>&1; done
    for v in "${volumes[@]}"; do dk volume rm -f "$v" >/dev/null 2>&1; done
    if [ -n "${pg:-}" ] && [ -z "$own_pg" ]; then
        for d in "${databases[@]}"; do
            dk exec "$pg" psql -X -q -U "$pg_user" -d postgres \
                -c "drop database if exists \"$d\" with (force)" >/dev/null 2>&1
        done
    fi
    [ -n "$own_pg" ] && dk rm -f -v "$own_pg" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL: the shared server, else a private one
pg=${DL_TEST_PG_CONTAINER:-deeplens-postgres}
if [ "$(dk inspect -f '{{.State.Running}}' "$pg" 2>/dev/null)" != true ] && [ -x "$root/tests/env/postgres.sh" ]; then
    "$root/tests/env/postgres.sh" >/dev/null 2>&1
fi
if [ "$(dk inspect -f '{{.State.Running}}' "$pg" 2>/dev/null)" != true ]; then
    pg=dl-$id-pg own_pg=$pg
    dk run -d --name "$pg" --network "$net" -e POSTGRES_USER="$pg_user" \
        -e POSTGRES_PASSWORD="$pg_pw" "${DL_TEST_PG_IMAGE:-deeplens/postgres:15}" >/dev/null ||
        bail "cannot start a private PostgreSQL"
fi
pg_host=$pg
psql_pg() { dk exec -i "$pg" psql -X -q -v ON_ERROR_STOP=1 -U "$pg_user" "$@"; }
# Ready means a password login over TCP, as the job will do it (the image's first start
# runs a socket-only server for initialisation, then restarts).
pg_login() { dk exec -e PGPASSWORD="$pg_pw" "$pg" psql -X -h 127.0.0.1 -U "$pg_user" -d postgres -Atc 'select 1' >/dev/null 2>&1; }
for _ in $(seq 1 120); do
    pg_login && break
    sleep 0.5
done
pg_login || bail "PostgreSQL $pg not ready, or the password in ${DL_TEST_PG_PASSWORD_FILE:-?} does not log in as $pg_user"

create_db() { # NAME: a database with tables a (1000 rows) and b (250 rows)
    databases+=("$1")
    psql_pg -d postgres -c "create database \"$1\"" >/dev/null &&
        psql_pg -d "$1" -c "create table a (id int primary key, t text);
            insert into a select g, md5(g::text) from generate_series(1, 1000) g;
            create table b (id serial primary key, v numeric);
            insert into b (v) select g * 1.5 from generate_series(1, 250) g;" >/dev/null
}
rows() { psql_pg -d "$1" -Atc "select (select count(*) from a) || ' ' || (select count(*) from b)"; }

# --- containers, built like the C side builds them -----------------------------------

# make_container NAME [KEY=VALUE ...]: created, configured, not started; NAME's volume is
# the host directory $work/NAME, the tenant's own directory in it $work/NAME/$tenant
make_container() {
    local name=$1 st=$work/stage-$1 dir=$work/$1 kv k v
    shift
    mkdir -p "$st/usr/local/bin" "$st/etc/deeplens" "$st/etc/crontabs" "$dir"
    chown 999:999 "$dir"
    install -m 0755 "$job_src/backup.sh" "$st/usr/local/bin/backup.sh"
    install -m 0755 "$job_src/entrypoint.sh" "$st/usr/local/bin/deeplens-entrypoint.sh"
    declare -A conf=([TENANT]=$tenant [DB]=$db [PGHOST]=$pg_host [PGPORT]=5432 [PGUSER]=$pg_user
        [RETENTION_DAYS]=30 [KEEP_MIN]=2 [COMPRESSION]=1 [BACKUP_UID]=999 [BACKUP_GID]=999
        [SCHEDULE]='0 2 * * *' [MAX_GAP]=86400 [BACKUP_ROOT]=/backups [LOCK_STALE]=120)
    for kv in "$@"; do conf[${kv%%=*}]=${kv#*=}; done
    : >"$st/etc/deeplens/backup.conf"
    for k in TENANT DB PGHOST PGPORT PGUSER RETENTION_DAYS KEEP_MIN COMPRESSION BACKUP_UID \
        BACKUP_GID SCHEDULE MAX_GAP BACKUP_ROOT LOCK_STALE; do
        v=${conf[$k]}
        printf "%s='%s'\n" "$k" "${v//\'/\'\\\'\'}" >>"$st/etc/deeplens/backup.conf"
    done
    chmod 0644 "$st/etc/deeplens/backup.conf"
    printf '%s:%s:*:%s:%s\n' "${conf[PGHOST]}" "${conf[PGPORT]}" "${conf[PGUSER]}" "$pg_pw" \
        >"$st/etc/deeplens/pgpass"
    chown 999:999 "$st/etc/deeplens/pgpass"
    chmod 0600 "$st/etc/deeplens/pgpass"
    printf '%s /usr/local/bin/backup.sh --cron\n' "${conf[SCHEDULE]}" >"$st/etc/crontabs/root"
    chmod 0600 "$st/etc/crontabs/root"

    volumes+=("$name")
    dk volume create --driver local --opt type=none --opt o=bind --opt device="$dir" "$name" >/dev/null ||
        return 1
    containers+=("$name")
    dk create --name "$name" --network "$net" --mount "type=volume,source=$name,target=/backups" \
        --label org.deeplens.test=1 --entrypoint /bin/sh "$runner" \
        /usr/local/bin/deeplens-entrypoint.sh >/dev/null || return 1
    tar -C "$st" --numeric-owner -cf - ./usr/local/bin/backup.sh ./usr/local/bin/deeplens-entrypoint.sh \
        ./etc/deeplens/backup.conf ./etc/deeplens/pgpass ./etc/crontabs/root | dk cp - "$name:/"
}

# start_container NAME: start and wait for its start line
start_container() {
    dk start "$1" >/dev/null || return 1
    wait_log "$1" 'event=start' 15
}

# wait_log NAME REGEX SECONDS
wait_log() {
    for _ in $(seq 1 $(($3 * 5))); do
        dk logs "$1" 2>&1 | grep -Eq -- "$2" && return 0
        sleep 0.2
    done
    return 1
}

job() { # NAME ARGS...: run backup.sh in the container as the operator would (docker exec, root)
    local name=$1
    shift
    dk exec "$name" /usr/local/bin/backup.sh "$@"
}

status_of() { dk exec "$1" cat /var/lib/deeplens/status; }
key() { printf '%s\n' "$1" | awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }'; }
backups_in() { # DIR: backup-looking names of this tenant
    ls -1 "$1" | grep -E "^${db}_[0-9]{8}_[0-9]{6}\.sql(\.gz)?\$" || true
}
ts_days_ago() { date -u -d "-$1 days" +%Y%m%d_%H%M%S; }

create_db "$db" || bail "cannot create database $db"

# The scheduled container starts first: its run is checked at the end (~70 s later).
cron_c=dl-$id-cron
make_container "$cron_c" SCHEDULE='* * * * *' MAX_GAP=60 || bail "cannot create $cron_c"
start_container "$cron_c" || fail "scheduled container starts" "$(dk logs "$cron_c" 2>&1 | tail -5)"
cron_started=$SECONDS

# --- 1. a good backup ------------------------------------------------------------------
main_c=dl-$id-main
main_dir=$work/$main_c/$tenant
make_container "$main_c" || bail "cannot create $main_c"
check "container starts and prints its start line" start_container "$main_c"
like "start line names tenant, schedule, retention" "$(dk logs "$main_c" 2>&1)" \
    "event=start tenant=$tenant database=$db schedule=\"0 2 \\* \\* \\*\" retention_days=30"
is "health before any backup is ok" "$(job "$main_c" --health | cut -c1-3)" "ok:"

out=$(job "$main_c")
rc=$?
is "manual backup exits 0" "$rc" 0
like "manual backup prints the result line" "$out" \
    "^ts=[0-9TZ:-]+ event=backup tenant=$tenant result=ok file=${db}_[0-9]{8}_[0-9]{6}\.sql\.gz size=[0-9]+ duration=[0-9.]+ pruned=0\$"
good=$(backups_in "$main_dir" | tail -n 1)
check "backup file exists on the volume" test -s "$main_dir/$good"
check "sha256 sidecar matches (sha256sum -c)" sh -c "cd '$main_dir' && sha256sum -c --status '$good.sha256'"
is "sidecar names the final file" "$(awk '{print $2}' "$main_dir/$good.sha256")" "$good"
check "gzip -t passes" gzip -t "$main_dir/$good"
like "dump ends with the completion trailer" "$(gzip -dc "$main_dir/$good" | tail -n 8)" \
    '^-- PostgreSQL database dump complete$'
is "backup owned by uid 999" "$(stat -c %u:%g "$main_dir/$good")" "999:999"
is "no temporaries left" "$(ls -A "$main_dir" | grep -c partial)" 0
st=$(status_of "$main_c")
is "status: version" "$(key "$st" version)" 1
is "status: last_result ok" "$(key "$st" last_result)" ok
is "status: last_file" "$(key "$st" last_file)" "$good"
is "status: last_success_file" "$(key "$st" last_success_file)" "$good"
is "status: last_size is the file size" "$(key "$st" last_size)" "$(stat -c %s "$main_dir/$good")"
like "status: db_size_bytes" "$(key "$st" db_size_bytes)" '^[0-9]+$'
like "status: disk figures" "$(key "$st" disk_total_kb) $(key "$st" disk_free_kb)" '^[0-9]+ [0-9]+$'
is "status: file_count" "$(key "$st" file_count)" 1
like "status: file line" "$st" "^file=$good [0-9]+ [0-9]+ [0-9a-f]{64}\$"
check "status copy beside the backups" test -s "$main_dir/.deeplens/status"
check "result line reaches docker logs" wait_log "$main_c" "event=backup tenant=$tenant result=ok file=$good" 5
out=$(job "$main_c" --health)
is "health ok after a good backup" "$?:$(printf '%s' "$out" | head -n1 | cut -c1-3)" "0:ok:"
is "... then the status summary for the engine's health log" \
    "$(printf '%s\n' "$out" | sed -n 2p)|$(key "$out" last_result)|$(key "$out" file_count)" "version=1|ok|1"
if grep -q '^file=' <<< "$out"; then fail "... without the file list"; else pass "... without the file list"; fi

# --- 1b. a run exec'd before the entrypoint is ready waits for it ------------------------
# (provision execs the initial backup right after the start; the entrypoint's preparation
# clears .work.* and would pull the run's scratch directory away under it)
boot=$(dk exec "$main_c" awk '{ print $22 }' /proc/1/stat)
is "the entrypoint marks the start ready with PID 1's start time" \
    "$(dk exec "$main_c" cat /var/lib/deeplens/ready)" "$boot"
dk exec "$main_c" sh -c 'echo 0 > /var/lib/deeplens/ready'
job "$main_c" >"$work/early.out" 2>&1 &
early=$!
bg_pids+=("$early")
sleep 1.5
is "a run waits while the mark is not this start's" "$(cat "$work/early.out")" ""
dk exec "$main_c" sh -c "echo $boot > /var/lib/deeplens/ready"
wait "$early"
like "and goes ahead once it is" "$?:$(cat "$work/early.out")" '^0:.*result=ok'
good=$(backups_in "$main_dir" | tail -n 1)

# --- 2. list, verify --------------------------------------------------------------------
out=$(job "$main_c" --list)
like "--list: name size mtime sha256 tables rows" "$out" "^$good $(stat -c %s "$main_dir/$good") [0-9]+ sha256 [0-9]+ [0-9]+\$"
like "--list: df line" "$out" '^# df total_kb=[0-9]+ used_kb=[0-9]+ free_kb=[0-9]+$'
out=$(job "$main_c" --verify)
is "--verify newest exits 0" "$?" 0
like "--verify prints ok" "$out" "event=verify tenant=$tenant result=ok file=$good .*checksum=sha256"

bad1=${db}_$(ts_days_ago 3).sql.gz bad2=${db}_$(ts_days_ago 4).sql.gz
cp "$main_dir/$good" "$main_dir/$bad1"
(cd "$main_dir" && sha256sum "$bad1" >"$bad1.sha256")
size=$(stat -c %s "$main_dir/$bad1")
printf 'XXXXXXXX' | dd of="$main_dir/$bad1" bs=1 seek=$((size / 2)) conv=notrunc status=none
head -c $((size / 2)) "$main_dir/$good" >"$main_dir/$bad2"
(cd "$main_dir" && sha256sum "$bad2" >"$bad2.sha256")
chown 999:999 "$main_dir"/*
out=$(job "$main_c" --verify "$bad1")
rc=$?
expect "--verify detects a corrupted file" 1 "$rc" "$out" "event=verify tenant=$tenant result=FAILED file=$bad1 reason="
out=$(job "$main_c" --verify "$bad2")
rc=$?
expect "--verify detects a truncated file" 1 "$rc" "$out" "result=FAILED file=$bad2 reason=\"gzip integrity check failed"
# an intact gzip whose dump lacks the trailer, and a sidecar that lies
bad3=${db}_$(ts_days_ago 5).sql.gz
gzip -dc "$main_dir/$good" | head -n 20 | gzip >"$main_dir/$bad3"
(cd "$main_dir" && sha256sum "$bad3" >"$bad3.sha256")
chown 999:999 "$main_dir"/*
like "--verify detects a dump without trailer" "$(job "$main_c" --verify "$bad3")" \
    'result=FAILED .*reason="dump incomplete: trailer missing"'
echo "0000000000000000000000000000000000000000000000000000000000000000  $good" >"$work/fake.sha256"
cp "$main_dir/$good.sha256" "$work/good.sha256"
cp "$work/fake.sha256" "$main_dir/$good.sha256"
like "--verify detects a checksum mismatch" "$(job "$main_c" --verify "$good")" 'result=FAILED .*reason="checksum mismatch'
cp "$work/good.sha256" "$main_dir/$good.sha256"
like "--verify rejects a path" "$(job "$main_c" --verify ../etc/deeplens/pgpass)" 'result=FAILED .*not a backup of database'
rm -f "$main_dir/$bad1"* "$main_dir/$bad2"* "$main_dir/$bad3"*

# --- 3. restore ---------------------------------------------------------------------
rdb=${db}_restore
databases+=("$rdb")
out=$(job "$main_c" --restore "$good" "$rdb")
rc=$?
expect "--restore into a new database" 0 "$rc" "$out" "event=restore tenant=$tenant result=ok file=$good database=$rdb"
is "restored row counts are identical" "$(rows "$rdb")" "$(rows "$db")"
out=$(job "$main_c" --restore "$good" "$rdb")
rc=$?
expect "--restore refuses a non-empty database without --force" 3 "$rc" "$out" \
    "result=FAILED file=$good database=$rdb reason=\".*--force"
psql_pg -d "$rdb" -c 'delete from b' >/dev/null
out=$(job "$main_c" --restore "$good" "$rdb" --force)
rc=$?
expect "--restore --force replaces it" 0 "$rc" "$out" "result=ok file=$good database=$rdb"
is "rows back after --force" "$(rows "$rdb")" "$(rows "$db")"
like "--restore rejects a path as FILE" "$(job "$main_c" --restore "/backups/$good" "$rdb" 2>&1)" 'result=FAILED'
like "--restore rejects a bad database name" "$(job "$main_c" --restore "$good" 'x";drop' 2>&1)" 'result=FAILED .*invalid database name'

# --- 4. failures leave old backups untouched ---------------------------------------------
snapshot() { (cd "$main_dir" && ls -A | grep -v '^\.deeplens$' | sort | xargs -r sha256sum); }
before=$(snapshot)
dk exec "$main_c" sh -c "sed -i 's/:[^:]*\$/:not-the-password/' /etc/deeplens/pgpass"
out=$(job "$main_c")
rc=$?
is "wrong password: exit 1" "$rc" 1
like "wrong password: FAILED with pg_dump's reason" "$out" \
    "result=FAILED reason=\"pg_dump: error: .*password authentication failed for user \\\\\"$pg_user\\\\\"\""
is "wrong password: files untouched, nothing new" "$(snapshot)" "$before"
is "wrong password: status FAILED" "$(key "$(status_of "$main_c")" last_result)" FAILED
is "wrong password: last_success kept" "$(key "$(status_of "$main_c")" last_success_file)" "$good"
out=$(job "$main_c" --health)
like "health failing after a failed run" "$?:$out" '^1:failing: pg_dump: error: .*password authentication failed'
dk exec "$main_c" sh -c "sed -i 's/:[^:]*\$/:$pg_pw/' /etc/deeplens/pgpass"

gone=${db}_gone
databases+=("$gone")
psql_pg -d postgres -c "create database \"$gone\"" >/dev/null
psql_pg -d postgres -c "drop database \"$gone\"" >/dev/null
dk exec "$main_c" sed -i "s/^DB=.*/DB='$gone'/" /etc/deeplens/backup.conf
out=$(job "$main_c")
rc=$?
expect "dropped database: FAILED" 1 "$rc" "$out" "result=FAILED reason=\"pg_dump: error: .*database \\\\\"$gone\\\\\" does not exist"
is "dropped database: nothing new" "$(snapshot)" "$before"
dk exec "$main_c" sed -i "s/^DB=.*/DB='$db'/" /etc/deeplens/backup.conf

chmod 0555 "$main_dir"
out=$(job "$main_c")
rc=$?
expect "target not writable: FAILED naming the uid" 1 "$rc" "$out" "result=FAILED reason=\"target /backups/$tenant not writable by uid 999\""
chmod 0755 "$main_dir"
is "target not writable: nothing new" "$(snapshot)" "$before"

out=$(job "$main_c")
like "a good run after failures" "$?:$out" '^0:.*result=ok'
is "health ok again" "$(job "$main_c" --health | head -n1 | cut -c1-3)" "ok:"

# --- 5. health: overdue -------------------------------------------------------------------
now=$(date +%s)
dk exec "$main_c" sh -c "sed -i 's/^last_success=.*/last_success=$((now - 86400 - 600 - 8640 - 60))/' /var/lib/deeplens/status"
out=$(job "$main_c" --health)
like "health overdue when the last good backup is too old" "$?:$out" \
    "^1:overdue: last good backup 1d[0-9]+h ago \\(schedule '0 2 \\* \\* \\*'\\)"
dk exec "$main_c" sh -c "sed -i 's/^last_success=.*/last_success=$((now - 86400))/' /var/lib/deeplens/status"
like "health ok within MAX_GAP + grace" "$(job "$main_c" --health)" '^ok: last good backup'
dk exec "$main_c" sh -c "sed -i '/^last_success=/d' /var/lib/deeplens/status; echo $((now - 200000)) > /var/lib/deeplens/started"
out=$(job "$main_c" --health)
like "health overdue when no good backup since a start long ago" "$?:$out" '^1:overdue: no good backup'

# --- 6. the password is in no inspect, argv or environment -------------------------------
check "password not in docker inspect" sh -c "! $docker inspect '$main_c' '$cron_c' | grep -qF -- '$pg_pw'"
job "$main_c" >/dev/null &
bg=$!
sleep 0.3
procs=$(dk exec "$main_c" sh -c 'ps -eo user,args; cat /proc/[0-9]*/environ 2>/dev/null | tr "\0" "\n"')
wait "$bg"
like "ps shows the container's processes" "$procs" 'crond'
unlike "password not in ps or any process environment" "$procs" "$pg_pw|PGPASSWORD"
is "pgpass is 0600 and owned by the backup uid" "$(dk exec "$main_c" stat -c '%a %u' /etc/deeplens/pgpass)" "600 999"

# --- 7. retention --------------------------------------------------------------------------
ret_c=dl-$id-ret
ret_dir=$work/$ret_c/$tenant
make_container "$ret_c" KEEP_MIN=3 RETENTION_DAYS=30 || bail "cannot create $ret_c"
mkdir -p "$ret_dir"
declare -a old
for d in 40 41 42 43 44; do
    n=${db}_$(ts_days_ago "$d").sql.gz
    old+=("$n")
    gzip -dc "$main_dir/$good" | gzip >"$ret_dir/$n"
    (cd "$ret_dir" && sha256sum "$n" >"$n.sha256")
done
foreign=("tenant_other_metadata_$(ts_days_ago 50).sql.gz" manual_backup.sql.gz
    "${db}_$(ts_days_ago 50).sql.gz.bak" "x${db}_$(ts_days_ago 50).sql.gz" notes.txt)
for n in "${foreign[@]}"; do cp "$ret_dir/${old[0]}" "$ret_dir/$n"; done
# a dead run's temporary, and another tenant's (must stay)
stale=.${db}_$(ts_days_ago 1).sql.gz.partial
foreign_tmp=.tenant_other_metadata_$(ts_days_ago 1).sql.gz.partial
echo junk >"$ret_dir/$stale"
echo junk >"$ret_dir/$foreign_tmp"
touch -d '-60 days' "$ret_dir"/* "$ret_dir/$stale" "$ret_dir/$foreign_tmp"
chown -R 999:999 "$ret_dir"
start_container "$ret_c" || fail "retention container starts"
out=$(job "$ret_c")
like "retention run ok, 3 pruned" "$?:$out" 'result=ok .*pruned=3$'
left=$(backups_in "$ret_dir")
is "newest KEEP_MIN good backups kept though older than retention" \
    "$(printf '%s\n' "$left" | sed -n '1,2p')" "$(printf '%s\n' "${old[1]}" "${old[0]}")"
is "three backups left (new + 2 old)" "$(printf '%s\n' "$left" | grep -c .)" 3
check "older backups deleted with their sidecars" sh -c "! ls '$ret_dir' | grep -qE '${old[2]}|${old[3]}|${old[4]}'"
missing=
for n in "${foreign[@]}"; do [ -f "$ret_dir/$n" ] || missing="$missing $n"; done
is "other tenants', manual and operator files untouched" "$missing" ""
like "prune lines logged" "$out" "event=prune tenant=$tenant file=${old[4]} age_days=44"
check "a dead run's partial is swept" test ! -e "$ret_dir/$stale"
like "sweep logged" "$out" "event=sweep tenant=$tenant file=$stale"
check "another tenant's partial stays" test -e "$ret_dir/$foreign_tmp"

# a recreated container (same volume, fresh container) knows its last result
ret_status=$(status_of "$ret_c")
dk rm -f "$ret_c" >/dev/null
re_c=$ret_c-re
containers+=("$re_c")
dk create --name "$re_c" --network "$net" --mount "type=volume,source=$ret_c,target=/backups" \
    --label org.deeplens.test=1 --entrypoint /bin/sh "$runner" /usr/local/bin/deeplens-entrypoint.sh >/dev/null
tar -C "$work/stage-$ret_c" --numeric-owner -cf - . | dk cp - "$re_c:/"
start_container "$re_c" || fail "recreated container starts"
is "recreated container: status recovered from the volume" "$(status_of "$re_c")" "$ret_status"
like "recreated container: health ok" "$(job "$re_c" --health)" '^ok: last good backup'
dk rm -f "$re_c" >/dev/null

# --- 8. pg_dump killed midway, overlapping runs ----------------------------------------------
big=${db}_big
databases+=("$big")
psql_pg -d postgres -c "create database \"$big\"" >/dev/null
psql_pg -d "$big" -c "create table a (id int, t text); create table b (id int, v numeric);
    insert into a select g, md5(g::text) || md5((g + 1)::text) from generate_series(1, 1500000) g;" >/dev/null
kill_c=dl-$id-kill
kill_dir=$work/$kill_c/$tenant
make_container "$kill_c" DB="$big" || bail "cannot create $kill_c"
start_container "$kill_c" || fail "kill container starts"
job "$kill_c" >"$work/first.out" 2>&1 &
first=$!
bg_pids+=("$first")
dump_pid='' partial_size=0
for _ in $(seq 1 300); do
    p=$(ls -A "$kill_dir" | grep -E "^\.${big}_.*\.sql\.gz\.partial\$" | head -n 1)
    if [ -n "$p" ]; then
        partial_size=$(stat -c %s "$kill_dir/$p" 2>/dev/null || echo 0)
        dump_pid=$(pgrep -f "pg_dump .*-d $big( |\$)" | head -n 1)
        [ "$partial_size" -gt 0 ] && [ -n "$dump_pid" ] && break
    fi
    sleep 0.05
done
if [ -n "$dump_pid" ]; then
    kill -STOP "$dump_pid"
    pass "pg_dump caught writing the partial ($partial_size bytes)"
    out=$(job "$kill_c")
    rc=$?
    expect "overlapping run is SKIPPED with exit 75" 75 "$rc" "$out" \
    "event=backup tenant=$tenant result=SKIPPED reason=\"another run is in progress\""
    kill -KILL "$dump_pid"
    wait "$first"
    rc=$?
    out=$(cat "$work/first.out")
    expect "killed pg_dump: FAILED" 1 "$rc" "$out" 'result=FAILED reason="pg_dump terminated by signal KILL"'
else
    fail "pg_dump caught writing the partial" "$(cat "$work/first.out")"
    wait "$first"
fi
is "killed pg_dump: no backup-looking file, partial removed" "$(ls -A "$kill_dir" | grep -v '^\.deeplens$' | tr '\n' ' ')" ""
check "killed pg_dump: lock released" test ! -e "$kill_dir/.deeplens/lock"
# a lock left by a dead run of this container is broken (a live one: SKIPPED above)
# shellcheck disable=SC2016 # expanded by the container's shell
dk exec -u 999:999 "$kill_c" sh -c 'mkdir "$1/lock" && printf "host=%s\npid=99999\nstart=%s\n" "$(cat /proc/sys/kernel/hostname)" "$(date +%s)" > "$1/lock/owner"' sh "/backups/$tenant/.deeplens"
psql_pg -d "$big" -c 'truncate a' >/dev/null
out=$(job "$kill_c")
expect "stale lock of a dead pid is broken" 0 "$?" "$out" 'event=lock .*action=broken reason="owner pid 99999 on .* is gone"'
like "and the run goes ahead" "$out" 'result=ok'

# --- 8b. the lock's owner is judged by its heartbeat, never by host name or age ---------------
lockdir=$kill_dir/.deeplens/lock
# a run of another container (a recreated one has another host name) killed 10 min ago
mkdir "$lockdir" && printf 'host=gone-container\npid=4242\nstart=%s\n' "$(date +%s)" >"$lockdir/owner"
chown -R 999:999 "$lockdir"
touch -d '-10 minutes' "$lockdir/owner"
out=$(job "$kill_c")
expect "another host's lock without heartbeat for 10 min is broken" 0 "$?" "$out" \
    'event=lock .*action=broken reason="no heartbeat for 10m[0-9]+s from pid 4242 on gone-container'
like "... and the run goes ahead" "$out" 'result=ok'
# a lock whose heartbeat is fresh stays, however long ago its run started
rm -rf "$lockdir"
mkdir "$lockdir" && printf 'host=other-container\npid=4243\nstart=%s\n' "$(($(date +%s) - 25200))" >"$lockdir/owner"
chown -R 999:999 "$lockdir"
out=$(job "$kill_c")
expect "a lock held for 7 h with a fresh heartbeat is not broken: SKIPPED" 75 "$?" "$out" 'result=SKIPPED'
unlike "... nothing broken" "$out" 'action=broken'
rm -rf "$lockdir"

# a dump that outlasts LOCK_STALE (4 s here): pg_dump waits behind a table lock for ~20 s
psql_pg -d "$big" -c "begin; lock table a in access exclusive mode; select pg_sleep(20); commit;" >/dev/null 2>&1 &
bg_pids+=("$!")
sleep 1
dk exec -e DEEPLENS_LOCK_STALE=4 "$kill_c" /usr/local/bin/backup.sh >"$work/long.out" 2>&1 &
long=$!
bg_pids+=("$long")
sleep 9
out=$(dk exec -e DEEPLENS_LOCK_STALE=4 "$kill_c" /usr/local/bin/backup.sh)
expect "9 s into a dump, past LOCK_STALE, a second run is SKIPPED (the heartbeat holds the lock)" 75 "$?" "$out" \
    'result=SKIPPED reason="another run is in progress"'
# the run's start as if it had been running for 7 h (the old limit was 6 h)
dk exec -u 999:999 "$kill_c" sed -i "s/^start=.*/start=$(($(date +%s) - 25200))/" "/backups/$tenant/.deeplens/lock/owner"
out=$(dk exec -e DEEPLENS_LOCK_STALE=4 "$kill_c" /usr/local/bin/backup.sh)
expect "a run started 7 h ago with a live heartbeat: a second run is SKIPPED" 75 "$?" "$out" 'result=SKIPPED'
unlike "... and breaks no lock" "$out" 'action=broken'
out=$(dk exec -e DEEPLENS_LOCK_WAIT=2 "$kill_c" /usr/local/bin/backup.sh --verify)
expect "--verify while a run holds the lock: refused after waiting (exit 75)" 75 "$?" "$out" \
    'event=verify .*result=FAILED reason="another run is in progress"'
out=$(dk exec -e DEEPLENS_LOCK_WAIT=60 "$kill_c" /usr/local/bin/backup.sh --verify)
rc=$?
wait "$long"
long_rc=$?
like "the long dump finishes ok, its lock never broken" "$long_rc:$(cat "$work/long.out")" '^0:.*result=ok'
unlike "... no lock broken during it" "$(cat "$work/long.out")" 'action=broken'
long_file=$(sed -n 's/.*result=ok file=\([^ ]*\).*/\1/p' "$work/long.out")
expect "--verify waits for the run and then checks its new backup" 0 "$rc" "$out" \
    "event=verify tenant=$tenant result=ok file=$long_file "
check "the lock is released after the long run" test ! -e "$lockdir"

# --- 9. docker stop during a run -----------------------------------------------------------
psql_pg -d "$big" -c "insert into a select g, md5(g::text) || md5((g + 1)::text) from generate_series(1, 1500000) g" >/dev/null
before=$(ls -A "$kill_dir" | grep -v '^\.deeplens$')
job "$kill_c" >"$work/stopped.out" 2>&1 &
first=$!
bg_pids+=("$first")
for _ in $(seq 1 300); do
    ls -A "$kill_dir" | grep -q '\.partial$' && break
    sleep 0.05
done
t0=$(date +%s%N)
dk stop "$kill_c" >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$first"
if [ "$ms" -lt 5000 ]; then pass "docker stop during a backup takes ${ms} ms"; else fail "docker stop is prompt" "took ${ms} ms"; fi
like "the stopped run reports FAILED: interrupted" "$(cat "$work/stopped.out")" 'result=FAILED reason="interrupted by SIGTERM"'
is "stopped run: no new backup-looking file, partial removed" "$(ls -A "$kill_dir" | grep -v '^\.deeplens$')" "$before"
check "stopped run: lock released" test ! -e "$kill_dir/.deeplens/lock"
like "stop line logged" "$(dk logs "$kill_c" 2>&1 | tail -n 3)" 'event=stop .*signal=TERM'
is "stopped run: status says interrupted" "$(grep '^last_reason=' "$kill_dir/.deeplens/status")" "last_reason=interrupted by SIGTERM"

# --- 10. the schedule runs by itself ------------------------------------------------------------
cron_dir=$work/$cron_c/$tenant
got=
while :; do     # looked at least once, however long the sections above took
    if dk logs "$cron_c" 2>&1 | grep -Eq "event=backup tenant=$tenant result=(ok|FAILED)"; then got=1; break; fi
    [ "$(dk inspect -f '{{.State.Running}}' "$cron_c" 2>/dev/null)" = true ] || break
    [ $((SECONDS - cron_started)) -lt 80 ] || break
    sleep 1
done
logs=$(dk logs "$cron_c" 2>&1)
like "every-minute schedule makes a backup by itself" "$logs" "event=backup tenant=$tenant result=ok file=${db}_"
if [ -n "$got" ]; then
    check "scheduled backup file present" test -n "$(backups_in "$cron_dir")"
    like "scheduled run's status" "$(status_of "$cron_c")" '^last_result=ok$'
    # per file listed: its result line, once (the next minute's run may finish meanwhile, and a
    # run's line follows its rename: wait a little for each line, then count)
    dup=
    for f in $(backups_in "$cron_dir"); do
        n=0
        for _ in $(seq 1 20); do
            n=$(dk logs "$cron_c" 2>&1 | grep -c "event=backup tenant=$tenant result=ok file=$f ")
            [ "$n" -ge 1 ] && break
            sleep 0.5
        done
        [ "$n" = 1 ] || dup="$dup $f:$n"
    done
    is "each scheduled result line reaches docker logs exactly once" "$dup" ""
else
    fail "scheduled backup file present" "$(printf '%s\n' "$logs" | tail -n 5)"
fi

diag "elapsed $((SECONDS - t_start)) s"
echo "1..$t_n"
[ "$t_failed" = 0 ]
