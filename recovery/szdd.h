// SZDD files: the compression of MS-DOS compress.exe, which Windows 3.x/9x
// and NT 3.x/4.0 install media use for *.EX_, *.DL_, *.SY_ (XP's media use
// one-file cabinets instead, read through libarchive). Expanded in memory
// with libmspack, whose sources the caller gives as bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "recovery/status.h"

namespace lifeboat {

// True if `head` starts with the SZDD magic "SZDD\x88\xF0\x27\x33".
bool HasSzddMagic(std::string_view head);

struct SzddHeader {
  uint64_t length = 0;  // uncompressed size, from the header
  char missing = 0;     // the file name's last character that '_' replaced; 0 if not recorded
};
// The 14-byte header; an error if it is not SZDD.
Result<SzddHeader> ReadSzddHeader(std::string_view data);

// "SVCHOST.EX_" + 'E' -> "SVCHOST.EXE"; without the character, the name
// without its '_' ("SVCHOST.EX").
std::string SzddExpandedName(const std::string& name, char missing);

// The expanded content of `data`; more than max_bytes, or output that
// disagrees with the header's length, is an error.
Result<std::string> ExpandSzdd(std::string_view data, uint64_t max_bytes);

}  // namespace lifeboat
