// Tests for recovery/sha256.cc and recovery/hash_stream.cc.
#include "recovery/sha256.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "recovery/hash_stream.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

TEST_CASE("known SHA-256 vectors") {
  CHECK(ToHex(Sha256::Of("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ToHex(Sha256::Of("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ToHex(Sha256::Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("incremental hashing equals one-shot, and Finish resets") {
  std::string data = test::RandomBytes(100000, 5);
  Sha256 h;
  for (size_t i = 0; i < data.size(); i += 777) h.Update(data.data() + i, std::min<size_t>(777, data.size() - i));
  CHECK(h.Finish() == Sha256::Of(data));
  h.Update("abc", 3);
  CHECK(h.Finish() == Sha256::Of("abc"));
}

TEST_CASE("hex round trip and rejection of non-digests") {
  Digest d = Sha256::Of("x");
  CHECK(DigestFromHex(ToHex(d)) == d);
  std::string upper = ToHex(d);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(DigestFromHex(upper) == d);
  CHECK_FALSE(DigestFromHex("abc").has_value());
  CHECK_FALSE(DigestFromHex(std::string(63, 'a') + "g").has_value());
  CHECK_FALSE(DigestFromHex(std::string(65, 'a')).has_value());
}

class Sink : public ProgressSink {
 public:
  void Advance(uint64_t, uint64_t bytes) override { total += bytes; }
  uint64_t total = 0;
};

TEST_CASE("HashStream hashes streams, reports progress, and stops at the byte limit") {
  std::string data = test::RandomBytes(3 << 20, 9);  // several 1 MiB reads
  CancelToken cancel;
  Sink sink;
  auto in = MemoryReader(data);
  Result<StreamHash> h = HashStream(*in, UINT64_MAX - 1, sink, cancel);
  REQUIRE(h.ok());
  CHECK(h->digest == Sha256::Of(data));
  CHECK(h->bytes == data.size());
  CHECK_FALSE(h->over_limit);
  CHECK(sink.total == data.size());

  auto in2 = MemoryReader(data);
  Result<StreamHash> limited = HashStream(*in2, 1000, NullProgress(), cancel);
  REQUIRE(limited.ok());
  CHECK(limited->over_limit);

  cancel.Cancel();
  auto in3 = MemoryReader(data);
  CHECK(HashStream(*in3, UINT64_MAX - 1, NullProgress(), cancel).status().code() == Status::Code::kCancelled);
}

TEST_CASE("a million 'a's, fed in uneven pieces") {
  std::string a(1000000, 'a');
  const char* kWant = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  CHECK(ToHex(Sha256::Of(a)) == kWant);
  Sha256 h;
  size_t pos = 0, step = 1;
  while (pos < a.size()) {
    size_t n = std::min(step, a.size() - pos);
    h.Update(a.data() + pos, n);
    pos += n;
    step = step * 3 + 1;
  }
  CHECK(ToHex(h.Finish()) == kWant);
}

TEST_CASE("Reset discards what was fed; empty updates change nothing") {
  Sha256 h;
  h.Update("garbage", 7);
  h.Reset();
  h.Update("", 0);
  h.Update("abc", 3);
  h.Update(nullptr, 0);
  CHECK(ToHex(h.Finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ToHex(h.Finish()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("ToHex is lower-case; DigestFromHex takes exactly 64 hex digits") {
  Digest d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 8 + 7);
  std::string hex = ToHex(d);
  CHECK(hex.size() == 64);
  CHECK(hex.substr(0, 8) == "070f171f");
  CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(DigestFromHex(hex) == d);
  CHECK_FALSE(DigestFromHex("").has_value());
  CHECK_FALSE(DigestFromHex(" " + hex.substr(1)).has_value());
  CHECK_FALSE(DigestFromHex("0x" + hex.substr(2)).has_value());
  CHECK_FALSE(DigestFromHex(hex.substr(0, 63)).has_value());
  std::string with_nul = hex;
  with_nul[40] = '\0';
  CHECK_FALSE(DigestFromHex(with_nul).has_value());
}

TEST_CASE("DigestFromHex: every byte value at every position (the lookup table against the definition)") {
  Digest d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(0x9E - i * 5);
  const std::string hex = ToHex(d);
  const std::string digits = "0123456789abcdef";
  for (size_t pos = 0; pos < 64; ++pos) {
    for (int c = 0; c < 256; ++c) {
      std::string h = hex;
      h[pos] = static_cast<char>(c);
      std::optional<Digest> got = DigestFromHex(h);
      size_t value = digits.find(static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c));
      CAPTURE(pos);
      CAPTURE(c);
      if (c == 0 || value == std::string::npos) {
        CHECK_FALSE(got.has_value());
        continue;
      }
      REQUIRE(got.has_value());
      Digest want = d;
      uint8_t& byte = want[pos / 2];
      byte = static_cast<uint8_t>(pos % 2 == 0 ? (value << 4) | (byte & 0x0F) : (byte & 0xF0) | value);
      CHECK(*got == want);
    }
  }
}

// Returns the data in small uneven pieces, then optionally an error.
class ChunkReader final : public ByteReader {
 public:
  ChunkReader(std::string data, size_t chunk, bool fail_at_end)
      : data_(std::move(data)), chunk_(chunk), fail_(fail_at_end) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    if (pos_ == data_.size()) {
      if (fail_) return Status::Error(Status::Code::kIoError, "read disk.img: Input/output error", EIO);
      return size_t{0};
    }
    size_t n = std::min({cap, chunk_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, n, buf);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t chunk_;
  bool fail_;
  size_t pos_ = 0;
};

TEST_CASE("HashStream: the limit is inclusive, over-limit leaves the digest unset") {
  std::string data = test::RandomBytes(5000, 1);
  CancelToken cancel;
  auto exact = MemoryReader(data);
  Result<StreamHash> a = HashStream(*exact, data.size(), NullProgress(), cancel);
  REQUIRE(a.ok());
  CHECK_FALSE(a->over_limit);
  CHECK(a->bytes == 5000);
  CHECK(a->digest == Sha256::Of(data));

  auto over = MemoryReader(data);
  Result<StreamHash> b = HashStream(*over, data.size() - 1, NullProgress(), cancel);
  REQUIRE(b.ok());
  CHECK(b->over_limit);
  CHECK(b->digest == Digest{});
  CHECK(b->bytes > data.size() - 1);

  // The per-thread hasher carries nothing over from the abandoned stream.
  auto again = MemoryReader("abc");
  Result<StreamHash> c = HashStream(*again, 100, NullProgress(), cancel);
  REQUIRE(c.ok());
  CHECK(c->digest == Sha256::Of("abc"));
}

TEST_CASE("HashStream: empty streams, short reads and read errors") {
  CancelToken cancel;
  auto empty = MemoryReader("");
  Result<StreamHash> e = HashStream(*empty, 0, NullProgress(), cancel);
  REQUIRE(e.ok());
  CHECK_FALSE(e->over_limit);
  CHECK(e->bytes == 0);
  CHECK(e->digest == Sha256::Of(""));

  std::string data = test::RandomBytes(100000, 2);
  ChunkReader chunks(data, 333, false);
  Sink sink;
  Result<StreamHash> s = HashStream(chunks, UINT64_MAX - 1, sink, cancel);
  REQUIRE(s.ok());
  CHECK(s->digest == Sha256::Of(data));
  CHECK(s->bytes == data.size());
  CHECK(sink.total == data.size());

  ChunkReader failing(data, 4096, true);
  Result<StreamHash> f = HashStream(failing, UINT64_MAX - 1, NullProgress(), cancel);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().code() == Status::Code::kIoError);
  CHECK(f.status().message() == "read disk.img: Input/output error");

  // After an error, the next stream on this thread still hashes correctly.
  auto next = MemoryReader(data);
  Result<StreamHash> n = HashStream(*next, UINT64_MAX - 1, NullProgress(), cancel);
  REQUIRE(n.ok());
  CHECK(n->digest == Sha256::Of(data));
}

}  // namespace
}  // namespace lifeboat
