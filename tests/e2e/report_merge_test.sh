#!/usr/bin/env bash
# `lifeboat report merge` over a fleet campaign: real lifeboat.report/1 files
# from fix runs on two damaged demo trees and a healthy one, lifeboat.auto/1
# files written here (a re-run that supersedes a failure, a BitLocker refusal,
# a machine known only by its UUID whose report names a hostile path) and a
# garbage file. Checks the exact counts in the summary, the CSV, the JSON and
# the HTML, the warning and exit 4 for the garbage, exit 0 without it, exit 8
# when an output cannot be written, and usage errors. Then, where loop devices and an NTFS mount are
# allowed, reports written by the real `lifeboat auto`, a re-run superseding refusals.
source "$(dirname "$0")/lib.sh"
mkdir -p r

# Three real fix reports. fx: every source, all 3 files restored (exit 1).
make_xp
run 1 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$T/fx/xp-sp3-x86.sha256" -s "$T/fx/payload.tar.gz" --yes --json r/fix-full.json
# fx2: only the volume's own dllcache: svchost and kernel32 restored, tcpip.sys left (exit 5).
"$SRC/tests/fixtures/make_xp_tree.sh" "$T/fx2" >/dev/null
rm -f "$T/fx2/xp-sp3-x86.sha256.sig"
sign "$T/fx2/xp-sp3-x86.sha256"
run 5 "$LB" fix "${K[@]}" -t "$T/fx2/win" -m "$T/fx2/xp-sp3-x86.sha256" --yes --json r/fix-partly.json
# fxh: healthy (exit 0).
"$SRC/tests/fixtures/make_xp_tree.sh" "$T/fxh" --healthy >/dev/null
rm -f "$T/fxh/xp-sp3-x86.sha256.sig"
sign "$T/fxh/xp-sp3-x86.sha256"
run 0 "$LB" fix "${K[@]}" -t "$T/fxh/win" -m "$T/fxh/xp-sp3-x86.sha256" --yes --json r/fix-healthy.json
assert_eq "$(jqr r/fix-full.json '.summary.restored')" "3"
assert_eq "$(jqr r/fix-partly.json '"\(.summary.restored) \(.summary.unrepaired)"')" "2 1"
pass "three real lifeboat.report/1 files (repaired, partly repaired, healthy)"

# lifeboat.auto/1 reports, as `lifeboat auto` writes them.
# auto FILE SERIAL UUID FINISHED VOLUMES_JSON
auto() {
  jq -n --arg serial "$2" --arg uuid "$3" --arg finished "$4" --argjson volumes "$5" '{
    format: "lifeboat.auto/1", lifeboat_version: "0.1.0",
    machine: {serial: $serial, uuid: $uuid, vendor: "HP", product: "dc7900", hostname_hint: ""},
    started: $finished, finished: $finished, exit_code: 0, volumes: $volumes}' >"$1"
}
xp="Windows XP 5.1 2600 SP3 x86"
full=$(cat r/fix-full.json)
# CZC001: failed (disk full), then repaired on the re-run.
auto r/czc001-1.json CZC001 "" 2026-11-29T06:40:00Z "$(jq -n --arg w "$xp" '[{device: "/dev/sda", partition: 1,
  windows: $w, outcome: "failed", exit_code: 8, reason: "disk full", report: null}]')"
auto r/czc001-2.json CZC001 "" 2026-11-29T07:10:00Z "$(jq -n --arg w "$xp" --argjson r "$full" '[{device: "/dev/sda",
  partition: 1, windows: $w, outcome: "repaired", exit_code: 1, reason: "", report: $r}]')"
# CZC002: BitLocker-locked system volume refused, a data volume without a manifest. Its
# format named in "schema", as `lifeboat auto` writes it (the specified schema says "format").
auto r/czc002.json CZC002 "" 2026-11-29T06:45:00Z "$(jq -n --arg w "$xp" '[
  {device: "/dev/sda", partition: 1, windows: $w, outcome: "refused", exit_code: 8,
   reason: "BitLocker-locked: no recovery key for this volume", report: null},
  {device: "/dev/sda", partition: 2, windows: "Windows 98", outcome: "no_manifest", exit_code: 8,
   reason: "no manifest for Windows 98", report: null}]')"
jq 'del(.format) | .schema = "lifeboat.auto/1"' r/czc002.json >r/tmp.json && mv r/tmp.json r/czc002.json
# A machine with no serial, known by its UUID; its report names a hostile path.
hostile='WINDOWS/system32/<script>alert(1)</script>.dll'
auto r/uuid-only.json "" 4c4c4544-0042-3110-8052-b7c04f4e3732 2026-11-29T06:50:00Z "$(jq -n --arg w "$xp" \
  --arg h "$hostile" --argjson r "$full" '[{device: "/dev/nvme0n1", partition: 3, windows: $w, outcome: "repaired",
  exit_code: 1, reason: "", report: ($r | .files |= map(if (.path | endswith("kernel32.dll")) then .path = $h
  else . end))}]')"
head -c 300 /dev/urandom >r/garbage.json

run 4 "$LB" report merge r/*.json -o fleet.csv --html fleet.html --json fleet.json
assert_contains "$T/err" "warning: skipped r/garbage.json: not JSON"
[[ $(grep -c warning "$T/err") == 1 ]] || fail "one warning expected: $(cat "$T/err")"
assert_contains "$T/out" "lifeboat report merge: 8 file(s), 7 merged, 1 skipped"
assert_contains "$T/out" "  machines          6"
assert_contains "$T/out" "  runs              7"
assert_contains "$T/out" "  re-run machines   1"
assert_contains "$T/out" "  volumes           7"
assert_contains "$T/out" "  refused           1"
assert_contains "$T/out" "  failed            0"
assert_contains "$T/out" "  unrepaired        0"
assert_contains "$T/out" "  partly_repaired   1"
assert_contains "$T/out" "  no_manifest       1"
assert_contains "$T/out" "  repaired          3"
assert_contains "$T/out" "  healthy           1"
assert_contains "$T/out" "  files restored    11"
assert_contains "$T/out" "  files unrepaired  1"
assert_contains "$T/out" "  most restored     WINDOWS/system32/svchost.exe 4"
assert_contains "$T/out" "                    WINDOWS/system32/drivers/tcpip.sys 3"
assert_contains "$T/out" "                    WINDOWS/system32/kernel32.dll 3"
pass "summary: 6 machines, 7 volumes, each outcome, 11 files restored, svchost.exe most often; garbage skipped, exit 4"

# The CSV: a header and one row per machine and volume of the latest run.
tr -d '\r' <fleet.csv >csv
assert_eq "$(head -1 csv)" \
  "serial,uuid,vendor,product,finished,device,partition,windows,outcome,exit_code,restored,removed,unrepaired,reason,runs,report"
assert_eq "$(tail -n +2 csv | wc -l)" "7" "CSV rows"
[[ $(grep -c $'\r$' fleet.csv) == 8 ]] || fail "CSV lines do not end in CRLF"
assert_eq "$(awk -F, '$1 == "CZC001" {print $5, $9, $10, $11, $12, $13, $15, $16}' csv)" \
  "2026-11-29T07:10:00Z repaired 1 3 0 0 2 r/czc001-2.json"
assert_eq "$(awk -F, '$1 == "CZC002" {print $7 ":" $9 ":" $11 ":" $14}' csv)" \
  "1:refused::BitLocker-locked: no recovery key for this volume
2:no_manifest::no manifest for Windows 98"
assert_eq "$(awk -F, '$2 ~ /^4c4c4544/ {print $6, $7, $9, $11}' csv)" "/dev/nvme0n1 3 repaired 3"
assert_eq "$(awk -F, '$16 == "r/fix-partly.json" {print $6, $9, $10, $11, $13, $15}' csv)" \
  "$T/fx2/win partly_repaired 5 2 1 1"
assert_eq "$(awk -F, '$16 == "r/fix-healthy.json" {print $9, $10, $11}' csv)" "healthy 0 0"
assert_eq "$(cut -d, -f9 csv | tail -n +2 | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' ')" \
  "healthy=1 no_manifest=1 partly_repaired=1 refused=1 repaired=3"
! grep -q failed csv || fail "the superseded failure of CZC001 is in the CSV"
pass "CSV: CRLF rows per machine and volume, latest run of CZC001 with runs=2, refused reason, lone fix reports"

# The totals as lifeboat.fleet/1.
assert_eq "$(jqr fleet.json '"\(.format) \(.machines) \(.volumes) \(.runs) \(.files.restored)"')" "lifeboat.fleet/1 6 7 7 11"
assert_eq "$(jqr fleet.json '.outcomes | "\(.refused) \(.failed) \(.partly_repaired) \(.repaired) \(.healthy)"')" "1 0 1 3 1"
assert_eq "$(jqr fleet.json '.skipped[0].file')" "r/garbage.json"
assert_eq "$(jqr fleet.json '.most_restored[0] | "\(.path) \(.count)"')" "WINDOWS/system32/svchost.exe 4"
pass "--json: lifeboat.fleet/1 totals"

# The HTML: totals, attention first, everything escaped, nothing external.
assert_contains fleet.html "<tr><th>machines</th><td class=\"n\">6</td></tr>"
assert_contains fleet.html "<tr><th>volumes</th><td class=\"n\">7</td></tr>"
assert_contains fleet.html "<tr><th>files restored</th><td class=\"n\">11</td></tr>"
assert_contains fleet.html "<tr><th>refused (needs attention)</th><td class=\"n\">1</td></tr>"
assert_contains fleet.html "<tr><td>WINDOWS/system32/svchost.exe</td><td class=\"n\">4</td></tr>"
assert_contains fleet.html "WINDOWS/system32/&lt;script&gt;alert(1)&lt;/script&gt;.dll"
assert_contains fleet.html "BitLocker-locked: no recovery key for this volume"
! grep -qi "<script" fleet.html || fail "fleet.html has a <script> element"
! grep -qiE "(src|href)=" fleet.html || fail "fleet.html refers to an external resource"
refused=$(grep -n "Needs attention: refused (1)" fleet.html | cut -d: -f1)
repaired=$(grep -n ">repaired (3)</h2>" fleet.html | cut -d: -f1)
[[ -n "$refused" && -n "$repaired" && "$refused" -lt "$repaired" ]] || fail "refused table not before repaired"
pass "HTML: totals, attention tables first, hostile path escaped, self-contained"

# Without the garbage: exit 0, no warning.
rm r/garbage.json
run 0 "$LB" report merge r/*.json -o fleet2.csv
assert_eq "$(cat "$T/err")" "" "stderr without garbage"
assert_contains "$T/out" "7 merged, 0 skipped"
cmp -s <(tr -d '\r' <fleet2.csv) csv || fail "CSV differs without the garbage file"
pass "all files merged: exit 0"

# A directory, a missing file, an empty file and a number JSON cannot hold: skipped, named.
: >empty.json
echo '{"format": "lifeboat.auto/1", "machine": {}, "volumes": [{"outcome": "healthy", "partition": 1e400}]}' >big.json
run 4 "$LB" report merge r/czc002.json r nope.json empty.json big.json -q
assert_eq "$(cat "$T/out")" "" "stdout with -q"
assert_contains "$T/err" "skipped r: not a regular file"
assert_contains "$T/err" "skipped nope.json: cannot be read: No such file or directory"
assert_contains "$T/err" "skipped empty.json: not JSON (syntax error at byte 1)"
assert_contains "$T/err" "skipped big.json: not JSON (number overflow"
[[ $(grep -c warning "$T/err") == 4 ]] || fail "four warnings expected: $(cat "$T/err")"
pass "directories, missing, empty and unparsable files skipped by name"

# CSV on stdout: the summary moves to stderr.
run 0 "$LB" report merge r/*.json -o -
assert_eq "$(tr -d '\r' <"$T/out")" "$(cat csv)" "CSV on stdout"
assert_contains "$T/err" "machines          6"
pass "-o -: CSV on stdout, summary on stderr"

# An output that cannot be written: exit 8, the others still written.
run 8 "$LB" report merge r/*.json -o "$T/nodir/fleet.csv" --html fleet3.html
assert_contains "$T/err" "cannot write the CSV"
assert_exists fleet3.html
pass "unwritable output: exit 8"

run 16 "$LB" report merge
run 16 "$LB" report
run 16 "$LB" report merge r/czc002.json --bogus
run 16 "$LB" report merge r/czc002.json -o - --json -
assert_contains "$T/err" "only one of"
run 0 "$LB" report merge --help
for w in "Example:" "Exit:" lifeboat.auto/1 lifeboat.report/1 "--html"; do assert_contains "$T/out" "$w"; done
run 0 "$LB" report --help
assert_contains "$T/out" "merge"
pass "usage errors exit 16; --help explains inputs, outputs and exit codes"

# Reports written by the real `lifeboat auto` (needs what auto_test needs: root, loop devices, a way
# to mount NTFS). Machine 1 (CZC1234XYZ) runs on an XP disk, a hibernated and a BitLocker disk, then
# again a second later on the repaired XP disk alone; machine 2 (a placeholder serial, known by its
# UUID) has no Windows at all.
why=""
[[ $(id -u) == 0 ]] || why="not root"
[[ -e /dev/loop-control ]] || why="${why:+$why, }no /dev/loop-control"
grep -qw ntfs3 /proc/filesystems || [[ -e /dev/fuse ]] || why="${why:+$why, }no ntfs3 and no /dev/fuse"
if [[ -n "$why" ]]; then
  echo "skip: reports from the real lifeboat auto ($why)"
  exit 0
fi
MKFIXTURE=${MKFIXTURE:-$SRC/build/tests/lifeboat_mkfixture} "$SRC/tests/fixtures/make_windows_images.sh" "$T/img" >/dev/null
cd "$T/img"
mkdir -p dmi1 dmi2
printf 'CZC1234XYZ\n' >dmi1/product_serial && printf '4c4c4544-0042-3510-8051-b2c04f4d3232\n' >dmi1/product_uuid
printf 'To Be Filled By O.E.M.\n' >dmi2/product_serial && printf '9b1e2f30-5d4c-11ee-8c99-0242ac120002\n' >dmi2/product_uuid
for d in dmi1 dmi2; do printf 'HP\n' >$d/sys_vendor && printf 'HP Compaq dc7900\n' >$d/product_name; done
A=(--manifest-dir "$SRC/manifests/demo" --keys-dir "$SRC/manifests/keys" --then none --reports reports)
cp xp.img pc.img
run 9 "$LB" auto "${A[@]}" --dmi-dir dmi1 --image pc.img --image win7-hibernated.img --image bitlocker.img \
  --source xp/payload.tar.gz
mkfs.fat -C -n NOWIN fat.img 4096 >/dev/null
run 8 "$LB" auto "${A[@]}" --dmi-dir dmi2 --image fat.img
run 0 "$LB" report merge reports/*.json -o first.csv
assert_contains "$T/out" "2 merged, 0 skipped"
assert_contains "$T/out" "  machines          2"
assert_contains "$T/out" "  volumes           3"
assert_contains "$T/out" "  refused           2"
assert_contains "$T/out" "  no_volumes        1"
assert_contains "$T/out" "  repaired          1"
assert_contains "$T/out" "  files restored    3"
assert_contains "$T/out" "  most restored     WINDOWS/system32/"
assert_eq "$(tr -d '\r' <first.csv | awk -F, '$1 == "CZC1234XYZ" {print $9}' | paste -sd' ')" "repaired refused refused"
assert_eq "$(tr -d '\r' <first.csv | awk -F, '$2 == "9b1e2f30-5d4c-11ee-8c99-0242ac120002" {print $1 "|" $9}')" \
  "To Be Filled By O.E.M.|no_volumes"
sleep 1  # report names and `finished` have one-second resolution
run 0 "$LB" auto "${A[@]}" --dmi-dir dmi1 --image pc.img
run 0 "$LB" report merge reports/*.json -o second.csv
assert_contains "$T/out" "3 merged, 0 skipped"
assert_contains "$T/out" "  machines          2"
assert_contains "$T/out" "  runs              3"
assert_contains "$T/out" "  volumes           1"
assert_contains "$T/out" "  refused           0"
assert_contains "$T/out" "  healthy           1"
assert_contains "$T/out" "  files restored    0"
assert_eq "$(tr -d '\r' <second.csv | awk -F, '$1 == "CZC1234XYZ" {print $9, $15}')" "healthy 2"
pass "reports of the real lifeboat auto: refusals and a repair, then the re-run on the repaired disk supersedes them"
