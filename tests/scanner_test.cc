// Tests for recovery/scanner.cc: states, case-insensitive lookup, size
// shortcut, blocked paths, parallel hashing and cancellation.
#include "recovery/report.h"
#include "recovery/scanner.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "recovery/filesystem_posix.h"
#include "recovery/planner.h"
#include "recovery/source.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

using test::OpenFs;

class CountingSink : public ProgressSink {
 public:
  void Begin(Phase, uint64_t files, uint64_t bytes) override {
    total_files = files;
    total_bytes = bytes;
  }
  void Advance(uint64_t files, uint64_t bytes) override {
    done_files += files;
    done_bytes += bytes;
  }
  std::atomic<uint64_t> done_files{0}, done_bytes{0};
  uint64_t total_files = 0, total_bytes = 0;
};

TEST_CASE("scan classifies ok, missing, corrupt and size-mismatched files") {
  TempDir t;
  std::string good = test::RandomBytes(5000, 1), bad = test::RandomBytes(4000, 2);
  Manifest m = test::MakeManifest({{"WINDOWS/system32/svchost.exe", good},
                                   {"WINDOWS/system32/kernel32.dll", bad},
                                   {"WINDOWS/system32/ntdll.dll", bad},
                                   {"WINDOWS/system32/gone.dll", good}});
  WriteFile(t / "windows/System32/SVCHOST.EXE", good);  // other case on disk
  std::string flipped = bad;
  flipped[100] ^= 1;
  WriteFile(t / "windows/System32/kernel32.dll", flipped);         // same size, other hash
  WriteFile(t / "windows/System32/ntdll.dll", bad.substr(0, 10));  // truncated
  auto fs = OpenFs(t.path());
  CountingSink sink;
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{2}, sink, cancel);
  REQUIRE(r.findings.size() == 4);
  CHECK(r.findings[0].state == FindingState::kOk);
  CHECK(r.findings[0].disk_path == "windows/System32/SVCHOST.EXE");
  CHECK(r.findings[1].state == FindingState::kCorrupt);
  REQUIRE(r.findings[1].found.has_value());
  CHECK(*r.findings[1].found == Sha256::Of(flipped));
  CHECK(r.findings[2].state == FindingState::kCorrupt);
  CHECK_FALSE(r.findings[2].found.has_value());  // decided by size, not read
  CHECK(r.findings[2].message.find("size 10 bytes, expected 4000") != std::string::npos);
  CHECK(r.findings[3].state == FindingState::kMissing);
  CHECK(r.findings[3].disk_path == "windows/System32/gone.dll");
  CHECK(r.findings[3].existing_parts == 2);
  // Progress counts every entry and the manifest's sizes (a missing file is
  // done as soon as its name is looked up). The three files on disk were
  // opened, the size coming from fstat on the open file, but only the two
  // same-size files were read.
  CHECK(sink.total_files == 4);
  CHECK(sink.total_bytes == 18000);
  CHECK(sink.done_files == 4);
  CHECK(sink.done_bytes == 9000);
  CHECK_FALSE(r.cancelled);
}

TEST_CASE("scan hashes entries without a size (sha256sum manifests)") {
  TempDir t;
  std::string a = "alpha", b = "beta";
  Manifest m = test::MakeManifest({{"a.dll", a}, {"b.dll", b}}, /*with_sizes=*/false);
  WriteFile(t / "a.dll", a);
  WriteFile(t / "b.dll", "BETA");
  auto fs = OpenFs(t.path());
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), cancel);
  CHECK(r.findings[0].state == FindingState::kOk);
  CHECK(r.findings[1].state == FindingState::kCorrupt);
  CHECK(*r.findings[1].found == Sha256::Of("BETA"));
}

TEST_CASE("scan blocks a symlinked directory instead of following it") {
  TempDir outside, t;
  std::string content = "payload";
  WriteFile(outside / "system32/evil.dll", content);
  WriteFile(t / "WINDOWS/keep.txt", "x");
  REQUIRE(::symlink((outside.path() + "/system32").c_str(), (t / "WINDOWS/system32").c_str()) == 0);
  Manifest m = test::MakeManifest({{"WINDOWS/system32/evil.dll", content}});
  auto fs = OpenFs(t.path());
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{}, NullProgress(), cancel);
  CHECK(r.findings[0].state == FindingState::kBlocked);
  CHECK(r.findings[0].message.find("symbolic link") != std::string::npos);
}

TEST_CASE("parallel scan gives the same findings as a single thread") {
  TempDir t;
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 60; ++i) {
    std::string content = test::RandomBytes(1000 + i * 37, i);
    std::string path = "d" + std::to_string(i % 5) + "/f" + std::to_string(i) + ".dll";
    files.emplace_back(path, content);
    if (i % 7 == 0) content[0] ^= 0x55;
    if (i % 11 != 0) WriteFile(t / path, content);
  }
  Manifest m = test::MakeManifest(files);
  auto fs = OpenFs(t.path());
  CancelToken cancel;
  ScanResult one = ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), cancel);
  ScanResult four = ScanTarget(*fs, m, ScanOptions{4}, NullProgress(), cancel);
  int missing = 0, corrupt = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    CHECK(one.findings[i].state == four.findings[i].state);
    missing += one.findings[i].state == FindingState::kMissing;
    corrupt += one.findings[i].state == FindingState::kCorrupt;
  }
  CHECK(missing == 6);  // i = 0, 11, 22, 33, 44, 55
  CHECK(corrupt == 8);  // i = 7, 14, ..., 56 (0 is missing)
  // The same in windows of 1, 7 and 64 entries (a window ends mid-directory,
  // after a missing file, on the last entry).
  for (size_t w : {size_t{1}, size_t{7}, size_t{64}}) {
    CAPTURE(w);
    ScanOptions o;
    o.jobs = 3;
    o.window = w;
    ScanResult win = ScanTarget(*fs, m, o, NullProgress(), cancel);
    for (size_t i = 0; i < files.size(); ++i) {
      CHECK(win.findings[i].state == one.findings[i].state);
      CHECK(win.findings[i].found == one.findings[i].found);
    }
  }
}

TEST_CASE("a cancelled scan leaves unread files unchecked, never ok") {
  TempDir t;
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 20; ++i) {
    files.emplace_back("f" + std::to_string(i), test::RandomBytes(100, i));
    WriteFile(t / files.back().first, files.back().second);
  }
  Manifest m = test::MakeManifest(files);
  auto fs = OpenFs(t.path());
  CancelToken cancel;
  cancel.Cancel();
  ScanResult r = ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), cancel);
  CHECK(r.cancelled);
  for (const Finding& f : r.findings) CHECK(f.state == FindingState::kUnchecked);
}

}  // namespace
}  // namespace lifeboat

namespace lifeboat {
namespace {

TEST_CASE("alternative hashes: any listed content is ok, others are corrupt, sizes of alternatives count") {
  test::TempDir t;
  std::string v1 = "version one", v2 = "version two!", other = "version xxx!";
  Manifest m = test::MakeManifest({{"a.dll", v2}, {"b.dll", v2}, {"c.dll", v2}});
  for (size_t i = 0; i < m.entries.size(); ++i) {
    ManifestEntry e = m.entries[i];
    e.alternatives.push_back(AcceptedCopy{Sha256::Of(v1), v1.size()});
    m.entries.Set(i, e);
  }
  test::WriteFile(t / "a.dll", v1);     // the alternative, another size
  test::WriteFile(t / "b.dll", v2);     // the main one
  test::WriteFile(t / "c.dll", other);  // same size as v2, other content
  auto fs = test::OpenFs(t.path());
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{2}, NullProgress(), cancel);
  CHECK(r.findings[0].state == FindingState::kOk);
  CHECK(r.findings[1].state == FindingState::kOk);
  CHECK(r.findings[2].state == FindingState::kCorrupt);
}

TEST_CASE("forbid rules: listed bad content is known-bad, other content unlisted, sizes short-cut") {
  test::TempDir t;
  std::string bad = "BAD CHANNEL FILE";
  test::WriteFile(t / "Windows/System32/drivers/CrowdStrike/C-00000291-1.sys", bad);
  test::WriteFile(t / "Windows/System32/drivers/CrowdStrike/C-00000291-2.sys", "BAD channel file");  // same size
  test::WriteFile(t / "Windows/System32/drivers/CrowdStrike/C-00000291-3.sys", "much longer good file");
  test::WriteFile(t / "Windows/System32/drivers/CrowdStrike/C-00000290-1.sys", bad);  // outside the pattern
  test::WriteFile(t / "lifeboat/backup/r/Windows/System32/drivers/CrowdStrike/C-00000291-1.sys", bad);
  Manifest m;
  m.forbid.push_back(ForbidRule{"WINDOWS/system32/DRIVERS/crowdstrike/c-00000291*.sys", Sha256::Of(bad), bad.size(),
                                "cs", 5});
  auto fs = test::OpenFs(t.path());
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{2}, NullProgress(), cancel);
  REQUIRE(r.forbidden.size() == 3);  // lifeboat's own backup and C-00000290 are not candidates
  std::map<std::string, const ForbidFinding*> by_path;
  for (const ForbidFinding& f : r.forbidden) by_path[f.disk_path] = &f;
  const ForbidFinding* f1 = by_path["Windows/System32/drivers/CrowdStrike/C-00000291-1.sys"];
  const ForbidFinding* f2 = by_path["Windows/System32/drivers/CrowdStrike/C-00000291-2.sys"];
  const ForbidFinding* f3 = by_path["Windows/System32/drivers/CrowdStrike/C-00000291-3.sys"];
  REQUIRE((f1 && f2 && f3));
  CHECK(f1->state == ForbidState::kKnownBad);
  CHECK(f1->found == Sha256::Of(bad));
  CHECK(f1->message.find("cs") != std::string::npos);
  CHECK(f2->state == ForbidState::kUnlisted);
  CHECK(f2->found.has_value());   // same size: it had to be read
  CHECK(f3->state == ForbidState::kUnlisted);
  CHECK_FALSE(f3->found.has_value());  // other size: decided without reading
}

TEST_CASE("forbid patterns never follow symlinks") {
  test::TempDir t, outside;
  test::WriteFile(outside / "evil.sys", "BAD");
  test::WriteFile(t / "Windows/x", "x");
  REQUIRE(::symlink(outside.path().c_str(), (t / "Windows/drivers").c_str()) == 0);
  REQUIRE(::symlink((outside.path() + "/evil.sys").c_str(), (t / "Windows/evil.sys").c_str()) == 0);
  Manifest m;
  m.forbid.push_back(ForbidRule{"Windows/*/evil.sys", Sha256::Of("BAD"), kUnknownSize, "", 1});
  m.forbid.push_back(ForbidRule{"Windows/*.sys", Sha256::Of("BAD"), kUnknownSize, "", 2});
  auto fs = test::OpenFs(t.path());
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), cancel);
  CHECK(r.forbidden.empty());
}


TEST_CASE("findings: a missing file at the manifest's own spelling costs a slot, with its existing parts") {
  Findings f;
  f.resize(3);
  for (size_t parts : {size_t{0}, size_t{3}}) {
    Finding missing;
    missing.state = FindingState::kMissing;
    missing.existing_parts = parts;
    f.Set(parts == 0 ? 0 : 1, missing);
  }
  Finding deep;  // more existing parts than a slot holds: a record
  deep.state = FindingState::kMissing;
  deep.existing_parts = 100;
  f.Set(2, deep);
  CHECK(f.record(0) == nullptr);
  CHECK(f.record(1) == nullptr);
  CHECK(f.state(0) == FindingState::kMissing);
  CHECK(f[0].existing_parts == 0);
  CHECK(f[1].state == FindingState::kMissing);
  CHECK(f[1].existing_parts == 3);
  CHECK(f[1].disk_path.empty());
  REQUIRE(f.record(2) != nullptr);
  CHECK(f[2].existing_parts == 100);
}

TEST_CASE("a scan of a target where nothing exists makes no records; the plan restores at the manifest's paths") {
  TempDir t;
  std::string root = t / "win";
  std::filesystem::create_directories(root + "/WINDOWS");
  Manifest m = test::MakeManifest({{"WINDOWS/system32/a.dll", "a"}, {"WINDOWS/system32/drivers/b.sys", "b"},
                             {"Program Files/c.exe", "c"}});
  auto fs = OpenFs(root);
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), cancel);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(r.findings.state(i) == FindingState::kMissing);
    CHECK(r.findings.record(i) == nullptr);
  }
  CHECK(r.findings[0].existing_parts == 1);  // WINDOWS exists
  CHECK(r.findings[2].existing_parts == 0);
  WriteFile(t / "src/a.bin", "a");
  WriteFile(t / "src/b.bin", "b");
  WriteFile(t / "src/c.bin", "c");
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(OpenSource(t / "src").value());
  RepairPlan plan = PlanRepair(m, r, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 3);
  std::set<std::string> paths;
  for (const RepairStep& s : plan.steps) paths.insert(s.path);
  CHECK(paths == std::set<std::string>{"WINDOWS/system32/a.dll", "WINDOWS/system32/drivers/b.sys", "Program Files/c.exe"});
  CHECK(plan.mkdirs == std::vector<std::string>{"WINDOWS/system32", "WINDOWS/system32/drivers", "Program Files"});
}

TEST_CASE("findings: a plain ok costs a slot, not a record; everything else reads back whole") {
  Findings f;
  f.resize(4);
  CHECK(f.state(0) == FindingState::kOk);
  Finding missing;
  missing.state = FindingState::kMissing;
  missing.disk_path = "Windows/x.dll";
  missing.existing_parts = 1;
  f.Set(1, missing);
  f.SetPlainUnchecked(2);
  Finding ok_other_case;
  ok_other_case.state = FindingState::kOk;
  ok_other_case.disk_path = "windows/Y.DLL";
  f.Set(3, ok_other_case);
  CHECK(f.record(0) == nullptr);
  CHECK(f.record(2) == nullptr);
  REQUIRE(f.record(1) != nullptr);
  REQUIRE(f.record(3) != nullptr);
  CHECK(f[1].disk_path == "Windows/x.dll");
  CHECK(f[1].existing_parts == 1);
  CHECK(f[2].state == FindingState::kUnchecked);
  CHECK(f[3].disk_path == "windows/Y.DLL");
  // A record once made is updated in place, even by a plain result.
  Finding plain;
  plain.state = FindingState::kOk;
  f.Set(1, plain);
  CHECK(f.state(1) == FindingState::kOk);
  CHECK(f.record(1) != nullptr);
  Findings copy = f;
  int n = 0;
  for (const Finding& x : copy) n += x.state == FindingState::kOk;
  CHECK(n == 3);
}

TEST_CASE("a healthy tree of many files keeps no per-file records") {
  TempDir t;
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 300; ++i)
    files.push_back({"Windows/System32/f" + std::to_string(i) + ".dll", test::RandomBytes(100 + i, i)});
  files.push_back({"Windows/System32/other.dll", "abc"});
  Manifest m = test::MakeManifest(files);
  for (const auto& [path, data] : files) WriteFile(t / path, data);
  WriteFile(t / "Windows/System32/other.dll", "abd");
  auto fs = OpenFs(t.path());
  CountingSink sink;
  CancelToken cancel;
  ScanResult r = ScanTarget(*fs, m, ScanOptions{2}, sink, cancel);
  size_t records = 0;
  for (size_t i = 0; i < r.findings.size(); ++i) records += r.findings.record(i) != nullptr;
  CHECK(records == 1);
  CHECK(r.findings.state(300) == FindingState::kCorrupt);
  CHECK(r.findings[300].disk_path == "Windows/System32/other.dll");
  CHECK(r.findings[300].existing_parts == 3);
  RunReport no_ok = ScanReport(m, r, /*keep_ok=*/false);
  CHECK(no_ok.files.size() == 1);
  CHECK(no_ok.summary.ok == 300);
  RunReport all = ScanReport(m, r, /*keep_ok=*/true);
  CHECK(all.files.size() == 301);
  CHECK(all.summary.ok == 300);
  REQUIRE(all.files[0].found.has_value());
  CHECK(*all.files[0].found == Sha256::Of(files[0].second));
}


TEST_CASE("a target without any of the manifest's folders is refused as the wrong one") {
  Manifest m = test::MakeManifest({{"WINDOWS/system32/svchost.exe", "svchost"},
                                   {"WINDOWS/system32/drivers/tcpip.sys", "tcpip"},
                                   {"boot.ini", "[boot loader]"}});
  auto check = [&](const TempDir& t) {
    auto fs = OpenFs(t.path());
    CancelToken cancel;
    ScanResult r = ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), cancel);
    return CheckTargetHoldsManifest(m, r);
  };
  {
    TempDir empty;  // e.g. /mnt, where /mnt/win was meant; an unrelated folder beside does not count
    WriteFile(empty / "Documents/letter.txt", "x");
    Status s = check(empty);
    CHECK(s.code() == Status::Code::kConflict);
    CHECK(s.message().find("not even 'WINDOWS' of WINDOWS/system32/svchost.exe") != std::string::npos);
    CHECK(s.message().find("none of the manifest's 3 files") != std::string::npos);
  }
  {
    TempDir gutted;  // only the folder is left: a Windows to rebuild, not a wrong target
    std::filesystem::create_directories(gutted / "windows");
    CHECK(check(gutted).ok());
  }
  {
    TempDir root_file;  // a file at the root of the manifest is there
    WriteFile(root_file / "boot.ini", "something else");
    CHECK(check(root_file).ok());
  }
  {
    TempDir one;  // the DAT 5958 case: all but one file present
    WriteFile(one / "WINDOWS/system32/drivers/tcpip.sys", "tcpip");
    CHECK(check(one).ok());
  }
  // A manifest of root files only, or with no entries, tells nothing.
  Manifest root_only = test::MakeManifest({{"ntldr", "n"}, {"boot.ini", "b"}});
  TempDir empty;
  auto fs = OpenFs(empty.path());
  CancelToken cancel;
  CHECK(CheckTargetHoldsManifest(root_only, ScanTarget(*fs, root_only, ScanOptions{1}, NullProgress(), cancel)).ok());
  Manifest none = test::MakeManifest({});
  CHECK(CheckTargetHoldsManifest(none, ScanTarget(*fs, none, ScanOptions{1}, NullProgress(), cancel)).ok());
  // A cancelled scan says nothing either.
  CancelToken stopped;
  stopped.Cancel();
  CHECK(CheckTargetHoldsManifest(m, ScanTarget(*fs, m, ScanOptions{1}, NullProgress(), stopped)).ok());
}

}  // namespace
}  // namespace lifeboat
