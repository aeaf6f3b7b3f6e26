// Parser for `sha256sum` output (GNU and BSD tag forms) into a ManifestBuilder.
#pragma once

#include "recovery/byte_reader.h"
#include "recovery/manifest.h"

namespace lifeboat {

// Reads every line from `in`. Blank lines and lines starting with '#' are
// skipped; anything else must be a sha256sum line. A last line without a
// newline is reported as truncation.
Status ParseSha256sum(ByteReader& in, ManifestBuilder& out, const ManifestLimits& limits);

}  // namespace lifeboat
