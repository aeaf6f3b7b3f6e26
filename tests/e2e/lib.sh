# Shared helpers for the e2e tests: each test sources this, builds its own
# temp tree, runs the real build/lifeboat and asserts on exit codes, files and
# JSON reports. A failed assertion prints what differed and exits 1.
set -euo pipefail

SRC=${LIFEBOAT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LB=${LIFEBOAT:-$SRC/build/lifeboat}
[[ -x "$LB" ]] || { echo "no lifeboat binary at $LB (build first)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-e2e.XXXXXX")
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$T"' EXIT
cd "$T"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
pass() { echo "ok - $*"; }

# run EXPECTED_EXIT CMD...: runs CMD, keeps stdout/stderr in $T/out, $T/err.
run() {
  local want=$1
  shift
  local got=0
  "$@" >"$T/out" 2>"$T/err" || got=$?
  if [[ "$got" != "$want" ]]; then
    echo "--- stdout" >&2; cat "$T/out" >&2
    echo "--- stderr" >&2; cat "$T/err" >&2
    fail "exit $got, expected $want: $*"
  fi
}

assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-values differ}: got '$1', expected '$2'"; }
assert_contains() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 does not contain '$2'"; }; }
assert_missing() { [[ ! -e "$1" && ! -L "$1" ]] || fail "$1 exists but should not"; }
assert_exists() { [[ -e "$1" ]] || fail "$1 does not exist"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# jqr FILE FILTER: the raw result of a jq query (fails on invalid JSON)
jqr() { jq -r "$2" "$1" || fail "jq '$2' failed on $1"; }
# jq_true FILE FILTER: the filter must yield true
jq_true() { [[ "$(jqr "$1" "$2")" == "true" ]] || fail "not true: jq '$2' on $1"; }

# state DIR: every path beneath DIR (except DIR/lifeboat) with its type,
# mode and, for files, SHA-256; symlinks with their target.
state() {
  (
    cd "$1"
    find . -path ./lifeboat -prune -o -printf '%y %m %p -> %l\n' | LC_ALL=C sort
    find . -path ./lifeboat -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

# A signing key for this test, as an organisation would have: fix only trusts
# signed manifests. K holds the option that trusts it; sign FILE signs one.
mkdir -p "$T/keys"
"$LB" manifest keygen -p "$T/keys/e2e.pub" -s "$T/e2e.sec" -c "lifeboat e2e" >/dev/null
K=(--keys-dir "$T/keys")
sign() { "$LB" manifest sign -s "$T/e2e.sec" -m "$1" >/dev/null || fail "cannot sign $1"; }

# The standard damaged XP tree in $T/fx, its manifest signed.
make_xp() {
  "$SRC/tests/fixtures/make_xp_tree.sh" "$T/fx" "$@" >/dev/null
  rm -f "$T/fx/xp-sp3-x86.sha256.sig"
  sign "$T/fx/xp-sp3-x86.sha256"
}
