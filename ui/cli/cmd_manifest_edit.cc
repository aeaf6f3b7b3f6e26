// `lifeboat manifest build|import|diff`: making manifests from a reference
// system or other tools' hash lists, and comparing two before signing.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

#include "recovery/manifest.h"
#include "recovery/manifest_build.h"
#include "recovery/manifest_diff.h"
#include "recovery/manifest_import.h"
#include "recovery/manifest_native.h"
#include "recovery/manifest_trust.h"
#include "recovery/source.h"
#include "recovery/workspace.h"
#include "ui/cli/cli_common.h"
#include "ui/cli/commands.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

struct HeaderOptions {
  std::string name, description;
  std::vector<std::string> os;
};

void AddHeaderOptions(CLI::App* cmd, HeaderOptions& h) {
  cmd->add_option("--name", h.name, "Manifest name (default: the output file's base name)")->option_text("NAME");
  cmd->add_option("--description", h.description, "One line for people")->option_text("TEXT");
  cmd->add_option("--os", h.os,
                  "Which installations it is for, repeatable: \"family=windows version=5.1 build=2600 sp=3 arch=x86\"")
      ->option_text("DESC");
}

int Fail(const std::string& what, const std::string& msg, int code = kExitOperational) {
  std::cerr << "lifeboat manifest " << what << ": error: " << Printable(msg) << '\n';
  return code;
}

// "created" time: SOURCE_DATE_EPOCH when set (reproducible builds), else now.
std::string CreatedNow() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  std::time_t t = sde ? static_cast<std::time_t>(std::strtoll(sde, nullptr, 10)) : std::time(nullptr);
  return IsoTime(t);
}

// Applies header options; fails on a bad --os or a name/description that
// would break the line format.
Status ApplyHeader(Manifest& m, const HeaderOptions& h, const std::string& out_path) {
  std::string name = h.name;
  if (name.empty()) {
    name = out_path.substr(out_path.rfind('/') + 1);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".lbm") == 0) name.resize(name.size() - 4);
  }
  for (const std::string& s : {name, h.description})
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20)
        return Status::Error(Status::Code::kInvalidInput, "--name and --description must be one line");
  m.title = name;
  m.description = h.description;
  m.created = CreatedNow();
  m.applies_to.clear();
  for (const std::string& os : h.os) {
    Result<OsSpec> spec = ParseOsSpec(os, /*allow_ranges=*/true);
    if (!spec.ok()) return spec.status();
    m.applies_to.push_back(*spec);
  }
  return Status::Ok();
}

// Writes atomically: a temp file next to `path`, fsynced, renamed over it.
Status WriteAtomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.close();
    if (!f) return Status::Error(Status::Code::kIoError, "cannot write " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "rename " + tmp + " to " + path);
  return Status::Ok();
}

int Finish(const char* what, Manifest& m, const std::string& out) {
  Status w = WriteAtomically(out, FormatNative(m));
  if (!w.ok()) return Fail(what, w.message());
  for (const std::string& warning : m.warnings) std::cerr << "warning: " << Printable(warning) << '\n';
  std::cout << "wrote " << out << ": " << m.entries.size() << " files" << (m.applies_to.empty() ? " (no --os: --manifest-dir will not pick it)" : "")
            << ". Review it (lifeboat manifest diff OLD " << out << "), then sign it (lifeboat manifest sign -s KEY.sec -m "
            << out << ").\n";
  return 0;
}

struct BuildCmd {
  std::string from, out;
  std::vector<std::string> include, exclude;
  HeaderOptions header;
};

int RunBuild(const BuildCmd& o) {
  Result<std::unique_ptr<Source>> src = OpenSource(o.from);
  if (!src.ok()) return Fail("build", src.status().message());
  BuildOptions b;
  b.include = o.include;
  b.exclude = o.exclude;
  OutputOptions quiet;
  std::unique_ptr<ProgressSink> progress = MakeProgress(quiet);
  const CancelToken& cancel = InstallSignalHandlers();
  Result<Manifest> m = BuildManifest(**src, b, *progress, cancel);
  progress.reset();
  if (!m.ok()) return Fail("build", m.status().message());
  Status h = ApplyHeader(*m, o.header, o.out);
  if (!h.ok()) return Fail("build", h.message(), kExitUsage);
  return Finish("build", *m, o.out);
}

struct ImportCmd {
  std::string format, out;
  std::vector<std::string> inputs;
  ImportOptions options;
  HeaderOptions header;
};

int RunImport(const ImportCmd& o) {
  ManifestLimits limits;
  ManifestBuilder merged("import", limits);
  for (const std::string& in : o.inputs) {
    Result<std::string> text = ReadWholeFile(in, limits.max_file_bytes);
    if (!text.ok()) return Fail("import", text.status().message());
    Result<Manifest> m = Status::Error(Status::Code::kInvalidInput, "unknown format");
    if (o.format == "sha256sum") m = ParseManifest(*text, in, ManifestFormat::kSha256sum);
    if (o.format == "mtree") m = ParseManifest(*text, in, ManifestFormat::kMtree);
    if (o.format == "hashdeep") m = ImportHashdeep(*text, in, o.options);
    if (o.format == "winbindex") m = ImportWinbindex(*text, in, o.options);
    if (!m.ok()) return Fail("import", m.status().message());
    for (const ManifestEntry& e : m->entries) {
      Status added = merged.Add(e.path, e.size, e.sha256, e.line, e.version, e.alternatives);
      if (!added.ok()) return Fail("import", added.message());
    }
  }
  Result<Manifest> m = merged.Finish(ManifestFormat::kNative, Digest{});
  if (!m.ok()) return Fail("import", m.status().message());
  Status h = ApplyHeader(*m, o.header, o.out);
  if (!h.ok()) return Fail("import", h.message(), kExitUsage);
  return Finish("import", *m, o.out);
}

int RunDiff(const std::string& a_path, const std::string& b_path) {
  Result<Manifest> a = LoadManifest(a_path);
  if (!a.ok()) return Fail("diff", a.status().message());
  Result<Manifest> b = LoadManifest(b_path);
  if (!b.ok()) return Fail("diff", b.status().message());
  ManifestDiff d = DiffManifests(*a, *b);
  for (const std::string& l : d.lines) std::cout << Printable(l) << '\n';
  std::cout << d.added << " added, " << d.removed << " removed, " << d.changed << " changed\n";
  return d.empty() ? 0 : 1;
}

}  // namespace

void AddManifestEditCommands(CLI::App& manifest, int& exit_code) {
  auto b = std::make_shared<BuildCmd>();
  CLI::App* build = manifest.add_subcommand("build", "Make a manifest from a healthy reference system");
  build->add_option("--from", b->from, "Root of a healthy Windows volume, extracted media, or an archive of either")
      ->required()
      ->option_text("DIR|ARCHIVE");
  build->add_option("-o,--output", b->out, "Manifest file to write (.lbm)")->required()->option_text("FILE");
  build->add_option("--include", b->include,
                    "Select files, repeatable (replaces the default system-file set: WINDOWS/**/*.exe, *.dll, *.sys, "
                    "*.drv, *.ocx, *.cpl, *.scr, *.mui, *.cat, *.nls, ...)")
      ->option_text("GLOB");
  build->add_option("--exclude", b->exclude,
                    "Leave files out, repeatable (added to the defaults: registry hives, logs, temp, prefetch, ...)")
      ->option_text("GLOB");
  AddHeaderOptions(build, b->header);
  build->footer(
      "Patterns are case-insensitive; '*' stays within a path component, '**' spans directories,\n"
      "and a pattern without '/' matches the file name anywhere.\n\n"
      "Example:\n"
      "  lifeboat manifest build --from /mnt/reference -o xp-sp3-x86.lbm \\\n"
      "      --os \"family=windows version=5.1 build=2600 sp=3 arch=x86\" --description \"XP SP3 x86 English\"");
  build->callback([b, &exit_code] { exit_code = RunBuild(*b); });

  auto i = std::make_shared<ImportCmd>();
  CLI::App* imp = manifest.add_subcommand("import", "Turn sha256sum, hashdeep, mtree or Winbindex data into a manifest");
  imp->add_option("--format", i->format, "sha256sum, hashdeep, mtree or winbindex")
      ->required()
      ->check(CLI::IsMember({"sha256sum", "hashdeep", "mtree", "winbindex"}));
  imp->add_option("inputs", i->inputs, "Input files (several are merged)")->required()->option_text("FILE...");
  imp->add_option("-o,--output", i->out, "Manifest file to write (.lbm)")->required()->option_text("FILE");
  imp->add_option("--strip-prefix", i->options.strip_prefix, "hashdeep: remove this prefix from absolute paths")
      ->option_text("PREFIX");
  imp->add_option("--windows-version", i->options.windows_version,
                  "winbindex: the Windows version key, e.g. 1909, 21H2, 11-24H2")
      ->option_text("KEY");
  imp->add_option("--arch", i->options.arch, "winbindex: x86, x64 or arm64")->option_text("ARCH");
  imp->add_option("--ubr", i->options.ubr, "winbindex: only updates with this UBR (N or N-M)")->option_text("UBR");
  imp->add_option("--path", i->options.path, "winbindex: where the file lives (default WINDOWS/System32/<name>)")
      ->option_text("PATH");
  AddHeaderOptions(imp, i->header);
  imp->footer(
      "Winbindex data is one JSON file per file name (svchost.exe.json[.gz]); every version of the\n"
      "file shipped for --windows-version and --arch is acceptable: the newest becomes the main hash,\n"
      "the others alt= entries.\n\n"
      "Examples:\n"
      "  lifeboat manifest import --format hashdeep ref.hashdeep -o ref.lbm --strip-prefix /mnt/ref/\n"
      "  lifeboat manifest import --format winbindex svchost.exe.json.gz --windows-version 22H2 --arch x64 \\\n"
      "      -o win10-22h2-x64.lbm --os \"version=10.0 build=19045 arch=x64\"");
  imp->callback([i, &exit_code] { exit_code = RunImport(*i); });

  auto d = std::make_shared<std::vector<std::string>>();
  CLI::App* diff = manifest.add_subcommand("diff", "Show what changed between two manifests");
  diff->add_option("manifests", *d, "Old and new manifest")->required()->expected(2)->option_text("OLD NEW");
  diff->footer(
      "Lines: '+' added, '-' removed, '~' changed (hash, size, version, alternatives, spelling).\n\n"
      "Example:\n  lifeboat manifest diff xp-sp3-x86-2026-01.lbm xp-sp3-x86-2026-11.lbm\n\n"
      "Exit: 0 identical, 1 different, 8 a manifest could not be read.");
  diff->callback([d, &exit_code] { exit_code = RunDiff((*d)[0], (*d)[1]); });
}

}  // namespace lifeboat::ui
