// Finding a Windows installation on a volume and reading what it is,
// offline: product, version, build, service pack or UBR, edition and
// architecture from the SOFTWARE and SYSTEM registry hives, cross-checked
// with the PE header and file version of System32\ntoskrnl.exe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/os_spec.h"

namespace lifeboat {

struct WindowsInstall {
  std::string system_root;     // on-disk path of the Windows folder, e.g. "WINDOWS"
  std::string product_name;    // as the registry says ("Windows 10 Pro" on Windows 11 too)
  std::string name;            // from the build number: "Windows XP", "Windows 7", "Windows 11"
  std::string version;         // NT version: "5.1", "6.1", "10.0"
  uint32_t build = 0;
  uint32_t sp = 0;             // service pack number
  std::optional<uint32_t> ubr;  // update build revision (Windows 10 and later)
  std::string edition;         // EditionID
  std::string display_version;  // "22H2", "24H2" (or ReleaseId)
  std::string arch;            // x86, x64, arm64
  std::string kernel_image;    // "ntoskrnl.exe", or "kernel32.dll" when the kernel is unreadable
  std::string kernel_version;  // its file version, when readable
  std::vector<std::string> warnings;  // dirty hives, hive/kernel disagreements

  // "family=windows version=5.1 build=2600 sp=3 arch=x86 edition=professional"
  OsSpec Os() const;
};

// Every top-level folder holding System32\config\SOFTWARE is examined.
// Unreadable or damaged hives become warnings on that installation, or an
// error when nothing can be said about it.
Result<std::vector<WindowsInstall>> DetectWindows(FileSystem& fs);

// What the SOFTWARE hive (product, version, build, service pack, UBR,
// edition) and the SYSTEM hive (architecture, XP's service pack) say; values
// that are missing or of the wrong type are left empty.
class Hive;
void ReadSoftwareHive(const Hive& software, WindowsInstall& w);
void ReadSystemHive(const Hive& system, WindowsInstall& w);

// The friendly name for an NT build number ("Windows XP" for 2600, ...).
std::string WindowsName(uint32_t build, const std::string& version);

}  // namespace lifeboat
