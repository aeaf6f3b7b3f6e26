// What a volume's first sector says: NTFS, FAT32, exFAT, or BitLocker
// (whose encrypted volumes carry the OEM id "-FVE-FS-").
#pragma once

#include <cstdint>
#include <string>

namespace lifeboat {

enum class VolumeFs { kUnknown, kNtfs, kFat32, kExfat, kBitLocker };
const char* VolumeFsName(VolumeFs fs);  // unknown, ntfs, fat32, exfat, bitlocker

struct BootSector {
  VolumeFs fs = VolumeFs::kUnknown;
  uint32_t bytes_per_sector = 0;
  uint32_t cluster_size = 0;
  uint64_t total_bytes = 0;  // as the boot sector claims
  uint64_t serial = 0;
  std::string label;  // FAT32 boot sector label (NTFS keeps it in $Volume)
};

// `sector` must hold at least 512 bytes.
BootSector ParseBootSector(const uint8_t* sector);

}  // namespace lifeboat
