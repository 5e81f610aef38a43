#!/usr/bin/env bash
# proof.test.sh - backups that prove themselves, in the console (issue 9, item 8), on the
# real engine and PostgreSQL:
#   - the Files tab's size trend: one cell per backup, oldest first, a 10x smaller backup
#     low among full ones ("▁██▁"), in ASCII ("_##_") under --ascii and in a C locale
#   - the MANIFEST column, and m: the selected file's manifest (server version, database
#     size, format, compression, duration, rows per table); a file without one says so;
#     hostile table names (an escape sequence, a bidi override) - from the dump and from a
#     manifest edited on the share - show inert, never as terminal input
#   - d runs a restore drill with live progress: ok, then FAILED with the first difference
#     on a backup whose manifest does not match; the overview shows the last drill and the
#     size rule's verdict
#   - the list shows "~ warning" and "* untested" side by side, the header counts them
. "$(dirname "$0")/lib.sh"
tui_setup

w=$(tui_name w)     # a suspicious size: warning
u=$(tui_name u)     # a failed drill: untested
wdb=tenant_${w}_metadata
udb=tenant_${u}_metadata
psql_db() { dk exec "$TUI_PG" psql -qtA -U deeplens -d "$1" -c "$2"; }
cli() { "$TUI_BIN" --config "$TUI_TMP/config" "$@"; }
# row TEXT: the screen's lines holding TEXT
row() { tui_screen | grep -aF -- "$1"; }
esc=$'\033'
# only NAME: the list filtered to NAME (Esc in the prompt clears the old filter first)
only() {
    tui_keys /
    tui_keys Escape
    tui_filter "$1"
}
rlo=$'\u202e'

# $w: a table named with an escape sequence and one with a bidi override, dumped by the job
tui_db "$w"
psql_db "$wdb" "create table public.\"evil${esc}[31mred\" (x int);
                insert into public.\"evil${esc}[31mred\" select generate_series(1, 7);
                create table public.\"abc${rlo}txt.exe\" (x int);
                create table big (v text)" || bail_out "cannot create the tables"
tui_tenant "$w"; t_ok $? "provisioned $w (a small first backup)"
wdir=$TUI_TMP/target/$w/$w
psql_db "$wdb" "insert into big select md5(i::text) || md5((i * 7)::text) from generate_series(1, 20000) i"
for n in 2 3; do
    sleep 1
    cli backup-now "$w" > "$TUI_TMP/b$n.log" 2>&1; t_ok $? "big backup $n of $w"
done
psql_db "$wdb" "truncate big"
sleep 1
cli backup-now "$w" > "$TUI_TMP/b4.log" 2>&1; t_ok $? "a small backup again"
mapfile -t wfiles < <(cd "$wdir" && ls -1tr -- "$wdb"_*.sql.gz)
is "${#wfiles[@]}" 4 "four backups of $w"
cli status "$w" > "$TUI_TMP/status-w.log" 2>&1
grep -q "warning" "$TUI_TMP/status-w.log"; t_ok $? "the last one is suspicious: $w is warning (CLI)"

tui_db "$u"
psql_db "$udb" "create table items (id int); insert into items select generate_series(1, 50)" ||
    bail_out "cannot create the table of $u"
tui_tenant "$u"; t_ok $? "provisioned $u"
udir=$TUI_TMP/target/$u/$u

tui_start
tui_wait "$u" 20
only "$w"

# --- the list: warning and untested, symbol and word -----------------------------------
tui_wait "~ warning" 30; t_ok $? "the list shows '~ warning'"
row "$w" | grep -qF "~ warning"; t_ok $? "on $w's row"

# --- the Files tab: trend and manifest column --------------------------------------------
tui_keys f
tui_wait "sorted by time" 20; t_ok $? "the Files tab of $w with the container's listing"
trend=$(row "Size trend")
like "$trend" "Size trend ▁██▁  last 4 backups, oldest first" "the trend: small, big, big, small (▁██▁)"
like "$(row MANIFEST)" "CHECKSUM +MANIFEST" "a MANIFEST column"
is "$(tui_screen | grep -c "$wdb.* sha256 *[0-9]\+ tbl")" 4 "every file has a manifest (N tbl)"

# m: the newest file's manifest
tui_keys m
tui_wait "Manifest of ${wfiles[3]}" 10; t_ok $? "m opens the selected (newest) file's manifest"
tui_wait "Server version" 20; t_ok $? "read from the container"
screen=$(tui_screen)
like "$screen" "Server version +15\\." "server version"
like "$screen" "Database size +[0-9.]+ (B|KiB|MiB)" "database size"
like "$screen" "Format +plain" "format"
like "$screen" "Compression +gzip" "compression"
like "$screen" "Dump duration +[0-9]+\\.[0-9] s" "duration"
like "$screen" "Tables +3, 7 rows" "tables and rows"
like "$screen" " 0 +0 B +public\\.big" "big is empty in this one"
like "$screen" " 7 +[0-9.]+ B +public\\.\"?evil(\\^\\[|\\\\x1b)\\[31mred" \
    "the escape sequence in a table name shows inert, with its rows"
like "$screen" "public\\.\"?abc\\\\u202etxt\\.exe" "the bidi override shows inert"
grep -aqF "$esc" <<< "$(tmux -L "$TUI_SOCK" capture-pane -p -e | sed "s/${esc}\\[[0-9;]*m//g")"
[ $? != 0 ]; t_ok $? "no escape sequence but the console's own colours reaches the terminal"
tui_keys Escape
tui_wait "Size trend" 5; t_ok $? "Esc goes back to the Files tab"

# a manifest edited on the share: raw control bytes in a table name
m1=$wdir/${wfiles[1]}.manifest
cp "$m1" "$TUI_TMP/m1.orig"
printf 'table=5 50 public.raw%s]0;pwned\a%s[2Jafter\n' "$esc" "$esc" >> "$m1"
sed -i 's/^tables=.*/tables=4/' "$m1"
tui_keys j j
tui_keys m
tui_wait "Manifest of ${wfiles[1]}" 10; t_ok $? "the manifest of the second backup"
tui_wait "Server version" 20
like "$(row 'public.raw')" "public\\.raw(\\^\\[|\\\\x1b)\\]0;pwned(\\^G|\\\\x07)(\\^\\[|\\\\x1b)\\[2Jafter" \
    "a name edited on the share with raw control bytes shows inert"
tui_screen | grep -q "Compression"; t_ok $? "and the screen was not cleared by it"
tui_keys q

# a file without manifest
mv "$wdir/${wfiles[0]}.manifest" "$TUI_TMP/m0.aside"
tui_keys F5
tui_wait "loading the listing" 5
tui_wait "sorted by time" 20
like "$(row "${wfiles[0]}")" "sha256 +none" "the oldest file's MANIFEST column says none"
tui_keys G
tui_keys m
tui_wait "Manifest of ${wfiles[0]}" 10
tui_wait "no manifest" 20; t_ok $? "its manifest screen says it has none"
tui_keys Escape
mv "$TUI_TMP/m0.aside" "$wdir/${wfiles[0]}.manifest"

# the overview: the size rule's verdict
tui_keys 1
tui_wait "Size rule" 5
like "$(row 'Size rule')" "Size rule +suspicious: " "the overview shows the size rule's verdict (suspicious, why)"
like "$(row 'Last drill')" "Last drill +none yet" "no drill yet"
tui_keys q
tui_wait "TENANT" 5

# --- d: drills of $u -------------------------------------------------------------------
only "$u"
tui_wait_gone "$w " 5
tui_keys d
tui_wait "Restore drill of $u" 5; t_ok $? "d shows the drill's progress"
tui_wait "press Enter to close" 120; t_ok $? "the drill finishes"
like "$(tui_screen)" "Drill passed: .* match the manifest" "it passed against the manifest"
tui_keys Enter
tui_wait "drill $u: ok" 5; t_ok $? "the status line keeps the result"

# a backup whose manifest claims one row more than the dump holds
uf=$(cd "$udir" && ls -1t -- "$udb"_*.sql.gz | head -n 1)
forged=${udb}_20300101_000001.sql.gz
cp "$udir/$uf" "$udir/$forged"
(cd "$udir" && sha256sum "$forged" > "$forged.sha256")
awk '/^table=/ && !done { split($0, f, " "); sub(/^table=[0-9]+/, "table=" (substr(f[1], 7) + 1)); done = 1 } { print }' \
    "$udir/$uf.manifest" > "$udir/$forged.manifest"
chown 999:999 "$udir/$forged"* 2>/dev/null
forged_table=$(awk '/^table=/ { sub(/^table=[0-9]+ [0-9]+ /, ""); print; exit }' "$udir/$forged.manifest")
tui_keys f
tui_wait "sorted by time" 20
tui_wait "$forged" 10; t_ok $? "the forged backup is listed"
tui_keys g
tui_keys d
tui_wait "Restore drill of $u" 5; t_ok $? "d in the Files tab drills the selected file"
tui_wait "press Enter to close" 120
like "$(tui_screen)" "drill FAILED: table $forged_table: [0-9]+ rows restored, [0-9]+ in the manifest" \
    "it FAILED with the first difference"
tui_keys Enter
tui_wait "drill $u: FAILED" 5; t_ok $? "the status line says FAILED"
tui_keys 1
# the overview shows the status the console reads after the drill: wait for that read
for _ in $(seq 1 100); do
    row 'Last drill' | grep -qE "Last drill +FAILED" && break
    sleep 0.1
done
like "$(row 'Last drill')" "Last drill +FAILED at .*$forged" "the overview shows the last drill, FAILED, its file"
like "$(row 'Drill reason')" "Drill reason +table $forged_table: [0-9]+ rows restored, [0-9]+ in the manifest" \
    "and the first difference"
tui_wait "* untested" 10; t_ok $? "the tenant's health is '* untested'"
tui_keys q
tui_wait "TENANT" 5

# --- the list and the header: both, distinctly ---------------------------------------------
only "$(tui_name '')"
tui_wait "$w" 10
tui_wait "* untested" 20
like "$(row "$u" | head -n 1)" "^$u +\\* untested " "$u's row: '* untested'"
like "$(row "$w" | head -n 1)" "^$w +~ warning " "$w's row: '~ warning'"
hdr=$(tui_screen | head -n 1)
like "$hdr" " [1-9][0-9]* warning +[1-9][0-9]* untested " "the header counts warning and untested"

# ASCII: --ascii, and a locale that is not UTF-8
for mode in ascii locale; do
    if [ $mode = ascii ]; then tui_start -- --ascii; else tui_start LANG=C LC_ALL=C; fi
    tui_wait "$w" 20
    only "$w"
    tui_keys f
    tui_wait "sorted by time" 20
    like "$(row 'Size trend')" "Size trend _##_  last 4 backups" "the trend in ASCII ($mode)"
    tui_screen | grep -aq $'\xe2\x96'; [ $? != 0 ]; t_ok $? "no block character ($mode)"
done
tui_stop
done_testing
