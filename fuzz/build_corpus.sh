#!/usr/bin/env bash
# Builds the seed corpora of the fuzz harnesses in OUTDIR (default
# build-fuzz/corpus), one folder per harness job:
#   format-NAME  inputs of format NAME, for fuzz_format
#   pipeline     every input, for fuzz_pipeline
#   json         inputs whose first byte is '{' or '[', for fuzz_json
#   config       YAML files, for fuzz_config
#
# Sources: the golden cases (tests/golden/cases), tests/fixtures, examples/,
# the hand-written seeds under fuzz/seeds/NAME, a generated wtmp file and,
# when SSHTRAIL_CORPUS names a folder, every file below it.  Each file is
# classified by the format `sshtrail events` detects (SSHTRAIL_BIN, default
# build/sshtrail); without that binary it goes to every format.  Seeds are
# cut to their first 32 KiB at a line end, so libFuzzer's input size stays
# small, and named by their SHA-1 so duplicates collapse.  Nothing here is
# committed: build-fuzz/ is a build folder.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build-fuzz/corpus}
fuzz_format=${FUZZ_BUILD:-build-fuzz}/fuzz_format
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
max_seed=32768
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$fuzz_format" ]; then
    echo "build_corpus: $fuzz_format is missing; run make fuzz-build" >&2
    exit 2
fi
formats=$(SSHTRAIL_FUZZ_LIST=1 "$fuzz_format")
mkdir -p "$out/pipeline" "$out/json" "$out/config"
for f in $formats; do
    mkdir -p "$out/format-$f"
done

# add_seed DIR FILE: copies the first max_seed bytes of FILE, cut after
# the last line feed when there is one, into DIR under its SHA-1.
add_seed() {
    local dir=$1 file=$2
    head -c "$max_seed" "$file" >"$tmp/cut"
    if [ "$(stat -c %s "$file")" -gt "$max_seed" ] &&
        [ "$(tail -c 1 "$tmp/cut" | od -An -c | tr -d ' ')" != '\n' ]; then
        sed -i '$d' "$tmp/cut"
    fi
    [ -s "$tmp/cut" ] || return 0
    cp "$tmp/cut" "$dir/$(sha1sum "$tmp/cut" | cut -c1-40)"
}

# format_of FILE: prints the format sshtrail detects for FILE, or nothing.
format_of() {
    [ -x "$bin" ] || return 0
    "$bin" events --year 2024 "$1" 2>&1 >/dev/null |
        sed -n 's/^  input .*: format \([a-z0-9-]*\),.*/\1/p' | head -n 1
}

classify() {
    local file=$1 fmt
    add_seed "$out/pipeline" "$file"
    case $(head -c 64 "$file" | tr -d ' \t\r\n' | head -c 1) in
    '{' | '[') add_seed "$out/json" "$file" ;;
    esac
    fmt=$(format_of "$file")
    if [ -n "$fmt" ] && [ -d "$out/format-$fmt" ]; then
        add_seed "$out/format-$fmt" "$file"
    else
        for f in $formats; do
            add_seed "$out/format-$f" "$file"
        done
    fi
}

# A glibc utmp file (384-byte records): a boot, a login and a logout.
python3 - "$tmp/wtmp" <<'PY'
import struct, sys
def rec(kind, pid, line, ident, user, host, sec):
    return struct.pack("<hhi32s4s32s256shhiii16s20s", kind, 0, pid,
                       line.encode(), ident.encode(), user.encode(),
                       host.encode(), 0, 0, 0, sec, 0,
                       bytes([192, 0, 2, 10]), b"")
with open(sys.argv[1], "wb") as f:
    f.write(rec(2, 0, "~", "~~", "reboot", "6.1.0", 1704067200))
    f.write(rec(7, 4120, "pts/0", "ts/0", "alice", "192.0.2.10", 1704067300))
    f.write(rec(8, 4120, "pts/0", "ts/0", "", "", 1704067900))
PY
add_seed "$out/pipeline" "$tmp/wtmp"
[ -d "$out/format-wtmp" ] && add_seed "$out/format-wtmp" "$tmp/wtmp"

# Hand-written seeds name their format by folder.
for dir in fuzz/seeds/*/; do
    name=$(basename "$dir")
    for file in "$dir"*; do
        [ -f "$file" ] || continue
        if [ "$name" = config ]; then
            add_seed "$out/config" "$file"
            continue
        fi
        add_seed "$out/pipeline" "$file"
        [ -d "$out/format-$name" ] && add_seed "$out/format-$name" "$file"
        case $(head -c 1 "$file") in
        '{' | '[') add_seed "$out/json" "$file" ;;
        esac
    done
done

for file in tests/fixtures/config/*.yaml; do
    [ -f "$file" ] && add_seed "$out/config" "$file"
done

find tests/golden/cases tests/fixtures examples -type f \
    ! -name args ! -name 'expected*' ! -name '*.yaml' ! -name '*.md' \
    -print | sort >"$tmp/files"
if [ -n "${SSHTRAIL_CORPUS:-}" ] && [ -d "$SSHTRAIL_CORPUS" ]; then
    find "$SSHTRAIL_CORPUS" -type f ! -name '*.md' -print | sort >>"$tmp/files"
fi
while IFS= read -r file; do
    classify "$file"
done <"$tmp/files"

for dir in "$out"/*/; do
    echo "build_corpus: $(ls "$dir" | wc -l) seeds in $dir"
done
