// Describing the volumes on a disk, disk image or directory: file system,
// label, size, BitLocker, NTFS dirty flag, hibernation / Fast Startup state,
// the Windows installations on them, and whether writing is safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "recovery/bitlocker_header.h"
#include "recovery/filesystem.h"
#include "recovery/windows_detect.h"

namespace lifeboat {

enum class HiberState {
  kNone,         // no hiberfil.sys, or a zeroed header: Windows shut down normally
  kInvalidated,  // "wake"/"WAKE": an old image Windows will not resume
  kHibernated,   // "hibr"/"HIBR" (hibernation or Fast Startup): Windows will resume it
  kResuming,     // "RSTR": a resume was under way or failed
  kUnknown,      // an unrecognised header: treated as hibernated
};
const char* HiberStateName(HiberState s);  // none, invalidated, hibernated, resuming, unknown

// Reads the header of hiberfil.sys at the root of `fs`.
HiberState ReadHiberState(FileSystem& fs, std::string* magic = nullptr);

struct VolumeReport {
  std::string id;      // "/dev/sda2", "disk.img#2", "disk.img", or the directory
  std::string source;  // device | image | directory
  std::string path;    // the device, image file or directory
  int partition = 0;   // 0: the whole disk/image is the volume
  uint64_t offset = 0, size = 0;
  std::string partition_kind;  // basic-data, efi, recovery, ...
  std::string fs;              // ntfs, fat32, exfat, bitlocker, unknown, directory
  std::string label;
  bool bitlocker = false;
  std::optional<BitLockerInfo> bitlocker_info;  // volume GUID and key protectors, when the metadata is readable
  std::optional<bool> dirty;  // unknown for an already-mounted directory
  HiberState hibernation = HiberState::kNone;
  std::string hiber_magic;
  bool read_only = false;
  std::vector<WindowsInstall> windows;
  std::string ntfs_error;                   // why libntfs-3g could not open an NTFS volume (e.g. $MFTMirr mismatch)
  std::vector<std::string> notes;           // what could not be read, and why
  std::vector<std::string> unsafe_reasons;  // why writing would be unsafe now; empty: safe

  bool writable() const { return unsafe_reasons.empty(); }
};

// What makes writing to `v` unsafe, each with the way forward; the overrides
// drop the reasons the technician chose to accept.
struct SafetyOverrides {
  bool discard_hibernation = false;  // the saved session is deleted on mount (ntfs-3g remove_hiberfile)
  bool ignore_dirty = false;
};
std::vector<std::string> UnsafeReasons(const VolumeReport& v, const SafetyOverrides& o);

// All volumes of a disk image or block device (partition table or a whole
// volume). Never mounts anything: NTFS is read in user space.
Result<std::vector<VolumeReport>> ProbeDisk(const std::string& path);
// An already-mounted volume or a plain directory tree.
Result<VolumeReport> ProbeDirectory(const std::string& dir);
// Every disk the kernel lists in /sys/class/block (loop, ram and zram devices
// without media are skipped).
Result<std::vector<VolumeReport>> ProbeAllDisks();
// The volumes of the given disk images, block devices and directories, or of
// every disk when none is given (detect, auto and the console list them
// alike). An input that cannot be read is appended to `errors` as
// "<input>: <why>" and the others are still probed.
std::vector<VolumeReport> ProbeVolumes(const std::vector<std::string>& images, const std::vector<std::string>& devices,
                                       const std::vector<std::string>& directories, std::vector<std::string>& errors);

}  // namespace lifeboat
