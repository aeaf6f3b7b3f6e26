// Tests for recovery/source_wim.cc: the magic sniff, one candidate per blob
// across images, names with the image index, Fetch by id from a fresh
// source, and a WIM that cannot be opened failing only its own Survey. The
// WIMs are made with wimlib-imagex; without it these cases are skipped.
#include "recovery/source_wim.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

bool HaveWimlibImagex() { return std::system("command -v wimlib-imagex >/dev/null 2>&1") == 0; }

void Sh(const std::string& cmd) { REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0); }

struct Survey {
  Status status;
  std::vector<Candidate> offered;
  std::map<std::string, Digest> hashed;
};

Survey SurveyAll(Source& s, const std::function<bool(const Candidate&)>& want) {
  Survey out;
  CancelToken cancel;
  out.status = s.Survey(
      [&](const Candidate& c) {
        out.offered.push_back(c);
        return want(c);
      },
      [](const Candidate&) { return uint64_t{1} << 30; },
      [&](const Candidate& c, const Digest& d, uint64_t) {
        out.hashed[c.name] = d;
        return true;
      },
      NullProgress(), cancel);
  return out;
}

TEST_CASE("HasWimMagic: MSWIM and wimlib's pipable WLPWM, nothing else") {
  using namespace std::string_view_literals;
  CHECK(HasWimMagic("MSWIM\0\0\0\xd0\0\0\0"sv));
  CHECK(HasWimMagic("WLPWM\0\0\0"sv));
  CHECK_FALSE(HasWimMagic("MSWIM"sv));
  CHECK_FALSE(HasWimMagic("MSCF\0\0\0\0"sv));
  CHECK_FALSE(HasWimMagic(""sv));
}

TEST_CASE("a WIM's images: one candidate per distinct content, named by image and path; fetch by id") {
  if (!HaveWimlibImagex()) {
    MESSAGE("skipped: wimlib-imagex is missing (scripts/setup.sh installs it)");
    return;
  }
  TempDir t;
  std::string shared = test::RandomBytes(70000, 1), only2 = test::RandomBytes(5000, 2);
  WriteFile(t / "a/Windows/System32/kernel32.dll", shared);
  WriteFile(t / "a/Windows/System32/sub/copy.dll", shared);  // same content, another path
  WriteFile(t / "b/Windows/System32/kernel32.dll", shared);
  WriteFile(t / "b/Windows/System32/new.dll", only2);
  Sh("wimlib-imagex capture " + (t / "a") + " " + (t / "install.wim") + " one");
  Sh("wimlib-imagex append " + (t / "b") + " " + (t / "install.wim") + " two");

  Result<std::unique_ptr<Source>> src = OpenSource(t / "install.wim");  // sniffed, through OpenSource
  REQUIRE(src.ok());
  CHECK((*src)->label() == "install.wim");
  Survey s = SurveyAll(**src, [](const Candidate&) { return true; });
  REQUIRE(s.status.ok());
  std::vector<std::string> names;
  for (const Candidate& c : s.offered) names.push_back(c.name);
  // kernel32.dll's content is stored once: offered once, under the first image and path.
  CHECK(names == std::vector<std::string>{"1/Windows/System32/kernel32.dll", "2/Windows/System32/new.dll"});
  CHECK(s.offered[0].size == shared.size());
  CHECK(s.hashed["1/Windows/System32/kernel32.dll"] == Sha256::Of(shared));
  CHECK(s.hashed["2/Windows/System32/new.dll"] == Sha256::Of(only2));
  CHECK((*src)->warnings().empty());

  // A fresh source over the same file finds the candidate by id.
  Result<std::unique_ptr<Source>> again = OpenWimSource(t / "install.wim");
  REQUIRE(again.ok());
  std::map<std::string, std::string> got;
  CancelToken cancel;
  Status st = (*again)->Fetch({s.offered[1]}, [&](const Candidate& c, ByteReader& in) {
    Result<std::string> data = ReadAll(in, 1 << 20, c.name);
    REQUIRE(data.ok());
    got[c.name] = *data;
  }, cancel);
  CHECK(st.ok());
  CHECK(got.size() == 1);
  CHECK(got["2/Windows/System32/new.dll"] == only2);
}

TEST_CASE("a file with the WIM magic that wimlib cannot open fails its own Survey and Fetch, with wimlib's reason") {
  TempDir t;
  WriteFile(t / "bad.wim", std::string("MSWIM\0\0\0", 8) + test::RandomBytes(3000, 3));
  Result<std::unique_ptr<Source>> src = OpenSource(t / "bad.wim");
  REQUIRE(src.ok());  // the other sources of the run are still used
  Survey s = SurveyAll(**src, [](const Candidate&) { return true; });
  CHECK_FALSE(s.status.ok());
  CHECK(s.status.message().find("bad.wim is not a readable WIM image: ") != std::string::npos);
  CHECK(s.offered.empty());
  CancelToken cancel;
  Status f = (*src)->Fetch({Candidate{0, 1, "1/x"}}, [](const Candidate&, ByteReader&) { FAIL("delivered"); }, cancel);
  CHECK_FALSE(f.ok());
}

}  // namespace
}  // namespace lifeboat
