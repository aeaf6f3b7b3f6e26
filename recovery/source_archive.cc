// ArchiveSource: each pass opens the archive afresh and walks its headers in
// order. Candidate ids are the ordinal of the member among all headers, so
// Survey and Fetch agree without keeping a name index; a member whose data
// does not match its declared size ends Survey as damage, since past it a
// pass that skips data may walk other headers than one that read it. Member
// names are only used as labels: nothing is ever extracted to a path taken
// from the archive, which makes traversal tricks ("../", absolute names,
// links) harmless.
//
// Decompression bombs: data reads stop at the size the planner allows, but
// that is the member's declared size, and with a sha256sum manifest (no
// sizes) every member is hashed, so a 2 MB tar.bz2 declaring a 1 TB member of
// zeros would keep a fix busy for hours. Skipping a member of a compressed
// stream (tar.gz, tar.bz2, ...) decompresses it too. So every byte
// decompressed, read or skipped, is counted against the bytes taken from the
// archive file: past 256 MiB, a member or a whole archive expanding more
// than 1000 times is refused and the walk ends there (ArchiveLimits). Real
// files compress 2-10 times; deflate cannot pass 1032 times; only data that
// is nearly all one byte value goes past 1000. 7z and cab readers skip
// lazily and decode the skipped part of a solid folder when a later member
// of it is read, where no limit can reach: an ArchiveSource reads those
// skips itself too; VisitArchiveStream (cabinets in a directory source,
// listed by their headers alone) does not, so a cabinet's bomb is stopped
// only when it is the member being read.
#include "recovery/source_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <unordered_map>

#include "recovery/hash_stream.h"
#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// libarchive's message for the last error, or `fallback` when it has none.
const char* Why(struct archive* a, const char* fallback) {
  const char* why = archive_error_string(a);
  return why ? why : fallback;
}

std::string Bytes(uint64_t n) {
  if (n < 10 << 10) return std::to_string(n) + " bytes";
  if (n < 10 << 20) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n >> 20) + " MiB";
}

// Counts decompressed bytes against the bytes read from the archive file
// (libarchive's last filter is the file itself), for the whole walk and for
// the current member. See the top of the file.
class BombGuard {
 public:
  BombGuard(struct archive* a, const ArchiveLimits& limits) : a_(a), limits_(limits) {}
  void StartMember() {
    member_out_ = 0;
    member_in_ = In();
  }
  Status Count(size_t n) {
    out_ += n;
    member_out_ += n;
    if (TooMuch(member_out_, In() - member_in_) || TooMuch(out_, In()))
      return Status::Error(Status::Code::kInvalidInput,
                           "a decompression bomb: expands more than " + std::to_string(limits_.bomb_ratio) +
                               " times (" + Bytes(out_) + " out of " + Bytes(In()) + " read)");
    return Status::Ok();
  }

 private:
  uint64_t In() const {
    la_int64_t n = archive_filter_bytes(a_, -1);
    return n > 0 ? static_cast<uint64_t>(n) : 0;
  }
  bool TooMuch(uint64_t out, uint64_t in) const {
    return out > limits_.bomb_floor && out / std::max<uint64_t>(in, 1) > limits_.bomb_ratio;
  }

  struct archive* a_;
  ArchiveLimits limits_;
  uint64_t out_ = 0, member_out_ = 0, member_in_ = 0;
};

// The current member's data as a ByteReader.
class MemberReader final : public ByteReader {
 public:
  MemberReader(struct archive* a, BombGuard& guard) : a_(a), guard_(guard) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    la_ssize_t n = archive_read_data(a_, buf, cap);
    if (n < 0) {
      failed_ = true;
      return Status::Error(Status::Code::kIoError, Why(a_, "archive read error"));
    }
    if (Status s = guard_.Count(static_cast<size_t>(n)); !s.ok()) {
      failed_ = true;
      bomb_ = s;
      return s;
    }
    return static_cast<size_t>(n);
  }
  // A data error leaves some readers (cab) in a state where moving on to the
  // next header is unsafe (libarchive 3.6 crashes): the walk stops there.
  bool failed() const { return failed_; }
  // Why the guard stopped the read (OK if it did not).
  const Status& bomb() const { return bomb_; }

 private:
  struct archive* a_;
  BombGuard& guard_;
  bool failed_ = false;
  Status bomb_;
};

// Where skipping a member means decompressing it (a compression filter
// around the whole stream, or with `folders` a 7z or cab folder), the rest
// of the member is read here through the guard instead of by libarchive's
// skip, which no limit could stop.
Status SkipRest(struct archive* a, BombGuard& guard, bool folders) {
  int format = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
  bool decodes = archive_filter_count(a) > 1 ||
                 (folders && (format == ARCHIVE_FORMAT_7ZIP || format == ARCHIVE_FORMAT_CAB));
  if (!decodes) return Status::Ok();
  for (;;) {
    const void* data = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(a, &data, &n, &offset);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return Status::Error(Status::Code::kIoError, Why(a, "archive read error"));
    LB_RETURN_IF_ERROR(guard.Count(n));
  }
}

std::string CleanMemberName(const char* raw) {
  std::string_view n = raw ? raw : "";
  while (n.substr(0, 2) == "./") n.remove_prefix(2);
  return std::string(n);
}

class ArchiveSource final : public Source {
 public:
  ArchiveSource(std::string location, std::string label, const ArchiveLimits& limits)
      : location_(std::move(location)), label_(std::move(label)), limits_(limits) {}

  const std::string& label() const override { return label_; }
  const std::string& location() const override { return location_; }

  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) override {
    // Hard links: a later name of an already-hashed member reuses its hash.
    std::unordered_map<uint64_t, std::pair<Digest, uint64_t>> digests;
    std::string damaged;  // the member whose data could not be read: the walk ends there
    Status bomb;
    Status walked = Walk(cancel, [&](struct archive* a, BombGuard& guard, const Candidate& c, bool link) -> bool {
      if (link) {
        auto it = digests.find(c.id);
        if (it == digests.end() || !want(c)) return true;
        return hashed(c, it->second.first, it->second.second);
      }
      if (!want(c)) return true;
      MemberReader reader(a, guard);
      const uint64_t limit = max_bytes(c);
      Result<StreamHash> h = HashStream(reader, limit, progress, cancel);
      if (!h.ok()) {
        bomb = reader.bomb();
        if (bomb.ok()) warnings_.push_back(label_ + ":" + c.name + ": " + h.status().message());
        if (reader.failed()) {
          damaged = c.name;
          return false;
        }
        return !cancel.cancelled();
      }
      progress.Advance(1, 0);
      // Data longer or shorter than the header says: where libarchive finds
      // the next header then depends on whether this data was read or
      // skipped (a streamed zip), so Fetch, which skips what it is not asked
      // for, could find other members at the ordinals surveyed after it.
      if (c.size != kUnknownCandidateSize && (h->over_limit ? limit >= c.size : h->bytes != c.size)) {
        warnings_.push_back(label_ + ":" + c.name + ": its data is " + (h->over_limit ? "longer" : "shorter") +
                            " than the " + std::to_string(c.size) + " bytes its header says");
        damaged = c.name;
        return false;
      }
      if (h->over_limit) return true;
      digests[c.id] = {h->digest, h->bytes};
      return hashed(c, h->digest, h->bytes);
    });
    return walked.ok() ? DamagedAt(damaged, bomb) : walked;
  }

  Status Fetch(const std::vector<Candidate>& wanted, const ConsumeFn& consume,
               const CancelToken& cancel) override {
    // By ordinal: a hard-link candidate carries its target's ordinal, so the
    // bytes come from the member that holds them. The executor verifies every
    // byte it writes, so an archive that changed since is caught there.
    std::unordered_map<uint64_t, const Candidate*> left;
    for (const Candidate& c : wanted) left.emplace(c.id, &c);
    if (left.empty()) return Status::Ok();
    std::string damaged;
    Status bomb;
    Status walked = Walk(cancel, [&](struct archive* a, BombGuard& guard, const Candidate& c, bool link) -> bool {
      auto it = left.find(c.id);
      if (link || it == left.end()) return true;
      const Candidate& asked = *it->second;
      left.erase(it);
      MemberReader reader(a, guard);
      consume(asked, reader);
      if (reader.failed()) {
        damaged = asked.name;
        bomb = reader.bomb();
        return false;
      }
      return !left.empty();
    });
    return walked.ok() ? DamagedAt(damaged, bomb) : walked;
  }

  // libarchive cannot go on after a member whose data is damaged (the cab
  // reader of 3.6 even crashes when asked for the next header): the source
  // ends there, as an error, so nobody mistakes it for a complete read. So
  // does a decompression bomb (`bomb` not OK).
  Status DamagedAt(const std::string& member, const Status& bomb) {
    if (member.empty()) return Status::Ok();
    if (!bomb.ok()) return EndedAt(member, bomb);
    return Status::Error(Status::Code::kIoError,
                         location_ + ": damaged at " + member + "; the members after it were not read");
  }
  // The second survey pass meets the same bomb, maybe a few bytes later: it
  // gets the same words, so the warning is given once.
  Status EndedAt(const std::string& member, const Status& why) {
    if (ended_.first != member)
      ended_ = {member, location_ + ": " + member + ": " + why.message() + "; the members after it were not read"};
    return Status::Error(why.code(), ended_.second);
  }

 private:
  // Calls visit(archive, guard, candidate, is_link) for each regular-file
  // member until it returns false. A hard link to an earlier member comes
  // with is_link set and the earlier member's ordinal and size (its data is
  // there). Header errors and decompression bombs end the walk with a non-OK
  // Status.
  template <typename Visit>
  Status Walk(const CancelToken& cancel, Visit&& visit) {
    ArchivePtr a(archive_read_new());
    EnableArchiveFormats(a.get());
    if (archive_read_open_filename(a.get(), location_.c_str(), 1 << 16) != ARCHIVE_OK)
      return Error(a.get(), "cannot open");
    BombGuard guard(a.get(), limits_);
    uint64_t ordinal = 0;
    std::string previous;  // the last member's name, for a bomb in its data
    std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> files;  // name -> ordinal, size
    for (;;) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (ordinal > 0) {
        Status skipped = SkipRest(a.get(), guard, /*folders=*/true);
        if (!skipped.ok()) return EndedAt(previous, skipped);
      }
      struct archive_entry* e = nullptr;
      int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) return Status::Ok();
      if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) return Error(a.get(), "unreadable after member " + std::to_string(ordinal));
      uint64_t id = ordinal++;
      guard.StartMember();
      Candidate c;
      c.name = CleanMemberName(archive_entry_pathname(e));
      previous = c.name;
      if (const char* target = archive_entry_hardlink(e)) {
        auto it = files.find(CleanMemberName(target));
        if (it == files.end()) continue;  // a link to something that is not a regular file
        c.id = it->second.first;
        c.size = it->second.second;
        if (!visit(a.get(), guard, c, true)) return Status::Ok();
        continue;
      }
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      c.id = id;
      c.size = archive_entry_size_is_set(e) && archive_entry_size(e) >= 0
                   ? static_cast<uint64_t>(archive_entry_size(e))
                   : kUnknownCandidateSize;
      files.emplace(c.name, std::make_pair(c.id, c.size));
      if (!visit(a.get(), guard, c, false)) return Status::Ok();
    }
  }

  Status Error(struct archive* a, const std::string& what) const {
    return Status::Error(Status::Code::kIoError, location_ + ": " + what + ": " + Why(a, "unknown error"));
  }

  std::string location_, label_;
  ArchiveLimits limits_;
  std::pair<std::string, std::string> ended_;  // where and why an earlier walk ended early
};

}  // namespace

void EnableArchiveFormats(struct archive* a) {
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_format_zip(a);
  archive_read_support_format_7zip(a);
  archive_read_support_format_cab(a);
  archive_read_support_format_iso9660(a);
  archive_read_support_format_cpio(a);
}

namespace {

struct StreamState {
  ByteReader* in;
  std::vector<char> buf = std::vector<char>(1 << 16);
  std::string error;
};

la_ssize_t ReadCallback(struct archive*, void* opaque, const void** out) {
  auto* st = static_cast<StreamState*>(opaque);
  Result<size_t> n = st->in->Read(st->buf.data(), st->buf.size());
  if (!n.ok()) {
    st->error = n.status().message();
    return -1;
  }
  *out = st->buf.data();
  return static_cast<la_ssize_t>(*n);
}

}  // namespace

Status VisitArchiveStream(ByteReader& in, const std::string& label, const MemberVisitFn& visit,
                          const ArchiveLimits& limits) {
  ArchivePtr a(archive_read_new());
  EnableArchiveFormats(a.get());
  StreamState st;
  st.in = &in;
  auto fail = [&](const std::string& what) {
    return Status::Error(Status::Code::kIoError,
                         label + ": " + what + ": " + (!st.error.empty() ? st.error : Why(a.get(), "unknown format")));
  };
  if (archive_read_open(a.get(), &st, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) return fail("cannot open");
  BombGuard guard(a.get(), limits);
  std::string previous;
  for (bool first = true;; first = false) {
    if (!first) {
      Status skipped = SkipRest(a.get(), guard, /*folders=*/false);
      if (!skipped.ok())
        return Status::Error(skipped.code(), label + ": " + previous + ": " + skipped.message() + "; the rest is not read");
    }
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) return fail("unreadable");
    guard.StartMember();
    previous = CleanMemberName(archive_entry_pathname(e));
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) continue;
    uint64_t size = archive_entry_size_is_set(e) && archive_entry_size(e) >= 0
                        ? static_cast<uint64_t>(archive_entry_size(e))
                        : kUnknownCandidateSize;
    MemberReader reader(a.get(), guard);
    const std::string& name = previous;
    if (!visit(name, size, reader)) return Status::Ok();
    if (!reader.bomb().ok())
      return Status::Error(reader.bomb().code(), label + ": " + name + ": " + reader.bomb().message() + "; the rest is not read");
    if (reader.failed()) return fail("damaged member " + name + ", the rest is not read");
  }
}

Result<std::unique_ptr<Source>> OpenArchiveSource(const std::string& path, const ArchiveLimits& limits) {
  // Open once now so a wrong path or an unknown format is reported before
  // any work starts.
  ArchivePtr a(archive_read_new());
  EnableArchiveFormats(a.get());
  auto unreadable = [&] {
    return Status::Error(Status::Code::kInvalidInput,
                         "source " + path + " is not a readable archive: " + Why(a.get(), "unknown format"));
  };
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) return unreadable();
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(a.get(), &e);
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF) return unreadable();
  return std::unique_ptr<Source>(new ArchiveSource(path, std::string(BaseName(path)), limits));
}

}  // namespace lifeboat
