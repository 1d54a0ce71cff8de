#!/usr/bin/env bash
# cli_sweep.sh - scripts/sweep and scripts/plot end to end (docs/studies.md):
# the table's shape, one-pass rows equal to separate runs in every column
# they carry, the same spec giving the same bytes, resuming after a kill
# without redoing finished points, GNU parallel and serial engines giving
# the same table, spec errors, area columns (skipped without RTL; with yosys,
# on a stand-in mmu_top), and the figures.
# Usage: cli_sweep.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1
src=$(cd "$2" && pwd)
sweep=$src/scripts/sweep
plot=$src/scripts/plot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if "$@"; then ok; else bad "$*"; fi; }
export MMU_BIN_DIR=$bin

cat >"$tmp/s.json" <<EOF
{"name": "s",
 "set": {"issue": "inorder", "mem.model": "fixed", "mem.latency": 20},
 "workloads": [
   {"name": "zipf", "workload": "zipf", "footprint": "256M", "accesses": 8000, "mix": "55,40,5", "seed": 7},
   {"name": "sample", "trace": "$src/traces/sample.lackey"}],
 "grid": {"backing": ["4k", "2m"],
          "geom": [{"tlb.stlb.entries": 16, "tlb.stlb.ways": 16}, {"tlb.stlb.entries": 64, "tlb.stlb.ways": 4},
                   {"tlb.stlb.entries": 256, "tlb.stlb.ways": 8}, {"tlb.stlb.entries": 0}]}}
EOF

# --- one pass (auto) against separate runs ------------------------------------
out=$("$sweep" "$tmp/s.json" -o "$tmp/a" --engine serial 2>&1)
check test $? -eq 0
echo "$out" | grep -q "16 points: 4 one-pass runs" || bad "one pass not chosen: $out"
"$sweep" "$tmp/s.json" -o "$tmp/b" --engine serial --onepass off >/dev/null 2>&1
check test $? -eq 0
python3 - "$tmp/a/table.json" "$tmp/b/table.json" <<'EOF' || fail=$((fail + 1))
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a) == len(b) == 16, (len(a), len(b))
assert all(r["method"] == "onepass" for r in a) and all(r["method"] == "run" for r in b)
n = 0
for ra, rb in zip(a, b):
    assert list(ra) == list(rb), "same columns in the same order"
    assert ra["point"] == rb["point"]
    for k, v in ra.items():
        if k != "method" and v is not None:
            assert v == rb[k], (ra["workload"], ra["tlb.stlb.entries"], k, v, rb[k])
            n += 1
    for k in ("total.stlb_hits", "total.walks", "4K.walks", "2M.stlb_hits", "tlb.stlb.entries", "backing", "accesses"):
        assert ra[k] is not None, k
    assert ra["total.latency.p99"] is None and rb["total.latency.p99"] is not None
cols = list(a[0])
for k in ("workload", "wl.trace", "wl.footprint", "tlb.itlb.entries", "pwc.pde.levels", "seed", "cycles",
          "4K.walk_start.pde_cache", "total.latency.hist.0-1", "total.latency_walk.hist.65536+", "none.faults.smap"):
    assert k in cols, k
# the arrays' and perf columns are the runs' own (skylake's arrays, Intel's
# events): one-pass rows have none of them, the runs' rows all
arr = [c for c in cols if c.startswith("arrays.")]
assert arr[:2] == ["arrays.itlb.kind", "arrays.itlb.lookups"], arr[:2]
names = []
for c in arr:
    if c.split(".")[1] not in names:
        names.append(c.split(".")[1])
assert names == ["itlb", "itlb2m", "dtlb", "dtlb2m", "dtlb1g", "stlb", "stlb1g", "pml4e", "pdpte", "pde"], names
assert "perf.dtlb_load_misses.stlb_hit" in cols and not any(c.startswith("perf.ls_") for c in cols)
assert all(ra["arrays.stlb.lookups"] is None for ra in a)
assert all(rb["arrays.pde.kind"] == "pwc" and rb["arrays.stlb.kind"] == ("tlb" if rb["tlb.stlb.entries"] else None)
           for rb in b)
assert all(rb["arrays.stlb.lookups"] is not None for rb in b if rb["tlb.stlb.entries"])
assert all(rb["arrays.stlb.lookups"] is None for rb in b if not rb["tlb.stlb.entries"])  # absent: no entry
# a bigger STLB never walks more (LRU inclusion, fully associative 16 vs 256)
w = {(r["workload"], r["backing"], r["tlb.stlb.entries"]): r["total.walks"] for r in a}
assert w[("zipf", "4k", 256)] <= w[("zipf", "4k", 16)] <= w[("zipf", "4k", 0)]
assert w[("zipf", "4k", 256)] < w[("zipf", "4k", 0)]
print("one pass = separate runs in %d cells" % n)
EOF
ok

# --- the CSV has the same rows and columns; the same spec, the same bytes -------
check test "$(wc -l <"$tmp/a/table.csv")" -eq 17
"$sweep" "$tmp/s.json" -o "$tmp/a2" --engine serial >/dev/null 2>&1
check cmp -s "$tmp/a/table.csv" "$tmp/a2/table.csv"
check cmp -s "$tmp/a/table.json" "$tmp/a2/table.json"

# --- GNU parallel gives the same table -----------------------------------------
if command -v parallel >/dev/null; then
  "$sweep" "$tmp/s.json" -o "$tmp/p" -j 2 --engine parallel >/dev/null 2>&1
  check cmp -s "$tmp/a/table.csv" "$tmp/p/table.csv"
  check test -s "$tmp/p/parallel.log"
  # --sshlogin goes to GNU parallel; ':' is this machine without ssh (other hosts need sshd)
  "$sweep" "$tmp/s.json" -o "$tmp/ssh" --sshlogin 2/: >/dev/null 2>&1
  check cmp -s "$tmp/a/table.csv" "$tmp/ssh/table.csv"
else
  echo "note: GNU parallel not installed: its engine is not tested"
fi

# --- the arrays' and perf columns come from the runs' own documents -----------
# tiny's arrays with stlb1g absent in half the points, and an array only
# one point has; Intel's and AMD's events side by side
cat >"$tmp/c.json" <<EOF
{"name": "c", "preset": "tiny",
 "workloads": [{"name": "u", "workload": "uniform", "footprint": "16M", "accesses": 3000, "seed": 5}],
 "grid": {"perf": ["intel", "amd"],
          "org": [{"tlb.stlb1g.entries": 0}, {"tlb.stlb1g.entries": 8},
                  {"tlb.extra.level": 2, "tlb.extra.lat": 2, "tlb.extra.serves": "fetch"}]}}
EOF
"$sweep" "$tmp/c.json" -o "$tmp/c" --engine serial >/dev/null 2>&1
check test $? -eq 0
python3 - "$tmp/c/table.json" <<'EOF' || fail=$((fail + 1))
import json, sys
t = json.load(open(sys.argv[1]))
assert len(t) == 6, len(t)
cols = list(t[0])
names = []
for c in cols:
    if c.startswith("arrays.") and c.split(".")[1] not in names:
        names.append(c.split(".")[1])
# tiny's arrays in configuration order; "extra" (added last) after stlb1g;
# the PWCs after the TLB arrays of the first document that has them
assert names == ["itlb", "itlb2m", "dtlb", "dtlbbig", "sdtlb", "stlb", "pdc", "pde", "stlb1g", "extra"], names
for r in t:
    has1g = r["tlb.stlb1g.entries"] == 8 and r.get("tlb.extra.level") is None or r.get("tlb.extra.level") == 2
    assert (r["arrays.stlb1g.lookups"] is not None) == (r["tlb.stlb1g.entries"] > 0), r["point"]
    assert (r["arrays.extra.kind"] == "tlb") == (r.get("tlb.extra.level") == 2), r["point"]
    assert r["perf.vendor"] == r["perf"]
    assert (r["perf.ls_tablewalker.dside"] is not None) == (r["perf"] == "amd")
    assert (r["perf.dtlb_load_misses.miss_causes_a_walk"] is not None) == (r["perf"] == "intel")
assert "tlb.extra.serves" in cols
EOF
ok

# --- resume: kill half-way, run again, finished points are not redone -----------
cat >"$tmp/r.json" <<EOF
{"name": "r", "set": {"mem.model": "fixed"},
 "workloads": [{"name": "u", "workload": "uniform", "footprint": "1G", "accesses": 60000, "seed": 3}],
 "grid": {"tlb.stlb.entries": [16, 32, 64, 128, 256, 512, 1024, 2048], "tlb.stlb.ways": [4]}}
EOF
setsid "$sweep" "$tmp/r.json" -o "$tmp/r" --engine serial >"$tmp/r.log" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  n=$(ls "$tmp/r/points" 2>/dev/null | grep -c '\.json$' || true)
  [ "$n" -ge 2 ] && break
  sleep 0.05
done
kill -TERM -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
before=$(cd "$tmp/r/points" && for f in *.json; do stat -c '%n %i %Y.%y' "$f"; done)
nb=$(echo "$before" | grep -c json)
if [ "$nb" -ge 8 ]; then
  echo "note: the sweep finished before it could be interrupted"
fi
out=$("$sweep" "$tmp/r.json" -o "$tmp/r" --engine serial 2>&1)
check test $? -eq 0
if [ "$nb" -lt 8 ]; then
  echo "$out" | grep -q "resuming: $nb of 8 tasks already done" || bad "no resume message: $out"
fi
after=$(cd "$tmp/r/points" && for f in *.json; do stat -c '%n %i %Y.%y' "$f"; done)
while read -r line; do
  echo "$after" | grep -qxF "$line" || bad "finished point rewritten: $line"
done <<<"$before"
check test "$(echo "$after" | grep -c json)" -eq 8
check test -z "$(ls -A "$tmp/r/points" | grep -v '\.json$')"   # no temporary files left
"$sweep" "$tmp/r.json" -o "$tmp/r2" --engine serial >/dev/null 2>&1
check cmp -s "$tmp/r/table.csv" "$tmp/r2/table.csv"
echo "resumed after $nb of 8 points"

# --- spec errors -----------------------------------------------------------------
err() { # expected-message spec-json
  echo "$2" >"$tmp/e.json"
  local o
  o=$("$sweep" "$tmp/e.json" -o "$tmp/e" --engine serial 2>&1)
  if [ $? -eq 0 ] || ! echo "$o" | grep -qF "$1"; then bad "expected '$1', got: $o"; else ok; fi
}
err "points rejected by the configuration check" \
  '{"workloads": [{"name": "w", "workload": "seq", "accesses": 10}], "grid": {"tlb.stlb.entries": [48], "tlb.stlb.ways": [5]}}'
err "tlb.stlb.entries: must be a multiple of tlb.stlb.ways" \
  '{"workloads": [{"name": "w", "workload": "seq", "accesses": 10}], "grid": {"tlb.stlb.entries": [48], "tlb.stlb.ways": [5]}}'
err "unknown key 'stlb.entries' (TLB arrays and page-walk caches are tlb.NAME.*" \
  '{"workloads": [{"name": "w", "workload": "seq", "accesses": 10}], "grid": {"stlb.entries": [64]}}'
err "unknown key 'grids'" '{"workloads": [{"name": "w", "workload": "seq"}], "grids": {}}'
err "unknown key 'footprnt'" '{"workloads": [{"name": "w", "workload": "seq", "footprnt": "1G"}]}'
err "trace /nonexistent.lackey not found" '{"workloads": [{"name": "w", "trace": "/nonexistent.lackey"}]}'
err "onepass = on, but w: issue: one pass needs inorder" \
  '{"workloads": [{"name": "w", "workload": "seq"}], "onepass": "on", "grid": {"tlb.stlb.entries": [16, 32], "tlb.stlb.ways": [4]}}'
err "onepass = on, but w: tlb.stlb1g: shares the 4K pages of tlb.stlb" \
  '{"preset": "tiny", "set": {"issue": "inorder"}, "workloads": [{"name": "w", "workload": "seq"}], "onepass": "on", "grid": {"tlb.stlb.entries": [16, 32]}}'
err "workload names must differ: w" '{"workloads": [{"name": "w", "workload": "seq"}, {"name": "w", "workload": "zipf"}]}'
err "pow2 needs [lo, hi]" '{"workloads": [{"name": "w", "workload": "seq"}], "grid": {"tlb.stlb.entries": {"pow2": [64]}}}'
echo '{"workloads": [{"name": "w", "workload": "seq", "accesses": 100}], "skip_invalid": true,
  "grid": {"tlb.stlb.entries": [48, 64], "tlb.stlb.ways": [4, 5]}}' >"$tmp/k.json"
out=$("$sweep" "$tmp/k.json" -o "$tmp/k" --engine serial 2>&1)
check test $? -eq 0
echo "$out" | grep -q "skipped 3 invalid points" || bad "skip_invalid: $out"

# --- area: skipped with a note without RTL; a stand-in mmu_top with yosys -------
sed 's/"name": "s"/"name": "s", "area": true/' "$tmp/s.json" >"$tmp/area.json"
out=$(MMU_RTL_DIR=$tmp/nortl "$sweep" "$tmp/area.json" -o "$tmp/na" --engine serial 2>&1)
check test $? -eq 0
echo "$out" | grep -q "area: skipped: .*mmu_top.sv does not exist" || bad "no area note: $out"
if command -v yosys >/dev/null; then
  mkdir -p "$tmp/rtl"
  cat >"$tmp/rtl/mmu_top.sv" <<'EOF'
// a stand-in: tlb.stlb is slot 5 of skylake's list (scripts/rtl-params)
module mmu_top #(
  parameter int unsigned TLB5_ENTRIES = 32,
  parameter int unsigned TLB5_WAYS    = 4
) (input logic clk_i, input logic [3:0] d_i, output logic [3:0] q_o);
  logic [3:0] q [TLB5_ENTRIES];
  always_ff @(posedge clk_i) begin
    q[0] <= d_i;
    for (int i = 1; i < TLB5_ENTRIES; i++) q[i] <= q[i-1] ^ 4'(TLB5_WAYS);
  end
  assign q_o = q[TLB5_ENTRIES-1];
endmodule
EOF
  cat >"$tmp/ar.json" <<'EOF'
{"name": "ar", "area": true, "set": {"issue": "inorder"},
 "workloads": [{"name": "w", "workload": "zipf", "accesses": 2000}],
 "grid": {"tlb.stlb.entries": [16, 32], "tlb.stlb.ways": [4]}}
EOF
  MMU_RTL_DIR=$tmp/rtl "$sweep" "$tmp/ar.json" -o "$tmp/ar" --engine serial >/dev/null 2>&1
  check test $? -eq 0
  python3 - "$tmp/ar/table.json" <<'EOF' || fail=$((fail + 1))
import json, sys
t = json.load(open(sys.argv[1]))
assert [(r["tlb.stlb.entries"], r["area.ffs"]) for r in t] == [(16, 64), (32, 128)], t
assert all(r["area.cells"] >= r["area.ffs"] for r in t)
EOF
  ok
else
  echo "note: yosys not installed: area columns not tested"
fi

# --- figures ---------------------------------------------------------------------
if python3 -c 'import matplotlib' 2>/dev/null || /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  out=$("$plot" "$tmp/b/table.json" -o "$tmp/fig" --name b 2>&1)
  check test $? -eq 0
  for f in missrate latency-cdf latency-hist; do
    check test -s "$tmp/fig/b-$f.png"
  done
  out=$("$plot" "$tmp/a/table.csv" -o "$tmp/fig" --name a 2>&1)
  check test $? -eq 0
  check test -s "$tmp/fig/a-missrate.png"
  echo "$out" | grep -q "no latency figures" || bad "one-pass table: $out"
  cp "$tmp/fig/b-missrate.png" "$tmp/m1.png"
  "$plot" "$tmp/b/table.json" -o "$tmp/fig" --name b >/dev/null 2>&1
  check cmp -s "$tmp/fig/b-missrate.png" "$tmp/m1.png"   # same table, same picture
else
  echo "note: matplotlib not installed: figures not tested"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
