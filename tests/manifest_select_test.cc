// Tests for recovery/manifest_select.cc: ListManifests reads only the header
// of each *.lbm file, and SelectManifest picks the one manifest whose "os"
// lines fit an installation, refusing none or several with a message that
// lists what was asked for and what is there.
#include "recovery/manifest_select.h"

#include <doctest/doctest.h>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::Sha256Hex;
using test::TempDir;
using test::WriteFile;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A complete native manifest with the given os lines (each without "os ").
std::string Lbm(const std::string& name, const std::vector<std::string>& os) {
  std::string s = "lifeboat-manifest 1\nname " + name + "\n";
  for (const std::string& o : os) s += "os " + o + "\n";
  s += "require " + Sha256Hex(name) + " 3 WINDOWS/system32/" + name + ".dll\nend 1\n";
  return s;
}

OsSpec Os(const std::string& text) {
  Result<OsSpec> o = ParseOsSpec(text, /*allow_ranges=*/false);
  REQUIRE_MESSAGE(o.ok(), o.status().message());
  return std::move(o).value();
}

std::string Selected(const std::string& dir, const std::string& os) {
  Result<std::string> r = SelectManifest(dir, Os(os));
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return *r;
}

// ---------------------------------------------------------------- ListManifests

TEST_CASE("select: ListManifests lists *.lbm headers sorted by name and ignores other files") {
  TempDir dir;
  WriteFile(dir / "b-win7.lbm", Lbm("win7", {"family=windows version=6.1 build=7601 arch=x64"}));
  WriteFile(dir / "a-xp.lbm",
            Lbm("xp", {"family=windows version=5.1 build=2600 sp=3 arch=x86", "family=windows version=5.1 sp=2"}));
  WriteFile(dir / "a-xp.lbm.sig", "not a manifest");
  WriteFile(dir / "notes.txt", "not a manifest");
  WriteFile(dir / "old.lbm.bak", "not a manifest");
  WriteFile(dir / "x.sha256", Sha256Hex("x") + "  WINDOWS/x.dll\n");
  Result<std::vector<ManifestCandidate>> all = ListManifests(dir.path());
  REQUIRE_MESSAGE(all.ok(), all.status().message());
  REQUIRE(all->size() == 2);
  const ManifestCandidate& xp = (*all)[0];
  CHECK(xp.path == dir / "a-xp.lbm");
  CHECK(xp.title == "xp");
  REQUIRE(xp.applies_to.size() == 2);
  CHECK(FormatOsSpec(xp.applies_to[0]) == "family=windows version=5.1 build=2600 sp=3 arch=x86");
  CHECK(FormatOsSpec(xp.applies_to[1]) == "family=windows version=5.1 sp=2");
  CHECK((*all)[1].path == dir / "b-win7.lbm");
  CHECK((*all)[1].title == "win7");
  REQUIRE((*all)[1].applies_to.size() == 1);
}

TEST_CASE("select: ListManifests reads only the header: broken entries after it do not matter") {
  TempDir dir;
  WriteFile(dir / "broken.lbm",
            "lifeboat-manifest 1\nname half-written\ndescription cut short\n"
            "os family=windows version=10.0 build=19045 arch=x64\n"
            "require not-a-hash x WINDOWS/../../etc/passwd\n"
            "garbage line");  // no end line and no final newline either
  WriteFile(dir / "forbid-only.lbm", "lifeboat-manifest 1\nname cs\nos family=windows\nforbid zz - x | oops\n");
  Result<std::vector<ManifestCandidate>> all = ListManifests(dir.path());
  REQUIRE_MESSAGE(all.ok(), all.status().message());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].title == "half-written");
  REQUIRE((*all)[0].applies_to.size() == 1);
  CHECK(FormatOsSpec((*all)[0].applies_to[0]) == "family=windows version=10.0 build=19045 arch=x64");
  CHECK((*all)[1].title == "cs");
}

TEST_CASE("select: ListManifests refuses a broken header, naming the file") {
  TempDir dir;
  WriteFile(dir / "good.lbm", Lbm("good", {"family=windows"}));
  WriteFile(dir / "zz-bad.lbm", "lifeboat-manifest 1\nname bad\nos family=windows colour=blue\nend 0\n");
  Result<std::vector<ManifestCandidate>> all = ListManifests(dir.path());
  REQUIRE_FALSE(all.ok());
  CHECK(Contains(all.status().message(), dir / "zz-bad.lbm"));

  TempDir dir2;
  WriteFile(dir2 / "not-native.lbm", Sha256Hex("x") + "  WINDOWS/x.dll\n");
  Result<std::vector<ManifestCandidate>> other = ListManifests(dir2.path());
  REQUIRE_FALSE(other.ok());
  CHECK(Contains(other.status().message(), "not-native.lbm"));
}

TEST_CASE("select: ListManifests of an empty or missing directory") {
  TempDir dir;
  Result<std::vector<ManifestCandidate>> none = ListManifests(dir.path());
  REQUIRE(none.ok());
  CHECK(none->empty());
  Result<std::vector<ManifestCandidate>> missing = ListManifests(dir / "absent");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(Contains(missing.status().message(), dir / "absent"));
}

// ---------------------------------------------------------------- SelectManifest

TEST_CASE("select: exactly one fitting manifest -> its path") {
  TempDir dir;
  WriteFile(dir / "xp-sp3-x86.lbm", Lbm("xp-x86", {"family=windows version=5.1 build=2600 sp=3 arch=x86"}));
  WriteFile(dir / "xp-sp3-x64.lbm", Lbm("xp-x64", {"family=windows version=5.2 build=3790 sp=2 arch=x64"}));
  WriteFile(dir / "win7.lbm", Lbm("win7", {"family=windows version=6.1 build=7601 sp=1 arch=x64"}));
  CHECK(Selected(dir.path(), "family=windows version=5.1 build=2600 sp=3 arch=x86") == dir / "xp-sp3-x86.lbm");
  CHECK(Selected(dir.path(), "family=windows version=6.1 build=7601 sp=1 arch=x64") == dir / "win7.lbm");
  // --os words are normalised like the os lines (case, arch aliases, order).
  CHECK(Selected(dir.path(), "ARCH=amd64 build=7601 sp=1 version=6.1 family=Windows") == dir / "win7.lbm");
}

TEST_CASE("select: no fitting manifest -> not found, listing the installation and every candidate") {
  TempDir dir;
  WriteFile(dir / "xp.lbm", Lbm("xp", {"family=windows version=5.1 build=2600 sp=3 arch=x86"}));
  WriteFile(dir / "win7.lbm", Lbm("win7", {"family=windows version=6.1 build=7601 arch=x64",
                                           "family=windows version=6.1 build=7600 arch=x64"}));
  WriteFile(dir / "generic.lbm", Lbm("generic", {}));  // no os line: never picked
  Result<std::string> r = SelectManifest(dir.path(), Os("family=windows version=10.0 build=19045 arch=x64"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  const std::string& m = r.status().message();
  CHECK(Contains(m, dir.path()));
  CHECK(Contains(m, "family=windows version=10.0 build=19045 arch=x64"));
  CHECK(Contains(m, dir / "xp.lbm"));
  CHECK(Contains(m, "family=windows version=5.1 build=2600 sp=3 arch=x86"));
  CHECK(Contains(m, dir / "win7.lbm"));
  CHECK(Contains(m, "build=7601"));
  CHECK(Contains(m, "build=7600"));
  CHECK(Contains(m, dir / "generic.lbm"));
  CHECK(Contains(m, "no os line"));
}

TEST_CASE("select: a manifest without os line is not picked even for a matching-everything query") {
  TempDir dir;
  WriteFile(dir / "generic.lbm", Lbm("generic", {}));
  Result<std::string> r = SelectManifest(dir.path(), Os("family=windows"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
}

TEST_CASE("select: an empty directory -> not found, saying there are no manifests") {
  TempDir dir;
  Result<std::string> r = SelectManifest(dir.path(), Os("family=windows"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  CHECK(Contains(r.status().message(), "no *.lbm"));
  CHECK_FALSE(SelectManifest(dir / "absent", Os("family=windows")).ok());
}

TEST_CASE("select: two fitting manifests -> an error naming both") {
  TempDir dir;
  WriteFile(dir / "one.lbm", Lbm("one", {"family=windows version=5.1"}));
  WriteFile(dir / "two.lbm", Lbm("two", {"family=windows arch=x86"}));
  WriteFile(dir / "three.lbm", Lbm("three", {"family=windows arch=x64"}));
  Result<std::string> r = SelectManifest(dir.path(), Os("family=windows version=5.1 build=2600 arch=x86"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() != Status::Code::kNotFound);
  const std::string& m = r.status().message();
  CHECK(Contains(m, "2 manifests"));
  CHECK(Contains(m, dir / "one.lbm"));
  CHECK(Contains(m, dir / "two.lbm"));
  CHECK_FALSE(Contains(m, dir / "three.lbm"));
  CHECK(Contains(m, "family=windows version=5.1 build=2600 arch=x86"));
}

TEST_CASE("select: ranges in os lines") {
  TempDir dir;
  WriteFile(dir / "win10-20h1-22h2.lbm", Lbm("w10", {"family=windows version=10.0 build=19041-19045 arch=x64"}));
  WriteFile(dir / "win11.lbm", Lbm("w11", {"family=windows version=10.0 build=22000-26100 arch=x64"}));
  for (const char* b : {"19041", "19044", "19045"})
    CHECK(Selected(dir.path(), std::string("family=windows version=10.0 arch=x64 build=") + b) ==
          dir / "win10-20h1-22h2.lbm");
  CHECK(Selected(dir.path(), "family=windows version=10.0 arch=x64 build=22631") == dir / "win11.lbm");
  for (const char* b : {"19040", "19046", "21999", "26101"}) {
    Result<std::string> r = SelectManifest(dir.path(), Os(std::string("family=windows version=10.0 arch=x64 build=") + b));
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("select: ubr and sp ranges") {
  TempDir dir;
  WriteFile(dir / "early.lbm", Lbm("early", {"family=windows build=19045 ubr=0-2999"}));
  WriteFile(dir / "late.lbm", Lbm("late", {"family=windows build=19045 ubr=3000-9999"}));
  CHECK(Selected(dir.path(), "family=windows build=19045 ubr=2999") == dir / "early.lbm");
  CHECK(Selected(dir.path(), "family=windows build=19045 ubr=3000") == dir / "late.lbm");
  // Without a ubr in the description neither manifest fits: both name it.
  CHECK_FALSE(SelectManifest(dir.path(), Os("family=windows build=19045")).ok());
}

TEST_CASE("select: keys the os line does not name are ignored; keys it names must be present") {
  TempDir dir;
  WriteFile(dir / "xp.lbm", Lbm("xp", {"family=windows version=5.1"}));
  // Extra keys in the description (build, sp, arch, edition, ubr) do not matter.
  CHECK(Selected(dir.path(), "family=windows version=5.1 build=2600 sp=3 ubr=0 arch=x86 edition=Professional") ==
        dir / "xp.lbm");

  TempDir dir2;
  WriteFile(dir2 / "x64.lbm", Lbm("x64", {"family=windows version=6.1 arch=x64"}));
  // The description lacks arch, which the manifest names: no fit.
  Result<std::string> r = SelectManifest(dir2.path(), Os("family=windows version=6.1"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  // A different value does not fit either.
  CHECK_FALSE(SelectManifest(dir2.path(), Os("family=windows version=6.1 arch=x86")).ok());
}

TEST_CASE("select: several os lines mean any of them; edition compares case-insensitively") {
  TempDir dir;
  WriteFile(dir / "pro.lbm", Lbm("pro", {"family=windows version=6.1 edition=Professional",
                                         "family=windows version=6.1 edition=Ultimate"}));
  WriteFile(dir / "home.lbm", Lbm("home", {"family=windows version=6.1 edition=HomePremium"}));
  CHECK(Selected(dir.path(), "family=windows version=6.1 edition=ultimate") == dir / "pro.lbm");
  CHECK(Selected(dir.path(), "family=windows version=6.1 edition=PROFESSIONAL") == dir / "pro.lbm");
  CHECK(Selected(dir.path(), "family=windows version=6.1 edition=homepremium") == dir / "home.lbm");
  CHECK_FALSE(SelectManifest(dir.path(), Os("family=windows version=6.1 edition=Enterprise")).ok());
}

}  // namespace
}  // namespace lifeboat
