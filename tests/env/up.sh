#!/usr/bin/env bash
# tests/env/up.sh - bring up the deeplens-backup test bed, idempotently.
#
#   1. Debian packages to build and test (apt-get only when one is missing)
#   2. the test engine on unix:///run/deeplens-test/docker.sock (never the
#      system engine on /var/run/docker.sock)
#   3. images deeplens/postgres:15 and deeplens/backup-runner:15, imported
#      from one debootstrap'd bookworm rootfs cached in /var/cache/deeplens-test
#   4. the bridge network deeplens-network
#   5. /run/deeplens-test/env, sourceable: DOCKER_HOST, DL_TEST_* names
#
# Run as root; needs no stdin. Callers running at the same time queue on a
# lock. A rerun with everything in place takes about a second.
#
# Env: DL_DEBIAN_MIRROR (http://deb.debian.org/debian),
#      DL_DEBIAN_SECURITY_MIRROR (http://deb.debian.org/debian-security),
#      DL_TEST_PG_PASSWORD (else tests/env/pg-password, else deeplens-dev),
#      DL_BED (test; "bench" is the benchmark's own engine, see common.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

[ "$(id -u)" = 0 ] || dl_die "must run as root (it installs packages and starts an engine)"

started=$SECONDS
mkdir -p "$DL_STATE_DIR"
exec 9> "$DL_STATE_DIR/up.lock"
if ! flock -n 9; then
    dl_log "another up.sh is running; waiting for it"
    flock -w 1800 9 || dl_die "timed out waiting for $DL_STATE_DIR/up.lock"
fi

# --- 1. packages -------------------------------------------------------------
host_packages=(
    build-essential gcc make pkg-config libncurses-dev libcurl4-openssl-dev
    libcjson-dev libcmocka-dev
    docker.io debootstrap tmux mandoc postgresql-client shellcheck
    debhelper lintian
    curl ca-certificates iproute2 procps util-linux mount gzip tar coreutils
    debian-archive-keyring gpgv
)

missing_packages() {
    local installed
    installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${host_packages[@]}" 2>/dev/null |
        awk '$1 == "ii" { print $2 }') || true
    local p
    for p in "${host_packages[@]}"; do
        grep -qx -- "$p" <<< "$installed" || printf '%s\n' "$p"
    done
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    [ "${#missing[@]}" -gt 0 ] || return 0
    dl_log "installing ${missing[*]}"
    # Installing docker.io must not start Debian's own engine: deny service
    # starts for the duration, unless the machine already has a policy.
    local policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 0755 "$policy"
        own_policy=1
    fi
    local apt=(apt-get -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=600)
    local rc=0
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update > /dev/null || rc=$?
    if [ "$rc" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends \
            "${missing[@]}" > /dev/null || rc=$?
    fi
    [ -z "$own_policy" ] || rm -f "$policy"
    [ "$rc" = 0 ] || dl_die "apt-get failed (exit $rc) installing: ${missing[*]}"
}

# --- 2. engine ---------------------------------------------------------------
start_engine() {
    dl_dockerd "the test engine" "$DL_STATE_DIR" "$DL_DATA_ROOT" "$DL_SOCK" "$DL_ENGINE_LOG"
}

# --- 3. images ---------------------------------------------------------------
readonly image_path=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck disable=SC2016 # $! is for the container's shell
readonly runner_cmd='["sh","-c","trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]'
common_changes=(
    "ENV PATH=$image_path"
    "ENV LANG=C.UTF-8"
    'ENTRYPOINT ["docker-entrypoint.sh"]'
    "LABEL org.deeplens.test=1"
)
pg_changes=(
    "ENV PGDATA=/var/lib/postgresql/data"
    'CMD ["postgres"]'
    "EXPOSE 5432"
)
runner_changes=(
    "USER root"
    "CMD $runner_cmd"
)

# Everything an image is made from: a change to any of it rebuilds both.
recipe_id() {
    {
        printf '%s\n' "${common_changes[@]}" "${pg_changes[@]}" "${runner_changes[@]}"
        cat "$here"/image/*
    } | sha256sum | cut -c1-16
}

image_current() {
    local label
    label=$(dl_docker image inspect \
        -f '{{index .Config.Labels "org.deeplens.test.recipe"}}' "$1" 2>/dev/null) || return 1
    [ "$label" = "$recipe" ]
}

build_dir=
cleanup_build() {
    [ -n "$build_dir" ] || return 0
    local proc=$build_dir/rootfs/proc
    if mountpoint -q "$proc" 2>/dev/null; then
        umount "$proc" 2>/dev/null || umount -l "$proc" || true
    fi
    if ! mountpoint -q "$build_dir/rootfs/proc" 2>/dev/null; then
        rm -rf --one-file-system "$build_dir"
    fi
    build_dir=
}
trap cleanup_build EXIT

build_rootfs() {
    local tarball=$1 mirror=${DL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    local log=$DL_CACHE_DIR/build.log t0=$SECONDS
    build_dir=$(mktemp -d "$DL_CACHE_DIR/build.XXXXXX")
    local root=$build_dir/rootfs
    : > "$log"
    dl_log "debootstrap bookworm (minbase) from $mirror (log: $log)"
    if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >> "$log" 2>&1; then
        tail -n 30 "$log" >&2
        dl_die "debootstrap failed"
    fi
    dl_log "debootstrap done ($((SECONDS - t0)) s); installing PostgreSQL 15, busybox, gosu"
    cp "$here"/image/* "$root/tmp/"
    rm -f "$root/etc/resolv.conf"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount -t proc proc "$root/proc"
    if ! chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        DL_MIRROR="$mirror" \
        DL_SECURITY_MIRROR="${DL_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}" \
        /bin/sh /tmp/setup-rootfs.sh >> "$log" 2>&1; then
        tail -n 30 "$log" >&2
        dl_die "rootfs setup failed"
    fi
    umount "$root/proc"
    tar --numeric-owner -C "$root" --exclude='./dev/*' --exclude='./proc/*' \
        --exclude='./sys/*' -cf - . | gzip -1 > "$tarball.tmp"
    mv "$tarball.tmp" "$tarball"
    cleanup_build
    dl_log "rootfs cached as $tarball ($(du -h "$tarball" | cut -f1), $((SECONDS - t0)) s)"
}

ensure_images() {
    recipe=$(recipe_id)
    if image_current "$DL_PG_IMAGE" && image_current "$DL_RUNNER_IMAGE"; then
        return 0
    fi
    mkdir -p "$DL_CACHE_DIR"
    local tarball=$DL_CACHE_DIR/rootfs-bookworm-pg15-$recipe.tar.gz
    if [ ! -s "$tarball" ]; then
        find "$DL_CACHE_DIR" -maxdepth 1 -name 'rootfs-bookworm-pg15-*.tar.gz*' -delete
        build_rootfs "$tarball"
    fi
    local label="LABEL org.deeplens.test.recipe=$recipe" args c
    if ! image_current "$DL_PG_IMAGE"; then
        args=()
        for c in "${common_changes[@]}" "${pg_changes[@]}" "$label"; do args+=(--change "$c"); done
        dl_log "importing $DL_PG_IMAGE"
        dl_docker import "${args[@]}" -m "deeplens test image, recipe $recipe" \
            "$tarball" "$DL_PG_IMAGE" > /dev/null
    fi
    if ! image_current "$DL_RUNNER_IMAGE"; then
        args=()
        for c in "${common_changes[@]}" "${runner_changes[@]}" "$label"; do args+=(--change "$c"); done
        dl_log "importing $DL_RUNNER_IMAGE"
        dl_docker import "${args[@]}" -m "deeplens test image, recipe $recipe" \
            "$tarball" "$DL_RUNNER_IMAGE" > /dev/null
    fi
    # Tags moved to the new images leave the old ones dangling.
    dl_docker image prune -f --filter label=org.deeplens.test=1 > /dev/null 2>&1 || true
}

# --- 4. network, 5. env ------------------------------------------------------
ensure_network() {
    dl_docker network inspect "$DL_NETWORK" > /dev/null 2>&1 && return 0
    dl_log "creating network $DL_NETWORK"
    dl_docker network create --driver bridge "$DL_NETWORK" > /dev/null
}

write_password() {
    local pw=${DL_TEST_PG_PASSWORD:-}
    if [ -z "$pw" ] && [ -s "$here/pg-password" ]; then
        pw=$(head -n 1 "$here/pg-password")
    fi
    pw=${pw:-$DL_PG_DEV_PASSWORD}
    if [ "$(cat "$DL_PG_PASSWORD_FILE" 2>/dev/null)" != "$pw" ]; then
        (umask 077 && printf '%s' "$pw" > "$DL_PG_PASSWORD_FILE.tmp")
        mv "$DL_PG_PASSWORD_FILE.tmp" "$DL_PG_PASSWORD_FILE"
    fi
}

write_env() {
    cat > "$DL_ENV_FILE.tmp" <<EOF
# written by tests/env/up.sh; source it: . $DL_ENV_FILE
export DOCKER_HOST=$DL_DOCKER_HOST
export DL_TEST_DOCKER=$DL_DOCKER_BIN
export DL_TEST_PG_IMAGE=$DL_PG_IMAGE
export DL_TEST_RUNNER_IMAGE=$DL_RUNNER_IMAGE
export DL_TEST_NETWORK=$DL_NETWORK
export DL_TEST_PG_CONTAINER=$DL_PG_CONTAINER
export DL_TEST_PG_HOST=$DL_PG_CONTAINER
export DL_TEST_PG_USER=$DL_PG_USER
export DL_TEST_PG_PASSWORD_FILE=$DL_PG_PASSWORD_FILE
EOF
    mv "$DL_ENV_FILE.tmp" "$DL_ENV_FILE"
}

install_packages
start_engine
ensure_images
ensure_network
write_password
write_env

dl_log "test bed ready ($((SECONDS - started)) s)"
cat <<EOF
export DOCKER_HOST=$DL_DOCKER_HOST
# images: $DL_PG_IMAGE $DL_RUNNER_IMAGE; network: $DL_NETWORK
# everything: . $DL_ENV_FILE
EOF
