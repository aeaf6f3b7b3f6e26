// The view-models of `lifeboat tui`: one class per screen, each holding its
// state, handling keys and saying what to draw as a Frame of text lines. Pure
// C++ over engine data (VolumeReport, RunReport, RepairPlan, ProgressSink,
// CancelToken): no ncurses here, so every screen is unit-tested without a
// terminal (tests/tui_test.cc). ui/tui/cmd_tui.cc runs the engine and draws.
//
// Monochrome-safe: every state is a word ("[OK]", "MISSING"), the selection
// is marked "> " as well as drawn in reverse video.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "recovery/planner.h"
#include "recovery/progress.h"
#include "recovery/report.h"
#include "recovery/volume_probe.h"
#include "ui/tui/list_view.h"

namespace lifeboat::tui {

// What a key did to the flow (the controller moves between screens).
enum class Action { kNone, kChoose, kBack, kQuit, kRepair, kYes, kNo, kUndo, kCancel, kUnlock };

// "OK", "HIBERNATED", "BITLOCKER LOCKED", "DIRTY", "READ-ONLY" or "UNSAFE".
std::string VolumeStateLabel(const VolumeReport& v);
// One line on what the state means and what to do.
std::string VolumeStateHelp(const VolumeReport& v);
// "XP SP3 x86", "11 x64", or "-" when none was found.
std::string WindowsText(const VolumeReport& v);

class VolumesScreen {
 public:
  explicit VolumesScreen(std::vector<VolumeReport> volumes, std::vector<std::string> errors = {});
  // Enter on a volume safe to write: kChoose (selected() is it); on a
  // BitLocker-locked one (and nothing else unsafe): kUnlock; on another
  // unsafe one: kNone and the reason stays on screen. q: kQuit.
  Action HandleKey(int key);
  Frame Render(int rows, int cols);
  const VolumeReport* selected() const;
  const ListView& list() const { return list_; }
  void set_message(std::string m) { message_ = std::move(m); }

 private:
  std::vector<VolumeReport> volumes_;
  std::vector<std::string> errors_;
  ListView list_;
  std::string message_;
};

// The BitLocker recovery password, typed into a masked field: digits and
// dashes only, shown as '*' (dashes as typed, to count the groups). Enter
// with 48 digits: kYes; Esc: kNo.
class PasswordScreen {
 public:
  explicit PasswordScreen(std::string volume);
  Action HandleKey(int key);
  Frame Render(int rows, int cols);
  const std::string& value() const { return value_; }

 private:
  size_t Digits() const;
  std::string volume_, value_, error_;
};

// The scan, search and repair progress: a ProgressSink the engine feeds from
// its worker threads, drawn by the UI thread. Esc, q or Ctrl-C cancel through
// the token.
class ProgressScreen : public ProgressSink {
 public:
  ProgressScreen(std::string title, std::vector<std::string> header, CancelToken* cancel);
  void Begin(Phase phase, uint64_t total_files, uint64_t total_bytes) override;
  void Advance(uint64_t files, uint64_t bytes) override;
  void End(Phase phase) override;

  Action HandleKey(int key);  // kCancel after Esc/q/Ctrl-C
  Frame Render(int rows, int cols, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  bool cancel_requested() const { return cancel_->cancelled(); }

 private:
  std::string title_;
  std::vector<std::string> header_;
  CancelToken* cancel_;
  std::atomic<int> phase_{-1};
  std::atomic<uint64_t> total_files_{0}, total_bytes_{0}, files_{0}, bytes_{0};
  std::atomic<int64_t> started_ns_{0};
};

// One problem file and what the plan will do about it.
struct FindingItem {
  std::string path;
  std::string state;     // MISSING, CORRUPT, KNOWN-BAD, BLOCKED, UNCHECKED
  std::string expected;  // SHA-256 hex, "" when none
  std::string found;
  uint64_t size = 0;     // of the verified copy; 0 when no source
  std::string source;    // "dllcache:svchost.exe", "" when none was found
  std::string origin;    // quarantine origin: what a "..., was C:/..." source says
  std::string message;   // why not repairable, or why corrupt
};
// The problem files of a report built from a scan and its plan (FixReport
// with no execution), sizes from the plan's steps.
std::vector<FindingItem> FindingItems(const RunReport& r, const RepairPlan& plan);

class FindingsScreen {
 public:
  // `header`: target, manifest and signature lines; `repairable`: plan steps.
  FindingsScreen(std::vector<std::string> header, std::vector<FindingItem> items, size_t repairable);
  // Enter: kChoose (detail of selected()); r: kRepair when there is
  // something to repair; q/Esc: kBack.
  Action HandleKey(int key);
  Frame Render(int rows, int cols);
  const FindingItem* selected() const;
  const ListView& list() const { return list_; }

 private:
  std::vector<std::string> header_;
  std::vector<FindingItem> items_;
  size_t repairable_;
  ListView list_;
};

// The detail of one finding; any of Enter, Esc, q goes back.
Frame DetailFrame(const FindingItem& item, int cols);
Action DetailKey(int key);

// "Repair N files? y/n": only y (or Y) says yes; n, q and Esc say no, every
// other key (Enter too) does nothing.
class ConfirmScreen {
 public:
  ConfirmScreen(size_t files, std::string target);
  Action HandleKey(int key);
  Frame Render(int rows, int cols);

 private:
  size_t files_;
  std::string target_;
};

// The exit state in words: "repaired", "problems left", ...
std::string ExitWords(int code);

// After the repair: exit state, counts, report path; u undoes the run.
class SummaryScreen {
 public:
  SummaryScreen(RunReport report, std::string report_path, std::string report_error);
  Action HandleKey(int key);  // u: kUndo (when there is a run to undo), q: kQuit, Enter: kBack
  Frame Render(int rows, int cols);
  const RunReport& report() const { return report_; }

 private:
  RunReport report_;
  std::string report_path_, report_error_;
};

// A screen of text lines (errors, "the repair was reverted"): Enter or Esc
// goes back, q quits.
class MessageScreen {
 public:
  MessageScreen(std::string title, std::vector<std::string> lines);
  Action HandleKey(int key);
  Frame Render(int rows, int cols);

 private:
  std::string title_;
  std::vector<std::string> lines_;
};

}  // namespace lifeboat::tui
