# Shared by the qemu boot tests (tests/boot/*_test.sh): the skip checks, the
# boot media (built once per build tree by media, cached under build/iso and
# build/pxe and rebuilt only when an input is newer), the damaged XP disk
# image, a FAT reports volume, and qemu (TCG, under timeout, no network
# unless the test gives a restricted one) with its console kept in a log that
# is printed when a check fails.
set -euo pipefail

SRC=${LIFEBOAT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LB=${LIFEBOAT:-$SRC/build/lifeboat}
MK=${MKFIXTURE:-$(dirname "$LB")/tests/lifeboat_mkfixture}
skip() { echo "skip: $*"; exit 77; }
[[ -x "$LB" ]] || { echo "no lifeboat binary at $LB (build first)" >&2; exit 1; }
BUILD=$(cd "$(dirname "$LB")" && pwd)
ISO=$BUILD/iso/lifeboat.iso
PXE=$BUILD/pxe

# ---- can this machine run the boot tests? ---------------------------------------
[[ $(id -u) == 0 ]] || skip "not root (the initramfs needs device nodes)"
file -b "$LB" | grep -q 'statically linked' || skip "$LB is not static; the boot media need the static build"
missing=()
for n in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio modprobe:kmod grub-mkrescue:grub-common \
         xorriso:xorriso mcopy:mtools ntfscat:ntfs-3g mkfs.fat:dosfstools jq:jq timeout:coreutils; do
  command -v "${n%%:*}" >/dev/null || [[ -x /sbin/${n%%:*} ]] || missing+=("${n#*:}")
done
[[ -d /usr/lib/grub/i386-pc ]] || missing+=(grub-pc-bin)
[[ -d /usr/lib/grub/x86_64-efi ]] || missing+=(grub-efi-amd64-bin)
[[ -f /usr/lib/PXELINUX/pxelinux.0 ]] || missing+=(pxelinux)
[[ -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ]] || missing+=(syslinux-common)
compgen -G "/boot/vmlinuz-*" >/dev/null || missing+=(linux-image-amd64)
((${#missing[@]} == 0)) || skip "missing packages: ${missing[*]} (scripts/setup.sh installs them)"
[[ -x "$MK" ]] || { echo "lifeboat_mkfixture not built ($MK)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-boot.XXXXXX")
cleanup_hooks=()
cleanup() {
  local h
  for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$T"
}
trap cleanup EXIT
CONSOLE=$T/console.log

fail() {
  if [[ -s "$CONSOLE" ]]; then
    echo "--- console (last 60 lines of $CONSOLE)" >&2
    tail -n 60 "$CONSOLE" | tr -d '\r' >&2
  fi
  echo "FAIL: $*" >&2
  exit 1
}
pass() { echo "ok - $*"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
jqr() { jq -r "$2" "$1" || fail "jq '$2' failed on $1"; }

# media: build/iso/lifeboat.iso and build/pxe, rebuilt when build/lifeboat or
# anything under iso/ or manifests/ is newer. A lock keeps parallel tests from
# building twice, or from rebuilding what another test is booting.
media() {
  mkdir -p "$BUILD/iso"
  exec 9>"$BUILD/iso/.lock"
  flock 9
  if [[ -f "$ISO" && -f "$PXE/initrd.img" ]] &&
     [[ -d "$BUILD/iso/tree" ]] && [[ -z "$(find "$LB" "$SRC/iso" "$SRC/manifests" -newer "$ISO" -print -quit)" ]]; then
    echo "boot media: reusing $ISO"
  else
    local t0=$SECONDS
    "$SRC/iso/build.sh" --lifeboat "$LB" --pxe "$PXE" "$BUILD/iso" >"$T/media.log" 2>&1 ||
      { cat "$T/media.log" >&2; fail "iso/build.sh failed"; }
    echo "boot media: built in $((SECONDS - t0)) s"
  fi
  # Held (shared) until this test ends: a test that finds the media stale waits
  # with its rebuild until no test still uses them.
  flock -s 9
  echo "boot media: ISO $(stat -c %s "$ISO") bytes ($(( $(stat -c %s "$ISO") / 1048576 )) MiB), initramfs $(stat -c %s "$PXE/initrd.img") bytes"
}

# xp_disk: $T/img/xp.img (MBR, the damaged XP volume at sector 63), and
# GOOD_SVCHOST, the SHA-256 of the dllcache copy
xp_disk() {
  MKFIXTURE=$MK "$SRC/tests/fixtures/make_windows_images.sh" "$T/img" >/dev/null
  GOOD_SVCHOST=$(sha "$T/img/xp/win/WINDOWS/system32/dllcache/svchost.exe")
  GOOD_TCPIP=$(awk '$2 == "WINDOWS/system32/drivers/tcpip.sys" {print $1}' "$T/img/xp/xp-sp3-x86.sha256")
}

# ntfs_sha IMAGE PATH: SHA-256 of a file inside the XP volume (partition at sector 63)
ntfs_sha() {
  dd if="$1" of="$T/vol" bs=512 skip=63 status=none
  ntfscat -f "$T/vol" "$2" 2>/dev/null | sha256sum | cut -d' ' -f1
}

# reports_volume IMG: a 32 MiB FAT volume labelled LBREPORTS
reports_volume() {
  rm -f "$1"
  mkfs.fat -n LBREPORTS -C "$1" $((32 * 1024)) >/dev/null
}

# boot SECONDS QEMU-ARGS...: qemu TCG with 512 MiB, no display, no reboot,
# the serial console in $CONSOLE, no network unless given; BOOT_SECONDS is
# the wall time from start to exit. Fails when qemu does not stop in time.
boot() {
  local limit=$1
  shift
  local net=(-nic none)
  [[ " $* " == *" -netdev "* ]] && net=()
  local t0 rc=0
  t0=$(date +%s.%N)
  timeout --kill-after=5 "$limit" qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot \
    -serial mon:stdio "${net[@]}" "$@" </dev/null >"$CONSOLE" 2>&1 || rc=$?
  BOOT_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  [[ $rc != 124 && $rc != 137 ]] || fail "qemu did not power off within $limit s"
  [[ $rc == 0 ]] || fail "qemu exited with $rc"
}

# boot_until TEXT SECONDS QEMU-ARGS...: qemu as boot does, stopped (by its
# pid) as soon as the console shows TEXT; fails if it does not within SECONDS
boot_until() {
  local text=$1 limit=$2 pid i
  shift 2
  timeout --kill-after=5 "$limit" qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot \
    -serial mon:stdio -nic none "$@" </dev/null >"$CONSOLE" 2>&1 &
  pid=$!
  for ((i = 0; i < limit * 2; i++)); do
    tr -d '\r' <"$CONSOLE" | grep -qF -- "$text" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  console_has "$text"
}

# console_has TEXT: the console log holds TEXT
console_has() { tr -d '\r' <"$CONSOLE" | grep -qF -- "$1" || fail "the console does not show '$1'"; }

# test_iso: $T/test.iso, a remastered copy of the shipped ISO (the same tree,
# kernel and initramfs, plus /lifeboat/lifeboat.cfg selecting the serial
# auto-repair-then-power-off entry and a payload pack holding tcpip.sys)
test_iso() {
  # exit 4: the pack holds only what payload.tar.gz has (tcpip.sys), as intended
  local rc=0
  "$LB" pack build -q -m "$SRC/manifests/demo/xp-sp3-x86.lbm" --from "$T/img/xp/payload.tar.gz" -o "$T/xp.lbpack" || rc=$?
  [[ $rc == 0 || $rc == 4 ]] || fail "pack build failed (exit $rc)"
  printf 'set default=serial-auto-poweroff\nset timeout=1\n' >"$T/lifeboat.cfg"
  cp -a "$BUILD/iso/tree" "$T/tree"
  cp "$T/lifeboat.cfg" "$T/tree/lifeboat/lifeboat.cfg"
  cp "$T/xp.lbpack" "$T/tree/lifeboat/payload/xp.lbpack"
  "$SRC/iso/mkiso.sh" "$T/tree" "$T/test.iso" || fail "iso/mkiso.sh could not make the test ISO"
}

# check_repair NAME MEDIUM-DEVICE REPORTS-IMAGE [OFFSET-SECTORS]: after an
# auto-repair boot from the ISO: the console, the disk checked from outside
# with ntfscat, the report on the reports volume (mtools + jq)
check_repair() {
  local fw=$1 medium=$2 rimg=$3 off=${4:-0}
  console_has "lifeboat: boot medium $medium mounted read-only at /medium"
  console_has "lifeboat: reports volume LBREPORTS"
  console_has "lifeboat: lifeboat auto exit status 1: repaired"
  console_has "lifeboat: powering off"
  pass "$fw: booted, found its medium and the LBREPORTS volume, lifeboat auto repaired and powered off"

  [[ "$(ntfs_sha "$T/disk.img" /WINDOWS/system32/svchost.exe)" == "$GOOD_SVCHOST" ]] ||
    fail "svchost.exe on the disk does not have the dllcache copy's SHA-256"
  [[ "$(ntfs_sha "$T/disk.img" /WINDOWS/system32/drivers/tcpip.sys)" == "$GOOD_TCPIP" ]] ||
    fail "tcpip.sys on the disk was not restored from the pack on the medium"
  pass "$fw: svchost.exe (dllcache) and tcpip.sys (payload pack on the medium) restored, checked with ntfscat"

  rm -rf "$T/reports" && mkdir -p "$T/reports"
  MTOOLS_SKIP_CHECK=1 mcopy -n -i "$rimg@@$((off * 512))" '::/*' "$T/reports/" || fail "no files on the reports volume"
  local json
  json=$(ls "$T"/reports/*.json 2>/dev/null | head -1)
  [[ -n "$json" ]] || fail "no JSON report on the reports volume ($(ls "$T/reports"))"
  ls "$T"/reports/*.txt >/dev/null 2>&1 || fail "no text report on the reports volume"
  [[ "$(jqr "$json" '[.. | objects | select(.path? == "WINDOWS/system32/svchost.exe")] | length > 0')" == true ]] ||
    fail "the report does not mention svchost.exe"
  [[ "$(jqr "$json" '.schema')" == lifeboat.auto/1 ]] || fail "the report is not a lifeboat.auto/1 report"
  [[ "$(jqr "$json" '[.volumes[] | .report.summary.restored // 0] | add')" == 3 ]] ||
    fail "the report does not say 3 files were restored on the repaired volume"
  pass "$fw: report $(basename "$json") and its .txt on the LBREPORTS volume, 3 restored"
}

# iso_repair FIRMWARE QEMU-ARGS...: boots the test ISO as a CD with the
# damaged XP disk and a separate reports disk, then check_repair.
iso_repair() {
  local fw=$1
  shift
  media
  xp_disk
  test_iso
  cp "$T/img/xp.img" "$T/disk.img"
  reports_volume "$T/reports.img"
  boot 170 -boot d -cdrom "$T/test.iso" "$@" \
    -drive file="$T/disk.img",format=raw,if=virtio -drive file="$T/reports.img",format=raw,if=virtio
  check_repair "$fw" /dev/sr0 "$T/reports.img"
  echo "boot time: $fw ISO (CD), qemu start to power off: $BOOT_SECONDS s (TCG); ISO $(stat -c %s "$ISO") bytes"
}
