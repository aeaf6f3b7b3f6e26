#!/usr/bin/env bash
# The volume's own spare copies are used without --source: system32\dllcache,
# an I386 folder with compressed files, ServicePackFiles\i386 and the Driver
# Cache cabinets; each copy only after its hash matches, decoys never.
source "$(dirname "$0")/lib.sh"
command -v gcab >/dev/null || { echo "skip: gcab is missing (scripts/setup.sh installs it)"; exit 77; }
"$SRC/tests/fixtures/make_xp_tree.sh" healthy --healthy >/dev/null
H=$T/healthy/win/WINDOWS/system32

# 1. svchost.exe deleted; dllcache has it: fix with no --source restores it from there.
make_xp
W=$T/fx/win/WINDOWS/system32
M=$T/fx/xp-sp3-x86.sha256
run 5 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --json r.json
assert_eq "$(sha "$W/svchost.exe")" "$(sha "$H/svchost.exe")" "svchost.exe"
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" "dllcache:svchost.exe" "source"
jq_true r.json '[.notes[] | select(test("source found on the volume: dllcache"))] | length == 1'
pass "no --source: svchost.exe and kernel32.dll restored from the volume's own dllcache"

# 2. --no-host-stores: nothing is found, nothing written.
make_xp
before=$(state "$T/fx/win")
run 4 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --no-host-stores
assert_eq "$(state "$T/fx/win")" "$before" "tree with --no-host-stores"
pass "--no-host-stores: the volume's stores are not used"

# 3. Decoys in dllcache; an I386 folder from the CD at the root
#    (compressed SVCHOST.EX_), ServicePackFiles\i386 (kernel32.dll) and the
#    Driver Cache (SP3.CAB holding tcpip.sys among others).
make_xp
# dllcache's own copies are damaged too: right names and sizes, wrong content.
head -c 14336 /dev/urandom >"$W/dllcache/svchost.exe"
head -c 989696 /dev/urandom >"$W/dllcache/kernel32.dll"
mkdir -p stage "$T/fx/win/I386" "$T/fx/win/WINDOWS/ServicePackFiles/i386" "$T/fx/win/WINDOWS/Driver Cache/i386"
cp "$H/svchost.exe" stage/ && (cd stage && gcab -c -z "$T/fx/win/I386/SVCHOST.EX_" svchost.exe)
cp "$H/kernel32.dll" "$T/fx/win/WINDOWS/ServicePackFiles/i386/kernel32.dll"
cp "$H/drivers/tcpip.sys" "$H/ntdll.dll" stage/ && (cd stage && gcab -c -z "$T/fx/win/WINDOWS/Driver Cache/i386/SP3.CAB" tcpip.sys ntdll.dll)
run 1 "$LB" fix "${K[@]}" -t "$T/fx/win" -m "$M" --yes --json r.json
src() { jqr r.json ".files[] | select(.path == \"WINDOWS/system32/$1\") | .source"; }
assert_eq "$(src svchost.exe)" "I386:SVCHOST.EX_/svchost.exe" "svchost.exe from I386"
assert_eq "$(src kernel32.dll)" "ServicePackFiles/i386:kernel32.dll" "kernel32.dll from ServicePackFiles"
assert_eq "$(src drivers/tcpip.sys)" "Driver Cache/i386:SP3.CAB/tcpip.sys" "tcpip.sys from the Driver Cache"
run 0 "$LB" scan "${K[@]}" -t "$T/fx/win" -m "$M"
pass "decoys in dllcache: restored from I386\\SVCHOST.EX_, ServicePackFiles\\i386 and Driver Cache\\i386\\SP3.CAB"

# 4. A Windows-7-like tree: a system32 DLL deleted, its full copy in WinSxS (a component folder).
rm -rf w7 && mkdir -p w7/Windows/System32 "w7/Windows/WinSxS/amd64_microsoft-windows-wininet_31bf3856ad364e35_11.2.9600.16428_none_7a4b2ca9d1f9e1a5"
head -c 1400000 /dev/urandom >w7/Windows/System32/wininet.dll
echo "other" >w7/Windows/System32/other.txt
(cd w7 && sha256sum Windows/System32/wininet.dll Windows/System32/other.txt) >w7.sha256
sign w7.sha256
mv w7/Windows/System32/wininet.dll "w7/Windows/WinSxS/amd64_microsoft-windows-wininet_31bf3856ad364e35_11.2.9600.16428_none_7a4b2ca9d1f9e1a5/"
old="w7/Windows/WinSxS/amd64_microsoft-windows-wininet_31bf3856ad364e35_11.2.9600.16384_none_0"
mkdir -p "$old" && head -c 1400000 /dev/urandom >"$old/wininet.dll"  # an older version: same name and size, other hash
run 1 "$LB" fix "${K[@]}" -t w7 -m w7.sha256 --yes --json r.json
assert_eq "$(jqr r.json '.files[] | select(.path == "Windows/System32/wininet.dll") | .source')" \
  "WinSxS:amd64_microsoft-windows-wininet_31bf3856ad364e35_11.2.9600.16428_none_7a4b2ca9d1f9e1a5/wininet.dll" "WinSxS copy"
run 0 "$LB" scan "${K[@]}" -t w7 -m w7.sha256
pass "Windows 7 tree: a system32 DLL restored from its WinSxS component folder, not from the older version beside it"

# 5. lifeboat sources: what each source can serve on its own; writes nothing.
make_xp
before=$(state "$T/fx/win")
run 0 "$LB" sources "${K[@]}" -t "$T/fx/win" -m "$M" -s "$T/fx/payload.tar.gz"
assert_contains "$T/out" "3 file(s) need a verified copy."
grep -Eq '^dllcache +WINDOWS/system32/dllcache +2 of 3$' "$T/out" || { cat "$T/out"; fail "dllcache line"; }
grep -Eq '^payload.tar.gz +.*payload.tar.gz +1 of 3$' "$T/out" || { cat "$T/out"; fail "payload line"; }
grep -Eq '^all together +3 of 3$' "$T/out" || { cat "$T/out"; fail "together line"; }
run 4 "$LB" sources "${K[@]}" -t "$T/fx/win" -m "$M" --no-host-stores
assert_contains "$T/out" "No sources"
assert_eq "$(state "$T/fx/win")" "$before" "tree after lifeboat sources"
pass "lifeboat sources: dllcache can serve 2 of 3, the payload 1 of 3, together 3 of 3; nothing written"

# 6. An uninstall folder holds the version a hotfix replaced: used only because the manifest allows it (alt=).
rm -rf hf && mkdir -p hf/WINDOWS/system32 'hf/WINDOWS/$NtUninstallKB951748$'
head -c 70000 /dev/urandom >new.dll && head -c 66000 /dev/urandom >old.dll
cp old.dll 'hf/WINDOWS/$NtUninstallKB951748$/dnsapi.dll'
manifest() {  # ALT: with or without the alt= for the older version
  {
    echo "lifeboat-manifest 1"
    echo "name hotfix-test"
    echo "require $(sha new.dll) 70000 WINDOWS/system32/dnsapi.dll${1:+ | alt=$(sha old.dll):66000}"
    echo "end 1"
  } >hf.lbm
  rm -f hf.lbm.sig
  sign hf.lbm
}
manifest ""
run 4 "$LB" fix "${K[@]}" -t hf -m hf.lbm --yes
assert_missing hf/WINDOWS/system32/dnsapi.dll
manifest alt
run 1 "$LB" fix "${K[@]}" -t hf -m hf.lbm --yes --json r.json
assert_eq "$(sha hf/WINDOWS/system32/dnsapi.dll)" "$(sha old.dll)" "the older version, allowed by alt="
assert_eq "$(jqr r.json '.files[0].source')" '$NtUninstallKB951748$:dnsapi.dll' "source"
pass "\$NtUninstallKB...\$: the replaced version is used only where the manifest allows it (alt=)"
