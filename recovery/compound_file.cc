// CompoundFile (compound_file.h), after [MS-CFB] sections 2.2-2.6: a 512-byte
// header, sectors numbered from the one after it, a FAT of sector chains
// whose own sectors are listed by the header's 109 DIFAT slots and a DIFAT
// chain, a directory of 128-byte entries, and streams under the mini-stream
// cutoff (4096 bytes) stored in 64-byte mini sectors inside the root entry's
// stream, chained by the mini FAT.
#include "recovery/compound_file.h"

#include <algorithm>
#include <cstring>

#include "recovery/case_fold.h"
#include "recovery/utf16.h"

namespace lifeboat {
namespace {

constexpr uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr uint32_t kMaxRegSect = 0xFFFFFFFA;
constexpr char kMagic[8] = {'\xD0', '\xCF', '\x11', '\xE0', '\xA1', '\xB1', '\x1A', '\xE1'};

uint16_t Get16(std::string_view d, size_t o) {
  return static_cast<uint16_t>(static_cast<uint8_t>(d[o]) | static_cast<uint8_t>(d[o + 1]) << 8);
}
uint32_t Get32(std::string_view d, size_t o) { return Get16(d, o) | static_cast<uint32_t>(Get16(d, o + 2)) << 16; }
uint64_t Get64(std::string_view d, size_t o) { return Get32(d, o) | static_cast<uint64_t>(Get32(d, o + 4)) << 32; }

Status Bad(const std::string& what) {
  return Status::Error(Status::Code::kInvalidInput, "not a valid compound file: " + what);
}

}  // namespace

Result<CompoundFile> CompoundFile::Parse(std::string_view data) {
  CompoundFile f;
  f.data_ = data;
  if (data.size() < 512 || std::memcmp(data.data(), kMagic, 8) != 0) return Bad("no OLE2 signature");
  if (Get16(data, 0x1C) != 0xFFFE) return Bad("byte order mark");
  uint16_t major = Get16(data, 0x1A);
  uint16_t shift = Get16(data, 0x1E);
  if (!((major == 3 && shift == 9) || (major == 4 && shift == 12))) return Bad("version/sector size");
  if (Get16(data, 0x20) != 6) return Bad("mini sector size");
  f.sector_size_ = 1u << shift;
  const uint32_t ss = f.sector_size_;
  // Sectors present in the file (a last partial sector counts; it reads as zeros beyond the end).
  if (data.size() <= ss) return Bad("no sectors");
  const uint64_t sectors = (data.size() - ss + ss - 1) / ss;

  // The FAT's own sectors: 109 in the header, then the DIFAT chain.
  const uint32_t fat_sectors = Get32(data, 0x2C);
  if (fat_sectors == 0 || fat_sectors > sectors) return Bad("FAT sector count");
  std::vector<uint32_t> fat_list;
  for (uint32_t i = 0; i < 109 && fat_list.size() < fat_sectors; ++i) fat_list.push_back(Get32(data, 0x4C + 4 * i));
  uint32_t difat = Get32(data, 0x44);
  for (uint64_t steps = 0; fat_list.size() < fat_sectors; ++steps) {
    if (difat >= sectors || steps > sectors) return Bad("DIFAT chain");
    uint64_t off = (static_cast<uint64_t>(difat) + 1) * ss;
    if (off + ss > data.size()) return Bad("DIFAT sector beyond the end");
    for (uint32_t i = 0; i + 1 < ss / 4 && fat_list.size() < fat_sectors; ++i)
      fat_list.push_back(Get32(data, off + 4 * i));
    difat = Get32(data, off + ss - 4);
  }
  f.fat_.reserve(static_cast<size_t>(fat_sectors) * (ss / 4));
  for (uint32_t s : fat_list) {
    if (s >= sectors) return Bad("FAT sector number");
    uint64_t off = (static_cast<uint64_t>(s) + 1) * ss;
    for (uint32_t i = 0; i < ss / 4; ++i)
      f.fat_.push_back(off + 4 * i + 4 <= data.size() ? Get32(data, off + 4 * i) : kEndOfChain);
  }

  // The directory.
  Result<std::vector<uint32_t>> dir = f.Chain(f.fat_, Get32(data, 0x30), f.fat_.size());
  if (!dir.ok()) return dir.status().WithContext("directory");
  std::string entries;
  for (uint32_t s : *dir) {
    uint64_t off = (static_cast<uint64_t>(s) + 1) * ss;
    std::string_view sector = data.substr(std::min<uint64_t>(off, data.size()), ss);
    entries.append(sector);
    entries.append(ss - sector.size(), '\0');
  }
  if (entries.size() < 128 || static_cast<uint8_t>(entries[0x42]) != 5) return Bad("no root entry");
  auto size_of = [&](size_t o) { return major == 3 ? Get32(entries, o + 0x78) : Get64(entries, o + 0x78); };
  for (size_t o = 0, n = 0; o + 128 <= entries.size(); o += 128, ++n) {
    if (static_cast<uint8_t>(entries[o + 0x42]) != 2) continue;
    uint16_t name_len = std::min<uint16_t>(Get16(entries, o + 0x40), 64);
    f.streams_.push_back(Stream{Utf16ToUtf8(std::string_view(entries).substr(o, name_len)), size_of(o),
                                Get32(entries, o + 0x74), static_cast<uint32_t>(n)});
  }

  // The mini stream and the mini FAT, needed only if a stream is small.
  f.mini_cutoff_ = 4096;
  bool any_small = std::any_of(f.streams_.begin(), f.streams_.end(),
                               [&](const Stream& s) { return s.size > 0 && s.size < f.mini_cutoff_; });
  if (any_small) {
    uint64_t root_size = size_of(0);
    if (root_size > data.size()) return Bad("mini stream larger than the file");
    Result<std::string> mini = f.ReadChain(f.fat_, Get32(entries, 0x74), root_size, ss, false);
    if (!mini.ok()) return mini.status().WithContext("mini stream");
    f.mini_stream_ = std::move(mini).value();
    Result<std::vector<uint32_t>> mf = f.Chain(f.fat_, Get32(data, 0x3C), f.fat_.size());
    if (!mf.ok()) return mf.status().WithContext("mini FAT");
    for (uint32_t s : *mf) {
      uint64_t off = (static_cast<uint64_t>(s) + 1) * ss;
      for (uint32_t i = 0; i < ss / 4; ++i)
        f.mini_fat_.push_back(off + 4 * i + 4 <= data.size() ? Get32(data, off + 4 * i) : kEndOfChain);
    }
  }
  return f;
}

const CompoundFile::Stream* CompoundFile::Find(std::string_view name) const {
  for (const Stream& s : streams_)
    if (EqualsFolded(s.name, name)) return &s;
  return nullptr;
}

Result<std::vector<uint32_t>> CompoundFile::Chain(const std::vector<uint32_t>& fat, uint32_t start,
                                                  size_t limit) const {
  std::vector<uint32_t> out;
  for (uint32_t s = start; s != kEndOfChain;) {
    if (s > kMaxRegSect || s >= fat.size()) return Bad("sector chain leaves the table");
    if (out.size() >= limit) return Bad("sector chain loops");
    out.push_back(s);
    s = fat[s];
  }
  return out;
}

Result<std::string> CompoundFile::ReadChain(const std::vector<uint32_t>& fat, uint32_t start, uint64_t size,
                                            uint32_t unit, bool mini) const {
  std::string_view store = mini ? std::string_view(mini_stream_) : data_;
  std::string out;
  out.reserve(size);
  uint32_t s = start;
  for (uint64_t steps = 0; out.size() < size; ++steps) {
    if (s == kEndOfChain) return Bad("stream shorter than its size");
    if (s > kMaxRegSect || s >= fat.size() || steps > fat.size()) return Bad("stream chain broken or looping");
    uint64_t off = mini ? static_cast<uint64_t>(s) * unit : (static_cast<uint64_t>(s) + 1) * unit;
    if (off >= store.size()) return Bad("stream sector beyond the end");
    uint64_t want = std::min<uint64_t>(unit, size - out.size());
    std::string_view piece = store.substr(off, want);
    if (piece.size() < want) return Bad("stream truncated");
    out.append(piece);
    s = fat[s];
  }
  return out;
}

Result<std::string> CompoundFile::Read(const Stream& s, uint64_t max_bytes) const {
  if (s.size > max_bytes) return Bad("stream " + s.name + " is larger than " + std::to_string(max_bytes) + " bytes");
  if (s.size == 0) return std::string();
  if (s.size < mini_cutoff_) {
    if (s.size > mini_stream_.size()) return Bad("stream " + s.name + " larger than the mini stream");
    return ReadChain(mini_fat_, s.start, s.size, 64, true);
  }
  if (s.size > data_.size()) return Bad("stream " + s.name + " larger than the file");
  return ReadChain(fat_, s.start, s.size, sector_size_, false);
}

}  // namespace lifeboat
