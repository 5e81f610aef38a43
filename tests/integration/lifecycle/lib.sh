# shellcheck shell=bash disable=SC2034,SC2010 # names used by the suites; ls | grep over names the tests made
# tests/integration/lifecycle/lib.sh - shared by the lifecycle suites, which drive
# the CLI through a tenant's whole life on the real engine and PostgreSQL. Every
# container, volume, database, role, image tag and directory a suite makes
# carries the run's token $id and is removed on exit, whatever happened.
#
#   lc_setup NAME             cli_setup + cli_postgres (tests/lib/cli.sh); $id, $runner, $net
#   lc_target NAME            prints a new backup directory under $work, owned 999:999
#   lc_role NAME              a login role NAME (createdb, not superuser) with a random
#                             password in $work/NAME.pw
#   lc_db DB [OWNER]          creates DB and fills it with the sample data (lc_seed)
#   lc_provision T DIR ARGS   `provision T --nfs-path local:DIR` on the test bed with ARGS;
#                             $lc_user/$lc_pw choose the role and password file
#   lc_fingerprint DB         one line per user table (rows + md5 of the ordered rows)
#                             and per sequence; identical data gives identical text
#   lc_backups DIR DB         backup-looking names of DB in DIR, oldest first
#   lc_snapshot DIR           sha256 of every file in DIR but the job's .deeplens/
#   lc_json ARGS              run ARGS (a --json command), print its stdout
#   lc_gone T                 the names of containers and volumes left for tenant T

# shellcheck source=tests/lib/cli.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/cli.sh"

lc_setup() {
    cli_setup "lc-$1"
    cli_postgres
    id=lc$1$$x$((RANDOM % 1000))
    runner=${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}
    net=${DL_TEST_NETWORK:-deeplens-network}
    lc_user=$pg_user lc_pw=$pw_file
    cli_at_exit lc_sweep
    t_start=$SECONDS
}

# shellcheck disable=SC2317 # run on exit
lc_sweep() {
    local c v
    for c in $("$docker" ps -aq --filter "name=$id"); do "$docker" rm -f -v "$c"; done
    for v in $("$docker" volume ls -q --filter "name=$id"); do "$docker" volume rm -f "$v"; done
    "$docker" images --format '{{.Repository}}:{{.Tag}}' | grep -F -- "$id" | xargs -r "$docker" rmi
    # (psql_pg reads stdin: each drop gets /dev/null, not the rest of the list)
    psql_pg postgres -At -c "select datname from pg_database where datname like '%$id%'" |
        while read -r d; do
            psql_pg postgres -c "drop database if exists \"$d\" with (force)" < /dev/null
        done
    psql_pg postgres -At -c "select rolname from pg_roles where rolname like '%$id%'" |
        while read -r r; do
            psql_pg postgres -c "drop role if exists \"$r\"" < /dev/null
        done
}

lc_target() {
    mkdir -p "$work/$1" && chown 999:999 "$work/$1" && chmod 0755 "$work/$1" && echo "$work/$1"
}

lc_role() {
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$work/$1.pw"
    psql_pg postgres -c "create role \"$1\" login createdb password '$(cat "$work/$1.pw")'" > /dev/null
}

# lc_seed: the sample data, a little of everything a tenant's metadata has
lc_seed() {
    cat << 'SQL'
create schema crm;
create table crm.customers (
    id serial primary key,
    name text not null,
    note text,
    created timestamptz not null,
    tags text[],
    balance numeric(12, 2));
insert into crm.customers (name, note, created, tags, balance)
select 'Kunde ' || g || ' – Zürich ✓ 東京 🗄',
       case g % 4
           when 0 then E'line one\nline two\ttab \\ backslash ''quote'' "dq"'
           when 1 then E'before\n\\.\nafter\r\n'
           when 2 then ''
       end,
       timestamptz '2025-12-16 02:00:01+00' + g * interval '61 seconds',
       array['a' || g, 'b"q,{}'],
       g * 1.25
from generate_series(1, 2000) g;
create table images (
    id bigint primary key,
    customer_id int references crm.customers (id),
    blob bytea,
    meta jsonb,
    ok boolean);
insert into images
select g, g % 2000 + 1, decode(md5(g::text) || '00ff0a5c', 'hex'),
       jsonb_build_object('w', g, 'h', g * 2, 'label', 'bild-' || g || ' 🖼', 'nl', E'a\nb'),
       g % 2 = 0
from generate_series(1, 3000) g;
create table empty_table (id int);
create view rich as select id, name from crm.customers where balance > 2000;
create sequence standalone_seq;
select setval('standalone_seq', 42);
SQL
}

lc_db() {
    local owner=${2:-$pg_user}
    psql_pg postgres -c "create database \"$1\" owner \"$owner\"" > /dev/null &&
        lc_seed | psql_pg "$1" -c "set role \"$owner\"" -f - > /dev/null
}

lc_provision() {
    local t=$1 dir=$2
    shift 2
    run provision "$t" --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
        --postgres-user "$lc_user" --network "$net" --password-file "$lc_pw" "$@"
}

lc_fingerprint() {
    psql_pg "$1" -At -F ' ' << 'SQL'
select format('select %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' order by t::text), '''')) from %s t',
              c.oid::regclass::text, c.oid::regclass)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg\_toast%'
order by 1 \gexec
select format('select %L, last_value, is_called from %s', c.oid::regclass::text, c.oid::regclass)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'S' and n.nspname not in ('pg_catalog', 'information_schema')
order by 1 \gexec
select 'view ' || count(*) from rich;
SQL
}

lc_backups() {
    ls -1 "$1" 2> /dev/null | grep -E "^$2_[0-9]{8}_[0-9]{6}\.(sql(\.gz|\.zst)?|dump)\$" | sort
}

lc_snapshot() {
    (cd "$1" && find . -path ./.deeplens -prune -o -type f -print | LC_ALL=C sort |
        xargs -r sha256sum)
}

lc_json() {
    "$bin" "$@" 2> /dev/null < /dev/null
}

lc_gone() {
    {
        "$docker" ps -a --format '{{.Names}}' | grep -E -- "-$1(-|\$)"
        "$docker" volume ls -q | grep -Fx -- "tenant_$1_pgbackup"
    } | sort
}
