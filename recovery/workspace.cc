// Workspace layout, run ids, run listing and crash recovery (workspace.h).
#include "recovery/workspace.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

const std::string kJournalDir = std::string(kWorkspaceDir) + "/journal";
constexpr std::string_view kJournalExt = ".log";

}  // namespace

std::string JournalPath(const std::string& run_id) { return kJournalDir + "/" + run_id + ".log"; }
std::string BackupPath(const std::string& run_id, const std::string& path) {
  return std::string(kWorkspaceDir) + "/backup/" + run_id + "/" + path;
}
std::string UndoPath(const std::string& run_id, const std::string& path) {
  return std::string(kWorkspaceDir) + "/undo/" + run_id + "/" + path;
}
std::string TempPathFor(const std::string& path) { return path + ".lifeboat-tmp"; }

std::string WorkPathProblem(const std::string& path) {
  if (!IsValidUtf8(path)) return "its name is not valid UTF-8, which the journal cannot record for undo; left alone";
  if (!IsCleanRelPath(path)) return "its name cannot be recorded in the journal; left alone";
  // Run ids have NewRunId's 20 characters; the undo folder's name is shorter.
  const size_t room = kMaxPathBytes - BackupPath("00000000-000000-0000", "").size();
  const size_t name_room = kMaxComponentBytes - TempPathFor("").size();
  if (path.size() > room || BaseName(path).size() > name_room)
    return "the path is too long for lifeboat's temp file and backup copy (at most " + std::to_string(room) +
           " bytes, and " + std::to_string(name_room) + " for the file name); left alone";
  return "";
}

std::string IsoTime(std::time_t now) {
  struct tm tm;
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NewRunId(std::time_t now) {
  struct tm tm;
  gmtime_r(&now, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  char tail[8];
  std::snprintf(tail, sizeof tail, "-%04x", rd() & 0xFFFF);
  return std::string(buf) + tail;
}

bool IsValidRunId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
}

Result<std::unique_ptr<FileLock>> LockWorkspace(FileSystem& fs) {
  LB_RETURN_IF_ERROR(MakeDirs(fs, kJournalDir));
  return fs.Lock(std::string(kWorkspaceDir) + "/lock");
}

RunInfo SummarizeRun(const std::string& run_id, const JournalContents& journal) {
  RunInfo info;
  info.run_id = run_id;
  for (const JournalRecord& r : journal.records) {
    switch (r.op) {
      case JournalRecord::Op::kRun:
        info.sequence = r.sequence;
        info.time = r.time;
        info.manifest = r.manifest;
        break;
      case JournalRecord::Op::kBegin:
        ++info.steps;
        break;
      case JournalRecord::Op::kDone:
        ++info.done;
        break;
      case JournalRecord::Op::kEnd:
        info.ended = true;
        break;
      case JournalRecord::Op::kRecovered:
        info.recovered = true;
        break;
      case JournalRecord::Op::kUndone:
        info.undone = true;
        break;
      default:
        break;
    }
  }
  return info;
}

Result<std::vector<RunInfo>> ListRuns(FileSystem& fs) {
  std::vector<RunInfo> runs;
  Result<std::vector<DirEntry>> entries = fs.ListDir(kJournalDir);
  if (!entries.ok()) {
    if (entries.status().code() == Status::Code::kNotFound) return runs;
    return entries.status();
  }
  std::vector<std::string> ids;
  for (const DirEntry& e : *entries) {
    if (e.type != FileType::kRegular || e.name.size() <= kJournalExt.size()) continue;
    if (e.name.compare(e.name.size() - kJournalExt.size(), kJournalExt.size(), kJournalExt) != 0) continue;
    std::string id = e.name.substr(0, e.name.size() - kJournalExt.size());
    if (IsValidRunId(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    Result<JournalContents> j = ReadJournal(fs, JournalPath(id));
    if (!j.ok()) {
      // Its place in the order is unknown: treat it as the newest, so that
      // nothing is undone on the assumption that it changed nothing.
      RunInfo bad;
      bad.run_id = id;
      bad.readable = false;
      bad.sequence = UINT64_MAX;
      bad.error = j.status().message();
      runs.push_back(bad);
      continue;
    }
    runs.push_back(SummarizeRun(id, *j));
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const RunInfo& a, const RunInfo& b) { return a.sequence < b.sequence; });
  return runs;
}

Result<uint64_t> NextRunSequence(FileSystem& fs) {
  Result<std::vector<RunInfo>> runs = ListRuns(fs);
  if (!runs.ok()) return runs.status();
  uint64_t max = 0;
  for (const RunInfo& r : *runs)
    if (r.readable) max = std::max(max, r.sequence);
  if (max >= (uint64_t{1} << 53))  // far beyond any real count: a damaged or hostile journal
    return Status::Error(Status::Code::kInvalidInput,
                         "a journal in lifeboat/journal/ claims run number " + std::to_string(max) +
                             "; refusing to order new runs after it (inspect lifeboat/journal/)");
  return max + 1;
}

Result<std::vector<std::string>> RecoverInterruptedRuns(FileSystem& fs, std::time_t now) {
  std::vector<std::string> notes;
  Result<std::vector<RunInfo>> runs = ListRuns(fs);
  if (!runs.ok()) return runs.status();
  for (const RunInfo& run : *runs) {
    if (!run.readable) {
      notes.push_back("run " + run.run_id + " has a damaged journal (" + run.error + "); left as it is");
      continue;
    }
    if (run.ended || run.recovered || run.undone) continue;
    Result<JournalContents> j = ReadJournal(fs, JournalPath(run.run_id));
    if (!j.ok()) {
      notes.push_back("run " + run.run_id + " was interrupted but its journal is unreadable (" +
                      j.status().message() + "); left as it is");
      continue;
    }
    std::set<uint32_t> finished;
    for (const JournalRecord& r : j->records)
      if (r.op == JournalRecord::Op::kDone || r.op == JournalRecord::Op::kFailed) finished.insert(r.seq);
    size_t moved = 0;
    for (const JournalRecord& r : j->records) {
      if (r.op != JournalRecord::Op::kBegin || finished.count(r.seq) || r.tmp.empty()) continue;
      Status aside = MoveAside(fs, r.tmp, UndoPath(run.run_id, r.tmp));
      if (aside.ok())
        ++moved;
      else if (aside.code() != Status::Code::kNotFound)
        notes.push_back("run " + run.run_id + ": could not move a temp file aside: " + aside.message());
    }
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Append(fs, JournalPath(run.run_id), *j);
    if (!w.ok()) return w.status();
    JournalRecord rec;
    rec.op = JournalRecord::Op::kRecovered;
    rec.time = IsoTime(now);
    LB_RETURN_IF_ERROR((*w)->AddAndSync(rec));
    notes.push_back("run " + run.run_id + " had been interrupted; moved " + std::to_string(moved) +
                    " leftover temp file(s) to lifeboat/undo/" + run.run_id + "/. `lifeboat undo --run " +
                    run.run_id + "` can still revert it");
  }
  return notes;
}

}  // namespace lifeboat
