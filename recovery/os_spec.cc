// OsSpec parsing, normalisation and matching (os_spec.h).
#include "recovery/os_spec.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <vector>

#include "recovery/byte_reader.h"
#include "recovery/case_fold.h"

namespace lifeboat {
namespace {

const char* const kKeys[] = {"family", "version", "build", "sp", "ubr", "arch", "edition"};

bool IsNumericKey(std::string_view k) { return k == "build" || k == "sp" || k == "ubr"; }

bool ParseNumber(std::string_view s, uint64_t& out) { return ParseDecimal(s, out, 9); }

// "N" or "N-M" -> [lo, hi]
bool ParseRange(std::string_view s, uint64_t& lo, uint64_t& hi) {
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseNumber(s, lo)) return false;
    hi = lo;
    return true;
  }
  return ParseNumber(s.substr(0, dash), lo) && ParseNumber(s.substr(dash + 1), hi) && lo <= hi;
}

Status Bad(const std::string& what) { return Status::Error(Status::Code::kInvalidInput, "OS description: " + what); }

}  // namespace

Result<OsSpec> ParseOsSpec(std::string_view text, bool allow_ranges) {
  OsSpec spec;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ',')) ++i;
    if (i >= text.size()) break;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != ',') ++j;
    std::string_view word = text.substr(i, j - i);
    i = j;
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == word.size())
      return Bad("'" + std::string(word) + "' is not key=value");
    std::string key = FoldCase(word.substr(0, eq));
    std::string value(word.substr(eq + 1));
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      return Bad("unknown key '" + key + "' (family, version, build, sp, ubr, arch, edition)");
    if (spec.values.count(key)) return Bad("'" + key + "' given twice");
    if (IsNumericKey(key)) {
      uint64_t lo, hi;
      if (!ParseRange(value, lo, hi) || (!allow_ranges && lo != hi))
        return Bad("'" + key + "=" + value + "' is not a number" + (allow_ranges ? " or a range a-b" : ""));
      value = lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
    } else if (key == "version") {
      size_t dot = value.find('.');
      uint64_t a, b;
      if (dot == std::string::npos || !ParseNumber(value.substr(0, dot), a) || !ParseNumber(value.substr(dot + 1), b))
        return Bad("'version=" + value + "' is not major.minor (5.1, 6.1, 10.0)");
      value = std::to_string(a) + "." + std::to_string(b);
    } else if (key == "arch") {
      value = FoldCase(value);
      if (value == "amd64" || value == "x86_64") value = "x64";
      if (value == "i386" || value == "i686") value = "x86";
      if (value == "aarch64") value = "arm64";
      if (value != "x86" && value != "x64" && value != "arm64") return Bad("'arch=" + value + "' (x86, x64, arm64)");
    } else {
      value = FoldCase(value);
    }
    spec.values[key] = value;
  }
  if (spec.values.empty()) return Bad("empty");
  return spec;
}

std::string FormatOsSpec(const OsSpec& spec) {
  std::string out;
  for (const char* key : kKeys) {
    auto it = spec.values.find(key);
    if (it == spec.values.end()) continue;
    if (!out.empty()) out += ' ';
    out += it->first + "=" + it->second;
  }
  return out;
}

bool OsMatches(const OsSpec& spec, const OsSpec& os) {
  for (const auto& [key, want] : spec.values) {
    auto it = os.values.find(key);
    if (it == os.values.end()) return false;
    if (IsNumericKey(key)) {
      uint64_t lo, hi, v, v_hi;
      if (!ParseRange(want, lo, hi) || !ParseRange(it->second, v, v_hi)) return false;
      if (v < lo || v_hi > hi) return false;
    } else if (it->second != want) {
      return false;
    }
  }
  return true;
}

}  // namespace lifeboat
