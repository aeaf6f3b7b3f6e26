// Options shared by `scan` and `fix` (target, manifest or manifest directory,
// trust, jobs), and loading them: the manifest is chosen, its signature
// checked and the file parsed completely before anything else happens.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/manifest.h"
#include "recovery/manifest_trust.h"
#include "recovery/report.h"
#include "ui/cli/cli_common.h"

namespace lifeboat::ui {

struct CheckOptions {
  std::string target;
  std::string manifest;
  std::string manifest_dir;
  std::string os;
  std::string format = "auto";
  std::vector<std::string> trusted_keys;
  std::vector<std::string> keys_dirs;
  std::string signature;
  bool allow_unsigned = false;
  int jobs = 0;
  OutputOptions out;
};

void AddCheckOptions(CLI::App* cmd, CheckOptions& o);

struct CheckInputs {
  Manifest manifest;
  SignatureCheck signature;
  std::vector<std::string> warnings;  // e.g. "unsigned manifest"
  std::unique_ptr<FileSystem> fs;

  // Copies the signature result and warnings into a report.
  void Annotate(RunReport& r) const;
};

// `require_signed`: fix refuses a manifest that is not signed by a trusted
// key unless --allow-unsigned. A signature that does not match is refused by
// every command. On failure prints the error (and JSON error report) and
// returns the exit code to use in `code`.
std::unique_ptr<CheckInputs> OpenCheckInputs(const std::string& command, const CheckOptions& o, bool require_signed,
                                             int& code);

}  // namespace lifeboat::ui
