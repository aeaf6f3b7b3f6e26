// HashStream: 1 MiB reads into a per-thread buffer, fed to EVP SHA-256.
#include "recovery/hash_stream.h"

#include <memory>

namespace lifeboat {

Result<StreamHash> HashStream(ByteReader& in, uint64_t max_bytes, ProgressSink& progress,
                              const CancelToken& cancel) {
  constexpr size_t kBuf = 1 << 20;
  thread_local std::unique_ptr<char[]> buf(new char[kBuf]);
  thread_local Sha256 hash;
  hash.Reset();
  StreamHash out;
  for (;;) {
    if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
    Result<size_t> n = in.Read(buf.get(), kBuf);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    out.bytes += *n;
    progress.Advance(0, *n);
    if (out.bytes > max_bytes) {
      out.over_limit = true;
      return out;
    }
    hash.Update(buf.get(), *n);
  }
  out.digest = hash.Finish();
  return out;
}

}  // namespace lifeboat
