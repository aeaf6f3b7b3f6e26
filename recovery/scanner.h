// Scanning: compare every manifest entry with the target tree.
//
// Phase 1 (one thread) resolves each path case-insensitively and stats it:
// a missing file, a blocked path or a size that differs from the manifest is
// decided here without reading any data. Phase 2 hashes the remaining files
// on a pool of worker threads (ScanOptions::jobs), largest first so the pool
// does not end waiting on one big file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/manifest.h"
#include "recovery/progress.h"

namespace lifeboat {

enum class FindingState {
  kOk,
  kMissing,
  kCorrupt,
  kBlocked,    // cannot be checked or repaired safely (symlink, case clash, wrong type)
  kUnchecked,  // the scan was cancelled before this file was read
};

struct Finding {
  FindingState state = FindingState::kOk;
  std::string disk_path;      // on-disk spelling, or where a missing file will go
  size_t existing_parts = 0;  // leading components of disk_path that exist
  std::optional<Digest> found;  // hash of the file on disk, when it was read
  uint64_t found_size = 0;
  std::string message;  // why corrupt / blocked
};

struct ScanOptions {
  int jobs = 0;  // 0: one per CPU
};

struct ScanResult {
  std::vector<Finding> findings;  // one per manifest entry, same order
  bool cancelled = false;
};

ScanResult ScanTarget(FileSystem& fs, const Manifest& manifest, const ScanOptions& options,
                      ProgressSink& progress, const CancelToken& cancel);

int DefaultJobs();

}  // namespace lifeboat
