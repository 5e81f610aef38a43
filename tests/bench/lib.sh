# shellcheck shell=bash disable=SC2034 # names used by run.sh and console.sh
# tests/bench/lib.sh - the bench's own engine and tenants, timing and result
# helpers. Sourced by tests/bench/run.sh, never run.
#
# The bench runs on an engine of its own (DL_BED=bench in tests/env/common.sh:
# unix:///run/deeplens-bench/docker.sock, data root /var/lib/deeplens-bench),
# never on the shared test engine, so 200 tenants do not show up in the tests
# of anyone working at the same time.

export DL_BED=bench
# shellcheck source=tests/env/common.sh
. "$TOP/tests/env/common.sh"

B_BIN=$TOP/deeplens-backup
B_OUT=${BENCH_OUT:-$TOP/build/bench}
B_CFG=$B_OUT/config
B_TARGETS=/var/lib/deeplens-bench/targets
B_DB=deeplens_bench
B_PREFIX=$DL_DEMO_PREFIX
B_SCHEDULE='0 0 1 1 *'      # never fires during a bench: no cron backup skews it
B_RESULTS=$B_OUT/results.txt

dlb() { "$B_BIN" --config "$B_CFG" "$@"; }
now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }
b_name() { printf 'bench%03d' "$1"; }
say() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# The engine, its images and network (tests/env/up.sh with DL_BED=bench), a
# PostgreSQL with one small database every tenant dumps, and a config file.
b_engine_up() {
    "$TOP/tests/env/up.sh" > /dev/null
    "$TOP/tests/env/postgres.sh" > /dev/null
    mkdir -p "$B_OUT" "$B_TARGETS"
    cat > "$B_CFG" << EOF
postgres_host = $DL_PG_CONTAINER
postgres_user = $DL_PG_USER
postgres_password_file = $DL_PG_PASSWORD_FILE
network = $DL_NETWORK
image = $DL_RUNNER_IMAGE
EOF
    local have
    have=$(dl_docker exec "$DL_PG_CONTAINER" psql -X -U "$DL_PG_USER" -d postgres -Atc \
        "select 1 from pg_database where datname = '$B_DB'")
    if [ "$have" != 1 ]; then
        dl_docker exec "$DL_PG_CONTAINER" psql -X -q -U "$DL_PG_USER" -d postgres \
            -c "create database $B_DB" > /dev/null
        dl_docker exec "$DL_PG_CONTAINER" psql -X -q -U "$DL_PG_USER" -d "$B_DB" \
            -c "create table t as select g, md5(g::text) as h from generate_series(1, 2000) g" > /dev/null
    fi
}

b_engine_pid() { cat "$DL_STATE_DIR/dockerd.pid"; }

# Tenants on the bench engine, one name a line.
b_tenants_present() {
    dl_docker ps -a --filter "label=io.deeplens.backup.tenant" --format '{{.Names}}' |
        sed -n "s/^$B_PREFIX//p" | sort
}

# b_provision_one NAME: target directory owned by the backup uid, then provision.
b_provision_one() {
    local t=$1
    mkdir -p "$B_TARGETS/$t"
    chown 999:999 "$B_TARGETS/$t"
    dlb provision "$t" --nfs-path "local:$B_TARGETS/$t" --database "$B_DB" \
        --password-file "$DL_PG_PASSWORD_FILE" --image "$DL_RUNNER_IMAGE" \
        --postgres-host "$DL_PG_CONTAINER" --network "$DL_NETWORK" \
        --schedule "$B_SCHEDULE" --no-initial-backup > "$B_OUT/log/provision-$t.log" 2>&1 ||
        { say "provision $t failed:"; tail -n 5 "$B_OUT/log/provision-$t.log" >&2; return 1; }
}

b_backup_one() {
    dlb backup-now "$1" > "$B_OUT/log/backup-$1.log" 2>&1 ||
        { say "backup-now $1 failed:"; tail -n 5 "$B_OUT/log/backup-$1.log" >&2; return 1; }
}

# b_parallel FUNC NAME...: FUNC for each name, 4 at a time (xargs -P4).
b_parallel() {
    local fn=$1; shift
    [ $# -gt 0 ] || return 0
    mkdir -p "$B_OUT/log"
    printf '%s\n' "$@" | xargs -P4 -n1 "$BASH" "$TOP/tests/bench/run.sh" --one "$fn"
}

# b_ensure_tenants N: tenants bench001..benchN exist, each with one backup.
# Prints "<provisioned> <seconds> <backed-up> <seconds>".
b_ensure_tenants() {
    local n=$1 i t missing=() nobackup=() present t0 prov_s=0 back_s=0
    present=$(b_tenants_present)
    for ((i = 1; i <= n; i++)); do
        t=$(b_name "$i")
        grep -qx "$t" <<< "$present" || missing+=("$t")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "provisioning ${#missing[@]} tenants (xargs -P4)"
        t0=$(now_ns)
        b_parallel provision "${missing[@]}"
        prov_s=$(ms_since "$t0")
    fi
    for ((i = 1; i <= n; i++)); do
        t=$(b_name "$i")
        compgen -G "$B_TARGETS/$t/$t/*.sql.gz" > /dev/null || nobackup+=("$t")
    done
    if [ "${#nobackup[@]}" -gt 0 ]; then
        say "backup-now for ${#nobackup[@]} tenants (xargs -P4)"
        t0=$(now_ns)
        b_parallel backup "${nobackup[@]}"
        back_s=$(ms_since "$t0")
    fi
    echo "${#missing[@]} $prov_s ${#nobackup[@]} $back_s"
}

b_remove_one() { dlb remove "$1" --delete-backups --yes > /dev/null 2>&1 || true; }

# ---- measuring ----------------------------------------------------------------

# b_hyperfine NAME RUNS WARMUP CMD...: hyperfine, each command RUNS times
# after WARMUP runs, no shell (-N), a failing exit status counted like any
# other (-i: status exits 6 when a tenant is not ok); JSON in $B_OUT/NAME.json.
# Without hyperfine, tests/bench/timeloop.py writes the same fields.
b_hyperfine() {
    local name=$1 runs=$2 warmup=$3; shift 3
    if command -v hyperfine > /dev/null; then
        hyperfine -N -i --style none --warmup "$warmup" --runs "$runs" \
            --export-json "$B_OUT/$name.json" "$@" > "$B_OUT/log/$name.hyperfine" 2>&1
    else
        python3 "$TOP/tests/bench/timeloop.py" "$runs" "$warmup" "$B_OUT/$name.json" "$@"
    fi
}

# b_stats NAME: "mean median min max stddev" in ms, one line per command
b_stats() {
    python3 - "$B_OUT/$1.json" << 'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.1f %.1f %.1f %.1f %.1f" % tuple(1000 * (r[k] or 0) for k in
          ("mean", "median", "min", "max", "stddev")))
EOF
}

# b_cpu_ticks PID: utime+stime in clock ticks
b_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
b_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# b_mem PID: "RSS, PSS, private" of PID in MB from /proc/PID/smaps_rollup:
# resident pages, the proportional share of pages shared with other processes,
# and the pages no other process maps (Private_Clean + Private_Dirty)
b_mem() {
    awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { v += $2 }
        END { printf "RSS %.1f, PSS %.1f, private %.1f MB", r / 1024, p / 1024, v / 1024 }' \
        "/proc/$1/smaps_rollup"
}
b_ticks_s() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }
b_kb_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# b_proxy_run NAME CMD...: CMD through a counting proxy (tests/bench/countproxy.py);
# its counts in $B_OUT/NAME.count. The command gets -H unix://<proxy> prepended
# after its first word.
b_proxy_run() {
    local name=$1 sock=$B_OUT/proxy.sock pid i; shift
    rm -f "$B_OUT/$name.count"
    python3 "$TOP/tests/bench/countproxy.py" "$sock" "$DL_SOCK" "$B_OUT/$name.count" &
    pid=$!
    for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && break; sleep 0.02; done
    "$1" -H "unix://$sock" "${@:2}" > /dev/null 2>&1 || true
    kill "$pid"
    wait "$pid" 2> /dev/null || true
}

b_count() { awk -v k="$2" '$1 == k { print $2 }' "$B_OUT/$1.count"; }

# b_wait_probes: status of all tenants (and the console's first view) reads the job status
# each tenant's health probe printed last; the engine runs a container's first probe 120 s
# after its start, then every 120 s. Wait (at most 6 min) until every tenant's last probe
# shows a run's result, so the figures are of that path and not of the first minutes.
b_wait_probes() {
    local t0 left=-1 i
    t0=$(now_ns)
    for ((i = 0; i < 72; i++)); do
        # shellcheck disable=SC2046 # one id per word
        left=$(dl_docker inspect $(dl_docker ps -q --filter label=io.deeplens.backup.tenant) |
            python3 -c '
import json, sys
n = 0
for c in json.load(sys.stdin):
    log = ((c.get("State") or {}).get("Health") or {}).get("Log") or [{}]
    n += "\nlast_result=" not in (log[-1].get("Output") or "")
print(n)')
        [ "$left" = 0 ] && break
        sleep 5
    done
    say "every tenant's health probe shows its status after $(ms_since "$t0") ms ($left left)"
}
