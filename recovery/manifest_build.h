// Building a native manifest from a healthy reference system: a directory
// (a mounted reference volume, extracted install media) or an archive.
//
// Every file whose path matches an include pattern and no exclude pattern is
// hashed through the Source interface (so archives work as well as
// directories); the result is sorted by path. The default selection is what a
// system-file manifest needs: executables, libraries, drivers, control panel
// items, screen savers, MUI resources, catalogs and NLS tables under the
// Windows directory, minus volatile files (registry hives, logs, temp,
// prefetch, update caches).
#pragma once

#include <string>
#include <vector>

#include "recovery/manifest.h"
#include "recovery/progress.h"
#include "recovery/source.h"

namespace lifeboat {

struct BuildOptions {
  std::vector<std::string> include;  // empty: DefaultIncludes()
  std::vector<std::string> exclude;  // added to DefaultExcludes()
  std::string title, description, created;
  std::vector<OsSpec> os;
};

const std::vector<std::string>& DefaultIncludes();
const std::vector<std::string>& DefaultExcludes();

// Builds the manifest from `from`. Candidates that cannot be read are
// warnings in Manifest::warnings; a source that fails outright is an error.
Result<Manifest> BuildManifest(Source& from, const BuildOptions& options, ProgressSink& progress,
                               const CancelToken& cancel);

}  // namespace lifeboat
