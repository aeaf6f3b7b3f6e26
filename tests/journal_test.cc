// Tests for recovery/journal.cc: the checksummed line format, torn tails,
// damage in the middle, resync after a torn tail, and hostile records.
#include "recovery/journal.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "recovery/filesystem_posix.h"
#include "tests/fault_fs.h"
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
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Append(**fs, "j.log", *before);
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

TEST_CASE("recovery after a damaged last record that ends in a newline keeps the journal readable") {
  // Regression (review): Append always wrote "\n" after a torn tail, making
  // an empty line that the decoder refused: the run could never be undone.
  test::TempDir dir;
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(dir.path());
  REQUIRE(fs.ok());
  std::string full = SampleJournal();
  full[full.size() - 5] ^= 1;  // damage inside the last record; its newline stays
  test::WriteFile(dir / "j.log", full);
  Result<JournalContents> before = ReadJournal(**fs, "j.log");
  REQUIRE(before.ok());
  CHECK(before->torn_tail);
  CHECK_FALSE(before->ends_mid_line);
  {
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Append(**fs, "j.log", *before);
    REQUIRE(w.ok());
    JournalRecord rec;
    rec.op = JournalRecord::Op::kRecovered;
    REQUIRE((*w)->AddAndSync(rec).ok());
  }
  Result<JournalContents> after = ReadJournal(**fs, "j.log");
  REQUIRE(after.ok());
  REQUIRE(after->records.size() == 3);
  CHECK(after->records.back().op == JournalRecord::Op::kRecovered);
  CHECK(after->records.back().resync);
}

TEST_CASE("begin records may only name their own temp file and a backup under lifeboat/backup/") {
  JournalRecord b = Begin(1, "WINDOWS/a.dll");
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  JournalRecord other_tmp = b;
  other_tmp.tmp = "WINDOWS/system32/config/SYSTEM";
  Result<JournalContents> j = DecodeJournal(EncodeJournalRecord(other_tmp) + EncodeJournalRecord(end), "j");
  REQUIRE_FALSE(j.ok());
  CHECK(j.status().message().find("not the step's own temp name") != std::string::npos);
  JournalRecord other_backup = b;
  other_backup.backup = "WINDOWS/system32/kernel32.dll";
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(other_backup) + EncodeJournalRecord(end), "j").ok());
  CHECK(DecodeJournal(EncodeJournalRecord(b) + EncodeJournalRecord(end), "j").ok());
}

TEST_CASE("records with wrong field types or unknown ops are refused, even with a valid checksum") {
  JournalRecord end_record;
  end_record.op = JournalRecord::Op::kEnd;
  std::string end = EncodeJournalRecord(end_record);
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

TEST_CASE("every op round-trips with all of its fields") {
  std::vector<JournalRecord> in(8);
  in[0].op = JournalRecord::Op::kRun;
  in[0].run_id = "20260101-000000-abcd";
  in[0].sequence = 1ull << 40;
  in[0].target = "/mnt/win dows/\"quoted\"";
  in[0].manifest = "xp.sha256";
  in[0].manifest_sha256 = ToHex(Sha256::Of("m"));
  in[0].time = "2026-01-01T00:00:00Z";
  in[1].op = JournalRecord::Op::kMkdir;
  in[1].path = "WINDOWS/system32/Drivers";
  in[2] = Begin(4000000000u, "WINDOWS/system32/\xC3\xA9t\xC3\xA9.dll");
  in[3] = Begin(5, "boot.ini");
  in[3].kind = "restore";
  in[3].backup.clear();
  in[3].old_sha256.reset();
  in[4].op = JournalRecord::Op::kDone;
  in[4].seq = 4000000000u;
  in[5].op = JournalRecord::Op::kFailed;
  in[5].seq = 5;
  in[5].message = "write boot.ini.lifeboat-tmp: No space left on device\nsecond line";
  in[6].op = JournalRecord::Op::kUndone;
  in[6].time = "2026-01-02T00:00:00Z";
  in[6].reverted = 12;
  in[6].conflicts = 3;
  in[7].op = JournalRecord::Op::kEnd;
  in[7].cancelled = true;
  std::string text;
  for (const JournalRecord& r : in) {
    std::string line = EncodeJournalRecord(r);
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);  // one line, whatever the fields hold
    text += line;
  }
  JournalRecord recovered;
  recovered.op = JournalRecord::Op::kRecovered;
  recovered.time = "2026-01-03T00:00:00Z";
  recovered.resync = true;
  text += EncodeJournalRecord(recovered);

  Result<JournalContents> j = DecodeJournal(text, "j");
  REQUIRE(j.ok());
  CHECK_FALSE(j->torn_tail);
  REQUIRE(j->records.size() == 9);
  const auto& o = j->records;
  CHECK(o[0].op == JournalRecord::Op::kRun);
  CHECK(o[0].run_id == in[0].run_id);
  CHECK(o[0].sequence == 1ull << 40);
  CHECK(o[0].target == in[0].target);
  CHECK(o[0].manifest == "xp.sha256");
  CHECK(o[0].manifest_sha256 == in[0].manifest_sha256);
  CHECK(o[0].time == in[0].time);
  CHECK(o[1].op == JournalRecord::Op::kMkdir);
  CHECK(o[1].path == "WINDOWS/system32/Drivers");
  CHECK(o[2].op == JournalRecord::Op::kBegin);
  CHECK(o[2].seq == 4000000000u);
  CHECK(o[2].kind == "replace");
  CHECK(o[2].path == in[2].path);
  CHECK(o[2].tmp == in[2].tmp);
  CHECK(o[2].backup == in[2].backup);
  CHECK(o[2].new_sha256 == in[2].new_sha256);
  CHECK(o[2].old_sha256 == in[2].old_sha256);
  CHECK(o[3].kind == "restore");
  CHECK(o[3].backup.empty());
  CHECK_FALSE(o[3].old_sha256.has_value());
  CHECK(o[4].op == JournalRecord::Op::kDone);
  CHECK(o[4].seq == 4000000000u);
  CHECK(o[5].op == JournalRecord::Op::kFailed);
  CHECK(o[5].seq == 5);
  CHECK(o[5].message == in[5].message);
  CHECK(o[6].op == JournalRecord::Op::kUndone);
  CHECK(o[6].time == in[6].time);
  CHECK(o[6].reverted == 12);
  CHECK(o[6].conflicts == 3);
  CHECK(o[7].op == JournalRecord::Op::kEnd);
  CHECK(o[7].cancelled);
  CHECK_FALSE(o[7].resync);
  CHECK(o[8].op == JournalRecord::Op::kRecovered);
  CHECK(o[8].time == recovered.time);
  CHECK(o[8].resync);  // a resync mark on a clean journal is harmless
}

TEST_CASE("the frame is the zlib CRC-32 of the JSON text, in 8 lower-case hex digits") {
  std::string line = EncodeJournalRecord(Begin(3, "WINDOWS/a.dll"));
  std::string json = line.substr(9, line.size() - 10);
  CHECK(line == Frame(json));
  CHECK(line.substr(0, 8).find_first_not_of("0123456789abcdef") == std::string::npos);
  // An upper-case checksum is not the writer's framing.
  std::string upper = line;
  for (size_t i = 0; i < 8; ++i) upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  if (upper != line) {
    JournalRecord end;
    end.op = JournalRecord::Op::kEnd;
    CHECK_FALSE(DecodeJournal(upper + EncodeJournalRecord(end), "j").ok());
  }
}

TEST_CASE("invalid UTF-8 in a message is replaced, not a broken journal") {
  JournalRecord f;
  f.op = JournalRecord::Op::kFailed;
  f.seq = 1;
  f.message = "read WINDOWS/\xFF\xFE.dll failed";
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  Result<JournalContents> j = DecodeJournal(EncodeJournalRecord(f) + EncodeJournalRecord(end), "j");
  REQUIRE(j.ok());
  REQUIRE(j->records.size() == 2);
  CHECK(j->records[0].message.find("\xEF\xBF\xBD") != std::string::npos);  // U+FFFD
  CHECK(j->records[0].message.find("\xFF") == std::string::npos);
}

TEST_CASE("damage is reported at its own line, and a resync only excuses the line just before it") {
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  JournalRecord resync = end;
  resync.resync = true;
  std::string good = SampleJournal();  // 3 lines

  // One bad line, then a resync record: accepted, the bad line is skipped.
  Result<JournalContents> one = DecodeJournal(good + "0badf00d {\"op\":\"do\n" + EncodeJournalRecord(resync), "j");
  REQUIRE(one.ok());
  CHECK_FALSE(one->torn_tail);
  REQUIRE(one->records.size() == 4);
  CHECK(one->records[3].resync);

  // Two bad lines before the resync record: a crash tears at most one.
  Result<JournalContents> two =
      DecodeJournal(good + "0badf00d {\"op\":\"do\n" + "garbage\n" + EncodeJournalRecord(resync), "j.log");
  REQUIRE_FALSE(two.ok());
  CHECK(two.status().code() == Status::Code::kInvalidInput);
  CHECK(two.status().message() == "j.log:4: damaged journal record: checksum mismatch");

  // A bad line, a good ordinary record, then a resync: the first bad line is damage.
  Result<JournalContents> late =
      DecodeJournal(good + "garbage\n" + EncodeJournalRecord(end) + EncodeJournalRecord(resync), "j.log");
  REQUIRE_FALSE(late.ok());
  CHECK(late.status().message() == "j.log:4: damaged journal record: checksum mismatch");

  // A bad line that is followed only by an empty line is not a tail either.
  Result<JournalContents> blank = DecodeJournal(good + "garbage\n\n", "j.log");
  REQUIRE_FALSE(blank.ok());
  CHECK(blank.status().message() == "j.log:4: damaged journal record: checksum mismatch");

  // Field errors carry the line of the record too.
  Result<JournalContents> typed = DecodeJournal(good + Frame(R"({"op":"done","seq":"2"})") + EncodeJournalRecord(end), "j.log");
  REQUIRE_FALSE(typed.ok());
  CHECK(typed.status().message() == "j.log:4: damaged journal record: a field has the wrong type");
  Result<JournalContents> json = DecodeJournal(good + Frame("{\"op\":") + EncodeJournalRecord(end), "j.log");
  REQUIRE_FALSE(json.ok());
  CHECK(json.status().message() == "j.log:4: damaged journal record: invalid JSON");
}

TEST_CASE("a valid checksum does not excuse a bad last record") {
  // Only a failed checksum makes the last line a torn write; a well-framed
  // record with bad content is damage wherever it is.
  Result<JournalContents> j = DecodeJournal(SampleJournal() + Frame(R"({"op":"mkdir","path":"../../etc"})"), "j");
  REQUIRE_FALSE(j.ok());
  CHECK(j.status().message().find("j:4: ") == 0);
  CHECK(j.status().message().find("'../../etc' is not a clean relative path") != std::string::npos);
}

TEST_CASE("hostile tmp and backup paths are refused like the target path") {
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  for (std::string bad : {"../x", "/tmp/x", "a\\b", "C:/x", "a//b", "./a", "a\x01"}) {
    CAPTURE(bad);
    JournalRecord tmp = Begin(1, "WINDOWS/a.dll");
    tmp.tmp = bad;
    Result<JournalContents> a = DecodeJournal(EncodeJournalRecord(tmp) + EncodeJournalRecord(end), "j");
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message().find("not a clean relative path") != std::string::npos);
    JournalRecord backup = Begin(1, "WINDOWS/a.dll");
    backup.backup = bad;
    CHECK_FALSE(DecodeJournal(EncodeJournalRecord(backup) + EncodeJournalRecord(end), "j").ok());
    JournalRecord mkdir;
    mkdir.op = JournalRecord::Op::kMkdir;
    mkdir.path = bad;
    CHECK_FALSE(DecodeJournal(EncodeJournalRecord(mkdir) + EncodeJournalRecord(end), "j").ok());
  }
}

TEST_CASE("more wrong types: numbers as floats or strings, digests that are not digests") {
  std::string end = Frame(R"({"op":"end"})");
  const char* bad[] = {
      R"({"op":"done","seq":1.5})",
      R"({"op":"done","seq":1.0})",
      R"({"op":"done","seq":true})",
      R"({"op":"run","sequence":-3})",
      R"({"op":"undone","reverted":"all"})",
      R"({"op":"end","resync":1})",
      R"({"op":"mkdir","path":["a"]})",
      R"({"op":"mkdir","path":7})",
      R"({"op":1})",
      R"({"op":"begin","seq":1,"kind":"restore","path":"a","tmp":"a.t","new_sha256":42})",
      R"({"op":"begin","seq":1,"kind":"restore","path":"a","tmp":"a.t","new_sha256":"abc"})",
      R"({"op":"begin","seq":1,"kind":"restore","path":"a","tmp":"a.t","new_sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85z"})",
      R"({"seq":1})",
      R"("end")",
      R"(null)",
  };
  for (const char* json : bad) {
    CAPTURE(json);
    Result<JournalContents> j = DecodeJournal(Frame(json) + end, "j");
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().code() == Status::Code::kInvalidInput);
    CHECK(j.status().message().find("j:1: damaged journal record: ") == 0);
  }
  // null stands for "absent" in string fields; unknown keys are ignored.
  Result<JournalContents> ok = DecodeJournal(Frame(R"({"op":"failed","seq":2,"message":null,"extra":[1,2]})") + end, "j");
  REQUIRE(ok.ok());
  CHECK(ok->records[0].seq == 2);
  CHECK(ok->records[0].message.empty());
  // A begin record with a digest in upper case is still a digest.
  Result<JournalContents> upper = DecodeJournal(
      Frame(R"({"op":"begin","seq":1,"kind":"restore","path":"a","tmp":"a.lifeboat-tmp","new_sha256":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"})") + end, "j");
  REQUIRE(upper.ok());
  CHECK(upper->records[0].new_sha256 == Sha256::Of(""));
}

TEST_CASE("a step number beyond 32 bits is refused, not wrapped onto another step") {
  // Regression: seq is a uint32_t; {"seq":4294967297} used to be narrowed to
  // seq 1, so a "done" for a step that does not exist marked step 1 done.
  std::string text = Frame(R"({"op":"done","seq":4294967297})") + Frame(R"({"op":"end"})");
  Result<JournalContents> j = DecodeJournal(text, "j");
  CHECK_FALSE(j.ok());
  if (j.ok()) CHECK(j->records[0].seq != 1);
}

TEST_CASE("the writer: Create is exclusive, Add is buffered until Sync") {
  test::TempDir dir;
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(dir.path());
  REQUIRE(fs.ok());
  Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Create(**fs, "j.log");
  REQUIRE(w.ok());
  JournalRecord mkdir;
  mkdir.op = JournalRecord::Op::kMkdir;
  mkdir.path = "WINDOWS";
  REQUIRE((*w)->Add(mkdir).ok());
  CHECK(test::ReadFile(dir / "j.log").empty());
  REQUIRE((*w)->Sync().ok());
  CHECK(test::ReadFile(dir / "j.log") == EncodeJournalRecord(mkdir));

  Result<std::unique_ptr<JournalWriter>> again = JournalWriter::Create(**fs, "j.log");
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Status::Code::kExists);
  CHECK(test::ReadFile(dir / "j.log") == EncodeJournalRecord(mkdir));

  // Append without a torn tail adds plain records after the existing ones.
  Result<std::unique_ptr<JournalWriter>> more = JournalWriter::Append(**fs, "j.log", JournalContents{});
  REQUIRE(more.ok());
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  REQUIRE((*more)->AddAndSync(end).ok());
  CHECK(test::ReadFile(dir / "j.log") == EncodeJournalRecord(mkdir) + EncodeJournalRecord(end));
  Result<JournalContents> j = ReadJournal(**fs, "j.log");
  REQUIRE(j.ok());
  REQUIRE(j->records.size() == 2);
  CHECK_FALSE(j->records[1].resync);

  Result<JournalContents> missing = ReadJournal(**fs, "nope.log");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kNotFound);
}

TEST_CASE("resync after a torn tail, end to end through the writer") {
  test::TempDir dir;
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(dir.path());
  REQUIRE(fs.ok());
  {
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Create(**fs, "j.log");
    REQUIRE(w.ok());
    REQUIRE((*w)->AddAndSync(Begin(0, "WINDOWS/a.dll")).ok());
    REQUIRE((*w)->AddAndSync(Begin(1, "WINDOWS/b.dll")).ok());
  }
  // A crash in the middle of writing the second record.
  std::string full = test::ReadFile(dir / "j.log");
  std::string first = EncodeJournalRecord(Begin(0, "WINDOWS/a.dll"));
  REQUIRE(full.size() > first.size() + 30);
  test::WriteFile(dir / "j.log", full.substr(0, first.size() + 30));

  Result<JournalContents> torn = ReadJournal(**fs, "j.log");
  REQUIRE(torn.ok());
  CHECK(torn->torn_tail);
  REQUIRE(torn->records.size() == 1);
  CHECK(torn->records[0].path == "WINDOWS/a.dll");

  // Recovery appends; the second recovery after another crash appends again.
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    Result<JournalContents> before = ReadJournal(**fs, "j.log");
    REQUIRE(before.ok());
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Append(**fs, "j.log", *before);
    REQUIRE(w.ok());
    JournalRecord rec;
    rec.op = JournalRecord::Op::kRecovered;
    rec.time = "2026-01-0" + std::to_string(round + 2) + "T00:00:00Z";
    REQUIRE((*w)->AddAndSync(rec).ok());
    Result<JournalContents> after = ReadJournal(**fs, "j.log");
    REQUIRE(after.ok());
    CHECK_FALSE(after->torn_tail);
    REQUIRE(after->records.size() == before->records.size() + 1);
    CHECK(after->records.back().time == rec.time);
    CHECK(after->records.back().resync == (round == 0));
  }
  // The torn bytes are still there, on a line of their own: nothing was rewritten.
  std::string now = test::ReadFile(dir / "j.log");
  CHECK(now.substr(0, first.size() + 30) == full.substr(0, first.size() + 30));
  CHECK(now[first.size() + 30] == '\n');
}

TEST_CASE("a write the disk shortened is caught at Sync; the writer stops, the short record stays the torn tail") {
  test::TempDir dir;
  Result<std::unique_ptr<FileSystem>> base = OpenPosixFileSystem(dir.path());
  REQUIRE(base.ok());
  test::FaultFileSystem fs(**base);
  Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Create(fs, "j.log");
  REQUIRE(w.ok());
  REQUIRE((*w)->AddAndSync(Begin(0, "WINDOWS/a.dll")).ok());
  fs.ShortWriteAt(fs.ops() + 1);  // the next write stores half and reports success
  Status s = (*w)->AddAndSync(Begin(1, "WINDOWS/b.dll"));
  REQUIRE(fs.triggered());
  CHECK(s.code() == Status::Code::kIoError);
  CHECK(s.message().find("lost data") != std::string::npos);
  // Nothing more goes after the hole, even once the disk behaves again.
  CHECK_FALSE((*w)->AddAndSync(Begin(2, "WINDOWS/c.dll")).ok());
  Result<JournalContents> j = ReadJournal(fs, "j.log");
  REQUIRE(j.ok());
  CHECK(j->torn_tail);
  REQUIRE(j->records.size() == 1);
  CHECK(j->records[0].path == "WINDOWS/a.dll");
}

TEST_CASE("appending after a torn tail without the resync flag loses the new record") {
  // Why Append takes `torn_tail`: glued onto the torn line, the new record is
  // part of a bad last line and is dropped as torn.
  std::string torn = SampleJournal() + "0badf00d {\"op\":\"do";
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  Result<JournalContents> glued = DecodeJournal(torn + EncodeJournalRecord(end), "j");
  REQUIRE(glued.ok());
  CHECK(glued->torn_tail);
  CHECK(glued->records.size() == 3);
}

}  // namespace
}  // namespace lifeboat

namespace lifeboat {
namespace {

TEST_CASE("remove steps: backup and old hash required, no temp file or new content allowed") {
  JournalRecord end;
  end.op = JournalRecord::Op::kEnd;
  JournalRecord r;
  r.op = JournalRecord::Op::kBegin;
  r.seq = 3;
  r.kind = "remove";
  r.path = "Windows/System32/drivers/x.sys";
  r.backup = "lifeboat/backup/run/Windows/System32/drivers/x.sys";
  r.old_sha256 = Sha256::Of("bad");
  Result<JournalContents> ok = DecodeJournal(EncodeJournalRecord(r) + EncodeJournalRecord(end), "j");
  REQUIRE(ok.ok());
  CHECK(ok->records[0].kind == "remove");
  CHECK(ok->records[0].tmp.empty());
  JournalRecord no_old = r;
  no_old.old_sha256.reset();
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(no_old) + EncodeJournalRecord(end), "j").ok());
  JournalRecord with_tmp = r;
  with_tmp.tmp = r.path + ".lifeboat-tmp";
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(with_tmp) + EncodeJournalRecord(end), "j").ok());
  JournalRecord elsewhere = r;
  elsewhere.backup = "Windows/x.sys";
  CHECK_FALSE(DecodeJournal(EncodeJournalRecord(elsewhere) + EncodeJournalRecord(end), "j").ok());
}

}  // namespace
}  // namespace lifeboat
