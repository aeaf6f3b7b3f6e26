// Tests for recovery/manifest_diff.cc: what `lifeboat manifest diff` shows a
// reviewer: entries added, removed and changed (hash, size, version,
// alternatives, case-only spelling), forbid rules added and removed, os line
// and header changes, the counts, and the line order.
#include "recovery/manifest_diff.h"

#include <doctest/doctest.h>

#include <functional>

#include "recovery/manifest_native.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::MakeManifest;
using test::Sha256Hex;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

Manifest Base() {
  Manifest m = MakeManifest({{"WINDOWS/explorer.exe", "explorer"},
                             {"WINDOWS/System32/ntdll.dll", "ntdll"},
                             {"WINDOWS/System32/svchost.exe", "svchost"}});
  m.title = "xp-sp3";
  m.description = "XP SP3 x86";
  Result<OsSpec> os = ParseOsSpec("family=windows version=5.1 build=2600 sp=3 arch=x86", true);
  REQUIRE(os.ok());
  m.applies_to = {*os};
  ManifestEntry ntdll = m.entries[1];
  ntdll.version = "5.1.2600.5512";
  m.entries.Set(1, ntdll);
  return m;
}

ForbidRule Rule(const std::string& pattern, const std::string& content, const std::string& name) {
  ForbidRule r;
  r.pattern = pattern;
  r.sha256 = Sha256::Of(content);
  r.size = content.size();
  r.name = name;
  return r;
}

// Changes the entry with this path (entries are values: read, change, Set).
void Edit(Manifest& m, const std::string& path, const std::function<void(ManifestEntry&)>& change) {
  for (size_t i = 0; i < m.entries.size(); ++i) {
    ManifestEntry e = m.entries[i];
    if (e.path != path) continue;
    change(e);
    m.entries.Set(i, e);
    return;
  }
  FAIL("no entry " << path);
}

void CheckCounts(const ManifestDiff& d, size_t added, size_t removed, size_t changed) {
  INFO(Join(d.lines));
  CHECK(d.added == added);
  CHECK(d.removed == removed);
  CHECK(d.changed == changed);
  CHECK(d.lines.size() == added + removed + changed);
}

TEST_CASE("diff: identical manifests -> empty") {
  Manifest a = Base(), b = Base();
  a.forbid.push_back(Rule("WINDOWS/System32/drivers/CrowdStrike/C-00000291*.sys", "bad", "cs-291"));
  b.forbid = a.forbid;
  ManifestDiff d = DiffManifests(a, b);
  CHECK(d.empty());
  CHECK(d.lines.empty());
  CheckCounts(d, 0, 0, 0);
  // Not compared: where the manifest came from, its file hash, creation time and line numbers.
  b.name = "other/path.lbm";
  b.created = "2030-01-01T00:00:00Z";
  b.file_sha256 = Sha256::Of("x");
  for (size_t i = 0; i < b.entries.size(); ++i) {
    ManifestEntry e = b.entries[i];
    e.line += 10;
    b.entries.Set(i, e);
  }
  CHECK(DiffManifests(a, b).empty());
}

TEST_CASE("diff: an added entry") {
  Manifest a = Base(), b = Base();
  ManifestEntry e;
  e.path = "WINDOWS/System32/hal.dll";
  e.sha256 = Sha256::Of("hal");
  e.size = 3;
  e.version = "5.1.2600.5512";
  b.entries.push_back(e);
  ManifestDiff d = DiffManifests(a, b);
  CheckCounts(d, 1, 0, 0);
  REQUIRE(d.lines.size() == 1);
  CHECK(d.lines[0] == "+ require " + Sha256Hex("hal") + " 3 WINDOWS/System32/hal.dll version=5.1.2600.5512");
}

TEST_CASE("diff: a removed entry, with unknown size shown as '-'") {
  Manifest a = Base(), b = Base();
  Edit(a, "WINDOWS/explorer.exe", [](ManifestEntry& e) { e.size = kUnknownSize; });
  b.entries.erase(b.entries.begin());  // WINDOWS/explorer.exe
  ManifestDiff d = DiffManifests(a, b);
  CheckCounts(d, 0, 1, 0);
  REQUIRE(d.lines.size() == 1);
  CHECK(d.lines[0] == "- require " + Sha256Hex("explorer") + " - WINDOWS/explorer.exe");
}

TEST_CASE("diff: changed sha256, size and version, each named with old and new value") {
  Manifest a = Base();
  {
    Manifest b = Base();
    Edit(b, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) { e.sha256 = Sha256::Of("svchost2"); });
    ManifestDiff d = DiffManifests(a, b);
    CheckCounts(d, 0, 0, 1);
    REQUIRE(d.lines.size() == 1);
    CHECK(d.lines[0] == "~ WINDOWS/System32/svchost.exe: sha256 " + Sha256Hex("svchost") + " -> " +
                            Sha256Hex("svchost2"));
  }
  {
    Manifest b = Base();
    Edit(b, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) { e.size = 8; });
    ManifestDiff d = DiffManifests(a, b);
    CheckCounts(d, 0, 0, 1);
    REQUIRE(d.lines.size() == 1);
    CHECK(d.lines[0] == "~ WINDOWS/System32/svchost.exe: size 7 -> 8");
  }
  {
    Manifest b = Base();
    Edit(b, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) { e.size = kUnknownSize; });
    ManifestDiff d = DiffManifests(a, b);
    REQUIRE(d.lines.size() == 1);
    CHECK(d.lines[0] == "~ WINDOWS/System32/svchost.exe: size 7 -> -");
  }
  {
    Manifest b = Base();
    Edit(b, "WINDOWS/System32/ntdll.dll", [](ManifestEntry& e) { e.version = "5.1.2600.6055"; });
    ManifestDiff d = DiffManifests(a, b);
    CheckCounts(d, 0, 0, 1);
    REQUIRE(d.lines.size() == 1);
    CHECK(d.lines[0] == "~ WINDOWS/System32/ntdll.dll: version '5.1.2600.5512' -> '5.1.2600.6055'");
  }
  {
    // Several changes of one entry are one line (one change), separated by "; ".
    Manifest b = Base();
    Edit(b, "WINDOWS/System32/ntdll.dll", [](ManifestEntry& e) {
      e.sha256 = Sha256::Of("ntdll2");
      e.size = 6;
      e.version = "";
    });
    ManifestDiff d = DiffManifests(a, b);
    CheckCounts(d, 0, 0, 1);
    REQUIRE(d.lines.size() == 1);
    CHECK(d.lines[0] == "~ WINDOWS/System32/ntdll.dll: sha256 " + Sha256Hex("ntdll") + " -> " + Sha256Hex("ntdll2") +
                            "; size 5 -> 6; version '5.1.2600.5512' -> ''");
  }
}

TEST_CASE("diff: alternatives: added, removed or resized is a change; reordered is not") {
  Manifest a = Base();
  Edit(a, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) {
    e.alternatives = {AcceptedCopy{Sha256::Of("v1"), 10}, AcceptedCopy{Sha256::Of("v2"), 20}};
  });
  {
    Manifest b = a;
    Edit(b, "WINDOWS/System32/svchost.exe",
         [](ManifestEntry& e) { std::swap(e.alternatives[0], e.alternatives[1]); });
    CHECK(DiffManifests(a, b).empty());
  }
  {
    Manifest b = a;
    Edit(b, "WINDOWS/System32/svchost.exe",
         [](ManifestEntry& e) { e.alternatives.push_back(AcceptedCopy{Sha256::Of("v3"), 30}); });
    ManifestDiff d = DiffManifests(a, b);
    CheckCounts(d, 0, 0, 1);
    REQUIRE(d.lines.size() == 1);
    CHECK(d.lines[0] == "~ WINDOWS/System32/svchost.exe: alternatives changed");
  }
  {
    Manifest b = a;
    Edit(b, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) { e.alternatives.pop_back(); });
    CheckCounts(DiffManifests(a, b), 0, 0, 1);
  }
  {
    Manifest b = a;
    Edit(b, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) { e.alternatives[1].size = kUnknownSize; });
    ManifestDiff d = DiffManifests(a, b);
    CheckCounts(d, 0, 0, 1);
    REQUIRE(d.lines.size() == 1);
    CHECK(Contains(d.lines[0], "alternatives changed"));
  }
  {
    // An added entry shows its alternatives (abbreviated hash and size).
    Manifest c = a;
    c.entries.erase(c.entries.begin() + 2);
    ManifestDiff d = DiffManifests(c, a);
    CheckCounts(d, 1, 0, 0);
    REQUIRE(d.lines.size() == 1);
    CHECK(Contains(d.lines[0], "alt=" + Sha256Hex("v1").substr(0, 12)));
    CHECK(Contains(d.lines[0], ":10"));
    CHECK(Contains(d.lines[0], "alt=" + Sha256Hex("v2").substr(0, 12)));
  }
}

TEST_CASE("diff: a case-only spelling change is a change of that entry, not a removal and an addition") {
  Manifest a = Base(), b = Base();
  Edit(b, "WINDOWS/System32/ntdll.dll", [](ManifestEntry& e) { e.path = "WINDOWS/system32/NTDLL.DLL"; });
  ManifestDiff d = DiffManifests(a, b);
  CheckCounts(d, 0, 0, 1);
  REQUIRE(d.lines.size() == 1);
  CHECK(d.lines[0] == "~ WINDOWS/system32/NTDLL.DLL: spelling 'WINDOWS/System32/ntdll.dll' -> 'WINDOWS/system32/NTDLL.DLL'");

  // Spelling and hash together.
  Edit(b, "WINDOWS/system32/NTDLL.DLL", [](ManifestEntry& e) { e.sha256 = Sha256::Of("other"); });
  ManifestDiff d2 = DiffManifests(a, b);
  CheckCounts(d2, 0, 0, 1);
  REQUIRE(d2.lines.size() == 1);
  CHECK(Contains(d2.lines[0], "sha256 "));
  CHECK(Contains(d2.lines[0], "; spelling "));
}

TEST_CASE("diff: forbid rules added and removed; a renamed rule is one of each") {
  Manifest a = Base(), b = Base();
  ForbidRule cs = Rule("WINDOWS/System32/drivers/CrowdStrike/C-00000291*.sys", "bad", "cs-291");
  b.forbid.push_back(cs);
  ManifestDiff add = DiffManifests(a, b);
  CheckCounts(add, 1, 0, 0);
  REQUIRE(add.lines.size() == 1);
  CHECK(add.lines[0] == "+ forbid " + Sha256Hex("bad") + " 3 WINDOWS/System32/drivers/CrowdStrike/C-00000291*.sys name=cs-291");

  ManifestDiff rem = DiffManifests(b, a);
  CheckCounts(rem, 0, 1, 0);
  REQUIRE(rem.lines.size() == 1);
  CHECK(rem.lines[0] == "- forbid " + Sha256Hex("bad") + " 3 WINDOWS/System32/drivers/CrowdStrike/C-00000291*.sys name=cs-291");

  Manifest c = b;
  c.forbid[0].name = "cs-291-v2";
  ManifestDiff renamed = DiffManifests(b, c);
  CheckCounts(renamed, 1, 1, 0);
  CHECK(Contains(Join(renamed.lines), "- forbid "));
  CHECK(Contains(Join(renamed.lines), "+ forbid "));
  CHECK(Contains(Join(renamed.lines), "name=cs-291-v2"));

  // Same pattern, another hash (a second bad version): an added rule, the first stays.
  Manifest e = b;
  e.forbid.push_back(Rule(cs.pattern, "bad2", ""));
  e.forbid.back().size = kUnknownSize;
  ManifestDiff second = DiffManifests(b, e);
  CheckCounts(second, 1, 0, 0);
  REQUIRE(second.lines.size() == 1);
  CHECK(second.lines[0] == "+ forbid " + Sha256Hex("bad2") + " - " + cs.pattern);
}

TEST_CASE("diff: os lines added, removed and unchanged when only their spelling differs") {
  Manifest a = Base(), b = Base();
  Result<OsSpec> sp2 = ParseOsSpec("family=windows version=5.1 build=2600 sp=2 arch=x86", true);
  REQUIRE(sp2.ok());
  b.applies_to.push_back(*sp2);
  ManifestDiff add = DiffManifests(a, b);
  CheckCounts(add, 1, 0, 0);
  REQUIRE(add.lines.size() == 1);
  CHECK(add.lines[0] == "+ os family=windows version=5.1 build=2600 sp=2 arch=x86");

  Manifest c = Base();
  c.applies_to = {*sp2};
  ManifestDiff swap = DiffManifests(a, c);
  CheckCounts(swap, 1, 1, 0);
  CHECK(Contains(Join(swap.lines), "- os family=windows version=5.1 build=2600 sp=3 arch=x86\n"));
  CHECK(Contains(Join(swap.lines), "+ os family=windows version=5.1 build=2600 sp=2 arch=x86\n"));

  // The same description written differently parses to the same spec.
  Result<OsSpec> same = ParseOsSpec("ARCH=i386 sp=3 build=2600 version=5.1 family=Windows", true);
  REQUIRE(same.ok());
  Manifest d = Base();
  d.applies_to = {*same};
  CHECK(DiffManifests(a, d).empty());

  Manifest none = Base();
  none.applies_to.clear();
  CheckCounts(DiffManifests(a, none), 0, 1, 0);
}

TEST_CASE("diff: name and description changes") {
  Manifest a = Base(), b = Base();
  b.title = "xp-sp3-2026";
  b.description = "";
  ManifestDiff d = DiffManifests(a, b);
  CheckCounts(d, 0, 0, 2);
  REQUIRE(d.lines.size() == 2);
  CHECK(d.lines[0] == "~ name: 'xp-sp3' -> 'xp-sp3-2026'");
  CHECK(d.lines[1] == "~ description: 'XP SP3 x86' -> ''");
}

TEST_CASE("diff: everything at once: counts add up and entries come in path order") {
  Manifest a = Base(), b = Base();
  b.title = "new";
  b.entries.erase(b.entries.begin() + 1);  // - WINDOWS/System32/ntdll.dll
  Edit(b, "WINDOWS/System32/svchost.exe", [](ManifestEntry& e) { e.size = 99; });  // ~
  ManifestEntry added;
  added.path = "WINDOWS/System32/advapi32.dll";
  added.sha256 = Sha256::Of("advapi");
  added.size = 6;
  b.entries.push_back(added);  // + (at the end of b, but sorted into place)
  ManifestEntry first;
  first.path = "BOOT/bootmgr";
  first.sha256 = Sha256::Of("bootmgr");
  first.size = 7;
  b.entries.insert(b.entries.begin(), first);
  b.forbid.push_back(Rule("WINDOWS/bad.dll", "bad", "x"));
  ManifestDiff d = DiffManifests(a, b);
  CheckCounts(d, 3, 1, 2);
  REQUIRE(d.lines.size() == 6);
  CHECK(d.lines[0] == "~ name: 'xp-sp3' -> 'new'");
  CHECK(d.lines[1].rfind("+ require ", 0) == 0);
  CHECK(Contains(d.lines[1], "BOOT/bootmgr"));
  CHECK(Contains(d.lines[2], "WINDOWS/System32/advapi32.dll"));
  CHECK(d.lines[3].rfind("- require ", 0) == 0);
  CHECK(Contains(d.lines[3], "WINDOWS/System32/ntdll.dll"));
  CHECK(d.lines[4] == "~ WINDOWS/System32/svchost.exe: size 7 -> 99");
  CHECK(d.lines[5].rfind("+ forbid ", 0) == 0);
  CHECK_FALSE(d.empty());
  // Reversed, additions and removals swap.
  ManifestDiff r = DiffManifests(b, a);
  CheckCounts(r, 1, 3, 2);
}

TEST_CASE("diff: manifests parsed from native text compare like the models") {
  std::string h = "lifeboat-manifest 1\nname m\nos family=windows\n";
  std::string ta = h + "require " + Sha256Hex("a") + " 1 WINDOWS/a.dll | version=1.0\nend 1\n";
  std::string tb = h + "require " + Sha256Hex("a") + " 1 WINDOWS/a.dll | version=1.0 alt=" + Sha256Hex("b") +
                   ":2\nforbid " + Sha256Hex("c") + " - WINDOWS/*.bad | name=r\nend 2\n";
  Result<Manifest> a = ParseManifest(ta, "a.lbm"), b = ParseManifest(tb, "b.lbm");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  ManifestDiff d = DiffManifests(*a, *b);
  CheckCounts(d, 1, 0, 1);
  CHECK(Contains(Join(d.lines), "~ WINDOWS/a.dll: alternatives changed\n"));
  CHECK(Contains(Join(d.lines), "+ forbid " + Sha256Hex("c") + " - WINDOWS/*.bad name=r\n"));
  // A written and re-read manifest has no differences from the original.
  Result<Manifest> again = ParseManifest(FormatNative(*b), "again.lbm");
  REQUIRE(again.ok());
  CHECK(DiffManifests(*b, *again).empty());
}

}  // namespace
}  // namespace lifeboat
