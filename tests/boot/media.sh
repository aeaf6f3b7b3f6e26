#!/usr/bin/env bash
# CTest fixture of the boot tests (boot.media): builds the ISO and PXE bundle
# once (tests/boot/lib.sh media; reused while no input is newer) and checks
# their shape: the ISO is hybrid (El Torito BIOS + UEFI images, an MBR with
# GRUB's boot code, a GPT with the EFI system partition), holds /lifeboat and
# fits on a CD; the PXE bundle has everything pxelinux and iPXE load.
source "$(dirname "$0")/lib.sh"
media
el=$(xorriso -indev "$ISO" -report_el_torito plain 2>&1)
grep -q 'El Torito boot img :   1  BIOS' <<<"$el" || fail "no BIOS El Torito image: $el"
grep -q 'El Torito boot img :   2  UEFI' <<<"$el" || fail "no UEFI El Torito image: $el"
grep -Eq 'Boot record.*MBR.*grub2-mbr.*GPT' <<<"$el" || fail "not a hybrid MBR + GPT image: $(grep 'Boot record' <<<"$el")"
fdisk -l "$ISO" | grep -q 'EFI System' || fail "the GPT has no EFI system partition: $(fdisk -l "$ISO")"
pass "ISO is hybrid: El Torito BIOS + UEFI, GRUB MBR, GPT with an EFI system partition"
files=$(xorriso -indev "$ISO" -find /lifeboat -type f 2>/dev/null)
for f in /lifeboat/keys/lifeboat-demo.pub /lifeboat/manifests/xp-sp3-x86.lbm /lifeboat/manifests/xp-sp3-x86.lbm.sig \
         /boot/vmlinuz /boot/initrd.img /boot/grub/grub.cfg; do
  xorriso -indev "$ISO" -find "$f" 2>/dev/null | grep -q "$f" || fail "$f is not on the ISO ($files)"
done
pass "ISO holds the kernel, the initramfs, GRUB's menu, the signed manifests and the trusted keys"
size=$(stat -c %s "$ISO")
((size < 64 * 1024 * 1024)) || fail "the ISO is $size bytes; expected well under 64 MiB"
for f in vmlinuz initrd.img pxelinux.0 ldlinux.c32 pxelinux.cfg/default boot.ipxe; do
  [[ -s "$PXE/$f" ]] || fail "PXE bundle lacks $f"
done
head -1 "$PXE/boot.ipxe" | grep -qx '#!ipxe' || fail "boot.ipxe is not an iPXE script"
pass "PXE bundle: vmlinuz, initrd.img, pxelinux.0, ldlinux.c32, pxelinux.cfg/default, boot.ipxe"
echo "ISO size: $size bytes ($((size / 1048576)) MiB), initramfs $(stat -c %s "$PXE/initrd.img") bytes"
