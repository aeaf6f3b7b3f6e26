// The TUI's screens as view-models (screens.h).
#include "ui/tui/screens.h"

#include <algorithm>
#include <cstdio>

#include "recovery/sha256.h"

namespace lifeboat::tui {
namespace {

Line Text(std::string s, size_t cols) { return Line{Fit(s, cols), false}; }

// The cursor marker and the selection flag, so a monochrome screen without
// reverse video still shows which row is chosen.
Line Row(const std::string& s, bool selected, size_t cols) {
  return Line{Fit((selected ? "> " : "  ") + s, cols), selected};
}

std::string Hex(const std::optional<Digest>& d) { return d ? ToHex(*d) : std::string(); }

std::string Duration(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

std::string VolumeStateLabel(const VolumeReport& v) {
  if (v.bitlocker) return "BITLOCKER LOCKED";
  if (v.hibernation == HiberState::kHibernated || v.hibernation == HiberState::kResuming ||
      v.hibernation == HiberState::kUnknown)
    return "HIBERNATED";
  if (v.dirty.value_or(false)) return "DIRTY";
  if (v.read_only) return "READ-ONLY";
  if (!v.writable()) return "UNSAFE";
  return "OK";
}

std::string VolumeStateHelp(const VolumeReport& v) {
  std::string label = VolumeStateLabel(v);
  if (label == "OK") {
    if (v.windows.empty() && v.source != "directory") return "OK: no Windows found on it; Enter scans it anyway.";
    return "OK: safe to repair. Press Enter to check it.";
  }
  std::string why = v.unsafe_reasons.empty() ? std::string("writing to it is not safe") : v.unsafe_reasons[0];
  if (label == "BITLOCKER LOCKED")
    return "BITLOCKER LOCKED: encrypted. Press Enter to type its 48-digit recovery password.";
  return label + ": " + why;
}

std::string WindowsText(const VolumeReport& v) {
  if (v.windows.empty()) return "-";
  const WindowsInstall& w = v.windows[0];
  std::string s = w.name.empty() ? w.product_name : w.name;
  if (s.rfind("Windows ", 0) == 0) s.erase(0, 8);  // the column says WINDOWS
  if (w.sp) s += " SP" + std::to_string(w.sp);
  if (!w.arch.empty()) s += " " + w.arch;
  return s;
}

// --- volumes ---

VolumesScreen::VolumesScreen(std::vector<VolumeReport> volumes, std::vector<std::string> errors)
    : volumes_(std::move(volumes)), errors_(std::move(errors)) {
  list_.SetCount(volumes_.size());
}

const VolumeReport* VolumesScreen::selected() const {
  return volumes_.empty() ? nullptr : &volumes_[list_.cursor()];
}

Action VolumesScreen::HandleKey(int key) {
  if (list_.HandleKey(key)) {
    message_.clear();
    return Action::kNone;
  }
  if (key == 'q' || key == kKeyInterrupt) return Action::kQuit;
  if (key == kKeyEnter && selected()) {
    const VolumeReport& v = *selected();
    // Locked is the only reason: the recovery password opens it (the
    // unlocked volume's own safety is checked when it is opened).
    bool only_locked = v.bitlocker && v.unsafe_reasons.size() <= 1 && !v.read_only;
    if (only_locked) return Action::kUnlock;
    if (!v.writable()) {
      message_ = "Cannot repair " + v.id + ": " + VolumeStateLabel(v) + ". ";
      for (const std::string& r : v.unsafe_reasons) message_ += r + " ";
      if (v.unsafe_reasons.empty()) message_ += "Unlock it first.";
      return Action::kNone;
    }
    return Action::kChoose;
  }
  return Action::kNone;
}

Frame VolumesScreen::Render(int rows, int cols) {
  size_t w = static_cast<size_t>(cols);
  Frame f;
  f.title = Fit("lifeboat: choose the Windows volume to check", w);
  f.help = Fit("Up/Down or j/k: move   Enter: check this volume   q: quit", w);
  // 2 + 55 + 5 columns, so "[BITLOCKER LOCKED]" still fits in 80.
  f.body.push_back(Text("  " + Pad("VOLUME", 13) + " " + Pad("SIZE", 8) + " " + Pad("LABEL", 8) + " " +
                            Pad("FS", 9) + " " + Pad("WINDOWS", 17) + " STATE",
                        w));
  // Below the list: the selected volume, its state's meaning and the
  // message, wrapped (at most 3 lines each); the list gets the rest.
  std::vector<Line> tail{Line{}};
  auto add = [&](const std::string& text) {
    std::vector<Line> lines = Wrap(text, w, 2);
    if (lines.size() > 3) lines.resize(3);
    tail.insert(tail.end(), lines.begin(), lines.end());
  };
  if (const VolumeReport* v = selected()) {
    add("Volume: " + v->id + (v->label.empty() ? "" : " (" + v->label + ")"));
    add(VolumeStateHelp(*v));
  }
  for (const std::string& e : errors_) add("Error: " + e);
  if (!message_.empty()) {
    tail.push_back(Line{});
    add(message_);
  }
  list_.SetHeight(ListRows(rows, 1 + tail.size()));
  if (volumes_.empty()) f.body.push_back(Text("  No volumes found.", w));
  for (size_t i = list_.top(); i < list_.end(); ++i) {
    const VolumeReport& v = volumes_[i];
    std::string size = v.size ? HumanBytes(v.size) : "-";
    // The end of a long id says most ("...sda2", "...fx/win"); the full one is below.
    std::string id = v.id.size() > 13 ? "..." + v.id.substr(v.id.size() - 10) : v.id;
    f.body.push_back(Row(Pad(id, 13) + " " + Pad(size, 8) + " " + Pad(Fit(v.label, 8), 8) + " " +
                             Pad(Fit(v.fs, 9), 9) + " " + Pad(Fit(WindowsText(v), 17), 17) + " [" +
                             VolumeStateLabel(v) + "]",
                         i == list_.cursor(), w));
  }
  f.body.insert(f.body.end(), tail.begin(), tail.end());
  return f;
}

// --- BitLocker recovery password ---

PasswordScreen::PasswordScreen(std::string volume) : volume_(std::move(volume)) {}

size_t PasswordScreen::Digits() const {
  size_t n = 0;
  for (char c : value_) n += c >= '0' && c <= '9';
  return n;
}

Action PasswordScreen::HandleKey(int key) {
  if (key == kKeyEscape || key == kKeyInterrupt) return Action::kNo;
  if (key == kKeyBackspace || key == 8) {
    if (!value_.empty()) value_.pop_back();
    error_.clear();
    return Action::kNone;
  }
  if (key == kKeyEnter) {
    if (Digits() == 48) return Action::kYes;
    error_ = "A recovery password has 48 digits (8 groups of 6); " + std::to_string(Digits()) + " typed.";
    return Action::kNone;
  }
  if (((key >= '0' && key <= '9') || key == '-') && value_.size() < 55) {
    value_ += static_cast<char>(key);
    error_.clear();
  }
  return Action::kNone;
}

Frame PasswordScreen::Render(int rows, int cols) {
  size_t w = static_cast<size_t>(cols);
  Frame f;
  f.title = Fit("lifeboat: unlock " + volume_, w);
  f.help = Fit("Type the digits   Backspace: erase   Enter: unlock   Esc: back", w);
  f.body.push_back(Text("This volume is encrypted with BitLocker. Type its recovery password (48 digits;", w));
  f.body.push_back(Text("the dashes are optional). It is in the Microsoft account or printed at setup.", w));
  f.body.push_back(Line{});
  std::string masked;
  for (char c : value_) masked += c == '-' ? '-' : '*';
  f.body.push_back(Text("Recovery password: " + masked + "_", w));
  f.body.push_back(Text(std::to_string(Digits()) + " of 48 digits", w));
  if (!error_.empty()) {
    f.body.push_back(Line{});
    f.body.push_back(Text(error_, w));
  }
  (void)rows;
  return f;
}

// --- progress ---

ProgressScreen::ProgressScreen(std::string title, std::vector<std::string> header, CancelToken* cancel)
    : title_(std::move(title)), header_(std::move(header)), cancel_(cancel) {}

void ProgressScreen::Begin(Phase phase, uint64_t total_files, uint64_t total_bytes) {
  total_files_ = total_files;
  total_bytes_ = total_bytes;
  files_ = 0;
  bytes_ = 0;
  started_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
  phase_ = static_cast<int>(phase);
}

void ProgressScreen::Advance(uint64_t files, uint64_t bytes) {
  files_ += files;
  bytes_ += bytes;
}

void ProgressScreen::End(Phase) {}

Action ProgressScreen::HandleKey(int key) {
  if (key == kKeyEscape || key == 'q' || key == 'Q' || key == kKeyInterrupt) {
    cancel_->Cancel();
    return Action::kCancel;
  }
  return Action::kNone;
}

Frame ProgressScreen::Render(int rows, int cols, std::chrono::steady_clock::time_point now) {
  size_t w = static_cast<size_t>(cols);
  Frame f;
  f.title = Fit("lifeboat: " + title_, w);
  f.help = Fit(cancel_->cancelled() ? "Stopping at a safe point..." : "Esc or q: cancel", w);
  for (const std::string& h : header_) f.body.push_back(Text(h, w));
  f.body.push_back(Line{});
  int phase = phase_;
  const char* what = phase == static_cast<int>(Phase::kScan)     ? "Checking the files on the volume"
                     : phase == static_cast<int>(Phase::kSearch) ? "Looking for verified copies in the sources"
                     : phase == static_cast<int>(Phase::kRepair) ? "Writing verified copies"
                     : phase == static_cast<int>(Phase::kUndo)   ? "Reverting"
                                                                 : "Starting";
  f.body.push_back(Text(what, w));
  uint64_t files = files_, bytes = bytes_, tf = total_files_, tb = total_bytes_;
  double frac = tb ? static_cast<double>(bytes) / tb : tf ? static_cast<double>(files) / tf : 0;
  if (frac > 1) frac = 1;
  size_t bar = w > 16 ? w - 12 : 4;
  size_t filled = static_cast<size_t>(frac * bar);
  char pct[16];
  std::snprintf(pct, sizeof pct, " %3d%%", static_cast<int>(frac * 100));
  f.body.push_back(Text("[" + std::string(filled, '#') + std::string(bar - filled, '.') + "]" + pct, w));
  double secs = started_ns_ ? std::chrono::duration<double>(now.time_since_epoch() -
                                                            std::chrono::steady_clock::duration(started_ns_.load()))
                                  .count()
                            : 0;
  std::string line = "Files " + std::to_string(files) + (tf ? " of " + std::to_string(tf) : std::string()) +
                     "   " + HumanBytes(bytes) + (tb ? " of " + HumanBytes(tb) : std::string());
  f.body.push_back(Text(line, w));
  std::string rate = "Rate ";
  if (secs > 0.2 && bytes > 0) {
    double bps = bytes / secs;
    rate += HumanBytes(static_cast<unsigned long long>(bps)) + "/s";
    if (tb > bytes) rate += "   ETA " + Duration((tb - bytes) / bps);
  } else {
    rate += "-";
  }
  f.body.push_back(Text(rate + "   Elapsed " + Duration(secs), w));
  if (cancel_->cancelled()) {
    f.body.push_back(Line{});
    f.body.push_back(Text("Cancelling: nothing will be written.", w));
  }
  (void)rows;
  return f;
}

// --- findings ---

std::vector<FindingItem> FindingItems(const RunReport& r, const RepairPlan& plan) {
  std::vector<FindingItem> items;
  for (const FileReport& fr : r.files) {
    FindingItem it;
    switch (fr.state) {
      case FileState::kMissing: it.state = "MISSING"; break;
      case FileState::kCorrupt: it.state = "CORRUPT"; break;
      case FileState::kKnownBad: it.state = "KNOWN-BAD"; break;
      case FileState::kUnrepaired: it.state = fr.found ? "CORRUPT" : "MISSING"; break;  // no verified copy
      default: continue;
    }
    it.path = fr.path;
    it.expected = Hex(fr.expected);
    it.found = Hex(fr.found);
    it.source = fr.source;
    bool removed = false;
    for (const RepairStep& st : plan.steps) removed |= st.kind == StepKind::kRemove && st.path == fr.path;
    if (fr.state == FileState::kKnownBad && it.source.empty() && removed) it.source = "(to be moved aside)";
    it.message = fr.message;
    size_t was = it.source.find(", was ");
    if (was != std::string::npos) it.origin = it.source.substr(was + 6);
    for (const RepairStep& s : plan.steps)
      if (fr.expected && s.expected == *fr.expected && s.kind != StepKind::kRemove) it.size = s.size;
    items.push_back(std::move(it));
  }
  return items;
}

FindingsScreen::FindingsScreen(std::vector<std::string> header, std::vector<FindingItem> items, size_t repairable)
    : header_(std::move(header)), items_(std::move(items)), repairable_(repairable) {
  list_.SetCount(items_.size());
}

const FindingItem* FindingsScreen::selected() const { return items_.empty() ? nullptr : &items_[list_.cursor()]; }

Action FindingsScreen::HandleKey(int key) {
  if (list_.HandleKey(key)) return Action::kNone;
  if (key == kKeyEnter && selected()) return Action::kChoose;
  if ((key == 'r' || key == 'R') && repairable_ > 0) return Action::kRepair;
  if (key == 'q' || key == kKeyEscape) return Action::kBack;
  if (key == kKeyInterrupt) return Action::kQuit;
  return Action::kNone;
}

Frame FindingsScreen::Render(int rows, int cols) {
  size_t w = static_cast<size_t>(cols);
  Frame f;
  f.title = Fit("lifeboat: scan finished", w);
  f.help = Fit(std::string("Up/Down PgUp/PgDn Home/End: move  Enter: details  ") +
                   (repairable_ ? "r: repair  " : "") + "q: back",
               w);
  for (const std::string& h : header_) f.body.push_back(Text(h, w));
  std::string count = items_.empty() ? "No problems found: every file matches the manifest."
                                     : std::to_string(items_.size()) + " problem file(s), " +
                                           std::to_string(repairable_) + " can be repaired from a verified copy.";
  f.body.push_back(Text(count, w));
  f.body.push_back(Line{});
  // "> STATE     FILE  SOURCE": the file column is as wide as the longest
  // path, leaving the source at least 24 columns.
  size_t longest = 4;
  for (const FindingItem& it : items_) longest = std::max(longest, it.path.size());
  size_t path_w = std::min(longest, w > 13 + 24 + 20 ? w - 13 - 24 : 20);
  f.body.push_back(Text("  " + Pad("STATE", 9) + " " + Pad("FILE", path_w) + " SOURCE", w));
  list_.SetHeight(ListRows(rows, f.body.size()));
  for (size_t i = list_.top(); i < list_.end(); ++i) {
    const FindingItem& it = items_[i];
    std::string src = it.source.empty() ? "none found" : it.source;
    std::string s = Pad(it.state, 9) + " " + Pad(Fit(it.path, path_w), path_w) + " " + src;
    f.body.push_back(Row(s, i == list_.cursor(), w));
  }
  return f;
}

Frame DetailFrame(const FindingItem& it, int cols) {
  size_t w = static_cast<size_t>(cols);
  // Long values (paths, messages) wrap under their label instead of losing their end.
  auto Text = [w](const std::string& s) { return Wrap(s, w, 11); };
  Frame f;
  auto add = [&f](std::vector<Line> lines) { f.body.insert(f.body.end(), lines.begin(), lines.end()); };
  f.title = Fit("lifeboat: " + it.path, w);
  f.help = Fit("Enter, Esc or q: back to the list", w);
  add(Text("File:      " + it.path));
  add(Text("State:     " + it.state));
  add(Text("Expected:  " + (it.expected.empty() ? "-" : it.expected)));
  add(Text("Found:     " + (it.found.empty() ? "- (no file on disk)" : it.found)));
  add(Text("Size:      " + (it.size ? std::to_string(it.size) + " bytes" : std::string("-"))));
  add(Text("Source:    " + (it.source.empty() ? std::string("none found") : it.source)));
  if (!it.origin.empty()) add(Text("Quarantined from: " + it.origin));
  if (!it.message.empty()) add(Text("Note:      " + it.message));
  return f;
}

Action DetailKey(int key) {
  if (key == kKeyEnter || key == kKeyEscape || key == 'q') return Action::kBack;
  if (key == kKeyInterrupt) return Action::kQuit;
  return Action::kNone;
}

// --- confirm ---

ConfirmScreen::ConfirmScreen(size_t files, std::string target) : files_(files), target_(std::move(target)) {}

Action ConfirmScreen::HandleKey(int key) {
  if (key == 'y' || key == 'Y') return Action::kYes;
  if (key == 'n' || key == 'N' || key == 'q' || key == kKeyEscape || key == kKeyInterrupt) return Action::kNo;
  return Action::kNone;
}

Frame ConfirmScreen::Render(int rows, int cols) {
  size_t w = static_cast<size_t>(cols);
  Frame f;
  f.title = Fit("lifeboat: confirm the repair", w);
  f.help = Fit("y: repair   n, q or Esc: go back without writing", w);
  f.body.push_back(Text("Target: " + target_, w));
  f.body.push_back(Line{});
  f.body.push_back(Text("Repair " + std::to_string(files_) + " file(s)? y/n", w));
  f.body.push_back(Line{});
  f.body.push_back(Text("Only copies whose SHA-256 matches the manifest are written. Each replaced file", w));
  f.body.push_back(Text("is kept in lifeboat/backup/ on the volume, so the repair can be undone.", w));
  (void)rows;
  return f;
}

// --- summary ---

std::string ExitWords(int code) {
  if (code & kExitCancelled) return "cancelled";
  if (code & kExitOperational) return "error: the repair stopped";
  if ((code & kExitRepaired) && (code & kExitProblemsLeft)) return "partly repaired: problems left";
  if (code & kExitRepaired) return "repaired";
  if (code & kExitProblemsLeft) return "problems left";
  return "healthy: nothing to repair";
}

SummaryScreen::SummaryScreen(RunReport report, std::string report_path, std::string report_error)
    : report_(std::move(report)), report_path_(std::move(report_path)), report_error_(std::move(report_error)) {}

Action SummaryScreen::HandleKey(int key) {
  if ((key == 'u' || key == 'U') && !report_.run_id.empty()) return Action::kUndo;
  if (key == 'q' || key == kKeyInterrupt) return Action::kQuit;
  if (key == kKeyEnter || key == kKeyEscape) return Action::kBack;
  return Action::kNone;
}

Frame SummaryScreen::Render(int rows, int cols) {
  size_t w = static_cast<size_t>(cols);
  const Summary& s = report_.summary;
  Frame f;
  f.title = Fit("lifeboat: repair finished", w);
  f.help = Fit(std::string(report_.run_id.empty() ? "" : "u: Undo this repair   ") + "Enter: volumes   q: quit", w);
  f.body.push_back(Text("Result:    " + ExitWords(report_.exit_code) + " (exit " + std::to_string(report_.exit_code) + ")", w));
  f.body.push_back(Text("Target:    " + report_.target, w));
  if (!report_.run_id.empty()) f.body.push_back(Text("Run:       " + report_.run_id, w));
  f.body.push_back(Line{});
  // missing/corrupt/known-bad count what the scan found (as in the report).
  f.body.push_back(Text("Found:     " + std::to_string(s.missing) + " missing, " + std::to_string(s.corrupt) +
                            " corrupt, " + std::to_string(s.known_bad) + " known-bad; " + std::to_string(s.ok) +
                            " OK",
                        w));
  f.body.push_back(Text("Restored:  " + std::to_string(s.restored) + "    Removed (known-bad): " +
                            std::to_string(s.removed) + "    Not repaired: " + std::to_string(s.unrepaired),
                        w));
  if (!report_.error.empty()) f.body.push_back(Text("Error: " + report_.error, w));
  f.body.push_back(Line{});
  std::vector<Line> where = Wrap("  " + (report_error_.empty() ? report_path_ : report_error_), w, 2);
  f.body.push_back(Line{report_error_.empty() ? "Report saved to:" : "Report NOT saved:", false});
  f.body.insert(f.body.end(), where.begin(), where.end());
  (void)rows;
  return f;
}

// --- messages ---

MessageScreen::MessageScreen(std::string title, std::vector<std::string> lines)
    : title_(std::move(title)), lines_(std::move(lines)) {}

Action MessageScreen::HandleKey(int key) {
  if (key == kKeyEnter || key == kKeyEscape) return Action::kBack;
  if (key == 'q' || key == kKeyInterrupt) return Action::kQuit;
  return Action::kNone;
}

Frame MessageScreen::Render(int rows, int cols) {
  size_t w = static_cast<size_t>(cols);
  Frame f;
  f.title = Fit("lifeboat: " + title_, w);
  f.help = Fit("Enter: back to the volumes   q: quit", w);
  for (const std::string& l : lines_) {
    std::vector<Line> wrapped = Wrap(l, w, 2);  // long messages keep their end
    f.body.insert(f.body.end(), wrapped.begin(), wrapped.end());
  }
  size_t max = static_cast<size_t>(rows > 2 ? rows - 2 : 1);
  if (f.body.size() > max) f.body.resize(max);
  return f;
}

}  // namespace lifeboat::tui
