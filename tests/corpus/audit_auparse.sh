#!/usr/bin/env bash
# Differential test of the audit tokenizer and grouper against libauparse:
# runs build/tools/auparse_diff over every audit log of the corpus
# ($SSHTRAIL_CORPUS/auditd) and over the audit test logs of the peer suites
# ($SSHTRAIL_PEERS: audit-userspace, laurel, go-libaudit).  The tool prints
# one PASS or FAIL line per file; this script prints SKIP when a folder or
# the tool is missing.
set -u
cd "$(dirname "$0")/../.."
tool="${SSHTRAIL_BUILD:-build}/tools/auparse_diff"

if [ ! -x "$tool" ]; then
    echo "SKIP audit_auparse: $tool is not built (run make test)"
    exit 0
fi

run_files() {
    # Runs the tool on the files given; the tool's own lines are the result.
    [ $# -gt 0 ] || return 0
    "$tool" "$@"
    return 0
}

if [ -n "${SSHTRAIL_CORPUS:-}" ] && [ -d "$SSHTRAIL_CORPUS/auditd" ]; then
    shopt -s nullglob
    run_files "$SSHTRAIL_CORPUS"/auditd/*.log
    shopt -u nullglob
else
    echo "SKIP audit_auparse corpus: set SSHTRAIL_CORPUS to the corpus folder"
fi

if [ -n "${SSHTRAIL_PEERS:-}" ] && [ -d "$SSHTRAIL_PEERS" ]; then
    shopt -s nullglob
    peers=(
        "$SSHTRAIL_PEERS"/audit-userspace/auparse/test/*.log
        "$SSHTRAIL_PEERS"/laurel/src/testdata/record-*.txt
        "$SSHTRAIL_PEERS"/laurel/src/testdata/*.log
        "$SSHTRAIL_PEERS"/go-libaudit/auparse/testdata/*.log
    )
    shopt -u nullglob
    if [ ${#peers[@]} -eq 0 ]; then
        echo "SKIP audit_auparse peers: no audit logs under $SSHTRAIL_PEERS"
    else
        run_files "${peers[@]}"
    fi
else
    echo "SKIP audit_auparse peers: set SSHTRAIL_PEERS to the peer-suites folder"
fi
