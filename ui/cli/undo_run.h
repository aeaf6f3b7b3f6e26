// `lifeboat undo` as a function, for the front ends that undo a run they just
// made (the TUI's "Undo this repair"): the same code path as the command.
#pragma once

#include <string>

#include "ui/cli/check_options.h"
#include "ui/cli/cli_common.h"

namespace lifeboat::ui {

struct UndoOptions {
  TargetOptions target;
  std::string run;
  bool all = false;
  bool list = false;
  bool dry_run = false;
  OutputOptions out;
};

// Reverts the runs `o` names, printing and emitting the report as `o.out`
// says; returns the fsck-style exit code.
int RunUndo(const UndoOptions& o);

}  // namespace lifeboat::ui
