# shellcheck shell=bash
# tests/bench/console.sh - the console figures of issue 4 (see run.sh's
# header). Sourced by run.sh after lib.sh; bench_console records figures
# with rec. The console runs in a tmux pane of 120x40 whose shell waits for
# one Enter and then execs it, so tmuxprobe.py's clock starts at the Enter.

CON_PAINTS=${BENCH_PAINTS:-5}
CON_REPS=${BENCH_KEY_REPS:-20}

con_tmux() { tmux -L "$TMUX_SOCK" "$@"; }
con_probe() { python3 "$TOP/tests/bench/tmuxprobe.py" "$TMUX_SOCK" bench "$@"; }
con_pid() { con_tmux list-panes -t bench -F '#{pane_pid}'; }

# con_start [ENGINE_SOCKET]: a new console; a new tmux server each time (a
# dying one cannot take the next session)
CON_STARTS=0
con_start() {
    [ -z "${TMUX_SOCK:-}" ] || con_tmux kill-server 2> /dev/null || true
    CON_STARTS=$((CON_STARTS + 1))
    TMUX_SOCK=dlb-$$-$CON_STARTS
    con_tmux new-session -d -x 120 -y 40 -s bench \
        "read -r _; exec env LANG=C.UTF-8 $B_BIN -H unix://${1:-$DL_SOCK} --config $B_CFG"
}

# con_floor: the libraries' floor (tests/bench/floor.c: one libcurl request,
# ncurses initialised, nothing of ours) in a pane of its own, measured as the
# console is; the console's own share is the difference
con_floor() {
    local bin=$B_OUT/floor fpid i
    # shellcheck disable=SC2046 # pkg-config prints several words
    cc -O2 -o "$bin" "$TOP/tests/bench/floor.c" $(pkg-config --cflags --libs libcurl ncursesw) ||
        { say "cannot build the floor program"; return 0; }
    con_tmux new-window -d -t bench -n floor "exec env LANG=C.UTF-8 $bin $DL_SOCK"
    for ((i = 0; i < 50; i++)); do
        fpid=$(con_tmux list-panes -t bench:floor -F '#{pane_pid}' 2> /dev/null) &&
            [ "$(readlink "/proc/$fpid/exe" 2> /dev/null)" = "$bin" ] && break
        sleep 0.1
    done
    sleep 1
    rec mem_floor "$(b_mem "$fpid")"
    con_tmux kill-window -t bench:floor 2> /dev/null || true
}

# con_paint N: start a console through a counting proxy, time its first paint
# and the moment the N-th status read was answered (the proxy's log; a read is
# an inspect or an archive read); appends "<first> <rows on screen read> <all N read>" (ms) to paint.txt
con_paint() {
    local n=$1 d=$B_OUT/console sock=$B_OUT/console/proxy.sock pid i wall first seen
    # a status read: a container inspect (the health probe's copy) or an archive read (the file)
    # shellcheck disable=SC2016 # an awk program
    local reads='$2 ~ /(archive|containers\/\{name\}\/json)$/'
    rm -f "$d/paint.log"
    python3 "$TOP/tests/bench/countproxy.py" "$sock" "$DL_SOCK" "$d/paint.count" "$d/paint.log" &
    pid=$!
    for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && break; sleep 0.02; done
    con_start "$sock"
    sleep 0.3
    read -r wall first seen <<< "$(con_probe paint "$n")"
    # until every status file has an answer (or 120 s)
    for ((i = 0; i < 1200; i++)); do
        kill -USR1 "$pid"
        sleep 0.1
        [ "$(awk "$reads"' && $4 != "-"' "$d/paint.log" 2> /dev/null | wc -l)" -lt "$n" ] || break
    done
    kill "$pid"
    wait "$pid" 2> /dev/null || true
    # the answer to the n-th status read (in order of answers)
    awk "$reads"' && $5 != "-" { print $5 }' "$d/paint.log" | sort -n | sed -n "${n}p" |
        awk -v w="$wall" -v f="$first" -v s="$seen" '{ m = $1 }
            END { printf "%s %s %.1f\n", f, s, (m ? (m - w) * 1000 : -1) }' >> "$d/paint.txt"
}

# con_keys KEY...: untimed navigation, then a moment for the screen
con_keys() { con_tmux send-keys -t bench "$@"; sleep 0.4; }
con_open_log() {
    con_keys Escape
    con_keys /
    con_keys Escape
    con_keys /
    con_tmux send-keys -t bench -l "$1"
    con_keys Enter
    con_keys l
}

# writer CONTAINER LINES_PER_100MS SECONDS: a log of 10*LINES lines/s, written
# to PID 1's stdout (what the engine logs) in the container, in the
# background; it ends by itself and leaves its chunk count in /tmp/bench-chunks.
writer() {
    # shellcheck disable=SC2016 # the script runs in the container's sh
    dl_docker exec -d "$1" sh -c '
        n=$1 end=$(($(date +%s) + $2)) next=$(date +%s%N) i=0
        while [ "$(date +%s)" -lt "$end" ]; do
            seq -f "bench stream line %g of a log that writes many lines a second" 1 "$n"
            i=$((i + 1)); echo "$i" > /tmp/bench-chunks
            next=$((next + 100000000)); d=$((next - $(date +%s%N)))
            [ "$d" -le 0 ] || sleep "0.$(printf %09d "$d")"
        done > /proc/1/fd/1' deeplens-bench-writer "$2" "$3"
}
writer_rate() { # CONTAINER LINES_PER_100MS SECONDS -> lines/s actually written
    local chunks
    chunks=$(dl_docker exec "$1" cat /tmp/bench-chunks 2> /dev/null) || chunks=0
    echo $((chunks * $2 / $3))
}

# stats over the numbers in column COL of FILE: "median max" (ms)
med_max() {
    awk -v c="${2:-1}" '{ print $c }' "$1" | sort -n |
        awk '{ v[NR] = $1 } END { if (!NR) { print "n/a n/a"; exit }
             printf "%.0f %.0f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
}

bench_console() {
    local d=$B_OUT/console epid c0 c1 e0 e1 pid t0 i med max
    mkdir -p "$d"
    epid=$(b_engine_pid)

    say "engine CPU, 30 s without a console"
    e0=$(b_cpu_ticks "$epid"); sleep 30; e1=$(b_cpu_ticks "$epid")
    local base=$((e1 - e0))
    rec engine_idle_base "$(b_ticks_s "$base") s"

    say "first paint and first full list ($CON_PAINTS starts)"
    : > "$d/paint.txt"
    for ((i = 1; i <= CON_PAINTS; i++)); do
        con_paint "$N"
        sleep 1
    done
    read -r med max <<< "$(med_max "$d/paint.txt" 1)"
    rec paint_first "$med ms (max $max)"
    read -r med max <<< "$(med_max "$d/paint.txt" 2)"
    rec paint_screen "$med ms (max $max)"
    read -r med max <<< "$(med_max "$d/paint.txt" 3)"
    rec paint_full "$med ms (max $max)"

    # one more console: RSS at 10 s and 60 s, CPU from 30 s to 60 s, and the
    # requests it makes in that window (through the proxy, whose own CPU is
    # neither the console's nor the engine's)
    local sock=$d/idle.sock ppid w0 w1
    python3 "$TOP/tests/bench/countproxy.py" "$sock" "$DL_SOCK" "$d/idle.count" "$d/idle.log" &
    ppid=$!
    for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && break; sleep 0.02; done
    con_start "$sock"
    sleep 0.3
    t0=$(now_ns)
    con_probe paint "$N" > /dev/null
    pid=$(con_pid)
    say "resident memory and idle CPU of the console (pid $pid), 60 s"
    sleep "$(awk -v s="$(ms_since "$t0")" 'BEGIN { x = 10 - s / 1000; print (x > 0 ? x : 0) }')"
    rec rss_10s "$(b_kb_mb "$(b_rss_kb "$pid")") MB"
    rec mem_10s "$(b_mem "$pid")"
    sleep "$(awk -v s="$(ms_since "$t0")" 'BEGIN { x = 30 - s / 1000; print (x > 0 ? x : 0) }')"
    c0=$(b_cpu_ticks "$pid"); e0=$(b_cpu_ticks "$epid"); w0=$(date +%s.%N)
    sleep 30
    c1=$(b_cpu_ticks "$pid"); e1=$(b_cpu_ticks "$epid"); w1=$(date +%s.%N)
    rec rss_60s "$(b_kb_mb "$(b_rss_kb "$pid")") MB"
    rec mem_60s "$(b_mem "$pid")"
    con_floor
    kill -USR1 "$ppid"; sleep 0.3
    rec idle_requests "$(awk -v a="$w0" -v b="$w1" '$3 >= a && $3 < b { n++; p[$1 " " $2]++ }
        END { printf "%d", n; for (k in p) printf "; %d %s", p[k], k }' "$d/idle.log")"
    rec cpu_idle "$(b_ticks_s $((c1 - c0))) s"
    rec engine_idle_con "$(b_ticks_s $((e1 - e0))) s"
    rec engine_idle_extra "$(b_ticks_s $((e1 - e0 - base))) s"

    say "selection move and log show ($CON_REPS each)"
    con_probe move "$CON_REPS" > "$d/move.txt"
    read -r med max <<< "$(med_max "$d/move.txt")"
    rec key_move "$med ms (max $max)"
    con_probe logshow "$CON_REPS" "event=" > "$d/logshow.txt"
    read -r med max <<< "$(med_max "$d/logshow.txt")"
    rec log_show "$med ms (max $max)"

    local loud slow
    slow=$B_PREFIX$(b_name 1) loud=$B_PREFIX$(b_name 2)
    say "RSS while following a log of 1,000 lines/s for $FOLLOW_S s"
    con_open_log "$(b_name 1)"
    writer "$slow" 100 "$FOLLOW_S"
    local step=$((FOLLOW_S / 10)) samples=""
    [ "$step" -ge 10 ] || step=10
    c0=$(b_cpu_ticks "$pid")
    t0=$(now_ns)
    samples="$(b_kb_mb "$(b_rss_kb "$pid")")"
    while [ "$(ms_since "$t0")" -lt $((FOLLOW_S * 1000)) ]; do
        sleep "$step"
        samples+=" $(b_kb_mb "$(b_rss_kb "$pid")")"
    done
    c1=$(b_cpu_ticks "$pid")
    echo "$samples" > "$d/follow-rss.txt"
    rec follow_rss "$(awk '{ m = $1; for (i = 1; i <= NF; i++) if ($i > m) m = $i;
        printf "%s -> %s MB (max %s; every %s s: %s)", $1, $NF, m, s, $0 }' s="$step" "$d/follow-rss.txt")"
    rec follow_rate "$(writer_rate "$slow" 100 "$FOLLOW_S") lines/s for $FOLLOW_S s"
    rec follow_cpu "$(b_ticks_s $((c1 - c0))) s in $FOLLOW_S s"

    say "key answers while a log streams 20,000 lines/s"
    con_open_log "$(b_name 2)"
    writer "$loud" 2000 40
    sleep 5
    c0=$(b_cpu_ticks "$pid")
    con_probe toggle "$CON_REPS" p PAUSED following, > "$d/stream-keys.txt"
    c1=$(b_cpu_ticks "$pid")
    read -r med max <<< "$(med_max "$d/stream-keys.txt" 1)"
    rec key_stream "$med ms (max $max) to PAUSED"
    read -r med max <<< "$(med_max "$d/stream-keys.txt" 2)"
    rec key_stream_resume "$med ms (max $max) back to following"
    rec stream_rss "$(b_kb_mb "$(b_rss_kb "$pid")") MB"
    sleep 30
    rec stream_rate "$(writer_rate "$loud" 2000 40) lines/s"

    say "key answers after a 100,000-character line"
    # shellcheck disable=SC2016
    dl_docker exec "$loud" sh -c '{ head -c 100000 /dev/zero | tr "\0" y; echo " long-end"; } > /proc/1/fd/1'
    con_probe toggle 5 p PAUSED following, > "$d/long-keys.txt"
    read -r med max <<< "$(med_max "$d/long-keys.txt" 1)"
    rec key_long "$med ms (max $max)"
    rec rss_end "$(b_kb_mb "$(b_rss_kb "$pid")") MB"
    rec mem_end "$(b_mem "$pid")"
    con_keys q
    con_tmux kill-server 2> /dev/null || true
    TMUX_SOCK=
    kill "$ppid"
    wait "$ppid" 2> /dev/null || true
}
