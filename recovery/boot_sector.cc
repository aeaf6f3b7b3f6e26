// ParseBootSector (boot_sector.h): fields only after their plausibility is
// checked, so a random sector never yields absurd sizes.
#include "recovery/boot_sector.h"

#include <cstring>

namespace lifeboat {
namespace {

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }
uint64_t Le64(const uint8_t* p) { return uint64_t{Le32(p)} | uint64_t{Le32(p + 4)} << 32; }

bool PowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

const char* VolumeFsName(VolumeFs fs) {
  switch (fs) {
    case VolumeFs::kUnknown: return "unknown";
    case VolumeFs::kNtfs: return "ntfs";
    case VolumeFs::kFat32: return "fat32";
    case VolumeFs::kExfat: return "exfat";
    case VolumeFs::kBitLocker: return "bitlocker";
  }
  return "?";
}

BootSector ParseBootSector(const uint8_t* s) {
  BootSector b;
  if (std::memcmp(s + 3, "-FVE-FS-", 8) == 0) {
    b.fs = VolumeFs::kBitLocker;
    return b;
  }
  if (std::memcmp(s + 3, "EXFAT   ", 8) == 0) {
    b.fs = VolumeFs::kExfat;
    return b;
  }
  uint32_t bps = Le16(s + 0x0B);
  bool bps_ok = PowerOfTwo(bps) && bps >= 256 && bps <= 4096;
  if (std::memcmp(s + 3, "NTFS    ", 8) == 0 && bps_ok) {
    b.fs = VolumeFs::kNtfs;
    b.bytes_per_sector = bps;
    uint8_t spc = s[0x0D];
    // Values above 0x80 mean 2^(256 - value) sectors (large clusters).
    uint32_t sectors = spc <= 0x80 ? spc : (256 - spc < 32 ? 1u << (256 - spc) : 0);
    b.cluster_size = sectors * bps;
    uint64_t total = Le64(s + 0x28);
    b.total_bytes = total < (uint64_t{1} << 52) ? total * bps : 0;
    b.serial = Le64(s + 0x48);
    return b;
  }
  if (std::memcmp(s + 0x52, "FAT32   ", 8) == 0 && bps_ok && s[0x0D] != 0) {
    b.fs = VolumeFs::kFat32;
    b.bytes_per_sector = bps;
    b.cluster_size = s[0x0D] * bps;
    b.total_bytes = uint64_t{Le32(s + 0x20)} * bps;
    b.serial = Le32(s + 0x43);
    std::string label(reinterpret_cast<const char*>(s + 0x47), 11);
    while (!label.empty() && label.back() == ' ') label.pop_back();
    for (char& c : label)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) c = '?';
    if (label != "NO NAME") b.label = label;
    return b;
  }
  return b;
}

}  // namespace lifeboat
