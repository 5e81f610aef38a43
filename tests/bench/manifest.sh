#!/usr/bin/env bash
# tests/bench/manifest.sh - what the manifest costs a backup (issue 9: at most 5% of its wall
# time). The job of BENCH_MANIFEST_REF (main: no manifest) against this tree's job (pg_dump |
# tee FIFO | gzip, one awk on the FIFO), on the same generated database, in the same runner
# container, alternating, BENCH_MANIFEST_RUNS runs each; reports the median of the job's own
# duration= and the overhead. A figure, never asserted.
#
#   flock /tmp/dl-itest.lock tests/bench/manifest.sh
#
# On the shared test bed (. /run/deeplens-test/env); makes database bench_manifest_$$ of about
# BENCH_MANIFEST_MB (400) MB with pgbench, one container, and removes both on exit.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=/dev/null
[ -n "${DOCKER_HOST:-}" ] || . /run/deeplens-test/env
docker=${DL_TEST_DOCKER:-docker}
pg=${DL_TEST_PG_CONTAINER:-deeplens-postgres}
pg_host=${DL_TEST_PG_HOST:-deeplens-postgres}
user=${DL_TEST_PG_USER:-deeplens}
pw=$(cat "${DL_TEST_PG_PASSWORD_FILE:-/run/deeplens-test/pg-password}")
runner=${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}
net=${DL_TEST_NETWORK:-deeplens-network}
mb=${BENCH_MANIFEST_MB:-400}
runs=${BENCH_MANIFEST_RUNS:-3}
ref=${BENCH_MANIFEST_REF:-main}
db=bench_manifest_$$
ctr=bench-manifest-$$
work=$(mktemp -d)

cleanup() {
    "$docker" rm -f "$ctr" > /dev/null 2>&1 || true
    psql_pg postgres -c "drop database if exists $db with (force)" > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql_pg() {
    local d=$1
    shift
    "$docker" exec -i -e PGPASSWORD="$pw" "$pg" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$user" -d "$d" "$@"
}
say() { printf '%s manifest bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# pgbench's accounts table is about 15 MB per scale step
scale=$(((mb + 14) / 15))
say "database $db, pgbench scale $scale (~$mb MB)"
psql_pg postgres -c "create database $db"
"$docker" exec -e PGPASSWORD="$pw" "$pg" pgbench -q -i -s "$scale" -h 127.0.0.1 -U "$user" "$db" > /dev/null 2>&1
size=$(psql_pg "$db" -At -c 'select pg_database_size(current_database())')

git -C "$repo" show "$ref:src/backup/job/backup.sh" > "$work/old.sh"
cp "$repo/src/backup/job/backup.sh" "$work/new.sh"
mkdir -p "$work/out" "$work/state-old" "$work/state-new"
cat > "$work/conf" << EOF
TENANT=bench
DB=$db
PGHOST=$pg_host
PGUSER=$user
BACKUP_ROOT=/bench/out
COMPRESSION=1
RETENTION_DAYS=3650
KEEP_MIN=1000
BACKUP_UID=999
BACKUP_GID=999
SCHEDULE='0 2 * * *'
EOF
printf '%s:5432:*:%s:%s\n' "$pg_host" "$user" "$pw" > "$work/pgpass"
chmod 600 "$work/pgpass"
: > "$work/log"
chown -R 999:999 "$work"
chmod 0755 "$work"
"$docker" run -d --name "$ctr" --network "$net" -v "$work:/bench" --entrypoint sleep "$runner" infinity > /dev/null

one() {
    "$docker" exec -e DEEPLENS_CONF=/bench/conf -e DEEPLENS_PGPASS=/bench/pgpass \
        -e DEEPLENS_STATE_DIR="/bench/state-$1" -e DEEPLENS_LOG=/bench/log "$ctr" \
        /bin/sh "/bench/$1.sh" | awk '/event=backup/ && /result=ok/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^duration=/) print substr($i, 10) }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

one new > /dev/null # warm the cache
for r in $(seq 1 "$runs"); do
    o=$(one old) n=$(one new)
    say "run $r: $ref ${o}s, manifest ${n}s"
    echo "$o" >> "$work/t-old"
    echo "$n" >> "$work/t-new"
    rm -f "$work"/out/bench/*.sql.gz*
done
mo=$(median < "$work/t-old") mn=$(median < "$work/t-new")
awk -v mo="$mo" -v mn="$mn" -v size="$size" -v runs="$runs" -v ref="$ref" 'BEGIN {
    printf "manifest: database %.0f MB, %d runs each: %s job %.1f s, with manifest %.1f s (median), overhead %+.1f%%\n",
        size / 1048576, runs, ref, mo, mn, (mn - mo) / mo * 100 }'
