#!/usr/bin/env bash
# tests/bench/run.sh - deeplens-backup benchmarks (make bench). Figures are
# measured and reported, never asserted: the script fails only when it cannot
# measure.
#
#   tests/bench/run.sh [--keep] [--setup-only] [--cli-only] [--console-only]
#
#   --keep          leave the bench engine and its tenants for the next run
#   --setup-only    engine + tenants, then stop (implies --keep)
#   --cli-only, --console-only   one half of the figures
#
# Where: an engine of its own (tests/env/up.sh with DL_BED=bench, socket
# /run/deeplens-bench/docker.sock), never the shared test engine. A fresh run
# provisions 10 tenants, takes the 10-tenant request counts, then provisions
# up to BENCH_TENANTS (200) with xargs -P4 and runs backup-now on every one,
# so each has a status file and a backup to list. A rerun after --keep reuses
# them (the 10-tenant counts are then not taken).
#
# What (issue 3, CLI):
#   list --json vs docker ps -a --filter name=^deeplens-backup- --format
#     '{{json .}}': hyperfine -N, BENCH_RUNS runs each, same engine, same run
#   status --json (all tenants) and metrics vs the document's way, one
#     docker exec deeplens-backup-<t> ls -la /backups per tenant in sequence
#   engine requests of list and status at 10 and 200 tenants, and the peak
#     of requests in flight, counted by a Unix socket proxy (countproxy.py)
# What (issue 4, console in tmux, driven by tmuxprobe.py over tmux control
# mode, which timestamps the pane's output as it arrives):
#   first paint (header "200 tenants") and first full list (every row has
#     its health from its status file), from the Enter that starts it
#   resident memory (VmRSS) at 10 s and 60 s; CPU (utime+stime) of the
#     console and of the bench's dockerd over a 30 s idle window, dockerd
#     against its own 30 s window without a console
#   selection move (Down until the screen changes), log show (l until the
#     log's lines are on screen), key answer (p until PAUSED shows) while a
#     log streams 20,000 lines/s and after a 100,000-character line
#   RSS every BENCH_FOLLOW_SECONDS/10 s while following a log of 1,000 lines/s
#
# Env: BENCH_TENANTS (200), BENCH_RUNS (30: list), BENCH_STATUS_RUNS (10:
#      status, metrics), BENCH_EXEC_RUNS (2: docker exec of every tenant),
#      BENCH_PAINTS (5: console starts), BENCH_KEY_REPS (20),
#      BENCH_FOLLOW_SECONDS (120), BENCH_OUT (build/bench).
#      BENCH_BIG=1: also tests/bench/formats.sh (format and compression on a 1 GB
#      database in the shared test bed's PostgreSQL, under its engine lock; minutes).
#      BENCH_ENGINES=1: also tests/bench/engines.sh (3 engines x 100 tenants against
#      300 on the bench engine, issue 10; it reuses this run's tenants and, without
#      --keep, removes them and stops the engines; about 20 minutes).
# Output: a table on stdout and in build/bench/results.txt; raw data beside it.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$TOP/tests/bench/lib.sh"

# xargs workers: run.sh --one FUNC NAME
if [ "${1:-}" = --one ]; then
    case $2 in
        provision) b_provision_one "$3" ;;
        backup) b_backup_one "$3" ;;
        remove) b_remove_one "$3" ;;
        *) exit 2 ;;
    esac
    exit
fi

keep=0 setup_only=0 do_cli=1 do_console=1
for arg; do
    case $arg in
        --keep) keep=1 ;;
        --setup-only) setup_only=1 keep=1 ;;
        --cli-only) do_console=0 ;;
        --console-only) do_cli=0 ;;
        -h | --help) sed -n '2,40s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) dl_die "unknown option '$arg'" ;;
    esac
done
[ "$(id -u)" = 0 ] || dl_die "must run as root (it starts an engine of its own)"
[ -x "$B_BIN" ] || dl_die "no $B_BIN: run make first"

N=${BENCH_TENANTS:-200}
RUNS=${BENCH_RUNS:-30}
STATUS_RUNS=${BENCH_STATUS_RUNS:-10}
EXEC_RUNS=${BENCH_EXEC_RUNS:-2}
FOLLOW_S=${BENCH_FOLLOW_SECONDS:-120}
SMALL=10

if ! command -v hyperfine > /dev/null; then
    say "installing hyperfine (else a plain timing loop is used)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends hyperfine \
        > /dev/null 2>&1 || say "no hyperfine: timing with tests/bench/timeloop.py"
fi

rm -rf "$B_OUT/log"
mkdir -p "$B_OUT/log"
: > "$B_OUT/results.tsv"

# rec KEY VALUE: one figure, for the table and for the record
rec() { printf '%s\t%s\n' "$1" "$2" >> "$B_OUT/results.tsv"; }
val() { awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "n/a" : v) }' "$B_OUT/results.tsv"; }

cleanup() {
    [ -z "${TMUX_SOCK:-}" ] || tmux -L "$TMUX_SOCK" kill-server 2> /dev/null || true
    [ -z "${WRITER_CTR:-}" ] || dl_docker exec "$WRITER_CTR" sh -c 'pkill -f deeplens-bench-writer' 2> /dev/null || true
    if [ "$keep" = 0 ] && [ "${engine_started:-0}" = 1 ]; then
        local t0 ts
        mapfile -t ts < <(b_tenants_present)
        say "removing ${#ts[@]} tenants (remove --delete-backups, xargs -P4)"
        t0=$(now_ns)
        b_parallel remove "${ts[@]}" || true
        say "removed in $(ms_since "$t0") ms; stopping the bench engine"
        "$TOP/tests/env/down.sh" --engine > /dev/null 2>&1 || say "down.sh --engine failed"
        rm -rf --one-file-system "$B_TARGETS"
    fi
}
trap cleanup EXIT

# ---- set up -------------------------------------------------------------------
say "bench engine on $DL_SOCK"
engine_started=1
b_engine_up
read -r small_prov small_prov_ms small_back small_back_ms <<< "$(b_ensure_tenants "$SMALL")"
present=$(b_tenants_present | wc -l)
if [ "$present" = "$SMALL" ]; then
    # 10 tenants on the engine: the request counts that must not grow
    b_proxy_run list10 "$B_BIN" --config "$B_CFG" list --json
    b_proxy_run status10 "$B_BIN" --config "$B_CFG" status --json
    rec req_list_10 "$(b_count list10 requests)"
    rec req_status_10 "$(b_count status10 requests)"
    rec peak_status_10 "$(b_count status10 peak_outstanding)"
fi
read -r big_prov big_prov_ms big_back big_back_ms <<< "$(b_ensure_tenants "$N")"
prov=$((small_prov + big_prov))
[ "$prov" = 0 ] || rec provision "$prov tenants in $(awk -v m=$((small_prov_ms + big_prov_ms)) 'BEGIN { printf "%.1f", m / 1000 }') s (-P4)"
back=$((small_back + big_back))
[ "$back" = 0 ] || rec backup_now "$back tenants in $(awk -v m=$((small_back_ms + big_back_ms)) 'BEGIN { printf "%.1f", m / 1000 }') s (-P4)"
present=$(b_tenants_present | wc -l)
rec tenants "$present"
say "$present tenants on the bench engine"
[ "$setup_only" = 0 ] || exit 0
b_wait_probes

# ---- CLI (issue 3) --------------------------------------------------------------
if [ "$do_cli" = 1 ]; then
    say "list --json vs docker ps ($RUNS runs each)"
    b_hyperfine list "$RUNS" 3 \
        "$B_BIN --config $B_CFG list --json" \
        "$DL_DOCKER_BIN ps -a --filter name=^$B_PREFIX --format '{{json .}}'"
    { read -r l_mean l_med l_min _ _; read -r d_mean d_med d_min _ _; } < <(b_stats list)
    rec list_ours "$l_med ms (mean $l_mean, min $l_min)"
    rec list_docker "$d_med ms (mean $d_mean, min $d_min)"
    rec list_ratio "$(awk -v a="$l_med" -v b="$d_med" 'BEGIN { printf "%.2f", a / b }')"

    say "status --json and metrics of all tenants ($STATUS_RUNS runs each)"
    b_hyperfine status "$STATUS_RUNS" 1 \
        "$B_BIN --config $B_CFG status --json" \
        "$B_BIN --config $B_CFG metrics"
    { read -r s_mean s_med s_min _ _; read -r m_mean m_med m_min _ _; } < <(b_stats status)
    rec status_ours "$s_med ms (mean $s_mean, min $s_min)"
    rec metrics_ours "$m_med ms (mean $m_mean, min $m_min)"

    say "docker exec ls -la /backups per tenant, sequentially ($EXEC_RUNS runs)"
    b_hyperfine execall "$EXEC_RUNS" 0 "$BASH $TOP/tests/bench/exec-all.sh $DL_DOCKER_BIN $B_PREFIX"
    read -r e_mean e_med e_min _ _ < <(b_stats execall)
    rec status_docker "$e_med ms (mean $e_mean, min $e_min)"
    rec status_ratio "$(awk -v a="$s_med" -v b="$e_med" 'BEGIN { printf "%.1f", b / a }')"

    say "engine requests of list and status"
    b_proxy_run list200 "$B_BIN" --config "$B_CFG" list --json
    b_proxy_run status200 "$B_BIN" --config "$B_CFG" status --json
    b_proxy_run ps200 "$DL_DOCKER_BIN" ps -a --filter "name=^$B_PREFIX" --format '{{json .}}'
    rec req_list_200 "$(b_count list200 requests)"
    rec req_status_200 "$(b_count status200 requests)"
    rec peak_status_200 "$(b_count status200 peak_outstanding)"
    rec conns_status_200 "$(b_count status200 peak_connections)"
    rec req_ps_200 "$(b_count ps200 requests)"
fi

# ---- console (issue 4) ------------------------------------------------------------
if [ "$do_console" = 1 ]; then
    # shellcheck source=tests/bench/console.sh
    . "$TOP/tests/bench/console.sh"
    bench_console
fi

# ---- report -------------------------------------------------------------------------
# shellcheck source=tests/bench/report.sh
. "$TOP/tests/bench/report.sh"
bench_report | tee "$B_RESULTS"
say "results in $B_RESULTS (raw: $B_OUT)"

# ---- formats on a 1 GB database (issue 9), opt-in: minutes, and on the shared test bed ----
if [ "${BENCH_BIG:-0}" = 1 ]; then
    say "formats: tests/bench/formats.sh on the test bed, under its engine lock"
    (
        # shellcheck source=/dev/null
        . /run/deeplens-test/env
        flock /tmp/dl-itest.lock "$TOP/tests/bench/formats.sh"
    )
fi

# ---- several engines (issue 10), opt-in: its own engines besides the bench engine ----
if [ "${BENCH_ENGINES:-0}" = 1 ]; then
    say "several engines: tests/bench/engines.sh"
    if [ "$keep" = 1 ]; then "$TOP/tests/bench/engines.sh" --keep; else "$TOP/tests/bench/engines.sh"; fi
fi
