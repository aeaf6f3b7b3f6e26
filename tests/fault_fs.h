// A FileSystem wrapper for crash and fault tests (after leveldb's
// fault_injection_test): counts every operation that changes the disk and
// either fails the N-th one with a chosen error, or "crashes" at it: from then
// on every operation fails and nothing more reaches the disk, as if the
// process had died there. A crash inside a write lets half the bytes through,
// so torn files and torn journal records really happen. A short write stores
// half the bytes of the N-th operation (if it is a write) and reports success,
// as a lying disk or an unnoticed short write(2) would.
#pragma once

#include <memory>
#include <string>

#include "recovery/filesystem.h"
#include "tests/forwarding_fs.h"

namespace lifeboat::test {

class FaultFileSystem final : public ForwardingFileSystem {
 public:
  enum class Mode { kNone, kFailOnce, kCrash, kShortWrite };

  using ForwardingFileSystem::ForwardingFileSystem;

  // Fails operation number `n` (1-based) with `error`; later ones succeed.
  void FailAt(int n, Status error) {
    mode_ = Mode::kFailOnce;
    target_ = n;
    error_ = std::move(error);
  }
  // Operation `n` and everything after it fail; `n` itself, if a write, first
  // writes half its bytes.
  void CrashAt(int n) {
    mode_ = Mode::kCrash;
    target_ = n;
  }
  // Operation `n`, if it is a write, stores half its bytes and succeeds.
  void ShortWriteAt(int n) {
    mode_ = Mode::kShortWrite;
    target_ = n;
  }
  // Link() answers kUnsupported, like FAT or some FUSE mounts.
  void DisableLinks() { no_links_ = true; }
  int ops() const { return ops_; }
  bool crashed() const { return crashed_; }
  bool triggered() const { return triggered_; }
  // The kind of operation the fault hit ("write", "fsync", "rename", ...).
  const std::string& triggered_op() const { return triggered_op_; }

  Result<std::vector<DirEntry>> ListDir(std::string_view dir) override;
  Result<FileInfo> Stat(std::string_view path) override;
  Result<std::unique_ptr<ByteReader>> OpenRead(std::string_view path) override;
  Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view path, uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> OpenAppend(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status RenameNoReplace(std::string_view from, std::string_view to) override;
  Status Link(std::string_view existing, std::string_view new_path) override;
  Status MakeDir(std::string_view path) override;
  Status RemoveFile(std::string_view path) override;
  Status RemoveDir(std::string_view path) override;
  Status SyncDir(std::string_view dir) override;
  Result<std::unique_ptr<FileLock>> Lock(std::string_view path) override;

  // Called by wrapped files. Returns OK to let the operation through; for a
  // crash or a short write inside a write, *partial is set to true (the
  // caller writes half the bytes, then returns the status).
  Status Enter(const char* what, bool* partial = nullptr);

 private:
  Mode mode_ = Mode::kNone;
  int target_ = 0;
  int ops_ = 0;
  bool crashed_ = false;
  bool triggered_ = false;
  bool no_links_ = false;
  std::string triggered_op_;
  Status error_;
};

}  // namespace lifeboat::test
