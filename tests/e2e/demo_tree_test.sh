#!/usr/bin/env bash
# The Quick start story end to end: scan finds the damage, fix restores
# svchost.exe from dllcache (never the same-sized decoy in the payload),
# kernel32.dll from dllcache with the corrupt copy backed up, tcpip.sys from
# the tar.gz; undo puts the tree back byte for byte; a second undo is a no-op.
source "$(dirname "$0")/lib.sh"
make_xp
M=$T/fx/xp-sp3-x86.sha256
W=$T/fx/win

run 4 "$LB" scan --target "$W" --manifest "$M" --json scan.json
jq_true scan.json '.schema == "lifeboat.report/1" and .command == "scan"'
assert_eq "$(jqr scan.json '.summary | "\(.ok) \(.missing) \(.corrupt) \(.restored) \(.unrepaired)"')" "18 1 2 0 0"
assert_eq "$(jqr scan.json '[.files[] | "\(.path)=\(.state)"] | sort | join(" ")')" \
  "WINDOWS/system32/drivers/tcpip.sys=corrupt WINDOWS/system32/kernel32.dll=corrupt WINDOWS/system32/svchost.exe=missing"
assert_eq "$(jqr scan.json '.files[] | select(.path | endswith("svchost.exe")) | .found_sha256')" "null"
assert_eq "$(jqr scan.json '.manifest.sha256')" "$(sha "$M")"
assert_eq "$(jqr scan.json '.manifest.entries')" "21"
assert_eq "$(jqr scan.json '.exit_code')" "4"
pass "scan reports the damage"

before=$(state "$W")
corrupt_kernel=$(sha "$W/WINDOWS/system32/kernel32.dll")
run 1 "$LB" fix "${K[@]}" --target "$W" --manifest "$M" --source "$T/fx/payload.tar.gz" \
  --source "$W/WINDOWS/system32/dllcache" --yes --json fix.json
assert_eq "$(jqr fix.json '.summary | "\(.ok) \(.missing) \(.corrupt) \(.restored) \(.unrepaired)"')" "18 1 2 3 0"
assert_eq "$(jqr fix.json '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" "dllcache:svchost.exe"
assert_eq "$(jqr fix.json '.files[] | select(.path == "WINDOWS/system32/drivers/tcpip.sys") | .source')" \
  "payload.tar.gz:i386/tcpip.sys"
assert_eq "$(jqr fix.json '.files[] | select(.path == "WINDOWS/system32/kernel32.dll") | .found_sha256')" "$corrupt_kernel"
(cd "$W" && sha256sum --quiet -c "$M") || fail "restored tree does not match the manifest"
run_id=$(jqr fix.json '.run_id')
assert_eq "$(sha "$W/lifeboat/backup/$run_id/WINDOWS/system32/kernel32.dll")" "$corrupt_kernel" "backup of the corrupt file"
assert_exists "$W/lifeboat/journal/$run_id.log"
[[ -z "$(find "$W" -name '*.lifeboat-tmp')" ]] || fail "temp files left behind"
pass "fix restores all three from the right sources, keeps a backup"

run 0 "$LB" scan --target "$W" --manifest "$M"
assert_contains "$T/out" "Healthy"
pass "scan after fix is healthy"

run 0 "$LB" undo --target "$W" --json undo.json
assert_eq "$(jqr undo.json '.summary.reverted')" "3"
assert_eq "$(state "$W")" "$before" "tree after undo"
pass "undo restores the tree byte for byte"

run 0 "$LB" undo --target "$W"
assert_contains "$T/out" "already undone"
assert_eq "$(state "$W")" "$before" "tree after a second undo"
pass "second undo is a no-op"
