// Tests for recovery/path_resolver.cc on real temp trees: case-insensitive
// lookup, on-disk spelling, missing parts, and every "blocked" outcome.
#include "recovery/path_resolver.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "recovery/filesystem_posix.h"
#include "tests/forwarding_fs.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

using test::OpenFs;

// Counts directory listings, to prove each directory is read once, and can
// fail the listing of one directory.
class CountingFs final : public test::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;
  int lists = 0;
  std::string fail_list = "\n";  // a directory whose listing fails (none by default)
  Result<std::vector<DirEntry>> ListDir(std::string_view d) override {
    ++lists;
    if (d == fail_list) return Status::Error(Status::Code::kIoError, "list " + std::string(d) + ": Input/output error", EIO);
    return base_.ListDir(d);
  }
};

TEST_CASE("found: any case in the manifest, on-disk spelling in the result") {
  TempDir t;
  WriteFile(t / "windows/System32/svchost.exe", "x");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution res = r.Resolve("WINDOWS/system32/SVCHOST.EXE");
  CHECK(res.kind == Resolution::Kind::kFound);
  CHECK(res.disk_path == "windows/System32/svchost.exe");
  CHECK(res.existing_parts == 3);
}

TEST_CASE("missing: existing directories keep their case, the rest the manifest's") {
  TempDir t;
  WriteFile(t / "windows/keep.txt", "x");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution res = r.Resolve("WINDOWS/System32/Drivers/tcpip.sys");
  CHECK(res.kind == Resolution::Kind::kMissing);
  CHECK(res.disk_path == "windows/System32/Drivers/tcpip.sys");
  CHECK(res.existing_parts == 1);
  Resolution top = r.Resolve("boot.ini");
  CHECK(top.kind == Resolution::Kind::kMissing);
  CHECK(top.existing_parts == 0);
}

TEST_CASE("each directory is listed once however many entries it holds") {
  TempDir t;
  for (int i = 0; i < 50; ++i) WriteFile(t / ("WINDOWS/system32/f" + std::to_string(i) + ".dll"), "x");
  auto base = OpenFs(t.path());
  CountingFs fs(*base);
  PathResolver r(fs);
  for (int i = 0; i < 60; ++i) r.Resolve("windows/SYSTEM32/F" + std::to_string(i) + ".DLL");
  CHECK(fs.lists == 3);  // root, WINDOWS, system32
}

TEST_CASE("two names that differ only by case are not guessed") {
  TempDir t;
  WriteFile(t / "WINDOWS/system32/a.dll", "1");
  WriteFile(t / "WINDOWS/System32/a.dll", "2");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution res = r.Resolve("WINDOWS/system32/a.dll");
  CHECK(res.kind == Resolution::Kind::kBlocked);
  CHECK(res.message.find("differ only by case") != std::string::npos);
}

TEST_CASE("symlinks are never followed, as directory or as file") {
  TempDir t, outside;
  WriteFile(outside / "victim.dll", "precious");
  WriteFile(t / "WINDOWS/x", "x");
  REQUIRE(::symlink(outside.path().c_str(), (t / "WINDOWS/system32").c_str()) == 0);
  REQUIRE(::symlink((outside.path() + "/victim.dll").c_str(), (t / "WINDOWS/link.dll").c_str()) == 0);
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution dir = r.Resolve("WINDOWS/System32/victim.dll");
  CHECK(dir.kind == Resolution::Kind::kBlocked);
  CHECK(dir.message.find("symbolic link") != std::string::npos);
  Resolution file = r.Resolve("windows/LINK.DLL");
  CHECK(file.kind == Resolution::Kind::kBlocked);
}

TEST_CASE("a file where a directory should be, and a directory where a file should be") {
  TempDir t;
  WriteFile(t / "WINDOWS/system32", "I am a file");
  WriteFile(t / "WINDOWS/explorer.exe/inner", "explorer.exe is a directory");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution a = r.Resolve("WINDOWS/system32/svchost.exe");
  CHECK(a.kind == Resolution::Kind::kBlocked);
  CHECK(a.message.find("not a directory") != std::string::npos);
  Resolution b = r.Resolve("WINDOWS/explorer.exe");
  CHECK(b.kind == Resolution::Kind::kBlocked);
  CHECK(b.message.find("a directory") != std::string::npos);
}

TEST_CASE("non-ASCII names match case-insensitively and keep their on-disk spelling") {
  TempDir t;
  // "Système32/ДРАЙВЕРЫ/Ωμέγα.sys" on disk.
  WriteFile(t / "Syst\xC3\xA8me32/\xD0\x94\xD0\xA0\xD0\x90\xD0\x99\xD0\x92\xD0\x95\xD0\xA0\xD0\xAB/\xCE\xA9\xCE\xBC.sys", "x");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution res = r.Resolve("SYST\xC3\x88ME32/\xD0\xB4\xD1\x80\xD0\xB0\xD0\xB9\xD0\xB2\xD0\xB5\xD1\x80\xD1\x8B/\xCF\x89\xCE\x9C.SYS");
  CHECK(res.kind == Resolution::Kind::kFound);
  CHECK(res.disk_path == "Syst\xC3\xA8me32/\xD0\x94\xD0\xA0\xD0\x90\xD0\x99\xD0\x92\xD0\x95\xD0\xA0\xD0\xAB/\xCE\xA9\xCE\xBC.sys");
  CHECK(res.existing_parts == 3);
  CHECK(res.message.empty());
}

TEST_CASE("missing file in existing directories: their case, then the manifest's") {
  TempDir t;
  WriteFile(t / "Windows/SYSTEM32/other.dll", "x");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  Resolution res = r.Resolve("WINDOWS/system32/New.Dll");
  CHECK(res.kind == Resolution::Kind::kMissing);
  CHECK(res.disk_path == "Windows/SYSTEM32/New.Dll");
  CHECK(res.existing_parts == 2);
  Resolution deep = r.Resolve("windows/System32/Drivers/Etc/hosts");
  CHECK(deep.kind == Resolution::Kind::kMissing);
  CHECK(deep.disk_path == "Windows/SYSTEM32/Drivers/Etc/hosts");
  CHECK(deep.existing_parts == 2);
  Resolution top = r.Resolve("Program Files/x.exe");
  CHECK(top.kind == Resolution::Kind::kMissing);
  CHECK(top.disk_path == "Program Files/x.exe");
  CHECK(top.existing_parts == 0);
}

TEST_CASE("case twins: blocked with both names, only on paths that go through them") {
  TempDir t;
  WriteFile(t / "WINDOWS/system32/KERNEL32.DLL", "1");
  WriteFile(t / "WINDOWS/system32/kernel32.dll", "2");
  WriteFile(t / "WINDOWS/system32/hal.dll", "3");
  WriteFile(t / "Boot/x", "4");
  WriteFile(t / "BOOT/y", "5");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);

  Resolution file = r.Resolve("windows/SYSTEM32/Kernel32.dll");
  CHECK(file.kind == Resolution::Kind::kBlocked);
  CHECK(file.message.find("'KERNEL32.DLL'") != std::string::npos);
  CHECK(file.message.find("'kernel32.dll'") != std::string::npos);
  CHECK(file.message.find("in 'WINDOWS/system32'") != std::string::npos);
  CHECK(file.message.find("will not guess") != std::string::npos);
  CHECK(file.disk_path.rfind("WINDOWS/system32/", 0) == 0);

  Resolution dir = r.Resolve("boot/x");
  CHECK(dir.kind == Resolution::Kind::kBlocked);
  CHECK(dir.message.find("in '/'") != std::string::npos);  // the root, named

  // Neighbours of the twins resolve normally, and nothing was touched.
  Resolution hal = r.Resolve("WINDOWS/SYSTEM32/HAL.DLL");
  CHECK(hal.kind == Resolution::Kind::kFound);
  CHECK(hal.disk_path == "WINDOWS/system32/hal.dll");
  CHECK(test::ReadFile(t / "WINDOWS/system32/KERNEL32.DLL") == "1");
  CHECK(test::ReadFile(t / "WINDOWS/system32/kernel32.dll") == "2");
}

TEST_CASE("a symlinked directory pointing outside blocks, whatever lies beyond it") {
  TempDir t, outside;
  WriteFile(outside / "config/SAM", "secret");
  WriteFile(t / "WINDOWS/system32/a.dll", "x");
  REQUIRE(::symlink(outside.path().c_str(), (t / "WINDOWS/System32x").c_str()) == 0);
  REQUIRE(::symlink((outside.path() + "/nowhere").c_str(), (t / "WINDOWS/dangling.dll").c_str()) == 0);
  auto before = test::TreeState(outside.path(), "");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  for (const char* p : {"windows/SYSTEM32X/config/SAM", "WINDOWS/system32x/missing/deeper.dll", "WINDOWS/System32x"}) {
    CAPTURE(p);
    Resolution res = r.Resolve(p);
    CHECK(res.kind == Resolution::Kind::kBlocked);
    CHECK(res.disk_path == "WINDOWS/System32x");
    CHECK(res.message.find("'WINDOWS/System32x' is a symbolic link") != std::string::npos);
  }
  Resolution dangling = r.Resolve("WINDOWS/DANGLING.DLL");
  CHECK(dangling.kind == Resolution::Kind::kBlocked);  // not "missing": a restore would write through it
  CHECK(dangling.disk_path == "WINDOWS/dangling.dll");
  CHECK(test::TreeState(outside.path(), "") == before);
  CHECK(r.Resolve("WINDOWS/system32/A.DLL").kind == Resolution::Kind::kFound);
}

TEST_CASE("wrong types along the path: file for a directory, directory or FIFO for a file") {
  TempDir t;
  WriteFile(t / "WINDOWS/System32", "a file named like a directory");
  WriteFile(t / "WINDOWS/Fonts/arial.ttf/x", "a directory named like a file");
  REQUIRE(::mkfifo((t / "WINDOWS/pipe.dll").c_str(), 0644) == 0);
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);

  Resolution a = r.Resolve("windows/system32/drivers/x.sys");
  CHECK(a.kind == Resolution::Kind::kBlocked);
  CHECK(a.disk_path == "WINDOWS/System32");
  CHECK(a.message == "'WINDOWS/System32' is not a directory, but the manifest expects one there");

  Resolution b = r.Resolve("WINDOWS/FONTS/ARIAL.TTF");
  CHECK(b.kind == Resolution::Kind::kBlocked);
  CHECK(b.disk_path == "WINDOWS/Fonts/arial.ttf");
  CHECK(b.message.find("is a directory where the manifest expects a file") != std::string::npos);

  Resolution c = r.Resolve("WINDOWS/PIPE.DLL");
  CHECK(c.kind == Resolution::Kind::kBlocked);
  CHECK(c.message.find("not a regular file") != std::string::npos);

  // Nothing was changed to make the path fit.
  CHECK(test::ReadFile(t / "WINDOWS/System32") == "a file named like a directory");
  CHECK(test::Exists(t / "WINDOWS/Fonts/arial.ttf/x"));
}

TEST_CASE("an unreadable directory blocks, with the reason") {
  TempDir t;
  WriteFile(t / "WINDOWS/system32/a.dll", "x");
  auto base = OpenFs(t.path());
  CountingFs fs(*base);
  fs.fail_list = "WINDOWS/system32";
  PathResolver r(fs);
  Resolution res = r.Resolve("windows/System32/A.dll");
  CHECK(res.kind == Resolution::Kind::kBlocked);
  CHECK(res.disk_path == "WINDOWS/system32/A.dll");
  CHECK(res.message == "cannot read directory: list WINDOWS/system32: Input/output error");
  // The failure is cached like a listing: no second attempt per entry.
  int lists = fs.lists;
  CHECK(r.Resolve("windows/System32/b.dll").kind == Resolution::Kind::kBlocked);
  CHECK(fs.lists == lists);
}

TEST_CASE("listings are cached per resolver; a new resolver sees new files") {
  TempDir t;
  WriteFile(t / "WINDOWS/a.dll", "x");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  CHECK(r.Resolve("WINDOWS/b.dll").kind == Resolution::Kind::kMissing);
  WriteFile(t / "WINDOWS/B.DLL", "y");
  CHECK(r.Resolve("WINDOWS/b.dll").kind == Resolution::Kind::kMissing);
  PathResolver fresh(*fs);
  Resolution res = fresh.Resolve("windows/b.dll");
  CHECK(res.kind == Resolution::Kind::kFound);
  CHECK(res.disk_path == "WINDOWS/B.DLL");
}


TEST_CASE("consecutive entries of one directory: the remembered directory never leaks into other paths") {
  TempDir t;
  WriteFile(t / "Windows/System32/a.dll", "a");
  WriteFile(t / "Windows/System32/b.dll", "b");
  WriteFile(t / "Windows/SysWOW64/a.dll", "a");
  WriteFile(t / "Windows/System32/drivers/x.sys", "x");
  WriteFile(t / "top.txt", "t");
  auto fs = OpenFs(t.path());
  PathResolver r(*fs);
  struct Want {
    const char* path;
    Resolution::Kind kind;
    const char* disk;
    size_t existing;
  };
  const Want wants[] = {
      {"WINDOWS/system32/A.DLL", Resolution::Kind::kFound, "Windows/System32/a.dll", 3},
      {"WINDOWS/system32/b.dll", Resolution::Kind::kFound, "Windows/System32/b.dll", 3},
      {"WINDOWS/system32/gone.dll", Resolution::Kind::kMissing, "Windows/System32/gone.dll", 2},
      {"WINDOWS/system32/b.dll", Resolution::Kind::kFound, "Windows/System32/b.dll", 3},
      // the same spelling pattern, another directory
      {"WINDOWS/SysWOW64/a.dll", Resolution::Kind::kFound, "Windows/SysWOW64/a.dll", 3},
      // another spelling of a directory seen before: resolved from the top
      {"Windows/System32/a.dll", Resolution::Kind::kFound, "Windows/System32/a.dll", 3},
      {"WINDOWS/system32/drivers/x.sys", Resolution::Kind::kFound, "Windows/System32/drivers/x.sys", 4},
      {"WINDOWS/system32/drivers/y.sys", Resolution::Kind::kMissing, "Windows/System32/drivers/y.sys", 3},
      {"WINDOWS/newdir/a.dll", Resolution::Kind::kMissing, "Windows/newdir/a.dll", 1},
      {"WINDOWS/newdir/b.dll", Resolution::Kind::kMissing, "Windows/newdir/b.dll", 1},
      {"WINDOWS/system32/a.dll/x", Resolution::Kind::kBlocked, "Windows/System32/a.dll", 0},
      {"TOP.TXT", Resolution::Kind::kFound, "top.txt", 1},
      {"other.txt", Resolution::Kind::kMissing, "other.txt", 0},
      {"WINDOWS/system32/b.dll", Resolution::Kind::kFound, "Windows/System32/b.dll", 3},
  };
  for (const Want& w : wants) {
    CAPTURE(w.path);
    Resolution got = r.Resolve(w.path);
    CHECK(got.kind == w.kind);
    CHECK(got.disk_path == w.disk);
    if (w.kind != Resolution::Kind::kBlocked) CHECK(got.existing_parts == w.existing);
  }
}

TEST_CASE("a small listing cache drops old directories and reads them again when needed") {
  TempDir t;
  for (int d = 0; d < 5; ++d)
    for (int f = 0; f < 4; ++f) WriteFile(t / ("D" + std::to_string(d) + "/f" + std::to_string(f)), "x");
  auto base = OpenFs(t.path());
  for (size_t cache : {size_t{6}, size_t{100}}) {
    CAPTURE(cache);
    CountingFs fs(*base);
    PathResolver r(fs, cache);
    for (int round = 0; round < 2; ++round)
      for (int d = 0; d < 5; ++d)
        for (int f = 0; f < 4; ++f) {
          Resolution got = r.Resolve("d" + std::to_string(d) + "/F" + std::to_string(f));
          CHECK(got.kind == Resolution::Kind::kFound);
          CHECK(got.disk_path == "D" + std::to_string(d) + "/f" + std::to_string(f));
        }
    if (cache == 100) {
      CHECK(fs.lists == 6);  // the root and five directories, once each
    } else {
      // The root (5 names) and one directory (4 names) exceed 6: each change
      // of directory reads the root and that directory again, nothing more.
      CHECK(fs.lists > 6);
      CHECK(fs.lists <= 2 * 5 * 2);
    }
  }
}

}  // namespace
}  // namespace lifeboat
