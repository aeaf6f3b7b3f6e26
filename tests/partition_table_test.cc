// Tests for recovery/partition_table.cc and recovery/boot_sector.cc on disks
// built in memory: MBR with primary and logical partitions, GPT (with valid
// and broken checksums), superfloppy volumes, hostile tables.
#include "recovery/partition_table.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstring>
#include <string>

#include "recovery/boot_sector.h"
#include "tests/fixtures/fixture_builders.h"

namespace lifeboat {
namespace {

using fixtures::GuidBytes;
using fixtures::Put16;
using fixtures::Put32;

void Put64(std::string& b, size_t o, uint64_t v) {
  Put32(b, o, static_cast<uint32_t>(v));
  Put32(b, o + 4, static_cast<uint32_t>(v >> 32));
}

// An MBR entry: type, first LBA, sectors.
void MbrEntry(std::string& disk, size_t sector_offset, int slot, uint8_t type, uint32_t lba, uint32_t sectors) {
  size_t e = sector_offset + 446 + 16 * slot;
  disk[e + 4] = static_cast<char>(type);
  Put32(disk, e + 8, lba);
  Put32(disk, e + 12, sectors);
  disk[sector_offset + 510] = 0x55;
  disk[sector_offset + 511] = static_cast<char>(0xAA);
}

std::string NtfsBootSector() {
  std::string s(512, '\0');
  s[0] = static_cast<char>(0xEB);
  s[1] = 0x52;
  s[2] = static_cast<char>(0x90);
  std::memcpy(&s[3], "NTFS    ", 8);
  Put16(s, 11, 512);
  s[13] = 8;
  Put64(s, 0x28, 2047);
  Put64(s, 0x48, 0x1122334455667788ULL);
  s[510] = 0x55;
  s[511] = static_cast<char>(0xAA);
  return s;
}

struct GptPart {
  std::string type;
  uint64_t first, last;
  std::u16string name;
};

std::string GptDisk(const std::vector<GptPart>& parts, uint64_t sectors, bool break_crc = false) {
  std::string disk(sectors * 512, '\0');
  MbrEntry(disk, 0, 0, 0xEE, 1, static_cast<uint32_t>(sectors - 1));
  std::string entries(128 * 128, '\0');
  for (size_t i = 0; i < parts.size(); ++i) {
    size_t e = i * 128;
    std::memcpy(&entries[e], GuidBytes(parts[i].type).data(), 16);
    entries[e + 16] = static_cast<char>(i + 1);  // a unique GUID
    Put64(entries, e + 32, parts[i].first);
    Put64(entries, e + 40, parts[i].last);
    for (size_t c = 0; c < parts[i].name.size(); ++c) Put16(entries, e + 56 + 2 * c, parts[i].name[c]);
  }
  std::memcpy(&disk[2 * 512], entries.data(), entries.size());
  size_t h = 512;
  std::memcpy(&disk[h], "EFI PART", 8);
  Put32(disk, h + 8, 0x00010000);
  Put32(disk, h + 12, 92);
  Put64(disk, h + 24, 1);
  Put64(disk, h + 32, sectors - 1);
  Put64(disk, h + 40, 34);
  Put64(disk, h + 48, sectors - 34);
  Put64(disk, h + 72, 2);
  Put32(disk, h + 80, 128);
  Put32(disk, h + 84, 128);
  Put32(disk, h + 88, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(entries.data()), entries.size())));
  uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(&disk[h]), 92));
  Put32(disk, h + 16, break_crc ? crc ^ 1 : crc);
  return disk;
}

PartitionTable Read(std::string disk) {
  auto reader = MemoryBlockReader(std::move(disk), "disk");
  Result<PartitionTable> t = ReadPartitionTable(*reader);
  REQUIRE(t.ok());
  return *t;
}

TEST_CASE("MBR: primary partitions numbered 1-4 with offsets, kinds and types") {
  std::string disk(8192 * 512, '\0');
  MbrEntry(disk, 0, 0, 0x07, 63, 2000);
  MbrEntry(disk, 0, 1, 0x27, 2100, 1000);
  PartitionTable t = Read(disk);
  CHECK(t.scheme == PartitionScheme::kMbr);
  REQUIRE(t.partitions.size() == 2);
  CHECK(t.partitions[0].number == 1);
  CHECK(t.partitions[0].offset == 63 * 512);
  CHECK(t.partitions[0].length == 2000 * 512);
  CHECK(t.partitions[0].type == "0x07");
  CHECK(t.partitions[0].kind == "basic-data");
  CHECK(t.partitions[1].number == 2);
  CHECK(t.partitions[1].kind == "recovery");
}

TEST_CASE("MBR: logical partitions in an extended chain are numbered from 5") {
  std::string disk(8192 * 512, '\0');
  MbrEntry(disk, 0, 0, 0x07, 63, 1000);
  MbrEntry(disk, 0, 1, 0x0F, 2048, 4096);  // extended
  // EBR 1 at 2048: logical at +63, link to the next EBR at extended+2048.
  MbrEntry(disk, 2048 * 512, 0, 0x07, 63, 1000);
  MbrEntry(disk, 2048 * 512, 1, 0x05, 2048, 1500);
  // EBR 2 at 4096: logical at +63, end of chain.
  MbrEntry(disk, 4096 * 512, 0, 0x07, 63, 1000);
  PartitionTable t = Read(disk);
  REQUIRE(t.partitions.size() == 3);
  CHECK(t.partitions[1].number == 5);
  CHECK(t.partitions[1].offset == (2048 + 63) * 512ULL);
  CHECK(t.partitions[2].number == 6);
  CHECK(t.partitions[2].offset == (4096 + 63) * 512ULL);
}

TEST_CASE("MBR: an extended chain that loops back ends without hanging") {
  std::string disk(8192 * 512, '\0');
  MbrEntry(disk, 0, 0, 0x0F, 2048, 4096);
  MbrEntry(disk, 2048 * 512, 0, 0x07, 63, 100);
  MbrEntry(disk, 2048 * 512, 1, 0x05, 0, 4096);  // points at itself
  PartitionTable t = Read(disk);
  CHECK(t.partitions.size() < 200);
  CHECK(t.partitions.size() >= 1);
}

TEST_CASE("MBR: a partition past the end of the disk is dropped with a warning") {
  std::string disk(4096 * 512, '\0');
  MbrEntry(disk, 0, 0, 0x07, 63, 1000);
  MbrEntry(disk, 0, 1, 0x07, 100000, 1000);
  PartitionTable t = Read(disk);
  REQUIRE(t.partitions.size() == 1);
  CHECK_FALSE(t.warnings.empty());
}

TEST_CASE("GPT: EFI, MSR, basic data and recovery with names") {
  std::string disk = GptDisk({{"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", 40, 99, u"EFI system partition"},
                              {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", 100, 139, u"Microsoft reserved"},
                              {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", 140, 899, u"Basic data partition"},
                              {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", 900, 999, u"Recovery"}},
                             2048);
  PartitionTable t = Read(disk);
  CHECK(t.scheme == PartitionScheme::kGpt);
  REQUIRE(t.partitions.size() == 4);
  CHECK(t.partitions[0].kind == "efi");
  CHECK(t.partitions[0].name == "EFI system partition");
  CHECK(t.partitions[1].kind == "msr");
  CHECK(t.partitions[2].kind == "basic-data");
  CHECK(t.partitions[2].number == 3);
  CHECK(t.partitions[2].offset == 140 * 512);
  CHECK(t.partitions[2].length == 760 * 512);
  CHECK(t.partitions[3].kind == "recovery");
  CHECK(t.warnings.empty());
}

TEST_CASE("GPT: a header checksum mismatch is reported") {
  std::string disk = GptDisk({{"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", 140, 899, u"data"}}, 2048, true);
  PartitionTable t = Read(disk);
  CHECK_FALSE(t.warnings.empty());
}

TEST_CASE("superfloppy: a volume boot sector at sector 0 is one whole-disk volume") {
  std::string disk = NtfsBootSector() + std::string(2047 * 512, '\0');
  PartitionTable t = Read(disk);
  CHECK(t.scheme == PartitionScheme::kNone);
  REQUIRE(t.partitions.size() == 1);
  CHECK(t.partitions[0].number == 0);
  CHECK(t.partitions[0].offset == 0);
  CHECK(t.partitions[0].length == 2048 * 512);
}

TEST_CASE("a disk too small for a sector, or all zeros, never fails") {
  auto tiny = MemoryBlockReader(std::string(100, 'x'), "tiny");
  Result<PartitionTable> t = ReadPartitionTable(*tiny);
  if (t.ok()) CHECK(t->partitions.size() <= 1);
  PartitionTable z = Read(std::string(4096, '\0'));
  CHECK(z.scheme == PartitionScheme::kNone);
}

TEST_CASE("boot sectors: NTFS, BitLocker, FAT32 with label, exFAT, unknown") {
  std::string ntfs = NtfsBootSector();
  BootSector b = ParseBootSector(reinterpret_cast<const uint8_t*>(ntfs.data()));
  CHECK(b.fs == VolumeFs::kNtfs);
  CHECK(b.bytes_per_sector == 512);
  CHECK(b.cluster_size == 4096);
  CHECK(b.total_bytes == 2047ULL * 512);
  CHECK(b.serial == 0x1122334455667788ULL);

  std::string bl = ntfs;
  std::memcpy(&bl[3], "-FVE-FS-", 8);
  CHECK(ParseBootSector(reinterpret_cast<const uint8_t*>(bl.data())).fs == VolumeFs::kBitLocker);
  CHECK(std::string(VolumeFsName(VolumeFs::kBitLocker)) == "bitlocker");

  std::string fat(512, '\0');
  fat[0] = static_cast<char>(0xEB);
  std::memcpy(&fat[3], "MSDOS5.0", 8);
  Put16(fat, 11, 512);
  fat[13] = 1;
  Put16(fat, 14, 32);
  fat[16] = 2;
  Put32(fat, 32, 81920);
  Put32(fat, 36, 630);
  fat[66] = 0x29;
  std::memcpy(&fat[71], "SYSTEM     ", 11);
  std::memcpy(&fat[82], "FAT32   ", 8);
  fat[510] = 0x55;
  fat[511] = static_cast<char>(0xAA);
  BootSector f = ParseBootSector(reinterpret_cast<const uint8_t*>(fat.data()));
  CHECK(f.fs == VolumeFs::kFat32);
  CHECK(f.label == "SYSTEM");

  std::string ex(512, '\0');
  std::memcpy(&ex[3], "EXFAT   ", 8);
  ex[510] = 0x55;
  ex[511] = static_cast<char>(0xAA);
  CHECK(ParseBootSector(reinterpret_cast<const uint8_t*>(ex.data())).fs == VolumeFs::kExfat);

  std::string junk(512, '\x5A');
  CHECK(ParseBootSector(reinterpret_cast<const uint8_t*>(junk.data())).fs == VolumeFs::kUnknown);
}

}  // namespace
}  // namespace lifeboat
