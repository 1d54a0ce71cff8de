#!/usr/bin/env bash
# scripts/build returns the build's status: a project whose build fails
# makes it fail (after its one retry), one that fails once and then succeeds
# (the changed-file-list case) makes it succeed, a good one succeeds.
# usage: cli_build.sh BINDIR SOURCE_DIR
set -u
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected-status actual-status
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: exit $3, expected $2"; fail=1; fi
}
mkproj() { # dir, source of main.c
  mkdir -p "$1/scripts"
  cp "$src/scripts/build" "$1/scripts/build"
  printf '#!/bin/sh\nexit 0\n' >"$1/scripts/setup" # no package installs here
  chmod +x "$1/scripts/setup"
  printf 'cmake_minimum_required(VERSION 3.13)\nproject(t C)\nadd_executable(t main.c)\n' >"$1/CMakeLists.txt"
  printf '%s\n' "$2" >"$1/main.c"
}

mkproj "$tmp/good" 'int main(void) { return 0; }'
bash "$tmp/good/scripts/build" >"$tmp/good.out" 2>&1
check "a good build succeeds" 0 $?

mkproj "$tmp/bad" 'int main(void) { return }'
bash "$tmp/bad/scripts/build" >"$tmp/bad.out" 2>&1
st=$?
[ $st -ne 0 ] && st=1
check "a failing build fails" 1 $st
grep -q "building again" "$tmp/bad.out" || { echo "FAIL: no retry message"; cat "$tmp/bad.out"; fail=1; }

# fails the first time only: a pre-build step that fails while a marker is absent
mkproj "$tmp/once" 'int main(void) { return 0; }'
printf 'test -f "$1" && exit 0\ntouch "$1"\nexit 1\n' >"$tmp/once/once.sh"
echo 'add_custom_target(once ALL COMMAND sh ${CMAKE_SOURCE_DIR}/once.sh ${CMAKE_BINARY_DIR}/marker)' >>"$tmp/once/CMakeLists.txt"
bash "$tmp/once/scripts/build" >"$tmp/once.out" 2>&1
check "a build that fails once and then succeeds succeeds" 0 $?
grep -q "building again" "$tmp/once.out" || { echo "FAIL: no retry message"; cat "$tmp/once.out"; fail=1; }
exit $fail
