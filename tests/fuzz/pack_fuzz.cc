// Fuzz target: a payload pack as lifeboat opens it (recovery/pack.cc): the
// first tar header and the JSON index, then every object through the source
// (tar header check at its offset, inflate with declared sizes enforced,
// hash against its address), then Fetch and verify, all from memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/pack.h"

namespace {
constexpr uint64_t kLimit = 1u << 20;  // bytes decoded per object
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lifeboat;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)LooksLikePack(bytes);
  Result<std::unique_ptr<Source>> src = OpenPackSource(MemoryRandomAccessFile(bytes), "fuzz.lbpack", "fuzz.lbpack");
  if (!src.ok()) return 0;
  CancelToken cancel;
  std::vector<Candidate> all;
  (void)(*src)->Survey([&](const Candidate& c) { all.push_back(c); return all.size() < 64; },
                       [](const Candidate& c) { return c.size < kLimit ? c.size : kLimit; },
                       [](const Candidate&, const Digest&, uint64_t) { return true; }, NullProgress(), cancel);
  (void)(*src)->Fetch(all, [](const Candidate&, ByteReader& in) {
    char buf[4096];
    uint64_t total = 0;
    for (;;) {
      Result<size_t> n = in.Read(buf, sizeof buf);
      if (!n.ok() || *n == 0 || (total += *n) > kLimit) break;
    }
  }, cancel);
  std::unique_ptr<RandomAccessFile> f = MemoryRandomAccessFile(bytes);
  Result<PackIndex> index = ReadPackIndex(*f, "fuzz.lbpack");
  if (!index.ok()) return 0;
  for (size_t i = 0; i < index->objects.size() && i < 64; ++i)
    if (index->objects[i].size <= kLimit) (void)VerifyPackObject(*f, *index, i, NullProgress(), cancel);
  return 0;
}
