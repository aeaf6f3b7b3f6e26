// Scanning: compare every manifest entry with the target tree.
//
// Phase 1 (one thread) resolves each path case-insensitively and stats it:
// a missing file, a blocked path or a size that no acceptable copy has is
// decided here without reading any data. Forbid patterns are expanded here
// too. Phase 2 hashes the remaining files on a pool of worker threads
// (ScanOptions::jobs), largest first so the pool does not end waiting on one
// big file.
#pragma once

#include <deque>
#include <initializer_list>
#include <mutex>
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
  // On-disk spelling, or where a missing file will go; empty when that is the
  // manifest's own path (a plain ok or a plain missing file: see Findings).
  std::string disk_path;
  size_t existing_parts = 0;  // leading components of disk_path that exist
  std::optional<Digest> found;  // hash of the file on disk, when it was read
  uint64_t found_size = 0;
  std::string message;  // why corrupt / blocked
};

// One Finding per manifest entry, stored compactly so that a million healthy
// files cost 4 MB, not a record each: a 4-byte slot per entry, and a full
// Finding only where one says more than "ok" or "missing": a corrupt, blocked
// or unchecked file, a file whose on-disk spelling differs from the
// manifest's, or an ok file that matched an alternative hash. A plain ok
// reads back as state kOk with an empty disk_path (the manifest's own path)
// and no `found` (the manifest's main hash); a plain missing file as kMissing
// with an empty disk_path and its existing_parts (kept in the slot), so that
// a million missing files (a wrong target) cost no records either.
class Findings {
 public:
  Findings() = default;
  Findings(std::initializer_list<Finding> all);
  Findings(const Findings& other);
  Findings& operator=(const Findings& other);
  Findings(Findings&& other) noexcept;
  Findings& operator=(Findings&& other) noexcept;

  size_t size() const { return slot_.size(); }
  bool empty() const { return slot_.empty(); }
  // Every new entry is a plain ok.
  void resize(size_t n) { slot_.resize(n, kPlainOk); }
  FindingState state(size_t i) const;
  // A copy of entry i's finding.
  Finding operator[](size_t i) const;
  // Stores a finding (a plain ok is stored as a slot only). Safe to call from
  // several threads for different entries; read only when they are done.
  void Set(size_t i, Finding f);
  // Marks entry i as not read yet, or read and a plain ok; no record.
  void SetPlainUnchecked(size_t i) { slot_[i] = kPlainUnchecked; }
  void SetPlainOk(size_t i) { slot_[i] = kPlainOk; }
  // The stored record of entry i, or null for a plain ok / plain unchecked.
  Finding* record(size_t i);

  class const_iterator {
   public:
    using value_type = Finding;
    const_iterator(const Findings* f, size_t i) : f_(f), i_(i) {}
    Finding operator*() const { return (*f_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const Findings* f_;
    size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, slot_.size()}; }

 private:
  // Slots: plain ok, plain unchecked, plain missing with 0..kMaxPlainParts
  // existing parts, then record indices.
  static constexpr uint32_t kPlainOk = 0, kPlainUnchecked = 1, kPlainMissing = 2, kMaxPlainParts = 61,
                            kFirstRecord = kPlainMissing + kMaxPlainParts + 1;
  std::vector<uint32_t> slot_;
  std::deque<Finding> records_;
  std::mutex mu_;  // guards records_ growth
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
  int jobs = 0;  // files read at once; 0: one per CPU, more while they wait on the disk
  size_t window = 65536;  // entries resolved, sorted by inode and hashed together
};

struct ScanResult {
  Findings findings;  // one per manifest entry, same order
  std::vector<ForbidFinding> forbidden;  // files matching forbid patterns, by path
  std::vector<std::string> warnings;     // e.g. a directory a forbid pattern could not search
  bool cancelled = false;
};

ScanResult ScanTarget(FileSystem& fs, const Manifest& manifest, const ScanOptions& options,
                      ProgressSink& progress, const CancelToken& cancel);

// Whether `scan` found the target to be the volume the manifest describes, as
// far as its folders tell: an error when every manifest entry below a folder
// found none of its path on the target (not even its first folder, e.g.
// WINDOWS). That is a wrong target (the mount's parent, a data partition, the
// rescue system's own root), where a fix would build a whole Windows tree.
// Entries at the root tell nothing; a scan with any file found, any folder
// found, or cancelled passes.
Status CheckTargetHoldsManifest(const Manifest& manifest, const ScanResult& scan);

int DefaultJobs();

}  // namespace lifeboat
