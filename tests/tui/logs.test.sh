#!/usr/bin/env bash
# logs.test.sh - the Logs tab: live follow, inert escape sequences and
# invalid UTF-8, search, pause, wrap, a 100,000-character line.
. "$(dirname "$0")/lib.sh"
tui_setup

t=$(tui_name l)
tui_tenant "$t"; t_ok $? "provisioned $t"
ctr=deeplens-backup-$t
logw() { dk exec "$ctr" sh -c "{ $1; } >> /var/log/backup.log"; }

tui_start
tui_wait "$t"
tui_filter "$t"
tui_keys l
tui_wait "following,"; t_ok $? "l opens the Logs tab, following"
tui_wait "event=backup"; t_ok $? "the tail shows the initial backup's line"

word="hello-$RANDOM$RANDOM"
logw "echo $word"
tui_wait "$word" 5; t_ok $? "a line written after the tab opened appears"

# a log must never drive the terminal
tmx select-pane -T "before-test"
logw "printf 'evil \\033[2J\\033]0;pwned\\007 \\233 tail-$word\\n'"
tui_wait "tail-$word" 5; t_ok $? "the line with escape sequences appears"
line=$(tui_screen | grep -F "tail-$word")
case $line in *'^[[2J^[]0;pwned^G'*) r=0 ;; *) r=1 ;; esac
t_ok $r "ESC and BEL are shown as ^[ and ^G"
tui_screen | grep -q "$word" ; t_ok $? "the screen was not cleared by ESC[2J"
title=$(tmx display-message -p '#{pane_title}')
[ "$title" != "pwned" ]; t_ok $? "the pane title was not changed (it is '$title')"

# invalid UTF-8 and bidi controls
logw "printf 'bidi \\342\\200\\256 x-$word\\n'"
tui_wait "x-$word" 5
tui_screen | grep -F "x-$word" | grep -qF '\u202e'; t_ok $? "a bidi override is shown as \\u202e"

# search, pause, follow again
tui_keys /
tui_type "$word"
tui_keys Enter
tui_wait "PAUSED" 5; t_ok $? "a search pauses the follow at the match"
tui_screen | grep -q "search: $word"; t_ok $? "the search is shown"
tui_keys End
tui_wait "following," 5; t_ok $? "End follows again"
tui_keys p
tui_wait "PAUSED" 5; t_ok $? "p pauses"
logw "echo while-paused-$word"
tui_wait "1 new" 5; t_ok $? "new lines are counted while paused"
tui_keys p
tui_wait "while-paused-$word" 5; t_ok $? "p resumes and shows them"

# one 100,000-character line neither stalls nor breaks the screen
logw "head -c 100000 /dev/zero | tr '\\\\0' y; echo ' long-end-$word'"
logw "echo after-long-$word"
tui_wait "after-long-$word" 10; t_ok $? "the line after a 100,000-character line shows"
tui_keys w
tui_wait "wrap on" 5; t_ok $? "w wraps"
tui_wait "long-end-$word" 5; t_ok $? "wrapped, the end of the long line shows"
s=$(date +%s%N)
tui_keys k
tui_wait "PAUSED" 5
ms=$(( ($(date +%s%N) - s) / 1000000 ))
[ "$ms" -lt 2000 ]; t_ok $? "keys still answer with the long line on screen (${ms} ms)"
tui_keys w End

# timestamps reopen the stream
tui_keys t
tui_wait "time on" 5; t_ok $? "t turns timestamps on"
tui_wait "Z $word" 10; t_ok $? "lines carry the engine's timestamps"

tui_keys Q
is "$(tui_exit_code)" "0" "Q quits"
done_testing
