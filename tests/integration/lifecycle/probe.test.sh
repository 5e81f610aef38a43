#!/usr/bin/env bash
# tests/integration/lifecycle/probe.test.sh - `status` of all tenants and
# `metrics` read each tenant's job status from the summary its health probe
# printed (one container inspect each) instead of its status file (an archive
# read: a docker-tar process in the engine per tenant); before the first probe
# they fall back to the file. Either way they show what `status TENANT` shows.
# Waits for the engine's first probe of a new container (120 s). Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lc_setup p

t=$id
db=tenant_${t}_metadata
dir=$(lc_target target) || bail_out "cannot make the target directory"
lc_db "$db" || bail_out "cannot create $db"
lc_provision "$t" "$dir"
expect "provision with the initial backup" 0 "^PostgreSQL backup configured successfully!"
[ "$rc" = 0 ] || bail_out "provision failed, nothing more to test"

# the fields status shows, for one tenant, from `status --json` (all or named)
fields() {
    python3 -c '
import json, sys
t = sys.argv[1]
v = json.load(sys.stdin)
v = v if isinstance(v, list) else v.get("tenants", [v])
for s in v:
    if s.get("tenant") == t:
        drop = ("files", "uptime_seconds", "engine_status", "engine_health", "health_reason")
        keep = {k: s[k] for k in sorted(s) if k not in drop}
        for v in keep.values():
            if isinstance(v, dict):
                v.pop("age_seconds", None)
        print(json.dumps(keep, sort_keys=True))
' "$1"
}
one=$(lc_json status --json "$t" | fields "$t")
[ -n "$one" ]; is "$?" 0 "status --json $t shows the tenant"

# before any probe: from the file
DEEPLENS_TRACE=$work/trace0 run status --json
all0=$(printf '%s\n' "$out" | fields "$t")
is "$all0" "$one" "before the first probe, status of all shows what status $t shows"
grep -q "GET /containers/deeplens-backup-$t/archive" "$work/trace0"
is "$?" 0 "... read from the status file (no probe output yet)"

# after the first probe (the engine runs it 120 s after the start)
probed=1
for _ in $(seq 1 90); do
    "$docker" inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "deeplens-backup-$t" \
        2> /dev/null | grep -q '^version=' && { probed=0; break; }
    sleep 2
done
is "$probed" 0 "the health probe prints the status summary (docker inspect)"
out=$("$docker" inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "deeplens-backup-$t")
like "$out" "last_result=ok" "... with the last result"
if grep -q '^file=' <<< "$out"; then not_ok "... without the file list"; else ok "... without the file list"; fi

DEEPLENS_TRACE=$work/trace1 run status --json
all1=$(printf '%s\n' "$out" | fields "$t")
one=$(lc_json status --json "$t" | fields "$t")
is "$all1" "$one" "after it, status of all shows what status $t shows"
grep -q "GET /containers/deeplens-backup-$t/archive" "$work/trace1"
is "$?" 1 "... without reading the status file"
grep -q "GET /containers/deeplens-backup-$t/json" "$work/trace1"
is "$?" 0 "... from one container inspect"

DEEPLENS_TRACE=$work/trace2 run metrics
like "$out" "tenant_backup_count_total\\{tenant=\"$t\"\\} 1" "metrics count the tenant's backup"
grep -q "GET /containers/deeplens-backup-$t/archive" "$work/trace2"
is "$?" 1 "... without reading the status file either"

done_testing
