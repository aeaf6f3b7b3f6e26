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

}  // namespace lifeboat
