// Tests for recovery/filesystem_posix.cc: every operation stays beneath the
// root and refuses symlinks in any component; exclusive create and
// rename-without-replace really are exclusive.
#include "recovery/filesystem_posix.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <map>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::TempDir;
using test::WriteFile;

struct Fixture {
  TempDir root, outside;
  std::unique_ptr<FileSystem> fs;
  std::map<std::string, std::string> outside_before;
  Fixture() {
    WriteFile(outside / "victim.dll", "precious");
    WriteFile(root / "WINDOWS/system32/a.dll", "aaa");
    REQUIRE(::symlink(outside.path().c_str(), (root / "WINDOWS/evil").c_str()) == 0);
    REQUIRE(::symlink((outside.path() + "/victim.dll").c_str(), (root / "WINDOWS/link.dll").c_str()) == 0);
    Result<std::unique_ptr<FileSystem>> r = OpenPosixFileSystem(root.path());
    REQUIRE(r.ok());
    fs = std::move(r).value();
    outside_before = test::TreeState(outside.path(), "");
  }
  void CheckOutsideUntouched() { CHECK(test::TreeState(outside.path(), "") == outside_before); }
};

TEST_CASE("no operation goes through a symlinked directory") {
  Fixture f;
  auto unsafe = [](const Status& s) { return s.code() == Status::Code::kUnsafePath; };
  CHECK(unsafe(f.fs->OpenRead("WINDOWS/evil/victim.dll").status()));
  CHECK(unsafe(f.fs->CreateNew("WINDOWS/evil/new.dll", 0644).status()));
  CHECK(unsafe(f.fs->OpenAppend("WINDOWS/evil/victim.dll").status()));
  CHECK(unsafe(f.fs->Rename("WINDOWS/system32/a.dll", "WINDOWS/evil/a.dll")));
  CHECK(unsafe(f.fs->RenameNoReplace("WINDOWS/system32/a.dll", "WINDOWS/evil/a.dll")));
  CHECK(unsafe(f.fs->Link("WINDOWS/system32/a.dll", "WINDOWS/evil/a.dll")));
  CHECK(unsafe(f.fs->MakeDir("WINDOWS/evil/d")));
  CHECK(unsafe(f.fs->RemoveFile("WINDOWS/evil/victim.dll")));
  CHECK(unsafe(f.fs->ListDir("WINDOWS/evil").status()));
  CHECK(unsafe(f.fs->SyncDir("WINDOWS/evil")));
  CHECK(unsafe(f.fs->Lock("WINDOWS/evil/lock").status()));
  f.CheckOutsideUntouched();
  CHECK(test::Exists(f.root / "WINDOWS/system32/a.dll"));
}

TEST_CASE("a symlink as the last component is not opened or written through") {
  Fixture f;
  CHECK(f.fs->OpenRead("WINDOWS/link.dll").status().code() == Status::Code::kUnsafePath);
  CHECK_FALSE(f.fs->OpenAppend("WINDOWS/link.dll").ok());
  CHECK_FALSE(f.fs->CreateNew("WINDOWS/link.dll", 0644).ok());
  Result<FileInfo> info = f.fs->Stat("WINDOWS/link.dll");
  REQUIRE(info.ok());
  CHECK(info->type == FileType::kSymlink);  // lstat semantics
  f.CheckOutsideUntouched();
}

TEST_CASE("paths that are not clean are refused outright") {
  Fixture f;
  for (const char* p : {"../x", "/etc/passwd", "WINDOWS/../..", "a//b", "./a"}) {
    CAPTURE(p);
    CHECK(f.fs->OpenRead(p).status().code() == Status::Code::kUnsafePath);
    CHECK(f.fs->CreateNew(p, 0644).status().code() == Status::Code::kUnsafePath);
  }
  f.CheckOutsideUntouched();
}

TEST_CASE("CreateNew is exclusive; RenameNoReplace never replaces") {
  Fixture f;
  CHECK(f.fs->CreateNew("WINDOWS/system32/a.dll", 0644).status().code() == Status::Code::kExists);
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/a.dll") == "aaa");
  {
    Result<std::unique_ptr<WritableFile>> w = f.fs->CreateNew("WINDOWS/system32/b.tmp", 0640);
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("bbb", 3).ok());
    REQUIRE((*w)->Sync().ok());
    REQUIRE((*w)->Close().ok());
  }
  Result<FileInfo> info = f.fs->Stat("WINDOWS/system32/b.tmp");
  REQUIRE(info.ok());
  CHECK(info->mode == 0640);
  CHECK(f.fs->RenameNoReplace("WINDOWS/system32/b.tmp", "WINDOWS/system32/a.dll").code() == Status::Code::kExists);
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/a.dll") == "aaa");
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/b.tmp") == "bbb");
  REQUIRE(f.fs->RenameNoReplace("WINDOWS/system32/b.tmp", "WINDOWS/system32/c.dll").ok());
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/c.dll") == "bbb");
  REQUIRE(f.fs->Rename("WINDOWS/system32/c.dll", "WINDOWS/system32/a.dll").ok());
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/a.dll") == "bbb");
}

TEST_CASE("ListDir, Link, MakeDirs, RemoveDir and errors with errno-based codes") {
  Fixture f;
  Result<std::vector<DirEntry>> list = f.fs->ListDir("WINDOWS");
  REQUIRE(list.ok());
  std::map<std::string, FileType> types;
  for (const DirEntry& e : *list) types[e.name] = e.type;
  CHECK(types.size() == 3);
  CHECK(types["system32"] == FileType::kDirectory);
  CHECK(types["evil"] == FileType::kSymlink);
  CHECK(types["link.dll"] == FileType::kSymlink);
  REQUIRE(MakeDirs(*f.fs, "lifeboat/backup/run/WINDOWS").ok());
  REQUIRE(f.fs->Link("WINDOWS/system32/a.dll", "lifeboat/backup/run/WINDOWS/a.dll").ok());
  CHECK(test::ReadFile(f.root / "lifeboat/backup/run/WINDOWS/a.dll") == "aaa");
  CHECK(f.fs->RemoveDir("lifeboat/backup/run/WINDOWS").sys_errno() == ENOTEMPTY);
  CHECK(f.fs->Stat("nope").status().code() == Status::Code::kNotFound);
  CHECK(MakeDirs(*f.fs, "WINDOWS/system32/a.dll").code() == Status::Code::kConflict);
  CHECK_FALSE(MakeDirs(*f.fs, "WINDOWS/system32/a.dll/x").ok());
  CHECK(f.fs->Describe("WINDOWS/a") == f.root.path() + "/WINDOWS/a");
}

TEST_CASE("opening a missing root fails cleanly") {
  TempDir t;
  CHECK(OpenPosixFileSystem(t / "missing").status().code() == Status::Code::kNotFound);
  WriteFile(t / "file", "x");
  CHECK_FALSE(OpenPosixFileSystem(t / "file").ok());
}

}  // namespace
}  // namespace lifeboat
