#!/usr/bin/env bash
# tests/env/swarm.sh - a second engine for the Swarm tests: a single-node
# swarm manager on unix:///run/deeplens-swarm/docker.sock, idempotent.
#
#   own --data-root /var/lib/deeplens-swarm/docker, --exec-root and pidfile in
#   /run/deeplens-swarm, log /var/log/deeplens-swarm-dockerd.log, its own
#   bridge range (10.231.0.0/16) and overlay pool (10.232.0.0/16) so nothing
#   clashes with the test engine; `swarm init` advertised on 127.0.0.1 (the
#   single node talks to itself only) with its swarm port on 2477
#   the images deeplens/postgres:15 and deeplens/backup-runner:15, copied
#   from the test engine (docker save | docker load) only when missing or
#   different
#   a postgres container "deeplens-postgres" on the swarm engine, on the
#   attachable overlay network deeplens-network, which the backup services
#   join: the task reaches PostgreSQL by name like on the test engine
#   /run/deeplens-swarm/env: DL_SWARM_DOCKER_HOST, DL_SWARM_NETWORK ...
#
# Runs tests/env/up.sh first (the images come from the test engine). Leaves
# the engine running; a rerun with everything in place takes about a second.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

[ "$(id -u)" = 0 ] || dl_die "must run as root (it starts an engine)"
"$here/up.sh" > /dev/null

SW_DIR=/run/deeplens-swarm
SW_SOCK=$SW_DIR/docker.sock
SW_HOST=unix://$SW_SOCK
SW_DATA=/var/lib/deeplens-swarm/docker
SW_LOG=/var/log/deeplens-swarm-dockerd.log
SW_ENV=$SW_DIR/env
SW_PG_VOLUME=deeplens-postgres-data

mkdir -p "$SW_DIR"
exec 7> "$SW_DIR/swarm.lock"
flock -w 900 7 || dl_die "timed out waiting for $SW_DIR/swarm.lock"

sw_docker() { "$DL_DOCKER_BIN" -H "$SW_HOST" "$@"; }

start_engine() {
    dl_dockerd "the swarm engine" "$SW_DIR" "$SW_DATA" "$SW_SOCK" "$SW_LOG" \
        --default-address-pool base=10.231.0.0/16,size=24
}

ensure_swarm() {
    local state
    state=$(sw_docker info -f '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')
    [ "$state" = "active true" ] && return 0
    dl_log "swarm init (advertise 127.0.0.1:2477)"
    sw_docker swarm init --advertise-addr 127.0.0.1:2477 --listen-addr 127.0.0.1:2477 \
        --default-addr-pool 10.232.0.0/16 > /dev/null
}

ensure_image() {
    local img=$1 want have
    want=$(dl_docker image inspect -f '{{.Id}}' "$img")
    have=$(sw_docker image inspect -f '{{.Id}}' "$img" 2>/dev/null) || true
    [ "$want" = "$have" ] && return 0
    dl_log "loading $img from the test engine"
    dl_docker save "$img" | sw_docker load > /dev/null
}

ensure_network() {
    sw_docker network inspect "$DL_NETWORK" > /dev/null 2>&1 && return 0
    dl_log "creating overlay network $DL_NETWORK"
    sw_docker network create --driver overlay --attachable "$DL_NETWORK" > /dev/null
}

ensure_postgres() {
    local password running
    password=$(cat "$DL_PG_PASSWORD_FILE")
    running=$(sw_docker container inspect -f '{{.State.Running}}' "$DL_PG_CONTAINER" 2>/dev/null) || true
    if [ -z "$running" ]; then
        dl_log "starting $DL_PG_CONTAINER on the swarm engine"
        sw_docker run -d --name "$DL_PG_CONTAINER" --network "$DL_NETWORK" \
            --restart unless-stopped --label org.deeplens.test=1 \
            -e POSTGRES_USER="$DL_PG_USER" -e POSTGRES_PASSWORD="$password" \
            -v "$SW_PG_VOLUME:/var/lib/postgresql/data" \
            "$DL_PG_IMAGE" > /dev/null
    elif [ "$running" != true ]; then
        sw_docker start "$DL_PG_CONTAINER" > /dev/null
    fi
    local i
    for ((i = 0; i < 120; i++)); do
        if sw_docker exec -e PGPASSWORD="$password" "$DL_PG_CONTAINER" \
            psql -h 127.0.0.1 -U "$DL_PG_USER" -d postgres -Atc 'select 1' > /dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    dl_die "$DL_PG_CONTAINER on the swarm engine did not take logins within 60 s"
}

write_env() {
    cat > "$SW_ENV.tmp" <<EOT
# written by tests/env/swarm.sh; source it: . $SW_ENV
export DL_SWARM_DOCKER_HOST=$SW_HOST
export DL_SWARM_NETWORK=$DL_NETWORK
export DL_SWARM_PG_CONTAINER=$DL_PG_CONTAINER
EOT
    mv "$SW_ENV.tmp" "$SW_ENV"
}

start_engine
ensure_swarm
ensure_image "$DL_PG_IMAGE"
ensure_image "$DL_RUNNER_IMAGE"
ensure_network
ensure_postgres
write_env
dl_log "swarm engine ready on $SW_HOST"
