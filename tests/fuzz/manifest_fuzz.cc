// Fuzz target: manifest parsing (native lifeboat format, sha256sum, BSD mtree
// through libarchive, and auto-detection) from arbitrary bytes. The first
// byte picks the format so one corpus exercises every path; small limits
// keep runs fast. Accepted native manifests must survive a write/parse round
// trip unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/case_fold.h"
#include "recovery/manifest.h"
#include "recovery/manifest_native.h"
#include "recovery/rel_path.h"

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
  lifeboat::Result<lifeboat::Manifest> m = lifeboat::ParseManifest(text, "fuzz", format, limits);
  if (m.ok()) {
    // Every accepted entry must be a clean relative path outside lifeboat/.
    for (const lifeboat::ManifestEntry& e : m->entries) {
      if (e.path.empty() || !lifeboat::IsCleanRelPath(e.path)) __builtin_trap();
      if (lifeboat::FoldCase(e.path.substr(0, 9)) == "lifeboat/" || lifeboat::FoldCase(e.path) == "lifeboat")
        __builtin_trap();
    }
    if (m->format == lifeboat::ManifestFormat::kNative) {
      std::string again = lifeboat::FormatNative(*m);
      lifeboat::Result<lifeboat::Manifest> m2 =
          lifeboat::ParseManifest(again, "again", lifeboat::ManifestFormat::kNative, limits);
      if (!m2.ok() || m2->entries.size() != m->entries.size() || m2->forbid.size() != m->forbid.size() ||
          lifeboat::FormatNative(*m2) != again)
        __builtin_trap();
    }
  }
  return 0;
}
