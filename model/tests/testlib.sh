# testlib.sh - what every model/tests/cli_*.sh test shares, sourced after it
# has checked its arguments:  . "$(dirname "$0")/testlib.sh" NAME
# A scratch directory $T (removed at exit; the test is run from it), the
# counters with pass/fail/skip (one line each: PASS, FAIL, SKIP), run (rc,
# and stdout and stderr in the files out and err), and finish, the closing
# "N passed, N failed" line that CTest's log is read for, with the status.
# A test that needs its own exit trap defines cleanup() before sourcing.
T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 2
if declare -F cleanup >/dev/null; then trap 'cleanup; rm -rf "$T"' EXIT; else trap 'rm -rf "$T"' EXIT; fi
cd "$T" || exit 1

npass=0 nfail=0 nskip=0
pass() { echo "PASS  $1"; npass=$((npass + 1)); }
fail() { echo "FAIL  $1: $2"; nfail=$((nfail + 1)); }
skip() { echo "SKIP  $1: $2"; nskip=$((nskip + 1)); }
run() {
    "$@" >out 2>err
    rc=$?
}
finish() {
    [ "$nskip" -gt 0 ] && echo "$nskip skipped"
    echo "$npass passed, $nfail failed"
    [ "$nfail" -eq 0 ]
}
