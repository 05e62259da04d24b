#!/usr/bin/env bash
# Installs the build packages, builds sshtrail and runs `detect` on the
# bundled example logs (an sshd auth.log and an audit.log of one host).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
make -j"$(nproc)"
./build/sshtrail detect --output text examples/auth.log examples/audit.log
