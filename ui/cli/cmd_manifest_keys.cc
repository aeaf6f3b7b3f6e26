// `lifeboat manifest keygen|sign|verify`: signify-compatible Ed25519 keys
// and detached signatures for manifests (flags as in signify: -p, -s, -m, -x).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "recovery/hash_stream.h"
#include "recovery/manifest.h"
#include "recovery/manifest_trust.h"
#include "recovery/rel_path.h"
#include "recovery/signify.h"
#include "ui/cli/commands.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

struct KeyOptions {
  std::string pub, sec, manifest, sig, comment = "lifeboat manifest signing key";
  bool checklist = false;
};

int Fail(const std::string& what, const std::string& msg) {
  std::cerr << "lifeboat manifest " << what << ": error: " << Printable(msg) << '\n';
  return kExitOperational;
}

// Creates `path` (never replacing an existing file) with `mode`.
Status WriteNewFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno(errno, "create " + path);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "write " + path);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::FromErrno(errno, "write " + path);
  return Status::Ok();
}

std::string BaseNameOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int Keygen(const KeyOptions& o) {
  Result<SignifyKeyPair> pair = GenerateKeyPair(o.comment);
  if (!pair.ok()) return Fail("keygen", pair.status().message());
  Status s = WriteNewFile(o.sec, FormatSecretKey(pair->sec), 0600);
  if (s.ok()) s = WriteNewFile(o.pub, FormatPublicKey(pair->pub), 0644);
  if (!s.ok()) return Fail("keygen", s.message());
  std::cout << "key id " << KeyId(pair->pub.keynum) << ": public key " << o.pub << ", secret key " << o.sec
            << " (keep it offline)\n";
  return 0;
}

int Sign(const KeyOptions& o) {
  Result<std::string> sec_text = ReadWholeFile(o.sec, 4096);
  if (!sec_text.ok()) return Fail("sign", sec_text.status().message());
  Result<SignifySecretKey> sec = ParseSecretKey(*sec_text, o.sec);
  if (!sec.ok()) return Fail("sign", sec.status().message());
  ManifestLimits limits;
  Result<std::string> bytes = ReadWholeFile(o.manifest, limits.max_file_bytes);
  if (!bytes.ok()) return Fail("sign", bytes.status().message());
  // Never sign something lifeboat would refuse to read.
  Result<Manifest> parsed = ParseManifest(*bytes, o.manifest);
  if (!parsed.ok()) return Fail("sign", "not signing an invalid manifest: " + parsed.status().message());
  std::string pub_name = BaseNameOf(o.sec);
  if (pub_name.size() > 4 && pub_name.compare(pub_name.size() - 4, 4, ".sec") == 0)
    pub_name.replace(pub_name.size() - 4, 4, ".pub");
  // A checklist signs "SHA256 (<name>) = <hex>" (signify -S -e), not the manifest itself.
  std::string checklist;
  if (o.checklist)
    checklist = "SHA256 (" + std::string(BaseName(o.manifest)) + ") = " + ToHex(Sha256::Of(*bytes)) + "\n";
  Result<SignifySignature> sig =
      SignMessage(*sec, o.checklist ? std::string_view(checklist) : std::string_view(*bytes), "verify with " + pub_name);
  if (!sig.ok()) return Fail("sign", sig.status().message());
  std::string sig_path = o.sig.empty() ? o.manifest + ".sig" : o.sig;
  ::unlink(sig_path.c_str());  // a new signature replaces an old one
  Status s = WriteNewFile(sig_path, FormatSignature(*sig) + checklist, 0644);
  if (!s.ok()) return Fail("sign", s.message());
  std::cout << "signed " << o.manifest << " (" << parsed->entries.size() << " files, " << parsed->forbid.size()
            << " forbid rules) with key " << KeyId(sec->keynum) << ": " << sig_path << '\n';
  return 0;
}

int Verify(const KeyOptions& o) {
  Result<std::string> pub_text = ReadWholeFile(o.pub, 4096);
  if (!pub_text.ok()) return Fail("verify", pub_text.status().message());
  Result<SignifyPublicKey> pub = ParsePublicKey(*pub_text, o.pub);
  if (!pub.ok()) return Fail("verify", pub.status().message());
  std::string sig_path = o.sig.empty() ? o.manifest + ".sig" : o.sig;
  Result<std::string> sig_text = ReadWholeFile(sig_path, 64 * 1024);
  if (!sig_text.ok()) return Fail("verify", sig_text.status().message());
  Result<SignifySignature> sig = ParseSignature(*sig_text, sig_path);
  if (!sig.ok()) return Fail("verify", sig.status().message());
  if (std::string_view checklist = EmbeddedMessage(*sig_text); !checklist.empty()) {
    Status v = VerifyMessage(*pub, *sig, checklist);
    if (!v.ok()) return Fail("verify", sig_path + ": " + v.message());
    std::string name(BaseName(o.manifest));
    std::optional<Digest> listed = ChecklistDigest(checklist, name);
    if (!listed) return Fail("verify", "the signed checklist " + sig_path + " does not list '" + name + "'");
    Result<std::unique_ptr<ByteReader>> in = OpenFileReader(o.manifest);
    if (!in.ok()) return Fail("verify", in.status().message());
    Result<StreamHash> h = HashStream(**in, ManifestLimits{}.max_file_bytes, NullProgress(), CancelToken());
    if (!h.ok()) return Fail("verify", h.status().message());
    if (h->over_limit || h->digest != *listed)
      return Fail("verify", o.manifest + ": does not match the SHA-256 in the signed checklist");
    std::cout << "Signature Verified (key " << KeyId(pub->keynum) << ", checklist)\n";
    return 0;
  }
  Result<std::string> bytes = ReadWholeFile(o.manifest, ManifestLimits{}.max_file_bytes);
  if (!bytes.ok()) return Fail("verify", bytes.status().message());
  Status v = VerifyMessage(*pub, *sig, *bytes);
  if (!v.ok()) return Fail("verify", o.manifest + ": " + v.message());
  std::cout << "Signature Verified (key " << KeyId(pub->keynum) << ")\n";
  return 0;
}

}  // namespace

void AddManifestKeyCommands(CLI::App& manifest, int& exit_code) {
  auto o = std::make_shared<KeyOptions>();
  CLI::App* keygen = manifest.add_subcommand("keygen", "Make a signify-compatible Ed25519 key pair");
  keygen->add_option("-p,--public", o->pub, "Public key file to create (distribute it)")->required()->option_text("FILE");
  keygen->add_option("-s,--secret", o->sec, "Secret key file to create (keep it offline)")->required()->option_text("FILE");
  keygen->add_option("-c,--comment", o->comment, "Comment stored in both files")->option_text("TEXT");
  keygen->footer(
      "The files are in OpenBSD signify's format (as `signify -G -n`), without a passphrase:\n"
      "keep the secret key on the offline machine that signs manifests.\n\n"
      "Example:\n  lifeboat manifest keygen -p acme-2026.pub -s acme-2026.sec -c \"ACME repair manifests 2026\"");
  keygen->callback([o, &exit_code] { exit_code = Keygen(*o); });

  auto so = std::make_shared<KeyOptions>();
  CLI::App* sign = manifest.add_subcommand("sign", "Sign a manifest (detached signify signature)");
  sign->add_option("-s,--secret", so->sec, "Secret key (lifeboat keygen or signify -G -n)")->required()->option_text("FILE");
  sign->add_option("-m,--manifest", so->manifest, "Manifest to sign (checked first)")->required()->option_text("FILE");
  sign->add_option("-x,--signature", so->sig, "Signature file (default: <manifest>.sig)")->option_text("FILE");
  sign->add_flag("--checklist", so->checklist,
                 "Sign a checklist \"SHA256 (<name>) = <hash>\" (signify -S -e) instead of the whole manifest: "
                 "lifeboat then reads large manifests as a stream, without holding them in memory");
  sign->footer(
      "The manifest is parsed first: an invalid manifest is never signed. `signify -V -p KEY.pub\n"
      "-m MANIFEST -x MANIFEST.sig` verifies the result; with --checklist, `signify -C -p KEY.pub\n"
      "-x MANIFEST.sig` in the manifest's folder. Use --checklist for manifests of hundreds of\n"
      "thousands of files: a detached signature makes every reader hold the whole file in memory.\n\n"
      "Example:\n  lifeboat manifest sign -s acme-2026.sec -m xp-sp3-x86.lbm\n"
      "  lifeboat manifest sign --checklist -s acme-2026.sec -m win10-22h2-x64.lbm");
  sign->callback([so, &exit_code] { exit_code = Sign(*so); });

  auto vo = std::make_shared<KeyOptions>();
  CLI::App* verify = manifest.add_subcommand("verify", "Check a manifest's signature against a public key");
  verify->add_option("-p,--public", vo->pub, "Public key")->required()->option_text("FILE");
  verify->add_option("-m,--manifest", vo->manifest, "Signed manifest")->required()->option_text("FILE");
  verify->add_option("-x,--signature", vo->sig, "Signature file (default: <manifest>.sig)")->option_text("FILE");
  verify->footer(
      "Accepts signatures made by `signify -S` as well, and signed checklists (`signify -S -e`\n"
      "of \"SHA256 (<name>) = <hash>\" lines, as `sha256sum --tag` writes them).\n\n"
      "Example:\n  lifeboat manifest verify -p acme-2026.pub -m xp-sp3-x86.lbm\n\n"
      "Exit: 0 verified, 8 not verified or unreadable, 16 usage error.");
  verify->callback([vo, &exit_code] { exit_code = Verify(*vo); });
}

}  // namespace lifeboat::ui
