#!/usr/bin/env bash
# tests/integration/cli/man.test.sh - the man page against the program's own
# tables: every command, option and exit status of `--help` (generated from
# the subcommand and option tables) and every console key action of `keys`
# (the console's action table) is in man/deeplens-backup.1, nothing there is
# stale, the page is lint-clean, and every example in EXAMPLES is accepted by
# the argument parser and the validators. Needs no engine. Prints TAP.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$root/tests/lib/tap.sh"

bin=${DL_BIN:-$root/deeplens-backup}
man=$root/man/deeplens-backup.1
[ -x "$bin" ] || bail_out "no program at $bin (run make)"
[ -r "$man" ] || bail_out "no man page at $man"

help=$("$bin" --help)
keys=$("$bin" keys)

# man_section NAME: the roff lines of one .Sh section
man_section() {
    awk -v sh=".Sh $1" '$0 == sh { on = 1; next } /^\.Sh / { on = 0 } on' "$man"
}
# help_section HEADING: the lines of one --help section, up to the blank line
help_section() {
    awk -v h="$1" 'index($0, h) == 1 { on = 1; next } /^$/ { on = 0 } on' <<< "$help"
}

# --- lint ------------------------------------------------------------------------
if command -v mandoc > /dev/null; then
    out=$(mandoc -Tlint -W warning "$man" 2>&1)
    is "$out" "" "mandoc -Tlint -W warning is clean"
else
    diag "mandoc not installed: lint skipped"
fi
if command -v groff > /dev/null; then
    out=$(groff -ww -man -z "$man" 2>&1)
    is "$out" "" "groff -ww -man -z is clean"
fi

# --- commands ----------------------------------------------------------------------
commands=$(help_section "Commands:" | awk '/^  [a-z]/ { print $1 }')
[ -n "$commands" ] || bail_out "no commands found in --help"
man_commands=$(man_section COMMANDS | awk '$1 == ".It" && $2 == "Cm" { print $3 }')
for c in $commands; do
    if grep -qx -- "$c" <<< "$man_commands"; then
        ok "command '$c' is in COMMANDS"
    else
        not_ok "command '$c' is in COMMANDS" "no '.It Cm $c' line"
    fi
    "$bin" help "$c" > /dev/null 2>&1
    is "$?" 0 "help $c exits 0"
done
for c in $man_commands; do
    grep -qx -- "$c" <<< "$commands" || not_ok "man command '$c' exists" "not in --help"
done

# --- options --------------------------------------------------------------------------
options=$(grep -Eo '^ +(-[A-Za-z], )?--[a-z-]+' <<< "$help" | sed 's/.*--//' | sort -u)
[ -n "$options" ] || bail_out "no options found in --help"
man_options=$(man_section OPTIONS | awk '$1 == ".It" && $2 == "Fl" {
        for (i = 3; i <= NF; i++) if ($i ~ /^-[a-z]/) { print substr($i, 2); break } }' | sort -u)
for o in $options; do
    if grep -qx -- "$o" <<< "$man_options"; then
        ok "option --$o is in OPTIONS"
    else
        not_ok "option --$o is in OPTIONS" "no '.It Fl -$o' line"
    fi
done
for o in $man_options; do
    grep -qx -- "$o" <<< "$options" || not_ok "man option --$o exists" "not in --help"
done
# short forms agree
while read -r short long; do
    short=${short#-} short=${short%,} long=${long#--}
    if man_section OPTIONS | grep -Eq "^\.It Fl $short , Fl -$long( |\$)"; then
        ok "-$short is --$long in the man page"
    else
        not_ok "-$short is --$long in the man page"
    fi
done < <(grep -Eo '^  -[A-Za-z], --[a-z-]+' <<< "$help")

# --- exit status ----------------------------------------------------------------------------
codes=$(help_section "Exit status:" | awk '{ print $1 }')
[ -n "$codes" ] || bail_out "no exit status table in --help"
man_codes=$(man_section "EXIT STATUS" | awk '$1 == ".It" { print $2 }')
is "$(paste -sd' ' <<< "$man_codes")" "$(paste -sd' ' <<< "$codes")" "EXIT STATUS lists the codes of --help"

# --- console keys ---------------------------------------------------------------------------
[ -n "$keys" ] || bail_out "'keys' printed nothing"
man_keys=$(man_section "CONSOLE KEYS" | sed 's/\\&//g')
nkeys=0
while IFS=$'\t' read -r k action _; do
    nkeys=$((nkeys + 1))
    if grep -Fxq -- ".It Sy $action Pq Li $k" <<< "$man_keys"; then
        ok "key action '$action' ($k) is in CONSOLE KEYS"
    else
        not_ok "key action '$action' ($k) is in CONSOLE KEYS" "no '.It Sy $action Pq Li $k' line"
    fi
done <<< "$keys"
man_actions=$(awk '$1 == ".It" && $2 == "Sy" { print $3 }' <<< "$man_keys")
is "$(wc -l <<< "$man_actions" | tr -d ' ')" "$nkeys" "CONSOLE KEYS has one entry per action"

# --- examples --------------------------------------------------------------------------------
# Each "$ deeplens-backup ..." line (joined over "\e" continuations, up to a
# pipe or redirection) must get past parsing and validation: against an
# engine that is not there it has to fail with 3 (engine unreachable).
work=$(mktemp -d /tmp/dl-mantest.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf 'not-a-real-password\n' > "$work/pw"
examples=$(man_section EXAMPLES | awk '
    /^\$ deeplens-backup / || cont { line = line (cont ? " " : "") $0; cont = 0 }
    /\\e$/ { sub(/ *\\e$/, "", line); cont = 1; next }
    line != "" { print line; line = "" }')
[ -n "$examples" ] || bail_out "no examples found in EXAMPLES"
while IFS= read -r ex; do
    cmd=${ex#\$ deeplens-backup }
    cmd=${cmd%% | *}
    cmd=${cmd%% > *}
    cmd=$(sed "s|--password-file [^ ]*|--password-file $work/pw|" <<< "$cmd")
    # the site config would name the password file; here the environment does
    out=$(eval "DEEPLENS_BACKUP_CONFIG=/dev/null DEEPLENS_PG_PASSWORD=x \"$bin\" -H unix://$work/no-engine.sock $cmd" 2>&1 < /dev/null)
    rc=$?
    if [ "$rc" = 3 ]; then
        ok "example is accepted: $cmd"
    else
        not_ok "example is accepted: $cmd" "exit $rc (want 3, engine unreachable):" "$out"
    fi
done <<< "$examples"

done_testing
