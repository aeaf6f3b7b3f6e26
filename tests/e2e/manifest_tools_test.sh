#!/usr/bin/env bash
# manifest build / import / diff on files produced by the real tools
# (sha256sum, hashdeep, bsdtar) and on a Winbindex-style JSON fixture; the
# shipped demo manifests match the fixture generators and verify with the
# shipped demo key; build -> sign -> signify -V round trip.
source "$(dirname "$0")/lib.sh"
command -v hashdeep >/dev/null || fail "hashdeep is missing (scripts/setup.sh installs it)"
make_xp --healthy
W=$T/fx/win

# build from a directory and from an archive of it: same entries.
run 0 "$LB" manifest build --from "$W" -o built.lbm --name xp --os "family=windows version=5.1 build=2600 sp=3 arch=x86"
(cd "$T/fx" && bsdtar -czf "$T/ref.tar.gz" win)
run 0 "$LB" manifest build --from ref.tar.gz -o from-archive.lbm --name xp --os "family=windows version=5.1 build=2600 sp=3 arch=x86" \
  --include "win/WINDOWS/**/*.exe" --include "win/WINDOWS/**/*.dll" --include "win/WINDOWS/**/*.sys"
grep -q '^require .* win/WINDOWS/system32/svchost.exe$' from-archive.lbm || fail "archive build lacks svchost.exe"
assert_eq "$(grep -c '^require ' built.lbm)" "21"
grep -q "Documents and Settings" built.lbm && fail "the default selection took a user file"
run 0 "$LB" scan -t "$W" -m built.lbm --allow-unsigned
pass "manifest build from a directory and from an archive"

# Round trip with signify.
run 0 "$LB" manifest keygen -p rt.pub -s rt.sec
run 0 "$LB" manifest sign -s rt.sec -m built.lbm
run 0 signify-openbsd -V -p rt.pub -m built.lbm -x built.lbm.sig
pass "build -> lifeboat sign -> signify -V"

# Importers on real tools' output: every import verifies the healthy tree.
(cd "$W" && find WINDOWS -type f | LC_ALL=C sort | xargs -d '\n' sha256sum) >ref.sha256
(cd "$W" && hashdeep -c md5,sha256 -r -l WINDOWS) >ref.hashdeep
(cd "$T/fx" && hashdeep -c sha256 -r "$W/WINDOWS") >abs.hashdeep
(cd "$W" && bsdtar --format=mtree --options '!all,type,size,sha256' -cf "$T/ref.mtree" WINDOWS)
run 0 "$LB" manifest import --format sha256sum ref.sha256 -o i-sha.lbm --name ref
run 0 "$LB" manifest import --format hashdeep ref.hashdeep -o i-hd.lbm --name ref
run 8 "$LB" manifest import --format hashdeep abs.hashdeep -o bad.lbm
assert_contains "$T/err" "--strip-prefix"
run 0 "$LB" manifest import --format hashdeep abs.hashdeep -o i-hd2.lbm --strip-prefix "$W/"
run 0 "$LB" manifest import --format mtree ref.mtree -o i-mt.lbm --name ref
for m in i-sha.lbm i-hd.lbm i-hd2.lbm i-mt.lbm; do
  assert_eq "$(grep -c '^require ' $m)" "21"
  run 0 "$LB" scan -t "$W" -m "$m" --allow-unsigned
done
run 0 "$LB" manifest diff i-hd.lbm i-mt.lbm
run 1 "$LB" manifest diff i-sha.lbm i-mt.lbm
assert_contains "$T/out" "size - -> 14336"
pass "import of sha256sum, hashdeep (relative, absolute + --strip-prefix) and bsdtar mtree output"

# diff shows what a reviewer needs before signing.
sed -e '/ WINDOWS\/system32\/svchost.exe$/d' -e 's/^\(require [0-9a-f]*\) 82944 /\1 82945 /' built.lbm | sed "s/^end 21/end 20/" >changed.lbm
run 1 "$LB" manifest diff built.lbm changed.lbm
assert_contains "$T/out" "- require "
assert_contains "$T/out" "svchost.exe"
assert_contains "$T/out" "~ WINDOWS/system32/ws2_32.dll: size 82944 -> 82945"
assert_contains "$T/out" "0 added, 1 removed, 1 changed"
pass "manifest diff: removed and changed entries"

# Winbindex-style JSON: two x64 builds of svchost.exe for 22H2 (the newer is
# the main hash, the older an alternative), one x86 build, one other version.
v_old=$(printf 'svchost 10.0.19041.1' | sha256sum | cut -d' ' -f1)
v_new=$(printf 'svchost 10.0.19041.3636' | sha256sum | cut -d' ' -f1)
v_x86=$(printf 'svchost x86' | sha256sum | cut -d' ' -f1)
v_21h2=$(printf 'svchost 21H2' | sha256sum | cut -d' ' -f1)
cat >svchost.exe.json <<JSON
{
  "$v_old": {"fileInfo": {"size": 20, "sha256": "$v_old", "machineType": 34404, "version": "10.0.19041.1 (WinBuild.160101.0800)"},
             "windowsVersions": {"22H2": {"BASE": {"windowsVersionInfo": {}}}, "21H2": {"KB1": {"updateInfo": {"releaseVersion": "19044.1"}}}}},
  "$v_new": {"fileInfo": {"size": 23, "sha256": "$v_new", "machineType": 34404, "version": "10.0.19041.3636 (WinBuild.160101.0800)"},
             "windowsVersions": {"22H2": {"KB5032189": {"updateInfo": {"releaseVersion": "19045.3693"}}}}},
  "$v_x86": {"fileInfo": {"size": 11, "machineType": 332, "version": "10.0.19041.3636"},
             "windowsVersions": {"22H2": {"KB5032189": {"updateInfo": {"releaseVersion": "19045.3693"}}}}},
  "$v_21h2": {"fileInfo": {"machineType": 34404, "version": "10.0.19041.2000"},
             "windowsVersions": {"21H2": {"KB2": {"updateInfo": {"releaseVersion": "19044.2000"}}}}}
}
JSON
gzip -k svchost.exe.json
run 0 "$LB" manifest import --format winbindex svchost.exe.json.gz --windows-version 22H2 --arch x64 -o wb.lbm \
  --os "family=windows version=10.0 build=19045 arch=x64"
line=$(grep '^require ' wb.lbm)
assert_eq "$line" "require $v_new 23 WINDOWS/System32/svchost.exe | version=10.0.19041.3636 alt=$v_old:20"
mkdir -p wbtree/Windows/System32
printf 'svchost 10.0.19041.1' >wbtree/Windows/System32/svchost.exe
run 0 "$LB" scan -t wbtree -m wb.lbm --allow-unsigned
printf 'svchost x86' >wbtree/Windows/System32/svchost.exe
run 4 "$LB" scan -t wbtree -m wb.lbm --allow-unsigned
run 0 "$LB" manifest import --format winbindex svchost.exe.json --windows-version 22H2 --arch x64 --ubr 3693 -o wb-ubr.lbm
assert_eq "$(grep '^require ' wb-ubr.lbm)" "require $v_new 23 WINDOWS/System32/svchost.exe | version=10.0.19041.3636"
run 0 "$LB" manifest import --format winbindex svchost.exe.json --windows-version 21H2 --arch x64 -o wb21.lbm
grep -q "^require $v_21h2 - " wb21.lbm || fail "an entry without a size should import with size '-'"
run 8 "$LB" manifest import --format winbindex svchost.exe.json --windows-version 23H2 --arch x64 -o none.lbm
assert_contains "$T/err" "versions in the file: 21H2, 22H2"
pass "Winbindex import: version and architecture chosen, newest main hash, older as alt, --ubr, missing sizes"

# The shipped demo manifests describe exactly what the fixture generators make.
KEY=(--trusted-key "$SRC/manifests/keys/lifeboat-demo.pub")
run 0 "$LB" scan -t "$W" -m "$SRC/manifests/demo/xp-sp3-x86.lbm" "${KEY[@]}" --json demo.json
assert_eq "$(jqr demo.json '.manifest.signature')" "verified"
run 0 "$LB" manifest build --from "$W" -o rebuilt.lbm --name xp-sp3-x86-demo \
  --description "$(sed -n 's/^description //p' "$SRC/manifests/demo/xp-sp3-x86.lbm")" \
  --os "family=windows version=5.1 build=2600 sp=3 arch=x86"
run 0 "$LB" manifest diff "$SRC/manifests/demo/xp-sp3-x86.lbm" rebuilt.lbm
run 0 "$LB" manifest verify -p "$SRC/manifests/keys/lifeboat-demo.pub" -m "$SRC/manifests/examples/crowdstrike-channel-291.lbm"
pass "shipped demo manifests match the fixture generators and verify with the shipped key"
