// Volume probing (volume_probe.h). Safety rules follow
// shared/docs/WINDOWS-FORMATS.md section 4: a hibernated Windows makes every
// NTFS volume on its disk unsafe to write; a dirty NTFS volume needs chkdsk
// first; a BitLocker volume is written only after unlocking; read-only media
// are read-only.
#include "recovery/volume_probe.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "recovery/block_device.h"
#include "recovery/boot_sector.h"
#include "recovery/filesystem_ntfs3g.h"
#include "recovery/filesystem_posix.h"
#include "recovery/partition_table.h"
#include "recovery/path_resolver.h"

namespace lifeboat {
namespace {

void AddSafety(VolumeReport& v) { v.unsafe_reasons = UnsafeReasons(v, SafetyOverrides{}); }

void Inspect(FileSystem& fs, VolumeReport& v) {
  v.hibernation = ReadHiberState(fs, &v.hiber_magic);
  Result<std::vector<WindowsInstall>> w = DetectWindows(fs);
  if (w.ok())
    v.windows = std::move(w).value();
  else
    v.notes.push_back("Windows detection failed: " + w.status().message());
}

bool SysFlag(const std::string& block, const char* attr) {
  std::ifstream f("/sys/class/block/" + block + "/" + attr);
  int v = 0;
  return f >> v && v != 0;
}

}  // namespace

const char* HiberStateName(HiberState s) {
  switch (s) {
    case HiberState::kNone: return "none";
    case HiberState::kInvalidated: return "invalidated";
    case HiberState::kHibernated: return "hibernated";
    case HiberState::kResuming: return "resuming";
    case HiberState::kUnknown: return "unknown";
  }
  return "?";
}

HiberState ReadHiberState(FileSystem& fs, std::string* magic) {
  PathResolver resolver(fs);
  Resolution r = resolver.Resolve("hiberfil.sys");
  if (r.kind != Resolution::Kind::kFound) return HiberState::kNone;
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(r.disk_path);
  if (!in.ok()) return HiberState::kUnknown;
  char head[4096] = {};
  size_t got = 0;
  while (got < sizeof head) {
    Result<size_t> n = (*in)->Read(head + got, sizeof head - got);
    if (!n.ok()) return HiberState::kUnknown;
    if (*n == 0) break;
    got += *n;
  }
  std::string m(head, 4);
  if (magic) {
    *magic = m;
    for (char& c : *magic)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) c = '.';
  }
  if (got < 4 || std::all_of(head, head + got, [](char c) { return c == 0; })) return HiberState::kNone;
  if (m == "hibr" || m == "HIBR") return HiberState::kHibernated;
  if (m == "RSTR" || m == "rstr") return HiberState::kResuming;
  if (m == "wake" || m == "WAKE") return HiberState::kInvalidated;
  return HiberState::kUnknown;
}

std::vector<std::string> UnsafeReasons(const VolumeReport& v, const SafetyOverrides& o) {
  std::vector<std::string> out;
  if (v.bitlocker)
    out.push_back(
        "BitLocker: the volume is encrypted; unlock it with --recovery-password, --bitlocker-key FILE.BEK, or "
        "--bitlocker-keys FILE.csv (a fleet's list of recovery key ID or volume id -> recovery password)");
  bool hibernated = v.hibernation == HiberState::kHibernated || v.hibernation == HiberState::kResuming ||
                    v.hibernation == HiberState::kUnknown;
  if (hibernated && !o.discard_hibernation)
    out.push_back(
        std::string("hibernation: Windows is hibernated or shut down with Fast Startup (hiberfil.sys '") +
        v.hiber_magic + "'); anything written now is lost or corrupts the volume when Windows resumes. Boot "
        "Windows and shut it down fully (shift+Shut down), or give --discard-hibernation to throw the saved "
        "session away");
  if (v.dirty.value_or(false) && !o.ignore_dirty)
    out.push_back(
        "dirty: the NTFS volume was not cleanly unmounted; run chkdsk /f from Windows (or ntfsfix), or give "
        "--ignore-dirty");
  if (!v.ntfs_error.empty())
    out.push_back("damaged: the NTFS structures cannot be read (" + v.ntfs_error +
                  "); run chkdsk /f from Windows or its recovery environment, or image the disk first");
  if (v.read_only)
    out.push_back(
        "read-only: the device, image or mount is read-only; mount it read-write (mount -o remount,rw), clear "
        "the device's read-only flag (blockdev --setrw), or repair a writable copy");
  return out;
}

Result<std::vector<VolumeReport>> ProbeDisk(const std::string& path) {
  Result<std::unique_ptr<BlockReader>> disk = OpenBlockReader(path);
  if (!disk.ok()) return disk.status();
  struct stat st;
  bool device = ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
  std::string block = path.substr(path.rfind('/') + 1);
  bool disk_ro = device ? SysFlag(block, "ro") : ::access(path.c_str(), W_OK) != 0;
  Result<PartitionTable> table = ReadPartitionTable(**disk);
  if (!table.ok()) return table.status();
  std::vector<VolumeReport> out;
  for (const Partition& p : table->partitions) {
    VolumeReport v;
    v.source = device ? "device" : "image";
    v.path = path;
    v.partition = p.number;
    v.offset = p.offset;
    v.size = p.length;
    v.partition_kind = p.kind;
    v.read_only = disk_ro;
    if (p.number == 0) v.id = path;
    else if (device) v.id = path + (std::isdigit(static_cast<unsigned char>(path.back())) ? "p" : "") + std::to_string(p.number);
    else v.id = path + "#" + std::to_string(p.number);
    std::unique_ptr<BlockReader> region = RegionReader(**disk, p.offset, p.length, v.id);
    uint8_t sector[512] = {};
    if (p.length < 512 || !region->ReadAt(0, sector, 512).ok()) {
      v.fs = "unknown";
      v.notes.push_back("first sector unreadable");
      out.push_back(std::move(v));
      continue;
    }
    BootSector bs = ParseBootSector(sector);
    v.fs = VolumeFsName(bs.fs);
    v.label = bs.label;
    v.bitlocker = bs.fs == VolumeFs::kBitLocker;
    if (v.bitlocker) {
      Result<BitLockerInfo> info = ReadBitLockerInfo(*region);
      if (info.ok()) {
        v.bitlocker_info = std::move(info).value();
        for (const std::string& id : v.bitlocker_info->RecoveryKeyIds())
          v.notes.push_back("BitLocker recovery key ID " + id + ": the recovery password for this ID unlocks it");
      } else {
        v.notes.push_back("BitLocker metadata unreadable: " + info.status().message());
      }
    }
    if (bs.fs == VolumeFs::kNtfs) {
      Result<std::unique_ptr<NtfsFileSystem>> ntfs = OpenNtfs(*region);
      if (ntfs.ok()) {
        v.label = (*ntfs)->info().label;
        v.dirty = (*ntfs)->info().dirty;
        Inspect(**ntfs, v);
      } else {
        v.ntfs_error = ntfs.status().message();
        v.notes.push_back(v.ntfs_error);
      }
    }
    for (const std::string& w : table->warnings) v.notes.push_back(w);
    out.push_back(std::move(v));
  }
  // A hibernated Windows has every volume of the disk in its saved session.
  for (const VolumeReport& h : out) {
    if (h.hibernation != HiberState::kHibernated && h.hibernation != HiberState::kResuming) continue;
    for (VolumeReport& v : out)
      if (&v != &h && (v.fs == "ntfs" || v.fs == "bitlocker") && v.hibernation == HiberState::kNone) {
        v.hibernation = h.hibernation;
        v.hiber_magic = h.hiber_magic + " on " + h.id;
      }
  }
  for (VolumeReport& v : out)
    if (v.fs == "ntfs" || v.fs == "bitlocker") AddSafety(v);
  return out;
}

Result<VolumeReport> ProbeDirectory(const std::string& dir) {
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(dir);
  if (!fs.ok()) return fs.status();
  VolumeReport v;
  v.id = dir;
  v.source = "directory";
  v.path = dir;
  v.fs = "directory";
  struct statvfs sv;
  if (::statvfs(dir.c_str(), &sv) == 0) {
    v.read_only = (sv.f_flag & ST_RDONLY) != 0;
    v.size = uint64_t{sv.f_blocks} * sv.f_frsize;
  }
  Inspect(**fs, v);
  AddSafety(v);
  return v;
}

Result<std::vector<VolumeReport>> ProbeAllDisks() {
  DIR* d = ::opendir("/sys/class/block");
  if (d == nullptr) return Status::FromErrno(errno, "/sys/class/block");
  std::vector<std::string> disks;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    if (::stat(("/sys/class/block/" + n + "/partition").c_str(), &st) == 0) continue;  // a partition
    if (n.rfind("ram", 0) == 0 || n.rfind("zram", 0) == 0) continue;
    std::ifstream size_file("/sys/class/block/" + n + "/size");
    uint64_t sectors = 0;
    if (!(size_file >> sectors) || sectors == 0) continue;  // no media (empty loop, CD drive)
    disks.push_back("/dev/" + n);
  }
  ::closedir(d);
  std::sort(disks.begin(), disks.end());
  std::vector<VolumeReport> out;
  for (const std::string& disk : disks) {
    Result<std::vector<VolumeReport>> v = ProbeDisk(disk);
    if (!v.ok()) {
      VolumeReport bad;
      bad.id = disk;
      bad.source = "device";
      bad.path = disk;
      bad.fs = "unknown";
      std::ifstream sectors("/sys/class/block/" + disk.substr(5) + "/size");
      uint64_t n = 0;
      if (sectors >> n) bad.size = n * 512;  // the kernel knows the size even when the device cannot be opened
      bad.notes.push_back(v.status().message());
      out.push_back(std::move(bad));
      continue;
    }
    for (VolumeReport& r : *v) out.push_back(std::move(r));
  }
  return out;
}

std::vector<VolumeReport> ProbeVolumes(const std::vector<std::string>& images, const std::vector<std::string>& devices,
                                       const std::vector<std::string>& directories, std::vector<std::string>& errors) {
  std::vector<VolumeReport> volumes;
  auto add = [&](Result<std::vector<VolumeReport>> r, const std::string& what) {
    if (!r.ok()) {
      errors.push_back(what + ": " + r.status().message());
      return;
    }
    for (VolumeReport& v : *r) volumes.push_back(std::move(v));
  };
  for (const std::string& i : images) add(ProbeDisk(i), i);
  for (const std::string& d : devices) add(ProbeDisk(d), d);
  for (const std::string& t : directories) {
    Result<VolumeReport> v = ProbeDirectory(t);
    if (v.ok()) volumes.push_back(std::move(v).value());
    else errors.push_back(t + ": " + v.status().message());
  }
  if (images.empty() && devices.empty() && directories.empty()) add(ProbeAllDisks(), "block devices");
  return volumes;
}

}  // namespace lifeboat
