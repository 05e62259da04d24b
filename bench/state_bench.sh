#!/usr/bin/env bash
# Builds bench/state_bench.c against build/libsshtrail.a and runs it on a
# scratch file.  Environment: STATE_BENCH_SESSIONS (default 200000),
# STATE_BENCH_DIR (default a new folder under /tmp).
set -eu
cd "$(dirname "$0")/.."
make -s build/libsshtrail.a
dir=${STATE_BENCH_DIR:-$(mktemp -d /tmp/sshtrail-state-bench.XXXXXX)}
trap 'rm -rf "$dir"' EXIT
pkgs="libcjson libxml-2.0 libsystemd yaml-0.1 libpcre2-8 sqlite3"
cc -std=c11 -O2 -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    bench/state_bench.c build/libsshtrail.a $(pkg-config --libs $pkgs) -lm \
    -o "$dir/state_bench"
"$dir/state_bench" "$dir/state.db" "${STATE_BENCH_SESSIONS:-200000}"
