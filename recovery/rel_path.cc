// Validation and manipulation of clean relative paths (see rel_path.h).
#include "recovery/rel_path.h"

#include <cstdint>

namespace lifeboat {
namespace {

Status Invalid(std::string_view raw, const std::string& why) {
  std::string shown(raw.substr(0, 200));
  bool utf8 = IsValidUtf8(shown);
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || (!utf8 && static_cast<unsigned char>(c) >= 0x80)) c = '?';
  return Status::Error(Status::Code::kInvalidInput, "path '" + shown + "' " + why);
}

// What a byte of a path component is: 0 for a byte allowed in a name, else
// why it is refused. A table, so the common byte costs one load and one
// predictable branch (manifest loading checks every byte of every path).
enum : uint8_t { kNameOk = 0, kNul, kControl, kColon, kPipe };
struct ByteClasses {
  uint8_t v[256];
  constexpr ByteClasses() : v() {
    for (int c = 1; c < 0x20; ++c) v[c] = kControl;
    v[0] = kNul;
    v[0x7F] = kControl;
    v[static_cast<unsigned char>(':')] = kColon;
    v[static_cast<unsigned char>('|')] = kPipe;
  }
};
constexpr ByteClasses kByteClass;

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (size_t k = 2; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

Result<std::string> NormalizeManifestPath(std::string_view raw) {
  if (raw.empty()) return Invalid(raw, "is empty");
  if (raw.size() > kMaxPathBytes) return Invalid(raw, "is longer than 4096 bytes");
  if (raw.size() >= 2 && raw[1] == ':' &&
      ((raw[0] >= 'A' && raw[0] <= 'Z') || (raw[0] >= 'a' && raw[0] <= 'z')))
    return Invalid(raw, "is absolute (drive letter); manifest paths are relative to the target root");
  if (raw[0] == '/' || raw[0] == '\\')
    return Invalid(raw, "is absolute; manifest paths are relative to the target root");

  if (raw.back() == '/' || raw.back() == '\\')
    return Invalid(raw, "ends with a separator (names a directory, not a file)");

  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  bool first = true;
  while (i <= raw.size()) {
    size_t j = i;
    while (j < raw.size() && raw[j] != '/' && raw[j] != '\\') ++j;
    std::string_view comp = raw.substr(i, j - i);
    i = j + 1;
    if (comp.empty()) continue;
    if (comp == ".") {
      if (first) {  // a leading "./" is the usual sha256sum/mtree spelling
        first = false;
        continue;
      }
      return Invalid(raw, "has a '.' component");
    }
    first = false;
    if (comp == "..") return Invalid(raw, "has a '..' component, which would leave the target");
    if (comp.size() > kMaxComponentBytes) return Invalid(raw, "has a component longer than 255 bytes");
    for (char c : comp) {
      switch (kByteClass.v[static_cast<unsigned char>(c)]) {
        case kNameOk:
          continue;
        case kNul:
          return Invalid(raw, "contains a NUL byte");
        case kControl:
          return Invalid(raw, "contains a control character");
        case kColon:
          return Invalid(raw, "contains ':' (alternate data streams are not allowed)");
        default:
          return Invalid(raw, "contains '|', which Windows does not allow in names");
      }
    }
    if (!out.empty()) out.push_back('/');
    out.append(comp);
  }
  if (out.empty()) return Invalid(raw, "names the target root, not a file");
  if (!IsValidUtf8(out)) return Invalid(raw, "is not valid UTF-8 (Windows names are Unicode)");
  return out;
}

bool IsCleanRelPath(std::string_view path) {
  if (path.empty()) return true;
  if (path.size() > kMaxPathBytes) return false;
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      std::string_view comp = path.substr(start, i - start);
      if (comp.empty() || comp.size() > kMaxComponentBytes || comp == "." || comp == "..") return false;
      start = i + 1;
      continue;
    }
    auto u = static_cast<unsigned char>(path[i]);
    if (u < 0x20 || u == 0x7F || u == ':' || u == '\\') return false;
  }
  return true;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out.append(a);
  out.push_back('/');
  out.append(b);
  return out;
}

std::string_view ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace lifeboat
