#!/usr/bin/env bash
# tests/integration/lifecycle/integrity.test.sh - what a hostile tenant or a failing
# target must not get past the job (issue 7, items 1, 5, 6, 7, 8), through the CLI on
# the real engine and PostgreSQL:
#   - a table whose name holds an OSC sequence, a raw 0x9B, a U+009B CSI and a bidi
#     override makes pg_dump fail: the status files and the logs hold no control byte,
#     no C1, no invalid UTF-8, and the reason still shows the name, escaped; a status
#     file planted on the share is recovered filtered (known keys, inert values)
#   - verify: a .sql corrupted mid-file fails; a backup without sidecar (.sql or
#     .sql.gz, intact or not) is "not verified", exit 7, and restore refuses it
#   - a target that fills up: on write (a 1 MB tmpfs) and only at flush (ext4 on a
#     loop file in a 16 MB tmpfs, as NFS reports errors at close/fsync): FAILED, no
#     final-named file, no temporaries, the status says why
#   - an IPv6 PostgreSQL host (the shared server joined to an IPv6 network): provision,
#     and reschedule, which reads the password back from the pgpass line
#   - the entrypoint (root) follows no link the backup uid planted in its state
#     directory, and the job follows no .deeplens link planted on the share
# Prints TAP.
# shellcheck disable=SC2010,SC2015 # ls | grep over names the test made; A && B || bail_out
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup i

role=${id}r
lc_role "$role" || bail_out "cannot create role $role"
lc_user=$role lc_pw=$work/$role.pw
ctr() { echo "${DEEPLENS_PREFIX:-deeplens-backup-}$1"; }
cexec() { "$docker" exec "$@"; }
# wait_ready C: until the entrypoint of C's current start has marked it ready
wait_ready() {
    local _
    for _ in $(seq 1 75); do
        # shellcheck disable=SC2016 # expanded in the container
        cexec "$1" sh -c 'test -f /var/lib/deeplens/ready && ! test -L /var/lib/deeplens/ready &&
            [ "$(cat /var/lib/deeplens/ready)" = "$(awk "{ print \$22 }" /proc/1/stat)" ]' 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}
# On exit, before lc_sweep: containers first (they hold the mounts and the network).
mounts=() v6net=
# shellcheck disable=SC2317 # run on exit
sweep_own() {
    local m c
    for c in $("$docker" ps -aq --filter "name=$id"); do "$docker" rm -f -v "$c"; done
    for ((m = ${#mounts[@]} - 1; m >= 0; m--)); do umount -l "${mounts[m]}"; done
    if [ -n "$v6net" ]; then
        "$docker" network disconnect -f "$v6net" "$pg"
        "$docker" network rm "$v6net"
    fi
}
cli_at_exit sweep_own

# inert NAME: ok when stdin holds no C0 byte but LF, no DEL, only strict UTF-8, and no
# C1, bidi control or zero-width character (checked on od's bytes)
inert() {
    local bad
    bad=$(od -An -v -tu1 | awk '
        { for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
        function report(what) { printf "%s at byte %d\n", what, at; found++ }
        END {
            for (i = 0; i < n && found < 5; i++) {
                c = b[i]; at = i
                if (c == 10) continue
                if (c < 32 || c == 127) { report(sprintf("control 0x%02x", c)); continue }
                if (c < 128) continue
                need = c >= 194 && c <= 223 ? 1 : c >= 224 && c <= 239 ? 2 : c >= 240 && c <= 244 ? 3 : 0
                cp = need == 1 ? c - 192 : need == 2 ? c - 224 : c - 240
                good = need > 0 && i + need < n
                for (k = 1; good && k <= need; k++) {
                    d = b[i + k]
                    if (d < 128 || d > 191) good = 0; else cp = cp * 64 + d - 128
                }
                if (good && (cp < (need == 1 ? 128 : need == 2 ? 2048 : 65536) || cp > 1114111 ||
                    (cp >= 55296 && cp <= 57343))) good = 0
                if (!good) { report(sprintf("invalid UTF-8 0x%02x", c)); continue }
                if (cp < 160 || (cp >= 8203 && cp <= 8207) || (cp >= 8232 && cp <= 8238) ||
                    (cp >= 8294 && cp <= 8297) || cp == 65279)
                    report(sprintf("U+%04X", cp))
                i += need
            }
        }')
    if [ -z "$bad" ]; then ok "$1"; else not_ok "$1" "$bad"; fi
}

# --- 1. the job's inert filter, on the awks it meets: mawk (Debian), busybox awk (Alpine) ---------
cat >"$work/filter.sh" <<'SH'
eval "$(sed -n "/^CLEAN_AWK='/,/^}'\$/p" /job/backup.sh)"
export LC_ALL=C
f() { printf "$1" | od -An -v -tu1 | $AWK -v max="${2:-400}" "$CLEAN_AWK"; }
f 'plain ASCII: a-z 0-9 "q" \\ /'
f '  lead\t\ttab\r\nlf   trail  '
f 'osc\033]0;pwned\007 csi\302\233[2J raw\233 st\302\234 del\177 nul-ish\001'
f 'bidi\342\200\256 \342\201\246 zw\342\200\213\342\200\215 ls\342\200\250 bom\357\273\277'
f 'utf8: \303\251 \346\235\261 \360\237\227\204'
f 'bad: \300\257 \340\200\257 \355\240\200 \364\220\200\200 \377 cut\342\200'
f 'abc\303\251\303\251' 4
f 'abcd\342\200\256' 5
SH
want='plain ASCII: a-z 0-9 "q" \ /
lead tab lf trail
osc\x1b]0;pwned\x07 csi\u009b[2J raw\x9b st\u009c del\x7f nul-ish\x01
bidi\u202e \u2066 zw\u200b\u200d ls\u2028 bom\ufeff
utf8: é 東 🗄
bad: \xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xff cut\xe2\x80
abcé
abcd'
for awk in mawk "busybox awk"; do
    is "$("$docker" run --rm -e AWK="$awk" -v "$work/filter.sh:/filter.sh:ro" \
        -v "$root/src/backup/job/backup.sh:/job/backup.sh:ro" --entrypoint /bin/sh "$runner" /filter.sh 2>&1)" \
        "$want" "the job's filter on $awk: controls, C1, bidi, zero-width, bad UTF-8 escaped; cut between characters"
done

# --- 1. terminal injection: a hostile table name in pg_dump's error ---------------------------
# SQL_ASCII lets the name hold a raw 0x9B byte too, as a tenant's database may.
ta=${id}a dba=tenant_${id}a_metadata
dira=$(lc_target a) || bail_out "cannot make target a"
psql_pg postgres -c "create database \"$dba\" owner \"$role\" encoding 'SQL_ASCII' template template0 locale 'C'" >/dev/null &&
    lc_seed | psql_pg "$dba" -c "set role \"$role\"" -f - >/dev/null || bail_out "cannot create $dba"
lc_provision "$ta" "$dira"
nsa=$dira/$ta # the tenant's own directory on the export
expect "provision (SQL_ASCII database, non-superuser role)" 0 "^PostgreSQL backup configured successfully!"
# ESC ] 0;pwned BEL (OSC: set the title), raw CSI 0x9B, U+009B, U+202E (RTL override)
psql_pg "$dba" -c "do \$\$ begin execute format('create table %I (x int)',
    E'\\x1b]0;pwned\\x07 \\x9b[2J \\xc2\\x9b[31m \\xe2\\x80\\xaeevil'); end \$\$" >/dev/null
run backup-now "$ta"
expect "backup-now fails on the table the role cannot read" 1 "permission denied for table"
inert "... the CLI's output is inert" <<<"$out"
st_share=$(cat "$nsa/.deeplens/status" 2>/dev/null)
inert "... the status file on the share is inert" < "$nsa/.deeplens/status"
cexec "$(ctr "$ta")" cat /var/lib/deeplens/status > "$work/a.status"
inert "... the container's status file is inert" < "$work/a.status"
for _ in $(seq 1 50); do # the entrypoint forwards the job's log to docker logs
    "$docker" logs "$(ctr "$ta")" > "$work/a.logs" 2>&1
    grep -q 'result=FAILED' "$work/a.logs" && break
    sleep 0.2
done
inert "... docker logs are inert" < "$work/a.logs"
cexec "$(ctr "$ta")" cat /var/log/backup.log > "$work/a.log"
inert "... the job's log file is inert" < "$work/a.log"
reason=$(grep -a '^last_reason=' "$work/a.status")
# shellcheck disable=SC1003 # backslashes meant literally
{
    [[ $reason == *'permission denied for table \x1b]0;pwned\x07 \x9b[2J \u009b[31m \u202eevil'* ]] &&
        ok "... the reason shows the name, escaped"
} || not_ok "... the reason shows the name, escaped" "$reason"
is "$(grep -a '^last_reason=' <<<"$st_share")" "$reason" "... the same on the share"
has_line "$(cat "$work/a.logs")" 'result=FAILED reason=".*\\\\x1b\]0;pwned\\\\x07 \\\\x9b\[2J \\\\u009b\[31m \\\\u202eevil' \
    "... the logfmt line carries the escapes (backslashes doubled)"
psql_pg "$dba" -c "do \$\$ declare r record; begin for r in select relname from pg_class where relname like '%pwned%' loop
    execute format('drop table %I', r.relname); end loop; end \$\$" >/dev/null

# A status planted on the share is what a recreated container recovers: filtered.
{
    printf 'version=1\ntenant=%s\ndatabase=%s\n' "$ta" "$dba"
    printf 'last_result=FAILED\n'
    printf 'last_reason=\033[2J\033]52;c;cHduZWQ=\007 \233 \302\233 \342\200\256 \342\200\213 \377 end\n'
    printf 'last_run_end=\0339999\n'
    printf 'last_file=../../etc/passwd\n'
    printf 'evil=\033]0;pwned\007\n'
    printf 'last_result=ok\n'
    printf 'file=%s_20250101_000000.sql.gz 10 20 none\n' "$dba"
    printf 'file=../x 1 2 none\n'
    printf 'file=%s_20250101_000000.sql.gz 10 20 \033[31m\n' "$dba"
} > "$nsa/.deeplens/status"
chown 999:999 "$nsa/.deeplens/status"
cexec "$(ctr "$ta")" rm -f /var/lib/deeplens/status
run restart "$ta"
expect "restart: the new start recovers the share's status" 0 "restarted"
for _ in $(seq 1 50); do cexec "$(ctr "$ta")" test -f /var/lib/deeplens/status 2>/dev/null && break; sleep 0.2; done
cexec "$(ctr "$ta")" cat /var/lib/deeplens/status > "$work/a.recovered" 2>&1
inert "recovered status is inert" < "$work/a.recovered"
is "$(cat "$work/a.recovered")" "version=1
tenant=$ta
database=$dba
last_result=FAILED
last_reason=\x1b[2J\x1b]52;c;cHduZWQ=\x07 \x9b \u009b \u202e \u200b \xff end
file=${dba}_20250101_000000.sql.gz 10 20 none" "... only known keys, each once, values inert and of their form"
run status "$ta"
inert "... status shows it inert" <<<"$out"

# --- 5. verify: never "checksum matches" without a sidecar --------------------------------------
tb=${id}b dbb=tenant_${id}b_metadata
dirb=$(lc_target b) || bail_out "cannot make target b"
lc_db "$dbb" "$role" || bail_out "cannot create $dbb"
lc_provision "$tb" "$dirb" --no-compression
nsb=$dirb/$tb
expect "provision with --no-compression" 0 "^PostgreSQL backup configured successfully!"
f0=$(lc_backups "$nsb" "$dbb" | tail -n 1)
like "$f0" '\.sql$' "the initial backup is a plain .sql"
run verify "$tb" "$f0"
expect "verify of the intact .sql with its sidecar: ok" 0 "Backup verified: dump complete, sha256 checksum matches"
# copies of it under older names, each with or without a sidecar, intact or corrupted mid-file
name_at() { echo "${2}_$(date -u -d "-$1 days" +%Y%m%d_%H%M%S).$3"; }
corrupt() { # FILE: 8 bytes overwritten in the middle, trailer intact
    local size
    size=$(stat -c %s "$1")
    printf 'XXXXXXXX' | dd of="$1" bs=1 seek=$((size / 2)) conv=notrunc status=none
}
bad=$(name_at 2 "$dbb" sql) nosum=$(name_at 3 "$dbb" sql) badnosum=$(name_at 4 "$dbb" sql)
cp "$nsb/$f0" "$nsb/$bad"
(cd "$nsb" && sha256sum "$bad" >"$bad.sha256")
corrupt "$nsb/$bad"
cp "$nsb/$f0" "$nsb/$nosum"
cp "$nsb/$f0" "$nsb/$badnosum"
corrupt "$nsb/$badnosum"
chown 999:999 "$nsb"/*
run verify "$tb" "$bad"
expect "a .sql corrupted mid-file fails verify (exit 1)" 1 "verify failed: checksum mismatch"
run verify "$tb" "$nosum"
expect "an intact .sql without sidecar: not verified, exit 7" 7 \
    "^deeplens-backup: verify: not verified: no checksum file $nosum.sha256"
has_line "$out" "result=FAILED file=$nosum reason=\"not verified: no checksum file" "... the job's line says so"
if grep -q "checksum matches" <<<"$out"; then not_ok "... and nothing says the checksum matches" "$out"; else ok "... and nothing says the checksum matches"; fi
run verify "$tb" "$badnosum"
expect "a corrupted .sql without sidecar: not verified, exit 7" 7 "not verified: no checksum file $badnosum.sha256"
: >"$nsb/$nosum.sha256"
chown 999:999 "$nsb/$nosum.sha256"
run verify "$tb" "$nosum"
expect "an empty sidecar: not verified, exit 7" 7 "not verified: checksum file $nosum.sha256 holds no sha256 digest"
rm -f "$nsb/$nosum.sha256"
ga=$(lc_backups "$nsa" "$dba" | tail -n 1)
gnosum=$(name_at 5 "$dba" sql.gz)
cp "$nsa/$ga" "$nsa/$gnosum"
chown 999:999 "$nsa/$gnosum"
run verify "$ta" "$gnosum"
expect "an intact .sql.gz without sidecar: not verified, exit 7" 7 "not verified: no checksum file $gnosum.sha256"
run files "$tb"
has_line "$out" "$nosum .*none" "files shows the sidecar-less backup with checksum none"
run restore "$tb" "$nosum" --to "${dbb}_r"
expect "restore refuses a backup without sidecar, exit 7" 7 "^deeplens-backup: restore: not verified: no checksum file .*restore refused"
is "$(psql_pg postgres -Atc "select count(*) from pg_database where datname = '${dbb}_r'")" 0 "... and creates no database"
rm -f "$nsb/$bad"* "$nsb/$nosum"* "$nsb/$badnosum"* "$nsa/$gnosum"

# The job names the sidecar before the dump: the renames into the target, in order
# (inotify IN_MOVED_TO), so a crash between them never leaves a dump without checksum.
python3 -c '
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x80) < 0:  # IN_MOVED_TO
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
print("ready", flush=True)
while True:
    data, off = os.read(fd, 65536), 0
    while off < len(data):
        _, _, _, n = struct.unpack_from("iIII", data, off)
        print(data[off + 16:off + 16 + n].rstrip(b"\0").decode(errors="replace"), flush=True)
        off += 16 + n
' "$nsb" >"$work/moves" 2>&1 &
watcher=$!
for _ in $(seq 1 50); do grep -q '^ready$' "$work/moves" && break; sleep 0.1; done
run backup-now "$tb"
expect "backup-now of the plain tenant" 0 "Backup completed"
sleep 0.5
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
f1=$(lc_backups "$nsb" "$dbb" | tail -n 1)
is "$(grep -F "$dbb" "$work/moves" | tr '\n' ' ')" "$f1.manifest $f1.sha256 $f1 " \
    "the sidecars (manifest, checksum) are renamed into place before the dump"
rm -f "$nsb/$f1" "$nsb/$f1.sha256" "$nsb/$f1.manifest"

# --- 7. a target that fills up: on write, and only at flush --------------------------------------
dbc=tenant_${id}c_metadata
psql_pg postgres -c "create database \"$dbc\" owner \"$role\"" >/dev/null &&
    psql_pg "$dbc" -c "set role \"$role\"; create table big (id int, t text);
        insert into big select g, md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text)
        from generate_series(1, 300000) g" >/dev/null || bail_out "cannot create $dbc"
# full_target T DIR REASON_ERE: backup-now fails for REASON; DIR keeps no backup-looking
# file, no temporary, no sidecar
full_target() {
    local t=$1 dir=$2
    run backup-now "$t"
    expect "$t: backup-now fails" 1 "backup failed: $3"
    is "$(ls -A "$dir" | grep -v '^\.deeplens$' | grep -v '^lost+found$' | tr '\n' ' ')" "" \
        "$t: no final-named file, no temporary, no sidecar"
    like "$(grep '^last_result=\|^last_reason=' "$dir/.deeplens/status" 2>/dev/null | tr '\n' ' ')" \
        "^last_result=FAILED last_reason=$3 \$" "$t: the status says why"
}
tc=${id}c dirc=$work/c
mkdir -p "$dirc" && mount -t tmpfs -o size=1m,uid=999,gid=999,mode=0755 tmpfs "$dirc" && mounts+=("$dirc") ||
    bail_out "cannot mount a tmpfs"
lc_provision "$tc" "$dirc" --no-compression --database "$dbc" --no-initial-backup
expect "provision on a 1 MB tmpfs" 0 "^PostgreSQL backup configured successfully!"
full_target "$tc" "$dirc/$tc" "no space left on device"

td=${id}d dird=$work/d
mkdir -p "$work/d-backing" "$dird" &&
    mount -t tmpfs -o size=16m tmpfs "$work/d-backing" && mounts+=("$work/d-backing") &&
    truncate -s 256M "$work/d-backing/img" &&
    mkfs.ext4 -q -O ^has_journal -E nodiscard "$work/d-backing/img" &&
    mount -o loop,errors=continue "$work/d-backing/img" "$dird" && mounts+=("$dird") &&
    chown 999:999 "$dird"
if [ "${mounts[-1]}" = "$dird" ]; then
    lc_provision "$td" "$dird" --no-compression --database "$dbc" --no-initial-backup
    expect "provision on ext4 whose backing store is a 16 MB tmpfs" 0 "^PostgreSQL backup configured successfully!"
    full_target "$td" "$dird/$td" "no space left on device \(at flush\)"
else
    skip "a target whose writes fail only at flush" "no loop device for ext4 on a small tmpfs"
fi

# --- 6. an IPv6 PostgreSQL host ------------------------------------------------------------------
v6=
for _ in 1 2 3; do
    sub=fd00:$(printf '%x' $((RANDOM % 65536))):$(printf '%x' $((RANDOM % 65536)))::/64
    "$docker" network create --ipv6 --subnet "$sub" "$id-v6" >/dev/null 2>&1 && v6net=$id-v6 && break
done
if [ -n "$v6net" ] && "$docker" network connect "$v6net" "$pg" >/dev/null 2>&1; then
    v6=$("$docker" inspect -f "{{ (index .NetworkSettings.Networks \"$v6net\").GlobalIPv6Address }}" "$pg")
fi
if [ -n "$v6" ]; then
    te=${id}e dbe=tenant_${id}e_metadata
    dire=$(lc_target e)
    lc_db "$dbe" "$role" || bail_out "cannot create $dbe"
    run provision "$te" --nfs-path "local:$dire" --image "$runner" --postgres-host "$v6" \
        --postgres-user "$lc_user" --network "$v6net" --password-file "$lc_pw"
    expect "provision with PostgreSQL at IPv6 $v6" 0 "^PostgreSQL backup configured successfully!"
    like "$(lc_backups "$dire/$te" "$dbe")" "^${dbe}_[0-9]{8}_[0-9]{6}\.sql\.gz$" "... and its first backup is there"
    check "... the pgpass line escapes the host's ':'" cexec "$(ctr "$te")" grep -qF "${v6//:/\\:}:5432:*:$lc_user:" /etc/deeplens/pgpass
    # reschedule reads the password back from that line: unescaped, the host's ':'
    # were taken for field separators and the new container got a wrong password
    run reschedule "$te" --schedule '0 3 * * *'
    expect "reschedule of the IPv6 tenant" 0 "Rescheduled"
    run backup-now "$te"
    expect "... and its new container still logs in" 0 "Backup completed"
else
    skip "provision with an IPv6 PostgreSQL host" "no IPv6 network on this engine"
fi

# --- 8. no links followed: the entrypoint (root) in the state dir, the job on the share ----------
cb=$(ctr "$tb")
cexec -u 999:999 "$cb" sh -c 'ln -sf /etc/deeplens/planted-started /var/lib/deeplens/started &&
    ln -sf /etc/crontabs/planted-ready /var/lib/deeplens/ready'
run restart "$tb"
expect "restart with links planted in the state dir by the backup uid" 0 "restarted"
wait_ready "$cb" || diag "no ready mark from the restarted entrypoint"
check "root wrote through no link: /etc/deeplens/planted-started absent" cexec "$cb" test ! -e /etc/deeplens/planted-started
check "... nor /etc/crontabs/planted-ready" cexec "$cb" test ! -e /etc/crontabs/planted-ready
check "... started and ready are new regular files" cexec "$cb" sh -c \
    'test -f /var/lib/deeplens/started && ! test -L /var/lib/deeplens/started &&
     test -f /var/lib/deeplens/ready && ! test -L /var/lib/deeplens/ready'

# .deeplens on the share made a link into the container's state dir (writable by the uid)
mv "$nsb/.deeplens" "$work/b.deeplens"
ln -s /var/lib/deeplens "$nsb/.deeplens"
run restart "$tb"
expect "restart with .deeplens a link on the share" 0 "restarted"
wait_ready "$cb" || diag "no ready mark from the restarted entrypoint"
has_line "$("$docker" logs "$cb" 2>&1)" \
    "event=start tenant=$tb result=FAILED reason=\"/backups/$tb/.deeplens on the backup target is a symbolic link: not followed" \
    "the entrypoint says the link is not followed"
run backup-now "$tb"
expect "a run refuses it" 1 "backup failed: /backups/$tb/.deeplens on the backup target is a symbolic link: not followed"
is "$(lc_backups "$nsb" "$dbb")" "$f0" "... and makes no backup"
rm -f "$nsb/.deeplens"
mv "$work/b.deeplens" "$nsb/.deeplens"

# --- 9. a pg_dump that stops short and still exits 0 ----------------------------------------------
# The run does not read its own file back: the trailer is checked in the stream (tail beside
# tee). A wrapper cuts pg_dump's output after 40 lines and exits 0; the run must fail on it.
pgd=/usr/lib/postgresql/15/bin/pg_dump
"$docker" exec -u 0 "$cb" sh -c "mv $pgd $pgd.real &&
    printf '#!/bin/sh\n$pgd.real \"\$@\" | head -n 40\nexit 0\n' > $pgd && chmod 0755 $pgd" ||
    bail_out "cannot put the short pg_dump in place"
before=$(lc_snapshot "$nsb")
run backup-now "$tb"
expect "a dump that ends early with exit status 0 fails the run" 1 "backup failed: dump incomplete: trailer missing"
is "$(lc_snapshot "$nsb")" "$before" "... and leaves no file, no temporary"
"$docker" exec -u 0 "$cb" mv -f "$pgd.real" "$pgd"
run backup-now "$tb"
expect "with the real pg_dump back the run passes its own check" 0 "Backup completed"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
