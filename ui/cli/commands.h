// The lifeboat subcommands. Each Add*Command registers its flags and a
// callback that stores the command's exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace lifeboat::ui {

void AddScanCommand(CLI::App& app, int& exit_code);
void AddFixCommand(CLI::App& app, int& exit_code);
void AddUndoCommand(CLI::App& app, int& exit_code);

}  // namespace lifeboat::ui
