// The Manifest model: the known-good SHA-256 (and, where known, size) of every
// file lifeboat checks, by path relative to the target root.
//
// Input formats (see manifests/FORMAT.md):
//   - lifeboat:   the native format: header (name, OS applicability), require
//                 and forbid lines, an end line with the count;
//   - sha256sum:  "<64 hex>  <path>", "<64 hex> *<path>", GNU "\"-escaped
//                 lines, and the BSD tag form "SHA256 (<path>) = <64 hex>";
//   - BSD mtree:  as written by `bsdtar --format=mtree --options mtree:sha256`
//                 (read with libarchive's mtree reader; "sha256digest=").
// Every input becomes the same model. Loading validates everything before the
// caller can act on it: malformed lines, truncation (no final newline), bad
// paths (see rel_path.h), conflicting duplicates and an empty manifest are all
// errors that carry "file:line: what is wrong". The file is read once, as a
// stream, and hashed on the way so the report names exactly what was parsed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/byte_reader.h"
#include "recovery/manifest_entries.h"
#include "recovery/os_spec.h"
#include "recovery/sha256.h"
#include "recovery/status.h"

namespace lifeboat {

// Known-bad content: a file matching `pattern` with this hash is removed.
struct ForbidRule {
  std::string pattern;  // clean relative path; '*' and '?' match within a component
  Digest sha256{};
  uint64_t size = kUnknownSize;
  std::string name;  // rule id for reports
  uint32_t line = 0;
};

enum class ManifestFormat { kAuto, kSha256sum, kMtree, kNative };

std::string_view FormatName(ManifestFormat f);
Result<ManifestFormat> ParseFormatName(std::string_view name);

struct ManifestLimits {
  uint64_t max_file_bytes = 4ull << 30;
  size_t max_line_bytes = 64 * 1024;
  size_t max_entries = 20'000'000;
};

struct Manifest {
  std::string name;  // path as given, used in messages and reports
  ManifestFormat format = ManifestFormat::kAuto;
  Digest file_sha256{};  // SHA-256 of the manifest bytes as read
  // Native header (empty for sha256sum and mtree input).
  std::string title, description, created;
  std::vector<OsSpec> applies_to;  // any of these
  ManifestEntries entries;  // compact: entries[i] is a value (see manifest_entries.h)
  std::vector<ForbidRule> forbid;
  std::vector<std::string> warnings;  // e.g. duplicate identical entries
};

Result<Manifest> LoadManifest(const std::string& path, ManifestFormat format = ManifestFormat::kAuto,
                              const ManifestLimits& limits = {});
Result<Manifest> ParseManifest(std::string_view data, const std::string& name,
                               ManifestFormat format = ManifestFormat::kAuto,
                               const ManifestLimits& limits = {});
Result<Manifest> ReadManifest(ByteReader& in, const std::string& name, ManifestFormat format,
                              const ManifestLimits& limits);

// Collects entries from any format parser: normalises each path, rejects
// paths inside lifeboat's own folder, merges identical duplicates (compared
// case-insensitively, as Windows would) and refuses conflicting ones.
class ManifestBuilder {
 public:
  ManifestBuilder(std::string name, const ManifestLimits& limits);
  Status Add(std::string_view raw_path, uint64_t size, const Digest& sha256, uint32_t line,
             std::string version = {}, std::vector<AcceptedCopy> alternatives = {});
  Status AddForbid(std::string_view raw_pattern, const Digest& sha256, uint64_t size, std::string rule_name,
                   uint32_t line);
  // The header fields of native manifests.
  Manifest& header() { return manifest_; }
  // Moves the result out; fails on an empty manifest.
  Result<Manifest> Finish(ManifestFormat format, const Digest& file_sha256);
  const std::string& name() const { return name_; }

 private:
  Status MergeDuplicates();

  std::string name_;
  ManifestLimits limits_;
  Manifest manifest_;
  size_t count_ = 0;  // entries + forbid rules, against the limit
};

// " (that is an MD5 hash; ...)" for hash lengths of other algorithms, else "".
std::string HashLengthHint(size_t hex_digits);

// "name:line: message" as an invalid-input Status.
Status ManifestError(const std::string& name, uint32_t line, const std::string& message);

}  // namespace lifeboat
