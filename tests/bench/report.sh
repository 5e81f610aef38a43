# shellcheck shell=bash
# tests/bench/report.sh - the figures table of run.sh (sourced; reads the
# figures rec wrote to $B_OUT/results.tsv through val).

bench_report() {
    local cpu
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    printf 'deeplens-backup bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'machine: %s cores (%s), %s GB RAM, %s; load average at the end %s\n' \
        "$(nproc)" "$cpu" "$(awk '/^MemTotal/ { printf "%d", $2 / 1048576 + 0.5 }' /proc/meminfo)" \
        "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'binary: %s (%s); engine: docker %s, its own (DL_BED=bench); tenants: %s\n' \
        "$(git -C "$TOP" describe --always --dirty 2> /dev/null || echo '?')" \
        "$("$B_BIN" version 2> /dev/null | head -n1)" \
        "$(dl_docker version -f '{{.Server.Version}}' 2> /dev/null)" "$(val tenants)"
    printf 'timing: %s\n\n' "$(command -v hyperfine > /dev/null && hyperfine --version || echo 'timeloop.py')"
    local f='%-44s %-12s %-40s %s\n'
    # shellcheck disable=SC2059 # the format is the table's
    {
        printf "$f" "FIGURE" "TARGET" "OURS" "BASELINE"
        printf "$f" "list --json (median of $RUNS)" "<= 1/2" "$(val list_ours)" "docker ps: $(val list_docker)"
        printf "$f" "  list / docker ps" "<= 0.50" "$(val list_ratio)" ""
        printf "$f" "status --json, all tenants (median of $STATUS_RUNS)" "< 1 s" "$(val status_ours)" "docker exec ls, each: $(val status_docker)"
        printf "$f" "  speed-up over docker exec" ">= 20x" "$(val status_ratio)x" ""
        printf "$f" "metrics, all tenants" "" "$(val metrics_ours)" ""
        printf "$f" "engine requests: list, 10 / N tenants" "flat" "$(val req_list_10) / $(val req_list_200)" "docker ps: $(val req_ps_200)"
        printf "$f" "engine requests: status, 10 / N tenants" "" "$(val req_status_10) / $(val req_status_200)" ""
        printf "$f" "  status reads in flight at most, 10 / N" "<= 8" "$(val peak_status_10) / $(val peak_status_200)" "(connections: $(val conns_status_200))"
        printf "$f" "provision (setup of this run)" "" "$(val provision)" ""
        printf "$f" "backup-now (setup of this run)" "" "$(val backup_now)" ""
        printf "$f" "console: first paint (N tenants)" "" "$(val paint_first)" "860 ms"
        printf "$f" "console: rows on screen show their status" "" "$(val paint_screen)" ""
        printf "$f" "console: first full list (all N status read)" "< 100 ms" "$(val paint_full)" "860 ms"
        printf "$f" "console: resident at 10 s" "< 10 MB" "$(val rss_10s)" "47 MB"
        printf "$f" "console: resident at 60 s" "< 10 MB" "$(val rss_60s)" "59 MB"
        printf "$f" "  memory at 10 s" "" "$(val mem_10s)" ""
        printf "$f" "  memory at 60 s" "" "$(val mem_60s)" ""
        printf "$f" "  floor: libcurl + ncurses, nothing of ours" "" "$(val mem_floor)" ""
        printf "$f" "console: own CPU, 30 s idle" "< 0.1 s" "$(val cpu_idle)" "4.5 s"
        printf "$f" "engine CPU, 30 s idle, above baseline" "< 0.25 s" "$(val engine_idle_extra)" "+12 s"
        printf "$f" "  (engine 30 s with console / without)" "" "$(val engine_idle_con) / $(val engine_idle_base)" ""
        printf "$f" "  console's requests in that window" "" "$(val idle_requests)" "" | cut -c1-160
        printf "$f" "console: selection move" "50 ms" "$(val key_move)" "230 ms"
        printf "$f" "console: selected tenant's log shows" "120 ms" "$(val log_show)" "580 ms"
        printf "$f" "console: key while log streams" "50 ms" "$(val key_stream)" ""
        printf "$f" "" "" "$(val key_stream_resume)" ""
        printf "$f" "  stream rate reached / RSS after" "20000/s" "$(val stream_rate) / $(val stream_rss)" ""
        printf "$f" "console: key after a 100,000-char line" "no stall" "$(val key_long)" ""
        printf "$f" "console: RSS following 1,000 lines/s" "flat" "$(val follow_rss)" "" | cut -c1-160
        printf "$f" "  rate reached / console CPU" "" "$(val follow_rate) / $(val follow_cpu)" ""
        printf "$f" "console: resident at the end" "" "$(val rss_end)" ""
        printf "$f" "  memory at the end" "" "$(val mem_end)" ""
    }
}
