// Fuzz target: SZDD files (compress.exe, NT 4 / Win9x media) expanded by
// libmspack in memory, with lifeboat's header checks and size limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/szdd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lifeboat::ExpandSzdd(std::string_view(reinterpret_cast<const char*>(data), size), 1 << 20);
  return 0;
}
