// Reliability: every operation of a realistic fix fails, or the process dies
// there, in turn.
//
// The fix (test::Scenario): 40 system files, a third of them missing and a
// third corrupt, one more in a directory that is gone, and a forbid rule that
// removes a known-bad driver next to a good one it must leave alone. Corrupt
// and known-bad files are backed up before they are replaced or removed.
//
// The faults, at operation N for every N the fix performs (FaultFileSystem
// counts each create, write, fsync, close, rename, link, mkdir, unlink, rmdir,
// directory fsync and lock):
//   crash       the process dies at N: N and everything after fail, and a
//               write at N lets half its bytes reach the disk;
//   ENOSPC, EIO, EROFS
//               N fails with that error, the run goes on as it decides;
//   short write N, if a write, stores half its bytes and reports success.
// After each run:
//   (a) every file is its old content or the verified new one, never partial
//       (a missing file was missing before); every step the run reported done
//       holds the new content; the known-bad driver is in place or in the
//       backup, never lost; the good driver is untouched;
//   (b) after an error (not a crash) the error is reported and no temp file is
//       left in the tree (unless removing it was what failed: then the step
//       says so and the next fix moves it aside);
//   (c) crash recovery and a second fix reach a healthy tree with no temp files;
//   (d) undo of every run gives back the damaged tree byte for byte.
// Another test crashes the first run at three points, then crashes the crash
// recovery and the fix after it at each of their operations in turn; the last
// one crashes (or fails with EIO) the undo of the fix at each operation.
// Each test prints how many points it covered, by kind of operation.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <string>

#include "recovery/executor.h"
#include "recovery/undo.h"
#include "recovery/workspace.h"
#include "tests/fault_fs.h"
#include "tests/scenario.h"

namespace lifeboat {
namespace {

using test::Scenario;

constexpr int kFiles = 40;
// Every 3rd file missing, every 3rd+1 corrupt, plus the help file and the known-bad driver.
constexpr size_t kSteps = (kFiles + 2) / 3 + (kFiles + 1) / 3 + 2;
constexpr const char* kRun1 = "20260101-000000-0001";
// Sorts before kRun1: run order must come from the journal's sequence.
constexpr const char* kRun2 = "20260101-000000-0000";
constexpr const char* kRun3 = "20260101-000000-0002";

// Points covered per operation kind, printed at the end of a test.
struct Coverage {
  std::map<std::string, int> by_op;
  int total = 0;
  void Add(const std::string& op) {
    ++by_op[op];
    ++total;
  }
  void Print(const char* fault) const {
    std::string ops;
    for (const auto& [op, n] : by_op) ops += (ops.empty() ? "" : ", ") + op + " " + std::to_string(n);
    std::printf("%-12s %4d points (%s)\n", fault, total, ops.c_str());
    std::fflush(stdout);
  }
};

enum class Fault { kCrash, kFail, kShortWrite };

// One faulted first run at operation `n`. Returns false when the fix needed
// fewer than `n` operations (the loop is done).
bool FaultedRun(const Scenario& sc, FileSystem& fs, const RepairPlan& plan, Fault fault, int n, const Status& error,
                ExecuteResult* result, std::string* op) {
  auto lock = LockWorkspace(fs);
  REQUIRE(lock.ok());
  test::FaultFileSystem faulty(fs);
  if (fault == Fault::kCrash) faulty.CrashAt(n);
  if (fault == Fault::kFail) faulty.FailAt(n, error);
  if (fault == Fault::kShortWrite) faulty.ShortWriteAt(n);
  auto sources = sc.OpenSources();
  CancelToken cancel;
  *result = ExecutePlan(faulty, plan, sources, test::RunOptions(kRun1), NullProgress(), cancel);
  *op = faulty.triggered_op();
  return faulty.ops() >= n;
}

// (a): nothing partial, nothing lost, reported successes are true.
void CheckNeverPartial(const Scenario& sc, const RepairPlan& plan, const ExecuteResult& r) {
  for (const auto& [path, content] : sc.good) {
    std::string c = sc.Classify(path, content);
    INFO(path << " is " << c);
    CHECK((c == "old" || c == "new" || c == "missing"));
    if (c == "missing") CHECK(sc.damaged_state.count(path) == 0);
  }
  for (size_t k = 0; k < r.steps.size() && k < plan.steps.size(); ++k) {
    if (!r.steps[k].done || plan.steps[k].kind == StepKind::kRemove) continue;
    INFO("step reported done: " << plan.steps[k].path);
    CHECK(sc.Classify(plan.steps[k].path, test::ReadFile(sc.target + "/" + plan.steps[k].path)) == "new");
  }
  int copies_of_bad = test::Exists(sc.target + "/" + Scenario::kKnownBadPath);
  for (const char* run : {kRun1, kRun2, kRun3})
    copies_of_bad += test::Exists(sc.target + "/" + BackupPath(run, Scenario::kKnownBadPath));
  CHECK(copies_of_bad == 1);
  CHECK(test::ReadFile(sc.target + "/" + Scenario::kUnlistedPath) == "a fine driver");
}

// Crash recovery, then a fix of what is left, as `lifeboat fix` does.
ExecuteResult RecoverAndFix(const Scenario& sc, FileSystem& fs, const char* run_id, uint64_t sequence) {
  Result<std::vector<std::string>> notes = RecoverInterruptedRuns(fs, 1'800'000'050);
  if (!notes.ok()) {
    ExecuteResult failed;
    failed.fatal = notes.status();
    return failed;
  }
  auto [scan, plan] = sc.ScanAndPlan(fs);
  auto sources = sc.OpenSources();
  CancelToken cancel;
  return ExecutePlan(fs, plan, sources, test::RunOptions(run_id, sequence), NullProgress(), cancel);
}

// (c) and (d), the healing run being number `sequence`.
void CheckHealsAndUndoes(const Scenario& sc, FileSystem& fs, const char* run_id = kRun2, uint64_t sequence = 2) {
  {
    auto lock = LockWorkspace(fs);
    REQUIRE(lock.ok());
    ExecuteResult r = RecoverAndFix(sc, fs, run_id, sequence);
    CHECK_MESSAGE(r.fatal.ok(), r.fatal.message());
    CHECK(sc.Healthy());
    CHECK(sc.TempFiles().empty());
  }
  Status undo = test::UndoAllRuns(fs);
  CHECK_MESSAGE(undo.ok(), undo.message());
  CHECK(test::TreeState(sc.target) == sc.damaged_state);
}

// Loops N over every operation of the fix for one fault; returns the coverage.
// With `source_changes`, one good copy is altered between planning and the
// run (same size), so its temp file fails the read-back and is deleted: the
// run then also unlinks. The copy is put back before the healing run.
Coverage EveryOperation(Fault fault, const Status& error = Status::Ok(), bool source_changes = false) {
  Coverage cov;
  for (int n = 1; n < 100'000; ++n) {
    CAPTURE(n);
    Scenario sc(kFiles, /*known_bad=*/true);
    auto fs = sc.OpenTarget();
    auto [scan, plan] = sc.ScanAndPlan(*fs);
    REQUIRE(plan.steps.size() == kSteps);
    const std::string copy = sc.source + "/copy1.bin";  // file1.dll, corrupt on the target
    const std::string good = test::ReadFile(copy);
    if (source_changes) {
      std::string changed = good;
      changed[7] ^= 1;
      test::WriteFile(copy, changed);
    }
    ExecuteResult r;
    std::string op;
    if (!FaultedRun(sc, *fs, plan, fault, n, error, &r, &op)) break;
    if (op.empty()) continue;  // a short write at an operation that is not a write
    CAPTURE(op);
    cov.Add(op);
    CheckNeverPartial(sc, plan, r);
    if (fault == Fault::kFail) {
      bool all_done = r.fatal.ok();
      for (const StepResult& step : r.steps) all_done = all_done && step.done;
      CHECK_MESSAGE(!all_done, "an injected error vanished: the run reported full success");
      if (op == "unlink") {
        // Removing a rejected temp file failed: it stays, the step says so, and
        // the run is left for recovery (checked below by the healing fix).
        CHECK(sc.TempFiles() == std::vector<std::string>{"WINDOWS/system32/file1.dll.lifeboat-tmp"});
        bool said = false;
        for (const StepResult& step : r.steps)
          said = said || step.message.find("could not be removed") != std::string::npos;
        CHECK(said);
      } else {
        CHECK(sc.TempFiles().empty());
      }
    }
    if (fault == Fault::kShortWrite) CHECK(sc.TempFiles().empty());
    if (source_changes) {
      CHECK(sc.Classify("WINDOWS/system32/file1.dll", good) == "old");
      test::WriteFile(copy, good);
    }
    CheckHealsAndUndoes(sc, *fs);
  }
  return cov;
}

TEST_CASE("a crash at every operation of a 40-file fix loses nothing") {
  Coverage cov = EveryOperation(Fault::kCrash);
  cov.Print("crash");
  CHECK(cov.total > 200);
  for (const char* op : {"create", "write", "fsync", "close", "rename", "link", "mkdir", "fsync dir", "append"})
    CHECK_MESSAGE(cov.by_op.count(op) == 1, "no crash point at a ", op);
}

TEST_CASE("ENOSPC, EIO and EROFS at every operation: reported, no debris, nothing lost") {
  for (int err : {ENOSPC, EIO, EROFS}) {
    CAPTURE(err);
    Coverage cov = EveryOperation(Fault::kFail, Status::FromErrno(err, "injected"));
    cov.Print(err == ENOSPC ? "ENOSPC" : err == EIO ? "EIO" : "EROFS");
    CHECK(cov.total > 200);
  }
}

TEST_CASE("a source that changed after planning: its temp file is deleted; a crash or EIO at every operation") {
  for (Fault fault : {Fault::kCrash, Fault::kFail}) {
    Coverage cov = EveryOperation(fault, Status::FromErrno(EIO, "injected"), /*source_changes=*/true);
    cov.Print(fault == Fault::kCrash ? "crash, tmp rm" : "EIO, tmp rm");
    CHECK(cov.by_op["unlink"] >= 1);
  }
}

TEST_CASE("a short write at every write is caught by reading the temp file back") {
  Coverage cov = EveryOperation(Fault::kShortWrite);
  cov.Print("short write");
  CHECK(cov.by_op["write"] > 20);
}

TEST_CASE("a second crash, in the recovery or the fix after it, loses nothing either") {
  // The first crash at three points of the first run: in the begin records, the temp
  // files, the backups and renames, the done records.
  Coverage cov;
  for (int first : {4, 120, 230}) {
    CAPTURE(first);
    for (int n = 1; n < 100'000; ++n) {
      CAPTURE(n);
      Scenario sc(kFiles, /*known_bad=*/true);
      auto fs = sc.OpenTarget();
      auto [scan, plan] = sc.ScanAndPlan(*fs);
      ExecuteResult r;
      std::string op;
      REQUIRE(FaultedRun(sc, *fs, plan, Fault::kCrash, first, Status::Ok(), &r, &op));
      {
        auto lock = LockWorkspace(*fs);
        REQUIRE(lock.ok());
        test::FaultFileSystem faulty(*fs);
        faulty.CrashAt(n);
        RecoverAndFix(sc, faulty, kRun2, 2);
        if (!faulty.triggered()) break;
        op = faulty.triggered_op();
      }
      CAPTURE(op);
      cov.Add(op);
      CheckNeverPartial(sc, plan, ExecuteResult{});
      CheckHealsAndUndoes(sc, *fs, kRun3, 3);
    }
  }
  cov.Print("2nd crash");
  CHECK(cov.total > 300);
}

// Undo of the whole 40-file fix, faulted at each of its operations, then
// undone again: the tree ends byte-identical to the damaged one.
Coverage UndoEveryOperation(Fault fault, const Status& error = Status::Ok()) {
  Coverage cov;
  for (int n = 1; n < 100'000; ++n) {
    CAPTURE(n);
    Scenario sc(kFiles, /*known_bad=*/true);
    auto fs = sc.OpenTarget();
    {
      auto [scan, plan] = sc.ScanAndPlan(*fs);
      auto lock = LockWorkspace(*fs);
      REQUIRE(lock.ok());
      auto sources = sc.OpenSources();
      CancelToken cancel;
      REQUIRE(ExecutePlan(*fs, plan, sources, test::RunOptions(kRun1), NullProgress(), cancel).fatal.ok());
      REQUIRE(sc.Healthy());
    }
    UndoResult r;
    {
      auto lock = LockWorkspace(*fs);
      REQUIRE(lock.ok());
      test::FaultFileSystem faulty(*fs);
      if (fault == Fault::kCrash) faulty.CrashAt(n);
      if (fault == Fault::kFail) faulty.FailAt(n, error);
      CancelToken cancel;
      Result<UndoPlan> plan = PlanUndo(faulty, kRun1, cancel);
      REQUIRE(plan.ok());
      r = ExecuteUndo(faulty, *plan, 1'800'000'100, NullProgress(), cancel);
      if (!faulty.triggered()) break;
      cov.Add(faulty.triggered_op());
    }
    for (const auto& [path, content] : sc.good) {
      std::string c = sc.Classify(path, content);
      INFO(path << " is " << c);
      CHECK((c == "old" || c == "new" || c == "missing"));
    }
    if (fault == Fault::kFail) CHECK_MESSAGE((!r.fatal.ok() || r.conflicts > 0), "an injected error vanished");
    Status again = test::UndoAllRuns(*fs);
    CHECK_MESSAGE(again.ok(), again.message());
    CHECK(test::TreeState(sc.target) == sc.damaged_state);
  }
  return cov;
}

TEST_CASE("undo of the 40-file fix: a crash or an error at every operation, then undo again restores the tree") {
  Coverage crash = UndoEveryOperation(Fault::kCrash);
  crash.Print("undo crash");
  CHECK(crash.total > 60);
  Coverage eio = UndoEveryOperation(Fault::kFail, Status::FromErrno(EIO, "injected"));
  eio.Print("undo EIO");
  CHECK(eio.total == crash.total);
}

}  // namespace
}  // namespace lifeboat
