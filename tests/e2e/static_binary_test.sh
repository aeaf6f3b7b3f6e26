#!/usr/bin/env bash
# The shipped binary is a fully static x86-64 executable, stripped, under 12 MiB,
# and runs with no shared library available. (The limit was 8 MiB until wimlib,
# for install.wim/esd sources, brought libwim and libxml2 in: +1.9 MB, to
# 10,075,912 bytes; ICU, which Debian's libxml2 references, is stubbed out by
# recovery/icu_stub.c, else it would add 31 MB. Payload packs, the quarantine
# decoders and `auto` with its HTTP upload took it past 10 MiB: 12 MiB leaves
# room for the ncurses console, and still fits a boot image's RAM budget.)
source "$(dirname "$0")/lib.sh"
if [[ "${LIFEBOAT_STATIC:-ON}" != "ON" ]]; then
  echo "skip: this build is not static (sanitizer or fuzz preset)"
  exit 77
fi
desc=$(file -L "$LB")
[[ "$desc" == *"statically linked"* ]] || fail "not static: $desc"
[[ "$desc" == *"x86-64"* ]] || fail "not x86-64: $desc"
[[ "$desc" == *"stripped"* && "$desc" != *"not stripped"* ]] || fail "not stripped: $desc"
size=$(stat -c %s "$LB")
((size < 12 * 1024 * 1024)) || fail "binary is $size bytes, over 12 MiB"
# No dynamic loader, no libraries: it must still run.
mkdir -p empty
env -i LD_LIBRARY_PATH="$T/empty" "$LB" --version >out.txt || fail "static binary did not run"
assert_contains out.txt "lifeboat"
pass "static, stripped, x86-64, $size bytes"
