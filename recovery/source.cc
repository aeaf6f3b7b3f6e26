// OpenSource: a directory becomes a DirectorySource, a payload pack (known by
// its first tar header, whatever its name) a PackSource, another regular file
// an ArchiveSource; anything else is refused with a message.
#include "recovery/source.h"

#include <sys/stat.h>

#include <cerrno>

#include "recovery/pack.h"
#include "recovery/rel_path.h"
#include "recovery/source_archive.h"
#include "recovery/source_directory.h"

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenSource(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "source " + path);
  if (S_ISDIR(st.st_mode)) return OpenDirectorySource(path);
  if (S_ISREG(st.st_mode)) {
    // A payload pack is a tar file too: recognised by its first header, not its name.
    Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(path);
    if (!f.ok()) return f.status();
    std::string head(512, '\0');
    Result<size_t> n = (*f)->ReadAt(0, head.data(), head.size());
    if (n.ok() && *n == head.size() && LooksLikePack(head)) return OpenPackSource(std::move(f).value(), path, std::string(BaseName(path)));
    return OpenArchiveSource(path);
  }
  return Status::Error(Status::Code::kInvalidInput,
                       "source " + path + " is neither a directory nor an archive file");
}

}  // namespace lifeboat
