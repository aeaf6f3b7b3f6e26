// Manifest loading: format detection, the shared entry builder (path
// normalisation, duplicate detection) and the hashing stream both parsers
// read through. Format-specific parsing lives in manifest_sha256sum.cc and
// manifest_mtree.cc.
#include "recovery/manifest.h"

#include <algorithm>
#include <functional>

#include "recovery/case_fold.h"
#include "recovery/manifest_mtree.h"
#include "recovery/manifest_native.h"
#include "recovery/manifest_sha256sum.h"
#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

// Hashes and counts every byte that passes through, and stops the stream at
// the size limit so a huge or endless file cannot exhaust memory or time.
class HashingReader final : public ByteReader {
 public:
  HashingReader(ByteReader& inner, uint64_t limit, std::string name)
      : inner_(inner), limit_(limit), name_(std::move(name)) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    Result<size_t> n = inner_.Read(buf, cap);
    if (!n.ok()) return n;
    total_ += *n;
    if (total_ > limit_)
      return ManifestError(name_, 0, "larger than the " + std::to_string(limit_ >> 20) + " MiB manifest limit");
    hash_.Update(buf, *n);
    return n;
  }
  Status Drain() {
    char buf[65536];
    for (;;) {
      Result<size_t> n = Read(buf, sizeof buf);
      if (!n.ok()) return n.status();
      if (*n == 0) return Status::Ok();
    }
  }
  Digest Finish() { return hash_.Finish(); }

 private:
  ByteReader& inner_;
  uint64_t limit_;
  std::string name_;
  uint64_t total_ = 0;
  Sha256 hash_;
};

// Reads the first bytes to choose a format, then hands a reader that replays
// them followed by the rest of the stream.
class PeekReader final : public ByteReader {
 public:
  explicit PeekReader(ByteReader& inner) : inner_(inner) {}
  Result<std::string_view> Peek(size_t n) {
    while (head_.size() < n) {
      char buf[512];
      Result<size_t> got = inner_.Read(buf, std::min(sizeof buf, n - head_.size()));
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      head_.append(buf, *got);
    }
    return std::string_view(head_);
  }
  Result<size_t> Read(char* buf, size_t cap) override {
    if (pos_ < head_.size()) {
      size_t n = std::min(cap, head_.size() - pos_);
      std::copy_n(head_.data() + pos_, n, buf);
      pos_ += n;
      return n;
    }
    return inner_.Read(buf, cap);
  }

 private:
  ByteReader& inner_;
  std::string head_;
  size_t pos_ = 0;
};

}  // namespace

std::string_view FormatName(ManifestFormat f) {
  switch (f) {
    case ManifestFormat::kAuto:
      return "auto";
    case ManifestFormat::kSha256sum:
      return "sha256sum";
    case ManifestFormat::kMtree:
      return "mtree";
    case ManifestFormat::kNative:
      return "lifeboat";
  }
  return "?";
}

Result<ManifestFormat> ParseFormatName(std::string_view name) {
  for (ManifestFormat f :
       {ManifestFormat::kAuto, ManifestFormat::kSha256sum, ManifestFormat::kMtree, ManifestFormat::kNative})
    if (FormatName(f) == name) return f;
  return Status::Error(Status::Code::kInvalidInput,
                       "unknown manifest format '" + std::string(name) + "' (auto, lifeboat, sha256sum, mtree)");
}

Status ManifestError(const std::string& name, uint32_t line, const std::string& message) {
  std::string where = name;
  if (line > 0) where += ":" + std::to_string(line);
  return Status::Error(Status::Code::kInvalidInput, where + ": " + message);
}

ManifestBuilder::ManifestBuilder(std::string name, const ManifestLimits& limits)
    : name_(std::move(name)), limits_(limits) {
  manifest_.name = name_;
}

bool ManifestEntry::Accepts(const Digest& digest, uint64_t bytes) const {
  auto fits = [&](const Digest& d, uint64_t sz) {
    return d == digest && (sz == kUnknownSize || bytes == kUnknownSize || sz == bytes);
  };
  if (fits(sha256, size)) return true;
  for (const AcceptedCopy& a : alternatives)
    if (fits(a.sha256, a.size)) return true;
  return false;
}

bool ManifestEntry::SizeCouldMatch(uint64_t bytes) const {
  if (!has_size() || size == bytes) return true;
  for (const AcceptedCopy& a : alternatives)
    if (a.size == kUnknownSize || a.size == bytes) return true;
  return false;
}

namespace {

// Validates a path or pattern for a manifest line; refuses lifeboat's folder.
Result<std::string> CheckedPath(std::string_view raw, const std::string& name, uint32_t line) {
  Result<std::string> path = NormalizeManifestPath(raw);
  if (!path.ok()) return ManifestError(name, line, path.status().message());
  // Only the first component can name lifeboat's folder; folding is per code
  // point and never makes a '/', so folding that component alone is enough.
  if (FoldCase(std::string_view(*path).substr(0, path->find('/'))) == "lifeboat")
    return ManifestError(name, line,
                         "path '" + *path + "' is inside lifeboat's own folder (journal and backups), refused");
  return path;
}

bool SameAlternatives(const ManifestEntry& a, const ManifestEntry& b) {
  auto key = [](const ManifestEntry& e) {
    std::vector<std::pair<Digest, uint64_t>> v;
    for (const AcceptedCopy& c : e.alternatives) v.emplace_back(c.sha256, c.size);
    std::sort(v.begin(), v.end());
    return v;
  };
  return key(a) == key(b);
}

}  // namespace

std::string HashLengthHint(size_t digits) {
  switch (digits) {
    case 32:
      return " (that is an MD5 hash; lifeboat needs SHA-256: use sha256sum)";
    case 40:
      return " (that is a SHA-1 hash; lifeboat needs SHA-256: use sha256sum)";
    case 128:
      return " (that is a SHA-512 hash; lifeboat needs SHA-256: use sha256sum)";
    default:
      return "";
  }
}

Status ManifestBuilder::Add(std::string_view raw_path, uint64_t size, const Digest& sha256, uint32_t line,
                            std::string version, std::vector<AcceptedCopy> alternatives) {
  if (count_ >= limits_.max_entries)
    return ManifestError(name_, line, "more than " + std::to_string(limits_.max_entries) + " entries");
  Result<std::string> path = CheckedPath(raw_path, name_, line);
  if (!path.ok()) return path.status();
  ++count_;
  manifest_.entries.Append(*path, size, sha256, line, version, std::move(alternatives));
  return Status::Ok();
}

Status ManifestBuilder::AddForbid(std::string_view raw_pattern, const Digest& sha256, uint64_t size,
                                  std::string rule_name, uint32_t line) {
  if (count_ >= limits_.max_entries)
    return ManifestError(name_, line, "more than " + std::to_string(limits_.max_entries) + " entries");
  Result<std::string> pattern = CheckedPath(raw_pattern, name_, line);
  if (!pattern.ok()) return pattern.status();
  ++count_;
  manifest_.forbid.push_back(ForbidRule{std::move(pattern).value(), sha256, size, std::move(rule_name), line});
  return Status::Ok();
}

// Finds entries whose paths are equal case-insensitively. Rather than keep
// every folded path, it sorts one 64-bit key per entry: the folded path's
// hash in the high bits and the entry's index in the low bits, so equal paths
// become adjacent, first occurrence first. Entries with equal hashes are then
// compared by their real folded paths, so a hash collision never makes a
// duplicate. The 32-bit hashes are computed once; for large manifests the
// keys are sorted in passes over hash classes (equal paths have equal hashes,
// so they meet in one pass), keeping the key array, the peak of a load, to
// about 2 MiB. The duplicates found are handled in the order of (folded path,
// position): the first conflicting one is the error, identical repeats are
// dropped with a warning.
Status ManifestBuilder::MergeDuplicates() {
  ManifestEntries& entries = manifest_.entries;
  entries.ShrinkToFit();  // before the keys
  size_t n = entries.size();
  unsigned bits = 1;
  while (bits < 63 && (uint64_t{1} << bits) < n) ++bits;
  const uint64_t index_mask = (uint64_t{1} << bits) - 1;
  manifest_internal::ChunkedArray<uint32_t, 14> hashes;
  entries.ForEachPath([&](size_t, std::string_view path) {
    hashes.push_back(static_cast<uint32_t>(std::hash<std::string>{}(FoldCase(path))));
  });
  const size_t passes = n / (size_t{1} << 18) + 1;

  struct Duplicate {
    std::string folded;
    uint32_t first, again;  // entry indices
  };
  std::vector<Duplicate> duplicates;
  std::vector<uint64_t> keys;
  std::vector<std::pair<std::string, uint32_t>> run;  // entries with one hash
  for (size_t pass = 0; pass < passes; ++pass) {
    keys.clear();
    for (size_t i = 0; i < n; ++i)
      if (hashes[i] % passes == pass) keys.push_back((uint64_t{hashes[i]} << bits) | i);
    std::sort(keys.begin(), keys.end());
    for (size_t start = 0, end; start < keys.size(); start = end) {
      for (end = start + 1; end < keys.size() && (keys[end] >> bits) == (keys[start] >> bits);) ++end;
      if (end - start == 1) continue;
      run.clear();
      for (size_t k = start; k < end; ++k) {
        auto i = static_cast<uint32_t>(keys[k] & index_mask);
        run.emplace_back(FoldCase(entries.path(i)), i);
      }
      std::sort(run.begin(), run.end());
      for (size_t k = 1, first = 0; k < run.size(); ++k) {
        if (run[k].first != run[first].first)
          first = k;
        else
          duplicates.push_back(Duplicate{run[k].first, run[first].second, run[k].second});
      }
    }
  }
  keys = {};
  hashes.clear();
  if (duplicates.empty()) return Status::Ok();
  std::sort(duplicates.begin(), duplicates.end(), [](const Duplicate& a, const Duplicate& b) {
    return a.folded != b.folded ? a.folded < b.folded : a.again < b.again;
  });
  std::vector<bool> drop(n, false);
  for (const Duplicate& d : duplicates) {
    const ManifestEntry first = entries[d.first];
    const ManifestEntry again = entries[d.again];
    const char* what = nullptr;
    if (first.sha256 != again.sha256) what = "SHA-256";
    else if (first.has_size() && again.has_size() && first.size != again.size) what = "size";
    else if (first.version != again.version) what = "version";
    else if (!SameAlternatives(first, again)) what = "set of alternatives";
    if (what != nullptr) {
      return ManifestError(name_, again.line,
                           "'" + again.path + "' is listed again with a different " + what +
                               (first.line ? " (first at line " + std::to_string(first.line) + ")" : ""));
    }
    manifest_.warnings.push_back(name_ + (again.line ? ":" + std::to_string(again.line) : "") + ": '" +
                                 again.path + "' is listed twice with the same hash; the repeat is ignored");
    drop[d.again] = true;
  }
  entries.EraseIf(drop);
  return Status::Ok();
}

Result<Manifest> ManifestBuilder::Finish(ManifestFormat format, const Digest& file_sha256) {
  if (manifest_.entries.empty() && manifest_.forbid.empty())
    return ManifestError(name_, 0, "no file entries (empty or truncated manifest)");
  LB_RETURN_IF_ERROR(MergeDuplicates());
  manifest_.format = format;
  manifest_.file_sha256 = file_sha256;
  return std::move(manifest_);
}

Result<Manifest> ReadManifest(ByteReader& in, const std::string& name, ManifestFormat format,
                              const ManifestLimits& limits) {
  HashingReader hashing(in, limits.max_file_bytes, name);
  PeekReader peek(hashing);
  if (format == ManifestFormat::kAuto) {
    Result<std::string_view> head = peek.Peek(17);
    if (!head.ok()) return head.status();
    if (head->substr(0, 17) == "lifeboat-manifest")
      format = ManifestFormat::kNative;
    else if (head->substr(0, 6) == "#mtree")
      format = ManifestFormat::kMtree;
    else
      format = ManifestFormat::kSha256sum;
  }
  ManifestBuilder builder(name, limits);
  Status parsed = format == ManifestFormat::kMtree    ? ParseMtree(peek, builder)
                  : format == ManifestFormat::kNative ? ParseNative(peek, builder, limits)
                                                      : ParseSha256sum(peek, builder, limits);
  if (!parsed.ok()) return parsed;
  LB_RETURN_IF_ERROR(hashing.Drain());
  return builder.Finish(format, hashing.Finish());
}

Result<Manifest> LoadManifest(const std::string& path, ManifestFormat format, const ManifestLimits& limits) {
  Result<std::unique_ptr<ByteReader>> in = OpenFileReader(path);
  if (!in.ok()) return in.status();
  return ReadManifest(**in, path, format, limits);
}

Result<Manifest> ParseManifest(std::string_view data, const std::string& name, ManifestFormat format,
                               const ManifestLimits& limits) {
  std::unique_ptr<ByteReader> in = MemoryReader(data);
  return ReadManifest(*in, name, format, limits);
}

}  // namespace lifeboat
