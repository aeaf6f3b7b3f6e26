// Fuzz target: Microsoft Defender quarantine files. The input is plaintext
// (RC4 would hide every structure from the fuzzer): the first byte picks an
// Entries file (header | section 1 | section 2, each encrypted here with a
// fresh keystream, as Defender does, using the lengths the header gives) or a
// ResourceData file (encrypted whole); then the decoder runs on the result.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "recovery/quarantine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string plain(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    lifeboat::DefenderRc4(plain);
    (void)lifeboat::DecodeDefenderResource(plain, 1 << 20);
    return 0;
  }
  auto get32 = [&](size_t o) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(plain[o + i]);
    return v;
  };
  std::string out;
  size_t pos = std::min<size_t>(plain.size(), 0x3C);
  std::string part = plain.substr(0, pos);
  lifeboat::DefenderRc4(part);
  out += part;
  if (plain.size() >= 0x3C) {
    for (uint32_t len : {get32(0x28), get32(0x2C)}) {
      part = plain.substr(pos, std::min<size_t>(len, plain.size() - pos));
      pos += part.size();
      lifeboat::DefenderRc4(part);
      out += part;
    }
  }
  out += plain.substr(pos);
  (void)lifeboat::DecodeDefenderEntry(out);
  return 0;
}
