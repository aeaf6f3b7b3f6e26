// Tests for recovery/manifest.cc, manifest_sha256sum.cc and manifest_mtree.cc:
// every accepted line form, every refusal with its exact "name:line:" prefix,
// duplicate handling, limits, and loading from a real file.
//
// The mtree texts are what `bsdtar --format=mtree --options
// '!all,type,size,sha256'` writes (checked against bsdtar 3.6.2), embedded so
// the tests need no tool at run time.
#include "recovery/manifest.h"

#include <doctest/doctest.h>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::Sha256Hex;

const std::string kHi = Sha256Hex("hi");    // 8f4343...
const std::string kXyz = Sha256Hex("x y");  // 887fce...
const std::string kEmpty = Sha256Hex("");

// The error message of a failed parse (and checks that it did fail, with the
// invalid-input code every manifest problem carries).
std::string Error(const Result<Manifest>& m) {
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kInvalidInput);
  return m.status().message();
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Result<Manifest> Sum(std::string_view text, const ManifestLimits& limits = {}) {
  return ParseManifest(text, "m.sha256", ManifestFormat::kAuto, limits);
}
Result<Manifest> Mtree(std::string_view text) { return ParseManifest(text, "m.mtree"); }

// ---------------------------------------------------------------- sha256sum

TEST_CASE("sha256sum: GNU text lines become clean entries in file order") {
  std::string text = kHi + "  ./WINDOWS/system32/hal.dll\n" + kXyz + "  WINDOWS\\system32\\drivers\\ntfs.sys\n";
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  CHECK(m->name == "m.sha256");
  CHECK(m->format == ManifestFormat::kSha256sum);
  CHECK(m->file_sha256 == Sha256::Of(text));
  CHECK(m->warnings.empty());
  REQUIRE(m->entries.size() == 2);
  CHECK(m->entries[0].path == "WINDOWS/system32/hal.dll");
  CHECK(ToHex(m->entries[0].sha256) == kHi);
  CHECK(m->entries[0].line == 1);
  CHECK_FALSE(m->entries[0].has_size());
  CHECK(m->entries[0].size == kUnknownSize);
  CHECK(m->entries[1].path == "WINDOWS/system32/drivers/ntfs.sys");
  CHECK(ToHex(m->entries[1].sha256) == kXyz);
  CHECK(m->entries[1].line == 2);
}

TEST_CASE("sha256sum: '*' binary marker, BSD tag form and upper-case hex") {
  std::string upper = kXyz;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string text = kHi + " *bin/a.exe\n" + "SHA256 (Program Files/b (x86).dll) = " + kEmpty + "\n" + upper +
                     "  c.sys\n";
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 3);
  CHECK(m->entries[0].path == "bin/a.exe");
  CHECK(ToHex(m->entries[0].sha256) == kHi);
  // The tag form splits at the last ") = ", so parentheses in names survive.
  CHECK(m->entries[1].path == "Program Files/b (x86).dll");
  CHECK(ToHex(m->entries[1].sha256) == kEmpty);
  CHECK(m->entries[1].line == 2);
  CHECK(ToHex(m->entries[2].sha256) == kXyz);
}

TEST_CASE("sha256sum: GNU escaped lines") {
  // sha256sum writes "\<hash>  <name>" with "\\" for a backslash in the name.
  std::string text = "\\" + kHi + "  WINDOWS\\\\a.dll\n" + "\\" + kXyz + "  plain.dll\n";
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 2);
  CHECK(m->entries[0].path == "WINDOWS/a.dll");  // the unescaped '\' is a Windows separator
  CHECK(ToHex(m->entries[0].sha256) == kHi);
  CHECK(m->entries[1].path == "plain.dll");

  // "\n" decodes to a newline, which no Windows name may hold.
  std::string msg = Error(Sum(kHi + "  ok.dll\n\\" + kHi + "  bad\\nname\n"));
  CHECK(StartsWith(msg, "m.sha256:2: "));
  CHECK(Contains(msg, "control character"));

  msg = Error(Sum("\\" + kHi + "  a\\qb\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));
  CHECK(Contains(msg, "unknown escape '\\q'"));

  msg = Error(Sum("\\" + kHi + "  a\\\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));
  CHECK(Contains(msg, "ends with '\\'"));
}

TEST_CASE("sha256sum: CRLF line ends, comments and blank lines") {
  std::string text = "# made on the reference PC\r\n\r\n   \t\r\n" + kHi + "  a.dll\r\n" + kXyz + "  b.dll\r\n";
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 2);
  CHECK(m->entries[0].path == "a.dll");  // no '\r' left on the name
  CHECK(m->entries[0].line == 4);        // skipped lines still count
  CHECK(m->entries[1].path == "b.dll");
  CHECK(m->entries[1].line == 5);
}

TEST_CASE("sha256sum: a malformed line is reported as name:LINE:") {
  std::string text = kHi + "  a.dll\n# comment\nthis is not a checksum line\n" + kXyz + "  b.dll\n";
  std::string msg = Error(Sum(text));
  CHECK(StartsWith(msg, "m.sha256:3: "));
  CHECK(Contains(msg, "sha256sum format"));

  // One space only between hash and name.
  msg = Error(Sum(kHi + "  a.dll\n" + kHi + " b.dll\n"));
  CHECK(StartsWith(msg, "m.sha256:2: "));
  CHECK(Contains(msg, "two spaces"));

  // A hash with nothing after it.
  msg = Error(Sum(kHi + "  \n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));

  // 65 hex digits.
  msg = Error(Sum(kHi + "0  a.dll\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));
  CHECK(Contains(msg, "65 hex digits, expected 64"));

  // Non-hex in the hash.
  std::string bad = kHi;
  bad[10] = 'g';
  msg = Error(Sum(bad + "  a.dll\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));

  // Tag form without " = ".
  msg = Error(Sum("SHA256 (a.dll) " + kHi + "\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));
  CHECK(Contains(msg, "SHA256 (<path>) = <64 hex digits>"));

  // Tag form with a short hash.
  msg = Error(Sum("SHA256 (a.dll) = " + kHi.substr(0, 60) + "\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));
  CHECK(Contains(msg, "60 characters, expected 64"));
}

TEST_CASE("sha256sum: other hash lengths get a hint naming the algorithm") {
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  const std::string sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  const std::string sha512 = kHi + kHi;
  std::string msg = Error(Sum(kHi + "  ok.dll\n" + md5 + "  a.dll\n"));
  CHECK(StartsWith(msg, "m.sha256:2: "));
  CHECK(Contains(msg, "32 hex digits"));
  CHECK(Contains(msg, "MD5"));
  msg = Error(Sum("SHA256 (a.dll) = " + md5 + "\n"));
  CHECK(StartsWith(msg, "m.sha256:1: "));
  CHECK(Contains(msg, "MD5"));
  msg = Error(Sum(sha1 + "  a.dll\n"));
  CHECK(Contains(msg, "SHA-1"));
  CHECK_FALSE(Contains(msg, "MD5"));
  msg = Error(Sum(sha512 + "  a.dll\n"));
  CHECK(Contains(msg, "SHA-512"));
}

TEST_CASE("sha256sum: a last line without a newline is truncation") {
  std::string msg = Error(Sum(kHi + "  a.dll\n" + kXyz + "  b.dll"));
  CHECK(StartsWith(msg, "m.sha256:2: "));
  CHECK(Contains(msg, "no newline"));
  // Even a comment: the file was cut, whatever the cut line held.
  msg = Error(Sum(kHi + "  a.dll\n# trailing"));
  CHECK(StartsWith(msg, "m.sha256:2: "));
  // A hash cut in the middle.
  msg = Error(Sum(kHi.substr(0, 20)));
  CHECK(StartsWith(msg, "m.sha256:1: "));
}

TEST_CASE("an empty manifest is refused") {
  for (std::string text : {std::string(), std::string("\n"), std::string("# only a comment\n\n")}) {
    CAPTURE(text);
    std::string msg = Error(Sum(text));
    CHECK(msg == "m.sha256: no file entries (empty or truncated manifest)");
  }
  std::string msg = Error(Mtree("#mtree\n./WINDOWS type=dir\n./WINDOWS/l type=link\n"));
  CHECK(msg == "m.mtree: no file entries (empty or truncated manifest)");
  msg = Error(Mtree("#mtree\n"));
  CHECK(StartsWith(msg, "m.mtree: no file entries"));
}

TEST_CASE("paths that could leave the target or name something else are refused") {
  struct Case {
    std::string path, why;
  };
  const Case cases[] = {
      {"..", "'..'"},
      {"WINDOWS/../../etc/passwd", "'..'"},
      {"WINDOWS\\..\\x", "'..'"},
      {"/etc/passwd", "absolute"},
      {"\\WINDOWS\\x", "absolute"},
      {"C:\\WINDOWS\\x", "drive letter"},
      {"c:x", "drive letter"},
      {"WINDOWS/a.dll:stream", "':'"},
      {"a.dll::$DATA", "':'"},
      {std::string("a\x01") + "b", "control character"},
      {std::string("a\x7f") + "b", "control character"},
      {std::string("a\0b", 3), "NUL"},
      {"WINDOWS/", "separator"},
      {"WINDOWS/./a.dll", "'.'"},
      {".", "target root"},
      {"lifeboat/journal", "lifeboat's own folder"},
      {"LifeBoat\\runs\\x", "lifeboat's own folder"},
      {"lifeboat", "lifeboat's own folder"},
      {std::string(256, 'n'), "255"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    std::string text = kHi + "  ok.dll\n" + kXyz + "  " + c.path + "\n";
    std::string msg = Error(Sum(text));
    CHECK(StartsWith(msg, "m.sha256:2: "));
    CHECK(Contains(msg, c.why));
  }
  // Names that merely look odd are fine.
  Result<Manifest> m = Sum(kHi + "  a..b/...\n" + kHi + "  lifeboat.txt\n" + kHi + "  x/lifeboat/y\n");
  REQUIRE(m.ok());
  CHECK(m->entries.size() == 3);
}

TEST_CASE("duplicates compare case-insensitively: same hash merges, another hash is refused") {
  std::string text = kHi + "  WINDOWS/a.dll\n" + kXyz + "  other.dll\n" + kHi + "  windows\\A.DLL\n";
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 2);
  CHECK(m->entries[0].path == "WINDOWS/a.dll");  // the first spelling is kept
  CHECK(m->entries[0].line == 1);
  CHECK(m->entries[1].path == "other.dll");
  REQUIRE(m->warnings.size() == 1);
  CHECK(StartsWith(m->warnings[0], "m.sha256:3: "));
  CHECK(Contains(m->warnings[0], "listed twice"));

  std::string msg = Error(Sum(kHi + "  WINDOWS/a.dll\n" + kEmpty + "  b.dll\n" + kXyz + "  Windows/A.dll\n"));
  CHECK(StartsWith(msg, "m.sha256:3: "));
  CHECK(Contains(msg, "'Windows/A.dll'"));
  CHECK(Contains(msg, "different SHA-256"));
  CHECK(Contains(msg, "first at line 1"));

  // Non-ASCII names fold too (Cyrillic).
  msg = Error(Sum(kHi + "  \xD0\x94\xD0\xB0.dll\n" + kXyz + "  \xD0\xB4\xD0\x90.dll\n"));
  CHECK(StartsWith(msg, "m.sha256:2: "));
}

TEST_CASE("merging repeats keeps every other entry intact and in order") {
  // Regression: compacting the entry list after dropping repeats once emptied
  // paths (a self-move).
  std::string text;
  for (int i = 0; i < 6; ++i) text += kHi + "  f" + std::to_string(i) + ".dll\n";
  text += kHi + "  F0.DLL\n" + kHi + "  f3.dll\n" + kHi + "  f6.dll\n" + kHi + "  F0.dll\n";
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 7);
  for (int i = 0; i < 7; ++i) {
    CHECK(m->entries[i].path == "f" + std::to_string(i) + ".dll");
    CHECK(ToHex(m->entries[i].sha256) == kHi);
  }
  CHECK(m->entries[6].line == 9);
  CHECK(m->warnings.size() == 3);
}

TEST_CASE("sha256sum: lines split across read chunks keep their numbers") {
  // ~90 KB: lines straddle the parser's 64 KiB read chunks.
  std::string text;
  const int kLines = 1000;
  for (int i = 0; i < kLines; ++i) {
    std::string name = "WINDOWS/system32/file" + std::to_string(100000 + i) + ".dll";
    text += Sha256Hex(name) + "  " + name + "\n";
  }
  REQUIRE(text.size() > 64 * 1024);
  Result<Manifest> m = Sum(text);
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == kLines);
  for (int i = 0; i < kLines; ++i) {
    const ManifestEntry& e = m->entries[i];
    CHECK(e.line == static_cast<uint32_t>(i + 1));
    CHECK(e.path == "WINDOWS/system32/file" + std::to_string(100000 + i) + ".dll");
    CHECK(ToHex(e.sha256) == Sha256Hex(e.path));
  }
  CHECK(m->file_sha256 == Sha256::Of(text));
}

TEST_CASE("limits: line length, entry count, file size") {
  ManifestLimits small;
  small.max_line_bytes = 100;
  std::string msg = Error(Sum(kHi + "  a.dll\n" + kHi + "  " + std::string(60, 'b') + "\n", small));
  CHECK(StartsWith(msg, "m.sha256:2: line longer than 100 bytes"));

  // The default limit, with the long line running past a read chunk.
  msg = Error(Sum(kHi + "  a.dll\n" + kHi + "  " + std::string(70000, 'b') + "\n"));
  CHECK(StartsWith(msg, "m.sha256:2: line longer than 65536 bytes"));

  ManifestLimits two;
  two.max_entries = 2;
  msg = Error(Sum(kHi + "  a\n" + kHi + "  b\n" + kHi + "  c\n", two));
  CHECK(StartsWith(msg, "m.sha256:3: more than 2 entries"));
  CHECK(Sum(kHi + "  a\n" + kHi + "  b\n", two).ok());

  ManifestLimits tiny;
  tiny.max_file_bytes = 100;
  msg = Error(Sum(kHi + "  a\n" + kHi + "  b\n", tiny));
  CHECK(StartsWith(msg, "m.sha256: "));
  CHECK(Contains(msg, "manifest limit"));
  std::string exact = kHi + "  " + std::string(33, 'a') + "\n";  // 100 bytes
  REQUIRE(exact.size() == 100);
  CHECK(Sum(exact, tiny).ok());
}

// ---------------------------------------------------------------- mtree

TEST_CASE("mtree: bsdtar output gives sizes and digests; dirs and links are skipped") {
  std::string text =
      "#mtree\n"
      "./Doc\\040and\\040S type=dir\n"
      "./Doc\\040and\\040S/f\\040i.txt type=file size=3 sha256digest=" + kXyz + "\n"
      "./W type=dir\n"
      "./W/sys type=dir\n"
      "./W/sys/a.dll type=file size=2 sha256digest=" + kHi + "\n"
      "./W/sys/l type=link\n";
  Result<Manifest> m = Mtree(text);
  REQUIRE(m.ok());
  CHECK(m->format == ManifestFormat::kMtree);
  CHECK(m->name == "m.mtree");
  CHECK(m->file_sha256 == Sha256::Of(text));
  CHECK(m->warnings.empty());
  REQUIRE(m->entries.size() == 2);
  CHECK(m->entries[0].path == "Doc and S/f i.txt");  // "\040" decoded
  CHECK(m->entries[0].size == 3);
  CHECK(m->entries[0].has_size());
  CHECK(ToHex(m->entries[0].sha256) == kXyz);
  CHECK(m->entries[0].line == 3);
  CHECK(m->entries[1].path == "W/sys/a.dll");
  CHECK(m->entries[1].size == 2);
  CHECK(ToHex(m->entries[1].sha256) == kHi);
  CHECK(m->entries[1].line == 6);
}

TEST_CASE("mtree: 'sha256=' is accepted like 'sha256digest='") {
  Result<Manifest> m = Mtree("#mtree\n./a.dll type=file size=2 sha256=" + kHi + "\n");
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 1);
  CHECK(ToHex(m->entries[0].sha256) == kHi);
}

TEST_CASE("mtree: a file entry without sha256digest names its line") {
  std::string msg = Error(Mtree("#mtree\n./d type=dir\n./d/a.dll type=file size=2 sha256digest=" + kHi +
                                "\n./d/b.dll type=file size=2\n"));
  CHECK(StartsWith(msg, "m.mtree:4: "));
  CHECK(Contains(msg, "no sha256digest"));

  // The entry on a continued line counts from its first line.
  msg = Error(Mtree("#mtree\n./a.dll type=file \\\n    size=2 sha256digest=" + kHi +
                    "\n./b.dll type=file size=1\n"));
  CHECK(StartsWith(msg, "m.mtree:4: "));

  // Relative-form entries carry no line number: the message names the entry.
  msg = Error(Mtree("#mtree\n/set type=file\na.dll size=2 sha256digest=" + kHi + "\nb.dll size=2\n"));
  CHECK(StartsWith(msg, "m.mtree: entry 'b.dll': "));
  CHECK(Contains(msg, "no sha256digest"));
}

TEST_CASE("mtree: a manifest without a final newline is truncated") {
  std::string msg = Error(Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi + "\n./b type=dir"));
  CHECK(msg == "m.mtree: last line has no newline: the manifest looks truncated");
  msg = Error(Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi));
  CHECK(Contains(msg, "no newline"));
}

TEST_CASE("mtree: bad digests, bad paths and repeated paths are refused with their line") {
  std::string msg = Error(Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi.substr(0, 10) + "\n"));
  CHECK(StartsWith(msg, "m.mtree:2: "));
  CHECK(Contains(msg, "digest length"));

  msg = Error(Mtree("#mtree\n./ok.dll type=file size=2 sha256digest=" + kHi + "\n./../x type=file size=2 sha256digest=" +
                    kHi + "\n"));
  CHECK(StartsWith(msg, "m.mtree:3: "));
  CHECK(Contains(msg, "'..'"));

  msg = Error(Mtree("#mtree\n./a:b type=file size=2 sha256digest=" + kHi + "\n"));
  CHECK(StartsWith(msg, "m.mtree:2: "));
  CHECK(Contains(msg, "':'"));

  msg = Error(Mtree("#mtree\n./lifeboat/j type=file size=2 sha256digest=" + kHi + "\n"));
  CHECK(StartsWith(msg, "m.mtree:2: "));
  CHECK(Contains(msg, "lifeboat's own folder"));

  // libarchive merges a repeated path (the second hash would win): refused.
  msg = Error(Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi + "\n./b type=dir\n./a.dll type=file size=3 sha256digest=" +
                    kXyz + "\n"));
  CHECK(StartsWith(msg, "m.mtree:4: "));
  CHECK(Contains(msg, "first at line 2"));
}

// Regression: libarchive returns names as C strings, so "./WINDOWS/a\000b.dll"
// became the entry "WINDOWS/a" (another file) instead of an error.
TEST_CASE("mtree: a NUL in a name, escaped or raw, is refused with its line") {
  for (std::string name : {std::string("./WINDOWS/a\\000b.dll"), std::string("./WINDOWS/a\0b.dll", 17),
                           std::string("a\\000b.dll")}) {
    CAPTURE(name);
    std::string msg = Error(Mtree("#mtree\n./ok.dll type=file size=2 sha256digest=" + kHi + "\n" + name +
                                  " type=file size=2 sha256digest=" + kHi + "\n"));
    CHECK(StartsWith(msg, "m.mtree:3: "));
    CHECK(Contains(msg, "NUL byte"));
  }
}

TEST_CASE("mtree: paths differing only in case go through the same duplicate rules") {
  Result<Manifest> m = Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi +
                             "\n./A.DLL type=file size=2 sha256digest=" + kHi + "\n");
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 1);
  CHECK(m->entries[0].path == "a.dll");
  REQUIRE(m->warnings.size() == 1);
  CHECK(StartsWith(m->warnings[0], "m.mtree:3: "));

  std::string msg = Error(Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi +
                                "\n./A.DLL type=file size=3 sha256digest=" + kXyz + "\n"));
  CHECK(StartsWith(msg, "m.mtree:3: "));
  CHECK(Contains(msg, "different SHA-256"));

  msg = Error(Mtree("#mtree\n./a.dll type=file size=2 sha256digest=" + kHi +
                    "\n./A.DLL type=file size=3 sha256digest=" + kHi + "\n"));
  CHECK(StartsWith(msg, "m.mtree:3: "));
  CHECK(Contains(msg, "different size"));
}

TEST_CASE("mtree: an entry without size= has an unknown size, not 0") {
  // Regression: libarchive's mtree reader sets size 0 when "size=" is absent
  // (`bsdtar --options '!all,type,sha256'`), and every such healthy file was
  // reported CORRUPT ("size 2 bytes, expected 0").
  Result<Manifest> m = Mtree("#mtree\n./W type=dir\n./W/a.dll type=file sha256digest=" + kHi + "\n");
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 1);
  CHECK(ToHex(m->entries[0].sha256) == kHi);
  CHECK_FALSE(m->entries[0].has_size());
  CHECK(m->entries[0].size == kUnknownSize);
}

TEST_CASE("mtree: an explicit size=0 is a known size") {
  Result<Manifest> m = Mtree("#mtree\n./empty.dat type=file size=0 sha256digest=" + kEmpty + "\n");
  REQUIRE(m.ok());
  REQUIRE(m->entries.size() == 1);
  CHECK(m->entries[0].has_size());
  CHECK(m->entries[0].size == 0);
}

// ---------------------------------------------------------------- formats, files

TEST_CASE("format detection and format names") {
  std::string mtree = "#mtree\n./a.dll type=file size=2 sha256digest=" + kHi + "\n";
  std::string sum = kHi + "  a.dll\n";
  CHECK(ParseManifest(mtree, "x")->format == ManifestFormat::kMtree);
  CHECK(ParseManifest(sum, "x")->format == ManifestFormat::kSha256sum);
  // Forcing the wrong format fails on the first line it cannot read.
  std::string msg = Error(ParseManifest(mtree, "x", ManifestFormat::kSha256sum));
  CHECK(StartsWith(msg, "x:2: "));  // line 1, "#mtree", reads as a comment
  CHECK_FALSE(ParseManifest(sum, "x", ManifestFormat::kMtree).ok());

  for (ManifestFormat f : {ManifestFormat::kAuto, ManifestFormat::kSha256sum, ManifestFormat::kMtree}) {
    Result<ManifestFormat> back = ParseFormatName(FormatName(f));
    REQUIRE(back.ok());
    CHECK(*back == f);
  }
  CHECK(FormatName(ManifestFormat::kMtree) == "mtree");
  Result<ManifestFormat> bad = ParseFormatName("md5sum");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::kInvalidInput);
  CHECK(Contains(bad.status().message(), "'md5sum'"));
}

TEST_CASE("LoadManifest reads a file, names it in errors and hashes what it read") {
  test::TempDir t;
  std::string sum = kHi + "  WINDOWS/a.dll\r\n" + kXyz + "  WINDOWS/b.dll\r\n";
  std::string mtree = "#mtree\n./W type=dir\n./W/a.dll type=file size=2 sha256digest=" + kHi + "\n";
  test::WriteFile(t / "m.sha256", sum);
  test::WriteFile(t / "m.mtree", mtree);

  Result<Manifest> a = LoadManifest(t / "m.sha256");
  REQUIRE(a.ok());
  CHECK(a->name == t / "m.sha256");
  CHECK(a->format == ManifestFormat::kSha256sum);
  CHECK(a->file_sha256 == Sha256::Of(sum));
  REQUIRE(a->entries.size() == 2);
  CHECK(a->entries[1].path == "WINDOWS/b.dll");
  CHECK(a->entries[1].line == 2);

  Result<Manifest> b = LoadManifest(t / "m.mtree");
  REQUIRE(b.ok());
  CHECK(b->format == ManifestFormat::kMtree);
  CHECK(b->file_sha256 == Sha256::Of(mtree));
  REQUIRE(b->entries.size() == 1);
  CHECK(b->entries[0].path == "W/a.dll");
  CHECK(b->entries[0].size == 2);

  test::WriteFile(t / "cut.sha256", sum.substr(0, sum.size() - 10));
  std::string msg = Error(LoadManifest(t / "cut.sha256"));
  CHECK(StartsWith(msg, t / "cut.sha256:2: "));

  test::WriteFile(t / "empty", "");
  msg = Error(LoadManifest(t / "empty"));
  CHECK(msg == t / "empty: no file entries (empty or truncated manifest)");

  Result<Manifest> missing = LoadManifest(t / "nope.sha256");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(Contains(missing.status().message(), t / "nope.sha256"));
}

}  // namespace
}  // namespace lifeboat
