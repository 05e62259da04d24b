#!/usr/bin/env bash
# The configuration on the command line: `config check`, --config on
# detect, and --window winning over the file's TimeWindow.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:?SSHTRAIL_BIN must name the sshtrail binary}
fixtures=tests/fixtures/config
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
    local name=$1 expected=$2 actual=$3
    if [ "$actual" = "$expected" ]; then
        echo "PASS cli_config/$name"
    else
        echo "FAIL cli_config/$name: expected $expected, got $actual"
    fi
}

"$bin" config check "$fixtures/full.yaml" > "$tmp/out" 2>&1
check check_valid_exit 0 $?
check check_prints_effective 1 "$(grep -c '^# effective configuration' "$tmp/out")"

"$bin" config check "$fixtures/missing_expires.yaml" > "$tmp/out" 2> "$tmp/err"
check check_invalid_exit 2 $?
check check_names_key 1 "$(grep -c 'expires' "$tmp/err")"

"$bin" detect --quiet --config "$fixtures/missing_expires.yaml" \
    examples/auth.log examples/audit.log > "$tmp/out" 2> "$tmp/err"
check detect_invalid_config_exit 2 $?
check detect_invalid_config_no_output 0 "$(wc -c < "$tmp/out")"

"$bin" detect --quiet --config "$tmp/absent.yaml" examples/auth.log \
    > /dev/null 2> "$tmp/err"
check detect_missing_config_exit 2 $?

"$bin" config check > /dev/null 2>&1
check check_without_file_exit 2 $?

# A 1 ms window leaves the time-window execution of this case unlinked.
cat > "$tmp/narrow.yaml" <<'YAML'
platforms:
  linux:
    TimeWindow: 1ms
YAML
case=tests/golden/cases/linkage-no-audit-session
"$bin" sessions --quiet --config "$tmp/narrow.yaml" --output json \
    "$case/auth.log" "$case/audit.log" > "$tmp/narrow.json"
check config_window_applies 0 \
    "$(grep -o '"linkage":"time_window"' "$tmp/narrow.json" | wc -l)"
"$bin" sessions --quiet --config "$tmp/narrow.yaml" --window 60s \
    --output json "$case/auth.log" "$case/audit.log" > "$tmp/wide.json"
check window_option_wins 1 \
    "$(grep -o '"linkage":"time_window"' "$tmp/wide.json" | wc -l)"

# host_aliases rename a host for correlation and output.
cat > "$tmp/alias.yaml" <<'YAML'
host_aliases:
  "web01": "frontend"
YAML
"$bin" detect --quiet --config "$tmp/alias.yaml" --output json \
    examples/auth.log examples/audit.log > "$tmp/alias.json"
check alias_renames_host 2 "$(grep -c '"hostname":"frontend"' "$tmp/alias.json")"
check alias_keeps_sessions_merged 2 "$(wc -l < "$tmp/alias.json")"
