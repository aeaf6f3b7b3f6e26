// Shared scan/fix options and input loading.
#include "ui/cli/check_options.h"

#include "recovery/filesystem_posix.h"

namespace lifeboat::ui {

void AddCheckOptions(CLI::App* cmd, CheckOptions& o) {
  cmd->add_option("-t,--target", o.target, "Root of the Windows volume (a mounted directory)")
      ->required()
      ->option_text("DIR");
  cmd->add_option("-m,--manifest", o.manifest, "Known-good hashes: sha256sum or BSD mtree file")
      ->required()
      ->option_text("FILE");
  cmd->add_option("--manifest-format", o.format, "auto (default), sha256sum or mtree")
      ->check(CLI::IsMember({"auto", "sha256sum", "mtree"}))
      ->option_text("FMT");
  cmd->add_option("-j,--jobs", o.jobs, "Hashing threads (default: one per CPU)")
      ->check(CLI::Range(1, 256))
      ->option_text("N");
  AddOutputOptions(cmd, o.out);
}

std::unique_ptr<CheckInputs> OpenCheckInputs(const std::string& command, const CheckOptions& o, int& code) {
  Result<ManifestFormat> format = ParseFormatName(o.format);
  if (!format.ok()) {
    code = EmitError(command, o.target, format.status().message(), o.out, kExitUsage);
    return nullptr;
  }
  Result<Manifest> manifest = LoadManifest(o.manifest, *format);
  if (!manifest.ok()) {
    code = EmitError(command, o.target, "manifest rejected, nothing was done: " + manifest.status().message(), o.out);
    return nullptr;
  }
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(o.target);
  if (!fs.ok()) {
    code = EmitError(command, o.target, fs.status().message(), o.out);
    return nullptr;
  }
  auto in = std::make_unique<CheckInputs>();
  in->manifest = std::move(manifest).value();
  in->fs = std::move(fs).value();
  return in;
}

}  // namespace lifeboat::ui
