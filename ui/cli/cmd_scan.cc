// `lifeboat scan`: compare the target with the manifest; read-only.
#include <memory>

#include "recovery/report.h"
#include "recovery/scanner.h"
#include "ui/cli/check_options.h"
#include "ui/cli/commands.h"

namespace lifeboat::ui {
namespace {

int RunScan(const CheckOptions& o) {
  int code = 0;
  std::unique_ptr<CheckInputs> in = OpenCheckInputs("scan", o, /*require_signed=*/false, /*write=*/false, code);
  if (!in) return code;
  const CancelToken& cancel = InstallSignalHandlers();
  std::unique_ptr<ProgressSink> progress = MakeProgress(o.out);
  ScanResult scan = ScanTarget(*in->fs, in->manifest, ScanOptions{o.jobs}, *progress, cancel);
  progress.reset();
  RunReport report = ScanReport(in->manifest, scan, /*keep_ok=*/o.out.all);
  report.target = in->target->display();
  in->Annotate(report);
  return Emit(report, o.out);
}

}  // namespace

void AddScanCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("scan", "Check every file in the manifest; writes nothing");
  AddCheckOptions(cmd, *opts, /*write=*/false);
  cmd->footer(
      "Each manifest path is looked up case-insensitively beneath the target; a file is\n"
      "ok when its SHA-256 matches, missing, or corrupt (different size or hash).\n\n"
      "The volume is a mounted directory (--target), or a disk image or device (--image,\n"
      "--device): those are read in user space with libntfs-3g, never mounted. Without\n"
      "--partition the partition holding Windows is used. With --manifest-dir and no --os,\n"
      "the manifest is chosen for the Windows detected on the volume (see lifeboat detect).\n\n"
      "Example:\n"
      "  lifeboat scan --target /mnt/win --manifest xp-sp3-x86.sha256\n"
      "  lifeboat scan --device /dev/sda --manifest-dir /lifeboat/manifests\n"
      "  lifeboat scan -t /mnt/win -m xp-sp3-x86.mtree --json report.json\n\n"
      "Exit: 0 healthy, 4 problems found, 8 operational error, 16 usage error, 32 cancelled.");
  cmd->callback([opts, &exit_code] { exit_code = RunScan(*opts); });
}

}  // namespace lifeboat::ui
