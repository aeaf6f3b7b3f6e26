#!/usr/bin/env bash
# Restore sources: a directory (matched by content, not name), tar.gz, zip and
# 7z archives, and decoys with the right name but the wrong content, which
# must never be written.
source "$(dirname "$0")/lib.sh"

mk_tree() {  # a tiny volume with one missing DLL; prints nothing
  rm -rf vol && mkdir -p vol/WINDOWS/system32
  head -c 40000 /dev/urandom >good.dll
  cp good.dll vol/WINDOWS/system32/ws2_32.dll
  echo "other" >vol/WINDOWS/system32/other.txt
  (cd vol && sha256sum WINDOWS/system32/ws2_32.dll WINDOWS/system32/other.txt) >m.sha256
  rm -f m.sha256.sig
  sign m.sha256
  rm vol/WINDOWS/system32/ws2_32.dll
}

# A directory source where the good copy has another name and a decoy has the right one.
mk_tree
mkdir -p cache && cp good.dll cache/renamed.bin && head -c 40000 /dev/urandom >cache/ws2_32.dll
run 1 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s cache --yes --json r.json
assert_eq "$(sha vol/WINDOWS/system32/ws2_32.dll)" "$(sha good.dll)"
assert_eq "$(jqr r.json '.files[0].source')" "cache:renamed.bin"
pass "directory source: matched by content, decoy of the same name ignored"

for fmt in tar.gz zip 7z; do
  mk_tree
  rm -rf stage && mkdir -p stage/i386 && cp good.dll stage/i386/ws2_32.dl_
  case $fmt in
    tar.gz) bsdtar -czf "payload.$fmt" -C stage i386 ;;
    zip) bsdtar --format zip -cf "payload.$fmt" -C stage i386 ;;
    7z) bsdtar --format 7zip -cf "payload.$fmt" -C stage i386 ;;
  esac
  run 1 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s "payload.$fmt" --yes --json r.json
  assert_eq "$(sha vol/WINDOWS/system32/ws2_32.dll)" "$(sha good.dll)" "$fmt restore"
  assert_eq "$(jqr r.json '.files[0].source')" "payload.$fmt:i386/ws2_32.dl_"
  pass "restored from a $fmt archive"
done

# Only decoys: nothing is written, the entry is reported unrepaired (exit 4).
mk_tree
rm -rf decoys && mkdir decoys
head -c 40000 /dev/urandom >decoys/ws2_32.dll
mkdir -p stage2 && head -c 40000 /dev/urandom >stage2/ws2_32.dll && bsdtar -czf decoys.tar.gz -C stage2 ws2_32.dll
run 4 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s decoys -s decoys.tar.gz --yes --json r.json
assert_missing vol/WINDOWS/system32/ws2_32.dll
assert_eq "$(jqr r.json '.files[0].state')" "unrepaired"
assert_eq "$(jqr r.json '.files[0].message')" "no verified copy found in the sources"
assert_missing vol/lifeboat
pass "decoys with the right name and size are never used"

# A source that does not exist is an operational error before anything happens.
mk_tree
run 8 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s /nonexistent/payload --yes
assert_contains "$T/err" "/nonexistent/payload"
assert_missing vol/lifeboat
pass "missing source: exit 8, nothing written"

# Member names are labels only, and they never reach the terminal raw: an
# archive member named with escape sequences is shown with '?' instead.
mk_tree
rm -rf stage3 && mkdir stage3 && cp good.dll "stage3/x$(printf '\033')[2J$(printf '\033')]0;pwned$(printf '\a')FAKE.dll"
bsdtar -czf evil.tar.gz -C stage3 .
run 1 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s evil.tar.gz --yes --json r.json
if grep -q $'\033' "$T/out"; then fail "an escape sequence from a member name reached the terminal"; fi
assert_contains "$T/out" "x?[2J?]0;pwned?FAKE.dll"
assert_eq "$(sha vol/WINDOWS/system32/ws2_32.dll)" "$(sha good.dll)"
pass "control characters in member names are neutralised in the text report"
