// lifeboat's own folder on the target: where journals, backups and the lock
// live. Layout, beneath the target root:
//
//   lifeboat/lock                         held (flock) by a writing run
//   lifeboat/journal/<run-id>.log         one journal per fix run
//   lifeboat/backup/<run-id>/<path>       files a run replaced, as they were
//   lifeboat/undo/<run-id>/<path>         files an undo took out of the way
//
// Run ids name the time (UTC) and 16 random bits: "20261129-143015-3f9a". Runs
// are ordered by the sequence number in their journal, not by id or time: the
// clock of a PC with a flat CMOS battery says 2002.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/journal.h"

namespace lifeboat {

inline constexpr const char* kWorkspaceDir = "lifeboat";

std::string JournalPath(const std::string& run_id);
std::string BackupPath(const std::string& run_id, const std::string& path);
std::string UndoPath(const std::string& run_id, const std::string& path);
std::string TempPathFor(const std::string& path);  // "<path>.lifeboat-tmp"

// Why fix cannot write, back up or remove the file at `path` with an exact
// journal (empty if it can): its temp name, its backup and undo copies must
// be clean relative paths too (within 4096 bytes, names within 255), and
// the JSON journal records only valid UTF-8 exactly. A manifest path may be
// valid and still too long for these; the planner leaves such files alone.
std::string WorkPathProblem(const std::string& path);

std::string NewRunId(std::time_t now);
std::string IsoTime(std::time_t now);  // "2026-11-29T14:30:15Z"
bool IsValidRunId(const std::string& id);

// Takes lifeboat/lock, creating the folders it needs.
Result<std::unique_ptr<FileLock>> LockWorkspace(FileSystem& fs);

struct RunInfo {
  std::string run_id;
  uint64_t sequence = 0;
  std::string time;
  std::string manifest;
  size_t steps = 0;      // begin records
  size_t done = 0;       // done records
  bool ended = false;    // an end record
  bool recovered = false;
  bool undone = false;
  bool readable = true;  // false: the journal is damaged (see error); listed last
  std::string error;
};

// The sequence number for a new run: one more than any recorded.
Result<uint64_t> NextRunSequence(FileSystem& fs);

// All runs with a journal, oldest first (by sequence, then id); runs whose
// journal cannot be read come last. Unreadable journals are reported as
// errors by the commands that need them, here they only get a note.
Result<std::vector<RunInfo>> ListRuns(FileSystem& fs);
RunInfo SummarizeRun(const std::string& run_id, const JournalContents& journal);

// For each run that stopped without an end record (crash, kill -9, power
// loss): moves the temp files its unfinished steps left into
// lifeboat/undo/<run>/ (never deletes: the name might, against all odds, be
// someone else's file) and appends a "recovered" record. Nothing else changes: what was renamed into place stays
// (it was verified), and `undo` can still revert the run. Returns notes for
// the report.
Result<std::vector<std::string>> RecoverInterruptedRuns(FileSystem& fs, std::time_t now);

}  // namespace lifeboat
