// BSD mtree manifests, read with libarchive's mtree reader.
#pragma once

#include "recovery/byte_reader.h"
#include "recovery/manifest.h"

namespace lifeboat {

// Adds every regular-file entry of the mtree on `in` to `out`. Each file entry
// needs a sha256digest; "size=" is used when present. Directory and link
// entries are skipped. A path listed twice is refused (libarchive would merge
// the two lines, letting the second silently override the first hash).
Status ParseMtree(ByteReader& in, ManifestBuilder& out);

}  // namespace lifeboat
