// Tests for recovery/workspace.cc: run ids, the lock, run listing and
// recovery of interrupted runs.
#include "recovery/workspace.h"

#include <doctest/doctest.h>

#include "recovery/filesystem_posix.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;

using test::OpenFs;

TEST_CASE("run ids sort by time and are safe file names") {
  std::string a = NewRunId(1'800'000'000), b = NewRunId(1'800'000'001);
  CHECK(a.size() == 20);
  CHECK(a.substr(0, 16) == "20270115-080000-");
  CHECK(a < b);
  CHECK(IsValidRunId(a));
  CHECK_FALSE(IsValidRunId(""));
  CHECK_FALSE(IsValidRunId("../x"));
  CHECK_FALSE(IsValidRunId("a/b"));
  CHECK(IsoTime(1'800'000'000) == "2027-01-15T08:00:00Z");
}

TEST_CASE("only one writer holds the workspace lock") {
  TempDir t;
  auto fs = OpenFs(t.path());
  Result<std::unique_ptr<FileLock>> first = LockWorkspace(*fs);
  REQUIRE(first.ok());
  auto fs2 = OpenFs(t.path());
  Result<std::unique_ptr<FileLock>> second = LockWorkspace(*fs2);
  CHECK(second.status().code() == Status::Code::kBusy);
  first.value().reset();
  CHECK(LockWorkspace(*fs2).ok());
}

TEST_CASE("interrupted runs get their temp files removed and a recovered record") {
  TempDir t;
  auto fs = OpenFs(t.path());
  REQUIRE(LockWorkspace(*fs).ok());
  test::WriteFile(t / "WINDOWS/a.dll.lifeboat-tmp", "half a file");
  test::WriteFile(t / "WINDOWS/b.dll.lifeboat-tmp", "finished step's name reused by nobody");
  std::string journal;
  JournalRecord run;
  run.op = JournalRecord::Op::kRun;
  run.run_id = "20260101-000000-0001";
  run.time = "2026-01-01T00:00:00Z";
  journal += EncodeJournalRecord(run);
  for (uint32_t seq : {0u, 1u}) {
    JournalRecord b;
    b.op = JournalRecord::Op::kBegin;
    b.seq = seq;
    b.kind = "restore";
    b.path = seq == 0 ? "WINDOWS/a.dll" : "WINDOWS/b.dll";
    b.tmp = b.path + ".lifeboat-tmp";
    b.new_sha256 = Sha256::Of("x");
    journal += EncodeJournalRecord(b);
  }
  JournalRecord done;
  done.op = JournalRecord::Op::kDone;
  done.seq = 1;
  journal += EncodeJournalRecord(done);
  journal += "0badf00d {\"op\":\"do";  // torn tail
  test::WriteFile(t / JournalPath("20260101-000000-0001"), journal);
  // A finished run is not touched.
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  test::WriteFile(t / JournalPath("20260101-000000-0000"), EncodeJournalRecord(run) + EncodeJournalRecord(end));

  Result<std::vector<std::string>> notes = RecoverInterruptedRuns(*fs, 1'800'000'000);
  REQUIRE(notes.ok());
  REQUIRE(notes->size() == 1);
  CHECK(notes->front().find("20260101-000000-0001") != std::string::npos);
  CHECK_FALSE(test::Exists(t / "WINDOWS/a.dll.lifeboat-tmp"));
  CHECK(test::Exists(t / "WINDOWS/b.dll.lifeboat-tmp"));  // its step finished: not ours to remove

  Result<std::vector<RunInfo>> runs = ListRuns(*fs);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 2);
  CHECK(runs->at(0).run_id == "20260101-000000-0000");
  CHECK(runs->at(0).ended);
  CHECK(runs->at(1).recovered);
  CHECK(runs->at(1).steps == 2);
  CHECK(runs->at(1).done == 1);
  // The journal, torn tail and all, still reads; recovering again is a no-op.
  Result<JournalContents> j = ReadJournal(*fs, JournalPath("20260101-000000-0001"));
  REQUIRE(j.ok());
  CHECK(j->records.back().op == JournalRecord::Op::kRecovered);
  CHECK(j->records.back().resync);
  Result<std::vector<std::string>> again = RecoverInterruptedRuns(*fs, 1'800'000'001);
  REQUIRE(again.ok());
  CHECK(again->empty());
}

}  // namespace
}  // namespace lifeboat
