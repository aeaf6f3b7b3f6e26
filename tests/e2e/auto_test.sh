#!/usr/bin/env bash
# lifeboat auto, as a boot medium runs it: every Windows volume of the disks
# given is repaired unattended, a hibernated or BitLocker-locked one is left
# untouched with the reason in the report, one report per machine is named by
# its serial and saved, and PUT to a listener on 127.0.0.1 (socat) when a
# report URL is given on the kernel command line. Needs what windows_mount_test needs.
source "$(dirname "$0")/lib.sh"
MK=${MKFIXTURE:-$SRC/build/tests/lifeboat_mkfixture}
why=""
[[ $(id -u) == 0 ]] || why="not root"
[[ -e /dev/loop-control ]] || why="${why:+$why, }no /dev/loop-control"
grep -qw ntfs3 /proc/filesystems || [[ -e /dev/fuse ]] || why="${why:+$why, }no ntfs3 and no /dev/fuse"
[[ -z "$why" ]] || { echo "skip: cannot mount NTFS here ($why)"; exit 77; }
MKFIXTURE=$MK "$SRC/tests/fixtures/make_windows_images.sh" "$T/img" >/dev/null
cd "$T/img"
ntfs_sha() {  # IMAGE PATH: a file inside the XP volume (partition at sector 63)
  dd if="$1" of="$T/vol" bs=512 skip=63 status=none
  ntfscat -f "$T/vol" "$2" 2>/dev/null | sha256sum | cut -d' ' -f1
}
good_svchost=$(sha xp/win/WINDOWS/system32/dllcache/svchost.exe)
mkdir -p dmi && printf 'CZC1234XYZ\n' >dmi/product_serial && printf 'HP\n' >dmi/sys_vendor
printf 'HP Compaq dc7900\n' >dmi/product_name && printf '4c4c4544-0042-3510-8051-b2c04f4d3232\n' >dmi/product_uuid
A=(--manifest-dir "$SRC/manifests/demo" --keys-dir "$SRC/manifests/keys" --dmi-dir dmi --then none)

# 1. The XP disk (repaired from its own dllcache and the payload), a hibernated Windows 7 disk and a
#    BitLocker disk: the last two untouched, each with its reason.
cp xp.img pc.img
hib_before=$(sha win7-hibernated.img); bl_before=$(sha bitlocker.img)
run 9 "$LB" auto "${A[@]}" --image pc.img --image win7-hibernated.img --image bitlocker.img \
  --source xp/payload.tar.gz --source /nonexistent/payload.lbpack --reports reports
assert_eq "$(ntfs_sha pc.img /WINDOWS/system32/svchost.exe)" "$good_svchost" "svchost.exe on the XP volume (ntfscat)"
assert_eq "$(sha win7-hibernated.img)" "$hib_before" "hibernated disk untouched"
assert_eq "$(sha bitlocker.img)" "$bl_before" "BitLocker disk untouched"
r=$(ls reports/CZC1234XYZ-*.json)
[[ -f "${r%.json}.txt" ]] || fail "no text log next to $r"
assert_eq "$(jqr "$r" '.schema + " " + .machine.serial + " " + .machine.vendor + " " + (.exit_code|tostring)')" \
  "lifeboat.auto/1 CZC1234XYZ HP 9" "auto report header"
assert_eq "$(jqr "$r" '[.volumes[] | .outcome] | join(",")')" "repaired,refused,refused" "outcomes"
jq_true "$r" '.volumes[0].report.schema == "lifeboat.report/1" and .volumes[0].report.summary.restored == 3'
jq_true "$r" '.volumes[1].reason | test("hibernat")'
jq_true "$r" '.volumes[2].reason | test("BitLocker")'
jq_true "$r" '[.notes[] | select(test("/nonexistent/payload.lbpack is not there"))] | length == 1'
assert_contains "$T/out" "==================== lifeboat auto"
assert_contains "$T/out" "ATTENTION: a volume could not be repaired"
assert_contains "$T/out" "report    reports/CZC1234XYZ-"
[[ $(wc -l <"$T/out") -le 25 ]] || fail "the summary does not fit one screen: $(wc -l <"$T/out") lines"
assert_contains "${r%.json}.txt" "restored  WINDOWS/system32/svchost.exe"
pass "auto: XP volume repaired (ntfscat), hibernated and BitLocker disks untouched with the reason, report named by serial"

# 2. PXE-style: no reports medium; the kernel command line names a server on 127.0.0.1 that takes the PUT.
# respond.sh FILE: keeps one HTTP request (headers and Content-Length bytes of body), answers 201.
cat >respond.sh <<'SH'
len=0
while IFS= read -r line; do
  printf '%s\n' "$line" >>"$1"
  line=${line%$'\r'}
  [ -z "$line" ] && break
  case $line in Content-Length:*) len=${line#*: } ;; esac
done
head -c "$len" >>"$1"
printf 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
SH
port=$(( 20000 + RANDOM % 20000 ))
timeout 60 socat -T 20 TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr EXEC:"bash $T/img/respond.sh $T/put.raw" &
listener=$!
for _ in $(seq 50); do ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port " && break; sleep 0.1; done
cp xp.img pc2.img
printf 'BOOT_IMAGE=/vmlinuz quiet lifeboat.mode=auto lifeboat.then=none lifeboat.report=http://127.0.0.1:%s/reports/\n' \
  "$port" >cmdline
run 1 "$LB" auto "${A[@]}" --image pc2.img --source xp/payload.tar.gz --reports /proc/no-such-dir/reports --cmdline cmdline
wait "$listener" || true
head -n 1 "$T/put.raw" | grep -q "^PUT /reports/CZC1234XYZ-.*\.json HTTP/1.1" || fail "request line: $(head -n 1 "$T/put.raw")"
sed '1,/^\r$/d' "$T/put.raw" >put.json
assert_eq "$(jqr put.json '.machine.serial + " " + .volumes[0].outcome')" "CZC1234XYZ repaired" "uploaded report"
assert_contains "$T/out" "uploaded  http://127.0.0.1:$port/reports/CZC1234XYZ-"
pass "auto with lifeboat.report= on the kernel command line: the report is PUT to the server (a listener on 127.0.0.1)"

# 3. Nobody listening, but the report is saved: the upload failure is shown, the exit code is the repair's.
cp xp.img pc3.img
run 1 "$LB" auto "${A[@]}" --image pc3.img --source xp/payload.tar.gz --reports reports3 \
  --report-url "http://127.0.0.1:$port/r/" --upload-tries 2 --upload-timeout 1
assert_contains "$T/out" "upload    FAILED"
[[ $(ls reports3/*.json | wc -l) == 1 ]] || fail "report not saved"
pass "auto: an unreachable server costs only the upload (retried), the saved report stands"

# 4. No Windows anywhere: exit 8 and says so; a bad --then is a usage error.
mkfs.fat -C -n LBREPORTS fat.img 4096 >/dev/null
run 8 "$LB" auto "${A[@]}" --image fat.img --reports reports4
assert_contains "$T/out" "no Windows volume found"
run 16 "$LB" auto "${A[@]}" --image fat.img --reports reports4 --then explode
pass "auto: no Windows volume is exit 8 with the reason; --then explode is a usage error"
