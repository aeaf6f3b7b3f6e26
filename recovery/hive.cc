// Hive (hive.h) over hivex. The bytes live in a memfd so hivex can open and
// map them by path (/proc/self/fd/N) without touching any disk.
#include "recovery/hive.h"

#include <hivex.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace lifeboat {

Result<std::unique_ptr<Hive>> Hive::FromBytes(std::string bytes, const std::string& name) {
  if (bytes.size() < 0x2000 || bytes.compare(0, 4, "regf") != 0)
    return Status::Error(Status::Code::kInvalidInput, name + ": not a registry hive");
  uint32_t seq1, seq2;
  std::memcpy(&seq1, bytes.data() + 4, 4);
  std::memcpy(&seq2, bytes.data() + 8, 4);
  int fd = ::memfd_create("lifeboat-hive", MFD_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "memfd for " + name);
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "memfd for " + name);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  hive_h* h = hivex_open(path.c_str(), 0);
  if (h == nullptr) {
    int err = errno;
    ::close(fd);
    return Status::Error(Status::Code::kInvalidInput,
                         name + ": not a readable registry hive (" + std::string(std::strerror(err)) + ")");
  }
  return std::unique_ptr<Hive>(new Hive(h, fd, name, seq1 != seq2));
}

Hive::~Hive() {
  hivex_close(h_);
  ::close(fd_);
}

size_t Hive::Node(std::string_view key) const {
  hive_node_h node = hivex_root(h_);
  size_t i = 0;
  while (node != 0 && i < key.size()) {
    size_t j = key.find('\\', i);
    if (j == std::string_view::npos) j = key.size();
    std::string part(key.substr(i, j - i));
    i = j + 1;
    if (part.empty()) continue;
    node = hivex_node_get_child(h_, node, part.c_str());  // case-insensitive
  }
  return node;
}

size_t Hive::Value(std::string_view key, std::string_view value) const {
  hive_node_h node = Node(key);
  if (node == 0) return 0;
  return hivex_node_get_value(h_, node, std::string(value).c_str());
}

// The value's type as a number. hivex stores the raw on-disk type in a
// hive_type, which may be outside the enum (a damaged hive): reading it as the
// enum would be undefined, so its bytes are copied out instead.
std::optional<uint32_t> Hive::ValueType(size_t v) const {
  hive_type type;
  size_t len;
  if (hivex_value_type(h_, v, &type, &len) != 0) return std::nullopt;
  uint32_t raw = 0;
  static_assert(sizeof type == sizeof raw);
  std::memcpy(&raw, &type, sizeof raw);
  return raw;
}

std::optional<std::string> Hive::GetString(std::string_view key, std::string_view value) const {
  hive_value_h v = Value(key, value);
  if (v == 0) return std::nullopt;
  std::optional<uint32_t> type = ValueType(v);
  if (type != uint32_t{hive_t_REG_SZ} && type != uint32_t{hive_t_REG_EXPAND_SZ}) return std::nullopt;
  char* s = hivex_value_string(h_, v);
  if (s == nullptr) return std::nullopt;
  std::string out(s);
  std::free(s);
  return out;
}

std::optional<uint32_t> Hive::GetDword(std::string_view key, std::string_view value) const {
  hive_value_h v = Value(key, value);
  if (v == 0) return std::nullopt;
  if (ValueType(v) != uint32_t{hive_t_REG_DWORD}) return std::nullopt;
  errno = 0;
  int32_t d = hivex_value_dword(h_, v);
  if (errno != 0) return std::nullopt;
  return static_cast<uint32_t>(d);
}

}  // namespace lifeboat
