#!/usr/bin/env bash
# The command line contract: --help with examples, usage errors (16), fix
# refusing to run unattended without --yes, --dry-run writing nothing, JSON on
# stdout, --all, --quiet, undo --list.
source "$(dirname "$0")/lib.sh"
make_xp
W=$T/fx/win
M=$T/fx/xp-sp3-x86.sha256
S=(--source "$T/fx/payload.tar.gz" --source "$W/WINDOWS/system32/dllcache")
before=$(state "$W")

run 0 "$LB" --help
for c in scan fix undo; do assert_contains "$T/out" "$c"; done
for c in scan fix undo; do
  run 0 "$LB" "$c" --help
  assert_contains "$T/out" "Example:"
  assert_contains "$T/out" "Exit:"
done
run 0 "$LB" --version
assert_contains "$T/out" "lifeboat "
pass "--help for every command, with an example and exit codes"

run 16 "$LB"
run 16 "$LB" scan --target "$W"
run 16 "$LB" scan --target "$W" --manifest "$M" --bogus
run 16 "$LB" frobnicate
run 16 "$LB" scan -t "$W" -m "$M" --jobs 0
pass "usage errors exit 16"

# fix without --yes and without a terminal: refused before anything happens.
run 16 "$LB" fix "${K[@]}" -t "$W" -m "$M" "${S[@]}" </dev/null
assert_contains "$T/err" "--yes"
assert_eq "$(state "$W")" "$before" "tree after refused fix"
assert_missing "$W/lifeboat"
pass "fix without --yes off a terminal: exit 16, nothing written"

run 4 "$LB" fix "${K[@]}" -t "$W" -m "$M" "${S[@]}" --dry-run --json dry.json
assert_contains "$T/out" "restore     WINDOWS/system32/svchost.exe"
assert_contains "$T/out" "replace     WINDOWS/system32/kernel32.dll"
assert_contains "$T/out" "from dllcache:svchost.exe"
assert_eq "$(jqr dry.json '.dry_run')" "true"
assert_eq "$(jqr dry.json '.files[] | select(.path | endswith("svchost.exe")) | "\(.state) \(.source)"')" \
  "missing dllcache:svchost.exe"
assert_eq "$(state "$W")" "$before" "tree after --dry-run"
assert_missing "$W/lifeboat"
# Ok files get report rows only with --all (a million healthy files cost no memory); the
# problem rows and the counts are the same either way.
run 4 "$LB" fix "${K[@]}" -t "$W" -m "$M" "${S[@]}" --dry-run --json dry-all.json --all
assert_eq "$(jqr dry-all.json '.files | length')" "21"
assert_eq "$(jqr dry.json '.files | length')" "3"
assert_eq "$(jq -c '.summary' dry.json)" "$(jq -c '.summary' dry-all.json)" "summary with and without --all"
assert_eq "$(jq -c '[.files[] | select(.state != "ok")]' dry.json)" \
  "$(jq -c '[.files[] | select(.state != "ok")]' dry-all.json)" "problem rows with and without --all"
pass "fix --dry-run prints the plan and writes nothing"

# JSON on stdout stays clean JSON; the text goes to stderr.
run 4 "$LB" scan -t "$W" -m "$M" --json -
jq -e . "$T/out" >/dev/null || fail "stdout is not JSON"
assert_contains "$T/err" "MISSING"
run 4 "$LB" scan -t "$W" -m "$M" --json - --all
assert_eq "$(jqr "$T/out" '.files | length')" "21"
assert_eq "$(jqr "$T/out" '[.files[] | select(.state == "ok")] | length')" "18"
run 4 "$LB" scan -t "$W" -m "$M" --quiet
assert_eq "$(cat "$T/out")" "" "stdout with --quiet"
pass "--json -, --all and --quiet"

# Progress goes to stderr only on a terminal: none here.
run 4 "$LB" scan -t "$W" -m "$M"
! grep -q $'\r' "$T/err" || fail "progress line written to a non-terminal"
pass "no progress output when stderr is not a terminal"

# A target that is not there: operational error with a JSON report.
run 8 "$LB" scan -t "$T/nope" -m "$M" --json err.json
assert_eq "$(jqr err.json '.exit_code')" "8"
assert_contains err.json "nope"
pass "missing target: exit 8 with the error in the JSON report"

run 0 "$LB" undo -t "$W" --list
assert_contains "$T/out" "No lifeboat runs"
run 8 "$LB" undo -t "$W"
assert_contains "$T/err" "nothing to undo"
run 1 "$LB" fix "${K[@]}" -t "$W" -m "$M" "${S[@]}" --yes --json fix.json
id=$(jqr fix.json '.run_id')
assert_eq "$(jqr fix.json '[.files[] | select(.state == "restored")] | length')" "3"
assert_eq "$(jqr fix.json '.summary.restored') $(jqr fix.json '.summary.ok')" "3 18"
run 0 "$LB" undo -t "$W" --list
assert_contains "$T/out" "$id"
assert_contains "$T/out" "3/3"
assert_contains "$T/out" "complete"
run 0 "$LB" undo -t "$W" --run "$id" --dry-run
assert_contains "$T/out" "put back"
assert_contains "$T/out" "take away"
run 0 "$LB" scan -t "$W" -m "$M"
run 8 "$LB" undo -t "$W" --run "20990101-000000-ffff"
run 8 "$LB" undo -t "$W" --run "../../etc"
run 0 "$LB" undo -t "$W" --run "$id"
run 0 "$LB" undo -t "$W" --list
assert_contains "$T/out" "undone"
pass "undo --list, --run, --dry-run, unknown and malformed run ids"

# On a terminal (a pty from script(1)), fix shows the plan and asks once.
make_xp
before=$(state "$W")
cmd="$LB fix --keys-dir $T/keys -t $W -m $M --source $T/fx/payload.tar.gz --source $W/WINDOWS/system32/dllcache"
code=0
printf 'n\n' | script -qec "$cmd" /dev/null >tty.txt || code=$?
assert_eq "$code" "36" "exit after answering no"
assert_contains tty.txt "Write these 3 file(s)"
assert_contains tty.txt "cancelled: nothing was written"
assert_eq "$(state "$W")" "$before" "tree after answering no"
assert_missing "$W/lifeboat"
code=0
printf 'y\n' | script -qec "$cmd" /dev/null >tty.txt || code=$?
assert_eq "$code" "1" "exit after answering yes"
grep -q $'scan .*files' tty.txt || fail "no progress line on the terminal"
run 0 "$LB" scan -t "$W" -m "$M"
pass "on a terminal: plan, one question; 'n' writes nothing (exit 36), 'y' repairs; progress shown"

# undo --all reports every run in one JSON report; a no-op undo still writes one.
make_xp
before=$(state "$W")
run 5 "$LB" fix "${K[@]}" -t "$W" -m "$M" -s "$W/WINDOWS/system32/dllcache" --yes
run 1 "$LB" fix "${K[@]}" -t "$W" -m "$M" -s "$T/fx/payload.tar.gz" --yes
run 0 "$LB" undo -t "$W" --all --json all.json
assert_eq "$(jqr all.json '.summary.reverted')" "3"
assert_eq "$(jqr all.json '.run_id | split(" ") | length')" "2"
assert_eq "$(state "$W")" "$before" "tree after undo --all"
run 0 "$LB" undo -t "$W" --json again.json
assert_eq "$(jqr again.json '.files | length')" "0"
assert_contains again.json "already undone"
run 0 "$LB" undo -t "$W" --all --json none.json
assert_contains none.json "already undone"
pass "undo --all: one JSON report for all runs; no-op undos still report"

# The wrong --target: the parent of the Windows tree (/mnt for /mnt/win), or an empty folder. None of the
# manifest's folders is there, so fix refuses (exit 8) and writes nothing at all, not even lifeboat/;
# --dry-run says it would refuse; --allow-new-tree builds the tree, and undo takes it away again.
make_xp
before=$(state "$T/fx")
run 8 "$LB" fix "${K[@]}" -t "$T/fx" -m "$M" -s "$T/fx/payload.tar.gz" --yes --json wrong.json
assert_contains wrong.json "not even 'WINDOWS'"
assert_contains wrong.json "--allow-new-tree"
assert_eq "$(state "$T/fx")" "$before" "the parent folder after the refused fix"
[[ ! -e "$T/fx/lifeboat" && ! -e "$T/fx/WINDOWS" ]] || fail "the refused fix wrote into the parent folder"
run 4 "$LB" fix "${K[@]}" -t "$T/fx" -m "$M" -s "$T/fx/payload.tar.gz" --dry-run --json wrong-dry.json
assert_contains wrong-dry.json "would refuse to write: none of the manifest"
mkdir "$T/new"
# (exit 5: the payload holds only some of the manifest's files)
run 5 "$LB" fix "${K[@]}" -t "$T/new" -m "$M" -s "$T/fx/payload.tar.gz" --yes --allow-new-tree --json new.json
restored=$(jqr new.json '.summary.restored')
((restored > 0)) || fail "--allow-new-tree restored nothing"
assert_eq "$(find "$T/new" -path "$T/new/lifeboat" -prune -o -type f -print | wc -l)" "$restored" "files in the new tree"
run 0 "$LB" undo -t "$T/new" -q
[[ -z "$(find "$T/new" -path "$T/new/lifeboat" -prune -o -type f -print)" ]] || fail "undo left files of the new tree"
pass "fix on the wrong target (no folder of the manifest): exit 8, nothing written; --allow-new-tree builds it, undo removes it"
