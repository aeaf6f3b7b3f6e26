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

// One entry of the compact manifest, for the size filter of the hot path.
struct EntryRef {
  const ManifestEntries* entries;
  size_t index;
  uint64_t size;  // the main size (kUnknownSize if none)
};

bool EntryRefSizeFits(const void* ref, uint64_t size) {
  const auto* r = static_cast<const EntryRef*>(ref);
  return r->size == kUnknownSize || r->size == size || r->entries->SizeCouldMatch(r->index, size);
}

// What HashFile's result means for an entry.
void Interpret(const Result<FileHash>& h, const ManifestEntry& entry, Finding& f) {
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

// Opens, checks the size and (only if it can match) hashes one entry's file.
void HashEntry(FileSystem& fs, const ManifestEntry& entry, Finding& f, ProgressSink& progress,
               const CancelToken& cancel) {
  Interpret(fs.HashFile(f.disk_path, SizeFilter{&EntrySizeFits, &entry}, progress, cancel), entry, f);
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
  if (s < kFirstRecord) return FindingState::kMissing;
  return records_[s - kFirstRecord].state;
}

Finding Findings::operator[](size_t i) const {
  uint32_t s = slot_[i];
  if (s >= kFirstRecord) return records_[s - kFirstRecord];
  Finding f;
  if (s >= kPlainMissing) {
    f.state = FindingState::kMissing;
    f.existing_parts = s - kPlainMissing;
  } else {
    f.state = s == kPlainOk ? FindingState::kOk : FindingState::kUnchecked;
  }
  return f;
}

Finding* Findings::record(size_t i) {
  uint32_t s = slot_[i];
  return s >= kFirstRecord ? &records_[s - kFirstRecord] : nullptr;
}

void Findings::Set(size_t i, Finding f) {
  bool plain = f.disk_path.empty() && !f.found && f.found_size == 0 && f.message.empty() && !record(i);
  if (plain && f.state == FindingState::kOk) {
    slot_[i] = kPlainOk;
    return;
  }
  if (plain && f.state == FindingState::kMissing && f.existing_parts <= kMaxPlainParts) {
    slot_[i] = kPlainMissing + static_cast<uint32_t>(f.existing_parts);
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
    for (int tick = 1; next.load(std::memory_order_relaxed) < work_items && !cancel.cancelled(); ++tick) {
      // Short sleeps, so the pool is joined soon after the queue drains; the
      // CPU use is sampled every 50 ms.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (tick % 10 != 0) continue;
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

namespace {

// 8 bytes a file, for one window at a time.
struct Job {
  uint32_t order;  // low bits of the inode: on-disk order on ext4 and NTFS (MFT
                   // record), so a spinning disk seeks forward; ties keep manifest order
  uint32_t ref;    // entry index; with kHasRecord an index into Window::records;
                   // with kForbidden a forbidden-finding index
};
constexpr uint32_t kForbidden = 0x80000000u, kHasRecord = 0x40000000u, kIndex = 0x3fffffffu;

// One window of the scan: its jobs, and what its workers found.
struct Window {
  std::vector<Job> jobs;
  // Entries whose finding was stored while resolving (another on-disk
  // spelling): the record's address, stable while others are added.
  std::vector<std::pair<uint32_t, Finding*>> records;
  std::atomic<size_t> next{0};
  std::mutex late_mu;
  std::vector<std::pair<uint32_t, Finding>> late;  // other than plain ok, stored after the window
};

}  // namespace

Status CheckTargetHoldsManifest(const Manifest& manifest, const ScanResult& scan) {
  if (scan.cancelled) return Status::Ok();
  size_t example = SIZE_MAX;  // an entry below a folder
  for (size_t i = 0; i < scan.findings.size(); ++i) {
    FindingState state = scan.findings.state(i);
    if (state != FindingState::kMissing) return Status::Ok();  // something of the manifest is there
    if (scan.findings[i].existing_parts > 0) return Status::Ok();
    if (example == SIZE_MAX && manifest.entries.path(i).find('/') != std::string::npos) example = i;
  }
  if (example == SIZE_MAX) return Status::Ok();  // only files at the root, or no entries: nothing to tell
  std::string path = manifest.entries.path(example);
  return Status::Error(Status::Code::kConflict,
                       "none of the manifest's " + std::to_string(scan.findings.size()) +
                           " files and none of its folders is on the target (not even '" +
                           path.substr(0, path.find('/')) + "' of " + path +
                           "): this is not the volume the manifest describes");
}

ScanResult ScanTarget(FileSystem& fs, const Manifest& manifest, const ScanOptions& options,
                      ProgressSink& progress, const CancelToken& cancel) {
  ScanResult result;
  const size_t n = manifest.entries.size();
  result.findings.resize(n);
  PathResolver resolver(fs);
  // The manifest is scanned in windows of kWindow entries (ScanOptions). This
  // thread resolves the names of a window (no file opened) while the pool
  // hashes the previous one, sorted by inode. Memory stays bounded however
  // long the manifest, and a window is large enough to be read in on-disk order.
  const size_t kWindow = std::max<size_t>(1, options.window);
  constexpr size_t kFirstWindow = 2048;

  FindForbidden(resolver, fs, manifest, result);
  std::vector<Job> forbidden_jobs;
  uint64_t bytes_expected = 0;  // sizes come from each open file; the total is the manifest's
  for (uint32_t k = 0; k < result.forbidden.size(); ++k) {
    const ForbidFinding& f = result.forbidden[k];
    if (f.state != ForbidState::kUnchecked || !f.message.empty()) continue;
    forbidden_jobs.push_back(Job{UINT32_MAX, k | kForbidden});
    bytes_expected += f.size;
  }
  manifest.entries.ForEach([&](size_t, std::string_view, uint64_t size) {
    if (size != kUnknownSize) bytes_expected += size;
    return true;
  });
  progress.Begin(Phase::kScan, n + forbidden_jobs.size(), bytes_expected);

  auto work = [&](Window& w) {
    std::vector<std::pair<uint32_t, Finding>> mine;
    std::string path;
    for (;;) {
      size_t k = w.next.fetch_add(1, std::memory_order_relaxed);
      if (k >= w.jobs.size() || cancel.cancelled()) break;
      const Job& job = w.jobs[k];
      const uint32_t ref = job.ref & kIndex;
      if (job.ref & kForbidden) {
        HashForbidden(fs, manifest, result.forbidden[ref], progress, cancel);
      } else if (job.ref & kHasRecord) {
        const auto& [index, record] = w.records[ref];
        HashEntry(fs, manifest.entries[index], *record, progress, cancel);
      } else {
        // The hot path, once per healthy file: no ManifestEntry or Finding is
        // built unless the file is not a plain ok.
        path.clear();
        EntryRef er{&manifest.entries, ref, kUnknownSize};
        manifest.entries.AppendPath(ref, path, &er.size);
        Result<FileHash> h = fs.HashFile(path, SizeFilter{&EntryRefSizeFits, &er}, progress, cancel);
        if (h.ok() && h->hashed && h->digest == manifest.entries.sha256(ref) &&
            (er.size == kUnknownSize || h->bytes == er.size)) {
          result.findings.SetPlainOk(ref);
          progress.Advance(1, 0);
          continue;
        }
        const ManifestEntry e = manifest.entries[ref];
        Finding f;
        f.state = FindingState::kUnchecked;
        f.disk_path = path;
        Interpret(h, e, f);
        if (f.state == FindingState::kUnchecked) {
          // cancelled: the slot already says so
        } else if (f.state == FindingState::kOk && f.found == e.sha256 && f.message.empty()) {
          result.findings.SetPlainOk(ref);
        } else {
          f.existing_parts = static_cast<size_t>(std::count(e.path.begin(), e.path.end(), '/')) + 1;
          mine.emplace_back(ref, std::move(f));
        }
      }
      progress.Advance(1, 0);
    }
    std::lock_guard<std::mutex> lock(w.late_mu);
    for (auto& x : mine) w.late.push_back(std::move(x));
  };
  int depth = 0;  // the pool's size, carried from window to window
  std::unique_ptr<Window> hashing;  // the window the pool works on
  std::thread driver;
  // Waits for the window being hashed and stores its findings.
  auto finish = [&] {
    if (!driver.joinable()) return;
    driver.join();
    for (auto& [index, f] : hashing->late) result.findings.Set(index, std::move(f));
    hashing.reset();
  };
  auto start = [&](std::unique_ptr<Window> w) {
    finish();
    // Stable: equal inodes (file systems without them) keep manifest order.
    std::stable_sort(w->jobs.begin(), w->jobs.end(), [](const Job& a, const Job& b) { return a.order < b.order; });
    hashing = std::move(w);
    Window* h = hashing.get();
    driver = std::thread([&, h] { RunWorkers([&, h] { work(*h); }, h->jobs.size(), options.jobs, h->next, cancel, depth); });
  };

  // A found file whose on-disk spelling is the manifest's needs no record.
  auto filling = std::make_unique<Window>();
  filling->jobs.reserve(std::min(n, kWindow));
  manifest.entries.ForEach([&](size_t i, std::string_view path, uint64_t) {
    if ((i & 4095) == 0 && cancel.cancelled()) {
      for (size_t k = i; k < n; ++k) result.findings.SetPlainUnchecked(k);
      return false;  // the jobs of `filling` are plain unchecked or unchecked records already
    }
    Resolution r = resolver.Resolve(path);
    Finding f;
    f.existing_parts = r.existing_parts;
    if (r.kind == Resolution::Kind::kFound) {
      if (r.disk_path == path) {
        result.findings.SetPlainUnchecked(i);
        filling->jobs.push_back(Job{static_cast<uint32_t>(r.inode), static_cast<uint32_t>(i)});
      } else {
        f.state = FindingState::kUnchecked;
        f.disk_path = std::move(r.disk_path);
        result.findings.Set(i, std::move(f));
        filling->jobs.push_back(Job{static_cast<uint32_t>(r.inode),
                                    static_cast<uint32_t>(filling->records.size()) | kHasRecord});
        filling->records.emplace_back(static_cast<uint32_t>(i), result.findings.record(i));
      }
      // The first window is small, so hashing starts while the rest of the
      // names are still being looked up.
      if (filling->jobs.size() == (hashing || driver.joinable() ? kWindow : std::min(kWindow, kFirstWindow))) {
        start(std::move(filling));
        filling = std::make_unique<Window>();
        filling->jobs.reserve(kWindow);
      }
      return true;
    }
    f.state = r.kind == Resolution::Kind::kMissing ? FindingState::kMissing : FindingState::kBlocked;
    if (f.state != FindingState::kMissing || r.disk_path != path) f.disk_path = std::move(r.disk_path);
    f.message = std::move(r.message);
    result.findings.Set(i, std::move(f));
    progress.Advance(1, 0);
    return true;
  });
  if (!cancel.cancelled() && !filling->jobs.empty()) start(std::move(filling));
  if (!cancel.cancelled() && !forbidden_jobs.empty()) {
    auto w = std::make_unique<Window>();
    w->jobs = std::move(forbidden_jobs);
    start(std::move(w));
  }
  finish();
  progress.End(Phase::kScan);
  result.cancelled = cancel.cancelled();
  return result;
}

}  // namespace lifeboat
