#!/usr/bin/env bash
# The ISO written to a USB stick as README says (dd, then sfdisk moves the
# backup GPT to the end of the stick and appends a FAT partition labelled
# LBREPORTS), booted from that stick on a BIOS PC (SeaBIOS) and on a UEFI PC
# (OVMF, q35), through qemu's xHCI USB controller and usb-storage: /init
# finds the medium and the reports partition on the same stick, lifeboat auto
# repairs the XP disk and writes its report to the stick.
source "$(dirname "$0")/lib.sh"
command -v sfdisk >/dev/null || skip "no sfdisk (package fdisk)"
media
xp_disk
test_iso
stick=$T/stick.img
truncate -s 96M "$stick"
dd if="$T/test.iso" of="$stick" conv=notrunc,fsync status=none
sfdisk -q --relocate gpt-bak-std "$stick"
echo 'type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=LBREPORTS' | sfdisk -q --append "$stick" >/dev/null ||
  fail "sfdisk could not add the reports partition"
read -r start size < <(sfdisk -J "$stick" | jq -r '.partitiontable.partitions[-1] | "\(.start) \(.size)"')
mkfs.fat --offset "$start" -n LBREPORTS "$stick" $((size / 2)) >/dev/null || fail "mkfs.fat on the stick's partition failed"
cmp -n 440 "$T/test.iso" "$stick" || fail "adding the partition changed the stick's boot code"
pass "USB stick: the ISO, the backup GPT moved to the end, a FAT partition LBREPORTS added, boot code intact"
cp "$stick" "$T/stick0.img"

# usb_boot NAME QEMU-ARGS...: a fresh copy of the stick and of the disk, booted from the stick
usb_boot() {
  local name=$1
  shift
  cp "$T/stick0.img" "$stick"
  cp "$T/img/xp.img" "$T/disk.img"
  boot 170 "$@" -device qemu-xhci -drive if=none,id=stick,format=raw,file="$stick" \
    -device usb-storage,drive=stick,bootindex=0 -drive file="$T/disk.img",format=raw,if=virtio
  check_repair "$name" /dev/sda "$stick" "$start"
  echo "boot time: $name, qemu start to power off: $BOOT_SECONDS s (TCG)"
}
usb_boot "USB stick (BIOS)"
code=/usr/share/OVMF/OVMF_CODE_4M.fd
if [[ -f $code && -f /usr/share/OVMF/OVMF_VARS_4M.fd ]]; then
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$T/vars.fd"
  usb_boot "USB stick (UEFI)" -machine q35 -drive if=pflash,format=raw,readonly=on,file=$code \
    -drive if=pflash,format=raw,file="$T/vars.fd"
else
  echo "no OVMF firmware (package ovmf): the stick was not booted on UEFI"
fi
