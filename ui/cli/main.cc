// lifeboat's entry point: parse the command line with CLI11 and run the
// chosen command. Exceptions that escape the engine are reported here as
// operational errors (exit 8); CLI11 usage errors exit 16.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "recovery/report.h"
#include "ui/cli/commands.h"

#ifndef LIFEBOAT_VERSION
#define LIFEBOAT_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "lifeboat: offline repair of Windows system files from verified copies.\n"
      "Checks a Windows volume against a manifest of known-good SHA-256 hashes and\n"
      "restores missing or corrupt files, journaled so that `undo` can revert it."};
  app.name("lifeboat");
  app.set_version_flag("--version", "lifeboat " LIFEBOAT_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Run `lifeboat <command> --help` for the options and an example.\n"
      "Exit codes (as fsck, OR-ed): 0 healthy, 1 repaired, 4 problems left,\n"
      "8 operational error, 16 usage error, 32 cancelled.");
  int exit_code = 0;
  lifeboat::ui::AddScanCommand(app, exit_code);
  lifeboat::ui::AddFixCommand(app, exit_code);
  lifeboat::ui::AddUndoCommand(app, exit_code);
  lifeboat::ui::AddDetectCommand(app, exit_code);
  lifeboat::ui::AddMountCommand(app, exit_code);
  lifeboat::ui::AddSourcesCommand(app, exit_code);
  lifeboat::ui::AddManifestCommand(app, exit_code);
  lifeboat::ui::AddPackCommand(app, exit_code);
  lifeboat::ui::AddAutoCommand(app, exit_code);
  lifeboat::ui::AddReportCommand(app, exit_code);
  lifeboat::ui::AddTuiCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : lifeboat::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "lifeboat: internal error: " << e.what() << '\n';
    return lifeboat::kExitOperational;
  }
  return exit_code;
}
