// A reader for OLE2 / Compound File Binary files ([MS-CFB]), held in memory:
// McAfee VirusScan keeps each quarantined file as one (a .bup). Only what a
// restore needs: the stream directory and a stream's bytes. Written for
// untrusted input (a fuzz target covers it): every sector number, chain and
// size is checked against the file, and a chain that loops is an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/status.h"

namespace lifeboat {

class CompoundFile {
 public:
  struct Stream {
    std::string name;  // UTF-16 name as UTF-8 ("Details", "File_0")
    uint64_t size = 0;
    uint32_t start = 0;
    uint32_t entry = 0;  // directory entry number
  };

  // Parses the header, the FAT and the directory of `data`, which must stay
  // alive as long as this object.
  static Result<CompoundFile> Parse(std::string_view data);

  // Every stream entry of the directory, in directory order.
  const std::vector<Stream>& streams() const { return streams_; }
  // The first stream with this name (ASCII case-insensitive), or null.
  const Stream* Find(std::string_view name) const;
  // The bytes of `s`; more than max_bytes is an error.
  Result<std::string> Read(const Stream& s, uint64_t max_bytes) const;

 private:
  Result<std::vector<uint32_t>> Chain(const std::vector<uint32_t>& fat, uint32_t start, size_t limit) const;
  Result<std::string> ReadChain(const std::vector<uint32_t>& fat, uint32_t start, uint64_t size,
                                uint32_t unit, bool mini) const;

  std::string_view data_;
  uint32_t sector_size_ = 512;
  uint32_t mini_cutoff_ = 4096;
  std::vector<uint32_t> fat_;
  std::vector<uint32_t> mini_fat_;
  std::string mini_stream_;  // the root entry's stream, holding the small streams
  std::vector<Stream> streams_;
};

}  // namespace lifeboat
