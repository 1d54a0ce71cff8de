#!/usr/bin/env bash
# cli_trace.sh - end-to-end tests of the trace converter `mmutrace`.
# Usage: bash cli_trace.sh BIN_DIR SRC_DIR
# Round trips between the formats, the system's gzip/xz/zstd (each skipped
# with a message when missing), standard input and output, and bad inputs:
# each must exit 1 with exactly one line on stderr naming the file and line.
set -u

BIN_DIR=${1:?usage: bash cli_trace.sh BIN_DIR SRC_DIR}
SRC_DIR=${2:?usage: bash cli_trace.sh BIN_DIR SRC_DIR}
MT="$BIN_DIR/mmutrace"
LACKEY="$SRC_DIR/traces/sample.lackey"
TEXT="$SRC_DIR/traces/sample.txt"

pass=0
fail=0
T=$(mktemp -d /tmp/cli_trace.XXXXXX) || exit 2
trap 'rm -rf "$T"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# expect_status WANT DESCRIPTION -- COMMAND...: runs COMMAND, stdout to $T/out,
# stderr to $T/err, and checks its exit status.
expect_status() {
    local want=$1 what=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want ($(head -c 300 "$T/err"))"; fi
}

# same FILE1 FILE2 DESCRIPTION
same() {
    if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; fi
}

# expect_error WANT_LINE DESCRIPTION -- COMMAND...: exit 1, stderr exactly WANT_LINE.
expect_error() {
    local want=$1 what=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" -ne 1 ]; then
        bad "$what: exit $got, want 1"
        return
    fi
    if [ "$(wc -l <"$T/err")" -eq 1 ] && [ "$(cat "$T/err")" = "$want" ]; then
        ok
    else
        bad "$what: stderr is '$(head -c 400 "$T/err")', want '$want'"
    fi
}

if [ ! -x "$MT" ]; then
    echo "FAIL: $MT not found or not executable"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- help and usage errors (exit 2) ----------------------------------------
expect_status 0 "--help" -- "$MT" --help
if grep -q '^Usage:' "$T/out" && grep -q 'mmutrace convert IN OUT' "$T/out"; then ok; else bad "--help text"; fi
expect_status 2 "no command" -- "$MT"
expect_status 2 "unknown command" -- "$MT" frobnicate x
expect_status 2 "convert without OUT" -- "$MT" convert "$TEXT"
expect_status 2 "info with two files" -- "$MT" info "$TEXT" "$TEXT"
expect_status 2 "bad --to" -- "$MT" convert "$TEXT" "$T/x" --to lackey
expect_status 2 "bad --compress" -- "$MT" convert "$TEXT" "$T/x" --compress bzip2
expect_status 2 "bad --from" -- "$MT" convert "$TEXT" "$T/x" --from csv
expect_status 2 "--to without argument" -- "$MT" convert "$TEXT" "$T/x" --to
expect_status 2 "unknown option" -- "$MT" convert "$TEXT" "$T/x" --frobnicate
expect_status 2 "info with --to" -- "$MT" info "$TEXT" --to text
if [ ! -e "$T/x" ]; then ok; else bad "a usage error created the output file"; fi

# --- round trips ------------------------------------------------------------
# The lackey sample and the text sample hold the same accesses; the text
# writer's output drops the sample's comments, so compare the converter's own
# outputs with each other.
expect_status 0 "lackey -> text" -- "$MT" convert "$LACKEY" "$T/l.txt" --to text
expect_status 0 "text sample -> text" -- "$MT" convert "$TEXT" "$T/t.txt" --to text
same "$T/l.txt" "$T/t.txt" "lackey and text samples"
if [ "$(head -1 "$T/l.txt")" = "#mmutrace text v2" ] && grep -qx 'X 0x4014f0 2' "$T/l.txt" \
    && grep -qx 'R 0x4a6ffe 4' "$T/l.txt" && grep -qx 'W 0x1fff000390 16' "$T/l.txt"; then ok; else
    bad "text output lines"
fi
expect_status 0 "text -> bin" -- "$MT" convert "$T/l.txt" "$T/a.bin"
if [ "$(head -c 8 "$T/a.bin")" = "MMUTRC02" ] && [ "$(wc -c <"$T/a.bin")" -eq $((8 + 113 * 16)) ]; then ok; else
    bad "binary output: magic or size"
fi
expect_status 0 "bin -> text" -- "$MT" convert "$T/a.bin" "$T/b.txt" --to text
same "$T/l.txt" "$T/b.txt" "text -> bin -> text"
expect_status 0 "bin -> bin" -- "$MT" convert "$T/a.bin" "$T/c.bin" --to bin
same "$T/a.bin" "$T/c.bin" "bin -> bin"
expect_status 0 "lackey -> bin" -- "$MT" convert "$LACKEY" "$T/d.bin"
same "$T/a.bin" "$T/d.bin" "lackey -> bin and text -> bin"

# info
expect_status 0 "info" -- "$MT" info "$LACKEY"
cat >"$T/info.want" <<EOF
file: $LACKEY
format: lackey
compression: none
records: 113
read: 5
write: 19
exec: 81
modify: 8
control: 0
user: 0
supervisor: 0
implicit: 0
min address: 0x4014f0
max address: 0x1fff000630
EOF
same "$T/out" "$T/info.want" "info on the lackey sample"
printf '' >"$T/empty"
expect_status 0 "info on an empty file" -- "$MT" info "$T/empty"
if grep -qx 'records: 0' "$T/out" && grep -qx 'format: text' "$T/out" && grep -qx 'min address: -' "$T/out"; then ok; else
    bad "info on an empty file"
fi

# standard input and output
"$MT" convert - - --to text <"$LACKEY" >"$T/s.txt" 2>"$T/err"
if [ $? -eq 0 ]; then ok; else bad "stdin -> stdout: $(cat "$T/err")"; fi
same "$T/l.txt" "$T/s.txt" "stdin -> stdout"
cat "$T/a.bin" | "$MT" info - >"$T/out" 2>"$T/err"
if [ $? -eq 0 ] && grep -qx 'records: 113' "$T/out" && grep -qx 'format: bin' "$T/out"; then ok; else bad "info from a pipe"; fi
"$MT" convert "$LACKEY" - --compress gzip | "$MT" convert - "$T/p.txt" --to text 2>"$T/err"
if [ $? -eq 0 ]; then ok; else bad "pipe gzip: $(cat "$T/err")"; fi
same "$T/l.txt" "$T/p.txt" "mmutrace | mmutrace through gzip"

# output onto the input
cp "$T/a.bin" "$T/self.bin"
expect_error "mmutrace: $T/self.bin: output is the input file" "output is the input" -- \
    "$MT" convert "$T/self.bin" "$T/self.bin"
same "$T/a.bin" "$T/self.bin" "input left intact"

# --- compression through the system tools ------------------------------------
for z in gzip xz zstd; do
    if ! command -v "$z" >/dev/null 2>&1; then
        echo "SKIP: $z not installed: the $z part of the test is skipped"
        continue
    fi
    # System tool compresses; mmutrace reads (both formats).
    "$z" -c <"$T/l.txt" >"$T/z.txt.$z"
    "$z" -c <"$T/a.bin" >"$T/z.bin.$z"
    expect_status 0 "$z text -> text" -- "$MT" convert "$T/z.txt.$z" "$T/zt.txt" --to text
    same "$T/l.txt" "$T/zt.txt" "$z-compressed text"
    expect_status 0 "$z bin -> bin" -- "$MT" convert "$T/z.bin.$z" "$T/zb.bin"
    same "$T/a.bin" "$T/zb.bin" "$z-compressed bin"
    expect_status 0 "$z info" -- "$MT" info "$T/z.bin.$z"
    if grep -qx "compression: $z" "$T/out" && grep -qx 'records: 113' "$T/out"; then ok; else bad "$z info"; fi
    # From standard input.
    "$MT" convert - "$T/zs.txt" --to text <"$T/z.txt.$z" 2>"$T/err"
    if [ $? -eq 0 ]; then ok; else bad "$z from stdin: $(cat "$T/err")"; fi
    same "$T/l.txt" "$T/zs.txt" "$z from stdin"
    # Concatenated members/streams/frames.
    cat "$T/z.txt.$z" "$T/z.txt.$z" >"$T/zz.$z"
    expect_status 0 "$z concatenated" -- "$MT" info "$T/zz.$z"
    if grep -qx 'records: 226' "$T/out"; then ok; else bad "$z concatenated: $(cat "$T/out")"; fi
    # mmutrace compresses; the system tool decompresses.
    for fmt in text bin; do
        expect_status 0 "$z write $fmt" -- "$MT" convert "$LACKEY" "$T/w.$fmt.$z" --to "$fmt" --compress "$z"
        "$z" -dc <"$T/w.$fmt.$z" >"$T/w.$fmt" 2>"$T/err"
        if [ $? -eq 0 ]; then ok; else bad "$z -dc of mmutrace's $fmt output: $(cat "$T/err")"; fi
        if [ "$fmt" = text ]; then same "$T/l.txt" "$T/w.text" "$z $fmt written"; else same "$T/a.bin" "$T/w.bin" "$z $fmt written"; fi
    done
    # Truncated: cut a real compressed file at several points.
    size=$(wc -c <"$T/z.txt.$z")
    for cut in $((size - 1)) $((size / 2)) 10; do
        head -c "$cut" "$T/z.txt.$z" >"$T/cut.$z"
        expect_error "mmutrace: $T/cut.$z: truncated or corrupt $z stream" "$z cut at $cut of $size" -- \
            "$MT" convert "$T/cut.$z" "$T/cut.out" --to text
        if [ ! -e "$T/cut.out" ]; then ok; else bad "$z cut: partial output left behind"; fi
    done
    head -c $((size / 2)) "$T/z.txt.$z" | "$MT" info - >"$T/out" 2>"$T/err"
    if [ $? -eq 1 ] && [ "$(cat "$T/err")" = "mmutrace: <stdin>: truncated or corrupt $z stream" ]; then ok; else
        bad "$z truncated on stdin: $(cat "$T/err")"
    fi
done

# --- bad inputs: exit 1, one line naming the file and line --------------------
printf 'R 0x1000 8\n# comment\nQ 0x2000 8\n' >"$T/bad1.txt"
expect_error "mmutrace: $T/bad1.txt:3: unknown kind 'Q' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)" "unknown kind" -- \
    "$MT" convert "$T/bad1.txt" "$T/o.bin"
if [ ! -e "$T/o.bin" ]; then ok; else bad "partial output left behind after a bad input"; fi
printf 'R 0x1000 8\nW 0x12g4 8\n' >"$T/bad2.txt"
expect_error "mmutrace: $T/bad2.txt:2: bad address '0x12g4'" "bad address" -- "$MT" info "$T/bad2.txt"
printf 'R 0x10000000000000000 8\n' >"$T/bad3.txt"
expect_error "mmutrace: $T/bad3.txt:1: address 0x10000000000000000 above 2^64-1" "address overflow" -- \
    "$MT" info "$T/bad3.txt"
printf 'R 0x1000 0\n' >"$T/bad4.txt"
expect_error "mmutrace: $T/bad4.txt:1: size 0 (must be 1..4096)" "size 0" -- "$MT" info "$T/bad4.txt"
printf 'R 0x1000 8 extra\n' >"$T/bad5.txt"
expect_error "mmutrace: $T/bad5.txt:1: bad privilege 'extra' (expected u, s or i)" "trailing junk" -- "$MT" info "$T/bad5.txt"
{ head -20 "$LACKEY"; echo ' Q 1000,8'; } >"$T/bad6.lackey"
expect_error "mmutrace: $T/bad6.lackey:21: malformed lackey line (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')" \
    "malformed lackey" -- "$MT" info "$T/bad6.lackey"
{ head -20 "$LACKEY"; echo ' L 1000,'; } >"$T/bad7.lackey"
expect_error "mmutrace: $T/bad7.lackey:21: malformed lackey line (bad size)" "lackey bad size" -- \
    "$MT" info "$T/bad7.lackey"
{ echo 'R 1 1'; head -c 5000 /dev/zero | tr '\0' 'x'; echo; } >"$T/long.txt"
expect_error "mmutrace: $T/long.txt:2: line longer than 4096 bytes" "overlong line" -- "$MT" info "$T/long.txt"
head -c $((8 + 16 * 3 + 7)) "$T/a.bin" >"$T/trunc.bin"
expect_error "mmutrace: $T/trunc.bin: record 4: truncated (7 of 16 bytes, at byte 56)" "truncated binary" -- \
    "$MT" convert "$T/trunc.bin" "$T/o.txt" --to text
{ head -c 8 "$T/a.bin"; printf '\0\020\0\0\0\0\0\0\010\0\0\0\011\0\0\0'; } >"$T/kind.bin"
expect_error "mmutrace: $T/kind.bin: record 1: bad kind 9" "bad kind" -- "$MT" info "$T/kind.bin"
{ printf 'MMUTRC03'; tail -c 32 "$T/a.bin"; } >"$T/v2.bin"
expect_error "mmutrace: $T/v2.bin: unsupported binary trace version 'MMUTRC03' (expected 'MMUTRC01' or 'MMUTRC02')" \
    "bad magic version" -- "$MT" info "$T/v2.bin"
expect_error "mmutrace: $T/l.txt: bad magic (not an mmutrace binary trace: expected 'MMUTRC01' or 'MMUTRC02')" \
    "forced bin on text" -- "$MT" info "$T/l.txt" --from bin
expect_error "mmutrace: $T/missing: No such file or directory" "missing input" -- "$MT" info "$T/missing"
printf 'Q 1 1\n' | "$MT" info - >"$T/out" 2>"$T/err"
if [ $? -eq 1 ] && [ "$(cat "$T/err")" = "mmutrace: <stdin>:1: unknown kind 'Q' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)" ]; then ok; else
    bad "bad input on stdin: $(cat "$T/err")"
fi
expect_error "mmutrace: $T/nodir/o.bin: No such file or directory" "unwritable output" -- \
    "$MT" convert "$TEXT" "$T/nodir/o.bin"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
