#!/usr/bin/env bash
# tests/integration/lifecycle/notify.test.sh - webhooks sent from inside the backup
# container, to a real HTTP receiver on the test network (busybox httpd of the runner
# image with a CGI that stores each request's headers and body on a bind mount):
# the exact JSON of a failed backup (a reason the tenant wrote: a table name with a
# quote, a backslash, a tab and a bidi control), its HMAC-SHA256 header recomputed here
# with python3, the recovery event of the next good run, the overdue event noticed by
# the container's own crond once per episode, the Slack form after a reschedule that
# keeps the stored secret, and receivers that are down or never answer: the backup ends
# on its own merits at once, each attempt is logged, no hang. The secret is in no
# label, env or log. Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup n

t=$id
db=tenant_${t}_metadata
role=${id}r
c=deeplens-backup-$t
hook=$id-hook
dir=$(lc_target target) || bail_out "cannot make the target directory"
lc_role "$role" || bail_out "cannot create role $role"
lc_db "$db" "$role" || bail_out "cannot create $db"
lc_user=$role lc_pw=$work/$role.pw

# --- the receiver ------------------------------------------------------------------------
mkdir -p "$work/www/cgi-bin" "$work/got"
cat > "$work/www/cgi-bin/hook" << 'CGI'
#!/bin/sh
n=$(date +%s%N)
env | grep -E '^(HTTP_|CONTENT_|REQUEST_METHOD)' | sort > "/got/$n.head"
head -c "${CONTENT_LENGTH:-0}" > "/got/$n.tmp" && mv "/got/$n.tmp" "/got/$n.body"
printf 'Content-Type: text/plain\r\n\r\nok\n'
CGI
chmod 0755 "$work/www/cgi-bin/hook"
# httpd on 8080; on 8081 a listener that accepts and never answers
"$docker" run -d --name "$hook" --network "$net" -v "$work/www:/www:ro" -v "$work/got:/got" \
    --entrypoint /bin/sh "$runner" -c \
    'busybox httpd -p 8080 -h /www; while :; do sleep 3600 | busybox nc -l -p 8081 > /dev/null; done' > /dev/null ||
    bail_out "cannot start the receiver"
url=http://$hook:8080/cgi-bin/hook
secret="s3cr3t-$id-with spaces"
printf '%s\n' "$secret" > "$work/secret"

# bodies: the complete requests' body files, oldest first (names are nanosecond times)
bodies() { local f; for f in "$work"/got/*.body; do [ -f "$f" ] && printf '%s\n' "$f"; done | sort; }
# requests: how many; body N / head_of N: the N-th (1-based)
requests() { bodies | grep -c .; }
body() { cat "$(bodies | sed -n "$1p")"; }
head_of() { local b; b=$(bodies | sed -n "$1p"); cat "${b%.body}.head"; }
# wait_requests N [SECONDS]: until N requests are in
wait_requests() {
    local i
    for ((i = 0; i < ${2:-30} * 2; i++)); do
        [ "$(requests)" -ge "$1" ] && return 0
        sleep 0.5
    done
    return 1
}
# signed N: the N-th request's signature header is the HMAC-SHA256 of its exact body
signed() {
    local b got want
    b=$(bodies | sed -n "$1p")
    got=$(grep '^HTTP_X_DEEPLENS_SIGNATURE=' "${b%.body}.head" | cut -d= -f2-)
    want=sha256=$(python3 -c 'import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' "$secret" "$b")
    is "$got" "$want" "$2: X-DeepLens-Signature is the HMAC-SHA256 of the exact body"
}
joblog() { "$docker" exec "$c" cat /var/log/backup.log; }
# unlike TEXT ERE NAME: ok when no line of TEXT matches
unlike() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then not_ok "$3" "a line matches /$2/"; else ok "$3"; fi
}

# --- provision: the first good run notifies nothing --------------------------------------------
lc_provision "$t" "$dir" --webhook "$url" --webhook-secret-file "$work/secret"
expect "provision with --webhook and --webhook-secret-file" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"
labels=$("$docker" inspect "$c" --format '{{json .Config.Labels}}')
is "$(jq -r '."io.deeplens.backup.webhook_url" + " " + ."io.deeplens.backup.webhook_format" + " " + ."io.deeplens.backup.webhook_signed"' <<< "$labels")" \
    "$url json 1" "the labels carry the URL, the format and that it is signed"
unlike "$("$docker" inspect "$c")" "s3cr3t" "the secret is in no label, env or command"
is "$("$docker" exec "$c" stat -c '%a %u' /etc/deeplens/webhook.secret)" "600 999" \
    "the secret is a 0600 file of the backup uid in the container"
has_line "$("$docker" exec "$c" cat /etc/crontabs/root)" '^\* \* \* \* \* /usr/local/bin/backup.sh --check$' \
    "the container's crond checks for overdue every minute"
run status "$t"
has_line "$out" "^ *Webhook: +http://$hook:8080 \(json, signed; failure,recovery,overdue,suspicious,drill_failed\)$" \
    "status shows the webhook: scheme and host, format, signed, events"
is "$(lc_json status "$t" --json | jq -c '.[0].webhook')" \
    "{\"url\":\"$url\",\"format\":\"json\",\"events\":\"failure,recovery,overdue,suspicious,drill_failed\",\"signed\":true}" \
    "status --json: the webhook"
sleep 2
is "$(requests)" 0 "the first good backup sends nothing"

# --- failure ------------------------------------------------------------------------------------
tname=$(printf 'se"cr\\et\tx\xe2\x80\xae')
psql_pg "$db" -c "create table \"${tname//\"/\"\"}\" (x int)" > /dev/null
t0=$SECONDS
run backup-now "$t"
expect "backup-now fails on a table the role may not read" 1 "backup failed: .*permission denied"
wait_requests 1
is "$(requests)" 1 "one request on failure"
b=$(body 1)
is "$(jq -r 'keys_unsorted | join(",")' <<< "$b")" "tenant,database,event,reason,file,size,time" \
    "failure: the JSON body has exactly tenant, database, event, reason, file, size, time"
is "$(jq -r '[.tenant, .database, .event, .file, (.size | tostring)] | join(" ")' <<< "$b")" \
    "$t $db failure  null" "failure: tenant, database, event; no file, size null"
like "$(jq -r .reason <<< "$b")" '^pg_dump: error: .*permission denied for table se"cr\\et x\\u202e$' \
    "failure: the reason, made inert (tab a space, the bidi control spelled out) and JSON-escaped"
unlike "$b" $'[\x01-\x1f]' "failure: no control character in the body"
like "$(jq -r .time <<< "$b")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "failure: time in UTC ISO 8601"
h=$(head_of 1)
has_line "$h" '^CONTENT_TYPE=application/json$' "failure: Content-Type application/json"
has_line "$h" '^REQUEST_METHOD=POST$' "failure: POST"
signed 1 failure
has_line "$(joblog)" "event=notify tenant=$t alert=failure to=http://$hook:8080 result=ok attempt=1/3" \
    "failure: the attempt is logged (scheme and host only)"

# --- recovery -----------------------------------------------------------------------------------
psql_pg "$db" -c "drop table \"${tname//\"/\"\"}\"" > /dev/null
run backup-now "$t"
expect "the next backup-now succeeds" 0 "^ok Backup completed"
wait_requests 2
is "$(requests)" 2 "one request on recovery"
b=$(body 2)
newest=$(lc_backups "$dir/$t" "$db" | tail -n 1)
is "$(jq -r '[.event, .file, (.size | tostring)] | join(" ")' <<< "$b")" \
    "recovery $newest $(stat -c %s "$dir/$t/$newest")" "recovery: the event, the new backup and its size"
like "$(jq -r .reason <<< "$b")" '^recovered from: .*permission denied' "recovery: says what it recovered from"
signed 2 recovery
run backup-now "$t"
sleep 2
is "$(requests)" 2 "a second good run sends nothing"
newest=$(lc_backups "$dir/$t" "$db" | tail -n 1)

# --- overdue, noticed by the container's crond, once per episode ----------------------------------
old=$(($(date +%s) - 5 * 86400))
"$docker" exec -u 0 "$c" sed -i "s/^last_success=.*/last_success=$old/" /var/lib/deeplens/status
if wait_requests 3 75; then ok "overdue: crond's check sends it within a minute or so"; else
    not_ok "overdue: crond's check sends it within a minute or so"; fi
b=$(body 3)
is "$(jq -r '[.event, .file] | join(" ")' <<< "$b")" "overdue $newest" "overdue: the event and the last good backup"
like "$(jq -r .reason <<< "$b")" "^last good backup 5d0h ago \(schedule '0 2 \* \* \*'\)$" "overdue: the health verdict's words"
signed 3 overdue
"$docker" exec -u 0 "$c" /usr/local/bin/backup.sh --check
"$docker" exec -u 0 "$c" /usr/local/bin/backup.sh --check
sleep 2
is "$(requests)" 3 "overdue: once per episode, not at every check"

# --- Slack form; reschedule keeps the secret --------------------------------------------------------
run reschedule "$t" --webhook-format slack
expect "reschedule --webhook-format slack" 0 "webhook set"
psql_pg "$db" -c "create table \"${tname//\"/\"\"}\" (x int)" > /dev/null
run backup-now "$t"
expect "backup-now fails again" 1 "permission denied"
wait_requests 4
b=$(body 4)
is "$(jq -r 'keys | join(",")' <<< "$b")" text "slack: the body is {\"text\": ...} only"
like "$(jq -r .text <<< "$b")" "^deeplens-backup: tenant $t: backup FAILED - pg_dump: error: .*permission denied for table se\"cr\\\\et x" \
    "slack: the text says tenant, event and reason"
signed 4 "slack (secret kept by reschedule)"

# --- receivers that are down ---------------------------------------------------------------------------
run reschedule "$t" --webhook "http://$hook:9/closed"
expect "reschedule --webhook to a closed port" 0 "webhook set"
t0=$SECONDS
run backup-now "$t"
expect "closed port: backup-now still fails on its own merits" 1 "permission denied"
took=$((SECONDS - t0))
[ "$took" -lt 30 ] && ok "closed port: backup-now did not wait for the webhook (${took}s)" ||
    not_ok "closed port: backup-now did not wait for the webhook (${took}s)"
for _ in $(seq 1 40); do joblog | grep -q "to=http://$hook:9 result=FAILED attempt=3/3" && break; sleep 0.5; done
l=$(joblog | grep "alert=failure to=http://$hook:9 ")
has_line "$l" "attempt=1/3 reason=\".*\" retry_in=2s" "closed port: attempt 1 failed and is retried in 2 s"
has_line "$l" "attempt=2/3 reason=\".*\" retry_in=4s" "closed port: attempt 2, backoff 4 s"
has_line "$l" "attempt=3/3 reason=\".*\" action=gave_up" "closed port: attempt 3 gives up"

run reschedule "$t" --webhook "http://$hook:8081/never"
psql_pg "$db" -c "drop table \"${tname//\"/\"\"}\"" > /dev/null
t0=$SECONDS
run backup-now "$t"
expect "silent receiver: the recovery backup succeeds" 0 "^ok Backup completed"
took=$((SECONDS - t0))
[ "$took" -lt 30 ] && ok "silent receiver: backup-now did not wait for the webhook (${took}s)" ||
    not_ok "silent receiver: backup-now did not wait for the webhook (${took}s)"
for _ in $(seq 1 40); do joblog | grep -q "to=http://$hook:8081 result=FAILED attempt=1/3" && break; sleep 0.5; done
has_line "$(joblog)" "alert=recovery to=http://$hook:8081 result=FAILED attempt=1/3 reason=\"no answer within 10s\" retry_in=2s" \
    "silent receiver: the attempt times out after 10 s and is retried"
unlike "$("$docker" logs "$c" 2>&1)" "s3cr3t" "the secret is in no log line"

# --- no webhook --------------------------------------------------------------------------------------
run reschedule "$t" --no-webhook
expect "reschedule --no-webhook" 0 "Rescheduled"
is "$("$docker" inspect "$c" --format '{{index .Config.Labels "io.deeplens.backup.webhook_url"}} {{index .Config.Labels "io.deeplens.backup.webhook_signed"}}')" \
    " 0" "--no-webhook: no URL, not signed"
unlike "$("$docker" exec "$c" cat /etc/crontabs/root)" "--check" "--no-webhook: no overdue check in crond"
like "$("$docker" exec "$c" sh -c 'ls /etc/deeplens/webhook.secret 2>&1')" "No such file" "--no-webhook: the secret is gone"

# --- https on an image without TLS: refused by the preflight, nothing created ---------------------
# (the runner's busybox wget has ssl_client; this image is the runner without it)
t2=${id}s
notls=deeplens/notls-$id:1
printf 'FROM %s\nRUN rm -f /usr/bin/ssl_client /bin/ssl_client\n' "$runner" |
    DOCKER_BUILDKIT=0 "$docker" build -q -t "$notls" - > /dev/null || bail_out "cannot build $notls"
lc_db "tenant_${t2}_metadata" "$role" || bail_out "cannot create the second tenant's database"
lc_provision "$t2" "$(lc_target target2)" --webhook "https://$hook:8443/x" --image "$notls"
isnt "$rc" 0 "https webhook on an image without curl or ssl_client: provision fails"
has_line "$out" "image cannot send an https:// webhook: it has no curl and its wget has no TLS" \
    "https webhook: the preflight says why"
is "$(lc_gone "$t2")" "" "https webhook: no container or volume is left"

# --- a suspicious size and a failed drill notify too ----------------------------------------------
# (a tenant of its own, the receiver's earlier requests cleared; unsigned)
rm -f "$work"/got/*
u=${id}u
udb=tenant_${u}_metadata
udir=$(lc_target targetu) || bail_out "cannot make the target directory"
lc_db "$udb" "$role" || bail_out "cannot create $udb"
lc_provision "$u" "$udir" --webhook "$url" --size-floor 100000000
expect "provision with a size floor above any backup's size" 0 "^PostgreSQL backup configured successfully!"
uf=$(lc_backups "$udir/$u" "$udb" | tail -n 1)
if wait_requests 1; then ok "suspicious: a request is sent"; else not_ok "suspicious: a request is sent"; fi
b=$(body 1)
is "$(jq -r '[.tenant, .event, .file, (.size | tostring)] | join(" ")' <<< "$b")" \
    "$u suspicious $uf $(stat -c %s "$udir/$u/$uf")" "suspicious: tenant, event, the backup and its size"
like "$(jq -r .reason <<< "$b")" "below the floor of 100000000 B" "suspicious: the size rule's reason"
# the manifest promises one row more than the backup holds in its first table
sed -i -E '0,/^table=/s/^table=([0-9]+) /table=1\1 /' "$udir/$u/$uf.manifest"
run drill "$u" "$uf"
expect "a drill against a manifest that promises more rows FAILS" 1 "drill FAILED: table .* rows restored"
if wait_requests 2; then ok "drill_failed: a request is sent"; else not_ok "drill_failed: a request is sent"; fi
b=$(body 2)
is "$(jq -r '[.tenant, .event, .file] | join(" ")' <<< "$b")" "$u drill_failed $uf" \
    "drill_failed: tenant, event and the backup drilled"
like "$(jq -r .reason <<< "$b")" "^table .*: [0-9]+ rows restored, 1[0-9]+ in the manifest$" \
    "drill_failed: the first difference is the reason"

diag "notify suite took $((SECONDS - t_start)) s"
done_testing
