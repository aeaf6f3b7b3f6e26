// Random access to a disk, a partition or an image file, and to a region
// (partition) inside one. Everything that reads raw volumes (partition
// tables, boot sectors, libntfs-3g) reads through this, never writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "recovery/status.h"

namespace lifeboat {

class BlockReader {
 public:
  virtual ~BlockReader() = default;
  virtual const std::string& name() const = 0;
  virtual uint64_t size() const = 0;
  // Reads exactly `len` bytes at `offset` (short only at the end: then fails).
  virtual Status ReadAt(uint64_t offset, void* buf, size_t len) = 0;
};

// A block device or regular file, read-only. The size of a block device comes
// from BLKGETSIZE64.
Result<std::unique_ptr<BlockReader>> OpenBlockReader(const std::string& path);

// `bytes` as a disk (tests and fuzz targets).
std::unique_ptr<BlockReader> MemoryBlockReader(std::string bytes, std::string name);

// The bytes [offset, offset + length) of `base`, as their own reader. `base`
// must outlive it.
std::unique_ptr<BlockReader> RegionReader(BlockReader& base, uint64_t offset, uint64_t length, std::string name);

}  // namespace lifeboat
