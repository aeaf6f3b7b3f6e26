// Options shared by `scan` and `fix` (target, manifest, jobs), and loading
// them: the manifest is parsed and validated completely before anything else.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "recovery/filesystem.h"
#include "recovery/manifest.h"
#include "ui/cli/cli_common.h"

namespace lifeboat::ui {

struct CheckOptions {
  std::string target;
  std::string manifest;
  std::string format = "auto";
  int jobs = 0;
  OutputOptions out;
};

void AddCheckOptions(CLI::App* cmd, CheckOptions& o);

struct CheckInputs {
  Manifest manifest;
  std::unique_ptr<FileSystem> fs;
};

// On failure prints the error (and JSON error report) and returns the exit code
// to use in `code`.
std::unique_ptr<CheckInputs> OpenCheckInputs(const std::string& command, const CheckOptions& o, int& code);

}  // namespace lifeboat::ui
