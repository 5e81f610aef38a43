#!/usr/bin/env bash
# tests/env/demo.sh - the one-command demo (`make demo`): the test engine,
# deeplens-postgres with three seeded tenants, their backups provisioned to
# local directories, then the console.
#
#   1. tests/env/up.sh, tests/env/postgres.sh --seed
#   2. /var/lib/deeplens-demo/<tenant> (owned 999:999) for each tenant's backups
#   3. /var/lib/deeplens-demo/config (see below) and pg-password beside it
#   4. ./deeplens-backup provision for each tenant not provisioned yet
#   5. exec ./deeplens-backup --config /var/lib/deeplens-demo/config: the
#      console (without a terminal: the list, and how to open the console)
#
# The engine is the tests' own: DOCKER_HOST=unix:///run/deeplens-test/docker.sock.
# tests/env/down.sh takes the demo down again.
# Env: DL_DEMO_THEME (default), DL_DEMO_NO_CONSOLE=1 (stop after step 4).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"
cd "$repo"
bin=./deeplens-backup

"$here/up.sh"
"$here/postgres.sh" --seed

mkdir -p "$DL_DEMO_DIR"
chmod 0755 "$DL_DEMO_DIR"
for tenant in "${DL_DEMO_TENANTS[@]}"; do
    mkdir -p "$DL_DEMO_DIR/$tenant"
    chown 999:999 "$DL_DEMO_DIR/$tenant"
    chmod 0755 "$DL_DEMO_DIR/$tenant"
done
install -m 0600 "$DL_PG_PASSWORD_FILE" "$DL_DEMO_DIR/pg-password"

cat > "$DL_DEMO_CONFIG.tmp" <<EOF
# deeplens-backup demo configuration, written by tests/env/demo.sh.
# Use: DOCKER_HOST=$DL_DOCKER_HOST ./deeplens-backup --config $DL_DEMO_CONFIG
postgres_host = $DL_PG_CONTAINER
postgres_user = $DL_PG_USER
postgres_password_file = $DL_DEMO_DIR/pg-password
network = $DL_NETWORK
image = $DL_RUNNER_IMAGE
uid_gid = 999:999
prefix = $DL_DEMO_PREFIX
theme = ${DL_DEMO_THEME:-default}
EOF
mv "$DL_DEMO_CONFIG.tmp" "$DL_DEMO_CONFIG"
dl_log "wrote $DL_DEMO_CONFIG"

# A schedule each, so that the console has something to show soon.
tenant_schedule() {
    case "$1" in
        vayyari) echo "0 2 * * *" 30 ;;
        acmecorp) echo "0 */6 * * *" 14 ;;
        *) echo "*/10 * * * *" 7 ;;
    esac
}

if [ ! -x "$bin" ]; then
    dl_log "no $bin yet (run make): the tenants are not provisioned"
else
    for tenant in "${DL_DEMO_TENANTS[@]}"; do
        if dl_docker container inspect "$DL_DEMO_PREFIX$tenant" > /dev/null 2>&1; then
            dl_log "tenant $tenant is already provisioned ($DL_DEMO_PREFIX$tenant)"
            continue
        fi
        read -r m h dom mon dow retention <<< "$(tenant_schedule "$tenant")"
        dl_log "provisioning $tenant"
        rc=0
        "$bin" --config "$DL_DEMO_CONFIG" provision "$tenant" \
            --nfs-path "local:$DL_DEMO_DIR/$tenant" \
            --password-file "$DL_DEMO_DIR/pg-password" \
            --schedule "$m $h $dom $mon $dow" --retention "$retention" < /dev/null || rc=$?
        [ "$rc" = 0 ] || dl_log "provisioning $tenant failed (exit $rc); the demo goes on without it"
    done
fi

console=("$bin" --config "$DL_DEMO_CONFIG")
if [ "${DL_DEMO_NO_CONSOLE:-0}" = 1 ] || [ ! -x "$bin" ] || ! [ -t 0 ] || ! [ -t 1 ]; then
    [ ! -x "$bin" ] || "${console[@]}" list || true
    cat <<EOF

The demo is up. Open the console with:
    export DOCKER_HOST=$DL_DOCKER_HOST
    ${console[*]}
Take it down with: tests/env/down.sh
EOF
    exit 0
fi
exec "${console[@]}"
