#!/usr/bin/env bash
# Staying inside the target: manifest entries with '..', absolute paths or
# NUL-free tricks are refused before anything is written (exit 8); a
# symlinked directory that points outside the target is an error for that
# entry only, and nothing is written outside.
source "$(dirname "$0")/lib.sh"

mkdir -p vol/WINDOWS/system32 outside src
echo "good" >src/good.dll
echo "precious" >outside/victim.dll
good=$(sha src/good.dll)
outside_before=$(state outside)

for bad in "../outside/victim.dll" "WINDOWS/../../outside/victim.dll" "/etc/passwd" "C:\\WINDOWS\\x.dll" \
           "WINDOWS/system32/file.dll:stream"; do
  printf '%s  %s\n%s  %s\n' "$good" "WINDOWS/system32/ok.dll" "$good" "$bad" >m.sha256
  run 8 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s src --yes
  assert_contains "$T/err" "m.sha256:2:"
  assert_missing vol/WINDOWS/system32/ok.dll
  assert_missing vol/lifeboat
  assert_eq "$(state outside)" "$outside_before" "outside after '$bad'"
done
pass "'..', absolute, drive-letter and stream paths: exit 8 with file:line, nothing written"

# A symlinked directory inside the target pointing outside it.
ln -s "$T/outside" vol/WINDOWS/evil
printf '%s  %s\n%s  %s\n' "$good" "WINDOWS/evil/victim.dll" "$good" "WINDOWS/evil/new.dll" >m.sha256
printf '%s  %s\n' "$good" "WINDOWS/system32/ok.dll" >>m.sha256
rm -f m.sha256.sig && sign m.sha256
run 5 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s src --yes --json r.json
assert_eq "$(state outside)" "$outside_before" "outside after the symlink case"
assert_eq "$(sha vol/WINDOWS/system32/ok.dll)" "$good"
assert_eq "$(jqr r.json '[.files[] | select(.state == "unrepaired")] | length')" "2"
assert_contains r.json "symbolic link"
pass "symlink escape: entry refused, the rest repaired (exit 5), outside untouched"

# The same with scan: reported, not followed.
run 4 "$LB" scan -t vol -m m.sha256
assert_contains "$T/out" "symbolic link"
pass "scan reports the symlink instead of following it"

# A final-component symlink to a file outside is not replaced through.
rm vol/WINDOWS/evil
ln -s "$T/outside/victim.dll" vol/WINDOWS/system32/linked.dll
printf '%s  %s\n' "$good" "WINDOWS/system32/linked.dll" >m.sha256
rm -f m.sha256.sig && sign m.sha256
run 4 "$LB" fix "${K[@]}" -t vol -m m.sha256 -s src --yes
assert_eq "$(state outside)" "$outside_before"
[[ -L vol/WINDOWS/system32/linked.dll ]] || fail "the symlink itself was replaced"
pass "a symlinked file is left alone and not written through"
