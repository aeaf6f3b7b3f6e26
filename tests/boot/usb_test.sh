#!/usr/bin/env bash
# The ISO written to a USB stick as README says (dd, then sfdisk moves the
# backup GPT to the end of the stick and appends a FAT partition labelled
# LBREPORTS), booted from that stick on a BIOS PC (SeaBIOS, qemu's xHCI USB
# controller, usb-storage): /init finds the medium and the reports partition
# on the same stick, lifeboat auto repairs the XP disk and writes its report
# to the stick.
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
cp "$T/img/xp.img" "$T/disk.img"
boot 170 -device qemu-xhci -drive if=none,id=stick,format=raw,file="$stick" -device usb-storage,drive=stick,bootindex=0 \
  -drive file="$T/disk.img",format=raw,if=virtio
check_repair "USB stick (BIOS)" /dev/sda "$stick" "$start"
echo "boot time: USB stick (BIOS), qemu start to power off: $BOOT_SECONDS s (TCG)"
