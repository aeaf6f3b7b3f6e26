// Helpers over the FileSystem interface.
#include "recovery/filesystem.h"

#include <memory>

#include "recovery/hash_stream.h"
#include "recovery/rel_path.h"

namespace lifeboat {

Result<FileHash> FileSystem::HashFile(std::string_view path, SizeFilter want, ProgressSink& progress,
                                      const CancelToken& cancel) {
  Result<FileInfo> info = Stat(path);
  if (!info.ok()) return info.status();
  if (info->type != FileType::kRegular)
    return Status::Error(Status::Code::kIoError, Describe(path) + " is not a regular file");
  FileHash out;
  out.size = info->size;
  if (!want(info->size)) return out;
  Result<std::unique_ptr<ByteReader>> in = OpenRead(path);
  if (!in.ok()) return in.status();
  Result<StreamHash> h = HashStream(**in, info->size, progress, cancel);
  if (!h.ok()) return h.status();
  out.bytes = h->bytes;
  out.grew = h->over_limit;
  out.hashed = !h->over_limit;
  out.digest = h->digest;
  return out;
}

Status FileSystem::SyncAll(const std::vector<std::string>& files, const std::vector<std::string>& dirs) {
  for (const std::string& f : files) {
    Result<std::unique_ptr<WritableFile>> w = OpenAppend(f);
    if (!w.ok()) return w.status();
    LB_RETURN_IF_ERROR((*w)->Sync());
    LB_RETURN_IF_ERROR((*w)->Close());
  }
  for (const std::string& d : dirs) LB_RETURN_IF_ERROR(SyncDir(d));
  return Status::Ok();
}

Status MakeDirs(FileSystem& fs, std::string_view dir) {
  if (dir.empty()) return Status::Ok();
  Result<FileInfo> info = fs.Stat(dir);
  if (info.ok()) {
    if (info->type == FileType::kDirectory) return Status::Ok();
    return Status::Error(Status::Code::kConflict, fs.Describe(dir) + " exists and is not a directory");
  }
  if (info.status().code() != Status::Code::kNotFound) return info.status();
  LB_RETURN_IF_ERROR(MakeDirs(fs, ParentPath(dir)));
  Status made = fs.MakeDir(dir);
  if (made.code() == Status::Code::kExists) return Status::Ok();
  LB_RETURN_IF_ERROR(made);
  return fs.SyncDir(ParentPath(dir));
}

Status CopyFile(FileSystem& fs, std::string_view from, std::string_view to) {
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(from);
  if (!in.ok()) return in.status();
  Result<FileInfo> info = fs.Stat(from);
  Result<std::unique_ptr<WritableFile>> out = fs.CreateNew(to, info.ok() ? info->mode & 0777 : 0644);
  if (!out.ok()) return out.status();
  auto copy = [&]() -> Status {
    constexpr size_t kBuf = 1 << 20;
    std::unique_ptr<char[]> buf(new char[kBuf]);
    for (;;) {
      Result<size_t> n = (*in)->Read(buf.get(), kBuf);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      LB_RETURN_IF_ERROR((*out)->Write(buf.get(), *n));
    }
    LB_RETURN_IF_ERROR((*out)->Sync());
    return (*out)->Close();
  };
  Status copied = copy();
  if (!copied.ok()) {
    // `to` is ours (created exclusively above): a partial copy is removed, so
    // it is neither mistaken for a whole one nor in the way of a retry.
    out->reset();
    fs.RemoveFile(to);
  }
  return copied;
}

Status MoveAside(FileSystem& fs, std::string_view from, std::string_view to) {
  Result<FileInfo> info = fs.Stat(from);
  if (!info.ok()) return info.status();
  LB_RETURN_IF_ERROR(MakeDirs(fs, ParentPath(to)));
  LB_RETURN_IF_ERROR(fs.Rename(from, to));
  return fs.SyncDir(ParentPath(from));
}

Status LinkOrCopy(FileSystem& fs, std::string_view from, std::string_view to) {
  Status linked = fs.Link(from, to);
  if (linked.code() != Status::Code::kUnsupported) return linked;
  return CopyFile(fs, from, to);
}

}  // namespace lifeboat
