// Windows installation descriptions, and which manifest fits one.
//
// Both a manifest's "os" line and the --os option (and, later, on-disk
// detection) use the same words: family, version, build, sp, ubr, arch and
// edition, as key=value pairs ("family=windows version=5.1 build=2600 sp=3
// arch=x86"). In a manifest, build, sp and ubr may be ranges ("19041-19045").
// A manifest line fits a description when each of its keys is present in the
// description with a matching value; keys the line does not name are not
// compared.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "recovery/status.h"

namespace lifeboat {

struct OsSpec {
  std::map<std::string, std::string> values;  // key -> normalised value
  bool empty() const { return values.empty(); }
};

// `allow_ranges`: true for manifest "os" lines, false for a description of
// one installation.
Result<OsSpec> ParseOsSpec(std::string_view text, bool allow_ranges);
std::string FormatOsSpec(const OsSpec& spec);  // "family=windows version=5.1 ..."

// True if every key of `spec` is in `os` and matches.
bool OsMatches(const OsSpec& spec, const OsSpec& os);

}  // namespace lifeboat
