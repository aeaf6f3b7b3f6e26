#!/usr/bin/env bash
# Runs every libFuzzer target under ASan/UBSan for a while (not part of the
# test command). Seeds come from the fixture scripts; crashes are saved in
# build-fuzz/crashes/<target>/ and must become regression tests.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#   TARGETS=manifest_fuzz scripts/fuzz.sh 300  (one target, five minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
scripts/setup.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
out=build-fuzz/corpus
mkdir -p "$out"

# Seed corpora from real tools' output.
seed=$(mktemp -d)
trap 'rm -rf "$seed"' EXIT
tests/fixtures/make_xp_tree.sh "$seed/fx" --healthy >/dev/null
mkdir -p "$out/manifest_fuzz" "$out/journal_fuzz" "$out/import_fuzz"
{ printf '\001'; cat "$seed/fx/xp-sp3-x86.sha256"; } >"$out/manifest_fuzz/seed-sha256sum"
(cd "$seed/fx/win" && bsdtar --format=mtree --options '!all,type,size,sha256' -cf "$seed/m.mtree" WINDOWS)
{ printf '\002'; cat "$seed/m.mtree"; } >"$out/manifest_fuzz/seed-mtree"
build/lifeboat fix --allow-unsigned -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -s "$seed/fx/win" --yes -q || true
rm -f "$seed/fx/win/WINDOWS/system32/svchost.exe"
build/lifeboat fix --allow-unsigned -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -s "$seed/fx/win/WINDOWS/system32/dllcache" --yes -q || true
build/lifeboat undo -t "$seed/fx/win" -q || true
cp "$seed"/fx/win/lifeboat/journal/*.log "$out/journal_fuzz/" 2>/dev/null || true
{ printf '\003'; cat manifests/demo/xp-sp3-x86.lbm; } >"$out/manifest_fuzz/seed-native"
{ printf '\003'; cat manifests/examples/crowdstrike-channel-291.lbm; } >"$out/manifest_fuzz/seed-native-forbid"
(cd "$seed/fx/win" && hashdeep -c md5,sha256 -r -l WINDOWS) >"$seed/h.txt"
{ printf '\000'; cat "$seed/h.txt"; } >"$out/import_fuzz/seed-hashdeep"
printf '\001{"%064d":{"fileInfo":{"size":5,"machineType":34404,"version":"10.0.1"},"windowsVersions":{"22H2":{"KB1":{"updateInfo":{"releaseVersion":"19045.100"}}}}}}' 1 >"$out/import_fuzz/seed-winbindex"
{ printf '\002'; cat manifests/keys/lifeboat-demo.pub; } >"$out/import_fuzz/seed-pub"
{ printf '\004'; cat manifests/demo/xp-sp3-x86.lbm.sig; } >"$out/import_fuzz/seed-sig"

# Windows volumes: hives, PE kernels, and the first 64 KiB of MBR/GPT disk images.
mk=build/tests/lifeboat_mkfixture
[[ -x $mk ]] || scripts/build.sh >/dev/null
MKFIXTURE=$mk tests/fixtures/make_windows_images.sh "$seed/img" >/dev/null
mkdir -p "$out/hive_fuzz" "$out/disk_fuzz" "$out/pe_fuzz"
cv='Microsoft\Windows NT\CurrentVersion'
printf '%s\tProductName\tsz\tWindows 10 Pro\n%s\tUBR\tdword\t2314\n' "$cv" "$cv" | "$mk" hive "$out/hive_fuzz/seed-software"
printf 'Select\tCurrent\tdword\t1\nControlSet001\\Control\\Session Manager\\Environment\tPROCESSOR_ARCHITECTURE\tsz\tAMD64\n' |
  "$mk" hive "$out/hive_fuzz/seed-system" --dirty
for img in xp win7 win11 bitlocker win7-hibernated; do
  head -c 65536 "$seed/img/$img.img" >"$out/disk_fuzz/seed-$img"
done
head -c 8192 "$seed/img/vol-clean.img" >"$out/disk_fuzz/seed-superfloppy"
"$mk" bitlocker "$out/disk_fuzz/seed-bitlocker" 1 5E5C1C2A-7D41-4B6E-9A3F-0C2B8D9E1F07 9BF4D9A4-A30E-4A6A-9F7D-2C1D2B1E0F00
for arch in x86 x64 arm64; do "$mk" pe "$out/pe_fuzz/seed-$arch" "$arch" 10.0.26100.2314; done
# Cabinets as install media ship them (gcab: MSZIP and stored).
mkdir -p "$out/cab_fuzz" "$seed/cab"
printf 'MZ\x90\x00 a small system file' >"$seed/cab/svchost.exe"
head -c 3000 /dev/urandom >"$seed/cab/tcpip.sys"
cabs=$PWD/$out/cab_fuzz
(cd "$seed/cab" && gcab -c -z "$cabs/seed-mszip.EX_" svchost.exe && gcab -c "$cabs/seed-stored.CAB" svchost.exe tcpip.sys)

# Quarantine files (test encoders; a .bup from libgsf too), small files in the
# compound file's mini stream and large ones in sectors. Defender seeds are
# plaintext: defender_fuzz encrypts its input itself.
mkdir -p "$out/bup_fuzz" "$out/vbn_fuzz" "$out/defender_fuzz"
sv=$seed/fx/win/WINDOWS/system32/dllcache/svchost.exe
head -c 700 /dev/urandom >"$seed/small.sys"
for f in "$sv" "$seed/small.sys"; do
  n=$(basename "$f")
  "$mk" quarantine bup "$out/bup_fuzz/seed-$n" 'C:\WINDOWS\system32\svchost.exe' "$f"
  "$mk" quarantine vbn "$out/vbn_fuzz/seed-sep12-$n" 'C:\WINDOWS\system32\svchost.exe' "$f"
  "$mk" quarantine vbn-old "$out/vbn_fuzz/seed-sav-$n" 'C:\WINDOWS\system32\svchost.exe' "$f"
done
"$mk" quarantine defender-seeds "$out/defender_fuzz" '\\?\C:\Windows\System32\svchost.exe' "$seed/small.sys"
if command -v gsf >/dev/null; then
  mkdir -p "$seed/ole" && printf '[Details]\nDetectionName=x\n' >"$seed/ole/Details" && cp "$sv" "$seed/ole/File_0"
  bups=$PWD/$out/bup_fuzz
  (cd "$seed/ole" && gsf createole "$bups/seed-gsf" Details File_0 >/dev/null 2>&1) || true
fi
# Payload packs as `lifeboat pack build` writes them (small, so the fuzzer stays fast): deflated
# objects, a stored (incompressible) one, and one content at two paths.
mkdir -p "$out/pack_fuzz" "$seed/pk/WINDOWS/system32/dllcache"
{ yes 'MZ lifeboat svchost.exe' || true; } | head -c 3000 >"$seed/pk/WINDOWS/system32/svchost.exe"
cp "$seed/pk/WINDOWS/system32/svchost.exe" "$seed/pk/WINDOWS/system32/dllcache/svchost.exe"
printf 'MZ small' >"$seed/pk/WINDOWS/a.sys"
head -c 700 /dev/urandom >"$seed/pk/WINDOWS/b.dll"
(cd "$seed/pk" && find WINDOWS -type f | LC_ALL=C sort | xargs sha256sum) >"$seed/pk.sha256"
build/lifeboat pack build -q -m "$seed/pk.sha256" --from "$seed/pk" -o "$out/pack_fuzz/seed.lbpack" --force || true
sed -n 1p "$seed/pk.sha256" >"$seed/pk1.sha256"
build/lifeboat pack build -q -m "$seed/pk1.sha256" --from "$seed/pk" -o "$out/pack_fuzz/seed-one.lbpack" --force || true

# Small WIMs as wimlib-imagex writes them: stored, XPRESS, LZX, LZMS solid (an .esd), two images.
mkdir -p "$out/wim_fuzz" "$seed/wim/Windows/System32"
printf 'MZ\x90\x00 small dll' >"$seed/wim/Windows/System32/a.dll"
head -c 3000 /dev/urandom >"$seed/wim/Windows/System32/b.sys"
for c in none XPRESS LZX; do
  wimlib-imagex capture "$seed/wim" "$out/wim_fuzz/seed-$c.wim" "seed" --compress="$c" >/dev/null 2>&1 || true
done
wimlib-imagex capture "$seed/wim" "$out/wim_fuzz/seed-solid.esd" "seed" --solid >/dev/null 2>&1 || true
cp "$out/wim_fuzz/seed-LZX.wim" "$seed/two.wim" 2>/dev/null &&
  wimlib-imagex append "$seed/wim" "$seed/two.wim" "second" >/dev/null 2>&1 && cp "$seed/two.wim" "$out/wim_fuzz/seed-two.wim" || true
# SZDD (mscompress writes it), compressible and not.
mkdir -p "$out/szdd_fuzz" "$seed/sz"
cp "$sv" "$seed/sz/a.exe" && head -c 3000 /dev/urandom >"$seed/sz/b.sys"
(cd "$seed/sz" && mscompress a.exe b.sys 2>/dev/null && cp a.exe_ "$OLDPWD/$out/szdd_fuzz/seed-text" && cp b.sys_ "$OLDPWD/$out/szdd_fuzz/seed-random") || true
# Inputs that once crashed stay in the corpus (and have unit tests).
for dir in tests/fuzz/regressions/*/; do
  mkdir -p "$out/$(basename "$dir")" && cp "$dir"* "$out/$(basename "$dir")/"
done

printf '%-14s %10s %10s %8s  %s\n' target execs "exec/s" cov result
for target in ${TARGETS:-manifest_fuzz journal_fuzz import_fuzz hive_fuzz disk_fuzz pe_fuzz cab_fuzz bup_fuzz vbn_fuzz defender_fuzz pack_fuzz wim_fuzz szdd_fuzz}; do
  mkdir -p "build-fuzz/crashes/$target"
  log="build-fuzz/$target.log"
  result=clean
  "build-fuzz/tests/fuzz/$target" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$target/" "$out/$target" >"$log" 2>&1 || result="CRASH (see $log)"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo ?)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo ?)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo ?)
  printf '%-14s %10s %10s %8s  %s\n' "$target" "$execs" "$rate" "$cov" "$result"
done
