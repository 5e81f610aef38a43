#!/usr/bin/env bash
# tests/run.sh - run test suites, count their TAP and close with the line
# "N passed, N failed" (", N skipped" when any). `make check` calls it.
#
#   tests/run.sh --unit ASAN_BUILD_DIR        ASAN_BUILD_DIR/tests/unit/**/test_*, then
#                                             the fuzz corpus replays (tests/fuzz)
#   tests/run.sh --integration BUILD_DIR      tests/env/up.sh + postgres.sh, then
#                                             BUILD_DIR/tests/integration/**/test_*
#                                             and tests/integration/**/*.test.sh
#   tests/run.sh --tui BUILD_DIR              tests/env/up.sh + postgres.sh, then
#                                             tests/tui/*.test.sh
#   tests/run.sh --all BUILD_DIR ASAN_BUILD_DIR   unit, integration, tui
#
# A suite is one test program or one *.test.sh script (run with bash); each
# prints TAP: "ok N - name", "not ok N - name", "# ...", "... # SKIP why".
# A suite that exits non-zero, times out or bails out without a "not ok" of
# its own counts as one failure under its name, as do planned tests it never
# reported and a script that called a command no one defined (bash's "line N:
# NAME: command not found": a check that never ran). Output goes to the terminal and to build/test-logs/<suite>.log.
# Exit status: non-zero if anything failed or if no test ran.
#
# Suites get: CMOCKA_MESSAGE_OUTPUT=TAP, ASan/UBSan options, DL_REPO,
# DL_BUILD_DIR, DL_BIN (the built ./deeplens-backup), DL_TAP_SH (the TAP
# helper), and for integration/tui everything in /run/deeplens-test/env.
#
# Env: DL_SUITE_TIMEOUT seconds per suite (900), DL_TEST_FILTER (an ERE
#      matched against suite names, e.g. 'unit/cron'), DL_TEST_LOG_DIR.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

suite_timeout=${DL_SUITE_TIMEOUT:-900}
log_root=${DL_TEST_LOG_DIR:-$repo/build/test-logs}
filter=${DL_TEST_FILTER:-}

passed=0 failed=0 skipped=0
failures=()
env_state=    # "", ok, failed
suite_pid_file=$(mktemp)
suite_rc_file=$(mktemp)
trap 'rm -f "$suite_pid_file" "$suite_rc_file"' EXIT

interrupted() {
    local pid
    pid=$(cat "$suite_pid_file" 2> /dev/null)
    # timeout(1) runs in its own process group and passes TERM on to the suite
    [ -z "$pid" ] || kill -TERM "$pid" 2> /dev/null
    printf '\n# interrupted\n'
    exit 130
}
trap interrupted INT TERM

comment() { printf '# %s\n' "$*"; }

fail_suite() {
    failed=$((failed + 1))
    failures+=("$1")
    printf 'not ok - %s\n' "$1"
}

# Counts one suite's TAP from its log. Prints: pass fail skip planned
# reported bailed, then the names of the failed tests, one a line.
count_tap() {
    awk '
        function skipping(line) { return line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/ }
        function todo(line)     { return line ~ /#[ \t]*[Tt][Oo][Dd][Oo]/ }
        /^ok([ \t]|$)/ {
            reported++
            if (skipping($0)) skip++; else pass++
            next
        }
        /^not ok([ \t]|$)/ {
            reported++
            if (skipping($0) || todo($0)) { skip++; next }
            fail++
            name = $0
            sub(/^not ok[ \t]*[0-9]*[ \t]*(-[ \t]*)?/, "", name)
            names[fail] = name
            next
        }
        /^1\.\.[0-9]+/ {
            n = $0; sub(/^1\.\./, "", n); sub(/[^0-9].*$/, "", n)
            planned += n
            if (n == 0 && skipping($0)) { skip++; reported += 0 }
            next
        }
        /^Bail out!/ { bailed = 1 }
        END {
            printf "%d %d %d %d %d %d\n", pass, fail, skip, planned, reported, bailed
            for (i = 1; i <= fail; i++) print names[i]
        }
    ' "$1"
}

# run_suite NAME LOGFILE CMD...
run_suite() {
    local name=$1 log=$2
    shift 2
    if [ -n "$filter" ] && ! [[ $name =~ $filter ]]; then
        return 0
    fi
    mkdir -p "$(dirname "$log")"
    comment "--- $name"
    : > "$suite_pid_file"
    echo 1 > "$suite_rc_file"
    # In the background so that "wait" (unlike a foreground pipeline) lets
    # the INT/TERM trap run at once.
    {
        timeout -k 30 "$suite_timeout" "$@" < /dev/null 2>&1 &
        echo $! > "$suite_pid_file"
        wait $!
        echo $? > "$suite_rc_file"
    } | tee "$log" &
    wait $!
    local rc
    rc=$(cat "$suite_rc_file")
    : > "$suite_pid_file"

    local counts pass fail skip planned reported bailed
    mapfile -t counts < <(count_tap "$log")
    read -r pass fail skip planned reported bailed <<< "${counts[0]}"
    passed=$((passed + pass))
    skipped=$((skipped + skip))
    failed=$((failed + fail))
    local i
    for ((i = 1; i < ${#counts[@]}; i++)); do
        failures+=("$name: ${counts[i]}")
    done

    if [ "$rc" = 124 ]; then
        fail_suite "$name: timed out after ${suite_timeout} s"
    elif [ "$bailed" = 1 ]; then
        fail_suite "$name: bailed out"
    elif [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
        if [ "$rc" -gt 128 ]; then
            fail_suite "$name: killed by signal $((rc - 128))"
        else
            fail_suite "$name: exited with status $rc"
        fi
    fi
    # a check that calls what no one defined (bash: "FILE: line N: NAME: command not
    # found") never ran: the suite fails, whatever its TAP says
    local cnf
    cnf=$(grep -aE '^[^ ]+\.sh: line [0-9]+: [^ ]+: command not found$' "$log" | head -n 1) || true
    [ -z "$cnf" ] || fail_suite "$name: a check never ran: $cnf"
    if [ "$planned" -gt "$reported" ] && [ "$rc" != 124 ]; then
        fail_suite "$name: $((planned - reported)) planned test(s) never reported"
    fi
    if [ "$reported" = 0 ] && [ "$planned" = 0 ] && [ "$skip" = 0 ] && [ "$rc" = 0 ]; then
        comment "$name printed no TAP result"
    fi
    comment "$name: $pass passed, $fail failed, $skip skipped (exit $rc)"
}

# The build's test programs under DIR/tests/KIND, in name order.
test_programs() {
    local dir=$1 kind=$2
    [ -d "$dir/tests/$kind" ] || return 0
    find "$dir/tests/$kind" -type f -name 'test_*' -perm -u+x \
        ! -name '*.o' ! -name '*.d' | LC_ALL=C sort
}

suite_env() {
    export CMOCKA_MESSAGE_OUTPUT=TAP
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:print_summary=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export DL_REPO=$repo DL_BIN=$repo/deeplens-backup DL_TAP_SH=$repo/tests/lib/tap.sh
}

# Engine, images, network and the deeplens-postgres fixture, once per run.
prepare_env() {
    [ -z "$env_state" ] || { [ "$env_state" = ok ]; return; }
    comment "--- test bed: tests/env/up.sh, tests/env/postgres.sh --seed"
    local rc
    tests/env/up.sh < /dev/null 2>&1 | sed -u 's/^/# /'
    rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ]; then
        env_state=failed
        fail_suite "tests/env/up.sh: exited with status $rc"
        return 1
    fi
    # shellcheck source=/dev/null
    . /run/deeplens-test/env
    tests/env/postgres.sh --seed < /dev/null 2>&1 | sed -u 's/^/# /'
    rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ]; then
        fail_suite "tests/env/postgres.sh: exited with status $rc"
    fi
    env_state=ok
}

run_unit() {
    local dir=$1 prog
    comment "=== unit tests ($dir)"
    rm -rf "$log_root/unit"
    export DL_BUILD_DIR=$dir
    while IFS= read -r prog; do
        local rel=${prog#"$dir"/tests/}
        run_suite "$rel" "$log_root/$rel.log" "$prog"
    done < <(test_programs "$dir" unit)
    # the fuzz targets' corpus replays (tests/fuzz/replay.c), one suite each
    [ -d "$dir/tests/fuzz/replay" ] || return 0
    while IFS= read -r prog; do
        local name=${prog##*/}
        run_suite "fuzz/$name" "$log_root/unit/fuzz/$name.log" "$prog" "tests/fuzz/corpus/$name"
    done < <(find "$dir/tests/fuzz/replay" -type f -name 'fuzz_*' -perm -u+x ! -name '*.d' |
        LC_ALL=C sort)
}

run_integration() {
    local dir=$1 prog script
    comment "=== integration tests ($dir)"
    rm -rf "$log_root/integration"
    if ! prepare_env; then
        comment "integration suites not run: the test bed is not up"
        return
    fi
    export DL_BUILD_DIR=$dir
    while IFS= read -r prog; do
        local rel=${prog#"$dir"/tests/}
        run_suite "$rel" "$log_root/$rel.log" "$prog"
    done < <(test_programs "$dir" integration)
    while IFS= read -r script; do
        local rel=${script#tests/}
        run_suite "$rel" "$log_root/$rel.log" bash "$script"
    done < <(find tests/integration -type f -name '*.test.sh' 2> /dev/null | LC_ALL=C sort)
}

run_tui() {
    local dir=$1 script
    comment "=== console tests ($dir)"
    rm -rf "$log_root/tui"
    if ! prepare_env; then
        comment "console suites not run: the test bed is not up"
        return
    fi
    export DL_BUILD_DIR=$dir
    for script in tests/tui/*.test.sh; do
        [ -f "$script" ] || continue
        run_suite "${script#tests/}" "$log_root/${script#tests/}.log" bash "$script"
    done
}

[ $# -ge 2 ] || usage
suite_env
case "$1" in
    --unit) [ $# -eq 2 ] || usage; run_unit "$2" ;;
    --integration) [ $# -eq 2 ] || usage; run_integration "$2" ;;
    --tui) [ $# -eq 2 ] || usage; run_tui "$2" ;;
    --all)
        [ $# -eq 3 ] || usage
        run_unit "$3"
        run_integration "$2"
        run_tui "$2"
        ;;
    *) usage ;;
esac

if [ "${#failures[@]}" -gt 0 ]; then
    comment "=== failures"
    for f in "${failures[@]}"; do comment "  $f"; done
fi
if [ $((passed + failed)) = 0 ]; then
    comment "no test ran"
fi
summary="$passed passed, $failed failed"
[ "$skipped" = 0 ] || summary+=", $skipped skipped"
printf '%s\n' "$summary"
[ "$failed" = 0 ] && [ $((passed + failed)) -gt 0 ]
