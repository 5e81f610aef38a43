#!/usr/bin/env bash
# list.test.sh - the home screen: tenants with their health, filter, sort,
# help from the key table, themes, NO_COLOR, a non-UTF-8 locale, resizes.
. "$(dirname "$0")/lib.sh"
tui_setup

good=$(tui_name a)
down=$(tui_name b)
tui_tenant "$good"; t_ok $? "provisioned $good through the CLI"
tui_tenant "$down" --schedule '0 */6 * * *' --retention 7; t_ok $? "provisioned $down"
dk stop -t 1 "deeplens-backup-$down" >/dev/null

tui_start
tui_wait "$good"; t_ok $? "the list shows $good"
tui_filter "tui$$"
tui_wait "filter 'tui$$'"; t_ok $? "the filter is shown on the status line"
row() { tui_screen | grep -E "^ *$1 " | head -n1; }
tui_wait "+ ok" 15
like_row() { row "$1" | grep -qF -- "$2"; }
like_row "$good" "+ ok"; t_ok $? "$good is ok, with a symbol that reads without colour"
like_row "$good" "daily 02:00"; t_ok $? "$good's schedule in words"
like_row "$down" "- stopped"; t_ok $? "$down is stopped"
like_row "$down" "every 6 h"; t_ok $? "$down's schedule in words"
like_row "$down" "7d"; t_ok $? "$down's retention"
tui_screen | head -n1 | grep -q "docker "; t_ok $? "the header names the engine and its version"

# sort by health: the stopped tenant comes first (failing, overdue, stopped, ok)
tui_keys s
tui_wait "sorted by HEALTH"; t_ok $? "s sorts by the next column"
first=$(tui_screen | grep -E "^ *tui$$" | head -n1 | awk '{print $1}')
is "$first" "$down" "sorted by health, the stopped tenant is first"

# help comes from the action table
tui_keys '?'
tui_wait "Help: keys"; t_ok $? "? opens the help"
tui_screen | grep -q "backup-now"; t_ok $? "help lists the backup-now action"
n_keys=$("$TUI_BIN" keys | wc -l)
[ "$n_keys" -gt 30 ]; t_ok $? "deeplens-backup keys prints the table ($n_keys actions)"
tui_keys q
tui_wait "TENANT"; t_ok $? "q closes the help"

# resize: 60x15 works, below 50x12 a notice, back again
tmx resize-window -x 60 -y 15
tui_wait "$good"; t_ok $? "60x15 still shows the list"
tmx resize-window -x 40 -y 10
tui_wait "terminal too small"; t_ok $? "40x10 shows the too-small notice"
tmx resize-window -x 120 -y 40
tui_wait "$down"; t_ok $? "back at 120x40 the list returns"
tui_wait_gone "too small"; t_ok $? "the notice is gone"

# q quits with 0 and restores the terminal
tui_keys q
is "$(tui_exit_code)" "0" "q quits with exit code 0"

# every shipped theme loads
for f in "$TUI_TOP"/themes/*.theme; do
    name=$(basename "$f" .theme)
    tui_start -- --theme "$name"
    tui_wait "$good" 10; t_ok $? "theme $name loads and the list shows"
    tui_keys q
done
"$TUI_BIN" themes --check >/dev/null 2>&1; t_ok $? "themes --check accepts every shipped theme"
tui_start -- --theme no-such-theme
is "$(tui_exit_code)" "4" "an unknown theme is an error, not a crash"

# T cycles the theme at run time
tui_start
tui_wait "$good"
tui_keys T
tui_wait "theme: "; t_ok $? "T switches to the next theme"
tui_keys q

# NO_COLOR and a non-UTF-8 locale still render, in ASCII
tui_start NO_COLOR=1 LANG=C LC_ALL=C
tui_wait "$good"; t_ok $? "NO_COLOR=1 LANG=C shows the list"
tui_screen | grep -q "TENANT^"; t_ok $? "ASCII sort mark in a C locale"
tui_wait "+ ok"; t_ok $? "health still reads as a symbol and word"
tui_keys l
tui_wait "1 Overview" ; t_ok $? "the detail opens in a C locale"
tui_screen | grep -q -- "----------"; t_ok $? "ASCII line drawing"
tui_keys Q

# SIGHUP (the SSH session drops) ends the console promptly
tui_start
tui_wait "$good"
pid=$(pgrep -P "$(tui_pid)" -f deeplens-backup | head -n1)
kill -HUP "$pid"
code=$(tui_exit_code)
[ "$code" != none ]; t_ok $? "SIGHUP ends the console (exit $code)"
tui_start
tui_wait "$good"
pid=$(pgrep -P "$(tui_pid)" -f deeplens-backup | head -n1)
kill -TERM "$pid"
is "$(tui_exit_code)" "143" "SIGTERM ends the console with 128+15"

done_testing
