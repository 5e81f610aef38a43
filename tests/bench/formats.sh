#!/usr/bin/env bash
# tests/bench/formats.sh - backup wall time and size by format and compression (issue 9,
# item 6), on a generated database of about 1 GB. Figures are measured and reported,
# never asserted. Opt-in from make bench with BENCH_BIG=1, or alone:
#
#   . /run/deeplens-test/env && flock /tmp/dl-itest.lock tests/bench/formats.sh
#
# Where: the test bed's engine and PostgreSQL (the shared one: run it under the engine
# lock, it is heavy). The database dl_bench_big is made once with pgbench -i -s
# BENCH_BIG_SCALE (70: 7 million pgbench_accounts rows, about 1.05 GB on disk; about
# 2-4 minutes) and reused while its pgbench_accounts has the scale's row count.
# What, all in one run, in the same backup container image (deeplens/backup-runner):
#   doc        the original document's way: pg_dump | gzip > file (nothing else)
#   gzip       ours, --compression gzip (the default): pg_dump | gzip -6, then the full
#              gzip check + trailer, sha256 sidecar, fsync, rename, status
#   zstd-3     ours, --compression zstd (level 3, the zstd default), zstd -T0
#   zstd-10    ours, --compression zstd --zstd-level 10
#   none       ours, --compression none
#   custom     ours, --format custom (pg_dump -Fc, gzip inside), checked by pg_restore
# Ours is timed around `deeplens-backup backup-now` (docker exec included); the
# document's around one docker exec of its pipeline in the same container.
# Env: BENCH_BIG_SCALE (70), BENCH_BIG_RUNS (1 run each), BENCH_OUT (build/bench).
# Output: a table on stdout and in $BENCH_OUT/formats.txt.
# shellcheck disable=SC2010 # ls | grep over names the bench made
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${DL_BIN:-$TOP/deeplens-backup}
docker=${DL_TEST_DOCKER:-docker}
pg=${DL_TEST_PG_CONTAINER:-deeplens-postgres}
pg_user=${DL_TEST_PG_USER:-deeplens}
runner=${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}
net=${DL_TEST_NETWORK:-deeplens-network}
scale=${BENCH_BIG_SCALE:-70}
runs=${BENCH_BIG_RUNS:-1}
out=${BENCH_OUT:-$TOP/build/bench}
db=dl_bench_big
prefix=dlbenchfmt-
[ -x "$bin" ] || { echo "formats.sh: build first (make all)" >&2; exit 1; }
[ -n "${DOCKER_HOST:-}" ] || { echo "formats.sh: source /run/deeplens-test/env first" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d "$out/formats.XXXXXX")
pwfile=$work/pw
cat "${DL_TEST_PG_PASSWORD_FILE:-/nonexistent}" > "$pwfile" 2> /dev/null || echo deeplens-dev > "$pwfile"

psql_pg() { "$docker" exec -i "$pg" psql -X -q -At -v ON_ERROR_STOP=1 -U "$pg_user" "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

tenants=()
cleanup() {
    local t
    for t in "${tenants[@]}"; do
        DEEPLENS_PREFIX=$prefix "$bin" --prefix "$prefix" remove "$t" --delete-backups --yes > /dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# --- the database, once -------------------------------------------------------------------
want=$((scale * 100000))
have=$(psql_pg -d "$db" -c 'select count(*) from pgbench_accounts' 2> /dev/null || echo 0)
if [ "$have" != "$want" ]; then
    echo "# generating $db: pgbench -i -s $scale (once; reused while it has $want accounts)"
    t0=$(now)
    psql_pg -d postgres -c "drop database if exists $db with (force)" > /dev/null
    psql_pg -d postgres -c "create database $db" > /dev/null
    "$docker" exec "$pg" pgbench -i -q -s "$scale" -U "$pg_user" "$db" > "$work/pgbench.log" 2>&1
    echo "# generated in $(secs "$t0" "$(now)") s"
fi
dbsize=$(psql_pg -d "$db" -c 'select pg_database_size(current_database())')
echo "# $db: $(awk -v b="$dbsize" 'BEGIN { printf "%.2f GB", b / 1e9 }') on disk, scale $scale"

# --- one tenant per configuration ---------------------------------------------------------
declare -A args=(
    [gzip]="--compression gzip"
    [zstd-3]="--compression zstd"
    [zstd-10]="--compression zstd --zstd-level 10"
    [none]="--compression none"
    [custom]="--format custom"
)
order=(gzip zstd-3 zstd-10 none custom)
for k in "${order[@]}"; do
    t=bf${k//-/}
    dir=$work/t-$k
    mkdir -p "$dir" && chown 999:999 "$dir"
    # shellcheck disable=SC2086 # the configuration's words
    "$bin" --prefix "$prefix" provision "$t" --nfs-path "local:$dir" --image "$runner" \
        --postgres-host "$pg" --postgres-user "$pg_user" --network "$net" --password-file "$pwfile" \
        --database "$db" --no-initial-backup ${args[$k]} > "$work/prov-$k.log" 2>&1 < /dev/null ||
        { cat "$work/prov-$k.log" >&2; exit 1; }
    tenants+=("$t")
done

declare -A wall size
ctr_of() { echo "${prefix}$1"; }
for _ in $(seq 1 "$runs"); do
    # the document's way, in the first tenant's container, as its backup uid
    t=bfgzip
    t0=$(now)
    # shellcheck disable=SC2016 # expanded in the container
    "$docker" exec -u 999:999 "$(ctr_of "$t")" sh -c '. /etc/deeplens/backup.conf;
        PGPASSFILE=/etc/deeplens/pgpass pg_dump -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -w -d "$DB" |
        gzip > "/backups/$TENANT/doc.sql.gz"'
    t1=$(now)
    wall[doc]="${wall[doc]:-} $(secs "$t0" "$t1")"
    size[doc]=$(stat -c %s "$work/t-gzip/$t/doc.sql.gz")
    rm -f "$work/t-gzip/$t/doc.sql.gz"
    for k in "${order[@]}"; do
        t=bf${k//-/}
        t0=$(now)
        "$bin" --prefix "$prefix" backup-now "$t" > "$work/run-$k.log" 2>&1 < /dev/null ||
            { cat "$work/run-$k.log" >&2; exit 1; }
        t1=$(now)
        wall[$k]="${wall[$k]:-} $(secs "$t0" "$t1")"
        f=$(ls -1t "$work/t-$k/$t" | grep -E "^${db}_[0-9]{8}_[0-9]{6}\.(sql(\.gz|\.zst)?|dump)\$" | head -n 1)
        size[$k]=$(stat -c %s "$work/t-$k/$t/$f")
        # one backup at a time on disk
        rm -f "$work/t-$k/$t/$f" "$work/t-$k/$t/$f.sha256"
    done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
{
    echo "# formats: $db $(awk -v b="$dbsize" 'BEGIN { printf "%.2f GB", b / 1e9 }'), $runs run(s) each, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
    printf '%-8s %10s %12s %10s %10s\n' what wall_s size_MB "wall/doc" "size/doc"
    dw=$(median <<< "${wall[doc]}")
    for k in doc "${order[@]}"; do
        w=$(median <<< "${wall[$k]}")
        awk -v k="$k" -v w="$w" -v s="${size[$k]}" -v dw="$dw" -v ds="${size[doc]}" 'BEGIN {
            printf "%-8s %10.1f %12.1f %10.2f %10.2f\n", k, w, s / 1e6, w / dw, s / ds }'
    done
} | tee "$out/formats.txt"
