#!/usr/bin/env bash
# unreachable.test.sh - the engine goes away and comes back: the console
# shows a clear, retrying screen and recovers by itself. The shared test
# engine is never touched: the console talks to it through a small socket
# proxy (tests/tui/sockproxy.py) that this test stops and starts. The engine
# goes away in one known state: once the console is idle (no status read in
# flight, only its events stream open), as the proxy tells by its idle file.
. "$(dirname "$0")/lib.sh"
tui_setup
command -v python3 >/dev/null || skip_all "python3 is needed for the socket proxy"

t=$(tui_name u)
tui_tenant "$t"; t_ok $? "provisioned $t"

real=${DOCKER_HOST#unix://}
proxy=$TUI_TMP/engine.sock
idle=$TUI_TMP/proxy-idle
proxy_pid=""
proxy_start() {
    python3 "$TUI_TOP/tests/tui/sockproxy.py" "$proxy" "$real" "$idle" &
    proxy_pid=$!
    for i in $(seq 50); do [ -S "$proxy" ] && return 0; sleep 0.1; done
    return 1
}
proxy_stop() { [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; proxy_pid=""; }
trap 'proxy_stop; tui_cleanup' EXIT

proxy_start; t_ok $? "the proxy is up"
DOCKER_HOST=unix://$proxy tui_start DEEPLENS_TRACE="$TUI_TMP/trace"
tui_wait "$t" 10; t_ok $? "through the proxy the list shows $t"

# what the console asked of the engine and where it waits, when a check fails
why() {
    local pid
    pid=$(pgrep -P "$(tui_pid)" -f deeplens-backup | head -n1)
    diag "proxy: $( [ -S "$proxy" ] && echo "socket still there" || echo "socket gone")"
    [ -n "$pid" ] && diag "console $pid waits in $(cat "/proc/$pid/wchan" 2>/dev/null)," \
        "sockets: $(find "/proc/$pid/fd" -lname "socket:*" 2>/dev/null | wc -l)"
    diag "request trace (DEEPLENS_TRACE):"
    cut -c1-160 "$TUI_TMP/trace" 2>/dev/null | sed 's/^/    /' | while IFS= read -r l; do diag "$l"; done
}

# version requests the console has sent so far (DEEPLENS_TRACE lines)
versions() { grep -c ' submit GET /version' "$TUI_TMP/trace" 2>/dev/null; }
wait_file() { local i; for ((i = 0; i < $2 * 10; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

wait_file "$idle" 30; t_ok $? "the console is idle before the engine goes away"
before=$(versions)
proxy_stop
tui_wait "Docker engine unreachable" 20
rc=$?
t_ok $rc "killing the engine's socket shows the unreachable screen"
[ "$rc" = 0 ] || why
tui_screen | grep -q "retrying by itself"; t_ok $? "it says it retries by itself"
for i in $(seq 50); do [ "$(versions)" -gt "$before" ] && break; sleep 0.1; done
[ "$(versions)" -gt "$before" ]; rc=$?
t_ok $rc "and does: it asks the engine again within 5 s"
[ "$rc" = 0 ] || why
tui_screen | grep -q "$t"; t_ok $? "the last known rows stay visible"
pid=$(pgrep -P "$(tui_pid)" -f deeplens-backup | head -n1)
kill -0 "$pid" 2>/dev/null; t_ok $? "the console did not exit"
tui_keys '?'
tui_wait "Help: keys" 5; t_ok $? "keys still work while unreachable"
tui_keys q

proxy_start
tui_wait_gone "Docker engine unreachable" 30; t_ok $? "the console recovers when the engine is back"
tui_wait "$t" 10; t_ok $? "and shows the list again"
tui_screen | head -n1 | grep -q "docker "; t_ok $? "the header shows the engine again"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"
done_testing
