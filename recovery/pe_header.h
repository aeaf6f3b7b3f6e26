// The few facts lifeboat reads from a Windows executable: the machine type
// (the installation's architecture, from ntoskrnl.exe) and the file version
// (VS_FIXEDFILEINFO, found by its signature).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recovery/status.h"

namespace lifeboat {

struct PeInfo {
  uint16_t machine = 0;
  std::string arch;  // x86, x64, arm64, ia64, arm, or "" if unknown
  uint16_t os_major = 0, os_minor = 0;  // MajorOperatingSystemVersion / Minor
};

// `head` is the start of the file (the headers live in the first 4 KiB).
Result<PeInfo> ParsePeHeader(std::string_view head);

// "5.1.2600.5512" from the first VS_FIXEDFILEINFO in `data`, if any.
std::optional<std::string> FindFileVersion(std::string_view data);

}  // namespace lifeboat
