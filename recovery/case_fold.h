// Case folding for matching Windows names case-insensitively.
//
// NTFS compares names through the volume's $UpCase table. We approximate it
// with simple one-to-one folding: ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic (final sigma and accented Greek capitals included, Turkish İ/ı kept
// apart as NTFS does), which covers the names Windows ships in the locales we target.
// Invalid UTF-8 is compared byte for byte, never rejected here.
#pragma once

#include <string>
#include <string_view>

namespace lifeboat {

// Returns a key such that FoldCase(a) == FoldCase(b) iff a and b name the same
// file on a case-insensitive volume (within the ranges above).
std::string FoldCase(std::string_view utf8);

// True if a and b are equal ignoring case.
bool EqualsFolded(std::string_view a, std::string_view b);

}  // namespace lifeboat
