// Read-only FileSystem over an NTFS volume image or partition, in user space
// with libntfs-3g: no kernel driver, loop device or FUSE needed. `detect`
// and `scan` of disk images and devices use it; repairs write through a
// read-write mount (mount_linux.h).
#pragma once

#include <memory>
#include <string>

#include "recovery/block_device.h"
#include "recovery/filesystem.h"

namespace lifeboat {

struct NtfsVolumeInfo {
  std::string label;
  bool dirty = false;           // $Volume VOLUME_IS_DIRTY
  int major_version = 0, minor_version = 0;
};

class NtfsFileSystem : public FileSystem {
 public:
  virtual const NtfsVolumeInfo& info() const = 0;
};

// Opens the NTFS volume in `region` (which must outlive the result)
// read-only. Hibernated and dirty volumes open too: reading them is safe.
Result<std::unique_ptr<NtfsFileSystem>> OpenNtfs(BlockReader& region);

}  // namespace lifeboat
