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

for n in "${names[@]}"; do
    dl_side_start "$n" "${pool[$n]}"
    dl_side_ready "$n"
done
[ "$shared_host" = "$DL_DOCKER_HOST" ] || dl_die "internal: the shared engine's address changed"
if [ "${1:-}" = --env ]; then
    for n in "${names[@]}"; do printf 'DL_%s_HOST=unix://%s\n' "${n^^}" "$(dl_side_sock "$n")"; done
fi
dl_log "engines ready: ${names[*]}"
