#!/usr/bin/env bash
# Messages of the command line: unknown options and commands, writing the
# output to a full device, escaping of file names on stderr, compressed
# inputs, duration and time zone values, an input named twice, and the
# hash seed from the environment.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:?SSHTRAIL_BIN must name the sshtrail binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp examples/auth.log "$tmp/a.log"

check() {
    local name=$1 expected=$2 actual=$3
    if [ "$actual" = "$expected" ]; then
        echo "PASS cli_errors/$name"
    else
        echo "FAIL cli_errors/$name: expected $expected, got $actual"
    fi
}

# has NAME TEXT: PASS when the last stderr contains TEXT.
has() {
    if grep -qF -- "$2" "$tmp/err"; then
        echo "PASS cli_errors/$1"
    else
        echo "FAIL cli_errors/$1: stderr lacks '$2': $(head -c 300 "$tmp/err")"
    fi
}

# lacks NAME TEXT: PASS when the last stderr does not contain TEXT.
lacks() {
    if grep -qF -- "$2" "$tmp/err"; then
        echo "FAIL cli_errors/$1: stderr has '$2': $(head -c 300 "$tmp/err")"
    else
        echo "PASS cli_errors/$1"
    fi
}

# ---- Unknown options and commands ---------------------------------------

"$bin" detect -x "$tmp/a.log" > /dev/null 2> "$tmp/err"
check unknown_short_exit 2 $?
has unknown_short_message "unknown option '-x'"
lacks unknown_short_not_value "needs a value"

"$bin" detect --quiet -x "$tmp/a.log" > /dev/null 2> "$tmp/err"
has unknown_short_after_flag "unknown option '-x'"

"$bin" detect --window > /dev/null 2> "$tmp/err"
check missing_value_exit 2 $?
has missing_value_message "option '--window' needs a value"

"$bin" detect --quiet=yes "$tmp/a.log" > /dev/null 2> "$tmp/err"
check flag_with_value_exit 2 $?
has flag_with_value_message "option '--quiet' takes no value"

"$bin" detect --bogus "$tmp/a.log" > /dev/null 2> "$tmp/err"
has unknown_long_message "unknown option '--bogus'"

"$bin" -V > /dev/null 2> "$tmp/err"
check option_before_command_exit 2 $?
has option_before_command_names_it "'-V'"
lacks option_before_command_not_command "unknown command"

"$bin" frob > /dev/null 2> "$tmp/err"
check unknown_command_exit 2 $?
for word in detect sessions events coverage baseline config; do
    has "unknown_command_lists_$word" "$word"
done
"$bin" > /dev/null 2> "$tmp/err"
check missing_command_exit 2 $?
has missing_command_lists_baseline baseline
has missing_command_lists_config config

# ---- Durations and time zones -------------------------------------------

"$bin" detect --quiet --window 5 "$tmp/a.log" > /dev/null 2> "$tmp/err"
check bare_seconds_window_exit 0 $?
"$bin" --help > "$tmp/help"
check help_states_bare_seconds 1 "$(grep -c 'bare number is seconds' \
    "$tmp/help")"

"$bin" detect --timezone +25:00 "$tmp/a.log" > /dev/null 2> "$tmp/err"
check offset_out_of_range_exit 2 $?
has offset_out_of_range_message "invalid UTC offset '+25:00'"
lacks offset_out_of_range_not_zoneinfo "zoneinfo"

# ---- Output errors --------------------------------------------------------

if [ -w /dev/full ]; then
    "$bin" config check tests/fixtures/config/full.yaml > /dev/full \
        2> "$tmp/err"
    check config_check_full_exit 4 $?
    has config_check_full_message "writing output failed"
    "$bin" events --quiet "$tmp/a.log" > /dev/full 2> "$tmp/err"
    check events_full_exit 4 $?
else
    echo "SKIP cli_errors/config_check_full: /dev/full is not writable"
fi

# ---- File names on stderr are escaped -------------------------------------

evil=$'evil\x1b[31mred\nname.log'
shown='evil\x1b[31mred\x0aname.log'
printf 'not a log line\n' > "$tmp/$evil"

# raw_free NAME: PASS when the last stderr has no ESC and no line holding
# only the tail of the name (a raw newline split it).
raw_free() {
    if grep -q $'\x1b' "$tmp/err" || grep -q '^name\.log' "$tmp/err"; then
        echo "FAIL cli_errors/$1: raw control bytes on stderr:" \
            "$(head -c 300 "$tmp/err" | od -c | head -5)"
    else
        echo "PASS cli_errors/$1"
    fi
}

(cd "$tmp" && "$bin" events --format sshd "$evil" > /dev/null 2> err)
raw_free escaped_summary_raw_free
has escaped_summary_input "input $shown: format sshd"
has escaped_summary_location "at $shown:1"

(cd "$tmp" && "$bin" events "missing-$evil" > /dev/null 2> err)
raw_free escaped_cannot_open_raw_free
has escaped_cannot_open "missing-$shown"

(cd "$tmp" && "$bin" config check "$evil" > /dev/null 2> err)
raw_free escaped_config_check_raw_free
has escaped_config_check "invalid configuration: $shown"

(cd "$tmp" && "$bin" detect --config "$evil" a.log > /dev/null 2> err)
raw_free escaped_config_option_raw_free

(cd "$tmp" && "$bin" "$evil" > /dev/null 2> err)
raw_free escaped_unknown_command_raw_free
has escaped_unknown_command "'$shown'"

(cd "$tmp" && "$bin" detect --quiet --state "$evil" a.log > /dev/null \
    2> err)
raw_free escaped_state_file_raw_free

# ---- Compressed inputs ----------------------------------------------------

python3 - "$tmp" <<'PY'
import bz2, gzip, lzma, os, sys
d = sys.argv[1]
text = open("examples/auth.log", "rb").read()
open(os.path.join(d, "a.log.gz"), "wb").write(gzip.compress(text))
open(os.path.join(d, "a.log.xz"), "wb").write(lzma.compress(text))
open(os.path.join(d, "a.log.bz2"), "wb").write(bz2.compress(text))
open(os.path.join(d, "empty.bz2"), "wb").write(bz2.compress(b""))
# A zstd frame header: the magic, then a frame header descriptor.
open(os.path.join(d, "a.log.zst"), "wb").write(
    b"\x28\xb5\x2f\xfd\x24\x00" + text[:64])
PY
for z in gz:zcat xz:xzcat bz2:bzcat zst:zstdcat; do
    ext=${z%%:*}
    tool=${z#*:}
    (cd "$tmp" && "$bin" detect "a.log.$ext" > out 2> err)
    check "compressed_${ext}_exit" 3 $?
    has "compressed_${ext}_message" "$tool FILE | sshtrail detect -"
done
(cd "$tmp" && "$bin" events --format sshd a.log.gz > out 2> err)
check compressed_named_format_exit 3 $?
check compressed_named_format_no_events 0 "$(wc -c < "$tmp/out")"
(cd "$tmp" && "$bin" events empty.bz2 > out 2> err)
check compressed_empty_bzip2_exit 3 $?
"$bin" events --quiet - < "$tmp/a.log.gz" > /dev/null 2> "$tmp/err"
check compressed_stdin_exit 3 $?
has compressed_stdin_message "gzip-compressed"

# ---- Limits and repeated inputs -------------------------------------------

(
    ulimit -n 16
    cd "$tmp" || exit 1
    files=()
    for i in $(seq 1 20); do
        cp a.log "many$i.log"
        files+=("many$i.log")
    done
    "$bin" events --quiet "${files[@]}" > out 2> err
)
check too_many_files_exit 3 $?
has too_many_files_hint "ulimit -n"

(cd "$tmp" && "$bin" events --quiet a.log a.log ./a.log > out 2> err)
check repeated_input_exit 0 $?
check repeated_input_read_once "$("$bin" events --quiet "$tmp/a.log" | wc -l)" \
    "$(wc -l < "$tmp/out")"
has repeated_input_same_path "input a.log is named more than once"
has repeated_input_other_path "input ./a.log names the same file as input a.log"

# ---- Hash seed ------------------------------------------------------------

SSHTRAIL_HASH_SEED=12x "$bin" detect "$tmp/a.log" > /dev/null 2> "$tmp/err"
check hash_seed_invalid_exit 2 $?
has hash_seed_invalid_message "SSHTRAIL_HASH_SEED: invalid value '12x'"
SSHTRAIL_HASH_SEED=-3 "$bin" detect "$tmp/a.log" > /dev/null 2> "$tmp/err"
check hash_seed_negative_exit 2 $?
SSHTRAIL_HASH_SEED=' -3' "$bin" detect "$tmp/a.log" > /dev/null 2> "$tmp/err"
check hash_seed_space_negative_exit 2 $?
SSHTRAIL_HASH_SEED=' 5' "$bin" detect "$tmp/a.log" > /dev/null 2> "$tmp/err"
check hash_seed_leading_space_exit 2 $?
SSHTRAIL_HASH_SEED=+5 "$bin" detect "$tmp/a.log" > /dev/null 2> "$tmp/err"
check hash_seed_plus_sign_exit 2 $?
"$bin" detect --year 2024 --output json "$tmp/a.log" examples/audit.log \
    > "$tmp/random.out" 2> /dev/null
SSHTRAIL_HASH_SEED=0x5eed "$bin" detect --year 2024 --output json \
    "$tmp/a.log" examples/audit.log > "$tmp/fixed.out" 2> /dev/null
check hash_seed_fixed_exit 0 $?
if cmp -s "$tmp/random.out" "$tmp/fixed.out" && [ -s "$tmp/fixed.out" ]; then
    echo "PASS cli_errors/hash_seed_same_output"
else
    echo "FAIL cli_errors/hash_seed_same_output: a fixed seed changed the output"
fi
