#!/usr/bin/env bash
# tests/fuzz/run.sh - run the libFuzzer targets `make fuzz` built.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# Each target (default: every BUILD_DIR/tests/fuzz/bin/fuzz_*) runs SECONDS
# under ASan+UBSan, one job, niced, on a working corpus in
# BUILD_DIR/fuzz-corpus/<target> seeded from tests/fuzz/corpus/<target>
# (the seeds are never written). Crashes land in
# BUILD_DIR/fuzz-crashes/<target>/; keep one in tests/fuzz/corpus/<target>
# with a regression unit test once it is fixed. Closes with one line per
# target: name, executions, seconds, crashes. Exit 1 if any target crashed.
# Env: FUZZ_ARGS extra libFuzzer flags (e.g. -runs=10000000).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 2 ] || { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd) seconds=$2
shift 2
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    for bin in "$build"/tests/fuzz/bin/fuzz_*; do
        [ -x "$bin" ] && targets+=("$(basename "$bin")")
    done
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets in $build/tests/fuzz/bin" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=() crashed=0
for t in "${targets[@]}"; do
    bin=$build/tests/fuzz/bin/$t
    work=$build/fuzz-corpus/$t crashes=$build/fuzz-crashes/$t
    seeds=$repo/tests/fuzz/corpus/$t
    logdir=$build/fuzz-logs/$t log=$build/fuzz-logs/$t.log
    mkdir -p "$work" "$crashes" "$logdir"
    [ -d "$seeds" ] || seeds=
    echo "# --- $t: ${seconds}s"
    # -jobs writes the fuzzer's output to fuzz-<n>.log in the working
    # directory: one directory per target, so targets can run side by side
    rm -f "$logdir"/fuzz-*.log
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    (cd "$logdir" && exec nice -n 10 "$bin" -max_total_time="$seconds" -jobs=1 -workers=1 \
        -print_final_stats=1 -artifact_prefix="$crashes/" ${FUZZ_ARGS:-} \
        "$work" ${seeds:+"$seeds"}) > "$log" 2>&1
    rc=$?
    for f in "$logdir"/fuzz-*.log; do [ -f "$f" ] && cat "$f" >> "$log"; done
    execs=$(awk '/stat::number_of_executed_units/ {n = $2} END {print n + 0}' "$log")
    secs=$(awk '/stat::number_of_executed_units/ {} /Done [0-9]+ runs in/ {s = $(NF-1)} END {print s + 0}' "$log")
    n=$(find "$crashes" -type f | wc -l)
    [ "$rc" = 0 ] && [ "$n" = 0 ] || crashed=1
    summary+=("$(printf '%-22s %12s execs %6s s %3s crashes (exit %s)' "$t" "$execs" "$secs" "$n" "$rc")")
    tail -n 3 "$log" | sed 's/^/#   /'
done
echo "# === fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$crashed"
