#!/usr/bin/env bash
# tests/env/postgres.sh - (re)start the deeplens-postgres container on the
# test engine and wait until it takes password logins over TCP.
#
#   tests/env/postgres.sh [--seed] [--reseed] [--recreate]
#
#   --seed      create the demo tenant databases (tenant_vayyari_metadata,
#               tenant_acmecorp_metadata, tenant_techsolutions_metadata) if
#               they are missing or from an older seed-tenant.sql
#   --reseed    drop and seed them again
#   --recreate  remove the container first (the data volume stays)
#
# Container: deeplens/postgres:15 on deeplens-network, POSTGRES_USER=deeplens,
# data in volume deeplens-postgres-data, healthcheck pg_isready. The password
# is the content of /run/deeplens-test/pg-password, which up.sh writes from
# DL_TEST_PG_PASSWORD, else tests/env/pg-password, else "deeplens-dev"; a
# changed password is applied to the existing role.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

seed=0 reseed=0 recreate=0
for arg; do
    case "$arg" in
        --seed) seed=1 ;;
        --reseed) seed=1 reseed=1 ;;
        --recreate) recreate=1 ;;
        -h | --help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) dl_die "unknown option '$arg'" ;;
    esac
done

"$here/up.sh" > /dev/null

exec 8> "$DL_STATE_DIR/postgres.lock"
flock -w 600 8 || dl_die "timed out waiting for $DL_STATE_DIR/postgres.lock"

password=$(cat "$DL_PG_PASSWORD_FILE")
[ -n "$password" ] || dl_die "empty password in $DL_PG_PASSWORD_FILE"

# The container matches when it runs the current image, with this password,
# on the network; anything else is recreated (the data volume survives).
container_matches() {
    local want_image have
    want_image=$(dl_docker image inspect -f '{{.Id}}' "$DL_PG_IMAGE")
    # shellcheck disable=SC2016 # a Go template, not shell
    have=$(dl_docker container inspect -f \
        '{{.Image}} {{range .Config.Env}}{{println .}}{{end}} {{range $k, $v := .NetworkSettings.Networks}}net={{$k}} {{end}}' \
        "$DL_PG_CONTAINER" 2>/dev/null) || return 1
    [[ $have == "$want_image "* ]] &&
        grep -qxF "POSTGRES_PASSWORD=$password" <<< "$have" &&
        [[ $have == *"net=$DL_NETWORK "* ]]
}

ensure_container() {
    if [ "$recreate" = 1 ] || ! container_matches; then
        if dl_docker container inspect "$DL_PG_CONTAINER" > /dev/null 2>&1; then
            dl_log "replacing container $DL_PG_CONTAINER"
            dl_docker rm -f "$DL_PG_CONTAINER" > /dev/null
        fi
        dl_log "starting $DL_PG_CONTAINER ($DL_PG_IMAGE)"
        dl_docker run -d --name "$DL_PG_CONTAINER" \
            --network "$DL_NETWORK" --restart unless-stopped \
            --label org.deeplens.test=1 \
            -e POSTGRES_USER="$DL_PG_USER" -e POSTGRES_PASSWORD="$password" \
            -v "$DL_PG_VOLUME:/var/lib/postgresql/data" \
            --health-cmd "pg_isready -q -h 127.0.0.1 -U $DL_PG_USER -d postgres" \
            --health-interval 10s --health-timeout 5s --health-retries 3 \
            --health-start-period 60s \
            "$DL_PG_IMAGE" > /dev/null
    elif [ "$(dl_docker container inspect -f '{{.State.Running}}' "$DL_PG_CONTAINER")" != true ]; then
        dl_log "starting stopped container $DL_PG_CONTAINER"
        dl_docker start "$DL_PG_CONTAINER" > /dev/null
    fi
}

pg_exec() { dl_docker exec "$DL_PG_CONTAINER" "$@" < /dev/null; }

# Local-socket psql (trusted, needs no password); psql_script reads stdin.
psql_local() { pg_exec psql -X -q -v ON_ERROR_STOP=1 -U "$DL_PG_USER" "$@"; }
psql_script() { dl_docker exec -i "$DL_PG_CONTAINER" psql -X -q -v ON_ERROR_STOP=1 -U "$DL_PG_USER" "$@"; }

tcp_login_ok() {
    dl_docker exec -e PGPASSWORD="$password" "$DL_PG_CONTAINER" \
        psql -X -h 127.0.0.1 -U "$DL_PG_USER" -d postgres -Atc 'select 1' < /dev/null > /dev/null 2>&1
}

wait_ready() {
    local i
    # TCP, not the socket: the first-run setup server listens on the socket only.
    for ((i = 0; i < 120; i++)); do
        if pg_exec pg_isready -q -h 127.0.0.1 -U "$DL_PG_USER" -d postgres 2> /dev/null; then
            break
        fi
        if [ "$(dl_docker container inspect -f '{{.State.Running}}' "$DL_PG_CONTAINER")" != true ]; then
            dl_docker logs --tail 30 "$DL_PG_CONTAINER" >&2 || true
            dl_die "container $DL_PG_CONTAINER stopped while starting"
        fi
        sleep 0.5
    done
    ((i < 120)) || {
        dl_docker logs --tail 30 "$DL_PG_CONTAINER" >&2 || true
        dl_die "$DL_PG_CONTAINER did not accept connections within 60 s"
    }
    if ! tcp_login_ok; then
        # A volume initialised with another password.
        dl_log "setting the password of role $DL_PG_USER"
        echo "ALTER ROLE :\"user\" PASSWORD :'pw';" |
            psql_script -d postgres -v user="$DL_PG_USER" -v pw="$password"
        tcp_login_ok || dl_die "password login as $DL_PG_USER still fails"
    fi
}

# Users and images per tenant: sizes differ so that the backups differ.
tenant_size() {
    case "$1" in
        vayyari) echo "60 3000" ;;
        acmecorp) echo "25 1200" ;;
        *) echo "8 400" ;;
    esac
}
seed_version() { sha256sum "$here/seed-tenant.sql" | cut -c1-8 | { read -r h; echo $((16#$h % 1000000)); }; }

seed_tenants() {
    local version tenant users images db have
    version=$(seed_version)
    for tenant in "${DL_DEMO_TENANTS[@]}"; do
        read -r users images <<< "$(tenant_size "$tenant")"
        db=tenant_${tenant}_metadata
        have=$(psql_local -d postgres -Atc "select 1 from pg_database where datname = '$db'")
        if [ "$reseed" = 0 ] && [ "$have" = 1 ]; then
            have=$(psql_local -d "$db" -Atc \
                "select version from deeplens_seed where tenant = '$tenant'" 2> /dev/null) || have=
            [ "$have" != "$version" ] || continue
        fi
        dl_log "seeding $db ($users users, $images images)"
        {
            printf '\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\n'
            printf 'DROP DATABASE IF EXISTS %s WITH (FORCE);\n' "$db"
            printf 'CREATE DATABASE %s;\n' "$db"
            printf '\\connect %s\n' "$db"
            printf '\\set tenant %s\n\\set n_users %d\n\\set n_images %d\n\\set seed_version %d\n' \
                "$tenant" "$users" "$images" "$version"
            cat "$here/seed-tenant.sql"
        } | psql_script -d postgres > /dev/null
    done
}

ensure_container
wait_ready
[ "$seed" = 0 ] || seed_tenants
dl_log "$DL_PG_CONTAINER ready: host $DL_PG_CONTAINER on $DL_NETWORK, user $DL_PG_USER, password file $DL_PG_PASSWORD_FILE"
