// Target (target_volume.h): locate, unlock, open for reading or writing.
#include "recovery/target_volume.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "recovery/block_device.h"
#include "recovery/filesystem_ntfs3g.h"
#include "recovery/filesystem_posix.h"
#include "recovery/subprocess.h"

namespace lifeboat {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) return path;
  std::string cwd = buf;
  return cwd == "/" ? "/" + path : cwd + "/" + path;
}

std::string Describe(const VolumeReport& v) {
  std::string s = "  --partition " + std::to_string(v.partition) + ": " + v.fs;
  if (!v.label.empty()) s += " '" + v.label + "'";
  s += ", " + std::to_string(v.size / (1024 * 1024)) + " MiB";
  for (const WindowsInstall& w : v.windows) s += ", " + w.name + " in \\" + w.system_root;
  return s;
}

bool Hibernated(const VolumeReport& v) {
  return v.hibernation == HiberState::kHibernated || v.hibernation == HiberState::kResuming ||
         v.hibernation == HiberState::kUnknown;
}

}  // namespace

struct Target::State {
  TargetSpec spec;
  std::string volume_path;  // the image/device (or dislocker's decrypted file) holding the volume
  uint64_t offset = 0, size = 0;
  std::string dislocker_dir;
  bool dislocker_mounted = false;
  std::unique_ptr<BlockReader> base, region;
  std::unique_ptr<FileSystem> fs;
  bool writable = false;  // fs is the read-write one
  std::unique_ptr<Mount> mount;
  int lock_fd = -1;       // flock on the image or device while writing
};

Status ValidateTargetSpec(const TargetSpec& spec) {
  int given = !spec.directory.empty() + !spec.image.empty() + !spec.device.empty();
  if (given == 0)
    return Status::Error(Status::Code::kInvalidInput,
                         "give the volume: --target DIR (mounted), --image FILE or --device DEV");
  if (given > 1)
    return Status::Error(Status::Code::kInvalidInput, "give only one of --target, --image and --device");
  if (spec.partition != 0 && !spec.directory.empty())
    return Status::Error(Status::Code::kInvalidInput, "--partition goes with --image or --device, not --target");
  return Status::Ok();
}

Result<std::string> LookupRecoveryPassword(const std::string& csv_path, const std::vector<std::string>& ids) {
  std::ifstream in(csv_path);
  if (!in) return Status::FromErrno(errno, csv_path);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t comma = line.find(',');
    if (comma == std::string::npos)
      return Status::Error(Status::Code::kInvalidInput,
                           csv_path + ":" + std::to_string(lineno) + ": expected \"volume id,recovery password\"");
    std::string id = Lower(Trim(line.substr(0, comma)));
    if (id.size() > 2 && id.front() == '{' && id.back() == '}') id = id.substr(1, id.size() - 2);  // {GUID}
    std::string password = Trim(line.substr(comma + 1));
    for (const std::string& want : ids)
      if (!want.empty() && Lower(want) == id) return password;
  }
  std::string names;
  for (const std::string& id : ids)
    if (!id.empty()) names += (names.empty() ? "" : ", ") + id;
  return Status::Error(Status::Code::kNotFound, csv_path + " has no recovery password for " + names);
}

Result<std::unique_ptr<Target>> Target::Locate(const TargetSpec& spec, const UnlockKeys& keys, bool for_write) {
  Status valid = ValidateTargetSpec(spec);
  if (!valid.ok()) return valid;
  std::unique_ptr<Target> t(new Target());
  t->state_ = std::make_unique<State>();
  State& st = *t->state_;
  st.spec = spec;
  if (!spec.directory.empty()) {
    Result<VolumeReport> v = ProbeDirectory(spec.directory);
    if (!v.ok()) return v.status();
    t->volume_ = std::move(v).value();
    t->display_ = Absolute(spec.directory);
    return t;
  }
  const std::string& path = spec.image.empty() ? spec.device : spec.image;
  Result<std::vector<VolumeReport>> all = ProbeDisk(path);
  if (!all.ok()) return all.status();
  std::string listing;
  for (const VolumeReport& v : *all) listing += "\n" + Describe(v);
  const VolumeReport* chosen = nullptr;
  if (spec.partition != 0) {
    for (const VolumeReport& v : *all)
      if (v.partition == spec.partition) chosen = &v;
    if (!chosen)
      return Status::Error(Status::Code::kNotFound,
                           path + " has no partition " + std::to_string(spec.partition) + "; it has:" + listing);
  } else {
    std::vector<const VolumeReport*> windows, ntfs;
    for (const VolumeReport& v : *all) {
      if (!v.windows.empty()) windows.push_back(&v);
      if (v.fs == "ntfs" || v.fs == "bitlocker") ntfs.push_back(&v);
    }
    if (windows.size() == 1) chosen = windows[0];
    else if (windows.empty() && ntfs.size() == 1) chosen = ntfs[0];
    else if (windows.size() > 1)
      return Status::Error(Status::Code::kConflict,
                           path + " holds more than one Windows installation; choose one with --partition N:" + listing);
    else if (ntfs.empty())
      return Status::Error(Status::Code::kNotFound, path + " has no NTFS or BitLocker volume:" + listing);
    else
      return Status::Error(Status::Code::kConflict,
                           path + " has several NTFS volumes and none holds a readable Windows; choose one with "
                                  "--partition N:" + listing);
  }
  t->volume_ = *chosen;
  t->display_ = chosen->id;
  st.volume_path = path;
  st.offset = chosen->offset;
  st.size = chosen->size;
  if (chosen->partition == 0) st.size = 0;  // the whole image or device

  if (t->volume_.bitlocker) {
    if (keys.any()) {
      std::string password = keys.recovery_password;
      if (password.empty() && keys.key_file.empty()) {
        std::string base = t->volume_.id.substr(t->volume_.id.rfind('/') + 1);
        std::vector<std::string> ids = {t->volume_.id, base, t->volume_.label};
        if (t->volume_.bitlocker_info) {
          ids.push_back(t->volume_.bitlocker_info->volume_guid);
          for (const BitLockerProtector& p : t->volume_.bitlocker_info->protectors) ids.push_back(p.id);
          for (const std::string& id : t->volume_.bitlocker_info->RecoveryKeyIds()) ids.push_back(id);
        }
        Result<std::string> found = LookupRecoveryPassword(keys.keys_csv, ids);
        if (!found.ok()) return found.status();
        password = *found;
      }
      Status s = t->Unlock(password, keys.key_file, for_write);
      if (!s.ok()) return s;
    } else if (!t->Unlock("", "", for_write).ok()) {
      // Suspended BitLocker (and device encryption not yet activated) keeps
      // a clear key; anything else needs a secret.
      t->volume_.notes.push_back("BitLocker is active (no clear key): a recovery password or key file is needed");
    }
  }
  return t;
}

Status Target::Unlock(const std::string& password, const std::string& key_file, bool for_write) {
  State& st = *state_;
  bool clear_key = password.empty() && key_file.empty();
  std::string prog = FindProgram("dislocker-fuse");
  if (prog.empty()) prog = FindProgram("dislocker");
  if (prog.empty())
    return Status::Error(Status::Code::kUnsupported,
                         "cannot unlock BitLocker: dislocker is not installed (apt-get install dislocker)");
  ::mkdir("/run/lifeboat", 0700);
  std::string dir = "/run/lifeboat/bitlocker-XXXXXX";
  if (!::mkdtemp(dir.data())) {
    dir = "/tmp/lifeboat-bitlocker-XXXXXX";
    if (!::mkdtemp(dir.data())) return Status::FromErrno(errno, "create a directory for dislocker");
  }
  std::vector<std::string> argv = {prog, "-V", st.volume_path, "-O", std::to_string(st.offset)};
  if (!for_write) argv.push_back("-r");
  if (clear_key) argv.push_back("-c");
  else if (!password.empty()) argv.push_back("-p" + password);
  else argv.insert(argv.end(), {"-f", key_file});
  argv.insert(argv.end(), {"--", dir});
  Result<ProgramResult> run = RunProgram(argv);
  std::string decrypted = dir + "/dislocker-file";
  if (!run.ok() || run->exit_code != 0 || ::access(decrypted.c_str(), F_OK) != 0) {
    ::umount2(dir.c_str(), MNT_DETACH);
    ::rmdir(dir.c_str());
    std::string why = run.ok() ? run->output : run.status().message();
    if (why.size() > 600) why = why.substr(why.size() - 600);
    return Status::Error(Status::Code::kPermission,
                         "dislocker could not unlock " + volume_.id +
                             " (wrong recovery password or key file, or not a BitLocker volume): " + why);
  }
  st.dislocker_dir = dir;
  st.dislocker_mounted = true;
  Result<std::vector<VolumeReport>> inner = ProbeDisk(decrypted);
  if (!inner.ok() || inner->empty()) {
    (void)Close();
    return Status::Error(Status::Code::kIoError, "the unlocked BitLocker volume " + volume_.id + " is unreadable" +
                                                     (inner.ok() ? "" : ": " + inner.status().message()));
  }
  VolumeReport unlocked = (*inner)[0];
  unlocked.id = volume_.id;
  unlocked.source = volume_.source;
  unlocked.path = volume_.path;
  unlocked.partition = volume_.partition;
  unlocked.offset = volume_.offset;
  unlocked.read_only = unlocked.read_only || volume_.read_only;
  // A hibernated Windows elsewhere on the disk still counts.
  if (unlocked.hibernation == HiberState::kNone && volume_.hibernation != HiberState::kNone) {
    unlocked.hibernation = volume_.hibernation;
    unlocked.hiber_magic = volume_.hiber_magic;
  }
  unlocked.unsafe_reasons = UnsafeReasons(unlocked, SafetyOverrides{});
  std::string how = clear_key ? "its clear key (BitLocker is suspended)" : "dislocker";
  unlocked.notes.push_back("BitLocker unlocked with " + how);
  volume_ = std::move(unlocked);
  notes_.push_back("BitLocker volume " + volume_.id + " unlocked with " + how);
  st.volume_path = decrypted;
  st.offset = 0;
  st.size = 0;
  return Status::Ok();
}

Target::~Target() { (void)Close(); }

Status Target::CheckNtfs() const {
  if (volume_.bitlocker)
    return Status::Error(Status::Code::kPermission,
                         volume_.id + " is BitLocker-encrypted; unlock it with --recovery-password, --bitlocker-key "
                                      "FILE.BEK or --bitlocker-keys FILE.csv");
  if (volume_.fs != "ntfs")
    return Status::Error(Status::Code::kUnsupported, volume_.id + " holds " + volume_.fs + ", not NTFS");
  return Status::Ok();
}

Result<FileSystem*> Target::OpenForRead() {
  State& st = *state_;
  if (st.fs) return st.fs.get();  // the read-only one, or after OpenForWrite the writable one
  if (!st.spec.directory.empty()) {
    Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(st.spec.directory);
    if (!fs.ok()) return fs.status();
    st.fs = std::move(fs).value();
    return st.fs.get();
  }
  Status usable = CheckNtfs();
  if (!usable.ok()) return usable;
  for (const std::string& m : MountsUsing(volume_.path, volume_.offset, volume_.partition ? volume_.size : 0))
    warnings_.push_back("the volume is mounted (" + m + "): what is read from the device may lag behind that "
                        "mount; scan the mounted directory with --target for an exact view");
  Result<std::unique_ptr<BlockReader>> base = OpenBlockReader(st.volume_path);
  if (!base.ok()) return base.status();
  st.base = std::move(base).value();
  uint64_t size = st.size ? st.size : st.base->size() - st.offset;
  st.region = RegionReader(*st.base, st.offset, size, volume_.id);
  Result<std::unique_ptr<NtfsFileSystem>> ntfs = OpenNtfs(*st.region);
  if (!ntfs.ok()) return ntfs.status();
  st.fs = std::move(ntfs).value();
  return st.fs.get();
}

Status Target::CheckWritable(const WriteOptions& options) const {
  std::vector<std::string> reasons = UnsafeReasons(volume_, options.overrides);
  bool discard = Discards(options);
  bool elsewhere = volume_.hiber_magic.find(" on ") != std::string::npos;
  if (discard && elsewhere)
    reasons.push_back("hibernation: the saved session is in hiberfil.sys on another volume (" +
                      volume_.hiber_magic + "); repair or mount that volume with --discard-hibernation first");
  if (state_->spec.directory.empty()) {
    for (const std::string& m : MountsUsing(volume_.path, volume_.offset, volume_.partition ? volume_.size : 0))
      reasons.push_back("mounted: " + m + "; a second mount would corrupt it. Unmount it (umount), or repair "
                        "that directory with --target");
  }
  if (!reasons.empty()) {
    std::string msg = "not safe to write to " + volume_.id + ", nothing was written:";
    for (const std::string& r : reasons) msg += "\n  - " + r;
    return Status::Error(Status::Code::kConflict, msg);
  }
  return Status::Ok();
}

bool Target::Discards(const WriteOptions& options) const {
  return options.overrides.discard_hibernation && Hibernated(volume_);
}

void Target::WarnOverrides(const WriteOptions& options) {
  if (Discards(options))
    warnings_.push_back("--discard-hibernation: the hibernated Windows session on " + volume_.id +
                        " is discarded; Windows starts fresh and unsaved work in it is lost");
  if (options.overrides.ignore_dirty && volume_.dirty.value_or(false))
    warnings_.push_back("--ignore-dirty: writing to " + volume_.id +
                        " although NTFS is marked dirty; run chkdsk /f from Windows afterwards");
}

Status Target::LockSource() {
  State& st = *state_;
  if (st.lock_fd >= 0 || volume_.path.empty()) return Status::Ok();
  // Two lifeboats writing one disk through two mounts would corrupt it; the
  // lock on the image or device keeps a second one out until this one is done.
  int fd = ::open(volume_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + volume_.path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::Error(Status::Code::kBusy, "another lifeboat is writing to " + volume_.path + "; wait for it");
    return Status::FromErrno(err, "lock " + volume_.path);
  }
  st.lock_fd = fd;
  return Status::Ok();
}

Result<std::unique_ptr<Mount>> Target::MountVolume(bool write, const WriteOptions& options,
                                                   const std::string& at) {
  State& st = *state_;
  if (!st.spec.directory.empty())
    return Status::Error(Status::Code::kInvalidInput, st.spec.directory + " is a directory, already mounted");
  Status usable = CheckNtfs();
  if (!usable.ok()) return usable;
  MountRequest req;
  req.source = st.volume_path;
  req.offset = st.offset;
  req.size = st.size;
  req.read_write = write;
  req.remove_hiberfile = write && Discards(options);
  req.ignore_dirty = options.overrides.ignore_dirty;
  req.driver = options.driver;
  req.mount_point = at;
  return MountNtfs(req);
}

Status Target::MountAndKeep(bool write, const WriteOptions& options, const std::string& at, std::string* path) {
  if (write) {
    Status safe = CheckWritable(options);
    if (!safe.ok()) return safe;
    WarnOverrides(options);
  }
  Result<std::unique_ptr<Mount>> m = MountVolume(write, options, at);
  if (!m.ok()) return m.status();
  (*m)->Keep();
  *path = (*m)->path();
  state_->dislocker_mounted = false;  // dislocker serves the mount from now on
  return Status::Ok();
}

Result<FileSystem*> Target::OpenForWrite(const WriteOptions& options) {
  State& st = *state_;
  if (st.writable && st.fs) return st.fs.get();  // already (our own mount would now count as "mounted")
  Status safe = CheckWritable(options);
  if (!safe.ok()) return safe;
  if (st.spec.directory.empty()) {
    Status locked = LockSource();
    if (!locked.ok()) return locked;
  }
  WarnOverrides(options);
  bool discard = Discards(options);
  st.fs.reset();
  st.region.reset();
  st.base.reset();

  std::string root;
  if (!st.spec.directory.empty()) {
    root = st.spec.directory;
    if (discard) {
      // A mounted volume: move hiberfil.sys aside rather than delete it.
      Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(root);
      if (!fs.ok()) return fs.status();
      std::string aside = "hiberfil.discarded-by-lifeboat";
      Status s = (*fs)->RenameNoReplace("hiberfil.sys", aside);
      if (s.code() == Status::Code::kNotFound) s = (*fs)->RenameNoReplace("HIBERFIL.SYS", aside);
      if (!s.ok()) return s.WithContext("move hiberfil.sys aside");
      warnings_.push_back("hiberfil.sys renamed to " + aside + " (delete it once Windows runs again)");
    }
  } else {
    Result<std::unique_ptr<Mount>> m = MountVolume(/*write=*/true, options, "");
    if (!m.ok()) return m.status();
    st.mount = std::move(m).value();
    root = st.mount->path();
    notes_.push_back(volume_.id + " mounted read-write at " + root + " with " + st.mount->driver());
  }
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(root);
  if (!fs.ok()) return fs.status();
  st.fs = std::move(fs).value();
  st.writable = true;
  return st.fs.get();
}

Status Target::Close() {
  if (!state_) return Status::Ok();
  State& st = *state_;
  st.fs.reset();
  st.region.reset();
  st.base.reset();
  Status result = Status::Ok();
  if (st.mount) {
    result = st.mount->Unmount();
    if (result.ok()) st.mount.reset();
  }
  if (st.dislocker_mounted && result.ok()) {
    Status s = UnmountPath(st.dislocker_dir);
    if (s.ok()) {
      st.dislocker_mounted = false;
      ::rmdir(st.dislocker_dir.c_str());
    } else {
      result = s;
    }
  }
  st.writable = false;
  if (st.lock_fd >= 0) {
    ::close(st.lock_fd);
    st.lock_fd = -1;
  }
  return result;
}

}  // namespace lifeboat
