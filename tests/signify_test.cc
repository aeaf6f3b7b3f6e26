// Tests for recovery/signify.cc: key generation, the exact byte layout of
// signify's public key, secret key and signature files, signing and
// verification, every parse refusal, and interoperation with OpenBSD's
// signify (the `signify-openbsd` command of Debian's package) in both
// directions when that command is installed.
#include "recovery/signify.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <vector>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

using test::ReadFile;
using test::TempDir;
using test::WriteFile;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string FirstLine(const std::string& file) { return file.substr(0, file.find('\n')); }
std::string SecondLine(const std::string& file) {
  size_t nl = file.find('\n');
  size_t end = file.find('\n', nl + 1);
  return file.substr(nl + 1, end - nl - 1);
}

// Decodes standard base64 (padding included) with OpenSSL, independently of
// the engine's decoder.
std::vector<uint8_t> Unbase64(const std::string& b64) {
  REQUIRE(b64.size() % 4 == 0);
  std::vector<uint8_t> out(b64.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  REQUIRE(n >= 0);
  size_t pad = (!b64.empty() && b64.back() == '=') + (b64.size() > 1 && b64[b64.size() - 2] == '=');
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Base64(const std::vector<uint8_t>& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The decoded payload of a signify file's second line.
std::vector<uint8_t> PayloadOf(const std::string& file) { return Unbase64(SecondLine(file)); }

std::string MakeFile(const std::string& comment, const std::vector<uint8_t>& payload) {
  return "untrusted comment: " + comment + "\n" + Base64(payload) + "\n";
}

std::vector<uint8_t> Slice(const std::vector<uint8_t>& v, size_t from, size_t n) {
  REQUIRE(from + n <= v.size());
  return std::vector<uint8_t>(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(from + n));
}

template <size_t N>
std::vector<uint8_t> Vec(const std::array<uint8_t, N>& a) {
  return std::vector<uint8_t>(a.begin(), a.end());
}

SignifyKeyPair NewPair(const std::string& comment = "test") {
  Result<SignifyKeyPair> p = GenerateKeyPair(comment);
  REQUIRE(p.ok());
  return std::move(p).value();
}

SignifySignature Sign(const SignifySecretKey& key, std::string_view message, const std::string& comment = "sig") {
  Result<SignifySignature> s = SignMessage(key, message, comment);
  REQUIRE(s.ok());
  return std::move(s).value();
}

// The message of a failed parse, checking it failed as invalid input.
template <typename T>
std::string Error(const Result<T>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidInput);
  return r.status().message();
}

bool HaveSignify() { return std::system("command -v signify-openbsd >/dev/null 2>&1") == 0; }

// Runs a shell command in `dir`; true if it exited 0.
bool Run(const TempDir& dir, const std::string& command) {
  std::string full = "cd '" + dir.path() + "' && " + command + " >/dev/null 2>&1";
  return std::system(full.c_str()) == 0;
}

// ---------------------------------------------------------------- keys

TEST_CASE("signify: a generated pair shares its keynum and the secret key ends with the public key") {
  SignifyKeyPair p = NewPair("acme 2026");
  CHECK(p.pub.keynum == p.sec.keynum);
  CHECK(p.pub.comment == "acme 2026 public key");
  CHECK(p.sec.comment == "acme 2026 secret key");
  CHECK(std::equal(p.pub.key.begin(), p.pub.key.end(), p.sec.key.begin() + 32));
  CHECK(p.pub.key != std::array<uint8_t, 32>{});
  CHECK(p.pub.keynum != KeyNum{});
  // Two pairs differ (keys and key numbers are random).
  SignifyKeyPair q = NewPair();
  CHECK(q.pub.key != p.pub.key);
  CHECK(q.pub.keynum != p.pub.keynum);
}

TEST_CASE("signify: KeyId is 16 lower-case hex digits of the keynum") {
  KeyNum k = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  CHECK(KeyId(k) == "0123456789abcdef");
  CHECK(KeyId(KeyNum{}) == "0000000000000000");
  CHECK(KeyId(KeyNum{0xff, 0, 0, 0, 0, 0, 0, 0x10}) == "ff00000000000010");
}

TEST_CASE("signify: public key file layout is 'Ed' | keynum | key, 42 bytes") {
  SignifyKeyPair p = NewPair("layout");
  std::string text = FormatPublicKey(p.pub);
  CHECK(FirstLine(text) == "untrusted comment: layout public key");
  CHECK(text.back() == '\n');
  CHECK(SecondLine(text).size() == 56);  // 42 bytes, no padding
  std::vector<uint8_t> d = PayloadOf(text);
  REQUIRE(d.size() == 42);
  CHECK(d[0] == 'E');
  CHECK(d[1] == 'd');
  CHECK(Slice(d, 2, 8) == Vec(p.pub.keynum));
  CHECK(Slice(d, 10, 32) == Vec(p.pub.key));
  // Exactly two lines.
  CHECK(text.find('\n', text.find('\n') + 1) == text.size() - 1);
}

TEST_CASE("signify: secret key file layout: 'Ed' 'BK', 0 kdf rounds, salt, SHA-512 checksum, keynum, key") {
  SignifyKeyPair p = NewPair("layout");
  std::string text = FormatSecretKey(p.sec);
  CHECK(FirstLine(text) == "untrusted comment: layout secret key");
  std::vector<uint8_t> d = PayloadOf(text);
  REQUIRE(d.size() == 104);
  CHECK(d[0] == 'E');
  CHECK(d[1] == 'd');
  CHECK(d[2] == 'B');
  CHECK(d[3] == 'K');
  CHECK(Slice(d, 4, 4) == std::vector<uint8_t>{0, 0, 0, 0});  // kdf rounds: no passphrase
  uint8_t digest[SHA512_DIGEST_LENGTH];
  SHA512(p.sec.key.data(), p.sec.key.size(), digest);
  CHECK(Slice(d, 24, 8) == std::vector<uint8_t>(digest, digest + 8));
  CHECK(Slice(d, 32, 8) == Vec(p.sec.keynum));
  CHECK(Slice(d, 40, 64) == Vec(p.sec.key));
  // The salt is random: two formattings of the same key differ only there.
  std::vector<uint8_t> again = PayloadOf(FormatSecretKey(p.sec));
  CHECK(Slice(again, 8, 16) != Slice(d, 8, 16));
  CHECK(Slice(again, 24, 80) == Slice(d, 24, 80));
}

TEST_CASE("signify: signature file layout is 'Ed' | keynum | signature, 74 bytes, keynum of the signer") {
  SignifyKeyPair p = NewPair();
  SignifySignature s = Sign(p.sec, "hello\n", "verify with test.pub");
  CHECK(s.keynum == p.pub.keynum);
  CHECK(s.comment == "verify with test.pub");
  std::string text = FormatSignature(s);
  CHECK(FirstLine(text) == "untrusted comment: verify with test.pub");
  std::vector<uint8_t> d = PayloadOf(text);
  REQUIRE(d.size() == 74);
  CHECK(d[0] == 'E');
  CHECK(d[1] == 'd');
  CHECK(Slice(d, 2, 8) == Vec(p.pub.keynum));
  CHECK(Slice(d, 10, 64) == Vec(s.sig));
}

TEST_CASE("signify: format -> parse round trips for public key, secret key and signature") {
  SignifyKeyPair p = NewPair("round trip");
  Result<SignifyPublicKey> pub = ParsePublicKey(FormatPublicKey(p.pub), "k.pub");
  REQUIRE(pub.ok());
  CHECK(pub->keynum == p.pub.keynum);
  CHECK(pub->key == p.pub.key);
  CHECK(pub->comment == "round trip public key");

  Result<SignifySecretKey> sec = ParseSecretKey(FormatSecretKey(p.sec), "k.sec");
  REQUIRE(sec.ok());
  CHECK(sec->keynum == p.sec.keynum);
  CHECK(sec->key == p.sec.key);
  CHECK(sec->comment == "round trip secret key");

  SignifySignature s = Sign(p.sec, "message", "a comment with: colons");
  Result<SignifySignature> sig = ParseSignature(FormatSignature(s), "m.sig");
  REQUIRE(sig.ok());
  CHECK(sig->keynum == s.keynum);
  CHECK(sig->sig == s.sig);
  CHECK(sig->comment == "a comment with: colons");

  // Keys read back sign and verify like the originals.
  SignifySignature s2 = Sign(*sec, "message");
  CHECK(s2.sig == s.sig);  // Ed25519 is deterministic
  CHECK(VerifyMessage(*pub, *sig, "message").ok());
}

TEST_CASE("signify: CRLF files and a missing final newline still parse") {
  SignifyKeyPair p = NewPair();
  std::string text = FormatPublicKey(p.pub);
  std::string crlf = FirstLine(text) + "\n" + SecondLine(text) + "\r\n";
  Result<SignifyPublicKey> a = ParsePublicKey(crlf, "crlf.pub");
  REQUIRE(a.ok());
  CHECK(a->key == p.pub.key);
  Result<SignifyPublicKey> b = ParsePublicKey(text.substr(0, text.size() - 1), "nonl.pub");
  REQUIRE(b.ok());
  CHECK(b->key == p.pub.key);
}

// ---------------------------------------------------------------- sign/verify

TEST_CASE("signify: sign and verify; a one-byte change of message or signature fails") {
  SignifyKeyPair p = NewPair();
  std::string message = test::RandomBytes(5000, 7);
  SignifySignature s = Sign(p.sec, message);
  CHECK(VerifyMessage(p.pub, s, message).ok());

  std::string changed = message;
  changed[1234] = static_cast<char>(changed[1234] ^ 0x01);
  Status bad_msg = VerifyMessage(p.pub, s, changed);
  CHECK_FALSE(bad_msg.ok());
  CHECK(bad_msg.code() == Status::Code::kInvalidInput);
  CHECK(Contains(bad_msg.message(), "verification failed"));
  CHECK_FALSE(VerifyMessage(p.pub, s, message + "x").ok());
  CHECK_FALSE(VerifyMessage(p.pub, s, message.substr(0, message.size() - 1)).ok());

  for (size_t i : {0u, 31u, 32u, 63u}) {
    SignifySignature t = s;
    t.sig[i] ^= 0x80;
    CHECK_FALSE(VerifyMessage(p.pub, t, message).ok());
  }
  // The empty message is a message like any other.
  SignifySignature e = Sign(p.sec, "");
  CHECK(VerifyMessage(p.pub, e, "").ok());
  CHECK_FALSE(VerifyMessage(p.pub, e, "\n").ok());
}

TEST_CASE("signify: a signature by another key fails, naming both key ids") {
  SignifyKeyPair a = NewPair(), b = NewPair();
  SignifySignature s = Sign(a.sec, "manifest");
  Status st = VerifyMessage(b.pub, s, "manifest");
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == Status::Code::kInvalidInput);
  CHECK(Contains(st.message(), KeyId(a.pub.keynum)));
  CHECK(Contains(st.message(), KeyId(b.pub.keynum)));

  // Same keynum, other key material (a forged public key file): still fails.
  SignifyPublicKey forged = b.pub;
  forged.keynum = a.pub.keynum;
  CHECK_FALSE(VerifyMessage(forged, s, "manifest").ok());
}

// ---------------------------------------------------------------- parse errors

TEST_CASE("signify: a file without the comment line is refused") {
  SignifyKeyPair p = NewPair();
  std::string text = FormatPublicKey(p.pub);
  std::string msg = Error(ParsePublicKey(SecondLine(text) + "\n", "nocomment.pub"));
  CHECK(Contains(msg, "nocomment.pub"));
  CHECK(Contains(msg, "untrusted comment"));
  // A comment line but no newline at all (nothing after it).
  CHECK(Contains(Error(ParsePublicKey("untrusted comment: x", "x.pub")), "untrusted comment"));
  CHECK_FALSE(ParsePublicKey("", "empty.pub").ok());
  CHECK_FALSE(ParseSignature("Untrusted comment: x\n" + SecondLine(text) + "\n", "case.sig").ok());
}

TEST_CASE("signify: bad base64 is refused") {
  SignifyKeyPair p = NewPair();
  std::string b64 = SecondLine(FormatPublicKey(p.pub));
  std::string bad = b64;
  bad[10] = '!';
  CHECK(Contains(Error(ParsePublicKey("untrusted comment: x\n" + bad + "\n", "bad.pub")), "base64"));
  CHECK(Contains(Error(ParsePublicKey("untrusted comment: x\n" + b64.substr(1) + "\n", "short.pub")), "base64"));
  CHECK(Contains(Error(ParsePublicKey("untrusted comment: x\n\n", "none.pub")), "base64"));
  CHECK(Contains(Error(ParsePublicKey("untrusted comment: x\n" + b64.substr(0, 20) + " " + b64.substr(20) + "\n",
                                      "space.pub")),
                 "base64"));
}

TEST_CASE("signify: wrong payload length for the kind of file is refused") {
  SignifyKeyPair p = NewPair();
  std::string pub = FormatPublicKey(p.pub);
  std::string sig = FormatSignature(Sign(p.sec, "m"));
  std::string sec = FormatSecretKey(p.sec);
  CHECK(Contains(Error(ParseSignature(pub, "pub-as.sig")), "wrong length"));
  CHECK(Contains(Error(ParsePublicKey(sig, "sig-as.pub")), "wrong length"));
  CHECK(Contains(Error(ParsePublicKey(sec, "sec-as.pub")), "wrong length"));
  CHECK(Contains(Error(ParseSecretKey(pub, "pub-as.sec")), "wrong length"));
  std::vector<uint8_t> d = PayloadOf(pub);
  d.push_back(0);
  d.push_back(0);
  d.push_back(0);
  CHECK(Contains(Error(ParsePublicKey(MakeFile("x", d), "long.pub")), "wrong length"));
}

TEST_CASE("signify: an algorithm other than Ed is refused") {
  SignifyKeyPair p = NewPair();
  std::vector<uint8_t> d = PayloadOf(FormatPublicKey(p.pub));
  d[1] = 'X';
  std::string msg = Error(ParsePublicKey(MakeFile("x", d), "alg.pub"));
  CHECK(Contains(msg, "alg.pub"));
  CHECK(Contains(msg, "Ed25519"));
  std::vector<uint8_t> s = PayloadOf(FormatSignature(Sign(p.sec, "m")));
  s[0] = 'e';
  CHECK(Contains(Error(ParseSignature(MakeFile("x", s), "alg.sig")), "Ed25519"));
  std::vector<uint8_t> k = PayloadOf(FormatSecretKey(p.sec));
  k[2] = 'X';  // kdf algorithm other than bcrypt
  CHECK_FALSE(ParseSecretKey(MakeFile("x", k), "kdf.sec").ok());
}

TEST_CASE("signify: a passphrase-protected secret key (kdf rounds != 0) is refused with a hint") {
  SignifyKeyPair p = NewPair();
  std::vector<uint8_t> d = PayloadOf(FormatSecretKey(p.sec));
  // signify's default: 42 bcrypt rounds, big-endian.
  d[4] = 0;
  d[5] = 0;
  d[6] = 0;
  d[7] = 42;
  std::string msg = Error(ParseSecretKey(MakeFile("signify secret key", d), "protected.sec"));
  CHECK(Contains(msg, "protected.sec"));
  CHECK(Contains(msg, "passphrase"));
  CHECK(Contains(msg, "-n"));
  // A high byte counts too (rounds are 32 bits, not one byte).
  d[7] = 0;
  d[4] = 1;
  CHECK(Contains(Error(ParseSecretKey(MakeFile("x", d), "p2.sec")), "passphrase"));
}

TEST_CASE("signify: a damaged secret key (checksum mismatch) is refused") {
  SignifyKeyPair p = NewPair();
  std::vector<uint8_t> d = PayloadOf(FormatSecretKey(p.sec));
  std::vector<uint8_t> bad_sum = d;
  bad_sum[24] ^= 1;
  std::string msg = Error(ParseSecretKey(MakeFile("x", bad_sum), "sum.sec"));
  CHECK(Contains(msg, "sum.sec"));
  CHECK(Contains(msg, "checksum"));
  std::vector<uint8_t> bad_key = d;
  bad_key[40 + 10] ^= 1;  // a seed byte
  CHECK(Contains(Error(ParseSecretKey(MakeFile("x", bad_key), "key.sec")), "checksum"));
  std::vector<uint8_t> bad_pub = d;
  bad_pub[40 + 63] ^= 1;  // a byte of the embedded public key
  CHECK(Contains(Error(ParseSecretKey(MakeFile("x", bad_pub), "pub.sec")), "checksum"));
  // The salt is not covered by the checksum (signify's own rule).
  std::vector<uint8_t> other_salt = d;
  other_salt[8] ^= 1;
  CHECK(ParseSecretKey(MakeFile("x", other_salt), "salt.sec").ok());
}

// ---------------------------------------------------------------- interop

TEST_CASE("signify: interop: a lifeboat key and signature verify with signify-openbsd -V") {
  if (!HaveSignify()) {
    MESSAGE("signify-openbsd not installed: interop test skipped");
    return;
  }
  TempDir dir;
  SignifyKeyPair p = NewPair("lifeboat interop");
  std::string message = "lifeboat-manifest 1\nname interop\n" + test::RandomBytes(300, 3);
  WriteFile(dir / "k.pub", FormatPublicKey(p.pub));
  WriteFile(dir / "k.sec", FormatSecretKey(p.sec));
  WriteFile(dir / "m.lbm", message);
  WriteFile(dir / "m.lbm.sig", FormatSignature(Sign(p.sec, message, "verify with k.pub")));
  CHECK(Run(dir, "signify-openbsd -V -q -p k.pub -x m.lbm.sig -m m.lbm"));
  // And signify refuses a changed message, so the check above means something.
  WriteFile(dir / "m2.lbm", message + "x");
  CHECK_FALSE(Run(dir, "signify-openbsd -V -q -p k.pub -x m.lbm.sig -m m2.lbm"));
  // signify signs with a lifeboat secret key (format, checksum and 0 rounds accepted).
  REQUIRE(Run(dir, "signify-openbsd -S -s k.sec -m m.lbm -x by-signify.sig"));
  Result<SignifySignature> s = ParseSignature(ReadFile(dir / "by-signify.sig"), "by-signify.sig");
  REQUIRE(s.ok());
  CHECK(VerifyMessage(p.pub, *s, message).ok());
}

TEST_CASE("signify: interop: a signify-openbsd -G -n key and -S signature verify with lifeboat") {
  if (!HaveSignify()) {
    MESSAGE("signify-openbsd not installed: interop test skipped");
    return;
  }
  TempDir dir;
  std::string message = test::RandomBytes(1000, 11);
  WriteFile(dir / "msg", message);
  REQUIRE(Run(dir, "signify-openbsd -G -n -c 'made by signify' -p s.pub -s s.sec"));
  REQUIRE(Run(dir, "signify-openbsd -S -s s.sec -m msg -x msg.sig"));
  Result<SignifyPublicKey> pub = ParsePublicKey(ReadFile(dir / "s.pub"), "s.pub");
  REQUIRE(pub.ok());
  CHECK(pub->comment == "made by signify public key");
  Result<SignifySecretKey> sec = ParseSecretKey(ReadFile(dir / "s.sec"), "s.sec");
  REQUIRE(sec.ok());
  CHECK(sec->keynum == pub->keynum);
  CHECK(std::equal(pub->key.begin(), pub->key.end(), sec->key.begin() + 32));
  Result<SignifySignature> sig = ParseSignature(ReadFile(dir / "msg.sig"), "msg.sig");
  REQUIRE(sig.ok());
  CHECK(sig->keynum == pub->keynum);
  CHECK(VerifyMessage(*pub, *sig, message).ok());
  std::string changed = message;
  changed[0] = static_cast<char>(changed[0] ^ 1);
  CHECK_FALSE(VerifyMessage(*pub, *sig, changed).ok());
  // lifeboat's signature with signify's secret key is the one signify made.
  CHECK(Sign(*sec, message).sig == sig->sig);
  // Re-formatting signify's public key gives back its file byte for byte.
  CHECK(FormatPublicKey(*pub) == ReadFile(dir / "s.pub"));
}

}  // namespace
}  // namespace lifeboat
