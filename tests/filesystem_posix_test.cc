// Tests for recovery/filesystem_posix.cc: every operation stays beneath the
// root and refuses symlinks in any component; exclusive create and
// rename-without-replace really are exclusive.
#include "recovery/filesystem_posix.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "recovery/sha256.h"
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

TEST_CASE("nothing is created, moved or removed outside the root through a symlinked directory") {
  Fixture f;
  auto code = [](const Status& s) { return s.code(); };
  // Out of the root into the link, and from the link into the root.
  CHECK(code(f.fs->Rename("WINDOWS/evil/victim.dll", "WINDOWS/stolen.dll")) == Status::Code::kUnsafePath);
  CHECK(code(f.fs->RenameNoReplace("WINDOWS/evil/victim.dll", "WINDOWS/stolen.dll")) == Status::Code::kUnsafePath);
  CHECK(code(f.fs->Link("WINDOWS/evil/victim.dll", "WINDOWS/stolen.dll")) == Status::Code::kUnsafePath);
  CHECK_FALSE(test::Exists(f.root / "WINDOWS/stolen.dll"));
  // Deeper below the link, and a directory under it that does not exist yet.
  CHECK(f.fs->CreateNew("WINDOWS/evil/sub/new.dll", 0644).status().code() == Status::Code::kUnsafePath);
  CHECK(code(f.fs->MakeDir("WINDOWS/evil/sub")) == Status::Code::kUnsafePath);
  CHECK(code(MakeDirs(*f.fs, "WINDOWS/evil/a/b")) == Status::Code::kUnsafePath);
  CHECK(code(f.fs->RemoveDir("WINDOWS/evil/sub")) == Status::Code::kUnsafePath);
  CHECK(f.fs->Stat("WINDOWS/evil/victim.dll").status().code() == Status::Code::kUnsafePath);
  // The messages name the path as seen beneath the root.
  Status s = f.fs->Rename("WINDOWS/system32/a.dll", "WINDOWS/evil/a.dll");
  CHECK(s.message().find(f.root / "WINDOWS/evil") != std::string::npos);
  f.CheckOutsideUntouched();
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/a.dll") == "aaa");
  CHECK(test::ReadFile(f.outside / "victim.dll") == "precious");
}

TEST_CASE("a symlink itself is renamed or removed, never its target") {
  Fixture f;
  REQUIRE(f.fs->Rename("WINDOWS/link.dll", "WINDOWS/moved-link.dll").ok());
  CHECK(f.fs->Stat("WINDOWS/moved-link.dll")->type == FileType::kSymlink);
  REQUIRE(f.fs->RemoveFile("WINDOWS/moved-link.dll").ok());
  CHECK_FALSE(test::Exists(f.root / "WINDOWS/moved-link.dll"));
  // Replacing a symlinked name with a real file puts the file in the root.
  {
    Result<std::unique_ptr<WritableFile>> w = f.fs->CreateNew("WINDOWS/new.tmp", 0644);
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("new", 3).ok());
    REQUIRE((*w)->Close().ok());
  }
  REQUIRE(f.fs->Rename("WINDOWS/new.tmp", "WINDOWS/evil").ok());
  CHECK(f.fs->Stat("WINDOWS/evil")->type == FileType::kRegular);
  CHECK(test::ReadFile(f.root / "WINDOWS/evil") == "new");
  f.CheckOutsideUntouched();
}

TEST_CASE("CreateNew onto a dangling symlink creates nothing at its target") {
  Fixture f;
  REQUIRE(::symlink((f.outside.path() + "/planted.dll").c_str(), (f.root / "WINDOWS/planted.dll").c_str()) == 0);
  Result<std::unique_ptr<WritableFile>> w = f.fs->CreateNew("WINDOWS/planted.dll", 0644);
  REQUIRE_FALSE(w.ok());
  CHECK((w.status().code() == Status::Code::kExists || w.status().code() == Status::Code::kUnsafePath));
  CHECK(f.fs->OpenAppend("WINDOWS/planted.dll").status().code() == Status::Code::kUnsafePath);
  CHECK_FALSE(test::Exists(f.outside / "planted.dll"));
  f.CheckOutsideUntouched();
}

TEST_CASE("CreateNew on an existing file: kExists, content and mode unchanged") {
  Fixture f;
  REQUIRE(::chmod((f.root / "WINDOWS/system32/a.dll").c_str(), 0600) == 0);
  for (uint32_t mode : {0644u, 0600u, 0755u}) {
    Result<std::unique_ptr<WritableFile>> w = f.fs->CreateNew("WINDOWS/system32/a.dll", mode);
    REQUIRE_FALSE(w.ok());
    CHECK(w.status().code() == Status::Code::kExists);
    CHECK(w.status().sys_errno() == EEXIST);
  }
  CHECK(test::ReadFile(f.root / "WINDOWS/system32/a.dll") == "aaa");
  CHECK(f.fs->Stat("WINDOWS/system32/a.dll")->mode == 0600);
  // A directory is in the way too.
  CHECK(f.fs->CreateNew("WINDOWS/system32", 0644).status().code() == Status::Code::kExists);
}

TEST_CASE("RenameNoReplace onto an existing file or directory: kExists, both unchanged") {
  Fixture f;
  WriteFile(f.root / "WINDOWS/system32/b.dll", "bbb");
  auto before = test::TreeState(f.root.path(), "");
  Status s = f.fs->RenameNoReplace("WINDOWS/system32/b.dll", "WINDOWS/system32/a.dll");
  CHECK(s.code() == Status::Code::kExists);
  CHECK(s.message().find("a.dll") != std::string::npos);
  CHECK(f.fs->RenameNoReplace("WINDOWS/system32/b.dll", "WINDOWS/system32").code() == Status::Code::kExists);
  CHECK(test::TreeState(f.root.path(), "") == before);
  // Across directories, and onto a symlink's name (the link counts as existing).
  REQUIRE(MakeDirs(*f.fs, "lifeboat/backup").ok());
  WriteFile(f.root / "lifeboat/backup/a.dll", "old");
  before = test::TreeState(f.root.path(), "");
  CHECK(f.fs->RenameNoReplace("lifeboat/backup/a.dll", "WINDOWS/system32/a.dll").code() == Status::Code::kExists);
  CHECK(f.fs->RenameNoReplace("lifeboat/backup/a.dll", "WINDOWS/link.dll").code() == Status::Code::kExists);
  CHECK(test::TreeState(f.root.path(), "") == before);
  f.CheckOutsideUntouched();
}

TEST_CASE("writes, appends, reads and missing files") {
  Fixture f;
  {
    Result<std::unique_ptr<WritableFile>> w = f.fs->OpenAppend("journal.log");
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("one\n", 4).ok());
  }
  {
    Result<std::unique_ptr<WritableFile>> w = f.fs->OpenAppend("journal.log");
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("two\n", 4).ok());
    REQUIRE((*w)->Sync().ok());
    REQUIRE((*w)->Close().ok());
    CHECK((*w)->Close().ok());  // closing twice is harmless
  }
  CHECK(test::ReadFile(f.root / "journal.log") == "one\ntwo\n");
  Result<std::unique_ptr<ByteReader>> r = f.fs->OpenRead("journal.log");
  REQUIRE(r.ok());
  char buf[64];
  Result<size_t> n = (*r)->Read(buf, sizeof buf);
  REQUIRE(n.ok());
  CHECK(std::string(buf, *n) == "one\ntwo\n");
  Result<FileInfo> info = f.fs->Stat("journal.log");
  REQUIRE(info.ok());
  CHECK(info->type == FileType::kRegular);
  CHECK(info->size == 8);

  CHECK(f.fs->OpenRead("WINDOWS/none.dll").status().code() == Status::Code::kNotFound);
  CHECK(f.fs->OpenRead("NONE/none.dll").status().code() == Status::Code::kNotFound);
  Result<std::unique_ptr<ByteReader>> dir = f.fs->OpenRead("WINDOWS/system32");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().message().find("not a regular file") != std::string::npos);
  CHECK_FALSE(f.fs->ListDir("WINDOWS/system32/a.dll").ok());
  CHECK(f.fs->Rename("WINDOWS/none.dll", "WINDOWS/x.dll").code() == Status::Code::kNotFound);
  CHECK(f.fs->RemoveFile("WINDOWS/none.dll").code() == Status::Code::kNotFound);
  CHECK(f.fs->MakeDir("WINDOWS/system32").code() == Status::Code::kExists);
  CHECK(f.fs->Stat("")->type == FileType::kDirectory);
  CHECK(f.fs->Describe("") == f.root.path());
}

TEST_CASE("the lock is exclusive while held") {
  Fixture f;
  Result<std::unique_ptr<FileLock>> a = f.fs->Lock("lock");
  REQUIRE(a.ok());
  Result<std::unique_ptr<FileLock>> b = f.fs->Lock("lock");
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == Status::Code::kBusy);
  a->reset();
  CHECK(f.fs->Lock("lock").ok());
}

TEST_CASE("the root itself may be reached through a symlink the technician named") {
  TempDir t;
  WriteFile(t / "real/WINDOWS/a.dll", "x");
  REQUIRE(::symlink((t / "real").c_str(), (t / "mnt").c_str()) == 0);
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(t / "mnt");
  REQUIRE(fs.ok());
  Result<FileInfo> info = (*fs)->Stat("WINDOWS/a.dll");
  REQUIRE(info.ok());
  CHECK(info->size == 1);
}


struct ByteSink final : ProgressSink {
  void Advance(uint64_t, uint64_t bytes) override { this->bytes += bytes; }
  uint64_t bytes = 0;
};

bool OnlySize5(const void*, uint64_t size) { return size == 5; }

TEST_CASE("HashFile: digest and size; a refused size is not read; empty files; not through links") {
  Fixture fx;
  WriteFile(fx.root / "WINDOWS/system32/five.dll", "12345");
  WriteFile(fx.root / "WINDOWS/system32/empty.dll", "");
  std::string big = test::RandomBytes(700 * 1024 + 3, 7);  // several reads
  WriteFile(fx.root / "WINDOWS/system32/big.dll", big);
  CancelToken cancel;
  for (FileSystem* fs : {fx.fs.get()}) {
    ByteSink sink;
    Result<FileHash> h = fs->HashFile("WINDOWS/system32/five.dll", SizeFilter{}, sink, cancel);
    REQUIRE(h.ok());
    CHECK(h->hashed);
    CHECK(h->size == 5);
    CHECK(h->digest == Sha256::Of("12345"));
    h = fs->HashFile("WINDOWS/system32/big.dll", SizeFilter{&OnlySize5, nullptr}, sink, cancel);
    REQUIRE(h.ok());
    CHECK_FALSE(h->hashed);
    CHECK(h->size == big.size());
    CHECK(sink.bytes == 5);  // nothing read from big.dll
    h = fs->HashFile("WINDOWS/system32/big.dll", SizeFilter{}, sink, cancel);
    REQUIRE(h.ok());
    CHECK(h->digest == Sha256::Of(big));
    CHECK(h->bytes == big.size());
    h = fs->HashFile("WINDOWS/system32/empty.dll", SizeFilter{}, sink, cancel);
    REQUIRE(h.ok());
    CHECK(h->hashed);
    CHECK(h->digest == Sha256::Of(""));
    CHECK(fs->HashFile("WINDOWS/link.dll", SizeFilter{}, sink, cancel).status().code() ==
          Status::Code::kUnsafePath);
    CHECK(fs->HashFile("WINDOWS/evil/victim.dll", SizeFilter{}, sink, cancel).status().code() ==
          Status::Code::kUnsafePath);
    CHECK(fs->HashFile("WINDOWS/system32", SizeFilter{}, sink, cancel).status().code() ==
          Status::Code::kIoError);
    CHECK(fs->HashFile("WINDOWS/nothere.dll", SizeFilter{}, sink, cancel).status().code() ==
          Status::Code::kNotFound);
  }
}

}  // namespace
}  // namespace lifeboat
