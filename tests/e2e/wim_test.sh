#!/usr/bin/env bash
# Windows install images as --source: install.wim (LZX, two editions) and
# install.esd (LZMS, solid), recognised by their magic, not their name. A
# copy is used only if its hash matches: a decoy of the same name and size in
# another edition never is. A WIM damaged inside the needed file's data, or
# one that is truncated or garbage after the magic, costs only that file or
# that source, with a warning, never a crash.
source "$(dirname "$0")/lib.sh"
command -v wimlib-imagex >/dev/null || { echo "skip: wimlib-imagex is missing (scripts/setup.sh installs it)"; exit 77; }

# Text-like content (base64 of random bytes): unique, yet compressible, so
# the WIM's resources really are compressed and a flipped byte breaks them.
gen() { head -c "$1" /dev/urandom | base64 -w 76 >"$2"; }

# A healthy Windows-7-like tree and its signed manifest.
mkdir -p healthy/Windows/System32/drivers \
  "healthy/Windows/WinSxS/amd64_microsoft-windows-kernel32_31bf3856ad364e35_6.1.7601.17514_none_1"
gen 300000 healthy/Windows/System32/wininet.dll
gen 200000 healthy/Windows/System32/kernel32.dll
gen 50000 healthy/Windows/System32/drivers/tcpip.sys
cp healthy/Windows/System32/kernel32.dll healthy/Windows/WinSxS/amd64_microsoft-windows-kernel32_*/
echo "other" >healthy/Windows/System32/other.txt
(cd healthy && sha256sum Windows/System32/wininet.dll Windows/System32/kernel32.dll \
  Windows/System32/drivers/tcpip.sys Windows/System32/other.txt) >w7.sha256
sign w7.sha256
good=$(sha healthy/Windows/System32/wininet.dll)

# The damaged volume: wininet.dll deleted, and WinSxS has no copy of it.
mk_vol() {
  rm -rf vol && cp -a healthy vol && rm vol/Windows/System32/wininet.dll
}

# install.wim: image 1 ("Professional", an older build) has a decoy
# wininet.dll of the same name and size; image 2 ("Ultimate") the good one.
cp -a healthy pro && gen 300000 pro/Windows/System32/wininet.dll
assert_eq "$(stat -c %s pro/Windows/System32/wininet.dll)" "$(stat -c %s healthy/Windows/System32/wininet.dll)" "decoy size"
wimlib-imagex capture pro install.wim "Windows 7 PROFESSIONAL" >/dev/null
wimlib-imagex append healthy install.wim "Windows 7 ULTIMATE" >/dev/null
[[ "$(head -c 5 install.wim)" == "MSWIM" ]] || fail "install.wim has no WIM magic"

# 1. fix restores the DLL from image 2, never from image 1's decoy.
mk_vol
run 1 "$LB" fix "${K[@]}" -t vol -m w7.sha256 -s install.wim --no-host-stores --yes --json r.json
assert_eq "$(sha vol/Windows/System32/wininet.dll)" "$good" "wininet.dll restored"
assert_eq "$(jqr r.json '.files[] | select(.path == "Windows/System32/wininet.dll") | .source')" \
  "install.wim:2/Windows/System32/wininet.dll" "source names the image and path"
assert_eq "$(jqr r.json '.warnings | length')" "0" "warnings"
run 0 "$LB" scan "${K[@]}" -t vol -m w7.sha256
[[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'lifeboat-wim.*' -newer w7.sha256 2>/dev/null)" ]] ||
  fail "lifeboat left its WIM extraction directory behind"
pass "install.wim: wininet.dll restored from image 2 (Ultimate), image 1's decoy ignored"

# 2. lifeboat sources: the WIM alone can serve the missing file; nothing is written.
mk_vol
before=$(state vol)
run 0 "$LB" sources "${K[@]}" -t vol -m w7.sha256 -s install.wim --no-host-stores
assert_contains "$T/out" "1 file(s) need a verified copy."
grep -Eq '^install.wim +.*install.wim +1 of 1$' "$T/out" || { cat "$T/out"; fail "install.wim line"; }
assert_eq "$(state vol)" "$before" "volume after lifeboat sources"
pass "lifeboat sources: install.wim can serve 1 of 1"

# 3. install.esd: LZMS-compressed solid resources, as Microsoft ships them.
wimlib-imagex export install.wim all install.esd --solid --compress=LZMS >/dev/null
wimlib-imagex info install.esd | grep -q "Compression: *LZMS" || fail "install.esd is not LZMS"
mk_vol
run 1 "$LB" fix "${K[@]}" -t vol -m w7.sha256 -s install.esd --no-host-stores --yes --json r.json
assert_eq "$(sha vol/Windows/System32/wininet.dll)" "$good" "wininet.dll from the ESD"
assert_eq "$(jqr r.json '.files[] | select(.path == "Windows/System32/wininet.dll") | .source')" \
  "install.esd:2/Windows/System32/wininet.dll" "ESD source"
pass "install.esd (LZMS, solid): wininet.dll restored from image 2"

# 4. A flipped byte inside the compressed data of the needed file: wimlib's
# SHA-1 check fails that file, which is reported and not restored; the WIM's
# other files still serve (tcpip.sys, also missing, is restored).
wimlib-imagex capture healthy one.wim "Windows 7 ULTIMATE" >/dev/null
sha1=$(sha1sum healthy/Windows/System32/wininet.dll | cut -d' ' -f1)
read -r offset csize < <(wimlib-imagex info one.wim --blobs |
  awk -v h="0x$sha1" '$1 == "Hash" {cur = ($3 == h)} cur && /^Compressed size/ {c = $4} cur && /^Offset in WIM/ {print $5, c; exit}')
[[ -n "${offset:-}" && "$csize" -lt "$(stat -c %s healthy/Windows/System32/wininet.dll)" ]] || fail "wininet.dll's resource not found, or not compressed, in one.wim"
pos=$((offset + csize / 2))
byte=$(od -An -tu1 -j "$pos" -N1 one.wim | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" | dd of=one.wim bs=1 seek="$pos" conv=notrunc status=none
mk_vol
rm vol/Windows/System32/drivers/tcpip.sys
run 5 "$LB" fix "${K[@]}" -t vol -m w7.sha256 -s one.wim --no-host-stores --yes --json r.json
assert_missing vol/Windows/System32/wininet.dll
assert_eq "$(jqr r.json '.files[] | select(.path == "Windows/System32/wininet.dll") | .state')" "unrepaired" "damaged file"
assert_eq "$(sha vol/Windows/System32/drivers/tcpip.sys)" "$(sha healthy/Windows/System32/drivers/tcpip.sys)" "tcpip.sys"
jq_true r.json '[.warnings[] | select(test("one.wim:1/Windows/System32/wininet.dll: cannot extract"))] | length == 1'
pass "a flipped byte in wininet.dll's compressed data: that file is not restored, with a warning; tcpip.sys still is"

# 5. A truncated WIM, and garbage after the WIM magic (named .img: the magic
# decides): an error for that source only; a directory source still serves.
head -c 4000 install.wim >truncated.wim
{ printf 'MSWIM\0\0\0'; head -c 5000 /dev/urandom; } >garbage.img
mkdir -p cache && cp healthy/Windows/System32/wininet.dll cache/
for bad in truncated.wim garbage.img; do
  mk_vol
  run 4 "$LB" fix "${K[@]}" -t vol -m w7.sha256 -s "$bad" --no-host-stores --yes --json r.json
  assert_missing vol/Windows/System32/wininet.dll
  jq_true r.json "[.warnings[] | select(test(\"$bad is not a readable WIM image\"))] | length == 1"
  mk_vol
  run 1 "$LB" fix "${K[@]}" -t vol -m w7.sha256 -s "$bad" -s cache --no-host-stores --yes --json r.json
  assert_eq "$(sha vol/Windows/System32/wininet.dll)" "$good" "restored from cache despite $bad"
  assert_eq "$(jqr r.json '.files[] | select(.path == "Windows/System32/wininet.dll") | .source')" "cache:wininet.dll"
  jq_true r.json "[.warnings[] | select(test(\"$bad\"))] | length == 1"
done
pass "a truncated WIM and garbage after the magic: a warning for that source, the other source still used"
