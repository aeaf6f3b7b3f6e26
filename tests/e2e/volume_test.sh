#!/usr/bin/env bash
# The volume itself misbehaves: mounted read-only (fix refuses, exit 8, hint,
# nothing written) and full mid-run (exit 8 with a hint, no temp files, every
# file old or new). Needs root and mount(8); skips (77) where mounting is not
# allowed.
source "$(dirname "$0")/lib.sh"
mnt=$T/mnt
mkdir -p "$mnt"
cleanup_mounts() { umount "$mnt" 2>/dev/null || true; }
trap 'cleanup_mounts; rm -rf "$T"' EXIT
if ! mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null; then
  echo "skip: cannot mount here (not root or no mount permission)"
  exit 77
fi
umount "$mnt"

# Read-only: a read-only bind mount of the damaged tree.
make_xp
M=$T/fx/xp-sp3-x86.sha256
before=$(state "$T/fx/win")
mount --bind "$T/fx/win" "$mnt" && mount -o remount,bind,ro "$mnt"
run 8 "$LB" fix "${K[@]}" -t "$mnt" -m "$M" -s "$T/fx/win/WINDOWS/system32/dllcache" --yes
assert_contains "$T/err" "mount it read-write"
run 4 "$LB" scan -t "$mnt" -m "$M"
umount "$mnt"
assert_eq "$(state "$T/fx/win")" "$before" "tree after the read-only attempt"
assert_missing "$T/fx/win/lifeboat"
pass "read-only volume: fix refuses with a hint (exit 8), scan works, nothing written"

# Disk full: a 2.5 MB volume holding a corrupt 1.5 MB file and a missing one.
mount -t tmpfs -o size=2500k tmpfs "$mnt"
[[ "$(stat -f -c %T "$mnt")" == tmpfs ]] || fail "disk full: $mnt is not the 2.5 MB tmpfs just mounted"
mkdir -p "$mnt/WINDOWS" src
head -c 1500000 /dev/urandom >src/big.bin
head -c 300000 /dev/urandom >src/small.bin
cp src/big.bin "$mnt/WINDOWS/big.dll"
{ (cd "$mnt" && sha256sum WINDOWS/big.dll); (cd src && sha256sum small.bin) | sed 's|small.bin|WINDOWS/small.dll|'; } >full.sha256
sign full.sha256
printf 'X' | dd of="$mnt/WINDOWS/big.dll" bs=1 seek=5 conv=notrunc status=none
corrupt=$(sha "$mnt/WINDOWS/big.dll")
code=0
"$LB" fix "${K[@]}" -t "$mnt" -m full.sha256 -s src --yes --json full.json >out 2>err || code=$?
# (Seen once under ctest -j2, not reproduced since: exit 1, as if the volume had room. Say what it was.)
((code & 8)) || { cat err; df -k "$mnt"; findmnt "$mnt" || true; ls -la "$mnt" "$mnt/WINDOWS"; fail "disk full: exit $code lacks 8"; }
assert_contains full.json "No space left on device"
assert_contains full.json "the volume is full"
[[ -z "$(find "$mnt" -name '*.lifeboat-tmp')" ]] || fail "temp files left on the full volume"
got=$(sha "$mnt/WINDOWS/big.dll")
[[ "$got" == "$corrupt" || "$got" == "$(sha src/big.bin)" ]] || fail "big.dll is neither old nor new"
if [[ -e "$mnt/WINDOWS/small.dll" ]]; then assert_eq "$(sha "$mnt/WINDOWS/small.dll")" "$(sha src/small.bin)"; fi
pass "disk full mid-run: exit $code, clear error, no temp files, files old or new"
