#include "recovery/utf16.h"

#include <cstdint>

namespace lifeboat {
namespace {

uint32_t Unit(std::string_view d, size_t o) {
  return static_cast<uint8_t>(d[o]) | static_cast<uint32_t>(static_cast<uint8_t>(d[o + 1])) << 8;
}

}  // namespace

std::string Utf16ToUtf8(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i + 1 < raw.size(); i += 2) {
    uint32_t c = Unit(raw, i);
    if (c == 0) break;
    if (c >= 0xD800 && c <= 0xDBFF && i + 3 < raw.size() && Unit(raw, i + 2) >= 0xDC00 && Unit(raw, i + 2) <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (Unit(raw, i + 2) - 0xDC00);
      i += 2;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = '?';
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | c >> 6);
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | c >> 12);
      out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | c >> 18);
      out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace lifeboat
