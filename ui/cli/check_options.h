// Options shared by `scan` and `fix` (the volume, manifest or manifest directory,
// trust, jobs), and loading them: the manifest is chosen, its signature
// checked and the file parsed completely before anything else happens.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/manifest.h"
#include "recovery/manifest_trust.h"
#include "recovery/report.h"
#include "recovery/source.h"
#include "recovery/target_volume.h"
#include "ui/cli/cli_common.h"

namespace lifeboat::ui {

// Which volume: --target DIR, --image FILE or --device DEV (+ --partition N),
// BitLocker keys, and for writing commands the safety overrides.
struct TargetOptions {
  TargetSpec spec;
  UnlockKeys keys;
  WriteOptions write;
  // The name given on the command line, for messages before the volume is found.
  std::string name() const;
  // The options that name `t` again, for hints: "--image 'my disk.img' --partition 2".
  std::string Args(const Target& t) const;
};

// `write`: also --discard-hibernation, --ignore-dirty and --driver.
void AddTargetOptions(CLI::App* cmd, TargetOptions& o, bool write);

// Finds the volume and opens it for reading; with `write`, first refuses a
// volume that is unsafe to write (the caller calls OpenForWrite when it is
// about to write). On failure prints the error (and JSON error report),
// stores the exit code in `code` and returns null.
std::unique_ptr<Target> OpenTarget(const std::string& command, const TargetOptions& o, const OutputOptions& out,
                                   bool write, int& code);

struct CheckOptions {
  TargetOptions target;
  std::string manifest;
  std::string manifest_dir;
  std::string os;
  std::string format = "auto";
  std::vector<std::string> trusted_keys;
  std::vector<std::string> keys_dirs;
  std::string signature;
  bool allow_unsigned = false;
  int jobs = 0;
  OutputOptions out;
};

// `write`: the command writes (fix): adds the safety overrides.
void AddCheckOptions(CLI::App* cmd, CheckOptions& o, bool write);

struct CheckInputs {
  Manifest manifest;
  SignatureCheck signature;
  std::vector<std::string> notes;     // e.g. the Windows detected, the manifest chosen
  std::vector<std::string> warnings;  // e.g. "unsigned manifest"
  std::unique_ptr<Target> target;
  FileSystem* fs = nullptr;  // owned by target; read-only until fix calls OpenForWrite
  ~CheckInputs();            // unmounts what the target mounted; says so if that fails

  // Copies the signature result and warnings into a report.
  void Annotate(RunReport& r) const;
};

// `require_signed`: fix refuses a manifest that is not signed by a trusted
// key unless --allow-unsigned. A signature that does not match is refused by
// every command. On failure prints the error (and JSON error report) and
// returns the exit code to use in `code`.
// `write`: the command will write (fix): an unsafe volume is refused now,
// before the scan; the volume stays read-only until OpenForWrite.
std::unique_ptr<CheckInputs> OpenCheckInputs(const std::string& command, const CheckOptions& o, bool require_signed,
                                             bool write, int& code);

// The restore sources for a fix (or `lifeboat sources`): the volume's own
// spare copies first when `host_stores` (plain files, no transfer; read
// through whichever view of the volume is current: user space while
// planning, the mount while writing), then `paths` as given, then, when
// `search_volume`, every other file of the volume. On failure prints the
// error and returns false with the exit code in `code`.
bool OpenRepairSources(const std::string& command, CheckInputs& in, const CheckOptions& o,
                       const std::vector<std::string>& paths, bool host_stores, bool search_volume,
                       std::vector<std::unique_ptr<Source>>& out, int& code);

}  // namespace lifeboat::ui
