// MountNtfs and the mount table (mount_linux.h). Linux only: loop devices
// through their ioctls, the kernel ntfs3 driver through mount(2), ntfs-3g as
// a program (it daemonizes and serves the volume through FUSE).
#include "recovery/mount_linux.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "recovery/subprocess.h"

namespace lifeboat {
namespace {

// "\040" -> " " (mountinfo escapes space, tab, newline and backslash).
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const char* d = s.c_str() + i + 1;
      if (d[0] >= '0' && d[0] <= '7' && d[1] >= '0' && d[1] <= '7' && d[2] >= '0' && d[2] <= '7') {
        out += static_cast<char>((d[0] - '0') * 64 + (d[1] - '0') * 8 + (d[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string RealPath(const std::string& path) {
  char* r = ::realpath(path.c_str(), nullptr);
  if (!r) return path;
  std::string out(r);
  std::free(r);
  return out;
}

std::string ReadSysFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

// The kernel name ("sda2", "loop3") of a block device node.
std::string KernelName(dev_t rdev) {
  std::string link = "/sys/dev/block/" + std::to_string(major(rdev)) + ":" + std::to_string(minor(rdev));
  std::string real = RealPath(link);
  if (real == link) return "";
  return real.substr(real.rfind('/') + 1);
}

uint64_t ReadSysU64(const std::string& path) { return std::strtoull(ReadSysFile(path).c_str(), nullptr, 10); }

// Bytes [start, start + length) of the target (length 0: to its end).
struct Span {
  uint64_t start = 0, length = 0;
  bool Overlaps(uint64_t offset, uint64_t size) const {
    uint64_t end = length ? start + length : UINT64_MAX;
    uint64_t other_end = size ? offset + size : UINT64_MAX;
    return start < other_end && offset < end;
  }
};

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

// Adds `name` covering `span` of the target, and its partitions.
void AddWithPartitions(const std::string& name, Span span, std::map<std::string, Span>& out) {
  out[name] = span;
  for (const std::string& child : ListDir("/sys/class/block/" + name + "/")) {
    std::string dir = "/sys/class/block/" + name + "/" + child;
    if (child.rfind(name, 0) != 0 || ::access((dir + "/partition").c_str(), F_OK) != 0) continue;
    uint64_t start = ReadSysU64(dir + "/start") * 512, length = ReadSysU64(dir + "/size") * 512;
    if (span.length && start >= span.length) continue;
    out[child] = Span{span.start + start, length};
  }
}

// Every block device (kernel name) that reads or writes the target `path`,
// with the span of the target it covers: the device, its partitions and its
// parent disk, and the loop devices backed by the file, the device or its
// partitions (with their offset and size limit), and their partitions.
std::map<std::string, Span> DevicesOf(const std::string& path) {
  std::map<std::string, Span> out;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return out;
  std::map<dev_t, Span> backing_devices;  // block devices whose loops count, with where they sit
  if (S_ISBLK(st.st_mode)) {
    std::string name = KernelName(st.st_rdev);
    if (name.empty()) return out;
    AddWithPartitions(name, Span{}, out);
    std::string dir = "/sys/class/block/" + name;
    if (::access((dir + "/partition").c_str(), F_OK) == 0) {
      // A partition: a mount of its whole disk covers it too.
      std::string parent = RealPath(dir + "/..");
      out[parent.substr(parent.rfind('/') + 1)] = Span{};
    }
    for (const auto& [node, span] : out) {
      struct stat nst;
      if (::stat(("/dev/" + node).c_str(), &nst) == 0 && S_ISBLK(nst.st_mode)) backing_devices[nst.st_rdev] = span;
    }
  } else if (!S_ISREG(st.st_mode)) {
    return out;
  }
  for (const std::string& loop : ListDir("/sys/block")) {
    if (loop.rfind("loop", 0) != 0) continue;
    std::string backing = ReadSysFile("/sys/block/" + loop + "/loop/backing_file");
    struct stat bst;
    if (backing.empty() || ::stat(backing.c_str(), &bst) != 0) continue;
    Span base;
    if (S_ISREG(st.st_mode)) {
      if (!S_ISREG(bst.st_mode) || bst.st_dev != st.st_dev || bst.st_ino != st.st_ino) continue;
    } else {
      auto it = S_ISBLK(bst.st_mode) ? backing_devices.find(bst.st_rdev) : backing_devices.end();
      if (it == backing_devices.end()) continue;
      base = it->second;
    }
    uint64_t offset = ReadSysU64("/sys/block/" + loop + "/loop/offset");
    uint64_t limit = ReadSysU64("/sys/block/" + loop + "/loop/sizelimit");
    AddWithPartitions(loop, Span{base.start + offset, limit}, out);
  }
  return out;
}

class LinuxMount : public Mount {
 public:
  LinuxMount(std::string path, std::string driver, std::string device, const MountRequest& req, bool created_dir,
             int loop_fd)
      : path_(std::move(path)), driver_(std::move(driver)), device_(std::move(device)), source_(req.source),
        read_write_(req.read_write), created_dir_(created_dir), loop_fd_(loop_fd) {}
  ~LinuxMount() override {
    if (!kept_ && mounted_) (void)Unmount();
    if (loop_fd_ >= 0) ::close(loop_fd_);
  }
  const std::string& path() const override { return path_; }
  const std::string& driver() const override { return driver_; }
  const std::string& device() const override { return device_; }
  void Keep() override { kept_ = true; }

  Status Unmount() override {
    if (!mounted_) return Status::Ok();
    Status s = UnmountPath(path_);
    if (!s.ok()) return s;
    mounted_ = false;
    if (created_dir_) ::rmdir(path_.c_str());
    if (loop_fd_ >= 0) {
      ::close(loop_fd_);  // autoclear frees the loop device now
      loop_fd_ = -1;
    }
    // The loop device wrote into the image file's page cache (or the
    // device's buffer cache): put it on the disk before saying "done".
    int fd = read_write_ ? ::open(source_.c_str(), O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
      int rc = ::fsync(fd);
      int err = errno;
      ::close(fd);
      if (rc != 0) return Status::FromErrno(err, "flush " + source_);
    }
    return Status::Ok();
  }

 private:
  std::string path_, driver_, device_, source_;
  bool read_write_;
  bool created_dir_;
  int loop_fd_;
  bool mounted_ = true;
  bool kept_ = false;
};

// Sets up a loop device for [offset, offset+size) of `source`. Returns the
// open loop fd (autoclear: the device goes away when the fd and every mount
// of it are closed) and its path.
Result<std::pair<int, std::string>> SetUpLoop(const std::string& source, uint64_t offset, uint64_t size,
                                               bool read_write) {
  int backing = ::open(source.c_str(), (read_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (backing < 0) return Status::FromErrno(errno, "open " + source);
  int ctl = ::open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (ctl < 0) {
    int err = errno;
    ::close(backing);
    return Status::FromErrno(err, "open /dev/loop-control")
        .WithContext("no loop devices here (modprobe loop, or run as root)");
  }
  Status last = Status::Error(Status::Code::kBusy, "no free loop device");
  for (int attempt = 0; attempt < 20; ++attempt) {
    int n = ::ioctl(ctl, LOOP_CTL_GET_FREE);
    if (n < 0) {
      last = Status::FromErrno(errno, "LOOP_CTL_GET_FREE");
      break;
    }
    std::string dev = "/dev/loop" + std::to_string(n);
    int fd = ::open(dev.c_str(), (read_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      last = Status::FromErrno(err, "open " + dev);
      if (err == ENOENT) {  // udev has not made the node yet
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      break;
    }
    struct loop_config cfg;
    std::memset(&cfg, 0, sizeof cfg);
    cfg.fd = static_cast<uint32_t>(backing);
    cfg.info.lo_offset = offset;
    cfg.info.lo_sizelimit = size;
    cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_write ? 0 : LO_FLAGS_READ_ONLY);
    int rc = ::ioctl(fd, LOOP_CONFIGURE, &cfg);
    if (rc != 0 && (errno == EINVAL || errno == ENOTTY)) {
      // Kernels before 5.8: SET_FD then SET_STATUS64.
      rc = ::ioctl(fd, LOOP_SET_FD, backing);
      if (rc == 0) {
        struct loop_info64 info = cfg.info;
        if (::ioctl(fd, LOOP_SET_STATUS64, &info) != 0) {
          int err = errno;
          ::ioctl(fd, LOOP_CLR_FD, 0);
          errno = err;
          rc = -1;
        }
      }
    }
    if (rc == 0) {
      ::close(ctl);
      ::close(backing);  // the loop device holds its own reference
      return std::make_pair(fd, dev);
    }
    int err = errno;
    last = Status::FromErrno(err, "set up " + dev + " for " + source);
    ::close(fd);
    if (err != EBUSY) break;  // EBUSY: another process took it first
  }
  ::close(ctl);
  ::close(backing);
  return last;
}

Result<std::pair<std::string, bool>> MakeMountPoint(const std::string& wanted) {
  if (!wanted.empty()) {
    struct stat st;
    if (::stat(wanted.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return Status::Error(Status::Code::kInvalidInput, wanted + ": not a directory");
      return std::make_pair(RealPath(wanted), false);
    }
    if (::mkdir(wanted.c_str(), 0700) != 0) return Status::FromErrno(errno, "mkdir " + wanted);
    return std::make_pair(RealPath(wanted), true);
  }
  for (const char* base : {"/run/lifeboat", "/tmp"}) {
    if (std::strcmp(base, "/run/lifeboat") == 0 && ::mkdir(base, 0700) != 0 && errno != EEXIST) continue;
    std::string tmpl = std::string(base) + "/mnt-XXXXXX";
    if (::mkdtemp(tmpl.data())) return std::make_pair(tmpl, true);
  }
  return Status::FromErrno(errno, "create a mount point");
}

bool MountedRw(const std::string& mount_point, std::string* fstype) {
  std::vector<MountEntry> table = ReadMountTable();
  const MountEntry* e = FindMountAt(table, mount_point);
  if (!e) return false;
  *fstype = e->fstype;
  return !e->read_only;
}

}  // namespace

Status UnmountPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
  // A process still inside the mount (a shell the technician opened there,
  // a FUSE daemon finishing) makes it busy for a moment: retry for 5 s.
  int err = 0;
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (::umount2(path.c_str(), UMOUNT_NOFOLLOW) == 0) return Status::Ok();
    err = errno;
    if (err != EBUSY) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::FromErrno(err, "unmount " + path)
      .WithContext("the volume is still mounted at " + path + "; unmount it with: umount " + path);
}

std::vector<MountEntry> ReadMountTable() {
  std::vector<MountEntry> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, majmin, root, mount_point, options, f;
    fields >> id >> parent >> majmin >> root >> mount_point >> options;
    while (fields >> f && f != "-") {
    }
    MountEntry e;
    std::string super_options;
    fields >> e.fstype >> e.source >> super_options;
    e.mount_point = Unescape(mount_point);
    e.source = Unescape(e.source);
    unsigned maj = 0, min = 0;
    if (std::sscanf(majmin.c_str(), "%u:%u", &maj, &min) == 2) e.dev = makedev(maj, min);
    e.read_only = options.rfind("ro", 0) == 0 && (options.size() == 2 || options[2] == ',');
    if (super_options.rfind("ro", 0) == 0 && (super_options.size() == 2 || super_options[2] == ','))
      e.read_only = true;
    out.push_back(std::move(e));
  }
  return out;
}

const MountEntry* FindMountAt(const std::vector<MountEntry>& table, const std::string& dir) {
  std::string real = RealPath(dir);
  const MountEntry* found = nullptr;
  for (const MountEntry& e : table) {
    if (e.mount_point == real) found = &e;  // the last one is on top
  }
  return found;
}

std::vector<std::string> MountsUsing(const std::string& path, uint64_t offset, uint64_t size) {
  std::vector<std::string> out;
  std::map<std::string, Span> devices = DevicesOf(path);
  if (devices.empty()) return out;
  for (const MountEntry& e : ReadMountTable()) {
    if (e.source.rfind("/dev/", 0) != 0) continue;
    std::string name;
    struct stat st;
    if (::stat(e.source.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) name = KernelName(st.st_rdev);
    if (name.empty()) name = e.source.substr(5);
    auto it = devices.find(name);
    if (it != devices.end() && it->second.Overlaps(offset, size))
      out.push_back(e.source + " on " + e.mount_point + " (" + e.fstype + ")");
  }
  return out;
}

Result<std::unique_ptr<Mount>> MountNtfs(const MountRequest& req) {
  std::vector<std::string> busy = MountsUsing(req.source, req.offset, req.size);
  if (!busy.empty()) {
    std::string list;
    for (const std::string& b : busy) list += (list.empty() ? "" : "; ") + b;
    return Status::Error(Status::Code::kBusy, req.source + " is already mounted: " + list +
                                                  ". Unmount it first (umount), or give that directory with --target");
  }
  if (req.driver != "auto" && req.driver != "ntfs3" && req.driver != "ntfs-3g")
    return Status::Error(Status::Code::kInvalidInput, "unknown NTFS driver '" + req.driver + "' (auto, ntfs3, ntfs-3g)");
  if (req.driver == "ntfs3" && req.remove_hiberfile)
    return Status::Error(Status::Code::kUnsupported,
                         "the ntfs3 driver cannot remove the hibernation file; --discard-hibernation needs ntfs-3g "
                         "(--driver ntfs-3g or auto)");

  // Always through a loop device, also for a whole device: it carries the
  // volume's offset and size, and the read-only flag for a read-only mount.
  auto loop = SetUpLoop(req.source, req.offset, req.size, req.read_write);
  if (!loop.ok()) return loop.status();
  int loop_fd = loop->first;
  std::string device = loop->second;
  auto fail = [&](Status s) -> Result<std::unique_ptr<Mount>> {
    if (loop_fd >= 0) ::close(loop_fd);
    return s;
  };
  auto mp = MakeMountPoint(req.mount_point);
  if (!mp.ok()) return fail(mp.status());
  const std::string& dir = mp->first;
  bool created = mp->second;
  auto cleanup_dir = [&] {
    if (created) ::rmdir(dir.c_str());
  };

  std::string errors;
  // The kernel driver first (faster, no daemon). It cannot remove a
  // hibernation file, so that case goes to ntfs-3g.
  if ((req.driver == "auto" || req.driver == "ntfs3") && !req.remove_hiberfile) {
    std::string opts = req.ignore_dirty ? "force" : "";
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOATIME | (req.read_write ? 0 : MS_RDONLY);
    if (::mount(device.c_str(), dir.c_str(), "ntfs3", flags, opts.c_str()) == 0) {
      auto mount = std::unique_ptr<Mount>(new LinuxMount(dir, "ntfs3", device, req, created, loop_fd));
      std::string fstype;
      if (req.read_write && !MountedRw(dir, &fstype)) {
        Status unmounted = mount->Unmount();
        return Status::Error(Status::Code::kReadOnly,
                             "ntfs3 mounted " + req.source + " read-only; a repair needs it writable" +
                                 (unmounted.ok() ? "" : " (and unmounting it failed: " + unmounted.message() + ")"));
      }
      return mount;
    }
    int err = errno;
    errors = std::string("ntfs3: ") + std::strerror(err);
    if (req.driver == "ntfs3" || (err != ENODEV && err != ENOENT)) {
      cleanup_dir();
      return fail(Status::Error(err == EROFS || err == EACCES ? Status::Code::kReadOnly : Status::Code::kIoError,
                                "mount " + req.source + " with ntfs3: " + std::strerror(err), err));
    }
  }
  if (req.driver == "auto" || req.driver == "ntfs-3g") {
    std::string prog = FindProgram("ntfs-3g");
    if (prog.empty()) {
      cleanup_dir();
      std::string why = req.remove_hiberfile ? "--discard-hibernation needs ntfs-3g, which is not installed"
                        : errors.empty()     ? "ntfs-3g is not installed"
                                             : "the kernel cannot mount it (" + errors + ") and ntfs-3g is not installed";
      return fail(Status::Error(Status::Code::kUnsupported, "cannot mount " + req.source + ": " + why));
    }
    std::string opts = req.read_write ? "rw" : "ro";
    if (req.remove_hiberfile) opts += ",remove_hiberfile";
    opts += ",nosuid,nodev,noatime";
    auto run = RunProgram({prog, device, dir, "-o", opts});
    if (!run.ok() || run->exit_code != 0) {
      cleanup_dir();
      std::string why = run.ok() ? run->output : run.status().message();
      return fail(Status::Error(Status::Code::kIoError, "ntfs-3g could not mount " + req.source + ": " + why));
    }
    std::string fstype;
    bool rw = MountedRw(dir, &fstype);
    if (fstype.empty()) {
      cleanup_dir();
      return fail(Status::Error(Status::Code::kIoError, "ntfs-3g reported success but " + dir + " is not mounted"));
    }
    auto mount = std::unique_ptr<Mount>(new LinuxMount(dir, "ntfs-3g", device, req, created, loop_fd));
    if (req.read_write && !rw) {
      Status unmounted = mount->Unmount();
      return Status::Error(Status::Code::kReadOnly,
                           "ntfs-3g mounted " + req.source + " read-only (" + run->output +
                               "); a repair needs it writable" +
                               (unmounted.ok() ? "" : " (and unmounting it failed: " + unmounted.message() + ")"));
    }
    return mount;
  }
  cleanup_dir();
  return fail(Status::Error(Status::Code::kIoError, "cannot mount " + req.source + ": " + errors));
}

}  // namespace lifeboat
