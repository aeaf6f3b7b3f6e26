#!/usr/bin/env bash
# Repairs through a mount lifeboat makes itself: fix and undo --image on an
# NTFS disk image (loop device + ntfs3 or ntfs-3g), checked from outside with
# ntfscat; unmounted and loop device freed after every run, also after a
# refusal or failure; a read-only device refused; lifeboat mount. Needs root,
# loop devices and FUSE (or ntfs3); skips (77) with the reason otherwise.
source "$(dirname "$0")/lib.sh"
MK=${MKFIXTURE:-$SRC/build/tests/lifeboat_mkfixture}
why=""
[[ $(id -u) == 0 ]] || why="not root"
[[ -e /dev/loop-control ]] || why="${why:+$why, }no /dev/loop-control"
if ! grep -qw ntfs3 /proc/filesystems; then
  [[ -e /dev/fuse ]] || why="${why:+$why, }no ntfs3 driver and no /dev/fuse"
  command -v ntfs-3g >/dev/null || why="${why:+$why, }no ntfs3 driver and no ntfs-3g"
fi
if [[ -n "$why" ]]; then
  echo "skip: cannot mount NTFS here ($why); the user-space tests in windows_detect_test.sh still ran"
  exit 77
fi
MKFIXTURE=$MK "$SRC/tests/fixtures/make_windows_images.sh" "$T/img" >/dev/null
cd "$T/img"
MD=(--keys-dir "$SRC/manifests/keys" --manifest-dir "$SRC/manifests/demo")

# Nothing of ours may stay mounted or attached.
leftovers() {
  ! grep -q " /run/lifeboat/\| /tmp/mnt-" /proc/mounts || fail "a lifeboat mount was left: $(grep lifeboat /proc/mounts)"
  [[ -z "$(losetup -j "$1" 2>/dev/null)" ]] || fail "a loop device still holds $1: $(losetup -j "$1")"
}
# ntfs_sha IMAGE PATH: SHA-256 of a file inside the XP volume (partition at sector 63), read with ntfscat
ntfs_sha() {
  dd if="$1" of="$T/vol" bs=512 skip=63 status=none
  ntfscat -f "$T/vol" "$2" 2>/dev/null | sha256sum | cut -d' ' -f1
}
good_svchost=$(sha "xp/win/WINDOWS/system32/dllcache/svchost.exe")

cp xp.img disk.img
before=$(sha disk.img)
run 1 "$LB" fix "${MD[@]}" --image disk.img -s xp/payload.tar.gz -s xp/win/WINDOWS/system32/dllcache --yes \
  --json "$T/f.json"
assert_eq "$(jqr "$T/f.json" '.summary.restored')" "3" "restored"
assert_contains "$T/out" "mounted read-write at"
jq_true "$T/f.json" '[.notes[] | select(test("mounted read-write at /"))] | length == 1'
assert_contains "$T/out" "Undo with: lifeboat undo --image $T/img/disk.img --partition 1 --run"
leftovers disk.img
assert_eq "$(ntfs_sha disk.img /WINDOWS/system32/svchost.exe)" "$good_svchost" "svchost.exe on the volume, read by ntfscat"
run 0 "$LB" scan "${MD[@]}" --image disk.img
pass "fix --image: the XP volume mounted read-write by lifeboat, 3 files restored, svchost.exe verified with ntfscat, unmounted"

# No --source at all: the volume's own dllcache serves svchost.exe and kernel32.dll (tcpip.sys has no copy).
cp xp.img own.img
run 5 "$LB" fix "${MD[@]}" --image own.img --yes --json "$T/o.json"
assert_eq "$(jqr "$T/o.json" '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" "dllcache:svchost.exe" \
  "svchost.exe from the image's own dllcache"
assert_eq "$(ntfs_sha own.img /WINDOWS/system32/svchost.exe)" "$good_svchost" "svchost.exe on the volume, read by ntfscat"
leftovers own.img
pass "fix --image without --source: svchost.exe restored from the volume's own dllcache (planned in user space, copied through the mount)"

# The McAfee quarantine inside an NTFS volume image: read with libntfs-3g while
# planning, through the read-write mount while copying. No dllcache copy of svchost.exe.
rm -rf q && cp -a xp/win q && rm -f q/WINDOWS/system32/dllcache/svchost.exe && mkdir q/Quarantine
"$MK" quarantine bup q/Quarantine/5f3a9c.bup 'C:\WINDOWS\system32\svchost.exe' xp/win/WINDOWS/system32/dllcache/svchost.exe
# (libntfs-3g keeps one inode until exit: its leak, as in make_windows_images.sh)
truncate -s 24M q.img && mkntfs -q -F -Q -s 512 -L Q q.img >/dev/null 2>&1 &&
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$MK" ntfs-put q.img q
run 5 "$LB" fix --allow-unsigned --image q.img -m xp/xp-sp3-x86.sha256 --yes --json "$T/q.json"
assert_eq "$(jqr "$T/q.json" '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" \
  "McAfee quarantine:Quarantine/5f3a9c.bup, was C:/WINDOWS/system32/svchost.exe" "svchost.exe from the image's quarantine"
assert_eq "$(ntfscat -f q.img /WINDOWS/system32/svchost.exe 2>/dev/null | sha256sum | cut -d' ' -f1)" "$good_svchost" \
  "svchost.exe on the volume, read by ntfscat"
leftovers q.img
pass "fix --image without --source or dllcache: svchost.exe decoded from the volume's McAfee quarantine, verified with ntfscat"

# Nothing to repair: the volume is never mounted read-write, the image stays byte-identical.
before=$(sha disk.img)
run 0 "$LB" fix "${MD[@]}" --image disk.img -s xp/payload.tar.gz --yes
grep -q "mounted read-write" "$T/out" && fail "a healthy volume was mounted read-write"
assert_eq "$(sha disk.img)" "$before" "healthy image after fix"
pass "fix --image on a healthy volume: no read-write mount, image byte-identical"

run 0 "$LB" undo --image disk.img --json "$T/u.json"
assert_eq "$(jqr "$T/u.json" '.summary.reverted')" "3" "reverted"
leftovers disk.img
run 4 "$LB" scan "${MD[@]}" --image disk.img --json "$T/s.json"
assert_eq "$(jqr "$T/s.json" '[.summary.missing, .summary.corrupt] | join(" ")')" "1 2" "damage back after undo"
run 0 "$LB" undo --image disk.img --list
assert_contains "$T/out" "undone"
pass "undo --image: the run reverted through a new mount; --list reads the journal in user space"

# An error after the mount (a source that does not exist) still unmounts.
run 8 "$LB" fix "${MD[@]}" --image disk.img -s "$T/no-such-source" --yes
assert_contains "$T/err" "no-such-source"
leftovers disk.img

# Refusals leave nothing mounted; the image is unchanged.
before=$(sha vol-hibr.img)
run 8 "$LB" fix "${MD[@]}" --image vol-hibr.img --os "version=5.1 build=2600 sp=3 arch=x86" --yes
leftovers vol-hibr.img
assert_eq "$(sha vol-hibr.img)" "$before" "hibernated image unchanged"

# --discard-hibernation: ntfs-3g's remove_hiberfile, then the repair.
cp vol-hibr.img hib.img
mkdir -p src && head -c 20000 /dev/urandom >src/tcpip.sys
printf '%s  Windows/System32/drivers/tcpip.sys\n' "$(sha src/tcpip.sys)" >t.sha256
sign t.sha256
run 8 "$LB" fix "${K[@]}" --image hib.img -m t.sha256 -s src --yes
# A dry run with the override writes nothing either: the saved session survives.
before=$(sha hib.img)
run 4 "$LB" fix "${K[@]}" --image hib.img -m t.sha256 -s src --dry-run --discard-hibernation
assert_contains "$T/out" "copy in src:tcpip.sys"
assert_eq "$(sha hib.img)" "$before" "hibernated image after a dry run"
run 1 "$LB" fix "${K[@]}" --image hib.img -m t.sha256 -s src --yes --discard-hibernation --driver ntfs-3g
leftovers hib.img
assert_contains "$T/err" "--discard-hibernation: the hibernated Windows session on hib.img is discarded"
run 0 "$LB" detect --image hib.img --json "$T/d.json" -q
assert_eq "$(jqr "$T/d.json" '.volumes[0] | .hibernation + " " + (.writable | tostring)')" "none true" "after discarding"
pass "hibernated volume: refused, then --discard-hibernation removes the saved session (ntfs-3g) and the volume is writable"

# A read-only device: refused, with the way forward.
before=$(sha xp.img)
dev=$(losetup --read-only --find --show xp.img)
trap 'losetup -d "$dev" 2>/dev/null || true; rm -rf "$T"' EXIT
run 0 "$LB" detect --device "$dev" --json "$T/d.json" -q
assert_eq "$(jqr "$T/d.json" '.volumes[0] | (.read_only | tostring) + " " + (.writable | tostring)')" "true false" \
  "read-only loop device"
run 8 "$LB" fix "${MD[@]}" --device "$dev" -s xp/payload.tar.gz --yes
assert_contains "$T/err" "read-only: the device"
assert_contains "$T/err" "blockdev --setrw"
run 4 "$LB" scan "${MD[@]}" --device "$dev"
losetup -d "$dev"
assert_eq "$(sha xp.img)" "$before" "image behind the read-only device unchanged"
pass "read-only device: detect says so, fix refuses (exit 8, blockdev --setrw), scan works"

# An image on a read-only file system (a write-protected stick): the same refusal.
mkdir -p "$T/rofs"
mount -t tmpfs -o size=40m tmpfs "$T/rofs"
trap 'umount "$T/rofs" 2>/dev/null || true; rm -rf "$T"' EXIT
cp vol-clean.img "$T/rofs/"
mount -o remount,ro "$T/rofs"
run 8 "$LB" fix "${K[@]}" --image "$T/rofs/vol-clean.img" -m t.sha256 -s src --yes
assert_contains "$T/err" "read-only: the device, image or mount is read-only"
umount "$T/rofs"
pass "an image on a read-only file system: fix refuses with exit 8"

# lifeboat mount: read-only by default, stays mounted; a second writer is refused.
run 0 "$LB" mount --image disk.img
mp=$(cat "$T/out")
trap 'umount "$mp" 2>/dev/null || true; rm -rf "$T"' EXIT
assert_exists "$mp/WINDOWS/system32/kernel32.dll"
grep " $mp " /proc/mounts | grep -q " ro[ ,]" || fail "lifeboat mount without --rw is not read-only"
before=$(sha disk.img)
run 8 "$LB" fix "${MD[@]}" --image disk.img -s xp/payload.tar.gz --yes
assert_contains "$T/err" "mounted: /dev/loop"
umount "$mp" && rmdir "$mp"
leftovers disk.img
assert_eq "$(sha disk.img)" "$before" "image unchanged while mounted elsewhere"
pass "lifeboat mount: read-only, stays mounted; fix on the same image refused while it is mounted"

# Only mounts of the same volume block a repair: another partition of the disk mounted elsewhere does not.
cp win7.img w7.img
run 0 "$LB" mount --image w7.img --partition 1
mp=$(cat "$T/out")
run 1 "$LB" fix "${K[@]}" --image w7.img --partition 2 -m t.sha256 -s src --yes
umount "$mp" && rmdir "$mp"
run 0 "$LB" mount --image w7.img --partition 2
mp=$(cat "$T/out")
run 8 "$LB" fix "${K[@]}" --image w7.img --partition 2 -m t.sha256 -s src --yes
assert_contains "$T/err" "mounted: /dev/loop"
umount "$mp" && rmdir "$mp"
leftovers w7.img
# The same through a device: lifeboat's own loop device over /dev/loopN (with the partition's offset) counts.
dev=$(losetup --find --show w7.img)
trap 'umount "$mp" 2>/dev/null || true; losetup -d "$dev" 2>/dev/null || true; rm -rf "$T"' EXIT
run 0 "$LB" mount --device "$dev" --partition 2
mp=$(cat "$T/out")
run 8 "$LB" fix "${K[@]}" --device "$dev" --partition 2 -m t.sha256 -s src --yes
assert_contains "$T/err" "mounted: /dev/loop"
umount "$mp" && rmdir "$mp"
run 0 "$LB" fix "${K[@]}" --device "$dev" --partition 2 -m t.sha256 -s src --yes
losetup -d "$dev"
pass "a mount of another partition does not block a repair; a mount of the same volume does, also through a loop device over the disk"

# SIGTERM in the middle of a repair through lifeboat's own mount: the run stops cleanly, the volume is
# unmounted and the loop device freed; fix again completes, undo --all brings back the damaged state.
mkdir -p big/Windows/System32 bigsrc
for i in $(seq 1 300); do head -c $((200000 + i * 997)) /dev/urandom >"bigsrc/f$i.dll"; done
(cd bigsrc && for f in *.dll; do printf '%s  Windows/System32/%s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"; done) >big.sha256
sign big.sha256
echo "user data" >big/notes.txt
truncate -s 160M big.img
mkntfs -q -F -Q -s 512 big.img >/dev/null 2>&1
ASAN_OPTIONS=detect_leaks=0 "$MK" ntfs-put big.img big
"$LB" fix "${K[@]}" --image big.img -m big.sha256 -s bigsrc --yes >"$T/kill.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do grep -q " /run/lifeboat/mnt-" /proc/mounts && break; sleep 0.02; done
sleep 0.3
kill -TERM "$pid" 2>/dev/null || true
code=0
wait "$pid" || code=$?
# cancelled (32, OR-ed with 4 or 5 for what is left), or it had already finished (1)
(( (code & 32) || code == 1 )) || { cat "$T/kill.out" >&2; fail "fix after SIGTERM exited $code"; }
first=$code
leftovers big.img
echo "SIGTERM: fix exited $code"
run 0 "$LB" detect --image big.img --json "$T/d.json" -q
assert_eq "$(jqr "$T/d.json" '.volumes[0].writable')" "true" "volume after SIGTERM"
run $((first == 1 ? 0 : 1)) "$LB" fix "${K[@]}" --image big.img -m big.sha256 -s bigsrc --yes
run 0 "$LB" scan "${K[@]}" --image big.img -m big.sha256
leftovers big.img
run 0 "$LB" undo --image big.img --all
run 4 "$LB" scan "${K[@]}" --image big.img -m big.sha256 --json "$T/s.json"
assert_eq "$(jqr "$T/s.json" '.summary.missing')" "300" "all 300 missing again after undo --all"
leftovers big.img
pass "SIGTERM during fix --image: clean unmount, loop freed; fix again heals (300 files), undo --all restores the damage"
