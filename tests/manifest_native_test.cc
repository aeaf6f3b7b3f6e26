// Tests for recovery/manifest_native.cc (the lifeboat manifest format of
// manifests/FORMAT.md) and the ManifestEntry helpers it feeds: the FORMAT.md
// example shape, every refusal with its exact "name:LINE:" prefix,
// ReadNativeHeader, the writer's round trip, and Accepts/SizeCouldMatch with
// alternatives and unknown sizes.
#include "recovery/manifest_native.h"

#include <doctest/doctest.h>

#include <cctype>
#include <map>
#include <memory>
#include <vector>

#include "recovery/byte_reader.h"
#include "recovery/manifest.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::Sha256Hex;

const std::string kA = Sha256Hex("a");
const std::string kB = Sha256Hex("b");
const std::string kC = Sha256Hex("c");
const std::string kD = Sha256Hex("d");

const std::string kMagic = "lifeboat-manifest 1\n";

Result<Manifest> Native(std::string_view text) { return ParseManifest(text, "m.lbm", ManifestFormat::kNative); }

// The error message of a failed parse (and checks that it did fail, with the
// invalid-input code every manifest problem carries).
std::string Error(const Result<Manifest>& m) {
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kInvalidInput);
  return m.status().message();
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Magic and name on lines 1 and 2, `body` from line 3, then "end <count>".
std::string Doc(const std::string& body, int count) {
  return kMagic + "name t\n" + body + "end " + std::to_string(count) + "\n";
}

// Every field of two parsed models, except line numbers and the file hash
// (which depend on the text, not on what it means).
void CheckSameModel(const Manifest& a, const Manifest& b) {
  CHECK(a.title == b.title);
  CHECK(a.description == b.description);
  CHECK(a.created == b.created);
  REQUIRE(a.applies_to.size() == b.applies_to.size());
  for (size_t i = 0; i < a.applies_to.size(); ++i) CHECK(a.applies_to[i].values == b.applies_to[i].values);
  REQUIRE(a.entries.size() == b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const ManifestEntry& x = a.entries[i];
    const ManifestEntry& y = b.entries[i];
    CAPTURE(x.path);
    CHECK(x.path == y.path);
    CHECK(x.size == y.size);
    CHECK(x.sha256 == y.sha256);
    CHECK(x.version == y.version);
    REQUIRE(x.alternatives.size() == y.alternatives.size());
    for (size_t k = 0; k < x.alternatives.size(); ++k) {
      CHECK(x.alternatives[k].sha256 == y.alternatives[k].sha256);
      CHECK(x.alternatives[k].size == y.alternatives[k].size);
    }
  }
  REQUIRE(a.forbid.size() == b.forbid.size());
  for (size_t i = 0; i < a.forbid.size(); ++i) {
    CAPTURE(a.forbid[i].pattern);
    CHECK(a.forbid[i].pattern == b.forbid[i].pattern);
    CHECK(a.forbid[i].sha256 == b.forbid[i].sha256);
    CHECK(a.forbid[i].size == b.forbid[i].size);
    CHECK(a.forbid[i].name == b.forbid[i].name);
  }
}

// The example of FORMAT.md, with the abbreviated alt= hash spelled out.
const std::string kExampleAlt = "0f2c" + std::string(58, '7') + "e1";
const std::string kExample =
    "lifeboat-manifest 1\n"
    "name xp-sp3-x86-en\n"
    "description Windows XP Professional SP3, x86, English: system files\n"
    "created 2026-11-29T00:00:00Z\n"
    "os family=windows version=5.1 build=2600 sp=3 arch=x86\n"
    "# Comments and blank lines may stand anywhere after the first line.\n"
    "require 8e7fd53a9d47da39fe6f807294ceca5a99118a0262abc5e2f9c064eacd18e32c 1033728 WINDOWS/explorer.exe | "
    "version=6.0.2900.5512\n"
    "require 4ae648110f66884e776ebf5e005ad6200ca803167b1894c4e57ceb1f7259b7de 14336 WINDOWS/system32/svchost.exe | "
    "version=5.1.2600.5512 alt=" +
    kExampleAlt +
    ":14336\n"
    "forbid 1d0e9ed0f5b1e4b82e3dc5f8a8f2f5e5c3b9f0a4f0e6b7a2c1d4e5f60718293a - "
    "WINDOWS/System32/drivers/CrowdStrike/C-00000291*.sys | name=CrowdStrike-2024-07-19\n"
    "end 3\n";

// ---------------------------------------------------------------- accepted

TEST_CASE("native: the FORMAT.md example parses into header, entries and rules") {
  for (ManifestFormat f : {ManifestFormat::kNative, ManifestFormat::kAuto}) {
    Result<Manifest> m = ParseManifest(kExample, "xp.lbm", f);
    REQUIRE(m.ok());
    CHECK(m->name == "xp.lbm");
    CHECK(m->format == ManifestFormat::kNative);
    CHECK(m->file_sha256 == Sha256::Of(kExample));
    CHECK(m->warnings.empty());
    CHECK(m->title == "xp-sp3-x86-en");
    CHECK(m->description == "Windows XP Professional SP3, x86, English: system files");
    CHECK(m->created == "2026-11-29T00:00:00Z");
    REQUIRE(m->applies_to.size() == 1);
    const std::map<std::string, std::string> os = {
        {"family", "windows"}, {"version", "5.1"}, {"build", "2600"}, {"sp", "3"}, {"arch", "x86"}};
    CHECK(m->applies_to[0].values == os);

    REQUIRE(m->entries.size() == 2);
    const ManifestEntry& explorer = m->entries[0];
    CHECK(explorer.path == "WINDOWS/explorer.exe");
    CHECK(ToHex(explorer.sha256) == "8e7fd53a9d47da39fe6f807294ceca5a99118a0262abc5e2f9c064eacd18e32c");
    CHECK(explorer.size == 1033728);
    CHECK(explorer.version == "6.0.2900.5512");
    CHECK(explorer.alternatives.empty());
    CHECK(explorer.line == 7);
    const ManifestEntry& svchost = m->entries[1];
    CHECK(svchost.path == "WINDOWS/system32/svchost.exe");
    CHECK(svchost.size == 14336);
    CHECK(svchost.version == "5.1.2600.5512");
    REQUIRE(svchost.alternatives.size() == 1);
    CHECK(ToHex(svchost.alternatives[0].sha256) == kExampleAlt);
    CHECK(svchost.alternatives[0].size == 14336);
    CHECK(svchost.line == 8);

    REQUIRE(m->forbid.size() == 1);
    const ForbidRule& r = m->forbid[0];
    CHECK(r.pattern == "WINDOWS/System32/drivers/CrowdStrike/C-00000291*.sys");
    CHECK(ToHex(r.sha256) == "1d0e9ed0f5b1e4b82e3dc5f8a8f2f5e5c3b9f0a4f0e6b7a2c1d4e5f60718293a");
    CHECK(r.size == kUnknownSize);
    CHECK(r.name == "CrowdStrike-2024-07-19");
    CHECK(r.line == 9);
  }
}

TEST_CASE("native: several alt=, '-' sizes, paths with spaces, CRLF, comments and blank lines anywhere") {
  std::string text =
      "lifeboat-manifest 1\r\n"                                                                  // 1
      "\r\n"                                                                                     // 2
      "# header\r\n"                                                                             // 3
      "name win7-x64\r\n"                                                                        // 4
      "   \t\r\n"                                                                                // 5
      "description Windows 7 SP1 | x64 (a '|' is fine here)\r\n"                                 // 6
      "# between header lines\r\n"                                                               // 7
      "os family=windows version=6.1 build=7601 arch=x64\r\n"                                    // 8
      "os family=windows version=6.1 build=7600 arch=amd64\r\n"                                  // 9
      "created 2026-01-02T03:04:05Z\r\n"                                                         // 10
      "\r\n"                                                                                     // 11
      "require " + kA + " - Program Files/Common Files/x y.dll\r\n"                              // 12
      "#require " + kB + " 1 commented/out.dll\r\n"                                              // 13
      "require " + kB + " 0 Documents and Settings/All Users/ntuser.dat | version=1.0 alt=" +
      kC + ":5 alt=" + kD + ":- alt=" + kA + ":7\r\n"                                            // 14
      "\r\n"                                                                                     // 15
      "forbid " + kC + " 1234 WINDOWS/Temp/bad file?.exe\r\n"                                    // 16
      "# between entries\r\n"                                                                    // 17
      "require " + kD + " 18446744073 ./WINDOWS\\system32\\  two  spaces.dll | alt=" + kB + ":-\r\n"  // 18
      "forbid " + kD + " - WINDOWS/*/evil*.sys | name=rule-2\r\n"                                // 19
      "end 5\r\n"                                                                                // 20
      "# a comment after the end line\r\n"                                                       // 21
      "\r\n";                                                                                    // 22
  Result<Manifest> m = Native(text);
  REQUIRE(m.ok());
  CHECK(m->warnings.empty());
  CHECK(m->title == "win7-x64");  // no '\r' left anywhere
  CHECK(m->description == "Windows 7 SP1 | x64 (a '|' is fine here)");
  CHECK(m->created == "2026-01-02T03:04:05Z");
  REQUIRE(m->applies_to.size() == 2);
  CHECK(m->applies_to[0].values.at("arch") == "x64");
  CHECK(m->applies_to[1].values.at("arch") == "x64");  // amd64, normalised
  CHECK(m->applies_to[1].values.at("build") == "7600");

  REQUIRE(m->entries.size() == 3);
  const ManifestEntry& e0 = m->entries[0];
  CHECK(e0.path == "Program Files/Common Files/x y.dll");
  CHECK(ToHex(e0.sha256) == kA);
  CHECK(e0.size == kUnknownSize);
  CHECK_FALSE(e0.has_size());
  CHECK(e0.version.empty());
  CHECK(e0.alternatives.empty());
  CHECK(e0.line == 12);

  const ManifestEntry& e1 = m->entries[1];
  CHECK(e1.path == "Documents and Settings/All Users/ntuser.dat");
  CHECK(e1.size == 0);  // an explicit 0 is a known size
  CHECK(e1.has_size());
  CHECK(e1.version == "1.0");
  REQUIRE(e1.alternatives.size() == 3);
  CHECK(ToHex(e1.alternatives[0].sha256) == kC);
  CHECK(e1.alternatives[0].size == 5);
  CHECK(ToHex(e1.alternatives[1].sha256) == kD);
  CHECK(e1.alternatives[1].size == kUnknownSize);
  CHECK(ToHex(e1.alternatives[2].sha256) == kA);
  CHECK(e1.alternatives[2].size == 7);
  CHECK(e1.line == 14);

  const ManifestEntry& e2 = m->entries[2];
  CHECK(e2.path == "WINDOWS/system32/  two  spaces.dll");
  CHECK(e2.size == 18446744073ull);
  REQUIRE(e2.alternatives.size() == 1);
  CHECK(e2.alternatives[0].size == kUnknownSize);
  CHECK(e2.line == 18);

  REQUIRE(m->forbid.size() == 2);
  CHECK(m->forbid[0].pattern == "WINDOWS/Temp/bad file?.exe");
  CHECK(ToHex(m->forbid[0].sha256) == kC);
  CHECK(m->forbid[0].size == 1234);
  CHECK(m->forbid[0].name.empty());
  CHECK(m->forbid[0].line == 16);
  CHECK(m->forbid[1].pattern == "WINDOWS/*/evil*.sys");
  CHECK(m->forbid[1].size == kUnknownSize);
  CHECK(m->forbid[1].name == "rule-2");
  CHECK(m->forbid[1].line == 19);
}

TEST_CASE("native: small valid shapes") {
  SUBCASE("only forbid rules, no os line, no description") {
    Result<Manifest> m = Native(Doc("forbid " + kA + " - x/*.sys\n", 1));
    REQUIRE(m.ok());
    CHECK(m->entries.empty());
    CHECK(m->forbid.size() == 1);
    CHECK(m->applies_to.empty());
    CHECK(m->description.empty());
    CHECK(m->created.empty());
  }
  SUBCASE("upper-case hex, largest 19-digit size, options separated by extra spaces") {
    std::string upper = kA;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Result<Manifest> m =
        Native(Doc("require " + upper + " 9999999999999999999 a.dll |  version=1   alt=" + kB + ":3 \n", 1));
    REQUIRE(m.ok());
    REQUIRE(m->entries.size() == 1);
    CHECK(ToHex(m->entries[0].sha256) == kA);
    CHECK(m->entries[0].size == 9999999999999999999ull);
    CHECK(m->entries[0].version == "1");
    CHECK(m->entries[0].alternatives.size() == 1);
  }
  SUBCASE("several forbid lines may share a pattern") {
    Result<Manifest> m = Native(Doc("forbid " + kA + " 1 w/x.sys | name=one\nforbid " + kB + " 2 W\\X.SYS\n", 2));
    REQUIRE(m.ok());
    REQUIRE(m->forbid.size() == 2);
    CHECK(m->forbid[1].pattern == "W/X.SYS");
    CHECK(m->warnings.empty());
  }
  SUBCASE("an identical repeated require is merged with a warning and still counted by 'end'") {
    Result<Manifest> m = Native(Doc("require " + kA + " 1 w/a.dll\nrequire " + kA + " 1 W/A.DLL\n", 2));
    REQUIRE(m.ok());
    REQUIRE(m->entries.size() == 1);
    CHECK(m->entries[0].path == "w/a.dll");
    REQUIRE(m->warnings.size() == 1);
    CHECK(StartsWith(m->warnings[0], "m.lbm:4: "));
  }
}

// ---------------------------------------------------------------- refused

TEST_CASE("native: a wrong or missing first line is refused on line 1") {
  const std::string rest = "name t\nrequire " + kA + " 1 a.dll\nend 1\n";
  for (const std::string& first : std::vector<std::string>{"lifeboat manifest 1", "lifeboat-manifest", "lifeboat-manifest1", "Lifeboat-Manifest 1",
                            "# lifeboat-manifest 1", "", "  lifeboat-manifest 1", "lifeboat-manifest  1"}) {
    CAPTURE(first);
    std::string msg = Error(Native(first + "\n" + rest));
    CHECK(StartsWith(msg, "m.lbm:1: "));
  }
  // The manifest starts straight with its header.
  std::string msg = Error(Native(rest));
  CHECK(StartsWith(msg, "m.lbm:1: not a lifeboat manifest"));
  CHECK(Contains(msg, "'lifeboat-manifest 1'"));
  // The magic line after a blank line or a comment is too late.
  CHECK(StartsWith(Error(Native("\n" + kMagic + rest)), "m.lbm:1: "));
  CHECK(StartsWith(Error(Native("# c\n" + kMagic + rest)), "m.lbm:1: "));
  // An empty file has no line to name.
  CHECK(StartsWith(Error(Native("")), "m.lbm: empty file"));
}

TEST_CASE("native: a format version this lifeboat does not know is refused") {
  const std::string rest = "name t\nrequire " + kA + " 1 a.dll\nend 1\n";
  for (const std::string& v : std::vector<std::string>{"2", "0", "10", "1.1", "01", "1 ", "one"}) {
    CAPTURE(v);
    std::string msg = Error(Native("lifeboat-manifest " + v + "\n" + rest));
    CHECK(StartsWith(msg, "m.lbm:1: format version '" + v + "' is not supported"));
    CHECK(Contains(msg, "'lifeboat-manifest 1'"));
  }
  // Auto-detection sends it to the same refusal, not to the sha256sum parser.
  std::string msg = Error(ParseManifest("lifeboat-manifest 2\n" + rest, "m.lbm"));
  CHECK(StartsWith(msg, "m.lbm:1: format version '2'"));
}

TEST_CASE("native: an unknown line keyword names its line") {
  for (const std::string& line : std::vector<std::string>{"requires " + kA + " 1 a.dll", "REQUIRE " + kA + " 1 a.dll", " require " + kA + " 1 a.dll",
                           "require\t" + kA + " 1 a.dll", "Name t2", "sha256 " + kA, "; comment", "ends 1"}) {
    CAPTURE(line);
    std::string msg = Error(Native(Doc("require " + kA + " 1 a.dll\n" + line + "\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:4: unknown line '"));
  }
}

TEST_CASE("native: header lines after the first entry, twice, or without a value") {
  for (const std::string& h : std::vector<std::string>{"name other", "description d", "created 2026-01-01", "os family=windows"}) {
    CAPTURE(h);
    std::string msg = Error(Native(Doc("require " + kA + " 1 a.dll\n" + h + "\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:4: header line '"));
    CHECK(Contains(msg, "after the first entry"));
    // After a forbid line too.
    msg = Error(Native(Doc("forbid " + kA + " 1 a*.dll\n" + h + "\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:4: "));
  }
  for (const std::string& k : std::vector<std::string>{"name", "description", "created"}) {
    CAPTURE(k);
    const std::string name = k == "name" ? "" : "name t\n";
    std::string msg = Error(
        Native(kMagic + k + " one\n# c\n" + k + " two\n" + name + "require " + kA + " 1 a.dll\nend 1\n"));
    CHECK(StartsWith(msg, "m.lbm:4: '" + k + "' given twice"));
    for (const std::string& empty : std::vector<std::string>{k, k + " "}) {
      CAPTURE(empty);
      msg = Error(Native(kMagic + name + empty + "\nrequire " + kA + " 1 a.dll\nend 1\n"));
      CHECK(StartsWith(msg, "m.lbm:" + std::string(k == "name" ? "2" : "3") + ": '" + k + "' has no value"));
    }
  }
  // Several os lines are fine ("any of these"); a bad one names its line.
  Result<Manifest> ok = Native(Doc("os arch=x86\nos arch=x64\nrequire " + kA + " 1 a.dll\n", 1));
  REQUIRE(ok.ok());
  CHECK(ok->applies_to.size() == 2);
  std::string msg = Error(Native(Doc("os arch=x86\nos flavour=vanilla\nrequire " + kA + " 1 a.dll\n", 1)));
  CHECK(StartsWith(msg, "m.lbm:4: OS description: unknown key 'flavour'"));
  msg = Error(Native(Doc("os\nrequire " + kA + " 1 a.dll\n", 1)));
  CHECK(StartsWith(msg, "m.lbm:3: 'os' has no value"));
}

TEST_CASE("native: a manifest without a name is refused at its end line") {
  std::string text = kMagic + "description d\nrequire " + kA + " 1 a.dll\nend 1\n";
  CHECK(StartsWith(Error(Native(text)), "m.lbm:4: no 'name' line in the header"));
  text = kMagic + "name\nrequire " + kA + " 1 a.dll\nend 1\n";
  CHECK(StartsWith(Error(Native(text)), "m.lbm:2: 'name' has no value"));
}

TEST_CASE("native: a hash that is not 64 hex digits names its line") {
  std::string nonhex = kA;
  nonhex[5] = 'g';
  for (const std::string& h : std::vector<std::string>{kA.substr(0, 63), kA + "0", nonhex, std::string("-"), kA.substr(0, 40), kA + kB}) {
    CAPTURE(h);
    std::string msg = Error(Native(Doc("require " + kB + " 1 ok.dll\nrequire " + h + " 1 a.dll\n", 2)));
    CHECK(StartsWith(msg, "m.lbm:4: "));
    CHECK(Contains(msg, "is not a SHA-256"));
    msg = Error(Native(Doc("forbid " + h + " 1 a*.dll\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:3: "));
  }
  // Two spaces make the hash field empty.
  CHECK(StartsWith(Error(Native(Doc("require  " + kA + " 1 a.dll\n", 1))), "m.lbm:3: "));
  // Too few fields.
  for (const std::string& line : std::vector<std::string>{"require " + kA + " 1", "require " + kA, "require", "forbid " + kA + " -"}) {
    CAPTURE(line);
    std::string msg = Error(Native(Doc(line + "\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:3: "));
  }
}

TEST_CASE("native: a size that is not decimal bytes or '-' names its line") {
  for (const std::string& s : std::vector<std::string>{"12a", "-5", "+5", "0x10", "--", "1.5", "99999999999999999999", "18446744073709551615",
                        "18446744073709551616", ""}) {
    CAPTURE(s);
    std::string msg = Error(Native(Doc("require " + kA + " " + s + " a.dll\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:3: "));
    CHECK(Contains(msg, "is not a number or '-'"));
    msg = Error(Native(Doc("forbid " + kA + " " + s + " a*.dll\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:3: "));
  }
}

TEST_CASE("native: unknown or malformed options name their line") {
  const std::string req = "require " + kA + " 1 a.dll | ";
  struct Case {
    std::string line, why;
  };
  const Case cases[] = {
      {req + "versoin=1", "unknown require option 'versoin'"},
      {req + "Version=1", "unknown require option 'Version'"},
      {req + "name=x", "unknown require option 'name'"},
      {req + "version=1 size=3", "unknown require option 'size'"},
      {req + "version", "is not key=value"},
      {req + "=1", "is not key=value"},
      {req + "version=", "is not key=value"},
      {req + "version=1 | alt=" + kB + ":1", "is not key=value"},
      {"forbid " + kA + " 1 a*.dll | version=1", "unknown forbid option 'version'"},
      {"forbid " + kA + " 1 a*.dll | alt=" + kB + ":1", "unknown forbid option 'alt'"},
      {"forbid " + kA + " 1 a*.dll | nam=x", "unknown forbid option 'nam'"},
      {"forbid " + kA + " 1 a*.dll | name=two words", "is not key=value"},
      {"forbid " + kA + " 1 a*.dll | name", "is not key=value"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    std::string msg = Error(Native(Doc("require " + kB + " 1 ok.dll\n" + c.line + "\n", 2)));
    CHECK(StartsWith(msg, "m.lbm:4: "));
    CHECK(Contains(msg, c.why));
  }
}

TEST_CASE("native: a malformed alt= names its line") {
  for (const std::string& alt : std::vector<std::string>{kB, kB + ":", kB + ":x", kB + ":-1", kB + ":5:6", ":5", kB.substr(0, 63) + ":5",
                          kB + "0:5", "-:5", kB + ";5"}) {
    CAPTURE(alt);
    std::string msg = Error(Native(Doc("require " + kA + " 1 a.dll | version=1 alt=" + alt + "\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:3: alt must be <sha256>:<size>"));
  }
}

TEST_CASE("native: a path or pattern containing '|' is refused") {
  for (const std::string& path : std::vector<std::string>{"a|b.dll", "a |b.dll", "a| b.dll", "a.dll |", "|", "dir|x/a.dll"}) {
    CAPTURE(path);
    std::string msg = Error(Native(Doc("require " + kA + " 1 " + path + "\n", 1)));
    CHECK(StartsWith(msg, "m.lbm:3: '|' in a path"));
    msg = Error(Native(Doc("require " + kB + " 1 ok.dll\nforbid " + kA + " 1 " + path + "\n", 2)));
    CHECK(StartsWith(msg, "m.lbm:4: '|' in a path"));
  }
  // " | " splits off the options: an empty path before it is refused.
  CHECK(StartsWith(Error(Native(Doc("require " + kA + " 1  | version=1\n", 1))), "m.lbm:3: "));
}

TEST_CASE("native: a manifest cut short at a line boundary is refused") {
  const std::string full = Doc("require " + kA + " 1 a.dll\nrequire " + kB + " 2 b.dll\n", 2);
  // Cut after each complete line before the end line.
  size_t pos = 0;
  int lines = 0;
  while ((pos = full.find('\n', pos)) != std::string::npos) {
    ++pos;
    ++lines;
    if (pos == full.size()) break;  // the complete file
    CAPTURE(lines);
    // No line is named: the end line is what is missing. (After the magic
    // line alone, name and entries are missing too; the end is reported.)
    CHECK(Error(Native(full.substr(0, pos))) == "m.lbm: no 'end' line: the manifest is truncated");
  }
  CHECK(lines == 5);
  REQUIRE(Native(full).ok());
  // Cut inside a line: the line reader names the cut line.
  std::string msg = Error(Native(full.substr(0, full.size() - 1)));
  CHECK(StartsWith(msg, "m.lbm:5: last line has no newline"));
  msg = Error(Native(full.substr(0, full.find("b.dll") + 2)));
  CHECK(StartsWith(msg, "m.lbm:4: last line has no newline"));
}

TEST_CASE("native: an end count that does not match the entries read is refused") {
  const std::string body = "require " + kA + " 1 a.dll\n# c\nforbid " + kB + " - x*.sys\nrequire " + kC + " 3 c.dll\n";
  for (int count : {0, 1, 2, 4, 5, 1000}) {
    CAPTURE(count);
    std::string msg = Error(Native(Doc(body, count)));
    CHECK(StartsWith(msg, "m.lbm:7: 'end " + std::to_string(count) + "' but 3 entries were read"));
  }
  REQUIRE(Native(Doc(body, 3)).ok());
  // Blank and comment lines are not counted; an identical repeat is.
  REQUIRE(Native(Doc("\n# x\nrequire " + kA + " 1 a.dll\nrequire " + kA + " 1 a.dll\n", 2)).ok());
  for (const std::string& end : std::vector<std::string>{"end", "end ", "end -", "end x", "end 3 ", "end 3 lines", "end -3", "end +3", "end 0x3"}) {
    CAPTURE(end);
    std::string msg = Error(Native(kMagic + "name t\n" + body + end + "\n"));
    CHECK(StartsWith(msg, "m.lbm:7: "));
  }
  // "end 0" with no entries passes the count and then fails as empty.
  CHECK(Error(Native(Doc("", 0))) == "m.lbm: no file entries (empty or truncated manifest)");
}

TEST_CASE("native: anything but comments and blank lines after the end line is refused") {
  const std::string done = Doc("require " + kA + " 1 a.dll\n", 1);  // end on line 4
  for (const std::string& extra : std::vector<std::string>{"require " + kB + " 1 b.dll", "forbid " + kB + " 1 b*.dll", "end 1", "end 2",
                            "name again", "os arch=x86", "garbage", " "}) {
    CAPTURE(extra);
    Result<Manifest> m = Native(done + "\n# fine\n" + extra + "\n");
    if (extra == " ") {  // whitespace only is a blank line
      CHECK(m.ok());
      continue;
    }
    std::string msg = Error(m);
    CHECK(StartsWith(msg, "m.lbm:7: content after the 'end' line"));
  }
}

TEST_CASE("native: require paths that would leave the target or enter lifeboat/ are refused") {
  struct Case {
    std::string path, why;
  };
  const Case cases[] = {
      {"..", "'..'"},
      {"WINDOWS/../../etc/passwd", "'..'"},
      {"WINDOWS\\..\\boot.ini", "'..'"},
      {"/etc/passwd", "absolute"},
      {"\\WINDOWS\\x.dll", "absolute"},
      {"C:\\WINDOWS\\x.dll", "drive letter"},
      {"c:x.dll", "drive letter"},
      {"WINDOWS/a.dll:stream", "':'"},
      {"WINDOWS/", "separator"},
      {"WINDOWS/./a.dll", "'.'"},
      {".", "target root"},
      {"lifeboat/journal", "lifeboat's own folder"},
      {"LifeBoat\\runs\\x.dll", "lifeboat's own folder"},
      {"./LIFEBOAT/x.dll", "lifeboat's own folder"},
      {"lifeboat", "lifeboat's own folder"},
      {std::string(256, 'n'), "255"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    std::string msg = Error(Native(Doc("require " + kB + " 1 ok.dll\nrequire " + kA + " 1 " + c.path + "\n", 2)));
    CHECK(StartsWith(msg, "m.lbm:4: "));
    CHECK(Contains(msg, c.why));
  }
  // Look-alikes are fine.
  REQUIRE(Native(Doc("require " + kA + " 1 lifeboat.txt\nrequire " + kA + " 1 x/lifeboat/y\nrequire " + kA +
                         " 1 lifeboats/a\n",
                     3))
              .ok());
}

TEST_CASE("native: forbid patterns that would leave the target or enter lifeboat/ are refused") {
  struct Case {
    std::string pattern, why;
  };
  const Case cases[] = {
      {"../*.sys", "'..'"},
      {"WINDOWS/../*.sys", "'..'"},
      {"*/../../x", "'..'"},
      {"/*.sys", "absolute"},
      {"\\WINDOWS\\*.sys", "absolute"},
      {"C:\\WINDOWS\\*.sys", "drive letter"},
      {"WINDOWS/*.sys:evil", "':'"},
      {"WINDOWS/*/", "separator"},
      {"lifeboat/*", "lifeboat's own folder"},
      {"LIFEBOAT/backup/*.sys", "lifeboat's own folder"},
      {"lifeboat\\x?.dll", "lifeboat's own folder"},
      {"lifeboat", "lifeboat's own folder"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.pattern);
    std::string msg =
        Error(Native(Doc("require " + kB + " 1 ok.dll\nforbid " + kA + " - " + c.pattern + " | name=r\n", 2)));
    CHECK(StartsWith(msg, "m.lbm:4: "));
    CHECK(Contains(msg, c.why));
  }
}

TEST_CASE("native: the same require path with another hash or size is refused at the repeat") {
  std::string msg = Error(Native(Doc("require " + kA + " 1 WINDOWS/a.dll\nrequire " + kC + " 1 other.dll\n# c\n" +
                                         "require " + kB + " 1 windows\\A.DLL\n",
                                     3)));
  CHECK(StartsWith(msg, "m.lbm:6: "));
  CHECK(Contains(msg, "'windows/A.DLL'"));
  CHECK(Contains(msg, "different SHA-256"));
  CHECK(Contains(msg, "first at line 3"));

  msg = Error(Native(Doc("require " + kA + " 1 a.dll\nrequire " + kA + " 2 A.dll\n", 2)));
  CHECK(StartsWith(msg, "m.lbm:4: "));
  CHECK(Contains(msg, "different size"));

  // An unknown size does not conflict with a known one.
  Result<Manifest> m = Native(Doc("require " + kA + " - a.dll\nrequire " + kA + " 2 A.dll\n", 2));
  REQUIRE(m.ok());
  CHECK(m->entries.size() == 1);
  CHECK(m->warnings.size() == 1);
}

// FORMAT.md refuses "the same path listed with two different hashes or sizes"
// and merges only "an identical repeat". A repeat whose main hash and size
// match but which adds an alt= is not identical: today it is merged as if it
// were, and the repeat's alternatives vanish without a trace (a file at that
// hotfix level is then reported as modified and replaced).
TEST_CASE("native: a repeat that differs in its alternatives is not merged silently") {
  Result<Manifest> m =
      Native(Doc("require " + kA + " 1 a.dll\nrequire " + kA + " 1 a.dll | alt=" + kB + ":2\n", 2));
  if (!m.ok()) {
    CHECK(StartsWith(m.status().message(), "m.lbm:4: "));  // refused as a conflict: fine
    return;
  }
  REQUIRE(m->entries.size() == 1);
  CHECK(m->entries[0].Accepts(Sha256::Of("b"), 2));  // or the alternative is kept
}

// FORMAT.md, "Validation": "a hash that is not 64 hex digits; MD5, SHA-1 and
// SHA-512 lengths get a hint". The sha256sum parser gives it; the native
// parser only says "is not a SHA-256".
TEST_CASE("native: other hash lengths get a hint naming the algorithm") {
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  const std::string sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  std::string msg = Error(Native(Doc("require " + md5 + " 1 a.dll\n", 1)));
  CHECK(StartsWith(msg, "m.lbm:3: "));
  CHECK(Contains(msg, "MD5"));
  msg = Error(Native(Doc("require " + sha1 + " 1 a.dll\n", 1)));
  CHECK(Contains(msg, "SHA-1"));
  msg = Error(Native(Doc("require " + kA + kB + " 1 a.dll\n", 1)));
  CHECK(Contains(msg, "SHA-512"));
}

// ---------------------------------------------------------------- header only

Result<Manifest> Header(std::string_view text) {
  std::unique_ptr<ByteReader> in = MemoryReader(text);
  return ReadNativeHeader(*in, "m.lbm");
}

TEST_CASE("native: ReadNativeHeader reads the header and stops at the first entry") {
  Result<Manifest> h = Header(kExample);
  REQUIRE(h.ok());
  CHECK(h->format == ManifestFormat::kNative);
  CHECK(h->title == "xp-sp3-x86-en");
  CHECK(h->description == "Windows XP Professional SP3, x86, English: system files");
  CHECK(h->created == "2026-11-29T00:00:00Z");
  REQUIRE(h->applies_to.size() == 1);
  CHECK(h->applies_to[0].values.at("build") == "2600");
  CHECK(h->entries.empty());
  CHECK(h->forbid.empty());

  // What follows the first entry is not read: not even a cut last line.
  h = Header(kMagic + "name t\r\nos arch=amd64\r\nforbid " + kA + " - x*.sys\r\nnot a manifest line\nend 9");
  REQUIRE(h.ok());
  CHECK(h->title == "t");
  CHECK(h->applies_to[0].values.at("arch") == "x64");
  h = Header(kMagic + "name t\nend 0\n");
  REQUIRE(h.ok());
  CHECK(h->title == "t");

  // Header problems are the full parser's, with their lines.
  CHECK(StartsWith(Header("lifeboat-manifest 2\nname t\n").status().message(), "m.lbm:1: format version '2'"));
  CHECK(StartsWith(Header(kMagic + "name t\nos flavour=x\nrequire " + kA + " 1 a\n").status().message(),
                   "m.lbm:3: OS description: unknown key"));
  CHECK(StartsWith(Header(kMagic + "name t\nname u\n").status().message(), "m.lbm:3: 'name' given twice"));
  CHECK(StartsWith(Header(kMagic + "name t\n").status().message(), "m.lbm: no 'end' line"));
  CHECK_FALSE(Header("").ok());
}

// ---------------------------------------------------------------- writer

TEST_CASE("native: FormatNative writes the FORMAT.md example back, comment aside") {
  Result<Manifest> m = Native(kExample);
  REQUIRE(m.ok());
  std::string expected = kExample;
  size_t c = expected.find("# Comments");
  expected.erase(c, expected.find('\n', c) + 1 - c);
  CHECK(FormatNative(*m) == expected);
}

TEST_CASE("native: FormatNative(ParseNative(x)) parses back to the same model") {
  std::string text =
      "lifeboat-manifest 1\r\n"
      "# c\r\n"
      "os edition=Professional ARCH=AMD64 version=06.01 build=7601-7602 ubr=4000-4999 family=WINDOWS sp=1\r\n"
      "created 2026-01-02T03:04:05Z\r\n"
      "name  leading space kept\r\n"
      "description Windows 7: everything | really\r\n"
      "os arch=i386\r\n"
      "forbid " + kC + " 1234 WINDOWS/Temp/bad file?.exe\r\n"
      "require " + kA + " - Program Files/Common Files/x y.dll\r\n"
      "\r\n"
      "require " + kB + " 0 Documents and Settings/All Users/ntuser.dat | version=1.0 alt=" + kC + ":5 alt=" + kD +
      ":- alt=" + kA + ":7\r\n"
      "forbid " + kD + " - WINDOWS/*/evil*.sys | name=rule-2\r\n"
      "require " + kD + " 9999999999999999999 .\\WINDOWS\\system32\\hal.dll | alt=" + kB + ":-\r\n"
      "require " + kD + " 9999999999999999999 windows/SYSTEM32/HAL.DLL | alt=" + kB + ":-\r\n"  // merged repeat
      "end 6\r\n";
  Result<Manifest> first = Native(text);
  REQUIRE(first.ok());
  CHECK(first->entries.size() == 3);
  CHECK(first->forbid.size() == 2);
  CHECK(first->warnings.size() == 1);

  std::string written = FormatNative(*first);
  CAPTURE(written);
  CHECK(written.find('\r') == std::string::npos);
  Result<Manifest> second = Native(written);
  REQUIRE(second.ok());
  CHECK(second->warnings.empty());  // the repeat is not written again
  CheckSameModel(*first, *second);
  CHECK(second->title == " leading space kept");
  CHECK(second->applies_to[0].values.at("version") == "6.1");
  CHECK(second->applies_to[1].values.at("arch") == "x86");
  // Lines are renumbered: magic, name, description, created, 2 os lines,
  // then every require, then every forbid.
  for (size_t i = 0; i < second->entries.size(); ++i) CHECK(second->entries[i].line == 7 + i);
  for (size_t i = 0; i < second->forbid.size(); ++i) CHECK(second->forbid[i].line == 10 + i);
  // Writing is a fixed point after one round.
  CHECK(FormatNative(*second) == written);
}

TEST_CASE("native: FormatNative of a model from another format parses back") {
  // sha256sum: no sizes, no header.
  Result<Manifest> sum = ParseManifest(kA + "  WINDOWS/system32/a b.dll\n" + kB + "  ./c.dll\n", "m.sha256");
  REQUIRE(sum.ok());
  std::string written = FormatNative(*sum);
  CHECK(written == kMagic + "name unnamed\nrequire " + kA + " - WINDOWS/system32/a b.dll\nrequire " + kB +
                       " - c.dll\nend 2\n");
  Result<Manifest> back = Native(written);
  REQUIRE(back.ok());
  CHECK(back->title == "unnamed");
  CHECK(back->description.empty());
  CHECK(back->created.empty());
  CHECK(back->applies_to.empty());
  Manifest expected = *sum;
  expected.title = "unnamed";  // the one field the writer must fill in
  CheckSameModel(expected, *back);
}

// Regression (was a may_fail): the sha256sum and mtree readers accepted '|'
// in names, and FormatNative then wrote a require line whose path stopped at
// the bar and whose tail read back as options: the rewritten manifest named
// another file. '|' (not allowed in Windows names) is now refused by every
// reader, so no model holds one.
TEST_CASE("native: a path with '|' is refused by every reader, so FormatNative never rewrites it") {
  Result<Manifest> sum = ParseManifest(kA + "  WINDOWS/a.dll | version=9\n", "m.sha256");
  REQUIRE_FALSE(sum.ok());
  CHECK(Contains(sum.status().message(), "m.sha256:1:"));
  CHECK(Contains(sum.status().message(), "'|'"));
  CHECK_FALSE(ParseManifest(kA + "  WINDOWS/b|c.dll\n", "m.sha256").ok());
  CHECK_FALSE(ParseManifest("#mtree\n./b|c.dll type=file sha256digest=" + kA + "\n", "m.mtree").ok());
}

// ---------------------------------------------------------------- entry

TEST_CASE("ManifestEntry::Accepts: main hash or any alternative, sizes where both are known") {
  const Digest a = Sha256::Of("a"), b = Sha256::Of("b"), c = Sha256::Of("c"), d = Sha256::Of("d");
  ManifestEntry e;
  e.sha256 = a;
  e.size = 10;
  e.alternatives = {{b, 20}, {c, kUnknownSize}};

  CHECK(e.Accepts(a, 10));
  CHECK_FALSE(e.Accepts(a, 11));  // right hash, wrong size
  CHECK_FALSE(e.Accepts(a, 20));  // the size of an alternative does not help the main hash
  CHECK(e.Accepts(b, 20));
  CHECK_FALSE(e.Accepts(b, 10));
  CHECK(e.Accepts(c, 0));  // alternative of unknown size: any size
  CHECK(e.Accepts(c, 123456789));
  CHECK_FALSE(e.Accepts(d, 10));
  CHECK_FALSE(e.Accepts(d, kUnknownSize));
  // The caller's size unknown: the hash decides.
  CHECK(e.Accepts(a, kUnknownSize));
  CHECK(e.Accepts(b, kUnknownSize));

  ManifestEntry unknown;
  unknown.sha256 = a;  // size unknown (sha256sum)
  CHECK_FALSE(unknown.has_size());
  CHECK(unknown.Accepts(a, 0));
  CHECK(unknown.Accepts(a, 99));
  CHECK_FALSE(unknown.Accepts(b, 99));
}

TEST_CASE("ManifestEntry::SizeCouldMatch: main size, alternatives' sizes, unknown sizes") {
  const Digest a = Sha256::Of("a"), b = Sha256::Of("b"), c = Sha256::Of("c");
  ManifestEntry e;
  e.sha256 = a;
  e.size = 10;
  CHECK(e.SizeCouldMatch(10));
  CHECK_FALSE(e.SizeCouldMatch(11));
  CHECK_FALSE(e.SizeCouldMatch(0));

  e.alternatives = {{b, 20}};
  CHECK(e.SizeCouldMatch(10));
  CHECK(e.SizeCouldMatch(20));
  CHECK_FALSE(e.SizeCouldMatch(30));

  e.alternatives.push_back({c, kUnknownSize});
  CHECK(e.SizeCouldMatch(30));  // the unknown-size alternative could be anything
  CHECK(e.SizeCouldMatch(0));

  ManifestEntry unknown;
  unknown.sha256 = a;
  unknown.alternatives = {{b, 20}};
  CHECK(unknown.SizeCouldMatch(0));  // main size unknown: anything could match
  CHECK(unknown.SizeCouldMatch(30));

  // Through the parser: '-' on an alt= is an unknown size.
  Result<Manifest> m = Native(Doc("require " + kA + " 10 a.dll | alt=" + kB + ":- alt=" + kC + ":20\n", 1));
  REQUIRE(m.ok());
  const ManifestEntry& p = m->entries[0];
  CHECK(p.SizeCouldMatch(7));
  CHECK(p.Accepts(Sha256::Of("b"), 7));
  CHECK(p.Accepts(Sha256::Of("c"), 20));
  CHECK_FALSE(p.Accepts(Sha256::Of("c"), 21));
  CHECK_FALSE(p.Accepts(Sha256::Of("a"), 20));
}

}  // namespace
}  // namespace lifeboat
