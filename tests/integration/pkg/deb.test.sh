#!/usr/bin/env bash
# tests/integration/pkg/deb.test.sh - the Debian package (issue 10 item 6): built
# from this tree by contrib/build-deb.sh (dpkg-buildpackage, then lintian with no
# error or warning), installed with dpkg in a clean Debian 12 container (the test
# bed's runner image, its no-docs dpkg filter removed, the package's runtime
# dependencies fetched by apt on the host, as the container has no network), and
# run there: --version, man -w, the shipped themes from /usr/share, the example
# configuration; then purged, leaving none of its files.
# DL_DEB=FILE tests that package instead of building one. Prints TAP.
set -u
# shellcheck source=tests/lib/cli.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/cli.sh"
cli_setup deb
image=${DL_TEST_RUNNER_IMAGE:-deeplens/backup-runner:15}
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")

deb=${DL_DEB:-}
if [ -z "$deb" ]; then
    for tool in dpkg-buildpackage dh lintian; do
        command -v "$tool" > /dev/null || skip_all "$tool is not installed (tests/env/up.sh installs it)"
    done
    if "$root/contrib/build-deb.sh" "$work/deb" > "$work/build.out" 2>&1; then
        deb=$(tail -n 1 "$work/build.out")
        ok "make deb: dpkg-buildpackage and lintian --fail-on error,warning pass"
    else
        not_ok "make deb: dpkg-buildpackage and lintian --fail-on error,warning pass" "$(tail -n 30 "$work/build.out")"
        done_testing
        exit 1
    fi
    lint=$(lintian --tag-display-limit 0 "$work"/deb/deeplens-backup_*.changes 2>&1 | grep -v '^running with root')
    is "$lint" "" "... lintian has nothing to say, not even an info tag"
fi
is "$(dpkg-deb -f "$deb" Package Version | tr '\n' ' ')" "Package: deeplens-backup Version: $version " \
    "the package is deeplens-backup $version"
files=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's#^\./#/#')
for f in /usr/bin/deeplens-backup /usr/share/man/man1/deeplens-backup.1.gz \
    /usr/share/deeplens-backup/themes/default.theme /usr/share/doc/deeplens-backup/copyright \
    /usr/share/doc/deeplens-backup/examples/config.example; do
    has_line "$files" "^${f//./\\.}\$" "it ships $f"
done

# --- a clean container ---------------------------------------------------------------
c=dl-deb-$$
cli_at_exit "'$docker' rm -f $c"
"$docker" run -d --name "$c" --network none --entrypoint /bin/sleep "$image" infinity > /dev/null ||
    bail_out "cannot start a container of $image"
cx() { "$docker" exec "$c" "$@"; }
cx rm -f /etc/dpkg/dpkg.cfg.d/01-deeplens-nodoc
check "the container has no deeplens-backup before" cx sh -c '! command -v deeplens-backup'
# The runtime dependencies and man-db, with everything they need that the
# container lacks, downloaded on the host (virtual names and :any left out).
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g' | grep -v '^$')
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $deps man-db 2>/dev/null | awk '/^[a-z0-9]/ { print $1 }' | sort -u)
have=$(cx dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 2>/dev/null | awk '$1 == "ii" { sub(/:.*/, "", $2); print $2 }' | sort -u)
need=$(comm -23 <(printf '%s\n' $closure) <(printf '%s\n' $have))
mkdir -p "$work/debs"
if [ -n "$need" ]; then
    # shellcheck disable=SC2086 # a list of package names
    (cd "$work/debs" && apt-get download -q $need > "$work/download.out" 2>&1) ||
        bail_out "apt-get download failed: $(tail -n 5 "$work/download.out")"
fi
cp "$deb" "$work/debs/"
"$docker" cp "$work/debs" "$c:/tmp/debs" || bail_out "cannot copy the packages into $c"
# shellcheck disable=SC2016 # expanded in the container
if cx sh -c 'dpkg -i /tmp/debs/*.deb' > "$work/install.out" 2>&1; then
    ok "dpkg -i installs it with its dependencies in a clean container"
else
    not_ok "dpkg -i installs it with its dependencies in a clean container" "$(tail -n 20 "$work/install.out")"
fi
like "$(cx deeplens-backup --version 2>&1)" "^deeplens-backup ${version//./\\.} " "deeplens-backup --version there"
is "$(cx man -w deeplens-backup 2>&1)" "/usr/share/man/man1/deeplens-backup.1.gz" "man -w deeplens-backup there"
like "$(cx sh -c 'MANWIDTH=80 man deeplens-backup 2>/dev/null | head -n 12' | tr '\n' ' ')" "deeplens-backup" \
    "... and man shows the page"
th=$(cx deeplens-backup themes 2>&1)
for t in default light high-contrast monochrome; do
    has_line "$th" "^$t +/usr/share/deeplens-backup/themes/$t\\.theme\$" "the shipped theme $t is found under /usr/share"
done
cx sh -c 'deeplens-backup --config /usr/share/doc/deeplens-backup/examples/config.example \
    -H unix:///nonexistent.sock list' > "$work/example.out" 2>&1
rc=$?
out=$(cat "$work/example.out")
# exit 3 is "engine unreachable": the configuration itself was accepted
expect "the example configuration is accepted (exit 3: only the engine is missing)" 3 "cannot reach the docker engine"
listed=$(cx dpkg -L deeplens-backup | sort)
cx dpkg --purge deeplens-backup > "$work/purge.out" 2>&1
check "dpkg --purge removes it" cx sh -c '! dpkg-query -W deeplens-backup 2>/dev/null | grep -q .'
left=
for f in $listed; do
    case $f in /usr/share/doc/deeplens-backup/* | /usr/bin/deeplens-backup | /usr/share/man/man1/deeplens-backup.1.gz | \
        /usr/share/deeplens-backup*) cx test -e "$f" && left+="$f " ;;
    esac
done
is "$left" "" "... leaving none of its files"
done_testing
