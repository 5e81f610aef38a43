#!/usr/bin/env bash
# tests/env/engines.sh - two more engines for the several-engines suites,
# idempotently, beside the shared test engine (which it never touches but to
# read images from):
#
#   eng2  unix:///run/deeplens-eng2/docker.sock  data /var/lib/deeplens-eng2/docker
#   eng3  unix:///run/deeplens-eng3/docker.sock  data /var/lib/deeplens-eng3/docker
#
# Each has its own --data-root, --exec-root, --pidfile and socket, and its own
# address pool (10.212.0.0/16, 10.213.0.0/16) so its networks never clash with
# the shared engine's 172.x ones. On each: deeplens/postgres:15 and
# deeplens/backup-runner:15 (docker save | docker load from the shared engine,
# only when missing or different), the network deeplens-network, and a
# deeplens-postgres container on it with the test bed's password, so that the
# tenants provisioned there back up a server on their own engine.
# The engines are left running. Run as root, after tests/env/up.sh.
#
#   tests/env/engines.sh          start what is missing (about a second when all is up)
#   tests/env/engines.sh --env    also print the sourceable lines DL_ENG2_HOST=...
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

[ "$(id -u)" = 0 ] || dl_die "must run as root (it starts engines)"
"$here/up.sh" > /dev/null

shared_host=$DL_DOCKER_HOST
names=(eng2 eng3)
declare -A pool=([eng2]=10.212.0.0/16 [eng3]=10.213.0.0/16)

exec 7> /run/deeplens-engines.lock
flock -w 600 7 || dl_die "timed out waiting for /run/deeplens-engines.lock"

eng_sock() { echo "/run/deeplens-$1/docker.sock"; }
eng_docker() { local n=$1; shift; "$DL_DOCKER_BIN" -H "unix://$(eng_sock "$n")" "$@"; }

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

for n in "${names[@]}"; do
    start_one "$n"
    load_images "$n"
    ensure_network "$n"
    ensure_postgres "$n"
done
[ "$shared_host" = "$DL_DOCKER_HOST" ] || dl_die "internal: the shared engine's address changed"
if [ "${1:-}" = --env ]; then
    for n in "${names[@]}"; do printf 'DL_%s_HOST=unix://%s\n' "${n^^}" "$(eng_sock "$n")"; done
fi
dl_log "engines ready: ${names[*]}"
