#!/usr/bin/env bash
# The hybrid ISO on a UEFI PC (qemu TCG, q35, OVMF): the same as
# iso_bios_test.sh through GRUB's EFI image.
source "$(dirname "$0")/lib.sh"
code=/usr/share/OVMF/OVMF_CODE_4M.fd
[[ -f $code && -f /usr/share/OVMF/OVMF_VARS_4M.fd ]] || skip "no OVMF firmware (package ovmf; scripts/setup.sh installs it)"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$T/vars.fd"
iso_repair UEFI -machine q35 -drive if=pflash,format=raw,readonly=on,file=$code \
  -drive if=pflash,format=raw,file="$T/vars.fd"
