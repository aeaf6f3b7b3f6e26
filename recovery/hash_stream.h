// Hashing a stream of bytes, with a length limit, progress and cancellation.
#pragma once

#include <cstdint>

#include "recovery/byte_reader.h"
#include "recovery/progress.h"
#include "recovery/sha256.h"

namespace lifeboat {

struct StreamHash {
  Digest digest{};
  uint64_t bytes = 0;
  bool over_limit = false;  // the stream had more than `max_bytes`; digest unset
};

// Reads `in` to the end (or to max_bytes + 1) and returns its SHA-256.
// Stopping at the limit bounds the work a lying archive header can cause.
// Fails with kCancelled if `cancel` is set while reading.
Result<StreamHash> HashStream(ByteReader& in, uint64_t max_bytes, ProgressSink& progress,
                              const CancelToken& cancel);

}  // namespace lifeboat
