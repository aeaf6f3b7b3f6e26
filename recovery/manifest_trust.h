// Loading a manifest together with its signature check.
//
// The signature is "<manifest>.sig" unless given, in one of signify's two forms:
//   - detached (`signify -S`, `lifeboat manifest sign`): Ed25519 over the
//     whole manifest. The file is read once into memory, verified, and the
//     same bytes are parsed, so nothing can change between check and use.
//   - a signed checklist (`signify -S -e` of "SHA256 (<name>) = <hex>" lines,
//     `lifeboat manifest sign --checklist`, checked by `signify -C`): the small
//     checklist is verified, then the manifest is parsed as a stream and the
//     SHA-256 of exactly the bytes parsed must be the one listed for its file
//     name. A million-entry manifest then never sits in memory as text.
// Trusted public keys come from explicit files (--trusted-key) and from key
// directories (every *.pub in /etc/lifeboat/keys on the boot medium). The
// signature's key number picks the key. What to do with an unsigned or
// badly signed manifest is the caller's policy (fix refuses, scan warns).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/manifest.h"

namespace lifeboat {

inline constexpr const char* kDefaultKeysDir = "/etc/lifeboat/keys";

struct TrustOptions {
  std::vector<std::string> key_files;  // each must be a readable signify public key
  std::vector<std::string> key_dirs;   // *.pub inside; a missing directory is skipped
  std::string signature_path;          // empty: "<manifest>.sig"
};

enum class SignatureState {
  kUnsigned,    // no signature file
  kVerified,    // signed by a trusted key, and the signature matches
  kUnknownKey,  // signed, but by a key that is not trusted
  kBad,         // the signature does not match the manifest (or cannot be read)
};
const char* SignatureStateName(SignatureState s);  // unsigned, verified, unknown-key, bad

struct SignatureCheck {
  SignatureState state = SignatureState::kUnsigned;
  std::string signature_path;
  std::string key_id;    // from the signature, when there is one
  std::string key_file;  // the trusted key that verified it
  std::string message;   // one sentence for reports
};

struct CheckedManifest {
  Manifest manifest;
  SignatureCheck signature;
};

// Fails only if the manifest (or an explicitly named key) cannot be read or
// parsed; a signature problem is reported in `signature`.
Result<CheckedManifest> LoadCheckedManifest(const std::string& path, ManifestFormat format,
                                            const TrustOptions& trust, const ManifestLimits& limits = {});

// The message of signify's embedded form (`signify -S -e`): what follows the
// comment and signature lines. Empty for a detached signature.
std::string_view EmbeddedMessage(std::string_view sig_text);

// The SHA-256 a checklist gives for file `name` ("SHA256 (name) = <64 hex>"
// lines, as `sha256sum --tag` and signify write them), if it lists it once.
std::optional<Digest> ChecklistDigest(std::string_view checklist, std::string_view name);

// Reads a whole file into memory, refusing files larger than `max_bytes`.
Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes);

}  // namespace lifeboat
