#!/usr/bin/env bash
# Makes the hybrid BIOS + UEFI ISO from a file tree (iso/build.sh's
# OUTDIR/tree: boot/vmlinuz, boot/initrd.img, boot/grub/grub.cfg, lifeboat/):
#
#   iso/mkiso.sh TREE OUT.iso
#
# To remaster (another default entry, other payload packs) without building
# the initramfs again: copy the tree, change /lifeboat, run this.
# grub-mkrescue adds GRUB's BIOS El Torito image, its EFI image as an El
# Torito entry and as a GPT/MBR partition, and an MBR boot record, so the
# same file boots from CD and from a USB stick, BIOS and UEFI.
set -euo pipefail
tree=${1:?usage: mkiso.sh TREE OUT.iso}
out=${2:?usage: mkiso.sh TREE OUT.iso}
log=$(mktemp)
trap 'rm -f "$log" "$out.tmp"' EXIT
grub-mkrescue -o "$out.tmp" "$tree" --compress=xz --fonts= --locales= --themes= -- -volid LIFEBOAT >"$log" 2>&1 ||
  { cat "$log" >&2; echo "mkiso.sh: grub-mkrescue failed" >&2; exit 1; }
mv "$out.tmp" "$out"
