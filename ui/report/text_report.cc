// Text report and plan rendering. Columns are padded for a 80-column console;
// long paths simply push the detail further right.
#include "ui/report/text_report.h"

#include <cstdio>
#include <iomanip>

namespace lifeboat::ui {
namespace {

const char* Tag(FileState s) {
  switch (s) {
    case FileState::kOk:
      return "OK";
    case FileState::kMissing:
      return "MISSING";
    case FileState::kCorrupt:
      return "CORRUPT";
    case FileState::kRestored:
      return "RESTORED";
    case FileState::kUnrepaired:
      return "UNREPAIRED";
    case FileState::kReverted:
      return "REVERTED";
    case FileState::kKnownBad:
      return "KNOWN-BAD";
    case FileState::kRemoved:
      return "REMOVED";
    case FileState::kUnlisted:
      return "UNLISTED";
  }
  return "?";
}

void Row(std::ostream& out, const char* tag, const std::string& path, const std::string& detail) {
  out << "  " << std::left << std::setw(11) << tag << ' ' << Printable(path);
  if (!detail.empty())
    out << (path.size() < 40 ? std::string(40 - path.size(), ' ') : std::string(" ")) << ' ' << Printable(detail);
  out << '\n';
}

std::string Detail(const FileReport& f) {
  std::string d;
  if (!f.source.empty()) d = (f.state == FileState::kMissing || f.state == FileState::kCorrupt ? "copy in " : "from ") + f.source;
  if (!f.message.empty()) d += (d.empty() ? "" : "; ") + f.message;
  return d;
}

}  // namespace

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      out.push_back('?');
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out.push_back('?');
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

void WriteTextReport(std::ostream& out, const RunReport& r, const TextOptions& opt) {
  out << "lifeboat " << r.command << (r.dry_run ? " (dry run: nothing written)" : "") << '\n';
  if (!r.target.empty()) out << "  target    " << Printable(r.target) << '\n';
  if (r.has_manifest)
    out << "  manifest  " << Printable(r.manifest_path)
        << (r.manifest_title.empty() ? "" : " \"" + Printable(r.manifest_title) + "\"") << " ("
        << r.manifest_entries << " files"
        << (r.manifest_forbid_rules ? ", " + std::to_string(r.manifest_forbid_rules) + " forbid rules" : "")
        << ", sha256 " << ToHex(r.manifest_sha256).substr(0, 16) << "…)\n";
  if (!r.signature_state.empty()) {
    out << "  signature " << r.signature_state;
    if (!r.signature_key_id.empty()) out << ", key " << r.signature_key_id;
    if (!r.signature_key_file.empty()) out << " (" << Printable(r.signature_key_file) << ")";
    out << '\n';
  }
  if (!r.run_id.empty() && r.command != "scan") out << "  run       " << r.run_id << '\n';
  out << '\n';
  size_t listed = 0;
  for (const FileReport& f : r.files) {
    if (f.state == FileState::kOk && !opt.all) continue;
    Row(out, Tag(f.state), f.path, Detail(f));
    if (opt.verbose && f.state != FileState::kOk && f.state != FileState::kReverted) {
      if (f.expected) out << "              expected sha256 " << ToHex(*f.expected) << '\n';
      out << "              found    sha256 " << (f.found ? ToHex(*f.found) : std::string("-")) << '\n';
    }
    ++listed;
  }
  if (listed > 0) out << '\n';
  for (const std::string& n : r.notes) out << "note: " << Printable(n) << '\n';
  for (const std::string& w : r.warnings) out << "warning: " << Printable(w) << '\n';
  if (!r.warnings.empty() || !r.notes.empty()) out << '\n';

  const Summary& s = r.summary;
  if (r.command == "undo") {
    out << s.reverted << " reverted, " << s.unrepaired << " left alone (conflicts)\n";
  } else {
    out << s.ok << " ok, " << s.missing << " missing, " << s.corrupt << " corrupt";
    if (s.known_bad) out << ", " << s.known_bad << " known-bad";
    if (r.command == "fix" && !r.dry_run) {
      out << "  ->  " << s.restored << " restored";
      if (s.known_bad) out << ", " << s.removed << " removed";
    }
    out << ", " << s.unrepaired << " unrepaired";
    if (s.unlisted) out << " (" << s.unlisted << " unlisted, left alone)";
    out << '\n';
  }
  if (!r.error.empty()) out << "error: " << Printable(r.error) << '\n';
  if (r.cancelled)
    out << (r.run_id.empty() ? "cancelled: nothing was written\n"
                             : "cancelled: the run stopped early; what was done is consistent and journaled\n");

  std::string verdict;
  int code = r.exit_code;
  if (r.command == "undo") {
    if (code != 0)
      verdict = "Undo incomplete: see above.";
    else if (r.files.empty())
      verdict = "Nothing to undo.";
    else
      verdict = "Undone: the changes were reverted.";
  } else if (code & kExitOperational) {
    verdict = "Stopped by an error: see above.";
  } else if ((code & (kExitRepaired | kExitProblemsLeft)) == 0) {
    verdict = r.command == "fix" && !r.cancelled ? "Healthy: nothing needed repair." : "Healthy: every file matches the manifest.";
  } else if (!(code & kExitProblemsLeft)) {
    verdict = "Repaired: every problem was fixed.";
  } else if (code & kExitRepaired) {
    verdict = "Partly repaired: the files marked UNREPAIRED still need attention.";
  } else if (r.command == "fix" && !r.run_id.empty()) {
    verdict = "Problems left: lifeboat found no safe repair for them (see above).";
  } else {
    verdict = r.summary.missing + r.summary.corrupt > 0
                  ? "Problems found: `lifeboat fix` with --source can repair them."
                  : "Problems found: `lifeboat fix` can repair them.";
  }
  out << verdict << " (exit " << r.exit_code << ")\n";
  if (r.command == "fix" && !r.dry_run && s.restored > 0)
    out << "Undo with: lifeboat undo "
        << Printable(r.target_args.empty() ? "--target " + r.target : r.target_args) << " --run " << r.run_id << '\n';
}

void WritePlan(std::ostream& out, const Manifest& m, const RepairPlan& plan) {
  out << "Plan: " << plan.steps.size() << " file(s) to write";
  if (!plan.unrepairable.empty()) out << ", " << plan.unrepairable.size() << " without a safe repair";
  out << '\n';
  for (const std::string& d : plan.mkdirs) Row(out, "mkdir", d, "");
  for (const RepairStep& s : plan.steps) {
    if (s.kind == StepKind::kRemove) {
      Row(out, "remove", s.path, "known-bad: moved into the backup");
      continue;
    }
    Row(out, s.kind == StepKind::kRestore ? "restore" : "replace", s.path,
        "from " + s.source_label + (s.kind == StepKind::kReplace ? " (old file kept in backup)" : ""));
  }
  for (const Unrepairable& u : plan.unrepairable) Row(out, "skip", m.entries[u.entry].path, u.reason);
}

void WriteUndoPlan(std::ostream& out, const UndoPlan& plan) {
  out << "Undo plan for run " << plan.run_id << ":\n";
  for (const UndoAction& a : plan.actions) {
    switch (a.kind) {
      case UndoAction::Kind::kPutBack:
        Row(out, "put back", a.path, "from " + a.from);
        break;
      case UndoAction::Kind::kSetAside:
        Row(out, "take away", a.path, "to " + a.to);
        break;
      case UndoAction::Kind::kMoveTemp:
        Row(out, "move temp", a.path, "to " + a.to);
        break;
      case UndoAction::Kind::kRemoveDir:
        Row(out, "rmdir", a.path, "if empty");
        break;
      case UndoAction::Kind::kConflict:
        Row(out, "CONFLICT", a.path, a.message);
        break;
    }
  }
}

}  // namespace lifeboat::ui
