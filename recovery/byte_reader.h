// Sequential byte streams with errors as values: a file (by path or fd) or a
// block of memory. Parsers read untrusted input through this interface so the
// same code runs on files, in tests and under the fuzzer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "recovery/status.h"

namespace lifeboat {

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to `cap` bytes; returns 0 at end of stream.
  virtual Result<size_t> Read(char* buf, size_t cap) = 0;
};

// Reads `in` to the end; more than `max_bytes` is an error naming `name`.
Result<std::string> ReadAll(ByteReader& in, uint64_t max_bytes, const std::string& name);

// Parses a decimal number of at most `max_digits` digits (no sign, no
// spaces). False on anything else, including overflow of the digit limit.
bool ParseDecimal(std::string_view s, uint64_t& out, size_t max_digits = 19);

// Opens `path` read-only (following symlinks: the caller named this file).
Result<std::unique_ptr<ByteReader>> OpenFileReader(const std::string& path);
// Takes ownership of an open file descriptor.
std::unique_ptr<ByteReader> FdReader(int fd, std::string name);
// Reads from memory the caller keeps alive.
std::unique_ptr<ByteReader> MemoryReader(std::string_view data);

}  // namespace lifeboat
