// SHA-256 through OpenSSL's EVP interface (which uses SHA-NI / AVX2 code paths
// when the CPU has them), plus hex conversion of digests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace lifeboat {

using Digest = std::array<uint8_t, 32>;

std::string ToHex(const Digest& d);
// Parses exactly 64 hex digits (either case). Returns nullopt otherwise.
std::optional<Digest> DigestFromHex(std::string_view hex);

// Incremental SHA-256. Not copyable; cheap to Reset and reuse.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Reset();
  void Update(const void* data, size_t len);
  Digest Finish();  // also resets

  static Digest Of(std::string_view data);

 private:
  void Init();
  evp_md_ctx_st* ctx_;
  bool dirty_ = false;  // Update was called since the last Init
};

}  // namespace lifeboat
