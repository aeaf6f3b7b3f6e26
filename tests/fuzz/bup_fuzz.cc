// Fuzz target: McAfee VirusScan .bup quarantine files (an OLE2 compound file
// with XORed streams): the compound-file reader over every stream, then the
// .bup decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/compound_file.h"
#include "recovery/quarantine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  lifeboat::Result<lifeboat::CompoundFile> cf = lifeboat::CompoundFile::Parse(bytes);
  if (cf.ok())
    for (const lifeboat::CompoundFile::Stream& s : cf->streams()) (void)cf->Read(s, 1 << 20);
  (void)lifeboat::DecodeMcAfeeBup(bytes, 1 << 20);
  return 0;
}
