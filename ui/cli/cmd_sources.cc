// `lifeboat sources`: which restore sources this volume has (its own spare
// copies and the --source paths) and how many of the entries that need a copy
// each one could serve on its own, verified by hash. Writes nothing.
#include <iomanip>
#include <iostream>
#include <memory>

#include "recovery/planner.h"
#include "recovery/scanner.h"
#include "ui/cli/check_options.h"
#include "ui/cli/commands.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

struct SourcesOptions {
  CheckOptions check;
  std::vector<std::string> sources;
  bool no_host_stores = false;
  bool search_volume = false;
};

int RunSources(const SourcesOptions& o) {
  const CancelToken& cancel = InstallSignalHandlers();
  int code = 0;
  std::unique_ptr<CheckInputs> in = OpenCheckInputs("sources", o.check, /*require_signed=*/false, /*write=*/false, code);
  if (!in) return code;
  std::vector<std::unique_ptr<Source>> sources;
  if (!OpenRepairSources("sources", *in, o.check, o.sources, !o.no_host_stores, o.search_volume, sources, code)) return code;
  std::unique_ptr<ProgressSink> progress = MakeProgress(o.check.out);
  ScanResult scan = ScanTarget(*in->fs, in->manifest, ScanOptions{o.check.jobs}, *progress, cancel);
  if (scan.cancelled) return kExitCancelled;
  // Entries that need a copy: what a fix with every source would try to restore.
  RepairPlan all = PlanRepair(in->manifest, scan, sources, *progress, cancel);
  size_t needed = 0;
  for (const RepairStep& s : all.steps) needed += s.kind != StepKind::kRemove;
  for (const Unrepairable& u : all.unrepairable) needed += u.entry < in->manifest.entries.size();
  std::vector<size_t> serves(sources.size(), 0);
  for (size_t i = 0; i < sources.size() && !cancel.cancelled(); ++i) {
    std::vector<std::unique_ptr<Source>> one;
    one.push_back(std::move(sources[i]));
    RepairPlan p = PlanRepair(in->manifest, scan, one, *progress, cancel);
    for (const RepairStep& s : p.steps) serves[i] += s.kind != StepKind::kRemove;
    sources[i] = std::move(one[0]);
  }
  progress.reset();
  if (cancel.cancelled()) return kExitCancelled;
  size_t served = 0;
  for (const RepairStep& s : all.steps) served += s.kind != StepKind::kRemove;

  std::ostream& out = std::cout;
  out << "lifeboat sources\n  target    " << Printable(in->target->display()) << "\n  manifest  "
      << Printable(in->manifest.name) << " (" << in->manifest.entries.size() << " files)\n";
  for (const std::string& n : in->notes)
    if (n.rfind("source found", 0) != 0) out << "  note      " << Printable(n) << '\n';
  out << '\n' << needed << " file(s) need a verified copy.\n\n";
  if (sources.empty()) {
    out << "No sources: the volume has no spare copies (dllcache, ServicePackFiles, I386, Driver Cache, WinSxS)\n"
           "and no --source was given.\n";
  } else {
    out << std::left << std::setw(24) << "SOURCE" << std::setw(48) << "WHERE" << "CAN SERVE\n";
    for (size_t i = 0; i < sources.size(); ++i)
      out << std::setw(24) << Printable(sources[i]->label()) << std::setw(48) << Printable(sources[i]->location())
          << serves[i] << " of " << needed << '\n';
    out << std::setw(72) << "all together" << served << " of " << needed << '\n';
  }
  for (const std::string& w : all.warnings) out << "warning: " << Printable(w) << '\n';
  return served == needed ? kExitHealthy : kExitProblemsLeft;
}

}  // namespace

void AddSourcesCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<SourcesOptions>();
  CLI::App* cmd = app.add_subcommand("sources", "List the restore sources found and how many needed files each can serve");
  AddCheckOptions(cmd, opts->check, /*write=*/false);
  cmd->add_option("-s,--source", opts->sources, "Also count this directory or archive (repeatable)")->option_text("PATH");
  cmd->add_flag("--no-host-stores", opts->no_host_stores, "Leave out the volume's own spare copies and quarantine");
  cmd->add_flag("--search-volume", opts->search_volume, "Also count copies anywhere else on the volume");
  cmd->footer(
      "Scans the volume, then asks each source on its own which of the missing or corrupt\n"
      "files it holds a verified copy of (same size and SHA-256). Writes nothing.\n\n"
      "Example:\n"
      "  lifeboat sources --target /mnt/win --manifest xp-sp3-x86.lbm\n"
      "  lifeboat sources --device /dev/sda --manifest-dir /lifeboat/manifests -s /media/usb/payload\n\n"
      "Exit: 0 every needed file has a source, 4 some have none, 8 operational error, 16 usage error.");
  cmd->callback([opts, &exit_code] { exit_code = RunSources(*opts); });
}

}  // namespace lifeboat::ui
