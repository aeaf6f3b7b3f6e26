// Tests for recovery/os_spec.cc: which keys and values an OS description
// accepts, how values are normalised (arch aliases, version numbers, case),
// where ranges are allowed, the canonical text form, and OsMatches.
#include "recovery/os_spec.h"

#include <doctest/doctest.h>

#include <map>
#include <vector>
#include <string>

namespace lifeboat {
namespace {

using Values = std::map<std::string, std::string>;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The normalised values of a spec that must parse.
Values Parsed(std::string_view text, bool allow_ranges = false) {
  Result<OsSpec> s = ParseOsSpec(text, allow_ranges);
  INFO(std::string(text));
  REQUIRE(s.ok());
  return s->values;
}

std::string Error(std::string_view text, bool allow_ranges = false) {
  Result<OsSpec> s = ParseOsSpec(text, allow_ranges);
  INFO(std::string(text));
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Status::Code::kInvalidInput);
  CHECK(StartsWith(s.status().message(), "OS description: "));
  return s.status().message();
}

OsSpec Spec(std::string_view text, bool allow_ranges) {
  Result<OsSpec> s = ParseOsSpec(text, allow_ranges);
  INFO(std::string(text));
  REQUIRE(s.ok());
  return *s;
}

bool Fits(std::string_view manifest_line, std::string_view installation) {
  return OsMatches(Spec(manifest_line, true), Spec(installation, false));
}

TEST_CASE("os_spec: every known key parses") {
  Values v = Parsed("family=windows version=10.0 build=19045 sp=0 ubr=4291 arch=x64 edition=Professional");
  CHECK(v == Values{{"family", "windows"},
                    {"version", "10.0"},
                    {"build", "19045"},
                    {"sp", "0"},
                    {"ubr", "4291"},
                    {"arch", "x64"},
                    {"edition", "professional"}});
  CHECK(Parsed("arch=arm64") == Values{{"arch", "arm64"}});
  CHECK(Parsed("sp=3") == Values{{"sp", "3"}});
}

TEST_CASE("os_spec: unknown keys, words without key=value, repeats and empty text are refused") {
  CHECK(Contains(Error("flavour=vanilla"), "unknown key 'flavour'"));
  CHECK(Contains(Error("family=windows os=xp"), "unknown key 'os'"));
  CHECK(Contains(Error("servicepack=3"), "unknown key 'servicepack'"));
  CHECK(Contains(Error("Build-Number=7601"), "unknown key"));
  CHECK(Contains(Error("family"), "'family' is not key=value"));
  CHECK(Contains(Error("=windows"), "is not key=value"));
  CHECK(Contains(Error("arch="), "'arch=' is not key=value"));
  CHECK(Contains(Error("family=windows x64"), "'x64' is not key=value"));
  CHECK(Contains(Error("arch=x86 arch=x86"), "'arch' given twice"));
  CHECK(Contains(Error("arch=x86 ARCH=x64"), "'arch' given twice"));  // keys fold before the check
  CHECK(Contains(Error(""), "empty"));
  CHECK(Contains(Error("  \t , "), "empty"));
}

TEST_CASE("os_spec: values that are not what their key needs are refused") {
  for (const std::string& bad : std::vector<std::string>{"version=5", "version=5.", "version=.1", "version=5.1.2600", "version=a.b", "version=xp",
                          "version=-5.1", "version=1234567890.0"}) {
    CAPTURE(bad);
    CHECK(Contains(Error(bad, true), "is not major.minor"));
  }
  for (const std::string& bad : std::vector<std::string>{"build=abc", "build=76o1", "build=-1", "build=+7601", "sp=3.0", "ubr=0x10",
                          "build=1234567890", "sp=", "ubr=1_000"}) {
    CAPTURE(bad);
    Error(bad, true);
    Error(bad, false);
  }
  for (const std::string& bad : std::vector<std::string>{"arch=mips", "arch=x32", "arch=ia64", "arch=x86-64", "arch=arm"}) {
    CAPTURE(bad);
    CHECK(Contains(Error(bad), "(x86, x64, arm64)"));
  }
}

TEST_CASE("os_spec: normalisation of arch aliases, version numbers, numbers and case") {
  CHECK(Parsed("arch=amd64").at("arch") == "x64");
  CHECK(Parsed("arch=AMD64").at("arch") == "x64");
  CHECK(Parsed("arch=x86_64").at("arch") == "x64");
  CHECK(Parsed("arch=X64").at("arch") == "x64");
  CHECK(Parsed("arch=i386").at("arch") == "x86");
  CHECK(Parsed("arch=I686").at("arch") == "x86");
  CHECK(Parsed("arch=X86").at("arch") == "x86");
  CHECK(Parsed("arch=aarch64").at("arch") == "arm64");
  CHECK(Parsed("arch=ARM64").at("arch") == "arm64");

  CHECK(Parsed("version=06.01").at("version") == "6.1");
  CHECK(Parsed("version=6.1").at("version") == "6.1");
  CHECK(Parsed("version=10.00").at("version") == "10.0");
  CHECK(Parsed("version=005.001").at("version") == "5.1");

  CHECK(Parsed("build=007601").at("build") == "7601");
  CHECK(Parsed("sp=00").at("sp") == "0");
  CHECK(Parsed("ubr=000000001").at("ubr") == "1");

  CHECK(Parsed("family=WINDOWS").at("family") == "windows");
  CHECK(Parsed("edition=ProfessionalWorkstation").at("edition") == "professionalworkstation");
  CHECK(Parsed("FAMILY=Windows Arch=AMD64 Version=6.1").at("family") == "windows");
  CHECK(Parsed("FAMILY=Windows Arch=AMD64 Version=6.1") ==
        Values{{"family", "windows"}, {"arch", "x64"}, {"version", "6.1"}});

  // Spaces, tabs and commas all separate words, in any number.
  CHECK(Parsed("family=windows,arch=x64") == Parsed("family=windows arch=x64"));
  CHECK(Parsed("  family=windows \t,, arch=x64  ") == Parsed("family=windows arch=x64"));
}

TEST_CASE("os_spec: ranges only where allowed, and only on build, sp and ubr") {
  CHECK(Parsed("build=19041-19045", true).at("build") == "19041-19045");
  CHECK(Parsed("ubr=4000-4999", true).at("ubr") == "4000-4999");
  CHECK(Parsed("sp=0-3", true).at("sp") == "0-3");
  CHECK(Parsed("build=019041-0019045", true).at("build") == "19041-19045");
  CHECK(Parsed("sp=3-3", true).at("sp") == "3");  // a range of one is a number

  // A description of one installation has no ranges.
  std::string msg = Error("build=19041-19045", false);
  CHECK(Contains(msg, "'build=19041-19045' is not a number"));
  CHECK_FALSE(Contains(msg, "range"));
  Error("ubr=4000-4999", false);
  Error("sp=0-3", false);

  // Malformed or reversed ranges.
  for (const std::string& bad : std::vector<std::string>{"build=19045-19041", "build=19041-", "build=-19045", "build=1-2-3", "build=1--2",
                          "build=a-b", "ubr=1-1234567890"}) {
    CAPTURE(bad);
    CHECK(Contains(Error(bad, true), "is not a number or a range a-b"));
  }
  // Other keys take no ranges, even in a manifest.
  Error("version=5.1-6.1", true);
  Error("arch=x86-x64", true);
}

TEST_CASE("os_spec: FormatOsSpec writes keys in a fixed order and parses back") {
  OsSpec s = Spec("edition=Pro ubr=4000-4999 ARCH=amd64 sp=1 build=7601 version=06.01 family=Windows", true);
  std::string text = FormatOsSpec(s);
  CHECK(text == "family=windows version=6.1 build=7601 sp=1 ubr=4000-4999 arch=x64 edition=pro");
  CHECK(Spec(text, true).values == s.values);
  CHECK(FormatOsSpec(Spec("arch=x86", false)) == "arch=x86");
  CHECK(FormatOsSpec(OsSpec{}).empty());
}

TEST_CASE("OsMatches: every key of the spec must be in the description and match") {
  const std::string xp = "family=windows version=5.1 build=2600 sp=3 arch=x86 edition=Professional";
  CHECK(Fits("family=windows version=5.1 build=2600 sp=3 arch=x86", xp));
  CHECK(Fits("arch=x86", xp));
  CHECK(Fits("version=5.1 edition=PROFESSIONAL", xp));  // case-insensitive edition
  CHECK_FALSE(Fits("arch=x64", xp));
  CHECK_FALSE(Fits("version=6.1", xp));
  CHECK_FALSE(Fits("sp=2", xp));
  CHECK_FALSE(Fits("edition=home", xp));
  CHECK_FALSE(Fits("family=windows version=5.1 arch=x64", xp));  // one key off is enough

  // A key the description lacks never matches ("unknown" is not "any").
  CHECK_FALSE(Fits("ubr=0-99999", xp));
  CHECK_FALSE(Fits("arch=x86", "family=windows version=5.1"));
  // Keys only the description has are ignored.
  CHECK(Fits("family=windows", xp));
  // A spec with no keys (only built by hand: ParseOsSpec refuses empty text) fits everything.
  CHECK(OsMatches(OsSpec{}, Spec(xp, false)));
  CHECK(OsMatches(OsSpec{}, OsSpec{}));
}

TEST_CASE("OsMatches: normalised values compare equal however they were written") {
  CHECK(Fits("arch=x64", "arch=AMD64"));
  CHECK(Fits("arch=amd64", "arch=x86_64"));
  CHECK(Fits("arch=x86", "arch=i386"));
  CHECK(Fits("arch=arm64", "arch=aarch64"));
  CHECK_FALSE(Fits("arch=x86", "arch=x64"));
  CHECK(Fits("version=6.1", "version=06.01"));
  CHECK(Fits("version=10.0", "version=10.00"));
  CHECK_FALSE(Fits("version=10.0", "version=1.0"));
  CHECK_FALSE(Fits("version=6.1", "version=6.10"));
  CHECK(Fits("build=7601", "build=07601"));
  CHECK(Fits("family=Windows", "FAMILY=WINDOWS"));
}

TEST_CASE("OsMatches: numbers against inclusive ranges") {
  const std::string range = "family=windows version=10.0 build=19041-19045 ubr=4000-4999";
  CHECK(Fits(range, "family=windows version=10.0 build=19041 ubr=4000"));  // both lower bounds
  CHECK(Fits(range, "family=windows version=10.0 build=19045 ubr=4999"));  // both upper bounds
  CHECK(Fits(range, "family=windows version=10.0 build=19044 ubr=4291 arch=x64"));
  CHECK_FALSE(Fits(range, "family=windows version=10.0 build=19040 ubr=4291"));
  CHECK_FALSE(Fits(range, "family=windows version=10.0 build=19046 ubr=4291"));
  CHECK_FALSE(Fits(range, "family=windows version=10.0 build=19044 ubr=3999"));
  CHECK_FALSE(Fits(range, "family=windows version=10.0 build=19044 ubr=5000"));
  CHECK_FALSE(Fits(range, "family=windows version=10.0 build=19044"));  // ubr missing
  CHECK_FALSE(Fits(range, "family=windows version=6.1 build=19044 ubr=4291"));

  // Numbers compare as numbers, not text.
  CHECK(Fits("build=900-10000", "build=7601"));
  CHECK_FALSE(Fits("build=7601", "build=76010"));
  CHECK(Fits("sp=3", "sp=03"));

  // A range in the description (both sides may be ranges, as ParseOsSpec
  // allows them when asked) fits only inside the spec's range.
  OsSpec spec = Spec("build=19041-19045", true);
  CHECK(OsMatches(spec, Spec("build=19042-19044", true)));
  CHECK(OsMatches(spec, Spec("build=19041-19045", true)));
  CHECK_FALSE(OsMatches(spec, Spec("build=19040-19044", true)));
  CHECK_FALSE(OsMatches(spec, Spec("build=19044-19046", true)));
}

TEST_CASE("OsMatches: the manifest's os lines mean 'any of these'") {
  // How callers use applies_to: a manifest fits if one of its lines does.
  const OsSpec lines[] = {Spec("version=6.1 build=7600-7601 arch=x64", true), Spec("version=6.1 arch=x86", true)};
  auto fits = [&](std::string_view os) {
    OsSpec d = Spec(os, false);
    for (const OsSpec& l : lines)
      if (OsMatches(l, d)) return true;
    return false;
  };
  CHECK(fits("version=6.1 build=7601 arch=x64"));
  CHECK(fits("version=6.1 build=9999 arch=x86"));  // second line has no build
  CHECK_FALSE(fits("version=6.1 build=9999 arch=x64"));
  CHECK_FALSE(fits("version=6.2 build=7601 arch=x86"));
}

}  // namespace
}  // namespace lifeboat
