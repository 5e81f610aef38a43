#!/usr/bin/env bash
# golden.test.sh - whole 80x24 screens of the console against the files in
# tests/tui/golden/*.txt, like tig's screen dumps: the list, each detail tab
# (overview, logs, files), the help screen, each form (provision,
# reschedule, the remove confirmation) and the provision form under
# --ascii. A change in layout, wording or key bar shows as a diff.
#
# What is stable: the tenants are this file's own, with fixed names
# (gldalpha, gldbeta: removed first if a run left them), the list is
# filtered to them, the theme is the default. What moves is masked by
# mask() below, and only that:
#   line 1 (header): every number (tenant counts on the shared engine,
#                    the engine's version)
#   2026-12-07 09:30[:15][Z] / 2026-12-07T09:30:15Z   -> <TIME>
#   20261207_093015 (file names)                      -> <STAMP>
#   09:30:15 (clock with seconds)                     -> <CLOCK>
#   Mon 07 Dec 02:00 / Tue 08 02:00 (next runs)       -> <RUN>
#   12 KiB, 1.5 MiB, 512 B, 3.2 kB (sizes)            -> <SIZE>
#   3h 7m, 52s, 2m (ages, durations, "in ...")        -> <AGE>
#   12+ hex digits (container ids)                    -> <ID>
#   /tmp/dl-tui.XXXXXX (this run's directory)         -> <TMP>
#   (Up 4 seconds (health: starting)) (engine status) -> (<UP>)
#   probe: starting / healthy                         -> probe: <PROBE>
# and the spaces that pad a masked value in its column are squeezed to one,
# so a wider or narrower value does not move the rest of the line.
# The Logs tab's lines are sorted (log_order): the job's start line (stdout)
# and crond's (stderr) reach the engine through two pipes, in either order.
#
# DL_GOLDEN_UPDATE=1 writes the screens instead of comparing them (read the
# diff of every file it changed before committing it).
. "$(dirname "$0")/lib.sh"
tui_setup

golden=$TUI_TOP/tests/tui/golden
update=${DL_GOLDEN_UPDATE:-0}
mkdir -p "$golden"

mask() {
    sed -E \
        -e '1s/[0-9]+(\.[0-9]+)*(\+[A-Za-z0-9.~-]+)?/N/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?Z?/<TIME>/g' \
        -e 's/[0-9]{8}_[0-9]{6}/<STAMP>/g' \
        -e 's/\b[0-9]{2}:[0-9]{2}:[0-9]{2}\b/<CLOCK>/g' \
        -e 's/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2}( (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))? [0-9]{2}:[0-9]{2}\b/<RUN>/g' \
        -e 's/\b[0-9]+(\.[0-9]+)? ?(B|KiB|MiB|GiB|TiB|kB|MB|GB)\b/<SIZE>/g' \
        -e 's/\b[0-9]+[hms]( [0-9]+[ms])?\b/<AGE>/g' \
        -e 's/\b[0-9]+d [0-9]+h\b/<AGE>/g' \
        -e 's/\b[0-9a-f]{12,64}\b/<ID>/g' \
        -e 's#/tmp/dl-tui\.[A-Za-z0-9]+#<TMP>#g' \
        -e 's/\(Up [^()]*( \([^)]*\))?\)/(<UP>)/' \
        -e 's/probe: [a-z]+/probe: <PROBE>/' \
        -e 's/ *(<(SIZE|AGE|TIME|STAMP|CLOCK|RUN|ID)>) */ \1 /g' \
        -e 's/ +$//'
}

# the log lines under the header (line 4 up to the first empty one), sorted
log_order() {
    awk -v OFS='\t' 'NR < 4 { print 0, NR, $0; next }
         !done && $0 != "" { print 1, 0, $0; next }
         { done = 1; print 2, NR, $0 }' |
        LC_ALL=C sort -s -t "$(printf '\t')" -k1,1n -k2,2n -k3 | cut -f3-
}

# shot NAME [FILTER]: the screen now, masked (then through FILTER), against
# golden/NAME.txt
shot() {
    local name=$1 file=$golden/$1.txt got
    got=$(tui_screen | mask | "${2:-cat}")
    if [ "$update" = 1 ]; then
        printf '%s\n' "$got" > "$file"
        ok "$name: written to tests/tui/golden/$name.txt"
        return
    fi
    if [ ! -f "$file" ]; then
        not_ok "$name: the golden screen matches" "no $file (DL_GOLDEN_UPDATE=1 writes it)"
        return
    fi
    local d
    d=$(diff -u "$file" <(printf '%s\n' "$got"))
    if [ -z "$d" ]; then
        ok "$name: the golden screen matches"
    else
        not_ok "$name: the golden screen matches" "$(sed 's/^/| /' <<< "$d")"
    fi
}

a=gldalpha b=gldbeta
for t in "$a" "$b"; do      # a run that died may have left them
    "$TUI_BIN" --config "$TUI_TMP/config" remove "$t" --delete-backups --yes >/dev/null 2>&1
    dk rm -f "deeplens-backup-$t" >/dev/null 2>&1
    dk volume rm -f "tenant_${t}_pgbackup" >/dev/null 2>&1
done
tui_tenant "$a" --no-initial-backup; t_ok $? "provisioned $a"
tui_tenant "$b" --no-initial-backup --schedule '0 */6 * * *' --retention 7; t_ok $? "provisioned $b"
dk stop -t 1 "deeplens-backup-$b" >/dev/null

export TUI_COLS=80 TUI_ROWS=24
tui_start
tui_wait "TENANT"; t_ok $? "the console is up at 80x24"
tui_filter "gld"
tui_wait "- stopped" 15; t_ok $? "$b shows as stopped"
tui_wait "$a " 15
# the list settles: both rows read, no message left
sleep 2
shot list

tui_keys '?'
tui_wait "Help: keys"; t_ok $? "? opens the help"
shot help
tui_keys q
tui_wait "TENANT"

# the detail of the first row ($a: the list sorts by name)
tui_keys Enter
tui_wait "1 Overview"; t_ok $? "Enter opens the detail"
sleep 1
shot overview
tui_keys 2
tui_wait "crond" 15; t_ok $? "the Logs tab shows the container's log"
sleep 1
shot logs log_order
tui_keys 3
tui_wait "3 Files"
sleep 2
shot files

tui_keys R
tui_wait "Reschedule '$a'"; t_ok $? "R opens the reschedule form"
shot reschedule
tui_keys Escape
tui_wait "cancelled"
tui_keys D
tui_wait "Remove" 5; t_ok $? "D opens the remove confirmation"
shot remove
tui_keys Escape
tui_wait "cancelled"
tui_keys Escape
tui_wait "TENANT"

tui_keys n
tui_wait "Provision a tenant backup"; t_ok $? "n opens the provision form"
shot provision
tui_screen | grep -q '≈'; t_ok $? "the provision form uses UTF-8 symbols in a UTF-8 locale"
tui_keys Escape
tui_wait "cancelled"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"

# --ascii reaches the forms too
tui_start -- --ascii
tui_wait "TENANT"
tui_filter "gld"
tui_wait "$a " 15
tui_keys n
tui_wait "Provision a tenant backup"; t_ok $? "n opens the provision form under --ascii"
sleep 1
shot provision-ascii
n=$(tui_screen | LC_ALL=C grep -c '[^ -~]')
is "$n" "0" "under --ascii the form screen is plain ASCII"
tui_keys Escape
tui_wait "cancelled"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"

done_testing
