// Partition table parsing (partition_table.h). Every offset and count read
// from the disk is checked against the disk size before it is used; the
// extended-partition chain is followed with a loop limit.
#include "recovery/partition_table.h"

#include <zlib.h>

#include <cstring>
#include <set>

namespace lifeboat {
namespace {

constexpr uint64_t kSector = 512;

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }
uint64_t Le64(const uint8_t* p) { return uint64_t{Le32(p)} | uint64_t{Le32(p + 4)} << 32; }

std::string Guid(const uint8_t* g) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", Le32(g), Le16(g + 4),
                Le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
  return buf;
}

std::string GptKind(const std::string& type) {
  if (type == "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7") return "basic-data";
  if (type == "C12A7328-F81F-11D2-BA4B-00A0C93EC93B") return "efi";
  if (type == "E3C9E316-0B5C-4DB8-817D-F92DF00215AE") return "msr";
  if (type == "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC") return "recovery";
  if (type == "0FC63DAF-8483-4772-8E79-3D69D8477DE4") return "linux";
  return "other";
}

std::string MbrKind(uint8_t t) {
  switch (t) {
    case 0x07: return "basic-data";  // NTFS / exFAT / HPFS
    case 0x0B: case 0x0C: case 0x0E: case 0x06: case 0x04: case 0x01: return "basic-data";  // FAT
    case 0xEF: return "efi";
    case 0x27: return "recovery";
    case 0x83: return "linux";
    case 0x05: case 0x0F: case 0x85: return "extended";
    default: return "other";
  }
}

std::string Utf16Name(const uint8_t* p, size_t units) {
  std::string out;
  for (size_t i = 0; i < units; ++i) {
    uint16_t c = Le16(p + 2 * i);
    if (c == 0) break;
    if (c < 0x80) out.push_back(static_cast<char>(c));
    else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | c >> 6));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | c >> 12));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool LooksLikeVolume(const uint8_t* s) {
  return std::memcmp(s + 3, "NTFS    ", 8) == 0 || std::memcmp(s + 3, "-FVE-FS-", 8) == 0 ||
         std::memcmp(s + 3, "EXFAT   ", 8) == 0 || std::memcmp(s + 0x52, "FAT32   ", 8) == 0;
}

bool InDisk(uint64_t offset, uint64_t length, uint64_t disk) {
  return length > 0 && offset < disk && length <= disk - offset;
}

Status ReadGpt(BlockReader& disk, PartitionTable& t) {
  uint8_t h[kSector];
  LB_RETURN_IF_ERROR(disk.ReadAt(kSector, h, kSector));
  if (std::memcmp(h, "EFI PART", 8) != 0) return Status::Error(Status::Code::kInvalidInput, "no GPT header");
  uint32_t header_size = Le32(h + 0x0C);
  if (header_size >= 92 && header_size <= kSector) {
    uint8_t copy[kSector];
    std::memcpy(copy, h, header_size);
    std::memset(copy + 0x10, 0, 4);
    if (crc32(0, copy, header_size) != Le32(h + 0x10)) t.warnings.push_back("GPT header checksum mismatch");
  }
  uint64_t entries_lba = Le64(h + 0x48);
  uint32_t count = Le32(h + 0x50), entry_size = Le32(h + 0x54);
  if (count == 0 || count > 1024 || entry_size < 128 || entry_size > 4096 || entry_size % 8 != 0)
    return Status::Error(Status::Code::kInvalidInput, "GPT header has an implausible entry table");
  uint64_t table_bytes = uint64_t{count} * entry_size;
  if (entries_lba > disk.size() / kSector || !InDisk(entries_lba * kSector, table_bytes, disk.size()))
    return Status::Error(Status::Code::kInvalidInput, "GPT entry table lies outside the disk");
  std::vector<uint8_t> table(table_bytes);
  LB_RETURN_IF_ERROR(disk.ReadAt(entries_lba * kSector, table.data(), table.size()));
  if (crc32(0, table.data(), static_cast<uInt>(table.size())) != Le32(h + 0x58))
    t.warnings.push_back("GPT entry table checksum mismatch");
  t.scheme = PartitionScheme::kGpt;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* e = table.data() + uint64_t{i} * entry_size;
    static const uint8_t kZero[16] = {};
    if (std::memcmp(e, kZero, 16) == 0) continue;
    uint64_t first = Le64(e + 32), last = Le64(e + 40);
    if (last < first || first > disk.size() / kSector || last >= disk.size() / kSector) {
      t.warnings.push_back("GPT entry " + std::to_string(i + 1) + " lies outside the disk; ignored");
      continue;
    }
    Partition p;
    p.number = static_cast<int>(i + 1);
    p.offset = first * kSector;
    p.length = (last - first + 1) * kSector;
    p.type = Guid(e);
    p.kind = GptKind(p.type);
    p.name = Utf16Name(e + 56, 36);
    t.partitions.push_back(p);
  }
  return Status::Ok();
}

}  // namespace

const char* PartitionSchemeName(PartitionScheme s) {
  switch (s) {
    case PartitionScheme::kNone: return "none";
    case PartitionScheme::kMbr: return "mbr";
    case PartitionScheme::kGpt: return "gpt";
  }
  return "?";
}

Result<PartitionTable> ReadPartitionTable(BlockReader& disk) {
  PartitionTable t;
  auto whole = [&] {
    t.scheme = PartitionScheme::kNone;
    t.partitions = {Partition{0, 0, disk.size(), "", "volume", ""}};
    return t;
  };
  if (disk.size() < kSector) return whole();
  uint8_t s[kSector];
  LB_RETURN_IF_ERROR(disk.ReadAt(0, s, kSector));
  if (LooksLikeVolume(s) || s[510] != 0x55 || s[511] != 0xAA) return whole();
  for (int i = 0; i < 4; ++i)
    if (s[0x1BE + 16 * i + 4] == 0xEE && disk.size() >= 2 * kSector) {
      Status g = ReadGpt(disk, t);
      if (g.ok()) return t;
      t.warnings.push_back("protective MBR but " + g.message());
      t.partitions.clear();
    }
  t.scheme = PartitionScheme::kMbr;
  uint64_t ext_base = 0;
  for (int i = 0; i < 4; ++i) {
    const uint8_t* e = s + 0x1BE + 16 * i;
    uint8_t type = e[4];
    uint64_t start = Le32(e + 8), sectors = Le32(e + 12);
    if (type == 0 || sectors == 0) continue;
    if (!InDisk(start * kSector, sectors * kSector, disk.size())) {
      t.warnings.push_back("MBR entry " + std::to_string(i + 1) + " lies outside the disk; ignored");
      continue;
    }
    if (MbrKind(type) == "extended") {
      if (ext_base == 0) ext_base = start;
      continue;
    }
    char tbuf[8];
    std::snprintf(tbuf, sizeof tbuf, "0x%02X", type);
    t.partitions.push_back(Partition{i + 1, start * kSector, sectors * kSector, tbuf, MbrKind(type), ""});
  }
  // Logical partitions: a chain of EBRs, each link relative to the extended
  // partition's start.
  uint64_t ebr = ext_base;
  std::set<uint64_t> seen;
  for (int number = 5; ebr != 0 && number < 5 + 128; ++number) {
    if (!seen.insert(ebr).second || !InDisk(ebr * kSector, kSector, disk.size())) break;
    uint8_t b[kSector];
    LB_RETURN_IF_ERROR(disk.ReadAt(ebr * kSector, b, kSector));
    if (b[510] != 0x55 || b[511] != 0xAA) break;
    const uint8_t* e = b + 0x1BE;
    uint64_t start = ebr + Le32(e + 8), sectors = Le32(e + 12);
    if (e[4] != 0 && sectors != 0 && InDisk(start * kSector, sectors * kSector, disk.size())) {
      char tbuf[8];
      std::snprintf(tbuf, sizeof tbuf, "0x%02X", e[4]);
      t.partitions.push_back(Partition{number, start * kSector, sectors * kSector, tbuf, MbrKind(e[4]), ""});
    }
    const uint8_t* next = b + 0x1BE + 16;
    ebr = (next[4] == 0 || Le32(next + 8) == 0) ? 0 : ext_base + Le32(next + 8);
  }
  if (t.partitions.empty()) return whole();
  return t;
}

}  // namespace lifeboat
