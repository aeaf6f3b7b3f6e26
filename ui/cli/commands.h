// The lifeboat subcommands. Each Add*Command registers its flags and a
// callback that stores the command's exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

#include "recovery/report.h"

namespace lifeboat::ui {

void AddScanCommand(CLI::App& app, int& exit_code);
void AddFixCommand(CLI::App& app, int& exit_code);
void AddUndoCommand(CLI::App& app, int& exit_code);
void AddManifestCommand(CLI::App& app, int& exit_code);
void AddDetectCommand(CLI::App& app, int& exit_code);
void AddMountCommand(CLI::App& app, int& exit_code);
void AddSourcesCommand(CLI::App& app, int& exit_code);
void AddPackCommand(CLI::App& app, int& exit_code);
void AddAutoCommand(CLI::App& app, int& exit_code);
// `report` and its subcommands (merge), ui/cli/cmd_report.cc.
void AddReportCommand(CLI::App& app, int& exit_code);
void AddTuiCommand(CLI::App& app, int& exit_code);  // ui/tui/cmd_tui.cc
// The subcommands of `manifest`, one file each.
void AddManifestKeyCommands(CLI::App& manifest, int& exit_code);
void AddManifestEditCommands(CLI::App& manifest, int& exit_code);

}  // namespace lifeboat::ui
