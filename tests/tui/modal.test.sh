#!/usr/bin/env bash
# modal.test.sh - the modals' keys are actions like the others: a form's
# submit and the too-small-terminal quit can be rebound in the config, and
# the help screen lists the form, summary, quit-question and too-small keys.
# Creates nothing on the engine (every form is cancelled).
. "$(dirname "$0")/lib.sh"
tui_setup

cat >> "$TUI_TMP/config" <<EOF
bind F9 form-submit
bind F8 small-quit
bind F7 confirm-no
EOF
t=$(tui_name m)
mkdir -p "$TUI_TMP/target/$t"

tui_start
tui_wait "TENANT"; t_ok $? "the console is up with form binds in the config"

# the help screen: the new sections, with the operator's keys first
tui_keys '?'
tui_wait "Help: keys"
tui_keys G
tui_wait "Terminal too small" 5; t_ok $? "help lists the too-small keys"
tui_screen | grep -qE "F9 F2 \^S +form-submit"; t_ok $? "help shows F9 (bound) and F2 ^S for form-submit"
tui_screen | grep -qE "F8 q Q +small-quit"; t_ok $? "help shows F8 for small-quit"
tui_screen | grep -qE "y Y +quit-yes"; t_ok $? "help lists the quit question's keys"
tui_screen | grep -qE "F7 n N Esc +confirm-no"; t_ok $? "help lists the summary's keys"
tui_keys q
tui_wait "TENANT"

# a form: F9 submits (the summary), F7 goes back to editing, Esc cancels
tui_keys n
tui_wait "Provision a tenant backup"; t_ok $? "n opens the provision form"
tui_type "$t"
tui_keys Tab Tab
tui_type "local:$TUI_TMP/target/$t"
tui_keys F9
tui_wait "y/Enter" 5; t_ok $? "the bound F9 submits the form: the summary shows"
tui_keys F7
tui_wait "Tab/Down next" 5; t_ok $? "the bound F7 goes back to editing"
tui_screen | grep -q "Provision a tenant backup"; t_ok $? "the form is still open"
tui_keys Escape
tui_wait "cancelled" 5; t_ok $? "Esc cancels the form"
n=$(dk ps -a --format '{{.Names}}' | grep -c "deeplens-backup-$t\$" || true)
is "$n" "0" "nothing was created"

# too small: the notice names the first key of small-quit, and F8 quits
tmx resize-window -x 40 -y 10
tui_wait "terminal too small"; t_ok $? "40x10 shows the too-small notice"
tui_screen | grep -q "^F8 quits"; t_ok $? "the notice names the bound key"
tui_keys F8
is "$(tui_exit_code)" "0" "F8 quits while the terminal is too small"
done_testing
