#!/usr/bin/env bash
# The hybrid ISO on a BIOS PC (qemu TCG, SeaBIOS, CD-ROM): GRUB's serial
# auto-repair entry, lifeboat auto on a virtio disk holding the damaged XP
# volume, a report on a FAT volume labelled LBREPORTS, then power off.
source "$(dirname "$0")/lib.sh"
iso_repair BIOS
