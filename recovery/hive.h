// Reading values from an offline Windows registry hive (SOFTWARE, SYSTEM)
// with hivex. lifeboat never writes a hive.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "recovery/status.h"

struct hive_h;

namespace lifeboat {

class Hive {
 public:
  // Parses hive bytes (hivex needs a file: an anonymous memfd holds them).
  static Result<std::unique_ptr<Hive>> FromBytes(std::string bytes, const std::string& name);
  ~Hive();
  Hive(const Hive&) = delete;
  Hive& operator=(const Hive&) = delete;

  // `key` is a backslash-separated path from the hive root, matched
  // case-insensitively ("Microsoft\\Windows NT\\CurrentVersion").
  std::optional<std::string> GetString(std::string_view key, std::string_view value) const;
  std::optional<uint32_t> GetDword(std::string_view key, std::string_view value) const;
  // Primary and secondary sequence numbers differ: not cleanly flushed.
  bool dirty() const { return dirty_; }
  const std::string& name() const { return name_; }

 private:
  Hive(hive_h* h, int fd, std::string name, bool dirty) : h_(h), fd_(fd), name_(std::move(name)), dirty_(dirty) {}
  size_t Node(std::string_view key) const;  // 0 if absent
  std::optional<uint32_t> ValueType(size_t value) const;
  size_t Value(std::string_view key, std::string_view value) const;

  hive_h* h_;
  int fd_;
  std::string name_;
  bool dirty_;
};

}  // namespace lifeboat
