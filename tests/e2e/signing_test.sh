#!/usr/bin/env bash
# Trust: signatures interoperate with OpenBSD signify in both directions; fix
# writes only from a manifest a trusted key signed (or with --allow-unsigned,
# recorded loudly); a one-byte change to a signed manifest is refused by
# scan and fix (exit 8) with nothing written.
source "$(dirname "$0")/lib.sh"
command -v signify-openbsd >/dev/null || fail "signify-openbsd is missing (scripts/setup.sh installs it)"
make_xp
W=$T/fx/win
M=$T/fx/xp-sp3-x86.sha256
S=(--source "$W/WINDOWS/system32/dllcache" --source "$T/fx/payload.tar.gz")
before=$(state "$W")

# lifeboat keygen + sign, signify verifies.
run 0 "$LB" manifest keygen -p acme.pub -s acme.sec -c "ACME repair"
keyid=$(awk '{print $3}' "$T/out" | tr -d ':')
assert_contains acme.pub "untrusted comment: ACME repair public key"
assert_eq "$(stat -c %a acme.sec)" "600" "secret key mode"
cp "$M" m1.sha256
run 0 "$LB" manifest sign -s acme.sec -m m1.sha256
assert_contains m1.sha256.sig "untrusted comment: verify with acme.pub"
run 0 signify-openbsd -V -p acme.pub -m m1.sha256 -x m1.sha256.sig
assert_contains "$T/out" "Signature Verified"
pass "lifeboat keygen/sign, verified by signify -V"

# signify keygen + sign, lifeboat verifies and trusts.
run 0 signify-openbsd -G -n -p bsd.pub -s bsd.sec -c "signify key"
cp "$M" m2.sha256
run 0 signify-openbsd -S -s bsd.sec -m m2.sha256 -x m2.sha256.sig
run 0 "$LB" manifest verify -p bsd.pub -m m2.sha256
assert_contains "$T/out" "Signature Verified"
run 4 "$LB" scan -t "$W" -m m2.sha256 --trusted-key bsd.pub --json s.json
assert_eq "$(jqr s.json '.manifest.signature')" "verified"
pass "signify -G/-S, verified and trusted by lifeboat"

# Signed checklists (signify -S -e of "SHA256 (name) = hash", checked by signify -C): both ways.
cp "$M" m3.sha256
run 0 "$LB" manifest sign --checklist -s acme.sec -m m3.sha256
assert_contains m3.sha256.sig "SHA256 (m3.sha256) = $(sha m3.sha256)"
run 0 signify-openbsd -C -p acme.pub -x m3.sha256.sig
assert_contains "$T/out" "m3.sha256: OK"
run 0 "$LB" manifest verify -p acme.pub -m m3.sha256
assert_contains "$T/out" "checklist"
cp "$M" m4.sha256
sha256sum --tag m4.sha256 >m4.list
run 0 signify-openbsd -S -e -s bsd.sec -m m4.list -x m4.sha256.sig
run 4 "$LB" scan -t "$W" -m m4.sha256 --trusted-key bsd.pub --json c.json
assert_eq "$(jqr c.json '.manifest.signature')" "verified"
printf '#\n' >>m4.sha256  # changed after signing
run 8 "$LB" fix -t "$W" -m m4.sha256 --trusted-key bsd.pub "${S[@]}" --yes
assert_contains "$T/err" "does not match the SHA-256 in the signed checklist"
assert_eq "$(state "$W")" "$before" "tree after a manifest that no longer matches its checklist"
run 8 "$LB" manifest verify -p bsd.pub -m m4.sha256
pass "signed checklists: lifeboat's checked by signify -C, signify's trusted by lifeboat, a change refused"

# A signed manifest fixes; the report names the signer and the manifest hash.
run 1 "$LB" fix -t "$W" -m m1.sha256 --trusted-key acme.pub "${S[@]}" --yes --json f.json
assert_eq "$(jqr f.json '.manifest.signature')" "verified"
assert_eq "$(jqr f.json '.manifest.signer')" "$keyid"
assert_eq "$(jqr f.json '.manifest.signer_key')" "acme.pub"
assert_eq "$(jqr f.json '.manifest.sha256')" "$(sha m1.sha256)"
run 0 "$LB" undo -t "$W"
assert_eq "$(state "$W")" "$before" "tree after undo"
pass "fix from a signed manifest records signer and manifest hash"

# One byte changed after signing: refused by fix and scan, nothing written.
cp m1.sha256 tampered.sha256 && cp m1.sha256.sig tampered.sha256.sig
printf '0' | dd of=tampered.sha256 bs=1 seek=10 conv=notrunc status=none
rm -rf "$W/lifeboat"
run 8 "$LB" fix -t "$W" -m tampered.sha256 --trusted-key acme.pub "${S[@]}" --yes --json t.json
assert_contains "$T/err" "does not match the manifest"
assert_eq "$(jqr t.json '.exit_code')" "8"
assert_eq "$(state "$W")" "$before" "tree after the tampered manifest"
assert_missing "$W/lifeboat"
run 8 "$LB" fix -t "$W" -m tampered.sha256 --trusted-key acme.pub "${S[@]}" --yes --allow-unsigned
assert_missing "$W/lifeboat"
run 8 "$LB" scan -t "$W" -m tampered.sha256 --trusted-key acme.pub
pass "a one-byte change to a signed manifest: exit 8, nothing written, even with --allow-unsigned"

# Unsigned: scan warns, fix refuses, --allow-unsigned repairs and says so.
cp "$M" plain.sha256
run 4 "$LB" scan -t "$W" -m plain.sha256 --json u.json
assert_eq "$(jqr u.json '.manifest.signature')" "unsigned"
assert_contains u.json "UNTRUSTED MANIFEST"
run 8 "$LB" fix -t "$W" -m plain.sha256 "${S[@]}" --yes
assert_contains "$T/err" "--allow-unsigned"
assert_missing "$W/lifeboat"
run 1 "$LB" fix -t "$W" -m plain.sha256 "${S[@]}" --yes --allow-unsigned --json a.json
assert_contains "$T/err" "WARNING: UNTRUSTED MANIFEST"
assert_contains a.json "repairing anyway because --allow-unsigned was given"
assert_eq "$(jqr a.json '.manifest.signature')" "unsigned"
run 0 "$LB" undo -t "$W"
pass "unsigned: scan warns, fix refuses (exit 8), --allow-unsigned repairs with a loud warning"

# Signed by a key nobody trusts: refused by fix; trusted through a keys dir.
run 8 "$LB" fix -t "$W" -m m1.sha256 "${S[@]}" --yes
assert_contains "$T/err" "not a trusted key"
mkdir -p trust && cp acme.pub trust/
run 1 "$LB" fix -t "$W" -m m1.sha256 --keys-dir trust "${S[@]}" --yes
pass "unknown signer refused; keys from --keys-dir trusted"

# A damaged key or signature file is an error, not a silent downgrade.
echo "garbage" >bad.pub
run 8 "$LB" scan -t "$W" -m m1.sha256 --trusted-key bad.pub
cp m1.sha256 m3.sha256 && echo "untrusted comment: x" >m3.sha256.sig && echo "!!!" >>m3.sha256.sig
run 8 "$LB" scan -t "$W" -m m3.sha256 --trusted-key acme.pub
pass "unreadable keys and signatures are refused"
