#!/usr/bin/env bash
# The Quick start demo: installs what is needed, builds lifeboat, makes a
# damaged Windows-XP-like tree in ./demo and repairs it, showing the scan
# before and after, then how to undo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
rm -rf demo
tests/fixtures/make_xp_tree.sh demo >/dev/null
lb=build/lifeboat
# The shipped, signed demo manifest and the demo key that signed it.
m=manifests/demo/xp-sp3-x86.lbm
key=manifests/keys/lifeboat-demo.pub

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

cat <<TXT

The demo tree (./demo/win) is a Windows XP SP3 system folder after a bad
antivirus update: svchost.exe deleted, kernel32.dll corrupted, tcpip.sys
truncated. Good copies: system32/dllcache on the volume itself, and a payload
archive (demo/payload.tar.gz) that also holds a same-sized decoy svchost.exe.
TXT

step "Before: scan against the signed known-good manifest" \
  "$lb scan --target demo/win --manifest $m --trusted-key $key"
"$lb" scan --target demo/win --manifest "$m" --trusted-key "$key" || true

step "Repair from the payload archive and the volume's own dllcache" \
  "$lb fix --target demo/win --manifest $m --trusted-key $key --source demo/payload.tar.gz --source demo/win/WINDOWS/system32/dllcache --yes"
"$lb" fix --target demo/win --manifest "$m" --trusted-key "$key" \
  --source demo/payload.tar.gz --source demo/win/WINDOWS/system32/dllcache --yes --json demo/fix-report.json || true

step "After: scan again" "$lb scan --target demo/win --manifest $m --trusted-key $key"
"$lb" scan --target demo/win --manifest "$m" --trusted-key "$key" || true

cat <<TXT

The same installation as a disk image (demo/images/xp.img: MBR, NTFS at
sector 63, registry hives saying Windows XP SP3 x86): lifeboat finds the
Windows partition, reads its version from the hives, picks the manifest for
it from a directory, and scans the volume in user space (nothing mounted).
TXT
MKFIXTURE=build/tests/lifeboat_mkfixture tests/fixtures/make_windows_images.sh demo/images >/dev/null
step "Detect the volumes and the Windows on them" "$lb detect --image demo/images/xp.img"
"$lb" detect --image demo/images/xp.img || true
step "Scan the image; the manifest is chosen for the detected Windows" \
  "$lb scan --image demo/images/xp.img --manifest-dir manifests/demo --trusted-key $key"
"$lb" scan --image demo/images/xp.img --manifest-dir manifests/demo --trusted-key "$key" || true

cat <<TXT

The JSON report is in demo/fix-report.json. To put the tree back exactly as it
was before the repair:  $lb undo --target demo/win
TXT
