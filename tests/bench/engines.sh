#!/usr/bin/env bash
# tests/bench/engines.sh - the several-engines benchmark (issue 10, Performance):
# 3 engines x PER tenants against PER*3 tenants on one engine, in the same run.
# Figures are measured and reported, never asserted: it fails only when it
# cannot measure. Opt-in from make bench with BENCH_ENGINES=1, or alone:
#
#   tests/bench/engines.sh [--keep] [--setup-only] [--clean]
#
#   --keep        leave the engines and their tenants for the next run (a rerun
#                 provisions only what is missing)
#   --setup-only  engines, tenants and the 3 x SMALL counts, then stop (implies
#                 --keep); a later run reports those counts with its own
#   --clean       only remove the tenants and stop the engines (after --keep)
#
# Where: four engines of the bench's own, never the shared test engine nor
# tests/env/engines.sh's eng2/eng3: the bench engine (DL_BED=bench, as
# run.sh) holds bench001..bench<3*PER>; bencha, benchb, benchc
# (tests/env/bench-engines.sh: own data roots, sockets, address pools, each
# its own deeplens-postgres and network) hold bench001..bench<PER>,
# bench<PER+1>..bench<2*PER> and the rest, so both sides list the same names.
# Each tenant is provisioned with --no-initial-backup, then backup-now (xargs
# -P4 at most, never more at once), so each has a status file; then the
# bench waits until every tenant's health probe shows its status (as run.sh).
#
# What:
#   list --json, status --json: hyperfine -N, BENCH_RUNS (30) / BENCH_STATUS_RUNS
#     (10) runs each in BENCH_BLOCKS (3) alternating blocks, median of all;
#     -H unix://<bench> vs -H a=... -H b=... -H c=...
#   console first paint (header "<3*PER>:") and first full list (the end of
#     the last tenant's status read in the console's own DEEPLENS_TRACE, no
#     proxy in the way), BENCH_PAINTS (5) starts each, alternating 1 engine and
#     3 engines, median; then one start each through the proxies (its paint,
#     its requests)
#   engine requests (countproxy.py, one proxy per engine) of one list --json,
#     one status --json, one console F5 and the console's own refreshes in a
#     BENCH_ENGINES_IDLE (50) s idle window, at 3 x SMALL (10; before the rest
#     is provisioned), 3 x PER and 1 x 3*PER
#   the load average before and after the measurements
#
# Env: BENCH_ENGINES_TENANTS (PER, 100), BENCH_ENGINES_SMALL (10), BENCH_RUNS, BENCH_BLOCKS,
#      BENCH_STATUS_RUNS, BENCH_PAINTS, BENCH_ENGINES_IDLE, BENCH_OUT (build/bench).
# Output: a table on stdout and in build/bench/engines/results.txt; raw data beside it.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$TOP/tests/bench/lib.sh"

ENGS=(bencha benchb benchc)
declare -A ENAME=([bencha]=a [benchb]=b [benchc]=c)
PER=${BENCH_ENGINES_TENANTS:-100}
SMALL=${BENCH_ENGINES_SMALL:-10}
[ "$SMALL" -lt "$PER" ] || SMALL=0
TOTAL=$((3 * PER))
RUNS=${BENCH_RUNS:-30}
STATUS_RUNS=${BENCH_STATUS_RUNS:-10}
PAINTS=${BENCH_PAINTS:-5}
IDLE_S=${BENCH_ENGINES_IDLE:-50}
E_OUT=$B_OUT/engines

e_sock() { echo "/run/deeplens-$1/docker.sock"; }
e_docker() { local e=$1; shift; "$DL_DOCKER_BIN" -H "unix://$(e_sock "$e")" "$@"; }
# the bench engine's targets are run.sh's; the others' beside them
e_targets() { if [ "$1" = bench ]; then echo "$B_TARGETS"; else echo "$B_TARGETS-${ENAME[$1]}"; fi; }
e_dlb() { local e=$1; shift; "$B_BIN" --config "$B_CFG" -H "unix://$(e_sock "$e")" "$@"; }

e_provision_one() {
    local e=$1 t=$2 d
    d=$(e_targets "$e")/$t
    mkdir -p "$d"
    chown 999:999 "$d"
    e_dlb "$e" provision "$t" --nfs-path "local:$d" --database "$B_DB" \
        --password-file "$DL_PG_PASSWORD_FILE" --image "$DL_RUNNER_IMAGE" \
        --postgres-host "$DL_PG_CONTAINER" --network "$DL_NETWORK" \
        --schedule "$B_SCHEDULE" --no-initial-backup > "$E_OUT/log/provision-$e-$t.log" 2>&1 ||
        { say "provision $t on $e failed:"; tail -n 5 "$E_OUT/log/provision-$e-$t.log" >&2; return 1; }
}
e_backup_one() {
    e_dlb "$1" backup-now "$2" > "$E_OUT/log/backup-$1-$2.log" 2>&1 ||
        { say "backup-now $2 on $1 failed:"; tail -n 5 "$E_OUT/log/backup-$1-$2.log" >&2; return 1; }
}
e_remove_one() { e_dlb "$1" remove "$2" --delete-backups --yes > /dev/null 2>&1 || true; }

# xargs workers: engines.sh --one FUNC ENGINE NAME
if [ "${1:-}" = --one ]; then
    case $2 in
        provision) e_provision_one "$3" "$4" ;;
        backup) e_backup_one "$3" "$4" ;;
        remove) e_remove_one "$3" "$4" ;;
        *) exit 2 ;;
    esac
    exit
fi

keep=0 setup_only=0 clean_only=0
for arg; do
    case $arg in
        --keep) keep=1 ;;
        --setup-only) setup_only=1 keep=1 ;;
        --clean) clean_only=1 ;;
        -h | --help) sed -n '2,42s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) dl_die "unknown option '$arg'" ;;
    esac
done
[ "$(id -u)" = 0 ] || dl_die "must run as root (it starts engines of its own)"
[ -x "$B_BIN" ] || dl_die "no $B_BIN: run make first"
# --clean keeps the last run's figures
[ "$clean_only" = 0 ] || E_OUT=$B_OUT/engines-clean
command -v hyperfine > /dev/null || say "no hyperfine: timing with tests/bench/timeloop.py"

# the 3 x SMALL counts are only taken while the engines have no more tenants:
# a run after --setup-only or --keep reports those of the run that took them
small_tsv=$B_OUT/engines-small.tsv
rm -rf "$E_OUT"
mkdir -p "$E_OUT/log"
: > "$E_OUT/results.tsv"
rec() {
    printf '%s\t%s\n' "$1" "$2" >> "$E_OUT/results.tsv"
    [ "${in_small:-0}" = 0 ] || printf '%s\t%s\n' "$1" "$2" >> "$small_tsv"
}
val() { awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "n/a" : v) }' "$E_OUT/results.tsv"; }

# e_parallel FUNC "ENGINE NAME"...: 4 at a time
e_parallel() {
    local fn=$1; shift
    [ $# -gt 0 ] || return 0
    printf '%s\n' "$@" | xargs -P4 -L1 "$BASH" "$TOP/tests/bench/engines.sh" --one "$fn"
}
e_present() {
    e_docker "$1" ps -a --filter "label=io.deeplens.backup.tenant" --format '{{.Names}}' |
        sed -n "s/^$B_PREFIX//p" | sort
}
# the tenants of engine E (bench: all TOTAL; bencha: the first PER, ...) up to the COUNT-th of its share
e_share() {
    local e=$1 count=$2 i base=0
    case $e in bencha) base=0 ;; benchb) base=$PER ;; benchc) base=$((2 * PER)) ;; esac
    for ((i = 1; i <= count; i++)); do b_name $((base + i)); echo; done
}
# e_ensure "ENGINE COUNT"...: each ENGINE has the first COUNT of its share, each with a backup
e_ensure() {
    local spec e c t present missing=() nobackup=() t0
    for spec; do
        read -r e c <<< "$spec"
        present=$(e_present "$e")
        for t in $(e_share "$e" "$c"); do grep -qx "$t" <<< "$present" || missing+=("$e $t"); done
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "provisioning ${#missing[@]} tenants (xargs -P4)"
        t0=$(now_ns)
        e_parallel provision "${missing[@]}"
        rec "provision_$(date +%s%N)" "${#missing[@]} tenants in $(ms_since "$t0") ms"
    fi
    for spec; do
        read -r e c <<< "$spec"
        for t in $(e_share "$e" "$c"); do
            compgen -G "$(e_targets "$e")/$t/$t/*.sql.gz" > /dev/null || nobackup+=("$e $t")
        done
    done
    if [ "${#nobackup[@]}" -gt 0 ]; then
        say "backup-now for ${#nobackup[@]} tenants (xargs -P4)"
        t0=$(now_ns)
        e_parallel backup "${nobackup[@]}"
        rec "backup_$(date +%s%N)" "${#nobackup[@]} tenants in $(ms_since "$t0") ms"
    fi
}

# e_wait_probes ENGINE...: as b_wait_probes, on each engine (at most 6 min in all)
e_wait_probes() {
    local t0 left e i ids
    t0=$(now_ns)
    for ((i = 0; i < 72; i++)); do
        left=0
        for e; do
            ids=$(e_docker "$e" ps -q --filter label=io.deeplens.backup.tenant)
            [ -n "$ids" ] || continue
            # shellcheck disable=SC2086 # one id per word
            left=$((left + $(e_docker "$e" inspect $ids | python3 -c '
import json, sys
n = 0
for c in json.load(sys.stdin):
    log = ((c.get("State") or {}).get("Health") or {}).get("Log") or [{}]
    n += "\nlast_result=" not in (log[-1].get("Output") or "")
print(n)')))
        done
        [ "$left" = 0 ] && break
        sleep 5
    done
    say "every tenant's health probe on $* shows its status after $(ms_since "$t0") ms ($left left)"
}

# the database every tenant dumps, on each engine's own PostgreSQL
e_database() {
    local e=$1 have
    have=$(e_docker "$e" exec "$DL_PG_CONTAINER" psql -X -U "$DL_PG_USER" -d postgres -Atc \
        "select 1 from pg_database where datname = '$B_DB'")
    [ "$have" != 1 ] || return 0
    e_docker "$e" exec "$DL_PG_CONTAINER" psql -X -q -U "$DL_PG_USER" -d postgres \
        -c "create database $B_DB" > /dev/null
    e_docker "$e" exec "$DL_PG_CONTAINER" psql -X -q -U "$DL_PG_USER" -d "$B_DB" \
        -c "create table t as select g, md5(g::text) as h from generate_series(1, 2000) g" > /dev/null
}

# ---- proxies: one counting proxy per engine ----------------------------------------
# px_start TAG ENGINE...: proxies $E_OUT/TAG-ENGINE.sock; PX_PIDS, PX_ARGS (the -H words:
# one engine unnamed as a single-engine user has it, several as a=..., b=..., c=...)
px_start() {
    local tag=$1 e s i; shift
    PX_PIDS=() PX_ARGS=() PX_FILES=()
    for e; do
        s=$E_OUT/$tag-$e.sock
        rm -f "$s" "$E_OUT/$tag-$e.count" "$E_OUT/$tag-$e.log"
        python3 "$TOP/tests/bench/countproxy.py" "$s" "$(e_sock "$e")" "$E_OUT/$tag-$e.count" "$E_OUT/$tag-$e.log" &
        PX_PIDS+=($!)
        PX_FILES+=("$E_OUT/$tag-$e")
        for ((i = 0; i < 100; i++)); do [ -S "$s" ] && break; sleep 0.02; done
        if [ $# = 1 ]; then PX_ARGS+=(-H "unix://$s"); else PX_ARGS+=(-H "${ENAME[$e]}=unix://$s"); fi
    done
}
px_dump() { kill -USR1 "${PX_PIDS[@]}"; sleep 0.2; }
px_stop() {
    kill "${PX_PIDS[@]}" 2> /dev/null || true
    wait "${PX_PIDS[@]}" 2> /dev/null || true
    PX_PIDS=()
}
# px_sum KEY: the sum (requests) or the largest (peak_*) of KEY over the proxies' counts
px_sum() {
    local f
    for f in "${PX_FILES[@]}"; do awk -v k="$1" '$1 == k { print $2 }' "$f.count"; done |
        awk -v k="$1" '{ s += $1; if ($1 > m) m = $1 } END { print (k ~ /^peak/ ? m : s) + 0 }'
}
# px_each KEY: "a=N b=N c=N" (or N for one engine)
px_each() {
    local f out=()
    for f in "${PX_FILES[@]}"; do
        out+=("$(awk -v k="$1" '$1 == k { print $2 }' "$f.count")")
    done
    echo "${out[*]}" | sed 's/ /+/g'
}
# px_log_lines SINCE: the requests sent at or after wall time SINCE, all proxies
px_log_lines() { cat "${PX_FILES[@]/%/.log}" 2> /dev/null | awk -v t="$1" '$3 >= t'; }
px_paths() { awk '{ p[$1 " " $2]++ } END { for (k in p) printf "%d %s; ", p[k], k }' | sed 's/; $//'; }

# cli_counts TAG ENGINE...: requests of one list --json and one status --json
cli_counts() {
    local tag=$1; shift
    px_start "$tag-list" "$@"
    "$B_BIN" --config "$B_CFG" "${PX_ARGS[@]}" list --json > /dev/null 2>&1 || true
    px_stop
    rec "req_list_$tag" "$(px_sum requests) ($(px_each requests))"
    px_start "$tag-status" "$@"
    "$B_BIN" --config "$B_CFG" "${PX_ARGS[@]}" status --json > /dev/null 2>&1 || true
    px_stop
    rec "req_status_$tag" "$(px_sum requests) ($(px_each requests)), at most $(px_sum peak_outstanding) in flight on one engine"
}

# ---- the console -------------------------------------------------------------------
con_tmux() { tmux -L "$TMUX_SOCK" "$@"; }
con_probe() { python3 "$TOP/tests/bench/tmuxprobe.py" "$TMUX_SOCK" bench "$@"; }
CON_STARTS=0
TMUX_SOCK=
con_start() {
    [ -z "$TMUX_SOCK" ] || con_tmux kill-server 2> /dev/null || true
    CON_STARTS=$((CON_STARTS + 1))
    TMUX_SOCK=dlbe-$$-$CON_STARTS
    con_tmux new-session -d -x 120 -y 40 -s bench \
        "read -r _; exec env LANG=C.UTF-8 ${CON_ENV:-} $B_BIN --config $B_CFG ${PX_ARGS[*]}"
}
# a status read: a container inspect (the health probe's copy) or an archive read (the file)
# shellcheck disable=SC2016 # an awk program
READS='$2 ~ /(archive|containers\/\{name\}\/json)$/'
# wait until no proxy saw a request for QUIET s (at most LIMIT s)
px_quiet() {
    local quiet=$1 limit=$2 t0 n last=-1 since
    t0=$(now_ns) since=$(now_ns)
    while [ "$(ms_since "$t0")" -lt $((limit * 1000)) ]; do
        px_dump
        n=$(cat "${PX_FILES[@]/%/.log}" 2> /dev/null | wc -l)
        if [ "$n" != "$last" ]; then last=$n since=$(now_ns); fi
        [ "$(ms_since "$since")" -lt $((quiet * 1000)) ] || return 0
        sleep 0.3
    done
}

# con_run TAG IDLE ENGINE...: one console start through one proxy per engine: first paint,
# visible rows read and every status read answered (ms from the Enter, appended to
# $E_OUT/paint-TAG.txt), then the requests of one F5, and, when IDLE > 0, the requests of
# an IDLE-second idle window after it
con_run() {
    local tag=$1 idle=$2 wall first seen i full t_f5 t_idle; shift 2
    px_start "con-$tag" "$@"
    con_start
    sleep 0.3
    read -r wall first seen <<< "$(con_probe paint "$TOTAL")"
    for ((i = 0; i < 1200; i++)); do
        px_dump
        [ "$(cat "${PX_FILES[@]/%/.log}" | awk "$READS"' && $4 != "-"' | wc -l)" -lt "$TOTAL" ] || break
        sleep 0.1
    done
    full=$(cat "${PX_FILES[@]/%/.log}" | awk "$READS"' && $5 != "-" { print $5 }' | sort -n |
        sed -n "${TOTAL}p" | awk -v w="$wall" '{ m = $1 } END { printf "%.1f", (m ? (m - w) * 1000 : -1) }')
    echo "$first $seen $full" >> "$E_OUT/paint-$tag.txt"
    px_quiet 2 20
    t_f5=$(date +%s.%N)
    con_tmux send-keys -t bench F5
    px_quiet 2 60
    px_log_lines "$t_f5" > "$E_OUT/f5-$tag-$CON_STARTS.txt"
    if [ "$idle" -gt 0 ]; then
        t_idle=$(date +%s.%N)
        sleep "$idle"
        px_dump
        px_log_lines "$t_idle" > "$E_OUT/idle-$tag.txt"
    fi
    con_tmux send-keys -t bench q
    sleep 0.3
    con_tmux kill-server 2> /dev/null || true
    TMUX_SOCK=
    px_stop
}
# con_trace TAG ENGINE...: one console start straight on the engines (no proxy: three
# Python proxies on a loaded machine cost the 3-engine side more than the one proxy the
# other), timed from its own request trace (DEEPLENS_TRACE): first paint, visible rows
# read and the end of the last tenant's status read (ms from the Enter), appended to
# $E_OUT/trace-TAG.txt
con_trace() {
    local tag=$1 e wall first seen i tr; shift
    tr=$E_OUT/log/trace-$tag-$((CON_STARTS + 1))
    rm -f "$tr"
    PX_ARGS=()
    if [ $# = 1 ]; then PX_ARGS=(-H "unix://$(e_sock "$1")"); else
        for e; do PX_ARGS+=(-H "${ENAME[$e]}=unix://$(e_sock "$e")"); done
    fi
    CON_ENV="DEEPLENS_TRACE=$tr" con_start
    sleep 0.3
    read -r wall first seen <<< "$(con_probe paint "$TOTAL")"
    for ((i = 0; i < 1200; i++)); do
        [ "$(grep -cE '\] done +GET /containers/[^/?]+/(json|archive)' "$tr" 2> /dev/null)" -lt "$TOTAL" ] || break
        sleep 0.1
    done
    con_tmux send-keys -t bench q
    sleep 0.3
    con_tmux kill-server 2> /dev/null || true
    TMUX_SOCK=
    python3 - "$tr" "$wall" "$TOTAL" "$first" "$seen" >> "$E_OUT/trace-$tag.txt" << 'PY'
import re, sys, time
path, wall, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
lt = time.localtime(wall)
day0 = wall - (lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + wall % 1)
ends = []
for line in open(path):
    m = re.match(r"(\d+):(\d+):(\d+\.\d+) \[\d+\] done +GET /containers/[^/?]+/(json|archive)", line)
    if m:
        ends.append(day0 + int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
ends.sort()
full = (ends[n - 1] - wall) * 1000 if len(ends) >= n else -1
print("%s %s %.1f" % (sys.argv[4], sys.argv[5], full))
PY
}
# stats over the numbers in column COL of FILE: "median max" (ms)
med_max() {
    awk -v c="${2:-1}" '{ print $c }' "$1" | sort -n |
        awk '{ v[NR] = $1 } END { if (!NR) { print "n/a n/a"; exit }
             printf "%.0f %.0f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
}
f5_rec() { # TAG: the F5 requests of the first start of TAG
    local f
    f=$(find "$E_OUT" -maxdepth 1 -name "f5-$1-*.txt" | sort -V | head -n 1)
    [ -n "$f" ] || return 0
    rec "req_f5_$1" "$(wc -l < "$f") ($(px_paths < "$f"))"
}

cleanup() {
    [ -z "${TMUX_SOCK:-}" ] || tmux -L "$TMUX_SOCK" kill-server 2> /dev/null || true
    [ "${#PX_PIDS[@]}" = 0 ] || px_stop
    [ -z "${bg_pid:-}" ] || { kill "$bg_pid" 2> /dev/null || true; wait "$bg_pid" 2> /dev/null || true; }
    if [ "$keep" = 0 ] && [ "${engine_started:-0}" = 1 ]; then
        local e t rm=() t0
        for e in bench "${ENGS[@]}"; do
            for t in $(e_present "$e" 2> /dev/null); do rm+=("$e $t"); done
        done
        say "removing ${#rm[@]} tenants (remove --delete-backups, xargs -P4)"
        t0=$(now_ns)
        e_parallel remove "${rm[@]}" || true
        say "removed in $(ms_since "$t0") ms; stopping the bench engines"
        "$TOP/tests/env/down.sh" --engine > /dev/null 2>&1 || say "down.sh --engine failed"
        "$TOP/tests/env/bench-engines.sh" --down > /dev/null 2>&1 || say "bench-engines.sh --down failed"
        for e in bench "${ENGS[@]}"; do rm -rf --one-file-system "$(e_targets "$e")"; done
    fi
}
PX_PIDS=()
trap cleanup EXIT

# ---- set up ---------------------------------------------------------------------------
say "engines: bench ($DL_SOCK, $TOTAL tenants) and ${ENGS[*]} ($PER each)"
engine_started=1
b_engine_up
"$TOP/tests/env/bench-engines.sh" > /dev/null
if [ "$clean_only" = 1 ]; then keep=0; exit 0; fi
for e in "${ENGS[@]}"; do e_database "$e"; done
rec load_start "$(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$SMALL" -gt 0 ] && [ "$(e_present bencha | wc -l)" -le "$SMALL" ]; then
    # 3 x SMALL first: its request counts, while the single engine is provisioned beside
    rm -f "$small_tsv"
    e_ensure "bencha $SMALL" "benchb $SMALL" "benchc $SMALL"
    e_ensure "bench $TOTAL" > "$E_OUT/log/bench-setup.log" 2>&1 &
    bg_pid=$!
    e_wait_probes "${ENGS[@]}"
    in_small=1
    rec small_taken "$(date -u '+%Y-%m-%d %H:%M UTC')"
    cli_counts "3x$SMALL" "${ENGS[@]}"
    TOTAL_SAVED=$TOTAL TOTAL=$((3 * SMALL))
    con_run "3x$SMALL" 0 "${ENGS[@]}"
    TOTAL=$TOTAL_SAVED
    f5_rec "3x$SMALL"
    in_small=0
    say "waiting for the single engine's $TOTAL tenants"
    wait "$bg_pid" || dl_die "provisioning the single engine failed: $(tail -n 5 "$E_OUT/log/bench-setup.log")"
    bg_pid=
    cat "$E_OUT/log/bench-setup.log" >&2
elif [ -s "$small_tsv" ]; then
    cat "$small_tsv" >> "$E_OUT/results.tsv"
fi
e_ensure "bench $TOTAL" "bencha $PER" "benchb $PER" "benchc $PER"
for e in bench "${ENGS[@]}"; do rec "tenants_$e" "$(e_present "$e" | wc -l)"; done
[ "$setup_only" = 0 ] || exit 0
e_wait_probes bench "${ENGS[@]}"

# ---- measuring ----------------------------------------------------------------------
rec load_measure "$(cut -d' ' -f1-3 /proc/loadavg)"
single=(-H "unix://$DL_SOCK")
multi=()
for e in "${ENGS[@]}"; do multi+=(-H "${ENAME[$e]}=unix://$(e_sock "$e")"); done

# hyperfine runs all of one command, then all of the other: on a machine shared with
# other work the load moves in between. So BENCH_BLOCKS (3) blocks, each both commands
# in turn, and the figures over every run of all blocks.
BLOCKS=${BENCH_BLOCKS:-3}
blocks() { # NAME RUNS WARMUP CMD1 CMD2
    local name=$1 runs=$2 warmup=$3 b
    for ((b = 1; b <= BLOCKS; b++)); do
        B_OUT=$E_OUT b_hyperfine "$name-$b" $(((runs + BLOCKS - 1) / BLOCKS)) "$warmup" "$4" "$5"
    done
    python3 - "$E_OUT/$name" "$BLOCKS" << 'PY'
import json, statistics, sys
base, n = sys.argv[1], int(sys.argv[2])
times = [[], []]
for b in range(1, n + 1):
    for i, r in enumerate(json.load(open("%s-%d.json" % (base, b)))["results"]):
        times[i] += r["times"]
for t in times:
    print("%.1f %.1f %.1f %d" % (1000 * statistics.mean(t), 1000 * statistics.median(t), 1000 * min(t), len(t)))
PY
}
say "list --json, 1 x $TOTAL vs 3 x $PER ($RUNS runs each, $BLOCKS blocks)"
{ read -r l1_mean l1_med l1_min l1_n; read -r l3_mean l3_med l3_min l3_n; } < <(blocks list "$RUNS" 3 \
    "$B_BIN --config $B_CFG ${single[*]} list --json" "$B_BIN --config $B_CFG ${multi[*]} list --json")
say "status --json, 1 x $TOTAL vs 3 x $PER ($STATUS_RUNS runs each, $BLOCKS blocks)"
{ read -r s1_mean s1_med s1_min s1_n; read -r s3_mean s3_med s3_min s3_n; } < <(blocks status "$STATUS_RUNS" 1 \
    "$B_BIN --config $B_CFG ${single[*]} status --json" "$B_BIN --config $B_CFG ${multi[*]} status --json")
rec list_1 "$l1_med ms (mean $l1_mean, min $l1_min)"
rec list_3 "$l3_med ms (mean $l3_mean, min $l3_min)"
rec list_ratio "$(awk -v a="$l3_med" -v b="$l1_med" 'BEGIN { printf "%.2f", a / b }')"
rec status_1 "$s1_med ms (mean $s1_mean, min $s1_min)"
rec status_3 "$s3_med ms (mean $s3_mean, min $s3_min)"
rec status_ratio "$(awk -v a="$s3_med" -v b="$s1_med" 'BEGIN { printf "%.2f", a / b }')"
rec runs "list $l1_n / $l3_n, status $s1_n / $s3_n"

say "engine requests of list and status, 1 x $TOTAL and 3 x $PER"
cli_counts "1x$TOTAL" bench
cli_counts "3x$PER" "${ENGS[@]}"

say "console: first paint and full list, $PAINTS starts each, alternating, from its trace"
for ((i = 1; i <= PAINTS; i++)); do
    con_trace "1x$TOTAL" bench
    sleep 1
    con_trace "3x$PER" "${ENGS[@]}"
    sleep 1
done
say "console through the proxies: paint, one F5, ${IDLE_S} s idle, once each"
con_run "1x$TOTAL" "$IDLE_S" bench
sleep 1
con_run "3x$PER" "$IDLE_S" "${ENGS[@]}"
for tag in "1x$TOTAL" "3x$PER"; do
    read -r med max <<< "$(med_max "$E_OUT/trace-$tag.txt" 1)"
    rec "paint_first_$tag" "$med ms (max $max)"
    read -r med max <<< "$(med_max "$E_OUT/trace-$tag.txt" 3)"
    rec "paint_full_$tag" "$med ms (max $max)"
    rec "proxy_paint_$tag" "$(awk '{ printf "first %s ms, full %s ms", $1, $3 }' "$E_OUT/paint-$tag.txt")"
    f5_rec "$tag"
    [ ! -f "$E_OUT/idle-$tag.txt" ] ||
        rec "req_idle_$tag" "$(wc -l < "$E_OUT/idle-$tag.txt") in $IDLE_S s ($(px_paths < "$E_OUT/idle-$tag.txt"))"
done
m1=$(med_max "$E_OUT/trace-1x$TOTAL.txt" 3 | cut -d' ' -f1)
m3=$(med_max "$E_OUT/trace-3x$PER.txt" 3 | cut -d' ' -f1)
rec paint_full_ratio "$(awk -v a="$m3" -v b="$m1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
m1=$(med_max "$E_OUT/trace-1x$TOTAL.txt" 1 | cut -d' ' -f1)
m3=$(med_max "$E_OUT/trace-3x$PER.txt" 1 | cut -d' ' -f1)
rec paint_first_ratio "$(awk -v a="$m3" -v b="$m1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
rec load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report ---------------------------------------------------------------------------
{
    printf 'deeplens-backup several-engines bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'machine: %s cores, %s; binary %s; docker %s\n' "$(nproc)" "$(uname -r)" \
        "$(git -C "$TOP" describe --always --dirty 2> /dev/null || echo '?')" \
        "$(dl_docker version -f '{{.Server.Version}}' 2> /dev/null)"
    printf 'tenants: bench %s, bencha %s, benchb %s, benchc %s\n' "$(val tenants_bench)" \
        "$(val tenants_bencha)" "$(val tenants_benchb)" "$(val tenants_benchc)"
    printf 'load average: start %s, measuring %s, end %s\n\n' "$(val load_start)" "$(val load_measure)" "$(val load_end)"
    f='%-46s %-10s %-34s %s\n'
    # shellcheck disable=SC2059 # the format is the table's
    {
        printf "$f" FIGURE TARGET "3 x $PER" "1 x $TOTAL"
        printf "$f" "list --json (median; runs $(val runs))" "<= 1.3x" "$(val list_3)" "$(val list_1)"
        printf "$f" "  ratio 3 engines / 1" "<= 1.30" "$(val list_ratio)" ""
        printf "$f" "status --json (median)" "" "$(val status_3)" "$(val status_1)"
        printf "$f" "  ratio 3 engines / 1" "" "$(val status_ratio)" ""
        printf "$f" "console first paint (median of $PAINTS)" "" "$(val "paint_first_3x$PER")" "$(val "paint_first_1x$TOTAL")"
        printf "$f" "  ratio 3 engines / 1" "" "$(val paint_first_ratio)" ""
        printf "$f" "console first full list (median of $PAINTS)" "<= 1.3x" "$(val "paint_full_3x$PER")" "$(val "paint_full_1x$TOTAL")"
        printf "$f" "  ratio 3 engines / 1" "<= 1.30" "$(val paint_full_ratio)" ""
        printf "$f" "console through the proxies (one start)" "" "$(val "proxy_paint_3x$PER")" "$(val "proxy_paint_1x$TOTAL")"
    }
    echo
    echo "engine requests (sum over the engines, each engine's in brackets; 3 x $SMALL taken $(val small_taken)):"
    for tag in "3x$SMALL" "3x$PER" "1x$TOTAL"; do
        [ "$(val "req_list_$tag")" != n/a ] || continue
        printf '  %-8s list --json   %s\n' "$tag" "$(val "req_list_$tag")"
        printf '  %-8s status --json %s\n' "$tag" "$(val "req_status_$tag")"
        printf '  %-8s console F5    %s\n' "$tag" "$(val "req_f5_$tag")"
        [ "$(val "req_idle_$tag")" = n/a ] || printf '  %-8s console idle  %s\n' "$tag" "$(val "req_idle_$tag")"
    done
    echo
    echo "setup:"
    awk -F'\t' '$1 ~ /^(provision|backup)_/ { sub(/_[0-9]+$/, "", $1); printf "  %-10s %s\n", $1, $2 }' "$E_OUT/results.tsv"
} | tee "$E_OUT/results.txt"
say "results in $E_OUT/results.txt (raw: $E_OUT)"
