#!/bin/sh
# /usr/sbin/crond in the deeplens test images: busybox crond as Alpine runs it.
# Alpine's build has "-d N" (log level N, to stderr; crond -f -d 8 is the
# usual container command); Debian's busybox-static lacks it, so "-d N" is
# turned into "-l N -L /dev/stderr", which logs the same lines to the same
# place. Every other option goes through unchanged.
set -eu
level=
n=$#
while [ "$n" -gt 0 ]; do
    arg=$1
    shift
    n=$((n - 1))
    case "$arg" in
        -d | -fd)
            [ "$arg" = -fd ] && set -- "$@" -f
            [ "$n" -gt 0 ] || { echo "crond: option requires an argument -- 'd'" >&2; exit 1; }
            level=$1
            shift
            n=$((n - 1))
            ;;
        -d?*) level=${arg#-d} ;;
        -fd?*) set -- "$@" -f; level=${arg#-fd} ;;
        *) set -- "$@" "$arg" ;;
    esac
done
if [ -n "$level" ]; then
    set -- "$@" -l "$level" -L /dev/stderr
fi
exec /usr/lib/busybox-static/crond "$@"
