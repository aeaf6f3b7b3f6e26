#!/usr/bin/env bash
# The svchost.exe story of McAfee DAT 5958 (April 2010), end to end: the
# antivirus deleted svchost.exe and kept it in its quarantine. fix, with no
# --source, restores it from dllcache; without dllcache, from the McAfee .bup
# (never from a quarantined look-alike); without either, from I386. Symantec
# (.vbn, both layouts) and Defender quarantines serve other files; a damaged
# quarantine file is a warning.
source "$(dirname "$0")/lib.sh"
MK=${MKFIXTURE:-$SRC/build/tests/lifeboat_mkfixture}
[[ -x "$MK" ]] || fail "no lifeboat_mkfixture at $MK"
"$SRC/tests/fixtures/make_xp_tree.sh" healthy --healthy >/dev/null
H=$T/healthy/win/WINDOWS/system32
W=$T/fx/win/WINDOWS/system32
M=$T/fx/xp-sp3-x86.sha256
src() { jqr r.json ".files[] | select(.path == \"WINDOWS/system32/$1\") | .source"; }

# xor6a: stdin XOR 0x6A to stdout, with tr (McAfee's .bup streams).
map=""
for ((i = 0; i < 256; i++)); do map+=$(printf '\\%03o' $((i ^ 0x6A))); done
xor6a() { LC_ALL=C tr '\000-\377' "$map"; }
# bup OUT ORIGINAL FILE: a .bup made with libgsf's `gsf createole` (another
# OLE2 writer than the test encoder) when it is there, else lifeboat_mkfixture.
bup() {
  if command -v gsf >/dev/null; then
    rm -rf "$T/bupstage" && mkdir "$T/bupstage"
    printf '[Details]\r\nDetectionName=W32/Wecorl.a\r\nDATVersion=5958.0000\r\n[File_0]\r\nOriginalName=%s\r\n' "$2" |
      xor6a >"$T/bupstage/Details"
    xor6a <"$3" >"$T/bupstage/File_0"
    (cd "$T/bupstage" && gsf createole "$1" Details File_0 &>/dev/null)
  else
    "$MK" quarantine bup "$1" "$2" "$3"
  fi
}
# A look-alike: malware-like content, svchost.exe's name and exact size.
{ printf 'MZ\x90\x00'; head -c 14332 /dev/urandom; } >decoy.exe
[[ $(stat -c %s decoy.exe) == $(stat -c %s "$H/svchost.exe") ]] || fail "decoy size"

# 1. dllcache and the quarantine both hold svchost.exe: no --source needed.
make_xp
mkdir -p "$T/fx/win/Quarantine"
bup "$T/fx/win/Quarantine/0a1b2c3d.bup" 'C:\WINDOWS\system32\svchost.exe' "$H/svchost.exe"
run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --json r.json
assert_eq "$(sha "$W/svchost.exe")" "$(sha "$H/svchost.exe")" "svchost.exe"
assert_eq "$(src svchost.exe)" "dllcache:svchost.exe" "step 1 source"
jq_true r.json '[.notes[] | select(test("source found on the volume: McAfee quarantine \\(Quarantine\\)"))] | length == 1'
pass "svchost.exe deleted, in dllcache and in the McAfee quarantine: restored from dllcache with no --source"

# 2. dllcache gone: the quarantine serves it; the look-alike (sorted first) never.
make_xp
rm -rf "$W/dllcache"
mkdir -p "$T/fx/win/Quarantine/20100421"
bup "$T/fx/win/Quarantine/20100421/00decoy.bup" 'C:\Documents and Settings\user\svchost.exe' decoy.exe
bup "$T/fx/win/Quarantine/20100421/5f3a9c.bup" 'C:\WINDOWS\system32\svchost.exe' "$H/svchost.exe"
head -c 3000 "$T/fx/win/Quarantine/20100421/5f3a9c.bup" >"$T/fx/win/Quarantine/20100421/broken.bup"
run 4 "$LB" sources "${K[@]}" -t "$T/fx/win" -m "$M"
assert_contains "$T/out" "McAfee quarantine"
run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --json r.json
assert_eq "$(sha "$W/svchost.exe")" "$(sha "$H/svchost.exe")" "svchost.exe from the quarantine"
assert_eq "$(src svchost.exe)" \
  "McAfee quarantine:Quarantine/20100421/5f3a9c.bup, was C:/WINDOWS/system32/svchost.exe" "step 2 source"
jq_true r.json '[.warnings[] | select(test("broken.bup: not a valid McAfee .bup"))] | length == 1'
cmp -s decoy.exe "$W/svchost.exe" && fail "the decoy was restored"
pass "no dllcache: svchost.exe restored from the McAfee .bup (report names the item and its original path); the same-sized look-alike is never used; a truncated .bup is a warning"

# 3. Neither dllcache nor a quarantine: I386\SVCHOST.EX_ from the CD.
if command -v gcab >/dev/null; then
  make_xp
  rm -rf "$W/dllcache"
  mkdir -p stage "$T/fx/win/I386" "$T/fx/win/Quarantine"
  bup "$T/fx/win/Quarantine/00decoy.bup" 'C:\WINDOWS\system32\svchost.exe' decoy.exe
  cp "$H/svchost.exe" stage/ && (cd stage && gcab -c -z "$T/fx/win/I386/SVCHOST.EX_" svchost.exe)
  run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --json r.json
  assert_eq "$(sha "$W/svchost.exe")" "$(sha "$H/svchost.exe")" "svchost.exe from I386"
  assert_eq "$(src svchost.exe)" "I386:SVCHOST.EX_/svchost.exe" "step 3 source"
  pass "no dllcache, only a look-alike in the quarantine: svchost.exe restored from I386\\SVCHOST.EX_"
else
  echo "skip: step 3 needs gcab (scripts/setup.sh installs it)"
fi

# 4. Symantec (SAV on XP: whole-file XOR; SEP 12+: tagged payload) and
#    Defender / Security Essentials quarantines, each serving one file.
make_xp
rm -f "$W/dllcache/svchost.exe" "$W/dllcache/kernel32.dll" "$W/dllcache/tcpip.sys"  # served by the quarantines only
AU="$T/fx/win/Documents and Settings/All Users/Application Data"
mkdir -p "$AU/Symantec/Symantec AntiVirus Corporate Edition/7.5/Quarantine" \
  "$T/fx/win/ProgramData/Symantec/Symantec Endpoint Protection/12.1.671.4971.105/Data/Quarantine/1C2D3E4F"
"$MK" quarantine vbn-old "$AU/Symantec/Symantec AntiVirus Corporate Edition/7.5/Quarantine/7E3B0A21.VBN" \
  'C:\WINDOWS\system32\svchost.exe' "$H/svchost.exe"
"$MK" quarantine vbn "$T/fx/win/ProgramData/Symantec/Symantec Endpoint Protection/12.1.671.4971.105/Data/Quarantine/1C2D3E4F/1C2D3E4F.VBN" \
  'C:\WINDOWS\system32\drivers\tcpip.sys' "$H/drivers/tcpip.sys"
mkdir -p "$AU/Microsoft/Microsoft Antimalware/Quarantine"
"$MK" quarantine defender "$AU/Microsoft/Microsoft Antimalware/Quarantine" \
  '\\?\C:\WINDOWS\system32\kernel32.dll' "$H/kernel32.dll"
run 1 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --json r.json
for f in svchost.exe kernel32.dll drivers/tcpip.sys; do assert_eq "$(sha "$W/$f")" "$(sha "$H/$f")" "$f"; done
[[ "$(src svchost.exe)" == "Symantec quarantine:"*"/7E3B0A21.VBN, was C:/WINDOWS/system32/svchost.exe" ]] ||
  fail "svchost.exe source: $(src svchost.exe)"
[[ "$(src drivers/tcpip.sys)" == "Symantec quarantine:"*"/1C2D3E4F.VBN, was C:/WINDOWS/system32/drivers/tcpip.sys" ]] ||
  fail "tcpip.sys source: $(src drivers/tcpip.sys)"
[[ "$(src kernel32.dll)" == "Defender quarantine:"*"/ResourceData/"*", was C:/WINDOWS/system32/kernel32.dll" ]] ||
  fail "kernel32.dll source: $(src kernel32.dll)"
run 0 "$LB" scan "${K[@]}" -t "$T/fx/win" -m "$M"
pass "Symantec SAV and SEP 12 .vbn and a Security Essentials quarantine each restore a file, named in the report"
