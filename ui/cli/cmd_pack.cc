// `lifeboat pack build|list|verify`: payload packs for boot media, holding
// exactly the files a manifest needs, deduplicated by SHA-256 (recovery/pack.h).
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>

#include "recovery/manifest.h"
#include "recovery/pack.h"
#include "recovery/source.h"
#include "ui/cli/cli_common.h"
#include "ui/cli/commands.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

constexpr size_t kListCap = 20;  // uncovered entries / damaged objects listed in full

int Fail(const std::string& what, const std::string& msg, int code = kExitOperational) {
  std::cerr << "lifeboat pack " << what << ": error: " << Printable(msg) << '\n';
  return code;
}

struct BuildCmd {
  std::string manifest, format = "auto", out;
  std::vector<std::string> from;
  bool force = false, quiet = false;
  int level = 6;
};

int RunBuild(const BuildCmd& o) {
  Result<ManifestFormat> format = ParseFormatName(o.format);
  if (!format.ok()) return Fail("build", format.status().message(), kExitUsage);
  Result<Manifest> m = LoadManifest(o.manifest, *format);
  if (!m.ok()) return Fail("build", m.status().message());
  std::vector<std::unique_ptr<Source>> sources;
  for (const std::string& path : o.from) {
    Result<std::unique_ptr<Source>> s = OpenSource(path);
    if (!s.ok()) return Fail("build", s.status().message());
    sources.push_back(std::move(s).value());
  }
  PackBuildOptions options;
  options.force = o.force;
  options.level = o.level;
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");  // reproducible packs
  options.mtime = sde ? std::strtoull(sde, nullptr, 10) : static_cast<uint64_t>(std::time(nullptr));
  OutputOptions out;
  out.quiet = o.quiet;
  std::unique_ptr<ProgressSink> progress = MakeProgress(out);
  const CancelToken& cancel = InstallSignalHandlers();
  Result<PackBuildResult> r = BuildPack(*m, sources, o.out, options, *progress, cancel);
  progress.reset();
  if (!r.ok()) {
    if (r.status().code() == Status::Code::kCancelled) return Fail("build", "cancelled; nothing written", kExitCancelled);
    return Fail("build", r.status().message(), r.status().code() == Status::Code::kExists ? kExitUsage : kExitOperational);
  }
  for (const std::string& w : r->warnings) std::cerr << "warning: " << Printable(w) << '\n';
  if (o.quiet) return r->uncovered.empty() ? kExitHealthy : kExitProblemsLeft;
  std::cout << "wrote " << Printable(o.out) << ": pack holds " << r->covered << " of " << r->entries
            << " manifest entries (" << r->objects << " unique objects, " << HumanBytes(double(r->content_bytes))
            << " -> " << HumanBytes(double(r->stored_bytes)) << " stored)\n";
  if (!r->uncovered.empty()) {
    std::cout << "no verified copy in the sources for " << r->uncovered.size() << " entries:\n";
    for (size_t i = 0; i < r->uncovered.size() && i < kListCap; ++i)
      std::cout << "  " << Printable(r->uncovered[i]) << '\n';
    if (r->uncovered.size() > kListCap) std::cout << "  ... and " << r->uncovered.size() - kListCap << " more\n";
  }
  return r->uncovered.empty() ? kExitHealthy : kExitProblemsLeft;
}

struct PackFile {
  std::unique_ptr<RandomAccessFile> file;
  PackIndex index;
};

Result<PackFile> OpenPack(const std::string& path) {
  Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(path);
  if (!f.ok()) return f.status();
  Result<PackIndex> index = ReadPackIndex(**f, path);
  if (!index.ok()) return index.status();
  return PackFile{std::move(f).value(), std::move(index).value()};
}

int RunList(const std::string& path, bool json) {
  Result<PackFile> p = OpenPack(path);
  if (!p.ok()) return Fail("list", p.status().message());
  const PackIndex& idx = p->index;
  if (json) {  // the index as stored: it is the format's own JSON, validated on reading
    std::cout << idx.json;
    if (!idx.json.empty() && idx.json.back() != '\n') std::cout << '\n';
    return 0;
  }
  uint64_t size = 0, stored = 0;
  size_t paths = 0;
  std::cout << "pack " << Printable(path) << " for manifest \"" << Printable(idx.manifest) << "\"\n";
  for (const PackObject& o : idx.objects) {
    std::cout << ToHex(o.sha256).substr(0, 16) << "  " << std::setw(10) << HumanBytes(double(o.size)) << "  "
              << (o.deflated ? "deflate" : "stored ") << "  ";
    for (size_t i = 0; i < o.paths.size(); ++i) std::cout << (i ? ", " : "") << Printable(o.paths[i]);
    std::cout << '\n';
    size += o.size;
    stored += o.stored_size;
    paths += o.paths.size();
  }
  std::cout << idx.objects.size() << " objects serving " << paths << " paths, " << HumanBytes(double(size)) << " -> "
            << HumanBytes(double(stored)) << " stored\n";
  return 0;
}

int RunVerify(const std::string& path, bool quiet) {
  Result<PackFile> p = OpenPack(path);
  if (!p.ok()) return Fail("verify", p.status().message());
  OutputOptions out;
  out.quiet = quiet;
  std::unique_ptr<ProgressSink> progress = MakeProgress(out);
  const CancelToken& cancel = InstallSignalHandlers();
  uint64_t total = 0;
  for (const PackObject& o : p->index.objects) total += o.size;
  progress->Begin(Phase::kScan, p->index.objects.size(), total);
  std::vector<std::string> damaged;
  for (size_t i = 0; i < p->index.objects.size(); ++i) {
    Status s = VerifyPackObject(*p->file, p->index, i, *progress, cancel);
    if (s.code() == Status::Code::kCancelled || cancel.cancelled()) return kExitCancelled;
    progress->Advance(1, 0);
    if (!s.ok()) {
      const PackObject& o = p->index.objects[i];
      damaged.push_back(s.message() + (o.paths.empty() ? "" : " [" + o.paths.front() + "]"));
    }
  }
  progress->End(Phase::kScan);
  progress.reset();
  for (const std::string& d : damaged) std::cout << "DAMAGED  " << Printable(d) << '\n';
  if (!quiet)
    std::cout << Printable(path) << ": " << p->index.objects.size() - damaged.size() << " of "
              << p->index.objects.size() << " objects verified"
              << (damaged.empty() ? "" : ", " + std::to_string(damaged.size()) + " damaged") << '\n';
  return damaged.empty() ? kExitHealthy : kExitProblemsLeft;
}

}  // namespace

void AddPackCommand(CLI::App& app, int& exit_code) {
  CLI::App* pack = app.add_subcommand("pack", "Build, list and verify payload packs for boot media");
  pack->require_subcommand(1);
  pack->footer(
      "A payload pack (.lbpack) holds exactly the files a manifest needs, one object per distinct\n"
      "SHA-256, compressed, with an index. It is a plain tar file (`tar tf` lists it) and a restore\n"
      "source like any other: lifeboat fix ... --source payload.lbpack.\n"
      "Run `lifeboat pack <command> --help` for each command's options and an example.");

  auto b = std::make_shared<BuildCmd>();
  CLI::App* build = pack->add_subcommand("build", "Make a pack of the files a manifest needs");
  build->add_option("-m,--manifest", b->manifest, "The manifest the pack serves (lifeboat, sha256sum or mtree)")
      ->required()
      ->option_text("FILE");
  build->add_option("--manifest-format", b->format, "auto, lifeboat, sha256sum or mtree (default auto)")
      ->option_text("FORMAT");
  build->add_option("--from", b->from,
                    "Where the good copies are: a directory or any source fix reads (archive, pack); repeatable, "
                    "searched in order")
      ->required()
      ->option_text("DIR|ARCHIVE");
  build->add_option("-o,--output", b->out, "The pack to write (.lbpack)")->required()->option_text("FILE");
  build->add_flag("--force", b->force, "Replace the output file if it exists");
  build->add_option("--level", b->level, "zlib compression level 1-9 (default 6)")->check(CLI::Range(1, 9));
  build->add_flag("-q,--quiet", b->quiet, "No summary, no progress");
  build->footer(
      "Copies are chosen by content, as fix does: only files whose size matches a manifest entry are\n"
      "hashed, and a copy is packed only if its SHA-256 is the manifest's (checked again while it is\n"
      "packed). Each distinct content is stored once. The pack is written to a temp file next to the\n"
      "output, fsynced and renamed: a half-written pack never carries the final name. A signed\n"
      "manifest is not needed to build a pack; fix checks the manifest it repairs with.\n\n"
      "Example:\n"
      "  lifeboat pack build -m xp-sp3-x86.lbm --from /mnt/reference -o /media/usb/payload.lbpack\n\n"
      "Exit: 0 every manifest entry is in the pack, 4 some are not (the pack is still written,\n"
      "they are listed), 8 operational error, 16 usage error (or the output exists without --force).");
  build->callback([b, &exit_code] { exit_code = RunBuild(*b); });

  auto list_path = std::make_shared<std::string>();
  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = pack->add_subcommand("list", "Show a pack's objects, sizes and the paths they serve");
  list->add_option("pack", *list_path, "The pack")->required()->option_text("PACK");
  list->add_flag("--json", *list_json, "The index as stored in the pack (lifeboat.pack/1 JSON) on stdout");
  list->footer(
      "Reads only the index.\n\nExample:\n  lifeboat pack list /media/usb/payload.lbpack --json\n\n"
      "Exit: 0 listed, 8 not a readable pack.");
  list->callback([list_path, list_json, &exit_code] { exit_code = RunList(*list_path, *list_json); });

  auto verify_path = std::make_shared<std::string>();
  auto verify_quiet = std::make_shared<bool>(false);
  CLI::App* verify = pack->add_subcommand("verify", "Re-hash every object of a pack against its address");
  verify->add_option("pack", *verify_path, "The pack")->required()->option_text("PACK");
  verify->add_flag("-q,--quiet", *verify_quiet, "List only damaged objects");
  verify->footer(
      "Decodes every object and checks that its SHA-256 is the one it is stored under. fix never\n"
      "uses a damaged object (it would not match the manifest), but a technician wants to know\n"
      "before relying on the stick.\n\n"
      "Example:\n  lifeboat pack verify /media/usb/payload.lbpack\n\n"
      "Exit: 0 every object is intact, 4 some are damaged (listed), 8 not a readable pack.");
  verify->callback([verify_path, verify_quiet, &exit_code] { exit_code = RunVerify(*verify_path, *verify_quiet); });
}

}  // namespace lifeboat::ui
