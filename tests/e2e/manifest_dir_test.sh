#!/usr/bin/env bash
# --manifest-dir: of three signed manifests for three Windows builds, lifeboat
# picks the one that fits --os; none fitting, or two, is exit 8 with a list.
source "$(dirname "$0")/lib.sh"
mk() {  # NAME OS-LINE: a tiny tree and its signed manifest in dir/
  mkdir -p "trees/$1/Windows/System32"
  echo "$1 kernel" >"trees/$1/Windows/System32/ntoskrnl.exe"
  echo "$1 hal" >"trees/$1/Windows/System32/hal.dll"
  run 0 "$LB" manifest build --from "trees/$1" -o "dir/$1.lbm" --os "$2"
  sign "dir/$1.lbm"
}
mkdir -p dir
mk xp-sp3-x86 "family=windows version=5.1 build=2600 sp=3 arch=x86"
mk win7-sp1-x64 "family=windows version=6.1 build=7601 sp=1 arch=x64"
mk win11-24h2-x64 "family=windows version=10.0 build=26100 arch=x64"

pick() {  # OS TREE: the manifest name scan chose
  run 0 "$LB" scan -t "trees/$2" --manifest-dir dir --os "$1" "${K[@]}" --json pick.json
  jqr pick.json '.manifest.name'
}
assert_eq "$(pick "family=windows version=5.1 build=2600 sp=3 arch=x86" xp-sp3-x86)" "xp-sp3-x86"
assert_eq "$(pick "version=6.1 build=7601 sp=1 arch=amd64 edition=Professional family=windows" win7-sp1-x64)" "win7-sp1-x64"
assert_eq "$(pick "family=windows version=10.0 build=26100 ubr=2314 arch=x64" win11-24h2-x64)" "win11-24h2-x64"
pass "three OS descriptions pick their three manifests"

run 8 "$LB" scan -t trees/xp-sp3-x86 --manifest-dir dir --os "family=windows version=5.1 build=2600 sp=2 arch=x86" "${K[@]}"
assert_contains "$T/err" "no manifest in dir fits this installation: family=windows version=5.1 build=2600 sp=2 arch=x86"
assert_contains "$T/err" "dir/xp-sp3-x86.lbm: family=windows version=5.1 build=2600 sp=3 arch=x86"
pass "no fitting manifest: exit 8, the installation and every candidate listed"

mkdir -p trees/any && echo x >trees/any/x
run 0 "$LB" manifest build --from trees/win11-24h2-x64 -o dir/win11-any.lbm --os "family=windows version=10.0 build=22000-26100 arch=x64"
sign dir/win11-any.lbm
run 8 "$LB" scan -t trees/win11-24h2-x64 --manifest-dir dir --os "family=windows version=10.0 build=26100 arch=x64" "${K[@]}"
assert_contains "$T/err" "2 manifests in dir fit this installation"
assert_contains "$T/err" "dir/win11-24h2-x64.lbm"
assert_contains "$T/err" "dir/win11-any.lbm"
pass "two fitting manifests: exit 8 naming both"

run 8 "$LB" scan -t trees/xp-sp3-x86 --manifest-dir dir "${K[@]}"
assert_contains "$T/err" "no Windows installation detected on"
assert_contains "$T/err" "give --os"
run 16 "$LB" scan -t trees/xp-sp3-x86 --manifest-dir dir --os "arch=sparc" "${K[@]}"
pass "--manifest-dir without --os on a tree with no readable hives: exit 8 asking for --os; a bad --os: usage error"
