// Tests for recovery/journal.cc: the checksummed line format, torn tails,
// damage in the middle, resync after a torn tail, and hostile records.
#include "recovery/journal.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdio>

#include "recovery/filesystem_posix.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

JournalRecord Begin(uint32_t seq, const std::string& path) {
  JournalRecord r;
  r.op = JournalRecord::Op::kBegin;
  r.seq = seq;
  r.kind = "replace";
  r.path = path;
  r.tmp = path + ".lifeboat-tmp";
  r.backup = "lifeboat/backup/run/" + path;
  r.new_sha256 = Sha256::Of("new");
  r.old_sha256 = Sha256::Of("old");
  return r;
}

std::string SampleJournal() {
  JournalRecord run;
  run.op = JournalRecord::Op::kRun;
  run.run_id = "20260101-000000-abcd";
  run.sequence = 7;
  run.target = "/mnt/win";
  run.time = "2026-01-01T00:00:00Z";
  JournalRecord done;
  done.op = JournalRecord::Op::kDone;
  done.seq = 0;
  return EncodeJournalRecord(run) + EncodeJournalRecord(Begin(0, "WINDOWS/a.dll")) + EncodeJournalRecord(done);
}

TEST_CASE("records round-trip through the line format") {
  Result<JournalContents> j = DecodeJournal(SampleJournal(), "j");
  REQUIRE(j.ok());
  CHECK_FALSE(j->torn_tail);
  REQUIRE(j->records.size() == 3);
  CHECK(j->records[0].op == JournalRecord::Op::kRun);
  CHECK(j->records[0].run_id == "20260101-000000-abcd");
  CHECK(j->records[0].sequence == 7);
  const JournalRecord& b = j->records[1];
  CHECK(b.op == JournalRecord::Op::kBegin);
  CHECK(b.kind == "replace");
  CHECK(b.path == "WINDOWS/a.dll");
  CHECK(b.backup == "lifeboat/backup/run/WINDOWS/a.dll");
  CHECK(b.new_sha256 == Sha256::Of("new"));
  CHECK(b.old_sha256 == Sha256::Of("old"));
  CHECK(j->records[2].op == JournalRecord::Op::kDone);
  // Each line is "<8 hex crc> <json>".
  std::string line = EncodeJournalRecord(Begin(3, "x"));
  CHECK(line.back() == '\n');
  CHECK(line[8] == ' ');
  CHECK(line[9] == '{');
}

TEST_CASE("a torn last record is ignored; every prefix of a journal decodes") {
  std::string full = SampleJournal();
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    CAPTURE(cut);
    Result<JournalContents> j = DecodeJournal(std::string_view(full).substr(0, cut), "j");
    REQUIRE(j.ok());
    size_t complete_lines = 0;
    for (size_t i = 0; i < cut; ++i) complete_lines += full[i] == '\n';
    CHECK(j->records.size() == complete_lines);
    bool at_boundary = cut == 0 || full[cut - 1] == '\n';
    CHECK(j->torn_tail == !at_boundary);
  }
}

TEST_CASE("damage before the last record is refused, with the line") {
  std::string full = SampleJournal();
  size_t second_line = full.find('\n') + 1;
  std::string flipped = full;
  flipped[second_line + 20] ^= 1;  // inside record 2's JSON
  Result<JournalContents> j = DecodeJournal(flipped, "j.log");
  REQUIRE_FALSE(j.ok());
  CHECK(j.status().message().find("j.log:2: damaged journal record: checksum mismatch") != std::string::npos);
  // The same damage in the last record is a torn tail.
  std::string last = full;
  last[last.size() - 5] ^= 1;
  Result<JournalContents> t = DecodeJournal(last, "j.log");
  REQUIRE(t.ok());
  CHECK(t->torn_tail);
  CHECK(t->records.size() == 2);
}

TEST_CASE("a record appended after a torn tail resyncs; without the mark it is refused") {
  test::TempDir dir;
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(dir.path());
  REQUIRE(fs.ok());
  std::string torn = SampleJournal() + "0badf00d {\"op\":\"do";
  test::WriteFile(dir / "j.log", torn);
  Result<JournalContents> before = ReadJournal(**fs, "j.log");
  REQUIRE(before.ok());
  CHECK(before->torn_tail);
  {
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Append(**fs, "j.log", before->torn_tail);
    REQUIRE(w.ok());
    JournalRecord rec;
    rec.op = JournalRecord::Op::kRecovered;
    rec.time = "2026-01-02T00:00:00Z";
    REQUIRE((*w)->AddAndSync(rec).ok());
    JournalRecord again;
    again.op = JournalRecord::Op::kEnd;
    REQUIRE((*w)->AddAndSync(again).ok());
  }
  Result<JournalContents> after = ReadJournal(**fs, "j.log");
  REQUIRE(after.ok());
  CHECK_FALSE(after->torn_tail);
  REQUIRE(after->records.size() == 5);
  CHECK(after->records[3].op == JournalRecord::Op::kRecovered);
  CHECK(after->records[3].resync);
  CHECK_FALSE(after->records[4].resync);  // only the first record after the tear is marked

  // A bad line followed by an ordinary record is damage, not a tear.
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  CHECK_FALSE(DecodeJournal(SampleJournal() + "garbage\n" + EncodeJournalRecord(end), "j").ok());
}

// "<crc32> <json>\n", framed the way the writer frames records.
std::string Frame(const std::string& json) {
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08lx",
                crc32(0L, reinterpret_cast<const Bytef*>(json.data()), static_cast<uInt>(json.size())));
  return std::string(crc) + " " + json + "\n";
}

TEST_CASE("records with wrong field types or unknown ops are refused, even with a valid checksum") {
  std::string end = EncodeJournalRecord(JournalRecord{JournalRecord::Op::kEnd});
  for (std::string json : {R"({"op":"begin","seq":"one","kind":"restore","path":"a","tmp":"a.t","new_sha256":"00"})",
                           R"({"op":"explode"})", R"({"op":"done","seq":-1})", R"(["op","end"])",
                           R"({"op":"end","cancelled":"yes"})", R"({"op":"mkdir"})", R"({"op":"run"} trailing)"}) {
    CAPTURE(json);
    CHECK_FALSE(DecodeJournal(Frame(json) + end, "j").ok());
  }
  CHECK(DecodeJournal(Frame(R"({"op":"end"})") + end, "j").ok());
}

TEST_CASE("hostile or malformed records are refused") {
  JournalRecord b = Begin(1, "WINDOWS/a.dll");
  std::string good = EncodeJournalRecord(b);
  REQUIRE(DecodeJournal(good, "j").ok());
  // Records whose paths leave the target are rejected even with a valid checksum.
  for (std::string bad_path : {"../etc/passwd", "/etc/passwd", "a/../../b", "a:b"}) {
    CAPTURE(bad_path);
    JournalRecord r = Begin(1, "x");
    r.path = bad_path;
    std::string text = EncodeJournalRecord(r) + EncodeJournalRecord(r);  // not the last line: no torn-tail excuse
    Result<JournalContents> j = DecodeJournal(text, "j");
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().message().find("not a clean relative path") != std::string::npos);
  }
  JournalRecord no_backup = Begin(1, "a");
  no_backup.backup.clear();
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(no_backup) + EncodeJournalRecord(no_backup), "j").ok());
  JournalRecord no_hash = Begin(1, "a");
  no_hash.new_sha256.reset();
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(no_hash) + EncodeJournalRecord(no_hash), "j").ok());
  JournalRecord weird = Begin(1, "a");
  weird.kind = "delete-everything";
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(weird) + EncodeJournalRecord(weird), "j").ok());
}

}  // namespace
}  // namespace lifeboat
