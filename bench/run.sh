#!/usr/bin/env bash
# How fast is lifeboat, and how close to what the machine can do? (issue 8)
#   bench/run.sh [--quick] [--rounds N] [--runs N]     measure; tables on stdout and in results.md
#   bench/run.sh --clean                                 remove the work dir (and its trees)
# Run as root on a quiet machine (Debian 12); it takes ~20 min (~4 of them making the trees, once)
# and ~12 GiB of disk in the work dir
# (BENCH_DIR, default /var/tmp/lifeboat-bench; --quick: /var/tmp/lifeboat-bench-quick, 1-2 min).
# LIFEBOAT=/path/to/lifeboat chooses the binary (default build/lifeboat, built if missing).
#
# Trees come from bench/gen_tree.py (deterministic) and are kept between runs; a stamp file per tree
# records how it was made, so a changed size or generator makes it again. Measured:
#  1. warm cache, system-like tree (2 GiB, 20k files) and small-file tree (200k files of 0-8 KiB):
#     lifeboat scan (.lbm, sizes first) vs sha256sum -c, hashdeep -a (audit, all threads),
#     rhash -c, cat of every file with one reader per CPU, and bench/read_hash_floor (SHA-256 of
#     every file in inode order, one thread per CPU, the bytes got by read() or by mmap: what no
#     scan can avoid). Each tool's result is checked once on the healthy tree before it is timed. Interleaving: hyperfine runs a command's runs back
#     to back, so the measurement is ROUNDS hyperfine invocations of all commands (RUNS runs each,
#     one warmup in the first round), the command order rotated each round; medians are over all
#     rounds. Drift on a shared machine then hits every tool alike.
#     The limit is max(cat time, bytes / SHA-256 throughput of all cores (openssl speed -multi,
#     16 KiB blocks)); "lifeboat = F x limit". The CPU column (user+sys) shows where the
#     time goes: hashing alone costs bytes / one core's SHA-256 rate, and the fastest floor's
#     CPU beyond that is what getting the bytes to the hash costs on the same cores.
#  2. peak RSS: one more run of each tool under /usr/bin/time -f %M.
#  3. cold cache (sync; echo 3 > /proc/sys/vm/drop_caches before each run), when that is writable.
#  4. growth: lifeboat scan of the system-like layout at 5,000 files / 512 MiB, twice and four
#     times over (gen_tree.py --scale), so the largest is 2 GiB; time per GB and its deviation
#     from linear.
#  5. memory at 1M manifest entries: a tree of 1,000,000 files of 0-64 bytes with a correct
#     manifest (all ok), and a 1M-entry manifest against an empty directory (all missing).
#  6. fix restoring 1,000 missing files (a sample of the system tree, so its size mix) from a flat
#     dllcache-like directory (--source, --no-host-stores), with journal and fsyncs, against
#     cp + sha256sum -c of the same files (with and without an fsync of each file and directory).
#     Each run gets a fresh damaged copy (hyperfine --prepare: cp -al of the tree, 1,000 removed).
# Writes only beneath BENCH_DIR: results.md, raw/ (hyperfine JSON and log), the trees.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

quick=0 clean=0 rounds="" runs=""
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --clean) clean=1 ;;
    --rounds) rounds=${2:?--rounds N}; shift ;;
    --runs) runs=${2:?--runs N}; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 16 ;;
  esac
  shift
done
if ((quick)); then D=${BENCH_DIR:-/var/tmp/lifeboat-bench-quick}; else D=${BENCH_DIR:-/var/tmp/lifeboat-bench}; fi
D=${D%/}
[[ -n $D && $D != / ]] || { echo "run.sh: BENCH_DIR must name a directory of its own" >&2; exit 16; }

if ((clean)); then
  if [[ -e $D ]]; then
    [[ -f $D/.lifeboat-bench ]] || { echo "run.sh: $D was not made by run.sh; not removing it" >&2; exit 8; }
    rm -rf "$D"
    echo "removed $D"
  fi
  exit 0
fi

# Sizes. --quick: everything small, for a smoke run.
if ((quick)); then
  sys_args=(--files 2000 --bytes $((64 << 20)))
  small_args=(--files 5000)
  grow_args=(--files 500 --bytes $((16 << 20)))
  tiny_n=20000 million_n=20000 fix_n=200
  rounds=${rounds:-2} runs=${runs:-1} cold_runs=1 fix_runs=2 grow_runs=2 ossl_secs=1
else
  sys_args=()
  small_args=()
  grow_args=(--files 5000 --bytes $((512 << 20)))
  tiny_n=1000000 million_n=1000000 fix_n=1000
  rounds=${rounds:-3} runs=${runs:-2} cold_runs=3 fix_runs=5 grow_runs=5 ossl_secs=3
fi

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 8; }

# 1. Tools: say what is missing and install it, never silently.
need=()
for t in hyperfine hashdeep rhash sha256sum openssl python3; do
  command -v "$t" >/dev/null || need+=("$([[ $t == sha256sum ]] && echo coreutils || echo "$t")")
done
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]})); then
  echo "missing tools; installing them with:" >&2
  echo "  apt-get install -y ${need[*]}" >&2
  ((EUID == 0)) || die "not root: run the line above as root, then this script again"
  apt-get install -y "${need[@]}" >&2
fi
((EUID == 0)) || echo "run.sh: not root; the cold-cache measurement will be skipped" >&2

LB=${LIFEBOAT:-$repo/build/lifeboat}
if [[ ! -x $LB ]]; then
  [[ -z ${LIFEBOAT:-} ]] || die "LIFEBOAT=$LB is not an executable"
  log "building lifeboat (scripts/build.sh) ..."
  scripts/build.sh >/dev/null
fi
lbq=$(printf %q "$LB")
# bench/read_hash_floor.cc: EVP SHA-256 of every file (by read() or mmap) and nothing else, the
# floor of a scan. Built (or brought up to date) every time: it is small.
FLOOR=$repo/build/read_hash_floor
log "building read_hash_floor ..."
cmake --build "$repo/build" --target read_hash_floor >/dev/null || die "cannot build $FLOOR (scripts/build.sh first)"
floorq=$(printf %q "$FLOOR")

mkdir -p "$D/raw"
touch "$D/.lifeboat-bench"
raw=$D/raw
res=$D/results.md
hflog=$raw/hyperfine.log
: >"$hflog"
rm -f "$raw"/*.json
cleanup() { rm -rf "$D/system/dmg" "$D/empty" "$D/rss.tmp"; }
trap cleanup EXIT

avail_gib=$(($(df -Pk "$D" | awk 'NR==2 {print $4}') / 1048576))
((quick || avail_gib >= 16 || $(du -sk "$D" | cut -f1) > 8000000)) ||
  die "$D has $avail_gib GiB free; the full run needs ~14 GiB (BENCH_DIR=... to use another disk)"

ncpu=$(nproc)
gen=$repo/bench/gen_tree.py
genhash=$(sha256sum <"$gen" | cut -c1-16)

# dataset NAME CMD...: run CMD to make $D/NAME unless $D/NAME.stamp says it was made that way.
dataset() {
  local name=$1 stamp
  shift
  stamp="$* (gen_tree.py $genhash)"
  if [[ -e $D/$name && -f $D/$name.stamp && $(<"$D/$name.stamp") == "$stamp" ]]; then return; fi
  rm -rf "${D:?}/$name" "$D/$name.stamp"
  log "making $name: ${*#"$gen "} ..."
  "$@"
  printf '%s\n' "$stamp" >"$D/$name.stamp"
}

# 2. The trees.
dataset system python3 "$gen" system "$D/system" "${sys_args[@]}"
dataset system/fix python3 "$gen" fixset "$D/system" --files "$fix_n"
dataset small python3 "$gen" small "$D/small" "${small_args[@]}"
for k in 1 2 4; do
  dataset "growth-$k" python3 "$gen" system "$D/growth-$k" "${grow_args[@]}" --scale "$k"
done
dataset tiny python3 "$gen" tiny "$D/tiny" --files "$tiny_n"
dataset million.lbm python3 "$gen" million "$D/million.lbm" --files "$million_n"

# Sum of sizes and count of the require lines of a lifeboat manifest.
lbm_bytes() { awk '$1 == "require" {s += $3} END {printf "%d\n", s}' "$1"; }
lbm_count() { grep -c '^require ' "$1"; }

# hf ARGS...: hyperfine without a shell (-N), its own output to the log.
hf() {
  hyperfine -N --style basic "$@" >>"$hflog" 2>&1 ||
    { tail -20 "$hflog" >&2; die "hyperfine failed (log: $hflog)"; }
}

# check NAME WANT_RC CMD: run CMD once (words as hyperfine -N splits them) and insist on its exit
# code; this also warms the cache. hashdeep must also say that the audit passed.
check() {
  local name=$1 want=$2 cmd=$3 out rc=0
  out=$(eval "$cmd" 2>&1) || rc=$?
  if [[ $rc != "$want" ]]; then
    printf '%s\n' "$out" | tail -5 >&2
    die "$name: exit $rc, expected $want, on the healthy tree ($PWD: $cmd)"
  fi
  if [[ $name == hashdeep* && $out != *"Audit passed"* ]]; then
    die "hashdeep did not report 'Audit passed': $out"
  fi
}

# rss NAME CMD: one more run under /usr/bin/time; appends "NAME<TAB>KiB" to $rssf.
rss() {
  eval "/usr/bin/time -f %M -o $(printf %q "$D/rss.tmp") $2" >/dev/null 2>&1 || true
  printf '%s\t%s\n' "$1" "$(tail -1 "$D/rss.tmp")" >>"$rssf"
}

# table TITLE BYTES REF RSSFILE JSON...: a markdown table of the hyperfine results (medians over
# all JSON files), GB/s over BYTES, ratios to the command named REF. A command whose name starts
# with "cat" gives the read rate and, with HASH_BPS, the limit line. With BASELINES=PREFIX, a line
# "REF / X" for every command whose name starts with PREFIX.
table() {
  python3 - "$@" <<'PY'
import json, os, statistics, sys
title, nbytes, ref, rssf, *files = sys.argv[1:]
nbytes = int(nbytes)
times, order, cpu = {}, [], {}
for fn in files:
    for r in json.load(open(fn))["results"]:
        if r["command"] not in times:
            order.append(r["command"])
        times.setdefault(r["command"], []).extend(r["times"])
        cpu.setdefault(r["command"], []).append(r["user"] + r["system"])
rss = {}
if rssf != "-" and os.path.exists(rssf):
    for line in open(rssf):
        name, _, kib = line.rstrip("\n").partition("\t")
        rss[name] = "%.0f" % (int(kib) / 1024) if kib.isdigit() else "?"
med = {c: statistics.median(t) for c, t in times.items()}
print("\n### %s\n" % title)
print("| tool | median wall s | GB/s | CPU s (user+sys) | peak RSS MiB | ratio (tool / %s) | min-max s | runs |" % ref)
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for c in order:
    t = times[c]
    print("| %s | %.3f | %.2f | %.2f | %s | %.2f | %.3f-%.3f | %d |" % (
        c, med[c], nbytes / med[c] / 1e9, statistics.mean(cpu[c]), rss.get(c, "-"), med[c] / med[ref],
        min(t), max(t), len(t)))
print()
cat = [c for c in order if c.startswith("cat")]
hash_bps = float(os.environ.get("HASH_BPS", "0"))
if cat and hash_bps:
    tread = med[cat[0]]
    thash = nbytes / hash_bps
    limit = max(tread, thash)
    print("limit: %.3f s (read %.2f GB/s, hash %.2f GB/s on %s cores); lifeboat = %.2f x limit"
          % (limit, nbytes / tread / 1e9, hash_bps / 1e9, os.environ.get("NCPU", "?"),
             med[ref] / limit))
# The floors: read_hash_floor with read() or with mmap. Hashing alone needs BYTES / one core's
# SHA-256 rate of CPU time; what a floor spends beyond that is the cost of getting the bytes out
# of the page cache (and of opening the files), which shares the same cores with the hash.
floors = [c for c in order if "hash floor" in c]
for c in floors:
    print("lifeboat = %.2f x the %s (SHA-256 of every file and nothing else)  " % (med[ref] / med[c], c))
hash1_bps = float(os.environ.get("HASH1_BPS", "0"))
if floors and cat and hash_bps and hash1_bps:
    best = min(floors, key=lambda c: med[c])
    hcpu = nbytes / hash1_bps
    fcpu = statistics.mean(cpu[best])
    print("fastest floor (%s) = %.2f x limit: hashing alone takes %.2f CPU s (one core's rate), the "
          "floor %.2f CPU s, so %.2f CPU s go to getting the bytes to the hash, on the same cores  "
          % (best, med[best] / limit, hcpu, fcpu, fcpu - hcpu))
if os.environ.get("BASELINES"):
    for c in order:
        if c.startswith(os.environ["BASELINES"]):
            print("%s / %s = %.2f  " % (ref, c, med[ref] / med[c]))
PY
}

out() { tee -a "$res"; }

# Header: the machine and the tools.
{
  echo "# lifeboat benchmark ($(date -u +%Y-%m-%dT%H:%MZ)$( ((quick)) && echo ", --quick sizes"))"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $ncpu cores ($(nproc --all) online)"
  echo "- memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; kernel $(uname -r); $D on $(df -PT "$D" | awk 'NR==2 {print $2}')"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (a busy machine makes the numbers noisy)"
  echo "- lifeboat: $($LB --version 2>&1 | head -1) ($LB)"
  echo "- $(hyperfine --version); $(sha256sum --version | head -1); hashdeep $(hashdeep -V 2>&1 | head -1)"
  echo "- $(rhash --version | head -1); $(openssl version); $(python3 --version 2>&1)"
} | { : >"$res"; out; }

log "openssl speed -evp sha256 (${ossl_secs}s, 1 and $ncpu processes) ..."
ossl() {
  openssl speed -evp sha256 -seconds "$ossl_secs" "$@" 2>/dev/null |
    awk 'tolower($1) == "sha256" {v = $NF} END {sub(/k$/, "", v); printf "%.0f\n", v * 1000}'
}
hash1=$(ossl)
hashn=$(ossl -multi "$ncpu")
export HASH_BPS=$hashn HASH1_BPS=$hash1 NCPU=$ncpu
python3 -c "print('- SHA-256 (openssl speed -evp sha256, 16 KiB blocks): %.2f GB/s on 1 core, %.2f GB/s on $ncpu cores' % ($hash1 / 1e9, $hashn / 1e9))" | out

# 3 + 4. Warm cache, one tree at a time.
warm_tree() {
  local name=$1 dir=$D/$1 names cmds tops="" t r k i n args warm bytes files
  cd "$dir/tree"
  for t in *; do tops+=" $(printf %q "$t")"; done
  # hashdeep: -l, or it prints absolute paths and audits every file as "moved"; -c sha256, or it
  # also computes MD5; the top-level names, not ".", whose "./" prefix matches no manifest path.
  # rhash: --skip-ok, or it prints a line per file; --sha256 says what the 64 hex digits are.
  # The files in inode order (lifeboat's order), for the read+hash floor.
  find . -type f -printf '%i %p\n' | sort -n | cut -d' ' -f2- >../files.inode
  names=("lifeboat scan" "sha256sum -c" "hashdeep -a -j$ncpu" "rhash -c" "cat (-P$ncpu)" "read+hash floor ($ncpu threads)"
    "mmap+hash floor ($ncpu threads)")
  cmds=("$lbq scan -q -t . -m ../manifest.lbm"
    "sha256sum -c --quiet ../manifest.sha256"
    "hashdeep -l -c sha256 -j $ncpu -a -k ../manifest.hashdeep -r$tops"
    "rhash -c --sha256 --skip-ok ../manifest.sha256"
    "bash -c 'find . -type f -print0 | xargs -0 -P$ncpu -n 500 cat >/dev/null'"
    "$floorq ../files.inode $ncpu read"
    "$floorq ../files.inode $ncpu mmap")
  n=${#cmds[@]}
  for ((i = 0; i < n; i++)); do check "${names[i]}" 0 "${cmds[i]}"; done
  for ((r = 1; r <= rounds; r++)); do
    log "warm $name: round $r of $rounds ..."
    args=()
    for ((k = 0; k < n; k++)); do
      i=$(((k + r - 1) % n))
      args+=(-n "${names[i]}" "${cmds[i]}")
    done
    warm=()
    ((r > 1)) || warm=(--warmup 1)
    hf "${warm[@]}" --runs "$runs" --export-json "$raw/warm-$name-r$r.json" "${args[@]}"
  done
  log "warm $name: peak RSS ..."
  rssf=$raw/rss-$name.tsv
  : >"$rssf"
  for ((i = 0; i < n; i++)); do rss "${names[i]}" "${cmds[i]}"; done
  bytes=$(lbm_bytes ../manifest.lbm)
  files=$(lbm_count ../manifest.lbm)
  table "Warm cache: $name tree ($files files, $(python3 -c "print('%.2f' % ($bytes / 1e9))") GB)" \
    "$bytes" "lifeboat scan" "$rssf" "$raw/warm-$name"-r*.json | out
  cd "$repo"
}
warm_tree system
warm_tree small

# 5. Cold cache.
cold_tree() {
  local name=$1 dir=$D/$1 tops="" t bytes files args=()
  cd "$dir/tree"
  for t in *; do tops+=" $(printf %q "$t")"; done
  args+=(-n "lifeboat scan" "$lbq scan -q -t . -m ../manifest.lbm")
  if [[ $name == small ]]; then
    args+=(-n "sha256sum -c" "sha256sum -c --quiet ../manifest.sha256")
    args+=(-n "hashdeep -a -j$ncpu" "hashdeep -l -c sha256 -j $ncpu -a -k ../manifest.hashdeep -r$tops")
  fi
  args+=(-n "rhash -c" "rhash -c --sha256 --skip-ok ../manifest.sha256")
  args+=(-n "cat (-P$ncpu)" "bash -c 'find . -type f -print0 | xargs -0 -P$ncpu -n 500 cat >/dev/null'")
  log "cold $name ..."
  hf --runs "$cold_runs" --prepare "bash -c 'sync; echo 3 >/proc/sys/vm/drop_caches'" \
    --export-json "$raw/cold-$name.json" "${args[@]}"
  bytes=$(lbm_bytes ../manifest.lbm)
  files=$(lbm_count ../manifest.lbm)
  table "Cold cache: $name tree ($files files)" "$bytes" "lifeboat scan" - "$raw/cold-$name.json" | out
  cd "$repo"
}
if ((EUID == 0)) && (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  cold_tree system
  cold_tree small
else
  printf '\n### Cold cache\n\nskipped: /proc/sys/vm/drop_caches is not writable here (not root, or a container).\n' | out
fi

# 6. Growth.
log "growth ..."
args=()
for k in 1 2 4; do
  c="$lbq scan -q -t $D/growth-$k/tree -m $D/growth-$k/manifest.lbm"
  check "lifeboat scan (growth $k)" 0 "$c"
  args+=(-n "$k" "$c")
done
hf --warmup 1 --runs "$grow_runs" --export-json "$raw/growth.json" "${args[@]}"
python3 - "$raw/growth.json" "$D" <<'PY' | out
import json, statistics, sys
res = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
def size(k):
    b = n = 0
    for line in open("%s/growth-%s/manifest.lbm" % (sys.argv[2], k)):
        if line.startswith("require "):
            b += int(line.split(" ")[2]); n += 1
    return b, n
print("\n### Growth: lifeboat scan, warm cache, system-like layout repeated 1, 2, 4 times\n")
print("| scale | files | GB | median s | s per GB | deviation from linear |")
print("|---:|---:|---:|---:|---:|---:|")
base = None
for k in ("1", "2", "4"):
    b, n = size(k)
    t = statistics.median(res[k])
    per = t / (b / 1e9)
    base = base or per
    print("| %s | %d | %.2f | %.3f | %.3f | %+.1f%% |" % (k, n, b / 1e9, t, per, (per / base - 1) * 100))
PY

# 7. Memory at 1M manifest entries.
log "1M entries ..."
mkdir -p "$D/empty"
rssf=$raw/rss-million.tsv
: >"$rssf"
one() { # one NAME WANT_RC CMD: a checked run, then a timed one; "NAME<TAB>s<TAB>KiB" to $rssf
  check "$1" "$2" "$3"
  eval "/usr/bin/time -f '%e %M' -o $(printf %q "$D/rss.tmp") $3" >/dev/null 2>&1 || true
  printf '%s\t%s\n' "$1" "$(tail -1 "$D/rss.tmp" | tr ' ' '\t')" >>"$rssf"
}
one "tree of $(lbm_count "$D/tiny/manifest.lbm") files of 0-64 bytes, all ok" 0 \
  "$lbq scan -q -t $D/tiny/tree -m $D/tiny/manifest.lbm"
one "empty directory, all $(lbm_count "$D/million.lbm") missing" 4 \
  "$lbq scan -q -t $D/empty -m $D/million.lbm"
# The same tree with a signed manifest: Ed25519 signs the whole message, so a signed manifest is
# read into memory once, verified and parsed from those bytes (an unsigned one is streamed).
if [[ ! -f $D/tiny/signed.lbm.sig || $D/tiny/signed.lbm -ot $D/tiny/manifest.lbm ]]; then
  rm -f "$D/tiny/bench.pub" "$D/tiny/bench.sec" "$D/tiny/signed.lbm" "$D/tiny/signed.lbm.sig"
  cp "$D/tiny/manifest.lbm" "$D/tiny/signed.lbm"
  "$LB" manifest keygen -p "$D/tiny/bench.pub" -s "$D/tiny/bench.sec" -c "lifeboat bench" >/dev/null
  "$LB" manifest sign -s "$D/tiny/bench.sec" -m "$D/tiny/signed.lbm" >/dev/null
fi
one "the same tree, signed manifest ($(($(stat -c %s "$D/tiny/signed.lbm") >> 20)) MiB file, verified)" 0 \
  "$lbq scan -q -t $D/tiny/tree -m $D/tiny/signed.lbm --trusted-key $D/tiny/bench.pub"
# Signed as a checklist (signify -S -e of "SHA256 (name) = hash"): the manifest is streamed.
if [[ ! -f $D/tiny/checklist.lbm.sig || $D/tiny/checklist.lbm -ot $D/tiny/manifest.lbm ]]; then
  rm -f "$D/tiny/checklist.lbm" "$D/tiny/checklist.lbm.sig"
  cp "$D/tiny/manifest.lbm" "$D/tiny/checklist.lbm"
  "$LB" manifest sign --checklist -s "$D/tiny/bench.sec" -m "$D/tiny/checklist.lbm" >/dev/null
fi
one "the same tree, manifest signed as a checklist (verified, streamed)" 0 \
  "$lbq scan -q -t $D/tiny/tree -m $D/tiny/checklist.lbm --trusted-key $D/tiny/bench.pub"
{
  printf '\n### Memory: lifeboat scan with a large manifest (warm cache, one run)\n\n'
  echo "| case | wall s | peak RSS MiB |"
  echo "|---|---:|---:|"
  awk -F'\t' '{printf "| %s | %.2f | %.0f |\n", $1, $2, $3 / 1024}' "$rssf"
} | out

# 8. fix restoring missing files.
log "fix ..."
cd "$D/system"
nfix=$(lbm_count fix/manifest.lbm)
fixbytes=$(lbm_bytes fix/manifest.lbm)
prep="bash -c 'rm -rf dmg && cp -al tree dmg && cd dmg && xargs -0 rm -f <../fix/picked.list'"
lbfix="$lbq fix -q -y --allow-unsigned --no-host-stores -t dmg -s fix/src/dllcache"
names=("lifeboat fix" "lifeboat fix, whole manifest" "cp + sha256sum -c" "cp + fsync each + sha256sum -c")
cmds=("bash -c '$lbfix -m fix/manifest.lbm 2>/dev/null; test \$? -eq 1'"
  "bash -c '$lbfix -m manifest.lbm 2>/dev/null; test \$? -eq 1'"
  "bash -c 'cp -a fix/src/bypath/. dmg/ && cd dmg && sha256sum -c --quiet ../fix/picked.sha256'"
  "bash -c 'cp -a fix/src/bypath/. dmg/ && cd dmg && xargs -0 sync <../fix/picked.list && xargs -0 sync <../fix/picked.dirs && sha256sum -c --quiet ../fix/picked.sha256'")
for i in "${!cmds[@]}"; do
  eval "$prep"
  check "${names[i]}" 0 "${cmds[i]}"
  check "scan after ${names[i]}" 0 "$lbq scan -q -t dmg -m manifest.lbm"
done
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[i]}" "${cmds[i]}"); done
hf --runs "$fix_runs" --prepare "$prep" --export-json "$raw/fix.json" "${args[@]}"
rssf=$raw/rss-fix.tsv
: >"$rssf"
for i in 0 1; do
  eval "$prep"
  rss "${names[i]}" "$lbfix -m $([[ $i == 0 ]] && echo fix/manifest.lbm || echo manifest.lbm)"
done
BASELINES='cp +' table "fix: restore $nfix missing files ($(python3 -c "print('%.0f' % ($fixbytes / 1e6))") MB) from a flat dllcache-like directory, warm cache" \
  "$fixbytes" "lifeboat fix" "$rssf" "$raw/fix.json" | out
cd "$repo"
{
  echo
  echo "GB/s here is the restored bytes over the time (the whole-manifest row also scans the tree)."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Raw hyperfine JSON and log: $raw/"
} | out
log "done; results in $res"
