#!/usr/bin/env bash
# Rebuilds the shipped demo manifests in manifests/ from the fixture
# generators, and signs them with a fresh demo key whose secret half is
# destroyed right after signing (only manifests/keys/lifeboat-demo.pub is
# kept). Run it only when a fixture generator changes; commit the results.
#   scripts/make_demo_manifests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
lb=build/lifeboat
[[ -x $lb ]] || scripts/build.sh
export SOURCE_DATE_EPOCH=1795910400  # 2026-11-29T00:00:00Z: reproducible "created" lines
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p manifests/demo manifests/examples manifests/keys

tests/fixtures/make_xp_tree.sh "$work/xp" --healthy >/dev/null
"$lb" manifest build --from "$work/xp/win" -o manifests/demo/xp-sp3-x86.lbm --name xp-sp3-x86-demo \
  --description "Windows XP Professional SP3 x86: synthetic demo system files (tests/fixtures/make_xp_tree.sh)" \
  --os "family=windows version=5.1 build=2600 sp=3 arch=x86" >/dev/null

tests/fixtures/make_channel_file_tree.sh "$work/cs" >/dev/null
drivers="$work/cs/win/Windows/System32/drivers/CrowdStrike"
bad=$(sha256sum "$drivers/C-00000291-00000000-00000032.sys" | cut -d' ' -f1)
size=$(stat -c %s "$drivers/C-00000291-00000000-00000032.sys")
{
  echo "lifeboat-manifest 1"
  echo "name crowdstrike-channel-291-demo"
  echo "description Remove the faulty channel file 291 (CrowdStrike, 19 July 2024): synthetic demo hash"
  echo "created $(date -u -d @"$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
  echo "os family=windows version=10.0"
  echo "# A forbid rule: any file matching the pattern whose SHA-256 is the known-bad one is moved"
  echo "# into lifeboat's backup (undo brings it back); other versions of the channel file are left"
  echo "# alone and reported. This demo lists the hash of the synthetic file that"
  echo "# tests/fixtures/make_channel_file_tree.sh writes; a real rule lists the hash from the"
  echo "# vendor's advisory."
  echo "forbid $bad $size Windows/System32/drivers/CrowdStrike/C-00000291*.sys | name=CrowdStrike-C-00000291-2024-07-19-0409"
  echo "end 1"
} >manifests/examples/crowdstrike-channel-291.lbm

"$lb" manifest keygen -p "$work/lifeboat-demo.pub" -s "$work/lifeboat-demo.sec" \
  -c "lifeboat DEMO key (secret destroyed; never trust it for real repairs)" >/dev/null
for m in manifests/demo/xp-sp3-x86.lbm manifests/examples/crowdstrike-channel-291.lbm; do
  "$lb" manifest sign -s "$work/lifeboat-demo.sec" -m "$m"
done
cp "$work/lifeboat-demo.pub" manifests/keys/lifeboat-demo.pub
shred -u "$work/lifeboat-demo.sec" 2>/dev/null || rm -f "$work/lifeboat-demo.sec"
echo "demo manifests rebuilt and signed; key $(sed -n 2p manifests/keys/lifeboat-demo.pub)"
