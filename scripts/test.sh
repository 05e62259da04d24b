#!/usr/bin/env bash
# Installs the test packages, builds sshtrail with warnings as errors and
# runs every test suite; the last line is "N passed, N failed, N skipped".
# Then the unit, golden and corpus suites run again under AddressSanitizer
# and UndefinedBehaviorSanitizer, and the threaded-reading comparison under
# ThreadSanitizer, counted in the same closing line.
#
# The real-log corpus and the peer projects' suites are used when a
# `shared` folder is beside the repository, as in CI.  Set SSHTRAIL_CORPUS
# and SSHTRAIL_PEERS to point elsewhere.  As root the live
# test starts sshd, auditd and rsyslog on loopback; set SSHTRAIL_LIVE=0 to
# skip it.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test || exit 1

if [ -z "${SSHTRAIL_CORPUS:-}" ] && [ -d ../shared/corpus ]; then
    export SSHTRAIL_CORPUS=$PWD/../shared/corpus
fi
if [ -z "${SSHTRAIL_PEERS:-}" ] && [ -d ../shared/peer-suites ]; then
    export SSHTRAIL_PEERS=$PWD/../shared/peer-suites
fi
if [ -z "${SSHTRAIL_LIVE:-}" ] && [ "$(id -u)" -eq 0 ]; then
    export SSHTRAIL_LIVE=1
fi

make -j"$(nproc)" WERROR=1 all tests || exit 1
make -j"$(nproc)" WERROR=1 BUILD=build-san SAN=1 all tests || exit 1
make -j"$(nproc)" WERROR=1 BUILD=build-tsan TSAN=1 all || exit 1
SSHTRAIL_BUILD=build SSHTRAIL_SAN_BUILD=build-san \
    SSHTRAIL_TSAN_BUILD=build-tsan bash tests/run.sh
