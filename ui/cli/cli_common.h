// What every CLI command shares: output flags, report emission, progress,
// Ctrl-C handling and the yes/no prompt.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "recovery/progress.h"
#include "recovery/report.h"

namespace lifeboat::ui {

struct OutputOptions {
  std::string json;  // file, or "-" for stdout
  bool all = false;
  bool quiet = false;
  bool verbose = false;
  bool progress_when_quiet = false;  // `auto`: no per-volume text report, but a progress line on a terminal
};

// `list_all`: offer --all (list ok files too); undo uses --all for its own meaning.
void AddOutputOptions(CLI::App* cmd, OutputOptions& o, bool list_all = true);

// Writes the text report (stdout; stderr when the JSON goes to stdout) and
// the JSON report. Returns the report's exit code (| 8 if the JSON file could
// not be written).
int Emit(const RunReport& r, const OutputOptions& o);

// An error before any report exists (bad manifest, missing target): a
// message on stderr and, with --json, a report that carries it.
int EmitError(const std::string& command, const std::string& target, const std::string& message,
              const OutputOptions& o, int code = kExitOperational);

// Ctrl-C / SIGTERM set this token; a second Ctrl-C kills at once.
const CancelToken& InstallSignalHandlers();

// A progress line on stderr if it is a terminal and not --quiet.
std::unique_ptr<ProgressSink> MakeProgress(const OutputOptions& o);

bool IsTerminal(int fd);
// The canonical absolute path (realpath), for reports and journals; the path
// as given if it cannot be resolved.
std::string AbsolutePath(const std::string& path);
// Prints `question` on stderr and reads y/yes from stdin.
bool AskYesNo(const std::string& question);

}  // namespace lifeboat::ui
