// Shared scan/fix options and input loading (check_options.h).
#include "ui/cli/check_options.h"

#include <sys/stat.h>

#include <iostream>
#include <optional>

#include "recovery/filesystem_posix.h"
#include "recovery/host_stores.h"
#include "recovery/quarantine_source.h"
#include "recovery/manifest_select.h"
#include "recovery/source_directory.h"
#include "recovery/os_spec.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {

std::string TargetOptions::name() const {
  if (!spec.directory.empty()) return AbsolutePath(spec.directory);
  std::string n = spec.image.empty() ? spec.device : spec.image;
  if (spec.partition != 0) n += "#" + std::to_string(spec.partition);
  return n;
}

std::string TargetOptions::Args(const Target& t) const {
  auto quote = [](const std::string& s) {
    if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@") ==
        std::string::npos)
      return s;
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  if (!spec.directory.empty()) return "--target " + quote(AbsolutePath(spec.directory));
  std::string a = spec.image.empty() ? "--device " + quote(spec.device) : "--image " + quote(AbsolutePath(spec.image));
  if (t.volume().partition != 0) a += " --partition " + std::to_string(t.volume().partition);
  return a;
}

void AddTargetOptions(CLI::App* cmd, TargetOptions& o, bool write) {
  cmd->add_option("-t,--target", o.spec.directory, "Root of the Windows volume, already mounted (or a plain tree)")
      ->option_text("DIR");
  cmd->add_option("--image", o.spec.image, "A raw disk or partition image holding the Windows volume")
      ->option_text("FILE");
  cmd->add_option("--device", o.spec.device, "A disk or partition device, e.g. /dev/sda or /dev/sda2")
      ->option_text("DEV");
  cmd->add_option("--partition", o.spec.partition,
                  "Partition number on --image/--device (default: the one holding Windows)")
      ->check(CLI::Range(1, 128))
      ->option_text("N");
  cmd->add_option("--recovery-password", o.keys.recovery_password,
                  "Unlock a BitLocker volume (48-digit recovery password) with dislocker")
      ->option_text("DIGITS");
  cmd->add_option("--bitlocker-key", o.keys.key_file, "Unlock a BitLocker volume with a .BEK startup key file")
      ->option_text("FILE");
  cmd->add_option("--bitlocker-keys", o.keys.keys_csv,
                  "For fleets: a CSV of \"volume id,recovery password\" lines; the password for this volume "
                  "is looked up by its id (e.g. /dev/sda2) or label")
      ->option_text("CSV");
  if (!write) return;
  cmd->add_flag("--discard-hibernation", o.write.overrides.discard_hibernation,
                "Write to a hibernated / Fast Startup volume by discarding the saved Windows session "
                "(like ntfs-3g remove_hiberfile; unsaved work in it is lost)");
  cmd->add_flag("--ignore-dirty", o.write.overrides.ignore_dirty,
                "Write to an NTFS volume marked dirty (run chkdsk /f afterwards)");
  cmd->add_option("--driver", o.write.driver, "NTFS driver for --image/--device: auto (ntfs3, else ntfs-3g), ntfs3, ntfs-3g")
      ->check(CLI::IsMember({"auto", "ntfs3", "ntfs-3g"}))
      ->option_text("NAME");
}

std::unique_ptr<Target> OpenTarget(const std::string& command, const TargetOptions& o, const OutputOptions& out,
                                   bool write, int& code) {
  Status valid = ValidateTargetSpec(o.spec);
  if (!valid.ok()) {
    code = EmitError(command, o.name(), valid.message(), out, kExitUsage);
    return nullptr;
  }
  Result<std::unique_ptr<Target>> t = Target::Locate(o.spec, o.keys, write);
  if (!t.ok()) {
    code = EmitError(command, o.name(), t.status().message(), out, kExitOperational);
    return nullptr;
  }
  Status safe = write ? (*t)->CheckWritable(o.write) : Status::Ok();
  Result<FileSystem*> fs = safe.ok() ? (*t)->OpenForRead() : Result<FileSystem*>(safe);
  if (!fs.ok()) {
    code = EmitError(command, (*t)->display(), fs.status().message(), out, kExitOperational);
    return nullptr;
  }
  return std::move(t).value();
}

void AddCheckOptions(CLI::App* cmd, CheckOptions& o, bool write) {
  AddTargetOptions(cmd, o.target, write);
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
  cmd->add_option("-j,--jobs", o.jobs, "Files read and hashed at once (default: one per CPU, growing up to 32 while the disk, not the CPU, is the limit)")
      ->check(CLI::Range(1, 256))
      ->option_text("N");
  AddOutputOptions(cmd, o.out);
}

CheckInputs::~CheckInputs() {
  if (!target) return;
  Status closed = target->Close();
  if (!closed.ok()) std::cerr << "lifeboat: error: " << Printable(closed.message()) << '\n';
}

void CheckInputs::Annotate(RunReport& r) const {
  r.signature_state = SignatureStateName(signature.state);
  r.signature_key_id = signature.key_id;
  r.signature_key_file = signature.key_file;
  r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
  r.warnings.insert(r.warnings.begin(), warnings.begin(), warnings.end());
  if (target) {
    r.notes.insert(r.notes.end(), target->notes().begin(), target->notes().end());
    r.warnings.insert(r.warnings.end(), target->warnings().begin(), target->warnings().end());
  }
}

std::unique_ptr<CheckInputs> OpenCheckInputs(const std::string& command, const CheckOptions& o, bool require_signed,
                                             bool write, int& code) {
  std::string name = o.target.name();
  auto fail = [&](const std::string& msg, int exit) {
    code = EmitError(command, name, msg, o.out, exit);
    return nullptr;
  };
  Result<ManifestFormat> format = ParseFormatName(o.format);
  if (!format.ok()) return fail(format.status().message(), kExitUsage);
  if (o.manifest.empty() && o.manifest_dir.empty())
    return fail("give --manifest FILE, or --manifest-dir DIR (with --os, or detected from the volume)", kExitUsage);
  std::optional<OsSpec> given_os;
  if (o.manifest.empty() && !o.os.empty()) {
    Result<OsSpec> given = ParseOsSpec(o.os, /*allow_ranges=*/false);
    if (!given.ok()) return fail(given.status().message(), kExitUsage);
    given_os = *given;
  }

  // Find the volume first (refusing it now if the command will write and that
  // is unsafe): its Windows version chooses the manifest.
  std::unique_ptr<Target> target = OpenTarget(command, o.target, o.out, write, code);
  if (!target) return nullptr;
  name = target->display();
  std::vector<std::string> notes;

  std::string path = o.manifest;
  if (path.empty()) {
    OsSpec os;
    if (given_os) {
      os = *given_os;
    } else {
      const std::vector<WindowsInstall>& found = target->volume().windows;
      if (found.size() != 1)
        return fail((found.empty() ? "no Windows installation detected on " : "more than one Windows installation on ") +
                        name + "; give --os, e.g. --os \"version=5.1 build=2600 sp=3 arch=x86\" (see lifeboat detect)",
                    kExitOperational);
      os = found[0].Os();
      notes.push_back("detected " + found[0].name + " (" + FormatOsSpec(os) + ") in \\" + found[0].system_root +
                      " on " + name);
    }
    Result<std::string> chosen = SelectManifest(o.manifest_dir, os);
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
  in->notes = notes;
  in->signature = loaded->signature;
  const SignatureCheck& sig = in->signature;
  if (!o.manifest_dir.empty()) in->notes.push_back("manifest chosen for this installation: " + path);
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
  in->target = std::move(target);
  in->fs = *in->target->OpenForRead();  // opened by OpenTarget
  return in;
}

namespace {

// Same directory? (A --source naming a store the volume has anyway.)
bool SamePlace(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

bool OpenRepairSources(const std::string& command, CheckInputs& in, const CheckOptions& o,
                       const std::vector<std::string>& paths, bool host_stores, bool search_volume,
                       std::vector<std::unique_ptr<Source>>& out, int& code) {
  FileSystem** current = &in.fs;
  std::vector<std::string> searched = {"lifeboat"};  // the whole-volume search leaves these out
  if (host_stores) {
    const std::string& dir = o.target.spec.directory;
    // Plain copies first, then the antivirus quarantine (decoded in memory),
    // then cabinets, older versions and the component store.
    std::vector<QuarantineStore> quarantine = FindQuarantineStores(*in.fs);
    auto add_quarantine = [&] {
      for (const QuarantineStore& q : quarantine) {
        out.push_back(OpenQuarantineSource([current] { return *current; }, q.dir, q.label));
        searched.push_back(q.dir);
        in.notes.push_back("source found on the volume: " + q.label + " (" + q.dir + ")");
      }
      quarantine.clear();
    };
    for (const HostStore& h : FindHostStores(*in.fs)) {
      bool given = false;
      for (const std::string& path : paths) given |= !dir.empty() && SamePlace(path, dir + "/" + h.dir);
      if (given) continue;
      if (h.label != "dllcache" && h.label != "ServicePackFiles/i386") add_quarantine();
      out.push_back(OpenVolumeDirectorySource([current] { return *current; }, h.dir, h.label));
      in.notes.push_back("source found on the volume: " + h.label + " (" + h.dir + ")");
      searched.push_back(h.dir);
    }
    add_quarantine();
  }
  for (const std::string& path : paths) {
    Result<std::unique_ptr<Source>> s = OpenSource(path);
    if (!s.ok()) {
      code = EmitError(command, in.target->display(), s.status().message(), o.out);
      return false;
    }
    out.push_back(std::move(s).value());
  }
  // Last resort: any file on the volume with the right size and hash (a copy
  // a user made, a System Restore snapshot), lifeboat's own folder and the
  // stores above excepted.
  if (search_volume) {
    out.push_back(OpenVolumeDirectorySource([current] { return *current; }, "", "volume", searched));
    in.notes.push_back("searching the whole volume for copies (--search-volume)");
  }
  return true;
}

}  // namespace lifeboat::ui
