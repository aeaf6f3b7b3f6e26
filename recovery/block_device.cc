// File/device and region readers (block_device.h).
#include "recovery/block_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lifeboat {
namespace {

class FdBlockReader final : public BlockReader {
 public:
  FdBlockReader(int fd, uint64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {}
  ~FdBlockReader() override { ::close(fd_); }
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, void* buf, size_t len) override {
    if (offset > size_ || len > size_ - offset)
      return Status::Error(Status::Code::kIoError, name_ + ": read past the end (offset " + std::to_string(offset) + ")");
    char* p = static_cast<char*>(buf);
    while (len > 0) {
      ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(errno, "read " + name_);
      if (n == 0) return Status::Error(Status::Code::kIoError, name_ + ": unexpected end of data");
      p += n;
      offset += static_cast<uint64_t>(n);
      len -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string name_;
};

class Region final : public BlockReader {
 public:
  Region(BlockReader& base, uint64_t offset, uint64_t length, std::string name)
      : base_(base), offset_(offset), length_(length), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return length_; }
  Status ReadAt(uint64_t offset, void* buf, size_t len) override {
    if (offset > length_ || len > length_ - offset)
      return Status::Error(Status::Code::kIoError, name_ + ": read past the end of the partition");
    return base_.ReadAt(offset_ + offset, buf, len);
  }

 private:
  BlockReader& base_;
  uint64_t offset_, length_;
  std::string name_;
};

class Memory final : public BlockReader {
 public:
  Memory(std::string bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return bytes_.size(); }
  Status ReadAt(uint64_t offset, void* buf, size_t len) override {
    if (offset > bytes_.size() || len > bytes_.size() - offset)
      return Status::Error(Status::Code::kIoError, name_ + ": read past the end");
    std::memcpy(buf, bytes_.data() + offset, len);
    return Status::Ok();
  }

 private:
  std::string bytes_, name_;
};

}  // namespace

std::unique_ptr<BlockReader> MemoryBlockReader(std::string bytes, std::string name) {
  return std::make_unique<Memory>(std::move(bytes), std::move(name));
}

Result<std::unique_ptr<BlockReader>> OpenBlockReader(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "stat " + path);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode) && ::ioctl(fd, BLKGETSIZE64, &size) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "size of " + path);
  }
  if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(Status::Code::kInvalidInput, path + " is neither a block device nor an image file");
  }
  return std::unique_ptr<BlockReader>(new FdBlockReader(fd, size, path));
}

std::unique_ptr<BlockReader> RegionReader(BlockReader& base, uint64_t offset, uint64_t length, std::string name) {
  return std::make_unique<Region>(base, offset, length, std::move(name));
}

}  // namespace lifeboat
