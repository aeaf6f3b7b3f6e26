// Tests for recovery/planner.cc: content matching, the size filter, decoys,
// unsized entries, new directories and unrepairable entries.
#include "recovery/planner.h"

#include <doctest/doctest.h>

#include <map>

#include "recovery/rel_path.h"
#include "recovery/workspace.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

// An in-memory source that counts what it was asked to hash.
class FakeSource final : public Source {
 public:
  FakeSource(std::string label, std::vector<std::pair<std::string, std::string>> files)
      : label_(std::move(label)), files_(std::move(files)) {}
  const std::string& label() const override { return label_; }
  const std::string& location() const override { return label_; }
  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink&, const CancelToken&) override {
    for (size_t i = 0; i < files_.size(); ++i) {
      Candidate c{i, files_[i].second.size(), files_[i].first};
      if (!want(c)) continue;
      hashed_names.push_back(c.name);
      if (c.size > max_bytes(c)) continue;
      if (!hashed(c, Sha256::Of(files_[i].second), c.size)) break;
    }
    return Status::Ok();
  }
  Status Fetch(const std::vector<Candidate>&, const ConsumeFn&, const CancelToken&) override { return Status::Ok(); }
  std::vector<std::string> hashed_names;

 private:
  std::string label_;
  std::vector<std::pair<std::string, std::string>> files_;
};

Finding Missing(const std::string& path, size_t existing) {
  Finding f;
  f.state = FindingState::kMissing;
  f.disk_path = path;
  f.existing_parts = existing;
  return f;
}

TEST_CASE("a missing file is served by content, whatever the copy is called; decoys are ignored") {
  std::string svchost = test::RandomBytes(14336, 7);
  Manifest m = test::MakeManifest({{"WINDOWS/system32/svchost.exe", svchost}});
  ScanResult scan;
  scan.findings = {Missing("WINDOWS/system32/svchost.exe", 2)};
  std::string decoy = test::RandomBytes(14336, 8);  // right name and size, wrong content
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>("quarantine", std::vector<std::pair<std::string, std::string>>{
                                                                   {"svchost.exe", decoy}, {"tiny.txt", "x"}}));
  sources.push_back(std::make_unique<FakeSource>(
      "payload", std::vector<std::pair<std::string, std::string>>{{"i386/renamed.bin", svchost}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.unrepairable.empty());
  const RepairStep& s = plan.steps[0];
  CHECK(s.kind == StepKind::kRestore);
  CHECK(s.source == 1);
  CHECK(s.source_label == "payload:i386/renamed.bin");
  CHECK(s.path == "WINDOWS/system32/svchost.exe");
  CHECK(s.size == svchost.size());
  // The 1-byte file was never hashed: its size matches no entry.
  auto* q = static_cast<FakeSource*>(sources[0].get());
  CHECK(q->hashed_names == std::vector<std::string>{"svchost.exe"});
}

TEST_CASE("surveys stop once every entry has a copy") {
  std::string a = "content-a";
  Manifest m = test::MakeManifest({{"a.dll", a}});
  ScanResult scan;
  scan.findings = {Missing("a.dll", 0)};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>("one", std::vector<std::pair<std::string, std::string>>{
                                                            {"x", a}, {"y", "content-b"}}));
  sources.push_back(std::make_unique<FakeSource>("two", std::vector<std::pair<std::string, std::string>>{{"z", a}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 1);
  CHECK(static_cast<FakeSource*>(sources[0].get())->hashed_names == std::vector<std::string>{"x"});
  CHECK(static_cast<FakeSource*>(sources[1].get())->hashed_names.empty());
}

TEST_CASE("one copy serves every entry with the same content") {
  std::string dll = test::RandomBytes(300, 3);
  Manifest m = test::MakeManifest({{"WINDOWS/system32/a.dll", dll}, {"WINDOWS/system32/dllcache/a.dll", dll}});
  ScanResult scan;
  scan.findings = {Missing("WINDOWS/system32/a.dll", 2), Missing("WINDOWS/system32/dllcache/a.dll", 2)};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(
      std::make_unique<FakeSource>("usb", std::vector<std::pair<std::string, std::string>>{{"a.dll", dll}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].candidate.id == plan.steps[1].candidate.id);
  CHECK(plan.mkdirs == std::vector<std::string>{"WINDOWS/system32/dllcache"});
}

TEST_CASE("unsized entries: same-name candidates first, then everything else") {
  std::string good = "the real content";
  Manifest m = test::MakeManifest({{"WINDOWS/system32/svchost.exe", good}}, /*with_sizes=*/false);
  ScanResult scan;
  scan.findings = {Missing("WINDOWS/system32/svchost.exe", 2)};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>(
      "src", std::vector<std::pair<std::string, std::string>>{
                 {"a.bin", "noise"}, {"SVCHOST.EXE", "decoy with the right name"}, {"z.bin", good}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].source_label == "src:z.bin");
  auto* src = static_cast<FakeSource*>(sources[0].get());
  CHECK(src->hashed_names == std::vector<std::string>{"SVCHOST.EXE", "a.bin", "z.bin"});
}

TEST_CASE("new directories are created once, in the first spelling, parents first") {
  std::string a = "A", b = "BB";
  Manifest m = test::MakeManifest({{"WINDOWS/NewDir/Sub/a.dll", a}, {"windows/newdir/b.dll", b}});
  ScanResult scan;
  scan.findings = {Missing("Windows/NewDir/Sub/a.dll", 1), Missing("Windows/newdir/b.dll", 1)};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>("s", std::vector<std::pair<std::string, std::string>>{
                                                          {"1", a}, {"2", b}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  CHECK(plan.mkdirs == std::vector<std::string>{"Windows/NewDir", "Windows/NewDir/Sub"});
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].path == "Windows/NewDir/Sub/a.dll");
  CHECK(plan.steps[1].path == "Windows/NewDir/b.dll");
}

TEST_CASE("corrupt files become replace steps; blocked and unserved ones are unrepairable") {
  std::string a = "aaaa", b = "bbbb", c = "cccc";
  Manifest m = test::MakeManifest({{"a", a}, {"b", b}, {"c", c}});
  ScanResult scan;
  Finding corrupt;
  corrupt.state = FindingState::kCorrupt;
  corrupt.disk_path = "a";
  corrupt.existing_parts = 1;
  corrupt.found = Sha256::Of("AAAA");
  Finding blocked;
  blocked.state = FindingState::kBlocked;
  blocked.disk_path = "b";
  blocked.message = "'b' is a symbolic link";
  scan.findings = {corrupt, blocked, Missing("c", 0)};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>("s", std::vector<std::pair<std::string, std::string>>{{"x", a}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].kind == StepKind::kReplace);
  CHECK(plan.steps[0].old_digest == Sha256::Of("AAAA"));
  REQUIRE(plan.unrepairable.size() == 2);
  CHECK(plan.unrepairable[0].entry == 1);
  CHECK(plan.unrepairable[0].reason == "'b' is a symbolic link");
  CHECK(plan.unrepairable[1].entry == 2);
  CHECK(plan.unrepairable[1].reason == "no verified copy found in the sources");

  std::vector<std::unique_ptr<Source>> none;
  RepairPlan empty = PlanRepair(m, scan, none, NullProgress(), cancel);
  CHECK(empty.steps.empty());
  CHECK(empty.unrepairable.back().reason == "no verified copy: no --source given");
}

}  // namespace
}  // namespace lifeboat

namespace lifeboat {
namespace {

TEST_CASE("an entry with alternatives is served by any acceptable copy, and the step expects that copy") {
  std::string main_v = "main version", alt_v = "older version!";
  Manifest m = test::MakeManifest({{"a.dll", main_v}});
  ManifestEntry first = m.entries[0];
  first.alternatives.push_back(AcceptedCopy{Sha256::Of(alt_v), alt_v.size()});
  m.entries.Set(0, first);
  ScanResult scan;
  scan.findings = {Missing("a.dll", 0)};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>(
      "old-media", std::vector<std::pair<std::string, std::string>>{{"x", "unrelated"}, {"a.dl_", alt_v}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].expected == Sha256::Of(alt_v));
  CHECK(plan.steps[0].size == alt_v.size());
  // Only the alternative's size was worth hashing.
  CHECK(static_cast<FakeSource*>(sources[0].get())->hashed_names == std::vector<std::string>{"a.dl_"});
}

TEST_CASE("known-bad files become remove steps, unless the path is replaced anyway") {
  Manifest m = test::MakeManifest({{"Windows/a.sys", "good a"}});
  ScanResult scan;
  Finding corrupt;
  corrupt.state = FindingState::kCorrupt;
  corrupt.disk_path = "Windows/a.sys";
  corrupt.existing_parts = 2;
  corrupt.found = Sha256::Of("bad");
  scan.findings = {corrupt};
  ForbidFinding on_replaced, alone, unlisted;
  on_replaced.state = ForbidState::kKnownBad;
  on_replaced.disk_path = "WINDOWS/A.SYS";  // same file, other spelling
  on_replaced.found = Sha256::Of("bad");
  alone.state = ForbidState::kKnownBad;
  alone.disk_path = "Windows/b.sys";
  alone.found = Sha256::Of("bad");
  alone.size = 3;
  unlisted.state = ForbidState::kUnlisted;
  unlisted.disk_path = "Windows/c.sys";
  scan.forbidden = {on_replaced, alone, unlisted};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(
      std::make_unique<FakeSource>("s", std::vector<std::pair<std::string, std::string>>{{"a", "good a"}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].kind == StepKind::kReplace);
  const RepairStep& remove = plan.steps[1];
  CHECK(remove.kind == StepKind::kRemove);
  CHECK(remove.path == "Windows/b.sys");
  CHECK(remove.forbidden == 1);
  CHECK(remove.source == kNoSource);
  CHECK(remove.expected == Sha256::Of("bad"));
}

}  // namespace
}  // namespace lifeboat

namespace lifeboat {
namespace {

// Regression: a manifest path within 4096 bytes (names within 255) could
// still be too long once ".lifeboat-tmp" or "lifeboat/backup/<run>/" was
// added; fix created its directories, failed to write, and left a journal
// its own reader called damaged. A name that is not UTF-8 was journaled
// lossily, so undo could not put it back.
TEST_CASE("files lifeboat could not journal exactly are unrepairable, with no directories made") {
  std::string deep;
  while (deep.size() + 251 < 4070) deep += std::string(250, 'd') + "/";
  std::string long_path = deep + std::string(60, 'x');  // under 4096 bytes, no room for the backup prefix
  REQUIRE(long_path.size() < kMaxPathBytes);
  std::string long_name = "WINDOWS/" + std::string(250, 'n');  // a valid name; name.lifeboat-tmp is not
  std::string not_utf8 = "WINDOWS/\xFF\xFE.sys";
  Manifest m = test::MakeManifest({{long_path, "a"}, {long_name, "b"}, {"WINDOWS/ok.dll", "c"}});
  ScanResult scan;
  scan.findings = {Missing(long_path, 0), Missing(long_name, 1), Missing("WINDOWS/ok.dll", 1)};
  ForbidFinding bad;
  bad.state = ForbidState::kKnownBad;
  bad.disk_path = not_utf8;
  bad.found = Sha256::Of("bad");
  scan.forbidden = {bad};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>(
      "s", std::vector<std::pair<std::string, std::string>>{{"1", "a"}, {"2", "b"}, {"3", "c"}}));
  CancelToken cancel;
  RepairPlan plan = PlanRepair(m, scan, sources, NullProgress(), cancel);
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].path == "WINDOWS/ok.dll");
  CHECK(plan.mkdirs.empty());
  REQUIRE(plan.unrepairable.size() == 2);
  CHECK(plan.unrepairable[0].reason.find("too long for lifeboat's temp file and backup copy") != std::string::npos);
  CHECK(plan.unrepairable[1].entry == 1);
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("known-bad, not removed: its name is not valid UTF-8") != std::string::npos);
  CHECK(WorkPathProblem("WINDOWS/" + std::string(242, 'n')).empty());
  CHECK_FALSE(WorkPathProblem("WINDOWS/" + std::string(243, 'n')).empty());
}

}  // namespace
}  // namespace lifeboat
