#!/usr/bin/env bash
# ssh.test.sh - the console over ssh:// (tests/env/ssh.sh: a local sshd whose
# sessions reach the shared test engine, so the transport is what is tested):
# the header names the ssh endpoint, the list shows a tenant provisioned over
# the unix socket, the Logs tab follows a line written afterwards (a stream on
# the console's async loop, through ssh), and quitting leaves no ssh process.
# An ssh endpoint that would ask for a password shows the unreachable screen
# with ssh's reason at once - no prompt on the console's terminal, no hang.
# A second engine reached only through sshd (port 2223: eng2 of
# tests/env/engines.sh) beside the shared engine's socket: both engines'
# rows, tagged, and backup now on the ssh engine's row runs there.
. "$(dirname "$0")/lib.sh"
tui_setup
timeout 300 "$TUI_TOP/tests/env/engines.sh" > "$TUI_TMP/engines.log" 2>&1 ||
    bail_out "tests/env/engines.sh failed: $(tail -n 5 "$TUI_TMP/engines.log")"

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

# --- a second engine behind sshd ------------------------------------------------------------
E2=unix:///run/deeplens-eng2/docker.sock
t2=$(tui_name f)
far_cleanup() {
    docker -H "$E2" rm -f -v "deeplens-backup-$t2" > /dev/null 2>&1
    docker -H "$E2" volume rm -f "tenant_${t2}_pgbackup" > /dev/null 2>&1
    docker -H "$E2" exec deeplens-postgres psql -q -U deeplens -d postgres \
        -c "drop database if exists tenant_${t2}_metadata with (force)" > /dev/null 2>&1
}
trap 'far_cleanup; tui_cleanup' EXIT
docker -H "$E2" exec deeplens-postgres psql -q -U deeplens -d postgres \
    -c "create database tenant_${t2}_metadata" > /dev/null 2>&1
docker -H "$E2" exec deeplens-postgres psql -q -U deeplens -d "tenant_${t2}_metadata" \
    -c "create table t (id int); insert into t values (1)" > /dev/null 2>&1
mkdir -p "$TUI_TMP/target/$t2" && chmod 777 "$TUI_TMP/target/$t2"
timeout 120 "$TUI_BIN" --config "$TUI_TMP/config" -H "$E2" provision "$t2" --no-initial-backup \
    --nfs-path "local:$TUI_TMP/target/$t2" --password-file "$TUI_PW_FILE" --postgres-host deeplens-postgres \
    > "$TUI_TMP/provision-$t2.log" 2>&1
t_ok $? "provisioned $t2 on eng2 (its socket)" || sed 's/^/# provision: /' "$TUI_TMP/provision-$t2.log"

cp "$TUI_TMP/config" "$TUI_TMP/ssh2.conf"
printf 'engine here host %s\nengine far host %s\n' "$DOCKER_HOST" "$DL_SSH_HOST2" >> "$TUI_TMP/ssh2.conf"
tui_start "PATH=$DL_SSH_BIN:$PATH" -- --config "$TUI_TMP/ssh2.conf"
tui_wait "$t2" 20; t_ok $? "socket + ssh engines: the list shows eng2's tenant, reached through sshd"
tui_screen | grep -q "$t "; t_ok $? "... and the shared engine's"
tui_screen | grep -Eq "$t2 +far "; t_ok $? "$t2's row says far"
tui_screen | grep -Eq "$t +here "; t_ok $? "$t's row says here"
tui_wait "far ok" 10; t_ok $? "the header shows the ssh engine ok"
tui_filter "$t2"
tui_wait_gone "$t " 5
tui_keys b
tui_wait "press Enter to close" 90; t_ok $? "b on $t2's row: the backup finishes"
tui_screen | grep -q "result=ok"; t_ok $? "with the job's ok line"
tui_keys Enter
n=$(find "$TUI_TMP/target/$t2" -name "tenant_${t2}_metadata_*" ! -name '*.sha256' ! -name '*.manifest' | wc -l)
is "$n" 1 "the backup is $t2's, made on eng2 through ssh"
tui_keys q
is "$(tui_exit_code)" "0" "q quits"
tui_stop

done_testing
