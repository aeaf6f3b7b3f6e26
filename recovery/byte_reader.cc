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

Result<std::string> ReadAll(ByteReader& in, uint64_t max_bytes, const std::string& name) {
  std::string data;
  char buf[65536];
  for (;;) {
    Result<size_t> n = in.Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return data;
    if (data.size() + *n > max_bytes)
      return Status::Error(Status::Code::kInvalidInput,
                           name + ": larger than " + std::to_string(max_bytes) + " bytes, refused");
    data.append(buf, *n);
  }
}

bool ParseDecimal(std::string_view s, uint64_t& out, size_t max_digits) {
  if (s.empty() || s.size() > max_digits || max_digits > 19) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

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
