// Fuzz target: a WIM (install.wim / install.esd) as a restore source, through
// wimlib: open, list every image, hash each candidate (up to 1 MiB) and fetch
// the first few. wimlib itself is not instrumented in this build, so this
// finds crashes and hangs in it on hostile images (and checks lifeboat's side
// of the interface) rather than steering into its code.
#include <cstddef>
#include <cstdint>
#include <string>

#include "recovery/progress.h"
#include "recovery/source_wim.h"
#include "tests/fuzz/memfd_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lifeboat::fuzz::MemFdFile file("wim_fuzz", data, size);
  if (!file.ok()) return 0;
  {
    lifeboat::Result<std::unique_ptr<lifeboat::Source>> src = lifeboat::OpenWimSource(file.path());
    if (src.ok()) {
      lifeboat::ProgressSink progress;
      lifeboat::CancelToken cancel;
      std::vector<lifeboat::Candidate> seen;
      (void)(*src)->Survey([](const lifeboat::Candidate&) { return true; },
                           [](const lifeboat::Candidate&) -> uint64_t { return 1 << 20; },
                           [&](const lifeboat::Candidate& c, const lifeboat::Digest&, uint64_t) {
                             if (seen.size() < 4) seen.push_back(c);
                             return true;
                           },
                           progress, cancel);
      (void)(*src)->Fetch(seen, [](const lifeboat::Candidate&, lifeboat::ByteReader& r) {
        char buf[4096];
        while (true) {
          lifeboat::Result<size_t> n = r.Read(buf, sizeof buf);
          if (!n.ok() || *n == 0) break;
        }
      }, cancel);
    }
  }
  return 0;
}
