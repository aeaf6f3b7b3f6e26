// `lifeboat fix`: scan, find verified copies in the sources, show the plan,
// and (after --yes or a "y" at the prompt) write them in place.
#include <ctime>
#include <iostream>
#include <memory>

#include "recovery/executor.h"
#include "recovery/planner.h"
#include "recovery/report.h"
#include "recovery/scanner.h"
#include "recovery/source.h"
#include "recovery/workspace.h"
#include "ui/cli/check_options.h"
#include "ui/cli/commands.h"
#include "ui/cli/fix_run.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {

int RunFix(const FixOptions& o) {
  const OutputOptions& out = o.check.out;
  bool interactive = IsTerminal(0) && IsTerminal(2);
  if (!o.dry_run && !o.yes && !interactive)
    return EmitError("fix", o.check.target.name(),
                     "not on a terminal: add --yes to repair unattended, or --dry-run to see the plan", out,
                     kExitUsage);
  // Before anything is mounted: Ctrl-C or SIGTERM must end in a clean unmount.
  const CancelToken& cancel = InstallSignalHandlers();
  int code = 0;
  std::unique_ptr<CheckInputs> in = OpenCheckInputs("fix", o.check, /*require_signed=*/true, /*write=*/!o.dry_run, code);
  if (!in) return code;
  if (o.dry_run)
    for (const std::string& reason : UnsafeReasons(in->target->volume(), o.check.target.write.overrides))
      in->warnings.push_back("fix without --dry-run would refuse to write: " + reason);
  std::vector<std::unique_ptr<Source>> sources;
  if (!OpenRepairSources("fix", *in, o.check, o.sources, !o.no_host_stores, o.search_volume, sources, code)) return code;

  std::unique_ptr<ProgressSink> progress = MakeProgress(out);
  ScanResult scan = ScanTarget(*in->fs, in->manifest, ScanOptions{o.check.jobs}, *progress, cancel);
  // A target without any of the manifest's folders is the wrong one (/mnt for
  // /mnt/win): a fix there would build a whole Windows tree where none belongs.
  // Refused before planning, which would search the sources for every file.
  Status holds = CheckTargetHoldsManifest(in->manifest, scan);
  if (!holds.ok() && !o.allow_new_tree) {
    std::string why = holds.message() + ". Is --target the root of the Windows volume (e.g. /mnt/win, not /mnt)?";
    if (!o.dry_run) {
      progress.reset();
      return EmitError("fix", in->target->display(),
                       why + " Nothing was written; to build the tree there anyway, add --allow-new-tree", out);
    }
    in->warnings.push_back("fix without --dry-run would refuse to write: " + why);
  }
  RepairPlan plan;
  if (!scan.cancelled) plan = PlanRepair(in->manifest, scan, sources, *progress, cancel);
  progress.reset();

  auto report_without_run = [&] {
    RunReport r = FixReport(in->manifest, scan, plan, nullptr, o.dry_run, /*keep_ok=*/o.check.out.all);
    r.target = in->target->display();
    in->Annotate(r);
    return r;
  };
  if (scan.cancelled || plan.cancelled || o.dry_run) {
    RunReport r = report_without_run();
    if (o.dry_run && !out.quiet) {
      std::ostream& text = out.json == "-" ? std::cerr : std::cout;
      WritePlan(text, in->manifest, plan);
      text << '\n';
    }
    return Emit(r, out);
  }
  if (plan.steps.empty()) {  // nothing to write: no run, no journal
    ExecuteResult none;
    RunReport r = FixReport(in->manifest, scan, plan, &none, false, /*keep_ok=*/o.check.out.all);
    r.target = in->target->display();
    in->Annotate(r);
    return Emit(r, out);
  }
  if (!o.yes) {
    WritePlan(std::cerr, in->manifest, plan);
    if (!AskYesNo("Write these " + std::to_string(plan.steps.size()) + " file(s) to " + in->target->display() + "?")) {
      RunReport r = report_without_run();
      r.cancelled = true;
      ComputeExitCode(r);
      std::cerr << "Nothing was written.\n";
      return Emit(r, out);
    }
  }

  // Only now, with a plan the technician accepted, is the volume opened for
  // writing (images and devices: mounted read-write).
  progress = MakeProgress(out);
  Result<RunReport> r = RepairAcceptedPlan(
      *in, o.check, scan, plan, sources, *progress, cancel, [](const std::function<void()>& run) { run(); },
      [](const std::string& w) { std::cerr << "lifeboat fix: warning: " << Printable(w) << '\n'; });
  progress.reset();
  if (!r.ok()) return EmitError("fix", in->target->display(), r.status().message(), out);
  return Emit(*r, out);
}

Result<RunReport> RepairAcceptedPlan(CheckInputs& in, const CheckOptions& check, const ScanResult& scan,
                                     const RepairPlan& plan, std::vector<std::unique_ptr<Source>>& sources,
                                     ProgressSink& progress, const CancelToken& cancel, const ExecuteRunner& execute,
                                     const std::function<void(const std::string&)>& target_warning) {
  Result<FileSystem*> writable = in.target->OpenForWrite(check.target.write);
  if (!writable.ok()) return writable.status();
  in.fs = *writable;
  for (const std::string& w : in.target->warnings()) target_warning(w);

  Result<std::unique_ptr<FileLock>> lock = LockWorkspace(*in.fs);
  if (!lock.ok()) {
    std::string msg = lock.status().message();
    if (lock.status().code() == Status::Code::kReadOnly || lock.status().code() == Status::Code::kPermission)
      msg += " (the target is not writable: mount it read-write, e.g. `mount -o remount,rw`, and run fix again; "
             "nothing was written)";
    return Status::Error(lock.status().code(), msg);
  }
  std::time_t now = std::time(nullptr);
  Result<std::vector<std::string>> recovered = RecoverInterruptedRuns(*in.fs, now);
  if (!recovered.ok()) return recovered.status();

  Result<uint64_t> sequence = NextRunSequence(*in.fs);
  if (!sequence.ok()) return sequence.status();
  ExecuteOptions exec_opts;
  exec_opts.run_id = NewRunId(now);
  exec_opts.sequence = *sequence;
  exec_opts.target = in.target->display();
  exec_opts.manifest = in.manifest.name;
  exec_opts.manifest_sha256 = ToHex(in.manifest.file_sha256);
  exec_opts.now = now;
  ExecuteResult exec;
  execute([&] { exec = ExecutePlan(*in.fs, plan, sources, exec_opts, progress, cancel); });

  RunReport r = FixReport(in.manifest, scan, plan, &exec, false, /*keep_ok=*/check.out.all);
  r.target = in.target->display();
  in.Annotate(r);
  r.run_id = exec_opts.run_id;
  r.target_args = check.target.Args(*in.target);
  r.warnings.insert(r.warnings.begin(), recovered->begin(), recovered->end());
  lock.value().reset();
  Status closed = in.target->Close();  // unmounts an --image/--device volume: every write reaches the disk
  if (!closed.ok() && r.error.empty()) {
    r.error = closed.message();
    ComputeExitCode(r);
  }
  return r;
}

void AddFixCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<FixOptions>();
  CLI::App* cmd = app.add_subcommand("fix", "Restore missing and corrupt files from verified copies");
  AddCheckOptions(cmd, opts->check, /*write=*/true);
  cmd->add_option("-s,--source", opts->sources,
                  "Where good copies may be: a directory or an archive (tar, tar.gz, zip, 7z, cab, iso); "
                  "repeatable, searched in order")
      ->option_text("PATH");
  cmd->add_flag("-n,--dry-run", opts->dry_run, "Show the repair plan and write nothing");
  cmd->add_flag("-y,--yes", opts->yes, "Do not ask before writing (required when not on a terminal)");
  cmd->add_flag("--no-host-stores", opts->no_host_stores,
                "Do not look for spare copies on the volume itself (system32\\dllcache, ServicePackFiles, "
                "Driver Cache, I386, WinSxS, antivirus quarantine)");
  cmd->add_flag("--allow-new-tree", opts->allow_new_tree,
                "Repair even when none of the manifest's folders (e.g. WINDOWS) exist on the target: "
                "build the tree from scratch. Without it such a target is refused as the wrong one");
  cmd->add_flag("--search-volume", opts->search_volume,
                "Last resort: search every file on the volume for a copy with the right size and hash "
                "(e.g. one a user made); slower, as it lists the whole volume");
  cmd->footer(
      "Without being asked, the volume's own spare copies are sources too, before --source:\n"
      "system32\\dllcache, ServicePackFiles\\i386, an I386 folder, Driver Cache\\i386 (cabinets)\n"
      "and WinSxS, and the antivirus quarantine: McAfee .bup, Symantec .vbn and Defender files\n"
      "are decoded in memory (--no-host-stores turns all this off). Compressed install-media\n"
      "files (SVCHOST.EX_) and .cab files in a directory source are read member by member.\n"
      "--search-volume then looks at every other file of the volume as a last resort.\n"
      "Copies are matched by content: any file in a source whose size and SHA-256 equal the\n"
      "manifest's is used, whatever its name. Nothing is written unless its hash matches.\n"
      "Each write goes to a temp file that is fsynced and hashed again before it is renamed\n"
      "into place; a replaced file is kept in <target>/lifeboat/backup/<run>/ and every step\n"
      "is journaled in <target>/lifeboat/journal/, so `lifeboat undo` can revert the run.\n\n"
      "With --image or --device the volume is checked and mounted read-write by lifeboat\n"
      "(kernel ntfs3, else ntfs-3g) and unmounted at the end. fix refuses (exit 8, nothing\n"
      "written) a volume that is hibernated or used Fast Startup, is marked dirty, is\n"
      "BitLocker-locked or is read-only, and says what to do; --discard-hibernation and\n"
      "--ignore-dirty accept those risks, --recovery-password/--bitlocker-key unlock.\n\n"
      "Example:\n"
      "  lifeboat fix --device /dev/sda --manifest-dir /lifeboat/manifests --source payload.tar.gz\n"
      "  lifeboat fix --target /mnt/win --manifest xp-sp3-x86.sha256 \\\n"
      "      --source /media/usb/payload --source /mnt/win/WINDOWS/system32/dllcache\n"
      "  lifeboat fix -t /mnt/win -m xp.sha256 -s payload.tar.gz --dry-run\n\n"
      "Exit: 0 healthy, 1 all repaired, 4 problems left, 5 some repaired and some left,\n"
      "8 operational error, 16 usage error, 32 cancelled.");
  cmd->callback([opts, &exit_code] { exit_code = RunFix(*opts); });
}

}  // namespace lifeboat::ui
