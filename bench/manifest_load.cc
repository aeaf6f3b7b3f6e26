// Loads one manifest and prints its entry count, the load time and the
// process's peak RSS: the memory measurement for issue 8 (compact manifest
// entries). Usage: build/manifest_load MANIFEST [FORMAT]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include "recovery/manifest.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: manifest_load MANIFEST [auto|lifeboat|sha256sum|mtree]\n");
    return 16;
  }
  lifeboat::ManifestFormat format = lifeboat::ManifestFormat::kAuto;
  if (argc > 2) {
    lifeboat::Result<lifeboat::ManifestFormat> f = lifeboat::ParseFormatName(argv[2]);
    if (!f.ok()) return std::fprintf(stderr, "%s\n", f.status().message().c_str()), 16;
    format = *f;
  }
  auto start = std::chrono::steady_clock::now();
  lifeboat::Result<lifeboat::Manifest> m = lifeboat::LoadManifest(argv[1], format);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!m.ok()) return std::fprintf(stderr, "%s\n", m.status().message().c_str()), 8;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("%zu entries, load %.3f s, peak RSS %.1f MiB, entries hold %.1f MiB (%zu directories)\n", m->entries.size(),
              seconds, ru.ru_maxrss / 1024.0, m->entries.MemoryBytes() / 1048576.0, m->entries.dir_count());
  return 0;
}
