#!/usr/bin/env bash
# /init's own paths, booting the PXE bundle's kernel and initramfs directly
# (qemu -kernel/-initrd, no firmware menu, no network):
#  1. lifeboat.mode=tui: lifeboat has no TUI yet, so /init says so and falls
#     back to a root shell (even with lifeboat.then=poweroff: the technician
#     is at the console).
#  2. lifeboat.mode=auto with no Windows disk and no reports volume: lifeboat
#     auto exits 8 (nothing to repair is an operational problem for a rescue
#     boot), the report stays in /run/lifeboat/reports, /init powers off.
source "$(dirname "$0")/lib.sh"
media
direct() { boot 120 -kernel "$PXE/vmlinuz" -initrd "$PXE/initrd.img" -append "console=ttyS0,115200 quiet $*"; }

# 1. the TUI falls back to a shell (stopped once its prompt shows)
boot_until "lifeboat# " 120 -kernel "$PXE/vmlinuz" -initrd "$PXE/initrd.img" \
  -append "console=ttyS0,115200 quiet lifeboat.mode=tui lifeboat.then=poweroff lifeboat.wait=2"
console_has "lifeboat: starting (mode tui, then poweroff)"
console_has "lifeboat: no boot medium found; using the built-in manifests"
console_has "lifeboat: no FAT volume labelled LBREPORTS; reports stay in /run/lifeboat/reports"
console_has "lifeboat: lifeboat tui failed (exit"
pass "mode=tui: lifeboat tui failed, /init fell back to a root shell on the console"

direct lifeboat.mode=auto lifeboat.then=poweroff lifeboat.wait=2
console_has "lifeboat: lifeboat auto exit status 8: refused or operational error"
console_has "lifeboat: reports in /run/lifeboat/reports"
console_has "lifeboat: powering off"
pass "mode=auto without a Windows disk: exit 8 in words, reports kept in /run/lifeboat/reports, powered off ($BOOT_SECONDS s)"
echo "boot time: direct kernel boot to power off: $BOOT_SECONDS s (TCG)"
