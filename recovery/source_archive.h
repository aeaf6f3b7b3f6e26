// An archive file as a restore source, read with libarchive: tar (plain, gz,
// bz2, xz, zstd, lz4), zip, 7z, cab, ISO 9660 and cpio.
#pragma once

#include <memory>
#include <string>

#include "recovery/source.h"

struct archive;

namespace lifeboat {

Result<std::unique_ptr<Source>> OpenArchiveSource(const std::string& path);

// Registers the formats lifeboat reads on a fresh archive reader. One by one
// on purpose: archive_read_support_format_all() pulls in the xar reader and,
// with it, libxml2 and ICU (~30 MB in a static binary).
void EnableArchiveFormats(::archive* a);

}  // namespace lifeboat
