// Scanning: compare every manifest entry with the target tree.
//
// Phase 1 (one thread) resolves each path case-insensitively and stats it:
// a missing file, a blocked path or a size that no acceptable copy has is
// decided here without reading any data. Forbid patterns are expanded here
// too. Phase 2 hashes the remaining files on a pool of worker threads
// (ScanOptions::jobs), largest first so the pool does not end waiting on one
// big file.
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

// A file that matches a forbid pattern.
enum class ForbidState {
  kKnownBad,   // its content is a listed known-bad hash
  kUnlisted,   // it matches the pattern, but not a listed hash: left alone
  kUnchecked,  // unreadable, or the scan was cancelled
};

struct ForbidFinding {
  std::vector<uint32_t> rules;  // indices of the forbid rules whose pattern matched
  uint32_t matched_rule = 0;    // for kKnownBad: the rule whose hash matched
  std::string disk_path;
  ForbidState state = ForbidState::kUnchecked;
  std::optional<Digest> found;
  uint64_t size = 0;
  std::string message;
};

struct ScanOptions {
  int jobs = 0;  // 0: one per CPU
};

struct ScanResult {
  std::vector<Finding> findings;  // one per manifest entry, same order
  std::vector<ForbidFinding> forbidden;  // files matching forbid patterns, by path
  std::vector<std::string> warnings;     // e.g. a directory a forbid pattern could not search
  bool cancelled = false;
};

ScanResult ScanTarget(FileSystem& fs, const Manifest& manifest, const ScanOptions& options,
                      ProgressSink& progress, const CancelToken& cancel);

int DefaultJobs();

}  // namespace lifeboat
