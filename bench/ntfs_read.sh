#!/usr/bin/env bash
# How should lifeboat read an NTFS volume it was given as an image or device?
# Measures, on one NTFS image with a system32-like directory of thousands of
# files, `lifeboat scan` through:
#   user space  libntfs-3g inside lifeboat (--image): no loop device, FUSE or driver
#   ntfs-3g     a FUSE mount (lifeboat mount), then scan --target
#   ntfs3       the kernel driver, when this kernel has it
# and sha256sum -c on the same mount for reference. Page cache warm; hyperfine.
#   bench/ntfs_read.sh [FILES] [TOTAL_MIB]     (default 4000 files, 400 MiB)
# Needs root (mounting), hyperfine, and a built tree (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-4000}
total_mib=${2:-400}
LB=$PWD/build/lifeboat
MK=$PWD/build/tests/lifeboat_mkfixture
[[ -x $LB && -x $MK ]] || scripts/build.sh >/dev/null
command -v hyperfine >/dev/null || { echo "hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
w=$(mktemp -d /var/tmp/lifeboat-bench.XXXXXX)
mp=""
cleanup() {
  [[ -z "$mp" ]] || umount "$mp" 2>/dev/null || true
  [[ -z "$mp" ]] || rmdir "$mp" 2>/dev/null || true
  rm -rf "$w"
}
trap cleanup EXIT

# A skewed size mix: most files small, a few large (like system32), totalling ~TOTAL_MIB.
echo "making $files files (~$total_mib MiB) ..."
tree=$w/tree/Windows/System32
mkdir -p "$tree"
awk -v n="$files" -v total="$((total_mib * 1024 * 1024))" 'BEGIN {
  srand(42); sum = 0
  for (i = 0; i < n; i++) { r = rand(); s[i] = int(1024 + r * r * r * r * 4000000); sum += s[i] }
  for (i = 0; i < n; i++) printf "%d %d\n", i, int(s[i] * total / sum) + 1
}' | while read -r i size; do
  head -c "$size" /dev/urandom >"$tree/file$i.dll"
done
(cd "$w/tree" && find Windows -type f -print0 | xargs -0 sha256sum) >"$w/m.sha256"
# Manifest paths in another case than on disk: resolution must be case-insensitive.
sed -i 's|  Windows/System32/|  WINDOWS/system32/|' "$w/m.sha256"
img_mib=$((total_mib * 12 / 10 + 64))
truncate -s "${img_mib}M" "$w/vol.img"
mkntfs -q -F -Q -s 512 "$w/vol.img" >/dev/null 2>&1
"$MK" ntfs-put "$w/vol.img" "$w/tree"
echo "image: $(du -h --apparent-size "$w/vol.img" | cut -f1), $(wc -l <"$w/m.sha256") manifest entries"

cmds=(-n "user space (libntfs-3g)" "$LB scan --image $w/vol.img -m $w/m.sha256 -q")
mp=$("$LB" mount --image "$w/vol.img" 2>/dev/null)
driver=$(awk -v m="$mp" '$2 == m {print $3}' /proc/mounts)
cmds+=(-n "mounted ($driver)" "$LB scan --target $mp -m $w/m.sha256 -q")
sed 's|  WINDOWS/system32/|  Windows/System32/|' "$w/m.sha256" >"$w/exact.sha256"
cmds+=(-n "sha256sum -c on the mount ($driver)" "cd $mp && sha256sum -c --quiet $w/exact.sha256")
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
hyperfine --warmup 1 --runs 5 --export-markdown "$w/result.md" "${cmds[@]}"
echo
cat "$w/result.md"
if [[ -w /proc/sys/vm/drop_caches ]]; then
  echo
  echo "cold cache (page cache dropped before each run):"
  hyperfine --runs 3 --prepare 'sync; echo 3 >/proc/sys/vm/drop_caches' --export-markdown "$w/cold.md" \
    "${cmds[@]:0:6}" >/dev/null 2>&1
  cat "$w/cold.md"
fi
echo
echo "mount + unmount cost:"
umount "$mp" && rmdir "$mp" && mp=""
hyperfine --runs 5 "p=\$($LB mount --image $w/vol.img 2>/dev/null) && umount \$p && rmdir \$p" 2>&1 | grep -E "Time|Range"
