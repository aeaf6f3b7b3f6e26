// WimSource: lists every image of the WIM once (wimlib_iterate_dir_tree,
// recursive), keeping one candidate per distinct blob: a WIM stores each
// content once, under its SHA-1, however many images and paths share it, so
// a DLL present in eight editions is hashed once and labelled by the first
// image and path that hold it. Only the unnamed data stream of regular files
// counts; directories, reparse points and encrypted files are skipped.
// Candidate ids are ordinals in that listing, which is deterministic, so a
// fresh WimSource over the same file agrees with the one that surveyed it.
//
// wimlib has no call that reads a file into memory, and its "to stdout" mode
// writes to file descriptor 1 of the whole process. So a candidate is read
// by extracting its one path (wimlib_extract_paths, no directory structure,
// no ACLs or attributes, no globbing) into a private directory made with
// mkdtemp under $TMPDIR or /tmp, opening the file and unlinking it at once:
// at most one file's worth of disk is used, whatever the WIM's size, and the
// directory is removed with the source. wimlib checks each blob's SHA-1 as it
// extracts, so a damaged resource fails that one file, with wimlib's own
// message in the warning; the rest of the WIM is still read. Selecting an
// image frees the previous one's metadata, so memory holds one image's tree.
#include "recovery/source_wim.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <wimlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "recovery/hash_stream.h"
#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

struct WimFree {
  void operator()(WIMStruct* w) const { wimlib_free(w); }
};
using WimPtr = std::unique_ptr<WIMStruct, WimFree>;

std::string WimError(int code) {
  const char* s = wimlib_get_error_string(static_cast<enum wimlib_error_code>(code));
  return s ? s : "wimlib error " + std::to_string(code);
}

void InitWimlib() {
  static std::once_flag once;
  // Paths are matched case-sensitively (the UNIX default): every path
  // lifeboat asks for was spelled by the WIM itself.
  std::call_once(once, [] { wimlib_global_init(0); });
}

constexpr int kCancelledWalk = -1;  // returned by the listing callback to stop

class WimSource final : public Source {
 public:
  WimSource(std::string location, std::string label, WimPtr wim, Status open_error)
      : location_(std::move(location)), label_(std::move(label)), wim_(std::move(wim)),
        open_error_(std::move(open_error)) {
    if (wim_) wimlib_register_progress_function(wim_.get(), &WimSource::OnProgress, this);
  }
  ~WimSource() override {
    wim_.reset();
    if (!tmp_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(tmp_, ec);
    }
  }

  const std::string& label() const override { return label_; }
  const std::string& location() const override { return location_; }

  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) override {
    LB_RETURN_IF_ERROR(List(cancel));
    for (size_t i = 0; i < candidates_.size(); ++i) {
      const Candidate& c = candidates_[i];
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (unreadable_.count(c.id) || !want(c)) continue;
      uint64_t limit = max_bytes(c);
      if (c.size > limit) continue;  // the blob table's size is exact: longer content cannot match
      Result<std::unique_ptr<ByteReader>> in = Extract(i, cancel);
      if (!in.ok()) {
        if (in.status().code() == Status::Code::kCancelled) return in.status();
        warnings_.push_back(label_ + ":" + c.name + ": " + in.status().message());
        unreadable_.insert(c.id);  // a second survey pass would fail the same way
        continue;
      }
      Result<StreamHash> h = HashStream(**in, limit, progress, cancel);
      if (!h.ok()) {
        if (h.status().code() == Status::Code::kCancelled) return h.status();
        warnings_.push_back(label_ + ":" + c.name + ": " + h.status().message());
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
    if (wanted.empty()) return Status::Ok();
    LB_RETURN_IF_ERROR(List(cancel));
    // In listing order: one image after the other, each image's metadata loaded once.
    std::vector<const Candidate*> order;
    for (const Candidate& c : wanted) order.push_back(&c);
    std::sort(order.begin(), order.end(), [](const Candidate* a, const Candidate* b) { return a->id < b->id; });
    for (const Candidate* c : order) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (c->id >= entries_.size()) {
        warnings_.push_back(label_ + ":" + c->name + ": not in this WIM (did it change since it was searched?)");
        continue;
      }
      Result<std::unique_ptr<ByteReader>> in = Extract(c->id, cancel);
      if (!in.ok()) {
        if (in.status().code() == Status::Code::kCancelled) return in.status();
        warnings_.push_back(label_ + ":" + candidates_[c->id].name + ": " + in.status().message());
        continue;
      }
      // The executor verifies every byte it writes against the manifest.
      consume(*c, **in);
    }
    return Status::Ok();
  }

 private:
  struct Entry {
    int image;
    std::string path;  // inside the image, as wimlib spells it: "/Windows/System32/kernel32.dll"
  };

  struct ListState {
    WimSource* self;
    int image;
    const CancelToken* cancel;
    std::unordered_set<std::string>* seen;  // SHA-1s of blobs already listed
  };

  Status List(const CancelToken& cancel) {
    if (!open_error_.ok()) return open_error_;
    if (listed_) return Status::Ok();
    struct wimlib_wim_info info {};
    int r = wimlib_get_wim_info(wim_.get(), &info);
    if (r != 0) return Status::Error(Status::Code::kIoError, location_ + ": " + WimError(r));
    std::unordered_set<std::string> seen;
    int readable = 0;
    for (int image = 1; image <= static_cast<int>(info.image_count); ++image) {
      ListState st{this, image, &cancel, &seen};
      r = wimlib_iterate_dir_tree(wim_.get(), image, WIMLIB_WIM_ROOT_PATH, WIMLIB_ITERATE_DIR_TREE_FLAG_RECURSIVE,
                                  &WimSource::OnDirEntry, &st);
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (r != 0) {
        // One image's metadata is damaged: the other images may still serve.
        warnings_.push_back(label_ + ": image " + std::to_string(image) + " is unreadable (" + WimError(r) +
                            "); its files are not used");
        continue;
      }
      ++readable;
    }
    if (info.image_count > 0 && readable == 0)
      return Status::Error(Status::Code::kIoError, location_ + ": no image of this WIM is readable");
    listed_ = true;
    return Status::Ok();
  }

  static int OnDirEntry(const struct wimlib_dir_entry* d, void* ctx) {
    auto* st = static_cast<ListState*>(ctx);
    if (st->cancel->cancelled()) return kCancelledWalk;
    constexpr uint32_t kSkip = WIMLIB_FILE_ATTRIBUTE_DIRECTORY | WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT |
                               WIMLIB_FILE_ATTRIBUTE_ENCRYPTED;
    if ((d->attributes & kSkip) || !d->full_path) return 0;
    const struct wimlib_stream_entry& s = d->streams[0];
    if (s.stream_name != nullptr || s.resource.is_missing || s.resource.is_metadata) return 0;
    std::string path = d->full_path;
    std::string name = std::to_string(st->image) + path;  // full_path starts with '/'
    if (!IsCleanRelPath(name)) return 0;  // names a Windows volume cannot hold
    if (!st->seen->emplace(reinterpret_cast<const char*>(s.resource.sha1_hash), sizeof s.resource.sha1_hash).second)
      return 0;
    WimSource& self = *st->self;
    self.candidates_.push_back(Candidate{self.candidates_.size(), s.resource.uncompressed_size, std::move(name)});
    self.entries_.push_back(Entry{st->image, std::move(path)});
    return 0;
  }

  static enum wimlib_progress_status OnProgress(enum wimlib_progress_msg, union wimlib_progress_info*, void* ctx) {
    auto* self = static_cast<WimSource*>(ctx);
    bool stop = self->cancel_ != nullptr && self->cancel_->cancelled();
    return stop ? WIMLIB_PROGRESS_STATUS_ABORT : WIMLIB_PROGRESS_STATUS_CONTINUE;
  }

  // The content of candidate `i`, as an open unlinked temp file.
  Result<std::unique_ptr<ByteReader>> Extract(size_t i, const CancelToken& cancel) {
    LB_RETURN_IF_ERROR(MakeTempDir());
    const Entry& e = entries_[i];
    const char* paths[] = {e.path.c_str()};
    constexpr int kFlags = WIMLIB_EXTRACT_FLAG_NO_PRESERVE_DIR_STRUCTURE | WIMLIB_EXTRACT_FLAG_NO_ACLS |
                           WIMLIB_EXTRACT_FLAG_NO_ATTRIBUTES;
    cancel_ = &cancel;
    int r = wimlib_extract_paths(wim_.get(), e.image, tmp_.c_str(), paths, 1, kFlags);
    cancel_ = nullptr;
    int fd = -1, err = 0;
    if (r == 0) {
      std::string file = tmp_ + "/" + std::string(BaseName(e.path));
      fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      err = errno;
    }
    Status cleared = ClearTempDir();  // the open descriptor keeps the data readable
    if (r == WIMLIB_ERR_ABORTED_BY_PROGRESS && cancel.cancelled())
      return Status::Error(Status::Code::kCancelled, "cancelled");
    if (r != 0) return Status::Error(Status::Code::kIoError, "cannot extract: " + WimError(r));
    if (fd < 0) return Status::FromErrno(err, "open the extracted copy in " + tmp_);
    if (!cleared.ok()) {
      ::close(fd);
      return cleared;
    }
    return FdReader(fd, label_ + ":" + candidates_[i].name);
  }

  Status MakeTempDir() {
    if (!tmp_.empty()) return Status::Ok();
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/lifeboat-wim.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr)
      return Status::FromErrno(errno, "create a temporary directory for " + label_ + " (" + templ + ")");
    tmp_ = templ;
    return Status::Ok();
  }

  Status ClearTempDir() {
    std::error_code ec;
    for (const auto& child : std::filesystem::directory_iterator(tmp_, ec)) {
      std::filesystem::remove_all(child.path(), ec);
      if (ec) break;
    }
    if (ec) return Status::Error(Status::Code::kIoError, "cannot empty " + tmp_ + ": " + ec.message());
    return Status::Ok();
  }

  std::string location_, label_;
  WimPtr wim_;
  Status open_error_;
  std::string tmp_;  // private extraction directory, made on first use
  const CancelToken* cancel_ = nullptr;  // set while wimlib extracts, for OnProgress
  bool listed_ = false;
  std::vector<Candidate> candidates_;
  std::vector<Entry> entries_;  // parallel to candidates_
  std::unordered_set<uint64_t> unreadable_;  // candidates whose extraction failed (already warned)
};

}  // namespace

bool HasWimMagic(std::string_view head) {
  using namespace std::string_view_literals;
  return head.substr(0, 8) == "MSWIM\0\0\0"sv || head.substr(0, 8) == "WLPWM\0\0\0"sv;
}

Result<std::unique_ptr<Source>> OpenWimSource(const std::string& path) {
  InitWimlib();
  WIMStruct* raw = nullptr;
  int r = wimlib_open_wim(path.c_str(), WIMLIB_OPEN_FLAG_ERROR_IF_SPLIT, &raw);
  WimPtr wim(r == 0 ? raw : nullptr);
  Status error;
  if (r == WIMLIB_ERR_IS_SPLIT_WIM) {
    error = Status::Error(Status::Code::kUnsupported,
                          path + " is one part of a split WIM (.swm); join the parts first "
                                 "(wimlib-imagex join install.wim install*.swm)");
  } else if (r != 0) {
    error = Status::Error(Status::Code::kInvalidInput, path + " is not a readable WIM image: " + WimError(r));
  }
  return std::unique_ptr<Source>(new WimSource(path, std::string(BaseName(path)), std::move(wim), std::move(error)));
}

}  // namespace lifeboat
