#!/usr/bin/env bash
# Command-line tests of mmulockstep: usage errors, the configuration check,
# the scoreboard firing on an injected mismatch, determinism, waveforms.
# usage: cli.sh PATH/TO/mmulockstep SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # NAME EXPECTED_STATUS PATTERN -- ARGS...
    local name="$1" want="$2" pat="$3"
    shift 4
    "$bin" "$@" >"$tmp/out" 2>&1
    local rc=$?
    if [ "$rc" != "$want" ] || ! grep -qE -- "$pat" "$tmp/out"; then
        echo "FAIL $name: exit $rc (expected $want), pattern '$pat'"
        sed 's/^/    /' "$tmp/out" | head -40
        fail=1
    else
        echo "ok   $name"
    fi
}
check help 0 'usage: mmulockstep' -- --help
check list 0 '^walk_2m ' -- --list-tests
check bad-option 2 'unknown option' -- --frobnicate
check bad-test 2 "unknown test 'nope'" -- --test nope
check bad-memlat 2 'mem-lat' -- --mem-lat 0
check bad-key 2 'unknown key' -- --set dtlb.8k.entries=4
check config-refused 2 'dtlb.4k.entries = 16, but the RTL was built with DTLB_4K_ENTRIES = 8' -- --set dtlb.4k.entries=16
check preset-refused 2 'the RTL was built with' -- --preset skylake
check config-c-ok 0 '^PASS' -- --dut c --preset skylake --test random --cycles 20000
check seed-printed 0 '^seed 12345$' -- --dut c --seed 12345 --cycles 2000
# the scoreboard fires: one line each for cycle, port, values, seed; exit 1
check inject 1 '^  port:  req_ready_o$' -- --dut c --seed 5 --cycles 5000 --inject-mismatch 1000
grep -q '^MISMATCH at cycle 1000$' "$tmp/out" && grep -q '^  seed:  5$' "$tmp/out" &&
    grep -q '^  rtl:   ' "$tmp/out" && grep -q '^  model: ' "$tmp/out" || { echo "FAIL inject: report lines"; fail=1; }
# same seed, same result
"$bin" --seed 77 --cycles 30000 | grep -v ' s (' >"$tmp/a"
"$bin" --seed 77 --cycles 30000 | grep -v ' s (' >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then echo "ok   deterministic"; else echo "FAIL deterministic"; diff "$tmp/a" "$tmp/b" | head; fail=1; fi
# waveforms: FST, from a given cycle, and VCD through fst2vcd
check wave-fst 0 '^waveform: ' -- --test l1_hit --wave "$tmp/w.fst"
[ -s "$tmp/w.fst" ] || { echo "FAIL wave-fst: no file"; fail=1; }
check wave-from 0 '^PASS' -- --seed 3 --cycles 3000 --wave "$tmp/w2.fst" --wave-from 2000
[ -s "$tmp/w2.fst" ] || { echo "FAIL wave-from: no file"; fail=1; }
if command -v fst2vcd >/dev/null; then
    check wave-vcd 0 'converted to' -- --test walk_1g --wave "$tmp/w.vcd"
    grep -q 'rsp_valid_o' "$tmp/w.vcd" || { echo "FAIL wave-vcd: no rsp_valid_o in the VCD"; fail=1; }
fi
exit $fail
