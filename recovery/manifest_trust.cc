// LoadCheckedManifest (manifest_trust.h).
#include "recovery/manifest_trust.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>

#include "recovery/rel_path.h"
#include "recovery/signify.h"

namespace lifeboat {
namespace {

struct TrustedKey {
  SignifyPublicKey key;
  std::string file;
};

Result<std::vector<TrustedKey>> LoadKeys(const TrustOptions& trust) {
  std::vector<TrustedKey> keys;
  auto load = [&keys](const std::string& file) -> Status {
    Result<std::string> text = ReadWholeFile(file, 4096);
    if (!text.ok()) return text.status().WithContext("trusted key");
    Result<SignifyPublicKey> k = ParsePublicKey(*text, file);
    if (!k.ok()) return k.status();
    keys.push_back(TrustedKey{std::move(k).value(), file});
    return Status::Ok();
  };
  for (const std::string& f : trust.key_files) LB_RETURN_IF_ERROR(load(f));
  for (const std::string& dir : trust.key_dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) continue;  // no keys directory on this system
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".pub") == 0) names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) LB_RETURN_IF_ERROR(load(dir + "/" + n));
  }
  return keys;
}

// Reads and parses the signature file and finds the trusted key it names.
// Returns the key to verify with, or null when the outcome is already known
// (unsigned, unreadable signature, unknown key): then the manifest's bytes
// are not needed, and it is parsed as a stream.
const TrustedKey* FindSigner(const std::string& sig_path, const std::vector<TrustedKey>& keys, SignatureCheck& c,
                             SignifySignature& sig_out, std::string& embedded) {
  c.signature_path = sig_path;
  Result<std::string> sig_text = ReadWholeFile(sig_path, 64 * 1024);  // a checklist may list several files
  if (!sig_text.ok()) {
    if (sig_text.status().code() == Status::Code::kNotFound) {
      c.state = SignatureState::kUnsigned;
      c.message = "the manifest is not signed (no " + sig_path + ")";
    } else {
      c.state = SignatureState::kBad;
      c.message = "cannot read the signature: " + sig_text.status().message();
    }
    return nullptr;
  }
  Result<SignifySignature> sig = ParseSignature(*sig_text, sig_path);
  if (!sig.ok()) {
    c.state = SignatureState::kBad;
    c.message = "the signature file is not valid: " + sig.status().message();
    return nullptr;
  }
  c.key_id = KeyId(sig->keynum);
  for (const TrustedKey& k : keys) {
    if (k.key.keynum != sig->keynum) continue;
    c.key_file = k.file;
    sig_out = *sig;
    embedded = std::string(EmbeddedMessage(*sig_text));
    return &k;
  }
  c.state = SignatureState::kUnknownKey;
  c.message = "signed by key " + c.key_id + ", which is not a trusted key (add it with --trusted-key or to " +
              std::string(kDefaultKeysDir) + ")";
  return nullptr;
}

void Verify(const TrustedKey& k, const SignifySignature& sig, std::string_view bytes, SignatureCheck& c) {
  Status v = VerifyMessage(k.key, sig, bytes);
  if (v.ok()) {
    c.state = SignatureState::kVerified;
    c.message = "signed by trusted key " + c.key_id + " (" + k.file + ")";
  } else {
    c.state = SignatureState::kBad;
    c.message = "the signature by key " + c.key_id +
                " does not match the manifest: it was changed after signing, or the signature belongs to "
                "another file";
  }
}

}  // namespace

std::string_view EmbeddedMessage(std::string_view sig_text) {
  size_t first = sig_text.find('\n');
  if (first == std::string_view::npos) return {};
  size_t second = sig_text.find('\n', first + 1);
  if (second == std::string_view::npos) return {};
  return sig_text.substr(second + 1);
}

std::optional<Digest> ChecklistDigest(std::string_view checklist, std::string_view name) {
  const std::string prefix = "SHA256 (" + std::string(name) + ") = ";
  std::optional<Digest> found;
  int count = 0;
  while (!checklist.empty()) {
    size_t nl = checklist.find('\n');
    std::string_view line = checklist.substr(0, nl);
    checklist = nl == std::string_view::npos ? std::string_view() : checklist.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, prefix.size()) != prefix) continue;
    ++count;
    found = DigestFromHex(line.substr(prefix.size()));
  }
  if (count != 1) return std::nullopt;  // absent, or listed twice: refuse to pick
  return found;
}

const char* SignatureStateName(SignatureState s) {
  switch (s) {
    case SignatureState::kUnsigned:
      return "unsigned";
    case SignatureState::kVerified:
      return "verified";
    case SignatureState::kUnknownKey:
      return "unknown-key";
    case SignatureState::kBad:
      return "bad";
  }
  return "?";
}

Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes) {
  Result<std::unique_ptr<ByteReader>> in = OpenFileReader(path);
  if (!in.ok()) return in.status();
  return ReadAll(**in, max_bytes, path);
}

// A signed manifest is read into memory once and both verified and parsed
// from those bytes, so nothing can change between the two (Ed25519 signs the
// whole message: it cannot be verified as a stream). Any other manifest is
// parsed as a stream: a million-entry manifest then never sits in memory as
// text next to its parsed form.
Result<CheckedManifest> LoadCheckedManifest(const std::string& path, ManifestFormat format,
                                            const TrustOptions& trust, const ManifestLimits& limits) {
  Result<std::vector<TrustedKey>> keys = LoadKeys(trust);
  if (!keys.ok()) return keys.status();
  CheckedManifest out;
  SignifySignature sig;
  std::string checklist;
  const TrustedKey* signer = FindSigner(trust.signature_path.empty() ? path + ".sig" : trust.signature_path, *keys,
                                        out.signature, sig, checklist);
  if (signer != nullptr && !checklist.empty()) {
    Verify(*signer, sig, checklist, out.signature);
    std::string name(BaseName(path));
    std::optional<Digest> listed = ChecklistDigest(checklist, name);
    Result<Manifest> m = LoadManifest(path, format, limits);  // streamed; hashes what it parses
    if (!m.ok()) return m.status();
    out.manifest = std::move(m).value();
    if (out.signature.state != SignatureState::kVerified) return out;
    if (!listed) {
      out.signature.state = SignatureState::kBad;
      out.signature.message = "the signed checklist " + out.signature.signature_path + " does not list '" + name +
                              "' (once, as \"SHA256 (" + name + ") = <hash>\")";
    } else if (*listed != out.manifest.file_sha256) {
      out.signature.state = SignatureState::kBad;
      out.signature.message = "the manifest does not match the SHA-256 in the signed checklist by key " +
                              out.signature.key_id + ": it was changed after signing";
    } else {
      out.signature.message += ", through a signed checklist";
    }
    return out;
  }
  if (signer == nullptr) {
    Result<Manifest> m = LoadManifest(path, format, limits);
    if (!m.ok()) return m.status();
    out.manifest = std::move(m).value();
    return out;
  }
  Result<std::string> bytes = ReadWholeFile(path, limits.max_file_bytes);
  if (!bytes.ok()) return bytes.status();
  Verify(*signer, sig, *bytes, out.signature);
  Result<Manifest> m = ParseManifest(*bytes, path, format, limits);
  if (!m.ok()) return m.status();
  out.manifest = std::move(m).value();
  return out;
}

}  // namespace lifeboat
