// Fuzz target: the members of a cabinet (or any archive libarchive reads) as
// a directory source lists and reads them (I386/SVCHOST.EX_, SP3.CAB), through
// VisitArchiveStream: headers only, then every member's data up to 1 MiB.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/byte_reader.h"
#include "recovery/source_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool read_data : {false, true}) {
    std::unique_ptr<lifeboat::ByteReader> in = lifeboat::MemoryReader(bytes);
    int members = 0;
    (void)lifeboat::VisitArchiveStream(*in, "fuzz", [&](const std::string&, uint64_t, lifeboat::ByteReader& member) {
      if (read_data) {
        char buf[4096];
        size_t total = 0;
        for (;;) {
          lifeboat::Result<size_t> n = member.Read(buf, sizeof buf);
          if (!n.ok() || *n == 0 || (total += *n) > (1u << 20)) break;
        }
      }
      return ++members < 64;
    });
  }
  return 0;
}
