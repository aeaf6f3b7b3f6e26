// Shared CLI plumbing (cli_common.h).
#include "ui/cli/cli_common.h"

#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "ui/cli/progress_line.h"
#include "ui/report/json_report.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

CancelToken g_cancel;
volatile std::sig_atomic_t g_signals = 0;

void OnSignal(int sig) {
  g_cancel.Cancel();
  g_signals = g_signals + 1;
  if (g_signals >= 2) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

void AddOutputOptions(CLI::App* cmd, OutputOptions& o, bool list_all) {
  cmd->add_option("--json", o.json, "Also write the report as JSON to FILE ('-' for stdout)")->option_text("FILE");
  if (list_all) cmd->add_flag("--all", o.all, "List files that are ok too, not only problems");
  cmd->add_flag("-q,--quiet", o.quiet, "No text report and no progress; only errors (the exit code tells)");
  cmd->add_flag("-v,--verbose", o.verbose, "Show expected and found hashes of problem files");
}

namespace {

// Writes the JSON report to `dest` ("-" is stdout). False if the file failed.
bool WriteJsonTo(const std::string& dest, const RunReport& r, bool all) {
  if (dest == "-") {
    WriteJsonReport(std::cout, r, all);
    std::cout.flush();
    return static_cast<bool>(std::cout);
  }
  std::ofstream f(dest, std::ios::trunc);
  if (f) WriteJsonReport(f, r, all);
  f.close();
  if (!f) std::cerr << "lifeboat: error: cannot write the JSON report to " << dest << '\n';
  return static_cast<bool>(f);
}

}  // namespace

int Emit(const RunReport& r, const OutputOptions& o) {
  int code = r.exit_code;
  if (!o.quiet) {
    std::ostream& text = o.json == "-" ? std::cerr : std::cout;
    WriteTextReport(text, r, TextOptions{o.all, o.verbose});
    text.flush();
  } else if (!r.error.empty()) {
    std::cerr << "lifeboat: error: " << Printable(r.error) << '\n';
  }
  if (!o.json.empty() && !WriteJsonTo(o.json, r, o.all)) code |= kExitOperational;
  return code;
}

int EmitError(const std::string& command, const std::string& target, const std::string& message,
              const OutputOptions& o, int code) {
  // A multi-line message (the reasons a volume is unsafe) keeps its lines.
  std::string_view rest = message;
  std::string prefix = "lifeboat " + command + ": error: ";
  for (;;) {
    size_t nl = rest.find('\n');
    std::cerr << prefix << Printable(rest.substr(0, nl)) << '\n';
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
    prefix = "  ";
  }
  if (!o.json.empty()) {
    RunReport r;
    r.command = command;
    r.target = target;
    r.error = message;
    r.exit_code = code;
    WriteJsonTo(o.json, r, false);
  }
  return code;
}

const CancelToken& InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return g_cancel;
}

std::unique_ptr<ProgressSink> MakeProgress(const OutputOptions& o) {
  if ((!o.quiet || o.progress_when_quiet) && IsTerminal(2)) return std::make_unique<ProgressLine>(2);
  return std::make_unique<ProgressSink>();
}

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

std::string AbsolutePath(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return path;
  std::string out(real);
  ::free(real);
  return out;
}

bool AskYesNo(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes";
}

}  // namespace lifeboat::ui
