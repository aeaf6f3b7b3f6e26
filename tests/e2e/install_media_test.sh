#!/usr/bin/env bash
# XP install media keep files compressed, one per cabinet: I386/SVCHOST.EX_
# holds svchost.exe. A directory source reads such members (MSZIP-compressed
# and stored cabinets made with gcab), trusts them only by hash, never uses a
# same-named decoy, and survives a damaged cabinet with a warning.
source "$(dirname "$0")/lib.sh"
command -v gcab >/dev/null || { echo "skip: gcab is missing (scripts/setup.sh installs it)"; exit 77; }

make_xp
W=$T/fx/win/WINDOWS/system32
M=$T/fx/xp-sp3-x86.sha256
rm -rf "$W/dllcache"  # no spare copies on the host: only the install media remain
mkdir -p i386 stage
# The good svchost.exe, from the healthy tree, compressed the way XP's CD ships it.
"$SRC/tests/fixtures/make_xp_tree.sh" healthy --healthy >/dev/null
cp healthy/win/WINDOWS/system32/svchost.exe stage/svchost.exe
(cd stage && gcab -c -z ../i386/SVCHOST.EX_ svchost.exe)
cp healthy/win/WINDOWS/system32/kernel32.dll stage/kernel32.dll
(cd stage && gcab -c ../i386/KERNEL32.DL_ kernel32.dll)  # stored, not compressed
# A decoy: a cabinet holding a same-sized tcpip.sys with other content.
head -c 361344 /dev/urandom >stage/tcpip.sys
(cd stage && gcab -c -z ../i386/TCPIP.SY_ tcpip.sys)
# A damaged cabinet: a warning, not a stop.
head -c $(( $(stat -c %s i386/SVCHOST.EX_) - 40 )) i386/SVCHOST.EX_ >i386/NTDLL.DL_  # truncated inside the data
printf 'SZDD\x88\xf0\x27\x33' >i386/OLDSTYLE.EX_

run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" -s i386 --yes --json r.json
assert_eq "$(sha "$W/svchost.exe")" "$(sha healthy/win/WINDOWS/system32/svchost.exe)" "svchost.exe restored"
assert_eq "$(sha "$W/kernel32.dll")" "$(sha healthy/win/WINDOWS/system32/kernel32.dll)" "kernel32.dll restored"
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" \
  "i386:SVCHOST.EX_/svchost.exe" "source label"
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/drivers/tcpip.sys") | .state')" "unrepaired" \
  "the decoy tcpip.sys is not used"
[[ $(stat -c %s "$W/drivers/tcpip.sys") == 1000 ]] || fail "tcpip.sys was touched"
jq_true r.json '[.warnings[] | select(test("NTDLL.DL_"))] | length >= 1'
jq_true r.json '[.warnings[] | select(test("OLDSTYLE.EX_ is not a readable cabinet"))] | length == 1'
pass "install media: SVCHOST.EX_ (MSZIP) and KERNEL32.DL_ (stored) restore by hash; a same-sized decoy cabinet is never used; a truncated cabinet and an SZDD file are warnings"

# A cabinet that once crashed libarchive 3.6 (cab_fuzz: the next header read after a data error), as a
# directory member and as an archive source, wanted because a missing file has its member's size (24).
rm -rf v && mkdir -p v/WINDOWS bad
head -c 24 /dev/urandom >v/WINDOWS/small.sys
(cd v && sha256sum WINDOWS/small.sys) >v.sha256
sign v.sha256
rm v/WINDOWS/small.sys
cp "$SRC/tests/fuzz/regressions/cab_fuzz/next-header-after-data-error" bad/SVCHST.EX_
cp "$SRC/tests/fuzz/regressions/cab_fuzz/next-header-after-data-error" broken.cab
run 4 "$LB" fix "${K[@]}" -t v -m v.sha256 -s bad -s broken.cab --yes --json r.json
jq_true r.json '[.warnings[] | select(test("SVCHST.EX_/svchst.exe"))] | length >= 1'
jq_true r.json '[.warnings[] | select(test("broken.cab"))] | length >= 1'
assert_missing v/WINDOWS/small.sys
pass "a damaged cabinet (a fuzz-found libarchive crash) in a directory and as an archive source: warnings, no crash"

# SZDD, the compress.exe format of NT 4 / Windows 9x media (mscompress writes it), expanded with
# libmspack: with the missing last letter recorded (byte 9, as compress -r does) and without it.
if command -v mscompress >/dev/null; then
  make_xp
  rm -rf old && mkdir -p old/stage
  cp healthy/win/WINDOWS/system32/drivers/tcpip.sys old/stage/ && (cd old/stage && mscompress tcpip.sys)
  mv old/stage/tcpip.sys_ old/TCPIP.SY_
  printf 'S' | dd of=old/TCPIP.SY_ bs=1 seek=9 conv=notrunc status=none
  cp healthy/win/WINDOWS/system32/svchost.exe old/stage/ && (cd old/stage && mscompress svchost.exe)
  mv old/stage/svchost.exe_ old/SVCHOST.EX_
  # A damaged one: cut inside the compressed data.
  head -c 40 old/SVCHOST.EX_ >old/NTDLL.DL_
  rm -rf old/stage "$W/dllcache"
  run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" -s old --yes --json r.json
  assert_eq "$(sha "$W/drivers/tcpip.sys")" "$(sha healthy/win/WINDOWS/system32/drivers/tcpip.sys)" "tcpip.sys from SZDD"
  assert_eq "$(sha "$W/svchost.exe")" "$(sha healthy/win/WINDOWS/system32/svchost.exe)" "svchost.exe from SZDD"
  assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/drivers/tcpip.sys") | .source')" \
    "old:TCPIP.SY_/TCPIP.SYS" "SZDD member named with the recorded letter"
  assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" \
    "old:SVCHOST.EX_/SVCHOST.EX" "SZDD member without the recorded letter"
  jq_true r.json '[.warnings[] | select(test("NTDLL.DL_.*not a valid SZDD"))] | length == 1'
  pass "SZDD files (mscompress) expanded with libmspack, with and without the recorded last letter; a truncated one is a warning"
else
  echo "skip: SZDD part needs mscompress (scripts/setup.sh installs it)"
fi
