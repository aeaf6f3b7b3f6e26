// FileSystem over a real directory, confined beneath its root with openat2
// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), or, on kernels without openat2, a
// component-by-component openat walk with O_NOFOLLOW.
#pragma once

#include <memory>
#include <string>

#include "recovery/filesystem.h"

namespace lifeboat {

// Opens `root` (which must be a directory; symlinks in `root` itself are
// followed: the technician named it).
Result<std::unique_ptr<FileSystem>> OpenPosixFileSystem(const std::string& root);

}  // namespace lifeboat
