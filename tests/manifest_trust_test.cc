// Tests for recovery/manifest_trust.cc: LoadCheckedManifest's four signature
// states, where trusted keys come from (explicit files, *.pub in key
// directories), an explicit signature path, that the parsed manifest is the
// exact byte string that was verified, and ReadWholeFile's size limit.
#include "recovery/manifest_trust.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "recovery/signify.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::ReadFile;
using test::Sha256Hex;
using test::TempDir;
using test::WriteFile;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string ManifestText(const std::string& name = "trust-test") {
  return "lifeboat-manifest 1\n"
         "name " + name + "\n"
         "os family=windows version=5.1 build=2600 arch=x86\n"
         "require " + Sha256Hex("svchost") + " 7 WINDOWS/system32/svchost.exe\n"
         "require " + Sha256Hex("ntdll") + " 5 WINDOWS/system32/ntdll.dll | version=5.1.2600.5512\n"
         "end 2\n";
}

SignifyKeyPair NewPair() {
  Result<SignifyKeyPair> p = GenerateKeyPair("trust test");
  REQUIRE(p.ok());
  return std::move(p).value();
}

std::string SignatureFile(const SignifySecretKey& key, const std::string& bytes) {
  Result<SignifySignature> s = SignMessage(key, bytes, "verify with key.pub");
  REQUIRE(s.ok());
  return FormatSignature(*s);
}

// A temp dir with a signed manifest m.lbm (+ m.lbm.sig) and the signer's
// public key in keys/signer.pub.
struct Fixture {
  TempDir dir;
  SignifyKeyPair signer = NewPair();
  std::string manifest = dir / "m.lbm";
  std::string bytes = ManifestText();
  Fixture() {
    WriteFile(manifest, bytes);
    WriteFile(manifest + ".sig", SignatureFile(signer.sec, bytes));
    WriteFile(dir / "keys/signer.pub", FormatPublicKey(signer.pub));
  }
  std::string key_file() const { return dir / "keys/signer.pub"; }
  std::string key_id() const { return KeyId(signer.pub.keynum); }
};

CheckedManifest Load(const std::string& path, const TrustOptions& trust) {
  Result<CheckedManifest> c = LoadCheckedManifest(path, ManifestFormat::kAuto, trust);
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  return std::move(c).value();
}

TEST_CASE("trust: SignatureStateName") {
  CHECK(std::string(SignatureStateName(SignatureState::kUnsigned)) == "unsigned");
  CHECK(std::string(SignatureStateName(SignatureState::kVerified)) == "verified");
  CHECK(std::string(SignatureStateName(SignatureState::kUnknownKey)) == "unknown-key");
  CHECK(std::string(SignatureStateName(SignatureState::kBad)) == "bad");
}

TEST_CASE("trust: no .sig file -> unsigned, and the manifest is still loaded") {
  TempDir dir;
  WriteFile(dir / "m.lbm", ManifestText());
  CheckedManifest c = Load(dir / "m.lbm", {});
  CHECK(c.signature.state == SignatureState::kUnsigned);
  CHECK(c.signature.signature_path == dir / "m.lbm.sig");
  CHECK(c.signature.key_id.empty());
  CHECK(c.signature.key_file.empty());
  CHECK(Contains(c.signature.message, "not signed"));
  CHECK(Contains(c.signature.message, dir / "m.lbm.sig"));
  CHECK(c.manifest.title == "trust-test");
  CHECK(c.manifest.entries.size() == 2);
}

TEST_CASE("trust: signed by a key given in key_files -> verified, with key id and key file") {
  Fixture f;
  TrustOptions t;
  t.key_files = {f.key_file()};
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kVerified);
  CHECK(c.signature.key_id == f.key_id());
  CHECK(c.signature.key_file == f.key_file());
  CHECK(c.signature.signature_path == f.manifest + ".sig");
  CHECK(Contains(c.signature.message, f.key_id()));
  CHECK(c.manifest.format == ManifestFormat::kNative);
  CHECK(c.manifest.file_sha256 == Sha256::Of(f.bytes));
  CHECK(c.manifest.name == f.manifest);
}

TEST_CASE("trust: signed by a key that is not trusted -> unknown-key with the signer's id") {
  Fixture f;
  INFO("no keys at all");
  CheckedManifest none = Load(f.manifest, {});
  CHECK(none.signature.state == SignatureState::kUnknownKey);
  CHECK(none.signature.key_id == f.key_id());
  CHECK(none.signature.key_file.empty());
  CHECK(Contains(none.signature.message, f.key_id()));

  // Another trusted key does not help.
  SignifyKeyPair other = NewPair();
  WriteFile(f.dir / "other.pub", FormatPublicKey(other.pub));
  TrustOptions t;
  t.key_files = {f.dir / "other.pub"};
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kUnknownKey);
  CHECK(c.signature.key_id == f.key_id());
  CHECK(c.signature.key_file.empty());
}

TEST_CASE("trust: a manifest changed after signing -> bad, and still parsed") {
  Fixture f;
  // Still a valid manifest, one byte different: the name.
  std::string changed = ManifestText("trust-tesT");
  REQUIRE(changed.size() == f.bytes.size());
  WriteFile(f.manifest, changed);
  TrustOptions t;
  t.key_files = {f.key_file()};
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kBad);
  CHECK(c.signature.key_id == f.key_id());
  CHECK(c.signature.key_file == f.key_file());
  CHECK(Contains(c.signature.message, "does not match"));
  CHECK(c.manifest.title == "trust-tesT");

  // One appended byte (a comment line) is just as bad.
  WriteFile(f.manifest, f.bytes + "#\n");
  CHECK(Load(f.manifest, t).signature.state == SignatureState::kBad);
  // And the original bytes verify again.
  WriteFile(f.manifest, f.bytes);
  CHECK(Load(f.manifest, t).signature.state == SignatureState::kVerified);
}

TEST_CASE("trust: a garbage or unreadable .sig -> bad") {
  Fixture f;
  TrustOptions t;
  t.key_files = {f.key_file()};
  WriteFile(f.manifest + ".sig", "this is not a signature\n");
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kBad);
  CHECK(Contains(c.signature.message, "not valid"));
  CHECK(c.signature.key_id.empty());

  // A public key where the signature should be (wrong length).
  WriteFile(f.manifest + ".sig", FormatPublicKey(f.signer.pub));
  CHECK(Load(f.manifest, t).signature.state == SignatureState::kBad);

  // A signature file too large to be one.
  WriteFile(f.manifest + ".sig", std::string(10000, 'A'));
  CHECK(Load(f.manifest, t).signature.state == SignatureState::kBad);

  // A directory named like the signature: present but unreadable, not "unsigned".
  ::unlink((f.manifest + ".sig").c_str());
  REQUIRE(::mkdir((f.manifest + ".sig").c_str(), 0755) == 0);
  CheckedManifest d = Load(f.manifest, t);
  CHECK(d.signature.state == SignatureState::kBad);
}

TEST_CASE("trust: a signature of another file by the trusted key -> bad") {
  Fixture f;
  WriteFile(f.manifest + ".sig", SignatureFile(f.signer.sec, ManifestText("another")));
  TrustOptions t;
  t.key_files = {f.key_file()};
  CHECK(Load(f.manifest, t).signature.state == SignatureState::kBad);
}

TEST_CASE("trust: keys from key_dirs: only *.pub files, sorted, missing directories skipped") {
  Fixture f;
  SignifyKeyPair other = NewPair();
  TempDir keys;
  WriteFile(keys / "a-other.pub", FormatPublicKey(other.pub));
  WriteFile(keys / "b-signer.pub", FormatPublicKey(f.signer.pub));
  WriteFile(keys / "README", "not a key at all");
  WriteFile(keys / "notes.txt", "garbage");
  TrustOptions t;
  t.key_dirs = {f.dir / "no-such-dir", keys.path()};
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kVerified);
  CHECK(c.signature.key_file == keys / "b-signer.pub");
  CHECK(c.signature.key_id == f.key_id());
}

TEST_CASE("trust: a key in a key dir without the .pub suffix is not trusted") {
  Fixture f;
  TempDir keys;
  WriteFile(keys / "signer.key", FormatPublicKey(f.signer.pub));
  WriteFile(keys / "signer.pub.bak", FormatPublicKey(f.signer.pub));
  WriteFile(keys / ".pub", FormatPublicKey(f.signer.pub));  // only a suffix, no name
  TrustOptions t;
  t.key_dirs = {keys.path()};
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kUnknownKey);
  CHECK(c.signature.key_file.empty());
}

TEST_CASE("trust: only missing key dirs -> no keys, unknown-key, no error") {
  Fixture f;
  TrustOptions t;
  t.key_dirs = {f.dir / "missing1", f.dir / "missing2"};
  CHECK(Load(f.manifest, t).signature.state == SignatureState::kUnknownKey);
}

TEST_CASE("trust: an explicit key file that is missing or not a key is an error") {
  Fixture f;
  TrustOptions missing;
  missing.key_files = {f.dir / "absent.pub"};
  Result<CheckedManifest> a = LoadCheckedManifest(f.manifest, ManifestFormat::kAuto, missing);
  REQUIRE_FALSE(a.ok());
  CHECK(Contains(a.status().message(), "absent.pub"));

  WriteFile(f.dir / "bad.pub", "untrusted comment: x\nnot base64!\n");
  TrustOptions bad;
  bad.key_files = {f.key_file(), f.dir / "bad.pub"};
  Result<CheckedManifest> b = LoadCheckedManifest(f.manifest, ManifestFormat::kAuto, bad);
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == Status::Code::kInvalidInput);
  CHECK(Contains(b.status().message(), "bad.pub"));

  // A secret key given as a trusted key is refused too.
  WriteFile(f.dir / "signer.sec", FormatSecretKey(f.signer.sec));
  TrustOptions sec;
  sec.key_files = {f.dir / "signer.sec"};
  CHECK_FALSE(LoadCheckedManifest(f.manifest, ManifestFormat::kAuto, sec).ok());
}

TEST_CASE("trust: an explicit signature_path is used instead of <manifest>.sig") {
  Fixture f;
  std::string elsewhere = f.dir / "sigs/elsewhere.sig";
  WriteFile(elsewhere, ReadFile(f.manifest + ".sig"));
  WriteFile(f.manifest + ".sig", "garbage\n");
  TrustOptions t;
  t.key_files = {f.key_file()};
  t.signature_path = elsewhere;
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kVerified);
  CHECK(c.signature.signature_path == elsewhere);

  // A named signature that does not exist: unsigned, naming that path.
  t.signature_path = f.dir / "missing.sig";
  CheckedManifest u = Load(f.manifest, t);
  CHECK(u.signature.state == SignatureState::kUnsigned);
  CHECK(u.signature.signature_path == f.dir / "missing.sig");
}

TEST_CASE("trust: a correctly signed but invalid manifest is still a parse error") {
  TempDir dir;
  SignifyKeyPair k = NewPair();
  // Valid header, wrong end count: signify would accept it, lifeboat must not.
  std::string bytes = "lifeboat-manifest 1\nname broken\nrequire " + Sha256Hex("x") + " 1 WINDOWS/x.dll\nend 2\n";
  WriteFile(dir / "m.lbm", bytes);
  WriteFile(dir / "m.lbm.sig", SignatureFile(k.sec, bytes));
  WriteFile(dir / "k.pub", FormatPublicKey(k.pub));
  TrustOptions t;
  t.key_files = {dir / "k.pub"};
  Result<CheckedManifest> c = LoadCheckedManifest(dir / "m.lbm", ManifestFormat::kAuto, t);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kInvalidInput);
  CHECK(Contains(c.status().message(), "m.lbm:4"));
}

TEST_CASE("trust: the manifest parsed is the byte string verified (sha256sum format too)") {
  TempDir dir;
  SignifyKeyPair k = NewPair();
  std::string bytes = Sha256Hex("a") + "  WINDOWS/a.dll\n" + Sha256Hex("b") + "  WINDOWS/b.dll\n";
  WriteFile(dir / "m.sha256", bytes);
  WriteFile(dir / "m.sha256.sig", SignatureFile(k.sec, bytes));
  WriteFile(dir / "k.pub", FormatPublicKey(k.pub));
  TrustOptions t;
  t.key_files = {dir / "k.pub"};
  CheckedManifest c = Load(dir / "m.sha256", t);
  CHECK(c.signature.state == SignatureState::kVerified);
  CHECK(c.manifest.format == ManifestFormat::kSha256sum);
  CHECK(c.manifest.file_sha256 == Sha256::Of(bytes));
  REQUIRE(c.manifest.entries.size() == 2);
  CHECK(c.manifest.entries[1].path == "WINDOWS/b.dll");
}

TEST_CASE("trust: a missing manifest is an error even with a signature") {
  TempDir dir;
  Result<CheckedManifest> c = LoadCheckedManifest(dir / "absent.lbm", ManifestFormat::kAuto, {});
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kNotFound);
  CHECK(Contains(c.status().message(), "absent.lbm"));
}

TEST_CASE("trust: the manifest size limit applies before anything is verified") {
  Fixture f;
  ManifestLimits small;
  small.max_file_bytes = f.bytes.size() - 1;
  TrustOptions t;
  t.key_files = {f.key_file()};
  Result<CheckedManifest> c = LoadCheckedManifest(f.manifest, ManifestFormat::kAuto, t, small);
  REQUIRE_FALSE(c.ok());
  CHECK(Contains(c.status().message(), "larger than"));
  small.max_file_bytes = f.bytes.size();
  CHECK(LoadCheckedManifest(f.manifest, ManifestFormat::kAuto, t, small).ok());
}

TEST_CASE("trust: ReadWholeFile returns the bytes and refuses files over the limit") {
  TempDir dir;
  std::string data = test::RandomBytes(200000, 5);  // several read chunks
  WriteFile(dir / "f", data);
  Result<std::string> all = ReadWholeFile(dir / "f", data.size());
  REQUIRE(all.ok());
  CHECK(*all == data);
  Result<std::string> over = ReadWholeFile(dir / "f", data.size() - 1);
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == Status::Code::kInvalidInput);
  CHECK(Contains(over.status().message(), dir / "f"));
  CHECK(Contains(over.status().message(), std::to_string(data.size() - 1)));

  WriteFile(dir / "empty", "");
  Result<std::string> empty = ReadWholeFile(dir / "empty", 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  WriteFile(dir / "one", "x");
  CHECK_FALSE(ReadWholeFile(dir / "one", 0).ok());

  Result<std::string> missing = ReadWholeFile(dir / "missing", 10);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kNotFound);
}


// signify -S -e of a checklist: the signature lines, then the signed message.
std::string ChecklistFile(const SignifySecretKey& key, const std::string& checklist) {
  return SignatureFile(key, checklist) + checklist;
}

TEST_CASE("trust: a signed checklist -> verified when the streamed manifest has the listed SHA-256") {
  Fixture f;
  TrustOptions t;
  t.key_files = {f.key_file()};
  const std::string line = "SHA256 (m.lbm) = " + ToHex(Sha256::Of(f.bytes)) + "\n";
  // Other files in the checklist are ignored, as signify -C checks each on its own.
  WriteFile(f.manifest + ".sig", ChecklistFile(f.signer.sec, "SHA256 (other.lbm) = " + Sha256Hex("x") + "\n" + line));
  CheckedManifest c = Load(f.manifest, t);
  CHECK(c.signature.state == SignatureState::kVerified);
  CHECK(Contains(c.signature.message, "checklist"));
  CHECK(c.signature.key_id == f.key_id());
  CHECK(c.manifest.file_sha256 == Sha256::Of(f.bytes));
  CHECK(c.manifest.entries.size() == 2);

  SUBCASE("the manifest changed after signing -> bad") {
    WriteFile(f.manifest, ManifestText("trust-tesT"));
    CheckedManifest b = Load(f.manifest, t);
    CHECK(b.signature.state == SignatureState::kBad);
    CHECK(Contains(b.signature.message, "does not match the SHA-256 in the signed checklist"));
  }
  SUBCASE("the checklist changed after signing -> bad") {
    std::string sig = ReadFile(f.manifest + ".sig");
    sig[sig.size() - 2] = sig[sig.size() - 2] == '0' ? '1' : '0';  // a digit of the listed hash
    WriteFile(f.manifest + ".sig", sig);
    CHECK(Load(f.manifest, t).signature.state == SignatureState::kBad);
  }
  SUBCASE("the checklist does not list this file, or lists it twice -> bad") {
    WriteFile(f.manifest + ".sig", ChecklistFile(f.signer.sec, "SHA256 (M.LBM) = " + ToHex(Sha256::Of(f.bytes)) + "\n"));
    CheckedManifest b = Load(f.manifest, t);
    CHECK(b.signature.state == SignatureState::kBad);
    CHECK(Contains(b.signature.message, "does not list 'm.lbm'"));
    WriteFile(f.manifest + ".sig", ChecklistFile(f.signer.sec, line + line));
    CHECK(Load(f.manifest, t).signature.state == SignatureState::kBad);
  }
  SUBCASE("signed by a key that is not trusted -> unknown-key") {
    CHECK(Load(f.manifest, {}).signature.state == SignatureState::kUnknownKey);
  }
}

TEST_CASE("trust: ChecklistDigest and EmbeddedMessage") {
  const std::string h = Sha256Hex("a");
  CHECK(ChecklistDigest("SHA256 (a.lbm) = " + h + "\r\n", "a.lbm").has_value());
  CHECK_FALSE(ChecklistDigest("SHA256 (a.lbm) = " + h.substr(1) + "\n", "a.lbm").has_value());
  CHECK_FALSE(ChecklistDigest("SHA512 (a.lbm) = " + h + "\n", "a.lbm").has_value());
  CHECK_FALSE(ChecklistDigest("SHA256 (x/a.lbm) = " + h + "\n", "a.lbm").has_value());
  CHECK(ToHex(*ChecklistDigest("SHA256 (a.lbm) = " + h, "a.lbm")) == h);
  CHECK(EmbeddedMessage("untrusted comment: x\nRWQ=\n").empty());
  CHECK(EmbeddedMessage("untrusted comment: x\nRWQ=\nSHA256 (a) = b\n") == "SHA256 (a) = b\n");
  CHECK(EmbeddedMessage("untrusted comment: x").empty());
}

}  // namespace
}  // namespace lifeboat
