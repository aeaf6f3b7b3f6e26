// Importing other tools' hash lists into the native manifest model:
// sha256sum and BSD mtree (through the regular parsers), hashdeep, and
// Winbindex per-file JSON (github.com/m417z/winbindex: SHA-256, size, file
// version and the Windows builds and updates each version shipped in).
#pragma once

#include <string>
#include <vector>

#include "recovery/manifest.h"

namespace lifeboat {

struct ImportOptions {
  std::string strip_prefix;  // hashdeep: removed from absolute paths
  // Winbindex: which files to take.
  std::string windows_version;  // a key of "windowsVersions", e.g. "1909", "11-24H2"
  std::string arch;             // x86 | x64 | arm64 (PE machine type)
  std::string ubr;              // optional: N or N-M, matched against updateInfo.releaseVersion
  std::string path;             // target path; default WINDOWS/System32/<file name>
};

// hashdeep output ("%%%% HASHDEEP-1.0" with a size and a sha256 column).
Result<Manifest> ImportHashdeep(std::string_view text, const std::string& name, const ImportOptions& options);

// One Winbindex file (`svchost.exe.json`, gzip allowed). The acceptable
// contents for the chosen version and architecture become one require entry:
// the newest file version is the main hash, the others alternatives.
Result<Manifest> ImportWinbindex(std::string_view json_text, const std::string& name, const ImportOptions& options);

}  // namespace lifeboat
