// Tests for recovery/sha256.cc and recovery/hash_stream.cc.
#include "recovery/sha256.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

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

}  // namespace
}  // namespace lifeboat
