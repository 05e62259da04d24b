#!/usr/bin/env bash
# Builds the libFuzzer harnesses (make fuzz-build, into build-fuzz/) and
# runs each one briefly through fuzz/run.sh, which prints one PASS, FAIL
# or SKIP line per harness job and per saved reproducer.  A crash is a FAIL
# that names the saved input.
#
# Seconds per job: $SSHTRAIL_FUZZ_SECONDS, else 30 when CI=true, else 5.
# fuzz/run.sh shortens the jobs when their sum would pass 14 minutes.
# Skips when clang cannot link a libFuzzer target (Debian: clang and
# libclang-rt-dev of the same version), and in the sanitizer rerun of the
# suites, since the harnesses are sanitizer builds already.
set -u
cd "$(dirname "$0")/../.."
fuzz_cc=${FUZZ_CC:-clang}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${SSHTRAIL_SAN:-0}" = 1 ]; then
    echo "SKIP fuzz_smoke: the harnesses already run under ASan and UBSan"
    exit 0
fi
if ! command -v "$fuzz_cc" >/dev/null 2>&1; then
    echo "SKIP fuzz_smoke: $fuzz_cc is missing (install clang)"
    exit 0
fi
cat >"$tmp/probe.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }
C
if ! "$fuzz_cc" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" \
    -o "$tmp/probe" >"$tmp/probe.log" 2>&1; then
    echo "SKIP fuzz_smoke: $fuzz_cc cannot link a libFuzzer target" \
        "(install libclang-rt-dev for this clang): $(head -n 1 "$tmp/probe.log")"
    exit 0
fi

if [ -n "${SSHTRAIL_FUZZ_SECONDS:-}" ]; then
    seconds=$SSHTRAIL_FUZZ_SECONDS
elif [ "${CI:-}" = true ]; then
    seconds=30
else
    seconds=5
fi

if ! make -s fuzz-build FUZZ_CC="$fuzz_cc" >"$tmp/build.log" 2>&1; then
    echo "FAIL fuzz_smoke/build: make fuzz-build failed:"
    tail -n 20 "$tmp/build.log" | sed 's/^/    /'
    exit 1
fi
if ! bash fuzz/build_corpus.sh build-fuzz/corpus >"$tmp/corpus.log" 2>&1
then
    echo "FAIL fuzz_smoke/corpus: fuzz/build_corpus.sh failed:"
    tail -n 20 "$tmp/corpus.log" | sed 's/^/    /'
    exit 1
fi
bash fuzz/run.sh build-fuzz "$seconds"
