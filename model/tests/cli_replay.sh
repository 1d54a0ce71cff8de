#!/usr/bin/env bash
# cli_replay.sh - command-line tests of replay and the per-translation log
# (docs/replay.md, docs/log.md): the sample image, raw dumps, privilege
# modes, bad input (one line on stderr naming FILE:LINE, nothing on stdout,
# no crash), compressed and deterministic logs, and the snapshot round trip:
# a small process of our own is snapshotted with scripts/snapshot, replayed,
# and every translation is checked against the frames the kernel reported.
#
# usage: bash cli_replay.sh BIN_DIR SRC_DIR
# Prints one line per case (PASS, FAIL or SKIP), then "N passed, N failed";
# exits 1 if any failed.

set -u

BIN=${1:?usage: cli_replay.sh BIN_DIR SRC_DIR}
SRC=${2:?usage: cli_replay.sh BIN_DIR SRC_DIR}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "FAIL: no directory $1"; echo "0 passed, 1 failed"; exit 1; }
SRC=$(cd "$SRC" 2>/dev/null && pwd) || SRC=$2
SIM=$BIN/mmusim
if [ ! -x "$SIM" ]; then
    echo "FAIL: $SIM not found"
    echo "0 passed, 1 failed"
    exit 1
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; echo "0 passed, 0 failed"; exit 0; }

CHILD_PID=
cleanup() { [ -n "$CHILD_PID" ] && kill "$CHILD_PID" 2>/dev/null; }
. "$(dirname "$0")/testlib.sh" cli_replay

# bad NAME 'STR1;STR2' CMD...: fails (0 < rc < 128), nothing on stdout, one
# line on stderr containing every STR
bad() {
    local name=$1 pats=$2
    shift 2
    run "$@"
    local why="" lines
    lines=$(wc -l <err)
    if [ "$rc" -eq 0 ]; then why="exit status 0"
    elif [ "$rc" -ge 128 ]; then why="crashed (exit status $rc)"
    elif [ -s out ]; then why="wrote to stdout: $(head -c 200 out)"
    elif [ "$lines" -ne 1 ]; then why="$lines lines on stderr: $(head -c 300 err)"
    else
        local IFS=';' p
        for p in $pats; do
            grep -qF -- "$p" err || { why="stderr does not name '$p': $(cat err)"; break; }
        done
    fi
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

same() {
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$2 and $3 differ: $(diff "$2" "$3" | head -4 | tr '\n' ' ')"; fi
}

IMG=$SRC/traces/sample.img
TRC=$SRC/traces/sample.txt
Q=(-q --no-progress)

# ------------------------------------------------------- the sample image

run "$SIM" --image "$IMG" --trace "$TRC" --log s.log "${Q[@]}"
# log version 2: the faulting entry is the PTE (level 1, value 0): "1", no leaf: "-".
np_tail=' 1:0x4538=0x0 - np 0x04 0 1 -$'
if [ "$rc" -eq 0 ] && [ ! -s out ] && [ ! -s err ] &&
    [ "$(grep -vc '^#' s.log)" -eq 114 ] && [ "$(head -1 s.log)" = "#mmulog v2" ] &&
    [ "$(tail -1 s.log)" = "#end 114 translations" ] &&
    [ "$(awk '!/^#/ && $12 != "-"' s.log | wc -l)" -eq 1 ] &&
    awk '!/^#/ && $12 != "-"' s.log | grep -q " 0x4a7000 R U - - walk.*$np_tail"; then
    pass "sample image: 114 translations, one not-present fault at 0x4a7000"
else
    fail "sample image" "rc=$rc $(head -c 300 err) $(awk '!/^#/ && $12 != "-"' s.log 2>/dev/null | head -3)"
fi

# demand.ad applies to pages mapped on demand only: with an image nothing is
# mapped on demand, so it changes nothing (and, like backing, is no error)
run "$SIM" --image "$IMG" --trace "$TRC" --log sd.log --set demand.ad=dirty "${Q[@]}"
if [ "$rc" -eq 0 ] && [ ! -s err ] && cmp -s s.log sd.log; then pass "demand.ad is ignored with an image"
else fail "demand.ad is ignored with an image" "rc=$rc $(head -c 300 err) $(diff s.log sd.log 2>&1 | head -3 | tr '\n' '|')"; fi

# the three page sizes, with the physical addresses worked out in the image's comments
ok=1
for want in '0x1fff000630 R U 0xff000630 1g' '0x40003a8 R U 0x800003a8 2m' '0x401615 X U 0x100401615 4k'; do
    grep -q " $want " s.log || { ok=0; fail "sample image: $want" "no such line"; }
done
[ $ok = 1 ] && pass "sample image: 4K, 2M and 1G translations"

# issue #9's repro: two walks of one clean page in flight at once (a write,
# then a read: another access kind, no join), every TLB and PWC off, two
# walkers. Both read the PTE as 0x5007; the write's locked update sets A|D
# (0x5067), the read's asks for A only (wdata 0x5027) but the memory ORs A
# into 0x5067: D stays. So the next two walks read the PTE as 0x5067
# (with posted plain writes they read 0x5027: D lost).
printf '#mmuimage v1\ncr3 0x1000\ncr0.wp 1\nefer.nxe 1\nmaxphyaddr 46\n0x1000 0x2007\n0x2000 0x3007\n0x3000 0x4007\n0x4000 0x5007\n' >race.img
printf '#mmutrace text v1\nW 0x0 1\nR 0x8 1\nX 0x10 1\nR 0x18 1\n' >race.txt
run "$SIM" --preset skylake --set walkers=2 --set nocache=on --image race.img --trace race.txt --log race.log "${Q[@]}"
if [ "$rc" -eq 0 ] && [ "$(grep -vc '^#' race.log)" -eq 4 ] &&
    grep -q '^0 .*,1:0x4000=0x5007 .*,0x4000=0x5067 ' race.log &&
    grep -q '^1 .*,1:0x4000=0x5007 .*,0x4000=0x5027 ' race.log &&
    grep -q '^2 .*,1:0x4000=0x5067 ' race.log && grep -q '^3 .*,1:0x4000=0x5067 ' race.log; then
    pass "issue #9 race: D survives two concurrent walks of one page"
else fail "issue #9 race: D survives two concurrent walks of one page" "rc=$rc $(head -c 300 err) $(grep -v '^#' race.log 2>/dev/null | tr '\n' '|')"; fi

run "$SIM" --image "$IMG" --trace "$TRC"
if [ "$rc" -eq 0 ] && grep -q '^page tables: image .*sample.img, CR3 0x1000' out && grep -q '^total ' out; then
    pass "the table names the page tables"
else fail "the table names the page tables" "rc=$rc $(head -c 300 out)"; fi

# accesses from a workload: a sequential walk over the 1 GiB stack page (XD:
# the fetches fault, with the error code P|US|I/D)
run "$SIM" --image "$IMG" --workload seq --base 0x1fff000000 --footprint 1M --accesses 2000 --log w.log "${Q[@]}"
if [ "$rc" -eq 0 ] && [ "$(grep -vc '^#' w.log)" -eq 2000 ] &&
    [ -z "$(awk '!/^#/ && $8 != "1g"' w.log)" ] && [ -z "$(awk '!/^#/ && $5 != "X" && $12 != "-"' w.log)" ] &&
    [ -z "$(awk '!/^#/ && $5 == "X" && ($12 != "nx" || $13 != "0x15")' w.log)" ] &&
    [ -n "$(awk '!/^#/ && $5 == "X"' w.log)" ]; then
    pass "a workload over an image"
else fail "a workload over an image" "rc=$rc $(head -c 300 err)"; fi

# nothing is mapped on demand: a workload outside the mapped pages faults, and the run goes on
run "$SIM" --image "$IMG" --workload uniform --base 0x7f0000000000 --footprint 1G --accesses 500 --log u.log --json u.json "${Q[@]}"
if [ "$rc" -eq 0 ] && [ "$(awk '!/^#/ && $12 == "np"' u.log | wc -l)" -eq 500 ] &&
    python3 -c "import json,sys; j=json.load(open('u.json')); sys.exit(0 if j['accesses']==500 else 1)" 2>/dev/null; then
    pass "unmapped pages fault, the run goes on"
else fail "unmapped pages fault, the run goes on" "rc=$rc $(head -c 300 err)"; fi

# ----------------------------------------------------------- logs

for z in gz zst xz; do
    run "$SIM" --image "$IMG" --trace "$TRC" --log "s.log.$z" "${Q[@]}"
    if [ "$rc" -ne 0 ]; then fail "--log FILE.$z" "rc=$rc $(cat err)"; continue; fi
    case $z in
    gz) python3 -c "import gzip,sys; sys.stdout.buffer.write(gzip.open('s.log.gz').read())" >d.log ;;
    xz) python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.open('s.log.xz').read())" >d.log ;;
    zst)
        if command -v zstd >/dev/null; then zstd -q -d -c s.log.zst >d.log
        else skip "--log FILE.zst" "no zstd command to check it"; continue; fi ;;
    esac
    if cmp -s d.log s.log && ! cmp -s "s.log.$z" s.log; then pass "--log FILE.$z is compressed"
    else fail "--log FILE.$z is compressed" "decompressed log differs"; fi
done

run "$SIM" --image "$IMG" --trace "$TRC" --log s2.log.gz "${Q[@]}"
same "a log is deterministic (gzip bytes)" s.log.gz s2.log.gz
"$SIM" --workload zipf --footprint 8G --accesses 20000 --set processes=3 --set pcid=on --set switch_every=1000 \
    --log z1.log "${Q[@]}" && "$SIM" --workload zipf --footprint 8G --accesses 20000 --set processes=3 --set pcid=on \
    --set switch_every=1000 --log z2.log "${Q[@]}"
same "a log is deterministic (workload, 3 processes)" z1.log z2.log
if [ "$(grep -vc '^#' z1.log)" -ge 20000 ] && awk '!/^#/ {print $14}' z1.log | sort -u | tr '\n' ' ' | grep -q '^1 2 3 $'; then
    pass "the pcid column"
else fail "the pcid column" "$(awk '!/^#/ {print $14}' z1.log | sort -u | tr '\n' ' ')"; fi

run "$SIM" --image "$IMG" --trace "$TRC" --log -
if [ "$rc" -eq 0 ] && cmp -s out s.log; then pass "--log - writes the log alone to stdout"
else fail "--log - writes the log alone to stdout" "rc=$rc $(head -3 out)"; fi

# ------------------------------------------------------------- raw dumps

python3 - "$IMG" <<'EOF'
import re, struct, sys
mem = {}
for line in open(sys.argv[1]):
    line = line.split('#')[0].split()
    if len(line) == 2 and re.fullmatch(r'(0x)?[0-9a-fA-F]+', line[0]):
        mem[int(line[0], 16)] = int(line[1], 16)
with open('sample.raw', 'wb') as f:
    for a in range(0x1000, 0x5000, 8):
        f.write(struct.pack('<Q', mem.get(a, 0)))
open('trunc.raw', 'wb').write(b'\0' * 12)
EOF
run "$SIM" --image-raw sample.raw@0x1000 --cr3 0x1000 --trace "$TRC" --log r.log "${Q[@]}"
if [ "$rc" -eq 0 ]; then same "a raw dump gives the same log as the text image" r.log s.log
else fail "a raw dump gives the same log as the text image" "rc=$rc $(cat err)"; fi
printf 'cr3 0x1000 # only a header\n' >hdr.img
run "$SIM" --image hdr.img --image-raw sample.raw@1000 --trace "$TRC" --log r2.log --no-progress
if [ "$rc" -eq 0 ] && grep -q 'image hdr.img + raw, CR3 0x1000, 4 pages read from raw images' out; then
    same "a header-only text image with a raw dump" r2.log s.log
else fail "a header-only text image with a raw dump" "rc=$rc $(head -c 300 out) $(cat err)"; fi

# ------------------------------------------------------------- privilege

run "$SIM" --image "$IMG" --trace "$TRC" --priv supervisor --log p.log "${Q[@]}"
if [ "$rc" -eq 0 ] && [ "$(awk '!/^#/ && $12 == "-"' p.log | wc -l)" -eq 0 ] &&
    awk '!/^#/ && $12 == "smep" && $13 == "0x11"' p.log | grep -q . &&
    awk '!/^#/ && $12 == "smap" && $13 == "0x03"' p.log | grep -q . &&
    awk '!/^#/ && $12 == "np" && $13 == "0x00"' p.log | grep -q . && [ -z "$(awk '!/^#/ && $6 != "S"' p.log)" ]; then
    pass "--priv supervisor: SMEP and SMAP from the image header"
else fail "--priv supervisor: SMEP and SMAP from the image header" "rc=$rc $(awk '!/^#/ {print $12, $13}' p.log | sort | uniq -c | tr '\n' ' ')"; fi
run "$SIM" --image "$IMG" --trace "$TRC" --priv supervisor --set mode.smep=off --set mode.smap=off --log p2.log "${Q[@]}"
if [ "$rc" -eq 0 ] && [ "$(awk '!/^#/ && $12 != "-"' p2.log | wc -l)" -eq 1 ]; then
    pass "--set overrides the image header"
else fail "--set overrides the image header" "rc=$rc"; fi

# ---------------------------------------------------------- bad input

printf 'cr3 0x1000\n0x1000\n' >b1.img
bad "image: missing value" "b1.img:2: missing value" "$SIM" --image b1.img --trace "$TRC"
printf 'cr3 0x1000\ncr5 1\n' >b2.img
bad "image: unknown header key" "b2.img:2: unknown header key 'cr5'" "$SIM" --image b2.img --trace "$TRC"
printf '# x\ncr3 0x1000\n0x1004 0x7\n' >b3.img
bad "image: unaligned address" "b3.img:3: address 0x1004 is not 8-byte aligned" "$SIM" --image b3.img --trace "$TRC"
printf 'cr3 0x1000\n1000 zz\n' >b4.img
bad "image: bad value" "b4.img:2: bad value 'zz'" "$SIM" --image b4.img --trace "$TRC"
printf 'maxphyaddr 60\n' >b5.img
bad "image: header value out of range" "b5.img:1: maxphyaddr: must be in 32..52 (got 60)" "$SIM" --image b5.img --trace "$TRC"
bad "image: missing file" "nosuch.img: cannot open" "$SIM" --image nosuch.img --trace "$TRC"
bad "raw: truncated" "trunc.raw: size 12 is not a multiple of 8 bytes" "$SIM" --image-raw trunc.raw@0 --cr3 0 --trace "$TRC"
bad "raw: no base" "expected FILE@BASE" "$SIM" --image-raw sample.raw --cr3 0 --trace "$TRC"
bad "raw: no CR3" "no CR3" "$SIM" --image-raw sample.raw@1000 --trace "$TRC"
bad "CR3 above MAXPHYADDR" "cr3 0x400000001000: bits 63:46 must be 0" "$SIM" --image-raw sample.raw@1000 --cr3 0x400000001000 --trace "$TRC"
bad "--cr3 without an image" "--cr3 needs" "$SIM" --cr3 1000 --workload seq
bad "bad --cr3" "--cr3: invalid value" "$SIM" --image "$IMG" --cr3 0xq --trace "$TRC"
bad "--snapshot with --image" "--snapshot excludes" "$SIM" --snapshot x.map --image "$IMG" --trace "$TRC"
bad "an image needs accesses" "--image needs accesses" "$SIM" --image "$IMG"
bad "--log needs accesses" "--log needs accesses" "$SIM" --log x.log
bad "--log into a missing directory" "no/such/x.log: cannot write the log" "$SIM" --image "$IMG" --trace "$TRC" --log no/such/x.log
bad "bad --priv" "--priv: unknown mode 'root'" "$SIM" --priv root --workload seq
bad "processes with an image" "processes: must be 1" "$SIM" --image "$IMG" --trace "$TRC" --set processes=2
printf '#mmusnapshot v1\n0x1000 0x2000 0x1000 4k rw-p anon -\n0x5000 0x6000 0x1000 8k rw-p anon -\n' >b1.map
bad "snapshot: bad page size" "b1.map:3: bad page size '8k'" "$SIM" --snapshot b1.map --trace "$TRC"
printf '0x1000 0x400000000000 0x1000 4k rw-p anon -\n' >b2.map
bad "snapshot: frame above MAXPHYADDR" "b2.map:1: frame 0x400000000000 + 0x1000 is above MAXPHYADDR 46;--set maxphyaddr=47" \
    "$SIM" --snapshot b2.map --trace "$TRC"
printf '0x1000 0x2000 0x1000 4k rw-p anon -\n0x1000 0x3000 0x1000 4k rw-p anon -\n' >b3.map
bad "snapshot: overlapping ranges" "b3.map:2: virtual address 0x1000 is already mapped" "$SIM" --snapshot b3.map --trace "$TRC"
if [ -x "$SRC/scripts/snapshot" ]; then
    bad "scripts/snapshot: no such process" "snapshot: " "$SRC/scripts/snapshot" 999999999
fi

# ------------------------------------------------- snapshot round trip

CC=${CC:-cc}
if [ "$(id -u)" -ne 0 ]; then
    skip "snapshot round trip" "needs root (/proc/PID/pagemap hides frames from other users)"
elif ! command -v "$CC" >/dev/null; then
    skip "snapshot round trip" "no C compiler ($CC) for the child process"
elif ! "$CC" -std=c11 -O1 -o child "$SRC/model/tests/snapshot_child.c" 2>cc.err; then
    fail "snapshot round trip" "cannot compile snapshot_child.c: $(head -c 300 cc.err)"
else
    mkfifo ready.fifo
    ./child report.txt >ready.fifo &
    CHILD_PID=$!
    read -r -t 10 line <ready.fifo
    if [ "${line:-}" != ready ]; then
        fail "snapshot round trip" "the child did not start"
    else
        run "$SRC/scripts/snapshot" -o snap.map "$CHILD_PID"
        if [ "$rc" -ne 0 ]; then
            fail "scripts/snapshot PID" "rc=$rc $(cat err)"
        else
            pass "scripts/snapshot PID ($(cat err))"
            # the same map found the old way (pagemap read page by page, THPs by /proc/kpageflags)
            run "$SRC/scripts/snapshot" --no-pagemap-scan -o snap2.map "$CHILD_PID"
            if [ "$rc" -eq 0 ] && diff <(grep -v '^#' snap.map) <(grep -v '^#' snap2.map) >/dev/null; then
                pass "scripts/snapshot --no-pagemap-scan finds the same map"
            else fail "scripts/snapshot --no-pagemap-scan finds the same map" "rc=$rc $(cat err) $(diff snap.map snap2.map | head -5 | tr '\n' ' ')"; fi
            kill -USR1 "$CHILD_PID"
            for _ in $(seq 100); do grep -qx end report.txt 2>/dev/null && break; sleep 0.05; done
            # the trace: every page of the child's regions, plus rights checks on the small region
            python3 - <<'EOF' >trace.txt
pages = [l.split() for l in open('report.txt') if l.startswith('page ')]
for p in pages:
    print(f"R {int(p[2], 16) + 8:#x} 8")
small = [int(p[2], 16) for p in pages if p[1] == 'small']
print(f"W {small[0] + 16:#x} 8")   # read-only page: write fault
print(f"X {small[1] + 16:#x} 1")   # r-x page: fetch fine
print(f"X {small[2] + 16:#x} 1")   # rw- page: execute-disable fault
print(f"W {small[2] + 24:#x} 8")   # rw- page: fine
EOF
            run "$SIM" --snapshot snap.map --trace trace.txt --set issue=inorder --log snap.log "${Q[@]}"
            if [ "$rc" -ne 0 ]; then
                fail "replay of the snapshot" "rc=$rc $(cat err)"
            else
                python3 - >check.out 2>&1 <<'EOF'
import sys
pages = [l.split() for l in open('report.txt') if l.startswith('page ')]
log = {}
for l in open('snap.log'):
    if not l.startswith('#'):
        f = l.split()
        log[int(f[0])] = f
bad, n4, n2, thp_pages, huge = [], 0, 0, 0, 0
for i, (_, region, va, present, pa, thp) in enumerate(pages):
    va, pa = int(va, 16), int(pa, 16)
    f = log.get(i)
    if f is None or int(f[3], 16) != va + 8:
        bad.append(f"access {i}: no log line for {va + 8:#x}")
        continue
    if present == '0':
        if f[11] != 'np' or f[12] != '0x04':
            bad.append(f"{va:#x} not present in the kernel, replay: {' '.join(f[6:8] + f[11:13])}")
        continue
    big = (region == 'thp' and thp == '1') or region == 'huge'
    thp_pages += region == 'thp' and thp == '1'
    huge += region == 'huge'
    want = '2m' if big else '4k'
    if f[11] != '-' or int(f[6], 16) != pa + 8 or f[7] != want:
        bad.append(f"{va:#x}: kernel frame {pa:#x} {want}, replay {' '.join(f[6:8] + f[11:13])}")
    elif big:
        n2 += 1
    else:
        n4 += 1
k = len(pages)
for j, (fault, err) in enumerate([('write', '0x07'), ('-', '-'), ('nx', '0x15'), ('-', '-')]):
    f = log.get(k + j)
    if f is None or f[11] != fault or f[12] != err:
        bad.append(f"rights check {j}: expected {fault} {err}, got {f and ' '.join(f[11:13])}")
for b in bad[:5]:
    print(b)
thp_total = sum(1 for p in pages if p[1] == 'thp')
if thp_pages == 0:
    print(f"NOTE: no THP on this machine (the kernel gave 4 KiB pages to the madvised region); "
          f"checked 4 KiB pages only")
print(f"checked {n4} pages of 4 KiB and {n2} of 4 KiB inside 2 MiB pages "
      f"({thp_pages // 512} THP, {huge // 512} hugetlb)")
sys.exit(1 if bad else 0)
EOF
                crc=$?
                if [ $crc -eq 0 ]; then
                    grep '^NOTE' check.out
                    pass "snapshot round trip: every page translates to the kernel's frame ($(tail -1 check.out))"
                else
                    fail "snapshot round trip" "$(tr '\n' ';' <check.out)"
                fi
                # and the whole snapshot: the first and last page of every range translate as listed
                python3 - <<'EOF' >all.txt
for l in open('snap.map'):
    if l.startswith('#'):
        continue
    va, pa, ln, pg, perms = l.split()[:5]
    va, ln = int(va, 16), int(ln, 16)
    if perms[:3] != '---':
        print(f"R {va:#x} 1")
        print(f"R {va + ln - 1:#x} 1")
EOF
                run "$SIM" --snapshot snap.map --trace all.txt --set issue=inorder --log all.log "${Q[@]}"
                if [ "$rc" -eq 0 ] && python3 - 2>whole.out <<'EOF'
import sys
want = []
for l in open('snap.map'):
    if l.startswith('#'):
        continue
    va, pa, ln, pg, perms = l.split()[:5]
    va, pa, ln = int(va, 16), int(pa, 16), int(ln, 16)
    if perms[:3] != '---':
        want += [(va, pa, pg), (va + ln - 1, pa + ln - 1, pg)]
got = {}
for l in open('all.log'):
    if not l.startswith('#'):
        f = l.split()
        got[int(f[0])] = f
bad = [w for i, w in enumerate(want) if i not in got or got[i][6] == '-' or int(got[i][6], 16) != w[1] or got[i][7] != w[2]]
print(f"{len(want)} checked, {len(bad)} wrong", file=sys.stderr)
sys.exit(1 if bad or not want else 0)
EOF
                then pass "replay of the whole snapshot: the first and last page of every range ($(cat whole.out))"
                else fail "replay of the whole snapshot" "rc=$rc $(head -c 300 err) $(cat whole.out 2>/dev/null)"; fi
            fi
        fi
    fi
    kill "$CHILD_PID" 2>/dev/null
    wait "$CHILD_PID" 2>/dev/null
    CHILD_PID=
fi

# ---------------------------------------------------------------- end

finish
