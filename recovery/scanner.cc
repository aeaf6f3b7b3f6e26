// ScanTarget: resolve + stat sequentially, then hash in parallel (see
// scanner.h). Per-file problems become findings; nothing here aborts the scan
// except cancellation.
#include "recovery/scanner.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "recovery/hash_stream.h"
#include "recovery/path_resolver.h"

namespace lifeboat {
namespace {

std::string SizeMismatch(uint64_t found, uint64_t expected) {
  return "size " + std::to_string(found) + " bytes, expected " + std::to_string(expected);
}

void HashOne(FileSystem& fs, const ManifestEntry& entry, Finding& f, ProgressSink& progress,
             const CancelToken& cancel) {
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(f.disk_path);
  if (!in.ok()) {
    if (in.status().code() == Status::Code::kNotFound) {
      f.state = FindingState::kMissing;
      f.message = "disappeared while scanning";
    } else if (in.status().code() == Status::Code::kUnsafePath) {
      f.state = FindingState::kBlocked;
      f.message = in.status().message();
    } else {
      f.state = FindingState::kCorrupt;
      f.message = "unreadable: " + in.status().message();
    }
    return;
  }
  uint64_t limit = entry.has_size() ? entry.size : UINT64_MAX - 1;
  Result<StreamHash> h = HashStream(**in, limit, progress, cancel);
  if (!h.ok()) {
    if (h.status().code() != Status::Code::kCancelled) {
      f.state = FindingState::kCorrupt;
      f.message = "unreadable: " + h.status().message();
    }
    return;
  }
  if (h->over_limit) {
    f.state = FindingState::kCorrupt;
    f.message = "grew past the expected " + std::to_string(entry.size) + " bytes while scanning";
    return;
  }
  f.found = h->digest;
  f.found_size = h->bytes;
  if (h->digest == entry.sha256) {
    f.state = FindingState::kOk;
  } else {
    f.state = FindingState::kCorrupt;
    f.message = "content differs from the manifest";
  }
}

}  // namespace

int DefaultJobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : static_cast<int>(std::min(n, 64u));
}

ScanResult ScanTarget(FileSystem& fs, const Manifest& manifest, const ScanOptions& options,
                      ProgressSink& progress, const CancelToken& cancel) {
  ScanResult result;
  result.findings.resize(manifest.entries.size());
  PathResolver resolver(fs);
  std::vector<uint32_t> to_hash;
  uint64_t bytes_to_hash = 0;
  for (size_t i = 0; i < manifest.entries.size(); ++i) {
    const ManifestEntry& e = manifest.entries[i];
    Finding& f = result.findings[i];
    Resolution r = resolver.Resolve(e.path);
    f.disk_path = std::move(r.disk_path);
    f.existing_parts = r.existing_parts;
    if (r.kind == Resolution::Kind::kMissing) {
      f.state = FindingState::kMissing;
      continue;
    }
    if (r.kind == Resolution::Kind::kBlocked) {
      f.state = FindingState::kBlocked;
      f.message = std::move(r.message);
      continue;
    }
    Result<FileInfo> info = fs.Stat(f.disk_path);
    if (!info.ok()) {
      f.state = info.status().code() == Status::Code::kNotFound ? FindingState::kMissing : FindingState::kBlocked;
      f.message = info.status().message();
      continue;
    }
    f.found_size = info->size;
    if (e.has_size() && info->size != e.size) {
      f.state = FindingState::kCorrupt;
      f.message = SizeMismatch(info->size, e.size);
      continue;
    }
    f.state = FindingState::kUnchecked;
    to_hash.push_back(static_cast<uint32_t>(i));
    bytes_to_hash += info->size;
  }

  progress.Begin(Phase::kScan, to_hash.size(), bytes_to_hash);
  // Largest first: the last file to start is a small one.
  std::stable_sort(to_hash.begin(), to_hash.end(), [&](uint32_t a, uint32_t b) {
    return result.findings[a].found_size > result.findings[b].found_size;
  });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (;;) {
      size_t k = next.fetch_add(1);
      if (k >= to_hash.size() || cancel.cancelled()) return;
      uint32_t i = to_hash[k];
      HashOne(fs, manifest.entries[i], result.findings[i], progress, cancel);
      progress.Advance(1, 0);
    }
  };
  int jobs = options.jobs > 0 ? options.jobs : DefaultJobs();
  jobs = static_cast<int>(std::min<size_t>(static_cast<size_t>(jobs), std::max<size_t>(1, to_hash.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < jobs; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  progress.End(Phase::kScan);
  result.cancelled = cancel.cancelled();
  return result;
}

}  // namespace lifeboat
