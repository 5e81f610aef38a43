#!/usr/bin/env bash
# tests/env/selftest.sh - checks that the test bed behaves as the C tests
# assume: the runner image is Alpine-like enough for the backup job, the
# PostgreSQL image takes password logins over deeplens-network. TAP output;
# about 70 s (one crond minute). Brings the bed up first (up.sh, postgres.sh).
# shellcheck disable=SC2016,SC2317 # scripts for the containers; trap-only function
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

"$here/up.sh" > /dev/null 2>&1 || bail_out "tests/env/up.sh failed"
"$here/postgres.sh" --seed > /dev/null 2>&1 || bail_out "tests/env/postgres.sh failed"

tag=dl-selftest-$$
cleanup() { dl_docker rm -f "$tag-cron" "$tag-pg" > /dev/null 2>&1 || true; }
trap cleanup EXIT

runner() { dl_docker run --rm --network "$DL_NETWORK" "$@"; }
in_runner() { runner "$DL_RUNNER_IMAGE" sh -c "$1" 2>&1 || true; }

# crond first: it needs up to a minute, the rest runs meanwhile.
dl_docker run -d --name "$tag-cron" "$DL_RUNNER_IMAGE" sh -c \
    'echo "* * * * * echo ran-as-\$(id -u) >> /tmp/cron.out" > /etc/crontabs/root; exec crond -f -d 8' \
    > /dev/null

is "$(in_runner 'set -o pipefail; false | true; echo $?')" 1 "runner: /bin/sh has set -o pipefail"
is "$(in_runner 'readlink /bin/sh')" /bin/busybox "runner: /bin/sh is busybox"
is "$(in_runner 'su-exec 999:999 id')" "uid=999(postgres) gid=999(postgres) groups=999(postgres)" \
    "runner: su-exec 999:999 id"
like "$(in_runner 'pg_dump --version')" '^pg_dump \(PostgreSQL\) 15\.' "runner: pg_dump is 15.x"
is "$(in_runner 'command -v pg_dump')" /usr/lib/postgresql/15/bin/pg_dump \
    "runner: the real pg_dump is first in PATH"
is "$(in_runner 'id -u postgres; id -g postgres')" $'999\n999' "runner: user postgres is 999:999"
missing=$(in_runner 'for c in crond crontab gzip gunzip pg_dump pg_restore psql pg_isready su-exec \
    sha256sum md5sum find stat date df du flock zstd nc; do command -v $c >/dev/null || echo $c; done')
is "$missing" "" "runner: the backup job's commands are on PATH"
is "$(in_runner 'readlink /var/spool/cron/crontabs')" /etc/crontabs \
    "runner: crontabs live in /etc/crontabs, as on Alpine"

password=$(cat "$DL_PG_PASSWORD_FILE")
out=$(runner -e PGPASSWORD="$password" "$DL_RUNNER_IMAGE" \
    psql -X -h "$DL_PG_CONTAINER" -U "$DL_PG_USER" -d postgres -Atc 'select 42' 2>&1) || true
is "$out" 42 "postgres: password login over $DL_NETWORK"
rc=0
out=$(runner -e PGPASSWORD="not-$password" "$DL_RUNNER_IMAGE" \
    psql -X -h "$DL_PG_CONTAINER" -U "$DL_PG_USER" -d postgres -Atc 'select 42' 2>&1) || rc=$?
if [ "$rc" != 0 ] && [[ $out == *"password authentication failed"* ]]; then
    ok "postgres: a wrong password is refused"
else
    not_ok "postgres: a wrong password is refused" "exit $rc" "$out"
fi
for db in tenant_vayyari_metadata tenant_acmecorp_metadata tenant_techsolutions_metadata; do
    n=$(dl_docker exec "$DL_PG_CONTAINER" psql -X -U "$DL_PG_USER" -d "$db" -Atc \
        'select count(*) from images' 2>&1) || true
    like "$n" '^[0-9]{3,}$' "postgres: $db is seeded ($n images)"
done
out=$(runner -e PGPASSWORD="$password" "$DL_RUNNER_IMAGE" sh -c \
    "set -o pipefail; pg_dump -h $DL_PG_CONTAINER -U $DL_PG_USER tenant_techsolutions_metadata | gzip > /tmp/d.gz && gzip -t /tmp/d.gz && gunzip -c /tmp/d.gz | grep -c 'PostgreSQL database dump complete'" 2>&1) || true
is "$out" 1 "runner: pg_dump | gzip of a tenant database is complete"

dl_docker run -d --name "$tag-pg" -e POSTGRES_PASSWORD=x "$DL_PG_IMAGE" > /dev/null
for ((i = 0; i < 120; i++)); do
    dl_docker exec "$tag-pg" pg_isready -q -h 127.0.0.1 2> /dev/null && break
    sleep 0.5
done
start=$SECONDS
dl_docker stop -t 20 "$tag-pg" > /dev/null
is "$(dl_docker inspect -f '{{.State.ExitCode}}' "$tag-pg")" 0 \
    "postgres: docker stop (SIGTERM) shuts down cleanly ($((SECONDS - start)) s)"

ran=
for ((i = 0; i < 75; i++)); do
    ran=$(dl_docker exec "$tag-cron" cat /tmp/cron.out 2> /dev/null | head -n 1) || true
    [ -z "$ran" ] || break
    sleep 1
done
is "$ran" ran-as-0 "runner: crond -f -d 8 runs an every-minute job from /etc/crontabs/root"
like "$(dl_docker logs "$tag-cron" 2>&1)" 'crond: USER root pid +[0-9]+ cmd' \
    "runner: crond -d 8 logs the job to the container log"

done_testing
