#!/usr/bin/env bash
# kill -9 in the middle of a large fix, at random moments. After each kill:
# every file is its old content or the verified new one (never partial), a
# second `fix` finishes the job and leaves no temp files, and `undo --all`
# puts the damaged tree back byte for byte.
#
# The moments scale with this machine: an uninterrupted fix is timed first.
# Half the kills come at a random fraction of that time, half when the run's
# journal reaches a random line (so they land mid-run however fast the fix is:
# while temp files are written, or while they are renamed into place).
# Every other round also kills the `undo --all` that follows, then undoes again.
# KILL_ROUNDS=N runs more rounds (default 8); KILL_SEED fixes the moments.
source "$(dirname "$0")/../e2e/lib.sh"
ROUNDS=${KILL_ROUNDS:-8}
RANDOM=${KILL_SEED:-$$}

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

fix_cmd=("$LB" fix --allow-unsigned -t vol -m m.sha256 -s src1 -s src2 -s src3 --yes -q)

# One uninterrupted run: its duration (ms) and its journal's length (lines).
rm -rf vol && cp -a damaged vol
t0=$(date +%s%N)
code=0
"${fix_cmd[@]}" 2>/dev/null || code=$?
full_ms=$((($(date +%s%N) - t0) / 1000000))
[[ $code == 0 || $code == 1 ]] || fail "uninterrupted fix exited $code"
full_lines=$(cat vol/lifeboat/journal/*.log | wc -l)
((full_lines > 100)) || fail "the uninterrupted fix journaled only $full_lines lines"
echo "  uninterrupted fix: ${full_ms} ms, ${full_lines} journal lines"

# wait_journal K PID: returns when the run's journal has K lines or PID ended.
wait_journal() {
  local want=$1 pid=$2 j
  shopt -s nullglob
  while kill -0 "$pid" 2>/dev/null; do
    for j in vol/lifeboat/journal/*.log; do
      (($(wc -l <"$j") >= want)) && return 0
    done
  done
}

mid_run=0 undo_ms=0 undo_killed=0
for ((round = 1; round <= ROUNDS; round++)); do
  rm -rf vol && cp -a damaged vol
  "${fix_cmd[@]}" 2>/dev/null &
  pid=$!
  if ((round % 2)); then
    ms=$((full_ms * (5 + RANDOM % 90) / 100))
    moment="at ${ms} ms"
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  else
    line=$((2 + RANDOM % (full_lines * 4 / 5)))
    moment="at journal line $line"
    wait_journal "$line" "$pid"
  fi
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  journal=$(ls vol/lifeboat/journal/*.log 2>/dev/null | head -n 1 || true)
  state_now=done
  if [[ -z "$journal" ]]; then state_now="before the journal"
  elif ! grep -q '"op":"end"' "$journal"; then
    mid_run=$((mid_run + 1))
    state_now="mid-run: $(grep -c '"op":"begin"' "$journal" || true) begun, $(grep -c '"op":"done"' "$journal" || true) done"
  fi

  # (a) never a partial file: each is absent (was absent), old, or new
  (cd vol && sha256sum WINDOWS/system32/*.dll) | awk '{print $2, $1}' | sort >now.list
  bad=$(join -a 1 -e NONE -o 1.1,1.2,2.2 now.list old.list | join -a 1 -e NONE -o 1.1,1.2,1.3,2.2 - new.list |
        awk '$2 != $3 && $2 != $4' | head -n 3)
  [[ -z "$bad" ]] || fail "after kill $moment, files that are neither old nor new: $bad"

  # (b) fix again ends healthy, no temp files
  code=0
  "${fix_cmd[@]}" 2>/dev/null || code=$?
  [[ $code == 0 || $code == 1 ]] || fail "second fix exited $code after kill $moment"
  run 0 "$LB" scan -t vol -m m.sha256 -q
  [[ -z "$(find vol -path vol/lifeboat -prune -o -name '*.lifeboat-tmp' -print)" ]] || fail "temp files left after resume"

  # (c) undo of every run restores the damaged tree exactly. Every other
  # round, the undo itself is killed first, at a random fraction of the last
  # undo's time, and run again.
  undo_note=""
  if ((round % 2 == 0 && undo_ms > 0)); then
    "$LB" undo -t vol --all -q 2>/dev/null &
    pid=$!
    ms=$((undo_ms * (5 + RANDOM % 90) / 100))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    if [[ "$(state vol)" != "$damaged_state" ]]; then
      undo_killed=$((undo_killed + 1))
      undo_note=", undo killed at ${ms} ms and run again"
    fi
  fi
  t0=$(date +%s%N)
  run 0 "$LB" undo -t vol --all -q
  undo_ms=$((($(date +%s%N) - t0) / 1000000))
  [[ "$(state vol)" == "$damaged_state" ]] || fail "undo --all after kill $moment did not restore the tree"
  echo "  kill $moment ($state_now): consistent, resumed, undone$undo_note"
done
echo "  undo killed mid-run and completed by a second undo: $undo_killed times"
((mid_run * 2 >= ROUNDS)) || fail "only $mid_run of $ROUNDS kills landed mid-run; the test proved too little"
pass "kill -9 during fix ($mid_run of $ROUNDS kills mid-run) and undo ($undo_killed): never partial, fix again heals, undo --all restores"
