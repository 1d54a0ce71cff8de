#!/usr/bin/env bash
# cli_mixed.sh - a version-2 trace end to end (docs/traces.md, "A worked
# example"): traces/mixed.txt over traces/mixed.img, with user and kernel
# accesses, implicit supervisor accesses with SMAP on and RFLAGS.AC both
# ways, a CR3 switch and an INVLPG; the same trace converted to binary and
# back; Page1GB off; bad control records. Every expected value is worked
# out by hand from the image's entries (see the comments), not copied from
# a run.
#
# usage: bash cli_mixed.sh BIN_DIR SRC_DIR
set -u
BIN=${1:?usage: cli_mixed.sh BIN_DIR SRC_DIR}
SRC=${2:?usage: cli_mixed.sh BIN_DIR SRC_DIR}
BIN=$(cd "$BIN" && pwd) || exit 1
SRC=$(cd "$SRC" && pwd) || exit 1
SIM=$BIN/mmusim MT=$BIN/mmutrace
IMG=$SRC/traces/mixed.img TRC=$SRC/traces/mixed.txt
. "$(dirname "$0")/testlib.sh" cli_mixed

# bad NAME WANT CMD...: CMD fails (1..127), stdout empty, stderr exactly WANT
bad() {
    local name=$1 want=$2
    shift 2
    run "$@"
    if [ "$rc" -ge 1 ] && [ "$rc" -lt 128 ] && [ ! -s out ] && [ "$(cat err)" = "$want" ]; then pass "$name"
    else fail "$name" "rc=$rc stderr '$(cat err)', want '$want'"; fi
}

# The log projected on: seq va kind priv pa size fault err level rights
# (columns 1 4 5 6 7 8 12 13 15 16), in request order.
#
# Entries: user page 0x1000 -> 0x10000 through 0x2027, 0x3027, 0x4027,
# 0x10067: RW and US in all four, no XD: "wux". Read-only user page 0x2000
# (PTE 0x11065, RW = 0): "-ux". Kernel page 0xffffff8000000000 -> 0x20000
# through 0x5023, 0x6023, 0x7023, 0x20063: RW, US = 0: "w-x". Every fault
# here is a rights fault at the PTE: level 1, size 4k. Error codes (SDM
# 4.7): P = 1; W/R = 1 for a write; U/S = 1 for a user access, 0 for a
# supervisor one and for an implicit one.
cat >want <<'EOF'
0 0x1008 R U 0x10008 4k - - - wux
1 0x1010 R U 0x10010 4k - - - wux
2 0x2000 W U - 4k write 0x07 1 -ux
3 0xffffff8000000010 R S 0x20010 4k - - - w-x
4 0xffffff8000000020 R U - 4k user 0x05 1 w-x
5 0x1018 R S - 4k smap 0x01 1 wux
6 0x1018 R S 0x10018 4k - - - wux
7 0x1020 R I - 4k smap 0x01 1 wux
8 0x1028 W I - 4k smap 0x03 1 wux
9 0x1040 R U 0x10040 4k - - - wux
10 0x1030 R U 0x10030 4k - - - wux
11 0x1038 R U 0x30038 4k - - - wux
12 0x800000000000 R S - - gp 0x00 - -
EOF
# line 5: supervisor data access to a user page, SMAP = 1, AC = 0 (SDM 4.6.1);
# line 6: AC = 1 allows it; lines 7 and 8: implicit accesses are blocked
# whatever AC (SDM 4.6); line 11: address space B maps 0x1000 to 0x30000;
# line 12: a non-canonical address, #GP: no size, no level, no rights.
project() { awk '!/^#/ {print $1, $4, $5, $6, $7, $8, $12, $13, $15, $16}' "$1" | sort -n; }

check_log() { # NAME LOG
    local name=$1
    project "$2" >got
    if cmp -s want got; then pass "$name"; else fail "$name" "$(diff want got | head -20)"; fi
}

for issue in inorder pipelined; do
    run "$SIM" --image "$IMG" --trace "$TRC" --log mixed.log --json mixed.json -q --no-progress --set issue=$issue
    if [ "$rc" -ne 0 ]; then fail "mixed trace ($issue)" "rc=$rc $(cat err)"; continue; fi
    check_log "mixed trace ($issue): every translation" mixed.log
    # 13 accesses; AC 1, AC 0, INVLPG and CR3: 4 control operations
    got=$(python3 -c 'import json,sys; d=json.load(open("mixed.json")); print(d["accesses"], d["control_ops"])')
    if [ "$got" = "13 4" ]; then pass "mixed trace ($issue): 13 accesses, 4 control operations"
    else fail "mixed trace ($issue): accesses, control operations" "$got"; fi
done
# Where translations came from (in order): seq 1 hits the L1 TLB filled by
# seq 0; seq 9 refills the page after seq 8's #PF dropped it; INVLPG 0x1000
# drops it again with the current PCID's PWC entries, so seq 10 is a full
# walk (not an L1 hit); MOV to CR3 with PCIDE = 0 flushes PCID 0, so seq 11
# is a full walk of B's tables (first read 0x8000).
run "$SIM" --image "$IMG" --trace "$TRC" --log mixed.log -q --no-progress --set issue=inorder
src=$(awk '!/^#/ && ($1 == 1 || $1 == 10 || $1 == 11) {print $1, $9, substr($10, 1, 8)}' mixed.log | sort -n | tr '\n' ';')
if [ "$src" = "1 l1 -;10 walk 4:0x1000;11 walk 4:0x8000;" ]; then pass "INVLPG and CR3 flush: sources"
else fail "INVLPG and CR3 flush: sources" "$src"; fi

# Without the INVLPG, seq 10 hits (so the check above would catch a no-op INVLPG).
grep -v '^INVLPG' "$TRC" >noinvlpg.txt
run "$SIM" --image "$IMG" --trace noinvlpg.txt --log n.log -q --no-progress --set issue=inorder
if awk '!/^#/ && $1 == 10 {print $9}' n.log | grep -qx l1; then pass "without INVLPG: an L1 hit"
else fail "without INVLPG: an L1 hit" "$(awk '!/^#/ && $1 == 10' n.log)"; fi

# The same trace through the binary format and back: the same records, the same log.
run "$MT" convert "$TRC" mixed.bin --to bin
run "$MT" convert mixed.bin mixed2.txt --to text
if [ "$rc" -eq 0 ] && [ "$(grep -v '^#' "$TRC" | sed 's/ *#.*//; s/ *$//' | grep -v '^$')" = "$(grep -v '^#' mixed2.txt)" ]; then
    pass "text v2 -> binary v2 -> text v2: the same lines"
else
    fail "round trip" "$(diff <(grep -v '^#' "$TRC" | sed 's/ *#.*//; s/ *$//' | grep -v '^$') <(grep -v '^#' mixed2.txt) | head)"
fi
run "$SIM" --image "$IMG" --trace mixed.bin --log mixedb.log -q --no-progress
if [ "$rc" -eq 0 ] && cmp -s mixedb.log mixed.log.pipelined 2>/dev/null || { run "$SIM" --image "$IMG" --trace "$TRC" --log mixedt.log -q --no-progress; cmp -s mixedb.log mixedt.log; }; then
    pass "binary trace: the same log as the text trace"
else fail "binary trace: the same log" "$(diff mixedb.log mixedt.log | head -5)"; fi
run "$MT" info mixed.bin
if grep -qx 'control: 4' out && grep -qx 'records: 17' out && grep -qx 'implicit: 2' out && grep -qx 'supervisor: 4' out &&
    grep -qx 'min address: 0x1008' out; then pass "mmutrace info: 13 accesses and 4 control records"
else fail "mmutrace info" "$(cat out err)"; fi

# #GP from a trace: counted and logged, the run goes on.
printf '#mmutrace text v2\nR 0x1008 8 u\nR 0x0000800000001000 8 s\nR 0x1010 8 u\n' >gp.txt
run "$SIM" --image "$IMG" --trace gp.txt --log gp.log -q --no-progress
if [ "$rc" -eq 0 ] && [ "$(awk '!/^#/ {print $1, $4, $6, $7, $12, $13}' gp.log | sort -n | tr '\n' ';')" = \
    "0 0x1008 U 0x10008 - -;1 0x800000001000 S - gp 0x00;2 0x1010 U 0x10010 - -;" ]; then
    pass "#GP from a text trace"
else fail "#GP from a text trace" "rc=$rc $(cat err) $(cat gp.log)"; fi

# Page1GB off: PDPTE.PS = 1 is a reserved bit (SDM 4.5.4): the 1 GiB page of
# traces/sample.img (PDPTE 0x80000000c0000087 at 0x23f8) is then a #PF with
# RSVD: error code P | RSVD | U/S = 0x0d for a user read, level 3, no leaf.
printf '#mmutrace text v2\nR 0x1fff000630 8 u\nPAGE1GB 1\nR 0x1fff000630 8 u\n' >g.txt
for how in "--set cpuid.page1gb=off" "header"; do
    if [ "$how" = header ]; then
        { head -1 "$SRC/traces/sample.img"; echo "cpuid.page1gb 0"; tail -n +2 "$SRC/traces/sample.img"; } >nog.img
        run "$SIM" --image nog.img --trace g.txt --log g.log -q --no-progress
    else
        run "$SIM" --image "$SRC/traces/sample.img" --trace g.txt --log g.log -q --no-progress $how
    fi
    got=$(awk '!/^#/ {print $1, $7, $8, $12, $13, $15}' g.log | sort -n | tr '\n' ';')
    # the record PAGE1GB 1 turns 1 GiB pages back on: the second read translates (0xc0000000 + 0x3000630)
    if [ "$got" = "0 - - rsvd 0x0d 3;1 0xff000630 1g - - -;" ]; then pass "Page1GB off ($how): reserved bit"
    else fail "Page1GB off ($how)" "rc=$rc $(cat err) $got"; fi
done
# INVPCID records, each type (SDM 4.10.4.1; contract 2.4), with PCIDE = 0
# (current PCID 0) and --issue inorder, so that each read follows the
# previous answer: the user page 0x1000 is walked once, then hit in the L1
# TLB until an INVPCID drops it. Type 0 for PCID 0 and that page: walk;
# type 0 and type 1 for PCID 5: nothing of PCID 0 goes (L1 hits); type 1
# for PCID 0: walk; type 3 (all but global; the page is not global): walk;
# type 2 (all): walk.
printf '#mmutrace text v2\nR 0x1008 8 u\nR 0x1010 8 u\nINVPCID 0 pcid=0 addr=0x1000\nR 0x1018 8 u\nR 0x1020 8 u\nINVPCID 0 pcid=5 addr=0x1000\nR 0x1028 8 u\nINVPCID 1 pcid=5\nR 0x1030 8 u\nINVPCID 1 pcid=0\nR 0x1038 8 u\nR 0x1040 8 u\nINVPCID 3\nR 0x1048 8 u\nINVPCID 2\nR 0x1050 8 u\n' >inv.txt
run "$SIM" --image "$IMG" --trace inv.txt --issue inorder --log inv.log -q --no-progress
got=$(awk '!/^#/ {print $9}' inv.log | tr '\n' ' ')
if [ "$rc" -eq 0 ] && [ "$got" = "walk l1 walk l1 l1 l1 walk l1 walk walk " ]; then pass "INVPCID types 0-3"
else fail "INVPCID types 0-3" "rc=$rc $(cat err) sources: $got"; fi

bad "Page1GB off with 1 GiB backing" "mmusim: cpuid.page1gb: off (no 1 GiB pages), but backing = 1g maps 1 GiB pages on demand" \
    "$SIM" --set cpuid.page1gb=off --backing 1g -w seq -n 10

# Bad input: one line naming the file and the line (binary: the record).
t() { printf '#mmutrace text v2\nR 0x1000 8\n%s\n' "$1" >b.txt; }
t 'FOO 1';        bad "unknown record kind" "mmusim: b.txt:3: unknown kind 'FOO' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)" "$SIM" --image "$IMG" -t b.txt
t 'SMAP 2';       bad "mode bit value 2" "mmusim: b.txt:3: SMAP: bad value '2' (expected 0 or 1)" "$SIM" --image "$IMG" -t b.txt
t 'CR3 0x8001';   bad "CR3 not aligned" "mmusim: b.txt:3: CR3: address 0x8001 not 4 KiB-aligned (bits 11:0 are the PCID: pcid=N)" "$SIM" --image "$IMG" -t b.txt
t 'CR3 0x8000 pcid=4096'; bad "CR3 PCID out of range" "mmusim: b.txt:3: CR3: bad PCID '4096' (0..4095)" "$SIM" --image "$IMG" -t b.txt
t 'CR3 0x400000000000'; bad "CR3 above MAXPHYADDR" "mmusim: b.txt:3: CR3 0x400000000000: bits 62:46 must be 0 (MAXPHYADDR 46)" "$SIM" --image "$IMG" -t b.txt
t 'INVPCID 4';    bad "INVPCID type 4" "mmusim: b.txt:3: INVPCID: bad type '4' (0..3)" "$SIM" --image "$IMG" -t b.txt
t 'INVPCID 0 pcid=1'; bad "INVPCID 0 without address" "mmusim: b.txt:3: INVPCID: type 0 needs addr=ADDR" "$SIM" --image "$IMG" -t b.txt
t 'X 0x1000 1 i'; bad "implicit fetch" "mmusim: b.txt:3: an implicit supervisor access ('i') cannot be an instruction fetch (X)" "$SIM" --image "$IMG" -t b.txt
t 'CR3 0x8000';   bad "CR3 with demand mapping" "mmusim: b.txt:3: a CR3 record needs page tables that are given (--image or --snapshot): with demand mapping the tables are the simulator's own" "$SIM" -t b.txt
printf '#mmutrace text v1\nSMAP 1\n' >v1.txt
bad "control record in a v1 trace" "mmusim: v1.txt:2: control record 'SMAP' in a version 1 trace (needs '#mmutrace text v2' as line 1)" "$SIM" --image "$IMG" -t v1.txt
printf '#mmutrace text v3\nR 0 1\n' >v3.txt
bad "text version 3" "mmusim: v3.txt:1: unsupported text trace version 'v3' (this reader knows v1 and v2)" "$SIM" --image "$IMG" -t v3.txt
# binary: a control record with a bad value, an unknown kind, a truncated record
cp mixed.bin bb.bin
printf '\x09' | dd of=bb.bin bs=1 seek=$((8 + 6 * 16 + 10)) conv=notrunc 2>/dev/null   # record 7 (AC 1): mode bit 9
bad "binary: bad mode bit" "mmusim: bb.bin: record 7: mode bit 9 (must be 0..7)" "$SIM" --image "$IMG" -t bb.bin
cp mixed.bin bb.bin
printf '\x07' | dd of=bb.bin bs=1 seek=$((8 + 1 * 16 + 12)) conv=notrunc 2>/dev/null   # record 2: kind 7
bad "binary: unknown record kind" "mmusim: bb.bin: record 2: bad kind 7" "$SIM" --image "$IMG" -t bb.bin
head -c $((8 + 3 * 16 + 5)) mixed.bin >bt.bin
bad "binary: truncated record" "mmusim: bt.bin: record 4: truncated (5 of 16 bytes, at byte 56)" "$SIM" --image "$IMG" -t bt.bin

finish
