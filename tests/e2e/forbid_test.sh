#!/usr/bin/env bash
# Known-bad files (the CrowdStrike case): the shipped example manifest forbids
# the faulty channel file 291. fix moves the planted known-bad file into the
# backup and reports it removed; a later version matching the same pattern is
# left alone and reported; undo brings the removed file back byte for byte.
source "$(dirname "$0")/lib.sh"
"$SRC/tests/fixtures/make_channel_file_tree.sh" "$T/cs" >/dev/null
W=$T/cs/win
M=$SRC/manifests/examples/crowdstrike-channel-291.lbm
KEY=(--trusted-key "$SRC/manifests/keys/lifeboat-demo.pub")
D=Windows/System32/drivers/CrowdStrike
bad=$D/C-00000291-00000000-00000032.sys
good=$D/C-00000291-00000000-00000033.sys
before=$(state "$W")
bad_sha=$(sha "$W/$bad")

run 4 "$LB" scan -t "$W" -m "$M" "${KEY[@]}" --json s.json
assert_eq "$(jqr s.json '.manifest.signature')" "verified"
assert_eq "$(jqr s.json '.summary | "\(.known_bad) \(.unlisted)"')" "1 1"
assert_eq "$(jqr s.json ".files[] | select(.path == \"$bad\") | .state")" "known-bad"
assert_eq "$(jqr s.json ".files[] | select(.path == \"$good\") | .state")" "unlisted"
assert_eq "$(jqr s.json "[.files[] | select(.path | contains(\"C-00000290\"))] | length")" "0"
pass "scan: the known-bad channel file is found; another version of it is reported, not flagged"

run 1 "$LB" fix -t "$W" -m "$M" "${KEY[@]}" --yes --json f.json
assert_missing "$W/$bad"
assert_exists "$W/$good"
run_id=$(jqr f.json '.run_id')
assert_eq "$(sha "$W/lifeboat/backup/$run_id/$bad")" "$bad_sha" "the removed file in the backup"
assert_eq "$(jqr f.json ".files[] | select(.path == \"$bad\") | .state")" "removed"
assert_eq "$(jqr f.json '.summary.removed')" "1"
assert_eq "$(jqr f.json ".files[] | select(.path == \"$good\") | .state")" "unlisted"
run 0 "$LB" scan -t "$W" -m "$M" "${KEY[@]}"
pass "fix: known-bad file moved to the backup (not deleted), reported removed; the other version untouched"

run 0 "$LB" undo -t "$W" --json u.json
assert_eq "$(state "$W")" "$before" "tree after undo"
assert_eq "$(sha "$W/$bad")" "$bad_sha"
pass "undo brings the removed file back byte for byte"

# The rule is about content: the faulty bytes under another matching name are
# found too, and a non-matching name is not searched.
cp "$W/$bad" "$W/$D/C-00000291-00000000-00000099.sys"
cp "$W/$bad" "$W/$D/not-a-channel-file.sys"
run 4 "$LB" scan -t "$W" -m "$M" "${KEY[@]}" --json s2.json
assert_eq "$(jqr s2.json '.summary.known_bad')" "2"
pass "patterns match any channel-291 file with the bad content, and nothing outside the pattern"
