#!/usr/bin/env bash
# Manifest inputs: real sha256sum (text and binary mode, CRLF) and bsdtar
# mtree files work; truncated, empty and malformed manifests are an
# operational error (exit 8) naming file:line, detected before anything is
# written.
source "$(dirname "$0")/lib.sh"
make_xp
W=$T/fx/win
M=$T/fx/xp-sp3-x86.sha256
SRCS=(--source "$T/fx/payload.tar.gz" --source "$W/WINDOWS/system32/dllcache")
before=$(state "$W")

check_refused() {  # MANIFEST EXPECTED_MESSAGE_PART
  run 8 "$LB" fix "${K[@]}" -t "$W" -m "$1" "${SRCS[@]}" --yes --json refused.json
  assert_contains "$T/err" "$2"
  assert_eq "$(state "$W")" "$before" "tree after refused manifest $1"
  assert_missing "$W/lifeboat"
  assert_eq "$(jqr refused.json '.exit_code')" "8"
  [[ "$(jqr refused.json '.error')" == *"$2"* ]] || fail "JSON error lacks '$2'"
}

# Truncated in the middle of the last line (the usual torn download).
size=$(stat -c %s "$M")
head -c $((size - 20)) "$M" >trunc.sha256
check_refused trunc.sha256 "trunc.sha256:21: last line has no newline"
# Truncated in the middle of the hash of line 5.
head -n 4 "$M" >cut.sha256 && head -n 5 "$M" | tail -n 1 | head -c 30 >>cut.sha256 && echo >>cut.sha256
check_refused cut.sha256 "cut.sha256:5:"
: >empty.sha256
check_refused empty.sha256 "no file entries"
{ head -n 2 "$M"; echo "this is not a manifest line"; tail -n +3 "$M"; } >bad.sha256
check_refused bad.sha256 "bad.sha256:3: expected '<64 hex digits>  <path>'"
{ head -n 2 "$M"; printf '%s  WINDOWS/a\0b.dll\n' "$(printf '%064d' 0)"; } >nul.sha256
check_refused nul.sha256 "nul.sha256:3:"
{ head -n 2 "$M"; md5sum "$W/WINDOWS/explorer.exe" | sed "s|$W/||"; } >md5.sha256
check_refused md5.sha256 "md5.sha256:3: hash has 32 hex digits, expected 64 (that is an MD5 hash"
{ cat "$M"; head -n 1 "$M" | sed 's/^./0/'; } >dup.sha256
check_refused dup.sha256 "listed again with a different SHA-256"
pass "truncated, empty, malformed, NUL, MD5 and conflicting manifests: exit 8 with file:line, nothing written"

# sha256sum -b output (binary marker) and CRLF line ends.
make_xp --healthy
(cd "$W" && find WINDOWS -type f | LC_ALL=C sort | xargs -d '\n' sha256sum -b) >bin.sha256
grep -q ' \*WINDOWS' bin.sha256 || fail "sha256sum -b did not write '*' markers"
sed 's/$/\r/' "$M" >crlf.sha256
run 0 "$LB" scan -t "$W" -m bin.sha256
run 0 "$LB" scan -t "$W" -m crlf.sha256
pass "sha256sum -b and CRLF manifests"

# An mtree written by bsdtar from the healthy tree, then used on the damaged one.
(cd "$W" && bsdtar --format=mtree --options '!all,type,size,sha256' -cf "$T/xp.mtree" WINDOWS)
grep -q 'sha256digest=' xp.mtree || fail "bsdtar wrote no digests"
run 0 "$LB" scan -t "$W" -m xp.mtree --json mt.json
assert_eq "$(jqr mt.json '.manifest.entries')" "21"
make_xp
run 4 "$LB" scan -t "$W" -m xp.mtree --json mt.json
assert_eq "$(jqr mt.json '.summary | "\(.missing) \(.corrupt)"')" "1 2"
# With sizes known, the truncated tcpip.sys is caught without reading it.
assert_eq "$(jqr mt.json '.files[] | select(.path | endswith("tcpip.sys")) | .found_sha256')" "null"
sign xp.mtree
run 1 "$LB" fix "${K[@]}" -t "$W" -m xp.mtree "${SRCS[@]}" --yes
run 0 "$LB" scan -t "$W" -m "$M"
pass "bsdtar mtree manifest: scan and fix"

# A bsdtar mtree with default keywords (no digests) is refused, naming the line.
(cd "$W" && bsdtar --format=mtree -cf "$T/nodigest.mtree" WINDOWS)
run 8 "$LB" scan -t "$W" -m nodigest.mtree
assert_contains "$T/err" "has no sha256digest"
assert_contains "$T/err" "nodigest.mtree:"
pass "mtree without sha256 digests: exit 8 with a hint"

# The same path twice with different hashes: libarchive would merge the two
# lines silently; lifeboat refuses the manifest and names both lines.
{ cat xp.mtree; grep 'svchost.exe' xp.mtree | sed 's/sha256digest=./sha256digest=0/'; } >dup.mtree
run 8 "$LB" scan -t "$W" -m dup.mtree
assert_contains "$T/err" "dup.mtree:$(($(wc -l <xp.mtree) + 1)): 'WINDOWS/system32/svchost.exe' is listed again (first at line"
pass "mtree listing a path twice: refused"
