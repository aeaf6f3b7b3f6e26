// PE header and version resource reading (pe_header.h). Offsets follow the
// PE/COFF specification; every read is bounds-checked against `head`.
#include "recovery/pe_header.h"

#include <cstring>

namespace lifeboat {
namespace {

uint16_t Le16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) << 8);
}
uint32_t Le32(const char* p) { return uint32_t{Le16(p)} | uint32_t{Le16(p + 2)} << 16; }

Status NotPe(const std::string& why) { return Status::Error(Status::Code::kInvalidInput, "not a PE file: " + why); }

}  // namespace

Result<PeInfo> ParsePeHeader(std::string_view h) {
  if (h.size() < 0x40 || h[0] != 'M' || h[1] != 'Z') return NotPe("no MZ header");
  uint32_t pe = Le32(h.data() + 0x3C);
  if (pe > h.size() || h.size() - pe < 0x18 + 0x30) return NotPe("PE header outside the first bytes");
  if (std::memcmp(h.data() + pe, "PE\0\0", 4) != 0) return NotPe("no PE signature");
  PeInfo info;
  info.machine = Le16(h.data() + pe + 4);
  switch (info.machine) {
    case 0x014C: info.arch = "x86"; break;
    case 0x8664: info.arch = "x64"; break;
    case 0xAA64: info.arch = "arm64"; break;
    case 0x0200: info.arch = "ia64"; break;
    case 0x01C4: info.arch = "arm"; break;
    default: break;
  }
  const char* opt = h.data() + pe + 0x18;
  uint16_t magic = Le16(opt);
  if (magic != 0x10B && magic != 0x20B) return NotPe("unknown optional header magic");
  info.os_major = Le16(opt + 40);
  info.os_minor = Le16(opt + 42);
  return info;
}

std::optional<std::string> FindFileVersion(std::string_view data) {
  static const char kSig[] = {'\xBD', '\x04', '\xEF', '\xFE'};
  for (size_t pos = data.find(std::string_view(kSig, 4)); pos != std::string_view::npos;
       pos = data.find(std::string_view(kSig, 4), pos + 1)) {
    if (pos % 4 != 0 || data.size() - pos < 16) continue;  // the structure is 32-bit aligned
    uint32_t struc_version = Le32(data.data() + pos + 4);
    if (struc_version != 0x00010000) continue;
    uint32_t ms = Le32(data.data() + pos + 8), ls = Le32(data.data() + pos + 12);
    return std::to_string(ms >> 16) + "." + std::to_string(ms & 0xFFFF) + "." + std::to_string(ls >> 16) + "." +
           std::to_string(ls & 0xFFFF);
  }
  return std::nullopt;
}

}  // namespace lifeboat
