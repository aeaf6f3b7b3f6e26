// Ed25519 keys and detached signatures in OpenBSD signify's file formats, so
// that `lifeboat manifest sign|verify` and `signify -S|-V` interoperate.
//
// Every file is two lines: "untrusted comment: <text>" and the base64 of
//   public key:  "Ed" | keynum[8] | public key[32]
//   secret key:  "Ed" | "BK" | kdf rounds[4, big-endian] | salt[16] |
//                checksum[8] | keynum[8] | secret key[64] (seed | public)
//   signature:   "Ed" | keynum[8] | signature[64]
// The keynum (8 random bytes) ties a signature to its key; lifeboat shows it
// as the 16-hex-digit key id. Secret keys protected by a passphrase (kdf
// rounds > 0, signify's default) are not supported: make keys with
// `lifeboat manifest keygen` or `signify -G -n`, and keep them offline.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "recovery/status.h"

namespace lifeboat {

using KeyNum = std::array<uint8_t, 8>;

struct SignifyPublicKey {
  KeyNum keynum{};
  std::array<uint8_t, 32> key{};
  std::string comment;
};

struct SignifySecretKey {
  KeyNum keynum{};
  std::array<uint8_t, 64> key{};  // seed (32) then public key (32)
  std::string comment;
};

struct SignifySignature {
  KeyNum keynum{};
  std::array<uint8_t, 64> sig{};
  std::string comment;
};

std::string KeyId(const KeyNum& keynum);  // 16 hex digits

// `name` is used in error messages.
Result<SignifyPublicKey> ParsePublicKey(std::string_view text, const std::string& name);
Result<SignifySecretKey> ParseSecretKey(std::string_view text, const std::string& name);
Result<SignifySignature> ParseSignature(std::string_view text, const std::string& name);

std::string FormatPublicKey(const SignifyPublicKey& k);
std::string FormatSecretKey(const SignifySecretKey& k);
std::string FormatSignature(const SignifySignature& s);

struct SignifyKeyPair {
  SignifyPublicKey pub;
  SignifySecretKey sec;
};
// `comment` becomes "<comment> public key" / "<comment> secret key".
Result<SignifyKeyPair> GenerateKeyPair(const std::string& comment);

Result<SignifySignature> SignMessage(const SignifySecretKey& key, std::string_view message,
                                     const std::string& comment);
// kInvalidInput if the signature does not verify, or was made by another key.
Status VerifyMessage(const SignifyPublicKey& key, const SignifySignature& sig, std::string_view message);

}  // namespace lifeboat
