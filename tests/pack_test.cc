// Tests for recovery/pack.cc: build a pack from a directory, read it back as
// a source (by content, whatever its name), dedup, and every way a pack can be
// damaged or lie: a flipped byte, a truncated file, a lying index, not a pack.
#include "recovery/pack.h"

#include <doctest/doctest.h>
#include <dirent.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

std::string Compressible(size_t n, const std::string& word) {
  std::string s;
  while (s.size() < n) s += "lifeboat " + word + " ";
  s.resize(n);
  return s;
}

struct Built {
  std::string path;
  PackBuildResult result;
};

// Writes `files` under t/src, a manifest for `manifest_files`, and builds t/name from t/src.
Built BuildFrom(const TempDir& t, const std::vector<std::pair<std::string, std::string>>& files,
                const std::vector<std::pair<std::string, std::string>>& manifest_files,
                const std::string& name = "payload.lbpack") {
  for (const auto& [path, content] : files) WriteFile(t / ("src/" + path), content);
  Manifest m = test::MakeManifest(manifest_files);
  std::vector<std::unique_ptr<Source>> sources;
  Result<std::unique_ptr<Source>> src = OpenSource(t / "src");
  REQUIRE(src.ok());
  sources.push_back(std::move(src).value());
  CancelToken cancel;
  Result<PackBuildResult> r = BuildPack(m, sources, t / name, PackBuildOptions{}, NullProgress(), cancel);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return Built{t / name, *r};
}

struct Seen {
  std::map<std::string, Digest> hashed;
  std::vector<std::string> warnings;
};

Seen SurveyAll(Source& s) {
  Seen seen;
  CancelToken cancel;
  Status st = s.Survey([](const Candidate&) { return true; }, [](const Candidate& c) { return c.size; },
                       [&](const Candidate& c, const Digest& d, uint64_t) {
                         seen.hashed[c.name] = d;
                         return true;
                       },
                       NullProgress(), cancel);
  CHECK(st.ok());
  seen.warnings = s.warnings();
  return seen;
}

std::vector<Candidate> CandidatesOf(Source& s) {
  std::vector<Candidate> all;
  CancelToken cancel;
  (void)s.Survey([&](const Candidate& c) { all.push_back(c); return false; }, [](const Candidate& c) { return c.size; },
                 [](const Candidate&, const Digest&, uint64_t) { return true; }, NullProgress(), cancel);
  return all;
}

std::map<std::string, std::string> FetchAll(Source& s) {
  std::map<std::string, std::string> out;
  CancelToken cancel;
  Status st = s.Fetch(CandidatesOf(s), [&](const Candidate& c, ByteReader& in) {
    Result<std::string> data = ReadAll(in, 1 << 30, c.name);
    if (data.ok()) out[c.name] = *data;
  }, cancel);
  CHECK(st.ok());
  return out;
}

PackIndex IndexOf(const std::string& path) {
  Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(path);
  REQUIRE(f.ok());
  Result<PackIndex> idx = ReadPackIndex(**f, path);
  REQUIRE_MESSAGE(idx.ok(), idx.status().message());
  return *idx;
}

// Rewrites the index JSON in place through `edit`; the new text is padded
// with spaces (valid JSON) to the old length, so nothing else moves.
void EditIndex(const std::string& path, const std::function<void(nlohmann::ordered_json&)>& edit) {
  std::string data = test::ReadFile(path);
  uint64_t size = std::stoull(data.substr(124, 11), nullptr, 8);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(data.substr(512, size));
  edit(j);
  std::string text = j.dump();
  REQUIRE(text.size() <= size);
  text.resize(size, ' ');
  data.replace(512, size, text);
  WriteFile(path, data);
}

const std::string kSvchost = Compressible(14336, "svchost.exe 5.1.2600.5512");
const std::string kKernel = Compressible(98304, "kernel32.dll 5.1.2600.5512");
const std::string kRandom = test::RandomBytes(40000, 7);  // does not compress: stored

TEST_CASE("pack round trip: build from a directory, open by content, survey and fetch equal contents") {
  TempDir t;
  Built b = BuildFrom(t, {{"i386/svchost.exe", kSvchost}, {"i386/kernel32.dll", kKernel}, {"i386/hal.dll", kRandom},
                          {"i386/other.txt", "not needed"}},
                      {{"WINDOWS/system32/svchost.exe", kSvchost},
                       {"WINDOWS/system32/kernel32.dll", kKernel},
                       {"WINDOWS/system32/hal.dll", kRandom}},
                      "payload.bin");  // not named .lbpack: recognised by content
  CHECK(b.result.entries == 3);
  CHECK(b.result.covered == 3);
  CHECK(b.result.objects == 3);
  CHECK(b.result.uncovered.empty());
  CHECK(b.result.content_bytes == kSvchost.size() + kKernel.size() + kRandom.size());
  CHECK(b.result.stored_bytes < b.result.content_bytes);

  PackIndex idx = IndexOf(b.path);
  REQUIRE(idx.objects.size() == 3);
  for (const PackObject& o : idx.objects) {
    CAPTURE(o.paths.front());
    CHECK(o.deflated == (o.paths.front() != "WINDOWS/system32/hal.dll"));
    if (!o.deflated) CHECK(o.stored_size == o.size);
  }
  CHECK(idx.manifest == "test-manifest");

  Result<std::unique_ptr<Source>> src = OpenSource(b.path);
  REQUIRE(src.ok());
  CHECK((*src)->label() == "payload.bin");
  Seen seen = SurveyAll(**src);
  CHECK(seen.warnings.empty());
  CHECK(seen.hashed.size() == 3);
  CHECK(seen.hashed["WINDOWS/system32/svchost.exe"] == Sha256::Of(kSvchost));
  CHECK(seen.hashed["WINDOWS/system32/hal.dll"] == Sha256::Of(kRandom));
  std::map<std::string, std::string> got = FetchAll(**src);
  CHECK(got["WINDOWS/system32/svchost.exe"] == kSvchost);
  CHECK(got["WINDOWS/system32/kernel32.dll"] == kKernel);
  CHECK(got["WINDOWS/system32/hal.dll"] == kRandom);

  // Only the pack remains: no temp or scratch files next to it.
  DIR* d = opendir(t.path().c_str());
  REQUIRE(d);
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"payload.bin", "src"});
}

TEST_CASE("pack dedups by content: two paths, one object; the shallowest path names it") {
  TempDir t;
  Built b = BuildFrom(t, {{"svchost.exe", kSvchost}},
                      {{"WINDOWS/system32/dllcache/svchost.exe", kSvchost}, {"WINDOWS/system32/svchost.exe", kSvchost}});
  CHECK(b.result.covered == 2);
  CHECK(b.result.objects == 1);
  PackIndex idx = IndexOf(b.path);
  REQUIRE(idx.objects.size() == 1);
  CHECK(idx.objects[0].paths ==
        std::vector<std::string>{"WINDOWS/system32/svchost.exe", "WINDOWS/system32/dllcache/svchost.exe"});
  CHECK(idx.objects[0].sha256 == Sha256::Of(kSvchost));
}

TEST_CASE("pack index escapes names: quotes and non-ASCII kept, invalid UTF-8 replaced, the index still parses") {
  TempDir t;
  Built b = BuildFrom(t, {{"x", kSvchost}},
                      {{"WINDOWS/q\"uote \xc3\xa9 \xff\xc3.dll", kSvchost}});
  PackIndex idx = IndexOf(b.path);
  REQUIRE(idx.objects.size() == 1);
  CHECK(idx.objects[0].paths == std::vector<std::string>{"WINDOWS/q\"uote \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd.dll"});
}

TEST_CASE("pack build: entries without a copy are listed and the pack is still written; no overwrite without force") {
  TempDir t;
  Built b = BuildFrom(t, {{"svchost.exe", kSvchost}, {"decoy.dll", std::string(kKernel.size(), 'x')}},
                      {{"WINDOWS/system32/svchost.exe", kSvchost}, {"WINDOWS/system32/kernel32.dll", kKernel}});
  CHECK(b.result.covered == 1);
  CHECK(b.result.uncovered == std::vector<std::string>{"WINDOWS/system32/kernel32.dll"});
  CHECK(IndexOf(b.path).objects.size() == 1);

  Manifest m = test::MakeManifest({{"WINDOWS/system32/svchost.exe", kSvchost}});
  m.name = "other-manifest";
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(OpenSource(t / "src")).value());
  CancelToken cancel;
  std::string before = test::ReadFile(b.path);
  Result<PackBuildResult> again = BuildPack(m, sources, b.path, PackBuildOptions{}, NullProgress(), cancel);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Status::Code::kExists);
  CHECK(test::ReadFile(b.path) == before);
  PackBuildOptions force;
  force.force = true;
  again = BuildPack(m, sources, b.path, force, NullProgress(), cancel);
  REQUIRE(again.ok());
  CHECK(again->covered == 1);
  CHECK(test::ReadFile(b.path) != before);
}

TEST_CASE("a flipped byte inside an object: damaged warning, never offered; verify names it") {
  TempDir t;
  for (bool stored : {true, false}) {
    CAPTURE(stored);
    const std::string& content = stored ? kRandom : kKernel;
    Built b = BuildFrom(t, {{stored ? "a" : "b", content}}, {{"WINDOWS/system32/x.dll", content}},
                        stored ? "s.lbpack" : "d.lbpack");
    PackIndex idx = IndexOf(b.path);
    REQUIRE(idx.objects.size() == 1);
    CHECK(idx.objects[0].deflated == !stored);
    std::string data = test::ReadFile(b.path);
    size_t at = idx.data_start + idx.objects[0].offset + 512 + idx.objects[0].stored_size / 2;
    data[at] = static_cast<char>(data[at] ^ 0x01);
    WriteFile(b.path, data);

    Result<std::unique_ptr<Source>> src = OpenSource(b.path);
    REQUIRE(src.ok());
    Seen seen = SurveyAll(**src);
    CHECK(seen.hashed.empty());
    REQUIRE(seen.warnings.size() == 1);
    std::string sha = ToHex(Sha256::Of(content));
    CHECK(seen.warnings[0].find("object " + sha) != std::string::npos);
    if (stored)  // a deflate stream usually notices first (its own checksum)
      CHECK(seen.warnings[0].find("is damaged (content does not match its address)") != std::string::npos);
    // A second survey (the planner's unsized round, `sources`' per-source plans) does not read or warn again.
    seen = SurveyAll(**src);
    CHECK(seen.hashed.empty());
    CHECK(seen.warnings.size() == 1);

    Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(b.path);
    REQUIRE(f.ok());
    CancelToken cancel;
    Status v = VerifyPackObject(**f, idx, 0, NullProgress(), cancel);
    CHECK_FALSE(v.ok());
    CHECK(v.message().find(sha) != std::string::npos);
  }
}

TEST_CASE("a truncated pack: objects before the cut still serve, the cut one is a warning; a cut index is an error") {
  TempDir t;
  Built b = BuildFrom(t, {{"a", kSvchost}, {"b", kRandom}},
                      {{"WINDOWS/system32/svchost.exe", kSvchost}, {"WINDOWS/system32/hal.dll", kRandom}});
  PackIndex idx = IndexOf(b.path);
  REQUIRE(idx.objects.size() == 2);
  const PackObject& last = idx.objects[1];
  std::string data = test::ReadFile(b.path);
  WriteFile(b.path, data.substr(0, idx.data_start + last.offset + 512 + last.stored_size / 2));
  Result<std::unique_ptr<Source>> src = OpenSource(b.path);
  REQUIRE(src.ok());
  Seen seen = SurveyAll(**src);
  CHECK(seen.hashed.size() == 1);
  REQUIRE(seen.warnings.size() == 1);
  CHECK(seen.warnings[0].find("past the end of the pack") != std::string::npos);

  WriteFile(b.path, data.substr(0, 700));  // inside the index
  Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(b.path);
  REQUIRE(f.ok());
  Result<PackIndex> cut = ReadPackIndex(**f, "cut.lbpack");
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.status().message().find("truncated") != std::string::npos);
}

TEST_CASE("an index that lies: wrong offset, wrong sizes, overlapping objects, bad fields") {
  TempDir t;
  std::vector<std::pair<std::string, std::string>> files = {{"a", kSvchost}, {"b", kKernel}};
  std::vector<std::pair<std::string, std::string>> entries = {{"WINDOWS/system32/svchost.exe", kSvchost},
                                                              {"WINDOWS/system32/kernel32.dll", kKernel}};
  Built b = BuildFrom(t, files, entries);
  const std::string good = test::ReadFile(b.path);
  auto survey_warnings = [&](const std::function<void(nlohmann::ordered_json&)>& edit) {
    WriteFile(b.path, good);
    EditIndex(b.path, edit);
    Result<std::unique_ptr<Source>> src = OpenSource(b.path);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    return SurveyAll(**src);
  };

  SUBCASE("an offset that points at another object's header") {
    Seen s = survey_warnings([](nlohmann::ordered_json& j) {
      j["objects"][0]["offset"] = j["objects"][1]["offset"];
      j["objects"].erase(1);
    });
    CHECK(s.hashed.empty());
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].find("the tar header at its offset is not objects/") != std::string::npos);
  }
  SUBCASE("a declared size smaller than the content (a decompression bomb's lie)") {
    Seen s = survey_warnings([](nlohmann::ordered_json& j) {
      j["objects"][1]["size"] = j["objects"][1]["size"].get<uint64_t>() / 2;
    });
    CHECK(s.hashed.size() == 1);
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].find("decodes to more than its declared") != std::string::npos);
  }
  SUBCASE("a declared size larger than the content") {
    Seen s = survey_warnings([](nlohmann::ordered_json& j) { j["objects"][0]["size"] = 99999; });
    CHECK(s.hashed.size() == 1);
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].find("not its declared 99999") != std::string::npos);
  }
  SUBCASE("a stored size that differs from the tar header's") {
    Seen s = survey_warnings([](nlohmann::ordered_json& j) {
      j["objects"][0]["stored_size"] = j["objects"][0]["stored_size"].get<uint64_t>() - 1;
    });
    CHECK(s.hashed.size() == 1);
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].find("the tar header at its offset is not") != std::string::npos);
  }

  auto open_error = [&](const std::function<void(nlohmann::ordered_json&)>& edit) {
    WriteFile(b.path, good);
    EditIndex(b.path, edit);
    Result<std::unique_ptr<Source>> src = OpenSource(b.path);
    REQUIRE_FALSE(src.ok());
    CHECK(src.status().message().find("not a valid lifeboat pack") != std::string::npos);
    return src.status().message();
  };
  CHECK(open_error([](auto& j) { j["objects"][1]["offset"] = 0; }).find("overlaps") != std::string::npos);
  CHECK(open_error([](auto& j) { j["objects"][1]["offset"] = 513; }).find("not aligned") != std::string::npos);
  CHECK(open_error([](auto& j) { j["objects"][0]["sha256"] = "abc"; }).find("64 hex") != std::string::npos);
  CHECK(open_error([](auto& j) { j["objects"][0]["encoding"] = "lzma"; }).find("encoding") != std::string::npos);
  CHECK(open_error([](auto& j) { j["objects"][0]["paths"][0] = "../../etc/passwd"; }).find("clean relative") !=
        std::string::npos);
  CHECK(open_error([](auto& j) { j["format"] = "lifeboat.pack/9"; }).find("unknown format") != std::string::npos);
  CHECK(open_error([](auto& j) { j["objects"][0]["size"] = -1; }).find("must be numbers") != std::string::npos);
}

TEST_CASE("not a pack: other files are not mistaken for one; a pack header with garbage is an error") {
  TempDir t;
  WriteFile(t / "random.bin", test::RandomBytes(4096, 3));
  Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(t / "random.bin");
  REQUIRE(f.ok());
  Result<PackIndex> idx = ReadPackIndex(**f, "random.bin");
  REQUIRE_FALSE(idx.ok());
  CHECK(idx.status().message().find("the first member is not lifeboat-pack.json") != std::string::npos);
  CHECK_FALSE(LooksLikePack(test::ReadFile(t / "random.bin")));
  f = OpenRandomAccessFile(t / "missing");
  CHECK_FALSE(f.ok());

  // A pack whose index is not JSON: recognised as a pack, refused with a clear error.
  Built b = BuildFrom(t, {{"a", kSvchost}}, {{"WINDOWS/system32/svchost.exe", kSvchost}});
  std::string data = test::ReadFile(b.path);
  CHECK(LooksLikePack(data));
  data[512] = '#';
  WriteFile(b.path, data);
  Result<std::unique_ptr<Source>> src = OpenSource(b.path);
  REQUIRE_FALSE(src.ok());
  CHECK(src.status().message().find("the index is not a JSON object") != std::string::npos);
  // A header checksum that does not add up: not a pack (and not a tar libarchive reads either).
  data = test::ReadFile(b.path);
  data[0] = 'L';
  CHECK_FALSE(LooksLikePack(data));
}

// Counts the bytes a reader asks for.
class CountingFile final : public RandomAccessFile {
 public:
  CountingFile(std::unique_ptr<RandomAccessFile> f, uint64_t& read) : f_(std::move(f)), read_(read) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    Result<size_t> r = f_->ReadAt(offset, buf, n);
    if (r.ok()) read_ += *r;
    return r;
  }
  uint64_t size() const override { return f_->size(); }

 private:
  std::unique_ptr<RandomAccessFile> f_;
  uint64_t& read_;
};

TEST_CASE("opening and listing a pack reads the header and the index only; a survey reads only wanted objects") {
  TempDir t;
  std::string big = test::RandomBytes(4 << 20, 11);
  Built b = BuildFrom(t, {{"big", big}, {"small", kSvchost}},
                      {{"WINDOWS/big.dll", big}, {"WINDOWS/system32/svchost.exe", kSvchost}});
  PackIndex idx = IndexOf(b.path);
  uint64_t read = 0;
  Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(b.path);
  REQUIRE(f.ok());
  Result<std::unique_ptr<Source>> src =
      OpenPackSource(std::make_unique<CountingFile>(std::move(f).value(), read), b.path, "payload.lbpack");
  REQUIRE(src.ok());
  CHECK(read <= idx.data_start);
  CHECK(idx.data_start < 4096);
  std::vector<Candidate> all = CandidatesOf(**src);
  CHECK(all.size() == 2);
  CHECK(read <= idx.data_start);  // listing candidates costs nothing

  CancelToken cancel;
  std::map<std::string, Digest> hashed;
  (void)(*src)->Survey([](const Candidate& c) { return c.size == kSvchost.size(); },
                       [](const Candidate& c) { return c.size; },
                       [&](const Candidate& c, const Digest& d, uint64_t) { hashed[c.name] = d; return true; },
                       NullProgress(), cancel);
  CHECK(hashed.size() == 1);
  CHECK(read < 64 * 1024);  // the 4 MiB object was never read
}

}  // namespace
}  // namespace lifeboat
