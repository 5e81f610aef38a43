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

dl_engine_ok() { dl_sock_ok "$DL_SOCK"; }

# dl_sock_ok SOCKET: an engine answers _ping there.
dl_sock_ok() {
    [ "$(curl -s -m 5 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" = OK ]
}

# dl_dockerd LABEL STATE_DIR DATA_ROOT SOCKET LOG [DOCKERD_ARGS...]: a dockerd of
# its own (exec root and pidfile in STATE_DIR, no bridge, no iptables), started
# unless one answers on SOCKET, then waited for (30 s). Every descriptor above 2
# is closed in the daemon: a lock its caller holds (a suite's flock on fd 3, a
# script's own lock) would otherwise be held by the engine for as long as it runs.
dl_dockerd() {
    local label=$1 dir=$2 data=$3 sock=$4 log=$5 pidfile=$2/dockerd.pid pid='' i
    shift 5
    dl_sock_ok "$sock" && return 0
    pid=$(cat "$pidfile" 2>/dev/null) || true
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
        dl_log "$label (pid $pid) is not answering yet; waiting for it"
    else
        dl_log "starting $label on $sock (log: $log)"
        mkdir -p "$dir/exec" "$data"
        # dockerd refuses a pidfile naming any live process, even a reused pid
        rm -f "$pidfile"
        (
            for i in /proc/"$BASHPID"/fd/*; do
                i=${i##*/}
                [ "$i" -gt 2 ] && eval "exec $i>&-"
            done
            exec setsid -f /usr/sbin/dockerd --data-root "$data" --exec-root "$dir/exec" \
                --pidfile "$pidfile" -H "unix://$sock" --bridge=none --iptables=false \
                --ip-masq=false "$@"
        ) < /dev/null >> "$log" 2>&1
    fi
    for ((i = 0; i < 60; i++)); do
        dl_sock_ok "$sock" && return 0
        sleep 0.5
    done
    tail -n 20 "$log" >&2 || true
    dl_die "$label did not answer on $sock within 30 s"
}

# ---- side engines: dockerds of their own beside the shared one ----------------------
# (tests/env/engines.sh's eng2/eng3, tests/env/bench-engines.sh's bencha..c). Engine N
# has its socket, exec root and pidfile in /run/deeplens-N, its data in
# /var/lib/deeplens-N/docker and its log in /var/log/deeplens-N-dockerd.log.
dl_side_sock() { echo "/run/deeplens-$1/docker.sock"; }
dl_side_docker() { local n=$1; shift; "$DL_DOCKER_BIN" -H "unix://$(dl_side_sock "$n")" "$@"; }

# dl_side_start N POOL: its dockerd, with POOL as its default address pool (so its
# networks never clash with the shared engine's or another side engine's).
dl_side_start() {
    dl_dockerd "engine $1" "/run/deeplens-$1" "/var/lib/deeplens-$1/docker" "$(dl_side_sock "$1")" \
        "/var/log/deeplens-$1-dockerd.log" --default-address-pool "base=$2,size=24"
}

# dl_side_ready N: the test images (docker save | docker load from the shared engine,
# only when missing or different), the network and a postgres with the bed's password.
dl_side_ready() {
    local n=$1 img want have password running i
    for img in "$DL_PG_IMAGE" "$DL_RUNNER_IMAGE"; do
        want=$(dl_docker image inspect -f '{{.Id}}' "$img" 2> /dev/null) || want=
        [ -n "$want" ] || dl_die "the shared engine has no $img (run tests/env/up.sh)"
        have=$(dl_side_docker "$n" image inspect -f '{{.Id}}' "$img" 2> /dev/null) || have=
        [ "$have" = "$want" ] && continue
        dl_log "loading $img into $n"
        dl_docker save "$img" | dl_side_docker "$n" load > /dev/null
    done
    if ! dl_side_docker "$n" network inspect "$DL_NETWORK" > /dev/null 2>&1; then
        dl_log "creating network $DL_NETWORK on $n"
        dl_side_docker "$n" network create --driver bridge "$DL_NETWORK" > /dev/null
    fi
    password=$(cat "$DL_PG_PASSWORD_FILE")
    running=$(dl_side_docker "$n" container inspect -f '{{.State.Running}}' "$DL_PG_CONTAINER" 2> /dev/null) ||
        running=
    if [ -z "$running" ]; then
        dl_log "starting $DL_PG_CONTAINER on $n"
        dl_side_docker "$n" run -d --name "$DL_PG_CONTAINER" --network "$DL_NETWORK" \
            --restart unless-stopped --label org.deeplens.test=1 \
            -e POSTGRES_USER="$DL_PG_USER" -e POSTGRES_PASSWORD="$password" \
            "$DL_PG_IMAGE" > /dev/null
    elif [ "$running" != true ]; then
        dl_side_docker "$n" start "$DL_PG_CONTAINER" > /dev/null
    fi
    for ((i = 0; i < 120; i++)); do
        dl_side_docker "$n" exec -e PGPASSWORD="$password" "$DL_PG_CONTAINER" psql -X -h 127.0.0.1 \
            -U "$DL_PG_USER" -d postgres -Atc 'select 1' < /dev/null > /dev/null 2>&1 && return 0
        sleep 0.5
    done
    dl_die "$DL_PG_CONTAINER on $n does not take the test password"
}
