// Tests for recovery/undo.cc: exact reversal, idempotence, conflicts, and a
// crash at every operation of the undo itself.
#include "recovery/undo.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include "recovery/executor.h"
#include "recovery/journal.h"
#include "recovery/workspace.h"
#include "tests/fault_fs.h"
#include "tests/scenario.h"

namespace lifeboat {
namespace {

using test::Scenario;

const char* kRun = "20260102-000000-abcd";

void Fix(const Scenario& sc, FileSystem& fs) {
  auto [scan, plan] = sc.ScanAndPlan(fs);
  auto lock = LockWorkspace(fs);
  REQUIRE(lock.ok());
  auto sources = sc.OpenSources();
  ExecuteOptions o = test::RunOptions(kRun);
  CancelToken cancel;
  ExecuteResult r = ExecutePlan(fs, plan, sources, o, NullProgress(), cancel);
  REQUIRE(r.fatal.ok());
  REQUIRE(sc.Healthy());
}

UndoResult Undo(FileSystem& fs, UndoPlan* out_plan = nullptr) {
  CancelToken cancel;
  Result<UndoPlan> plan = PlanUndo(fs, kRun, cancel);
  REQUIRE(plan.ok());
  if (out_plan) *out_plan = *plan;
  return ExecuteUndo(fs, *plan, 1'800'000'100, NullProgress(), cancel);
}

TEST_CASE("undo returns the tree byte for byte; a second undo is a no-op") {
  Scenario sc;
  auto fs = sc.OpenTarget();
  Fix(sc, *fs);
  UndoPlan plan;
  UndoResult r = Undo(*fs, &plan);
  CHECK(r.fatal.ok());
  CHECK(r.conflicts == 0);
  CHECK(r.reverted == 7);
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
  // The restored copies were moved aside, not deleted.
  CHECK(test::Exists(sc.target + "/" + UndoPath(kRun, "WINDOWS/system32/file0.dll")));
  CancelToken cancel;
  Result<UndoPlan> again = PlanUndo(*fs, kRun, cancel);
  REQUIRE(again.ok());
  CHECK(again->already_undone);
  CHECK(again->actions.empty());
}

TEST_CASE("a file changed after the fix is left alone and the run stays undoable") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  Fix(sc, *fs);
  std::string path = sc.target + "/WINDOWS/system32/file0.dll";  // restored by the fix
  std::string fixed = test::ReadFile(path);
  test::WriteFile(path, "edited by the user after the fix");
  UndoResult r = Undo(*fs);
  CHECK(r.conflicts == 1);
  CHECK(test::ReadFile(path) == "edited by the user after the fix");
  // The other changes were reverted.
  CHECK(sc.Classify("WINDOWS/system32/file1.dll", sc.good[1].second) == "old");
  CancelToken cancel;
  Result<UndoPlan> again = PlanUndo(*fs, kRun, cancel);
  REQUIRE(again.ok());
  CHECK_FALSE(again->already_undone);
  // Once the conflict is resolved, undo finishes the job.
  test::WriteFile(path, fixed);
  UndoResult r2 = Undo(*fs);
  CHECK(r2.conflicts == 0);
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
}

TEST_CASE("a missing backup is a conflict, never a deletion") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  Fix(sc, *fs);
  std::string replaced = "WINDOWS/system32/file1.dll";
  std::filesystem::remove(sc.target + "/" + BackupPath(kRun, replaced));
  UndoPlan plan;
  UndoResult r = Undo(*fs, &plan);
  CHECK(r.conflicts == 1);
  CHECK(sc.Classify(replaced, sc.good[1].second) == "new");  // still the good copy
  bool found = false;
  for (const UndoAction& a : plan.actions)
    if (a.kind == UndoAction::Kind::kConflict && a.path == replaced) {
      found = true;
      CHECK(a.message.find("backup") != std::string::npos);
    }
  CHECK(found);
}

TEST_CASE("undoing an older run does not take away what a later run wrote") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  // Run A (sequence 1) is interrupted before it writes anything; run B
  // (sequence 2) then repairs everything.
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  auto lock = LockWorkspace(*fs);
  REQUIRE(lock.ok());
  CancelToken cancel;
  {
    test::FaultFileSystem faulty(*fs);
    faulty.CrashAt(10);  // after its "begin" records, before any temp file
    auto sources = sc.OpenSources();
    ExecuteOptions o = test::RunOptions("20260102-000000-aaaa", 1);
    ExecutePlan(faulty, plan, sources, o, NullProgress(), cancel);
  }
  REQUIRE(RecoverInterruptedRuns(*fs, 1'800'000'000).ok());
  auto [scan2, plan2] = sc.ScanAndPlan(*fs);
  auto sources = sc.OpenSources();
  ExecuteOptions o = test::RunOptions("20260102-000000-0000", 2);  // sorts first; the sequence says it is later
  REQUIRE(ExecutePlan(*fs, plan2, sources, o, NullProgress(), cancel).fatal.ok());
  REQUIRE(sc.Healthy());
  Result<UndoPlan> older = PlanUndo(*fs, "20260102-000000-aaaa", cancel);
  REQUIRE(older.ok());
  size_t conflicts = 0;
  for (const UndoAction& a : older->actions)
    if (a.kind == UndoAction::Kind::kConflict) {
      ++conflicts;
      CHECK(a.message.find("later run 20260102-000000-0000") != std::string::npos);
    }
  CHECK(conflicts > 0);
  ExecuteUndo(*fs, *older, 1'800'000'100, NullProgress(), cancel);
  CHECK(sc.Healthy());  // nothing of run B was taken away
  Result<std::vector<RunInfo>> runs = ListRuns(*fs);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 2);
  CHECK(runs->back().run_id == "20260102-000000-0000");
}

TEST_CASE("without hard links, backups are copies and undo still restores the tree") {
  Scenario sc;
  auto fs = sc.OpenTarget();
  test::FaultFileSystem nolinks(*fs);
  nolinks.DisableLinks();
  auto [scan, plan] = sc.ScanAndPlan(nolinks);
  auto lock = LockWorkspace(nolinks);
  REQUIRE(lock.ok());
  auto sources = sc.OpenSources();
  ExecuteOptions o = test::RunOptions(kRun, 1);
  CancelToken cancel;
  ExecuteResult r = ExecutePlan(nolinks, plan, sources, o, NullProgress(), cancel);
  REQUIRE(r.fatal.ok());
  CHECK(sc.Healthy());
  for (const RepairStep& s : plan.steps) {
    if (s.kind != StepKind::kReplace) continue;
    std::string backup = sc.target + "/" + BackupPath(kRun, s.path);
    CHECK(test::Sha256Hex(test::ReadFile(backup)) == sc.damaged_state.at(s.path));
  }
  Result<UndoPlan> plan_undo = PlanUndo(nolinks, kRun, cancel);
  REQUIRE(plan_undo.ok());
  UndoResult u = ExecuteUndo(nolinks, *plan_undo, 1'800'000'100, NullProgress(), cancel);
  CHECK(u.conflicts == 0);
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
}

TEST_CASE("a user's file at a temp name survives fix, recovery and undo") {
  // Regression (review): undo and crash recovery unlinked whatever stood at
  // "<path>.lifeboat-tmp", even for a step that had failed because of it.
  Scenario sc(3);
  std::string user_file = sc.target + "/WINDOWS/system32/file0.dll.lifeboat-tmp";
  test::WriteFile(user_file, "the user's own data");
  auto fs = sc.OpenTarget();
  auto [scan, plan] = sc.ScanAndPlan(*fs);
  auto lock = LockWorkspace(*fs);
  REQUIRE(lock.ok());
  auto sources = sc.OpenSources();
  ExecuteOptions o = test::RunOptions(kRun, 1);
  CancelToken cancel;
  ExecuteResult r = ExecutePlan(*fs, plan, sources, o, NullProgress(), cancel);
  for (size_t k = 0; k < plan.steps.size(); ++k)
    if (plan.steps[k].path == "WINDOWS/system32/file0.dll") CHECK_FALSE(r.steps[k].done);
  CHECK(test::ReadFile(user_file) == "the user's own data");
  // The user now edits a file the failed step never touched: still no conflict.
  REQUIRE(RecoverInterruptedRuns(*fs, 1'800'000'000).ok());
  Result<UndoPlan> undo = PlanUndo(*fs, kRun, cancel);
  REQUIRE(undo.ok());
  UndoResult u = ExecuteUndo(*fs, *undo, 1'800'000'100, NullProgress(), cancel);
  CHECK(u.conflicts == 0);
  CHECK(test::ReadFile(user_file) == "the user's own data");
  std::map<std::string, std::string> expected = sc.damaged_state;
  expected["WINDOWS/system32/file0.dll.lifeboat-tmp"] = test::Sha256Hex("the user's own data");
  CHECK(test::TreeState(sc.target) == expected);
}

TEST_CASE("a hostile journal cannot make recovery or undo remove a system file") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  REQUIRE(LockWorkspace(*fs).ok());
  JournalRecord run;
  run.op = JournalRecord::Op::kRun;
  run.run_id = kRun;
  JournalRecord b;
  b.op = JournalRecord::Op::kBegin;
  b.kind = "restore";
  b.path = "WINDOWS/system32/x.dll";
  b.tmp = "WINDOWS/system32/file1.dll";  // not its temp name: an existing system file
  b.new_sha256 = Sha256::Of("x");
  JournalRecord recovered;
  recovered.op = JournalRecord::Op::kRecovered;
  test::WriteFile(sc.target + "/" + JournalPath(kRun),
                  EncodeJournalRecord(run) + EncodeJournalRecord(b) + EncodeJournalRecord(recovered));
  Result<std::vector<std::string>> notes = RecoverInterruptedRuns(*fs, 1'800'000'000);
  REQUIRE(notes.ok());
  CancelToken cancel;
  CHECK_FALSE(PlanUndo(*fs, kRun, cancel).ok());
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
}

TEST_CASE("a damaged journal counts as the newest run and blocks undoing older ones") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  Fix(sc, *fs);
  // A second journal, damaged in the middle (not a torn tail).
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  test::WriteFile(sc.target + "/" + JournalPath("20260101-000000-0000"),
                  "deadbeef {\"op\":\"run\"}\n" + EncodeJournalRecord(end));
  Result<std::vector<RunInfo>> runs = ListRuns(*fs);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 2);
  CHECK(runs->back().run_id == "20260101-000000-0000");  // sorts first by id, listed last
  CHECK_FALSE(runs->back().readable);
  CancelToken cancel;
  Result<UndoPlan> plan = PlanUndo(*fs, kRun, cancel);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().message().find("is damaged") != std::string::npos);
  CHECK(sc.Healthy());  // nothing was undone on a guess
  Result<uint64_t> next = NextRunSequence(*fs);
  REQUIRE(next.ok());
  CHECK(*next == 2);
}

TEST_CASE("undo of an unknown or malformed run id is refused") {
  Scenario sc(3);
  auto fs = sc.OpenTarget();
  CancelToken cancel;
  Result<UndoPlan> none = PlanUndo(*fs, "20990101-000000-ffff", cancel);
  CHECK(none.status().code() == Status::Code::kNotFound);
  Result<UndoPlan> bad = PlanUndo(*fs, "../../etc", cancel);
  CHECK(bad.status().code() == Status::Code::kInvalidInput);
}

TEST_CASE("a crash at any point of undo, then undo again, restores the tree") {
  int points = 0;
  for (int n = 1; n < 500; ++n) {
    CAPTURE(n);
    Scenario sc(4);
    auto fs = sc.OpenTarget();
    Fix(sc, *fs);
    {
      test::FaultFileSystem faulty(*fs);
      faulty.CrashAt(n);
      CancelToken cancel;
      Result<UndoPlan> plan = PlanUndo(faulty, kRun, cancel);
      REQUIRE(plan.ok());
      ExecuteUndo(faulty, *plan, 1'800'000'100, NullProgress(), cancel);
      if (!faulty.triggered()) break;
    }
    ++points;
    for (const auto& [path, content] : sc.good) {
      std::string c = sc.Classify(path, content);
      INFO(path);
      CHECK((c == "old" || c == "new" || c == "missing"));
    }
    UndoResult r = Undo(*fs);
    CHECK(r.conflicts == 0);
    CHECK(r.fatal.ok());
    CHECK(test::TreeState(sc.target) == sc.damaged_state);
  }
  MESSAGE("undo crash points covered: " << points);
  CHECK(points > 10);
}

}  // namespace
}  // namespace lifeboat

namespace lifeboat {
namespace {

TEST_CASE("undo of a removed known-bad file: put back; a new file at its place is a conflict") {
  for (bool recreate : {false, true}) {
    CAPTURE(recreate);
    Scenario sc(3, /*known_bad=*/true);
    auto fs = sc.OpenTarget();
    Fix(sc, *fs);
    CHECK_FALSE(test::Exists(sc.target + "/" + Scenario::kKnownBadPath));
    std::string backup = sc.target + "/" + BackupPath(kRun, Scenario::kKnownBadPath);
    CHECK(test::ReadFile(backup) == "EVIL CHANNEL FILE");
    if (recreate) test::WriteFile(sc.target + "/" + Scenario::kKnownBadPath, "a new driver");
    UndoResult r = Undo(*fs);
    if (!recreate) {
      CHECK(r.conflicts == 0);
      CHECK(test::TreeState(sc.target) == sc.damaged_state);
    } else {
      CHECK(r.conflicts == 1);
      CHECK(test::ReadFile(sc.target + "/" + Scenario::kKnownBadPath) == "a new driver");
      CHECK(test::ReadFile(backup) == "EVIL CHANNEL FILE");
    }
  }
}

}  // namespace
}  // namespace lifeboat
