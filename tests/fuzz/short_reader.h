// A ByteReader over memory that returns short reads, for fuzz targets that
// check a stream parser gives the same result however its input is split
// (a file on NTFS-3G, a pipe or a network mount does not fill every read).
// Each Read returns one piece; piece sizes cycle through a fixed table, picked
// by the data's own bytes and a seed so the fuzzer steers them. Never returns
// 0 before the end.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>

#include "recovery/byte_reader.h"

namespace lifeboat::fuzz {

class ShortReader final : public ByteReader {
 public:
  ShortReader(std::string_view data, uint8_t seed) : data_(data), seed_(seed) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    static const size_t kPieces[] = {1, 2, 3, 5, 7, 16, 17, 63, 64, 65, 511, 512, 513, 4095, 4096, 65537};
    if (pos_ == data_.size()) return size_t{0};
    auto pick = static_cast<uint8_t>(seed_ + static_cast<uint8_t>(data_[(reads_++ * 31) % data_.size()]));
    size_t n = std::min({cap, data_.size() - pos_, kPieces[pick % std::size(kPieces)]});
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  uint8_t seed_;
  size_t pos_ = 0;
  size_t reads_ = 0;
};

}  // namespace lifeboat::fuzz
