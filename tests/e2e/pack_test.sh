#!/usr/bin/env bash
# Payload packs: `pack build` makes a tar that holds exactly what the manifest
# needs (deduplicated, by hash); fix and sources use it as a source, known by
# its content; a flipped byte in an object is never used and is named by the
# warning and by `pack verify`; opening a pack reads only its index.
source "$(dirname "$0")/lib.sh"

make_xp
M=$T/fx/xp-sp3-x86.sha256
W=$T/fx/win/WINDOWS/system32
"$SRC/tests/fixtures/make_xp_tree.sh" healthy --healthy >/dev/null
H=$T/healthy/win/WINDOWS/system32
SVC=$(sha "$H/svchost.exe")

run 0 "$LB" pack --help
assert_contains out "payload pack"
for c in build list verify; do
  run 0 "$LB" pack "$c" --help
  assert_contains out "Example:"
  assert_contains out "Exit:"
done
run 16 "$LB" pack build -m "$M" -o x.lbpack
assert_missing x.lbpack

run 0 "$LB" pack build -m "$M" --from healthy/win -o payload.lbpack
assert_contains out "pack holds 21 of 21 manifest entries (16 unique objects"
tar tf payload.lbpack >list || fail "tar cannot list the pack"
assert_eq "$(head -n 1 list)" "lifeboat-pack.json" "first member"
assert_contains list "objects/$SVC.z"
assert_eq "$(grep -c '^objects/' list)" "16" "one object per distinct content (dllcache copies dedup)"
tar xOf payload.lbpack lifeboat-pack.json >index.json
assert_eq "$(jqr index.json .format)" "lifeboat.pack/1" "index format"
assert_eq "$(jqr index.json "[.objects[] | select(.sha256 == \"$SVC\") | .paths[]] | join(\",\")")" \
  "WINDOWS/system32/svchost.exe,WINDOWS/system32/dllcache/svchost.exe" "svchost.exe's object serves both paths"
pass "pack build: 21 entries in 16 objects; tar lists it; the index names the paths each object serves"

run 16 "$LB" pack build -m "$M" --from healthy/win -o payload.lbpack
assert_contains err "already exists"
run 0 "$LB" pack build -m "$M" --from healthy/win -o payload.lbpack --force
# From the damaged tree: dllcache still has svchost.exe and kernel32.dll, nothing has the good tcpip.sys.
run 4 "$LB" pack build -m "$M" --from fx/win -o partial.lbpack
assert_contains out "pack holds 20 of 21 manifest entries"
assert_contains out "WINDOWS/system32/drivers/tcpip.sys"
assert_exists partial.lbpack
# Any source works as --from, a pack too.
run 0 "$LB" pack build -m "$M" --from payload.lbpack -o copy.lbpack
ls -a | grep -q 'lifeboat-tmp\|lifeboat-spool' && fail "temp files left behind"
pass "pack build: no overwrite without --force; partial coverage is exit 4 and lists what is missing; a pack as --from"

# fix restores from the pack (no host stores: the pack is the only source); renamed, it is still a pack.
cp payload.lbpack payload.bin
run 0 "$LB" sources "${K[@]}" -t fx/win -m "$M" --no-host-stores --source payload.bin
assert_contains out "3 file(s) need a verified copy."
grep -q '^payload.bin .* 3 of 3$' out || { cat out >&2; fail "sources: the pack serves 3 of 3"; }
run 1 "$LB" fix "${K[@]}" -t fx/win -m "$M" --no-host-stores --source payload.bin --yes --json r.json
for f in svchost.exe kernel32.dll drivers/tcpip.sys; do
  assert_eq "$(sha "$W/$f")" "$(sha "$H/$f")" "$f restored"
done
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" \
  "payload.bin:WINDOWS/system32/svchost.exe" "source label names the pack"
pass "sources and fix --source PACK: fix restores the missing and corrupt files with the right hashes (pack known by content, not name)"

# A flipped byte inside svchost.exe's object.
make_xp
hdr=$(grep -obUa "objects/$SVC" payload.lbpack | head -n 1 | cut -d: -f1)
stored=$(jqr index.json ".objects[] | select(.sha256 == \"$SVC\") | .stored_size")
off=$((hdr + 512 + stored / 2))
b=$(od -An -tu1 -j "$off" -N1 payload.lbpack | tr -d ' ')
printf "\\x$(printf %02x $((b ^ 1)))" | dd of=payload.lbpack bs=1 seek="$off" conv=notrunc status=none
run 5 "$LB" fix "${K[@]}" -t fx/win -m "$M" --no-host-stores --source payload.lbpack --yes --json r.json
assert_missing "$W/svchost.exe"
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .state')" "unrepaired" "svchost.exe"
assert_eq "$(sha "$W/kernel32.dll")" "$(sha "$H/kernel32.dll")" "kernel32.dll still restored"
jq_true r.json "[.warnings[] | select(test(\"payload.lbpack: object $SVC is damaged\"))] | length == 1"
run 4 "$LB" pack verify payload.lbpack
assert_contains out "DAMAGED  object $SVC is damaged"
assert_contains out "15 of 16 objects verified, 1 damaged"
run 0 "$LB" pack verify copy.lbpack
pass "a flipped byte in an object: fix does not use it (exit 5, svchost.exe unrepaired), the warning and pack verify name it"

run 0 "$LB" pack list copy.lbpack --json
assert_eq "$(jqr out '.objects | length')" "16" "pack list --json"
run 0 "$LB" pack list copy.lbpack
assert_contains out "16 objects serving 21 paths"
run 8 "$LB" pack list index.json
assert_contains err "not a valid lifeboat pack"
pass "pack list (text and --json); a file that is not a pack is refused"

# Opening a pack reads its index, not the pack: a 48 MiB object is never read when it is not wanted.
mkdir -p big/WINDOWS/system32
head -c $((48 << 20)) /dev/urandom >big/WINDOWS/system32/huge.dll
cp "$H/svchost.exe" big/WINDOWS/system32/svchost.exe
(cd big && sha256sum WINDOWS/system32/huge.dll WINDOWS/system32/svchost.exe) >big.sha256
sign big.sha256
run 0 "$LB" pack build -m big.sha256 --from big -o big.lbpack
rm big/WINDOWS/system32/svchost.exe
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  # LeakSanitizer cannot run under ptrace (ASan builds): leak checks off for this one run.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -y -e trace=read,pread64 -o trace.txt "$LB" sources "${K[@]}" -t big -m big.sha256 --source big.lbpack >out 2>err ||
    { cat out err >&2; fail "lifeboat sources exit $?"; }
  assert_contains out "1 of 1"
  bytes=$(grep 'big.lbpack>' trace.txt | grep -o '= [0-9]*$' | awk '{s += $2} END {print s + 0}')
  size=$(stat -c %s big.lbpack)
  ((bytes > 0 && bytes < 1048576)) || fail "lifeboat sources read $bytes bytes of a $size-byte pack"
  pass "opening and surveying a $size-byte pack read $bytes bytes of it (index + the wanted object)"
else
  echo "skip: strace is missing or cannot trace here; not checking how much of the pack is read (pack_test.cc checks it with a counting reader)"
fi
