// `lifeboat fix` as a function, for the commands that run it for each volume
// (`lifeboat auto`).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recovery/planner.h"
#include "recovery/scanner.h"
#include "ui/cli/check_options.h"

namespace lifeboat::ui {

struct FixOptions {
  CheckOptions check;
  std::vector<std::string> sources;
  bool dry_run = false;
  bool yes = false;
  bool no_host_stores = false;
  bool search_volume = false;
  bool allow_new_tree = false;  // repair even where none of the manifest's folders exist
};

// Scans, plans and (with yes) repairs one volume, printing and emitting the
// report as `check.out` says; returns the fsck-style exit code.
int RunFix(const FixOptions& o);

// The writing half of a repair, once the technician accepted `plan` (fix
// after its prompt or --yes, the console after its confirm screen): opens
// the volume for writing (mounting an image or device), locks the workspace,
// recovers interrupted runs, executes the plan through `execute` (which
// calls the function it is given: directly, or on a worker thread while a
// screen shows `progress`), and closes the volume. A failure before anything
// was written is an error Status; otherwise the run's report.
using ExecuteRunner = std::function<void(const std::function<void()>&)>;
Result<RunReport> RepairAcceptedPlan(CheckInputs& in, const CheckOptions& check, const ScanResult& scan,
                                     const RepairPlan& plan, std::vector<std::unique_ptr<Source>>& sources,
                                     ProgressSink& progress, const CancelToken& cancel, const ExecuteRunner& execute,
                                     const std::function<void(const std::string&)>& target_warning);

}  // namespace lifeboat::ui
