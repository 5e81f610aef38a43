#!/usr/bin/env bash
# tests/integration/lifecycle/formats.test.sh - compression and format (issue 9, item 6)
# through the CLI on the real engine and PostgreSQL, for each of plain x gzip / zstd
# (default level and another) / none and custom x gzip / none:
#   - provision, backup-now: exactly one new file with the kind's name (.sql.gz, .sql.zst,
#     .sql, .dump) and its sidecar, no temporaries; status --json and files --json say so
#   - verify, and restore --to another database: identical content (lc_fingerprint)
#   - a corrupted file with a matching sidecar (the structure check must catch it) and a
#     truncated one, of each kind: verify fails, restore fails and creates no database
#   - a failed run (a table the role cannot read) leaves no final-named file of any kind
#   - preflight: an image without zstd (or pg_restore) is refused for --compression zstd
#     (or --format custom) with the tool named, and nothing is left behind
#   - reschedule changes the format and compression: the new kind is written, the
#     files of the old kind still verify and restore
# Prints TAP.
# shellcheck disable=SC2010,SC2015 # ls | grep over names the test made; A && B || bail_out
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup f

role=${id}r
db=${id}_src
lc_role "$role" || bail_out "cannot create role $role"
lc_db "$db" "$role" || bail_out "cannot create $db"
lc_user=$role lc_pw=$work/$role.pw
want=$(lc_fingerprint "$db")
ntab=$(psql_pg "$db" -At -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')")
[ -n "$want" ] || bail_out "no fingerprint of $db"

db_exists() { psql_pg postgres -At -c "select count(*) from pg_database where datname = '$1'" < /dev/null; }

# newest_of DIR EXT: the one backup of $db in DIR with suffix EXT (none: empty)
newest_of() { ls -1 "$1" | grep -E "^${db}_[0-9]{8}_[0-9]{6}\\$2\$" | sort | tail -n 1; }

# damaged T DIR FILE KIND HOW: a copy of FILE under an older backup name, damaged (HOW =
# corrupt: bytes flipped in the middle; truncate: cut to half), with a sidecar that
# matches the damaged bytes when the structure alone must catch it
damaged() {
    local t=$1 d=$2 f=$3 kind=$4 how=$5 n size bad stamp ext resum=1
    ext=${f#"${db}"_????????_??????}
    case $how in corrupt) stamp=20000101_000001 ;; *) stamp=20000101_000002 ;; esac
    bad=${db}_$stamp$ext
    size=$(stat -c %s "$d/$f")
    cp "$d/$f" "$d/$bad"
    if [ "$how" = corrupt ]; then
        # custom without compression and plain SQL carry no checksum of their own:
        # there the sidecar (the original digest) is what catches it
        case $kind in none | custom-none) resum=0 ;; esac
        printf 'XXXXXXXXXXXXXXXX' | dd of="$d/$bad" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
    else
        truncate -s $((size / 2)) "$d/$bad"
    fi
    if [ "$resum" = 1 ]; then
        (cd "$d" && sha256sum "$bad" > "$bad.sha256")
    else
        sed "s/$f/$bad/" "$d/$f.sha256" > "$d/$bad.sha256"
    fi
    chown 999:999 "$d/$bad" "$d/$bad.sha256"
    run verify "$t" "$bad"
    expect "$kind: verify fails on a $how file" 1 "verify failed: "
    run restore "$t" "$bad" --to "${id}_bad"
    expect "$kind: restore refuses the $how file" 1 "verification failed|restore failed"
    is "$(db_exists "${id}_bad")" 0 "$kind: restore of the $how file created no database"
    rm -f "$d/$bad" "$d/$bad.sha256"
}

# --- preflight: the image must have the tools ------------------------------------------------
lean=deeplens/lean-$id:1
if "$docker" run --name "lean-$id" --entrypoint sh "$runner" -c \
    'rm -f /usr/bin/zstd /usr/bin/pg_restore /usr/lib/postgresql/*/bin/pg_restore' > /dev/null 2>&1 &&
    "$docker" commit "lean-$id" "$lean" > /dev/null 2>&1; then
    "$docker" rm -f "lean-$id" > /dev/null 2>&1
    for c in "zstd --compression zstd" "pg_restore --format custom"; do
        tool=${c%% *} opt=${c#* }
        t=${id}p$tool
        d=$(lc_target "p$tool")
        # shellcheck disable=SC2086 # the option's words
        lc_provision "$t" "$d" --database "$db" --image "$lean" $opt
        expect "preflight refuses an image without $tool for $opt, naming it" 1 \
            "the image has no $tool, needed for ${opt%% *}"
        is "$(lc_gone "$t")" "" "preflight without $tool: no container or volume left"
        is "$(ls -A "$d")" "" "preflight without $tool: nothing written to the target"
    done
    t=${id}pplain
    d=$(lc_target pplain)
    lc_provision "$t" "$d" --database "$db" --image "$lean" --no-initial-backup
    expect "the same image passes preflight for plain gzip" 0 "^PostgreSQL backup configured successfully!"
    run remove "$t"
else
    not_ok "cannot build an image without zstd and pg_restore"
fi

n=0
# combo KIND EXT ARGS...: the whole round for one format/compression
combo() {
    local kind=$1 ext=$2 t d f st fmt comp
    shift 2
    n=$((n + 1))
    t=${id}$n
    d=$(lc_target "t$n") || bail_out "cannot make a target"
    lc_provision "$t" "$d" --database "$db" "$@"
    expect "$kind: provision $*" 0 "^PostgreSQL backup configured successfully!"
    [ "$rc" = 0 ] || return 0
    d=$d/$t
    f=$(newest_of "$d" "$ext")
    isnt "$f" "" "$kind: the initial backup is a $ext file"
    is "$(ls -1 "$d" | grep -c -E "^${db}_")" 3 "$kind: one backup, its sidecar and its manifest, nothing else"
    is "$(ls -1A "$d" | grep -c partial)" 0 "$kind: no temporaries"
    run backup-now "$t"
    expect "$kind: backup-now" 0 "^ok Backup completed"
    f=$(newest_of "$d" "$ext")
    st=$(lc_json status "$t" --json)
    fmt=$(jq -r '.[0].format' <<< "$st")
    comp=$(jq -r '.[0].compression_method' <<< "$st")
    case $ext in .dump) is "$fmt" custom "$kind: status --json format" ;; *) is "$fmt" plain "$kind: status --json format" ;; esac
    like "$kind" "$comp" "$kind: status --json compression_method $comp"
    is "$(jq -r '.[0].last_success.file' <<< "$st")" "$f" "$kind: status names the new file"
    like "$(lc_json files "$t" --json)" "\"$f\"" "$kind: files --json lists it"
    # the manifest describes this kind and counts what the file holds, for every kind
    mf=$d/$f.manifest
    is "$(sed -n 's/^format=//p' "$mf")" "$fmt" "$kind: manifest format=$fmt"
    is "$(sed -n 's/^compression=//p' "$mf")" "$comp" "$kind: manifest compression=$comp"
    is "$(sed -n 's/^tables=//p' "$mf")" "$ntab" "$kind: manifest has the database's $ntab tables"
    bad=''
    while read -r rows _ tb; do
        [ "$(psql_pg "$db" -At -c "select count(*) from $tb" < /dev/null)" = "$rows" ] || bad="$bad $tb"
    done < <(sed -n 's/^table=//p' "$mf")
    is "$bad" "" "$kind: manifest rows per table are the database's"
    run verify "$t" "$f"
    expect "$kind: verify" 0 "Backup verified"
    run restore "$t" "$f" --to "${id}_r$n"
    expect "$kind: restore --to ${id}_r$n" 0 "Restored $f into ${id}_r$n"
    is "$(lc_fingerprint "${id}_r$n")" "$want" "$kind: the restored database is identical"
    damaged "$t" "$d" "$f" "$kind" corrupt
    damaged "$t" "$d" "$f" "$kind" truncate
    # a failed run: no final-named file of this kind
    before=$(lc_snapshot "$d")
    psql_pg "$db" -c "create table secret_$n (x int); insert into secret_$n values (1)" > /dev/null
    run backup-now "$t"
    expect "$kind: backup-now fails on a table the role cannot read" 1 "permission denied for table secret_$n"
    is "$(lc_snapshot "$d")" "$before" "$kind: the failed run left no file, no temporary"
    psql_pg "$db" -c "drop table secret_$n" > /dev/null
    last_t=$t last_d=$d last_f=$f
}

combo gzip .sql.gz
combo zstd .sql.zst --compression zstd
combo zstd-19 .sql.zst --compression zstd --zstd-level 19
combo none .sql --compression none
combo custom-gzip .dump --format custom
combo custom-none .dump --format custom --compression none

# --- reschedule changes format and compression ---------------------------------------------------
t=$last_t d=$last_d old=$last_f
run reschedule "$t" --format plain --compression zstd --zstd-level 7
expect "reschedule --format plain --compression zstd --zstd-level 7" 0 "format plain, compression zstd"
st=$(lc_json status "$t" --json)
is "$(jq -r '.[0] | [.format, .compression_method, .zstd_level] | join(" ")' <<< "$st")" "plain zstd 7" \
    "status --json shows the new settings"
run backup-now "$t"
expect "backup-now after reschedule" 0 "^ok Backup completed"
isnt "$(newest_of "$d" .sql.zst)" "" "the new backup is a .sql.zst"
run verify "$t" "$old"
expect "the older .dump still verifies" 0 "Backup verified"
run restore "$t" "$old" --to "${id}_old"
expect "the older .dump still restores" 0 "Restored $old into ${id}_old"
is "$(lc_fingerprint "${id}_old")" "$want" "the older .dump restored is identical"
run reschedule "$t" --format custom --compression zstd
expect "reschedule refuses custom with zstd, naming the field" 2 "invalid compression 'zstd' with format 'custom'"
run reschedule "$t" --compression gzip --zstd-level 5
expect "reschedule refuses a zstd level without zstd" 2 "invalid zstd level '5': only with --compression zstd"

done_testing
