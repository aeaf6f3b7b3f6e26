// The run report: what a command found and did, as data. The CLI writes it
// as text and JSON (ui/report/), the TUI shows it; its JSON form is a
// contract (schema "lifeboat.report/1", see README).
//
// Exit codes follow fsck(8) and are OR-ed when several hold:
//   0 healthy, 1 repaired, 4 problems left, 8 operational error,
//   16 usage error, 32 cancelled.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "recovery/executor.h"
#include "recovery/manifest.h"
#include "recovery/planner.h"
#include "recovery/scanner.h"
#include "recovery/undo.h"

namespace lifeboat {

enum ExitCode : int {
  kExitHealthy = 0,
  kExitRepaired = 1,
  kExitProblemsLeft = 4,
  kExitOperational = 8,
  kExitUsage = 16,
  kExitCancelled = 32,
};

enum class FileState {
  kOk,
  kMissing,
  kCorrupt,
  kRestored,
  kUnrepaired,
  kReverted,  // undo put it back
  kKnownBad,  // matches a forbid rule's hash (scan, dry run)
  kRemoved,   // a known-bad file moved into the backup by fix
  kUnlisted,  // matches a forbid pattern, not a known-bad hash: left alone
};
const char* FileStateName(FileState s);

struct FileReport {
  std::string path;  // manifest path (undo: on-disk path)
  FileState state = FileState::kOk;
  std::optional<Digest> expected, found;
  std::string source;   // "dllcache:svchost.exe" when restored from there
  std::string message;
};

struct Summary {
  uint64_t ok = 0, missing = 0, corrupt = 0, restored = 0, unrepaired = 0, reverted = 0;
  uint64_t known_bad = 0, removed = 0, unlisted = 0;
};

struct RunReport {
  std::string command;  // scan | fix | undo
  std::string run_id;
  std::string target;
  std::string target_args;  // the target as command-line options, for hints ("--image disk.img --partition 2")
  bool dry_run = false;
  bool has_manifest = false;
  std::string manifest_path;
  Digest manifest_sha256{};
  size_t manifest_entries = 0;
  size_t manifest_forbid_rules = 0;
  std::string manifest_title;  // the native "name" header
  std::string signature_state;  // unsigned | verified | unknown-key (see manifest_trust.h)
  std::string signature_key_id, signature_key_file;
  std::vector<FileReport> files;  // every entry (callers filter ok ones)
  Summary summary;
  std::vector<std::string> notes;  // for information: the Windows detected, the manifest chosen, the mount
  std::vector<std::string> warnings;
  std::vector<std::string> plan_lines;  // fix --dry-run / undo --dry-run: the plan
  std::string error;      // the operational error, if any
  bool cancelled = false;
  int exit_code = 0;
};

// Builders. Each fills files, summary and exit_code from engine results.
// keep_ok: also list the files that are ok (for --all); without it a healthy
// million-file volume costs no memory here.
RunReport ScanReport(const Manifest& m, const ScanResult& scan, bool keep_ok = true);
// `exec` is null when nothing was executed: a dry run, or a plan the user
// declined or cancelled before any write.
// keep_ok as for ScanReport.
RunReport FixReport(const Manifest& m, const ScanResult& scan, const RepairPlan& plan, const ExecuteResult* exec,
                    bool dry_run = false, bool keep_ok = true);
RunReport UndoReport(const UndoPlan& plan, const UndoResult* result);

// Adds `from`'s files, counts, warnings, error and cancellation to `into`
// (undo --all reports every run it reverted in one report).
void MergeReport(RunReport& into, const RunReport& from);

// Sets exit_code from the files' final states, error and cancelled: 1 if any
// file was restored, 4 if any is still missing, corrupt or unrepaired.
void ComputeExitCode(RunReport& r);

}  // namespace lifeboat
