// Fuzz target: the PE header and version resource of ntoskrnl.exe /
// kernel32.dll on a damaged volume (recovery/pe_header.cc).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/pe_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)lifeboat::ParsePeHeader(bytes.substr(0, 4096));
  (void)lifeboat::FindFileVersion(bytes);
  return 0;
}
