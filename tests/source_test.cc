// Tests for recovery/source*.cc: directory and archive sources, the size
// filter, the byte limit against lying headers, and hostile member names.
#include "recovery/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <map>

#include "recovery/source_archive.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

// Writes an archive with libarchive: format "pax"+gzip, or "zip".
void WriteArchive(const std::string& path, const std::string& format,
                  const std::vector<std::pair<std::string, std::string>>& members) {
  struct archive* a = archive_write_new();
  if (format == "zip") {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
  }
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& [name, data] : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

struct Seen {
  std::vector<std::string> offered, hashed;
  std::map<std::string, Digest> digests;
};

Seen SurveyAll(Source& s, const std::function<bool(const Candidate&)>& want, uint64_t limit = UINT64_MAX - 1) {
  Seen seen;
  CancelToken cancel;
  Status st = s.Survey(
      [&](const Candidate& c) {
        seen.offered.push_back(c.name);
        return want(c);
      },
      [&](const Candidate&) { return limit; },
      [&](const Candidate& c, const Digest& d, uint64_t) {
        seen.hashed.push_back(c.name);
        seen.digests[c.name] = d;
        return true;
      },
      NullProgress(), cancel);
  CHECK(st.ok());
  return seen;
}

std::map<std::string, std::string> FetchAll(Source& s, const std::vector<Candidate>& wanted) {
  std::map<std::string, std::string> out;
  CancelToken cancel;
  Status st = s.Fetch(
      wanted,
      [&](const Candidate& c, ByteReader& in) {
        std::string data;
        char buf[4096];
        for (;;) {
          Result<size_t> n = in.Read(buf, sizeof buf);
          REQUIRE(n.ok());
          if (*n == 0) break;
          data.append(buf, *n);
        }
        out[c.name] = data;
      },
      cancel);
  CHECK(st.ok());
  return out;
}

TEST_CASE("directory source lists regular files, skips symlinks, hashes only what is wanted") {
  TempDir t, outside;
  WriteFile(t / "dllcache/svchost.exe", "svchost");
  WriteFile(t / "dllcache/sub/kernel32.dll", "kernel32!");
  WriteFile(outside / "secret", "do not read");
  REQUIRE(::symlink((outside.path() + "/secret").c_str(), (t / "dllcache/link.dll").c_str()) == 0);
  REQUIRE(::symlink(outside.path().c_str(), (t / "dllcache/linkdir").c_str()) == 0);
  Result<std::unique_ptr<Source>> src = OpenSource(t / "dllcache");
  REQUIRE(src.ok());
  CHECK((*src)->label() == "dllcache");
  Seen seen = SurveyAll(**src, [](const Candidate& c) { return c.size == 7; });
  CHECK(seen.offered == std::vector<std::string>{"sub/kernel32.dll", "svchost.exe"});
  CHECK(seen.hashed == std::vector<std::string>{"svchost.exe"});
  CHECK(seen.digests["svchost.exe"] == Sha256::Of("svchost"));
}

TEST_CASE("directory source fetch streams the requested candidates, by name") {
  TempDir t;
  WriteFile(t / "a", "AAA");
  WriteFile(t / "b", "BBBB");
  Result<std::unique_ptr<Source>> src = OpenSource(t.path());
  REQUIRE(src.ok());
  auto got = FetchAll(**src, {Candidate{1, 4, "b"}});
  CHECK(got.size() == 1);
  CHECK(got["b"] == "BBBB");
}

TEST_CASE("tar.gz and zip sources are read by content; member names are only labels") {
  TempDir t;
  for (std::string format : {"tar.gz", "zip"}) {
    CAPTURE(format);
    std::string path = t / ("payload." + format);
    WriteArchive(path, format == "zip" ? "zip" : "tar",
                 {{"i386/svchost.exe", "svchost"}, {"../../etc/passwd", "hostile"}, {"big.bin", std::string(5000, 'x')}});
    Result<std::unique_ptr<Source>> src = OpenSource(path);
    REQUIRE(src.ok());
    CHECK((*src)->label() == "payload." + format);
    Seen seen = SurveyAll(**src, [](const Candidate& c) { return c.size == 7 || c.name == "../../etc/passwd"; });
    CHECK(seen.offered.size() == 3);
    CHECK(seen.digests["i386/svchost.exe"] == Sha256::Of("svchost"));
    CHECK(seen.digests["../../etc/passwd"] == Sha256::Of("hostile"));
    CHECK_FALSE(test::Exists(t / "etc"));
    // A fresh Source over the same archive finds members by ordinal (a hard
    // link's candidate carries its target's ordinal); what it delivers is
    // verified by hash where it is written, so the name is only a label.
    Result<std::unique_ptr<Source>> again = OpenSource(path);
    REQUIRE(again.ok());
    auto got = FetchAll(**again, {Candidate{0, 7, "i386/svchost.exe"}, Candidate{2, 5000, "big.bin"},
                                  Candidate{1, 7, "a/label"}});
    CHECK(got.size() == 3);
    CHECK(got["i386/svchost.exe"] == "svchost");
    CHECK(got["big.bin"] == std::string(5000, 'x'));
    CHECK(got["a/label"] == "hostile");
  }
}

TEST_CASE("a member longer than the allowed bytes is never reported as hashed") {
  TempDir t;
  std::string path = t / "p.tar.gz";
  WriteArchive(path, "tar", {{"a", std::string(100, 'a')}});
  Result<std::unique_ptr<Source>> src = OpenSource(path);
  REQUIRE(src.ok());
  Seen seen = SurveyAll(**src, [](const Candidate&) { return true; }, /*limit=*/50);
  CHECK(seen.offered.size() == 1);
  CHECK(seen.hashed.empty());
}

TEST_CASE("a decompression bomb ends the walk, whether its member is hashed or skipped") {
  // 8 MiB of zeros gzip to ~8 KiB (1000 times); with the floor lowered to 1
  // MiB that is a bomb. Before it, a good member; after it, one never reached.
  TempDir t;
  std::string path = t / "bomb.tar.gz";
  WriteArchive(path, "tar", {{"good.dll", "good"}, {"bomb.dll", std::string(8 << 20, '\0')}, {"after.dll", "after"}});
  ArchiveLimits limits;
  limits.bomb_floor = 1 << 20;
  limits.bomb_ratio = 100;
  for (bool hash_bomb : {true, false}) {
    CAPTURE(hash_bomb);
    Result<std::unique_ptr<Source>> src = OpenArchiveSource(path, limits);
    REQUIRE(src.ok());
    std::vector<std::string> hashed;
    CancelToken cancel;
    Status st = (*src)->Survey([&](const Candidate& c) { return c.name != "bomb.dll" || hash_bomb; },
                               [](const Candidate&) { return UINT64_MAX - 1; },
                               [&](const Candidate& c, const Digest&, uint64_t) {
                                 hashed.push_back(c.name);
                                 return true;
                               },
                               NullProgress(), cancel);
    CHECK_FALSE(st.ok());
    CHECK(st.message().find("bomb.dll") != std::string::npos);
    CHECK(hashed == std::vector<std::string>{"good.dll"});
    std::string said = st.message();
    for (const std::string& w : (*src)->warnings()) said += "\n" + w;
    CHECK(said.find("decompression bomb") != std::string::npos);
  }
  // The default limits read it whole: 8 MiB is under the floor.
  Result<std::unique_ptr<Source>> src = OpenSource(path);
  REQUIRE(src.ok());
  Seen seen = SurveyAll(**src, [](const Candidate&) { return true; });
  CHECK(seen.hashed.size() == 3);
}

// A zip as a stream writes it (no central directory): member "a", flagged
// "sizes in a data descriptor", says `declared` bytes in its local header,
// while its data runs to that descriptor; then member "b". With a hidden
// member inside a's data (as archive_fuzz found), libarchive reading "a" to
// its descriptor finds "b" next, but skipping "a" (as Fetch does when not
// asked for it) skips `declared` bytes and finds the hidden member next, at
// the ordinal "b" had.
std::string StreamedZip(uint32_t declared, const std::string& a_data) {
  auto le = [](std::string& out, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  auto crc = [](const std::string& d) {
    return static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size())));
  };
  auto local = [&](const std::string& name, const std::string& data, uint16_t flags, uint32_t size) {
    std::string h = "PK\x03\x04";
    le(h, 20, 2), le(h, flags, 2), le(h, 0, 2), le(h, 0, 2), le(h, 0, 2);  // version, flags, stored, time, date
    le(h, flags ? 0 : crc(data), 4), le(h, size, 4), le(h, size, 4);
    le(h, static_cast<uint32_t>(name.size()), 2), le(h, 0, 2);
    return h + name + data;
  };
  std::string out = local("a", a_data, 8, declared);
  out += "PK\x07\x08";
  le(out, crc(a_data), 4), le(out, static_cast<uint32_t>(a_data.size()), 4);
  le(out, static_cast<uint32_t>(a_data.size()), 4);
  out += local("b", "BBBB", 0, 4);
  return out + "PK\x01\x02";  // where a central directory would start: the end for a streaming reader
}

std::string HiddenMember() { return "PK\x03\x04" + std::string(22, '\0') + "\x06" + std::string(3, '\0') + "hidden"; }

TEST_CASE("a member whose data does not match its declared size ends the archive source as damaged") {
  // Regression (archive_fuzz): Survey read "a" to its end and hashed "b" as
  // ordinal 1; Fetch, skipping "a", delivered the hidden member for it.
  TempDir t;
  struct Case {
    std::string file;
    uint32_t declared;
    std::string a_data;
    std::string warning;
  };
  for (const Case& k : {Case{"longer.zip", 4, "AAAA" + HiddenMember(), "longer than the 4 bytes"},
                        Case{"shorter.zip", 8, "AAAA", "shorter than the 8 bytes"}}) {
    CAPTURE(k.file);
    WriteFile(t / k.file, StreamedZip(k.declared, k.a_data));
    Result<std::unique_ptr<Source>> src = OpenSource(t / k.file);
    REQUIRE(src.ok());
    std::vector<std::string> hashed;
    CancelToken cancel;
    Status st = (*src)->Survey([](const Candidate&) { return true; },
                               [](const Candidate& c) { return c.size; },  // the planner's limit: the declared size
                               [&](const Candidate& c, const Digest&, uint64_t) {
                                 hashed.push_back(c.name);
                                 return true;
                               },
                               NullProgress(), cancel);
    CHECK_FALSE(st.ok());
    CHECK(st.message().find("damaged at a;") != std::string::npos);
    CHECK(hashed.empty());
    REQUIRE((*src)->warnings().size() == 1);
    CHECK((*src)->warnings()[0] == k.file + ":a: its data is " + k.warning + " its header says");
  }
  // The same zip with a's true size in its header is sound.
  WriteFile(t / "sound.zip", StreamedZip(4, "AAAA"));
  Result<std::unique_ptr<Source>> src = OpenSource(t / "sound.zip");
  REQUIRE(src.ok());
  Seen seen = SurveyAll(**src, [](const Candidate&) { return true; });
  CHECK(seen.hashed == std::vector<std::string>{"a", "b"});
  CHECK(seen.digests["b"] == Sha256::Of("BBBB"));
}

TEST_CASE("OpenSource refuses a missing path and a file that is not an archive") {
  TempDir t;
  CHECK_FALSE(OpenSource(t / "nope").ok());
  WriteFile(t / "plain.txt", "just text, not an archive\n");
  Result<std::unique_ptr<Source>> r = OpenSource(t / "plain.txt");
  CHECK_FALSE(r.ok());
  CHECK(r.status().message().find("not a readable archive") != std::string::npos);
}

}  // namespace
}  // namespace lifeboat
