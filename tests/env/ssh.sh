#!/usr/bin/env bash
# tests/env/ssh.sh - a local sshd for the ssh:// transport tests, idempotently.
#
# What it brings up (everything under /run/deeplens-ssh, left running):
#   - openssh-server from Debian (installed when missing; Debian's own sshd
#     service is not started)
#   - sshd on 127.0.0.1:2222 with its own config, host key and pidfile:
#     public-key login only for root, with a test key generated here; the
#     password and keyboard-interactive methods are offered too, so that a
#     client without the key is asked for a password (the tests check that
#     deeplens-backup fails then instead of waiting for one)
#   - a session on port 2222 gets DOCKER_HOST of the shared test engine
#     (sshd's SetEnv), so the remote `docker system dial-stdio` reaches it:
#     what lifecycle/ssh exercises is the transport; a session on port 2223
#     (DL_SSH_PORT2) gets eng2's socket (tests/env/engines.sh), a second
#     engine reached only through sshd (lifecycle/ssh_engine)
#   - a client side the tests put first in PATH: bin/ssh runs /usr/bin/ssh
#     with -F ssh_config (the test key, known_hosts holding the host key,
#     StrictHostKeyChecking yes); DL_SSH_CONFIG=FILE picks another config
#   - env, sourceable: DL_SSH_HOST (ssh://root@127.0.0.1:2222), DL_SSH_BIN,
#     DL_SSH_DIR, DL_SSH_PORT; DL_SSH_HOST2 (ssh://root@127.0.0.1:2223),
#     DL_SSH_PORT2
#
# Run as root, after tests/env/up.sh (the engine it forwards to). A rerun
# with everything in place takes well under a second.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/common.sh
. "$here/common.sh"

[ "$(id -u)" = 0 ] || dl_die "must run as root (it installs openssh-server and starts sshd)"

dir=/run/deeplens-ssh
port=${DL_SSH_PORT:-2222}
port2=${DL_SSH_PORT2:-2223}
eng2_host=unix:///run/deeplens-eng2/docker.sock   # tests/env/engines.sh's eng2
mkdir -p "$dir" "$dir/bin"
chmod 0755 "$dir"
exec 8> "$dir/ssh.lock"
flock -w 300 8 || dl_die "timed out waiting for $dir/ssh.lock"

# --- openssh-server --------------------------------------------------------
if [ ! -x /usr/sbin/sshd ]; then
    dl_log "installing openssh-server"
    policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 0755 "$policy"
        own_policy=1
    fi
    apt=(apt-get -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=600)
    rc=0
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends \
        openssh-server > /dev/null 2>&1 ||
        { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update > /dev/null &&
            DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends \
                openssh-server > /dev/null; } || rc=$?
    [ -z "$own_policy" ] || rm -f "$policy"
    [ "$rc" = 0 ] || dl_die "apt-get failed (exit $rc) installing openssh-server"
fi

# --- keys and configs ------------------------------------------------------
[ -s "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C deeplens-ssh-host -f "$dir/host_ed25519"
[ -s "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C deeplens-ssh-test -f "$dir/client_ed25519"
cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
chmod 0600 "$dir/authorized_keys"
hostkey=$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")
printf '[127.0.0.1]:%s %s\n' "$port" "$hostkey" "$port2" "$hostkey" > "$dir/known_hosts"
: > "$dir/known_hosts.empty"

cat > "$dir/sshd_config.new" <<EOF
# written by tests/env/ssh.sh
Port $port
Port $port2
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LoginGraceTime 20
# which engine a session's docker reaches depends on the port it came in on
Match LocalPort $port
    SetEnv DOCKER_HOST=$DL_DOCKER_HOST
Match LocalPort $port2
    SetEnv DOCKER_HOST=$eng2_host
EOF
restart=
if ! cmp -s "$dir/sshd_config.new" "$dir/sshd_config" 2>/dev/null; then
    mv "$dir/sshd_config.new" "$dir/sshd_config"
    restart=1
else
    rm -f "$dir/sshd_config.new"
fi

write_client_config() {  # FILE KNOWN_HOSTS
    cat > "$1" <<EOF
# written by tests/env/ssh.sh
Host *
    IdentityFile $dir/client_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $2
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    LogLevel ERROR
EOF
}
write_client_config "$dir/ssh_config" "$dir/known_hosts"
# the same key, but the host's key unknown: BatchMode must refuse the host
write_client_config "$dir/ssh_config.unknown-host" "$dir/known_hosts.empty"

cat > "$dir/bin/ssh" <<EOF
#!/bin/sh
# written by tests/env/ssh.sh: the real ssh with the test bed's client config
exec /usr/bin/ssh -F "\${DL_SSH_CONFIG:-$dir/ssh_config}" "\$@"
EOF
chmod 0755 "$dir/bin/ssh"

# --- sshd ------------------------------------------------------------------
sshd_pid() {
    local pid
    pid=$(cat "$dir/sshd.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] && printf '%s\n' "$pid"
}
ssh_ok() {   # ssh_ok PORT
    timeout 15 "$dir/bin/ssh" -o BatchMode=yes -o ConnectTimeout=5 -p "$1" root@127.0.0.1 \
        -- true < /dev/null > /dev/null 2>&1
}

mkdir -p /run/sshd
chmod 0755 /run/sshd
/usr/sbin/sshd -t -f "$dir/sshd_config" || dl_die "sshd rejects $dir/sshd_config"
if pid=$(sshd_pid); then
    if [ -n "$restart" ]; then
        dl_log "sshd config changed: restarting sshd (pid $pid)"
        kill "$pid"
        for _ in $(seq 50); do sshd_pid > /dev/null || break; sleep 0.1; done
    fi
fi
if ! sshd_pid > /dev/null; then
    dl_log "starting sshd on 127.0.0.1:$port and :$port2 (log: $dir/sshd.log)"
    rm -f "$dir/sshd.pid"
    # fd 8 (the lock) must not be inherited by the daemon
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" < /dev/null 8>&-
fi
ok=
for _ in $(seq 40); do
    if ssh_ok "$port" && ssh_ok "$port2"; then ok=1; break; fi
    sleep 0.25
done
[ -n "$ok" ] || { tail -n 20 "$dir/sshd.log" >&2 || true; dl_die "cannot log in to sshd on 127.0.0.1:$port and :$port2"; }

cat > "$dir/env.new" <<EOF
# written by tests/env/ssh.sh
export DL_SSH_DIR=$dir
export DL_SSH_BIN=$dir/bin
export DL_SSH_PORT=$port
export DL_SSH_HOST=ssh://root@127.0.0.1:$port
export DL_SSH_PORT2=$port2
export DL_SSH_HOST2=ssh://root@127.0.0.1:$port2
EOF
mv "$dir/env.new" "$dir/env"
