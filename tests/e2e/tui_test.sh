#!/usr/bin/env bash
# Screen test of `lifeboat tui` at 80x25 with TERM=vt100, driven through tmux
# like a technician at the keyboard: the volume list, manifest and signature,
# the findings (svchost.exe missing, from dllcache), the detail view, the
# y/n confirmation, the repair summary and its JSON report, undo from the
# summary (the tree byte-identical to before), an untrusted manifest, disk
# images (hibernated, BitLocker with its masked recovery password), and a
# scan cancelled with q that writes nothing.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "skip: tmux is not installed (scripts/setup.sh installs it)"; exit 77; }
infocmp vt100 >/dev/null 2>&1 || { echo "skip: no vt100 terminfo entry"; exit 77; }

make_xp
M=$T/fx/xp-sp3-x86.sha256
W=$T/fx/win
S=lbtui$$
export TMUX_TMPDIR=$T  # a tmux server of this test's own
trap 'tmux kill-server 2>/dev/null || true; [[ -n "${KEEP:-}" ]] || rm -rf "$T"' EXIT

# screen: the pane's text now, in $T/screen.
screen() { tmux capture-pane -p -t "$S" >"$T/screen"; }
# wait_for TEXT: polls the pane (up to 10 s) until it shows TEXT. Also the way
# to assert what a screen shows: under load, a capture can come mid-redraw.
wait_for() {
  for _ in $(seq 100); do
    screen
    grep -qF -- "$1" "$T/screen" && return 0
    sleep 0.1
  done
  cat "$T/screen" >&2
  fail "the screen never showed '$1'"
}
keys() { tmux send-keys -t "$S" "$@"; }
# start ARGS...: lifeboat tui in a fresh 80x25 vt100 pane; its exit code goes to $T/tui.rc.
start() {
  rm -f "$T/tui.rc"
  # Killing the last session ends the server, and it goes away asynchronously:
  # wait until it is gone, or new-session may reach the dying server ("server
  # exited unexpectedly", seen under parallel load).
  if tmux kill-server 2>/dev/null; then
    for _ in $(seq 50); do tmux has-session 2>/dev/null || break; sleep 0.1; done
    for _ in $(seq 50); do [[ -z "$(ls -A "$TMUX_TMPDIR"/tmux-* 2>/dev/null)" ]] && break; sleep 0.1; done
  fi
  tmux new-session -d -x 80 -y 25 -s "$S" -c "$PWD" \
    "TERM=vt100 $LB tui ${K[*]} --reports $T/reports $*; echo \$? >$T/tui.rc; sleep 60"
}
exited() {
  for _ in $(seq 100); do
    [[ -s "$T/tui.rc" ]] && { cat "$T/tui.rc"; return 0; }
    sleep 0.1
  done
  fail "lifeboat tui did not exit"
}

run 16 "$LB" tui --target "$W" --manifest "$M" </dev/null
assert_contains "$T/err" "not on a terminal"
pass "not on a terminal: usage error (exit 16), pointing to fix and auto"

before=$(state "$W")
start --target "$W" --manifest "$M" --source "$T/fx/payload.tar.gz"
wait_for "choose the Windows volume"
wait_for "[OK]"
wait_for "Volume: $W"
wait_for "Up/Down or j/k: move   Enter: check this volume   q: quit"
cp "$T/screen" "$T/volumes.txt"
pass "volumes screen lists the target as [OK] with the keys"

keys Enter
wait_for "scan finished"
wait_for "Manifest:  $M"
wait_for "Signature: [VERIFIED] signed by key"
wait_for "3 problem file(s), 3 can be repaired"
grep -qE '^  MISSING +WINDOWS/system32/svchost.exe +dllcache:svchost.exe$' "$T/screen" ||
  { cat "$T/screen" >&2; fail "svchost.exe is not listed missing with its dllcache source"; }
grep -qE 'CORRUPT +WINDOWS/system32/drivers/tcpip.sys +payload.tar.gz:i386/tcpip.sys$' "$T/screen" ||
  { cat "$T/screen" >&2; fail "tcpip.sys is not listed with its payload source"; }
grep -q '^> ' "$T/screen" || fail "no row is marked selected"
cp "$T/screen" "$T/findings.txt"
pass "findings: manifest, signature, each problem file with its planned source"

# A resize redraws: the help line follows the bottom edge, at 100x40 and back at 80x25.
tmux resize-window -t "$S" -x 100 -y 40
for _ in $(seq 50); do screen; [[ "$(sed -n 40p "$T/screen")" == "Up/Down PgUp/PgDn"* ]] && break; sleep 0.1; done
[[ "$(sed -n 40p "$T/screen")" == "Up/Down PgUp/PgDn"* ]] || { cat "$T/screen" >&2; fail "no help line on row 40 after the resize"; }
tmux resize-window -t "$S" -x 80 -y 25
for _ in $(seq 50); do screen; [[ "$(sed -n 25p "$T/screen")" == "Up/Down PgUp/PgDn"* ]] && break; sleep 0.1; done
[[ "$(sed -n 25p "$T/screen")" == "Up/Down PgUp/PgDn"* ]] || { cat "$T/screen" >&2; fail "no help line on row 25 after the resize back"; }
wait_for "3 problem file(s), 3 can be repaired"
pass "resize to 100x40 and back to 80x25 redraws the findings"

keys Down Down
keys Enter
wait_for "File:      WINDOWS/system32/svchost.exe"
wait_for "State:     MISSING"
wait_for "Expected:  $(grep ' WINDOWS/system32/svchost.exe$' "$M" | cut -d' ' -f1)"
wait_for "Source:    dllcache:svchost.exe"
wait_for "Size:      14336 bytes"
keys Escape
wait_for "scan finished"
pass "detail view: expected hash, size, source; Esc goes back"

keys r
wait_for "Repair 3 file(s)? y/n"
keys Enter x
sleep 0.3
screen
wait_for "Repair 3 file(s)? y/n"  # only y says yes
assert_eq "$(state "$W")" "$before" "tree changed before y"
keys y
wait_for "repair finished"
wait_for "Result:    repaired (exit 1)"
wait_for "Restored:  3"
wait_for "u: Undo this repair"
cp "$T/screen" "$T/summary.txt"
(cd "$W" && sha256sum --quiet -c "$M") || fail "repaired tree does not match the manifest"
run_id=$(sed -n 's/^Run: *//p' "$T/screen")
[[ -n "$run_id" ]] || fail "no run id on the summary"
report=$T/reports/lifeboat-$run_id.json
wait_for "Report saved to:"
wait_for "  $report"
jq_true "$report" '.command == "fix" and .exit_code == 1 and .summary.restored == 3'
assert_eq "$(jqr "$report" '.files[] | select(.path == "WINDOWS/system32/svchost.exe") | .source')" "dllcache:svchost.exe"
pass "y repairs; the summary says repaired, and the JSON report is saved"

keys u
wait_for "was reverted:"
wait_for "every file it changed is as it was before the repair."
wait_for "Files reverted: 3"
assert_eq "$(state "$W")" "$before" "tree after undo"
keys q
assert_eq "$(exited)" "0" "exit code after undo"
pass "u on the summary undoes the run: the tree is byte-identical to before"

# A manifest no trusted key signed: the error screen says why, nothing written.
echo "$(printf '%064d' 0)  WINDOWS/system32/svchost.exe" >unsigned.sha256
start --target "$W" --manifest "$T/unsigned.sha256"
wait_for "choose the Windows volume"
keys Enter
wait_for "cannot check this volume"
wait_for "manifest not trusted, nothing was done"
wait_for "Nothing was written."
keys Enter
wait_for "choose the Windows volume"
keys q
assert_eq "$(exited)" "0" "exit code after the error screen"
assert_eq "$(state "$W")" "$before" "tree after the error screen"
pass "an untrusted manifest: the error on its own screen, back to the volumes"

# Disk images: a hibernated volume cannot be chosen (the reason is shown); a
# BitLocker-locked one asks for its recovery password in a masked field, and
# a wrong one ends on the error screen with dislocker's word, images unchanged.
MK=${MKFIXTURE:-$SRC/build/tests/lifeboat_mkfixture}
MKFIXTURE=$MK "$SRC/tests/fixtures/make_windows_images.sh" "$T/img" >/dev/null
cd "$T/img"
images_before=$(sha bitlocker.img)$(sha win7-hibernated.img)
start --image bitlocker.img --image win7-hibernated.img --manifest "$M"
wait_for "[BITLOCKER LOCKED]"
wait_for "7 SP1 x64         [HIBERNATED]"
wait_for "BITLOCKER LOCKED: encrypted. Press Enter to type its 48-digit recovery password."
keys Down Enter
wait_for "Cannot repair win7-hibernated.img#1: HIBERNATED."
keys Up Enter
wait_for "Recovery password: _"
keys 123456-1
wait_for "7 of 48 digits"
wait_for "Recovery password: ******-*_"
grep -q 123456 "$T/screen" && fail "the recovery password is shown"
keys Enter
wait_for "A recovery password has 48 digits (8 groups of 6); 7 typed."
keys 11111-222222-333333-444444-555555-666666-777777
wait_for "48 of 48 digits"
keys Enter
wait_for "cannot check this volume"
wait_for "dislocker"
wait_for "Nothing was written."
keys Enter
wait_for "choose the Windows volume"
keys q
assert_eq "$(exited)" "0" "exit code after the BitLocker error"
assert_eq "$(sha bitlocker.img)$(sha win7-hibernated.img)" "$images_before" "images after the TUI"
grep -q dislocker /proc/mounts && fail "a dislocker mount was left behind"
cd "$T"
pass "images: hibernated refused with the reason, BitLocker password masked, a wrong one refused cleanly"

# Cancel: a 6 GiB sparse file hashed by one thread keeps the scan busy for
# seconds; q on the progress screen stops it, back on the volume list, with
# nothing written.
mkdir -p big/WINDOWS
truncate -s 6G big/WINDOWS/big.bin
echo "$(printf '%064d' 0)  WINDOWS/big.bin" >big.sha256
sign big.sha256
# The tree as find sees it (sizes and modification times: hashing 6 GiB twice would be slow).
big_state() { find big -printf '%y %m %s %T@ %p\n' | LC_ALL=C sort; }
big_before=$(big_state)
start --target "$T/big" --manifest "$T/big.sha256" --jobs 1
wait_for "choose the Windows volume"
keys Enter
wait_for "Checking the files on the volume"
scan_started=$SECONDS
wait_for "Esc or q: cancel"
grep -qE '^\[[#.]+\] +[0-9]+%$' "$T/screen" || fail "no progress bar"
keys q
wait_for "Scan cancelled: nothing was written."
((SECONDS - scan_started < 5)) || fail "the cancel took more than 5 s"
wait_for "choose the Windows volume"
assert_eq "$(big_state)" "$big_before" "tree after a cancelled scan"
assert_missing big/lifeboat
keys q
assert_eq "$(exited)" "0" "exit code after a cancelled scan"
pass "q during the scan cancels it, writes nothing and returns to the volumes"
