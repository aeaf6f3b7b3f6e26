// The volume a command works on, however it was named: a directory (an
// already-mounted volume or a plain tree), a disk or partition image, or a
// block device. Target finds the volume (the partition holding Windows when
// none is named), unlocks BitLocker with dislocker when given a key, opens it
// read-only in user space for scanning, and for repairs checks that writing
// is safe and mounts it read-write. Whatever it mounted is unmounted by
// Close() or the destructor, also after errors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/mount_linux.h"
#include "recovery/status.h"
#include "recovery/volume_probe.h"

namespace lifeboat {

struct TargetSpec {
  std::string directory;  // --target
  std::string image;      // --image
  std::string device;     // --device
  int partition = 0;      // --partition; 0: the volume holding Windows
};

struct UnlockKeys {
  std::string recovery_password;  // 48 digits, dashes allowed
  std::string key_file;           // a .BEK startup key file
  std::string keys_csv;           // "volume id,recovery password" per line, for fleets
  bool any() const { return !recovery_password.empty() || !key_file.empty() || !keys_csv.empty(); }
};

struct WriteOptions {
  SafetyOverrides overrides;
  std::string driver = "auto";  // auto | ntfs3 | ntfs-3g
};

// Exactly one of directory, image, device; a partition only with image or device.
Status ValidateTargetSpec(const TargetSpec& spec);

// The recovery password for `ids` (any of a volume's names) in a keys CSV:
// lines "id,password", '#' comments, ids compared case-insensitively.
Result<std::string> LookupRecoveryPassword(const std::string& csv_path, const std::vector<std::string>& ids);

class Target {
 public:
  // Probes and chooses the volume; mounts nothing (except dislocker, to
  // unlock a BitLocker volume: read-only unless `for_write`).
  static Result<std::unique_ptr<Target>> Locate(const TargetSpec& spec, const UnlockKeys& keys,
                                                bool for_write = false);
  ~Target();

  const VolumeReport& volume() const { return volume_; }
  // How reports name the target: the directory, or "disk.img#2", "/dev/sda2".
  const std::string& display() const { return display_; }
  // What the technician should know (unlocked with dislocker, hibernation discarded, ...).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // For information: where it was mounted, that BitLocker was unlocked.
  const std::vector<std::string>& notes() const { return notes_; }

  // Read access: the directory itself, or NTFS in user space (libntfs-3g).
  Result<FileSystem*> OpenForRead();
  // Whether writing is safe: kConflict with every reason and its way forward
  // when the volume is hibernated, dirty, BitLocker-locked, damaged,
  // read-only or already mounted, unless the matching override is given.
  // Changes nothing.
  Status CheckWritable(const WriteOptions& options) const;
  // Write access: CheckWritable, a lock on the image or device, then images
  // and devices are mounted read-write (a read-only view opened before is
  // closed: take the new pointer).
  Result<FileSystem*> OpenForWrite(const WriteOptions& options);
  // `lifeboat mount`: mounts the volume (read-write only after the same
  // checks as OpenForWrite) at `at` (empty: a new directory) and leaves it
  // mounted; `path` receives the mount point.
  Status MountAndKeep(bool write, const WriteOptions& options, const std::string& at, std::string* path);
  // Flushes and unmounts whatever was mounted, newest first.
  Status Close();

 private:
  Target() = default;
  // dislocker with a recovery password, a .BEK file, or (both empty) the clear key.
  Status Unlock(const std::string& password, const std::string& key_file, bool for_write);
  Status CheckNtfs() const;  // an unlocked NTFS volume
  bool Discards(const WriteOptions& options) const;  // --discard-hibernation on a hibernated volume
  void WarnOverrides(const WriteOptions& options);
  Status LockSource();
  Result<std::unique_ptr<Mount>> MountVolume(bool write, const WriteOptions& options, const std::string& at);
  struct State;
  std::unique_ptr<State> state_;
  VolumeReport volume_;
  std::string display_;
  std::vector<std::string> warnings_, notes_;
};

}  // namespace lifeboat
