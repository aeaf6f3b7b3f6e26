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
build/lifeboat fix --allow-unsigned -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -s "$seed/fx/win" --yes -q \
  --json "$seed/fix-healthy.json" || true
rm -f "$seed/fx/win/WINDOWS/system32/svchost.exe"
build/lifeboat scan -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -q --json "$seed/scan.json" || true
build/lifeboat fix --allow-unsigned -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -s "$seed/fx/win/WINDOWS/system32/dllcache" --yes -q \
  --json "$seed/fix-restored.json" || true
build/lifeboat undo -t "$seed/fx/win" -q || true
cp "$seed"/fx/win/lifeboat/journal/*.log "$out/journal_fuzz/" 2>/dev/null || true
{ printf '\003'; cat manifests/demo/xp-sp3-x86.lbm; } >"$out/manifest_fuzz/seed-native"
{ printf '\003'; cat manifests/examples/crowdstrike-channel-291.lbm; } >"$out/manifest_fuzz/seed-native-forbid"
(cd "$seed/fx/win" && hashdeep -c md5,sha256 -r -l WINDOWS) >"$seed/h.txt"
{ printf '\000'; cat "$seed/h.txt"; } >"$out/import_fuzz/seed-hashdeep"
printf '\001{"%064d":{"fileInfo":{"size":5,"machineType":34404,"version":"10.0.1"},"windowsVersions":{"22H2":{"KB1":{"updateInfo":{"releaseVersion":"19045.100"}}}}}}' 1 >"$out/import_fuzz/seed-winbindex"
{ printf '\002'; cat manifests/keys/lifeboat-demo.pub; } >"$out/import_fuzz/seed-pub"
{ printf '\004'; cat manifests/demo/xp-sp3-x86.lbm.sig; } >"$out/import_fuzz/seed-sig"
# Signed checklists (signify -S -e): lifeboat's of one manifest, signify's of a two-file `sha256sum --tag` list.
build/lifeboat manifest keygen -p "$seed/k.pub" -s "$seed/k.sec" -c "fuzz seed" >/dev/null
cp manifests/demo/xp-sp3-x86.lbm "$seed/xp-sp3-x86.lbm"
build/lifeboat manifest sign --checklist -s "$seed/k.sec" -m "$seed/xp-sp3-x86.lbm" >/dev/null
{ printf '\005'; cat "$seed/xp-sp3-x86.lbm.sig"; } >"$out/import_fuzz/seed-checklist"
signify-openbsd -G -n -p "$seed/s.pub" -s "$seed/s.sec" -c "fuzz seed"
(cd "$seed" && sha256sum --tag xp-sp3-x86.lbm fx/xp-sp3-x86.sha256 >list &&
  signify-openbsd -S -e -s s.sec -m list -x list.sig)
{ printf '\005'; cat "$seed/list.sig"; } >"$out/import_fuzz/seed-checklist-signify"

# Fleet reports: real fix and scan reports (lifeboat.report/1), and lifeboat.auto/1 around them as
# `lifeboat auto` writes them. The first byte: 0x50 one file (top 10), 0x51 two (a failure, then its re-run).
mkdir -p "$out/report_fuzz"
for r in fix-healthy fix-restored scan; do { printf '\120'; cat "$seed/$r.json"; } >"$out/report_fuzz/seed-$r"; done
auto() {  # auto OUTCOME EXIT REPORT_JSON_FILE FINISHED (null.json: no report)
  jq -n --arg o "$1" --argjson x "$2" --slurpfile r "$3" --arg f "$4" '{schema: "lifeboat.auto/1",
    lifeboat_version: "0.1.0", machine: {serial: "CZC001", uuid: "4c4c4544-0042-3110-8052-b7c04f4e3732",
    vendor: "HP", product: "dc7900", hostname_hint: "PC-12"}, started: $f, finished: $f, exit_code: $x,
    volumes: [{device: "/dev/sda", partition: 1, windows: "Windows XP 5.1 2600 SP3 x86", outcome: $o,
    exit_code: $x, reason: "", report: ($r[0] // null)}]}'
}
printf 'null' >"$seed/null.json"
auto failed 8 "$seed/null.json" 2026-11-29T06:40:00Z >"$seed/auto-failed.json"
auto repaired 1 "$seed/fix-restored.json" 2026-11-29T07:10:00Z >"$seed/auto-repaired.json"
{ printf '\120'; cat "$seed/auto-repaired.json"; } >"$out/report_fuzz/seed-auto"
{ printf '\121'; cat "$seed/auto-failed.json"; printf '\000'; cat "$seed/auto-repaired.json"; } >"$out/report_fuzz/seed-rerun"

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

# Archive sources as bsdtar and gcab write them: tar (plain, gzip, xz), zip (seekable and streamed),
# 7z, cpio and cabinets (MSZIP), with a hard link.
mkdir -p "$out/archive_fuzz" "$seed/ar/WINDOWS/system32/dllcache"
{ yes 'MZ lifeboat svchost.exe' || true; } | head -c 2000 >"$seed/ar/WINDOWS/system32/svchost.exe"
ln "$seed/ar/WINDOWS/system32/svchost.exe" "$seed/ar/WINDOWS/system32/dllcache/svchost.exe"
printf 'MZ small' >"$seed/ar/WINDOWS/system32/a.sys"
ars=$PWD/$out/archive_fuzz
(cd "$seed/ar" &&
  bsdtar -cf "$ars/seed.tar" WINDOWS && bsdtar -czf "$ars/seed.tar.gz" WINDOWS && bsdtar -cJf "$ars/seed.tar.xz" WINDOWS &&
  bsdtar --format=zip -cf "$ars/seed.zip" WINDOWS && bsdtar --format=zip -cf - WINDOWS >"$ars/seed-stream.zip" &&
  bsdtar --format=7zip -cf "$ars/seed.7z" WINDOWS && bsdtar --format=newc -cf "$ars/seed.cpio" WINDOWS &&
  cd WINDOWS/system32 && gcab -c -z "$ars/seed.cab" svchost.exe a.sys)

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
for target in ${TARGETS:-manifest_fuzz journal_fuzz import_fuzz hive_fuzz disk_fuzz pe_fuzz cab_fuzz bup_fuzz vbn_fuzz defender_fuzz pack_fuzz wim_fuzz szdd_fuzz
  archive_fuzz report_fuzz}; do
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
