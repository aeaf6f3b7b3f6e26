// PlanUndo / ExecuteUndo (see undo.h for the rules).
#include "recovery/undo.h"

#include <algorithm>
#include <map>
#include <set>

#include "recovery/hash_stream.h"
#include "recovery/journal.h"
#include "recovery/rel_path.h"
#include "recovery/workspace.h"

namespace lifeboat {
namespace {

struct Seen {
  bool exists = false;
  bool regular = false;
  std::optional<Digest> digest;  // for regular, readable files
  std::string error;
};

Seen Look(FileSystem& fs, const std::string& path, const CancelToken& cancel) {
  Seen s;
  Result<FileInfo> info = fs.Stat(path);
  if (!info.ok()) {
    if (info.status().code() != Status::Code::kNotFound) {
      s.exists = true;
      s.error = info.status().message();
    }
    return s;
  }
  s.exists = true;
  s.regular = info->type == FileType::kRegular;
  if (!s.regular) return s;
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(path);
  if (!in.ok()) {
    s.error = in.status().message();
    return s;
  }
  Result<StreamHash> h = HashStream(**in, UINT64_MAX - 1, NullProgress(), cancel);
  if (!h.ok()) {
    s.error = h.status().message();
    return s;
  }
  s.digest = h->digest;
  return s;
}

std::string Short(const Digest& d) { return ToHex(d).substr(0, 16) + "…"; }

UndoAction Conflict(const std::string& path, const std::string& why) {
  UndoAction a;
  a.kind = UndoAction::Kind::kConflict;
  a.path = path;
  a.message = why;
  return a;
}

}  // namespace

Result<UndoPlan> PlanUndo(FileSystem& fs, const std::string& run_id, const CancelToken& cancel) {
  if (!IsValidRunId(run_id))
    return Status::Error(Status::Code::kInvalidInput, "'" + run_id + "' is not a run id");
  Result<JournalContents> journal = ReadJournal(fs, JournalPath(run_id));
  if (!journal.ok()) {
    if (journal.status().code() == Status::Code::kNotFound)
      return Status::Error(Status::Code::kNotFound, "no run " + run_id + " on this target (see `lifeboat undo --list`)");
    return journal.status();
  }
  UndoPlan plan;
  plan.run_id = run_id;
  plan.torn_tail = journal->torn_tail;
  plan.ends_mid_line = journal->ends_mid_line;
  std::vector<const JournalRecord*> begins, mkdirs;
  std::set<uint32_t> done, failed;
  for (const JournalRecord& r : journal->records) {
    if (r.op == JournalRecord::Op::kBegin) begins.push_back(&r);
    if (r.op == JournalRecord::Op::kMkdir) mkdirs.push_back(&r);
    if (r.op == JournalRecord::Op::kDone) done.insert(r.seq);
    if (r.op == JournalRecord::Op::kFailed) failed.insert(r.seq);
    if (r.op == JournalRecord::Op::kUndone) {
      plan.already_undone = true;
      plan.undone_time = r.time;
    }
  }
  if (plan.already_undone) return plan;

  std::stable_sort(begins.begin(), begins.end(),
                   [](const JournalRecord* a, const JournalRecord* b) { return a->seq > b->seq; });
  for (const JournalRecord* b : begins) {
    if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
    // A failed step changed nothing (its temp was removed, the rename never
    // happened); a done step left no temp. Only an unfinished step can have
    // left a temp file, and even that is moved aside, not deleted.
    if (failed.count(b->seq) && !done.count(b->seq)) continue;
    if (!done.count(b->seq) && !b->tmp.empty() && fs.Stat(b->tmp).ok()) {
      UndoAction a;
      a.kind = UndoAction::Kind::kMoveTemp;
      a.path = b->tmp;
      a.to = UndoPath(run_id, b->tmp);
      plan.actions.push_back(a);
    }
    Seen now = Look(fs, b->path, cancel);
    if (!now.error.empty()) {
      plan.actions.push_back(Conflict(b->path, "cannot check it: " + now.error));
      continue;
    }
    if (b->kind == "remove") {
      if (now.exists) {
        if (now.digest && *now.digest == *b->old_sha256) continue;  // it was never moved
        plan.actions.push_back(Conflict(b->path, "a file is there again; the removed one stays in " + b->backup));
        continue;
      }
      Seen backup = Look(fs, b->backup, cancel);
      if (!backup.exists || !backup.digest || *backup.digest != *b->old_sha256) {
        plan.actions.push_back(Conflict(b->path, "the removed file is not in " + b->backup + " as recorded"));
        continue;
      }
      UndoAction a;
      a.kind = UndoAction::Kind::kPutBack;
      a.path = b->path;
      a.from = b->backup;
      a.no_replace = true;
      plan.actions.push_back(a);
      continue;
    }
    bool ours = now.digest && *now.digest == *b->new_sha256;
    if (b->kind == "restore") {
      if (!now.exists) continue;  // never put in place
      if (ours) {
        UndoAction a;
        a.kind = UndoAction::Kind::kSetAside;
        a.path = b->path;
        a.to = UndoPath(run_id, b->path);
        plan.actions.push_back(a);
      } else {
        plan.actions.push_back(Conflict(
            b->path, now.digest ? "changed since the fix (sha256 " + Short(*now.digest) + "); left alone"
                                : "is no longer a regular file; left alone"));
      }
      continue;
    }
    // replace
    bool still_old = now.digest && b->old_sha256 && *now.digest == *b->old_sha256;
    if (still_old) continue;  // the rename never happened
    if (now.exists && !ours) {
      plan.actions.push_back(Conflict(
          b->path, now.digest ? "changed since the fix (sha256 " + Short(*now.digest) + "); left alone"
                              : "is no longer a regular file; left alone"));
      continue;
    }
    Seen backup = Look(fs, b->backup, cancel);
    if (!backup.exists) {
      plan.actions.push_back(Conflict(b->path, "its backup " + b->backup + " is missing; cannot put the old file back"));
      continue;
    }
    if (!backup.regular || (b->old_sha256 && (!backup.digest || *backup.digest != *b->old_sha256))) {
      plan.actions.push_back(Conflict(b->path, "its backup " + b->backup + " is not the file that was replaced"));
      continue;
    }
    UndoAction a;
    a.kind = UndoAction::Kind::kPutBack;
    a.path = b->path;
    a.from = b->backup;
    a.no_replace = !now.exists;
    if (now.exists) {
      // Our copy is linked aside first, unless an earlier, interrupted undo
      // already did that.
      a.to = UndoPath(run_id, b->path);
      Seen aside = Look(fs, a.to, cancel);
      if (aside.exists && aside.digest == now.digest) a.to.clear();
      else if (aside.exists) a.to += ".again";
    }
    plan.actions.push_back(a);
  }
  // Later runs that are not undone may have written the same paths with the
  // same (manifest) content; reverting ours would take away theirs.
  Result<std::vector<RunInfo>> runs = ListRuns(fs);
  if (!runs.ok()) return runs.status();
  std::map<std::string, std::string> later;  // path -> run id
  bool after = false;
  for (const RunInfo& run : *runs) {
    if (run.run_id == run_id) {
      after = true;
      continue;
    }
    if (!after || run.undone) continue;
    if (!run.readable)
      return Status::Error(Status::Code::kConflict,
                           "the journal of run " + run.run_id + " is damaged (" + run.error +
                               "), so lifeboat cannot tell whether that run also wrote these files; move "
                               "lifeboat/journal/" + run.run_id + ".log aside if you know it did not");
    Result<JournalContents> j = ReadJournal(fs, JournalPath(run.run_id));
    if (!j.ok()) return j.status().WithContext("later run " + run.run_id);
    std::set<uint32_t> later_failed;
    for (const JournalRecord& r : j->records)
      if (r.op == JournalRecord::Op::kFailed) later_failed.insert(r.seq);
    for (const JournalRecord& r : j->records)
      if (r.op == JournalRecord::Op::kBegin && !later_failed.count(r.seq)) later.emplace(r.path, run.run_id);
  }
  for (UndoAction& a : plan.actions) {
    if (a.kind == UndoAction::Kind::kMoveTemp || a.kind == UndoAction::Kind::kRemoveDir) continue;
    auto it = later.find(a.path);
    if (it == later.end()) continue;
    a = Conflict(a.path, "the later run " + it->second + " also wrote it and is not undone; undo that run first");
  }
  for (auto it = mkdirs.rbegin(); it != mkdirs.rend(); ++it) {
    Result<FileInfo> info = fs.Stat((*it)->path);
    if (!info.ok() || info->type != FileType::kDirectory) continue;
    UndoAction a;
    a.kind = UndoAction::Kind::kRemoveDir;
    a.path = (*it)->path;
    plan.actions.push_back(a);
  }
  return plan;
}

namespace {

Status Apply(FileSystem& fs, const UndoAction& a) {
  switch (a.kind) {
    case UndoAction::Kind::kPutBack:
      if (a.no_replace) {
        LB_RETURN_IF_ERROR(fs.RenameNoReplace(a.from, a.path));
        return fs.SyncDir(std::string(ParentPath(a.path)));
      }
      if (!a.to.empty()) {
        LB_RETURN_IF_ERROR(MakeDirs(fs, ParentPath(a.to)));
        LB_RETURN_IF_ERROR(LinkOrCopy(fs, a.path, a.to));
      }
      LB_RETURN_IF_ERROR(fs.Rename(a.from, a.path));
      return fs.SyncDir(std::string(ParentPath(a.path)));
    case UndoAction::Kind::kSetAside:
      LB_RETURN_IF_ERROR(MakeDirs(fs, ParentPath(a.to)));
      LB_RETURN_IF_ERROR(fs.Rename(a.path, a.to));
      return fs.SyncDir(std::string(ParentPath(a.path)));
    case UndoAction::Kind::kMoveTemp:
      return MoveAside(fs, a.path, a.to);
    case UndoAction::Kind::kRemoveDir:
      return fs.RemoveDir(a.path);
    case UndoAction::Kind::kConflict:
      return Status::Error(Status::Code::kConflict, a.message);
  }
  return Status::Ok();
}

}  // namespace

UndoResult ExecuteUndo(FileSystem& fs, const UndoPlan& plan, std::time_t now, ProgressSink& progress,
                       const CancelToken& cancel) {
  UndoResult result;
  if (plan.already_undone) return result;
  progress.Begin(Phase::kUndo, plan.actions.size(), 0);
  for (const UndoAction& a : plan.actions) {
    if (cancel.cancelled()) {
      result.cancelled = true;
      break;
    }
    UndoOutcome o;
    o.action = a;
    Status s = Apply(fs, a);
    o.ok = s.ok();
    if (a.kind == UndoAction::Kind::kRemoveDir && !s.ok() && s.sys_errno() == ENOTEMPTY) {
      o.ok = true;  // someone put files there since: keep the directory
      o.message = "kept: not empty";
    } else if (!s.ok()) {
      o.message = s.message();
    }
    if (a.kind == UndoAction::Kind::kPutBack || a.kind == UndoAction::Kind::kSetAside) {
      if (o.ok) ++result.reverted;
    }
    if (!o.ok) ++result.conflicts;
    result.outcomes.push_back(std::move(o));
    progress.Advance(1, 0);
    if (!s.ok() && (s.code() == Status::Code::kNoSpace || s.code() == Status::Code::kReadOnly)) {
      result.fatal = s;
      break;
    }
  }
  progress.End(Phase::kUndo);
  if (result.conflicts == 0 && result.fatal.ok() && !result.cancelled) {
    JournalContents tail;
    tail.torn_tail = plan.torn_tail;
    tail.ends_mid_line = plan.ends_mid_line;
    Result<std::unique_ptr<JournalWriter>> w = JournalWriter::Append(fs, JournalPath(plan.run_id), tail);
    if (!w.ok()) {
      result.fatal = w.status();
      return result;
    }
    JournalRecord r;
    r.op = JournalRecord::Op::kUndone;
    r.time = IsoTime(now);
    r.reverted = result.reverted;
    Status s = (*w)->AddAndSync(r);
    if (!s.ok()) result.fatal = s;
  }
  return result;
}

}  // namespace lifeboat
