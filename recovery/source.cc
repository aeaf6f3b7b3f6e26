// OpenSource: a directory becomes a DirectorySource, a regular file an
// ArchiveSource; anything else is refused with a message.
#include "recovery/source.h"

#include <sys/stat.h>

#include <cerrno>

#include "recovery/source_archive.h"
#include "recovery/source_directory.h"

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenSource(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "source " + path);
  if (S_ISDIR(st.st_mode)) return OpenDirectorySource(path);
  if (S_ISREG(st.st_mode)) return OpenArchiveSource(path);
  return Status::Error(Status::Code::kInvalidInput,
                       "source " + path + " is neither a directory nor an archive file");
}

}  // namespace lifeboat
