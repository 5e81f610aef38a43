#!/usr/bin/env bash
# ssh.test.sh - the console over ssh:// (tests/env/ssh.sh: a local sshd whose
# sessions reach the shared test engine, so the transport is what is tested):
# the header names the ssh endpoint, the list shows a tenant provisioned over
# the unix socket, the Logs tab follows a line written afterwards (a stream on
# the console's async loop, through ssh), and quitting leaves no ssh process.
# An ssh endpoint that would ask for a password shows the unreachable screen
# with ssh's reason at once - no prompt on the console's terminal, no hang.
. "$(dirname "$0")/lib.sh"
tui_setup

"$TUI_TOP/tests/env/ssh.sh" > "$TUI_TMP/ssh-env.log" 2>&1 ||
    bail_out "tests/env/ssh.sh failed: $(tail -n 5 "$TUI_TMP/ssh-env.log")"
# shellcheck source=/dev/null
. /run/deeplens-ssh/env
ssh_children() { pgrep -f -- "-p $DL_SSH_PORT -- 127.0.0.1 docker system dial-stdio" | wc -l; }
base=$(ssh_children)

t=$(tui_name s)
tui_tenant "$t"; t_ok $? "provisioned $t (over the unix socket)"
ctr=deeplens-backup-$t

DOCKER_HOST=$DL_SSH_HOST tui_start "PATH=$DL_SSH_BIN:$PATH"
tui_wait "$t" 20; t_ok $? "over $DL_SSH_HOST the list shows $t"
# (the header cuts a long endpoint's head to keep the engine's version: its host:port stays)
tui_screen | head -n1 | grep -qF "${DL_SSH_HOST##*@}"; t_ok $? "the header names the ssh endpoint"
[ "$(ssh_children)" -gt "$base" ]; t_ok $? "the console talks through ssh ($(($(ssh_children) - base)) connections)"

tui_filter "$t"
tui_keys l
tui_wait "following," 15; t_ok $? "l opens the Logs tab over ssh, following"
word="ssh-$RANDOM$RANDOM"
dk exec "$ctr" sh -c "echo $word >> /var/log/backup.log"
tui_wait "$word" 10; t_ok $? "a line written after the tab opened arrives through ssh"

tui_keys q q q
for _ in $(seq 50); do [ "$(ssh_children)" -le "$base" ] && break; sleep 0.1; done
is "$(ssh_children)" "$base" "no ssh process left after the console quits"
tui_stop

DOCKER_HOST=ssh://nobody@127.0.0.1:$DL_SSH_PORT tui_start "PATH=$DL_SSH_BIN:$PATH"
tui_wait "Docker engine unreachable" 15; t_ok $? "a login that wants a password: the unreachable screen"
tui_wait "Permission denied" 5; t_ok $? "... with ssh's own reason"
! tui_screen | grep -qi 'password:'; t_ok $? "... and no password prompt"
tui_stop

done_testing
