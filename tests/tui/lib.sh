# shellcheck shell=bash
# tests/tui/lib.sh - drive the real ./deeplens-backup console in tmux against
# the test engine, and assert on the screen text. Sourced by tests/tui/*.test.sh.
#
#   tui_setup                 engine + PostgreSQL + config, or skip the file
#   tui_tenant NAME [args]    provision a tenant through the CLI (cleaned up)
#   tui_start [ENV=V ...] [-- ARGS]   open the console in a tmux pane
#   tui_keys KEY...           tmux send-keys (tmux key names)
#   tui_type TEXT             send literal text
#   tui_screen                the pane's text
#   tui_wait TEXT [SECS]      poll until the screen shows TEXT (fixed string)
#   tui_wait_gone TEXT [SECS] poll until it does not
#   t_ok STATUS NAME          a TAP line from an exit status (tests/lib/tap.sh
#                             gives is, like, diag, skip_all, done_testing)
#
# Everything created here (tenants, databases, directories, the tmux server,
# a throwaway PostgreSQL) is removed by the EXIT trap.
set -u

TUI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TUI_BIN=${DL_BIN:-$TUI_TOP/deeplens-backup}
TUI_TMP=$(mktemp -d /tmp/dl-tui.XXXXXX)
TUI_SOCK="dl-tui-$$-0"
TUI_STARTS=0
TUI_TENANTS=()
TUI_PG_OWN=""

# ---- TAP (tests/lib/tap.sh) plus one helper -----------------------------------
# shellcheck source=tests/lib/tap.sh
. "${DL_TAP_SH:-$TUI_TOP/tests/lib/tap.sh}"

# t_ok STATUS NAME: pass when STATUS is 0; a failure shows the screen.
t_ok() {
    local rc=$1; shift
    if [ "$rc" = 0 ]; then ok "$*"; else not_ok "$*" "$(tui_screen 2>/dev/null | sed 's/^/| /')"; fi
}

# ---- the console in tmux ----------------------------------------------------
tmx() { tmux -L "$TUI_SOCK" "$@"; }

tui_start() {
    local envs=() args=()
    while [ $# -gt 0 ]; do
        case $1 in
            --) shift; args=("$@"); break ;;
            *=*) envs+=("$1"); shift ;;
            *) args+=("$1"); shift ;;
        esac
    done
    tui_stop
    # a fresh tmux server per console: a dying one cannot take the new session
    TUI_STARTS=$((TUI_STARTS + 1))
    TUI_SOCK="dl-tui-$$-$TUI_STARTS"
    : > "$TUI_TMP/exit"
    local cmd
    cmd="cd $(printf %q "$TUI_TOP") && env LANG=C.UTF-8 DOCKER_HOST=$(printf %q "$DOCKER_HOST")"
    local e
    for e in "${envs[@]+"${envs[@]}"}"; do cmd+=" $(printf %q "$e")"; done
    cmd+=" $(printf %q "$TUI_BIN") --config $(printf %q "$TUI_TMP/config")"
    for e in "${args[@]+"${args[@]}"}"; do cmd+=" $(printf %q "$e")"; done
    cmd+="; echo \"EXIT=\$?\" > $(printf %q "$TUI_TMP/exit"); sleep 600"
    tmx new-session -d -x "${TUI_COLS:-120}" -y "${TUI_ROWS:-40}" "$cmd"
}

tui_stop() { tmx kill-server 2>/dev/null || true; }
tui_keys() { tmx send-keys "$@"; }
tui_type() { tmx send-keys -l "$1"; }
tui_screen() { tmx capture-pane -p; }
tui_pid() { tmx list-panes -F '#{pane_pid}' | head -n1; }

tui_wait() {
    local text=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        tui_screen | grep -aqF -- "$text" && return 0
        sleep 0.05
    done
    return 1
}

tui_wait_gone() {
    local text=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        tui_screen | grep -aqF -- "$text" || return 0
        sleep 0.05
    done
    return 1
}

# The console's exit line (written by the pane's shell once it ends).
tui_exit_code() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ -s "$TUI_TMP/exit" ] && { sed 's/EXIT=//' "$TUI_TMP/exit"; return 0; }
        sleep 0.05
    done
    echo "none"
}

# Narrow the list to our tenants: / prefix Enter.
tui_filter() {
    tui_keys /
    tui_type "$1"
    tui_keys Enter
}

# ---- engine, PostgreSQL, tenants --------------------------------------------
dk() { docker "$@"; }

tui_setup() {
    [ -x "$TUI_BIN" ] || skip_all "no $TUI_BIN (run make)"
    command -v tmux >/dev/null || skip_all "tmux is not installed"
    command -v docker >/dev/null || skip_all "no docker CLI"
    # shellcheck disable=SC1091
    [ -f /run/deeplens-test/env ] && . /run/deeplens-test/env
    export DOCKER_HOST=${DOCKER_HOST:-unix:///run/deeplens-test/docker.sock}
    dk version >/dev/null 2>&1 || skip_all "no test engine at $DOCKER_HOST (tests/env/up.sh)"
    dk image inspect deeplens/backup-runner:15 >/dev/null 2>&1 ||
        skip_all "no image deeplens/backup-runner:15 (tests/env/up.sh)"
    dk network inspect deeplens-network >/dev/null 2>&1 ||
        dk network create deeplens-network >/dev/null

    TUI_PW_FILE=$TUI_TMP/pg-password
    echo "deeplens-dev" > "$TUI_PW_FILE"
    # the shared deeplens-postgres (tests/env/postgres.sh), else one of our own
    TUI_PG=${DL_TEST_PG_CONTAINER:-deeplens-postgres}
    if [ "$(dk inspect -f '{{.State.Running}}' "$TUI_PG" 2>/dev/null)" != true ] &&
        ! { [ -x "$TUI_TOP/tests/env/postgres.sh" ] &&
            "$TUI_TOP/tests/env/postgres.sh" >/dev/null 2>&1; }; then
        TUI_PG="dl-tui-pg-$$"
        TUI_PG_OWN=$TUI_PG
        dk run -d --name "$TUI_PG" --network deeplens-network \
            -e POSTGRES_PASSWORD=deeplens-dev -e POSTGRES_USER=deeplens \
            deeplens/postgres:15 >/dev/null || skip_all "cannot start PostgreSQL"
    elif [ -r "${DL_TEST_PG_PASSWORD_FILE:-/run/deeplens-test/pg-password}" ]; then
        cp "${DL_TEST_PG_PASSWORD_FILE:-/run/deeplens-test/pg-password}" "$TUI_PW_FILE"
    fi
    local i
    for ((i = 0; i < 200; i++)); do
        dk exec "$TUI_PG" pg_isready -q -h 127.0.0.1 -U deeplens >/dev/null 2>&1 && break
        sleep 0.1
    done
    cat > "$TUI_TMP/config" <<EOF
postgres_host = $TUI_PG
postgres_password_file = $TUI_PW_FILE
image = deeplens/backup-runner:15
audit_file = $TUI_TMP/audit.jsonl
EOF
    trap tui_cleanup EXIT
}

# A tenant name unique to this run: tui<pid><word>
tui_name() { echo "tui$$$1"; }

tui_db() {
    dk exec "$TUI_PG" psql -q -U deeplens -d postgres \
        -c "create database tenant_$1_metadata" >/dev/null 2>&1 || true
}

# tui_tenant NAME [provision options]: database, target directory, provision
tui_tenant() {
    local t=$1; shift
    tui_db "$t"
    mkdir -p "$TUI_TMP/target/$t"
    chmod 777 "$TUI_TMP/target/$t"
    TUI_TENANTS+=("$t")
    if ! "$TUI_BIN" --config "$TUI_TMP/config" provision "$t" \
        --nfs-path "local:$TUI_TMP/target/$t" --password-file "$TUI_PW_FILE" "$@" \
        > "$TUI_TMP/provision-$t.log" 2>&1; then
        sed 's/^/# provision: /' "$TUI_TMP/provision-$t.log"
        return 1
    fi
}

tui_cleanup() {
    tui_stop
    local t
    for t in "${TUI_TENANTS[@]+"${TUI_TENANTS[@]}"}"; do
        "$TUI_BIN" --config "$TUI_TMP/config" remove "$t" --delete-backups --yes >/dev/null 2>&1 || true
        dk rm -f "deeplens-backup-$t" >/dev/null 2>&1 || true
        dk volume rm -f "tenant_${t}_pgbackup" >/dev/null 2>&1 || true
        dk exec "$TUI_PG" psql -q -U deeplens -d postgres \
            -c "drop database if exists tenant_${t}_metadata" >/dev/null 2>&1 || true
    done
    [ -n "$TUI_PG_OWN" ] && dk rm -f "$TUI_PG_OWN" >/dev/null 2>&1
    rm -rf "$TUI_TMP"
}
