#!/usr/bin/env bash
# kill -9 in the middle of a large fix, at several moments. After each kill:
# every file is its old content or the verified new one (never partial), a
# second `fix` finishes the job and leaves no temp files, and `undo --all`
# puts the damaged tree back byte for byte.
source "$(dirname "$0")/lib.sh"

N=3000
mkdir -p healthy/WINDOWS/system32 src1 src2 src3
head -c $((N * 32768)) /dev/urandom >blob
split -b 32768 -a 4 -d --additional-suffix=.dll blob healthy/WINDOWS/system32/f
(cd healthy && find WINDOWS -type f | LC_ALL=C sort | xargs sha256sum) >m.sha256
# Good copies spread over three source directories, under other names.
for k in 0 1 2; do
  dd if=blob bs=32768 skip=$((k * N / 3)) count=$((N / 3)) status=none |
    split -b 32768 -a 4 -d --additional-suffix=.bin - "src$((k + 1))/copy$k-"
done
rm blob
# Damage: every 2nd file deleted, every 4th truncated.
cp -a healthy damaged
ls damaged/WINDOWS/system32/*.dll | awk 'NR % 2 == 1' | xargs rm
ls damaged/WINDOWS/system32/*.dll | awk 'NR % 2 == 1' | xargs truncate -s 1000
damaged_state=$(state damaged)
(cd damaged && sha256sum WINDOWS/system32/*.dll) | awk '{print $2, $1}' | sort >old.list
awk '{print $2, $1}' m.sha256 | sort >new.list

mid_run=0
for delay in 0.05 0.2 0.4 0.6 0.9 "0.$((RANDOM % 9 + 1))"; do
  rm -rf vol && cp -a damaged vol
  "$LB" fix --allow-unsigned -t vol -m m.sha256 -s src1 -s src2 -s src3 --yes -q &
  pid=$!
  sleep "$delay"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  journal=$(ls vol/lifeboat/journal/*.log 2>/dev/null | head -n 1 || true)
  if [[ -n "$journal" ]] && ! grep -q '"op":"end"' "$journal"; then mid_run=$((mid_run + 1)); fi

  # (a) never a partial file: each is absent (was absent), old, or new
  (cd vol && sha256sum WINDOWS/system32/*.dll) | awk '{print $2, $1}' | sort >now.list
  bad=$(join -a 1 -e NONE -o 1.1,1.2,2.2 now.list old.list | join -a 1 -e NONE -o 1.1,1.2,1.3,2.2 - new.list |
        awk '$2 != $3 && $2 != $4' | head -n 3)
  [[ -z "$bad" ]] || fail "after kill at ${delay}s, files that are neither old nor new: $bad"

  # (b) fix again ends healthy, no temp files
  code=0
  "$LB" fix --allow-unsigned -t vol -m m.sha256 -s src1 -s src2 -s src3 --yes -q || code=$?
  [[ $code == 0 || $code == 1 ]] || fail "second fix exited $code after kill at ${delay}s"
  run 0 "$LB" scan -t vol -m m.sha256 -q
  [[ -z "$(find vol -path vol/lifeboat -prune -o -name '*.lifeboat-tmp' -print)" ]] || fail "temp files left after resume"

  # (c) undo of every run restores the damaged tree exactly
  run 0 "$LB" undo -t vol --all -q || { "$LB" undo -t vol --list; "$LB" undo -t vol --all; cp -a vol /tmp/failed-vol; exit 1; }
  [[ "$(state vol)" == "$damaged_state" ]] || fail "undo --all after kill at ${delay}s did not restore the tree"
  echo "  kill at ${delay}s: consistent, resumed, undone"
done
((mid_run >= 2)) || fail "only $mid_run kills landed mid-run; the test proved too little"
pass "kill -9 during fix ($mid_run of 6 kills mid-run): never partial, fix again heals, undo --all restores"
