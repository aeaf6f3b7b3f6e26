// Building RunReports from scan, plan, execute and undo results, and the
// exit-code rules (report.h).
#include "recovery/report.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "recovery/case_fold.h"

namespace lifeboat {

const char* FileStateName(FileState s) {
  switch (s) {
    case FileState::kOk:
      return "ok";
    case FileState::kMissing:
      return "missing";
    case FileState::kCorrupt:
      return "corrupt";
    case FileState::kRestored:
      return "restored";
    case FileState::kUnrepaired:
      return "unrepaired";
    case FileState::kReverted:
      return "reverted";
    case FileState::kKnownBad:
      return "known-bad";
    case FileState::kRemoved:
      return "removed";
    case FileState::kUnlisted:
      return "unlisted";
  }
  return "?";
}

namespace {

void SetManifest(RunReport& r, const Manifest& m) {
  r.has_manifest = true;
  r.manifest_path = m.name;
  r.manifest_sha256 = m.file_sha256;
  r.manifest_entries = m.entries.size();
  r.manifest_forbid_rules = m.forbid.size();
  r.manifest_title = m.title;
  r.warnings.insert(r.warnings.end(), m.warnings.begin(), m.warnings.end());
}

FileReport FromFinding(const ManifestEntry& e, const Finding& f) {
  FileReport fr;
  fr.path = e.path;
  fr.expected = e.sha256;
  fr.found = f.found;
  if (f.state == FindingState::kOk && !fr.found) fr.found = e.sha256;  // a plain ok (see Findings)
  fr.message = f.message;
  switch (f.state) {
    case FindingState::kOk:
      fr.state = FileState::kOk;
      break;
    case FindingState::kMissing:
      fr.state = FileState::kMissing;
      break;
    case FindingState::kCorrupt:
      fr.state = FileState::kCorrupt;
      break;
    case FindingState::kBlocked:
    case FindingState::kUnchecked:
      fr.state = FileState::kUnrepaired;
      if (f.state == FindingState::kUnchecked) fr.message = "not checked: the scan was cancelled";
      break;
  }
  return fr;
}

void Count(Summary& s, FileState st) {
  switch (st) {
    case FileState::kOk:
      ++s.ok;
      break;
    case FileState::kMissing:
      ++s.missing;
      break;
    case FileState::kCorrupt:
      ++s.corrupt;
      break;
    case FileState::kRestored:
      ++s.restored;
      break;
    case FileState::kUnrepaired:
      ++s.unrepaired;
      break;
    case FileState::kReverted:
      ++s.reverted;
      break;
    case FileState::kKnownBad:
      ++s.known_bad;
      break;
    case FileState::kRemoved:
      ++s.removed;
      break;
    case FileState::kUnlisted:
      ++s.unlisted;
      break;
  }
}

// A file matching a forbid pattern, as the scan saw it.
FileReport FromForbidden(const Manifest& m, const ForbidFinding& f) {
  FileReport fr;
  fr.path = f.disk_path;
  fr.found = f.found;
  fr.message = f.message;
  switch (f.state) {
    case ForbidState::kKnownBad:
      fr.state = FileState::kKnownBad;
      break;
    case ForbidState::kUnlisted:
      fr.state = FileState::kUnlisted;
      break;
    case ForbidState::kUnchecked:
      fr.state = FileState::kUnrepaired;
      if (fr.message.empty()) fr.message = "not checked: the scan was cancelled";
      fr.message = "matches a forbid pattern but could not be checked: " + fr.message;
      break;
  }
  return fr;
}

}  // namespace

void ComputeExitCode(RunReport& r) {
  int code = 0;
  for (const FileReport& f : r.files) {
    if (f.state == FileState::kRestored || f.state == FileState::kRemoved) code |= kExitRepaired;
    if (f.state == FileState::kMissing || f.state == FileState::kCorrupt || f.state == FileState::kUnrepaired ||
        f.state == FileState::kKnownBad)
      code |= kExitProblemsLeft;
  }
  if (!r.error.empty()) code |= kExitOperational;
  if (r.cancelled) code |= kExitCancelled;
  r.exit_code = code;
}

RunReport ScanReport(const Manifest& m, const ScanResult& scan, bool keep_ok) {
  RunReport r;
  r.command = "scan";
  SetManifest(r, m);
  r.warnings.insert(r.warnings.end(), scan.warnings.begin(), scan.warnings.end());
  r.cancelled = scan.cancelled;
  for (size_t i = 0; i < scan.findings.size(); ++i) {
    if (!keep_ok && scan.findings.state(i) == FindingState::kOk) {
      ++r.summary.ok;
      continue;
    }
    FileReport fr = FromFinding(m.entries[i], scan.findings[i]);
    Count(r.summary, fr.state);
    r.files.push_back(std::move(fr));
  }
  for (const ForbidFinding& f : scan.forbidden) {
    FileReport fr = FromForbidden(m, f);
    Count(r.summary, fr.state);
    r.files.push_back(std::move(fr));
  }
  ComputeExitCode(r);
  return r;
}

RunReport FixReport(const Manifest& m, const ScanResult& scan, const RepairPlan& plan, const ExecuteResult* exec,
                    bool dry_run, bool keep_ok) {
  RunReport r;
  r.command = "fix";
  r.dry_run = dry_run;
  SetManifest(r, m);
  r.warnings.insert(r.warnings.end(), scan.warnings.begin(), scan.warnings.end());
  r.warnings.insert(r.warnings.end(), plan.warnings.begin(), plan.warnings.end());
  r.cancelled = scan.cancelled || plan.cancelled || (exec && exec->cancelled);
  // ok, missing and corrupt count what the scan found; restored and
  // unrepaired count what became of the problems.
  // Without keep_ok, ok files get no row (a million healthy files cost no
  // memory here); the plan's entries are never ok, so each has its row.
  // Without keep_ok, row k belongs to entry row_entry[k]: rows are made in
  // entry order, so the row of an entry is found by binary search (4 bytes a
  // row, where a hash map took ~40).
  std::vector<uint32_t> row_entry;
  auto entry_row = [&](uint32_t entry) -> FileReport& {
    if (keep_ok) return r.files[entry];
    auto it = std::lower_bound(row_entry.begin(), row_entry.end(), entry);
    if (it == row_entry.end() || *it != entry) throw std::out_of_range("no report row for a planned entry");
    return r.files[static_cast<size_t>(it - row_entry.begin())];
  };
  for (size_t i = 0; i < scan.findings.size(); ++i) {
    if (!keep_ok && scan.findings.state(i) == FindingState::kOk) {
      ++r.summary.ok;
      continue;
    }
    FileReport fr = FromFinding(m.entries[i], scan.findings[i]);
    if (fr.state != FileState::kUnrepaired) Count(r.summary, fr.state);
    if (!keep_ok) row_entry.push_back(static_cast<uint32_t>(i));
    r.files.push_back(std::move(fr));
  }
  const size_t forbidden_base = r.files.size();
  for (const ForbidFinding& ff : scan.forbidden) {
    FileReport fr = FromForbidden(m, ff);
    if (fr.state != FileState::kUnrepaired) Count(r.summary, fr.state);
    r.files.push_back(std::move(fr));
  }
  for (const Unrepairable& u : plan.unrepairable) {
    FileReport& f = entry_row(u.entry);
    f.state = FileState::kUnrepaired;
    if (scan.findings[u.entry].state != FindingState::kBlocked)  // blocked: the scan message says it all
      f.message = f.message.empty() ? u.reason : f.message + "; " + u.reason;
  }
  std::map<std::string, bool> replaced;  // folded path -> replace step done
  for (size_t k = 0; k < plan.steps.size(); ++k) {
    const RepairStep& step = plan.steps[k];
    if (step.kind == StepKind::kRemove) {
      FileReport& f = r.files[forbidden_base + step.forbidden];
      if (exec == nullptr) continue;
      const StepResult& sr = exec->steps[k];
      f.state = sr.done ? FileState::kRemoved : FileState::kUnrepaired;
      f.message = sr.done ? f.message + "; " + sr.message : "known-bad, could not be removed: " + sr.message;
      continue;
    }
    if (exec != nullptr && step.kind == StepKind::kReplace) replaced[FoldCase(step.path)] = exec->steps[k].done;
    FileReport& f = entry_row(step.entry);
    if (exec == nullptr) {  // nothing executed: the scan states stand, with their planned source
      f.source = step.source_label;
      continue;
    }
    const StepResult& sr = exec->steps[k];
    if (sr.done) {
      f.source = step.source_label;
      f.state = FileState::kRestored;
      f.message = std::string(step.kind == StepKind::kRestore ? "was missing" : "was corrupt") +
                  (sr.message.empty() ? "" : "; " + sr.message);
    } else {
      f.state = FileState::kUnrepaired;  // source stays null: nothing was written from it
      f.message = "the copy from " + step.source_label + " was not written: " + sr.message;
    }
  }
  // A known-bad file at a path the manifest also requires was replaced, with
  // its old copy backed up, rather than removed.
  for (size_t k = 0; exec != nullptr && k < scan.forbidden.size(); ++k) {
    auto it = replaced.find(FoldCase(scan.forbidden[k].disk_path));
    if (scan.forbidden[k].state != ForbidState::kKnownBad || it == replaced.end()) continue;
    FileReport& f = r.files[forbidden_base + k];
    f.state = it->second ? FileState::kRemoved : FileState::kUnrepaired;
    f.message += it->second ? "; replaced by the manifest's version (the old copy is in the backup)"
                            : "; replacing it failed (see the file's own line)";
  }
  for (const FileReport& f : r.files) {
    if (f.state == FileState::kRestored) ++r.summary.restored;
    if (f.state == FileState::kRemoved) ++r.summary.removed;
    if (f.state == FileState::kUnrepaired) ++r.summary.unrepaired;
  }
  if (exec != nullptr) {
    r.warnings.insert(r.warnings.end(), exec->notes.begin(), exec->notes.end());
    if (!exec->fatal.ok()) {
      r.error = exec->fatal.message();
      if (exec->fatal.code() == Status::Code::kNoSpace)
        r.error += " (the volume is full: free some space, then run fix again; nothing is half-written)";
      else if (exec->fatal.code() == Status::Code::kReadOnly)
        r.error += " (the volume is read-only or not writable: remount it read-write, then run fix again)";
    }
  }
  ComputeExitCode(r);
  return r;
}

void MergeReport(RunReport& into, const RunReport& from) {
  into.files.insert(into.files.end(), from.files.begin(), from.files.end());
  Summary& s = into.summary;
  const Summary& f = from.summary;
  s.ok += f.ok;
  s.missing += f.missing;
  s.corrupt += f.corrupt;
  s.restored += f.restored;
  s.unrepaired += f.unrepaired;
  s.reverted += f.reverted;
  into.notes.insert(into.notes.end(), from.notes.begin(), from.notes.end());
  into.warnings.insert(into.warnings.end(), from.warnings.begin(), from.warnings.end());
  if (into.error.empty()) into.error = from.error;
  into.cancelled = into.cancelled || from.cancelled;
}

RunReport UndoReport(const UndoPlan& plan, const UndoResult* result) {
  RunReport r;
  r.command = "undo";
  r.run_id = plan.run_id;
  r.dry_run = result == nullptr;
  auto add = [&](const UndoAction& a, bool ok, const std::string& msg) {
    if (a.kind == UndoAction::Kind::kMoveTemp || a.kind == UndoAction::Kind::kRemoveDir) {
      if (!ok) r.warnings.push_back(a.path + ": " + msg);
      return;
    }
    FileReport f;
    f.path = a.path;
    if (a.kind == UndoAction::Kind::kConflict || !ok) {
      f.state = FileState::kUnrepaired;
      f.message = msg.empty() ? a.message : msg;
    } else {
      f.state = FileState::kReverted;
      f.message = a.kind == UndoAction::Kind::kPutBack ? "old file put back from " + a.from
                                                        : "restored file moved to " + a.to;
    }
    Count(r.summary, f.state);
    r.files.push_back(std::move(f));
  };
  if (result == nullptr) {
    for (const UndoAction& a : plan.actions) add(a, a.kind != UndoAction::Kind::kConflict, a.message);
  } else {
    for (const UndoOutcome& o : result->outcomes) add(o.action, o.ok, o.message);
    r.cancelled = result->cancelled;
    if (!result->fatal.ok()) r.error = result->fatal.message();
  }
  ComputeExitCode(r);
  return r;
}

}  // namespace lifeboat
