// The file system the engine sees: a directory tree beneath one root.
//
// Every path is a clean relative path (rel_path.h): '/'-separated, no '..',
// already resolved to the on-disk case by PathResolver. Implementations must
// never leave the root and never follow a symlink in any component: a path
// that crosses a symlink fails with Status::Code::kUnsafePath. That one rule is
// what keeps a hostile tree (a symlinked "system32" pointing at /etc) from
// redirecting a write.
//
// PosixFileSystem (filesystem_posix.h) is the real implementation; tests wrap
// it to inject faults (fail the N-th write, simulate a crash).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/byte_reader.h"
#include "recovery/progress.h"
#include "recovery/sha256.h"
#include "recovery/status.h"

namespace lifeboat {

enum class FileType : uint8_t { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kOther;
  uint64_t size = 0;
  uint64_t inode = 0;
  uint32_t mode = 0;  // permission bits
};

struct DirEntry {
  std::string name;
  FileType type = FileType::kOther;
  uint64_t inode = 0;  // where the file system has one (d_ino, MFT record): read order hint
};

// What HashFile found.
struct FileHash {
  uint64_t size = 0;     // when the file was opened
  bool hashed = false;   // false: the size was refused (or the file grew); digest unset
  bool grew = false;     // more bytes than `size` arrived while reading
  uint64_t bytes = 0;    // bytes hashed
  Digest digest{};
};

// Which sizes are worth reading; a plain function pointer plus context so the
// hot path allocates nothing.
struct SizeFilter {
  bool (*accepts)(const void* context, uint64_t size) = nullptr;  // null: every size
  const void* context = nullptr;
  bool operator()(uint64_t size) const { return accepts == nullptr || accepts(context, size); }
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Write(const void* data, size_t len) = 0;  // all bytes or an error
  virtual Status Sync() = 0;                               // data and size durable
  virtual Status Close() = 0;
};

// Held while it lives; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // "<root>/<path>", for messages.
  virtual std::string Describe(std::string_view path) const = 0;

  virtual Result<std::vector<DirEntry>> ListDir(std::string_view dir) = 0;
  // Does not follow a final symlink (lstat). kNotFound if absent.
  virtual Result<FileInfo> Stat(std::string_view path) = 0;
  virtual Result<std::unique_ptr<ByteReader>> OpenRead(std::string_view path) = 0;
  // Opens the regular file at `path`; if `want` accepts its size, reads it to
  // the end and returns its SHA-256. A size `want` refuses is returned without
  // reading a byte. Fails like OpenRead, or with kCancelled. The default is
  // Stat + OpenRead + HashStream; PosixFileSystem does it in four system calls
  // for a small file (open, fstat, one read, close).
  virtual Result<FileHash> HashFile(std::string_view path, SizeFilter want, ProgressSink& progress,
                                    const CancelToken& cancel);
  // Creates a file that must not exist yet (kExists otherwise).
  virtual Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view path, uint32_t mode) = 0;
  // Opens for appending, creating the file if needed.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppend(std::string_view path) = 0;
  // Atomically replaces `to` (if present) with `from`.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  // Like Rename, but fails with kExists instead of replacing an existing `to`.
  virtual Status RenameNoReplace(std::string_view from, std::string_view to) = 0;
  // Hard link; kUnsupported where the file system has none.
  virtual Status Link(std::string_view existing, std::string_view new_path) = 0;
  virtual Status MakeDir(std::string_view path) = 0;
  virtual Status RemoveFile(std::string_view path) = 0;
  virtual Status RemoveDir(std::string_view path) = 0;  // empty directories only
  virtual Status SyncDir(std::string_view dir) = 0;
  // Makes the data of `files` and the entries of `dirs` durable. The default
  // syncs each one; PosixFileSystem syncs the whole file system once where
  // the kernel's syncfs can be trusted (ext4, xfs, btrfs, ntfs3, vfat): one
  // journal commit instead of one per file.
  virtual Status SyncAll(const std::vector<std::string>& files, const std::vector<std::string>& dirs);
  // Exclusive lock on `path` (created if needed); kBusy if someone holds it.
  virtual Result<std::unique_ptr<FileLock>> Lock(std::string_view path) = 0;
};

// Creates every missing directory on the way to `dir`, fsyncing the parent of
// each one it creates (not journaled: for lifeboat's own folders only).
Status MakeDirs(FileSystem& fs, std::string_view dir);

// Copies `from` (content and permission bits) to a new file `to`, which must
// not exist yet, and fsyncs it. On an error the partial `to` is removed.
Status CopyFile(FileSystem& fs, std::string_view from, std::string_view to);

// Renames `from` to `to` after creating to's parent directories; kNotFound
// if `from` does not exist. For taking a file out of the way without
// deleting it.
Status MoveAside(FileSystem& fs, std::string_view from, std::string_view to);

// A hard link where the file system has them, else a copy.
Status LinkOrCopy(FileSystem& fs, std::string_view from, std::string_view to);

}  // namespace lifeboat
