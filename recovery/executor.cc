// ExecutePlan (see executor.h for the protocol and its crash guarantees).
#include "recovery/executor.h"

#include <map>
#include <memory>
#include <set>

#include "recovery/hash_stream.h"
#include "recovery/journal.h"
#include "recovery/rel_path.h"
#include "recovery/workspace.h"

namespace lifeboat {
namespace {

// Errors that mean "this volume cannot take writes now": stop, do not let
// every remaining step fail the same way.
bool IsFatal(const Status& s) {
  return s.code() == Status::Code::kNoSpace || s.code() == Status::Code::kReadOnly;
}

class Executor {
 public:
  Executor(FileSystem& fs, const RepairPlan& plan, const std::vector<std::unique_ptr<Source>>& sources,
           const ExecuteOptions& options, ProgressSink& progress, const CancelToken& cancel)
      : fs_(fs), plan_(plan), sources_(sources), opt_(options), progress_(progress), cancel_(cancel) {
    result_.steps.resize(plan.steps.size());
    state_.resize(plan.steps.size(), State::kPending);
  }

  ExecuteResult Run() {
    Result<std::unique_ptr<JournalWriter>> journal = JournalWriter::Create(fs_, JournalPath(opt_.run_id));
    if (!journal.ok()) {
      result_.fatal = journal.status().WithContext("cannot create the journal");
      return std::move(result_);
    }
    journal_ = std::move(journal).value();
    JournalRecord run;
    run.op = JournalRecord::Op::kRun;
    run.run_id = opt_.run_id;
    run.sequence = opt_.sequence;
    run.target = opt_.target;
    run.manifest = opt_.manifest;
    run.manifest_sha256 = opt_.manifest_sha256;
    run.time = IsoTime(opt_.now);
    if (!Journal(run) || !SyncJournal()) return Finish();

    uint64_t total_bytes = 0;
    for (const RepairStep& s : plan_.steps) total_bytes += s.size;
    progress_.Begin(Phase::kRepair, plan_.steps.size(), total_bytes);

    // Steps grouped by source, plan order kept within each group. Known-bad
    // files go first, before any directory is made: moving one aside needs no
    // new space and is often the whole cure (the bad driver of a boot loop),
    // so a volume that fills up while restoring must not keep it.
    std::map<size_t, std::vector<size_t>> by_source;
    for (size_t i = 0; i < plan_.steps.size(); ++i) by_source[plan_.steps[i].source].push_back(i);
    if (auto removals = by_source.find(kNoSource); removals != by_source.end()) {
      RunRemovals(removals->second);
      by_source.erase(removals);
    }
    if (Stopped() || !MakeDirectories()) return Finish();
    for (auto& [source, steps] : by_source) {
      if (Stopped()) break;
      RunBatch(source, steps);
    }
    progress_.End(Phase::kRepair);
    return Finish();
  }

 private:
  enum class State { kPending, kBegun, kWritten, kDone, kFailed };

  bool Stopped() const { return !result_.fatal.ok() || cancel_.cancelled(); }
  // The volume filled up while writing (and nothing else stopped the run):
  // nothing more is written, but copies already written and verified still go
  // in place, as a backup link and a rename need no new space. Any other stop
  // (read-only, a journal or directory sync that failed, even with ENOSPC)
  // is a hard stop: nothing more happens at all.
  bool OnlyFull() const {
    return result_.fatal.code() == Status::Code::kNoSpace && !hard_stop_ && !cancel_.cancelled();
  }
  void StopHard(const Status& s) {
    hard_stop_ = true;
    if (result_.fatal.ok()) result_.fatal = s;
  }

  bool Journal(const JournalRecord& r) {
    Status s = journal_->Add(r);
    if (!s.ok()) StopHard(s.WithContext("journal"));
    return s.ok();
  }
  bool SyncJournal() {
    Status s = journal_->Sync();
    if (!s.ok()) StopHard(s.WithContext("journal"));
    return s.ok();
  }

  void Fail(size_t i, const std::string& message) {
    result_.steps[i].message = message;
    if (state_[i] == State::kWritten) {
      Status removed = fs_.RemoveFile(TempPathFor(plan_.steps[i].path));
      if (!removed.ok() && removed.code() != Status::Code::kNotFound) {
        // Left for crash recovery: with neither an outcome for the step nor
        // an end record for the run, the next fix treats the run as
        // interrupted and moves this temp file aside.
        temp_left_.insert(i);
        result_.steps[i].message += "; its temp file could not be removed (" + removed.message() +
                                    "): the next fix moves it into " + std::string(kWorkspaceDir) + "/undo/";
      }
    }
    state_[i] = State::kFailed;
  }

  // A failure of step i: fatal ones also stop the run.
  void FailWith(size_t i, const Status& s) {
    Fail(i, s.message());
    if (!IsFatal(s)) return;
    if (s.code() != Status::Code::kNoSpace) hard_stop_ = true;
    if (result_.fatal.ok()) result_.fatal = s;
  }

  bool MakeDirectories() {
    if (plan_.mkdirs.empty()) return true;
    for (const std::string& d : plan_.mkdirs) {
      JournalRecord r;
      r.op = JournalRecord::Op::kMkdir;
      r.path = d;
      if (!Journal(r)) return false;
    }
    if (!SyncJournal()) return false;
    std::set<std::string> synced;
    for (const std::string& d : plan_.mkdirs) {
      Status s = fs_.MakeDir(d);
      if (!s.ok() && s.code() != Status::Code::kExists) {
        result_.notes.push_back("could not create directory: " + s.message());
        if (IsFatal(s)) {
          result_.fatal = s;
          return false;
        }
      }
      synced.insert(std::string(ParentPath(d)));
    }
    SyncDirsOrFail(synced);
    return result_.fatal.ok();
  }

  // A directory that cannot be made durable stops the run hard: backups must
  // be durable before any rename, whatever stopped the run before.
  void SyncDirsOrFail(const std::set<std::string>& dirs) {
    Status s = fs_.SyncAll({}, std::vector<std::string>(dirs.begin(), dirs.end()));
    if (!s.ok()) StopHard(s);
  }

  // Hash of the file about to be replaced, recorded so undo can check the
  // backup it puts back. Unreadable (e.g. bad sectors): unknown.
  std::optional<Digest> OldDigest(const RepairStep& step) {
    if (step.old_digest) return step.old_digest;
    Result<std::unique_ptr<ByteReader>> in = fs_.OpenRead(step.path);
    if (!in.ok()) return std::nullopt;
    Result<StreamHash> h = HashStream(**in, UINT64_MAX - 1, NullProgress(), cancel_);
    if (!h.ok()) return std::nullopt;
    return h->digest;
  }

  // Known-bad files: journal, check the content is still the known-bad one,
  // move each into the backup folder (a rename: nothing is copied or
  // deleted), fsync both directories, journal the outcome.
  void RunRemovals(const std::vector<size_t>& steps) {
    for (size_t i : steps) {
      const RepairStep& s = plan_.steps[i];
      JournalRecord r;
      r.op = JournalRecord::Op::kBegin;
      r.seq = static_cast<uint32_t>(i);
      r.kind = "remove";
      r.path = s.path;
      r.backup = BackupPath(opt_.run_id, s.path);
      r.old_sha256 = s.expected;
      result_.steps[i].backup = r.backup;
      if (!Journal(r)) return;
      state_[i] = State::kBegun;
    }
    if (!SyncJournal()) return;
    std::set<std::string> dirs;
    for (size_t i : steps) {
      const RepairStep& s = plan_.steps[i];
      if (Stopped() && !OnlyFull()) {
        Fail(i, "not done: the run stopped");
        continue;
      }
      Result<std::unique_ptr<ByteReader>> in = fs_.OpenRead(s.path);
      Result<StreamHash> h = in.ok() ? HashStream(**in, s.size, NullProgress(), cancel_)
                                     : Result<StreamHash>(in.status());
      if (!h.ok() || h->over_limit || h->digest != s.expected) {
        Fail(i, "changed since the scan; left alone");
        continue;
      }
      const std::string& backup = result_.steps[i].backup;
      Status moved = MakeDirs(fs_, ParentPath(backup));
      if (moved.ok()) moved = fs_.Rename(s.path, backup);
      if (!moved.ok()) {
        FailWith(i, moved.WithContext("cannot move the known-bad file aside"));
        continue;
      }
      state_[i] = State::kDone;
      result_.steps[i].done = true;
      result_.steps[i].message = "moved to " + backup;
      dirs.insert(std::string(ParentPath(s.path)));
      dirs.insert(std::string(ParentPath(backup)));
      progress_.Advance(1, 0);
    }
    SyncDirsOrFail(dirs);
    JournalOutcomes(steps);
  }

  void JournalOutcomes(const std::vector<size_t>& steps) {
    for (size_t i : steps) {
      JournalRecord r;
      r.seq = static_cast<uint32_t>(i);
      if (state_[i] == State::kDone) {
        r.op = JournalRecord::Op::kDone;
      } else {
        if (state_[i] != State::kFailed) Fail(i, "not done");
        if (temp_left_.count(i)) continue;  // see Fail()
        r.op = JournalRecord::Op::kFailed;
        r.message = result_.steps[i].message;
      }
      if (!Journal(r)) return;
    }
    SyncJournal();
  }

  void RunBatch(size_t source, const std::vector<size_t>& steps) {
    // 1. Intentions first.
    for (size_t i : steps) {
      const RepairStep& s = plan_.steps[i];
      JournalRecord r;
      r.op = JournalRecord::Op::kBegin;
      r.seq = static_cast<uint32_t>(i);
      r.kind = s.kind == StepKind::kRestore ? "restore" : "replace";
      r.path = s.path;
      r.tmp = TempPathFor(s.path);
      r.new_sha256 = s.expected;
      if (s.kind == StepKind::kReplace) {
        r.backup = BackupPath(opt_.run_id, s.path);
        r.old_sha256 = OldDigest(s);
        result_.steps[i].backup = r.backup;
      }
      if (!Journal(r)) return;
      state_[i] = State::kBegun;
    }
    if (!SyncJournal()) return;

    // 2. Temp files from one pass over the source.
    std::map<uint64_t, std::vector<size_t>> by_candidate;
    for (size_t i : steps) by_candidate[plan_.steps[i].candidate.id].push_back(i);
    std::vector<Candidate> wanted;
    for (auto& [id, users] : by_candidate) wanted.push_back(plan_.steps[users.front()].candidate);
    Status fetched = sources_[source]->Fetch(
        wanted, [&](const Candidate& c, ByteReader& in) { WriteTemps(by_candidate[c.id], in); }, cancel_);
    for (size_t i : steps) {
      if (state_[i] != State::kBegun) continue;
      if (cancel_.cancelled())
        Fail(i, "cancelled before it was written");
      else if (!result_.fatal.ok())
        Fail(i, "not written: the run stopped (" + result_.fatal.message() + ")");
      else
        Fail(i, "source " + sources_[source]->label() + " could not deliver the copy" +
                    (fetched.ok() ? "" : ": " + fetched.message()));
    }
    SyncAndVerifyTemps(steps);

    // 3. Back up every file about to be replaced, and make the backups
    // durable before any rename: on file systems that do not order metadata
    // (ntfs-3g, vfat) a power cut must not keep the rename and lose the link.
    std::set<std::string> backup_dirs, dirs;
    auto stop_if_stopped = [&](size_t i) {
      if (!Stopped() || OnlyFull()) return false;
      Fail(i, !result_.fatal.ok() ? "not done: the run stopped (" + result_.fatal.message() + ")"
                                  : "cancelled before it was put in place");
      return true;
    };
    for (size_t i : steps) {
      if (state_[i] != State::kWritten || plan_.steps[i].kind != StepKind::kReplace || stop_if_stopped(i)) continue;
      BackUp(i, backup_dirs);
    }
    SyncDirsOrFail(backup_dirs);
    // 4. Rename into place.
    for (size_t i : steps) {
      if (state_[i] != State::kWritten || stop_if_stopped(i)) continue;
      PutInPlace(i, dirs);
    }
    SyncDirsOrFail(dirs);

    // 5. Outcomes.
    JournalOutcomes(steps);
  }

  // Streams one candidate into the temp files of every step it serves.
  void WriteTemps(const std::vector<size_t>& steps, ByteReader& in) {
    std::vector<std::pair<size_t, std::unique_ptr<WritableFile>>> outs;
    for (size_t i : steps) {
      if (state_[i] != State::kBegun || Stopped()) continue;
      const RepairStep& s = plan_.steps[i];
      uint32_t mode = 0644;
      if (s.kind == StepKind::kReplace) {
        Result<FileInfo> old = fs_.Stat(s.path);
        if (old.ok()) mode = old->mode & 0777;
      }
      Result<std::unique_ptr<WritableFile>> f = fs_.CreateNew(TempPathFor(s.path), mode);
      if (!f.ok()) {
        FailWith(i, f.status().code() == Status::Code::kExists
                        ? Status::Error(Status::Code::kExists, f.status().message() +
                                                                  " (not lifeboat's: remove it or rename it)")
                        : f.status());
        continue;
      }
      state_[i] = State::kWritten;  // from here on Fail() removes the temp
      outs.emplace_back(i, std::move(f).value());
    }
    if (outs.empty()) return;

    constexpr size_t kBuf = 1 << 20;
    std::unique_ptr<char[]> buf(new char[kBuf]);
    auto fail_all = [&](const Status& s) {
      for (auto& [i, f] : outs) {
        f.reset();
        FailWith(i, s);
      }
    };
    // Every step here serves the same verified content: never write more than
    // its size, whatever the source does now.
    const uint64_t limit = plan_.steps[steps.front()].size;
    uint64_t written = 0;
    for (;;) {
      if (cancel_.cancelled()) return fail_all(Status::Error(Status::Code::kCancelled, "cancelled while writing"));
      Result<size_t> n = in.Read(buf.get(), kBuf);
      if (!n.ok()) return fail_all(n.status().WithContext("reading the source copy"));
      if (*n == 0) break;
      written += *n;
      if (written > limit)
        return fail_all(Status::Error(Status::Code::kConflict,
                                      "the source copy is larger than when it was verified; not used"));
      for (auto it = outs.begin(); it != outs.end();) {
        Status w = it->second->Write(buf.get(), *n);
        if (!w.ok()) {
          it->second.reset();
          FailWith(it->first, w);
          it = outs.erase(it);
        } else {
          ++it;
        }
      }
      if (outs.empty()) return;
      progress_.Advance(0, *n);
    }
    for (auto& [i, f] : outs) {
      Status closed = f->Close();
      f.reset();
      if (!closed.ok()) FailWith(i, closed);
    }
  }

  // Makes every temp file of the batch durable with one sync (not one fsync
  // per file: that was most of the time of restoring 1,000 small files), then
  // reads each back. Nothing is renamed before this.
  void SyncAndVerifyTemps(const std::vector<size_t>& steps) {
    std::vector<std::string> temps;
    for (size_t i : steps)
      if (state_[i] == State::kWritten) temps.push_back(TempPathFor(plan_.steps[i].path));
    if (temps.empty()) return;
    Status synced = fs_.SyncAll(temps, {});
    for (size_t i : steps) {
      if (state_[i] != State::kWritten) continue;
      if (!synced.ok())
        FailWith(i, synced.WithContext("making the written copies durable"));
      else
        VerifyTemp(i);
    }
  }

  // Reads the fsynced temp file back and hashes it: only bytes that are on
  // the volume and match the manifest are renamed into place. This also
  // catches a source that changed since the planner verified it.
  void VerifyTemp(size_t i) {
    const RepairStep& s = plan_.steps[i];
    Result<std::unique_ptr<ByteReader>> in = fs_.OpenRead(TempPathFor(s.path));
    if (!in.ok()) return FailWith(i, in.status().WithContext("cannot read back the written copy"));
    Result<StreamHash> h = HashStream(**in, s.size, NullProgress(), cancel_);
    if (!h.ok()) return FailWith(i, h.status().WithContext("cannot read back the written copy"));
    if (h->over_limit || h->bytes != s.size || h->digest != s.expected) {
      return Fail(i, "the written copy does not match the manifest" +
                         (h->over_limit ? std::string() : " (sha256 " + ToHex(h->digest) + ")") +
                         ": the source changed since it was verified, or the write was corrupted; not used");
    }
  }

  void BackUp(size_t i, std::set<std::string>& backup_dirs) {
    const RepairStep& s = plan_.steps[i];
    const std::string& backup = result_.steps[i].backup;
    Status made = MakeDirs(fs_, ParentPath(backup));
    if (!made.ok()) return FailWith(i, made.WithContext("backup folder"));
    // On a full volume only a link will do: a copy would need the space.
    Status linked = OnlyFull() ? fs_.Link(s.path, backup) : LinkOrCopy(fs_, s.path, backup);
    if (!linked.ok()) return FailWith(i, linked.WithContext("cannot back up the old file, left it alone"));
    backup_dirs.insert(std::string(ParentPath(backup)));
  }

  void PutInPlace(size_t i, std::set<std::string>& dirs) {
    const RepairStep& s = plan_.steps[i];
    std::string tmp = TempPathFor(s.path);
    Status renamed = s.kind == StepKind::kReplace ? fs_.Rename(tmp, s.path) : fs_.RenameNoReplace(tmp, s.path);
    if (!renamed.ok()) {
      if (renamed.code() == Status::Code::kExists)
        return Fail(i, s.path + " appeared since the scan; left alone");
      return FailWith(i, renamed);
    }
    state_[i] = State::kDone;
    dirs.insert(std::string(ParentPath(s.path)));
    result_.steps[i].done = true;
    if (s.kind == StepKind::kReplace)
      result_.steps[i].message = "old copy in " + std::string(kWorkspaceDir) + "/backup/" + opt_.run_id + "/";
    progress_.Advance(1, 0);
  }

  ExecuteResult Finish() {
    for (size_t i = 0; i < state_.size(); ++i) {
      if (state_[i] == State::kDone || state_[i] == State::kFailed) continue;
      Fail(i, !result_.fatal.ok() ? "not attempted: " + result_.fatal.message() : "not attempted: cancelled");
    }
    result_.cancelled = cancel_.cancelled();
    if (journal_ && temp_left_.empty()) {
      JournalRecord end;
      end.op = JournalRecord::Op::kEnd;
      end.cancelled = result_.cancelled;
      Status s = journal_->AddAndSync(end);
      if (!s.ok() && result_.fatal.ok()) result_.fatal = s.WithContext("journal");
    }
    return std::move(result_);
  }

  FileSystem& fs_;
  const RepairPlan& plan_;
  const std::vector<std::unique_ptr<Source>>& sources_;
  const ExecuteOptions& opt_;
  ProgressSink& progress_;
  const CancelToken& cancel_;
  std::unique_ptr<JournalWriter> journal_;
  std::vector<State> state_;
  std::set<size_t> temp_left_;  // steps whose temp file could not be removed: no outcome, no end record
  bool hard_stop_ = false;       // see OnlyFull()
  ExecuteResult result_;
};

}  // namespace

ExecuteResult ExecutePlan(FileSystem& fs, const RepairPlan& plan, const std::vector<std::unique_ptr<Source>>& sources,
                          const ExecuteOptions& options, ProgressSink& progress, const CancelToken& cancel) {
  return Executor(fs, plan, sources, options, progress, cancel).Run();
}

}  // namespace lifeboat
