#!/usr/bin/env bash
# contrib/build-deb.sh - build the Debian package of this tree and check it
# with lintian (make deb).
#
#   contrib/build-deb.sh OUTDIR
#
# The tree (tracked and untracked files git does not ignore, so local edits
# are in it; without git, everything but build/) is copied to OUTDIR/src,
# because dpkg-buildpackage writes its results beside the source, then
# `dpkg-buildpackage -us -uc -b` runs there and `lintian --fail-on
# error,warning` checks the result. Prints the .deb's path last.
# Needs: dpkg-dev, debhelper, lintian and the build dependencies of
# debian/control (tests/env/up.sh installs them all).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# = 1 ] || { sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }
missing=()
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian; do
    command -v "${tool%%:*}" > /dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-deb: missing ${missing[*]}: apt-get install ${missing[*]}" >&2
    exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
src=$out/src
rm -rf "$src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$src"
if git -C "$repo" rev-parse --git-dir > /dev/null 2>&1; then
    # (a file deleted but still tracked is left out)
    while IFS= read -r -d '' f; do
        if [ -e "$repo/$f" ] || [ -L "$repo/$f" ]; then printf '%s\0' "$f"; fi
    done < <(cd "$repo" && git ls-files -z -c -o --exclude-standard) |
        (cd "$repo" && xargs -0 -r cp --parents -a -t "$src")
else
    tar -C "$repo" --exclude=./build --exclude=./deeplens-backup -cf - . | tar -C "$src" -xf -
fi
log=$out/build.log
echo "build-deb: dpkg-buildpackage in $src (log: $log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "build-deb: dpkg-buildpackage failed" >&2
    exit 1
fi
deb=$(ls "$out"/deeplens-backup_*.deb)
echo "build-deb: lintian $out/*.changes"
lintian --fail-on error,warning --tag-display-limit 0 "$out"/deeplens-backup_*.changes
echo "$deb"
