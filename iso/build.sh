#!/usr/bin/env bash
# Assembles the lifeboat boot media from Debian packages and build/lifeboat:
#
#   iso/build.sh [--payload FILE.lbpack]... [--config FILE] [--lifeboat BIN] [--pxe DIR] [OUTDIR]
#
# OUTDIR (default build/iso)  lifeboat.iso: hybrid BIOS + UEFI (grub-mkrescue),
#                             for a CD or dd to a USB stick; /lifeboat/{manifests,
#                             keys,payload} on its file system; tree/: its files,
#                             to remaster with iso/mkiso.sh
# --config FILE               /lifeboat/lifeboat.cfg on the ISO: the boot menu's
#                             default entry, timeout, kernel arguments
#                             (iso/lifeboat.cfg.example)
# --pxe DIR (default build/pxe)  the PXE bundle: vmlinuz, initrd.img, pxelinux.0,
#                             ldlinux.c32, pxelinux.cfg/default, boot.ipxe
#
# How: the initramfs (xz cpio, shared by both) holds busybox-static, iso/init,
# the static lifeboat, the kernel modules for virtio/SATA/NVMe/USB disks, CDs,
# FAT, FUSE and two NICs (dependencies from modprobe --show-depends, load order
# in /lib/modules/load.list), ntfs-3g and dislocker-fuse with the shared
# libraries ldd lists, glibc's gconv and NSS modules (the static lifeboat's
# iconv and getaddrinfo load them), terminfo for linux/vt100/xterm, the signed shipped
# manifests and trusted keys in /lifeboat. Payload packs go on the ISO only,
# never into the initramfs (they can be larger than RAM). Needs root (mknod).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
lifeboat=$src/build/lifeboat
pxe=$src/build/pxe
out=""
config=""
payloads=()
while (($#)); do
  case $1 in
    --payload) payloads+=("$(realpath "${2:?--payload FILE.lbpack}")"); shift 2 ;;
    --lifeboat) lifeboat=$(realpath "${2:?--lifeboat BIN}"); shift 2 ;;
    --pxe) pxe=${2:?--pxe DIR}; shift 2 ;;
    --config) config=$(realpath "${2:?--config FILE}"); shift 2 ;;
    -h|--help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "iso/build.sh: unknown option $1" >&2; exit 16 ;;
    *) out=$1; shift ;;
  esac
done
out=${out:-$src/build/iso}
die() { echo "iso/build.sh: $*" >&2; exit 1; }
log() { echo "iso/build.sh: $*"; }

[[ $(id -u) == 0 ]] || die "run as root (the initramfs needs /dev/console and /dev/fuse nodes)"
[[ -x "$lifeboat" ]] || die "no lifeboat binary at $lifeboat (scripts/build.sh builds it)"
file -b "$lifeboat" | grep -q 'statically linked' || die "$lifeboat is not statically linked (build with -DLIFEBOAT_STATIC=ON)"
"$lifeboat" --help | grep -qE '^  auto ' || die "$lifeboat has no 'auto' command, which /init runs"
for p in "${payloads[@]}"; do
  [[ -f "$p" && "$p" == *.lbpack ]] || die "payload $p is not an .lbpack file"
done
need=(busybox:busybox-static cpio:cpio modprobe:kmod depmod:kmod grub-mkrescue:grub-common xorriso:xorriso
      mformat:mtools ntfs-3g:ntfs-3g xz:xz-utils)
for n in "${need[@]}"; do
  command -v "${n%%:*}" >/dev/null || [[ -x /sbin/${n%%:*} ]] || die "${n%%:*} is missing: scripts/setup.sh installs package ${n#*:}"
done
[[ -d /usr/lib/grub/i386-pc && -d /usr/lib/grub/x86_64-efi ]] || die "grub-pc-bin and grub-efi-amd64-bin are needed (scripts/setup.sh)"
[[ -f /usr/lib/PXELINUX/pxelinux.0 && -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ]] ||
  die "pxelinux and syslinux-common are needed (scripts/setup.sh)"
busybox=$(command -v busybox)
file -b "$busybox" | grep -q 'statically linked' || die "$busybox is not static: install busybox-static"

# The newest installed kernel with its modules.
kver=""
for k in /boot/vmlinuz-*; do
  v=${k#/boot/vmlinuz-}
  [[ -d /lib/modules/$v ]] || continue
  if [[ -z "$kver" ]] || dpkg --compare-versions "$v" gt "$kver"; then kver=$v; fi
done
[[ -n "$kver" ]] || die "no kernel in /boot with modules in /lib/modules: scripts/setup.sh installs linux-image-amd64"
log "kernel $kver"

work=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-iso.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/initramfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,lib,lib64,proc,sys,dev,run,tmp,medium,reports,root}
mkdir -p "$root"/lifeboat/{manifests,keys}

# ---- busybox and /init --------------------------------------------------------
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
  [[ -e "$root/$applet" ]] || ln -s /bin/busybox "$root/$applet"
done
install -m 755 "$here/init" "$root/init"
install -m 755 "$here/udhcpc.script" "$root/etc/udhcpc.script"
ln -s /proc/mounts "$root/etc/mtab"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
printf 'export PS1="lifeboat# "\nexport TERMINFO_DIRS=/lib/terminfo:/usr/share/terminfo\n' >"$root/etc/profile"
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 666 "$root/dev/fuse" c 10 229

# ---- lifeboat, ntfs-3g, dislocker and their shared libraries ------------------
install -m 755 "$lifeboat" "$root/bin/lifeboat"
# copy_with_libs BIN...: each binary into /bin, every library ldd lists at its own path
copy_with_libs() {
  local bin lib
  for bin in "$@"; do
    install -m 755 "$bin" "$root/bin/$(basename "$bin")"
    for lib in $(ldd "$bin" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
      [[ -e "$root$lib" ]] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}
copy_with_libs "$(command -v ntfs-3g)" "$(command -v ntfsfix)"
if command -v dislocker-fuse >/dev/null; then
  copy_with_libs "$(command -v dislocker-fuse)"
  log "dislocker-fuse included (BitLocker)"
else
  log "dislocker-fuse not installed: no BitLocker unlock on the boot media"
fi

# The static lifeboat's iconv (hivex reads registry key names as LATIN1)
# loads glibc's gconv modules at run time, as a dynamic program would: the
# conversions glibc does not build in, with glibc's libc.so.6 (copied above).
# The directory is the one compiled into glibc (and so into the static binary).
gconv=$(strings "$lifeboat" | grep -m1 -E '^/[a-z0-9_/-]+/gconv$' || true)
[[ -n "$gconv" && -f $gconv/gconv-modules ]] || die "no glibc gconv modules in '$gconv' (package libc6)"
mkdir -p "$root$gconv"
cp -r "$gconv"/gconv-modules* "$gconv"/{ISO8859-1,UNICODE,UTF-16,UTF-32,UTF-7}.so "$root$gconv/"
# The modules' libc.so.6 needs the dynamic loader in the library directory
# too (where dlopen from a static program looks for it), not only in /lib64.
libdir=$(dirname "$(ldd "$(command -v ntfs-3g)" | awk '/libc.so.6/ {print $3}')")
[[ -e "$root$libdir/ld-linux-x86-64.so.2" ]] || ln -s /lib64/ld-linux-x86-64.so.2 "$root$libdir/ld-linux-x86-64.so.2"
# Host names in lifeboat.report= URLs: the static lifeboat's getaddrinfo loads
# glibc's NSS modules like the gconv ones; /etc/resolv.conf comes from DHCP.
for nss in libnss_files.so.2 libnss_dns.so.2; do
  [[ -f $libdir/$nss ]] && cp -L "$libdir/$nss" "$root$libdir/"
done
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost lifeboat\n' >"$root/etc/hosts"

# ---- kernel modules -------------------------------------------------------------
modules=(
  virtio_pci virtio_blk virtio_scsi virtio_net      # virtual machines
  ahci ata_piix sd_mod nvme                          # SATA/IDE, SCSI disks, NVMe
  xhci_pci ehci_pci ohci_pci uhci_hcd usb_storage uas usbhid hid_generic  # USB sticks, keyboards
  sr_mod cdrom isofs                                 # the ISO on a CD
  vfat nls_cp437 nls_iso8859_1 nls_ascii nls_utf8    # the LBREPORTS volume (Debian's default iocharset is ascii)
  fuse loop                                          # ntfs-3g, lifeboat's loop mounts of partitions
  e1000 e1000e                                       # PXE
)
: >"$work/load.list"
for m in "${modules[@]}"; do
  modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" {print $2}' >>"$work/load.list" ||
    die "module $m not found for kernel $kver"
done
mkdir -p "$root/lib/modules/$kver"
awk '!seen[$0]++' "$work/load.list" | while read -r ko; do
  mkdir -p "$root$(dirname "$ko")"
  cp "$ko" "$root$ko"
  echo "$ko"
done >"$root/lib/modules/load.list"
cp /lib/modules/"$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"
log "$(wc -l <"$root/lib/modules/load.list") kernel modules"

# ---- terminfo, manifests, keys ----------------------------------------------------
for t in l/linux v/vt100 x/xterm; do
  f=""
  for d in /lib/terminfo /usr/share/terminfo /etc/terminfo; do [[ -f $d/$t ]] && { f=$d/$t; break; }; done
  [[ -n "$f" ]] || die "terminfo entry $t missing (package ncurses-base)"
  mkdir -p "$root/lib/terminfo/${t%/*}"
  cp -L "$f" "$root/lib/terminfo/$t"
done
# Every shipped manifest that has a signature, and the trusted keys.
nman=0
for m in "$src"/manifests/*/*.lbm; do
  [[ -f "$m.sig" ]] || continue
  cp "$m" "$m.sig" "$root/lifeboat/manifests/"
  nman=$((nman + 1))
done
cp "$src"/manifests/keys/*.pub "$root/lifeboat/keys/"
log "$nman signed manifests, $(ls "$src"/manifests/keys/*.pub | wc -l) trusted keys"

# ---- initramfs ---------------------------------------------------------------------
mkdir -p "$out"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
  xz -T0 --check=crc32 --x86 --lzma2=preset=9 >"$work/initrd.img"
log "initramfs $(du -k "$work/initrd.img" | cut -f1) KiB (xz)"

# ---- ISO ---------------------------------------------------------------------------
iso=$out/tree
rm -rf "$iso"
mkdir -p "$iso/boot/grub" "$iso/lifeboat"
cp "/boot/vmlinuz-$kver" "$iso/boot/vmlinuz"
cp "$work/initrd.img" "$iso/boot/initrd.img"
cp -r "$root/lifeboat/manifests" "$root/lifeboat/keys" "$iso/lifeboat/"
mkdir -p "$iso/lifeboat/payload"
for p in "${payloads[@]}"; do cp "$p" "$iso/lifeboat/payload/"; done
cp "$here/grub.cfg" "$iso/boot/grub/grub.cfg"
cp "$here/lifeboat.cfg.example" "$iso/lifeboat/lifeboat.cfg.example"
[[ -z "$config" ]] || cp "$config" "$iso/lifeboat/lifeboat.cfg"
"$here/mkiso.sh" "$iso" "$out/lifeboat.iso"
cp "$work/initrd.img" "$out/initrd.img"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
log "ISO $out/lifeboat.iso: $(du -k "$out/lifeboat.iso" | cut -f1) KiB, ${#payloads[@]} payload packs"

# ---- PXE bundle ----------------------------------------------------------------------
mkdir -p "$pxe/pxelinux.cfg"
cp "/boot/vmlinuz-$kver" "$pxe/vmlinuz"
cp "$work/initrd.img" "$pxe/initrd.img"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$pxe/"
cp "$here/pxelinux.cfg" "$pxe/pxelinux.cfg/default"
cp "$here/boot.ipxe" "$pxe/boot.ipxe"
log "PXE bundle $pxe: $(ls "$pxe" | tr '\n' ' ')"
