// A directory tree as a restore source (e.g. system32/dllcache, a USB payload).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/source.h"

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenDirectorySource(const std::string& path);

// The directory `dir` (a clean relative path, on-disk spelling) of the file
// system `fs()` returns each time it is used: a store on the target volume
// itself (system32/dllcache), read through whatever view of the volume is
// current (user-space NTFS while scanning, the read-write mount while fixing).
// Directories in `skip` (paths relative to `dir`, on-disk spelling) are not
// entered: the whole volume ("--search-volume") leaves out lifeboat's own
// folder and the stores already searched.
using FileSystemFn = std::function<FileSystem*()>;
std::unique_ptr<Source> OpenVolumeDirectorySource(FileSystemFn fs, std::string dir, std::string label,
                                                  std::vector<std::string> skip = {});

}  // namespace lifeboat
