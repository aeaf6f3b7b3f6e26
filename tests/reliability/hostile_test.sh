#!/usr/bin/env bash
# Hostile inputs, end to end: each case runs the real lifeboat and asserts one
# outcome: the exit code, a message naming the problem (file:line for
# manifests), nothing written outside the target, nothing destroyed, no temp
# file left. tests/e2e/unsafe_paths_test.sh already covers manifest paths with
# '..', absolute, drive-letter and stream (':') paths, and symlinked
# directories or files that point outside the target; they are not repeated.
#
# Manifests (exit 8, "<file>:<line>: <why>", nothing written, unless noted):
#   NUL in a path (sha256sum, raw; mtree, "\000")  "contains a NUL byte" (before: mtree "a\000b" became "a")
#   a name of 256 bytes / a path of 4097+ bytes     "component longer than 255 bytes" / "longer than 4096 bytes"
#   a path that fits the manifest limits but not    scan: missing (exit 4); fix: unrepaired "too long for
#     lifeboat's temp/backup names (4084 bytes,       lifeboat's temp file and backup copy", no directory made;
#     or a 250-byte name)                             the run's other restore is undone from a readable journal
#                                                     (fix exit 5; before the fix: directories made, nothing
#                                                     written, a journal its own reader called damaged)
#   the same path twice with other hashes, also     "listed again with a different SHA-256 (first at line 1)";
#     differing only in case                          same hash in other case: merged with a warning (exit 0)
#   CRLF line ends                                  accepted: scan and fix work, no '\r' in any name
#   invalid UTF-8 (bad byte, overlong '/',          "is not valid UTF-8" (before: accepted, journaled with
#     surrogate)                                      U+FFFD, so undo could not find the file); a non-UTF-8
#                                                     known-bad name on the target is left alone, a warning
#   a line over 64 KiB, 200 KB without newline      "line longer than 65536 bytes"
#   1,000,000 entries                               loads; scan of an empty target exits 4 with a 1M-row JSON
#                                                     report (peak RSS shown, under 384 MiB); a conflicting
#                                                     repeat on line 1000001 is found
#   empty / comments only                           "no file entries (empty or truncated manifest)"
#   binary garbage                                  "<file>:<line>: ..." (a parse error, not a crash)
# Archives as sources (tar, zip):
#   members named '../../outside/x', '/abs/path',   restored inside the target by content (names are only
#     and under a symlink member's name               labels); nothing appears outside (exit 5, see next)
#   symlink and hard-link members pointing outside  never followed: the file only they could give is
#                                                     unrepaired "no verified copy found in the sources"
#   a 1 TB member in a 1.7 MB tar.bz2, a 1 GiB      refused after 256 MiB as "a decompression bomb", one
#     member in a 1 MB zip (sha256sum manifest, so    warning; a good member before it is restored (exit 5),
#     every member is hashed; and the bomb first)     one after it is not (exit 4); seconds, no temp file
#                                                     (before: the whole member read, hours for 1 TB)
# Targets:
#   symlink loop a.dll -> b.dll -> a.dll, a         unrepaired "is a symbolic link", never followed, also
#     directory loop                                  by --search-volume; links unchanged
#   a directory where a file should be              unrepaired "is a directory where the manifest expects a
#                                                     file; left alone"; its content survives fix
#   a file where a directory should be              unrepaired "is not a directory"; the file survives
#   chmod 000 file                                  root reads it anyway (ok); as nobody (setpriv): corrupt
#                                                     "unreadable: ... Permission denied", exit 4
#   a FIFO / a socket at a file's path, a FIFO in   unrepaired "is not a regular file"; no hang (timeout 20);
#     a source directory and in dllcache              the FIFO stays a FIFO, the sources' FIFOs are skipped
#                                                   (one fix over all the target cases: exit 5, the target
#                                                     unchanged but for the one file it restored)
source "$(dirname "$0")/../e2e/lib.sh"
command -v python3 >/dev/null || { echo "skip: python3 is missing (scripts/setup.sh installs it)"; exit 77; }

# lifeboat keeps no temp files outside the target: anything here is a leak.
mkdir -p "$T/tmp"
export TMPDIR="$T/tmp"
# Every lifeboat run in this test must end in time (a hang fails, exit 124).
tl() { timeout 20 "$LB" "$@"; }

mkdir -p outside src
echo "precious" >outside/victim.dll
echo "good" >src/good.dll
good=$(sha src/good.dll)
other=$(printf other | sha256sum | cut -d' ' -f1)
outside_before=$(state outside)
fresh_vol() {
  rm -rf vol
  mkdir -p vol/WINDOWS/system32
  echo "good" >vol/WINDOWS/system32/ok.dll
}
# no_leftovers: nothing outside changed, no temp file anywhere.
no_leftovers() {
  assert_eq "$(state outside)" "$outside_before" "outside the target"
  [[ -z "$(find "$T" -name '*.lifeboat-tmp')" ]] || fail "temp files left: $(find "$T" -name '*.lifeboat-tmp')"
  [[ -z "$(ls -A "$T/tmp")" ]] || fail "files left in TMPDIR: $(ls -A "$T/tmp")"
}

# ---------------------------------------------------------------- manifests
fresh_vol
printf '%s  WINDOWS/system32/ok.dll\n%s  WINDOWS/system32/a\0b.dll\n' "$good" "$good" >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:2: path 'WINDOWS/system32/a?b.dll' contains a NUL byte"
run 8 tl fix --allow-unsigned -t vol -m m.sha256 -s src --yes
assert_contains "$T/err" "m.sha256:2:"
assert_missing vol/lifeboat
# libarchive hands mtree names over as C strings: "a\000b.dll" must not become "a".
printf '#mtree\n./WINDOWS/system32/ok.dll type=file size=5 sha256digest=%s\n./WINDOWS/a\\000b.dll type=file size=5 sha256digest=%s\n' \
  "$good" "$good" >m.mtree
run 8 tl scan -t vol -m m.mtree
assert_contains "$T/err" "m.mtree:3: path './WINDOWS/a?b.dll' contains a NUL byte"
pass "NUL in a manifest path (sha256sum raw, mtree escaped): exit 8 with file:line, nothing written"

long_name=$(printf 'n%.0s' {1..256})
printf '%s  WINDOWS/system32/ok.dll\n%s  WINDOWS/%s.dll\n' "$good" "$good" "$long_name" >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:2: path 'WINDOWS/nnnn"
assert_contains "$T/err" "has a component longer than 255 bytes"
dir250=$(printf 'd%.0s' {1..250})
deep="WINDOWS"
for _ in {1..17}; do deep+="/$dir250"; done  # 4275 bytes
printf '%s  WINDOWS/system32/ok.dll\n%s  %s/x.dll\n' "$good" "$good" "$deep" >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:2: path 'WINDOWS/dddd"
assert_contains "$T/err" "is longer than 4096 bytes"
pass "a 256-byte name, a 4275-byte path: exit 8 with file:line"

# Within the manifest's limits, but no room for "<name>.lifeboat-tmp" or
# "lifeboat/backup/<run>/<path>": scan reports it; fix leaves it alone before
# making any directory, and its journal stays readable.
deep="WINDOWS"
for _ in {1..16}; do deep+="/$dir250"; done
fits="$deep/$(printf 'x%.0s' {1..60})"  # 4084 bytes
name250="WINDOWS/system32/$(printf 'c%.0s' {1..250})"
printf '%s  WINDOWS/system32/%s\n' "$good" ok.dll "$good" new.dll >m.sha256
printf '%s  %s\n' "$good" "$fits" "$good" "$name250" >>m.sha256
rm -f m.sha256.sig && sign m.sha256
run 4 tl scan -t vol -m m.sha256 --json r.json
assert_eq "$(jqr r.json '[.files[] | select(.state == "missing")] | length')" "3"
before=$(state vol)
run 5 tl fix "${K[@]}" -t vol -m m.sha256 -s src --yes --json r.json
assert_eq "$(jqr r.json '[.files[] | select(.state == "restored")] | length')" "1"
assert_eq "$(jqr r.json '[.files[] | select(.state == "unrepaired")] | length')" "2"
assert_eq "$(jqr r.json '[.files[].message | select(contains("too long for lifeboat'"'"'s temp file and backup copy"))] | length')" "2"
run 0 tl undo -t vol --json u.json
assert_eq "$(jqr u.json '.summary.reverted')" "1"
assert_eq "$(jqr u.json '.warnings | map(select(contains("damaged journal"))) | length')" "0"
assert_eq "$(state vol)" "$before" "the target after fix and undo"
no_leftovers
pass "a 4084-byte path, a 250-byte name: scan says missing; fix leaves them unrepaired (exit 5 with one restore), no directory, undo reads the journal"

fresh_vol
printf '%s  WINDOWS/system32/ok.dll\n%s  WINDOWS/system32/x.dll\n%s  WINDOWS/system32/ok.dll\n' "$good" "$good" "$other" >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:3: 'WINDOWS/system32/ok.dll' is listed again with a different SHA-256 (first at line 1)"
printf '%s  WINDOWS/system32/ok.dll\n%s  WINDOWS/System32/OK.DLL\n' "$good" "$other" >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:2: 'WINDOWS/System32/OK.DLL' is listed again with a different SHA-256 (first at line 1)"
run 8 tl fix --allow-unsigned -t vol -m m.sha256 -s src --yes
assert_missing vol/lifeboat
printf '%s  WINDOWS/system32/ok.dll\n%s  WINDOWS/System32/OK.DLL\n' "$good" "$good" >m.sha256
run 0 tl scan -t vol -m m.sha256
assert_contains "$T/out" "warning: m.sha256:2: 'WINDOWS/System32/OK.DLL' is listed twice with the same hash; the repeat is ignored"
assert_contains "$T/out" "1 ok, 0 missing"
pass "duplicate paths (also by case) with other hashes: exit 8 naming both lines; same hash: merged with a warning"

printf '%s  WINDOWS/system32/ok.dll\r\n%s  WINDOWS/system32/new.dll\r\n' "$good" "$good" >m.sha256
rm -f m.sha256.sig && sign m.sha256
run 4 tl scan -t vol -m m.sha256
assert_contains "$T/out" "MISSING     WINDOWS/system32/new.dll"
assert_contains "$T/out" "1 ok, 1 missing"
run 1 tl fix "${K[@]}" -t vol -m m.sha256 -s src --yes
assert_eq "$(sha vol/WINDOWS/system32/new.dll)" "$good"
[[ -z "$(find vol -name $'*\r*')" ]] || fail "a name with a carriage return was made"
pass "CRLF manifest: accepted, the '\\r' is not part of the path; fix restores (exit 1)"

fresh_vol
for bad in $'\xff\xfe.dll' $'a\xc0\xafb.dll' $'\xed\xa0\x80.dll'; do  # stray bytes, overlong '/', a surrogate
  printf '%s  WINDOWS/system32/ok.dll\n%s  WINDOWS/system32/%s\n' "$good" "$good" "$bad" >m.sha256
  run 8 tl scan -t vol -m m.sha256
  assert_contains "$T/err" "m.sha256:2: path 'WINDOWS/system32/"
  assert_contains "$T/err" "is not valid UTF-8 (Windows names are Unicode)"
done
# On the target, such a name (impossible on NTFS, possible in a copied tree)
# matched by a forbid rule is left alone: the journal could not record it for undo.
printf 'evil' >vol/WINDOWS/system32/$'\xff'bad.sys
printf 'lifeboat-manifest 1\nname hostile\nrequire %s 5 WINDOWS/system32/ok.dll\nforbid %s - WINDOWS/system32/*.sys | name=evil\nend 2\n' \
  "$good" "$(printf evil | sha256sum | cut -d' ' -f1)" >m.lbm
sign m.lbm
before=$(state vol)
run 4 tl fix "${K[@]}" -t vol -m m.lbm --yes
assert_contains "$T/out" "known-bad, not removed: its name is not valid UTF-8, which the journal cannot record for undo"
assert_eq "$(state vol)" "$before" "the target after fix"
pass "invalid UTF-8 in a manifest path: exit 8 with file:line; a non-UTF-8 known-bad file is left alone (exit 4)"

{
  printf '%s  WINDOWS/system32/ok.dll\n%s  ' "$good" "$good"
  head -c 70000 /dev/zero | tr '\0' 'y'
  printf '\n'
} >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:2: line longer than 65536 bytes"
{
  printf '%s  WINDOWS/system32/ok.dll\n' "$good"
  head -c 200000 /dev/zero | tr '\0' 'y'
} >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256:2: line longer than 65536 bytes"
pass "a 70 KB line, 200 KB without a newline: exit 8, 'line longer than 65536 bytes' at line 2"

# A million entries, all missing: the worst case for memory (each missing file
# is a report record; README: "Growth, memory, fix").
awk -v h="$(sha256sum </dev/null | cut -d' ' -f1)" \
  'BEGIN { for (i = 0; i < 1000000; i++) printf "%s  WINDOWS/d%03d/f%04d.dll\n", h, int(i / 1000), i % 1000 }' >big.sha256
mkdir -p empty
t0=$(date +%s%N)
if [[ -x /usr/bin/time ]]; then
  # 4 s in the release build; an unoptimised sanitizer build took 104 s.
  limit=60
  [[ "${LIFEBOAT_STATIC:-ON}" == "ON" ]] || limit=900
  run 4 timeout $limit /usr/bin/time -o rss.txt -f %M "$LB" scan -q -t empty -m big.sha256 --json big.json
  assert_eq "$(grep -c '"state": "missing"' big.json)" 1000000 "missing rows in the JSON report"
  rss_kib=$(tail -n 1 rss.txt)
  # The bound holds for the release build; sanitizer builds (LIFEBOAT_STATIC
  # off) carry shadow memory and redzones, over 1 GiB here.
  if [[ "${LIFEBOAT_STATIC:-ON}" == "ON" ]]; then
    ((rss_kib < 384 * 1024)) ||
      fail "scan of 1,000,000 missing entries peaked at $((rss_kib / 1024)) MiB (measured 264 MiB)"
  fi
  rss="peak RSS $((rss_kib / 1024)) MiB"
else
  run 4 "$LB" scan -q -t empty -m big.sha256
  rss="peak RSS not measured (no /usr/bin/time)"
fi
echo "  1,000,000-entry scan, all missing: $((($(date +%s%N) - t0) / 1000000)) ms, $rss"
printf '%s  windows/D000/F0000.DLL\n' "$other" >>big.sha256
run 8 tl scan -q -t empty -m big.sha256
assert_contains "$T/err" "big.sha256:1000001: 'windows/D000/F0000.DLL' is listed again with a different SHA-256 (first at line 1)"
rm -f big.sha256
pass "1,000,000 entries: loads and scans (exit 4, $rss); a conflicting repeat at the end is found (exit 8)"

: >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256: no file entries (empty or truncated manifest)"
printf '# only a comment\n\n' >m.sha256
run 8 tl scan -t vol -m m.sha256
assert_contains "$T/err" "m.sha256: no file entries (empty or truncated manifest)"
pass "empty manifest, comments only: exit 8, 'no file entries'"

fresh_vol
python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(7).randbytes(100000))' >garbage.bin
head -c 100000 "$LB" >garbage.elf
for g in garbage.bin garbage.elf; do
  run 8 tl scan -t vol -m "$g"
  grep -qE "error: manifest rejected, nothing was done: $g:[0-9]+: " "$T/err" || { cat "$T/err" >&2; fail "$g: no file:line"; }
  run 8 tl fix --allow-unsigned -t vol -m "$g" -s src --yes
  assert_missing vol/lifeboat
done
pass "binary garbage as a manifest: exit 8 with file:line, nothing written"

# ----------------------------------------------------------------- archives
# Traversal and link members, as tar and zip. Each wanted file's content is
# stored once, under a hostile name; victim.dll's content only behind links.
python3 - "$T/outside" <<'EOF'
import io, stat, sys, tarfile, zipfile
out = sys.argv[1]
def add(t, name, data=None, kind=tarfile.REGTYPE, link=''):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname = kind, link
    ti.size = len(data) if data is not None else 0
    t.addfile(ti, io.BytesIO(data) if data is not None else None)
with tarfile.open('evil.tar', 'w', format=tarfile.GNU_FORMAT) as t:
    add(t, '../../outside/dotdot.dll', b'dotdot\n')
    add(t, out + '/abs.dll', b'abs\n')
    add(t, 'sym.dll', kind=tarfile.SYMTYPE, link=out + '/victim.dll')
    add(t, 'symdir', kind=tarfile.SYMTYPE, link='../../outside')
    add(t, 'symdir/through.dll', b'through\n')
    add(t, 'hard.dll', kind=tarfile.LNKTYPE, link=out + '/victim.dll')
    add(t, 'hard2.dll', kind=tarfile.LNKTYPE, link='../../outside/victim.dll')
    add(t, 'i386/good.dll', b'good\n')
with zipfile.ZipFile('evil.zip', 'w') as z:
    z.writestr('../../outside/dotdot.dll', b'dotdot\n')
    z.writestr(zipfile.ZipInfo(out + '/abs.dll'), b'abs\n')
    for name, target in (('sym.dll', out + '/victim.dll'), ('symdir', '../../outside')):
        zi = zipfile.ZipInfo(name)
        zi.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(zi, target)
    z.writestr('symdir/through.dll', b'through\n')
    z.writestr('i386/good.dll', b'good\n')
EOF
{
  for f in dotdot abs through; do printf '%s  WINDOWS/system32/%s.dll\n' "$(printf '%s\n' "$f" | sha256sum | cut -d' ' -f1)" "$f"; done
  printf '%s  WINDOWS/system32/victim.dll\n%s  WINDOWS/system32/good.dll\n' "$(sha outside/victim.dll)" "$good"
} >a.sha256
rm -f a.sha256.sig && sign a.sha256
for archive in evil.tar evil.zip; do
  fresh_vol
  run 5 tl fix "${K[@]}" -t vol -m a.sha256 -s "$archive" --yes --json r.json
  for f in dotdot abs through; do
    assert_eq "$(cat vol/WINDOWS/system32/$f.dll)" "$f"
    assert_eq "$(find "$T" -name "$f.dll" | wc -l)" "1" "copies of $f.dll anywhere ($archive)"
  done
  assert_eq "$(sha vol/WINDOWS/system32/good.dll)" "$good"
  assert_contains "$T/out" "from $archive:../../outside/dotdot.dll"
  assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/victim.dll") | .message')" \
    "no verified copy found in the sources"
  assert_missing vol/WINDOWS/system32/victim.dll
  no_leftovers
done
pass "archive members with '../', absolute names, symlinks and hard links: restored inside by content, links never followed, outside untouched (exit 5)"

# Decompression bombs. With a sha256sum manifest (no sizes) every member is
# hashed while nowhere.dll has no copy, so a bomb's full size would be read.
# tar.bz2: the tar after the bomb's header is all zeros, and bzip2 streams
# concatenate, so 1 TB is one 45 MiB zero stream (81 bytes) repeated.
python3 - <<'EOF'
import bz2, io, tarfile
def header(name, size):
    ti = tarfile.TarInfo(name)
    ti.size = size
    return ti.tobuf(tarfile.GNU_FORMAT)
chunk = 45 << 20
zeros = bz2.compress(b'\0' * chunk, 9)
for out, bomb_first in (('bomb.tar.bz2', False), ('bomb-first.tar.bz2', True)):
    k = (10 ** 12 + chunk - 1) // chunk
    head = io.BytesIO()
    if not bomb_first:
        head.write(header('i386/good.dll', 5) + b'good\n'.ljust(512, b'\0'))
    head.write(header('i386/bomb.dll', k * chunk - 10240))  # its data, padding and end blocks: zeros
    with open(out, 'wb') as f:
        f.write(bz2.compress(head.getvalue(), 9))
        f.write(zeros * k)
        if bomb_first:  # never reached: the zeros end the archive
            f.write(bz2.compress(header('i386/good.dll', 5) + b'good\n'.ljust(512, b'\0'), 9))
EOF
# zip: a 1 GiB member of zeros, deflated as 1 MiB blocks each fully flushed
# (so one compressed block repeats), with its real CRC.
python3 - <<'EOF'
import struct, zlib
n, mib = 1 << 30, 1 << 20
c = zlib.compressobj(9, zlib.DEFLATED, -15)
data = (c.compress(b'\0' * mib) + c.flush(zlib.Z_FULL_FLUSH)) * (n // mib) + c.flush()
crc, zeros = 0, b'\0' * (64 * mib)
for _ in range(n // len(zeros)):
    crc = zlib.crc32(zeros, crc)
members = [(b'i386/good.dll', 0, b'good\n', zlib.crc32(b'good\n'), 5), (b'i386/bomb.dll', 8, data, crc, n)]
with open('bomb.zip', 'wb') as f:
    central = b''
    for name, method, payload, crc32, size in members:
        at = f.tell()
        f.write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 0x21, crc32, len(payload), size,
                            len(name), 0) + name + payload)
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, method, 0, 0x21, crc32, len(payload),
                               size, len(name), 0, 0, 0, 0, 0o100644 << 16, at) + name
    end = f.tell()
    f.write(central + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 2, 2, len(central), end, 0))
EOF
printf '%s  WINDOWS/system32/good.dll\n%s  WINDOWS/system32/nowhere.dll\n' "$good" "$other" >b.sha256
rm -f b.sha256.sig && sign b.sha256
for archive in bomb.tar.bz2 bomb.zip bomb-first.tar.bz2; do
  fresh_vol
  t0=$(date +%s%N)
  want=5
  [[ $archive == bomb-first.tar.bz2 ]] && want=4
  run $want tl fix "${K[@]}" -t vol -m b.sha256 -s "$archive" --yes --json r.json
  ms=$((($(date +%s%N) - t0) / 1000000))
  assert_eq "$(jqr r.json '.warnings | map(select(contains("'"$archive"': i386/bomb.dll: a decompression bomb: expands more than 1000 times"))) | length')" "1"
  assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/nowhere.dll") | .state')" "unrepaired"
  if [[ $archive == bomb-first.tar.bz2 ]]; then
    assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/good.dll") | .message')" \
      "no verified copy found in the sources"
    assert_missing vol/WINDOWS/system32/good.dll
  else
    assert_eq "$(sha vol/WINDOWS/system32/good.dll)" "$good"
  fi
  no_leftovers
  echo "  $archive ($(($(stat -c %s "$archive") >> 10)) KiB): stopped in $ms ms"
done
pass "decompression bombs (1 TB in tar.bz2, 1 GiB in zip): refused after 256 MiB with one warning, copies before them used (exit 5), none after (exit 4), no temp file"

# ------------------------------------------------------------------ targets
fresh_vol
cd vol/WINDOWS
ln -s b.dll system32/a.dll && ln -s a.dll system32/b.dll
mkdir -p loop && ln -s ../loop loop/self && ln -s loop2 loop2
mkdir system32/x.dll && echo "keep me" >system32/x.dll/inside.txt
echo "not a directory" >sys
mkfifo system32/fifo.dll
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("system32/sock.dll")'
mkdir -p system32/dllcache && mkfifo system32/dllcache/good.dll  # a host store holding a FIFO
cd "$T"
mkdir -p src-fifo && mkfifo src-fifo/good.dll
{
  for p in system32/a.dll system32/b.dll loop/self/self/f.dll loop2/f.dll system32/x.dll sys/f.dll \
    system32/fifo.dll system32/sock.dll system32/good.dll system32/ok.dll; do
    printf '%s  WINDOWS/%s\n' "$good" "$p"
  done
} >t.sha256
rm -f t.sha256.sig && sign t.sha256
run 4 tl scan -t vol -m t.sha256 --json r.json
for p in system32/a.dll system32/b.dll; do
  assert_contains "$T/out" "'WINDOWS/$p' is a symbolic link; lifeboat never follows links out of place"
done
assert_contains "$T/out" "'WINDOWS/loop/self' is a symbolic link"
assert_contains "$T/out" "'WINDOWS/loop2' is a symbolic link"
assert_contains "$T/out" "'WINDOWS/system32/x.dll' is a directory where the manifest expects a file; left alone"
assert_contains "$T/out" "'WINDOWS/sys' is not a directory, but the manifest expects one there"
assert_contains "$T/out" "'WINDOWS/system32/fifo.dll' is not a regular file where the manifest expects a file; left alone"
assert_contains "$T/out" "'WINDOWS/system32/sock.dll' is not a regular file where the manifest expects a file; left alone"
assert_contains "$T/out" "1 ok, 1 missing, 0 corrupt, 8 unrepaired"
before=$(state vol)
run 5 tl fix "${K[@]}" -t vol -m t.sha256 -s src-fifo -s src --search-volume --yes --json r.json
assert_eq "$(jqr r.json '.files[] | select(.path == "WINDOWS/system32/good.dll") | .source')" "src:good.dll"
assert_contains "$T/out" "1 restored, 8 unrepaired"
assert_eq "$(sha vol/WINDOWS/system32/good.dll)" "$good"
rm vol/WINDOWS/system32/good.dll
assert_eq "$(state vol)" "$before" "the target apart from the restored file"
assert_eq "$(cat vol/WINDOWS/system32/x.dll/inside.txt)" "keep me"
assert_eq "$(cat vol/WINDOWS/sys)" "not a directory"
[[ -p vol/WINDOWS/system32/fifo.dll && -S vol/WINDOWS/system32/sock.dll && -p src-fifo/good.dll ]] ||
  fail "a FIFO or socket was replaced"
no_leftovers
pass "symlink loops, a directory or FIFO or socket at a file's path, a file at a directory's path: unrepaired, left as they were, no hang (exit 5)"

fresh_vol
chmod 000 vol/WINDOWS/system32/ok.dll
printf '%s  WINDOWS/system32/ok.dll\n' "$good" >p.sha256
if ((EUID == 0)); then
  # Root reads it whatever its mode; a real read failure needs another user.
  run 0 tl scan -t vol -m p.sha256
  assert_contains "$T/out" "1 ok, 0 missing"
  if command -v setpriv >/dev/null; then
    chmod 711 "$T"
    run 4 timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$LB" scan -t vol -m p.sha256
    chmod 700 "$T"
    assert_contains "$T/out" "CORRUPT     WINDOWS/system32/ok.dll"
    assert_contains "$T/out" "unreadable: open vol/WINDOWS/system32/ok.dll: Permission denied"
    pass "chmod 000: root reads it (ok, exit 0); as nobody it is corrupt 'unreadable: ... Permission denied' (exit 4)"
  else
    pass "chmod 000: root reads it (ok, exit 0); skipped as another user: no setpriv"
  fi
else
  run 4 tl scan -t vol -m p.sha256
  assert_contains "$T/out" "unreadable: open vol/WINDOWS/system32/ok.dll: Permission denied"
  pass "chmod 000: corrupt 'unreadable: ... Permission denied' (exit 4)"
fi
