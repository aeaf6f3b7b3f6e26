#!/usr/bin/env bash
# Installs what lifeboat needs to build and test, from Debian 12 packages.
# Installs only what is missing, so it is cheap to run again.
#   scripts/setup.sh          build + test dependencies
#   scripts/setup.sh --fuzz   also clang and libFuzzer (for scripts/fuzz.sh)
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config file
  # libraries (static archives are in the -dev packages)
  libarchive-dev zlib1g-dev libcli11-dev libncurses-dev doctest-dev libssl-dev nlohmann-json3-dev
  # libarchive's own dependencies, needed for a static link
  libacl1-dev libattr1-dev liblzma-dev libbz2-dev libzstd-dev liblz4-dev nettle-dev
  # Windows volumes: registry hives, NTFS in user space, and the tools the
  # repair commands run (ntfs-3g mounts, dislocker for BitLocker)
  libhivex-dev ntfs-3g-dev ntfs-3g dislocker
  # SZDD-compressed files of older install media (libmspack)
  libmspack-dev
  # Windows install images (install.wim/esd) as sources; libxml2-dev is
  # wimlib's dependency for the static link
  libwim-dev libxml2-dev
  # used by the tests: tmux (the TUI screen tests), bsdtar (mtree manifests, zip/7z sources), jq (JSON reports),
  # signify (signature interoperability), hashdeep (manifest import),
  # hivexsh/hivexget (checking the hive fixtures), sfdisk and mkfs.fat (disk
  # image fixtures: partition tables, the EFI system partition), gcab (cabinets
  # as Windows install media ship them), wimtools (wimlib-imagex: WIM and
  # ESD install images), gsf from libgsf-bin (OLE2 files, as McAfee .bup
  # quarantine files are), strace (how much of a pack is read), socat (a
  # listener on 127.0.0.1 that takes the report `lifeboat auto` uploads),
  # mscompress (SZDD files, as NT 4 / Windows 9x media compress them), python3 (the hostile archives and
  # decompression bombs of tests/reliability/hostile_test.sh)
  libarchive-tools jq signify-openbsd hashdeep libhivex-bin fdisk dosfstools gcab wimtools libgsf-bin strace socat mscompress tmux
  python3
  # boot media (iso/build.sh): the kernel and its modules, busybox for /init,
  # cpio and xz (xz-utils) for the initramfs, modprobe (kmod) to resolve module dependencies,
  # grub-mkrescue's BIOS + UEFI images with xorriso and mtools, pxelinux for
  # the PXE bundle; the qemu boot tests (tests/boot/): qemu with SeaBIOS,
  # OVMF for UEFI, iPXE NIC ROMs, nginx as the report receiver (run by the
  # test as an unprivileged foreground process on 127.0.0.1)
  linux-image-amd64 busybox-static cpio xz-utils kmod grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
  pxelinux syslinux-common qemu-system-x86 ovmf ipxe-qemu nginx
)
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev llvm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: run as root (or install these packages yourself): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Packages are installed, never started: nginx would otherwise start a
# system-wide web server on port 80. A policy-rc.d already present is kept.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
