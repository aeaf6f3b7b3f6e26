// ReadBitLockerInfo (bitlocker_header.h). Layout from libbde's "BitLocker
// Drive Encryption (BDE) format" document:
//   volume header  0xB0  three 8-byte offsets of the FVE metadata blocks
//   metadata block  0    "-FVE-FS-", 2-byte size, 2-byte version (2: Windows 7+)
//                  64    metadata header: 4-byte size (header + entries),
//                        4-byte version, 4-byte header size (48), 4-byte size
//                        copy, 16-byte volume GUID, ...
//                  112   entries: 2-byte size, 2-byte type, 2-byte value type,
//                        2-byte version, data
//   value type 8 (volume master key): 16-byte protector GUID, 8-byte time,
//                        2 bytes, 2-byte protection type
#include "recovery/bitlocker_header.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace lifeboat {
namespace {

uint16_t Le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const unsigned char* p) { return static_cast<uint32_t>(Le16(p)) | static_cast<uint32_t>(Le16(p + 2)) << 16; }
uint64_t Le64(const unsigned char* p) { return static_cast<uint64_t>(Le32(p)) | static_cast<uint64_t>(Le32(p + 4)) << 32; }

const char* ProtectionName(uint16_t type) {
  switch (type) {
    case 0x0000: return "clear-key";
    case 0x0100: return "tpm";
    case 0x0200: return "startup-key";
    case 0x0500: return "tpm-pin";
    case 0x0800: return "recovery-password";
    case 0x2000: return "password";
    default: return "other";
  }
}

constexpr size_t kMetadataHeader = 64;   // block header
constexpr size_t kEntriesStart = 64 + 48;
constexpr size_t kMaxBlock = 64 * 1024;  // real blocks are a few KiB

}  // namespace

std::string GuidText(const unsigned char* b) {
  char out[37];
  std::snprintf(out, sizeof out, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", Le32(b), Le16(b + 4),
                Le16(b + 6), b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

std::vector<std::string> BitLockerInfo::RecoveryKeyIds() const {
  std::vector<std::string> ids;
  for (const BitLockerProtector& p : protectors)
    if (p.kind == "recovery-password") ids.push_back(p.id.substr(0, 8));
  return ids;
}

Result<BitLockerInfo> ReadBitLockerInfo(BlockReader& volume) {
  unsigned char header[512];
  Status s = volume.ReadAt(0, header, sizeof header);
  if (!s.ok()) return s;
  if (std::memcmp(header + 3, "-FVE-FS-", 8) != 0)
    return Status::Error(Status::Code::kInvalidInput, volume.name() + ": not a BitLocker volume header");
  Status last = Status::Error(Status::Code::kInvalidInput, volume.name() + ": no readable FVE metadata block");
  // Three copies of the metadata: the first one that parses wins.
  for (size_t copy = 0; copy < 3; ++copy) {
    uint64_t offset = Le64(header + 0xB0 + 8 * copy);
    if (offset == 0 || offset >= volume.size() || volume.size() - offset < kEntriesStart) continue;
    unsigned char head[kEntriesStart];
    if (!volume.ReadAt(offset, head, sizeof head).ok()) continue;
    if (std::memcmp(head, "-FVE-FS-", 8) != 0 || Le16(head + 10) < 2) continue;  // Vista's v1 layout: not read
    const unsigned char* meta = head + kMetadataHeader;
    uint64_t size = Le32(meta);         // header + entries
    uint32_t header_size = Le32(meta + 8);
    if (header_size != 48 || size < 48 || size > kMaxBlock - kMetadataHeader ||
        size > volume.size() - offset - kMetadataHeader) {
      last = Status::Error(Status::Code::kInvalidInput, volume.name() + ": FVE metadata header out of range");
      continue;
    }
    std::string block(kMetadataHeader + size, '\0');
    if (!volume.ReadAt(offset, block.data(), block.size()).ok()) continue;
    const auto* b = reinterpret_cast<const unsigned char*>(block.data());
    BitLockerInfo info;
    info.volume_guid = GuidText(b + kMetadataHeader + 16);
    size_t pos = kEntriesStart;
    while (pos + 8 <= block.size()) {
      uint16_t entry_size = Le16(b + pos);
      if (entry_size < 8 || entry_size > block.size() - pos) break;  // 0: padding; larger: damaged
      uint16_t value_type = Le16(b + pos + 4);
      if (value_type == 0x0008 && entry_size >= 8 + 28) {
        const unsigned char* d = b + pos + 8;
        info.protectors.push_back({GuidText(d), ProtectionName(Le16(d + 26))});
      }
      pos += entry_size;
    }
    return info;
  }
  return last;
}

}  // namespace lifeboat
