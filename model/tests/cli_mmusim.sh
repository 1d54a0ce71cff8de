#!/usr/bin/env bash
# cli_mmusim.sh - command-line tests of mmusim: usage, bad input (one line on
# stderr naming the culprit, nothing on stdout, no crash), determinism, units,
# standard input, the demonstration, and results that can be known by hand
# (docs/stats.md, docs/timing.md 7).
#
# usage: bash cli_mmusim.sh BIN_DIR SRC_DIR
# Prints one line per case (PASS, FAIL or SKIP), then "N passed, N failed";
# exits 1 if any failed.

set -u

BIN=${1:?usage: cli_mmusim.sh BIN_DIR SRC_DIR}
SRC=${2:?usage: cli_mmusim.sh BIN_DIR SRC_DIR}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "FAIL: no directory $1"; echo "0 passed, 1 failed"; exit 1; }
SRC=$(cd "$SRC" 2>/dev/null && pwd) || SRC=$2
SIM=$BIN/mmusim
TRACE_TOOL=$BIN/mmutrace
if [ ! -x "$SIM" ]; then
    echo "FAIL: $SIM not found"
    echo "0 passed, 1 failed"
    exit 1
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; echo "0 passed, 0 failed"; exit 0; }

. "$(dirname "$0")/testlib.sh" cli_mmusim

# bad NAME 'STR1;STR2;...' CMD...: CMD must fail (0 < rc < 128), write nothing
# on stdout and exactly one line on stderr that contains every STR (a STR
# may list alternatives as 'A|B').
bad() {
    local name=$1 pats=$2
    shift 2
    run "$@"
    local why="" lines
    lines=$(wc -l <err)
    if [ "$rc" -eq 0 ]; then why="exit status 0"
    elif [ "$rc" -ge 128 ]; then why="crashed (exit status $rc)"
    elif [ -s out ]; then why="wrote to stdout: $(head -c 200 out)"
    elif [ "$lines" -ne 1 ] || [ "$(wc -c <err)" -eq 0 ]; then why="$lines lines on stderr: $(head -c 300 err)"
    else
        local IFS=';' p a found
        for p in $pats; do
            found=0
            IFS='|'
            for a in $p; do grep -qF -- "$a" err && found=1; done
            IFS=';'
            if [ $found = 0 ]; then why="stderr does not name '$p': $(cat err)"; break; fi
        done
    fi
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# jget FILE PATH: the value at a dotted path of a JSON file (lists as JSON)
jget() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('/' if '/' in sys.argv[2] else '.'):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else (int(v) if isinstance(v, float) and v.is_integer() else v))
EOF
}

# expect NAME FILE PATH=VALUE...: each JSON value as given
expect() {
    local name=$1 file=$2 why="" kv got
    shift 2
    for kv in "$@"; do
        got=$(jget "$file" "${kv%%=*}" 2>&1 | tail -1)
        if [ "$got" != "${kv#*=}" ]; then why="$why ${kv%%=*} = $got (expected ${kv#*=});"; fi
    done
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# same NAME FILE1 FILE2: byte-identical
same() {
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$2 and $3 differ: $(diff "$2" "$3" | head -5 | tr '\n' ' ')"; fi
}

TINY=(--preset tiny -q --no-progress)

# --------------------------------------------------------------- usage

run "$SIM" --help
if [ "$rc" -eq 0 ] && grep -q '^usage: mmusim' out && grep -q '^  tiny ' out && grep -q '^  skylake ' out &&
    grep -q '^  goldencove ' out && grep -q '^  zen2 ' out && grep -q '^  zen4 ' out &&
    grep -q 'tlb.stlb.entries' out && grep -q 'tlb.NAME=off' out && [ ! -s err ]; then
    pass "--help exits 0 and lists the presets"
else fail "--help exits 0 and lists the presets" "rc=$rc $(head -c 200 err)"; fi

run "$SIM" -h
if [ "$rc" -eq 0 ] && grep -q '^usage: mmusim' out; then pass "-h"; else fail "-h" "rc=$rc"; fi

run "$SIM" --version
if [ "$rc" -eq 0 ] && grep -Eq '^mmusim [0-9]+\.[0-9]+' out && [ "$(wc -l <out)" -eq 1 ] && [ ! -s err ]; then
    pass "--version"; else fail "--version" "rc=$rc out=$(cat out)"; fi

# each preset on a line with its description, which names its source
run "$SIM" --list-presets
if [ "$rc" -eq 0 ] && [ "$(wc -l <out)" -eq 5 ] && grep -q '^tiny  .*unit' out &&
    grep -q '^skylake  .*Skylake.*248966' out && grep -q '^goldencove .*Golden Cove.*18H' out &&
    grep -q '^zen2  .*Zen 2.*56305' out && grep -q '^zen4  .*Zen 4.*CPUID' out && [ ! -s err ]; then
    pass "--list-presets"; else fail "--list-presets" "rc=$rc $(cat out)"; fi

run "$SIM" --preset tiny --set walkers=3 --set tlb.dtlb.entries=16 --set tlb.extra.level=2 --set tlb.extra.lat=2 \
    --set tlb.sdtlb=off --dump-config
if [ "$rc" -eq 0 ] && grep -qx 'walkers = 3' out && grep -qx 'tlb.itlb.entries = 4' out &&
    grep -qx 'tlb.dtlb.entries = 16' out && grep -qx 'tlb.extra.entries = 16' out && ! grep -q '^tlb.sdtlb' out &&
    [ "$(grep -c '^tlb\..*\.level = ' out)" -eq 7 ]; then
    pass "--dump-config applies preset and --set (an array added, one removed)"
else fail "--dump-config applies preset and --set (an array added, one removed)" "rc=$rc $(head -c 300 err)"; fi

# ----------------------------------------------------------- bad input

bad "unknown option" "--bogus" "$SIM" --bogus
bad "unknown short option" "-z" "$SIM" -z
bad "option without its value" "--preset" "$SIM" --preset
bad "unexpected argument" "stray" "$SIM" "${TINY[@]}" -w seq -n 10 stray
bad "unknown preset" "nosuch" "$SIM" --preset nosuch -w seq -n 10
bad "unknown key" "dtlb.8k.entries" "$SIM" --preset tiny --set dtlb.8k.entries=1 -w seq -n 10
bad "--set without =" "walkers" "$SIM" --preset tiny --set walkers -w seq -n 10
bad "a key of the old template" "stlb.entries;tlb.NAME" "$SIM" --preset tiny --set stlb.entries=64 -w seq -n 10
bad "ways = 0" "tlb.dtlb.ways" "$SIM" --preset tiny --set tlb.dtlb.ways=0 -w seq -n 10
bad "12 sets, not a power of two" "tlb.stlb.entries;12" "$SIM" --preset tiny --set tlb.stlb.entries=48 \
    --set tlb.stlb.ways=4 -w seq -n 10
bad "plru with 3 ways" "tlb.dtlb.repl;plru" "$SIM" --preset tiny --set tlb.dtlb.entries=12 --set tlb.dtlb.ways=3 \
    --set tlb.dtlb.repl=plru -w seq -n 10
bad "level out of range" "tlb.dtlb.level: must be in 1..2 (got 3)" "$SIM" --preset tiny --set tlb.dtlb.level=3 -w seq -n 10
bad "removing an array that is not there" "tlb.nosuch: no such array to remove" \
    "$SIM" --preset tiny --set tlb.nosuch=off -w seq -n 10
bad "two latencies at one level" "tlb.dtlb.lat;tlb.itlb.lat" "$SIM" --preset tiny --set tlb.dtlb.lat=2 -w seq -n 10
bad "a name for both lists" "pwc.stlb.levels;stlb" "$SIM" --preset tiny --set pwc.stlb.levels=pde -w seq -n 10
bad "bad value" "walkers;abc" "$SIM" --preset tiny --set walkers=abc -w seq -n 10
bad "value out of range" "walkers;17" "$SIM" --preset tiny --set walkers=17 -w seq -n 10
bad "bad --backing" "backing;8m" "$SIM" --preset tiny --backing 8m -w seq -n 10
bad "unknown workload" "nosuch" "$SIM" "${TINY[@]}" --workload nosuch
bad "bad --footprint" "--footprint;12X" "$SIM" "${TINY[@]}" -w seq --footprint 12X
bad "bad --accesses" "--accesses;ten" "$SIM" "${TINY[@]}" -w seq --accesses ten
bad "bad --mix" "--mix;1,2" "$SIM" "${TINY[@]}" -w seq --mix 1,2
bad "all-zero --mix" "mix" "$SIM" "${TINY[@]}" -w seq --mix 0,0,0 -n 10
bad "--access-size 0" "--access-size" "$SIM" "${TINY[@]}" -w seq --access-size 0
bad "bad --format" "--format;xml" "$SIM" "${TINY[@]}" -t x --format xml
bad "--trace with workload options" "--trace" "$SIM" "${TINY[@]}" -t x -w seq

printf 'R 0x100000000000 8\n# comment\nQ 0x100000001000 8\n' >bad_kind.txt
bad "text trace: unknown kind" "bad_kind.txt:3" "$SIM" "${TINY[@]}" -t bad_kind.txt
printf 'R 0x100000000000 8\nW 0xZZ 8\n' >bad_addr.txt
bad "text trace: bad address" "bad_addr.txt:2" "$SIM" "${TINY[@]}" -t bad_addr.txt
printf 'R 0x100000000000 8 junk\n' >bad_junk.txt
bad "text trace: trailing junk" "bad_junk.txt:1;junk" "$SIM" "${TINY[@]}" -t bad_junk.txt
printf 'R 0x100000000000 8\nR 0x100000000000 0\n' >bad_size.txt
bad "text trace: size 0" "bad_size.txt:2" "$SIM" "${TINY[@]}" -t bad_size.txt
printf '==1== Lackey\nI  0023C790,2\n L zzzz,8\n' >bad1.lackey
bad "lackey: bad address" "bad1.lackey:3" "$SIM" "${TINY[@]}" -t bad1.lackey
printf '==1== Lackey\nI  0023C790,2\n Q 0001FFEF,8\n' >bad2.lackey
bad "lackey: bad kind" "bad2.lackey:3" "$SIM" "${TINY[@]}" -t bad2.lackey

python3 -c "
for i in range(300): print('R 0x%x 8' % (0x100000000000 + i * 520))
print('W 0x100000001000 8'); print('M 0x100000002000 4'); print('X 0x100000003000 2')" >good.txt
have_conv=0
if [ -x "$TRACE_TOOL" ] && "$TRACE_TOOL" convert good.txt good.bin --to bin >/dev/null 2>&1; then have_conv=1; fi
if [ $have_conv = 1 ]; then
    head -c $(($(stat -c %s good.bin) - 5)) good.bin >trunc.bin
    bad "truncated binary trace" "trunc.bin;truncated" "$SIM" "${TINY[@]}" -t trunc.bin
    head -c 5 good.bin >short.bin
    bad "binary trace cut inside the magic" "short.bin" "$SIM" "${TINY[@]}" -t short.bin
    bad "--format bin on a text trace" "good.txt" "$SIM" "${TINY[@]}" -t good.txt --format bin
else
    skip "truncated binary trace" "mmutrace convert not available"
fi
for z in gzip xz zstd; do
    if command -v $z >/dev/null; then
        $z -c good.txt >good.txt.$z
        head -c $(($(stat -c %s good.txt.$z) / 2)) good.txt.$z >half.$z
        bad "truncated $z trace (half)" "half.$z" "$SIM" "${TINY[@]}" -t half.$z
        head -c $(($(stat -c %s good.txt.$z) - 4)) good.txt.$z >cut4.$z
        bad "truncated $z trace (last 4 bytes)" "cut4.$z" "$SIM" "${TINY[@]}" -t cut4.$z
    else
        skip "truncated $z trace" "$z not installed"
    fi
done

# A non-canonical address in a text or binary trace is a #GP (SDM 3.3.7.1),
# not an error: the MMU answers it, nothing is read, it is counted and logged.
# An access whose first byte is canonical and whose last is not is one #GP
# (for the first non-canonical byte, 0x800000000000): nothing translated.
printf 'R 0x100000000000 8\nR 0x800000000000 8\nR 0x7ffffffffffc 8\n' >noncanon.txt
gp_check() { # NAME FILE: 3 accesses, 3 translations: one 4 KiB walk, two #GP
    local name=$1
    run "$SIM" "${TINY[@]}" -t "$2" --json gp.json --log gp.log -q --no-progress
    if [ "$rc" -ne 0 ]; then fail "$name" "exit status $rc: $(cat err)"; return; fi
    local got
    got="$(jget gp.json accesses) $(jget gp.json by_size.total.translations) $(jget gp.json by_size.none.faults.noncanonical) $(jget gp.json by_size.4K.translations)"
    if [ "$got" != "3 3 2 1" ]; then fail "$name" "accesses, translations, #GP, 4K: $got, want 3 3 2 1"; return; fi
    if [ "$(grep -c ' 0x800000000000 R U - - - - - gp 0x00 0 - -$' gp.log)" != 2 ]; then
        fail "$name" "log: want two #GP lines for 0x800000000000: $(cat gp.log)"; return
    fi
    pass "$name"
}
gp_check "non-canonical address in a text trace: #GP" noncanon.txt
if [ $have_conv = 1 ] && "$TRACE_TOOL" convert noncanon.txt noncanon.bin --to bin >/dev/null 2>&1; then
    gp_check "non-canonical address in a binary trace: #GP" noncanon.bin
fi
printf 'R 0xfffffffffffffffc 8\n' >wrap.txt
bad "access wrapping past 2^64-1" "wrap.txt:1;0xfffffffffffffffc;wraps" "$SIM" "${TINY[@]}" -t wrap.txt
# lackey: valgrind never writes a non-canonical address, so it stays an error naming the line
printf '==1== x\n L 100000000000,8\n L 800000000000,8\n' >noncanon.lackey
bad "non-canonical address in a lackey trace" "noncanon.lackey:3;0x800000000000;not canonical" \
    "$SIM" "${TINY[@]}" -t noncanon.lackey
bad "non-canonical address in a lackey trace from stdin" "<stdin>:3;not canonical" "$SIM" "${TINY[@]}" -t - <noncanon.lackey
bad "missing trace file" "$T/nosuch.trace" "$SIM" "${TINY[@]}" -t "$T/nosuch.trace"

echo '{"dtlb": {"8k": {"entries": 1}}}' >unknown_key.json
bad "config file: unknown key" "unknown_key.json;dtlb.8k.entries" "$SIM" "${TINY[@]}" -c unknown_key.json -w seq -n 10
echo '{"tlb": {"x": {"sizes": "4k,8k"}}}' >bad_size.json
bad "config file: a field of the list" "bad_size.json;tlb.x.sizes;8k" "$SIM" "${TINY[@]}" -c bad_size.json -w seq -n 10
echo '{"dtlb": {"4k": ' >malformed.json
bad "config file: malformed JSON" "malformed.json" "$SIM" "${TINY[@]}" -c malformed.json -w seq -n 10
bad "config file: missing" "nosuch.json" "$SIM" "${TINY[@]}" -c nosuch.json -w seq -n 10
echo '{"walkers": 17}' >range.json
bad "config file: value out of range" "range.json;walkers" "$SIM" "${TINY[@]}" -c range.json -w seq -n 10
bad "--json to an unwritable file" "$T/nodir/x.json" "$SIM" "${TINY[@]}" -w seq -n 10 --json "$T/nodir/x.json"

# long --set values must not be cut silently: 000...0007 is 7
zeros=$(printf '0%.0s' $(seq 1 100))
run "$SIM" --preset tiny --set "seed=${zeros}7" --dump-config
if [ "$rc" -eq 0 ] && grep -qx 'seed = 7' out; then pass "long --set value"
elif [ "$rc" -gt 0 ] && [ "$rc" -lt 128 ] && [ "$(wc -l <err)" -eq 1 ] && grep -q seed err; then
    pass "long --set value (rejected)"
else fail "long --set value" "--set seed=<100 zeros>7 gives '$(grep '^seed' out)', exit $rc (value cut at 95 characters)"; fi

# a negative weight is not a weight
run "$SIM" "${TINY[@]}" -w seq -n 10 --mix -1,0,0
if [ "$rc" -gt 0 ] && [ "$rc" -lt 128 ] && [ ! -s out ] && [ "$(wc -l <err)" -eq 1 ] && grep -qF -- "--mix" err; then
    pass "negative --mix weight"
elif [ "$rc" -eq 0 ]; then
    fail "negative --mix weight" "--mix -1,0,0 is accepted (sscanf %u reads -1 as 4294967295)"
else
    fail "negative --mix weight" "rc=$rc $(head -c 200 err)"
fi

# -------------------------------------------------------- determinism

W=("${TINY[@]}" -w uniform --footprint 1M -n 20000)
"$SIM" "${W[@]}" --seed 5 --json >d1.json
"$SIM" "${W[@]}" --seed 5 --json >d2.json
"$SIM" "${W[@]}" --seed 6 --json >d3.json
"$SIM" "${W[@]}" --set seed=5 --json >d4.json
same "same --seed, same JSON" d1.json d2.json
if ! cmp -s d1.json d3.json && [ -s d3.json ]; then pass "other --seed, other JSON"
else fail "other --seed, other JSON" "--seed 5 and --seed 6 give the same output"; fi
same "--seed N = --set seed=N" d1.json d4.json
"$SIM" "${TINY[@]}" -w zipf --footprint 4M -n 20000 --seed 9 --set processes=3 --set switch_every=1000 --json >z1.json
"$SIM" "${TINY[@]}" -w zipf --footprint 4M -n 20000 --seed 9 --set processes=3 --set switch_every=1000 --json >z2.json
same "same --seed, same JSON (zipf, 3 processes)" z1.json z2.json
"$SIM" "${W[@]}" --seed 5 --json "$T/file.json"
same "--json FILE = --json to stdout" d1.json file.json

# --------------------------------------------------------------- units

"$SIM" "${TINY[@]}" -w uniform -n 2000 --footprint 64KiB --json >u1.json
"$SIM" "${TINY[@]}" -w uniform -n 2000 --footprint 65536 --json >u2.json
"$SIM" "${TINY[@]}" -w uniform -n 2000 --footprint 0x10000 --json >u3.json
"$SIM" "${TINY[@]}" -w uniform -n 2000 --footprint 64k --json >u4.json
same "--footprint 64KiB = 65536" u1.json u2.json
same "--footprint 0x10000 = 65536" u3.json u2.json
same "--footprint 64k = 65536" u4.json u2.json
"$SIM" "${TINY[@]}" -w stride -n 2000 --stride 8K --json >s1.json
"$SIM" "${TINY[@]}" -w stride -n 2000 --stride 8192 --json >s2.json
same "--stride 8K = 8192" s1.json s2.json

# -------------------------------------------------------- standard input

"$SIM" "${TINY[@]}" -t good.txt --json >f.json
"$SIM" "${TINY[@]}" -t - --json <good.txt >i.json
same "-t - = the file (text)" f.json i.json
if command -v gzip >/dev/null; then
    "$SIM" "${TINY[@]}" -t good.txt.gzip --json >fz.json
    gzip -c good.txt | "$SIM" "${TINY[@]}" -t - --json >iz.json
    same "gzip file = plain file" f.json fz.json
    same "-t - = the file (gzip)" f.json iz.json
fi
for z in xz zstd; do
    if command -v $z >/dev/null; then
        "$SIM" "${TINY[@]}" -t good.txt.$z --json >fz.json
        same "$z file = plain file" f.json fz.json
    fi
done
if [ $have_conv = 1 ]; then
    "$SIM" "${TINY[@]}" -t - --json <good.bin >ib.json
    same "-t - = the file (binary)" f.json ib.json
fi
printf '==99== Lackey\nI  100000000000,4\n L 100000000010,8\n S 100000001000,8\n M 100000002000,4\n' >kinds.lackey
printf 'X 0x100000000000 4\nR 0x100000000010 8\nW 0x100000001000 8\nM 0x100000002000 4\n' >kinds.txt
"$SIM" "${TINY[@]}" -t kinds.lackey --json >kl.json
"$SIM" "${TINY[@]}" -t kinds.txt --json >kt.json
same "lackey = text trace" kl.json kt.json
expect "lackey I/L/S/M kinds" kl.json by_size.total.fetches=1 by_size.total.reads=1 by_size.total.writes=2 \
    accesses=4 by_size.total.translations=4

# ------------------------------------------------------- demonstration

start=$(date +%s)
timeout 15 "$SIM" --no-progress --json demo.json >demo.txt 2>demo.err
rc=$?
secs=$(($(date +%s) - start))
if [ "$rc" -eq 124 ]; then
    skip "demonstration" "takes more than 15 s with this build"
elif [ "$rc" -ne 0 ]; then
    fail "demonstration" "exit status $rc: $(head -c 200 demo.err)"
elif [ "$secs" -gt 15 ]; then
    skip "demonstration" "took $secs s"
else
    why=""
    for r in "4 KiB" "2 MiB" "1 GiB"; do
        grep -q "^== backed by $r pages: [0-9]* cycles ==" demo.txt || why="$why no table for $r;"
        grep -q "^$r  *[0-9]" demo.txt || why="$why no summary row for $r;"
    done
    if [ -z "$why" ]; then pass "demonstration prints 4 KiB, 2 MiB and 1 GiB rows ($secs s)"
    else fail "demonstration" "$why"; fi
    expect "demonstration JSON" demo.json 4k.accesses=2000000 2m.accesses=2000000 1g.accesses=2000000 \
        4k.by_size.2M.translations=0 2m.by_size.4K.translations=0 1g.by_size.4K.translations=0 \
        4k.by_size.total.walk_start.pml4e_read=1 \
        "1g.by_size.1G.translations=$(jget demo.json 1g.by_size.total.translations)" \
        "2m.by_size.2M.translations=$(jget demo.json 2m.by_size.total.translations)"
    # the demonstration's --json to stdout should be JSON, as without the demonstration
    if [ "$secs" -le 10 ]; then
        "$SIM" --no-progress --json >demo_stdout.txt 2>/dev/null
        if python3 -c "import json,sys; json.load(open('demo_stdout.txt'))" 2>/dev/null; then
            pass "demonstration --json to stdout is JSON"
        else
            fail "demonstration --json to stdout is JSON" "run_demo prints its tables to stdout too (use -q)"
        fi
    fi
fi

# --------------------------------------------------- values known by hand

# One 4 KiB page, 512 reads of 8 bytes, in order: 1 walk (4 reads, 4 locked
# A updates into fresh tables), 511 L1 hits. tiny: lat.l1 1, lat.stlb 2,
# lat.pwc 1, memory 10 cycles: walk = accept 0, STLB 2, PWC 3, reads at 4,
# 15, 26, 37 (each 10 cycles + 1 to issue the next), updates (each answered
# like a read) at 48, 59, 70, 81, response 92 = 4 + 8*11.
# A hit: accept t, response t+1, next accept t+2: cycles = 93 + 511*2 = 1115.
SEQ=(--preset tiny -q --no-progress --workload seq --footprint 4K --accesses 512 --access-size 8 --mix 100,0,0)
"$SIM" "${SEQ[@]}" --issue inorder --json >seq.json
expect "one 4K page, in order" seq.json accesses=512 cycles=1115 control_ops=0 \
    by_size.4K.translations=512 by_size.4K.reads=512 by_size.4K.writes=0 by_size.4K.l1_hits=511 \
    by_size.4K.stlb_hits=0 by_size.4K.walks=1 by_size.4K.joined=0 by_size.4K.walk_mem_reads=4 \
    by_size.4K.walk_mem_writes=4 by_size.4K.mem_refs_per_walk=8 by_size.4K.walk_start.pml4e_read=1 \
    by_size.4K.latency_walk.max=92 by_size.4K.latency_hit.count=511 by_size.4K.latency_hit.max=1 \
    by_size.4K.latency.p50=1 by_size.4K.latency.p99=1 by_size.4K.latency.max=92 \
    by_size.2M.translations=0 by_size.none.translations=0 by_size.total.translations=512 by_size.total.l1_hits=511
# the same run in the MMU's own counters (a path with '/' when a key has a
# dot), keyed by tiny's array names. Every read looks up the level-1 arrays
# that serve loads: dtlb (4K) and dtlbbig (2M, 1G); sdtlb serves stores and
# itlb fetches, so neither is looked up. The first read misses both (the
# page is at VA 0x100000000000), the other 511 hit dtlb, which answers
# first, and dtlbbig counts each as a miss: 512. Only the first read goes
# to level 2: stlb and stlb1g (both hold 4K, both serve loads) miss once.
# Its walk fills one level-2 array: of the two candidates, (tag >> log2(4
# sets of stlb)) mod 2 = VA bit 14 = 0 picks stlb ([T:fill]); level 1:
# dtlb, the one that holds 4K. PWCs: pdc gets the PML4E and the PDPTE (two
# fills), pde the PDE; each looked up once, a miss. The walk is dispatched
# in cycle 3 and completes at the end of 91 (the last update's answer): 89
# cycles, the only walk, so active for 89 too.
expect "one 4K page, in order: array and walk counters" seq.json \
    arrays/dtlb/kind=tlb arrays/dtlb/lookups=512 arrays/dtlb/hits=511 arrays/dtlb/misses=1 \
    arrays/dtlb/soft_misses=0 arrays/dtlb/fills=1 arrays/dtlb/evictions=0 arrays/dtlb/by_kind/read/hits=511 \
    arrays/dtlb/by_kind/write/lookups=0 arrays/dtlbbig/lookups=512 arrays/dtlbbig/misses=512 \
    arrays/dtlbbig/fills=0 arrays/sdtlb/lookups=0 arrays/itlb/lookups=0 arrays/itlb2m/lookups=0 \
    arrays/stlb/lookups=1 arrays/stlb/misses=1 arrays/stlb/fills=1 arrays/stlb1g/lookups=1 \
    arrays/stlb1g/misses=1 arrays/stlb1g/fills=0 arrays/pdc/kind=pwc arrays/pdc/lookups=1 arrays/pdc/hits=0 \
    arrays/pdc/fills=2 arrays/pde/kind=pwc arrays/pde/lookups=1 arrays/pde/fills=1 walks/read/started=1 \
    walks/read/completed=1 walks/read/faulted=0 walks/read/cycles=89 walks/read/active_cycles=89 \
    walks/write/started=0 walks/restarts=0
# the arrays in configuration order, TLB arrays then PWCs; absent ones
# (0 entries) are not listed
arrnames() { python3 -c "import json, sys; print(' '.join(json.load(open(sys.argv[1]))['arrays']))" "$1"; }
if [ "$(arrnames seq.json)" = "itlb itlb2m dtlb dtlbbig sdtlb stlb stlb1g pdc pde" ]; then
    pass "arrays in configuration order"
else fail "arrays in configuration order" "$(arrnames seq.json)"; fi
"$SIM" "${SEQ[@]}" --issue inorder --set tlb.stlb1g.entries=0 --set tlb.itlb=off --json >seqoff.json
if [ "$(arrnames seqoff.json)" = "itlb2m dtlb dtlbbig sdtlb stlb pdc pde" ]; then
    pass "absent and removed arrays are not listed"
else fail "absent and removed arrays are not listed" "$(arrnames seqoff.json)"; fi
# ... and as perf would count them: one load walk, completed, 89 cycles
# active and pending; no store or fetch; no STLB hit
expect "one 4K page, in order: perf (Intel names)" seq.json perf/vendor=intel \
    perf/dtlb_load_misses.miss_causes_a_walk=1 perf/dtlb_load_misses.stlb_hit=0 \
    perf/dtlb_load_misses.walk_completed=1 perf/dtlb_load_misses.walk_completed_4k=1 \
    perf/dtlb_load_misses.walk_completed_2m_4m=0 perf/dtlb_load_misses.walk_active=89 \
    perf/dtlb_load_misses.walk_pending=89 perf/dtlb_store_misses.walk_completed=0 perf/itlb_misses.stlb_hit=0
"$SIM" "${SEQ[@]}" --issue inorder --set perf=amd --json >seqamd.json
# AMD: the one L1 DTLB miss is a 4K L2 miss (a walk), one data-side walk
expect "one 4K page, in order: perf (AMD names)" seqamd.json perf/vendor=amd perf/ls_l1_d_tlb_miss.all=1 \
    perf/ls_l1_d_tlb_miss.tlb_reload_4k_l2_miss=1 perf/ls_l1_d_tlb_miss.tlb_reload_4k_l2_hit=0 \
    perf/ls_l1_d_tlb_miss.all_l2_miss=1 perf/ls_tablewalker.dside=1 perf/ls_tablewalker.iside=0 \
    perf/bp_l1_tlb_fetch_hit=0
# pipelined: the next 7 requests (outstanding = 8) miss while the walk runs and join it
"$SIM" "${SEQ[@]}" --json >seqp.json
expect "one 4K page, pipelined: 7 join the walk" seqp.json by_size.4K.translations=512 by_size.4K.walks=1 \
    by_size.4K.joined=7 by_size.4K.l1_hits=504 by_size.4K.walk_mem_reads=4 by_size.4K.latency_walk.count=8 \
    arrays/dtlb/hits=504 arrays/dtlb/misses=8 arrays/stlb/lookups=8 arrays/stlb/misses=8 \
    arrays/stlb/fills=1 arrays/stlb1g/lookups=8 arrays/stlb1g/fills=0 walks/read/started=1 \
    perf/dtlb_load_misses.walk_completed=1 \
    perf/dtlb_load_misses.miss_causes_a_walk=1
# AMD counts every missing access: the owner and the 7 that joined
"$SIM" "${SEQ[@]}" --set perf=amd --json >seqpamd.json
expect "one 4K page, pipelined: perf (AMD names)" seqpamd.json perf/ls_l1_d_tlb_miss.all=8 \
    perf/ls_l1_d_tlb_miss.tlb_reload_4k_l2_miss=8 perf/ls_tablewalker.dside=1
# 2 MiB backing: 3 reads (PML4E, PDPTE, PDE leaf), 3 A updates; response 4 + 6*11 = 70
"$SIM" "${SEQ[@]}" --issue inorder --set backing=2m --json >seq2m.json
expect "one 2M page, in order" seq2m.json by_size.2M.translations=512 by_size.4K.translations=0 \
    by_size.2M.walks=1 by_size.2M.l1_hits=511 by_size.2M.walk_mem_reads=3 by_size.2M.walk_mem_writes=3 \
    by_size.2M.latency_walk.max=70 cycles=1093
"$SIM" "${SEQ[@]}" --issue inorder --backing 1g --json >seq1g.json
expect "one 1G page, in order" seq1g.json by_size.1G.translations=512 by_size.1G.walks=1 \
    by_size.1G.walk_mem_reads=2 by_size.1G.walk_mem_writes=2 by_size.1G.latency_walk.max=48 cycles=1071

# CSV of the same run
"$SIM" "${SEQ[@]}" --issue inorder --csv >seq.csv
hdr='run,size,translations,l1_hits,stlb_hits,walks,joined,walk_mem_reads,walk_mem_writes,faults,lat_mean,lat_p50,lat_p95,lat_p99,lat_max,cycles'
if [ "$(sed -n 1p seq.csv)" = "$hdr" ] && [ "$(wc -l <seq.csv)" -eq 6 ] &&
    [ "$(sed -n 2p seq.csv)" = "seq,4K,512,511,0,1,0,4,4,0,1.178,1,1,1,92,1115" ] &&
    [ "$(sed -n 3p seq.csv)" = "seq,2M,0,0,0,0,0,0,0,0,0.000,0,0,0,0,1115" ] &&
    [ "$(cut -d, -f2 seq.csv | tr '\n' ' ')" = "size 4K 2M 1G none total " ] &&
    [ "$(sed -n 6p seq.csv)" = "seq,total,512,511,0,1,0,4,4,0,1.178,1,1,1,92,1115" ]; then pass "CSV rows"
else fail "CSV rows" "$(tr '\n' '|' <seq.csv)"; fi

# a trace name with a comma must not shift the CSV columns
printf 'R 0x100000000000 8\n' >'a,b.txt'
"$SIM" "${TINY[@]}" -t 'a,b.txt' --csv >comma.csv
if python3 -c "
import csv, sys
rows = list(csv.reader(open('comma.csv')))
sys.exit(not (len(rows) == 6 and all(len(r) == 16 for r in rows) and rows[1][0] == 'a,b.txt'))"; then
    pass "CSV: a trace name with a comma"
else
    fail "CSV: a trace name with a comma" "the run column is not quoted: $(sed -n 2p comma.csv)"
fi

# the text table
"$SIM" --preset tiny --no-progress --workload seq --footprint 4K --accesses 512 --mix 100,0,0 --issue inorder >seq.txt
if [ "$(sed -n 1p seq.txt)" = "512 accesses, 1115 cycles" ] &&
    [ "$(sed -n 2p seq.txt | tr -s ' ')" = "size translations L1hit% STLB% walk% fault% refs/wlk mean p50 p95 p99 max" ] &&
    [ "$(sed -n 3p seq.txt | tr -s ' ')" = "4K 512 99.80 0.00 0.20 0.00 8.00 1.2 1 1 1 92" ] &&
    [ "$(sed -n 4p seq.txt | cut -d' ' -f1)" = "total" ] && [ "$(wc -l <seq.txt)" -eq 4 ]; then pass "text table"
else fail "text table" "$(tr '\n' '|' <seq.txt)"; fi
run "$SIM" "${SEQ[@]}"
if [ "$rc" -eq 0 ] && [ ! -s out ] && [ ! -s err ]; then pass "-q: nothing on stdout"; else fail "-q: nothing on stdout" "$(head -c 100 out)"; fi

# a latency above 65535 goes to the overflow bin: memory 100000 cycles, 4 reads
# and 4 updates of 100001 cycles each: 4 + 8*100001 = 800012
printf 'R 0x100000000000 8\n' >one.txt
"$SIM" "${TINY[@]}" --issue inorder --set mem.latency=100000 -t one.txt --json >slow.json
expect "overflow bin" slow.json by_size.4K.latency.max=800012 by_size.4K.latency.p50=800012 \
    'by_size.4K.latency.histogram=[{"count": 1, "hi": 800012, "lo": 65536}]'

# an access across a page boundary: two translations, lower page first; the
# first walk takes 92 (above), the second starts from the PDE cache, reads
# only the PTE and sets its A: 4 + 2*11 = 26, accepted in 93: cycles 120
printf 'R 0x100000000ffc 8\n' >cross.txt
"$SIM" "${TINY[@]}" --issue inorder -t cross.txt --json >cross.json
expect "page-crossing access: 2 translations" cross.json accesses=1 by_size.4K.translations=2 by_size.4K.walks=2 \
    by_size.4K.walk_start.pml4e_read=1 by_size.4K.walk_start.pde_cache=1 by_size.4K.walk_mem_reads=5 \
    by_size.4K.walk_mem_writes=5 by_size.4K.latency.max=92 by_size.4K.latency.p50=26 cycles=120
printf 'R 0x100000000ffc 4\nR 0x100000001000 4\n' >split.txt
"$SIM" "${TINY[@]}" --issue inorder -t split.txt --json >split.json
python3 - cross.json split.json <<'EOF' && pass "page-crossing access = its two halves, lower first" || fail "page-crossing access = its two halves, lower first" "JSON differs beyond 'accesses'"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a.pop('accesses'); b.pop('accesses')
sys.exit(a != b)
EOF
printf 'R 0x100000000ff8 8\n' >nocross.txt
"$SIM" "${TINY[@]}" -t nocross.txt --json >nocross.json
expect "access ending at a page end: 1 translation" nocross.json by_size.total.translations=1
printf 'R 0x1000001ffffc 8\n' >cross2m.txt
"$SIM" "${TINY[@]}" --backing 2m -t cross2m.txt --json >cross2m.json
expect "2 MiB page-crossing access" cross2m.json by_size.2M.translations=2 by_size.2M.walks=2

# M is one write: 4 reads, 4 writes (A on 3 levels, A+D on the PTE in one write)
printf 'M 0x100000000000 8\n' >m.txt
"$SIM" "${TINY[@]}" -t m.txt --json >m.json
expect "M is one write" m.json by_size.total.translations=1 by_size.total.writes=1 by_size.total.reads=0 \
    by_size.total.walk_mem_reads=4 by_size.total.walk_mem_writes=4
# a read then a write of the same page: the write finds D clear (soft miss) and walks again
printf 'R 0x100000000000 8\nW 0x100000000000 8\n' >rw.txt
"$SIM" "${TINY[@]}" --issue inorder -t rw.txt --json >rw.json
expect "write after read: soft miss, D-bit walk" rw.json by_size.total.walks=2 by_size.total.soft_misses=1 \
    by_size.total.walk_mem_writes=5

# demand.ad (docs/config.md): A/D of a page mapped on first touch. The
# one-page runs above with A/D set at mapping time: the walk reads the same
# 4 entries and updates none: reads at 4, 15, 26, 37, response 4 + 4*11 = 48,
# first hit accepted in 49: cycles = 49 + 511*2 = 1071 (as the 1 GiB run:
# the same 48).
# linux, first touch a read: leaf A = 1, D = 0; the 3 tables created A = 1
"$SIM" "${SEQ[@]}" --issue inorder --set demand.ad=linux --json >adl.json
expect "demand.ad=linux, reads: no A update" adl.json by_size.4K.walks=1 by_size.4K.walk_mem_reads=4 \
    by_size.4K.walk_mem_writes=0 by_size.4K.latency_walk.max=48 by_size.4K.l1_hits=511 cycles=1071
# dirty: every entry A = 1, the leaf D = 1
"$SIM" "${SEQ[@]}" --issue inorder --set demand.ad=dirty --json >add.json
expect "demand.ad=dirty, reads: no A update" add.json by_size.4K.walks=1 by_size.4K.walk_mem_reads=4 \
    by_size.4K.walk_mem_writes=0 by_size.4K.latency_walk.max=48 by_size.4K.l1_hits=511 cycles=1071
# 512 writes: with clear the walk sets A in 3 entries and A+D in the PTE (4
# updates, 92, 1115, as for reads); with linux the first touch is a write,
# so the leaf is mapped dirty: no update at all, and no soft miss later
SEQW=(--preset tiny -q --no-progress --workload seq --footprint 4K --accesses 512 --access-size 8 --mix 0,100,0)
"$SIM" "${SEQW[@]}" --issue inorder --json >adcw.json
expect "demand.ad=clear, writes: 4 updates" adcw.json by_size.4K.writes=512 by_size.4K.walk_mem_writes=4 \
    by_size.4K.latency_walk.max=92 cycles=1115
"$SIM" "${SEQW[@]}" --issue inorder --set demand.ad=linux --json >adlw.json
expect "demand.ad=linux, write first: no D update" adlw.json by_size.4K.writes=512 by_size.4K.walks=1 \
    by_size.4K.walk_mem_writes=0 by_size.4K.soft_misses=0 by_size.4K.latency_walk.max=48 cycles=1071
# read, then write of the same page (rw.txt). linux: the read's walk (48)
# updates nothing; the write (accepted in 49) finds D = 0 in the L1 TLB and
# the STLB (soft miss), walks from the PDE cache: reads the PTE and sets D,
# 4 + 2*11 = 26, response in 75: cycles 76. Exactly one D update.
"$SIM" "${TINY[@]}" --issue inorder --set demand.ad=linux -t rw.txt --json >adlrw.json
expect "demand.ad=linux, read then write: one D update" adlrw.json by_size.total.walks=2 \
    by_size.total.soft_misses=1 by_size.total.walk_mem_reads=5 by_size.total.walk_mem_writes=1 \
    by_size.total.latency.max=48 by_size.total.latency.p50=26 cycles=76
# dirty: the write hits the L1 TLB (accepted in 49, response in 50): cycles 51
"$SIM" "${TINY[@]}" --issue inorder --set demand.ad=dirty -t rw.txt --json >addrw.json
expect "demand.ad=dirty, read then write: no update" addrw.json by_size.total.walks=1 \
    by_size.total.soft_misses=0 by_size.total.walk_mem_writes=0 by_size.total.l1_hits=1 cycles=51
# the entries themselves, from the log (reads: level:address=value): with
# linux every entry the first walk reads has A (0x20) and no D (0x40): the
# 3 tables created and the leaf of a read; the write's one update sets D
"$SIM" "${TINY[@]}" --issue inorder --set demand.ad=linux -t rw.txt --log adl.log
if python3 - adl.log <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if not l.startswith('#')]
# columns (docs/log.md): 9 reads, 10 writes
def vals(f): return [] if f == '-' else [int(x.split('=')[1], 16) for x in f.split(',')]
ok = len(rows) == 2
if ok:
    r0, r1 = rows
    ok = (len(vals(r0[9])) == 4 and all(v & 0x60 == 0x20 for v in vals(r0[9])) and r0[10] == '-'
          and len(vals(r1[10])) == 1 and vals(r1[10])[0] & 0x60 == 0x60)
sys.exit(0 if ok else 1)
EOF
then pass "demand.ad=linux: A in every entry created, D only by the write"
else fail "demand.ad=linux: A in every entry created, D only by the write" "$(grep -v '^#' adl.log | tr '\n' '|')"; fi
# the key: a bad value names the key and the values; JSON and --dump-config
bad "bad demand.ad" "demand.ad;young;clear, linux, dirty" "$SIM" --preset tiny --set demand.ad=young -w seq -n 10
echo '{"demand": {"ad": "dirty"}}' >ad.json
run "$SIM" --preset tiny -c ad.json --dump-config
if [ "$rc" -eq 0 ] && grep -A1 -x 'backing.mix = 60,30,10' out | grep -qx 'demand.ad = dirty'; then
    pass "demand.ad from JSON, in --dump-config after backing.mix"
else fail "demand.ad from JSON, in --dump-config after backing.mix" "rc=$rc $(grep demand out) $(head -c 200 err)"; fi
# a dump set line by line reads back: onto zen2 with zen2's arrays removed
# (a field of a new name adds an array at the end of its list, so the
# dump's arrays come in its order)
"$SIM" --preset tiny --set demand.ad=linux --dump-config >ad1.cfg
SETS=(--set tlb.l1i=off --set tlb.l1d=off --set tlb.l2i=off --set tlb.l2d=off --set pwc.pdc=off --set pwc.pde=off)
while IFS= read -r line; do SETS+=(--set "${line%% = *}=${line#* = }"); done <ad1.cfg
"$SIM" --preset zen2 "${SETS[@]}" --dump-config >ad2.cfg
if grep -qx 'demand.ad = linux' ad1.cfg; then same "--dump-config with demand.ad reads back" ad1.cfg ad2.cfg
else fail "--dump-config with demand.ad reads back" "no 'demand.ad = linux' line"; fi
# ... and as a JSON file whose "tlb" and "pwc" objects replace zen2's lists
python3 - ad1.cfg >ad.json <<'EOF'
import json, sys
d = {"tlb": {}, "pwc": {}}
for line in open(sys.argv[1]):
    k, v = line.rstrip("\n").split(" = ", 1)
    parts = k.split(".")
    if parts[0] in ("tlb", "pwc"):
        d[parts[0]].setdefault(parts[1], {})[parts[2]] = v
    else:
        d[k] = v
print(json.dumps(d))
EOF
"$SIM" --preset zen2 -c ad.json --dump-config >ad3.cfg
same "--dump-config as a JSON file with tlb and pwc objects reads back" ad1.cfg ad3.cfg

# empty trace
printf '# nothing\n\n' >empty.txt
"$SIM" "${TINY[@]}" -t empty.txt --json >empty.json
expect "empty trace" empty.json accesses=0 cycles=0 by_size.total.translations=0 by_size.total.latency.p99=0

# processes: access i belongs to process (i / 100) % 2: switches before 100, 200, ..., 900
"$SIM" "${TINY[@]}" -w uniform --footprint 64K -n 1000 --set processes=2 --set switch_every=100 --json >proc.json
expect "CR3 switches" proc.json control_ops=9 accesses=1000

# every JSON key is named in docs/stats.md
if [ -f "$SRC/docs/stats.md" ]; then
    python3 - "$SRC/docs/stats.md" seq.json <<'EOF' && pass "docs/stats.md names every JSON key" || fail "docs/stats.md names every JSON key" "see above"
import json, sys
doc = open(sys.argv[1]).read()
keys = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k); walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
doc_json = json.load(open(sys.argv[2]))
# "arrays" is keyed by the configuration's array names (docs/stats.md: NAME):
# their fields are keys, the names are not
arrays = doc_json.pop('arrays')
for a in arrays.values():
    walk(a)
walk(doc_json)
walk({'histogram': [{'lo': 0, 'hi': 1, 'count': 1}], '4k': 0, '2m': 0, '1g': 0, 'arrays': 0})
missing = sorted(k for k in keys if '`%s`' % k not in doc and '"%s"' % k not in doc)
if 'NAME:' not in doc or '"tlb" | "pwc"' not in doc:
    missing.append('the NAME: {"kind": "tlb" | "pwc", ...} entry of "arrays"')
if missing: print('missing:', missing)
sys.exit(1 if missing else 0)
EOF
else
    skip "docs/stats.md names every JSON key" "$SRC/docs/stats.md not found"
fi

# ---------------------------------------------------------------- end

finish
