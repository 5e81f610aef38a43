#!/usr/bin/env bash
# tests/integration/lifecycle/ssh.test.sh - the ssh:// transport end to end: the
# CLI with -H ssh://root@127.0.0.1:2222 and with a docker context whose endpoint
# is that address, through the real ssh client and a real sshd (tests/env/ssh.sh,
# started here: key-only login, its sessions' DOCKER_HOST is the shared test
# engine). What is tested is the transport, not a second engine: the same engine
# is also read over its unix socket to compare. Provision (the engine version
# check), list, status, files, logs, logs --follow streaming while backup-now
# runs over a second ssh connection, remove; the docker client's own stream
# suite (exec, attach-style streams, cancel, logs follow, events) run over ssh;
# no ssh process left behind, also when a following CLI is killed. Failures,
# each under `timeout` and within seconds: a user without the key on a server
# that offers passwords (BatchMode: no prompt, no hang), an unknown host key, a
# closed port, an unknown host, no ssh in PATH; each names the endpoint and
# shows ssh's own reason. Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup s

"$root/tests/env/ssh.sh" > "$work/ssh-env.log" 2>&1 ||
    bail_out "tests/env/ssh.sh failed: $(tail -n 5 "$work/ssh-env.log")"
# shellcheck source=/dev/null
. /run/deeplens-ssh/env
export PATH=$DL_SSH_BIN:$PATH
H=$DL_SSH_HOST
sshlog=$DL_SSH_DIR/sshd.log

# our ssh children: the dial-stdio commands to the test sshd
ssh_children() { pgrep -f -- "-p $DL_SSH_PORT -- 127.0.0.1 docker system dial-stdio" | wc -l; }
logins() { grep -c 'Accepted publickey for root' "$sshlog"; }
# sr ARGS: the CLI over ssh, bounded: a hang is a failure, not a stuck suite
sr() {
    out=$(timeout 120 "$bin" -H "$H" "$@" 2>&1 < /dev/null)
    rc=$?
}

t=$id
db=tenant_${t}_metadata
dir=$(lc_target target) || bail_out "cannot make the target directory"
lc_db "$db" || bail_out "cannot create $db"
base_children=$(ssh_children)

# --- provision and the read commands over ssh ----------------------------------------------
l0=$(logins)
sr provision "$t" --nfs-path "local:$dir" --image "$runner" --postgres-host "$pg" \
    --postgres-user "$lc_user" --network "$net" --password-file "$lc_pw" --schedule '0 3 * * *'
expect "provision over ssh:// exits 0 (engine version checked through ssh)" 0 \
    "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision over ssh failed: $out"
l1=$(logins)
if [ "$l1" -gt "$l0" ]; then
    ok "... it logged in to sshd with the test key ($((l1 - l0)) sessions)"
else
    not_ok "... it logged in to sshd with the test key" "no new 'Accepted publickey' in $sshlog"
fi
mapfile -t files < <(lc_backups "$dir/$t" "$db")
is "${#files[@]}" 1 "the initial backup is on the target"
f0=${files[0]:-none}

sr list --json
is "$rc" 0 "list --json over ssh exits 0"
is "$(jq -r --arg t "$t" '[.[] | select(.tenant == $t)] | .[0] | [.container, .state, .schedule] | join(" ")' <<< "$out" 2> /dev/null)" \
    "deeplens-backup-$t running 0 3 * * *" "list --json over ssh: the tenant, running, its schedule"
unix_list=$(lc_json list --json | jq -c '[.[] | .tenant] | sort')
is "$(jq -c '[.[] | .tenant] | sort' <<< "$out" 2> /dev/null)" "$unix_list" \
    "list over ssh shows exactly the tenants the unix socket shows"

sr status "$t"
expect "status over ssh exits 0" 0 "Last Backup: +$f0, "
sr files "$t" --json
is "$(jq -r '[.count, .files[0].name, .files[0].checksum] | join(" ")' <<< "$out" 2> /dev/null)" \
    "1 $f0 true" "files --json over ssh: the file and its checksum"
sr logs "$t" --tail 50
expect "logs over ssh exits 0 with the job's line" 0 "event=backup tenant=$t result=ok"

# --- logs --follow streams while backup-now runs on another connection -------------------
timeout 120 "$bin" -H "$H" logs -f "$t" --tail 0 > "$work/follow.out" 2>&1 < /dev/null &
follower=$!
sleep 2
sr backup-now "$t"
expect "backup-now over ssh exits 0" 0 "^ok Backup completed"
got=
for _ in $(seq 1 50); do
    if [ "$(grep -c "event=backup tenant=$t result=ok" "$work/follow.out")" -ge 1 ]; then got=1; break; fi
    sleep 0.2
done
if [ -n "$got" ] && kill -0 "$follower" 2> /dev/null; then
    ok "logs --follow over ssh showed the new run's result line while still following"
else
    not_ok "logs --follow over ssh streams" "follower output:" "$(cat "$work/follow.out")"
fi
kill -TERM "$follower" 2> /dev/null
wait "$follower" 2> /dev/null
for _ in $(seq 1 30); do [ "$(ssh_children)" -le "$base_children" ] && break; sleep 0.1; done
is "$(ssh_children)" "$base_children" "no ssh process left once the following CLI is killed"

# SIGKILL: no clean-up code runs; the children go with their parent (PDEATHSIG)
"$bin" -H "$H" logs -f "$t" --tail 0 > /dev/null 2>&1 < /dev/null &
follower=$!
for _ in $(seq 1 50); do [ "$(ssh_children)" -gt "$base_children" ] && break; sleep 0.1; done
kill -KILL "$follower" 2> /dev/null
wait "$follower" 2> /dev/null
for _ in $(seq 1 30); do [ "$(ssh_children)" -le "$base_children" ] && break; sleep 0.1; done
is "$(ssh_children)" "$base_children" "... nor when it is killed with SIGKILL"

# --- a docker context whose endpoint is ssh:// --------------------------------------------
cfg=$work/docker-config
mkdir -p "$cfg/contexts/meta/5a5a"
printf '{"Name":"viassh","Metadata":{},"Endpoints":{"docker":{"Host":"%s","SkipTLSVerify":false}}}\n' \
    "$H" > "$cfg/contexts/meta/5a5a/meta.json"
out=$(DOCKER_CONFIG=$cfg timeout 60 "$bin" --context viassh status "$t" 2>&1 < /dev/null)
rc=$?
expect "--context viassh (ssh endpoint): status exits 0" 0 "Last Backup: +${db}_"
out=$(DOCKER_CONFIG=$cfg DOCKER_HOST='' DOCKER_CONTEXT=viassh timeout 60 "$bin" list 2>&1 < /dev/null)
rc=$?
expect "DOCKER_CONTEXT=viassh: list shows the tenant" 0 "^$t +"

# --- the docker client's stream suite over ssh --------------------------------------------
streams=${DL_BUILD_DIR:-$root/build}/tests/integration/docker/test_streams
if [ -x "$streams" ]; then
    s_out=$(DOCKER_HOST=$H CMOCKA_MESSAGE_OUTPUT=stdout timeout 300 "$streams" 2>&1)
    s_rc=$?
    if [ "$s_rc" = 0 ]; then
        ok "docker/test_streams passes over ssh:// (exec, stream cancel, logs, follow, events)"
    else
        not_ok "docker/test_streams over ssh://" "exit $s_rc:" "$s_out"
    fi
else
    skip "docker/test_streams not built ($streams)"
fi
is "$(ssh_children)" "$base_children" "no ssh process left after the stream suite"

# --- failures: clear, fast, never a prompt or a hang ---------------------------------------
# fail NAME WANT_ERE ENV... -- HOST: list with HOST, under timeout 30, within 15 s
fail() {
    local name=$1 want=$2 host t0 dt
    shift 2
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    host=$2
    t0=$(date +%s%N)
    out=$(env "${envs[@]}" timeout 30 "$bin" -H "$host" list 2>&1 < /dev/null)
    rc=$?
    dt=$((($(date +%s%N) - t0) / 1000000))
    if [ "$rc" = 3 ] && [ "$dt" -lt 15000 ] && printf '%s\n' "$out" | grep -Eq -- "$want"; then
        ok "$name: exit 3 in $dt ms"
    else
        not_ok "$name" "want exit 3 within 15 s and /$want/; got exit $rc after $dt ms:" "$out"
    fi
}
fail "a user without the key, server offering passwords (BatchMode)" \
    "^deeplens-backup: cannot reach the docker engine at ssh://nobody@127\\.0\\.0\\.1:$DL_SSH_PORT: ssh exited with status 255: .*Permission denied \\(publickey,password,keyboard-interactive\\).*BatchMode=yes" \
    X=1 -- "ssh://nobody@127.0.0.1:$DL_SSH_PORT"
# with a terminal on stdin, too: ssh is in a session of its own and cannot prompt
t0=$SECONDS
out=$(script -qec "timeout 30 '$bin' -H ssh://nobody@127.0.0.1:$DL_SSH_PORT list" /dev/null 2>&1)
rc=$?
if [ $((SECONDS - t0)) -lt 15 ] && printf '%s\n' "$out" | grep -q 'Permission denied' &&
    ! printf '%s\n' "$out" | grep -qi 'password:'; then
    ok "... on a terminal as well: no password prompt, the same error"
else
    not_ok "no password prompt on a terminal" "exit $rc after $((SECONDS - t0)) s:" "$out"
fi
fail "an unknown host key (StrictHostKeyChecking, BatchMode)" \
    "at $H: ssh exited with status 255: .*Host key verification failed" \
    "DL_SSH_CONFIG=$DL_SSH_DIR/ssh_config.unknown-host" -- "$H"
fail "a closed port" "at ssh://root@127\\.0\\.0\\.1:1: ssh exited with status 255: ssh: connect to host 127\\.0\\.0\\.1 port 1: Connection refused" \
    X=1 -- "ssh://root@127.0.0.1:1"
fail "an unknown host" "at ssh://root@deeplens-nohost\\.invalid: .*Could not resolve hostname deeplens-nohost\\.invalid" \
    X=1 -- "ssh://root@deeplens-nohost.invalid"
mkdir -p "$work/nossh"
ln -s "$(command -v timeout)" "$work/nossh/timeout"
fail "no ssh in PATH" "at $H: cannot run ssh" "PATH=$work/nossh" -- "$H"
run -H "ssh://root:secret@127.0.0.1:$DL_SSH_PORT" list
expect "a password in the address is refused before anything runs" 2 \
    "invalid DOCKER_HOST 'ssh://root:secret@127\\.0\\.0\\.1:$DL_SSH_PORT': a password in the address is not supported"
is "$(ssh_children)" "$base_children" "no ssh process left after the failures"

# --- remove over ssh -----------------------------------------------------------------------
sr remove "$t"
is "$rc" 0 "remove over ssh exits 0"
is "$("$docker" ps -a --format '{{.Names}}' | grep -cFx -- "deeplens-backup-$t")" 0 \
    "... its container is gone from the engine"

diag "elapsed $((SECONDS - t_start)) s"
done_testing
