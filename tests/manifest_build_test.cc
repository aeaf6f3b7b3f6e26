// Tests for recovery/manifest_build.cc: BuildManifest over a directory and
// over an archive of the same tree, the default selection (system-file types
// under the Windows folder, whatever its case, minus volatile files), custom
// --include/--exclude, sorted entries with exact sizes and hashes, header
// fields, and the refusals (empty selection, unreadable source).
#include "recovery/manifest_build.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "recovery/glob.h"
#include "recovery/manifest_native.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::Sha256Hex;
using test::TempDir;
using test::WriteFile;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Every file of the reference tree: path -> content. Directory names mix
// cases the way real volumes do.
const std::map<std::string, std::string>& TreeFiles() {
  static const std::map<std::string, std::string> kFiles = [] {
    std::map<std::string, std::string> f;
    unsigned seed = 1;
    auto add = [&](const std::string& path, size_t size) { f[path] = test::RandomBytes(size, seed++); };
    // Taken by the default selection.
    add("Windows/explorer.exe", 3000);
    add("Windows/System32/ntdll.dll", 5000);
    add("Windows/System32/KERNEL32.DLL", 4100);
    add("Windows/System32/drivers/ntfs.sys", 2000);
    add("Windows/System32/en-US/ntdll.dll.mui", 300);
    add("Windows/System32/C_1252.NLS", 700);
    add("Windows/System32/catroot/{F750E6C3}/nt5.cat", 900);
    add("Windows/System32/desk.cpl", 100);
    add("Windows/System32/ssText3d.scr", 150);
    add("Windows/System32/stdole2.tlb", 60);
    add("Windows/System32/ksproxy.ax", 70);
    add("Windows/System32/imaadp32.acm", 80);
    add("Windows/System32/unimdm.tsp", 90);
    add("Windows/System32/comctl32.ocx", 95);
    add("Windows/System32/more.com", 40);
    add("Windows/Boot/EFI/bootmgfw.efi", 500);
    add("Windows/SysWOW64/wow64.dll", 1200);
    add("Windows/WinSxS/x86_microsoft.vc80_1.0/msvcr80.dll", 1300);
    add("Windows/fonts/vgaoem.drv", 20);  // lower-case folder
    add("Windows/System32/empty.dll", 0);
    // System-file types, but volatile places: left out.
    add("Windows/System32/config/systemprofile/cached.dll", 10);
    add("Windows/System32/CONFIG/RegBack/x.exe", 10);  // other case, same folder for Windows
    add("Windows/SysWOW64/config/y.dll", 10);
    add("Windows/Temp/setup.exe", 10);
    add("Windows/Prefetch/z.exe", 10);
    add("Windows/SoftwareDistribution/Download/upd.dll", 10);
    add("Windows/Logs/CBS/cbs.dll", 10);
    add("Windows/Minidump/dump.sys", 10);
    // Not system-file types.
    add("Windows/System32/config/SYSTEM", 50);
    add("Windows/System32/config/SYSTEM.LOG1", 50);
    add("Windows/inf/setupapi.dev.log", 30);
    add("Windows/win.ini", 30);
    add("Windows/Fonts/arial.ttf", 30);
    add("Windows/System32/drivers/etc/hosts", 30);
    add("Windows/System32/wdi/trace.etl", 30);
    add("Windows/System32/scratch.tmp", 30);
    // Outside the Windows folder.
    add("pagefile.sys", 40);
    add("hiberfil.sys", 40);
    add("Program Files/App/app.exe", 40);
    add("Users/me/Desktop/tool.exe", 40);
    add("Users/me/notes.txt", 40);
    add("lifeboat/backup/Windows/System32/old.dll", 40);
    return f;
  }();
  return kFiles;
}

const std::vector<std::string> kDefaultSelected = {
    "Windows/Boot/EFI/bootmgfw.efi",
    "Windows/SysWOW64/wow64.dll",
    "Windows/System32/C_1252.NLS",
    "Windows/System32/KERNEL32.DLL",
    "Windows/System32/catroot/{F750E6C3}/nt5.cat",
    "Windows/System32/comctl32.ocx",
    "Windows/System32/desk.cpl",
    "Windows/System32/drivers/ntfs.sys",
    "Windows/System32/empty.dll",
    "Windows/System32/en-US/ntdll.dll.mui",
    "Windows/System32/imaadp32.acm",
    "Windows/System32/ksproxy.ax",
    "Windows/System32/more.com",
    "Windows/System32/ntdll.dll",
    "Windows/System32/ssText3d.scr",
    "Windows/System32/stdole2.tlb",
    "Windows/System32/unimdm.tsp",
    "Windows/WinSxS/x86_microsoft.vc80_1.0/msvcr80.dll",
    "Windows/explorer.exe",
    "Windows/fonts/vgaoem.drv",
};

void MakeTree(const std::string& root) {
  for (const auto& [path, content] : TreeFiles()) WriteFile(root + "/" + path, content);
}

class RecordingProgress : public ProgressSink {
 public:
  void Begin(Phase phase, uint64_t, uint64_t) override { events.push_back(std::string("begin ") + PhaseName(phase)); }
  void Advance(uint64_t f, uint64_t) override { files += f; }
  void End(Phase phase) override { events.push_back(std::string("end ") + PhaseName(phase)); }
  std::vector<std::string> events;
  uint64_t files = 0;
};

Result<Manifest> Build(const std::string& from, const BuildOptions& options = {}) {
  Result<std::unique_ptr<Source>> src = OpenSource(from);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  CancelToken cancel;
  return BuildManifest(**src, options, NullProgress(), cancel);
}

Manifest BuildOk(const std::string& from, const BuildOptions& options = {}) {
  Result<Manifest> m = Build(from, options);
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  return std::move(m).value();
}

std::vector<std::string> Paths(const Manifest& m) {
  std::vector<std::string> out;
  for (const ManifestEntry& e : m.entries) out.push_back(e.path);
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Every entry has the size and SHA-256 of the tree file at its path.
void CheckContent(const Manifest& m) {
  for (const ManifestEntry& e : m.entries) {
    INFO(e.path);
    auto it = TreeFiles().find(e.path);
    REQUIRE(it != TreeFiles().end());
    CHECK(e.size == it->second.size());
    CHECK(ToHex(e.sha256) == Sha256Hex(it->second));
    CHECK(e.version.empty());
    CHECK(e.alternatives.empty());
  }
}

bool HaveTar() { return std::system("command -v tar >/dev/null 2>&1") == 0; }

// ---------------------------------------------------------------- selection

TEST_CASE("build: the default patterns are what a system-file manifest needs") {
  const std::vector<std::string>& inc = DefaultIncludes();
  CHECK(std::find(inc.begin(), inc.end(), "WINDOWS/**/*.dll") != inc.end());
  CHECK(std::find(inc.begin(), inc.end(), "WINDOWS/**/*.sys") != inc.end());
  CHECK(std::find(inc.begin(), inc.end(), "WINDOWS/**/*.exe") != inc.end());
  const std::vector<std::string>& exc = DefaultExcludes();
  CHECK(std::find(exc.begin(), exc.end(), "WINDOWS/System32/config/**") != exc.end());
  CHECK(std::find(exc.begin(), exc.end(), "lifeboat/**") != exc.end());
  CHECK(std::find(exc.begin(), exc.end(), "**/*.log") != exc.end());
  // Each include names the Windows folder; nothing outside it is a default.
  for (const std::string& g : inc) CHECK(g.rfind("WINDOWS/**/*.", 0) == 0);
}

TEST_CASE("build: default selection from a directory, sorted by path, with exact sizes and hashes") {
  TempDir root;
  MakeTree(root.path());
  BuildOptions o;
  o.title = "ref-x64";
  o.description = "reference machine";
  o.created = "2026-01-02T03:04:05Z";
  Result<OsSpec> os = ParseOsSpec("family=windows version=10.0 build=19041-19045 arch=x64", true);
  REQUIRE(os.ok());
  o.os = {*os};
  Manifest m = BuildOk(root.path(), o);
  CHECK(Paths(m) == kDefaultSelected);
  CHECK(std::is_sorted(m.entries.begin(), m.entries.end(),
                       [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; }));
  CheckContent(m);
  CHECK(m.forbid.empty());
  CHECK(m.format == ManifestFormat::kNative);
  CHECK(m.title == "ref-x64");
  CHECK(m.description == "reference machine");
  CHECK(m.created == "2026-01-02T03:04:05Z");
  REQUIRE(m.applies_to.size() == 1);
  CHECK(FormatOsSpec(m.applies_to[0]) == "family=windows version=10.0 build=19041-19045 arch=x64");
  CHECK(m.warnings.empty());
}

TEST_CASE("build: the written manifest parses back to the same entries") {
  TempDir root;
  MakeTree(root.path());
  BuildOptions o;
  o.title = "round-trip";
  Manifest m = BuildOk(root.path(), o);
  std::string text = FormatNative(m);
  Result<Manifest> back = ParseManifest(text, "built.lbm");
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CHECK(back->title == "round-trip");
  CHECK(Paths(*back) == Paths(m));
  for (size_t i = 0; i < m.entries.size(); ++i) {
    CHECK(back->entries[i].sha256 == m.entries[i].sha256);
    CHECK(back->entries[i].size == m.entries[i].size);
  }
}

TEST_CASE("build: custom includes replace the defaults; default excludes still apply") {
  TempDir root;
  MakeTree(root.path());
  BuildOptions o;
  o.include = {"*"};  // every file, by base name
  Manifest m = BuildOk(root.path(), o);
  std::vector<std::string> got = Paths(m);
  std::set<std::string> set(got.begin(), got.end());
  CheckContent(m);
  // Taken now: other types, and files outside the Windows folder.
  for (const char* p : {"Windows/win.ini", "Windows/Fonts/arial.ttf", "Windows/System32/drivers/etc/hosts",
                        "Program Files/App/app.exe", "Users/me/notes.txt"})
    CHECK_MESSAGE(set.count(p) == 1, std::string(p));
  // Still left out: volatile files and places, page files, lifeboat's folder.
  for (const char* p :
       {"Windows/inf/setupapi.dev.log", "Windows/System32/wdi/trace.etl", "Windows/System32/scratch.tmp",
        "Windows/System32/config/systemprofile/cached.dll", "Windows/System32/CONFIG/RegBack/x.exe",
        "Windows/SysWOW64/config/y.dll", "Windows/Temp/setup.exe", "Windows/Prefetch/z.exe",
        "Windows/SoftwareDistribution/Download/upd.dll", "Windows/Logs/CBS/cbs.dll", "Windows/Minidump/dump.sys",
        "pagefile.sys", "hiberfil.sys", "lifeboat/backup/Windows/System32/old.dll"})
    CHECK_MESSAGE(set.count(p) == 0, std::string(p));
  // Hives are left out by the config folder exclude (SYSTEM.LOG1 is not even *.log).
  CHECK(set.count("Windows/System32/config/SYSTEM") == 0);
  CHECK(set.count("Windows/System32/config/SYSTEM.LOG1") == 0);
  for (const auto& [path, content] : TreeFiles()) {
    bool excluded = std::any_of(DefaultExcludes().begin(), DefaultExcludes().end(),
                                [&](const std::string& g) { return PathGlobMatch(g, path); });
    CHECK_MESSAGE(set.count(path) == (excluded ? 0u : 1u), path);
  }
}

TEST_CASE("build: a narrow include and an extra exclude") {
  TempDir root;
  MakeTree(root.path());
  BuildOptions o;
  o.include = {"WINDOWS/System32/**/*.SYS", "windows/explorer.exe"};
  Manifest a = BuildOk(root.path(), o);
  CHECK(Paths(a) == std::vector<std::string>{"Windows/System32/drivers/ntfs.sys", "Windows/explorer.exe"});

  BuildOptions e;
  e.exclude = {"Windows/System32/**", "*.efi"};
  Manifest b = BuildOk(root.path(), e);
  std::vector<std::string> want;
  for (const std::string& p : kDefaultSelected)
    if (p.rfind("Windows/System32/", 0) != 0 && p.find(".efi") == std::string::npos) want.push_back(p);
  CHECK(Paths(b) == want);
  CHECK(want.size() == 4);
}

TEST_CASE("build: an upper-case WINDOWS folder is selected the same way") {
  TempDir root;
  WriteFile(root / "WINDOWS/SYSTEM32/HAL.DLL", "hal");
  WriteFile(root / "WINDOWS/SYSTEM32/CONFIG/SAM.DLL", "sam");
  WriteFile(root / "winnt/system32/other.dll", "not the Windows folder");
  Manifest m = BuildOk(root.path());
  REQUIRE(m.entries.size() == 1);
  CHECK(m.entries[0].path == "WINDOWS/SYSTEM32/HAL.DLL");
  CHECK(m.entries[0].size == 3);
  CHECK(ToHex(m.entries[0].sha256) == Sha256Hex("hal"));
}

TEST_CASE("build: symlinks in a directory source are not followed") {
  TempDir root, outside;
  WriteFile(root / "Windows/System32/real.dll", "real");
  WriteFile(outside / "secret.dll", "outside the reference");
  REQUIRE(::symlink((outside / "secret.dll").c_str(), (root / "Windows/System32/link.dll").c_str()) == 0);
  REQUIRE(::symlink(outside.path().c_str(), (root / "Windows/linkdir").c_str()) == 0);
  Manifest m = BuildOk(root.path());
  CHECK(Paths(m) == std::vector<std::string>{"Windows/System32/real.dll"});
}

TEST_CASE("build: progress reports the scan phase and one advance per hashed file") {
  TempDir root;
  MakeTree(root.path());
  Result<std::unique_ptr<Source>> src = OpenSource(root.path());
  REQUIRE(src.ok());
  RecordingProgress progress;
  CancelToken cancel;
  Result<Manifest> m = BuildManifest(**src, {}, progress, cancel);
  REQUIRE(m.ok());
  CHECK(progress.events == std::vector<std::string>{std::string("begin ") + PhaseName(Phase::kScan),
                                                    std::string("end ") + PhaseName(Phase::kScan)});
  CHECK(progress.files == kDefaultSelected.size());
}

// ---------------------------------------------------------------- archives

TEST_CASE("build: a .tar.gz of the tree gives the same manifest as the directory") {
  if (!HaveTar()) {
    MESSAGE("tar not installed: archive build test skipped");
    return;
  }
  TempDir root, work;
  MakeTree(root.path());
  std::string archive = work / "reference.tar.gz";
  std::string cmd = "tar -C '" + root.path() + "' -czf '" + archive + "' . 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  Manifest dir = BuildOk(root.path());
  Manifest arc = BuildOk(archive);
  CHECK(Paths(arc) == kDefaultSelected);
  CHECK(Paths(arc) == Paths(dir));
  CheckContent(arc);
  CHECK(arc.name == archive);

  // Member names without "./" (tar given the folder names) work the same.
  std::string archive2 = work / "named.tar.gz";
  cmd = "tar -C '" + root.path() + "' -czf '" + archive2 + "' Windows 'Program Files' lifeboat pagefile.sys 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(Paths(BuildOk(archive2)) == kDefaultSelected);
}

TEST_CASE("build: hard-linked files (System32 <-> WinSxS) are all in the manifest, from a directory or a tar") {
  if (!HaveTar()) return;
  TempDir root, work;
  WriteFile(root / "Windows/WinSxS/amd64_ntdll_10.0/ntdll.dll", "ntdll content");
  WriteFile(root / "Windows/System32/kernel32.dll", "kernel32 content");
  REQUIRE(::link((root / "Windows/WinSxS/amd64_ntdll_10.0/ntdll.dll").c_str(),
                 (root / "Windows/System32/ntdll.dll").c_str()) == 0);
  const std::vector<std::string> want = {"Windows/System32/kernel32.dll", "Windows/System32/ntdll.dll",
                                         "Windows/WinSxS/amd64_ntdll_10.0/ntdll.dll"};
  Manifest dir = BuildOk(root.path());
  CHECK(Paths(dir) == want);
  std::string archive = work / "linked.tar.gz";
  std::string cmd = "tar -C '" + root.path() + "' --sort=name -czf '" + archive + "' Windows 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  // tar stores the second name of a hard link as a link member without data;
  // the manifest must still list it (it is a system file like the first).
  Manifest arc = BuildOk(archive);
  INFO("from the archive: " << Join(Paths(arc)));
  CHECK(Paths(arc) == want);
}

TEST_CASE("build: a truncated archive is an error, not a silently shorter manifest") {
  if (!HaveTar()) return;
  TempDir root, work;
  for (int i = 0; i < 40; ++i)
    WriteFile(root / ("Windows/System32/f" + std::to_string(100 + i) + ".dll"), test::RandomBytes(20000, 100 + i));
  std::string archive = work / "t.tar.gz";
  std::string cmd = "tar -C '" + root.path() + "' -czf '" + archive + "' Windows 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(BuildOk(archive).entries.size() == 40);
  std::string bytes = test::ReadFile(archive);
  WriteFile(work / "cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  Result<Manifest> m = Build(work / "cut.tar.gz");
  CHECK_FALSE(m.ok());
  if (m.ok()) MESSAGE("entries from the cut archive: " << m->entries.size());
}

// ---------------------------------------------------------------- refusals

TEST_CASE("build: an empty selection is an error") {
  TempDir root;
  WriteFile(root / "Users/me/notes.txt", "x");
  WriteFile(root / "Windows/win.ini", "x");
  WriteFile(root / "Windows/System32/config/SYSTEM.dll", "x");  // excluded
  Result<Manifest> m = Build(root.path());
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kNotFound);
  CHECK(Contains(m.status().message(), root.path()));
  CHECK(Contains(m.status().message(), "selection"));

  TempDir full;
  MakeTree(full.path());
  BuildOptions o;
  o.include = {"*.nothing"};
  CHECK_FALSE(Build(full.path(), o).ok());
  BuildOptions all_out;
  all_out.exclude = {"**"};
  CHECK_FALSE(Build(full.path(), all_out).ok());

  TempDir empty;
  CHECK_FALSE(Build(empty.path()).ok());
}

TEST_CASE("build: a cancelled build stops with kCancelled") {
  TempDir root;
  MakeTree(root.path());
  Result<std::unique_ptr<Source>> src = OpenSource(root.path());
  REQUIRE(src.ok());
  CancelToken cancel;
  cancel.Cancel();
  Result<Manifest> m = BuildManifest(**src, {}, NullProgress(), cancel);
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kCancelled);
}

TEST_CASE("build: two names differing only in case with the same content become one entry, with a warning") {
  TempDir root;
  WriteFile(root / "Windows/System32/a.dll", "same");
  WriteFile(root / "Windows/System32/A.DLL", "same");
  Manifest m = BuildOk(root.path());
  REQUIRE(m.entries.size() == 1);
  CHECK(m.entries[0].path == "Windows/System32/A.DLL");  // first in byte order
  REQUIRE(m.warnings.size() == 1);
  CHECK(Contains(m.warnings[0], "a.dll"));

  WriteFile(root / "Windows/System32/a.dll", "different");
  Result<Manifest> conflict = Build(root.path());
  REQUIRE_FALSE(conflict.ok());
  CHECK(Contains(conflict.status().message(), "a.dll"));
}

}  // namespace
}  // namespace lifeboat
