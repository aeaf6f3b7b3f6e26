// `lifeboat detect`: the volumes, the Windows installations on them, and
// whether each is safe to repair. Reads only; never mounts.
#include <fstream>
#include <iostream>
#include <memory>

#include "recovery/volume_probe.h"
#include "ui/cli/cli_common.h"
#include "ui/cli/commands.h"
#include "ui/report/detect_report.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

struct DetectOptions {
  std::vector<std::string> images, devices, targets;
  std::string json;
  bool quiet = false;
};

int RunDetect(const DetectOptions& o) {
  std::vector<std::string> errors;
  std::vector<VolumeReport> volumes = ProbeVolumes(o.images, o.devices, o.targets, errors);
  int code = errors.empty() ? kExitHealthy : kExitOperational;
  for (const std::string& e : errors) std::cerr << "lifeboat detect: error: " << Printable(e) << '\n';
  if (!o.quiet) WriteDetectText(o.json == "-" ? std::cerr : std::cout, volumes);
  if (o.json == "-") {
    WriteDetectJson(std::cout, volumes, code);
  } else if (!o.json.empty()) {
    std::ofstream f(o.json, std::ios::trunc);
    WriteDetectJson(f, volumes, code);
    if (!f) {
      std::cerr << "lifeboat detect: error: cannot write " << o.json << '\n';
      code |= kExitOperational;
    }
  }
  return code;
}

}  // namespace

void AddDetectCommand(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DetectOptions>();
  CLI::App* cmd = app.add_subcommand("detect", "List volumes, the Windows on them, and whether each is safe to repair");
  cmd->add_option("--image", o->images, "A raw disk or partition image (repeatable)")->option_text("FILE");
  cmd->add_option("--device", o->devices, "A disk or partition device (repeatable)")->option_text("DEV");
  cmd->add_option("--target", o->targets, "An already-mounted volume or a plain directory (repeatable)")
      ->option_text("DIR");
  cmd->add_option("--json", o->json, "Also write the result as JSON to FILE ('-' for stdout)")->option_text("FILE");
  cmd->add_flag("-q,--quiet", o->quiet, "No text output");
  cmd->footer(
      "Without --image, --device or --target, every disk in /sys/class/block is examined.\n"
      "Nothing is mounted or written: NTFS is read in user space (libntfs-3g), the Windows\n"
      "version from the SOFTWARE and SYSTEM hives (hivex) and ntoskrnl.exe. A volume is not safe\n"
      "to write when Windows is hibernated or used Fast Startup, when NTFS is dirty, when it is\n"
      "BitLocker-encrypted, or when the device is read-only; the reasons are listed.\n\n"
      "Example:\n"
      "  lifeboat detect\n"
      "  lifeboat detect --image disk.img --json -\n\n"
      "Exit: 0 done, 8 a source could not be read, 16 usage error.");
  cmd->callback([o, &exit_code] { exit_code = RunDetect(*o); });
}

}  // namespace lifeboat::ui
