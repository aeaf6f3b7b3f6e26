// A FileSystem wrapper for crash and fault tests (after leveldb's
// fault_injection_test): counts every operation that changes the disk and
// either fails the N-th one with a chosen error, or "crashes" at it: from then
// on every operation fails and nothing more reaches the disk, as if the
// process had died there. A crash inside a write lets half the bytes through,
// so torn files and torn journal records really happen.
#pragma once

#include <memory>
#include <string>

#include "recovery/filesystem.h"
#include "tests/forwarding_fs.h"

namespace lifeboat::test {

class FaultFileSystem final : public ForwardingFileSystem {
 public:
  enum class Mode { kNone, kFailOnce, kCrash };

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
  // Link() answers kUnsupported, like FAT or some FUSE mounts.
  void DisableLinks() { no_links_ = true; }
  int ops() const { return ops_; }
  bool crashed() const { return crashed_; }
  bool triggered() const { return triggered_; }

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
  // crash inside a write, *partial is set to true.
  Status Enter(const char* what, bool* partial = nullptr);

 private:
  Mode mode_ = Mode::kNone;
  int target_ = 0;
  int ops_ = 0;
  bool crashed_ = false;
  bool triggered_ = false;
  bool no_links_ = false;
  Status error_;
};

}  // namespace lifeboat::test
