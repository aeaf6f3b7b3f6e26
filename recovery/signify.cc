// signify-compatible Ed25519 (signify.h), on OpenSSL's EVP Ed25519.
#include "recovery/signify.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace lifeboat {
namespace {

constexpr std::string_view kCommentPrefix = "untrusted comment: ";

Status Bad(const std::string& name, const std::string& why) {
  return Status::Error(Status::Code::kInvalidInput, name + ": " + why);
}

std::string Base64(const uint8_t* data, size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Strict base64 decode: the length must be a multiple of 4 and the alphabet
// standard; returns nullopt otherwise.
std::optional<std::vector<uint8_t>> Unbase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0 || s.size() > 4096) return std::nullopt;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              (c == '=' && i + 2 >= s.size());
    if (!ok) return std::nullopt;
  }
  std::vector<uint8_t> out(s.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = (s.back() == '=') + (s.size() > 1 && s[s.size() - 2] == '=');
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// Splits a signify file into its comment and decoded payload of `size`
// bytes, checking the "Ed" algorithm tag.
Result<std::vector<uint8_t>> Payload(std::string_view text, const std::string& name, size_t size,
                                     std::string& comment) {
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos || text.substr(0, kCommentPrefix.size()) != kCommentPrefix)
    return Bad(name, "not a signify file (it must start with 'untrusted comment: ')");
  comment = std::string(text.substr(kCommentPrefix.size(), nl - kCommentPrefix.size()));
  std::string_view rest = text.substr(nl + 1);
  size_t end = rest.find('\n');
  std::string_view b64 = rest.substr(0, end);
  if (!b64.empty() && b64.back() == '\r') b64.remove_suffix(1);
  std::optional<std::vector<uint8_t>> data = Unbase64(b64);
  if (!data) return Bad(name, "the second line is not valid base64");
  if (data->size() != size) return Bad(name, "wrong length for this kind of signify file");
  if ((*data)[0] != 'E' || (*data)[1] != 'd') return Bad(name, "not an Ed25519 signify file");
  return std::move(data).value();
}

std::string File(const std::string& comment, const std::vector<uint8_t>& payload) {
  return std::string(kCommentPrefix) + comment + "\n" + Base64(payload.data(), payload.size()) + "\n";
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::array<uint8_t, 8> Checksum(const std::array<uint8_t, 64>& seckey) {
  uint8_t digest[SHA512_DIGEST_LENGTH];
  SHA512(seckey.data(), seckey.size(), digest);
  std::array<uint8_t, 8> out;
  std::copy_n(digest, 8, out.begin());
  return out;
}

}  // namespace

std::string KeyId(const KeyNum& keynum) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : keynum) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Result<SignifyPublicKey> ParsePublicKey(std::string_view text, const std::string& name) {
  SignifyPublicKey k;
  Result<std::vector<uint8_t>> p = Payload(text, name, 2 + 8 + 32, k.comment);
  if (!p.ok()) return p.status();
  std::copy_n(p->begin() + 2, 8, k.keynum.begin());
  std::copy_n(p->begin() + 10, 32, k.key.begin());
  return k;
}

Result<SignifySecretKey> ParseSecretKey(std::string_view text, const std::string& name) {
  SignifySecretKey k;
  Result<std::vector<uint8_t>> p = Payload(text, name, 2 + 2 + 4 + 16 + 8 + 8 + 64, k.comment);
  if (!p.ok()) return p.status();
  const std::vector<uint8_t>& d = *p;
  if (d[2] != 'B' || d[3] != 'K') return Bad(name, "unknown key derivation in the secret key");
  uint32_t rounds = uint32_t{d[4]} << 24 | uint32_t{d[5]} << 16 | uint32_t{d[6]} << 8 | d[7];
  if (rounds != 0)
    return Bad(name,
               "this secret key is protected by a passphrase, which lifeboat does not support; make keys with "
               "`lifeboat manifest keygen` or `signify -G -n`");
  std::array<uint8_t, 8> checksum;
  std::copy_n(d.begin() + 24, 8, checksum.begin());
  std::copy_n(d.begin() + 32, 8, k.keynum.begin());
  std::copy_n(d.begin() + 40, 64, k.key.begin());
  if (Checksum(k.key) != checksum) return Bad(name, "the secret key is damaged (checksum mismatch)");
  return k;
}

Result<SignifySignature> ParseSignature(std::string_view text, const std::string& name) {
  SignifySignature s;
  Result<std::vector<uint8_t>> p = Payload(text, name, 2 + 8 + 64, s.comment);
  if (!p.ok()) return p.status();
  std::copy_n(p->begin() + 2, 8, s.keynum.begin());
  std::copy_n(p->begin() + 10, 64, s.sig.begin());
  return s;
}

std::string FormatPublicKey(const SignifyPublicKey& k) {
  std::vector<uint8_t> p = {'E', 'd'};
  p.insert(p.end(), k.keynum.begin(), k.keynum.end());
  p.insert(p.end(), k.key.begin(), k.key.end());
  return File(k.comment, p);
}

std::string FormatSecretKey(const SignifySecretKey& k) {
  std::vector<uint8_t> p = {'E', 'd', 'B', 'K', 0, 0, 0, 0};  // no passphrase: 0 kdf rounds
  std::array<uint8_t, 16> salt{};
  RAND_bytes(salt.data(), static_cast<int>(salt.size()));
  p.insert(p.end(), salt.begin(), salt.end());
  std::array<uint8_t, 8> checksum = Checksum(k.key);
  p.insert(p.end(), checksum.begin(), checksum.end());
  p.insert(p.end(), k.keynum.begin(), k.keynum.end());
  p.insert(p.end(), k.key.begin(), k.key.end());
  return File(k.comment, p);
}

std::string FormatSignature(const SignifySignature& s) {
  std::vector<uint8_t> p = {'E', 'd'};
  p.insert(p.end(), s.keynum.begin(), s.keynum.end());
  p.insert(p.end(), s.sig.begin(), s.sig.end());
  return File(s.comment, p);
}

Result<SignifyKeyPair> GenerateKeyPair(const std::string& comment) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr),
                                                                   EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    return Status::Error(Status::Code::kIoError, "Ed25519 key generation failed");
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(raw);
  SignifyKeyPair pair;
  size_t seed_len = 32, pub_len = 32;
  if (EVP_PKEY_get_raw_private_key(pkey.get(), pair.sec.key.data(), &seed_len) != 1 ||
      EVP_PKEY_get_raw_public_key(pkey.get(), pair.pub.key.data(), &pub_len) != 1 || seed_len != 32 ||
      pub_len != 32)
    return Status::Error(Status::Code::kIoError, "cannot read the generated Ed25519 key");
  std::copy(pair.pub.key.begin(), pair.pub.key.end(), pair.sec.key.begin() + 32);
  if (RAND_bytes(pair.pub.keynum.data(), static_cast<int>(pair.pub.keynum.size())) != 1)
    return Status::Error(Status::Code::kIoError, "no random numbers for the key number");
  pair.sec.keynum = pair.pub.keynum;
  pair.pub.comment = comment + " public key";
  pair.sec.comment = comment + " secret key";
  return pair;
}

Result<SignifySignature> SignMessage(const SignifySecretKey& key, std::string_view message,
                                     const std::string& comment) {
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, key.key.data(), 32));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  SignifySignature s;
  size_t len = s.sig.size();
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), s.sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      len != 64)
    return Status::Error(Status::Code::kIoError, "Ed25519 signing failed");
  s.keynum = key.keynum;
  s.comment = comment;
  return s;
}

Status VerifyMessage(const SignifyPublicKey& key, const SignifySignature& sig, std::string_view message) {
  if (key.keynum != sig.keynum)
    return Status::Error(Status::Code::kInvalidInput, "signed by key " + KeyId(sig.keynum) + ", not by key " +
                                                          KeyId(key.keynum));
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.key.data(), 32));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
    return Status::Error(Status::Code::kIoError, "Ed25519 verification could not start");
  int ok = EVP_DigestVerify(ctx.get(), sig.sig.data(), sig.sig.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (ok != 1) return Status::Error(Status::Code::kInvalidInput, "signature verification failed");
  return Status::Ok();
}

}  // namespace lifeboat
