// Mounting an NTFS volume (in a disk image or on a device) for repair, and
// finding out what is already mounted.
//
// A volume is always reached through a loop device set up with the volume's
// offset and size (LOOP_CONFIGURE, autoclear): that works the same for image
// files, whole disks and partitions, and makes ntfs-3g use "fuseblk", whose
// unmount waits until every write is on the disk. The kernel's ntfs3 driver
// is tried first when the kernel has it; otherwise ntfs-3g (FUSE). After
// mounting, /proc/self/mountinfo must show the mount with the access asked
// for: a driver that silently falls back to read-only is an error for a
// repair. The Mount object unmounts on destruction, on every path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "recovery/status.h"

namespace lifeboat {

struct MountRequest {
  std::string source;              // image file or block device
  uint64_t offset = 0, size = 0;   // the volume inside it (size 0: to the end)
  bool read_write = false;
  bool remove_hiberfile = false;   // ntfs-3g remove_hiberfile: deletes hiberfil.sys (Windows' saved session)
  bool ignore_dirty = false;       // mount a volume whose NTFS dirty flag is set
  std::string driver = "auto";     // auto | ntfs3 | ntfs-3g
  std::string mount_point;         // empty: a new directory under /run/lifeboat (or /tmp)
};

class Mount {
 public:
  virtual ~Mount() = default;  // unmounts if still mounted
  virtual const std::string& path() const = 0;    // the mount point
  virtual const std::string& driver() const = 0;  // "ntfs3" or "ntfs-3g"
  virtual const std::string& device() const = 0;  // the loop device
  // Flushes, unmounts, removes a mount point it created, frees the loop device.
  virtual Status Unmount() = 0;
  // Leaves the volume mounted when this object goes away (`lifeboat mount`).
  virtual void Keep() = 0;
};

Result<std::unique_ptr<Mount>> MountNtfs(const MountRequest& request);

// Flushes and unmounts the file system at `path`, retrying for a few seconds
// while it is busy.
Status UnmountPath(const std::string& path);

struct MountEntry {
  std::string source, mount_point, fstype;
  dev_t dev = 0;  // st_dev of the mounted file system
  bool read_only = false;
};
// /proc/self/mountinfo, with octal escapes decoded.
std::vector<MountEntry> ReadMountTable();

// The mounts that use bytes [offset, offset + size) of `path` (size 0: to
// the end), through the device itself, its partitions or parent disk, or a
// loop device over the image file, the device or a partition: writing to the
// volume through a second mount would corrupt it. Mounts of other partitions
// of the same disk do not count. "/dev/sda2 on /media/win (ntfs3)" each.
std::vector<std::string> MountsUsing(const std::string& path, uint64_t offset = 0, uint64_t size = 0);

// The mount whose mount point is exactly `dir` (after realpath), if any.
const MountEntry* FindMountAt(const std::vector<MountEntry>& table, const std::string& dir);

}  // namespace lifeboat
