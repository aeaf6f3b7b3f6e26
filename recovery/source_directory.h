// A directory tree as a restore source (e.g. system32/dllcache, a USB payload).
#pragma once

#include <memory>
#include <string>

#include "recovery/source.h"

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenDirectorySource(const std::string& path);

}  // namespace lifeboat
