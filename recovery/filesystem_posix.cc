// PosixFileSystem: every operation resolves its path beneath the root fd.
//
// Resolution uses openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS, so the kernel itself refuses any path that would
// leave the root or cross a symlink. On kernels before 5.6 (ENOSYS) it falls
// back to walking the components with openat(O_NOFOLLOW | O_DIRECTORY), which
// gives the same guarantee because paths are clean (no "..") by construction.
// Directory-changing calls (rename, link, mkdir, unlink) open the parent this
// way and act on the last component with the *at() calls, which never follow
// a final symlink.
#include "recovery/filesystem_posix.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int f = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = f;
  }

 private:
  int fd_ = -1;
};

FileType TypeOf(mode_t m) {
  if (S_ISREG(m)) return FileType::kRegular;
  if (S_ISDIR(m)) return FileType::kDirectory;
  if (S_ISLNK(m)) return FileType::kSymlink;
  return FileType::kOther;
}

std::atomic<bool> g_no_openat2{false};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Write(const void* data, size_t len) override {
    const char* p = static_cast<const char*>(data);
    while (len > 0) {
      ssize_t n = ::write(fd_, p, len);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "write " + name_);
      }
      p += n;
      len -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, "fsync " + name_);
    return Status::Ok();
  }
  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return Status::FromErrno(errno, "close " + name_);
    return Status::Ok();
  }

 private:
  int fd_;
  std::string name_;
};

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(int fd) : fd_(fd) {}
  ~PosixLock() override { ::close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  PosixFileSystem(int root_fd, std::string root) : root_fd_(root_fd), root_(std::move(root)) {}
  ~PosixFileSystem() override { ::close(root_fd_); }

  std::string Describe(std::string_view path) const override {
    if (path.empty()) return root_;
    return root_ + (root_.empty() || root_.back() == '/' ? "" : "/") + std::string(path);
  }

  Result<std::vector<DirEntry>> ListDir(std::string_view dir) override {
    Result<Fd> fd = OpenBeneath(dir, O_RDONLY | O_DIRECTORY, 0);
    if (!fd.ok()) return fd.status();
    DIR* d = ::fdopendir(fd->get());
    if (d == nullptr) return Status::FromErrno(errno, "list " + Describe(dir));
    int dfd = fd->release();  // owned by d now
    std::vector<DirEntry> out;
    errno = 0;
    while (struct dirent* de = ::readdir(d)) {
      std::string_view name(de->d_name);
      if (name == "." || name == "..") continue;
      FileType type = FileType::kOther;
      switch (de->d_type) {
        case DT_REG:
          type = FileType::kRegular;
          break;
        case DT_DIR:
          type = FileType::kDirectory;
          break;
        case DT_LNK:
          type = FileType::kSymlink;
          break;
        case DT_UNKNOWN: {
          struct stat st;
          if (::fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = TypeOf(st.st_mode);
          break;
        }
        default:
          break;
      }
      out.push_back(DirEntry{std::string(name), type, static_cast<uint64_t>(de->d_ino)});
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return Status::FromErrno(err, "list " + Describe(dir));
    return out;
  }

  Result<FileInfo> Stat(std::string_view path) override {
    struct stat st;
    if (path.empty()) {
      if (::fstat(root_fd_, &st) != 0) return Status::FromErrno(errno, "stat " + root_);
    } else {
      Result<Fd> parent = OpenParent(path);
      if (!parent.ok()) return parent.status();
      std::string name(BaseName(path));
      if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return Status::FromErrno(errno, "stat " + Describe(path));
    }
    return FileInfo{TypeOf(st.st_mode), static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_ino),
                    static_cast<uint32_t>(st.st_mode & 07777)};
  }

  Result<std::unique_ptr<ByteReader>> OpenRead(std::string_view path) override {
    Result<Fd> fd = OpenBeneath(path, O_RDONLY | O_NOFOLLOW, 0);
    if (!fd.ok()) return fd.status();
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return Status::FromErrno(errno, "stat " + Describe(path));
    if (!S_ISREG(st.st_mode))
      return Status::Error(Status::Code::kIoError, Describe(path) + " is not a regular file");
    ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    return FdReader(fd->release(), Describe(path));
  }

  // The scan's hot path. One open (openat2 beneath the root, no symlinks),
  // one fstat that gives type and size, then reads that ask for one byte more
  // than is left, so a file that ends where fstat said needs no extra read to
  // see its end. 256 KiB reads keep the data in L2 between the copy and the
  // hash; that measured faster than 64 KiB or 1 MiB reads, and than mmap
  // (bench/run.sh). No fadvise for small files: it is a system call that buys
  // nothing under the readahead window.
  Result<FileHash> HashFile(std::string_view path, SizeFilter want, ProgressSink& progress,
                            const CancelToken& cancel) override {
    Result<Fd> fd = OpenBeneath(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (!fd.ok()) return fd.status();
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return Status::FromErrno(errno, "stat " + Describe(path));
    if (!S_ISREG(st.st_mode))
      return Status::Error(Status::Code::kIoError, Describe(path) + " is not a regular file");
    FileHash out;
    out.size = static_cast<uint64_t>(st.st_size);
    if (!want(out.size)) return out;
    constexpr size_t kBuf = 256 * 1024;
    if (out.size > 4 * kBuf) ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    thread_local std::unique_ptr<char[]> buf(new char[kBuf]);
    thread_local Sha256 hash;
    hash.Reset();
    for (;;) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      uint64_t left = out.size > out.bytes ? out.size - out.bytes : 0;
      size_t ask = left >= kBuf ? kBuf : static_cast<size_t>(left) + 1;
      ssize_t n = ::read(fd->get(), buf.get(), ask);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "read " + Describe(path));
      }
      if (n == 0) break;
      out.bytes += static_cast<uint64_t>(n);
      progress.Advance(0, static_cast<uint64_t>(n));
      if (out.bytes > out.size) {
        out.grew = true;
        return out;
      }
      hash.Update(buf.get(), static_cast<size_t>(n));
      // A short read that reaches the size fstat gave is the end of the file.
      if (static_cast<size_t>(n) < ask && out.bytes == out.size) break;
    }
    out.digest = hash.Finish();
    out.hashed = true;
    return out;
  }

  Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view path, uint32_t mode) override {
    Result<Fd> fd = OpenBeneath(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd->release(), Describe(path)));
  }

  Result<std::unique_ptr<WritableFile>> OpenAppend(std::string_view path) override {
    Result<Fd> fd = OpenBeneath(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd->release(), Describe(path)));
  }

  Status Rename(std::string_view from, std::string_view to) override {
    Result<TwoNames> n = OpenTwo(from, to);
    if (!n.ok()) return n.status();
    if (::renameat(n->from_dir.get(), n->from.c_str(), n->to_dir.get(), n->to.c_str()) != 0)
      return Status::FromErrno(errno, "rename " + Describe(from) + " to " + Describe(to));
    return Status::Ok();
  }

  Status RenameNoReplace(std::string_view from, std::string_view to) override {
    Result<TwoNames> n = OpenTwo(from, to);
    if (!n.ok()) return n.status();
    int fd_a = n->from_dir.get(), fd_b = n->to_dir.get();
    const char *a = n->from.c_str(), *b = n->to.c_str();
    auto fail = [&](int err) { return Status::FromErrno(err, "rename " + Describe(from) + " to " + Describe(to)); };
    if (::renameat2(fd_a, a, fd_b, b, RENAME_NOREPLACE) == 0) return Status::Ok();
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return fail(errno);
    // No RENAME_NOREPLACE here (some FUSE file systems): a hard link fails
    // atomically if `to` exists; then drop the temp name.
    if (::linkat(fd_a, a, fd_b, b, 0) == 0) {
      ::unlinkat(fd_a, a, 0);
      return Status::Ok();
    }
    if (errno == EEXIST) return fail(EEXIST);
    // Neither: check, then rename (a window remains, only against other programs).
    struct stat st;
    if (::fstatat(fd_b, b, &st, AT_SYMLINK_NOFOLLOW) == 0) return fail(EEXIST);
    if (::renameat(fd_a, a, fd_b, b) != 0) return fail(errno);
    return Status::Ok();
  }

  Status Link(std::string_view existing, std::string_view new_path) override {
    Result<TwoNames> n = OpenTwo(existing, new_path);
    if (!n.ok()) return n.status();
    if (::linkat(n->from_dir.get(), n->from.c_str(), n->to_dir.get(), n->to.c_str(), 0) == 0) return Status::Ok();
    int err = errno;
    Status s = Status::FromErrno(err, "link " + Describe(existing) + " to " + Describe(new_path));
    // EPERM from linkat means "this file system does not do hard links"
    // (FAT, some FUSE mounts); callers fall back to copying.
    if (err == EPERM || err == EMLINK || err == ENOTSUP)
      return Status::Error(Status::Code::kUnsupported, s.message(), err);
    return s;
  }

  Status MakeDir(std::string_view path) override {
    Result<Fd> parent = OpenParent(path);
    if (!parent.ok()) return parent.status();
    std::string name(BaseName(path));
    if (::mkdirat(parent->get(), name.c_str(), 0755) != 0) return Status::FromErrno(errno, "mkdir " + Describe(path));
    return Status::Ok();
  }

  Status RemoveFile(std::string_view path) override { return Unlink(path, 0); }
  Status RemoveDir(std::string_view path) override { return Unlink(path, AT_REMOVEDIR); }

  Status SyncDir(std::string_view dir) override {
    Result<Fd> fd = OpenBeneath(dir, O_RDONLY | O_DIRECTORY, 0);
    if (!fd.ok()) return fd.status();
    if (::fsync(fd->get()) != 0) return Status::FromErrno(errno, "fsync " + Describe(dir));
    return Status::Ok();
  }

  Status SyncAll(const std::vector<std::string>& files, const std::vector<std::string>& dirs) override {
    if (files.empty() && dirs.empty()) return Status::Ok();
    if (!SyncfsIsDurable()) return FileSystem::SyncAll(files, dirs);
    if (::syncfs(root_fd_) != 0) return Status::FromErrno(errno, "syncfs " + root_);
    return Status::Ok();
  }

  // syncfs() writes back every dirty page and inode of the file system and
  // commits its journal; since Linux 5.8 it also reports writeback errors.
  // Only trusted on local kernel file systems: on FUSE (ntfs-3g) it may not
  // reach the daemon, so there each file and directory is fsynced instead.
  bool SyncfsIsDurable() {
    struct statfs sf;
    if (::fstatfs(root_fd_, &sf) != 0) return false;
    switch (static_cast<unsigned long>(sf.f_type)) {
      case 0xEF53UL:      // ext2/3/4
      case 0x58465342UL:  // xfs
      case 0x9123683EUL:  // btrfs
      case 0x7366746EUL:  // ntfs3
      case 0x4D44UL:      // vfat / msdos
      case 0x01021994UL:  // tmpfs (tests)
        return true;
      default:
        return false;
    }
  }

  Result<std::unique_ptr<FileLock>> Lock(std::string_view path) override {
    Result<Fd> fd = OpenBeneath(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644);
    if (!fd.ok()) return fd.status();
    if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK)
        return Status::Error(Status::Code::kBusy,
                             "another lifeboat is working on this target (lock " + Describe(path) + " is held)");
      return Status::FromErrno(errno, "lock " + Describe(path));
    }
    return std::unique_ptr<FileLock>(new PosixLock(fd->release()));
  }

 private:
  Status Unlink(std::string_view path, int flags) {
    Result<Fd> parent = OpenParent(path);
    if (!parent.ok()) return parent.status();
    std::string name(BaseName(path));
    if (::unlinkat(parent->get(), name.c_str(), flags) != 0)
      return Status::FromErrno(errno, std::string(flags ? "rmdir " : "unlink ") + Describe(path));
    return Status::Ok();
  }

  // The parent directories and last components of two paths, for the calls
  // that act on a name in each (rename, link).
  struct TwoNames {
    Fd from_dir, to_dir;
    std::string from, to;
  };
  Result<TwoNames> OpenTwo(std::string_view from, std::string_view to) {
    Result<Fd> a = OpenParent(from);
    if (!a.ok()) return a.status();
    Result<Fd> b = OpenParent(to);
    if (!b.ok()) return b.status();
    return TwoNames{std::move(a).value(), std::move(b).value(), std::string(BaseName(from)), std::string(BaseName(to))};
  }

  Result<Fd> OpenParent(std::string_view path) {
    if (path.empty()) return Status::Error(Status::Code::kUnsafePath, "the target root has no parent");
    return OpenBeneath(ParentPath(path), O_PATH | O_DIRECTORY, 0);
  }

  Status Unsafe(std::string_view path, const std::string& why) const {
    return Status::Error(Status::Code::kUnsafePath, Describe(path) + ": " + why, ELOOP);
  }

  // Opens `path` beneath the root. Symlinks anywhere in the path fail with
  // kUnsafePath.
  Result<Fd> OpenBeneath(std::string_view path, int flags, mode_t mode) {
    if (!IsCleanRelPath(path)) return Unsafe(path, "not a clean relative path");
    if (path.empty()) {
      int fd = ::openat(root_fd_, ".", flags | O_CLOEXEC, mode);
      if (fd < 0) return Status::FromErrno(errno, "open " + root_);
      return Fd(fd);
    }
    std::string p(path);
    if (!g_no_openat2.load(std::memory_order_relaxed)) {
      struct open_how how {};
      how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
      how.mode = (flags & O_CREAT) ? mode : 0;
      how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
      for (;;) {
        long fd = ::syscall(SYS_openat2, root_fd_, p.c_str(), &how, sizeof how);
        if (fd >= 0) return Fd(static_cast<int>(fd));
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ENOSYS || errno == EPERM) {  // EPERM: seccomp filters in some sandboxes
          g_no_openat2.store(true, std::memory_order_relaxed);
          break;
        }
        if (errno == ELOOP) return Unsafe(path, "a component is a symbolic link; lifeboat does not follow links");
        if (errno == EXDEV) return Unsafe(path, "resolves outside the target");
        return Status::FromErrno(errno, "open " + Describe(path));
      }
    }
    return WalkBeneath(path, flags, mode);
  }

  Result<Fd> WalkBeneath(std::string_view path, int flags, mode_t mode) {
    std::vector<std::string_view> parts = SplitPath(path);
    Fd dir;
    int at = root_fd_;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      std::string name(parts[i]);
      int fd = ::openat(at, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        int err = errno;
        struct stat st;
        if (err == ENOTDIR && ::fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
          return Unsafe(path, "a component is a symbolic link; lifeboat does not follow links");
        return Status::FromErrno(err, "open " + Describe(path));
      }
      dir = Fd(fd);
      at = fd;
    }
    std::string last(parts.back());
    int fd = ::openat(at, last.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
      int err = errno;
      if (err == ELOOP) return Unsafe(path, "a component is a symbolic link; lifeboat does not follow links");
      struct stat st;
      if (err == ENOTDIR && ::fstatat(at, last.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        return Unsafe(path, "a component is a symbolic link; lifeboat does not follow links");
      return Status::FromErrno(err, "open " + Describe(path));
    }
    return Fd(fd);
  }

  int root_fd_;
  std::string root_;
};

}  // namespace

Result<std::unique_ptr<FileSystem>> OpenPosixFileSystem(const std::string& root) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open target " + root);
  return std::unique_ptr<FileSystem>(new PosixFileSystem(fd, root));
}

}  // namespace lifeboat
