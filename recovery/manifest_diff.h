// Comparing two manifests, for the review before signing: entries added,
// removed or changed (hash, size, version, alternatives), forbid rules added
// or removed, and header changes. Paths compare case-insensitively.
#pragma once

#include <string>
#include <vector>

#include "recovery/manifest.h"

namespace lifeboat {

struct ManifestDiff {
  std::vector<std::string> lines;  // "+ ...", "- ...", "~ ...", in path order
  size_t added = 0, removed = 0, changed = 0;
  bool empty() const { return lines.empty(); }
};

ManifestDiff DiffManifests(const Manifest& a, const Manifest& b);

}  // namespace lifeboat
