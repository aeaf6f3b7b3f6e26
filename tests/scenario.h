// A small damaged Windows-like tree for engine tests: a manifest, a target
// with missing, corrupt and truncated files (and one in a directory that is
// gone), and a source directory holding good copies under other names.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "recovery/executor.h"
#include "recovery/filesystem.h"
#include "recovery/manifest.h"
#include "recovery/planner.h"
#include "recovery/scanner.h"
#include "recovery/source.h"
#include "tests/testutil.h"

namespace lifeboat::test {

struct Scenario {
  TempDir dir;
  std::string target, source;
  Manifest manifest;
  std::vector<std::pair<std::string, std::string>> good;  // path -> good content
  std::map<std::string, std::string> damaged_state;       // TreeState right after damage

  // `files` entries; every 3rd is deleted, every 3rd+1 corrupted, the rest ok;
  // plus "WINDOWS/Help/gone/x.chm" whose directory is deleted. With
  // `known_bad`, a forbid rule for WINDOWS/system32/drivers/*.sys and two
  // files it matches: kKnownBadPath (the listed bad content) and
  // kUnlistedPath (other content, to be left alone).
  explicit Scenario(int files = 9, bool known_bad = false);
  static constexpr const char* kKnownBadPath = "WINDOWS/system32/drivers/evil.sys";
  static constexpr const char* kUnlistedPath = "WINDOWS/system32/drivers/fine.sys";
  bool known_bad = false;

  std::unique_ptr<FileSystem> OpenTarget() const;
  std::vector<std::unique_ptr<Source>> OpenSources() const;
  // Scan + plan with the real file system.
  std::pair<ScanResult, RepairPlan> ScanAndPlan(FileSystem& fs) const;
  // For each manifest entry, "old" / "new" / "missing" / "other" by content.
  std::string Classify(const std::string& path, const std::string& good_content) const;
  bool Healthy() const;
  // Temp files in the tree (lifeboat/ excluded: recovery moves leftover temps
  // into lifeboat/undo/ rather than deleting them).
  std::vector<std::string> TempFiles() const;
};

// Undoes every run in the workspace, newest first. Returns the first error,
// or a kConflict status if any undo met a conflict.
Status UndoAllRuns(FileSystem& fs);

// Options for a test run: id, sequence, fixed clock.
ExecuteOptions RunOptions(const std::string& run_id, uint64_t sequence = 1);

}  // namespace lifeboat::test
