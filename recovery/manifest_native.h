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

// Reads only the header of a native manifest (up to its first entry): name,
// description, created and os lines. For choosing among many manifests
// without parsing them all.
Result<Manifest> ReadNativeHeader(ByteReader& in, const std::string& name);

// Writes `m` in the native format, entries and rules in the order given.
std::string FormatNative(const Manifest& m);

}  // namespace lifeboat
