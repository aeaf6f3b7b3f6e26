#!/usr/bin/env bash
# --search-volume: as a last resort, any file on the target volume with the
# right size and hash serves (a copy a user made), under any name; a
# same-sized look-alike never does, and lifeboat's own folder is not searched.
source "$(dirname "$0")/lib.sh"
"$SRC/tests/fixtures/make_xp_tree.sh" healthy --healthy >/dev/null
H=$T/healthy/win/WINDOWS/system32
W=$T/fx/win/WINDOWS/system32
M=$T/fx/xp-sp3-x86.sha256
src() { jqr r.json ".files[] | select(.path == \"WINDOWS/system32/$1\") | .source"; }

make_xp
rm "$W/dllcache/svchost.exe"
U="$T/fx/win/Documents and Settings/user"
mkdir -p "$U/Desktop/old stuff" "$U/Downloads"
{ printf 'MZ\x90\x00'; head -c 14332 /dev/urandom; } >"$U/Downloads/svchost.exe"  # look-alike, same size
cp "$H/svchost.exe" "$U/Desktop/old stuff/svchost (copy).exe"
mkdir -p "$T/fx/win/lifeboat/backup/earlier" && cp "$H/drivers/tcpip.sys" "$T/fx/win/lifeboat/backup/earlier/"

# Without the flag the copy is not found.
run 4 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --dry-run --json r.json
assert_eq "$(src svchost.exe)" "null" "no source without --search-volume"
run 4 "$LB" sources "${K[@]}" -t "$T/fx/win" -m "$M" --search-volume
assert_contains "$T/out" "the whole volume"
run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --search-volume --yes --json r.json
assert_eq "$(sha "$W/svchost.exe")" "$(sha "$H/svchost.exe")" "svchost.exe"
assert_eq "$(sha "$W/dllcache/svchost.exe")" "$(sha "$H/svchost.exe")" "dllcache/svchost.exe"
assert_eq "$(src svchost.exe)" "volume:Documents and Settings/user/Desktop/old stuff/svchost (copy).exe" "source"
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/drivers/tcpip.sys") | .state')" "unrepaired" \
  "tcpip.sys: its only copy is in lifeboat/, which is not searched"
jq_true r.json '[.notes[] | select(test("searching the whole volume"))] | length == 1'
pass "--search-volume: a user's copy under another name serves svchost.exe; the look-alike and lifeboat/ are not used"
