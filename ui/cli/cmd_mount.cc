// `lifeboat mount`: mount a Windows volume from an image or device for the
// technician, read-only unless --rw (and then only when it is safe to write).
#include <iostream>
#include <memory>

#include "recovery/target_volume.h"
#include "ui/cli/check_options.h"
#include "ui/cli/commands.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

struct MountOptions {
  TargetOptions target;
  bool rw = false;
  std::string at;
  OutputOptions out;
};

int RunMount(const MountOptions& o) {
  if (!o.target.spec.directory.empty())
    return EmitError("mount", o.target.name(), "mount takes --image FILE or --device DEV", o.out, kExitUsage);
  Status valid = ValidateTargetSpec(o.target.spec);
  if (!valid.ok()) return EmitError("mount", o.target.name(), valid.message(), o.out, kExitUsage);
  Result<std::unique_ptr<Target>> t = Target::Locate(o.target.spec, o.target.keys, o.rw);
  if (!t.ok()) return EmitError("mount", o.target.name(), t.status().message(), o.out);
  std::string path;
  Status s = (*t)->MountAndKeep(o.rw, o.target.write, o.at, &path);
  if (!s.ok()) return EmitError("mount", (*t)->display(), s.message(), o.out);
  for (const std::string& w : (*t)->warnings()) std::cerr << "lifeboat mount: warning: " << Printable(w) << '\n';
  for (const std::string& n : (*t)->notes()) std::cerr << "lifeboat mount: " << Printable(n) << '\n';
  const VolumeReport& v = (*t)->volume();
  std::cerr << "Mounted " << Printable(v.id) << (o.rw ? " read-write" : " read-only") << " at:\n";
  std::cout << path << '\n';
  for (const WindowsInstall& w : v.windows)
    std::cerr << "  " << Printable(w.name) << " in \\" << Printable(w.system_root) << '\n';
  std::cerr << "Unmount with: umount " << path << (o.at.empty() ? " && rmdir " + path : std::string()) << "\n";
  return kExitHealthy;
}

}  // namespace

void AddMountCommand(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MountOptions>();
  CLI::App* cmd = app.add_subcommand("mount", "Mount the Windows volume of an image or device (read-only unless --rw)");
  AddTargetOptions(cmd, o->target, /*write=*/true);
  cmd->add_flag("--rw", o->rw, "Mount read-write (refused when hibernated, dirty, locked or read-only)");
  cmd->add_option("--at", o->at, "Mount point (default: a new directory under /run/lifeboat)")->option_text("DIR");
  cmd->footer(
      "The volume stays mounted after lifeboat exits; the mount point is printed on stdout.\n"
      "The kernel ntfs3 driver is used when the kernel has it, else ntfs-3g (FUSE). An image\n"
      "is mounted through a loop device that goes away with the unmount.\n\n"
      "Example:\n"
      "  lifeboat mount --device /dev/sda            # the partition holding Windows, read-only\n"
      "  lifeboat mount --image disk.img --partition 2 --rw --at /mnt/win\n"
      "  umount /mnt/win\n\n"
      "Exit: 0 mounted, 8 refused or failed (nothing mounted), 16 usage error.");
  cmd->callback([o, &exit_code] { exit_code = RunMount(*o); });
}

}  // namespace lifeboat::ui
