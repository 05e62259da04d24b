#!/usr/bin/env bash
# Installs the Debian 12 packages sshtrail needs: `build` for compiling and
# running it, `test` for the whole test suite (real sshd, auditd and
# rsyslog for the live test, libauparse as the reference audit parser,
# valgrind, jq, python3).  Packages already installed are not fetched again.
set -euo pipefail

build_pkgs=(build-essential pkg-config tzdata libcjson-dev libxml2-dev
            libsystemd-dev libyaml-dev libpcre2-dev libsqlite3-dev)
test_pkgs=(libauparse-dev openssh-server openssh-client auditd rsyslog jq
           python3 valgrind time procps clang libclang-rt-14-dev
           systemd-journal-remote util-linux sqlite3)

case "${1:-build}" in
build) wanted=("${build_pkgs[@]}") ;;
test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root (sudo) to install them" >&2
    exit 1
fi

# Package scripts must not start sshd, auditd or rsyslog as services: the
# live test starts its own copies on loopback and in a temporary folder.
added_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
fi
trap '[ $added_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
