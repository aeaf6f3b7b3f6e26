// Tests for recovery/volume_probe.cc and recovery/target_volume.cc without
// mounting: hiberfil.sys states in a directory, the safety rules and their
// overrides, BitLocker and partition choice on disk images built in memory,
// the fleet key CSV.
#include "recovery/volume_probe.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "recovery/target_volume.h"
#include "tests/fixtures/fixture_builders.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

std::string HiberHeader(const std::string& magic) {
  std::string h = magic + std::string(4096 - magic.size(), '\0');
  return h;
}

TEST_CASE("hiberfil.sys: each header state, and no file at all") {
  struct Case {
    std::string content;
    HiberState want;
  } cases[] = {{HiberHeader("hibr"), HiberState::kHibernated}, {HiberHeader("HIBR"), HiberState::kHibernated},
               {HiberHeader("RSTR"), HiberState::kResuming},   {HiberHeader("wake"), HiberState::kInvalidated},
               {HiberHeader("WAKE"), HiberState::kInvalidated}, {std::string(4096, '\0'), HiberState::kNone},
               {HiberHeader("\x7f" "ELF"), HiberState::kUnknown}, {"hi", HiberState::kNone}};  // too short to hold a session
  for (const Case& c : cases) {
    test::TempDir t;
    test::WriteFile(t.path() + "/HIBERFIL.SYS", c.content);  // found case-insensitively
    std::unique_ptr<FileSystem> fs = test::OpenFs(t.path());
    CHECK_MESSAGE(ReadHiberState(*fs) == c.want, c.content.substr(0, 4));
  }
  test::TempDir empty;
  std::unique_ptr<FileSystem> fs = test::OpenFs(empty.path());
  CHECK(ReadHiberState(*fs) == HiberState::kNone);
}

TEST_CASE("safety: every reason has its way forward; overrides drop only their own reason") {
  VolumeReport v;
  v.id = "disk.img#2";
  v.bitlocker = true;
  v.hibernation = HiberState::kHibernated;
  v.hiber_magic = "hibr";
  v.dirty = true;
  v.read_only = true;
  std::vector<std::string> all = UnsafeReasons(v, {});
  REQUIRE(all.size() == 4);
  CHECK(all[0].find("--recovery-password") != std::string::npos);
  CHECK(all[1].find("--discard-hibernation") != std::string::npos);
  CHECK(all[2].find("chkdsk") != std::string::npos);
  CHECK(all[3].find("read-write") != std::string::npos);
  CHECK(UnsafeReasons(v, {.discard_hibernation = true, .ignore_dirty = false}).size() == 3);
  CHECK(UnsafeReasons(v, {.discard_hibernation = true, .ignore_dirty = true}).size() == 2);
  v = VolumeReport{};
  v.hibernation = HiberState::kInvalidated;
  CHECK(UnsafeReasons(v, {}).empty());
  v.hibernation = HiberState::kUnknown;  // not understood: treated as hibernated
  CHECK(UnsafeReasons(v, {}).size() == 1);
}

TEST_CASE("ProbeDirectory: Windows, hibernation and safety of a plain tree") {
  test::TempDir t;
  test::WriteFile(t.path() + "/hiberfil.sys", HiberHeader("HIBR"));
  std::string error;
  test::WriteFile(t.path() + "/Windows/System32/config/SOFTWARE",
                  fixtures::MakeHive("Microsoft\\Windows NT\\CurrentVersion\tCurrentBuildNumber\tsz\t7601\n"
                                     "Microsoft\\Windows NT\\CurrentVersion\tCurrentVersion\tsz\t6.1\n",
                                     false, &error));
  Result<VolumeReport> v = ProbeDirectory(t.path());
  REQUIRE(v.ok());
  CHECK(v->fs == "directory");
  CHECK(v->hibernation == HiberState::kHibernated);
  CHECK_FALSE(v->dirty.has_value());
  REQUIRE(v->windows.size() == 1);
  CHECK(v->windows[0].name == "Windows 7");
  CHECK_FALSE(v->writable());
}

// A 4 MiB disk image: partition 1 a (fake) BitLocker volume, partition 2 a
// boot sector of an unknown file system.
std::string DiskImage(const std::string& dir) {
  std::string disk(4 << 20, '\0');
  auto entry = [&](int slot, uint8_t type, uint32_t lba, uint32_t sectors) {
    size_t e = 446 + 16 * slot;
    disk[e + 4] = static_cast<char>(type);
    fixtures::Put32(disk, e + 8, lba);
    fixtures::Put32(disk, e + 12, sectors);
  };
  entry(0, 0x07, 2048, 2048);
  entry(1, 0x83, 4096, 2048);
  disk[510] = 0x55;
  disk[511] = static_cast<char>(0xAA);
  std::memcpy(&disk[2048 * 512 + 3], "-FVE-FS-", 8);
  disk[2048 * 512 + 510] = 0x55;
  disk[2048 * 512 + 511] = static_cast<char>(0xAA);
  std::string path = dir + "/disk.img";
  test::WriteFile(path, disk);
  return path;
}

TEST_CASE("ProbeDisk: a BitLocker partition is reported encrypted and unsafe; ids name the partition") {
  test::TempDir t;
  std::string img = DiskImage(t.path());
  Result<std::vector<VolumeReport>> v = ProbeDisk(img);
  REQUIRE(v.ok());
  REQUIRE(v->size() == 2);
  CHECK((*v)[0].id == img + "#1");
  CHECK((*v)[0].fs == "bitlocker");
  CHECK((*v)[0].bitlocker);
  CHECK((*v)[0].offset == 2048 * 512);
  CHECK_FALSE((*v)[0].writable());
  CHECK((*v)[1].fs == "unknown");
}

TEST_CASE("Target: the only BitLocker/NTFS volume is chosen; locked means no reading and no writing") {
  test::TempDir t;
  std::string img = DiskImage(t.path());
  Result<std::unique_ptr<Target>> target = Target::Locate({.image = img}, {});
  REQUIRE(target.ok());
  CHECK((*target)->display() == img + "#1");
  Result<FileSystem*> r = (*target)->OpenForRead();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("--recovery-password") != std::string::npos);
  Result<FileSystem*> w = (*target)->OpenForWrite({});
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().message().find("nothing was written") != std::string::npos);
}

TEST_CASE("Target: a partition that does not exist or holds no NTFS is a clear error") {
  test::TempDir t;
  std::string img = DiskImage(t.path());
  Result<std::unique_ptr<Target>> none = Target::Locate({.image = img, .partition = 7}, {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("has no partition 7") != std::string::npos);
  CHECK(none.status().message().find("--partition 1: bitlocker") != std::string::npos);
  Result<std::unique_ptr<Target>> two = Target::Locate({.image = img, .partition = 2}, {});
  REQUIRE(two.ok());
  Result<FileSystem*> r = (*two)->OpenForRead();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("not NTFS") != std::string::npos);
}

TEST_CASE("TargetSpec: exactly one of directory, image, device; --partition not with a directory") {
  CHECK_FALSE(ValidateTargetSpec({}).ok());
  CHECK_FALSE(ValidateTargetSpec({.directory = "/mnt", .image = "x.img"}).ok());
  CHECK_FALSE(ValidateTargetSpec({.directory = "/mnt", .partition = 2}).ok());
  CHECK(ValidateTargetSpec({.device = "/dev/sda", .partition = 2}).ok());
}

TEST_CASE("fleet key CSV: lookup by any id, case-insensitive, comments; a malformed line is an error") {
  test::TempDir t;
  test::WriteFile(t.path() + "/keys.csv",
                  "# volume id,recovery password\n"
                  "/dev/sda2 , 111111-222222-333333-444444-555555-666666-777777-888888\r\n"
                  "PC-0042-C,000000-111111-222222-333333-444444-555555-666666-777777\n");
  auto p = LookupRecoveryPassword(t.path() + "/keys.csv", {"/dev/sda2"});
  REQUIRE(p.ok());
  CHECK(*p == "111111-222222-333333-444444-555555-666666-777777-888888");
  p = LookupRecoveryPassword(t.path() + "/keys.csv", {"/dev/sdb1", "pc-0042-c"});
  REQUIRE(p.ok());
  CHECK(p->substr(0, 6) == "000000");
  p = LookupRecoveryPassword(t.path() + "/keys.csv", {"/dev/sdc1"});
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message().find("no recovery password for /dev/sdc1") != std::string::npos);
  test::WriteFile(t.path() + "/bad.csv", "no comma here\n");
  p = LookupRecoveryPassword(t.path() + "/bad.csv", {"x"});
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message().find("bad.csv:1") != std::string::npos);
  CHECK_FALSE(LookupRecoveryPassword(t.path() + "/missing.csv", {"x"}).ok());
}

}  // namespace
}  // namespace lifeboat

namespace lifeboat {
namespace {

const char* kVolumeGuid = "5E5C1C2A-7D41-4B6E-9A3F-0C2B8D9E1F07";
const char* kKeyId = "9BF4D9A4-A30E-4A6A-9F7D-2C1D2B1E0F00";

TEST_CASE("BitLocker metadata: volume GUID, protectors and the recovery key ID") {
  std::string v = fixtures::MakeBitLockerVolume(1 << 20, kVolumeGuid, {{kKeyId, 0x0800}, {"00000000-1111-2222-3333-444444444444", 0x0100}});
  auto reader = MemoryBlockReader(v, "bl");
  Result<BitLockerInfo> info = ReadBitLockerInfo(*reader);
  REQUIRE(info.ok());
  CHECK(info->volume_guid == kVolumeGuid);
  REQUIRE(info->protectors.size() == 2);
  CHECK(info->protectors[0].id == kKeyId);
  CHECK(info->protectors[0].kind == "recovery-password");
  CHECK(info->protectors[1].kind == "tpm");
  CHECK(info->RecoveryKeyIds() == std::vector<std::string>{"9BF4D9A4"});
}

TEST_CASE("BitLocker metadata: a damaged first copy falls back to the next; all damaged is an error") {
  std::string v = fixtures::MakeBitLockerVolume(1 << 20, kVolumeGuid, {{kKeyId, 0x0800}});
  uint64_t first = static_cast<unsigned char>(v[0xB0]) | static_cast<uint64_t>(static_cast<unsigned char>(v[0xB1])) << 8 |
                   static_cast<uint64_t>(static_cast<unsigned char>(v[0xB2])) << 16;
  v[first] = 'X';  // signature of copy 1
  auto reader = MemoryBlockReader(v, "bl");
  Result<BitLockerInfo> info = ReadBitLockerInfo(*reader);
  REQUIRE(info.ok());
  CHECK(info->volume_guid == kVolumeGuid);

  std::string bad = fixtures::MakeBitLockerVolume(1 << 20, kVolumeGuid, {{kKeyId, 0x0800}});
  for (int copy = 0; copy < 3; ++copy) fixtures::Put32(bad, 0xB0 + 8 * copy, 0xFFFFFF00u);  // past the end
  auto r2 = MemoryBlockReader(bad, "bl");
  CHECK_FALSE(ReadBitLockerInfo(*r2).ok());

  std::string huge = fixtures::MakeBitLockerVolume(1 << 20, kVolumeGuid, {{kKeyId, 0x0800}});
  for (int copy = 0; copy < 3; ++copy) {
    uint32_t at = static_cast<uint32_t>(((1 << 20) / 4) * (copy + 1) & ~4095);
    fixtures::Put32(huge, at + 64, 0x7FFFFFFF);  // metadata size beyond the block limit
  }
  auto r3 = MemoryBlockReader(huge, "bl");
  Result<BitLockerInfo> h = ReadBitLockerInfo(*r3);
  REQUIRE_FALSE(h.ok());
  CHECK(h.status().message().find("out of range") != std::string::npos);

  auto ntfs = MemoryBlockReader(std::string(4096, '\0'), "zero");
  CHECK_FALSE(ReadBitLockerInfo(*ntfs).ok());
}

TEST_CASE("BitLocker metadata: a zero-sized or overlong entry ends the walk without reading past the block") {
  std::string v = fixtures::MakeBitLockerVolume(1 << 20, kVolumeGuid, {{kKeyId, 0x0800}, {kKeyId, 0x0800}});
  for (int copy = 0; copy < 3; ++copy) {
    uint32_t at = static_cast<uint32_t>(((1 << 20) / 4) * (copy + 1) & ~4095);
    fixtures::Put16(v, at + 112 + 36, 0xFFFF);  // the second entry claims 64 KiB
  }
  auto reader = MemoryBlockReader(v, "bl");
  Result<BitLockerInfo> info = ReadBitLockerInfo(*reader);
  REQUIRE(info.ok());
  CHECK(info->protectors.size() == 1);
}

TEST_CASE("fleet key CSV: recovery key IDs in braces, as directory exports write them") {
  test::TempDir t;
  test::WriteFile(t.path() + "/keys.csv", std::string("{") + kKeyId + "},123456-123456-123456-123456-123456-123456-123456-123456\n");
  auto p = LookupRecoveryPassword(t.path() + "/keys.csv", {"/dev/sda2", kKeyId});
  REQUIRE(p.ok());
  CHECK(p->substr(0, 6) == "123456");
}

}  // namespace
}  // namespace lifeboat
