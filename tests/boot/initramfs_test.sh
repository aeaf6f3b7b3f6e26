#!/usr/bin/env bash
# /init's own paths, booting the PXE bundle's kernel and initramfs directly
# (qemu -kernel/-initrd, no firmware menu, no network):
#  1. lifeboat.mode=tui: /init starts the technician console on the serial
#     line with the built-in manifests and keys; its first screen, the
#     volume list with its help line, shows.
#  2. lifeboat.mode=auto with no Windows disk and no reports volume: lifeboat
#     auto exits 8 (nothing to repair is an operational problem for a rescue
#     boot), the report stays in /run/lifeboat/reports, /init powers off.
source "$(dirname "$0")/lib.sh"
media
direct() { boot 120 -kernel "$PXE/vmlinuz" -initrd "$PXE/initrd.img" -append "console=ttyS0,115200 quiet $*"; }

# 1. the console starts (stopped once its first screen shows)
boot_until "choose the Windows volume to check" 120 -kernel "$PXE/vmlinuz" -initrd "$PXE/initrd.img" \
  -append "console=ttyS0,115200 quiet lifeboat.mode=tui lifeboat.then=poweroff lifeboat.wait=2"
console_has "lifeboat: starting (mode tui, then poweroff)"
console_has "lifeboat: no boot medium found; using the built-in manifests"
console_has "lifeboat: no FAT volume labelled LBREPORTS; reports stay in /run/lifeboat/reports"
console_has "lifeboat: running lifeboat tui --manifest-dir /lifeboat/manifests --keys-dir /lifeboat/keys"
console_has "Enter: check this volume   q: quit"
pass "mode=tui: /init starts lifeboat tui on the serial console with the built-in manifests and keys"

direct lifeboat.mode=auto lifeboat.then=poweroff lifeboat.wait=2
console_has "lifeboat: lifeboat auto exit status 8: refused or operational error"
console_has "lifeboat: reports in /run/lifeboat/reports"
console_has "lifeboat: powering off"
pass "mode=auto without a Windows disk: exit 8 in words, reports kept in /run/lifeboat/reports, powered off ($BOOT_SECONDS s)"
echo "boot time: direct kernel boot to power off: $BOOT_SECONDS s (TCG)"
