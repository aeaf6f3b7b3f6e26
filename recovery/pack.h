// Payload packs: a content-addressed archive holding exactly the files a
// manifest needs, for boot media ("payload.lbpack").
//
// A pack is a POSIX ustar tar file (`tar tf` lists it) whose first member,
// lifeboat-pack.json, is the index: format "lifeboat.pack/1", the manifest it
// was built for, and one object per distinct SHA-256 with its size, stored
// size, encoding ("deflate": a zlib stream; "stored": the bytes as they are),
// the manifest paths it serves, and the offset of its tar header counted from
// the end of the index member. Objects follow as members named
// objects/<sha256 hex> (+ ".z" when deflated). Every header is one 512-byte
// ustar block, so offsets are known before anything is written.
//
// Opening a pack reads the first header and the index only (at most
// kMaxPackIndexBytes); an object is read when it is wanted, at its offset,
// after checking that the tar header there names it and declares its stored
// size. Decoding enforces both sizes (more output than declared, a short or
// over-long stream are errors for that object only). An object whose content
// does not hash to its address is damaged: the source warns and never offers it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/manifest.h"
#include "recovery/progress.h"
#include "recovery/sha256.h"
#include "recovery/source.h"
#include "recovery/status.h"

namespace lifeboat {

inline constexpr const char* kPackFormat = "lifeboat.pack/1";
inline constexpr const char* kPackIndexName = "lifeboat-pack.json";
inline constexpr uint64_t kMaxPackIndexBytes = 64ull << 20;

// Positioned reads over a pack file (or memory, in tests and the fuzzer).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at `offset`; fewer only at the end of the file.
  virtual Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) = 0;
  virtual uint64_t size() const = 0;
};

Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccessFile(const std::string& path);
// Over memory the caller keeps alive.
std::unique_ptr<RandomAccessFile> MemoryRandomAccessFile(std::string_view data);

struct PackObject {
  Digest sha256{};
  uint64_t size = 0;         // content bytes
  uint64_t stored_size = 0;  // bytes in the tar member
  bool deflated = false;
  uint64_t offset = 0;  // of the member's tar header, from the end of the index member
  std::vector<std::string> paths;  // manifest paths it serves
  std::string member() const;      // "objects/<hex>[.z]"
};

struct PackIndex {
  std::string manifest;  // the manifest's name
  std::string manifest_sha256;
  std::vector<PackObject> objects;
  uint64_t data_start = 0;  // file offset where the index member ends
  std::string json;         // the index as stored (validated)
};

// True if `head` (the first bytes of a file, 512 or more) is a ustar header
// for lifeboat-pack.json: what OpenSource recognises a pack by.
bool LooksLikePack(std::string_view head);

// Reads and validates the index: the first tar header and the JSON only.
// `name` is used in messages.
Result<PackIndex> ReadPackIndex(RandomAccessFile& f, const std::string& name);

// The content of object `i`, decoded, checked against the sizes in the index
// (a reader error names the object). `f` and `index` must outlive it.
Result<std::unique_ptr<ByteReader>> OpenPackObject(RandomAccessFile& f, const PackIndex& index, size_t i);

// A pack as a restore source: one candidate per object, named after its
// first path. Content whose hash differs from its address is a warning
// ("<label>: object <sha> is damaged (content does not match its address)").
Result<std::unique_ptr<Source>> OpenPackSource(const std::string& path);
Result<std::unique_ptr<Source>> OpenPackSource(std::unique_ptr<RandomAccessFile> f, std::string location,
                                               std::string label);

// Re-hashes object `i`: OK if its content matches its address.
Status VerifyPackObject(RandomAccessFile& f, const PackIndex& index, size_t i, ProgressSink& progress,
                        const CancelToken& cancel);

struct PackBuildOptions {
  bool force = false;  // replace an existing output file
  int level = 6;       // zlib compression level
  uint64_t mtime = 0;  // for the tar headers
};

struct PackBuildResult {
  size_t entries = 0;  // manifest entries
  size_t covered = 0;  // entries with an object in the pack
  size_t objects = 0;
  uint64_t content_bytes = 0;  // sum of object sizes
  uint64_t stored_bytes = 0;   // sum of stored sizes
  std::vector<std::string> uncovered;  // manifest paths without a verified copy
  std::vector<std::string> warnings;   // from the sources
};

// Finds a verified copy of every manifest entry in `sources` (by size and
// SHA-256, as a fix would), and writes the pack to `out` atomically: a temp
// file next to it, fsynced, renamed into place (an existing `out` is an error
// unless options.force). The pack is written even if some entries have no
// copy (see uncovered).
Result<PackBuildResult> BuildPack(const Manifest& manifest, const std::vector<std::unique_ptr<Source>>& sources,
                                  const std::string& out, const PackBuildOptions& options, ProgressSink& progress,
                                  const CancelToken& cancel);

}  // namespace lifeboat
