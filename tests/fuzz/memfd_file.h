// The fuzz input as a file, for readers that open a path (libarchive, wimlib):
// an anonymous memfd, reached as /proc/self/fd/N, closed with the object.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace lifeboat::fuzz {

class MemFdFile {
 public:
  MemFdFile(const char* name, const uint8_t* data, size_t size) : fd_(::memfd_create(name, 0)) {
    size_t done = 0;
    while (fd_ >= 0 && done < size) {
      ssize_t n = ::write(fd_, data + done, size - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ok_ = fd_ >= 0 && done == size;
  }
  ~MemFdFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  MemFdFile(const MemFdFile&) = delete;
  MemFdFile& operator=(const MemFdFile&) = delete;
  // False when the memfd could not be made or filled: skip the input.
  bool ok() const { return ok_; }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
  bool ok_ = false;
};

}  // namespace lifeboat::fuzz
