// Antivirus quarantine folders on the target volume as restore sources. The
// product that deleted a system file usually kept it: McAfee VirusScan in
// C:\Quarantine (.bup), Symantec under ...\Symantec\...\Quarantine (.vbn),
// Defender and Security Essentials in "...\Microsoft\Windows Defender\Quarantine"
// (Entries + ResourceData). Each quarantined file is decoded in
// memory (quarantine.h), offered as a candidate named by the quarantine file
// and the original path it recorded, and used only if its SHA-256 matches the
// manifest: a quarantined look-alike (real malware named svchost.exe) never
// is. A file that does not decode is a warning, never a stop.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/source.h"
#include "recovery/source_directory.h"

namespace lifeboat {

struct QuarantineStore {
  std::string label;  // "McAfee quarantine", "Symantec quarantine", "Defender quarantine"
  std::string dir;    // on-disk relative path, e.g. "Quarantine"
};

// The quarantine folders present on `fs`: C:\Quarantine (McAfee VirusScan
// Enterprise's default), and folders named Quarantine under McAfee\ and
// Symantec\ and Defender's / Security Essentials' fixed folders, in
// ProgramData (Vista+) and All Users\Application Data (XP).
std::vector<QuarantineStore> FindQuarantineStores(FileSystem& fs);

// The quarantine folder `dir` of the volume `fs()` returns, read through the
// current view of the volume (as OpenVolumeDirectorySource).
std::unique_ptr<Source> OpenQuarantineSource(FileSystemFn fs, std::string dir, std::string label);

// Quarantine files larger than this are skipped with a warning: each is
// decoded in memory, on PCs that may have 512 MiB of RAM.
inline constexpr uint64_t kMaxQuarantineFile = 128ull << 20;

}  // namespace lifeboat
