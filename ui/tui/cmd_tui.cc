// `lifeboat tui`: the technician console. Drives the engine the way `lifeboat
// fix` does (OpenCheckInputs, OpenRepairSources, ScanTarget, PlanRepair,
// ExecutePlan; undo through RunUndo, the code path of `lifeboat undo --run`)
// and draws the view-models of screens.h with ncurses.
//
// The scan, plan and repair run on a worker thread; the UI thread polls the
// keyboard every 100 ms (ncurses timeout()), redraws the progress screen from
// the sink's counters and sets the cancel token on Esc/q. Messages the shared
// CLI code prints on stderr (why a manifest was refused, ...) would tear the
// screen: stderr goes to a temp file while the TUI runs, and its lines are
// shown on an error screen.
#include <curses.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "recovery/executor.h"
#include "recovery/planner.h"
#include "recovery/report.h"
#include "recovery/scanner.h"
#include "recovery/volume_probe.h"
#include "recovery/workspace.h"
#include "ui/cli/check_options.h"
#include "ui/cli/commands.h"
#include "ui/cli/fix_run.h"
#include "ui/cli/undo_run.h"
#include "ui/report/json_report.h"
#include "ui/tui/screens.h"

namespace lifeboat::ui {
namespace {

using tui::Action;
using tui::Frame;

struct TuiOptions {
  CheckOptions check;
  std::vector<std::string> images, devices, targets, sources;
  std::string reports = "/run/lifeboat/reports";
};

// stderr into a temp file while the screen is ncurses'.
class StderrCapture {
 public:
  StderrCapture() {
    saved_ = ::dup(2);
    file_ = std::tmpfile();
    if (file_ && saved_ >= 0) ::dup2(::fileno(file_), 2);
  }
  ~StderrCapture() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      ::dup2(saved_, 2);
      ::close(saved_);
    }
    if (file_) std::fclose(file_);
  }
  // The lines written since the last call.
  std::vector<std::string> Take() {
    std::vector<std::string> lines;
    std::fflush(stderr);
    if (!file_) return lines;
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::pread(::fileno(file_), buf, sizeof buf, static_cast<off_t>(read_))) > 0) {
      text.append(buf, static_cast<size_t>(n));
      read_ += static_cast<size_t>(n);
    }
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  }

 private:
  int saved_ = -1;
  std::FILE* file_ = nullptr;
  size_t read_ = 0;
};

void Draw(const Frame& f) {
  int rows, cols;
  getmaxyx(stdscr, rows, cols);
  erase();
  attron(A_BOLD);
  mvaddnstr(0, 0, f.title.c_str(), cols);
  attroff(A_BOLD);
  for (size_t i = 0; i < f.body.size() && static_cast<int>(i) + 1 < rows - 1; ++i) {
    const tui::Line& l = f.body[i];
    if (l.selected) attron(A_REVERSE);
    std::string text = l.selected ? tui::Pad(l.text, static_cast<size_t>(cols)) : l.text;
    mvaddnstr(static_cast<int>(i) + 1, 0, text.c_str(), cols);
    if (l.selected) attroff(A_REVERSE);
  }
  // Not the last column of the last row: writing it would scroll the screen.
  attron(A_REVERSE);
  mvaddnstr(rows - 1, 0, tui::Pad(f.help, static_cast<size_t>(cols > 1 ? cols - 1 : 1)).c_str(), cols - 1);
  attroff(A_REVERSE);
  refresh();
}

// The next key as a tui::Key or character; -1 when the timeout passed, 0 on
// a resize (the caller redraws at the new size either way).
int g_timeout_ms = -1;

void SetTimeout(int ms) {
  g_timeout_ms = ms;
  timeout(ms);
}

int ReadKey() {
  int ch = getch();
  if (ch == 27) {
    // A lone Esc is a key; Esc followed at once by more bytes is a function
    // key this terminal's terminfo does not describe (Home/End on vt100):
    // swallowed, rather than taken for Esc ("back").
    timeout(0);
    bool sequence = false;
    while (getch() != ERR) sequence = true;
    timeout(g_timeout_ms);
    if (sequence) return -1;
  }
  switch (ch) {
    case ERR: return -1;
    case KEY_RESIZE: return 0;
    case KEY_UP: return tui::kKeyUp;
    case KEY_DOWN: return tui::kKeyDown;
    case KEY_PPAGE: return tui::kKeyPageUp;
    case KEY_NPAGE: return tui::kKeyPageDown;
    case KEY_HOME: return tui::kKeyHome;
    case KEY_END: return tui::kKeyEnd;
    case KEY_ENTER:
    case '\n':
    case '\r': return tui::kKeyEnter;
    case 27: return tui::kKeyEscape;
    case 3: return tui::kKeyInterrupt;
    case KEY_BACKSPACE:
    case 127: return tui::kKeyBackspace;
    default: return ch;
  }
}

// Draws `screen` and feeds it keys until one of them is an action.
template <class Screen>
Action Loop(Screen& screen) {
  SetTimeout(-1);
  for (;;) {
    Draw(screen.Render(LINES, COLS));
    int key = ReadKey();
    if (key <= 0) continue;
    Action a = screen.HandleKey(key);
    if (a != Action::kNone) return a;
  }
}

// Runs `work` on a worker thread while the progress screen is drawn and
// keys can cancel it.
template <class Work>
void WithProgress(tui::ProgressScreen& screen, Work work) {
  std::atomic<bool> done{false};
  std::thread worker([&] {
    work();
    done = true;
  });
  SetTimeout(100);
  while (!done) {
    Draw(screen.Render(LINES, COLS));
    int key = ReadKey();
    if (key > 0) screen.HandleKey(key);
  }
  worker.join();
  SetTimeout(-1);
}

std::string SignatureLine(const CheckInputs& in) {
  const SignatureCheck& s = in.signature;
  switch (s.state) {
    case SignatureState::kVerified:
      return "Signature: [VERIFIED] signed by key " + s.key_id + " (" + s.key_file + ")";
    case SignatureState::kUnsigned: return "Signature: [UNSIGNED] no trusted signature (allowed by --allow-unsigned)";
    case SignatureState::kUnknownKey: return "Signature: [UNKNOWN KEY] signed by key " + s.key_id + ", not trusted";
    case SignatureState::kBad: return "Signature: [BAD]";
  }
  return "Signature: ?";
}

class Tui {
 public:
  Tui(const TuiOptions& o, StderrCapture& err) : o_(o), err_(err) {}

  int Run(tui::VolumesScreen& volumes) {
    for (;;) {
      Action a = Loop(volumes);
      if (a == Action::kQuit) return exit_code_;
      CheckOptions co = o_.check;
      const VolumeReport& v = *volumes.selected();
      if (a == Action::kUnlock && co.target.keys.recovery_password.empty()) {
        tui::PasswordScreen password(v.id);
        if (Loop(password) != Action::kYes) continue;
        co.target.keys.recovery_password = password.value();
      }
      if (v.source == "directory") co.target.spec.directory = v.path;
      else (v.source == "image" ? co.target.spec.image : co.target.spec.device) = v.path;
      co.target.spec.partition = v.partition;
      std::string message;
      if (Volume(co, message) == Action::kQuit) return exit_code_;
      volumes.set_message(message);
    }
  }

 private:
  Action Error(const std::string& title, std::vector<std::string> lines) {
    std::vector<std::string> captured = err_.Take();  // what went wrong first, then what it means
    lines.insert(lines.begin(), captured.begin(), captured.end());
    tui::MessageScreen m(title, lines);
    return Loop(m);
  }

  // One volume: open, scan, findings, repair, summary, undo.
  Action Volume(const CheckOptions& co, std::string& message) {
    err_.Take();
    tui::MessageScreen opening("opening", {"Opening " + co.target.name() + " and its manifest..."});
    Draw(opening.Render(LINES, COLS));
    int code = 0;
    std::unique_ptr<CheckInputs> in = OpenCheckInputs("tui", co, /*require_signed=*/true, /*write=*/true, code);
    if (!in) return Error("cannot check this volume", {"Nothing was written."});
    std::vector<std::unique_ptr<Source>> sources;
    if (!OpenRepairSources("tui", *in, co, o_.sources, /*host_stores=*/true, /*search_volume=*/false, sources, code))
      return Error("cannot open the sources", {"Nothing was written."});

    std::string manifest = "Manifest:  " + in->manifest.name;
    if (!in->manifest.title.empty()) manifest += " (" + in->manifest.title + ")";
    std::vector<std::string> header = {"Volume:    " + in->target->display(), manifest, SignatureLine(*in)};
    for (const std::string& w : in->warnings) header.push_back("Warning:   " + w);

    CancelToken cancel;
    tui::ProgressScreen progress("checking " + in->target->display(), header, &cancel);
    ScanResult scan;
    RepairPlan plan;
    // As fix (without --allow-new-tree): no Windows tree is built on a volume
    // without any of its folders, and no plan is made for one.
    Status holds;
    WithProgress(progress, [&] {
      scan = ScanTarget(*in->fs, in->manifest, ScanOptions{co.jobs}, progress, cancel);
      holds = CheckTargetHoldsManifest(in->manifest, scan);
      if (!scan.cancelled && holds.ok()) plan = PlanRepair(in->manifest, scan, sources, progress, cancel);
    });
    if (scan.cancelled || plan.cancelled) {
      message = "Scan cancelled: nothing was written.";
      return Action::kBack;
    }
    if (!holds.ok()) return Error("this is not the manifest's volume", {holds.message(), "Nothing was written."});

    RunReport preview = FixReport(in->manifest, scan, plan, nullptr, false, /*keep_ok=*/false);  // lists problems only
    tui::FindingsScreen findings(header, tui::FindingItems(preview, plan), plan.steps.size());
    for (;;) {
      Action a = Loop(findings);
      if (a == Action::kQuit) return a;
      if (a == Action::kBack) return a;
      if (a == Action::kChoose) {
        const tui::FindingItem item = *findings.selected();
        struct Detail {
          const tui::FindingItem& item;
          Frame Render(int, int cols) { return tui::DetailFrame(item, cols); }
          Action HandleKey(int key) { return tui::DetailKey(key); }
        } detail{item};
        if (Loop(detail) == Action::kQuit) return Action::kQuit;
        continue;
      }
      tui::ConfirmScreen confirm(plan.steps.size(), in->target->display());
      if (Loop(confirm) == Action::kYes) break;
    }
    return Repair(co, std::move(in), sources, scan, plan, message);
  }

  Action Repair(const CheckOptions& co, std::unique_ptr<CheckInputs> in,
                std::vector<std::unique_ptr<Source>>& sources, const ScanResult& scan, const RepairPlan& plan,
                std::string& message) {
    // As in fix, through the same code: only now is the volume opened for writing.
    CancelToken cancel;
    tui::ProgressScreen progress("repairing " + in->target->display(), {}, &cancel);
    std::vector<std::string> target_warnings;
    Result<RunReport> repaired = RepairAcceptedPlan(
        *in, co, scan, plan, sources, progress, cancel,
        [&](const std::function<void()>& run) { WithProgress(progress, run); },
        [&](const std::string& w) { target_warnings.push_back(w); });
    if (!repaired.ok()) return Error("cannot repair the volume", {repaired.status().message(), "Nothing was written."});
    RunReport r = std::move(repaired).value();
    r.warnings.insert(r.warnings.end(), target_warnings.begin(), target_warnings.end());
    in.reset();
    exit_code_ = r.exit_code;

    // The JSON report, as fix --json writes it.
    std::string path = o_.reports + "/lifeboat-" + r.run_id + ".json";
    std::string report_error;
    std::error_code ec;
    std::filesystem::create_directories(o_.reports, ec);
    std::ofstream f(path, std::ios::trunc);
    if (f) WriteJsonReport(f, r, false);
    f.close();
    if (!f) report_error = "cannot write " + path;

    tui::SummaryScreen summary(r, path, report_error);
    Action a = Loop(summary);
    if (a != Action::kUndo) return a;
    return Undo(co, r.run_id, message);
  }

  Action Undo(const CheckOptions& co, const std::string& run_id, std::string& message) {
    tui::MessageScreen working("undoing", {"Reverting run " + run_id + "..."});
    Draw(working.Render(LINES, COLS));
    UndoOptions u;
    u.target = co.target;
    u.run = run_id;
    u.out.quiet = true;
    u.out.json = o_.reports + "/lifeboat-" + run_id + "-undo.json";
    int code = RunUndo(u);
    std::vector<std::string> lines;
    if (code == 0) {
      lines.push_back("Run " + run_id + " was reverted:");
      lines.push_back("every file it changed is as it was before the repair.");
    } else {
      lines.push_back("Undo finished with problems: " + ExitWordsOf(code) + " (exit " + std::to_string(code) + ").");
    }
    std::ifstream j(u.out.json);
    nlohmann::json report = nlohmann::json::parse(j, nullptr, /*allow_exceptions=*/false);
    if (report.is_object() && report.contains("summary") && report["summary"].contains("reverted"))
      lines.push_back("Files reverted: " + report["summary"]["reverted"].dump());
    lines.push_back("Undo report saved: " + u.out.json);
    exit_code_ = code;
    message = "Run " + run_id + " was undone.";
    return Error("repair undone", lines);
  }

  static std::string ExitWordsOf(int code) { return tui::ExitWords(code); }

  const TuiOptions& o_;
  StderrCapture& err_;
  int exit_code_ = 0;
};

int RunTui(const TuiOptions& o) {
  if (o.check.manifest.empty() && o.check.manifest_dir.empty()) {
    std::cerr << "lifeboat tui: error: give --manifest-dir DIR (or --manifest FILE)\n";
    return kExitUsage;
  }
  if (!IsTerminal(0) || !IsTerminal(1)) {
    std::cerr << "lifeboat tui: error: not on a terminal; use `lifeboat fix` or `lifeboat auto` in scripts\n";
    return kExitUsage;
  }
  std::vector<std::string> errors, targets;
  for (const std::string& t : o.targets) targets.push_back(AbsolutePath(t));
  std::vector<VolumeReport> volumes = ProbeVolumes(o.images, o.devices, targets, errors);
  tui::VolumesScreen screen(std::move(volumes), std::move(errors));

  StderrCapture err;
  initscr();
  raw();  // Ctrl-C is a key (cancel, quit), never a signal that leaves the terminal raw
  noecho();
  keypad(stdscr, TRUE);
  set_escdelay(50);
  curs_set(0);
  int code = 0;
  try {
    code = Tui(o, err).Run(screen);
  } catch (...) {
    endwin();  // the terminal back to normal before main reports it
    throw;
  }
  endwin();
  return code;
}

}  // namespace

void AddTuiCommand(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TuiOptions>();
  CLI::App* cmd = app.add_subcommand("tui", "Technician console: choose a volume, check, repair, undo (keyboard only)");
  cmd->add_option("--image", o->images, "A raw disk or partition image (repeatable)")->option_text("FILE");
  cmd->add_option("--device", o->devices, "A disk or partition device (repeatable)")->option_text("DEV");
  cmd->add_option("-t,--target", o->targets, "An already-mounted volume or a plain directory (repeatable)")
      ->option_text("DIR");
  CLI::Option* manifest =
      cmd->add_option("-m,--manifest", o->check.manifest, "Known-good hashes for every volume (instead of --manifest-dir)")
          ->option_text("FILE");
  CLI::Option* dir = cmd->add_option("--manifest-dir", o->check.manifest_dir,
                                     "Choose the manifest that fits each volume's Windows among the *.lbm files in DIR")
                         ->option_text("DIR");
  manifest->excludes(dir);
  cmd->add_option("--trusted-key", o->check.trusted_keys, "A signify public key to trust (repeatable)")
      ->option_text("FILE");
  cmd->add_option("--keys-dir", o->check.keys_dirs,
                  std::string("Trust every *.pub key in DIR (default: ") + kDefaultKeysDir + ")")
      ->option_text("DIR");
  cmd->add_option("-s,--source", o->sources, "Where good copies may be: a directory or an archive (repeatable)")
      ->option_text("PATH");
  cmd->add_option("--recovery-password", o->check.target.keys.recovery_password,
                  "Unlock a BitLocker volume (48-digit recovery password)")
      ->option_text("DIGITS");
  cmd->add_option("--reports", o->reports, "Where to save the JSON report of a repair (default: /run/lifeboat/reports)")
      ->option_text("DIR");
  cmd->add_option("-j,--jobs", o->check.jobs, "Hashing threads (default: one per CPU)")
      ->check(CLI::Range(1, 256))
      ->option_text("N");
  cmd->footer(
      "Keys are shown on the bottom line of every screen. Volumes that are hibernated, dirty,\n"
      "BitLocker-locked or read-only are listed with the reason and cannot be chosen.\n"
      "The scan can be cancelled (Esc or q) without writing anything; after a repair the\n"
      "summary screen offers u to undo it (as `lifeboat undo --run ID`).\n\n"
      "Example:\n"
      "  lifeboat tui --manifest-dir /lifeboat/manifests --source /media/usb/payload.tar.gz\n"
      "  lifeboat tui --target /mnt/win --manifest xp.sha256\n\n"
      "Exit: that of the last repair or undo (as fix and undo), 0 if none, 16 usage error.");
  cmd->callback([o, &exit_code] { exit_code = RunTui(*o); });
}

}  // namespace lifeboat::ui
