// Simple case folding: decode UTF-8, lower each code point in the supported
// ranges, re-encode. ASCII-only strings take a fast path.
#include "recovery/case_fold.h"

#include <cstdint>

namespace lifeboat {
namespace {

char32_t FoldCodePoint(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;  // Latin-1
  if (c == 0x130 || c == 0x131) return c;                      // Turkish İ, ı: distinct names on NTFS
  if (c >= 0x100 && c <= 0x137) return c | 1;                  // Latin Ext-A pairs
  if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c == 0x3C2) return 0x3C3;                                 // final sigma ς is σ
  if (c == 0x386) return 0x3AC;                                 // Greek with tonos
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x400 && c <= 0x40F) return c + 80;                 // Cyrillic
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  return c;
}

void Append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace

std::string FoldCase(std::string_view s) {
  // The ASCII prefix (most names are all ASCII) is lowered in place in a copy,
  // with no per-byte push_back; the rest, if any, is decoded below.
  std::string out(s);
  size_t i = 0;
  for (; i < out.size(); ++i) {
    auto b = static_cast<uint8_t>(out[i]);
    if (b >= 0x80) break;
    if (static_cast<uint8_t>(b - 'A') < 26) out[i] = static_cast<char>(b + 32);
  }
  if (i == out.size()) return out;
  out.resize(i);
  while (i < s.size()) {
    auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++i;
      continue;
    }
    // Only 2- and 3-byte sequences hold foldable code points; anything else
    // (4-byte sequences, invalid bytes) is copied through unchanged.
    if ((b & 0xE0) == 0xC0 && i + 1 < s.size() && (static_cast<uint8_t>(s[i + 1]) & 0xC0) == 0x80) {
      char32_t c = (b & 0x1F) << 6 | (static_cast<uint8_t>(s[i + 1]) & 0x3F);
      if (c >= 0x80) {
        Append(out, FoldCodePoint(c));
        i += 2;
        continue;
      }
    } else if ((b & 0xF0) == 0xE0 && i + 2 < s.size() &&
               (static_cast<uint8_t>(s[i + 1]) & 0xC0) == 0x80 &&
               (static_cast<uint8_t>(s[i + 2]) & 0xC0) == 0x80) {
      char32_t c = (b & 0x0F) << 12 | (static_cast<uint8_t>(s[i + 1]) & 0x3F) << 6 |
                   (static_cast<uint8_t>(s[i + 2]) & 0x3F);
      if (c >= 0x800) {
        Append(out, FoldCodePoint(c));
        i += 3;
        continue;
      }
    }
    out.push_back(static_cast<char>(b));
    ++i;
  }
  return out;
}

bool EqualsFolded(std::string_view a, std::string_view b) { return FoldCase(a) == FoldCase(b); }

}  // namespace lifeboat
