// Wildcards in forbid patterns: '*' (any run of characters) and '?' (one
// character) within a single path component, compared case-insensitively.
#pragma once

#include <string_view>

namespace lifeboat {

bool HasWildcard(std::string_view s);

// Matches `name` against `pattern`; both must already be case-folded
// (FoldCase). '?' matches one byte, so patterns for non-ASCII names should
// spell those characters out.
bool WildcardMatch(std::string_view pattern, std::string_view name);

// Matches a relative path against a selection pattern (manifest build's
// --include/--exclude), case-insensitively. A pattern without '/' matches the
// base name anywhere ("*.dll"); one with '/' matches the whole path component
// by component, where a "**" component matches any number of directories
// ("WINDOWS/**/*.sys", "WINDOWS/System32/config/**").
bool PathGlobMatch(std::string_view pattern, std::string_view path);

}  // namespace lifeboat
