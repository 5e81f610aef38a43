#!/usr/bin/env bash
# engines.test.sh - the console over three engines: the shared test engine and
# eng2, eng3 of tests/env/engines.sh (started when missing). The list shows the
# rows of all of them with an ENGINE column and each engine's state in the
# header; eng3 is reached through a socket proxy (tests/tui/sockproxy.py) that
# this test kills: its rows are marked unreachable within seconds while the
# other engines stay live (a container stopped on eng2 shows at once); backup
# now on eng2's row runs on eng2 (the file appears in that tenant's target); the
# provision form's Engine field (the selected row's engine first, F3 cycles, an
# unknown name refused inline) makes the tenant on the engine it names, and a name
# another engine has is refused as a conflict.
. "$(dirname "$0")/lib.sh"
tui_setup
command -v python3 >/dev/null || skip_all "python3 is needed for the socket proxy"
timeout 300 "$TUI_TOP/tests/env/engines.sh" > "$TUI_TMP/engines.log" 2>&1 ||
    bail_out "tests/env/engines.sh failed: $(tail -n 5 "$TUI_TMP/engines.log")"

E2=unix:///run/deeplens-eng2/docker.sock
E3=unix:///run/deeplens-eng3/docker.sock
t1=$(tui_name e1) t2=$(tui_name e2) t3=$(tui_name e3)
OTHER=()   # "HOST TENANT" provisioned on eng2/eng3

engine_db() {   # engine_db HOST TENANT: its database on that engine's postgres, its target
    local h=$1 t=$2
    docker -H "$h" exec deeplens-postgres psql -q -U deeplens -d postgres \
        -c "create database tenant_${t}_metadata" > /dev/null 2>&1
    docker -H "$h" exec deeplens-postgres psql -q -U deeplens -d "tenant_${t}_metadata" \
        -c "create table t (id int); insert into t values (1)" > /dev/null 2>&1
    mkdir -p "$TUI_TMP/target/$t" && chmod 777 "$TUI_TMP/target/$t"
    OTHER+=("$h $t")
}
on_engine() {   # on_engine HOST TENANT: engine_db, then provision
    local h=$1 t=$2
    engine_db "$h" "$t"
    timeout 120 "$TUI_BIN" --config "$TUI_TMP/config" -H "$h" provision "$t" \
        --nfs-path "local:$TUI_TMP/target/$t" --password-file "$TUI_PW_FILE" --postgres-host deeplens-postgres \
        > "$TUI_TMP/provision-$t.log" 2>&1 || { sed 's/^/# provision: /' "$TUI_TMP/provision-$t.log"; return 1; }
}
other_cleanup() {
    local x h t
    for x in "${OTHER[@]+"${OTHER[@]}"}"; do
        read -r h t <<< "$x"
        docker -H "$h" rm -f -v "deeplens-backup-$t" > /dev/null 2>&1
        docker -H "$h" volume rm -f "tenant_${t}_pgbackup" > /dev/null 2>&1
        docker -H "$h" exec deeplens-postgres psql -q -U deeplens -d postgres \
            -c "drop database if exists tenant_${t}_metadata with (force)" > /dev/null 2>&1
    done
}

proxy=$TUI_TMP/eng3.sock
proxy_pid=""
proxy_stop() { [ -n "$proxy_pid" ] && kill "$proxy_pid" 2> /dev/null; wait "$proxy_pid" 2> /dev/null; proxy_pid=""; }
trap 'proxy_stop; other_cleanup; tui_cleanup' EXIT

tui_tenant "$t1" --no-initial-backup; t_ok $? "provisioned $t1 on the test engine"
on_engine "$E2" "$t2"; t_ok $? "provisioned $t2 on eng2 (its first backup from eng2's postgres)"
on_engine "$E3" "$t3" --no-initial-backup; t_ok $? "provisioned $t3 on eng3"

python3 "$TUI_TOP/tests/tui/sockproxy.py" "$proxy" "${E3#unix://}" &
proxy_pid=$!
for _ in $(seq 50); do [ -S "$proxy" ] && break; sleep 0.1; done
cp "$TUI_TMP/config" "$TUI_TMP/engines.conf"
cat >> "$TUI_TMP/engines.conf" << EOF
engine test host $DOCKER_HOST
engine eng2 host $E2
engine eng3 host unix://$proxy
EOF

tui_start -- --config "$TUI_TMP/engines.conf"
tui_wait "$t3" 15; t_ok $? "the list shows eng3's tenant"
tui_filter "tui$$"
tui_wait "$t1" 5; t_ok $? "and the test engine's"
tui_screen | grep -q "$t2"; t_ok $? "and eng2's"
tui_screen | grep -Eq "TENANT.* ENGINE +HEALTH"; t_ok $? "an ENGINE column"
tui_screen | grep -Eq "$t2 +eng2 "; t_ok $? "$t2's row says eng2"
tui_screen | grep -Eq "$t3 +eng3 "; t_ok $? "$t3's row says eng3"
tui_wait "eng3 ok" 10; t_ok $? "the header shows each engine's state"
tui_screen | head -n1 | grep -q "test ok  *eng2 ok"; t_ok $? "test and eng2 ok in the header"
tmx resize-window -x 100 -y 40
sleep 0.5
tui_screen | head -n1 | grep -Eq "test ok +eng2 ok +eng3 ok +[0-9]+: \+"
t_ok $? "at 100 columns every engine's state still shows (the counts take their short form)"
tmx resize-window -x 120 -y 40

# eng3 goes away: its rows unreachable within seconds, the others live
t0=$SECONDS
proxy_stop
tui_wait "eng3 UNREACHABLE" 10; t_ok $? "eng3 killed: the header says UNREACHABLE"
tui_wait_row() {   # tui_wait_row ERE SECS
    local i
    for ((i = 0; i < $2 * 10; i++)); do tui_screen | grep -Eq "$1" && return 0; sleep 0.1; done
    return 1
}
tui_wait_row "$t3 +eng3 +\? unknown +unreach" 10; t_ok $? "its row is marked unreachable"
secs=$((SECONDS - t0))
[ "$secs" -le 10 ]; t_ok $? "within seconds ($secs s)"
! tui_screen | grep -q "Docker engine unreachable"; t_ok $? "no whole-screen unreachable: the others are up"
docker -H "$E2" stop -t 1 "deeplens-backup-$t2" > /dev/null 2>&1
tui_wait_row "$t2 +eng2 +- stopped +exited" 15; t_ok $? "eng2 stays live: its stopped container shows at once"
docker -H "$E2" start "deeplens-backup-$t2" > /dev/null 2>&1
tui_wait_row "$t2 +eng2 +.* running" 15; t_ok $? "and started again"

# an action goes to the row's engine
before=$(find "$TUI_TMP/target/$t2" -name "tenant_${t2}_metadata_*" ! -name '*.sha256' ! -name '*.manifest' | wc -l)
tui_keys / Escape   # clears the filter
tui_wait "$t1" 5
tui_filter "$t2"
tui_wait_gone "$t1" 5
sleep 1   # backup file names carry the second
tui_keys b
tui_wait "press Enter to close" 90; t_ok $? "b on $t2's row: the backup finishes"
tui_screen | grep -q "result=ok"; t_ok $? "with the job's ok line"
tui_keys Enter
after=$(find "$TUI_TMP/target/$t2" -name "tenant_${t2}_metadata_*" ! -name '*.sha256' ! -name '*.manifest' | wc -l)
[ "$after" -gt "$before" ]; t_ok $? "the new file is $t2's, made on eng2 ($before -> $after)"
# provision through the form: its Engine field says where (the selected row's engine first)
t4=$(tui_name e4)
engine_db "$E2" "$t4"
form_field() {   # form_field LABEL TEXT: until the form's LABEL row shows TEXT (3 s)
    local i
    for ((i = 0; i < 30; i++)); do
        tui_screen | grep -E " $1 " | head -n 1 | grep -qF -- "$2" && return 0
        sleep 0.1
    done
    return 1
}
tui_keys n
tui_wait "Provision a tenant backup" 5; t_ok $? "n opens the provision form"
form_field Engine eng2; t_ok $? "its Engine field has the selected row's engine, eng2"
tui_keys BTab C-u
tui_type "eng9"
tui_keys Tab
tui_wait "unknown engine 'eng9': one of test, eng2, eng3" 5
t_ok $? "an engine no one has: refused inline, naming the value and the choices"
tui_keys BTab F3
form_field Engine test; t_ok $? "F3 on the Engine field cycles the engines (from an unknown name: the first)"
tui_keys F3
form_field Engine eng2; t_ok $? "... and on to eng2"
tui_keys Tab
tui_type "$t4"
tui_keys Tab Tab
tui_type "local:$TUI_TMP/target/$t4"
tui_keys F2
tui_wait "y/Enter" 5; t_ok $? "the summary asks to confirm"
tui_screen | grep -Eq "Engine +eng2"; t_ok $? "the summary names the engine"
tui_keys y
tui_wait "press Enter to close" 90; t_ok $? "the provision job finishes"
tui_screen | grep -q "$t4: done"; t_ok $? "... done"
tui_keys Enter
docker -H "$E2" inspect "deeplens-backup-$t4" > /dev/null 2>&1; t_ok $? "$t4's container is on eng2"
! docker inspect "deeplens-backup-$t4" > /dev/null 2>&1; t_ok $? "... and not on the test engine"
tui_keys / Escape
tui_filter "$t4"
tui_wait_row "$t4 +eng2 " 15; t_ok $? "its row says eng2"

# a name another engine has: refused at the start, nothing made
tui_keys n
tui_wait "Provision a tenant backup" 5
tui_keys BTab C-u
tui_type "test"
tui_keys Tab
tui_type "$t2"
tui_keys Tab Tab
tui_type "local:$TUI_TMP/target/$t2"
tui_keys F2
tui_wait "y/Enter" 5
tui_keys y
tui_wait "tenant '$t2' is on engine 'eng2': a second one on 'test' would be a conflict" 10
t_ok $? "provisioning eng2's tenant on the test engine is refused as a conflict"
! docker inspect "deeplens-backup-$t2" > /dev/null 2>&1; t_ok $? "... nothing made on the test engine"

tui_keys q
is "$(tui_exit_code)" "0" "q quits"
done_testing
