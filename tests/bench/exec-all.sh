#!/usr/bin/env bash
# tests/bench/exec-all.sh DOCKER PREFIX - the document's way to see every
# tenant's backups: one `docker exec <prefix><tenant> ls -la /backups` per
# tenant, one after the other (the baseline of `status` in the bench).
set -u
docker=$1 prefix=$2
for c in $("$docker" ps -a --filter "name=^$prefix" --format '{{.Names}}'); do
    "$docker" exec "$c" ls -la /backups > /dev/null
done
