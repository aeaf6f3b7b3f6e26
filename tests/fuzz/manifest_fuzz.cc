// Fuzz target: manifest parsing (native lifeboat format, sha256sum, BSD mtree
// through libarchive, and auto-detection) from arbitrary bytes. The first
// byte picks the format so one corpus exercises every path; small limits
// keep runs fast. Accepted native manifests must survive a write/parse round
// trip unchanged.
//
// Production loads unsigned and checklist-signed manifests as a stream
// (ReadManifest over a file), where reads may come back short. So the same
// bytes are also read through a reader that hands them out in pieces of
// varying sizes (derived from the input), and the result must be the same as
// from the whole buffer: accepted or not (with the same message, but for
// mtree), the same entries, forbid rules, header and warnings, and a
// file_sha256 that is the SHA-256 of exactly the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/case_fold.h"
#include "recovery/manifest.h"
#include "recovery/manifest_native.h"
#include "recovery/rel_path.h"
#include "tests/fuzz/short_reader.h"

namespace {

using lifeboat::Manifest;
using lifeboat::Result;

bool SameManifest(const Manifest& a, const Manifest& b) {
  if (a.format != b.format || a.file_sha256 != b.file_sha256 || a.title != b.title ||
      a.description != b.description || a.created != b.created || a.applies_to.size() != b.applies_to.size() ||
      a.entries.size() != b.entries.size() || a.forbid.size() != b.forbid.size() || a.warnings != b.warnings)
    return false;
  for (size_t i = 0; i < a.applies_to.size(); ++i)
    if (lifeboat::FormatOsSpec(a.applies_to[i]) != lifeboat::FormatOsSpec(b.applies_to[i])) return false;
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const lifeboat::ManifestEntry x = a.entries[i];
    const lifeboat::ManifestEntry y = b.entries[i];
    if (x.path != y.path || x.size != y.size || x.sha256 != y.sha256 || x.line != y.line || x.version != y.version ||
        x.alternatives.size() != y.alternatives.size())
      return false;
    for (size_t k = 0; k < x.alternatives.size(); ++k)
      if (x.alternatives[k].sha256 != y.alternatives[k].sha256 || x.alternatives[k].size != y.alternatives[k].size)
        return false;
  }
  for (size_t i = 0; i < a.forbid.size(); ++i) {
    const lifeboat::ForbidRule& x = a.forbid[i];
    const lifeboat::ForbidRule& y = b.forbid[i];
    if (x.pattern != y.pattern || x.sha256 != y.sha256 || x.size != y.size || x.name != y.name || x.line != y.line)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const lifeboat::ManifestFormat kFormats[] = {
      lifeboat::ManifestFormat::kAuto, lifeboat::ManifestFormat::kSha256sum, lifeboat::ManifestFormat::kMtree,
      lifeboat::ManifestFormat::kNative};
  lifeboat::ManifestFormat format = kFormats[data[0] % 4];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  lifeboat::ManifestLimits limits;
  limits.max_file_bytes = 1 << 20;
  limits.max_line_bytes = 4096;
  limits.max_entries = 10000;
  Result<Manifest> m = lifeboat::ParseManifest(text, "fuzz", format, limits);
  if (m.ok()) {
    // Every accepted entry must be a clean relative path outside lifeboat/.
    for (const lifeboat::ManifestEntry& e : m->entries) {
      if (e.path.empty() || !lifeboat::IsCleanRelPath(e.path)) __builtin_trap();
      if (lifeboat::FoldCase(e.path.substr(0, 9)) == "lifeboat/" || lifeboat::FoldCase(e.path) == "lifeboat")
        __builtin_trap();
    }
    if (m->file_sha256 != lifeboat::Sha256::Of(text)) __builtin_trap();
    if (m->format == lifeboat::ManifestFormat::kNative) {
      std::string again = lifeboat::FormatNative(*m);
      Result<Manifest> m2 = lifeboat::ParseManifest(again, "again", lifeboat::ManifestFormat::kNative, limits);
      if (!m2.ok() || m2->entries.size() != m->entries.size() || m2->forbid.size() != m->forbid.size() ||
          lifeboat::FormatNative(*m2) != again)
        __builtin_trap();
    }
  }
  // The same bytes as a stream of short reads.
  lifeboat::fuzz::ShortReader pieces(text, static_cast<uint8_t>(data[0] >> 2));
  Result<Manifest> s = lifeboat::ReadManifest(pieces, "fuzz", format, limits);
  if (s.ok() != m.ok()) __builtin_trap();
  // The line parsers name the same first error however the bytes arrive. The
  // mtree reader may not: its line index sees the bytes libarchive reads ahead,
  // so a path listed twice further on can be named before an earlier line
  // libarchive cannot parse. Refused either way.
  bool mtree = format == lifeboat::ManifestFormat::kMtree ||
               (format == lifeboat::ManifestFormat::kAuto && text.substr(0, 6) == "#mtree");
  if (!m.ok() && !mtree && s.status().message() != m.status().message()) __builtin_trap();
  if (m.ok() && !SameManifest(*m, *s)) __builtin_trap();
  return 0;
}
