#!/usr/bin/env bash
# tests/integration/cli/bad_input.test.sh - every bad input to `provision` is
# rejected before the engine is asked anything: exit 2, a message naming the
# field, and no container, volume or file created (checked with the docker
# CLI against the test engine). Needs tests/env/up.sh. Prints TAP.
set -u

# shellcheck source=tests/lib/cli.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/cli.sh"
cli_setup cli-bad
chown 999:999 "$work"
canary=$work/pwned
tenant=clibad$$
export DEEPLENS_PG_PASSWORD=not-used          # valid input would get past the password

# Other suites share the engine: look only for names carrying this run's token.
engine_state() {
    {
        "$docker" ps -a --format '{{.Names}}'
        "$docker" volume ls -q
    } | grep -i -- "$tenant" | sort
}
before=$(engine_state)

# reject FIELD_REGEX ARGS...: provision with ARGS exits 2 naming the field
reject() {
    local want=$1 out rc
    shift
    out=$("$bin" provision --image "${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}" \
        --no-initial-backup "$@" 2>&1 < /dev/null)
    rc=$?
    local label
    label=$(printf '%q ' "$@")
    if [ "$rc" = 2 ] && printf '%s\n' "$out" | grep -Eq -- "^deeplens-backup: $want"; then
        ok "rejected: $label"
    else
        not_ok "rejected: $label" "want exit 2 and /$want/, got exit $rc:" "$out"
    fi
}

nfs=local:$work

# the control: the same command with good input gets past validation (and
# then fails only for want of an engine)
out=$("$bin" -H "unix://$work/no-engine.sock" provision --image "${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}" \
    --no-initial-backup --schedule "0 */6 * * *" --retention 60 --nfs-options rw,sync,nolock \
    --uid-gid 999:999 --keep-min 2 --nfs-path "$nfs" "$tenant" 2>&1 < /dev/null)
rc=$?
if [ "$rc" = 3 ]; then ok "good input passes validation"; else not_ok "good input passes validation" "exit $rc: $out"; fi

# --- tenant names -----------------------------------------------------------------------
long=$tenant$(printf 'a%.0s' {1..48})
for t in "$tenant corp" "$tenant;id" "$tenant\$(touch $canary)" "\$(touch $canary)" "$tenant/x" \
    ".." "../$tenant" "${tenant^}" "1$tenant" "-$tenant" "" "$tenant\`touch $canary\`" "${long:0:48}"; do
    reject "invalid tenant name" --nfs-path "$nfs" -- "$t"
done
# a dash-led tenant without "--" is an option the parser does not know: still exit 2
out=$("$bin" provision "-$tenant" --nfs-path "$nfs" 2>&1)
is "$?" 2 "'-$tenant' without -- exits 2"

# --- NFS paths --------------------------------------------------------------------------
for p in "nfs-server/exports/x" "nfs-server:exports/x" "local:relative/dir" \
    "nfs-server:/exports/a b" "nfs-server:/exports/a,b" $'nfs-server:/exports/a\nb' \
    "nfs-server:/exports/x,addr=10.0.0.9" "nfs server:/exports/x" ""; do
    reject "invalid NFS path" "$tenant" --nfs-path "$p"
done

# --- NFS options ------------------------------------------------------------------------
for o in "rw,suid" "rw,sync,fsc" "rw,addr=10.0.0.9" "rw sync" "rw;reboot" "ro" ""; do
    reject "invalid NFS options" "$tenant" --nfs-path "$nfs" --nfs-options "$o"
done

# --- schedules --------------------------------------------------------------------------
for s in "0 2 * *" "0 2 * * * *" "61 2 * * *" "0 24 * * *" "0 2 32 * *" "0 2 * 13 *" \
    "0 2 * * 8" "*/0 * * * *" $'0 2 * * *\n* * * * * touch '"$canary" "@fortnightly" "" \
    "0 2 * * * ; touch $canary"; do
    reject "invalid schedule" "$tenant" --nfs-path "$nfs" --schedule "$s"
done

# --- drill schedule and window ------------------------------------------------------------
for s in "0 2 * *" "61 2 * * *" "@fortnightly" $'0 3 * * 0\n* * * * * touch '"$canary" \
    "0 3 * * 0 ; touch $canary"; do
    reject "invalid drill schedule" "$tenant" --nfs-path "$nfs" --drill-schedule "$s"
done
for w in 0 -1 abc 3651 " 8"; do
    reject "invalid drill window" "$tenant" --nfs-path "$nfs" --drill-window "$w"
done

# other commands: CMD ARGS... exits 2 naming WANT
reject_cmd() {
    local want=$1 out rc label
    shift
    out=$("$bin" "$@" 2>&1 < /dev/null)
    rc=$?
    label=$(printf '%q ' "$@")
    if [ "$rc" = 2 ] && printf '%s\n' "$out" | grep -Eq -- "^deeplens-backup: $want"; then
        ok "rejected: $label"
    else
        not_ok "rejected: $label" "want exit 2 and /$want/, got exit $rc:" "$out"
    fi
}
reject_cmd "invalid drill schedule '61 2 \\* \\* \\*': minute" reschedule "$tenant" --drill-schedule "61 2 * * *"
reject_cmd "invalid drill schedule ''" reschedule "$tenant" --drill-schedule ""
reject_cmd "invalid drill window" reschedule "$tenant" --drill-window 0
reject_cmd "invalid tenant name" drill "Bad/Tenant"
reject_cmd "unexpected argument" drill "$tenant" a.sql b.sql
reject_cmd "missing TENANT" drill
reject_cmd "option '--to' does not apply to 'drill'" drill "$tenant" --to x

# --- retention --------------------------------------------------------------------------
for r in 0 -1 abc 1.5 "" 3651 99999999999999999999 " 30"; do
    reject "invalid retention" "$tenant" --nfs-path "$nfs" --retention "$r"
done

# --- uid:gid ----------------------------------------------------------------------------
for u in "a:b" "999" "999:" ":999" "-1:999" "999:x" "root:root"; do
    reject "invalid uid:gid" "$tenant" --nfs-path "$nfs" --uid-gid "$u"
done
# well formed, but the job refuses to run as root: every run would fail
for u in "0:0" "0:999" "00:999"; do
    reject "invalid uid:gid '$u': uid 0 is root" "$tenant" --nfs-path "$nfs" --uid-gid "$u"
done

# --- the rest of provision's inputs -----------------------------------------------------
reject "invalid keep minimum" "$tenant" --nfs-path "$nfs" --keep-min 0
reject "invalid image" "$tenant" --nfs-path "$nfs" --image "bad image"
reject "invalid database name" "$tenant" --nfs-path "$nfs" --database "db;drop"
reject "invalid tenant id" "$tenant" --nfs-path "$nfs" --tenant-id "a b"
reject "invalid postgres port" "$tenant" --nfs-path "$nfs" --postgres-port 0
reject "invalid container name prefix" "$tenant" --nfs-path "$nfs" --prefix "../x"
reject "unknown option '--password'" "$tenant" --nfs-path "$nfs" --password secret
reject "missing --nfs-path" "$tenant"
reject "unknown option '--frobnicate'" "$tenant" --nfs-path "$nfs" --frobnicate

# --- compression and format (issue 9) -------------------------------------------------------
for c in lz4 GZIP "" "gzip;id" "zstd "; do
    reject "invalid compression '$c'" "$tenant" --nfs-path "$nfs" --compression "$c"
done
for f in tar directory PLAIN ""; do
    reject "invalid format '$f'" "$tenant" --nfs-path "$nfs" --format "$f"
done
for l in 0 20 -1 3x 99999999999999999999; do
    reject "invalid zstd level '$l'" "$tenant" --nfs-path "$nfs" --compression zstd --zstd-level "$l"
done
reject "invalid zstd level '5': only with --compression zstd \\(compression is gzip\\)" "$tenant" \
    --nfs-path "$nfs" --zstd-level 5
reject "invalid zstd level '5': only with --compression zstd \\(compression is none\\)" "$tenant" \
    --nfs-path "$nfs" --no-compression --zstd-level 5
reject "invalid compression 'gzip' with --no-compression" "$tenant" --nfs-path "$nfs" \
    --no-compression --compression gzip
reject "invalid compression 'zstd' with format 'custom'" "$tenant" --nfs-path "$nfs" \
    --format custom --compression zstd
for args in "--compression lz4" "--format tar" "--zstd-level 0"; do
    # shellcheck disable=SC2086 # the words of one case
    out=$("$bin" reschedule "$tenant" $args 2>&1 < /dev/null)
    rc=$?
    is "$rc" 2 "reschedule $args: exit 2 before the engine is asked"
    like "$out" "invalid (compression|format|zstd level)" "reschedule $args: the field is named"
done
# --- webhooks -------------------------------------------------------------------------------
for u in "ftp://hooks.example/x" "hooks.example/x" "http://" "http:///x" "http://hooks example/x" \
    $'http://hooks.example/x\ny' "http://hooks.example/'x'" "http://hooks.example:0/x" \
    "http://hooks.example:99999/x" "http://-bad-.example/x" "javascript:alert(1)"; do
    reject "invalid webhook URL" "$tenant" --nfs-path "$nfs" --webhook "$u"
done
# credentials in the URL: refused, pointing to the secret file, without repeating them
for u in "https://user:hunter2@hooks.example/x" "http://hunter2@hooks.example/x"; do
    reject "invalid webhook URL: it holds credentials .*--webhook-secret-file" "$tenant" \
        --nfs-path "$nfs" --webhook "$u"
    out=$("$bin" provision --nfs-path "$nfs" --webhook "$u" "$tenant" 2>&1 < /dev/null)
    [[ $out != *hunter2* ]]
    is "$?" 0 "the refusal of '$u' does not repeat the password"
done
reject "invalid webhook format 'xml': expected json or slack" "$tenant" --nfs-path "$nfs" \
    --webhook http://hooks.example/x --webhook-format xml
reject "--no-webhook and --webhook contradict" "$tenant" --nfs-path "$nfs" --no-webhook \
    --webhook http://hooks.example/x
reject "--webhook-secret-file needs a webhook" "$tenant" --nfs-path "$nfs" --webhook-secret-file /etc/hostname
reject "cannot read webhook secret file '$work/none'" "$tenant" --nfs-path "$nfs" \
    --webhook http://hooks.example/x --webhook-secret-file "$work/none"
# the config file's keys go through the same validators, file and line named
cfg=$(mktemp /tmp/dl-badcfg.XXXXXX)
cli_at_exit "rm -f '$cfg'"
for kv in "webhook_url = http://u:p@hooks.example/" "webhook_format = yaml" "webhook_events = failure,oops"; do
    printf '%s\n' "$kv" > "$cfg"
    out=$("$bin" --config "$cfg" provision --nfs-path "$nfs" "$tenant" 2>&1 < /dev/null)
    rc=$?
    if [ "$rc" = 2 ] && [[ $out == *"config $cfg:1: invalid webhook "* ]]; then ok "config refused: $kv"; else
        not_ok "config refused: $kv" "exit $rc: $out"; fi
done
# reschedule checks its webhook options before it looks for the tenant
for args in "--webhook ftp://x/" "--webhook http://a:b@x/" "--webhook-format xml" "--no-webhook --webhook http://x/"; do
    # shellcheck disable=SC2086 # the options split into words on purpose
    out=$("$bin" -H "unix://$work/no-engine.sock" reschedule "$tenant" $args 2>&1 < /dev/null)
    rc=$?
    if [ "$rc" = 2 ] && [[ $out == *"webhook"* ]]; then ok "reschedule refused: $args"; else
        not_ok "reschedule refused: $args" "exit $rc: $out"; fi
done

# --- nothing happened ----------------------------------------------------------------------
is "$(engine_state)" "$before" "no container or volume was created"
is "$before" "" "none carries the token at all"
[ ! -e "$canary" ]
is "$?" 0 "no shell text ran"
# (state/ holds the audit file: refused attempts are recorded too)
is "$(find "$work" -mindepth 1 -maxdepth 1 ! -name state)" "" "the target directory is untouched"

done_testing
