#!/usr/bin/env bash
# tests/integration/cli/audit.test.sh - the audit trail and read-only mode on the
# real engine and PostgreSQL. provision, reschedule, backup-now and remove of a
# tenant are each recorded in the audit file (mode 0600) with the user, the
# SSH_CONNECTION client, the arguments (never the password) and the result; a
# failed action is recorded as failed; the container carries changed_by /
# changed_at; `audit [TENANT] [--json]` shows the records, newest last, inert.
# With --read-only or read_only = yes every changing command exits 8 before
# anything is done: no container, no volume, no new record, the running
# container untouched. A configured audit file that cannot be opened stops a
# change before it starts; the default one is made under $XDG_STATE_HOME. The syslog
# line is read from a private /dev/log (unshare -m; skipped where that is not allowed).
# Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../lifecycle/lib.sh"
lc_setup au
command -v jq > /dev/null || bail_out "jq is needed"

audit=$work/audit.jsonl
printf 'audit_file = %s\n' "$audit" > "$work/config"
export DEEPLENS_BACKUP_CONFIG=$work/config
export SSH_CONNECTION="192.0.2.44 50022 10.0.0.1 22"
me=$(id -un)
a=${id}a
b=${id}b
dba=tenant_${a}_metadata
dira=$(lc_target a)
lc_db "$dba" || bail_out "cannot create $dba"

# last: the newest record in the file
last() { tail -n 1 "$audit" 2> /dev/null; }
nrec() { wc -l < "$audit" 2> /dev/null | tr -d ' '; }

# --- provision ---------------------------------------------------------------------------
lc_provision "$a" "$dira" --schedule '0 2 * * *' --retention 30 --no-initial-backup
expect "provision $a" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"
is "$(stat -c %a "$audit" 2> /dev/null)" 600 "the audit file is created 0600"
is "$(nrec)" 1 "one record"
rec=$(last)
is "$(jq -r '[.action, .tenant, .result, .user, .client, .source] | join(" ")' <<< "$rec")" \
    "provision $a ok $me 192.0.2.44 cli" "provision recorded: action, tenant, result, user, SSH client, source"
is "$(jq -r '.args["nfs-path"] + " " + .args.schedule + " " + .args.retention' <<< "$rec")" \
    "local:$dira 0 2 * * * 30" "... with its arguments"
like "$(jq -r .time <<< "$rec")" '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$' "... and when (UTC)"
is "$(jq -r .engine <<< "$rec")" "$DOCKER_HOST" "... and on which engine"
if grep -qF -- "$(cat "$lc_pw")" "$audit"; then not_ok "the password is not in the audit file"; else ok "the password is not in the audit file"; fi
labels() { "$docker" inspect -f '{{index .Config.Labels "io.deeplens.backup.changed_by"}} {{index .Config.Labels "io.deeplens.backup.changed_at"}}' "deeplens-backup-$a"; }
l1=$(labels)
like "$l1" "^$me@192\\.0\\.2\\.44 20[0-9-]{8}T[0-9:]{8}Z\$" "the container carries changed_by and changed_at"

# --- read-only: every change refused, nothing done ------------------------------------------------
cid=$("$docker" inspect -f '{{.Id}} {{.State.StartedAt}}' "deeplens-backup-$a")
files0=$(lc_snapshot "$dira/$a")
n0=$(nrec)
ro_check() {   # NAME ARGS...: exit 8 with the read-only message
    local name=$1
    shift
    run "$@"
    expect "$name: refused, exit 8" 8 "^deeplens-backup: '[a-z-]+' changes things and is refused in read-only mode .*nothing done"
}
ro_check "--read-only provision" --read-only provision "$b" --nfs-path "local:$work/b" \
    --image "$runner" --postgres-host "$pg" --network "$net" --password-file "$lc_pw"
ro_check "--read-only reschedule" --read-only reschedule "$a" --schedule '* * * * *'
ro_check "--read-only backup-now" --read-only backup-now "$a"
ro_check "--read-only drill" --read-only drill "$a"
ro_check "--read-only restore" --read-only restore "$a" "${dba}_20260101_000000.sql.gz"
ro_check "--read-only restart (after the command)" restart "$a" --read-only
ro_check "--read-only remove" --read-only remove "$a" --delete-backups --yes
printf 'audit_file = %s\nread_only = yes\n' "$audit" > "$work/config-ro"
DEEPLENS_BACKUP_CONFIG=$work/config-ro ro_check "read_only = yes: remove" remove "$a"
DEEPLENS_BACKUP_CONFIG=$work/config-ro ro_check "read_only = yes: provision" provision "$b" \
    --nfs-path "local:$work/b" --image "$runner" --postgres-host "$pg" --network "$net" --password-file "$lc_pw"
is "$(lc_gone "$b")" "" "... no container or volume of $b was made"
[ -e "$work/b" ] && not_ok "... no directory for $b" || ok "... no directory for $b"
is "$("$docker" inspect -f '{{.Id}} {{.State.StartedAt}}' "deeplens-backup-$a")" "$cid" \
    "... $a's container is the same one, not restarted"
is "$(lc_snapshot "$dira/$a")" "$files0" "... no backup was made or deleted"
is "$(labels)" "$l1" "... its labels unchanged"
is "$(nrec)" "$n0" "... and no record was written"
run --read-only status "$a" --json
is "$(jq -r '.[0].tenant' <<< "$out" 2> /dev/null)" "$a" "--read-only: status still reads"
run --read-only verify "$a"
isnt "$rc" 8 "--read-only: verify (a read) is not refused"
is "$(nrec)" "$n0" "... and is not recorded"

# --- reschedule, backup-now --------------------------------------------------------------------
sleep 1   # a later changed_at
run reschedule "$a" --schedule '0 3 * * *' --retention 9
expect "reschedule $a" 0 "Rescheduled: 0 3 \\* \\* \\*, retention 9 days"
rec=$(last)
is "$(jq -r '[.action, .result, .args.schedule, .args.retention, .user] | join("|")' <<< "$rec")" \
    "reschedule|ok|0 3 * * *|9|$me" "reschedule recorded with its arguments and user"
l2=$(labels)
isnt "${l2#* }" "${l1#* }" "the new container's changed_at is the reschedule's"
like "$l2" "^$me@192\\.0\\.2\\.44 " "... and changed_by its operator"

run backup-now "$a"
expect "backup-now $a" 0 "."
is "$(jq -r '[.action, .tenant, .result, .user, .client] | join(" ")' <<< "$(last)")" \
    "backup-now $a ok $me 192.0.2.44" "backup-now recorded"

# --- failed actions are recorded as failed ---------------------------------------------------------
run restore "$a" "${dba}_20200101_000000.sql.gz" --to "${dba}_x"
isnt "$rc" 0 "restore of a file that is not there fails"
rec=$(last)
is "$(jq -r '[.action, .result, .args.file, .args.to] | join(" ")' <<< "$rec")" \
    "restore error ${dba}_20200101_000000.sql.gz ${dba}_x" "... recorded as failed, with the file and target"
isnt "$(jq -r .error <<< "$rec")" "" "... with the error message"
run reschedule "$a" --schedule '61 * * * *'
expect "a bad schedule exits 2" 2 "invalid schedule"
like "$(jq -r '.result + ": " + .error' <<< "$(last)")" "^error: invalid schedule '61 \\* \\* \\* \\*'" \
    "... recorded as failed with the message"

# --- remove, then a change of a tenant that is gone --------------------------------------------------
run remove "$a"
expect "remove $a" 0 "Backup of $a removed"
is "$(jq -r '[.action, .tenant, .result] | join(" ")' <<< "$(last)")" "remove $a ok" "remove recorded"
run backup-now "$a"
expect "backup-now of a removed tenant exits 4" 4 "no backup configured for tenant '$a'"
is "$(jq -r '[.action, .result, .error] | join("|")' <<< "$(last)")" \
    "backup-now|error|no backup configured for tenant '$a'" "... recorded as failed"

# --- audit ---------------------------------------------------------------------------------------
n=$(nrec)
run audit --json
is "$rc" 0 "audit --json exits 0"
is "$(jq 'length' <<< "$out" 2> /dev/null)" "$n" "... one element per record (the JSON parses)"
is "$(jq -r '[.[] | .action] | join(" ")' <<< "$out" 2> /dev/null)" \
    "provision reschedule backup-now restore reschedule remove backup-now" "... oldest first, newest last"
is "$(jq -r 'all(.[]; .user == "'"$me"'" and .client == "192.0.2.44")' <<< "$out" 2> /dev/null)" true \
    "... every record with the user and client"
run audit "$a"
expect "audit TENANT exits 0 with a header" 0 "^TIME +USER +FROM +VIA +ACTION +TENANT +RESULT +DETAILS"
is "$(grep -c -- " $a " <<< "$out")" "$n" "... one line per record"
like "$(tail -n 1 <<< "$out")" "backup-now +$a +error +error: no backup configured" "... the newest last"
has_line "$out" "reschedule +$a +ok +schedule='0 3 \\* \\* \\*' retention=9" "... with the arguments"
run audit "${id}nobody"
expect "audit of a tenant without records" 0 "^no audit records of tenant ${id}nobody"
run audit "Bad Name"
expect "audit of a bad tenant name exits 2" 2 "invalid tenant name"

# a record whose text came from a tenant (an error message) is shown inert
printf '%s\n' '{"time":"2026-01-01T00:00:00Z","user":"x","source":"cli","action":"restart","tenant":"evil","args":{"file":"a\u001b]0;t\u0007"},"result":"error","error":"boom \u001b[2J\u009b31m"}' \
    'not a record' >> "$audit"
run audit evil
if [[ $out == *$'\e'* || $out == *$'\a'* ]]; then not_ok "audit shows tenant text inert" "raw control in: $out"; else ok "audit shows tenant text inert"; fi
like "$out" 'boom \^\[\[2J' "... as ^[ (visible)"
like "$out" "1 line of the audit file is not a record" "a line that is not a record is counted, not shown"

# --- the audit file --------------------------------------------------------------------------------
printf 'audit_file = /nonexistent-%s/audit.jsonl\n' "$id" > "$work/config-bad"
DEEPLENS_BACKUP_CONFIG=$work/config-bad run provision "$b" --nfs-path "local:$work/b" --image "$runner" \
    --postgres-host "$pg" --network "$net" --password-file "$lc_pw"
expect "a configured audit file that cannot be opened stops the change" 1 "audit_file in the config: cannot open audit file '/nonexistent-$id/audit.jsonl'"
is "$(lc_gone "$b")" "" "... before anything is made"
DEEPLENS_BACKUP_CONFIG=/dev/null XDG_STATE_HOME=$work/state run restart "${id}nobody"
expect "without audit_file: the default file" 4 "no backup configured"
def=$work/state/deeplens-backup/audit.jsonl
is "$(stat -c %a "$def" 2> /dev/null) $(stat -c %a "${def%/*}" 2> /dev/null)" "600 700" "... made 0600 in a 0700 directory"
is "$(jq -r '.action + " " + .result' "$def" 2> /dev/null)" "restart error" "... holding the record"
DEEPLENS_BACKUP_CONFIG=/dev/null XDG_STATE_HOME=$work/state run audit --json
is "$(jq -r '.[0].tenant' <<< "$out" 2> /dev/null)" "${id}nobody" "audit reads the default file"

# --- syslog: one authpriv.notice line (a private /dev/log in a mount namespace) ----------------
sl=$work/syslog
mkdir -p "$sl/dev"
cat > "$sl/listen.py" << 'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
print(s.recv(8192).decode(errors="replace"), flush=True)
EOF
if command -v python3 > /dev/null && unshare -m true 2> /dev/null; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    timeout 30 unshare -m sh -c '
        mount -t tmpfs tmpfs "$1/dev" && cp -a /dev/null /dev/zero /dev/urandom "$1/dev/" || exit 1
        python3 "$1/listen.py" "$1/dev/log" > "$1/got" & sleep 0.5
        mount --bind "$1/dev" /dev || exit 1
        DEEPLENS_BACKUP_CONFIG=/dev/null XDG_STATE_HOME="$1/state" "$2" restart "$3" > /dev/null 2>&1
        wait' sh "$sl" "$bin" "${id}nobody"
    got=$(cat "$sl/got" 2> /dev/null)
    like "$got" "^<85>.*deeplens-backup\\[[0-9]+\\]: audit action=restart tenant=${id}nobody user=$me client=192\\.0\\.2\\.44 source=cli result=error error=\"no backup configured" \
        "syslog: authpriv.notice, ident deeplens-backup, the record as one logfmt line"
else
    skip "syslog line" "no private mount namespace here (unshare -m)"
fi

done_testing
