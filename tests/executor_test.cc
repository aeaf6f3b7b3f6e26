// Tests for recovery/executor.cc: verified atomic writes, backups, journal,
// failures that must not leave debris, and a crash at every operation.
#include "recovery/executor.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "recovery/journal.h"
#include "recovery/undo.h"
#include "recovery/workspace.h"
#include "tests/fault_fs.h"
#include "tests/scenario.h"

namespace lifeboat {
namespace {

using test::Scenario;

ExecuteResult Execute(FileSystem& fs, const Scenario& sc, const RepairPlan& plan, const std::string& run_id,
                      const CancelToken& cancel, uint64_t sequence = 1) {
  auto sources = sc.OpenSources();
  return ExecutePlan(fs, plan, sources, test::RunOptions(run_id, sequence), NullProgress(), cancel);
}

void UndoAll(FileSystem& fs) { CHECK(test::UndoAllRuns(fs).ok()); }

// After a run that failed or crashed: crash recovery and a second fix reach a
// healthy tree with no temp files, and undo of both runs gives back the
// damaged tree exactly. The second run's id sorts before the first run's, so
// undo's order must come from the sequence.
void HealThenUndo(const Scenario& sc, FileSystem& fs) {
  {
    auto lock = LockWorkspace(fs);
    REQUIRE(lock.ok());
    Result<std::vector<std::string>> notes = RecoverInterruptedRuns(fs, 1'800'000'050);
    REQUIRE(notes.ok());
    auto [scan2, plan2] = sc.ScanAndPlan(fs);
    CancelToken cancel;
    ExecuteResult r2 = Execute(fs, sc, plan2, "20260101-000000-0000", cancel, /*sequence=*/2);
    CHECK(r2.fatal.ok());
    CHECK(sc.Healthy());
    CHECK(sc.TempFiles().empty());
  }
  UndoAll(fs);
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
}

TEST_CASE("execute restores and replaces, keeps backups, journals every step") {
  Scenario sc;
  auto fs = sc.OpenTarget();
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  REQUIRE(plan.steps.size() == 7);  // 3 deleted + 3 corrupt + the help file
  REQUIRE(plan.mkdirs == std::vector<std::string>{"WINDOWS/Help/gone"});
  auto lock = LockWorkspace(*fs);
  REQUIRE(lock.ok());
  CancelToken cancel;
  ExecuteResult r = Execute(*fs, sc, plan, "20260101-000000-aaaa", cancel);
  CHECK(r.fatal.ok());
  CHECK_FALSE(r.cancelled);
  for (const StepResult& s : r.steps) CHECK(s.done);
  CHECK(sc.Healthy());
  CHECK(sc.TempFiles().empty());
  // Each replaced file's old content is in the backup folder.
  for (size_t k = 0; k < plan.steps.size(); ++k) {
    const RepairStep& s = plan.steps[k];
    if (s.kind != StepKind::kReplace) continue;
    std::string backup = sc.target + "/" + BackupPath("20260101-000000-aaaa", s.path);
    REQUIRE(test::Exists(backup));
    CHECK(test::Sha256Hex(test::ReadFile(backup)) == sc.damaged_state.at(s.path));
    CHECK(r.steps[k].backup == BackupPath("20260101-000000-aaaa", s.path));
  }
  Result<JournalContents> j = ReadJournal(*fs, JournalPath("20260101-000000-aaaa"));
  REQUIRE(j.ok());
  CHECK_FALSE(j->torn_tail);
  int begins = 0, dones = 0, mkdirs = 0;
  for (const JournalRecord& rec : j->records) {
    begins += rec.op == JournalRecord::Op::kBegin;
    dones += rec.op == JournalRecord::Op::kDone;
    mkdirs += rec.op == JournalRecord::Op::kMkdir;
  }
  CHECK(begins == 7);
  CHECK(dones == 7);
  CHECK(mkdirs == 1);
  CHECK(j->records.front().op == JournalRecord::Op::kRun);
  CHECK(j->records.back().op == JournalRecord::Op::kEnd);
}

TEST_CASE("a source that changes after planning is not written") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  // file0 is missing; its copy is payload/copy0.bin. Change it, same size.
  std::string copy = test::ReadFile(sc.source + "/copy0.bin");
  copy[0] ^= 1;
  test::WriteFile(sc.source + "/copy0.bin", copy);
  auto lock = LockWorkspace(*fs);
  CancelToken cancel;
  ExecuteResult r = Execute(*fs, sc, plan, "20260101-000000-bbbb", cancel);
  CHECK(r.fatal.ok());
  bool checked = false;
  for (size_t k = 0; k < plan.steps.size(); ++k) {
    if (plan.steps[k].path != "WINDOWS/system32/file0.dll") continue;
    checked = true;
    CHECK_FALSE(r.steps[k].done);
    CHECK(r.steps[k].message.find("the written copy does not match the manifest") != std::string::npos);
  }
  CHECK(checked);
  CHECK_FALSE(test::Exists(sc.target + "/WINDOWS/system32/file0.dll"));
  CHECK(sc.TempFiles().empty());
}

TEST_CASE("a source that grows after planning is cut off and not used") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  test::WriteFile(sc.source + "/copy0.bin", test::ReadFile(sc.source + "/copy0.bin") + std::string(1 << 20, 'x'));
  auto lock = LockWorkspace(*fs);
  CancelToken cancel;
  ExecuteResult r = Execute(*fs, sc, plan, "20260101-000000-bbbc", cancel);
  for (size_t k = 0; k < plan.steps.size(); ++k)
    if (plan.steps[k].path == "WINDOWS/system32/file0.dll") {
      CHECK_FALSE(r.steps[k].done);
      CHECK(r.steps[k].message.find("larger than when it was verified") != std::string::npos);
    }
  CHECK_FALSE(test::Exists(sc.target + "/WINDOWS/system32/file0.dll"));
  CHECK(sc.TempFiles().empty());
}

TEST_CASE("a file that appears at a restore path after the scan is left alone") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  test::WriteFile(sc.target + "/WINDOWS/system32/file0.dll", "someone else's file");
  auto lock = LockWorkspace(*fs);
  CancelToken cancel;
  ExecuteResult r = Execute(*fs, sc, plan, "20260101-000000-cccc", cancel);
  CHECK(test::ReadFile(sc.target + "/WINDOWS/system32/file0.dll") == "someone else's file");
  for (size_t k = 0; k < plan.steps.size(); ++k)
    if (plan.steps[k].path == "WINDOWS/system32/file0.dll") {
      CHECK_FALSE(r.steps[k].done);
      CHECK(r.steps[k].message.find("appeared since the scan") != std::string::npos);
    }
  CHECK(sc.TempFiles().empty());
}

TEST_CASE("disk full mid-run stops the run cleanly") {
  for (int nth : {3, 8, 15}) {
    CAPTURE(nth);
    Scenario sc;
    auto fs = sc.OpenTarget();
    auto [scan, plan] = sc.ScanAndPlan(*fs);
    auto lock = LockWorkspace(*fs);
    test::FaultFileSystem faulty(*fs);
    faulty.FailAt(nth, Status::FromErrno(ENOSPC, "write"));
    auto sources = sc.OpenSources();
    CancelToken cancel;
    ExecuteResult r = ExecutePlan(faulty, plan, sources, test::RunOptions("20260101-000000-dddd"), NullProgress(), cancel);
    REQUIRE(faulty.triggered());
    CHECK(r.fatal.code() == Status::Code::kNoSpace);
    CHECK(sc.TempFiles().empty());
    for (const auto& [path, content] : sc.good) {
      std::string c = sc.Classify(path, content);
      CHECK((c == "old" || c == "new" || c == "missing"));
    }
  }
}

TEST_CASE("a volume that fills mid-batch keeps every copy already written; known-bad files go first") {
  // ENOSPC at each temp file's creation in turn: every temp created before it
  // was complete, so that many steps must be done, each with the new content,
  // and the known-bad driver must already be in the backup folder.
  int creates = 0;
  for (int n = 1; n < 1000; ++n) {
    CAPTURE(n);
    Scenario sc(12, /*known_bad=*/true);
    auto fs = sc.OpenTarget();
    auto [scan, plan] = sc.ScanAndPlan(*fs);
    {
      auto lock = LockWorkspace(*fs);
      REQUIRE(lock.ok());
      test::FaultFileSystem faulty(*fs);
      faulty.FailAt(n, Status::FromErrno(ENOSPC, "create"));
      CancelToken cancel;
      ExecuteResult r = Execute(faulty, sc, plan, "20260101-000000-ffff", cancel);
      if (!faulty.triggered()) break;
      // Temp files only: the first create is the journal's, which stops the run before anything.
      if (faulty.triggered_op() != "create" || r.fatal.message().find("journal") != std::string::npos) continue;
      CAPTURE(creates);
      CHECK(r.fatal.code() == Status::Code::kNoSpace);
      CHECK(sc.TempFiles().empty());
      CHECK_FALSE(test::Exists(sc.target + "/" + Scenario::kKnownBadPath));
      CHECK(test::ReadFile(sc.target + "/" + BackupPath("20260101-000000-ffff", Scenario::kKnownBadPath)) ==
            "EVIL CHANNEL FILE");
      CHECK(test::Exists(sc.target + "/" + Scenario::kUnlistedPath));
      size_t done = 0;
      for (size_t i = 0; i < plan.steps.size(); ++i) {
        if (plan.steps[i].kind == StepKind::kRemove || !r.steps[i].done) continue;
        ++done;
        auto good = std::find_if(sc.good.begin(), sc.good.end(), [&](const auto& g) { return g.first == plan.steps[i].path; });
        REQUIRE(good != sc.good.end());
        CHECK(test::ReadFile(sc.target + "/" + plan.steps[i].path) == good->second);
      }
      CHECK(done == static_cast<size_t>(creates));
      for (size_t i = 0; i < plan.steps.size(); ++i)
        if (!r.steps[i].done) CHECK(r.steps[i].message.find("No space left") != std::string::npos);
      ++creates;
    }
    HealThenUndo(sc, *fs);
  }
  CHECK(creates == 9);  // 4 deleted + 4 corrupt + the help file
}

// A volume that fills up at the n-th temp file (0: never), where backup
// folders cannot be made durable (errno, 0: they can) and, optionally, hard
// links are unsupported (FAT).
class FullVolumeFs final : public test::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;
  int temp_create_fails_at = 0;
  int backup_sync_errno = 0;
  bool links = true;

  Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view p, uint32_t mode) override {
    if (p.ends_with(".lifeboat-tmp") && ++temp_creates_ == temp_create_fails_at)
      return Status::FromErrno(ENOSPC, "create " + std::string(p));
    return base_.CreateNew(p, mode);
  }
  Status SyncDir(std::string_view d) override {
    if (backup_sync_errno != 0 && d.starts_with("lifeboat/backup/"))
      return Status::FromErrno(backup_sync_errno, "fsync " + std::string(d));
    return base_.SyncDir(d);
  }
  Status Link(std::string_view a, std::string_view b) override {
    if (!links) return Status::Error(Status::Code::kUnsupported, "no hard links here");
    return base_.Link(a, b);
  }

 private:
  int temp_creates_ = 0;
};

TEST_CASE("backups that cannot be made durable stop every rename, also on a volume that filled up") {
  for (int err : {ENOSPC, EIO}) {
    for (int full_at : {0, 5}) {
      CAPTURE(err);
      CAPTURE(full_at);
      Scenario sc(12, /*known_bad=*/true);
      auto fs = sc.OpenTarget();
      auto [scan, plan] = sc.ScanAndPlan(*fs);
      auto lock = LockWorkspace(*fs);
      REQUIRE(lock.ok());
      FullVolumeFs faulty(*fs);
      faulty.temp_create_fails_at = full_at;
      faulty.backup_sync_errno = err;
      CancelToken cancel;
      ExecuteResult r = Execute(faulty, sc, plan, "20260101-000000-eeee", cancel);
      CHECK_FALSE(r.fatal.ok());
      // Not one file of the batch is renamed: the replaced ones still hold
      // their old content, the missing ones are still missing.
      for (size_t i = 0; i < plan.steps.size(); ++i) {
        if (plan.steps[i].kind == StepKind::kRemove) continue;
        CHECK_FALSE(r.steps[i].done);
      }
      std::map<std::string, std::string> now = test::TreeState(sc.target);
      for (const auto& [path, content] : sc.good) {
        INFO(path);
        auto before = sc.damaged_state.find(path);
        if (before == sc.damaged_state.end())
          CHECK(now.count(path) == 0);
        else
          CHECK(now[path] == before->second);
      }
      CHECK(sc.TempFiles().empty());
      UndoAll(*fs);
      CHECK(test::TreeState(sc.target) == sc.damaged_state);
    }
  }
}

TEST_CASE("a full volume without hard links makes no backup copies: those replacements wait") {
  Scenario sc(12, /*known_bad=*/true);
  auto fs = sc.OpenTarget();
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  auto lock = LockWorkspace(*fs);
  REQUIRE(lock.ok());
  FullVolumeFs faulty(*fs);
  faulty.temp_create_fails_at = 6;
  faulty.links = false;
  CancelToken cancel;
  ExecuteResult r = Execute(faulty, sc, plan, "20260101-000000-cccc", cancel);
  CHECK(r.fatal.code() == Status::Code::kNoSpace);
  size_t restored = 0, waiting = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    CAPTURE(plan.steps[i].path);
    switch (plan.steps[i].kind) {
      case StepKind::kRestore:
        restored += r.steps[i].done;
        break;
      case StepKind::kReplace:
        CHECK_FALSE(r.steps[i].done);
        if (r.steps[i].message.find("back up") != std::string::npos) ++waiting;
        CHECK_FALSE(test::Exists(sc.target + "/" + BackupPath("20260101-000000-cccc", plan.steps[i].path)));
        break;
      default:
        CHECK(r.steps[i].done);  // the known-bad file, moved aside by a rename
    }
  }
  CHECK(restored > 0);  // written before the volume filled, put in place
  CHECK(waiting > 0);   // written too, but no room for a backup copy
  CHECK(sc.TempFiles().empty());
  UndoAll(*fs);
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
}

TEST_CASE("crash at every operation: files are old or new, fix again heals, undo restores") {
  int crash_points = 0;
  for (int n = 1; n < 1000; ++n) {
    CAPTURE(n);
    Scenario sc(6, /*known_bad=*/true);
    auto fs = sc.OpenTarget();
    auto [scan, plan] = sc.ScanAndPlan(*fs);
    {
      auto lock = LockWorkspace(*fs);
      REQUIRE(lock.ok());
      test::FaultFileSystem faulty(*fs);
      faulty.CrashAt(n);
      auto sources = sc.OpenSources();
      CancelToken cancel;
      ExecutePlan(faulty, plan, sources, test::RunOptions("20260101-000000-0001"), NullProgress(), cancel);
      if (!faulty.triggered()) break;  // the run needed fewer than n operations
    }
    ++crash_points;
    // (a) never a partial file; the known-bad file is in place or in the backup
    for (const auto& [path, content] : sc.good) {
      std::string c = sc.Classify(path, content);
      INFO(path);
      CHECK((c == "old" || c == "new" || c == "missing"));
      if (c == "missing") CHECK(sc.damaged_state.count(path) == 0);
    }
    bool bad_in_place = test::Exists(sc.target + "/" + Scenario::kKnownBadPath);
    bool bad_in_backup =
        test::Exists(sc.target + "/" + BackupPath("20260101-000000-0001", Scenario::kKnownBadPath));
    CHECK(bad_in_place != bad_in_backup);
    CHECK(test::ReadFile(sc.target + "/" + Scenario::kUnlistedPath) == "a fine driver");
    // (b) fix again reaches healthy and leaves no temp files; (c) undo gives back the damaged tree
    HealThenUndo(sc, *fs);
  }
  MESSAGE("crash points covered: " << crash_points);
  CHECK(crash_points > 30);
}

}  // namespace
}  // namespace lifeboat
