#!/usr/bin/env bash
# tests/integration/cli/metrics.test.sh - `metrics` and `metrics --textfile DIR`
# on the real engine with two tenants, one good and one whose last run failed:
# bad DIRs refused before anything is written, the text passes a strict
# exposition-format check (tests/lib/promcheck.py), the values are the tenants'
# own, the textfile is replaced atomically (no temporary left, mode 0644), and
# the Grafana dashboard in contrib/ asks only for metric names we emit. Prints TAP.
set -u
# shellcheck source=tests/integration/lifecycle/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lifecycle" && pwd)/lib.sh"
lc_setup m
check_prom="$root/tests/lib/promcheck.py"

# --- bad DIRs: refused, field and value named, nothing written ------------------------------
run metrics --textfile "$work/missing"
expect "a missing DIR is refused" 2 "^deeplens-backup: --textfile '$work/missing': No such file"
touch "$work/plain"
run metrics --textfile "$work/plain"
expect "a DIR that is a file is refused" 2 "^deeplens-backup: --textfile '$work/plain': not a directory"
mkdir -p "$work/ro" && chmod 0555 "$work/ro"
if [ "$(id -u)" = 0 ]; then
    # root writes into a 0555 directory; not onto a read-only file system
    # shellcheck disable=SC2317 # run on exit
    m_umount() { umount "$work/ro" 2> /dev/null; }
    mount -t tmpfs -o ro,size=64k tmpfs "$work/ro" || bail_out "cannot mount a read-only tmpfs on $work/ro"
    cli_at_exit m_umount
    why="Read-only file system"
else
    why="Permission denied"
fi
run metrics --textfile "$work/ro"
expect "an unwritable DIR is refused, the reason said" 2 "^deeplens-backup: --textfile '$work/ro': not writable: $why"
is "$(ls -A "$work/ro")" "" "nothing written into a refused DIR"

# --- two tenants: a good one, a failed one -----------------------------------------------------
good=${id}a bad=${id}b
dir=$(lc_target target) || bail_out "cannot make the target directory"
lc_db "tenant_${good}_metadata" || bail_out "cannot create the good tenant's database"
lc_db "tenant_${bad}_metadata" || bail_out "cannot create the failing tenant's database"
lc_provision "$good" "$dir"
expect "provision the good tenant" 0 "^PostgreSQL backup configured successfully!"
dir2=$(lc_target target2) || bail_out "cannot make the second target directory"
lc_provision "$bad" "$dir2" --no-initial-backup
expect "provision the second tenant" 0 "^PostgreSQL backup configured successfully!"
psql_pg postgres -c "drop database \"tenant_${bad}_metadata\" with (force)" > /dev/null
run backup-now "$bad"
expect "the second tenant's run fails (its database is gone)" 1 "backup failed"

run metrics
is "$rc" 0 "metrics exits 0"
stdout_text=$out
problems=$(printf '%s\n' "$out" | python3 "$check_prom")
is "$problems" "" "metrics on stdout: strict exposition format (HELP/TYPE first, escapes, no duplicates)"
metric() { printf '%s\n' "$stdout_text" | awk -v k="$1{tenant=\"$2\"${3:-}}" '$1 == k { print $2 }'; }
is "$(metric tenant_backup_last_run_success "$good") $(metric tenant_backup_last_run_success "$bad")" "1 0" \
    "last run: good 1, failed 0"
is "$(metric tenant_backup_health "$good" ',health="ok"') $(metric tenant_backup_health "$bad" ',health="failing"')" \
    "1 1" "health: ok and failing"
is "$(printf '%s\n' "$stdout_text" | grep -c "^tenant_backup_health{tenant=\"$bad\",.*} 1\$")" 1 \
    "exactly one current health state for the failed tenant"
size=$(stat -c %s "$dir/$good/$(lc_backups "$dir/$good" "tenant_${good}_metadata" | tail -1)")
is "$(metric tenant_backup_size_bytes "$good")" "$size" "size of the good tenant's newest backup"
is "$(metric tenant_backup_size_bytes "$bad")" "" "no size series for a tenant without a good backup"
is "$(metric tenant_backup_count_total "$good") $(metric tenant_backup_count_total "$bad")" "1 0" "file counts"
is "$(metric tenant_backup_size_suspicious "$good") $(metric tenant_backup_timeouts_total "$good")" "0 0" \
    "no suspicious size, no timeouts"
like "$(metric tenant_backup_last_run_timestamp "$bad")" '^[1-9][0-9]{9}$' "the failed run's end time is there"
reason=$(jq -r '.[0].health_reason // .[0].reason // empty' <<< "$(lc_json status "$bad" --json)")
info=$(printf '%s\n' "$stdout_text" | grep "^tenant_backup_health_info{tenant=\"$bad\",health=\"failing\",reason=\"")
like "$info" '} 1$' "health_info carries the failed tenant's reason as a label"
[ -z "$reason" ] || is "$(printf '%s' "$info" | python3 -c '
import sys, re
l = sys.stdin.read()
v = re.search(r"reason=\"((?:[^\"\\\\]|\\.)*)\"", l).group(1)
print(re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v))')" "$reason" \
    "the reason label unescapes to the status reason"

# --- the textfile ---------------------------------------------------------------------------------
mkdir -p "$work/tf"
echo "old" > "$work/tf/deeplens_backup.prom"
run metrics --textfile "$work/tf"
is "$rc $out" "0 " "metrics --textfile exits 0 and prints nothing"
is "$(ls -A "$work/tf")" "deeplens_backup.prom" "only the .prom file in DIR: no temporary left"
is "$(stat -c %a "$work/tf/deeplens_backup.prom")" 644 "the textfile is readable by node_exporter (0644)"
is "$(python3 "$check_prom" "$work/tf/deeplens_backup.prom")" "" "the textfile: strict exposition format"
strip() { grep -v -e '_timestamp{' -e '_free_bytes{' -e '_duration_seconds{' "$@"; }
is "$(strip "$work/tf/deeplens_backup.prom" | sort)" "$(printf '%s\n' "$stdout_text" | strip | sort)" \
    "the textfile has the same series as stdout"

# --- the dashboard asks only for emitted names ------------------------------------------------------
names=$(python3 "$check_prom" --names "$work/tf/deeplens_backup.prom")
dash="$root/contrib/grafana/deeplens-backup.json"
exprs=$(jq -r '.panels[].targets[].expr' "$dash")
like "$exprs" 'tenant_backup_' "the dashboard has queries"
unknown=$(grep -o 'tenant_[a-z_]*' <<< "$exprs" | sort -u | grep -Fxv -f <(printf '%s\n' "$names"))
is "$unknown" "" "every metric in the dashboard's expressions is one metrics emits"
is "$(jq '[.panels[] | select([.targets[].expr | test("tenant_backup_")] | any | not)] | length' "$dash")" 0 \
    "every panel queries our metrics"

done_testing
