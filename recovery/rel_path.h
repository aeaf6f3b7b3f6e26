// Relative paths beneath a target root: validation and small helpers.
//
// Every path the engine hands to a FileSystem is a "clean relative path":
// components separated by '/', no leading '/', no empty, '.' or '..'
// components, no NUL or control characters, no ':' (which on NTFS would name
// an alternate data stream), and within length limits. Manifest paths also
// may not contain '|' (not allowed in Windows names; the native format uses
// " | " to start a line's options). The empty string means
// the root itself. Manifest paths (which may use '\' and start with "./") are
// turned into clean paths by NormalizeManifestPath; anything that cannot be
// made clean is rejected with a reason, never "fixed up" into another file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "recovery/status.h"

namespace lifeboat {

inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kMaxComponentBytes = 255;

// Accepts '/' or '\' separators and a leading "./" (or ".\"); collapses
// repeated separators. Rejects absolute paths (leading separator or a drive
// letter), '..' components, NUL/control characters, ':' and invalid UTF-8.
Result<std::string> NormalizeManifestPath(std::string_view raw);

// True if `path` is already a clean relative path (see above).
bool IsCleanRelPath(std::string_view path);

// True if `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). Windows names are UTF-16, so a
// manifest path that is not valid UTF-8 names no Windows file, and the JSON
// journal could not record it exactly.
bool IsValidUtf8(std::string_view s);

std::vector<std::string_view> SplitPath(std::string_view path);
std::string JoinPath(std::string_view a, std::string_view b);
std::string_view ParentPath(std::string_view path);  // "" for a top-level name
std::string_view BaseName(std::string_view path);

}  // namespace lifeboat
