# shellcheck shell=bash
# tests/lib/tap.sh - plan-less TAP for the *.test.sh suites. Source it:
#
#   . "$(dirname "$0")/../lib/tap.sh"     (or tests/lib/tap.sh from the repo root)
#   ok "engine answers"                    # a pass
#   not_ok "no container" "details..."     # a failure; later args print as # lines
#   skip "restore" "no NFS here"           # ok N - restore # SKIP no NFS here
#   is "$got" "$want" "status is running"  # string comparison
#   like "$got" 'regex' "name"             # bash ERE match
#   check "container exists" docker inspect x   # runs a command: ok if it exits 0
#   diag "a note"                          # "# a note" on stdout
#   skip_all "no engine"                   # 1..0 # SKIP no engine, exit 0
#   bail_out "engine died"                 # Bail out! ..., exit 1
#   done_testing                           # prints 1..N, exits 1 if anything failed
#
# Safe under "set -euo pipefail"; the helpers return 0 whether a test passed
# or not, so a suite goes on after a failure. tests/run.sh counts the lines.

TAP_RUN=0
TAP_FAILED=0

# Each argument, line by line, as "<prefix><line>" comments.
_tap_comment() {
    local prefix=$1 arg line
    shift
    for arg in "$@"; do
        while IFS= read -r line || [ -n "$line" ]; do
            printf '%s%s\n' "$prefix" "$line"
        done <<< "$arg"
    done
}

ok() {
    TAP_RUN=$((TAP_RUN + 1))
    printf 'ok %d - %s\n' "$TAP_RUN" "${1:-}"
}

not_ok() {
    TAP_RUN=$((TAP_RUN + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    printf 'not ok %d - %s\n' "$TAP_RUN" "${1:-}"
    shift || true
    [ "$#" -eq 0 ] || _tap_comment '#   ' "$@"
    return 0
}

skip() {
    TAP_RUN=$((TAP_RUN + 1))
    printf 'ok %d - %s # SKIP %s\n' "$TAP_RUN" "${1:-}" "${2:-}"
}

is() {
    if [ "$1" = "$2" ]; then
        ok "${3:-}"
    else
        not_ok "${3:-}" "got:  '$1'" "want: '$2'"
    fi
}

isnt() {
    if [ "$1" != "$2" ]; then
        ok "${3:-}"
    else
        not_ok "${3:-}" "got '$1', wanted anything else"
    fi
}

like() {
    if [[ $1 =~ $2 ]]; then
        ok "${3:-}"
    else
        not_ok "${3:-}" "got:  '$1'" "want: /$2/"
    fi
}

check() {
    local name=$1 out rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
        ok "$name"
    else
        not_ok "$name" "command: $*" "exit: $rc" "$out"
    fi
}

diag() {
    _tap_comment '# ' "$@"
}

skip_all() {
    printf '1..0 # SKIP %s\n' "${1:-}"
    exit 0
}

bail_out() {
    printf 'Bail out! %s\n' "${1:-}"
    exit 1
}

done_testing() {
    printf '1..%d\n' "$TAP_RUN"
    [ "$TAP_FAILED" -eq 0 ] || exit 1
    exit 0
}
