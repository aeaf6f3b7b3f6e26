#!/usr/bin/env bash
# Disk full on the target in the middle of a 150-file fix, at several fill
# levels (so the space runs out early, midway and near the end): exit 8 with a
# clear error, no temp files left, every file its old or its new content.
# Then, with space freed, `fix` again heals the tree, and `undo --all` gives
# back the damaged tree byte for byte. The copies written before the space ran
# out are kept (put in place), not thrown away with the rest of their batch,
# so even the smallest fill level repairs something, and a known-bad driver (a
# forbid rule) is moved aside before any restore, so a full volume never keeps
# it. Needs root and mount(8) (a small tmpfs); skips (77) elsewhere.
source "$(dirname "$0")/../e2e/lib.sh"
mnt=$T/mnt
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null || true; rm -rf "$T"' EXIT
if ! mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null; then
  echo "skip: cannot mount here (not root or no mount permission)"
  exit 77
fi
umount "$mnt"

# 200 files of 64 KiB; the damaged tree lacks 100 and has 50 corrupt.
N=200
mkdir -p healthy/WINDOWS/system32 src1 src2 src3 src4 src5
head -c $((N * 65536)) /dev/urandom >blob
split -b 65536 -a 3 -d --additional-suffix=.dll blob healthy/WINDOWS/system32/f
# The good copies in five source folders: fix writes one batch per source, so
# the disk can fill after some batches are in place, and within a batch.
split -b 65536 -a 3 -d --additional-suffix=.bin blob copy
for i in $(seq 0 $((N - 1))); do mv "$(printf 'copy%03d.bin' "$i")" "src$((i % 5 + 1))/"; done
rm blob
S=(-s src1 -s src2 -s src3 -s src4 -s src5)
(cd healthy && find WINDOWS -type f | LC_ALL=C sort | xargs sha256sum) >m.sha256
# The same files as a native manifest, plus a forbid rule for a known-bad driver planted in the damaged tree.
bad_sys=WINDOWS/system32/drivers/bad.sys
printf 'BAD CHANNEL FILE %.0s' {1..64} >bad.sys
{
  printf 'lifeboat-manifest 1\nname disk-full\n'
  awk '{print "require", $1, 65536, $2}' m.sha256
  printf 'forbid %s %s WINDOWS/system32/drivers/*.sys\n' "$(sha bad.sys)" "$(stat -c %s bad.sys)"
  printf 'end %s\n' $(($(wc -l <m.sha256) + 1))
} >m.lbm
sign m.lbm
cp -a healthy damaged
mkdir -p damaged/WINDOWS/system32/drivers
cp bad.sys "damaged/$bad_sys"
ls damaged/WINDOWS/system32/*.dll | awk 'NR % 2 == 1' | xargs rm
for f in $(ls damaged/WINDOWS/system32/*.dll | awk 'NR % 2 == 1'); do
  printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
done
(cd damaged && sha256sum WINDOWS/system32/*.dll) | awk '{print $2, $1}' | sort >old.list
awk '{print $2, $1}' m.sha256 | sort >new.list
damaged_kb=$(du -sk damaged | cut -f1)
repaired_counts=()

# The fix needs ~6.4 MB for restores and ~3.2 MB for replacements (backups are
# hard links to the old files), ~2 MB per source: give it 1, 3 and 7 MB beyond
# the damaged tree (full in the first, second and fourth batch).
for extra_kb in 1024 3072 7168; do
  mount -t tmpfs -o size=$((damaged_kb + extra_kb))k tmpfs "$mnt"
  cp -a damaged/. "$mnt/"
  damaged_state=$(state "$mnt")
  code=0
  "$LB" fix "${K[@]}" -t "$mnt" -m m.lbm "${S[@]}" --yes --json full.json >out 2>err || code=$?
  ((code & 8)) || { cat err; fail "+${extra_kb} KiB: exit $code lacks 8 (operational error)"; }
  assert_contains full.json "No space left on device"
  assert_contains full.json "the volume is full"
  [[ -z "$(find "$mnt" -path "$mnt/lifeboat" -prune -o -name '*.lifeboat-tmp' -print)" ]] ||
    fail "+${extra_kb} KiB: temp files left on the full volume"
  (cd "$mnt" && sha256sum WINDOWS/system32/*.dll) | awk '{print $2, $1}' | sort >now.list
  bad=$(join -a 1 -e NONE -o 1.1,1.2,2.2 now.list old.list | join -a 1 -e NONE -o 1.1,1.2,1.3,2.2 - new.list |
        awk '$2 != $3 && $2 != $4' | head -n 3)
  [[ -z "$bad" ]] || fail "+${extra_kb} KiB: files that are neither old nor new: $bad"
  repaired=$(jqr full.json '[.files[] | select(.state == "restored")] | length')
  # The known-bad driver went first: out of place, in the backup, whatever the fill level.
  [[ ! -e "$mnt/$bad_sys" ]] || fail "+${extra_kb} KiB: the known-bad driver is still in place on the full volume"
  assert_eq "$(sha "$mnt/lifeboat/backup/$(jqr full.json .run_id)/$bad_sys")" "$(sha bad.sys)" "the known-bad driver's backup"
  assert_eq "$(jqr full.json "[.files[] | select(.path == \"$bad_sys\")][0].state")" "removed"

  # Space freed: fix again heals, undo of both runs restores the damaged tree.
  mount -o remount,size=64m "$mnt"
  run 1 "$LB" fix "${K[@]}" -t "$mnt" -m m.lbm "${S[@]}" --yes -q
  run 0 "$LB" scan -t "$mnt" -m m.lbm -q
  [[ -z "$(find "$mnt" -path "$mnt/lifeboat" -prune -o -name '*.lifeboat-tmp' -print)" ]] || fail "temp files after the second fix"
  run 0 "$LB" undo -t "$mnt" --all -q
  assert_eq "$(state "$mnt")" "$damaged_state" "tree after undo --all (+${extra_kb} KiB)"
  umount "$mnt"
  echo "  +${extra_kb} KiB free: exit $code, $repaired of 150 repaired before the disk filled; healed, undone"
  repaired_counts+=("$repaired")
done
# Each level filled mid-run (some repaired, not all), more space repaired more,
# and the first level, which fills inside the first batch, still kept what it
# had written (a whole batch used to be dropped: 0, 30 and 90 here).
((repaired_counts[0] > 0 && repaired_counts[0] < repaired_counts[1] &&
  repaired_counts[1] < repaired_counts[2] && repaired_counts[2] < 150)) ||
  fail "expected 0 < first < second < third < 150 repaired before the disk filled, got ${repaired_counts[*]}"
pass "disk full mid-fix at three fill levels (${repaired_counts[*]} of 150 kept): exit 8, clear error, no temps, old or new; fix again heals, undo restores"
