// DirectorySource: walks the tree once (sorted by name for deterministic
// choices, symlinks skipped, confined by PosixFileSystem) to list candidates,
// then opens candidates by their relative path on demand.
#include "recovery/source_directory.h"

#include <algorithm>

#include "recovery/filesystem_posix.h"
#include "recovery/hash_stream.h"
#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

class DirectorySource final : public Source {
 public:
  DirectorySource(std::unique_ptr<FileSystem> fs, std::string location, std::string label)
      : fs_(std::move(fs)), location_(std::move(location)), label_(std::move(label)) {}

  const std::string& label() const override { return label_; }
  const std::string& location() const override { return location_; }

  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) override {
    if (!listed_) {
      Walk("", 0);
      listed_ = true;
    }
    for (const Candidate& c : candidates_) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (!want(c)) continue;
      Result<std::unique_ptr<ByteReader>> in = fs_->OpenRead(c.name);
      if (!in.ok()) {
        warnings_.push_back(label_ + ": " + in.status().message());
        continue;
      }
      Result<StreamHash> h = HashStream(**in, max_bytes(c), progress, cancel);
      if (!h.ok()) {
        if (h.status().code() == Status::Code::kCancelled) return h.status();
        warnings_.push_back(label_ + ": " + h.status().message());
        continue;
      }
      progress.Advance(1, 0);
      if (h->over_limit) continue;
      if (!hashed(c, h->digest, h->bytes)) break;
    }
    return Status::Ok();
  }

  Status Fetch(const std::vector<Candidate>& wanted, const ConsumeFn& consume,
               const CancelToken& cancel) override {
    for (const Candidate& c : wanted) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      Result<std::unique_ptr<ByteReader>> in = fs_->OpenRead(c.name);
      if (!in.ok()) {
        warnings_.push_back(label_ + ": " + in.status().message());
        continue;
      }
      consume(c, **in);
    }
    return Status::Ok();
  }

 private:
  void Walk(const std::string& dir, int depth) {
    if (depth > 64) {
      warnings_.push_back(label_ + ": " + fs_->Describe(dir) + ": deeper than 64 levels, not searched");
      return;
    }
    Result<std::vector<DirEntry>> entries = fs_->ListDir(dir);
    if (!entries.ok()) {
      warnings_.push_back(label_ + ": " + entries.status().message());
      return;
    }
    std::sort(entries->begin(), entries->end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    for (const DirEntry& e : *entries) {
      std::string path = JoinPath(dir, e.name);
      if (!IsCleanRelPath(path)) continue;  // names a Windows volume cannot hold
      if (e.type == FileType::kDirectory) {
        Walk(path, depth + 1);
      } else if (e.type == FileType::kRegular) {
        Result<FileInfo> info = fs_->Stat(path);
        if (!info.ok()) {
          warnings_.push_back(label_ + ": " + info.status().message());
          continue;
        }
        candidates_.push_back(Candidate{candidates_.size(), info->size, path});
      }
    }
  }

  std::unique_ptr<FileSystem> fs_;
  std::string location_, label_;
  bool listed_ = false;
  std::vector<Candidate> candidates_;
};

}  // namespace

Result<std::unique_ptr<Source>> OpenDirectorySource(const std::string& path) {
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(path);
  if (!fs.ok()) return fs.status();
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::string label(BaseName(trimmed));
  if (label.empty()) label = trimmed;
  return std::unique_ptr<Source>(new DirectorySource(std::move(fs).value(), path, label));
}

}  // namespace lifeboat
