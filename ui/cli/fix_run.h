// `lifeboat fix` as a function, for the commands that run it for each volume
// (`lifeboat auto`).
#pragma once

#include <string>
#include <vector>

#include "ui/cli/check_options.h"

namespace lifeboat::ui {

struct FixOptions {
  CheckOptions check;
  std::vector<std::string> sources;
  bool dry_run = false;
  bool yes = false;
  bool no_host_stores = false;
  bool search_volume = false;
};

// Scans, plans and (with yes) repairs one volume, printing and emitting the
// report as `check.out` says; returns the fsck-style exit code.
int RunFix(const FixOptions& o);

}  // namespace lifeboat::ui
