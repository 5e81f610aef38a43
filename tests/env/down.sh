#!/usr/bin/env bash
# tests/env/down.sh - take the demo down: the demo tenants' backup containers
# and volumes, and deeplens-postgres with its data volume. Images, the
# network and the image cache stay, so the next demo or test run is quick.
#
#   tests/env/down.sh [--keep-postgres] [--files] [--engine]
#
#   --keep-postgres  leave deeplens-postgres (and its data) running
#   --files          also delete /var/lib/deeplens-demo (the demo's backups)
#   --engine         also stop the test engine (dockerd on
#                    /run/deeplens-test/docker.sock); never the system engine
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

keep_pg=0 files=0 engine=0
for arg; do
    case "$arg" in
        --keep-postgres) keep_pg=1 ;;
        --files) files=1 ;;
        --engine) engine=1 ;;
        -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) dl_die "unknown option '$arg'" ;;
    esac
done

remove_container() {
    if dl_docker container inspect "$1" > /dev/null 2>&1; then
        dl_log "removing container $1"
        dl_docker rm -f "$1" > /dev/null
    fi
}

remove_volume() {
    if dl_docker volume inspect "$1" > /dev/null 2>&1; then
        dl_log "removing volume $1"
        dl_docker volume rm -f "$1" > /dev/null
    fi
}

if dl_engine_ok; then
    for tenant in "${DL_DEMO_TENANTS[@]}"; do
        remove_container "$DL_DEMO_PREFIX$tenant"
        remove_volume "tenant_${tenant}_pgbackup"
    done
    if [ "$keep_pg" = 0 ]; then
        remove_container "$DL_PG_CONTAINER"
        remove_volume "$DL_PG_VOLUME"
    fi
else
    dl_log "the test engine is not running: no containers to remove"
fi

if [ "$files" = 1 ] && [ -d "$DL_DEMO_DIR" ]; then
    dl_log "deleting $DL_DEMO_DIR"
    rm -rf --one-file-system "$DL_DEMO_DIR"
fi

if [ "$engine" = 1 ]; then
    pidfile=$DL_STATE_DIR/dockerd.pid
    pid=$(cat "$pidfile" 2> /dev/null) || pid=
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2> /dev/null)" = dockerd ]; then
        dl_log "stopping the test engine (pid $pid)"
        kill -TERM "$pid"
        for ((i = 0; i < 60; i++)); do
            [ -d "/proc/$pid" ] || break
            sleep 0.5
        done
        [ ! -d "/proc/$pid" ] || dl_die "the test engine (pid $pid) is still running after 30 s"
    else
        dl_log "the test engine is not running"
    fi
fi
