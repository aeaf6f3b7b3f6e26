// Tests for recovery/manifest_import.cc: hashdeep output (header detection,
// columns in any order, commas in names, comments, absolute paths and
// --strip-prefix, refusals with file:line) and Winbindex per-file JSON
// (machine type, Windows version and UBR filters, newest version first with
// the others as alternatives, unknown sizes, the default target path, gzip
// input, and the refusals).
#include "recovery/manifest_import.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using nlohmann::json;
using test::Sha256Hex;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kA = Sha256Hex("a");
const std::string kB = Sha256Hex("b");
const std::string kC = Sha256Hex("c");
const std::string kD = Sha256Hex("d");
const std::string kE = Sha256Hex("e");
const std::string kMd5 = "0cc175b9c0f1b6a831c399e269772661";

Manifest Ok(const Result<Manifest>& m) {
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  return m.value();
}

std::string Error(const Result<Manifest>& m) {
  REQUIRE_FALSE(m.ok());
  return m.status().message();
}

// ---------------------------------------------------------------- hashdeep

// What `hashdeep -c md5,sha256 -l -r WINDOWS` writes.
std::string Hashdeep(const std::string& columns, const std::string& body) {
  return "%%%% HASHDEEP-1.0\n%%%% " + columns +
         "\n## Invoked from: /mnt/reference\n## $ hashdeep -c md5,sha256 -l -r WINDOWS\n##\n" + body;
}

TEST_CASE("hashdeep: size, md5, sha256 and filename columns become entries") {
  std::string text = Hashdeep("size,md5,sha256,filename",
                              "14336," + kMd5 + "," + kA + ",WINDOWS/system32/svchost.exe\n" +
                              "0," + kMd5 + "," + kB + ",WINDOWS\\system32\\drivers\\null.sys\n");
  Manifest m = Ok(ImportHashdeep(text, "ref.hashdeep", {}));
  CHECK(m.name == "ref.hashdeep");
  CHECK(m.format == ManifestFormat::kNative);
  REQUIRE(m.entries.size() == 2);
  CHECK(m.entries[0].path == "WINDOWS/system32/svchost.exe");
  CHECK(m.entries[0].size == 14336);
  CHECK(ToHex(m.entries[0].sha256) == kA);
  CHECK(m.entries[0].line == 6);  // after two header and three comment lines
  CHECK(m.entries[1].path == "WINDOWS/system32/drivers/null.sys");
  CHECK(m.entries[1].size == 0);
  CHECK(ToHex(m.entries[1].sha256) == kB);
  CHECK(m.entries[1].line == 7);
}

TEST_CASE("hashdeep: columns in any order; without a size column the size is unknown") {
  std::string reordered = Hashdeep("sha256,md5,size,filename", kA + "," + kMd5 + ",42,WINDOWS/a.dll\n");
  Manifest m = Ok(ImportHashdeep(reordered, "r.txt", {}));
  REQUIRE(m.entries.size() == 1);
  CHECK(ToHex(m.entries[0].sha256) == kA);
  CHECK(m.entries[0].size == 42);

  std::string size_last = Hashdeep("sha256,size,filename", kB + ",7,WINDOWS/b.dll\n");
  Manifest s = Ok(ImportHashdeep(size_last, "s.txt", {}));
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].size == 7);
  CHECK(ToHex(s.entries[0].sha256) == kB);

  std::string no_size = Hashdeep("md5,sha256,filename", kMd5 + "," + kC + ",WINDOWS/c.dll\n");
  Manifest n = Ok(ImportHashdeep(no_size, "n.txt", {}));
  REQUIRE(n.entries.size() == 1);
  CHECK(n.entries[0].size == kUnknownSize);
  CHECK(ToHex(n.entries[0].sha256) == kC);
}

TEST_CASE("hashdeep: commas in file names, comment lines, blank lines and CRLF") {
  std::string text = "%%%% HASHDEEP-1.0\r\n%%%% size,sha256,filename\r\n## a comment\r\n\r\n" + std::string("5,") +
                     kA + ",WINDOWS/Fonts/a,b, c.dll\r\n## another, with, commas\r\n6," + kB +
                     ",WINDOWS/Program Files (x86)/d e.exe\r\n";
  Manifest m = Ok(ImportHashdeep(text, "crlf.txt", {}));
  REQUIRE(m.entries.size() == 2);
  CHECK(m.entries[0].path == "WINDOWS/Fonts/a,b, c.dll");
  CHECK(m.entries[0].size == 5);
  CHECK(m.entries[1].path == "WINDOWS/Program Files (x86)/d e.exe");
  CHECK(m.entries[1].size == 6);
  CHECK(ToHex(m.entries[1].sha256) == kB);
}

TEST_CASE("hashdeep: header detection") {
  std::string body = "5," + kA + ",WINDOWS/a.dll\n";
  std::string no_magic = Error(ImportHashdeep("%%%% size,sha256,filename\n" + body, "x.txt", {}));
  CHECK(Contains(no_magic, "x.txt:1:"));
  CHECK(Contains(no_magic, "HASHDEEP"));
  CHECK(Contains(Error(ImportHashdeep(kA + "  WINDOWS/a.dll\n", "sum.txt", {})), "sum.txt:1:"));
  CHECK_FALSE(ImportHashdeep("", "empty.txt", {}).ok());
  CHECK_FALSE(ImportHashdeep("%%%% HASHDEEP-1.0\n", "one-line.txt", {}).ok());
  CHECK(Contains(Error(ImportHashdeep("%%%% HASHDEEP-1.0\nsize,sha256,filename\n" + body, "nocols.txt", {})),
                 "nocols.txt:1:"));

  std::string md5_only = Error(ImportHashdeep(Hashdeep("size,md5,filename", "5," + kMd5 + ",a.dll\n"), "m.txt", {}));
  CHECK(Contains(md5_only, "m.txt:2:"));
  CHECK(Contains(md5_only, "sha256"));
  std::string name_first =
      Error(ImportHashdeep(Hashdeep("filename,size,sha256", "a.dll,5," + kA + "\n"), "f.txt", {}));
  CHECK(Contains(name_first, "f.txt:2:"));
  CHECK(Contains(name_first, "last"));
  // Header only, no entries: nothing to import.
  CHECK_FALSE(ImportHashdeep(Hashdeep("size,sha256,filename", ""), "h.txt", {}).ok());
}

TEST_CASE("hashdeep: absolute paths are refused unless a prefix is stripped") {
  std::string text = Hashdeep("size,sha256,filename", "5," + kA + ",/mnt/reference/WINDOWS/a.dll\n" + "6," + kB +
                                                          ",/mnt/reference/WINDOWS/System32/b.dll\n");
  std::string msg = Error(ImportHashdeep(text, "abs.txt", {}));
  CHECK(Contains(msg, "abs.txt:6:"));
  CHECK(Contains(msg, "/mnt/reference/WINDOWS/a.dll"));
  CHECK(Contains(msg, "strip-prefix"));

  ImportOptions o;
  o.strip_prefix = "/mnt/reference/";
  Manifest m = Ok(ImportHashdeep(text, "abs.txt", o));
  REQUIRE(m.entries.size() == 2);
  CHECK(m.entries[0].path == "WINDOWS/a.dll");
  CHECK(m.entries[1].path == "WINDOWS/System32/b.dll");

  // Windows hashdeep: drive letters and backslashes.
  std::string win = Hashdeep("size,sha256,filename", "5," + kA + ",C:\\ref\\WINDOWS\\a.dll\n");
  CHECK(Contains(Error(ImportHashdeep(win, "win.txt", {})), "win.txt:6:"));
  ImportOptions w;
  w.strip_prefix = "C:\\ref\\";
  Manifest wm = Ok(ImportHashdeep(win, "win.txt", w));
  REQUIRE(wm.entries.size() == 1);
  CHECK(wm.entries[0].path == "WINDOWS/a.dll");

  // A prefix that does not match leaves the path absolute: still refused.
  ImportOptions other;
  other.strip_prefix = "/media/usb/";
  CHECK(Contains(Error(ImportHashdeep(text, "abs.txt", other)), "absolute path"));

  // Relative paths with '..' are refused by the path rules.
  std::string dotdot = Hashdeep("size,sha256,filename", "5," + kA + ",WINDOWS/../../etc/passwd\n");
  CHECK(Contains(Error(ImportHashdeep(dotdot, "dd.txt", {})), "dd.txt:6:"));
}

TEST_CASE("hashdeep: --strip-prefix without a trailing separator strips the whole directory") {
  // "--strip-prefix /mnt/reference" is the natural spelling; the result must
  // be the path beneath it, and a sibling directory must not be cut in half.
  std::string text = Hashdeep("size,sha256,filename", "5," + kA + ",/mnt/reference/WINDOWS/a.dll\n");
  ImportOptions o;
  o.strip_prefix = "/mnt/reference";
  Result<Manifest> m = ImportHashdeep(text, "abs.txt", o);
  CHECK_MESSAGE(m.ok(), m.status().message());
  if (m.ok()) {
    REQUIRE(m->entries.size() == 1);
    CHECK(m->entries[0].path == "WINDOWS/a.dll");
  }
  std::string sibling = Hashdeep("size,sha256,filename", "5," + kA + ",/mnt/reference2/WINDOWS/a.dll\n");
  Result<Manifest> s = ImportHashdeep(sibling, "sib.txt", o);
  // "/mnt/reference2/..." is not beneath "/mnt/reference": it must stay absolute and be refused,
  // not become "2/WINDOWS/a.dll".
  CHECK_FALSE(s.ok());
  if (s.ok()) MESSAGE("sibling imported as " << s->entries[0].path);
}

TEST_CASE("hashdeep: bad sha256, bad size and too few columns name the line") {
  std::string bad_hash = Hashdeep("size,sha256,filename", "5," + kA + ",WINDOWS/a.dll\n5," + kA.substr(1) + ",b\n");
  std::string msg = Error(ImportHashdeep(bad_hash, "h.txt", {}));
  CHECK(Contains(msg, "h.txt:7:"));
  CHECK(Contains(msg, "sha256"));
  CHECK(Contains(msg, kA.substr(1)));
  std::string md5_in_sha = Hashdeep("size,sha256,filename", "5," + kMd5 + ",WINDOWS/a.dll\n");
  CHECK(Contains(Error(ImportHashdeep(md5_in_sha, "h.txt", {})), "h.txt:6:"));
  std::string bad_size = Hashdeep("size,sha256,filename", "5k," + kA + ",WINDOWS/a.dll\n");
  std::string size_msg = Error(ImportHashdeep(bad_size, "h.txt", {}));
  CHECK(Contains(size_msg, "h.txt:6:"));
  CHECK(Contains(size_msg, "size"));
  std::string few = Hashdeep("size,md5,sha256,filename", "5," + kA + ",WINDOWS/a.dll\n");
  std::string few_msg = Error(ImportHashdeep(few, "h.txt", {}));
  CHECK(Contains(few_msg, "h.txt:6:"));
  CHECK(Contains(few_msg, "columns"));
}

TEST_CASE("hashdeep: a path listed twice with different hashes is refused") {
  std::string text =
      Hashdeep("size,sha256,filename", "5," + kA + ",WINDOWS/a.dll\n5," + kB + ",windows/A.DLL\n");
  std::string msg = Error(ImportHashdeep(text, "dup.txt", {}));
  CHECK(Contains(msg, "dup.txt:7:"));
}

// ---------------------------------------------------------------- Winbindex

// One Winbindex entry: fileInfo + windowsVersions. `updates` maps a Windows
// version to {KB -> releaseVersion}; an empty releaseVersion means a base
// build without updateInfo.
json Entry(uint64_t machine, const std::string& version, std::optional<uint64_t> size,
           const std::map<std::string, std::map<std::string, std::string>>& updates) {
  json fi = {{"description", "Host Process for Windows Services"},
             {"machineType", machine},
             {"md5", "00000000000000000000000000000000"},
             {"signingStatus", "Signed"},
             {"timestamp", 123456}};
  if (!version.empty()) fi["version"] = version;
  if (size) fi["size"] = *size;
  json wv = json::object();
  for (const auto& [win, kbs] : updates) {
    json v = json::object();
    for (const auto& [kb, rv] : kbs) {
      if (rv.empty())
        v[kb] = {{"windowsVersionInfo", {{"releaseDate", "2019-11-12"}}}};
      else
        v[kb] = {{"assemblies", json::object()}, {"updateInfo", {{"releaseVersion", rv}, {"updateUrl", "x"}}}};
    }
    wv[win] = v;
  }
  return {{"fileInfo", fi}, {"windowsVersions", wv}};
}

constexpr uint64_t kX64 = 0x8664, kX86 = 0x14c, kArm64 = 0xaa64;

// svchost.exe for Windows 10 2004/20H2: three x64 versions (985 < 1110 <
// 1151, which sort differently as text), an x86 one, an arm64 one and an
// x64 one only in 1909.
std::string SvchostJson() {
  json doc = json::object();
  doc[kA] = Entry(kX64, "10.0.19041.985 (WinBuild.160101.0800)", 51000,
                  {{"2004", {{"KB5003173", "19041.985"}}}, {"20H2", {{"KB5003173", "19042.985"}}}});
  doc[kB] = Entry(kX64, "10.0.19041.1151 (WinBuild.160101.0800)", 52000,
                  {{"2004", {{"KB5005033", "19041.1151"}}}, {"20H2", {{"KB5005033", "19042.1151"}}}});
  doc[kC] = Entry(kX64, "10.0.19041.1110 (WinBuild.160101.0800)", 51500, {{"2004", {{"KB5004237", "19041.1110"}}}});
  doc[kD] = Entry(kX86, "10.0.19041.1151 (WinBuild.160101.0800)", 40000, {{"2004", {{"KB5005033", "19041.1151"}}}});
  doc[kE] = Entry(kX64, "10.0.18362.1 (WinBuild.160101.0800)", 50000, {{"1909", {{"BASE", ""}}}});
  doc[Sha256Hex("arm")] =
      Entry(kArm64, "10.0.19041.1151 (WinBuild.160101.0800)", 60000, {{"2004", {{"KB5005033", "19041.1151"}}}});
  return doc.dump();
}

ImportOptions Win(const std::string& version, const std::string& arch, const std::string& ubr = "") {
  ImportOptions o;
  o.windows_version = version;
  o.arch = arch;
  o.ubr = ubr;
  return o;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Hexes(const ManifestEntry& e) {
  std::string s = ToHex(e.sha256);
  for (const AcceptedCopy& a : e.alternatives) s += " " + ToHex(a.sha256);
  return s;
}

TEST_CASE("winbindex: newest version is the main hash, the others alternatives, newest first") {
  Manifest m = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64")));
  CHECK(m.format == ManifestFormat::kNative);
  REQUIRE(m.entries.size() == 1);
  const ManifestEntry& e = m.entries[0];
  CHECK(e.path == "WINDOWS/System32/svchost.exe");
  CHECK(ToHex(e.sha256) == kB);  // 1151
  CHECK(e.size == 52000);
  CHECK(e.version == "10.0.19041.1151");  // without the " (WinBuild...)" suffix
  REQUIRE(e.alternatives.size() == 2);
  CHECK(ToHex(e.alternatives[0].sha256) == kC);  // 1110
  CHECK(e.alternatives[0].size == 51500);
  CHECK(ToHex(e.alternatives[1].sha256) == kA);  // 985: numeric, not text order
  CHECK(e.alternatives[1].size == 51000);
  // x86, arm64 and 1909-only files are not among them.
  CHECK_FALSE(Contains(Hexes(e), kD));
  CHECK_FALSE(Contains(Hexes(e), kE));
  CHECK_FALSE(Contains(Hexes(e), Sha256Hex("arm")));
}

TEST_CASE("winbindex: machine type filter") {
  Manifest x86 = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x86")));
  REQUIRE(x86.entries.size() == 1);
  CHECK(ToHex(x86.entries[0].sha256) == kD);
  CHECK(x86.entries[0].alternatives.empty());
  CHECK(x86.entries[0].size == 40000);
  Manifest arm = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "arm64")));
  REQUIRE(arm.entries.size() == 1);
  CHECK(ToHex(arm.entries[0].sha256) == Sha256Hex("arm"));
  std::string bad = Error(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "amd64")));
  CHECK(Contains(bad, "arch"));
  CHECK_FALSE(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "")).ok());
}

TEST_CASE("winbindex: windows version filter") {
  Manifest h2 = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("20H2", "x64")));
  REQUIRE(h2.entries.size() == 1);
  CHECK(ToHex(h2.entries[0].sha256) == kB);
  REQUIRE(h2.entries[0].alternatives.size() == 1);
  CHECK(ToHex(h2.entries[0].alternatives[0].sha256) == kA);
  Manifest old = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("1909", "x64")));
  REQUIRE(old.entries.size() == 1);
  CHECK(ToHex(old.entries[0].sha256) == kE);
  CHECK(old.entries[0].version == "10.0.18362.1");
  CHECK(old.entries[0].alternatives.empty());
  std::string need = Error(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("", "x64")));
  CHECK(Contains(need, "windows-version"));
}

TEST_CASE("winbindex: ubr filter against updateInfo.releaseVersion") {
  Manifest one = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64", "1110")));
  REQUIRE(one.entries.size() == 1);
  CHECK(ToHex(one.entries[0].sha256) == kC);
  CHECK(one.entries[0].alternatives.empty());

  Manifest range = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64", "1000-1200")));
  REQUIRE(range.entries.size() == 1);
  CHECK(ToHex(range.entries[0].sha256) == kB);
  REQUIRE(range.entries[0].alternatives.size() == 1);
  CHECK(ToHex(range.entries[0].alternatives[0].sha256) == kC);

  Manifest low = Ok(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64", "0-985")));
  REQUIRE(low.entries.size() == 1);
  CHECK(ToHex(low.entries[0].sha256) == kA);

  // Base builds have no updateInfo: a UBR filter leaves them out.
  std::string base = Error(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("1909", "x64", "0-99999")));
  CHECK(Contains(base, "UBR 0-99999"));

  CHECK(Contains(Error(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64", "abc"))), "ubr"));
  CHECK_FALSE(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64", "1-")).ok());
  CHECK_FALSE(ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("2004", "x64", "-5")).ok());
}

TEST_CASE("winbindex: a missing size becomes kUnknownSize, in the main hash and in alternatives") {
  json doc = json::object();
  doc[kA] = Entry(kX64, "10.0.22621.1", std::nullopt, {{"11-22H2", {{"BASE", ""}}}});
  doc[kB] = Entry(kX64, "10.0.22621.2", std::nullopt, {{"11-22H2", {{"KB1", "22621.2"}}}});
  Manifest m = Ok(ImportWinbindex(doc.dump(), "ntdll.dll.json", Win("11-22H2", "x64")));
  REQUIRE(m.entries.size() == 1);
  CHECK(ToHex(m.entries[0].sha256) == kB);
  CHECK(m.entries[0].size == kUnknownSize);
  CHECK_FALSE(m.entries[0].has_size());
  REQUIRE(m.entries[0].alternatives.size() == 1);
  CHECK(m.entries[0].alternatives[0].size == kUnknownSize);
  CHECK(m.entries[0].path == "WINDOWS/System32/ntdll.dll");
}

TEST_CASE("winbindex: the default path is WINDOWS/System32/<name without .json/.json.gz>, or the one given") {
  std::string j = SvchostJson();
  CHECK(Ok(ImportWinbindex(j, "svchost.exe.json", Win("2004", "x64"))).entries[0].path ==
        "WINDOWS/System32/svchost.exe");
  CHECK(Ok(ImportWinbindex(Gzip(j), "svchost.exe.json.gz", Win("2004", "x64"))).entries[0].path ==
        "WINDOWS/System32/svchost.exe");
  CHECK(Ok(ImportWinbindex(j, "/data/winbindex/by_filename_compressed/svchost.exe.json", Win("2004", "x64")))
            .entries[0]
            .path == "WINDOWS/System32/svchost.exe");
  ImportOptions o = Win("2004", "x64");
  o.path = "Windows\\SysWOW64\\svchost.exe";
  CHECK(Ok(ImportWinbindex(j, "svchost.exe.json", o)).entries[0].path == "Windows/SysWOW64/svchost.exe");
  o.path = "../svchost.exe";
  CHECK_FALSE(ImportWinbindex(j, "svchost.exe.json", o).ok());
}

TEST_CASE("winbindex: gzip input gives the same result; damaged gzip is refused") {
  std::string j = SvchostJson();
  Manifest plain = Ok(ImportWinbindex(j, "svchost.exe.json", Win("2004", "x64")));
  std::string gz = Gzip(j);
  REQUIRE(gz.size() > 20);
  CHECK(static_cast<uint8_t>(gz[0]) == 0x1f);
  Manifest zipped = Ok(ImportWinbindex(gz, "svchost.exe.json.gz", Win("2004", "x64")));
  REQUIRE(zipped.entries.size() == 1);
  CHECK(Hexes(zipped.entries[0]) == Hexes(plain.entries[0]));
  CHECK(zipped.entries[0].version == plain.entries[0].version);

  std::string cut = Error(ImportWinbindex(gz.substr(0, gz.size() / 2), "cut.json.gz", Win("2004", "x64")));
  CHECK(Contains(cut, "cut.json.gz"));
  std::string garbage = gz.substr(0, 10) + std::string(50, 'x');
  CHECK(Contains(Error(ImportWinbindex(garbage, "bad.json.gz", Win("2004", "x64"))), "bad.json.gz"));
}

TEST_CASE("winbindex: no match -> not found, listing the Windows versions present") {
  Result<Manifest> r = ImportWinbindex(SvchostJson(), "svchost.exe.json", Win("21H2", "x64"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  const std::string& m = r.status().message();
  CHECK(Contains(m, "svchost.exe.json"));
  CHECK(Contains(m, "21H2"));
  CHECK(Contains(m, "x64"));
  CHECK(Contains(m, "1909"));
  CHECK(Contains(m, "2004"));
  CHECK(Contains(m, "20H2"));

  // A version present, but not for this architecture: still not found.
  json doc = json::object();
  doc[kA] = Entry(kX86, "10.0.1", 5, {{"2004", {{"KB1", "19041.1"}}}});
  Result<Manifest> arch = ImportWinbindex(doc.dump(), "x.dll.json", Win("2004", "x64"));
  REQUIRE_FALSE(arch.ok());
  CHECK(arch.status().code() == Status::Code::kNotFound);
  CHECK(Contains(arch.status().message(), "2004"));
}

TEST_CASE("winbindex: not JSON, or JSON of another shape, is refused") {
  std::string a = Error(ImportWinbindex("<html>rate limited</html>", "svchost.exe.json", Win("2004", "x64")));
  CHECK(Contains(a, "svchost.exe.json"));
  CHECK(Contains(a, "not Winbindex JSON"));
  CHECK(Contains(Error(ImportWinbindex("[1,2,3]", "arr.json", Win("2004", "x64"))), "not Winbindex JSON"));
  CHECK(Contains(Error(ImportWinbindex("{\"a\": ", "cut.json", Win("2004", "x64"))), "not Winbindex JSON"));
  CHECK_FALSE(ImportWinbindex("", "empty.json", Win("2004", "x64")).ok());
  // An object whose keys are not SHA-256 digests.
  json doc = json::object();
  doc["not-a-hash"] = Entry(kX64, "10.0.1", 5, {{"2004", {{"KB1", "19041.1"}}}});
  std::string key = Error(ImportWinbindex(doc.dump(), "k.json", Win("2004", "x64")));
  CHECK(Contains(key, "not-a-hash"));
  // Entries without fileInfo/windowsVersions are skipped, leaving nothing.
  CHECK(!ImportWinbindex("{\"" + kA + "\": {\"x\": 1}}", "odd.json", Win("2004", "x64")).ok());
}

TEST_CASE("winbindex: equal versions order by hash, entries without a version come last") {
  json doc = json::object();
  doc[kC] = Entry(kX64, "", 3, {{"2004", {{"KB0", "19041.1"}}}});
  doc[kB] = Entry(kX64, "10.0.19041.5", 2, {{"2004", {{"KB1", "19041.5"}}}});
  doc[kA] = Entry(kX64, "10.0.19041.5", 1, {{"2004", {{"KB2", "19041.5"}}}});
  Manifest m = Ok(ImportWinbindex(doc.dump(), "f.dll.json", Win("2004", "x64")));
  REQUIRE(m.entries.size() == 1);
  std::string lo = std::min(kA, kB), hi = std::max(kA, kB);
  CHECK(ToHex(m.entries[0].sha256) == lo);
  REQUIRE(m.entries[0].alternatives.size() == 2);
  CHECK(ToHex(m.entries[0].alternatives[0].sha256) == hi);
  CHECK(ToHex(m.entries[0].alternatives[1].sha256) == kC);
}

}  // namespace
}  // namespace lifeboat
