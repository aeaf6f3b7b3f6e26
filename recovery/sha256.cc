// SHA-256 via OpenSSL EVP. The EVP_MD is fetched once; each Sha256 owns a
// context that is re-initialised on Reset so per-file cost stays small.
#include "recovery/sha256.h"

#include <openssl/evp.h>

#include <cstdint>
#include <new>
#include <stdexcept>

namespace lifeboat {
namespace {

// Fetched explicitly: EVP_sha256() makes every EVP_DigestInit_ex fetch it
// again from the provider store under a read lock, which measured ~7% of a
// scan of small files.
const EVP_MD* Md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? static_cast<const EVP_MD*>(fetched) : EVP_sha256();
  }();
  return md;
}

// Hex digit values, 0x80 for every other byte. A table, not comparisons:
// random digits make the branches of a compare chain mispredict about once a
// byte pair, and a manifest of 200,000 entries spent a third of its load there.
struct HexTable {
  uint8_t v[256];
  constexpr HexTable() : v() {
    for (int c = 0; c < 256; ++c) v[c] = 0x80;
    for (int c = 0; c < 10; ++c) v['0' + c] = static_cast<uint8_t>(c);
    for (int c = 0; c < 6; ++c) {
      v['a' + c] = static_cast<uint8_t>(10 + c);
      v['A' + c] = static_cast<uint8_t>(10 + c);
    }
  }
};
constexpr HexTable kHexValue;

}  // namespace

std::string ToHex(const Digest& d) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
  return out;
}

std::optional<Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Digest d{};
  unsigned bad = 0;
  for (size_t i = 0; i < 32; ++i) {
    uint8_t hi = kHexValue.v[static_cast<uint8_t>(hex[2 * i])];
    uint8_t lo = kHexValue.v[static_cast<uint8_t>(hex[2 * i + 1])];
    bad |= hi | lo;
    d[i] = static_cast<uint8_t>(hi << 4 | (lo & 0x0F));
  }
  if (bad & 0x80) return std::nullopt;
  return d;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();
  Init();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Init() {
  if (EVP_DigestInit_ex(ctx_, Md(), nullptr) != 1) throw std::runtime_error("EVP_DigestInit_ex failed");
  dirty_ = false;
}

void Sha256::Reset() {
  if (dirty_) Init();
}

void Sha256::Update(const void* data, size_t len) {
  if (len == 0) return;
  dirty_ = true;
  EVP_DigestUpdate(ctx_, data, len);
}

Digest Sha256::Finish() {
  Digest d{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_, d.data(), &n);
  Init();
  return d;
}

Digest Sha256::Of(std::string_view data) {
  Sha256 h;
  h.Update(data.data(), data.size());
  return h.Finish();
}

}  // namespace lifeboat
