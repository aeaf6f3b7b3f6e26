// OpenSource: a directory becomes a DirectorySource; a regular file a
// WimSource if it starts with the WIM magic (install.wim, install.esd:
// sniffed, not taken from the extension), else an ArchiveSource; anything
// else is refused with a message.
#include "recovery/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "recovery/source_archive.h"
#include "recovery/source_directory.h"
#include "recovery/source_wim.h"

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenSource(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "source " + path);
  if (S_ISDIR(st.st_mode)) return OpenDirectorySource(path);
  if (S_ISREG(st.st_mode)) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "source " + path);
    char head[8];
    ssize_t n = ::pread(fd, head, sizeof head, 0);
    ::close(fd);
    if (n > 0 && HasWimMagic(std::string_view(head, static_cast<size_t>(n)))) return OpenWimSource(path);
    return OpenArchiveSource(path);
  }
  return Status::Error(Status::Code::kInvalidInput,
                       "source " + path + " is neither a directory nor an archive file");
}

}  // namespace lifeboat
