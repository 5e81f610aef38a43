#!/usr/bin/env bash
# tests/integration/lifecycle/drill.test.sh - restore drills (issue 9, item 2) through the
# CLI on the real engine and PostgreSQL:
#   - a drill of a good backup (gzip, with a manifest) passes, names the tables and rows
#     it compared, and leaves no scratch database; one without a manifest compares with
#     the dump's own COPY blocks and says so
#   - a drill FAILS on a truncated backup, on a corrupted one (checksum mismatch), on one
#     whose SQL no longer loads (consistent checksum), and on one whose data lost a row
#     (plain dump edited, sidecar re-made, the old manifest kept): the reason names the
#     table and both counts; a backup without sidecar is "not verified" (exit 7)
#   - the scratch database is dropped in every case, also when the role lacks CREATEDB
#     (clear reason), and one left by a drill killed outright is dropped by the next
#   - the live database is unchanged (lc_fingerprint before and after)
#   - status, status --json and metrics show the last drill; a failed drill makes the
#     health "untested" (exit 6); a passed one makes it ok again
#   - --drill-schedule lands as a second crontab line, runs from crond, and survives a
#     reschedule (label-carried); --drill-schedule none takes it away
# The manifests here are built by mk_manifest (rows of each COPY block of the plain
# dump), so the suite does not depend on the job writing them. Prints TAP.
# shellcheck disable=SC2010 # ls | grep over names the test made
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup d

role=${id}r
lc_role "$role" || bail_out "cannot create role $role"
lc_user=$role lc_pw=$work/$role.pw
ctr() { echo "${DEEPLENS_PREFIX:-deeplens-backup-}$1"; }

# scratch T: the scratch databases of tenant T's drills that exist now
scratch() {
    local p
    p=dl_drill_$(printf '%s' "$1" | cksum | awk '{ print $1 }')_
    psql_pg postgres -At -c "select datname from pg_database where datname like '${p}%'" < /dev/null
}

# mk_manifest FILE: FILE.manifest in the contract's format, from FILE's COPY blocks
mk_manifest() {
    local f=$1 cat=cat comp=none
    case $f in *.gz) cat='gzip -dc' comp=gzip ;; esac
    $cat "$f" | awk '
        !inb && /^COPY .* FROM stdin;$/ { n = substr($0, 6); sub(/ (\(.*\) )?FROM stdin;$/, "", n)
            inb = 1; rows = 0; bytes = 0; next }
        inb && $0 == "\\." { line[++t] = sprintf("table=%d %d %s", rows, bytes, n); inb = 0; next }
        inb { rows++; bytes += length($0) + 1 }
        END { printf "version=1\nformat=plain\ncompression=%s\nserver_version=15\n", comp
              printf "database_size=0\nduration=0.1\ntables=%d\n", t
              for (i = 1; i <= t; i++) print line[i] }' comp="$comp" > "$f.manifest"
}

# resign FILE: a sidecar that matches FILE as it is now
resign() { (cd "$(dirname "$1")" && sha256sum "$(basename "$1")" > "$(basename "$1").sha256"); }

# --- a gzip tenant: the good case -------------------------------------------------------
g=${id}g
gdb=tenant_${g}_metadata
gdir=$(lc_target g) || bail_out "cannot make the target directory"
lc_db "$gdb" "$role" || bail_out "cannot create $gdb"
live_g=$(lc_fingerprint "$gdb")
lc_provision "$g" "$gdir"
[ "$rc" = 0 ] || bail_out "provision failed: $out"
gf=$(lc_backups "$gdir/$g" "$gdb" | tail -n 1)
[ -n "$gf" ] || bail_out "no backup after provision"

# the job wrote a manifest; a backup made before manifests existed has none
check "the backup has the job's manifest" test -f "$gdir/$g/$gf.manifest"
mv "$gdir/$g/$gf.manifest" "$work/job.manifest"
run drill "$g"
expect "a drill of a backup without manifest passes" 0 "Drill passed: $gf .*the dump's COPY blocks \\(no manifest\\)"
like "$out" "event=drill tenant=$g result=ok file=$gf tables=3 rows=5000 source=dump" \
    "it compared 3 tables and 5000 rows from the dump"
is "$(scratch "$g")" "" "no scratch database left"

# the job's own manifest back in place: the drill and the job count alike
mv "$work/job.manifest" "$gdir/$g/$gf.manifest"
run drill "$g" "$gf"
expect "a drill of a good gzip backup with a manifest passes" 0 "Drill passed: $gf .* match the manifest"
like "$out" "result=ok file=$gf tables=3 rows=5000 source=manifest" "against the manifest"
is "$(scratch "$g")" "" "no scratch database left"
run status "$g"
expect "status: health ok after a passed drill" 0 "Health: +ok"
like "$out" "Last Drill: +ok at .*$gf" "status shows the last drill"
like "$out" "Drills: +none scheduled" "status says no drills are scheduled"
js=$(lc_json status --json "$g")
is "$(jq -r '.[0].last_drill.result' <<< "$js")" ok "status --json: last_drill.result"
is "$(jq -r '.[0].last_drill.file' <<< "$js")" "$gf" "status --json: last_drill.file"
like "$(jq -r '.[0].last_drill.time' <<< "$js")" '^[0-9]{10}$' "status --json: last_drill.time (epoch)"
m=$(lc_json metrics)
like "$m" "tenant_backup_last_drill_success\\{tenant=\"$g\"\\} 1" "metrics: last drill passed"
like "$m" "tenant_backup_last_drill_timestamp\\{tenant=\"$g\"\\} [0-9]+" "metrics: last drill time"
like "$m" "# TYPE tenant_backup_last_drill_success gauge" "metrics: TYPE line"

# a backup run keeps the drill in the status
run backup-now "$g"
expect "a backup after the drill" 0 "Backup completed"
run status "$g"
like "$out" "Last Drill: +ok at .*$gf" "the next backup run keeps the last drill in the status"

# a drill killed outright leaves its scratch database: the next drill drops it
p=dl_drill_$(printf '%s' "$g" | cksum | awk '{ print $1 }')_
psql_pg postgres -c "create database \"${p}1_1\" owner \"$role\"" > /dev/null < /dev/null
run drill "$g"
expect "a drill after one that was killed passes" 0 "Drill passed"
like "$out" "action=dropped database=${p}1_1" "and drops the scratch database the killed one left"
is "$(scratch "$g")" "" "no scratch database left"
is "$(lc_fingerprint "$gdb")" "$live_g" "the live database is unchanged"

# --- a plain tenant: what must fail ----------------------------------------------------
t=${id}p
db=tenant_${t}_metadata
dir=$(lc_target p) || bail_out "cannot make the target directory"
lc_db "$db" "$role" || bail_out "cannot create $db"
live=$(lc_fingerprint "$db")
lc_provision "$t" "$dir" --no-compression
[ "$rc" = 0 ] || bail_out "provision failed: $out"
f=$(lc_backups "$dir/$t" "$db" | tail -n 1)
good=$dir/$t/$f
mk_manifest "$good"
run drill "$t" "$f"
expect "a drill of the good plain backup passes" 0 "Drill passed: $f"

# put NAME: a copy of the good backup as NAME (with its manifest), owned by the job
put() {
    cp "$good" "$dir/$t/$1" && cp "$good.manifest" "$dir/$t/$1.manifest" && resign "$dir/$t/$1" &&
        chown 999:999 "$dir/$t/$1"*
}

trunc=${db}_20300101_000001.sql
put "$trunc"
head -c "$(($(stat -c %s "$good") / 2))" "$good" > "$dir/$t/$trunc"
resign "$dir/$t/$trunc"
run drill "$t" "$trunc"
expect "a truncated backup (checksum re-made) FAILS" 1 "drill FAILED: verification failed: dump incomplete: trailer missing"
is "$(scratch "$t")" "" "no scratch database left"

corrupt=${db}_20300101_000002.sql
put "$corrupt"
printf 'XXXX' | dd of="$dir/$t/$corrupt" bs=1 seek=$(($(stat -c %s "$good") / 2)) conv=notrunc 2> /dev/null
run drill "$t" "$corrupt"
expect "a corrupted backup FAILS (checksum mismatch)" 1 "drill FAILED: verification failed: checksum mismatch"

bad=${db}_20300101_000003.sql
put "$bad"
# a customer row with one column too few: the SQL no longer loads
awk '/^COPY crm.customers / { print; getline; print "1\tbroken"; next } { print }' "$good" > "$dir/$t/$bad"
resign "$dir/$t/$bad"
run drill "$t" "$bad"
expect "a backup that no longer loads (consistent checksum) FAILS" 1 "drill FAILED: restore into the scratch database failed: .*(missing data|ERROR)"
is "$(scratch "$t")" "" "no scratch database left after a failed restore"

lost=${db}_20300101_000004.sql
put "$lost"
# one image row gone (no row refers to images), the sidecar re-made, the old manifest kept
awk '/^COPY public.images / { print; getline; next } { print }' "$good" > "$dir/$t/$lost"
resign "$dir/$t/$lost"
run verify "$t" "$lost"
expect "(verify passes on it: its checksum is consistent)" 0 "Backup verified"
run drill "$t" "$lost"
expect "a backup that lost a row FAILS" 1 "drill FAILED: table public.images: 2999 rows restored, 3000 in the manifest"
is "$(scratch "$t")" "" "no scratch database left after a failed comparison"
run status "$t"
expect "status: a failed drill makes the health untested (exit 6)" 6 \
    "Health: +untested: last drill failed: table public.images: 2999 rows restored, 3000 in the manifest"
like "$out" "Last Drill: +FAILED at .*$lost: table public.images" "status shows the failed drill"
is "$(jq -r '.[0].health' <<< "$(lc_json status --json "$t")")" untested "status --json: health untested"
like "$(lc_json metrics)" "tenant_backup_last_drill_success\\{tenant=\"$t\"\\} 0" "metrics: last drill failed"
like "$(lc_json metrics)" "tenant_backup_health\\{tenant=\"$t\",health=\"untested\"\\} 1" "metrics: health untested"

# the same edit without a manifest: the dump's own COPY blocks agree with the restore
rm -f "$dir/$t/$lost.manifest"
run drill "$t" "$lost"
expect "without its manifest the edited dump is self-consistent: passes, says so" 0 "no manifest"

# the table set: a table the manifest names that the dump does not hold, and one the
# dump holds that the manifest does not name
ghost=${db}_20300101_000005.sql
put "$ghost"
sed -i -e 's/^tables=3$/tables=4/' "$dir/$t/$ghost.manifest"
echo 'table=5 40 public.ghost' >> "$dir/$t/$ghost.manifest"
run drill "$t" "$ghost"
expect "a table in the manifest but not in the backup FAILS, naming it" 1 \
    "drill FAILED: table public.ghost: in the manifest \\(5 rows\\), missing after the restore"
extra=${db}_20300101_000007.sql
put "$extra"
awk '{ print } /^SET default_table_access_method/ { print "CREATE TABLE public.extra (id int);" }' \
    "$good" > "$dir/$t/$extra"
resign "$dir/$t/$extra"
run drill "$t" "$extra"
expect "a table in the backup but not in the manifest FAILS, naming it" 1 \
    "drill FAILED: table public.extra: restored \\(0 rows\\), not in the manifest"
is "$(scratch "$t")" "" "no scratch database left"

nosum=${db}_20300101_000006.sql
put "$nosum"
rm -f "$dir/$t/$nosum.sha256"
run drill "$t" "$nosum"
expect "a backup without sidecar is not verified (exit 7)" 7 "drill: not verified: no checksum file"

# no CREATEDB: a clear reason, nothing left
psql_pg postgres -c "alter role \"$role\" nocreatedb" > /dev/null < /dev/null
run drill "$t" "$f"
expect "without CREATEDB the drill FAILS with a clear reason" 1 "lacks CREATEDB"
psql_pg postgres -c "alter role \"$role\" createdb" > /dev/null < /dev/null
is "$(scratch "$t")" "" "no scratch database left without CREATEDB"

run drill "$t" "$f"
expect "a passed drill again" 0 "Drill passed"
run status "$t"
expect "... and the health is ok again" 0 "Health: +ok"
is "$(lc_fingerprint "$db")" "$live" "the live database is unchanged after all these drills"

# --- scheduled drills -----------------------------------------------------------------
run reschedule "$g" --drill-schedule '* * * * *' --drill-window 3
expect "reschedule --drill-schedule" 0 "Rescheduled: .*drills '\\* \\* \\* \\* \\*'"
is "$("$docker" exec "$(ctr "$g")" cat /etc/crontabs/root)" \
    $'0 2 * * * /usr/local/bin/backup.sh --cron\n* * * * * /usr/local/bin/backup.sh --drill-cron' \
    "the drill schedule is the crontab's second line"
run status "$g"
like "$out" "Drills: +\\* \\* \\* \\* \\* .*untested after 3 days" "status shows the drill schedule and window"
before=$(jq -r '.[0].last_drill.time' <<< "$(lc_json status --json "$g")")
after=$before
for _ in $(seq 1 50); do
    sleep 3
    after=$(jq -r '.[0].last_drill.time // empty' <<< "$(lc_json status --json "$g")")
    [ -n "$after" ] && [ "$after" != "$before" ] && break
done
isnt "$after" "$before" "crond ran a drill (last_drill $before -> $after)"
is "$(jq -r '.[0].last_drill.result' <<< "$(lc_json status --json "$g")")" ok "... and it passed"
# The job writes its log file; the container's stdout is tail -F of it, a second or so behind
# the state file that status read: wait for the line as the other suites do.
for _ in $(seq 1 20); do
    "$docker" logs "$(ctr "$g")" 2>&1 | grep -q "event=drill tenant=$g result=ok" && break
    sleep 0.5
done
like "$("$docker" logs "$(ctr "$g")" 2>&1)" "event=drill tenant=$g result=ok" "the scheduled drill's line is in the container log"
is "$(scratch "$g")" "" "no scratch database left by the scheduled drill"
run reschedule "$g" --retention 10
expect "a later reschedule" 0 "drills '\\* \\* \\* \\* \\*'"
like "$("$docker" exec "$(ctr "$g")" cat /etc/crontabs/root)" "--drill-cron" "keeps the drill schedule (label-carried)"
run reschedule "$g" --drill-schedule none
expect "reschedule --drill-schedule none" 0 "Rescheduled"
is "$("$docker" exec "$(ctr "$g")" cat /etc/crontabs/root)" "0 2 * * * /usr/local/bin/backup.sh --cron" \
    "takes the drill line away"

# provision with a drill schedule
h=${id}h
hdb=tenant_${h}_metadata
hdir=$(lc_target h) || bail_out "cannot make the target directory"
lc_db "$hdb" "$role" || bail_out "cannot create $hdb"
lc_provision "$h" "$hdir" --drill-schedule '30 3 * * 0' --no-initial-backup
expect "provision --drill-schedule" 0 "configured successfully"
like "$("$docker" exec "$(ctr "$h")" cat /etc/crontabs/root)" "30 3 \\* \\* 0 /usr/local/bin/backup.sh --drill-cron" \
    "the provisioned crontab has the drill line"
is "$(jq -r '.[0].drill_schedule' <<< "$(lc_json status --json "$h")")" "30 3 * * 0" "status --json: drill_schedule"

# --- a custom-format tenant: the archive restores with pg_restore ---------------------------
c=${id}c
cdb=tenant_${c}_metadata
cdir=$(lc_target c) || bail_out "cannot make the target directory"
lc_db "$cdb" "$role" || bail_out "cannot create $cdb"
live_c=$(lc_fingerprint "$cdb")
lc_provision "$c" "$cdir" --format custom
expect "provision --format custom" 0 "configured successfully"
cf=$(lc_backups "$cdir/$c" "$cdb" | tail -n 1)
like "$cf" '[.]dump$' "the custom tenant's backup is a .dump"
check "the .dump has the job's manifest" test -f "$cdir/$c/$cf.manifest"
run drill "$c"
expect "a drill of a custom-format backup passes against its manifest" 0 "Drill passed: $cf .* match the manifest"
like "$out" "result=ok file=$cf tables=3 rows=5000 source=manifest" "a .dump: 3 tables and 5000 rows compared"
is "$(scratch "$c")" "" "no scratch database left after the .dump drill"
# the same archive cut in half, with a sidecar that matches the cut bytes: the drill refuses it
cut=${cdb}_20000101_000000.dump
head -c $(($(stat -c %s "$cdir/$c/$cf") / 2)) "$cdir/$c/$cf" > "$cdir/$c/$cut" &&
    cp "$cdir/$c/$cf.manifest" "$cdir/$c/$cut.manifest" && resign "$cdir/$c/$cut" &&
    chown 999:999 "$cdir/$c/$cut"* || bail_out "cannot make the truncated archive"
run drill "$c" "$cut"
expect "a drill of a truncated .dump FAILS" 1 "drill FAILED: verification failed"
is "$(scratch "$c")" "" "no scratch database left after the failed .dump drill"
is "$(lc_fingerprint "$cdb")" "$live_c" "the custom tenant's live database is unchanged by its drills"

done_testing
