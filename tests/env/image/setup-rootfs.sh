#!/bin/sh
# tests/env/image/setup-rootfs.sh - runs INSIDE the debootstrap chroot (dash,
# as root) and turns a bookworm minbase into the one rootfs that both test
# images are imported from: deeplens/postgres:15 (the server) and
# deeplens/backup-runner:15 (a stand-in for postgres:16-alpine as a backup
# job: busybox ash as /bin/sh, busybox crond with Alpine's /etc/crontabs,
# su-exec, gzip, pg_dump). up.sh copies this file and docker-entrypoint.sh
# into the chroot, runs it, then tars the result.
#
# Env: DL_MIRROR, DL_SECURITY_MIRROR (apt sources), set by up.sh.
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

: "${DL_MIRROR:=http://deb.debian.org/debian}"
: "${DL_SECURITY_MIRROR:=http://deb.debian.org/debian-security}"

cat > /etc/apt/sources.list <<EOF
deb $DL_MIRROR bookworm main
deb $DL_MIRROR bookworm-updates main
deb $DL_SECURITY_MIRROR bookworm-security main
EOF

# No services start inside the chroot.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d

# Small image: no docs, man pages, info or translations from here on.
# (/usr/share/postgresql/*/man must stay during install: the client's
# postinst registers those pages as update-alternatives slaves.)
cat > /etc/dpkg/dpkg.cfg.d/01-deeplens-nodoc <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
cat > /etc/apt/apt.conf.d/01-deeplens <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Retries "3";
EOF

# postgres is UID/GID 999 as in the official Debian-based image (and as the
# tenants' NFS exports expect); created before postgresql-common would pick
# a dynamic system UID.
groupadd -r -g 999 postgres
useradd -r -u 999 -g 999 -d /var/lib/postgresql -s /bin/bash postgres
mkdir -p /var/lib/postgresql
chown postgres:postgres /var/lib/postgresql

apt-get update -q
apt-get dist-upgrade -y -q
apt-get install -y -q postgresql-common
# The entrypoint runs initdb itself; no Debian "main" cluster.
sed -ri 's/#(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf
apt-get install -y -q postgresql-15 busybox gosu zstd tzdata

# JIT is the only user of LLVM (~130 MB with z3). Without llvmjit.so the
# server treats JIT as unavailable; the entrypoint also sets jit = off.
rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode
dpkg --purge --force-depends libllvm14 libz3-4

# /usr/bin/psql, pg_dump, ... are links to Debian's perl pg_wrapper, which
# picks a cluster from /etc/postgresql: point them at the real PostgreSQL 15
# binaries (also first in the images' PATH). Nothing else needs full perl
# (~50 MB); perl-base stays for debconf. apt would want perl back: these
# images are never apt-upgraded, they are rebuilt.
for link in /usr/bin/*; do
    [ "$(readlink "$link")" = ../share/postgresql-common/pg_wrapper ] || continue
    if [ -x "/usr/lib/postgresql/15/bin/${link##*/}" ]; then
        ln -sfn "../lib/postgresql/15/bin/${link##*/}" "$link"
    else
        rm -f "$link"
    fi
done
dpkg --purge --force-depends perl perl-modules-5.36 libperl5.36 libjson-perl libgdbm-compat4

# --- Alpine-like userland for the backup job ------------------------------
# Debian's busybox (dynamic) is /bin/sh: ash with "set -o pipefail", which
# runs commands from PATH as Alpine's does. It has no crond; busybox-static
# has, but its ash prefers its own applets over PATH (gzip, find, ... and
# crond would never reach the wrapper below), so only its binary is taken,
# for crond and crontab. Both read /var/spool/cron/crontabs/<user>.
(cd /tmp && apt-get download -q busybox-static)
dpkg-deb -x /tmp/busybox-static_*.deb /tmp/busybox-static
install -D -m 0755 /tmp/busybox-static/bin/busybox /usr/lib/busybox-static/busybox
ln -s busybox /usr/lib/busybox-static/crond
ln -s ../lib/busybox-static/busybox /usr/bin/crontab
install -m 0755 /tmp/crond.sh /usr/sbin/crond

# Busybox applets fill in what Debian lacks (nc, ps, vi, ...), at Alpine's
# paths; an existing Debian command is never replaced.
busybox --list-full | while read -r applet; do
    name=${applet##*/}
    found=
    for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
        if [ -e "$dir/$name" ] || [ -L "$dir/$name" ]; then found=1; break; fi
    done
    [ -n "$found" ] || ln -s /bin/busybox "/$applet"
done

# Alpine keeps crontabs in /etc/crontabs (/var/spool/cron/crontabs is a link
# to it). crond must run as root; a crontab is named after an existing user.
mkdir -p /etc/crontabs /var/spool/cron
chmod 0755 /etc/crontabs
rm -rf /var/spool/cron/crontabs
ln -s /etc/crontabs /var/spool/cron/crontabs

# su-exec usage ("su-exec 999:999 cmd ...") is a subset of gosu's.
ln -s /usr/sbin/gosu /usr/sbin/su-exec

# PostgreSQL runtime directories.
mkdir -p /var/run/postgresql /var/lib/postgresql/data /docker-entrypoint-initdb.d
chown postgres:postgres /var/run/postgresql /var/lib/postgresql/data
chmod 3777 /var/run/postgresql
chmod 1777 /var/lib/postgresql/data

install -m 0755 /tmp/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

# --- trim ------------------------------------------------------------------
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
    /var/lib/dpkg/*-old /var/log/*.log /var/log/apt/* \
    /usr/share/postgresql/15/man /usr/share/man/* /usr/share/info/* \
    /usr/share/locale/* /usr/share/lintian/* /usr/share/i18n/charmaps/* \
    /usr/share/i18n/locales/* /tmp/* /var/tmp/*
find /usr/share/doc -mindepth 1 ! -name copyright ! -type d -delete
find /usr/share/doc -mindepth 1 -type d -empty -delete
rm -f /usr/sbin/policy-rc.d /etc/resolv.conf /etc/hostname

# Last, because apt and the maintainer scripts above expect dash: /bin/sh is
# busybox ash, which has "set -o pipefail" (dash has not). busybox crond runs
# a job with its user's login shell, so root's is /bin/sh too (Alpine: ash).
ln -sfn /bin/busybox /bin/sh
usermod -s /bin/sh root
