#!/usr/bin/env bash
# Show that one RTL assertion fires when it is broken on purpose.
# usage: break.sh PATH/TO/mmulockstep NAME [SEED]
#
# 1. control: the same random test without --break passes (so whatever
#    fires below is the break's doing);
# 2. with --break NAME the run exits 1 with "RTL ASSERTION", after
#    "BREAK NAME applied in cycle N", and the assertions that fired at the
#    first failing time are exactly one: the one `--list-breaks` names for
#    NAME (its message, from rtl/*.sv).
set -uo pipefail
bin="$1"
name="$2"
seed="${3:-1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
args=(--seed "$seed" --cycles 3000 --mismatch-wave none)

expect="$("$bin" --list-breaks | awk -v n="$name" '$1 == n { getline; sub(/^[^"]*"/, ""); sub(/"$/, ""); print; exit }')"
if [ -z "$expect" ]; then
    echo "FAIL: '$name' is not a --break case (mmulockstep --list-breaks)"
    exit 1
fi

"$bin" "${args[@]}" >"$tmp/control" 2>&1
rc=$?
if [ $rc != 0 ]; then
    echo "FAIL: control run without --break exits $rc: $bin ${args[*]}"
    tail -20 "$tmp/control"
    exit 1
fi

"$bin" "${args[@]}" --break "$name" >"$tmp/out" 2>&1
rc=$?
first_time="$(grep -m1 -oE '^\[[0-9]+\] %Error: [^ ]+ Assertion failed' "$tmp/out" | grep -oE '^\[[0-9]+\]')"
fired="$(grep -F -- "$first_time %Error:" "$tmp/out" | grep 'Assertion failed')"
nfired="$(printf '%s\n' "$fired" | grep -c 'Assertion failed')"
problem=""
[ $rc = 1 ] || problem="exit $rc (expected 1)"
grep -q "^BREAK $name applied in cycle [0-9]*:" "$tmp/out" || problem="${problem:+$problem; }the break was not applied"
grep -q "^RTL ASSERTION" "$tmp/out" || problem="${problem:+$problem; }no RTL ASSERTION report"
[ -n "$first_time" ] || problem="${problem:+$problem; }no assertion fired"
if [ -n "$first_time" ] && { [ "$nfired" != 1 ] || ! grep -qF -- "$expect" <<<"$fired"; }; then
    problem="${problem:+$problem; }at $first_time expected exactly the assertion \"$expect\", got: $fired"
fi
if [ -n "$problem" ]; then
    echo "FAIL --break $name: $problem"
    sed 's/^/    /' "$tmp/out" | head -40
    exit 1
fi
grep -m1 "^BREAK $name applied" "$tmp/out"
echo "$fired"
echo "ok   --break $name (seed $seed): the assertion \"$expect\" fired"
