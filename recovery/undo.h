// Undo: put the target back exactly as it was before a fix run.
//
// Planning reads the run's journal and looks at the disk as it is now, so it
// works for a finished run, a cancelled one, and one killed half-way (even
// when the crash came between a rename and its "done" record). For each step,
// newest first:
//   restored file    still the content we wrote   -> moved to lifeboat/undo/<run>/
//   removed file     (a known-bad one)            -> renamed back from the backup
//   replaced file    still the content we wrote   -> backup renamed back over it
//                    (our copy is first linked into lifeboat/undo/<run>/)
//                    still the old content        -> nothing (never replaced)
//   anything else (changed since, backup missing) -> conflict: left alone, reported
//   leftover temp file of an unfinished step      -> moved to lifeboat/undo/<run>/
//   a step the journal marks failed               -> nothing (it changed nothing)
// then directories the run created are removed if empty. A path that a later
// run (not yet undone) also wrote is a conflict: undo that run first. Nothing is deleted
// that lifeboat did not write. When no conflict remains the journal gets an
// "undone" record, and undoing the same run again is a no-op.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/progress.h"

namespace lifeboat {

struct UndoAction {
  enum class Kind {
    kPutBack,     // rename `from` (the backup) over `path`; set `path` aside to `to` first if present
    kSetAside,    // rename `path` to `to`
    kMoveTemp,    // move `path`, a temp file an unfinished step left, to `to`
    kRemoveDir,   // rmdir `path` if empty
    kConflict,    // nothing can be done safely; `message` says why
  };
  Kind kind = Kind::kConflict;
  std::string path, from, to, message;
  bool no_replace = false;  // kPutBack onto a path that was empty: never replace what appears there
};

struct UndoPlan {
  std::string run_id;
  bool already_undone = false;
  std::string undone_time;
  bool torn_tail = false;      // the journal's tail state, for appending
  bool ends_mid_line = false;
  std::vector<UndoAction> actions;  // in execution order
};

Result<UndoPlan> PlanUndo(FileSystem& fs, const std::string& run_id, const CancelToken& cancel);

struct UndoOutcome {
  UndoAction action;
  bool ok = false;
  std::string message;
};

struct UndoResult {
  std::vector<UndoOutcome> outcomes;
  size_t reverted = 0;   // files put back or taken away
  size_t conflicts = 0;  // left alone
  Status fatal;
  bool cancelled = false;
};

// The caller holds the workspace lock.
UndoResult ExecuteUndo(FileSystem& fs, const UndoPlan& plan, std::time_t now, ProgressSink& progress,
                       const CancelToken& cancel);

}  // namespace lifeboat
