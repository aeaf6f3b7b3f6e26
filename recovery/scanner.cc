// ScanTarget: resolve + stat sequentially, then hash in parallel (see
// scanner.h). Per-file problems become findings; nothing here aborts the scan
// except cancellation.
#include "recovery/scanner.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "recovery/case_fold.h"
#include "recovery/hash_stream.h"
#include "recovery/path_resolver.h"

namespace lifeboat {
namespace {

std::string SizeMismatch(uint64_t found, const ManifestEntry& e) {
  return "size " + std::to_string(found) + " bytes, expected " + std::to_string(e.size) +
         (e.alternatives.empty() ? "" : " (or an alternative)");
}

// Reads and hashes `path`; on failure fills `problem` and returns nullopt.
std::optional<StreamHash> HashPath(FileSystem& fs, const std::string& path, uint64_t limit, ProgressSink& progress,
                                   const CancelToken& cancel, Status* problem) {
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(path);
  if (!in.ok()) {
    *problem = in.status();
    return std::nullopt;
  }
  Result<StreamHash> h = HashStream(**in, limit, progress, cancel);
  if (!h.ok()) {
    *problem = h.status();
    return std::nullopt;
  }
  return *h;
}

bool EntrySizeFits(const void* entry, uint64_t size) {
  return static_cast<const ManifestEntry*>(entry)->SizeCouldMatch(size);
}

// Opens, checks the size and (only if it can match) hashes one entry's file.
void HashEntry(FileSystem& fs, const ManifestEntry& entry, Finding& f, ProgressSink& progress,
               const CancelToken& cancel) {
  Result<FileHash> h = fs.HashFile(f.disk_path, SizeFilter{&EntrySizeFits, &entry}, progress, cancel);
  if (!h.ok()) {
    const Status& problem = h.status();
    switch (problem.code()) {
      case Status::Code::kCancelled:
        return;  // stays kUnchecked
      case Status::Code::kNotFound:
        f.state = FindingState::kMissing;
        f.message = "disappeared while scanning";
        return;
      case Status::Code::kUnsafePath:
        f.state = FindingState::kBlocked;
        f.message = problem.message();
        return;
      default:
        f.state = FindingState::kCorrupt;
        f.message = "unreadable: " + problem.message();
        return;
    }
  }
  f.found_size = h->size;
  if (h->grew) {
    f.state = FindingState::kCorrupt;
    f.message = "grew while being scanned";
    return;
  }
  if (!h->hashed) {
    f.state = FindingState::kCorrupt;
    f.message = SizeMismatch(h->size, entry);
    return;
  }
  f.found = h->digest;
  f.found_size = h->bytes;
  if (entry.Accepts(h->digest, h->bytes)) {
    f.state = FindingState::kOk;
  } else {
    f.state = FindingState::kCorrupt;
    f.message = "content differs from the manifest";
  }
}

void HashForbidden(FileSystem& fs, const Manifest& m, ForbidFinding& f, ProgressSink& progress,
                   const CancelToken& cancel) {
  Status problem;
  std::optional<StreamHash> h = HashPath(fs, f.disk_path, f.size, progress, cancel, &problem);
  if (!h || h->over_limit) {
    if (problem.code() != Status::Code::kCancelled)
      f.message = h ? "grew while being scanned" : "unreadable: " + problem.message();
    return;  // stays kUnchecked
  }
  f.found = h->digest;
  for (uint32_t r : f.rules) {
    const ForbidRule& rule = m.forbid[r];
    if (rule.sha256 == h->digest && (rule.size == kUnknownSize || rule.size == h->bytes)) {
      f.state = ForbidState::kKnownBad;
      f.matched_rule = r;
      f.message = "known-bad content" + (rule.name.empty() ? "" : " (" + rule.name + ")") + ", manifest line " +
                  std::to_string(rule.line);
      return;
    }
  }
  f.state = ForbidState::kUnlisted;
  f.message = "matches a forbid pattern but not a known-bad hash; left alone";
}

// Expands every forbid pattern once; a file matched by several patterns
// becomes one finding holding all their rules. Files whose size fits no rule
// are decided here, without reading them.
void FindForbidden(PathResolver& resolver, FileSystem& fs, const Manifest& m, ScanResult& result) {
  std::map<std::string, std::vector<uint32_t>> by_pattern;  // folded pattern -> rules
  for (uint32_t r = 0; r < m.forbid.size(); ++r) by_pattern[FoldCase(m.forbid[r].pattern)].push_back(r);
  std::map<std::string, size_t> by_path;  // disk path -> finding
  for (const auto& [unused, rules] : by_pattern) {
    std::vector<std::string> problems;
    std::vector<std::string> paths = resolver.Expand(m.forbid[rules.front()].pattern, &problems);
    for (const std::string& p : problems)
      result.warnings.push_back("forbid pattern '" + m.forbid[rules.front()].pattern + "': " + p);
    for (const std::string& path : paths) {
      auto [it, inserted] = by_path.emplace(path, result.forbidden.size());
      if (inserted) {
        ForbidFinding f;
        f.disk_path = path;
        result.forbidden.push_back(std::move(f));
      }
      std::vector<uint32_t>& into = result.forbidden[it->second].rules;
      into.insert(into.end(), rules.begin(), rules.end());
    }
  }
  for (ForbidFinding& f : result.forbidden) {
    Result<FileInfo> info = fs.Stat(f.disk_path);
    if (!info.ok()) {
      f.message = info.status().message();
      continue;
    }
    f.size = info->size;
    bool size_fits = std::any_of(f.rules.begin(), f.rules.end(), [&](uint32_t r) {
      return m.forbid[r].size == kUnknownSize || m.forbid[r].size == info->size;
    });
    if (!size_fits) {
      f.state = ForbidState::kUnlisted;
      f.message = "matches a forbid pattern but its size is not a known-bad one; left alone";
    }
  }
}

}  // namespace

Findings::Findings(std::initializer_list<Finding> all) {
  resize(all.size());
  size_t i = 0;
  for (const Finding& f : all) Set(i++, f);
}

Findings::Findings(const Findings& other) : slot_(other.slot_), records_(other.records_) {}

Findings& Findings::operator=(const Findings& other) {
  if (this != &other) {
    slot_ = other.slot_;
    records_ = other.records_;
  }
  return *this;
}

Findings::Findings(Findings&& other) noexcept : slot_(std::move(other.slot_)), records_(std::move(other.records_)) {}

Findings& Findings::operator=(Findings&& other) noexcept {
  slot_ = std::move(other.slot_);
  records_ = std::move(other.records_);
  return *this;
}

FindingState Findings::state(size_t i) const {
  uint32_t s = slot_[i];
  if (s == kPlainOk) return FindingState::kOk;
  if (s == kPlainUnchecked) return FindingState::kUnchecked;
  return records_[s - kFirstRecord].state;
}

Finding Findings::operator[](size_t i) const {
  uint32_t s = slot_[i];
  if (s >= kFirstRecord) return records_[s - kFirstRecord];
  Finding f;
  f.state = s == kPlainOk ? FindingState::kOk : FindingState::kUnchecked;
  return f;
}

Finding* Findings::record(size_t i) {
  uint32_t s = slot_[i];
  return s >= kFirstRecord ? &records_[s - kFirstRecord] : nullptr;
}

void Findings::Set(size_t i, Finding f) {
  if (f.state == FindingState::kOk && f.disk_path.empty() && !f.found && f.message.empty() && !record(i)) {
    slot_[i] = kPlainOk;
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (Finding* r = record(i)) {
    *r = std::move(f);
    return;
  }
  records_.push_back(std::move(f));
  slot_[i] = kFirstRecord + static_cast<uint32_t>(records_.size() - 1);
}

namespace {

double CpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// With --jobs N, exactly N workers. By default one per CPU, and more while
// they wait on the disk: every 50 ms the process's CPU use is compared with
// what the CPUs could give, and below 60 % another CPU's worth of workers
// joins, up to kMaxIoDepth reads in flight. A warm page cache keeps the CPUs
// busy and the pool at one per CPU (extra threads only cost switches there);
// a cold disk, an SSD above all, gets the queue depth it needs. Measured on
// the small-file tree, cold: 2 workers 11.7 s, 16 workers 3.1 s.
void RunWorkers(const std::function<void()>& worker, size_t work_items, int jobs, const std::atomic<size_t>& next,
                const CancelToken& cancel) {
  constexpr int kMaxIoDepth = 32;
  const int cpus = DefaultJobs();
  const bool adaptive = jobs <= 0;
  int start = adaptive ? cpus : jobs;
  start = static_cast<int>(std::min<size_t>(static_cast<size_t>(start), std::max<size_t>(1, work_items)));
  std::vector<std::thread> pool;
  for (int t = 0; t < start; ++t) pool.emplace_back(worker);
  if (adaptive) {
    auto wall = std::chrono::steady_clock::now();
    double cpu = CpuSeconds();
    while (next.load(std::memory_order_relaxed) < work_items && !cancel.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto now_wall = std::chrono::steady_clock::now();
      double now_cpu = CpuSeconds();
      double busy = (now_cpu - cpu) / (std::chrono::duration<double>(now_wall - wall).count() * cpus);
      wall = now_wall;
      cpu = now_cpu;
      if (busy < 0.6 && static_cast<int>(pool.size()) < kMaxIoDepth &&
          next.load(std::memory_order_relaxed) + pool.size() < work_items)
        for (int t = 0; t < cpus && static_cast<int>(pool.size()) < kMaxIoDepth; ++t) pool.emplace_back(worker);
    }
  }
  for (std::thread& t : pool) t.join();
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
  struct Job {
    uint64_t order;  // inode: on-disk order on ext4 and NTFS (MFT record), so a
                     // spinning disk seeks forward; ties keep manifest order
    uint32_t index;
    bool forbidden;  // result.forbidden[index], else findings[index]
    Finding* record;  // the entry's stored finding, if it has one (deque: stable)
  };
  std::vector<Job> to_hash;
  uint64_t bytes_to_hash = 0;  // expected: sizes come from the open file, not a stat here
  // Phase 1: names only. Each directory is listed once (cached); no file is
  // opened or stat'ed here, so a healthy file costs open, fstat, read, close.
  // A found file whose on-disk spelling is the manifest's needs no record.
  for (size_t i = 0; i < manifest.entries.size(); ++i) {
    if ((i & 4095) == 0 && cancel.cancelled()) {
      for (size_t k = i; k < manifest.entries.size(); ++k) result.findings.SetPlainUnchecked(k);
      break;
    }
    const ManifestEntry& e = manifest.entries[i];
    Resolution r = resolver.Resolve(e.path);
    Finding f;
    f.existing_parts = r.existing_parts;
    if (r.kind == Resolution::Kind::kFound) {
      if (r.disk_path == e.path) {
        result.findings.SetPlainUnchecked(i);
        to_hash.push_back(Job{r.inode, static_cast<uint32_t>(i), false, nullptr});
      } else {
        f.state = FindingState::kUnchecked;
        f.disk_path = std::move(r.disk_path);
        result.findings.Set(i, std::move(f));
        to_hash.push_back(Job{r.inode, static_cast<uint32_t>(i), false, result.findings.record(i)});
      }
      if (e.has_size()) bytes_to_hash += e.size;
      continue;
    }
    f.state = r.kind == Resolution::Kind::kMissing ? FindingState::kMissing : FindingState::kBlocked;
    f.disk_path = std::move(r.disk_path);
    f.message = std::move(r.message);
    result.findings.Set(i, std::move(f));
  }
  FindForbidden(resolver, fs, manifest, result);
  for (uint32_t k = 0; k < result.forbidden.size(); ++k) {
    const ForbidFinding& f = result.forbidden[k];
    if (f.state != ForbidState::kUnchecked || !f.message.empty()) continue;
    to_hash.push_back(Job{UINT64_MAX, k, true});
    bytes_to_hash += f.size;
  }

  progress.Begin(Phase::kScan, to_hash.size(), bytes_to_hash);
  // Phase 2: a shared queue in on-disk order, one worker per CPU. Files are
  // small next to the queue, so the last one to finish ends at most one large
  // file after the others.
  std::stable_sort(to_hash.begin(), to_hash.end(), [](const Job& a, const Job& b) { return a.order < b.order; });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (;;) {
      size_t k = next.fetch_add(1, std::memory_order_relaxed);
      if (k >= to_hash.size() || cancel.cancelled()) return;
      const Job& job = to_hash[k];
      if (job.forbidden) {
        HashForbidden(fs, manifest, result.forbidden[job.index], progress, cancel);
      } else if (job.record != nullptr) {
        HashEntry(fs, manifest.entries[job.index], *job.record, progress, cancel);
      } else {
        const ManifestEntry& e = manifest.entries[job.index];
        Finding f;
        f.state = FindingState::kUnchecked;
        f.disk_path = e.path;
        HashEntry(fs, e, f, progress, cancel);
        if (f.state == FindingState::kUnchecked) {
          // cancelled: the slot already says so
        } else if (f.state == FindingState::kOk && f.found == e.sha256 && f.message.empty()) {
          result.findings.SetPlainOk(job.index);
        } else {
          f.existing_parts = static_cast<size_t>(std::count(e.path.begin(), e.path.end(), '/')) + 1;
          result.findings.Set(job.index, std::move(f));
        }
      }
      progress.Advance(1, 0);
    }
  };
  RunWorkers(worker, to_hash.size(), options.jobs, next, cancel);
  progress.End(Phase::kScan);
  result.cancelled = cancel.cancelled();
  return result;
}

}  // namespace lifeboat
