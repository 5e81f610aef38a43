#!/usr/bin/env bash
# tests/env/bench-engines.sh - the several-engines benchmark's own engines
# (tests/bench/engines.sh), idempotently; never the shared test engine (but
# to read its images) nor tests/env/engines.sh's eng2/eng3:
#
#   bencha  unix:///run/deeplens-bencha/docker.sock  data /var/lib/deeplens-bencha/docker  10.224.0.0/16
#   benchb  unix:///run/deeplens-benchb/docker.sock  data /var/lib/deeplens-benchb/docker  10.225.0.0/16
#   benchc  unix:///run/deeplens-benchc/docker.sock  data /var/lib/deeplens-benchc/docker  10.226.0.0/16
#
# Each has its own --data-root, --exec-root, --pidfile, socket and address
# pool; deeplens/postgres:15 and deeplens/backup-runner:15 (docker save |
# docker load from the shared engine, only when missing or different), the
# network deeplens-network and a deeplens-postgres container on it with the
# test bed's password, so that its tenants back up a server on their own
# engine (as tests/env/engines.sh does for eng2/eng3). Run as root, after
# tests/env/up.sh.
#
#   tests/env/bench-engines.sh [NAME...]          start what is missing (all three by default)
#   tests/env/bench-engines.sh --down [NAME...]   stop them (their data roots stay, so a
#                                                 next start needs no image load)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the shared bed's names (images read from it, its password), whatever DL_BED the caller has
DL_BED="test"
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

[ "$(id -u)" = 0 ] || dl_die "must run as root (it starts engines)"

down=0
if [ "${1:-}" = --down ]; then down=1; shift; fi
declare -A pool=([bencha]=10.224.0.0/16 [benchb]=10.225.0.0/16 [benchc]=10.226.0.0/16)
names=("$@")
[ "${#names[@]}" -gt 0 ] || names=(bencha benchb benchc)
for n in "${names[@]}"; do
    [ -n "${pool[$n]:-}" ] || dl_die "unknown bench engine '$n' (bencha, benchb or benchc)"
done

exec 7> /run/deeplens-bench-engines.lock
flock -w 600 7 || dl_die "timed out waiting for /run/deeplens-bench-engines.lock"

eng_pid() {
    local pid
    pid=$(cat "/run/deeplens-$1/dockerd.pid" 2> /dev/null) || return 1
    [ "$(cat "/proc/$pid/comm" 2> /dev/null)" = dockerd ] || return 1
    echo "$pid"
}

stop_one() {
    local n=$1 pid i
    pid=$(eng_pid "$n") || { dl_log "engine $n is not running"; return 0; }
    dl_log "stopping engine $n (pid $pid)"
    kill -TERM "$pid"
    for ((i = 0; i < 60; i++)); do
        [ -d "/proc/$pid" ] || return 0
        sleep 0.5
    done
    dl_die "engine $n (pid $pid) is still running after 30 s"
}

if [ "$down" = 1 ]; then
    for n in "${names[@]}"; do stop_one "$n"; done
    exit 0
fi
"$here/up.sh" > /dev/null
for n in "${names[@]}"; do
    dl_side_start "$n" "${pool[$n]}"
    dl_side_ready "$n"
done
dl_log "bench engines ready: ${names[*]}"
