// Tests for recovery/path_resolver.cc on real temp trees: case-insensitive
// lookup, on-disk spelling, missing parts, and every "blocked" outcome.
#include "recovery/path_resolver.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "recovery/filesystem_posix.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

std::unique_ptr<FileSystem> Open(const std::string& root) {
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(root);
  REQUIRE(fs.ok());
  return std::move(fs).value();
}

// Counts directory listings, to prove each directory is read once.
class CountingFs final : public FileSystem {
 public:
  explicit CountingFs(FileSystem& base) : base_(base) {}
  int lists = 0;
  std::string Describe(std::string_view p) const override { return base_.Describe(p); }
  Result<std::vector<DirEntry>> ListDir(std::string_view d) override {
    ++lists;
    return base_.ListDir(d);
  }
  Result<FileInfo> Stat(std::string_view p) override { return base_.Stat(p); }
  Result<std::unique_ptr<ByteReader>> OpenRead(std::string_view p) override { return base_.OpenRead(p); }
  Result<std::unique_ptr<WritableFile>> CreateNew(std::string_view p, uint32_t m) override { return base_.CreateNew(p, m); }
  Result<std::unique_ptr<WritableFile>> OpenAppend(std::string_view p) override { return base_.OpenAppend(p); }
  Status Rename(std::string_view a, std::string_view b) override { return base_.Rename(a, b); }
  Status RenameNoReplace(std::string_view a, std::string_view b) override { return base_.RenameNoReplace(a, b); }
  Status Link(std::string_view a, std::string_view b) override { return base_.Link(a, b); }
  Status MakeDir(std::string_view p) override { return base_.MakeDir(p); }
  Status RemoveFile(std::string_view p) override { return base_.RemoveFile(p); }
  Status RemoveDir(std::string_view p) override { return base_.RemoveDir(p); }
  Status SyncDir(std::string_view p) override { return base_.SyncDir(p); }
  Result<std::unique_ptr<FileLock>> Lock(std::string_view p) override { return base_.Lock(p); }

 private:
  FileSystem& base_;
};

TEST_CASE("found: any case in the manifest, on-disk spelling in the result") {
  TempDir t;
  WriteFile(t / "windows/System32/svchost.exe", "x");
  auto fs = Open(t.path());
  PathResolver r(*fs);
  Resolution res = r.Resolve("WINDOWS/system32/SVCHOST.EXE");
  CHECK(res.kind == Resolution::Kind::kFound);
  CHECK(res.disk_path == "windows/System32/svchost.exe");
  CHECK(res.existing_parts == 3);
}

TEST_CASE("missing: existing directories keep their case, the rest the manifest's") {
  TempDir t;
  WriteFile(t / "windows/keep.txt", "x");
  auto fs = Open(t.path());
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
  auto base = Open(t.path());
  CountingFs fs(*base);
  PathResolver r(fs);
  for (int i = 0; i < 60; ++i) r.Resolve("windows/SYSTEM32/F" + std::to_string(i) + ".DLL");
  CHECK(fs.lists == 3);  // root, WINDOWS, system32
}

TEST_CASE("two names that differ only by case are not guessed") {
  TempDir t;
  WriteFile(t / "WINDOWS/system32/a.dll", "1");
  WriteFile(t / "WINDOWS/System32/a.dll", "2");
  auto fs = Open(t.path());
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
  auto fs = Open(t.path());
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
  auto fs = Open(t.path());
  PathResolver r(*fs);
  Resolution a = r.Resolve("WINDOWS/system32/svchost.exe");
  CHECK(a.kind == Resolution::Kind::kBlocked);
  CHECK(a.message.find("not a directory") != std::string::npos);
  Resolution b = r.Resolve("WINDOWS/explorer.exe");
  CHECK(b.kind == Resolution::Kind::kBlocked);
  CHECK(b.message.find("a directory") != std::string::npos);
}

}  // namespace
}  // namespace lifeboat
