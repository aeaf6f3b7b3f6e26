// `lifeboat undo`: revert the last (or a given) fix run from its journal and
// backups; `--list` shows the runs.
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>

#include "recovery/report.h"
#include "recovery/undo.h"
#include "recovery/workspace.h"
#include "ui/cli/check_options.h"
#include "ui/cli/cli_common.h"
#include "ui/cli/commands.h"
#include "ui/cli/undo_run.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

std::string RunState(const RunInfo& r) {
  if (!r.readable) return "damaged journal: " + r.error;
  if (r.undone) return "undone";
  if (r.ended) return "complete";
  if (r.recovered) return "interrupted";
  return "interrupted (not yet recovered)";
}

int ListRunsCommand(FileSystem& fs, const std::string& name, const UndoOptions& o) {
  Result<std::vector<RunInfo>> runs = ListRuns(fs);
  if (!runs.ok()) return EmitError("undo", name, runs.status().message(), o.out);
  if (runs->empty()) {
    std::cout << "No lifeboat runs on " << name << ".\n";
    return 0;
  }
  std::cout << std::left << std::setw(22) << "RUN" << std::setw(22) << "STARTED" << std::setw(12) << "FILES"
            << "STATE\n";
  for (const RunInfo& r : *runs)
    std::cout << std::setw(22) << r.run_id << std::setw(22) << Printable(r.time) << std::setw(12)
              << (std::to_string(r.done) + "/" + std::to_string(r.steps)) << Printable(RunState(r)) << '\n';
  return 0;
}

}  // namespace

int RunUndo(const UndoOptions& o) {
  const CancelToken& cancel = InstallSignalHandlers();  // before anything is mounted
  int code = 0;
  bool write = !o.list && !o.dry_run;
  std::unique_ptr<Target> target = OpenTarget("undo", o.target, o.out, write, code);
  if (!target) return code;
  Result<FileSystem*> fs = target->OpenForRead();  // already open: the same file system
  const std::string& name = target->display();
  if (o.list) return ListRunsCommand(**fs, name, o);

  Result<std::vector<RunInfo>> runs = ListRuns(**fs);
  if (!runs.ok()) return EmitError("undo", name, runs.status().message(), o.out);
  bool anything = !o.run.empty();
  for (const RunInfo& r : *runs) anything |= !r.undone;
  std::unique_ptr<FileLock> lock;
  if (write && anything) {
    // Something to revert: only now is the volume opened for writing.
    fs = target->OpenForWrite(o.target.write);
    if (!fs.ok()) return EmitError("undo", name, fs.status().message(), o.out);
    for (const std::string& w : target->warnings()) std::cerr << "lifeboat undo: warning: " << Printable(w) << '\n';
    Result<std::unique_ptr<FileLock>> l = LockWorkspace(**fs);
    if (!l.ok()) return EmitError("undo", name, l.status().message(), o.out);
    lock = std::move(l).value();
    runs = ListRuns(**fs);  // again, under the lock
    if (!runs.ok()) return EmitError("undo", name, runs.status().message(), o.out);
  }

  std::vector<std::string> ids;
  if (!o.run.empty()) {
    ids.push_back(o.run);
  } else if (o.all) {
    for (auto it = runs->rbegin(); it != runs->rend(); ++it)
      if (!it->undone) ids.push_back(it->run_id);
  } else {
    if (runs->empty())
      return EmitError("undo", name, "nothing to undo: no lifeboat fix has run on this target", o.out);
    ids.push_back(runs->back().run_id);
  }

  // One report for every run undone here, so --json holds them all.
  RunReport total;
  total.command = "undo";
  total.target = name;
  total.dry_run = o.dry_run;
  total.notes = target->notes();
  total.warnings = target->warnings();
  std::vector<std::string> handled;
  for (const std::string& id : ids) {
    Result<UndoPlan> plan = PlanUndo(**fs, id, cancel);
    if (!plan.ok()) {
      if (plan.status().code() == Status::Code::kCancelled)
        total.cancelled = true;
      else
        total.error = plan.status().message();
      break;
    }
    handled.push_back(id);
    if (plan->already_undone) {
      total.warnings.push_back("run " + id + " was already undone (" + plan->undone_time + "); nothing to do");
      continue;
    }
    if (o.dry_run) {
      if (!o.out.quiet) WriteUndoPlan(o.out.json == "-" ? std::cerr : std::cout, *plan);
      MergeReport(total, UndoReport(*plan, nullptr));
      continue;
    }
    std::unique_ptr<ProgressSink> progress = MakeProgress(o.out);
    UndoResult result = ExecuteUndo(**fs, *plan, std::time(nullptr), *progress, cancel);
    progress.reset();
    MergeReport(total, UndoReport(*plan, &result));
    if (result.cancelled || !result.fatal.ok()) break;
  }
  for (const std::string& id : handled) total.run_id += (total.run_id.empty() ? "" : " ") + id;
  if (ids.empty()) total.warnings.push_back("every run on this target is already undone; nothing to do");
  lock.reset();
  Status closed = target->Close();  // unmounts an --image/--device volume
  if (!closed.ok() && total.error.empty()) total.error = closed.message();
  ComputeExitCode(total);
  return Emit(total, o.out);
}

void AddUndoCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<UndoOptions>();
  CLI::App* cmd = app.add_subcommand("undo", "Revert a fix run exactly, from its journal and backups");
  AddTargetOptions(cmd, opts->target, /*write=*/true);
  CLI::Option* run = cmd->add_option("--run", opts->run, "Run to revert (default: the most recent)")
                         ->option_text("ID");
  CLI::Option* all = cmd->add_flag("--all", opts->all, "Revert every run not yet undone, newest first");
  run->excludes(all);
  cmd->add_flag("--list", opts->list, "List the runs recorded on the target and exit");
  cmd->add_flag("-n,--dry-run", opts->dry_run, "Show what undo would do and change nothing");
  AddOutputOptions(cmd, opts->out, /*list_all=*/false);
  cmd->footer(
      "Files a run restored are moved to <target>/lifeboat/undo/<run>/, files it replaced are\n"
      "put back from <target>/lifeboat/backup/<run>/. A file changed since the fix is left\n"
      "alone and reported (exit 4). Undoing a run twice is a no-op.\n\n"
      "The volume is named as for fix (--target, --image, --device) and must be as safe to\n"
      "write as for fix.\n\n"
      "Example:\n"
      "  lifeboat undo --target /mnt/win\n"
      "  lifeboat undo --device /dev/sda --partition 2\n"
      "  lifeboat undo --target /mnt/win --list\n"
      "  lifeboat undo --target /mnt/win --run 20261129-143015-3f9a\n\n"
      "Exit: 0 reverted (or nothing to do), 4 conflicts left, 8 operational error,\n"
      "16 usage error, 32 cancelled.");
  cmd->callback([opts, &exit_code] { exit_code = RunUndo(*opts); });
}

}  // namespace lifeboat::ui
