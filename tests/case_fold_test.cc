// Tests for recovery/case_fold.cc: Windows-style case-insensitive names.
#include "recovery/case_fold.h"

#include <doctest/doctest.h>

namespace lifeboat {
namespace {

TEST_CASE("ASCII folds, everything else in ASCII is untouched") {
  CHECK(FoldCase("WINDOWS/System32/SVCHOST.EXE") == "windows/system32/svchost.exe");
  CHECK(FoldCase("a-b_c.1~2") == "a-b_c.1~2");
  CHECK(EqualsFolded("Kernel32.DLL", "kernel32.dll"));
  CHECK_FALSE(EqualsFolded("kernel32.dll", "kernel33.dll"));
}

TEST_CASE("Latin-1, Latin Extended-A, Greek and Cyrillic letters fold") {
  CHECK(EqualsFolded("Programme \xC3\x9C" "BERSICHT", "programme \xC3\xBC" "bersicht"));  // Ü / ü
  CHECK(EqualsFolded("\xC3\x89T\xC3\x89", "\xC3\xA9t\xC3\xA9"));                        // ÉTÉ / été
  CHECK(EqualsFolded("\xC5\x81\xC3\x93" "D\xC5\xB9", "\xC5\x82\xC3\xB3" "d\xC5\xBA"));   // ŁÓDŹ / łódź
  CHECK(EqualsFolded("\xCE\x91\xCE\x92\xCE\x93", "\xCE\xB1\xCE\xB2\xCE\xB3"));           // ΑΒΓ / αβγ
  CHECK(EqualsFolded("\xD0\x9F\xD0\xA0\xD0\x98", "\xD0\xBF\xD1\x80\xD0\xB8"));           // ПРИ / при
  CHECK(EqualsFolded("\xD0\x81", "\xD1\x91"));                                           // Ё / ё
  CHECK_FALSE(EqualsFolded("\xC3\x97", "\xC3\xB7"));  // × and ÷ are not a case pair
}

TEST_CASE("invalid UTF-8 is compared byte for byte, never rejected") {
  std::string bad = "A\xFF\xC3";
  CHECK(FoldCase(bad) == "a\xFF\xC3");
  CHECK(EqualsFolded("\xE2\x82", "\xE2\x82"));
  CHECK_FALSE(EqualsFolded("\xFF", "\xFE"));
  // 4-byte sequences (emoji) pass through.
  CHECK(FoldCase("\xF0\x9F\x98\x80X") == "\xF0\x9F\x98\x80x");
}

}  // namespace
}  // namespace lifeboat
