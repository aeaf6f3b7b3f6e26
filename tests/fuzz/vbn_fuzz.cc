// Fuzz target: Symantec .vbn quarantine files, both layouts (SAV/SEP 11
// whole-file XOR; SEP 12+ plain header and tagged payload).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/quarantine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lifeboat::DecodeSymantecVbn(std::string_view(reinterpret_cast<const char*>(data), size), 1 << 20);
  return 0;
}
