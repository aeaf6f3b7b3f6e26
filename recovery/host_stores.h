// The spare copies Windows keeps on its own volume, as restore sources found
// without being asked for: XP's system32\dllcache (Windows File Protection),
// ServicePackFiles\i386 and Driver Cache\i386 (driver.cab, sp*.cab), an I386
// folder copied from the install CD, XP's hotfix and service-pack uninstall
// folders ($NtUninstallKB...$, $NtServicePackUninstall$: older versions, for
// manifests that allow them), and Vista+'s WinSxS. Every candidate is still
// trusted only after its SHA-256 matches the manifest.
#pragma once

#include <string>
#include <vector>

#include "recovery/filesystem.h"

namespace lifeboat {

struct HostStore {
  std::string label;  // "dllcache", "ServicePackFiles/i386", "I386", "Driver Cache/i386", "WinSxS"
  std::string dir;    // on-disk relative path, e.g. "WINDOWS/system32/dllcache"
};

// The stores present on `fs`, cheapest first (plain files before cabinets,
// WinSxS last): for every top-level folder holding a system32 folder (the
// Windows folder, whatever its case), and an I386 folder at the root.
std::vector<HostStore> FindHostStores(FileSystem& fs);

// The on-disk spelling of directory `path` ('/'-separated, any case) on `fs`,
// or "" if it is absent, not a real directory, or ambiguous by case.
std::string FindDirFolded(FileSystem& fs, const std::string& path);

}  // namespace lifeboat
