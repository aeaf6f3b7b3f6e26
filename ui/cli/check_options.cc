// Shared scan/fix options and input loading (check_options.h).
#include "ui/cli/check_options.h"

#include <iostream>

#include "recovery/filesystem_posix.h"
#include "recovery/manifest_select.h"
#include "recovery/os_spec.h"

namespace lifeboat::ui {

void AddCheckOptions(CLI::App* cmd, CheckOptions& o) {
  cmd->add_option("-t,--target", o.target, "Root of the Windows volume (a mounted directory)")
      ->required()
      ->option_text("DIR");
  CLI::Option* manifest =
      cmd->add_option("-m,--manifest", o.manifest, "Known-good hashes: a lifeboat (.lbm), sha256sum or BSD mtree file")
          ->option_text("FILE");
  CLI::Option* dir = cmd->add_option("--manifest-dir", o.manifest_dir,
                                     "Choose the manifest that fits --os among the *.lbm files in DIR")
                         ->option_text("DIR");
  manifest->excludes(dir);
  cmd->add_option("--os", o.os, "The installed Windows, for --manifest-dir: \"version=5.1 build=2600 sp=3 arch=x86\"")
      ->option_text("DESC");
  cmd->add_option("--manifest-format", o.format, "auto (default), lifeboat, sha256sum or mtree")
      ->check(CLI::IsMember({"auto", "lifeboat", "sha256sum", "mtree"}))
      ->option_text("FMT");
  cmd->add_option("--trusted-key", o.trusted_keys, "A signify public key to trust (repeatable)")->option_text("FILE");
  cmd->add_option("--keys-dir", o.keys_dirs,
                  std::string("Trust every *.pub key in DIR (default: ") + kDefaultKeysDir + ")")
      ->option_text("DIR");
  cmd->add_option("--signature", o.signature, "The manifest's signify signature (default: <manifest>.sig)")
      ->option_text("FILE");
  cmd->add_flag("--allow-unsigned", o.allow_unsigned,
                "Repair from a manifest no trusted key signed (recorded loudly in the report)");
  cmd->add_option("-j,--jobs", o.jobs, "Hashing threads (default: one per CPU)")
      ->check(CLI::Range(1, 256))
      ->option_text("N");
  AddOutputOptions(cmd, o.out);
}

void CheckInputs::Annotate(RunReport& r) const {
  r.signature_state = SignatureStateName(signature.state);
  r.signature_key_id = signature.key_id;
  r.signature_key_file = signature.key_file;
  r.warnings.insert(r.warnings.begin(), warnings.begin(), warnings.end());
}

std::unique_ptr<CheckInputs> OpenCheckInputs(const std::string& command, const CheckOptions& o, bool require_signed,
                                             int& code) {
  auto fail = [&](const std::string& msg, int exit) {
    code = EmitError(command, o.target, msg, o.out, exit);
    return nullptr;
  };
  Result<ManifestFormat> format = ParseFormatName(o.format);
  if (!format.ok()) return fail(format.status().message(), kExitUsage);

  std::string path = o.manifest;
  if (path.empty()) {
    if (o.manifest_dir.empty()) return fail("give --manifest FILE, or --manifest-dir DIR with --os", kExitUsage);
    if (o.os.empty())
      return fail("--manifest-dir needs --os to choose, e.g. --os \"version=5.1 build=2600 sp=3 arch=x86\"",
                  kExitUsage);
    Result<OsSpec> os = ParseOsSpec(o.os, /*allow_ranges=*/false);
    if (!os.ok()) return fail(os.status().message(), kExitUsage);
    Result<std::string> chosen = SelectManifest(o.manifest_dir, *os);
    if (!chosen.ok()) return fail("no manifest chosen, nothing was done: " + chosen.status().message(), kExitOperational);
    path = *chosen;
  }

  TrustOptions trust;
  trust.key_files = o.trusted_keys;
  trust.key_dirs = o.keys_dirs.empty() ? std::vector<std::string>{kDefaultKeysDir} : o.keys_dirs;
  trust.signature_path = o.signature;
  Result<CheckedManifest> loaded = LoadCheckedManifest(path, *format, trust);
  if (!loaded.ok()) return fail("manifest rejected, nothing was done: " + loaded.status().message(), kExitOperational);

  auto in = std::make_unique<CheckInputs>();
  in->signature = loaded->signature;
  const SignatureCheck& sig = in->signature;
  if (!o.manifest_dir.empty()) in->warnings.push_back("manifest chosen for this installation: " + path);
  if (sig.state == SignatureState::kBad)
    return fail("manifest rejected, nothing was done: " + sig.message, kExitOperational);
  if (sig.state != SignatureState::kVerified) {
    if (require_signed && !o.allow_unsigned)
      return fail("manifest not trusted, nothing was done: " + sig.message +
                      ". fix writes system files only from a manifest signed by a trusted key "
                      "(--trusted-key FILE); --allow-unsigned overrides this",
                  kExitOperational);
    std::string warning = "UNTRUSTED MANIFEST: " + sig.message;
    if (require_signed) {
      warning += "; repairing anyway because --allow-unsigned was given";
      std::cerr << "lifeboat " << command << ": WARNING: " << warning << '\n';
    }
    in->warnings.push_back(warning);
  }
  in->manifest = std::move(loaded->manifest);
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(o.target);
  if (!fs.ok()) return fail(fs.status().message(), kExitOperational);
  in->fs = std::move(fs).value();
  return in;
}

}  // namespace lifeboat::ui
