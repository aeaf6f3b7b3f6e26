// The quarantine decoders against the test encoders (tests/fixtures/
// quarantine_builders.cc): round trips for every layout, small files in the
// compound file's mini stream and large ones in regular sectors, and damaged
// input that must give an error, never a wrong file or a crash.
#include <doctest/doctest.h>

#include "recovery/compound_file.h"
#include "recovery/quarantine.h"
#include "tests/fixtures/fixture_builders.h"

namespace lifeboat {
namespace {

using fixtures::MakeCompoundFile;

std::string Pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

TEST_CASE("compound file: small streams from the mini stream, large ones from sectors") {
  std::string small = Pattern(100, 1), edge = Pattern(4095, 2), large = Pattern(20000, 3), exact = Pattern(4096, 4);
  std::string cf = MakeCompoundFile({{"Details", small}, {"Edge", edge}, {"File_0", large}, {"Exact", exact}, {"Empty", ""}});
  Result<CompoundFile> f = CompoundFile::Parse(cf);
  REQUIRE(f.ok());
  REQUIRE(f->streams().size() == 5);
  CHECK(f->streams()[0].name == "Details");
  CHECK(*f->Read(*f->Find("details"), 1 << 20) == small);
  CHECK(*f->Read(*f->Find("Edge"), 1 << 20) == edge);
  CHECK(*f->Read(*f->Find("FILE_0"), 1 << 20) == large);
  CHECK(*f->Read(*f->Find("Exact"), 1 << 20) == exact);
  CHECK(f->Read(*f->Find("Empty"), 1 << 20)->empty());
  CHECK(f->Find("File_1") == nullptr);
  CHECK_FALSE(f->Read(*f->Find("File_0"), 19999).ok());  // over the caller's limit
}

TEST_CASE("compound file: damage is an error") {
  std::string cf = MakeCompoundFile({{"Details", Pattern(100, 1)}, {"File_0", Pattern(20000, 3)}});
  CHECK_FALSE(CompoundFile::Parse(cf.substr(0, 511)).ok());
  std::string bad = cf;
  bad[0] = 'X';
  CHECK_FALSE(CompoundFile::Parse(bad).ok());
  // The first FAT sector (sector 0, at 512) lists sector 0 as FATSECT; point the
  // directory's chain (sector 1) back at itself: a loop.
  bad = cf;
  fixtures::Put32(bad, 512 + 4 * 1, 1);
  CHECK_FALSE(CompoundFile::Parse(bad).ok());
  // Truncated inside File_0's sectors: the stream cannot be read in full.
  Result<CompoundFile> cut = CompoundFile::Parse(std::string_view(cf).substr(0, cf.size() - 4096));
  if (cut.ok()) CHECK_FALSE(cut->Read(*cut->Find("File_0"), 1 << 20).ok());
  // A FAT entry sending File_0's chain out of the table.
  bad = cf;
  Result<CompoundFile> good = CompoundFile::Parse(cf);
  REQUIRE(good.ok());
  uint32_t start = good->Find("File_0")->start;
  fixtures::Put32(bad, 512 + 4 * start, 0x00FFFFFF);
  Result<CompoundFile> broken = CompoundFile::Parse(bad);
  REQUIRE(broken.ok());
  CHECK_FALSE(broken->Read(*broken->Find("File_0"), 1 << 20).ok());
}

TEST_CASE("McAfee .bup: original path, detection and content, small and large files") {
  for (size_t size : {size_t{700}, size_t{14336}}) {
    std::string content = Pattern(size, static_cast<unsigned>(size));
    std::string bup = fixtures::MakeMcAfeeBup("C:\\WINDOWS\\system32\\svchost.exe", "W32/Wecorl.a", content);
    Result<std::vector<QuarantinedFile>> r = DecodeMcAfeeBup(bup, 1 << 20);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].content == content);
    CHECK((*r)[0].original_path == "C:\\WINDOWS\\system32\\svchost.exe");
    CHECK((*r)[0].threat == "W32/Wecorl.a");
    CHECK((*r)[0].item == "File_0");
  }
  // Without the Details stream, or without a file: errors.
  CHECK_FALSE(DecodeMcAfeeBup(MakeCompoundFile({{"File_0", "x"}}), 1 << 20).ok());
  CHECK_FALSE(DecodeMcAfeeBup(MakeCompoundFile({{"Details", "x"}}), 1 << 20).ok());
  CHECK_FALSE(DecodeMcAfeeBup("not an OLE file at all", 1 << 20).ok());
}

TEST_CASE("Defender: the entry names the resource; the resource holds the file") {
  std::string id = Pattern(20, 9);
  std::string entry = fixtures::MakeDefenderEntry("Trojan:Win32/Fake", "\\\\?\\C:\\Windows\\System32\\drivers\\x.sys", id);
  Result<DefenderEntry> e = DecodeDefenderEntry(entry);
  REQUIRE(e.ok());
  CHECK(e->threat == "Trojan:Win32/Fake");
  REQUIRE(e->files.size() == 1);
  CHECK(e->files[0].second == "C:\\Windows\\System32\\drivers\\x.sys");
  static const char kHex[] = "0123456789ABCDEF";
  std::string hex;
  for (char c : id) hex += std::string{kHex[static_cast<uint8_t>(c) >> 4], kHex[static_cast<uint8_t>(c) & 15]};
  CHECK(e->files[0].first == hex);

  std::string content = Pattern(50000, 5);
  Result<std::string> r = DecodeDefenderResource(fixtures::MakeDefenderResource(content), 1 << 20);
  REQUIRE(r.ok());
  CHECK(*r == content);
  std::string resource = fixtures::MakeDefenderResource(content);
  CHECK_FALSE(DecodeDefenderResource(resource.substr(0, resource.size() - 1), 1 << 20).ok());  // one byte short
  CHECK_FALSE(DecodeDefenderResource(resource, 49999).ok());
  CHECK_FALSE(DecodeDefenderEntry(entry.substr(0, 0x3C + 10)).ok());
  CHECK_FALSE(DecodeDefenderEntry(std::string(100, 'x')).ok());
}

TEST_CASE("Symantec .vbn: SAV/SEP 11 and SEP 12+ layouts") {
  std::string content = Pattern(5000, 7);
  Result<QuarantinedFile> old = DecodeSymantecVbn(fixtures::MakeSymantecVbnOld("C:\\WINDOWS\\system32\\svchost.exe", content), 1 << 20);
  REQUIRE(old.ok());
  CHECK(old->content == content);
  CHECK(old->original_path == "C:\\WINDOWS\\system32\\svchost.exe");
  for (size_t chunk : {size_t{1000}, size_t{5000}, size_t{65536}}) {
    std::string vbn = fixtures::MakeSymantecVbnSep12("C:\\Windows\\System32\\kernel32.dll", content, chunk);
    Result<QuarantinedFile> r = DecodeSymantecVbn(vbn, 1 << 20);
    REQUIRE(r.ok());
    CHECK(r->content == content);
    CHECK(r->original_path == "C:\\Windows\\System32\\kernel32.dll");
    // Cut short: an error naming the shortfall, not a shorter file.
    Result<QuarantinedFile> cut = DecodeSymantecVbn(std::string_view(vbn).substr(0, vbn.size() - 100), 1 << 20);
    CHECK_FALSE(cut.ok());
  }
  CHECK_FALSE(DecodeSymantecVbn(std::string(10, 'x'), 1 << 20).ok());
  CHECK_FALSE(DecodeSymantecVbn(fixtures::MakeSymantecVbnSep12("C:\\x", content, 1000), 4999).ok());
}

}  // namespace
}  // namespace lifeboat
