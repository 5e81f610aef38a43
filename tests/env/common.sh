# shellcheck shell=bash disable=SC2034 # the names are used by the scripts sourcing it
# tests/env/common.sh - names shared by the test-bed scripts (up, postgres,
# demo, down). Sourced, never run. Everything the C tests need is exported
# through /run/deeplens-test/env instead, which up.sh writes from these.

#
# DL_BED names the bed: "test" (the default) is the shared test engine;
# tests/bench/run.sh sets DL_BED=bench for an engine of its own (its own
# socket, data root, exec root, log and locks) with the same images and names.
DL_BED=${DL_BED:-test}
case $DL_BED in *[!a-z0-9]* | '') printf 'invalid DL_BED %s\n' "$DL_BED" >&2; exit 2 ;; esac
DL_STATE_DIR=/run/deeplens-$DL_BED
DL_SOCK=$DL_STATE_DIR/docker.sock
DL_DOCKER_HOST=unix://$DL_SOCK
DL_DATA_ROOT=/var/lib/deeplens-$DL_BED/docker
DL_ENGINE_LOG=/var/log/deeplens-$DL_BED-dockerd.log
DL_CACHE_DIR=/var/cache/deeplens-test
DL_ENV_FILE=$DL_STATE_DIR/env
DL_PG_PASSWORD_FILE=$DL_STATE_DIR/pg-password

DL_PG_IMAGE=deeplens/postgres:15
DL_RUNNER_IMAGE=deeplens/backup-runner:15
DL_NETWORK=deeplens-network
DL_PG_CONTAINER=deeplens-postgres
DL_PG_VOLUME=deeplens-postgres-data
DL_PG_USER=deeplens
DL_PG_DEV_PASSWORD=deeplens-dev

# The demo tenants: postgres.sh --seed makes tenant_<name>_metadata for each,
# demo.sh provisions their backups, down.sh removes them.
DL_DEMO_TENANTS=(vayyari acmecorp techsolutions)
DL_DEMO_DIR=/var/lib/deeplens-demo
DL_DEMO_CONFIG=$DL_DEMO_DIR/config
DL_DEMO_PREFIX=deeplens-backup-

# The Debian client (docker.io 20.10) talks to the test engine only: a
# /usr/local/bin/docker or a system engine on /var/run/docker.sock is never used.
DL_DOCKER_BIN=/usr/bin/docker
export DOCKER_HOST=$DL_DOCKER_HOST
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}

dl_docker() { "$DL_DOCKER_BIN" -H "$DL_DOCKER_HOST" "$@"; }

dl_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
dl_die() { dl_log "$*"; exit 1; }

dl_engine_ok() {
    [ "$(curl -s -m 5 --unix-socket "$DL_SOCK" http://localhost/_ping 2>/dev/null)" = OK ]
}
