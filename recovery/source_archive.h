// An archive file as a restore source, read with libarchive: tar (plain, gz,
// bz2, xz, zstd, lz4), zip, 7z, cab, ISO 9660 and cpio.
#pragma once

#include <memory>
#include <string>

#include "recovery/source.h"

struct archive;

namespace lifeboat {

// Decompression-bomb limits (see source_archive.cc): past bomb_floor
// decompressed bytes, a member or archive expanding more than bomb_ratio
// times the bytes read from the file is refused. Tests lower the floor.
struct ArchiveLimits {
  uint64_t bomb_floor = uint64_t{256} << 20;
  uint64_t bomb_ratio = 1000;
};

Result<std::unique_ptr<Source>> OpenArchiveSource(const std::string& path, const ArchiveLimits& limits = {});

// Registers the formats lifeboat reads on a fresh archive reader. One by one
// on purpose: archive_read_support_format_all() pulls in the xar reader and,
// with it, libxml2 and ICU (~30 MB in a static binary).
void EnableArchiveFormats(::archive* a);

// The regular-file members of an archive read from `in` (an XP install-media
// "SVCHOST.EX_" is a one-file cabinet): visit(name, size, data) for each, in
// order, until it returns false. `data` streams that member; a visit that
// does not read it costs only the headers. `size` is kUnknownCandidateSize
// when the format does not say. Header errors are errors naming `label`.
using MemberVisitFn = std::function<bool(const std::string& name, uint64_t size, ByteReader& data)>;
Status VisitArchiveStream(ByteReader& in, const std::string& label, const MemberVisitFn& visit,
                          const ArchiveLimits& limits = {});

}  // namespace lifeboat
