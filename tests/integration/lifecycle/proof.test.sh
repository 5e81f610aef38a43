#!/usr/bin/env bash
# tests/integration/lifecycle/proof.test.sh - backups that prove themselves (issue 9), through
# the CLI on the real engine and PostgreSQL:
#   - manifest: every backup gets <file>.manifest, counted from the dump stream; its rows and
#     data bytes per table equal an independent count over the decompressed file and the
#     database's own count(*); server version and size match the server; gzip and plain;
#     `files` shows the summary, `files T FILE` the manifest (text and --json), inert for a
#     hostile table name; a backup without one says "no manifest" and stays verifiable; a
#     manifest tampered with on the share is filtered; retention and remove take it along
#   - size rule: bad thresholds are refused before anything is created; the first backup is
#     held to the floor only, a 10x smaller backup (most rows deleted) is kept and flagged
#     suspicious (health warning with the reason in status, --json and metrics), the next
#     normal one clears it; a floor set by reschedule flags a backup below it
#   - run timeout: pg_dump hung on a table held in ACCESS EXCLUSIVE mode by an open session is
#     killed after --run-timeout: FAILED "timed out after N s", timeout_count 1, no temporary
#     or final-named file, no pg_dump left, the lock released; the next run works
# Prints TAP.
# shellcheck disable=SC2015 # A && B || bail_out
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup p

role=${id}r
lc_role "$role" || bail_out "cannot create role $role"
lc_user=$role lc_pw=$work/$role.pw
ctr() { echo "${DEEPLENS_PREFIX:-deeplens-backup-}$1"; }

# no_controls: ok when stdin holds no C0 byte but LF, no DEL, no C1 and no raw U+202E
no_controls() {
    local bad
    bad=$(od -An -v -tu1 | awk '
        { for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
        END {
            for (i = 0; i < n; i++) {
                c = b[i]
                if (c != 10 && (c < 32 || c == 127)) { printf "control 0x%02x at %d\n", c, i; exit }
                if (c == 194 && i + 1 < n && b[i + 1] >= 128 && b[i + 1] < 160) { print "C1 at " i; exit }
                if (c == 155) { print "raw 0x9b at " i; exit }
                if (c == 226 && b[i + 1] == 128 && b[i + 2] == 174) { print "U+202E at " i; exit }
            }
        }')
    if [ -z "$bad" ]; then ok "$1"; else not_ok "$1" "$bad"; fi
}

# copy_counts FILE: "rows bytes name" per COPY block of a data section, counted by python
# over the decompressed dump (independent of the job's awk)
copy_counts() {
    python3 - "$1" << 'PY'
import gzip, sys
p = sys.argv[1]
data = (gzip.open if p.endswith('.gz') else open)(p, 'rb').read()
lines = data.split(b'\n')
i, section = 0, False
while i < len(lines):
    l = lines[i]
    if l.startswith(b'-- Data for Name: ') and b'; Type: TABLE DATA;' in l:
        section = True
    elif section and l.startswith(b'COPY ') and l.endswith(b' FROM stdin;'):
        head = l[5:-len(b' FROM stdin;')]
        # the name: up to the column list, quotes respected
        q, j = False, 0
        while j < len(head):
            c = head[j:j + 1]
            if c == b'"':
                q = not q
            elif c == b' ' and not q:
                break
            j += 1
        rows = nbytes = 0
        i += 1
        while lines[i] != b'\\.':
            rows += 1
            nbytes += len(lines[i]) + 1
            i += 1
        sys.stdout.buffer.write(b'%d %d %s\n' % (rows, nbytes, head[:j]))
        section = False
    i += 1
PY
}

t=${id}m db=tenant_${id}m_metadata
dir=$(lc_target m) || bail_out "cannot make target m"
ns=$dir/$t
# SQL_ASCII lets a table name hold a raw 0x9B byte, as a tenant's database may
psql_pg postgres -c "create database \"$db\" owner \"$role\" encoding 'SQL_ASCII' template template0 locale 'C'" > /dev/null &&
    lc_seed | psql_pg "$db" -c "set role \"$role\"" -f - > /dev/null || bail_out "cannot create $db"
# a name with spaces, quotes and parentheses; a hostile one (OSC, raw CSI, C1, RTL override);
# a function body holding a COPY line, which is no data
psql_pg "$db" -c "set role \"$role\"" -c 'create table "we ird"" (x" (a int)' \
    -c 'insert into "we ird"" (x" select generate_series(1, 7)' \
    -c "do \$\$ begin execute format('create table %I (x text)',
        E'\\x1b]0;pwned\\x07 \\x9b[2J \\xc2\\x9b[31m \\xe2\\x80\\xaeevil');
        execute format('insert into %I select g::text from generate_series(1, 3) g',
        E'\\x1b]0;pwned\\x07 \\x9b[2J \\xc2\\x9b[31m \\xe2\\x80\\xaeevil'); end \$\$" \
    -c "create function fcopy() returns int language plpgsql as \$f\$
begin
COPY crm.customers FROM stdin;
return 1;
end \$f\$" > /dev/null || bail_out "cannot add the odd tables to $db"

# --- 1. manifest at dump time ---------------------------------------------------------------------
lc_provision "$t" "$dir" --keep-min 1
expect "provision with its initial backup" 0 "^PostgreSQL backup configured successfully!"
f=$(lc_backups "$ns" "$db" | tail -n 1)
[ -n "$f" ] || bail_out "no backup after provision: $out"
check "the backup has a manifest beside its sha256" test -f "$ns/$f.manifest" -a -f "$ns/$f.sha256"
mf=$ns/$f.manifest
get() { awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$mf"; }
is "$(get version)" 1 "manifest: version=1"
is "$(get format)" plain "manifest: format=plain"
is "$(get compression)" gzip "manifest: compression=gzip for a .sql.gz"
is "$(get server_version)" "$(psql_pg postgres -At -c 'show server_version' | awk '{ print $1 }')" \
    "manifest: server_version is the server's"
dbsize=$(get database_size)
now_size=$(psql_pg "$db" -At -c 'select pg_database_size(current_database())')
like "$dbsize" '^[0-9]+$' "manifest: database_size is a number of bytes"
[ "${dbsize:-0}" -gt $((now_size / 2)) ] && [ "${dbsize:-0}" -le $((now_size * 2)) ] &&
    ok "manifest: database_size ($dbsize) is the database's ($now_size now)" ||
    not_ok "manifest: database_size ($dbsize) is the database's ($now_size now)"
like "$(get duration)" '^[0-9]+\.[0-9]$' "manifest: duration in seconds, one decimal"
ntab=$(grep -c '^table=' "$mf")
is "$(get tables)" "$ntab" "manifest: tables= counts its table lines"
is "$ntab" "$(psql_pg "$db" -At -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')")" \
    "manifest: one table line per table of the database"

# the counts are the file's: an independent count over the decompressed backup
copy_counts "$ns/$f" > "$work/py.counts"
grep -a '^table=' "$mf" | sed 's/^table=//' | awk '{ print $1, $2 }' > "$work/mf.nums"
awk '{ print $1, $2 }' "$work/py.counts" > "$work/py.nums"
if [ -s "$work/py.nums" ] && cmp -s "$work/py.nums" "$work/mf.nums"; then
    ok "manifest rows and data bytes per table are the file's (independent count)"
else
    not_ok "manifest rows and data bytes per table are the file's (independent count)" \
        "$(diff "$work/py.nums" "$work/mf.nums")"
fi
for tb in crm.customers public.images public.empty_table; do
    want=$(psql_pg "$db" -At -c "select count(*) from $tb")
    got=$(awk -v n="$tb" '$0 ~ /^table=/ && $3 == n { print substr($1, 7) }' "$mf")
    is "$got" "$want" "manifest: $tb has the database's $want rows"
done
like "$(grep -a '^table=' "$mf")" 'table=7 [0-9]+ public\."we ird"" \(x"' \
    "manifest: a quoted name with spaces and parentheses, last on its line, as in the dump"
like "$(grep -a '^table=3 ' "$mf")" '\\x1b\]0;pwned\\x07 \\x9b\[2J \\u009b\[31m \\u202eevil' \
    "manifest: the hostile name is written inert (\\xNN, \\uNNNN)"
no_controls "manifest file: no control byte, C1 or bidi override" < "$mf"
if [ -z "$(find "$ns" -name '*.partial')" ]; then
    ok "no manifest temporary left"
else
    not_ok "no manifest temporary left" "$(find "$ns")"
fi

# files: the summary per file
rows_total=$(grep -a '^table=' "$mf" | awk '{ split(substr($1, 7), a, " "); r += substr($1, 7) } END { print r }')
run files "$t"
expect "files shows each file's manifest summary" 0 "$ntab tables, $rows_total rows"
run files "$t" --json
expect "files --json" 0 '"files"'
is "$(printf '%s' "$out" | python3 -c 'import json,sys; f=json.load(sys.stdin)["files"][0]["manifest"]; print(f["tables"], f["rows"])')" \
    "$ntab $rows_total" "files --json: manifest.tables and .rows of the file"

# files T FILE: one manifest
run files "$t" "$f"
expect "files TENANT FILE prints the manifest" 0 "Server version: +[0-9]"
like "$out" "crm\\.customers" "... with its tables"
like "$out" "2000 +[0-9.]+ [KMG]?i?B +crm\\.customers" "... rows and data per table"
no_controls "files TENANT FILE: inert output for a hostile table name" <<< "$out"
run files "$t" "$f" --json
expect "files TENANT FILE --json" 0 '"manifest"'
is "$(printf '%s' "$out" | python3 -c '
import json, sys
m = json.load(sys.stdin)["manifest"]
print(m["format"], m["compression"], m["table_count"], m["rows"], sum(t["rows"] for t in m["tables"]))')" \
    "plain gzip $ntab $rows_total $rows_total" "files --json: format, compression, tables and rows"
run files "$t" "../$f"
expect "files TENANT FILE refuses a name that is not a backup of the tenant" 2 "invalid backup file '\.\./"

# retention takes the manifest with its backup (an old one planted beside the real ones)
old=${db}_20200101_000000.sql.gz
for x in "" .sha256 .manifest; do cp -p "$ns/$f$x" "$ns/$old$x"; done
chown 999:999 "$ns/$old"*
# a backup without manifest (made by an older version): verifiable, restorable, "no manifest"
run backup-now "$t"
expect "a second backup" 0 "result=ok"
if [ ! -e "$ns/$old" ] && [ ! -e "$ns/$old.sha256" ] && [ ! -e "$ns/$old.manifest" ]; then
    ok "retention removed an old backup with its sha256 and its manifest"
else
    not_ok "retention removed an old backup with its sha256 and its manifest" "$(ls -la "$ns")" "$out"
fi
f2=$(lc_backups "$ns" "$db" | tail -n 1)
[ "$f2" != "$f" ] || bail_out "backup-now made no new file"
rm -f "$ns/$f.manifest"
run files "$t"
expect "files: a backup without manifest says so" 0 "no manifest"
run files "$t" "$f"
expect "files TENANT FILE: no manifest, exit 0" 0 "no manifest"
run files "$t" "$f" --json
is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifest"])')" None \
    "files --json: manifest null without one"
run verify "$t" "$f"
expect "verify: a backup without manifest stays verifiable" 0 "verified"

# tampered with on the share: only known keys, of their form, inert
{
    cat "$ns/$f2.manifest"
    printf 'format=evil\nvillain=\033]0;x\007\ntable=1 1 \033[31mred\n'
} > "$work/tampered"
cat "$work/tampered" > "$ns/$f2.manifest"
run files "$t" "$f2"
expect "files TENANT FILE on a tampered manifest" 0 "Format: +plain"
if printf '%s' "$out" | grep -q villain; then not_ok "an unknown key is dropped" "$out"; else ok "an unknown key is dropped"; fi
like "$out" '\\x1b\[31mred' "a planted name is shown inert"
no_controls "... no control byte reaches the output" <<< "$out"

# plain .sql: compression=none, the same counts
t2=${id}n db2=tenant_${id}n_metadata
dir2=$(lc_target n) || bail_out "cannot make target n"
lc_db "$db2" "$role" || bail_out "cannot create $db2"
lc_provision "$t2" "$dir2" --no-compression
expect "provision --no-compression" 0 "^PostgreSQL backup configured successfully!"
p=$(lc_backups "$dir2/$t2" "$db2" | tail -n 1)
is "$(awk -F= '$1 == "compression" { print $2 }' "$dir2/$t2/$p.manifest" 2> /dev/null)" none \
    "plain backup: compression=none"
copy_counts "$dir2/$t2/$p" | awk '{ print $1, $2 }' > "$work/py2.nums"
grep -a '^table=' "$dir2/$t2/$p.manifest" | sed 's/^table=//' | awk '{ print $1, $2 }' > "$work/mf2.nums"
if [ -s "$work/py2.nums" ] && cmp -s "$work/py2.nums" "$work/mf2.nums"; then
    ok "plain backup: manifest counts are the file's"
else
    not_ok "plain backup: manifest counts are the file's" "$(diff "$work/py2.nums" "$work/mf2.nums")"
fi

# a database without a table (a new tenant's) backs up: its manifest says tables=0
te=${id}e dbe=tenant_${id}e_metadata
dire=$(lc_target e) || bail_out "cannot make target e"
psql_pg postgres -c "create database \"$dbe\" owner \"$role\"" > /dev/null || bail_out "cannot create $dbe"
lc_provision "$te" "$dire"
expect "provision of a tenant whose database has no table" 0 "^PostgreSQL backup configured successfully!"
pe=$(lc_backups "$dire/$te" "$dbe" | tail -n 1)
is "$(awk -F= '$1 == "tables" { print $2 }' "$dire/$te/$pe.manifest" 2> /dev/null)" 0 \
    "... its manifest says tables=0"
run verify "$te" "$pe"
expect "... and the backup verifies" 0 "result=ok"
run remove "$te" --delete-backups --yes
expect "... removed" 0 "."

# remove --delete-backups takes the manifests along
run remove "$t2" --delete-backups --yes
expect "remove --delete-backups" 0 "."
if [ -z "$(ls -A "$dir2/$t2" 2> /dev/null)" ]; then
    ok "remove --delete-backups leaves no manifest behind"
else
    not_ok "remove --delete-backups leaves no manifest behind" "$(ls -A "$dir2/$t2")"
fi

# --- 4. size anomaly ------------------------------------------------------------------------------
ts=${id}s dbs=tenant_${id}s_metadata
dirs=$(lc_target s) || bail_out "cannot make target s"
lc_db "$dbs" "$role" || bail_out "cannot create $dbs"
# the bulk of the data: 40,000 rows that gzip cannot squeeze much
psql_pg "$dbs" -c "set role \"$role\"" -c "create table bulk (id int primary key, v text)" \
    -c "insert into bulk select g, md5(g::text) || md5((g * 7)::text) from generate_series(1, 40000) g" \
    > /dev/null || bail_out "cannot fill $dbs"
nss=$dirs/$ts

# bad thresholds: refused, field and value named, nothing created
for bad in "--size-min-percent 0:size minimum percent '0'" "--size-min-percent 100:size minimum percent '100'" \
    "--size-max-factor 1:size maximum factor '1'" "--size-window 0:size window '0'" \
    "--size-floor -5:size floor '-5'" "--run-timeout 2:run timeout '2'" "--run-timeout later:run timeout 'later'"; do
    opt=${bad%%:*} msg=${bad#*:}
    # shellcheck disable=SC2086 # option and value
    lc_provision "$ts" "$dirs" $opt
    expect "provision $opt is refused" 2 "invalid $msg"
done
is "$(lc_gone "$ts")" "" "... and nothing was created"

lc_provision "$ts" "$dirs" --keep-min 10
expect "provision (default size rule)" 0 "^PostgreSQL backup configured successfully!"
is "$("$docker" inspect -f '{{index .Config.Labels "io.deeplens.backup.size_min_percent"}} {{index .Config.Labels "io.deeplens.backup.size_max_factor"}} {{index .Config.Labels "io.deeplens.backup.size_window"}} {{index .Config.Labels "io.deeplens.backup.size_floor"}} {{index .Config.Labels "io.deeplens.backup.run_timeout"}}' "$(ctr "$ts")")" \
    "50 3 7 0 0" "the size rule and run timeout are in the container's labels (defaults)"
jget() { lc_json status "$ts" --json | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print('|'.join(str(x) for x in ($1,)))"; }
is "$(jget 'd["size_flag"], d["health"]')" "|ok" "first backup: no earlier one to compare with, not flagged"
run backup-now "$ts"
expect "a second, normal backup" 0 "result=ok"
if printf '%s' "$out" | grep -q 'event=size'; then not_ok "... not flagged" "$out"; else ok "... not flagged"; fi

psql_pg "$dbs" -c "delete from bulk where id > 400" -c "delete from images where id > 30" \
    -c "delete from crm.customers where id > 20 and id not in (select customer_id from images)" > /dev/null
run backup-now "$ts"
expect "a 10x smaller backup succeeds (it is kept)" 0 "result=ok"
like "$out" "event=size tenant=$ts result=suspicious file=${dbs}_[0-9_]+\.sql\.gz size=[0-9]+ reason=\"size [0-9]+ B is [0-9]+% of the median [0-9]+ B of the last 2 good backups \(limit 50%\)\"" \
    "... and flagged: its share of the median of the 2 backups before it (fewer than the window of 7)"
small=$(lc_backups "$nss" "$dbs" | tail -n 1)
check "... the suspicious backup is kept with its checksum" test -f "$nss/$small" -a -f "$nss/$small.sha256"
is "$(jget 'd["size_flag"], d["health"]')" "suspicious|warning" "status --json: size_flag suspicious, health warning"
like "$(jget 'd["health_reason"]')" "^suspicious backup size: size [0-9]+ B is [0-9]+% of the median" \
    "status --json: the reason"
run status "$ts"
expect "status says warning with the reason (exit 6: not ok)" 6 "warning.*suspicious backup size"
run metrics
like "$out" "tenant_backup_health\{tenant=\"$ts\",health=\"warning\"\} 1" "metrics: health warning"

psql_pg "$dbs" -c "insert into bulk select g, md5(g::text) || md5((g * 7)::text) from generate_series(401, 40000) g" > /dev/null
run backup-now "$ts"
expect "a normal-sized backup again" 0 "result=ok"
if printf '%s' "$out" | grep -q 'event=size'; then not_ok "... is not flagged" "$out"; else ok "... is not flagged"; fi
is "$(jget 'd["size_flag"], d["health"]')" "|ok" "... and clears the flag: health ok"

run reschedule "$ts" --size-max-factor 1
expect "reschedule --size-max-factor 1 is refused" 2 "invalid size maximum factor '1'"
run reschedule "$ts" --size-floor 100000000
expect "reschedule --size-floor" 0 "."
is "$("$docker" inspect -f '{{index .Config.Labels "io.deeplens.backup.size_floor"}}' "$(ctr "$ts")")" 100000000 \
    "... carried in the container's labels"
run backup-now "$ts"
like "$out" "event=size tenant=$ts result=suspicious .*reason=\"size [0-9]+ B is below the floor of 100000000 B\"" \
    "a backup below the floor is flagged"

# --- 3. run timeout ---------------------------------------------------------------------------------
run reschedule "$ts" --size-floor 0 --run-timeout 8
expect "reschedule --run-timeout 8" 0 "."
before=$(lc_backups "$nss" "$dbs" | wc -l)
# an open session holds bulk in ACCESS EXCLUSIVE mode: pg_dump waits on it for ever
psql_pg "$dbs" -c "begin; lock table bulk in access exclusive mode; select pg_sleep(300)" > /dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do
    [ "$(psql_pg "$dbs" -At -c "select count(*) from pg_locks l join pg_class c on c.oid = l.relation
        where c.relname = 'bulk' and l.mode = 'AccessExclusiveLock' and l.granted" < /dev/null)" = 1 ] && break
    sleep 0.2
done
t0=$SECONDS
run backup-now "$ts"
took=$((SECONDS - t0))
expect "a run hung on the lock fails" 1 "timed out after 8 s"
[ "$took" -ge 8 ] && [ "$took" -le 40 ] && ok "... after the timeout (${took}s)" || not_ok "... after the timeout (${took}s)"
is "$(jget 'd["last_run"]["result"], d["last_run"]["reason"], d["timeout_count"]')" "FAILED|timed out after 8 s|1" \
    "status --json: FAILED 'timed out after 8 s', timeout_count 1"
is "$(lc_backups "$nss" "$dbs" | wc -l)" "$before" "no final-named file of the killed run"
is "$(find "$nss" -name '*.partial' | wc -l)" 0 "no temporary left"
check "the tenant's lock is released" test ! -e "$nss/.deeplens/lock"
# shellcheck disable=SC2016 # expanded in the container
left=$("$docker" exec "$(ctr "$ts")" sh -c 'for p in /proc/[0-9]*; do tr "\000" " " < $p/cmdline 2>/dev/null; echo; done' | grep -c '^pg_dump ')
is "$left" 0 "no pg_dump left in the container"
psql_pg postgres -c "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(300)%' and pid <> pg_backend_pid()" > /dev/null
wait "$holder" 2> /dev/null
run backup-now "$ts"
expect "with the lock released, the next backup works" 0 "result=ok"
is "$(jget 'd["last_run"]["result"], d["timeout_count"]')" "ok|1" "... and timeout_count stays 1"

done_testing
