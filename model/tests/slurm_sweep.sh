#!/usr/bin/env bash
# slurm_sweep.sh - the Slurm path of scripts/sweep against a real one-node
# cluster: scripts/slurm-local starts munged, slurmctld and slurmd in a
# temporary directory; a sweep with one-pass groups and separate runs goes
# through `sbatch --array`; its table must equal the local (serial) run's,
# byte for byte; then some results are removed and the resumed sweep submits
# only those. The daemons are stopped on every exit (trap), and the test
# checks that they are gone. CTest label `slurm` (.ci/run runs it).
#
# Skips (exit 77) when not root or Slurm/munge are not installed, unless
# MMU_REQUIRE_SLURM=1 (set by .ci/run), which turns that into a failure.
# Usage: slurm_sweep.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1
src=$(cd "$2" && pwd)
sweep=$src/scripts/sweep
skip() {
  if [ "${MMU_REQUIRE_SLURM:-}" = 1 ]; then
    echo "FAIL: $* (MMU_REQUIRE_SLURM=1)" >&2
    exit 1
  fi
  echo "skipped: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root (slurmd must run as root)"
for b in sbatch squeue sinfo scontrol; do command -v "$b" >/dev/null || skip "$b not installed (scripts/setup)"; done
for b in slurmctld slurmd munged; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b not installed (scripts/setup)"
done

tmp=$(mktemp -d /tmp/mmu-slurm.XXXXXX)
chmod 755 "$tmp"
cleanup() {
  "$src/scripts/slurm-local" stop "$tmp/cluster" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if "$@"; then ok; else bad "$*"; fi; }
export MMU_BIN_DIR=$bin

cat >"$tmp/spec.json" <<EOF
{"name": "slurmtest",
 "set": {"mem.model": "fixed"},
 "workloads": [
   {"name": "zipf", "workload": "zipf", "footprint": "512M", "accesses": 20000, "mix": "60,35,5", "seed": 11},
   {"name": "sample", "trace": "$src/traces/sample.lackey"}],
 "grid": {"issue": ["inorder", "pipelined"], "tlb.stlb.entries": [32, 64, 128], "tlb.stlb.ways": [4]}}
EOF

"$sweep" "$tmp/spec.json" -o "$tmp/local" --engine serial >"$tmp/local.log" 2>&1
check test $? -eq 0
grep -q "12 points: 2 one-pass runs (level-2 hit/walk counts for 6 points; model/onepass.h), 6 separate runs" \
  "$tmp/local.log" || bad "plan: $(cat "$tmp/local.log")"

t0=$(date +%s.%N)
eval "$("$src/scripts/slurm-local" start "$tmp/cluster")"
check test -n "${SLURM_CONF:-}"
t1=$(date +%s.%N)
ctld=$(cat "$tmp/cluster/slurmctld.pid" 2>/dev/null)
slurmd=$(cat "$tmp/cluster/slurmd.pid" 2>/dev/null)
munged=$(cat "$tmp/cluster/munge/munged.pid" 2>/dev/null)
check kill -0 "$ctld"
check kill -0 "$slurmd"

"$sweep" "$tmp/spec.json" -o "$tmp/slurm" --engine slurm -j 2 >"$tmp/slurm.log" 2>&1
check test $? -eq 0
grep -q "submitted Slurm job array" "$tmp/slurm.log" || bad "no sbatch: $(cat "$tmp/slurm.log")"
check cmp -s "$tmp/local/table.csv" "$tmp/slurm/table.csv"
check cmp -s "$tmp/local/table.json" "$tmp/slurm/table.json"
check test "$(ls "$tmp/slurm/slurm/" | grep -c '^task-.*\.log$')" -eq 8
t2=$(date +%s.%N)

# resume through Slurm: two runs' results are lost; only those are submitted
ls "$tmp/slurm/points/"*.run.json | head -2 | xargs rm -f
"$sweep" "$tmp/spec.json" -o "$tmp/slurm" --engine slurm >"$tmp/resume.log" 2>&1
check test $? -eq 0
grep -q "resuming: 6 of 8 tasks already done" "$tmp/resume.log" || bad "resume: $(cat "$tmp/resume.log")"
grep -q "(2 tasks," "$tmp/resume.log" || bad "resume submitted: $(cat "$tmp/resume.log")"
check cmp -s "$tmp/local/table.csv" "$tmp/slurm/table.csv"
t3=$(date +%s.%N)

"$src/scripts/slurm-local" stop "$tmp/cluster"
for p in $ctld $slurmd $munged; do
  if kill -0 "$p" 2>/dev/null; then bad "daemon $p still running after stop"; else ok; fi
done
t4=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" \
  'BEGIN { printf "slurm: start %.1f s, 8-task array %.1f s, resume %.1f s, stop %.1f s\n", b-a, c-b, d-c, e-d }'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
