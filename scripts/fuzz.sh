#!/usr/bin/env bash
# Runs every libFuzzer target under ASan/UBSan for a while (not part of the
# test command). Seeds come from the fixture scripts; crashes are saved in
# build-fuzz/crashes/<target>/ and must become regression tests.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
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
mkdir -p "$out/manifest_fuzz" "$out/journal_fuzz"
{ printf '\001'; cat "$seed/fx/xp-sp3-x86.sha256"; } >"$out/manifest_fuzz/seed-sha256sum"
(cd "$seed/fx/win" && bsdtar --format=mtree --options '!all,type,size,sha256' -cf "$seed/m.mtree" WINDOWS)
{ printf '\002'; cat "$seed/m.mtree"; } >"$out/manifest_fuzz/seed-mtree"
build/lifeboat fix -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -s "$seed/fx/win" --yes -q || true
rm -f "$seed/fx/win/WINDOWS/system32/svchost.exe"
build/lifeboat fix -t "$seed/fx/win" -m "$seed/fx/xp-sp3-x86.sha256" -s "$seed/fx/win/WINDOWS/system32/dllcache" --yes -q || true
build/lifeboat undo -t "$seed/fx/win" -q || true
cp "$seed"/fx/win/lifeboat/journal/*.log "$out/journal_fuzz/" 2>/dev/null || true

# Inputs that once crashed stay in the corpus (and have unit tests).
cp tests/fuzz/regressions/manifest_fuzz/* "$out/manifest_fuzz/" 2>/dev/null || true

printf '%-14s %10s %10s %8s  %s\n' target execs "exec/s" cov result
for target in manifest_fuzz journal_fuzz; do
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
