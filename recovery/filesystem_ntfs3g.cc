// NtfsFileSystem over libntfs-3g (filesystem_ntfs3g.h).
//
// libntfs-3g reads through a custom ntfs_device whose operations read the
// BlockReader region, so partitions inside disk images need no loop device.
// The library is not thread-safe: one process-wide mutex serialises every
// call into it (the scanner's workers still overlap their hashing). Names in
// the DOS (8.3) namespace and NTFS metadata files ($MFT, ...) are not listed,
// as ntfs-3g's own mount hides them; reparse points (junctions, symlinks)
// are reported as symlinks so they are never followed.
#include "recovery/filesystem_ntfs3g.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "recovery/rel_path.h"

#include "recovery/ntfs3g_c.h"

namespace lifeboat {
namespace {

std::mutex& NtfsMutex() {
  static std::mutex mu;
  return mu;
}

// --- the ntfs_device over a BlockReader ----------------------------------

struct DevState {
  BlockReader* reader;
  s64 pos = 0;
};

DevState* State(struct ntfs_device* dev) { return static_cast<DevState*>(dev->d_private); }

int DevOpen(struct ntfs_device* dev, int flags) {
  if ((flags & O_ACCMODE) != O_RDONLY) {
    errno = EROFS;
    return -1;
  }
  NDevSetOpen(dev);
  NDevSetReadOnly(dev);
  return 0;
}
int DevClose(struct ntfs_device* dev) {
  NDevClearOpen(dev);
  return 0;
}
s64 DevPread(struct ntfs_device* dev, void* buf, s64 count, s64 offset) {
  DevState* st = State(dev);
  uint64_t size = st->reader->size();
  if (offset < 0 || count < 0) {
    errno = EINVAL;
    return -1;
  }
  if (static_cast<uint64_t>(offset) >= size) return 0;
  uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(count), size - static_cast<uint64_t>(offset));
  Status s = st->reader->ReadAt(static_cast<uint64_t>(offset), buf, n);
  if (!s.ok()) {
    errno = EIO;
    return -1;
  }
  return static_cast<s64>(n);
}
s64 DevSeek(struct ntfs_device* dev, s64 offset, int whence) {
  DevState* st = State(dev);
  s64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? st->pos : static_cast<s64>(st->reader->size());
  st->pos = base + offset;
  return st->pos;
}
s64 DevRead(struct ntfs_device* dev, void* buf, s64 count) {
  s64 n = DevPread(dev, buf, count, State(dev)->pos);
  if (n > 0) State(dev)->pos += n;
  return n;
}
s64 DevWrite(struct ntfs_device*, const void*, s64) {
  errno = EROFS;
  return -1;
}
s64 DevPwrite(struct ntfs_device*, const void*, s64, s64) {
  errno = EROFS;
  return -1;
}
int DevSync(struct ntfs_device*) { return 0; }
int DevStat(struct ntfs_device* dev, struct stat* buf) {
  std::memset(buf, 0, sizeof *buf);
  buf->st_mode = S_IFREG | 0444;
  buf->st_size = static_cast<off_t>(State(dev)->reader->size());
  return 0;
}
int DevIoctl(struct ntfs_device*, unsigned long, void*) {
  errno = ENOTTY;
  return -1;
}

struct ntfs_device_operations kDevOps = {DevOpen, DevClose, DevSeek, DevRead, DevWrite,
                                         DevPread, DevPwrite, DevSync, DevStat, DevIoctl};

std::string ToUtf8(const ntfschar* name, int len) {
  char* out = nullptr;
  int n = ntfs_ucstombs(name, len, &out, 0);
  if (n < 0 || out == nullptr) return {};
  std::string s(out, static_cast<size_t>(n));
  std::free(out);
  return s;
}

Status ReadOnly(const std::string& what) {
  return Status::Error(Status::Code::kReadOnly,
                       what + ": this NTFS volume is open read-only (lifeboat writes through a read-write mount)",
                       EROFS);
}

class InodeCloser {
 public:
  explicit InodeCloser(ntfs_inode* ni) : ni_(ni) {}
  ~InodeCloser() {
    if (ni_) ntfs_inode_close(ni_);
  }
  ntfs_inode* get() const { return ni_; }

 private:
  ntfs_inode* ni_;
};

FileType TypeOfInode(ntfs_inode* ni) {
  if (ni->flags & FILE_ATTR_REPARSE_POINT) return FileType::kSymlink;
  if (ni->mrec->flags & MFT_RECORD_IS_DIRECTORY) return FileType::kDirectory;
  return FileType::kRegular;
}

class NtfsReader final : public ByteReader {
 public:
  NtfsReader(ntfs_inode* ni, ntfs_attr* na, std::string name) : ni_(ni), na_(na), name_(std::move(name)) {}
  ~NtfsReader() override {
    std::lock_guard<std::mutex> lock(NtfsMutex());
    ntfs_attr_close(na_);
    ntfs_inode_close(ni_);
  }
  Result<size_t> Read(char* buf, size_t cap) override {
    std::lock_guard<std::mutex> lock(NtfsMutex());
    s64 n = ntfs_attr_pread(na_, pos_, static_cast<s64>(cap), buf);
    if (n < 0) return Status::FromErrno(errno, "read " + name_);
    pos_ += n;
    return static_cast<size_t>(n);
  }

 private:
  ntfs_inode* ni_;
  ntfs_attr* na_;
  std::string name_;
  s64 pos_ = 0;
};

class Ntfs3gFileSystem final : public NtfsFileSystem {
 public:
  Ntfs3gFileSystem(ntfs_volume* vol, std::unique_ptr<DevState> dev, std::string name, NtfsVolumeInfo info)
      : vol_(vol), dev_(std::move(dev)), name_(std::move(name)), info_(std::move(info)) {}
  ~Ntfs3gFileSystem() override {
    std::lock_guard<std::mutex> lock(NtfsMutex());
    ntfs_umount(vol_, FALSE);
  }

  const NtfsVolumeInfo& info() const override { return info_; }
  std::string Describe(std::string_view path) const override { return name_ + ":/" + std::string(path); }

  Result<std::vector<DirEntry>> ListDir(std::string_view dir) override {
    std::lock_guard<std::mutex> lock(NtfsMutex());
    Result<ntfs_inode*> ni = Lookup(dir);
    if (!ni.ok()) return ni.status();
    InodeCloser close(*ni);
    if (TypeOfInode(*ni) != FileType::kDirectory)
      return Status::Error(Status::Code::kIoError, Describe(dir) + " is not a directory", ENOTDIR);
    struct Collect {
      std::vector<std::pair<std::string, unsigned>> names;
      bool root;
    } collect{{}, dir.empty()};
    s64 pos = 0;
    auto fill = [](void* ctx, const ntfschar* name, const int len, const int name_type, const s64, const MFT_REF mref,
                   const unsigned dt_type) -> int {
      auto* c = static_cast<Collect*>(ctx);
      if (name_type == FILE_NAME_DOS) return 0;  // 8.3 aliases: the long name is listed too
      if (c->root && MREF(mref) < FILE_first_user) return 0;  // $MFT, $Volume, ...
      c->names.emplace_back(ToUtf8(name, len), dt_type);
      return 0;
    };
    if (ntfs_readdir(*ni, &pos, &collect, fill) != 0) return Status::FromErrno(errno, "list " + Describe(dir));
    std::vector<DirEntry> out;
    for (auto& [name, dt] : collect.names) {
      if (name.empty() || name == "." || name == "..") continue;
      FileType type = dt == NTFS_DT_DIR ? FileType::kDirectory
                      : dt == NTFS_DT_REG ? FileType::kRegular
                      : (dt == NTFS_DT_LNK || dt == NTFS_DT_REPARSE) ? FileType::kSymlink
                                                                      : FileType::kOther;
      out.push_back(DirEntry{std::move(name), type});
    }
    return out;
  }

  Result<FileInfo> Stat(std::string_view path) override {
    std::lock_guard<std::mutex> lock(NtfsMutex());
    Result<ntfs_inode*> ni = Lookup(path);
    if (!ni.ok()) return ni.status();
    InodeCloser close(*ni);
    FileInfo info;
    info.type = TypeOfInode(*ni);
    info.size = info.type == FileType::kRegular ? static_cast<uint64_t>((*ni)->data_size) : 0;
    info.inode = MREF((*ni)->mft_no);
    info.mode = info.type == FileType::kDirectory ? 0755 : 0644;
    return info;
  }

  Result<std::unique_ptr<ByteReader>> OpenRead(std::string_view path) override {
    std::lock_guard<std::mutex> lock(NtfsMutex());
    Result<ntfs_inode*> ni = Lookup(path);
    if (!ni.ok()) return ni.status();
    if (TypeOfInode(*ni) != FileType::kRegular) {
      FileType t = TypeOfInode(*ni);
      ntfs_inode_close(*ni);
      if (t == FileType::kSymlink)
        return Status::Error(Status::Code::kUnsafePath, Describe(path) + ": a reparse point; not followed", ELOOP);
      return Status::Error(Status::Code::kIoError, Describe(path) + " is not a regular file");
    }
    ntfs_attr* na = ntfs_attr_open(*ni, AT_DATA, AT_UNNAMED, 0);
    if (na == nullptr) {
      int err = errno;
      ntfs_inode_close(*ni);
      return Status::FromErrno(err, "open " + Describe(path));
    }
    return std::unique_ptr<ByteReader>(new NtfsReader(*ni, na, Describe(path)));
  }

  Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view path, uint32_t) override {
    return ReadOnly("create " + Describe(path));
  }
  Result<std::unique_ptr<WritableFile>> OpenAppend(std::string_view path) override {
    return ReadOnly("append " + Describe(path));
  }
  Status Rename(std::string_view from, std::string_view) override { return ReadOnly("rename " + Describe(from)); }
  Status RenameNoReplace(std::string_view from, std::string_view) override {
    return ReadOnly("rename " + Describe(from));
  }
  Status Link(std::string_view from, std::string_view) override { return ReadOnly("link " + Describe(from)); }
  Status MakeDir(std::string_view path) override { return ReadOnly("mkdir " + Describe(path)); }
  Status RemoveFile(std::string_view path) override { return ReadOnly("unlink " + Describe(path)); }
  Status RemoveDir(std::string_view path) override { return ReadOnly("rmdir " + Describe(path)); }
  Status SyncDir(std::string_view) override { return Status::Ok(); }
  Result<std::unique_ptr<FileLock>> Lock(std::string_view path) override { return ReadOnly("lock " + Describe(path)); }

 private:
  // Walks the clean path component by component from the root, refusing to
  // pass through reparse points, so a junction never leads anywhere.
  Result<ntfs_inode*> Lookup(std::string_view path) {
    if (!IsCleanRelPath(path))
      return Status::Error(Status::Code::kUnsafePath, Describe(path) + ": not a clean relative path");
    ntfs_inode* ni = ntfs_inode_open(vol_, FILE_root);
    if (ni == nullptr) return Status::FromErrno(errno, "open root of " + name_);
    for (std::string_view part : SplitPath(path)) {
      if (TypeOfInode(ni) != FileType::kDirectory) {
        bool reparse = TypeOfInode(ni) == FileType::kSymlink;
        ntfs_inode_close(ni);
        if (reparse)
          return Status::Error(Status::Code::kUnsafePath,
                               Describe(path) + ": a component is a reparse point; not followed", ELOOP);
        return Status::Error(Status::Code::kNotFound, Describe(path) + ": not a directory on the way", ENOTDIR);
      }
      std::string name(part);
      ntfs_inode* next = ntfs_pathname_to_inode(vol_, ni, name.c_str());
      int err = errno;
      ntfs_inode_close(ni);
      if (next == nullptr) return Status::FromErrno(err == 0 ? ENOENT : err, "open " + Describe(path));
      ni = next;
    }
    return ni;
  }

  ntfs_volume* vol_;
  std::unique_ptr<DevState> dev_;
  std::string name_;
  NtfsVolumeInfo info_;
};

}  // namespace

Result<std::unique_ptr<NtfsFileSystem>> OpenNtfs(BlockReader& region) {
  std::lock_guard<std::mutex> lock(NtfsMutex());
  static bool once = [] {
    ntfs_set_char_encoding(nullptr);  // file names as UTF-8, whatever the locale
    return true;
  }();
  (void)once;
  auto state = std::make_unique<DevState>();
  state->reader = &region;
  struct ntfs_device* dev = ntfs_device_alloc(region.name().c_str(), 0, &kDevOps, state.get());
  if (dev == nullptr) return Status::FromErrno(errno, "ntfs device for " + region.name());
  ntfs_volume* vol = ntfs_device_mount(dev, static_cast<ntfs_mount_flags>(NTFS_MNT_RDONLY | NTFS_MNT_IGNORE_HIBERFILE));
  if (vol == nullptr) {
    int err = errno;
    ntfs_device_free(dev);
    return Status::Error(Status::Code::kInvalidInput,
                         region.name() + ": not a readable NTFS volume (" + std::strerror(err) + ")", err);
  }
  NtfsVolumeInfo info;
  info.label = vol->vol_name ? vol->vol_name : "";
  info.dirty = (le16_to_cpu(vol->flags) & le16_to_cpu(VOLUME_IS_DIRTY)) != 0;
  info.major_version = vol->major_ver;
  info.minor_version = vol->minor_ver;
  return std::unique_ptr<NtfsFileSystem>(new Ntfs3gFileSystem(vol, std::move(state), region.name(), info));
}

}  // namespace lifeboat
