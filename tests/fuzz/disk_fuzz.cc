// Fuzz target: what lifeboat reads from a raw disk before any file system
// driver: the MBR (with its extended-partition chain), GPT header and
// entries, each partition's boot sector, and a BitLocker volume's FVE metadata. The input is the disk image.
// Partitions must lie inside the disk and the chain must end.
#include <cstddef>
#include <cstdint>
#include <string>

#include "recovery/bitlocker_header.h"
#include "recovery/block_device.h"
#include "recovery/boot_sector.h"
#include "recovery/partition_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Small inputs describe large disks: the tail is zeros.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.size() < 64 * 1024) bytes.resize(64 * 1024, '\0');
  auto disk = lifeboat::MemoryBlockReader(bytes, "fuzz");
  lifeboat::Result<lifeboat::PartitionTable> t = lifeboat::ReadPartitionTable(*disk);
  if (!t.ok()) return 0;
  for (const lifeboat::Partition& p : t->partitions) {
    if (p.offset > bytes.size() || p.length > bytes.size() - p.offset) __builtin_trap();
    auto region = lifeboat::RegionReader(*disk, p.offset, p.length, "part");
    uint8_t sector[512];
    if (p.length < 512 || !region->ReadAt(0, sector, sizeof sector).ok()) continue;
    if (lifeboat::ParseBootSector(sector).fs == lifeboat::VolumeFs::kBitLocker)
      (void)lifeboat::ReadBitLockerInfo(*region);  // the FVE metadata the volume header points to
  }
  return 0;
}
