// BSD mtree manifests, read with libarchive's mtree reader.
#pragma once

#include "recovery/byte_reader.h"
#include "recovery/manifest.h"

namespace lifeboat {

// Adds every regular-file entry of the mtree on `in` to `out`. Each file entry
// needs a sha256digest; "size=" is used when present. Directory and link
// entries are skipped. `reopen` gives a fresh copy of the same stream, used
// only to find the line number of an entry an error is about.
Status ParseMtree(ByteReader& in, const ReaderFactory& reopen, ManifestBuilder& out,
                  const ManifestLimits& limits);

// Returns the 1-based line of the first mtree line whose path field names
// `path` (leading "./" ignored, mtree escapes decoded), or 0.
uint32_t FindMtreeLine(ByteReader& in, std::string_view path);

}  // namespace lifeboat
