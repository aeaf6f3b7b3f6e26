#!/usr/bin/env bash
# Windows names are case-insensitive: manifest and disk spellings may differ,
# restored files keep the on-disk case of existing directories, and two
# on-disk names that differ only by case are reported, never guessed.
source "$(dirname "$0")/lib.sh"
mkdir -p vol/windows/System32 src
head -c 5000 /dev/urandom >src/a.bin
head -c 6000 /dev/urandom >src/b.bin
cp src/a.bin vol/windows/System32/svchost.exe
printf '%s  %s\n%s  %s\n' "$(sha src/a.bin)" "WINDOWS/system32/SVCHOST.EXE" \
  "$(sha src/b.bin)" "WINDOWS/SYSTEM32/Drivers/TcpIp.sys" >m.sha256
sign m.sha256
run 4 "$LB" scan -t vol -m m.sha256 --json s.json
assert_eq "$(jqr s.json '.summary | "\(.ok) \(.missing)"')" "1 1"
run 1 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s src --yes
assert_eq "$(sha vol/windows/System32/Drivers/TcpIp.sys)" "$(sha src/b.bin)"
assert_eq "$(ls vol | tr "\n" " ")" "lifeboat windows "
assert_eq "$(ls vol/windows)" "System32"
pass "case-insensitive match; new files keep existing directory case"

# Two names differing only by case: reported, not guessed.
cp src/a.bin vol/windows/System32/SVCHOST.exe
run 4 "$LB" scan -t vol -m m.sha256 --json s.json
assert_eq "$(jqr s.json '.files[0].state')" "unrepaired"
assert_contains s.json "differ only by case"
pass "case clash reported as unrepaired"
