#!/usr/bin/env bash
# detect, scan and the refusal to write, on disk and volume images made by
# tests/fixtures/make_windows_images.sh. Nothing here mounts: images are read
# in user space, and every refusal happens before a mount would.
source "$(dirname "$0")/lib.sh"
MK=${MKFIXTURE:-$SRC/build/tests/lifeboat_mkfixture}
MKFIXTURE=$MK "$SRC/tests/fixtures/make_windows_images.sh" "$T/img" >/dev/null
cd "$T/img"

# detect --image IMG: JSON in $T/d.json
detect() { run 0 "$LB" detect --image "$1" --json "$T/d.json" -q; }
vol() { jqr "$T/d.json" ".volumes[] | select(.partition == $1) | $2"; }

detect xp.img
assert_eq "$(vol 1 '.id')" "xp.img#1" "xp volume id"
assert_eq "$(vol 1 '.offset')" "$((63 * 512))" "xp partition offset (sector 63)"
assert_eq "$(vol 1 '.windows[0] | [.name, .version, .build, .sp, .arch, .system_root] | join(" ")')" \
  "Windows XP 5.1 2600 3 x86 WINDOWS" "XP detection"
assert_eq "$(vol 1 '.windows[0].os')" "family=windows version=5.1 build=2600 sp=3 arch=x86" "XP os description"
assert_eq "$(vol 1 '.writable')" "true" "a clean XP volume is safe to write"
pass "detect: Windows XP SP3 x86 in an MBR disk image (partition at sector 63)"

detect win7.img
assert_eq "$(vol 1 '.label + " " + (.windows | length | tostring)')" "System Reserved 0" "System Reserved"
assert_eq "$(vol 2 '.windows[0] | [.name, .version, .build, .sp, .arch, .edition, .kernel_image, .kernel_version] | join(" ")')" \
  "Windows 7 6.1 7601 1 x64 Professional ntoskrnl.exe 6.1.7601.17514" "Windows 7 detection, kernel cross-check"
pass "detect: Windows 7 SP1 x64 next to System Reserved, ntoskrnl.exe version read from its PE resources"

detect win11.img
assert_eq "$(vol 1 '.fs + " " + .partition_kind')" "fat32 efi" "EFI system partition"
assert_eq "$(vol 2 '.partition_kind')" "msr" "MSR"
assert_eq "$(vol 3 '.windows[0] | [.name, .product_name, .version, .build, .ubr, .display_version, .arch] | join(" ")')" \
  "Windows 11 Windows 10 Pro 10.0 26100 2314 24H2 x64" "Windows 11 detection (ProductName says 10)"
assert_eq "$(vol 3 '.windows[0].kernel_version')" "10.0.26100.2314" "Windows 11 kernel version"
assert_eq "$(vol 4 '.partition_kind + " " + .label')" "recovery Recovery" "recovery partition"
pass "detect: Windows 11 24H2 x64 on GPT with EFI, MSR and recovery partitions"

# The safety states, one volume image each.
for pair in hibr:hibernated:false HIBR:hibernated:false RSTR:resuming:false WAKE:invalidated:true \
  zero:none:true clean:none:true dirty:none:false; do
  IFS=: read -r name hiber writable <<<"$pair"
  detect "vol-$name.img"
  assert_eq "$(vol 0 '.hibernation + " " + (.writable | tostring)')" "$hiber $writable" "vol-$name.img state"
  assert_eq "$(vol 0 '.windows[0].build')" "7601" "vol-$name.img Windows"
done
detect vol-dirty.img
assert_eq "$(vol 0 '.dirty')" "true" "dirty flag"
vol 0 '.unsafe_reasons[0]' | grep -q "chkdsk" || fail "dirty reason names chkdsk"
detect vol-clean.img
assert_eq "$(vol 0 '.dirty')" "false" "clean volume dirty flag"
pass "detect: hiberfil.sys hibr/HIBR/RSTR unsafe, WAKE/zeroed/absent safe, NTFS dirty flag unsafe"

# A volume whose $MFT is damaged: not readable, not safe to write.
cp vol-clean.img broken.img
mft_lcn=$(od -An -t u8 -j 48 -N 8 broken.img | tr -d ' ')
per_cluster=$(od -An -t u1 -j 13 -N 1 broken.img | tr -d ' ')
dd if=/dev/zero of=broken.img bs=512 seek=$((mft_lcn * per_cluster)) count=4 conv=notrunc status=none
detect broken.img
assert_eq "$(vol 0 '.writable')" "false" "damaged MFT"
vol 0 '.unsafe_reasons[0]' | grep -q "^damaged: .*chkdsk" || fail "damaged reason names chkdsk"
pass "detect: a volume with a damaged \$MFT is reported unreadable and not safe to write"

detect win7-hibernated.img
assert_eq "$(vol 1 '.hibernation')" "hibernated" "hibernated Windows volume"
assert_eq "$(vol 2 '.hibernation + " " + (.writable | tostring)')" "hibernated false" "data volume of a hibernated disk"
pass "detect: a hibernated Windows makes the other NTFS volume on its disk unsafe too"

detect bitlocker.img
assert_eq "$(vol 1 '.fs + " " + (.bitlocker | tostring) + " " + (.writable | tostring)')" "bitlocker true false" "BitLocker"
assert_eq "$(vol 1 '.bitlocker_info | [.volume_guid, (.recovery_key_ids | join(",")), (.protectors | map(.kind) | join(","))] | join(" ")')" \
  "5E5C1C2A-7D41-4B6E-9A3F-0C2B8D9E1F07 9BF4D9A4 recovery-password,tpm" "BitLocker metadata"
run 0 "$LB" detect --image bitlocker.img
assert_contains "$T/out" "BitLocker recovery key ID 9BF4D9A4"
pass "detect: BitLocker volume (-FVE-FS-) reported encrypted and not writable, with its recovery key ID from the FVE metadata"

# A manifest for the Windows 7 volumes, signed: fix gets as far as the volume.
printf '%s  Windows/System32/svchost.exe\n' "$(printf x | sha256sum | cut -d' ' -f1)" >w7.sha256
sign w7.sha256
refuse() {  # IMAGE HINT [extra args]
  local img=$1 hint=$2
  shift 2
  local before
  before=$(sha "$img")
  run 8 "$LB" fix "${K[@]}" --image "$img" -m w7.sha256 --yes --json "$T/r.json" "$@"
  assert_contains "$T/err" "nothing was written"
  assert_contains "$T/err" "$hint"
  assert_eq "$(jqr "$T/r.json" '.exit_code')" "8" "JSON exit code for $img"
  assert_eq "$(sha "$img")" "$before" "$img unchanged"
}
refuse vol-hibr.img "--discard-hibernation"
refuse vol-HIBR.img "shut it down fully"
refuse vol-RSTR.img "--discard-hibernation"
refuse vol-dirty.img "chkdsk /f"
refuse vol-dirty.img "--ignore-dirty" --discard-hibernation  # the wrong override does not help
refuse bitlocker.img "--recovery-password"
refuse broken.img "damaged: the NTFS structures cannot be read"
refuse win7-hibernated.img "hibernated" --partition 2
# Overriding only hibernation where the hibernation file is on another volume is refused too.
refuse win7-hibernated.img "on another volume" --partition 2 --discard-hibernation
pass "fix refuses hibernated, Fast Startup, resuming, dirty, BitLocker and damaged volumes: exit 8, the way forward, image unchanged"

# BitLocker unlock attempts that cannot work fail cleanly.
printf '# volume id,recovery password\n/dev/sdz2,111111-222222-333333-444444-555555-666666-777777-888888\n' >keys.csv
before=$(sha bitlocker.img)
run 8 "$LB" scan "${K[@]}" --image bitlocker.img -m w7.sha256 --bitlocker-keys keys.csv
assert_contains "$T/err" "keys.csv has no recovery password for bitlocker.img#1"
# A fleet CSV keyed by the recovery key ID (as AD/Intune export it, with braces) finds the password: dislocker is run.
printf '{11111111-2222-3333-4444-555555555555},000000-000000-000000-000000-000000-000000-000000-000000\n{9BF4D9A4-A30E-4A6A-9F7D-2C1D2B1E0F00},111111-222222-333333-444444-555555-666666-777777-888888\n' >fleet.csv
run 8 "$LB" scan "${K[@]}" --image bitlocker.img -m w7.sha256 --bitlocker-keys fleet.csv
grep -q "has no recovery password" "$T/err" && fail "the recovery key ID was not matched"
assert_contains "$T/err" "dislocker"
if command -v dislocker >/dev/null && [[ -e /dev/fuse && $(id -u) == 0 ]]; then
  run 8 "$LB" scan "${K[@]}" --image bitlocker.img -m w7.sha256 \
    --recovery-password 111111-222222-333333-444444-555555-666666-777777-888888
  assert_contains "$T/err" "dislocker could not unlock bitlocker.img#1"
  grep -q dislocker /proc/mounts && fail "a dislocker mount was left behind"
fi
run 8 "$LB" scan "${K[@]}" --image bitlocker.img -m w7.sha256
assert_contains "$T/err" "BitLocker-encrypted; unlock it with --recovery-password"
assert_eq "$(sha bitlocker.img)" "$before" "BitLocker image unchanged"
pass "BitLocker: no key in the fleet CSV, a wrong recovery password (dislocker) and no key: exit 8 with what to do"

# scan of an image picks the XP SP3 manifest by itself and reads NTFS in user space.
before=$(sha xp.img)
run 4 "$LB" scan --keys-dir "$SRC/manifests/keys" --image xp.img --manifest-dir "$SRC/manifests/demo" --json "$T/s.json"
assert_eq "$(jqr "$T/s.json" '.manifest.path' | xargs basename)" "xp-sp3-x86.lbm" "chosen manifest"
assert_eq "$(jqr "$T/s.json" '.target')" "xp.img#1" "report target"
assert_eq "$(jqr "$T/s.json" '[.summary.missing, .summary.corrupt, .summary.ok] | join(" ")')" "1 2 18" "scan counts"
assert_eq "$(jqr "$T/s.json" '[.files[] | select(.state == "missing") | .path] | join(" ")')" \
  "WINDOWS/system32/svchost.exe" "svchost.exe missing"
assert_contains "$T/out" "detected Windows XP"
assert_eq "$(sha xp.img)" "$before" "scan wrote nothing"
# No manifest for Windows 7 in the demo directory: exit 8 naming the installation.
run 8 "$LB" scan --keys-dir "$SRC/manifests/keys" --image win7.img --manifest-dir "$SRC/manifests/demo"
assert_contains "$T/err" "build=7601"
pass "scan --image xp.img --manifest-dir picks the XP SP3 manifest (1 missing, 2 corrupt); Windows 7 has none: exit 8"

# Choosing the partition.
run 8 "$LB" scan "${K[@]}" --image win11.img --partition 9 -m w7.sha256
assert_contains "$T/err" "has no partition 9"
assert_contains "$T/err" "--partition 3: ntfs 'Windows'"
run 8 "$LB" scan "${K[@]}" --image win11.img --partition 1 -m w7.sha256
assert_contains "$T/err" "holds fat32, not NTFS"
run 16 "$LB" scan "${K[@]}" --image win11.img --target . -m w7.sha256
assert_contains "$T/err" "only one of --target, --image and --device"
run 4 "$LB" scan "${K[@]}" --image win11.img -m w7.sha256 --json "$T/s.json"
assert_eq "$(jqr "$T/s.json" '.target')" "win11.img#3" "the Windows partition chosen by itself"
pass "partition choice: the Windows one by default, --partition N, clear errors for a missing or non-NTFS one"

# A directory target with a hibernation file: refused; --discard-hibernation
# moves hiberfil.sys aside (kept, not deleted) and repairs.
make_xp
printf 'HIBR' >"$T/fx/win/hiberfil.sys"
head -c 4092 /dev/zero >>"$T/fx/win/hiberfil.sys"
before=$(state "$T/fx/win")
run 8 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$T/fx/xp-sp3-x86.sha256" -s "$T/fx/payload.tar.gz" --yes
assert_contains "$T/err" "--discard-hibernation"
assert_eq "$(state "$T/fx/win")" "$before" "hibernated tree unchanged"
run 1 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$T/fx/xp-sp3-x86.sha256" -s "$T/fx/payload.tar.gz" --yes \
  --discard-hibernation --json "$T/f.json"
assert_missing "$T/fx/win/hiberfil.sys"
assert_exists "$T/fx/win/hiberfil.discarded-by-lifeboat"
jq_true "$T/f.json" '[.warnings[] | select(test("discard"))] | length > 0'
pass "directory target: hibernated tree refused; --discard-hibernation keeps hiberfil.sys aside and repairs"
