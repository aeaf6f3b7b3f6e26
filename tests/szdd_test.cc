// SZDD expansion (libmspack) on files built here from the format: a 14-byte
// header, then LZSS blocks: a control byte whose set bits mark literals.
#include <doctest/doctest.h>

#include "recovery/szdd.h"

namespace lifeboat {
namespace {

// Literal-only SZDD: every control byte 0xFF, eight literal bytes after it.
std::string LiteralSzdd(const std::string& content, char missing, uint32_t declared) {
  std::string out("SZDD\x88\xF0\x27\x33" "A", 9);
  out += missing;
  for (int i = 0; i < 4; ++i) out += static_cast<char>(declared >> (8 * i));
  for (size_t i = 0; i < content.size(); i += 8) {
    out += '\xFF';
    out += content.substr(i, 8);
  }
  return out;
}

TEST_CASE("SZDD: header, names, expansion and its limits") {
  std::string content = "MZ\x90 a small system file, expanded by libmspack's SZDD code";
  std::string szdd = LiteralSzdd(content, 'E', static_cast<uint32_t>(content.size()));
  CHECK(HasSzddMagic(szdd));
  CHECK_FALSE(HasSzddMagic("MSCF\0\0\0\0"));
  Result<SzddHeader> h = ReadSzddHeader(szdd);
  REQUIRE(h.ok());
  CHECK(h->length == content.size());
  CHECK(h->missing == 'E');
  CHECK(SzddExpandedName("SVCHOST.EX_", 'E') == "SVCHOST.EXE");
  CHECK(SzddExpandedName("SVCHOST.EX_", 0) == "SVCHOST.EX");
  CHECK(SzddExpandedName("SVCHOST.EX_", '/') == "SVCHOST.EX");  // never a path separator
  CHECK(SzddExpandedName("plain.txt", 'x') == "plain.txt");
  Result<std::string> out = ExpandSzdd(szdd, 1 << 20);
  REQUIRE(out.ok());
  CHECK(*out == content);
  // The header's length is a promise: more or less output is an error, as is a cap below it.
  CHECK_FALSE(ExpandSzdd(LiteralSzdd(content, 'E', static_cast<uint32_t>(content.size() - 1)), 1 << 20).ok());
  CHECK_FALSE(ExpandSzdd(LiteralSzdd(content, 'E', static_cast<uint32_t>(content.size() + 100)), 1 << 20).ok());
  CHECK_FALSE(ExpandSzdd(szdd, content.size() - 1).ok());
  CHECK_FALSE(ExpandSzdd(szdd.substr(0, 13), 1 << 20).ok());
  CHECK_FALSE(ReadSzddHeader("SZDD\x88\xF0\x27\x33" "B\0\0\0\0\0").ok());  // unknown mode
}

}  // namespace
}  // namespace lifeboat
