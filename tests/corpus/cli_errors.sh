#!/usr/bin/env bash
# Messages of the command line: unknown options and commands, writing the
# output to a full device, escaping of file names on stderr, compressed
# inputs, duration and time zone values, and an input named twice.
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
