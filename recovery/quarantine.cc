// The quarantine decoders (quarantine.h). Each reads only inside its input:
// offsets and lengths are checked before use, and sizes are capped.
#include "recovery/quarantine.h"

#include <algorithm>
#include <cstring>

#include "recovery/case_fold.h"
#include "recovery/compound_file.h"
#include "recovery/utf16.h"

namespace lifeboat {
namespace {

uint16_t Get16(std::string_view d, size_t o) {
  return static_cast<uint16_t>(static_cast<uint8_t>(d[o]) | static_cast<uint8_t>(d[o + 1]) << 8);
}
uint32_t Get32(std::string_view d, size_t o) { return Get16(d, o) | static_cast<uint32_t>(Get16(d, o + 2)) << 16; }
uint64_t Get64(std::string_view d, size_t o) { return Get32(d, o) | static_cast<uint64_t>(Get32(d, o + 4)) << 32; }

Status Bad(const std::string& format, const std::string& what) {
  return Status::Error(Status::Code::kInvalidInput, "not a valid " + format + ": " + what);
}

void Xor(std::string& s, uint8_t key) {
  for (char& c : s) c = static_cast<char>(static_cast<uint8_t>(c) ^ key);
}

// Up to the first NUL (or the end) of a fixed-size field.
std::string CString(std::string_view d) { return std::string(d.substr(0, std::min(d.find('\0'), d.size()))); }

std::string TrimLine(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return std::string(s);
}


// The value of `key` in INI `section` ("" if absent), case-insensitively.
std::string IniValue(std::string_view ini, std::string_view section, std::string_view key) {
  std::string current;
  size_t start = 0;
  while (start < ini.size()) {
    size_t end = ini.find('\n', start);
    if (end == std::string_view::npos) end = ini.size();
    std::string line = TrimLine(ini.substr(start, end - start));
    start = end + 1;
    if (line.size() >= 2 && line.front() == '[' && line.back() == ']') {
      current = line.substr(1, line.size() - 2);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos || !EqualsFolded(current, section)) continue;
    if (EqualsFolded(TrimLine(std::string_view(line).substr(0, eq)), key))
      return TrimLine(std::string_view(line).substr(eq + 1));
  }
  return "";
}

std::string StripDevicePrefix(std::string path) {
  if (path.rfind("\\\\?\\", 0) == 0) path.erase(0, 4);
  return path;
}

// Defender's static RC4 key (from mpengine.dll; published by ERNW and in
// maldump's windef_resource_data.ksy).
constexpr uint8_t kDefenderKey[256] = {
    0x1E, 0x87, 0x78, 0x1B, 0x8D, 0xBA, 0xA8, 0x44, 0xCE, 0x69, 0x70, 0x2C, 0x0C, 0x78, 0xB7, 0x86, 0xA3, 0xF6, 0x23,
    0xB7, 0x38, 0xF5, 0xED, 0xF9, 0xAF, 0x83, 0x53, 0x0F, 0xB3, 0xFC, 0x54, 0xFA, 0xA2, 0x1E, 0xB9, 0xCF, 0x13, 0x31,
    0xFD, 0x0F, 0x0D, 0xA9, 0x54, 0xF6, 0x87, 0xCB, 0x9E, 0x18, 0x27, 0x96, 0x97, 0x90, 0x0E, 0x53, 0xFB, 0x31, 0x7C,
    0x9C, 0xBC, 0xE4, 0x8E, 0x23, 0xD0, 0x53, 0x71, 0xEC, 0xC1, 0x59, 0x51, 0xB8, 0xF3, 0x64, 0x9D, 0x7C, 0xA3, 0x3E,
    0xD6, 0x8D, 0xC9, 0x04, 0x7E, 0x82, 0xC9, 0xBA, 0xAD, 0x97, 0x99, 0xD0, 0xD4, 0x58, 0xCB, 0x84, 0x7C, 0xA9, 0xFF,
    0xBE, 0x3C, 0x8A, 0x77, 0x52, 0x33, 0x55, 0x7D, 0xDE, 0x13, 0xA8, 0xB1, 0x40, 0x87, 0xCC, 0x1B, 0xC8, 0xF1, 0x0F,
    0x6E, 0xCD, 0xD0, 0x83, 0xA9, 0x59, 0xCF, 0xF8, 0x4A, 0x9D, 0x1D, 0x50, 0x75, 0x5E, 0x3E, 0x19, 0x18, 0x18, 0xAF,
    0x23, 0xE2, 0x29, 0x35, 0x58, 0x76, 0x6D, 0x2C, 0x07, 0xE2, 0x57, 0x12, 0xB2, 0xCA, 0x0B, 0x53, 0x5E, 0xD8, 0xF6,
    0xC5, 0x6C, 0xE7, 0x3D, 0x24, 0xBD, 0xD0, 0x29, 0x17, 0x71, 0x86, 0x1A, 0x54, 0xB4, 0xC2, 0x85, 0xA9, 0xA3, 0xDB,
    0x7A, 0xCA, 0x6D, 0x22, 0x4A, 0xEA, 0xCD, 0x62, 0x1D, 0xB9, 0xF2, 0xA2, 0x2E, 0xD1, 0xE9, 0xE1, 0x1D, 0x75, 0xBE,
    0xD7, 0xDC, 0x0E, 0xCB, 0x0A, 0x8E, 0x68, 0xA2, 0xFF, 0x12, 0x63, 0x40, 0x8D, 0xC8, 0x08, 0xDF, 0xFD, 0x16, 0x4B,
    0x11, 0x67, 0x74, 0xCD, 0x0B, 0x9B, 0x8D, 0x05, 0x41, 0x1E, 0xD6, 0x26, 0x2E, 0x42, 0x9B, 0xA4, 0x95, 0x67, 0x6B,
    0x83, 0x98, 0xDB, 0x2F, 0x35, 0xD3, 0xC1, 0xB9, 0xCE, 0xD5, 0x26, 0x36, 0xF2, 0x76, 0x5E, 0x1A, 0x95, 0xCB, 0x7C,
    0xA4, 0xC3, 0xDD, 0xAB, 0xDD, 0xBF, 0xF3, 0x82, 0x53};

}  // namespace

// ---- McAfee .bup ---------------------------------------------------------

Result<std::vector<QuarantinedFile>> DecodeMcAfeeBup(std::string_view bytes, uint64_t max_bytes) {
  Result<CompoundFile> cf = CompoundFile::Parse(bytes);
  if (!cf.ok()) return Bad("McAfee .bup", cf.status().message());
  std::string details;
  if (const CompoundFile::Stream* d = cf->Find("Details")) {
    Result<std::string> raw = cf->Read(*d, 1 << 20);
    if (!raw.ok()) return Bad("McAfee .bup", raw.status().message());
    details = std::move(raw).value();
    Xor(details, 0x6A);
  } else {
    return Bad("McAfee .bup", "no Details stream");
  }
  std::string threat = IniValue(details, "Details", "DetectionName");
  std::vector<QuarantinedFile> out;
  for (const CompoundFile::Stream& s : cf->streams()) {
    if (s.name.size() < 6 || !EqualsFolded(s.name.substr(0, 5), "File_")) continue;
    Result<std::string> content = cf->Read(s, max_bytes);
    if (!content.ok()) return Bad("McAfee .bup", content.status().message());
    QuarantinedFile f;
    f.item = s.name;
    f.threat = threat;
    f.original_path = StripDevicePrefix(IniValue(details, s.name, "OriginalName"));
    f.content = std::move(content).value();
    Xor(f.content, 0x6A);
    out.push_back(std::move(f));
  }
  if (out.empty()) return Bad("McAfee .bup", "no File_N stream");
  return out;
}

// ---- Symantec .vbn -------------------------------------------------------

namespace {

constexpr size_t kVbnPathField = 0x180;
constexpr uint32_t kSep12PayloadOffset = 0x1290;

// SEP 12+: the payload (XOR 0x5A, starting 0x28 bytes after the payload
// offset) is a stream of tagged values. A 0x09 blob of 8 bytes announces the
// file (its u64 size); the 0x09 blobs after it hold the file XORed with 0xFF,
// the first behind an inner header whose length is at +8 and whose file size
// is 12 bytes before its end.
Result<std::string> DecodeSep12Payload(std::string_view payload, uint64_t max_bytes) {
  std::string out;
  bool in_file = false, first = true;
  uint64_t file_size = 0;
  size_t pos = 0;
  while (pos < payload.size()) {
    uint8_t tag = static_cast<uint8_t>(payload[pos]);
    size_t need = 0;
    switch (tag) {
      case 0x01: case 0x0A: need = 2; break;
      case 0x03: case 0x06: need = 5; break;
      case 0x04: need = 9; break;
      default: need = 5; break;
    }
    if (payload.size() - pos < need) return Bad("Symantec .vbn", "tag truncated");
    if (tag == 0x01 || tag == 0x0A || tag == 0x03 || tag == 0x06 || tag == 0x04) {
      pos += need;
      continue;
    }
    uint32_t len = Get32(payload, pos + 1);
    if (payload.size() - pos - 5 < len) return Bad("Symantec .vbn", "blob beyond the end");
    std::string_view blob = payload.substr(pos + 5, len);
    pos += 5 + static_cast<size_t>(len);
    if (tag != 0x09) continue;
    if (!in_file) {
      if (len == 8) {
        in_file = true;
        file_size = Get64(blob, 0);
        if (file_size > max_bytes) return Bad("Symantec .vbn", "file larger than the limit");
      }
      continue;
    }
    std::string chunk(blob);
    Xor(chunk, 0xFF);
    std::string_view data = chunk;
    if (first) {
      first = false;
      if (chunk.size() < 12) return Bad("Symantec .vbn", "inner header truncated");
      uint32_t header = Get32(chunk, 8);
      if (header < 12 || header > chunk.size()) return Bad("Symantec .vbn", "inner header length");
      uint32_t inner_size = Get32(chunk, header - 12);
      if (inner_size != file_size) return Bad("Symantec .vbn", "inner header size disagrees with the file size");
      data = data.substr(header);
    }
    out.append(data.substr(0, static_cast<size_t>(std::min<uint64_t>(data.size(), file_size - out.size()))));
    if (out.size() == file_size) return out;
  }
  if (!in_file) return Bad("Symantec .vbn", "no file in the payload");
  return Bad("Symantec .vbn", "file truncated (" + std::to_string(out.size()) + " of " + std::to_string(file_size) +
                                  " bytes)");
}

}  // namespace

Result<QuarantinedFile> DecodeSymantecVbn(std::string_view bytes, uint64_t max_bytes) {
  if (bytes.size() < 4 + kVbnPathField) return Bad("Symantec .vbn", "shorter than its header");
  QuarantinedFile f;
  if (Get32(bytes, 0) == kSep12PayloadOffset) {
    if (bytes.size() < kSep12PayloadOffset + 0x28) return Bad("Symantec .vbn", "shorter than its header");
    f.original_path = StripDevicePrefix(CString(bytes.substr(4, kVbnPathField)));
    std::string payload(bytes.substr(kSep12PayloadOffset + 0x28));
    Xor(payload, 0x5A);
    Result<std::string> content = DecodeSep12Payload(payload, max_bytes);
    if (!content.ok()) return content.status();
    f.content = std::move(content).value();
    return f;
  }
  std::string head(bytes.substr(0, 4 + kVbnPathField));
  Xor(head, 0x5A);
  uint32_t offset = Get32(head, 0);
  if (offset < head.size() || offset > bytes.size()) return Bad("Symantec .vbn", "content offset outside the file");
  if (bytes.size() - offset > max_bytes) return Bad("Symantec .vbn", "file larger than the limit");
  f.original_path = StripDevicePrefix(CString(std::string_view(head).substr(4)));
  f.content.assign(bytes.substr(offset));
  Xor(f.content, 0x5A);
  return f;
}

// ---- Microsoft Defender ----------------------------------------------------

void DefenderRc4(std::string& data) {
  uint8_t s[256];
  for (int i = 0; i < 256; ++i) s[i] = static_cast<uint8_t>(i);
  for (int i = 0, j = 0; i < 256; ++i) {
    j = (j + s[i] + kDefenderKey[i]) & 0xFF;
    std::swap(s[i], s[j]);
  }
  uint8_t i = 0, j = 0;
  for (char& c : data) {
    i = static_cast<uint8_t>(i + 1);
    j = static_cast<uint8_t>(j + s[i]);
    std::swap(s[i], s[j]);
    c = static_cast<char>(static_cast<uint8_t>(c) ^ s[static_cast<uint8_t>(s[i] + s[j])]);
  }
}

Result<DefenderEntry> DecodeDefenderEntry(std::string_view bytes) {
  constexpr size_t kHeader = 0x3C;
  if (bytes.size() < kHeader) return Bad("Defender entry", "shorter than its header");
  std::string header(bytes.substr(0, kHeader));
  DefenderRc4(header);
  if (std::memcmp(header.data(), "\xDB\xE8\xC5\x01", 4) != 0) return Bad("Defender entry", "header magic");
  uint32_t len1 = Get32(header, 0x28), len2 = Get32(header, 0x2C);
  if (len1 > bytes.size() - kHeader || len2 > bytes.size() - kHeader - len1)
    return Bad("Defender entry", "section lengths beyond the end");
  std::string s1(bytes.substr(kHeader, len1));
  std::string s2(bytes.substr(kHeader + len1, len2));
  DefenderRc4(s1);
  DefenderRc4(s2);
  DefenderEntry e;
  if (s1.size() > 0x34) e.threat = CString(std::string_view(s1).substr(0x34));
  if (s2.size() < 4) return Bad("Defender entry", "resource table truncated");
  uint32_t count = Get32(s2, 0);
  if (count > (s2.size() - 4) / 4) return Bad("Defender entry", "resource count");
  std::string_view t = s2;
  for (uint32_t k = 0; k < count; ++k) {
    size_t pos = Get32(t, 4 + 4 * k);
    if (pos >= t.size()) return Bad("Defender entry", "resource offset");
    // The detection path: UTF-16, NUL-terminated.
    size_t end = pos;
    while (end + 1 < t.size() && Get16(t, end) != 0) end += 2;
    if (end + 1 >= t.size()) return Bad("Defender entry", "path not terminated");
    std::string path = Utf16ToUtf8(t.substr(pos, end - pos));
    pos = end + 2;
    if (t.size() - pos < 2) return Bad("Defender entry", "field count truncated");
    uint16_t fields = Get16(t, pos);
    pos += 2;
    size_t type_end = t.find('\0', pos);
    if (type_end == std::string_view::npos) return Bad("Defender entry", "type not terminated");
    std::string type(t.substr(pos, type_end - pos));
    pos = type_end + 1;
    std::string id;
    for (uint16_t n = 0; n < fields; ++n) {
      pos = (pos + 3) & ~static_cast<size_t>(3);
      if (pos > t.size() || t.size() - pos < 4) return Bad("Defender entry", "field truncated");
      uint16_t size = Get16(t, pos);
      uint16_t ident = Get16(t, pos + 2) & 0x0FFF;
      if (t.size() - pos - 4 < size) return Bad("Defender entry", "field beyond the end");
      std::string_view data = t.substr(pos + 4, size);
      if (ident == 0x02) {  // CQuaResDataID_File: names the ResourceData file
        static const char kHex[] = "0123456789ABCDEF";
        id.clear();
        for (char c : data) {
          id += kHex[static_cast<uint8_t>(c) >> 4];
          id += kHex[static_cast<uint8_t>(c) & 15];
        }
      } else if (ident == 0x0C) {  // PhysicalPath
        path = Utf16ToUtf8(data);
      }
      pos += 4 + size;
    }
    if (type == "file" && !id.empty()) e.files.emplace_back(id, StripDevicePrefix(path));
  }
  return e;
}

Result<std::string> DecodeDefenderResource(std::string_view bytes, uint64_t max_bytes) {
  // A BackupRead stream sequence: WIN32_STREAM_ID headers (id, attributes,
  // u64 size, name size) each followed by its name and data; the file is
  // the BACKUP_DATA stream.
  std::string plain(bytes);
  DefenderRc4(plain);
  size_t pos = 0;
  if (plain.size() < 20 || Get32(plain, 0) != 3) return Bad("Defender resource", "does not start with a security descriptor");
  while (plain.size() - pos >= 20) {
    uint32_t id = Get32(plain, pos);
    uint64_t size = Get64(plain, pos + 8);
    uint32_t name = Get32(plain, pos + 16);
    pos += 20;
    if (name > plain.size() - pos) return Bad("Defender resource", "stream name beyond the end");
    pos += name;
    if (size > plain.size() - pos) return Bad("Defender resource", "stream beyond the end");
    if (id == 1) {  // BACKUP_DATA
      if (size > max_bytes) return Bad("Defender resource", "file larger than the limit");
      return plain.substr(pos, static_cast<size_t>(size));
    }
    pos += static_cast<size_t>(size);
  }
  return Bad("Defender resource", "no data stream");
}

}  // namespace lifeboat
