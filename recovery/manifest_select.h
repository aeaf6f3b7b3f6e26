// Choosing the manifest for an installation from a directory of manifests
// (--manifest-dir), by the "os" lines of native manifests.
#pragma once

#include <string>
#include <vector>

#include "recovery/os_spec.h"
#include "recovery/status.h"

namespace lifeboat {

struct ManifestCandidate {
  std::string path;
  std::string title;
  std::vector<OsSpec> applies_to;
};

// Reads the header of every *.lbm file in `dir` (sorted by name).
Result<std::vector<ManifestCandidate>> ListManifests(const std::string& dir);

// The one manifest in `dir` that fits `os`. None, or more than one, is an
// error whose message lists what was asked for and what is available.
Result<std::string> SelectManifest(const std::string& dir, const OsSpec& os);

}  // namespace lifeboat
