// MBR and GPT partition tables (and "superfloppy" disks whose first sector is
// already a volume boot sector), read from a disk or disk image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recovery/block_device.h"

namespace lifeboat {

enum class PartitionScheme { kNone, kMbr, kGpt };
const char* PartitionSchemeName(PartitionScheme s);  // none, mbr, gpt

struct Partition {
  int number = 0;            // as Linux numbers them: MBR 1-4 primary, 5+ logical; GPT entry + 1
  uint64_t offset = 0;       // bytes from the start of the disk
  uint64_t length = 0;       // bytes
  std::string type;          // "0x07", or the GPT type GUID
  std::string kind;          // basic-data, efi, msr, recovery, linux, other
  std::string name;          // GPT partition name
};

struct PartitionTable {
  PartitionScheme scheme = PartitionScheme::kNone;
  std::vector<Partition> partitions;  // for kNone: one entry covering the whole disk
  std::vector<std::string> warnings;  // e.g. a GPT checksum mismatch
};

// Never fails on strange data: unknown layouts come back as kNone with the
// whole disk as one candidate volume; I/O errors are errors.
Result<PartitionTable> ReadPartitionTable(BlockReader& disk);

}  // namespace lifeboat
