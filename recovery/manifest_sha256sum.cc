// sha256sum manifest parser.
//
// Accepted line forms (after an optional trailing '\r'):
//   <64 hex> <space><space|*><path>        GNU coreutils, text or binary mode
//   \<64 hex> <space><space|*><esc-path>   GNU escaped form ("\\" and "\n")
//   SHA256 (<path>) = <64 hex>             BSD / `sha256sum --tag`
#include "recovery/manifest_sha256sum.h"

#include "recovery/line_reader.h"

#include <cctype>
#include <vector>

namespace lifeboat {
namespace {

bool IsBlank(std::string_view l) {
  for (char c : l)
    if (c != ' ' && c != '\t') return false;
  return true;
}

size_t HexRun(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && std::isxdigit(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

Result<std::string> Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 == s.size()) return Status::Error(Status::Code::kInvalidInput, "escaped path ends with '\\'");
    char c = s[++i];
    if (c == '\\')
      out.push_back('\\');
    else if (c == 'n')
      out.push_back('\n');
    else if (c == 'r')
      out.push_back('\r');
    else
      return Status::Error(Status::Code::kInvalidInput, std::string("unknown escape '\\") + c + "' in path");
  }
  return out;
}

Status ParseLine(std::string_view l, uint32_t lineno, ManifestBuilder& out) {
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  if (IsBlank(l) || l[0] == '#') return Status::Ok();
  bool escaped = false;
  if (l[0] == '\\') {
    escaped = true;
    l.remove_prefix(1);
  }
  std::string_view hex, path;
  if (l.substr(0, 8) == "SHA256 (") {
    size_t close = l.rfind(") = ");
    if (close == std::string_view::npos || close < 8)
      return ManifestError(out.name(), lineno, "expected 'SHA256 (<path>) = <64 hex digits>'");
    path = l.substr(8, close - 8);
    hex = l.substr(close + 4);
    if (hex.size() != 64 || HexRun(hex) != 64)
      return ManifestError(out.name(), lineno,
                           "hash has " + std::to_string(hex.size()) + " characters, expected 64 hex digits" +
                               HashLengthHint(HexRun(hex)));
  } else {
    size_t digits = HexRun(l);
    if (digits != 64) {
      if (digits >= 32 && digits < l.size() && l[digits] == ' ')
        return ManifestError(out.name(), lineno,
                             "hash has " + std::to_string(digits) + " hex digits, expected 64" +
                                 HashLengthHint(digits));
      return ManifestError(out.name(), lineno, "expected '<64 hex digits>  <path>' (sha256sum format)");
    }
    if (l.size() < 67 || l[64] != ' ' || (l[65] != ' ' && l[65] != '*'))
      return ManifestError(out.name(), lineno,
                           "expected two spaces (or ' *') between the hash and the path (sha256sum format)");
    hex = l.substr(0, 64);
    path = l.substr(66);
  }
  Digest digest = *DigestFromHex(hex);
  if (escaped) {
    Result<std::string> unescaped = Unescape(path);
    if (!unescaped.ok()) return ManifestError(out.name(), lineno, unescaped.status().message());
    return out.Add(*unescaped, kUnknownSize, digest, lineno);
  }
  return out.Add(path, kUnknownSize, digest, lineno);
}

}  // namespace

Status ParseSha256sum(ByteReader& in, ManifestBuilder& out, const ManifestLimits& limits) {
  return ForEachLine(in, out.name(), limits.max_line_bytes,
                     [&out](std::string_view line, uint32_t lineno) { return ParseLine(line, lineno, out); });
}

}  // namespace lifeboat
