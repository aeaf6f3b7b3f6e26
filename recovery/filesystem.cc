// Helpers over the FileSystem interface.
#include "recovery/filesystem.h"

#include "recovery/rel_path.h"

namespace lifeboat {

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
  if (!made.ok() && made.code() != Status::Code::kExists) return made;
  return Status::Ok();
}

}  // namespace lifeboat
