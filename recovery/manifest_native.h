// The native lifeboat manifest format (manifests/FORMAT.md): parser and writer.
#pragma once

#include <string>

#include "recovery/byte_reader.h"
#include "recovery/manifest.h"

namespace lifeboat {

inline constexpr const char* kNativeMagic = "lifeboat-manifest";
inline constexpr int kNativeVersion = 1;

// Parses a whole native manifest from `in` into `out` (header included).
Status ParseNative(ByteReader& in, ManifestBuilder& out, const ManifestLimits& limits);

// Writes `m` in the native format, entries and rules in the order given.
std::string FormatNative(const Manifest& m);

}  // namespace lifeboat
