// A FileSystem that forwards every call to another one: the base for test
// wrappers that change one or two operations (counting, failing, crashing).
#pragma once

#include <memory>
#include <string>

#include "recovery/filesystem.h"

namespace lifeboat::test {

class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(FileSystem& base) : base_(base) {}

  std::string Describe(std::string_view p) const override { return base_.Describe(p); }
  Result<std::vector<DirEntry>> ListDir(std::string_view d) override { return base_.ListDir(d); }
  Result<FileInfo> Stat(std::string_view p) override { return base_.Stat(p); }
  Result<std::unique_ptr<ByteReader>> OpenRead(std::string_view p) override { return base_.OpenRead(p); }
  Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view p, uint32_t mode) override {
    return base_.CreateNew(p, mode);
  }
  Result<std::unique_ptr<WritableFile>> OpenAppend(std::string_view p) override { return base_.OpenAppend(p); }
  Status Rename(std::string_view a, std::string_view b) override { return base_.Rename(a, b); }
  Status RenameNoReplace(std::string_view a, std::string_view b) override { return base_.RenameNoReplace(a, b); }
  Status Link(std::string_view a, std::string_view b) override { return base_.Link(a, b); }
  Status MakeDir(std::string_view p) override { return base_.MakeDir(p); }
  Status RemoveFile(std::string_view p) override { return base_.RemoveFile(p); }
  Status RemoveDir(std::string_view p) override { return base_.RemoveDir(p); }
  Status SyncDir(std::string_view d) override { return base_.SyncDir(d); }
  Result<std::unique_ptr<FileLock>> Lock(std::string_view p) override { return base_.Lock(p); }

 protected:
  FileSystem& base_;
};

}  // namespace lifeboat::test
