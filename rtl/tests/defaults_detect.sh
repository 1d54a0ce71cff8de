#!/usr/bin/env bash
# scripts/rtl-params --check-defaults must fail, naming the parameter, on a
# copy of mmu_top whose TLB5_ENTRIES (the skylake STLB) default differs from the C model's.
# usage: defaults_detect.sh RTL_PARAMS MMU_TOP_SV MMUSIM
set -uo pipefail
params="$1" sv="$2" mmusim="$3"
tmp="$(mktemp --suffix=.sv)"
trap 'rm -f "$tmp"' EXIT
sed "s/TLB5_ENTRIES = 1536,/TLB5_ENTRIES = 32,/" "$sv" >"$tmp"
if cmp -s "$sv" "$tmp"; then
    echo "FAIL: the copy has the same defaults (the sed pattern no longer matches $sv)"
    exit 1
fi
out="$("$params" --mmusim "$mmusim" --check-defaults "$tmp" 2>&1)"
rc=$?
if [ $rc -eq 1 ] && grep -q "TLB5_ENTRIES: the C default is 1536, .* has 32" <<<"$out"; then
    echo "ok: $out"
    exit 0
fi
echo "FAIL: exit $rc (expected 1): $out"
exit 1
