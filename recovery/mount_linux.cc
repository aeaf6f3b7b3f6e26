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
#include <set>
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

// Kernel names of the block devices that carry `path`: the device itself and
// its partitions, or the loop devices backed by the file and theirs.
std::set<std::string> DevicesOf(const std::string& path) {
  std::set<std::string> roots;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return roots;
  if (S_ISBLK(st.st_mode)) {
    std::string name = KernelName(st.st_rdev);
    if (!name.empty()) roots.insert(name);
  } else if (S_ISREG(st.st_mode)) {
    std::string real = RealPath(path);
    for (int i = 0; i < 1024; ++i) {
      std::string dir = "/sys/block/loop" + std::to_string(i);
      if (::access(dir.c_str(), F_OK) != 0) {
        if (i > 64) break;
        continue;
      }
      std::string backing = ReadSysFile(dir + "/loop/backing_file");
      if (backing.empty()) continue;
      struct stat bst;
      bool same = backing == real || (::stat(backing.c_str(), &bst) == 0 && bst.st_dev == st.st_dev &&
                                      bst.st_ino == st.st_ino);
      if (same) roots.insert("loop" + std::to_string(i));
    }
  }
  std::set<std::string> all = roots;
  for (const std::string& root : roots) {
    // Partitions are subdirectories of /sys/block/<disk> with a "partition" file.
    std::string base = "/sys/block/" + root;
    if (DIR* d = ::opendir(base.c_str())) {
      while (struct dirent* ent = ::readdir(d)) {
        std::string name = ent->d_name;
        if (name.rfind(root, 0) == 0 && ::access((base + "/" + name + "/partition").c_str(), F_OK) == 0)
          all.insert(name);
      }
      ::closedir(d);
    }
  }
  return all;
}

class LinuxMount : public Mount {
 public:
  LinuxMount(std::string path, std::string driver, std::string device, bool created_dir, int loop_fd)
      : path_(std::move(path)), driver_(std::move(driver)), device_(std::move(device)), created_dir_(created_dir),
        loop_fd_(loop_fd) {}
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
    int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::syncfs(fd);
      ::close(fd);
    }
    // A process still inside the mount (a progress thread, a shell the user
    // opened there) makes it busy for a moment: retry for a few seconds.
    int err = 0;
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (::umount2(path_.c_str(), UMOUNT_NOFOLLOW) == 0) {
        err = 0;
        break;
      }
      err = errno;
      if (err != EBUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (err != 0) {
      return Status::FromErrno(err, "unmount " + path_)
          .WithContext("the volume is still mounted at " + path_ + "; unmount it with: umount " + path_);
    }
    mounted_ = false;
    if (created_dir_) ::rmdir(path_.c_str());
    if (loop_fd_ >= 0) {
      ::close(loop_fd_);  // autoclear frees the loop device now
      loop_fd_ = -1;
    }
    return Status::Ok();
  }

 private:
  std::string path_, driver_, device_;
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
      last = Status::FromErrno(errno, "open " + dev);
      if (errno == ENOENT) {  // udev has not made the node yet
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
    last = Status::FromErrno(errno, "set up " + dev + " for " + source);
    ::close(fd);
    if (errno != EBUSY) break;  // EBUSY: another process took it first
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

std::vector<std::string> MountsUsing(const std::string& path) {
  std::vector<std::string> out;
  std::set<std::string> devices = DevicesOf(path);
  if (devices.empty()) return out;
  for (const MountEntry& e : ReadMountTable()) {
    if (e.source.rfind("/dev/", 0) != 0) continue;
    std::string name;
    struct stat st;
    if (::stat(e.source.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) name = KernelName(st.st_rdev);
    if (name.empty()) name = e.source.substr(5);
    if (devices.count(name)) out.push_back(e.source + " on " + e.mount_point + " (" + e.fstype + ")");
  }
  return out;
}

Result<std::unique_ptr<Mount>> MountNtfs(const MountRequest& req) {
  std::vector<std::string> busy = MountsUsing(req.source);
  if (!busy.empty()) {
    std::string list;
    for (const std::string& b : busy) list += (list.empty() ? "" : "; ") + b;
    return Status::Error(Status::Code::kBusy, req.source + " is already mounted: " + list +
                                                  ". Unmount it first (umount), or give that directory with --target");
  }
  struct stat st;
  if (::stat(req.source.c_str(), &st) != 0) return Status::FromErrno(errno, req.source);

  // A whole block device used as is; anything else through a loop device.
  std::string device;
  int loop_fd = -1;
  if (S_ISBLK(st.st_mode) && req.offset == 0 && req.size == 0) {
    device = req.source;
  } else {
    auto loop = SetUpLoop(req.source, req.offset, req.size, req.read_write);
    if (!loop.ok()) return loop.status();
    loop_fd = loop->first;
    device = loop->second;
  }
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
    unsigned long flags = MS_NOSUID | MS_NODEV | (req.read_write ? 0 : MS_RDONLY);
    if (::mount(device.c_str(), dir.c_str(), "ntfs3", flags, opts.c_str()) == 0) {
      std::string fstype;
      if (req.read_write && !MountedRw(dir, &fstype)) {
        ::umount2(dir.c_str(), 0);
        cleanup_dir();
        return fail(Status::Error(Status::Code::kReadOnly,
                                  "ntfs3 mounted " + req.source + " read-only; a repair needs it writable"));
      }
      return std::unique_ptr<Mount>(new LinuxMount(dir, "ntfs3", device, created, loop_fd));
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
      return fail(Status::Error(Status::Code::kUnsupported,
                                "cannot mount " + req.source + ": the kernel has no ntfs3 driver (" + errors +
                                    ") and ntfs-3g is not installed"));
    }
    std::string opts = req.read_write ? "rw" : "ro";
    if (req.remove_hiberfile) opts += ",remove_hiberfile";
    opts += ",nosuid,nodev";
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
    auto mount = std::unique_ptr<Mount>(new LinuxMount(dir, "ntfs-3g", device, created, loop_fd));
    if (req.read_write && !rw) {
      (void)mount->Unmount();
      return Status::Error(Status::Code::kReadOnly, "ntfs-3g mounted " + req.source +
                                                        " read-only (" + run->output +
                                                        "); a repair needs it writable");
    }
    return mount;
  }
  cleanup_dir();
  return fail(Status::Error(Status::Code::kInvalidInput, "unknown NTFS driver '" + req.driver + "' (auto, ntfs3, ntfs-3g)"));
}

}  // namespace lifeboat
