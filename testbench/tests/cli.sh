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
check config-refused 2 'tlb.dtlb.entries = 16, but the RTL was built with TLB2_ENTRIES = 8' -- --set tlb.dtlb.entries=16
# an array more (a slot the build does not have) and one less
check config-refused-slot 2 'tlb.extra.entries = 16, but the RTL was built with TLB7_ENTRIES = 0' -- --set tlb.extra.entries=16
check config-refused-off 2 'the RTL was built with TLB6_ENTRIES = 8' -- --set tlb.stlb1g=off
check preset-refused 2 'the RTL was built with' -- --preset skylake
check config-c-ok 0 '^PASS' -- --dut c --preset skylake --test random --cycles 20000
check seed-printed 0 '^seed 12345$' -- --dut c --seed 12345 --cycles 2000
# the scoreboard fires: one line each for cycle, port, values, seed; exit 1
check inject 1 '^  port:  req_ready_o$' -- --dut c --seed 5 --cycles 5000 --inject-mismatch 1000 \
    --mismatch-wave "$tmp/inject-c.vcd"
grep -q '^MISMATCH at cycle 1000$' "$tmp/out" && grep -q '^  seed:  5$' "$tmp/out" &&
    grep -q '^  rtl:   ' "$tmp/out" && grep -q '^  model: ' "$tmp/out" || { echo "FAIL inject: report lines"; fail=1; }
# the mismatch waveform: a VCD with rtl.* and model.* side by side, the times
# of the FST, a GTKWave save file; vcd2fst (from gtkwave) must read it
check mismatch-vcd 1 '^  open:  gtkwave .*/m\.vcd .*/m\.gtkw$' -- --seed 5 --cycles 5000 --inject-mismatch 1000 \
    --mismatch-wave "$tmp/m.vcd"
grep -q 'cycle 1000 <-> 10010000 ps' "$tmp/out" || { echo "FAIL mismatch-vcd: time mapping line"; fail=1; }
if [ -s "$tmp/m.vcd" ] && [ -s "$tmp/m.gtkw" ] && grep -q '^\$scope module rtl \$end' "$tmp/m.vcd" &&
    grep -q '^\$scope module model \$end' "$tmp/m.vcd" && grep -q '^\$timescale 1ps \$end' "$tmp/m.vcd" &&
    grep -q '^#10010000$' "$tmp/m.vcd" && grep -qF '+{model:req_ready_o} model.req_ready_o' "$tmp/m.gtkw"; then
    echo "ok   mismatch-vcd-content"
else
    echo "FAIL mismatch-vcd-content"; fail=1
fi
if command -v vcd2fst >/dev/null; then
    if vcd2fst "$tmp/m.vcd" "$tmp/m.fst" >"$tmp/v2f" 2>&1 && [ -s "$tmp/m.fst" ]; then
        echo "ok   mismatch-vcd-vcd2fst"
    else
        echo "FAIL mismatch-vcd-vcd2fst"; sed 's/^/    /' "$tmp/v2f" | head; fail=1
    fi
fi
check no-mismatch-vcd 1 '^MISMATCH' -- --dut c --seed 5 --cycles 3000 --inject-mismatch 500 --mismatch-wave none
grep -q '^mismatch waveform' "$tmp/out" && { echo "FAIL no-mismatch-vcd: written"; fail=1; }
# the end-of-test array compare: equal on a passing run; fires on a corrupted way
check arrays-equal 0 '^arrays: 53 ways of 9 arrays compared through the debug read port: equal$' -- --seed 4 --cycles 20000
check arrays-inject 1 '^  array: stlb \(dbg_arr 5\), set [0-9]+, way [0-9]+' -- --seed 4 --cycles 20000 \
    --inject-array-mismatch stlb
grep -q '^ARRAY MISMATCH at the end of the test' "$tmp/out" && grep -q '^  field: tag$' "$tmp/out" &&
    grep -q '^  seed:  4$' "$tmp/out" && grep -q '^  rtl:   ' "$tmp/out" && grep -q '^  model: ' "$tmp/out" ||
    { echo "FAIL arrays-inject: report lines"; fail=1; }
check arrays-inject-lru 1 '^  field: age \(LRU\)$' -- --seed 4 --cycles 20000 --inject-array-mismatch itlb:age
check arrays-inject-plru 1 '^  field: plru' -- --seed 4 --cycles 20000 --inject-array-mismatch dtlb:plru
check arrays-inject-lfsr 1 '^  field: lfsr$' -- --dut c --seed 4 --cycles 20000 --inject-array-mismatch pde:lfsr
check arrays-inject-asize 1 '^  field: asize$' -- --seed 4 --cycles 20000 --inject-array-mismatch sdtlb:asize
check arrays-inject-bad 2 'unknown array' -- --inject-array-mismatch nope
check arrays-inject-policy 2 'not compared' -- --inject-array-mismatch stlb:plru
# coverage: two runs, merged; a reachable bin missed fails --require-coverage
check coverage-run 0 '^coverage: [0-9]+ of [0-9]+ reachable bins hit' -- --seed 8 --cycles 30000 --coverage "$tmp/c1.json"
check coverage-directed 0 '^coverage: ' -- --test two_walks --coverage "$tmp/c2.json"
check coverage-merge 0 'reachable bins hit' -- --coverage-merge --coverage "$tmp/sum.json" "$tmp/c1.json" "$tmp/c2.json"
grep -q '^coverage of 2 runs (1 random, 1 two_walks)' "$tmp/out" && grep -q '^unreachable by construction:' "$tmp/out" &&
    [ -s "$tmp/sum.json" ] || { echo "FAIL coverage-merge: report"; fail=1; }
check coverage-require 1 'MISSED' -- --coverage-merge --require-coverage "$tmp/c2.json"
check coverage-dut-c 2 'needs the RTL' -- --dut c --coverage "$tmp/c3.json"
# same seed, same result
"$bin" --seed 77 --cycles 30000 | grep -v ' s (' >"$tmp/a"
"$bin" --seed 77 --cycles 30000 | grep -v ' s (' >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then echo "ok   deterministic"; else echo "FAIL deterministic"; diff "$tmp/a" "$tmp/b" | head; fail=1; fi
# --no-noise changes payloads whose valid is 0, never the timing
"$bin" --seed 5 --cycles 20000 | grep -oE '[0-9]+ cycles in' >"$tmp/n1"
"$bin" --seed 5 --cycles 20000 --no-noise | grep -oE '[0-9]+ cycles in' >"$tmp/n2"
if [ -s "$tmp/n1" ] && cmp -s "$tmp/n1" "$tmp/n2"; then echo "ok   no-noise-same-timing"; else
    echo "FAIL no-noise-same-timing: $(cat "$tmp/n1") vs $(cat "$tmp/n2")"; fail=1; fi
# waveforms: FST, from a given cycle, and VCD through fst2vcd
check wave-fst 0 '^waveform: ' -- --test l1_hit --wave "$tmp/w.fst"
[ -s "$tmp/w.fst" ] || { echo "FAIL wave-fst: no file"; fail=1; }
check wave-from 0 '^PASS' -- --seed 3 --cycles 3000 --wave "$tmp/w2.fst" --wave-from 2000
[ -s "$tmp/w2.fst" ] || { echo "FAIL wave-from: no file"; fail=1; }
if command -v fst2vcd >/dev/null; then
    check wave-vcd 0 'converted to' -- --test walk_1g --wave "$tmp/w.vcd"
    grep -q 'rsp_valid_o' "$tmp/w.vcd" || { echo "FAIL wave-vcd: no rsp_valid_o in the VCD"; fail=1; }
fi
# --break: bad uses; every case has its ctest (TB_BREAKS in testbench/CMakeLists.txt)
check break-unknown 2 "--break: unknown case 'nope'" -- --break nope
check break-dut-c 2 'needs the RTL' -- --dut c --break rt-state
check break-never 1 'ended before a cycle in which it applies' -- --test l1_hit --break rt-state --break-at 100000
listed="$("$bin" --list-breaks | awk '$2 == "inputs" || $2 == "state" { print $1 }' | sort)"
tested="$(sed -n '/^set(TB_BREAKS/,/)/p' "$src/testbench/CMakeLists.txt" | tr '()' '  ' | tr ' ' '\n' |
          grep -vE '^(set|TB_BREAKS|)$' | sort)"
if [ -n "$listed" ] && [ "$listed" = "$tested" ]; then echo "ok   break-cases-tested"; else
    echo "FAIL break-cases-tested: --list-breaks and TB_BREAKS differ"; diff <(echo "$listed") <(echo "$tested"); fail=1; fi
exit $fail
