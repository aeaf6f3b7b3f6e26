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

TEST_CASE("FoldCase lowers to exact code points, re-encoded as UTF-8") {
  CHECK(FoldCase("\xC3\x80\xC3\x9E") == "\xC3\xA0\xC3\xBE");          // ÀÞ -> àþ (ends of the Latin-1 range)
  CHECK(FoldCase("\xC3\x9F") == "\xC3\x9F");                          // ß has no one-letter capital: unchanged
  CHECK(FoldCase("\xC2\xB5") == "\xC2\xB5");                          // µ (not a letter pair here)
  CHECK(FoldCase("\xC5\xB8") == "\xC3\xBF");                          // Ÿ U+0178 -> ÿ U+00FF
  CHECK(EqualsFolded("\xC3\xBF", "\xC5\xB8"));                        // ÿ / Ÿ
  CHECK(FoldCase("\xC4\x80\xC4\xB6") == "\xC4\x81\xC4\xB7");          // Ā Ķ -> ā ķ (U+0100..U+0137 pairs)
  CHECK(FoldCase("\xC4\xB8") == "\xC4\xB8");                          // ĸ U+0138 has no capital
  CHECK(FoldCase("\xC4\xB9\xC5\x87") == "\xC4\xBA\xC5\x88");          // Ĺ Ň -> ĺ ň (odd capitals)
  CHECK(FoldCase("\xC5\x8A\xC5\xB6") == "\xC5\x8B\xC5\xB7");          // Ŋ Ŷ -> ŋ ŷ
  CHECK(FoldCase("\xC5\xB9\xC5\xBD") == "\xC5\xBA\xC5\xBE");          // Ź Ž -> ź ž
  CHECK(FoldCase("\xCE\x91\xCE\xA9\xCE\xAB") == "\xCE\xB1\xCF\x89\xCF\x8B");  // Α Ω Ϋ -> α ω ϋ
  CHECK(FoldCase("\xCE\xA2") == "\xCE\xA2");                          // U+03A2 is unassigned
  CHECK(FoldCase("\xD0\x80\xD0\x8F") == "\xD1\x90\xD1\x9F");          // Ѐ Џ -> ѐ џ (+80)
  CHECK(FoldCase("\xD0\x90\xD0\xAF") == "\xD0\xB0\xD1\x8F");          // А Я -> а я (+32)
  // Three-byte code points outside the ranges pass through: € and fullwidth Ａ.
  CHECK(FoldCase("\xE2\x82\xAC\xEF\xBC\xA1") == "\xE2\x82\xAC\xEF\xBC\xA1");
}

TEST_CASE("every ASCII byte folds alone, before and after a non-ASCII letter") {
  for (int c = 0; c < 0x80; ++c) {
    CAPTURE(c);
    const char want = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    const std::string one(1, static_cast<char>(c));
    CHECK(FoldCase(one) == std::string(1, want));
    // The ASCII prefix is lowered in place, the rest decoded: both halves.
    CHECK(FoldCase("X" + one + "\xC3\x89" + one + "Y") == "x" + std::string(1, want) + "\xC3\xA9" + std::string(1, want) + "y");
  }
}

TEST_CASE("folding is idempotent and already-lower text is unchanged") {
  for (std::string s : {"WINDOWS/System32/DRIVERS/etc/HOSTS", "Dokumente und Einstellungen/\xC3\x9C" "BER",
                        "\xD0\x9C\xD0\xBE\xD0\xB8 \xD0\x94\xD0\xBE\xD0\xBA\xD1\x83\xD0\xBC\xD0\xB5\xD0\xBD\xD1\x82\xD1\x8B",
                        "\xCE\xA3\xCE\xA5\xCE\xA3\xCE\xA4\xCE\x97\xCE\x9C\xCE\x91", "bad\xFF\xC3", ""}) {
    CAPTURE(s);
    std::string once = FoldCase(s);
    CHECK(FoldCase(once) == once);
    CHECK(once.size() == s.size());  // every mapping here keeps the encoded length
    CHECK(EqualsFolded(s, once));
  }
  CHECK(FoldCase("program files/\xD0\xB0\xD1\x8F") == "program files/\xD0\xB0\xD1\x8F");
}

TEST_CASE("overlong and truncated UTF-8 never folds into ASCII") {
  // 0xC1 0x81 is an overlong 'A': it must not become "a" and match a real name.
  CHECK(FoldCase("\xC1\x81") == "\xC1\x81");
  CHECK_FALSE(EqualsFolded("\xC1\x81", "a"));
  CHECK(FoldCase("\xE0\x81\x81") == "\xE0\x81\x81");  // overlong 3-byte
  CHECK(FoldCase("\xD0") == "\xD0");                  // cut sequence at the end
  CHECK(FoldCase("\xD0Z") == "\xD0z");                // cut sequence, then ASCII still folds
}

TEST_CASE("Greek final sigma is the same letter as sigma on NTFS") {
  // NTFS upcases ς (U+03C2) to Σ (U+03A3), like σ; FoldCase lowers Σ to σ
  // but leaves ς alone, so a name ending in ς never matches its capitals.
  CHECK(EqualsFolded("\xCE\xA3", "\xCF\x82"));                                                    // Σ / ς
  CHECK(EqualsFolded("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3", "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82"));  // ΟΔΟΣ / οδος
}

TEST_CASE("Greek letters with tonos fold like the other Greek letters") {
  // Ά Έ Ή Ί Ό Ύ Ώ (U+0386, U+0388-038A, U+038C, U+038E-038F) are the
  // capitals of ά έ ή ί ό ύ ώ on NTFS; FoldCase only folds U+0391-U+03AB.
  CHECK(EqualsFolded("\xCE\x86", "\xCE\xAC"));  // Ά / ά
  CHECK(EqualsFolded("\xCE\x88", "\xCE\xAD"));  // Έ / έ
  CHECK(EqualsFolded("\xCE\x89", "\xCE\xAE"));  // Ή / ή
  CHECK(EqualsFolded("\xCE\x8A", "\xCE\xAF"));  // Ί / ί
  CHECK(EqualsFolded("\xCE\x8C", "\xCF\x8C"));  // Ό / ό
  CHECK(EqualsFolded("\xCE\x8E", "\xCF\x8D"));  // Ύ / ύ
  CHECK(EqualsFolded("\xCE\x8F", "\xCF\x8E"));  // Ώ / ώ
}

TEST_CASE("dotted capital I and dotless i are different names") {
  // U+0130 (İ) and U+0131 (ı) are not a case pair: NTFS upcases İ to itself
  // and ı to I or itself, never to İ. The "c | 1" rule for U+0100..U+0137
  // folds İ to ı, so "İ.dll" would match a manifest's "ı.dll" and be replaced.
  CHECK_FALSE(EqualsFolded("\xC4\xB0", "\xC4\xB1"));
  CHECK(FoldCase("\xC4\xB0") != FoldCase("\xC4\xB1"));
}

}  // namespace
}  // namespace lifeboat
