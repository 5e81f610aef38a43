#!/usr/bin/env bash
# tests/bench/drill.sh - time and peak disk of one restore drill on a generated database
# (pgbench tables at scale BENCH_DRILL_SCALE, default 20, about 15 MB per scale step),
# on the shared test bed (run it under the integration lock). Prints the figures; asserts
# nothing. Everything it makes carries its token and is removed on exit.
#   flock /tmp/dl-itest.lock tests/bench/drill.sh
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../integration/lifecycle" && pwd)/lib.sh"
lc_setup b
scale=${BENCH_DRILL_SCALE:-20}
role=${id}r
lc_role "$role" || bail_out "cannot create role $role"
lc_user=$role lc_pw=$work/$role.pw
t=$id
db=tenant_${t}_metadata
dir=$(lc_target b) || bail_out "no target"
psql_pg postgres -c "create database \"$db\" owner \"$role\"" > /dev/null < /dev/null
"$docker" exec -e PGPASSWORD="$(cat "$lc_pw")" "$pg" pgbench -q -i -s "$scale" -h 127.0.0.1 \
    -U "$role" "$db" > /dev/null 2>&1 || bail_out "pgbench -i failed"
dbsize=$(psql_pg postgres -At -c "select pg_database_size('$db')" < /dev/null)
lc_provision "$t" "$dir"
[ "$rc" = 0 ] || bail_out "provision failed: $out"
f=$(lc_backups "$dir/$t" "$db" | tail -n 1)
fsize=$(stat -c %s "$dir/$t/$f")

# the scratch database's size, every 0.5 s, while the drill runs
prefix=dl_drill_$(printf '%s' "$t" | cksum | awk '{ print $1 }')_
(
    while :; do
        psql_pg postgres -At -c "select coalesce(sum(pg_database_size(datname)), 0) from pg_database where datname like '${prefix}%'" < /dev/null
        sleep 0.5
    done
) > "$work/sizes" 2> /dev/null &
sampler=$!
t0=$(date +%s.%N)
run drill "$t"
t1=$(date +%s.%N)
kill "$sampler" 2> /dev/null
wait "$sampler" 2> /dev/null
peak=$(sort -n "$work/sizes" | tail -n 1)
printf '%s\n' "$out" | grep -E 'result=|Drill' | sed 's/^/# /'
printf 'database %s MiB (pgbench scale %s), backup %s MiB gzip\n' "$((dbsize / 1048576))" "$scale" "$((fsize / 1048576))"
printf 'drill: exit %s, wall %.1f s (CLI), peak scratch database %s MiB, %s MiB of the live size\n' \
    "$rc" "$(echo "$t1 - $t0" | bc)" "$((${peak:-0} / 1048576))" "$((dbsize / 1048576))"
done_testing
