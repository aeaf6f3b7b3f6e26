// FaultFileSystem (fault_fs.h): every mutating call goes through Enter().
#include "tests/fault_fs.h"

#include <cerrno>

namespace lifeboat::test {
namespace {

Status Dead(const char* what) {
  return Status::Error(Status::Code::kIoError, std::string("simulated crash: ") + what, EIO);
}

class FaultFile final : public WritableFile {
 public:
  FaultFile(FaultFileSystem& fs, std::unique_ptr<WritableFile> base) : fs_(fs), base_(std::move(base)) {}
  Status Write(const void* data, size_t len) override {
    bool partial = false;
    Status s = fs_.Enter("write", &partial);
    if (partial) {
      Status half = len > 1 ? base_->Write(data, len / 2) : Status::Ok();
      return s.ok() ? half : s;
    }
    if (!s.ok()) return s;
    return base_->Write(data, len);
  }
  Status Sync() override {
    LB_RETURN_IF_ERROR(fs_.Enter("fsync"));
    return base_->Sync();
  }
  Status Close() override {
    LB_RETURN_IF_ERROR(fs_.Enter("close"));
    return base_->Close();
  }

 private:
  FaultFileSystem& fs_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

Status FaultFileSystem::Enter(const char* what, bool* partial) {
  if (crashed_) return Dead(what);
  ++ops_;
  if (ops_ != target_) return Status::Ok();
  if (mode_ == Mode::kShortWrite && partial == nullptr) return Status::Ok();  // not a write
  triggered_ = true;
  triggered_op_ = what;
  if (mode_ == Mode::kShortWrite) {
    *partial = true;
    return Status::Ok();
  }
  if (mode_ == Mode::kFailOnce) return error_.WithContext(std::string("injected on ") + what);
  if (mode_ == Mode::kCrash) {
    crashed_ = true;
    if (partial) *partial = true;
    return Dead(what);
  }
  return Status::Ok();
}

Result<std::vector<DirEntry>> FaultFileSystem::ListDir(std::string_view dir) {
  if (crashed_) return Dead("list");
  return base_.ListDir(dir);
}
Result<FileInfo> FaultFileSystem::Stat(std::string_view path) {
  if (crashed_) return Dead("stat");
  return base_.Stat(path);
}
Result<std::unique_ptr<ByteReader>> FaultFileSystem::OpenRead(std::string_view path) {
  if (crashed_) return Dead("open");
  return base_.OpenRead(path);
}
Result<std::unique_ptr<WritableFile>> FaultFileSystem::CreateNew(std::string_view path, uint32_t mode) {
  LB_RETURN_IF_ERROR(Enter("create"));
  Result<std::unique_ptr<WritableFile>> f = base_.CreateNew(path, mode);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(new FaultFile(*this, std::move(f).value()));
}
Result<std::unique_ptr<WritableFile>> FaultFileSystem::OpenAppend(std::string_view path) {
  LB_RETURN_IF_ERROR(Enter("append"));
  Result<std::unique_ptr<WritableFile>> f = base_.OpenAppend(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(new FaultFile(*this, std::move(f).value()));
}
Status FaultFileSystem::Rename(std::string_view from, std::string_view to) {
  LB_RETURN_IF_ERROR(Enter("rename"));
  return base_.Rename(from, to);
}
Status FaultFileSystem::RenameNoReplace(std::string_view from, std::string_view to) {
  LB_RETURN_IF_ERROR(Enter("rename"));
  return base_.RenameNoReplace(from, to);
}
Status FaultFileSystem::Link(std::string_view existing, std::string_view new_path) {
  LB_RETURN_IF_ERROR(Enter("link"));
  if (no_links_) return Status::Error(Status::Code::kUnsupported, "link: not supported (simulated)", EPERM);
  return base_.Link(existing, new_path);
}
Status FaultFileSystem::MakeDir(std::string_view path) {
  LB_RETURN_IF_ERROR(Enter("mkdir"));
  return base_.MakeDir(path);
}
Status FaultFileSystem::RemoveFile(std::string_view path) {
  LB_RETURN_IF_ERROR(Enter("unlink"));
  return base_.RemoveFile(path);
}
Status FaultFileSystem::RemoveDir(std::string_view path) {
  LB_RETURN_IF_ERROR(Enter("rmdir"));
  return base_.RemoveDir(path);
}
Status FaultFileSystem::SyncDir(std::string_view dir) {
  LB_RETURN_IF_ERROR(Enter("fsync dir"));
  return base_.SyncDir(dir);
}
Result<std::unique_ptr<FileLock>> FaultFileSystem::Lock(std::string_view path) {
  LB_RETURN_IF_ERROR(Enter("lock"));
  return base_.Lock(path);
}

}  // namespace lifeboat::test
