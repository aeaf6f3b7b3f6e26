// Planning: turn scan findings and restore sources into a RepairPlan.
//
// The plan is data: which directories to create, and for each repairable
// entry which verified copy to write where. `fix --dry-run` prints it; the
// executor runs it. A source copy enters the plan only after its SHA-256 was
// computed and equals the manifest's (the executor checks it once more on the
// bytes it actually writes).
//
// Matching (content, not names): the entries still needing a copy are indexed
// by digest and by size. Sources are surveyed in the order given; a candidate
// is hashed only if its size equals that of an unserved entry, or, for
// entries whose size the manifest does not give (sha256sum), if its base name
// matches one. If unsized entries remain unserved after that, a second round
// hashes every not-yet-hashed candidate. Surveys stop as soon as every entry
// has a copy.
//
// Known-bad files (forbid rules) become remove steps, except where the same
// path is also replaced from a require entry: the replace backs it up anyway.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "recovery/manifest.h"
#include "recovery/progress.h"
#include "recovery/scanner.h"
#include "recovery/source.h"

namespace lifeboat {

enum class StepKind {
  kRestore,  // the file is missing: create it
  kReplace,  // the file is corrupt: back it up, then replace it
  kRemove,   // the file is known-bad (a forbid rule): move it into the backup
};

// RepairStep::source for remove steps, which need no copy.
inline constexpr size_t kNoSource = SIZE_MAX;

struct RepairStep {
  uint32_t entry = 0;     // manifest entry index (restore, replace)
  uint32_t forbidden = 0;  // ScanResult::forbidden index (remove)
  StepKind kind = StepKind::kRestore;
  std::string path;       // on-disk path to write
  Digest expected{};
  uint64_t size = 0;      // size of the verified copy
  std::optional<Digest> old_digest;  // hash of the file being replaced or removed, if read
  size_t source = 0;      // index into the sources
  Candidate candidate;    // the verified copy within that source
  std::string source_label;  // "dllcache:svchost.exe"
};

struct Unrepairable {
  uint32_t entry = 0;
  std::string reason;
};

struct RepairPlan {
  std::vector<std::string> mkdirs;  // to create, parents before children
  std::vector<RepairStep> steps;
  std::vector<Unrepairable> unrepairable;
  std::vector<std::string> warnings;  // unreadable sources and candidates
  bool cancelled = false;
};

// Files fix could not write, back up or journal exactly (a path with no
// room left for lifeboat's temp and backup names, a name that is not UTF-8:
// WorkPathProblem in workspace.h) are unrepairable, or for known-bad files a
// warning. A pack build (pack.cc) writes nothing at the manifest's paths and
// turns that off.
struct PlanOptions {
  bool writes_target = true;
};

RepairPlan PlanRepair(const Manifest& manifest, const ScanResult& scan,
                      const std::vector<std::unique_ptr<Source>>& sources, ProgressSink& progress,
                      const CancelToken& cancel, const PlanOptions& options = {});

}  // namespace lifeboat
