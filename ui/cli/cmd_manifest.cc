// `lifeboat manifest ...`: the command group for working with manifests.
#include "ui/cli/commands.h"

namespace lifeboat::ui {

void AddManifestCommand(CLI::App& app, int& exit_code) {
  CLI::App* manifest = app.add_subcommand("manifest", "Build, import, compare, sign and verify manifests");
  manifest->require_subcommand(1);
  manifest->footer("Run `lifeboat manifest <command> --help` for each command's options and an example.");
  AddManifestEditCommands(*manifest, exit_code);
  AddManifestKeyCommands(*manifest, exit_code);
}

}  // namespace lifeboat::ui
