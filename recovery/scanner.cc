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
// the small-file tree, cold: 2 workers 11.7 s, 16 workers 3.1 s. `depth`
// carries the pool size from one window of the scan to the next.
void RunWorkers(const std::function<void()>& worker, size_t work_items, int jobs, const std::atomic<size_t>& next,
                const CancelToken& cancel, int& depth) {
  constexpr int kMaxIoDepth = 32;
  const int cpus = DefaultJobs();
  const bool adaptive = jobs <= 0;
  if (depth <= 0) depth = adaptive ? cpus : jobs;
  int start = static_cast<int>(std::min<size_t>(static_cast<size_t>(depth), std::max<size_t>(1, work_items)));
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
          next.load(std::memory_order_relaxed) + pool.size() < work_items) {
        for (int t = 0; t < cpus && static_cast<int>(pool.size()) < kMaxIoDepth; ++t) pool.emplace_back(worker);
        depth = std::max(depth, static_cast<int>(pool.size()));
      }
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
  const size_t n = manifest.entries.size();
  result.findings.resize(n);
  PathResolver resolver(fs);
  // 8 bytes a file, for one window at a time.
  struct Job {
    uint32_t order;  // low bits of the inode: on-disk order on ext4 and NTFS (MFT
                     // record), so a spinning disk seeks forward; ties keep manifest order
    uint32_t ref;    // entry index, or forbidden-finding index with kForbidden
  };
  constexpr uint32_t kForbidden = 0x80000000u, kHasRecord = 0x40000000u, kIndex = 0x3fffffffu;
  // The manifest is scanned in windows of kWindow entries: resolve the names
  // (no file opened), sort the window's files by inode, hash them on the
  // pool. Memory stays bounded however long the manifest; a window is large
  // enough that its files are read in on-disk order.
  constexpr size_t kWindow = 65536;

  FindForbidden(resolver, fs, manifest, result);
  std::vector<Job> forbidden_jobs;
  uint64_t bytes_expected = 0;  // sizes come from each open file; the total is the manifest's
  for (uint32_t k = 0; k < result.forbidden.size(); ++k) {
    const ForbidFinding& f = result.forbidden[k];
    if (f.state != ForbidState::kUnchecked || !f.message.empty()) continue;
    forbidden_jobs.push_back(Job{UINT32_MAX, k | kForbidden});
    bytes_expected += f.size;
  }
  for (size_t i = 0; i < n; ++i)
    if (manifest.entries.has_size(i)) bytes_expected += manifest.entries.file_size(i);
  progress.Begin(Phase::kScan, n + forbidden_jobs.size(), bytes_expected);

  // Findings other than a plain ok made by workers are kept per worker and
  // stored after each window, so no worker grows the shared record store
  // while another reads it.
  std::mutex late_mu;
  std::vector<std::pair<uint32_t, Finding>> late;
  std::vector<Job> window;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<std::pair<uint32_t, Finding>> mine;
    for (;;) {
      size_t k = next.fetch_add(1, std::memory_order_relaxed);
      if (k >= window.size() || cancel.cancelled()) break;
      const Job& job = window[k];
      const uint32_t index = job.ref & kIndex;
      if (job.ref & kForbidden) {
        HashForbidden(fs, manifest, result.forbidden[index], progress, cancel);
      } else if (job.ref & kHasRecord) {
        HashEntry(fs, manifest.entries[index], *result.findings.record(index), progress, cancel);
      } else {
        const ManifestEntry& e = manifest.entries[index];
        Finding f;
        f.state = FindingState::kUnchecked;
        f.disk_path = e.path;
        HashEntry(fs, e, f, progress, cancel);
        if (f.state == FindingState::kUnchecked) {
          // cancelled: the slot already says so
        } else if (f.state == FindingState::kOk && f.found == e.sha256 && f.message.empty()) {
          result.findings.SetPlainOk(index);
        } else {
          f.existing_parts = static_cast<size_t>(std::count(e.path.begin(), e.path.end(), '/')) + 1;
          mine.emplace_back(index, std::move(f));
        }
      }
      progress.Advance(1, 0);
    }
    std::lock_guard<std::mutex> lock(late_mu);
    for (auto& x : mine) late.push_back(std::move(x));
  };
  int depth = options.jobs > 0 ? options.jobs : 0;
  auto run_window = [&] {
    // Stable: equal inodes (file systems without them) keep manifest order.
    std::stable_sort(window.begin(), window.end(), [](const Job& a, const Job& b) { return a.order < b.order; });
    next.store(0);
    RunWorkers(worker, window.size(), options.jobs, next, cancel, depth);
    for (auto& [index, f] : late) result.findings.Set(index, std::move(f));
    late.clear();
    window.clear();
  };

  // A found file whose on-disk spelling is the manifest's needs no record.
  std::string path;
  window.reserve(std::min(n, kWindow));
  for (size_t i = 0; i < n; ++i) {
    if ((i & 4095) == 0 && cancel.cancelled()) {
      for (size_t k = i; k < n; ++k) result.findings.SetPlainUnchecked(k);
      for (const Job& j : window) result.findings.SetPlainUnchecked(j.ref & kIndex);
      window.clear();
      break;
    }
    path.clear();
    manifest.entries.AppendPath(i, path);  // no full entry: this loop runs once per file
    Resolution r = resolver.Resolve(path);
    Finding f;
    f.existing_parts = r.existing_parts;
    if (r.kind == Resolution::Kind::kFound) {
      if (r.disk_path == path) {
        result.findings.SetPlainUnchecked(i);
        window.push_back(Job{static_cast<uint32_t>(r.inode), static_cast<uint32_t>(i)});
      } else {
        f.state = FindingState::kUnchecked;
        f.disk_path = std::move(r.disk_path);
        result.findings.Set(i, std::move(f));
        window.push_back(Job{static_cast<uint32_t>(r.inode), static_cast<uint32_t>(i) | kHasRecord});
      }
      if (window.size() == kWindow) run_window();
      continue;
    }
    f.state = r.kind == Resolution::Kind::kMissing ? FindingState::kMissing : FindingState::kBlocked;
    f.disk_path = std::move(r.disk_path);
    f.message = std::move(r.message);
    result.findings.Set(i, std::move(f));
    progress.Advance(1, 0);
  }
  if (!window.empty()) run_window();
  if (!cancel.cancelled() && !forbidden_jobs.empty()) {
    window = std::move(forbidden_jobs);
    run_window();
  }
  progress.End(Phase::kScan);
  result.cancelled = cancel.cancelled();
  return result;
}

}  // namespace lifeboat
