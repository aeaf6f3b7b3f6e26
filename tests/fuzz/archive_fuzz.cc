// Fuzz target: archives as restore sources (recovery/source_archive.cc): tar
// and its compressed forms, zip, 7z, cab, ISO 9660 and cpio, through
// libarchive. Member names are only labels there (nothing is extracted by
// name; a manifest built from an archive validates them as it would any
// path), so what is checked is what the source promises:
//   - OpenArchiveSource on the bytes (a memfd, as a file): Survey hashes the
//     members the planner could ask for (declared size up to 1 MiB here, or
//     none) with its byte limit (the declared size, or 1 MiB) and never reports
//     more bytes than that limit, whatever the decompressor would produce
//     (and, for a declared size, exactly that many, or the member is damage); a
//     hard link reports its target's ordinal, size and hash; names carry no
//     "./" prefix. Fetch of the hashed members (by ordinal, from a second walk
//     that skips the others) streams the same bytes Survey hashed.
//   - VisitArchiveStream on the same bytes as a stream of short reads (as an
//     install medium's SVCHOST.EX_ is read): regular members only, in order,
//     each readable within its declared size.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "recovery/hash_stream.h"
#include "recovery/progress.h"
#include "recovery/source_archive.h"
#include "tests/fuzz/memfd_file.h"
#include "tests/fuzz/short_reader.h"

namespace {

using namespace lifeboat;

constexpr uint64_t kLimit = 1 << 20;  // bytes decoded per member
constexpr size_t kMembers = 64;

// As the planner: the declared size bounds the read, else a limit of its own.
uint64_t MaxBytes(const Candidate& c) { return c.size == kUnknownCandidateSize ? kLimit : c.size; }

bool CleanLabel(const std::string& name) { return name.substr(0, 2) != "./"; }

struct Hashed {
  Digest digest;
  uint64_t bytes;
  uint64_t size;
};

void AsSource(const std::string& path) {
  Result<std::unique_ptr<Source>> src = OpenArchiveSource(path);
  if (!src.ok()) return;
  CancelToken cancel;
  std::map<uint64_t, Hashed> hashed;  // by ordinal, members (not links)
  std::map<uint64_t, uint64_t> sizes;  // every member seen, by ordinal
  std::vector<Candidate> fetch;
  size_t seen = 0;
  (void)(*src)->Survey(
      [&](const Candidate& c) {
        if (!CleanLabel(c.name)) __builtin_trap();
        auto [it, first] = sizes.emplace(c.id, c.size);
        if (!first && it->second != c.size) __builtin_trap();  // a link's size is its target's
        return (c.size == kUnknownCandidateSize || c.size <= kLimit) && ++seen <= kMembers;
      },
      MaxBytes,
      [&](const Candidate& c, const Digest& d, uint64_t bytes) {
        if (bytes > MaxBytes(c) || (c.size != kUnknownCandidateSize && bytes != c.size)) __builtin_trap();
        auto [it, first] = hashed.emplace(c.id, Hashed{d, bytes, c.size});
        if (first) {
          fetch.push_back(c);
        } else if (it->second.digest != d || it->second.bytes != bytes || it->second.size != c.size) {
          __builtin_trap();  // a hard link hashes as its target
        }
        return true;
      },
      NullProgress(), cancel);
  (void)(*src)->Fetch(
      fetch,
      [&](const Candidate& c, ByteReader& in) {
        const Hashed& h = hashed.at(c.id);
        Result<StreamHash> got = HashStream(in, h.bytes, NullProgress(), cancel);
        if (!got.ok()) return;  // damaged on this pass: not delivered, the caller notices
        if (got->over_limit || got->bytes != h.bytes || got->digest != h.digest) __builtin_trap();
      },
      cancel);
}

void AsStream(std::string_view bytes, uint8_t seed) {
  fuzz::ShortReader in(bytes, seed);
  size_t members = 0;
  (void)VisitArchiveStream(in, "fuzz", [&](const std::string& name, uint64_t size, ByteReader& data) {
    if (!CleanLabel(name)) __builtin_trap();
    uint64_t limit = size < kLimit ? size : kLimit;
    Result<StreamHash> h = HashStream(data, limit, NullProgress(), CancelToken());
    if (h.ok() && !h->over_limit && h->bytes > limit) __builtin_trap();
    return ++members < kMembers;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  {
    lifeboat::fuzz::MemFdFile file("archive_fuzz", data, size);
    if (file.ok()) AsSource(file.path());
  }
  AsStream(bytes, size > 0 ? data[size - 1] : 0);
  return 0;
}
