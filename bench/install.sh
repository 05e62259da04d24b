#!/usr/bin/env bash
# Installs the tools bench/peers.sh compares sshtrail with, and the
# measuring tools (Debian packages; run as root).  The test suite never
# calls this script.
set -eu
if [ "$(id -u)" != 0 ]; then
    echo "bench/install.sh: run as root (apt-get install)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
    sshguard fail2ban auditd lnav jq hyperfine linux-perf valgrind time \
    python3
