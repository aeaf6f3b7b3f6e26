// Executing a RepairPlan: verified, atomic, journaled writes.
//
// Known-bad files are moved aside first (journaled, checked, renamed into
// lifeboat/backup/<run>/). Then the missing directories are made (journaled
// first), and for each source, in plan order, a batch of steps goes through:
//   1. journal "begin" for every step of the batch, fsync the journal;
//   2. stream each verified copy from the source into "<path>.lifeboat-tmp"
//      (created exclusively, in the destination's directory); fsync; read
//      the temp back and hash it: one whose hash differs from the manifest is
//      deleted and its step fails;
//   3. for a replaced file, hard-link the old file into
//      lifeboat/backup/<run>/<path> (copy where links are unsupported), so the
//      original never stops existing anywhere; fsync the backup directories
//      before any rename;
//   4. rename the temp over the destination (a restored file must not exist:
//      rename without replace), fsync the touched directories;
//   5. journal "done" or "failed" per step, fsync. A step whose rejected temp
//      file could not be deleted gets no outcome, and the run no "end"
//      record: the next fix recovers it as interrupted and moves the file
//      into lifeboat/undo/.
// A crash at any point leaves every destination holding either its old
// content or the verified new content. Disk full, read-only media and journal
// failures stop the run (an operational error); other per-file problems only
// fail their own step. When the volume fills up, nothing more is written, but
// the batch's copies already written and verified still go through 3-5 (a
// link and a rename need no new space), so a nearly full volume gets every
// file that fit, not only the batches before the one that filled it.
// The caller must hold the workspace lock (LockWorkspace).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/planner.h"
#include "recovery/progress.h"
#include "recovery/source.h"

namespace lifeboat {

struct ExecuteOptions {
  std::string run_id;
  uint64_t sequence = 0;        // NextRunSequence()
  std::string target;           // for the journal's run record
  std::string manifest;         // manifest path, for the journal
  std::string manifest_sha256;  // hex
  std::time_t now = 0;
};

struct StepResult {
  bool done = false;
  std::string message;  // why it failed, or where the old copy went
  std::string backup;   // backup path of a replaced file
};

struct ExecuteResult {
  std::vector<StepResult> steps;  // one per plan step
  Status fatal;                   // an error that stopped the run
  bool cancelled = false;
  std::vector<std::string> notes;
};

ExecuteResult ExecutePlan(FileSystem& fs, const RepairPlan& plan, const std::vector<std::unique_ptr<Source>>& sources,
                          const ExecuteOptions& options, ProgressSink& progress, const CancelToken& cancel);

}  // namespace lifeboat
