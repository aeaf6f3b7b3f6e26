// Decoders for the quarantine formats of the antivirus products that removed
// system files in the incidents lifeboat exists for (McAfee's DAT 5958 took
// svchost.exe on XP SP3): each turns one quarantine file, held in memory, into
// the original bytes and the path the product recorded. Formats as described
// in ../shared/docs/WINDOWS-FORMATS.md section 2 (after the ERNW
// quarantine-formats notes and the maldump / unquarantine-rs parsers).
// All input is untrusted: each decoder has a fuzz target, bounds every length
// by the input and by max_bytes, and reports malformed input as an error.
// Decoding proves nothing about the content: a restore still uses a decoded
// file only if its SHA-256 is in the manifest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recovery/status.h"

namespace lifeboat {

struct QuarantinedFile {
  std::string item;           // the part of the quarantine file it came from ("File_0"), or ""
  std::string original_path;  // as recorded: "C:\WINDOWS\system32\svchost.exe" ("" if none)
  std::string threat;         // detection name, if recorded
  std::string content;        // the original file's bytes
};

// McAfee VirusScan .bup: an OLE2 compound file whose streams "Details" (INI
// text: [Details] DetectionName=..., [File_N] OriginalName=...) and "File_N"
// are XORed with 0x6A. One QuarantinedFile per File_N stream.
Result<std::vector<QuarantinedFile>> DecodeMcAfeeBup(std::string_view bytes, uint64_t max_bytes);

// Symantec .vbn (content file): SAV/SEP 11 files are XORed with 0x5A as a
// whole (u32 content offset at 0, original path at 4); SEP 12+ files keep a
// plain header (payload offset 0x1290 at 0, UTF-8 path at 4) and a payload
// XORed with 0x5A holding tagged values, the file bytes in 0x09 blobs XORed
// again with 0xFF behind an inner header.
Result<QuarantinedFile> DecodeSymantecVbn(std::string_view bytes, uint64_t max_bytes);

// Microsoft Defender (and Security Essentials): every file is RC4-encrypted
// with one static key. An Entries\{GUID} file names the threat and, per
// quarantined file, its original path and the resource id that names its
// ResourceData\xx\<id> file.
struct DefenderEntry {
  std::string threat;
  std::vector<std::pair<std::string, std::string>> files;  // resource id (upper-case hex) -> original path
};
Result<DefenderEntry> DecodeDefenderEntry(std::string_view bytes);
// A ResourceData file: after decryption, a BackupRead stream (security
// descriptor, then the data stream); returns the data stream.
Result<std::string> DecodeDefenderResource(std::string_view bytes, uint64_t max_bytes);

// Defender's RC4 (a fresh keystream each call), exposed for the test
// encoders: encryption and decryption are the same operation.
void DefenderRc4(std::string& data);

}  // namespace lifeboat
