#!/usr/bin/env bash
# cli_presets.sh - the real cores' presets on a real trace (issue #10):
# for skylake, goldencove, zen2 and zen4, the shipped `ls -l /etc` trace
# (traces/ls-etc.lackey.xz) makes no more page walks with 1 GiB pages than
# with 2 MiB pages, and no more with 2 MiB than with 4 KiB pages: larger
# pages cover the same footprint with fewer translations, and every preset
# caches every page size somewhere (whole, or as pieces: docs/config.md).
# Also: each preset's organisation dumps and reads back, --list-presets
# names every preset with its source.
#
# usage: bash cli_presets.sh BIN_DIR SRC_DIR
set -u
BIN=${1:?usage: cli_presets.sh BIN_DIR SRC_DIR}
SRC=${2:?usage: cli_presets.sh BIN_DIR SRC_DIR}
BIN=$(cd "$BIN" && pwd) || exit 1
SRC=$(cd "$SRC" && pwd) || exit 1
SIM=$BIN/mmusim
TRC=$SRC/traces/ls-etc.lackey.xz
. "$(dirname "$0")/testlib.sh" cli_presets

walks() { # PRESET BACKING -> total walks (owner walks) of the run
    "$SIM" --preset "$1" --backing "$2" -t "$TRC" --json "$T/$1-$2.json" >/dev/null 2>"$T/err-$1-$2" || {
        echo "error"
        return
    }
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["by_size"]["total"]["walks"])' "$T/$1-$2.json"
}

for p in skylake goldencove zen2 zen4; do
    w4=$(walks "$p" 4k) w2=$(walks "$p" 2m) w1=$(walks "$p" 1g)
    case "$w4$w2$w1" in *error*)
        fail "$p walks" "mmusim failed: $(cat "$T"/err-"$p"-* | head -3)"
        continue ;;
    esac
    if [ "$w1" -le "$w2" ] && [ "$w2" -le "$w4" ] && [ "$w4" -gt 0 ]; then
        pass "$p: walks 1g $w1 <= 2m $w2 <= 4k $w4"
    else
        fail "$p walks" "1g $w1, 2m $w2, 4k $w4: expected 1g <= 2m <= 4k"
    fi
done

# each preset's --dump-config, fed back as --set lines, is the same dump
for p in tiny skylake goldencove zen2 zen4; do
    run "$SIM" --preset "$p" --dump-config
    cp out dump1
    args=()
    while IFS= read -r line; do
        args+=(--set "${line/ = /=}")
    done <dump1
    run "$SIM" --preset "$p" "${args[@]}" --dump-config
    if [ "$rc" -eq 0 ] && cmp -s out dump1; then pass "$p dump reads back"
    else fail "$p dump reads back" "rc=$rc $(head -2 err)"; fi
done

run "$SIM" --list-presets
for p in tiny skylake goldencove zen2 zen4; do
    if grep -q "^ *$p" out; then pass "--list-presets names $p"; else fail "--list-presets" "no $p in: $(cat out)"; fi
done
finish
