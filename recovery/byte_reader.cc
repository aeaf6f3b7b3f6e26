// File and memory implementations of ByteReader.
#include "recovery/byte_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lifeboat {
namespace {

class FdByteReader final : public ByteReader {
 public:
  FdByteReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~FdByteReader() override { ::close(fd_); }
  Result<size_t> Read(char* buf, size_t cap) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, cap);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return Status::FromErrno(errno, "read " + name_);
    }
  }

 private:
  int fd_;
  std::string name_;
};

class MemoryByteReader final : public ByteReader {
 public:
  explicit MemoryByteReader(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    size_t n = std::min(cap, data_.size() - pos_);
    if (n > 0) std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteReader>> OpenFileReader(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  return std::unique_ptr<ByteReader>(new FdByteReader(fd, path));
}

std::unique_ptr<ByteReader> FdReader(int fd, std::string name) {
  return std::make_unique<FdByteReader>(fd, std::move(name));
}

std::unique_ptr<ByteReader> MemoryReader(std::string_view data) {
  return std::make_unique<MemoryByteReader>(data);
}

}  // namespace lifeboat
