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

eng_sock() { echo "/run/deeplens-$1/docker.sock"; }
eng_docker() { local n=$1; shift; "$DL_DOCKER_BIN" -H "unix://$(eng_sock "$n")" "$@"; }
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

start_one() {
    local n=$1
    dl_dockerd "engine $n" "/run/deeplens-$n" "/var/lib/deeplens-$n/docker" "$(eng_sock "$n")" \
        "/var/log/deeplens-$n-dockerd.log" --default-address-pool "base=${pool[$n]},size=24"
}

load_images() {
    local n=$1 img want have
    for img in "$DL_PG_IMAGE" "$DL_RUNNER_IMAGE"; do
        want=$(dl_docker image inspect -f '{{.Id}}' "$img" 2> /dev/null) || want=
        [ -n "$want" ] || dl_die "the shared engine has no $img (run tests/env/up.sh)"
        have=$(eng_docker "$n" image inspect -f '{{.Id}}' "$img" 2> /dev/null) || have=
        [ "$have" = "$want" ] && continue
        dl_log "loading $img into $n"
        dl_docker save "$img" | eng_docker "$n" load > /dev/null
    done
}

ensure_network() {
    eng_docker "$1" network inspect "$DL_NETWORK" > /dev/null 2>&1 && return 0
    dl_log "creating network $DL_NETWORK on $1"
    eng_docker "$1" network create --driver bridge "$DL_NETWORK" > /dev/null
}

ensure_postgres() {
    local n=$1 password running
    password=$(cat "$DL_PG_PASSWORD_FILE")
    running=$(eng_docker "$n" container inspect -f '{{.State.Running}}' "$DL_PG_CONTAINER" 2> /dev/null) ||
        running=
    if [ -z "$running" ]; then
        dl_log "starting $DL_PG_CONTAINER on $n"
        eng_docker "$n" run -d --name "$DL_PG_CONTAINER" --network "$DL_NETWORK" \
            --restart unless-stopped --label org.deeplens.test=1 \
            -e POSTGRES_USER="$DL_PG_USER" -e POSTGRES_PASSWORD="$password" \
            "$DL_PG_IMAGE" > /dev/null
    elif [ "$running" != true ]; then
        eng_docker "$n" start "$DL_PG_CONTAINER" > /dev/null
    fi
    local i
    for ((i = 0; i < 120; i++)); do
        eng_docker "$n" exec -e PGPASSWORD="$password" "$DL_PG_CONTAINER" psql -X -h 127.0.0.1 \
            -U "$DL_PG_USER" -d postgres -Atc 'select 1' < /dev/null > /dev/null 2>&1 && return 0
        sleep 0.5
    done
    dl_die "$DL_PG_CONTAINER on $n does not take the test password"
}

if [ "$down" = 1 ]; then
    for n in "${names[@]}"; do stop_one "$n"; done
    exit 0
fi
"$here/up.sh" > /dev/null
for n in "${names[@]}"; do
    start_one "$n"
    load_images "$n"
    ensure_network "$n"
    ensure_postgres "$n"
done
dl_log "bench engines ready: ${names[*]}"
