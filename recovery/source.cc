// OpenSource: a directory becomes a DirectorySource; a regular file is
// sniffed by content, not by its extension: a WimSource if it starts with the
// WIM magic (install.wim, install.esd), a PackSource if its first tar header
// is a payload pack's index, else an ArchiveSource; anything else is refused
// with a message.
#include "recovery/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "recovery/pack.h"
#include "recovery/rel_path.h"
#include "recovery/source_archive.h"
#include "recovery/source_directory.h"
#include "recovery/source_wim.h"

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenSource(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "source " + path);
  if (S_ISDIR(st.st_mode)) return OpenDirectorySource(path);
  if (S_ISREG(st.st_mode)) {
    Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(path);
    if (!f.ok()) return f.status();
    std::string head(512, '\0');
    Result<size_t> n = (*f)->ReadAt(0, head.data(), head.size());
    if (n.ok() && *n > 0 && HasWimMagic(std::string_view(head.data(), std::min<size_t>(*n, 8))))
      return OpenWimSource(path);
    if (n.ok() && *n == head.size() && LooksLikePack(head))
      return OpenPackSource(std::move(f).value(), path, std::string(BaseName(path)));
    return OpenArchiveSource(path);
  }
  return Status::Error(Status::Code::kInvalidInput,
                       "source " + path + " is neither a directory nor an archive file");
}

}  // namespace lifeboat
