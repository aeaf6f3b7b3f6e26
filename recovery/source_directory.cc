// DirectorySource: walks the tree once (sorted by name for deterministic
// choices, symlinks skipped, confined by PosixFileSystem) to list candidates,
// then opens candidates by their relative path on demand. Windows install
// media keep most files compressed, one per cabinet, with the extension's
// last letter replaced by '_' (I386/SVCHOST.EX_ holds svchost.exe): such a
// file's members are candidates too ("I386/SVCHOST.EX_/svchost.exe"), read
// through libarchive when wanted; listing them reads only the cabinet header.
#include "recovery/source_directory.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "recovery/filesystem_posix.h"
#include "recovery/hash_stream.h"
#include "recovery/rel_path.h"
#include "recovery/source_archive.h"
#include "recovery/szdd.h"

namespace lifeboat {
namespace {

// SZDD files are expanded in memory; system files are far smaller.
constexpr uint64_t kMaxSzddFile = 128ull << 20;

class DirectorySource final : public Source {
 public:
  DirectorySource(std::unique_ptr<FileSystem> owned, FileSystemFn fs, std::string base, std::string location,
                  std::string label, std::vector<std::string> skip = {})
      : owned_(std::move(owned)), fs_(std::move(fs)), base_(std::move(base)), location_(std::move(location)),
        label_(std::move(label)), skip_(skip.begin(), skip.end()) {}

  const std::string& label() const override { return label_; }
  const std::string& location() const override { return location_; }

  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) override {
    if (!listed_) {
      Walk("", 0);
      listed_ = true;
    }
    stop_ = false;
    for (const Candidate& c : candidates_) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (!want(c)) continue;
      if (packed_.count(c.id)) {
        Status s = WithMember(c, [&](ByteReader& data) {
          Result<StreamHash> h = HashStream(data, max_bytes(c), progress, cancel);
          if (!h.ok()) return h.status();
          progress.Advance(1, 0);
          if (!h->over_limit) stop_ = !hashed(c, h->digest, h->bytes);
          return Status::Ok();
        });
        if (s.code() == Status::Code::kCancelled) return s;
        if (!s.ok()) warnings_.push_back(label_ + ":" + c.name + ": " + s.message());
        if (stop_) break;
        continue;
      }
      Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Full(c.name));
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
      if (packed_.count(c.id)) {
        Status s = WithMember(c, [&](ByteReader& data) {
          consume(c, data);
          return Status::Ok();
        });
        if (!s.ok()) warnings_.push_back(label_ + ":" + c.name + ": " + s.message());
        continue;
      }
      Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Full(c.name));
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
      warnings_.push_back(label_ + ": " + Fs().Describe(Full(dir)) + ": deeper than 64 levels, not searched");
      return;
    }
    Result<std::vector<DirEntry>> entries = Fs().ListDir(Full(dir));
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
        if (!skip_.count(path)) Walk(path, depth + 1);
      } else if (e.type == FileType::kRegular) {
        Result<FileInfo> info = Fs().Stat(Full(path));
        if (!info.ok()) {
          warnings_.push_back(label_ + ": " + info.status().message());
          continue;
        }
        candidates_.push_back(Candidate{candidates_.size(), info->size, path});
        if (IsCompressedName(e.name)) ListPacked(path);
      }
    }
  }

  // "SVCHOST.EX_", "NTOSKRNL.EX_", "TCPIP.SY_": Microsoft's compressed-file
  // naming; "SP3.CAB", "driver.cab": cabinets of many files.
  static bool IsCompressedName(const std::string& name) {
    size_t dot = name.rfind('.');
    if (dot == std::string::npos || name.size() - dot != 4) return false;
    std::string ext = name.substr(dot + 1);
    for (char& ch : ext) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    return name.back() == '_' || ext == "cab";
  }

  // Adds the members of the cabinet at `path` as candidates (nothing if it is
  // not an archive libarchive reads: then it is only the plain file).
  void ListPacked(const std::string& path) {
    Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Full(path));
    if (!in.ok()) return;
    std::vector<Candidate> members;
    Status s = VisitArchiveStream(**in, Fs().Describe(Full(path)), [&](const std::string& name, uint64_t size, ByteReader&) {
      members.push_back(Candidate{0, size, path + "/" + name});
      return members.size() < 4096;
    });
    if (!s.ok() && ListSzdd(path)) return;  // SZDD (NT 4 / Win9x media), which libarchive does not read
    if (!s.ok()) {  // damaged
      warnings_.push_back(label_ + ": " + path + " is not a readable cabinet (" + s.message() +
                          "); only the file itself is a candidate");
      return;
    }
    for (Candidate& m : members) {
      m.id = candidates_.size();
      packed_.emplace(m.id, std::make_pair(path, m.name.substr(path.size() + 1)));
      candidates_.push_back(std::move(m));
    }
  }

  // An SZDD file ("SZDD" magic): its one member, named as expand.exe would
  // name it (SVCHOST.EX_ -> SVCHOST.EXE), sized by the header. False if `path`
  // is not SZDD.
  bool ListSzdd(const std::string& path) {
    Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Full(path));
    if (!in.ok()) return false;
    char head[14];
    size_t got = 0;
    while (got < sizeof head) {
      Result<size_t> n = (*in)->Read(head + got, sizeof head - got);
      if (!n.ok() || *n == 0) break;
      got += *n;
    }
    Result<SzddHeader> h = ReadSzddHeader(std::string_view(head, got));
    if (!h.ok()) return false;
    std::string name = SzddExpandedName(std::string(BaseName(path)), h->missing);
    Candidate m{candidates_.size(), h->length, path + "/" + name};
    packed_.emplace(m.id, std::make_pair(path, name));
    szdd_.insert(m.id);
    candidates_.push_back(std::move(m));
    return true;
  }

  // Runs use(data) on the member `c` stands for.
  Status WithMember(const Candidate& c, const std::function<Status(ByteReader&)>& use) {
    if (szdd_.count(c.id)) {
      const std::string& file = packed_.at(c.id).first;
      Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Full(file));
      if (!in.ok()) return in.status();
      Result<std::string> bytes = ReadAll(**in, kMaxSzddFile, Fs().Describe(Full(file)));
      if (!bytes.ok()) return bytes.status();
      Result<std::string> data = ExpandSzdd(*bytes, kMaxSzddFile);
      if (!data.ok()) return data.status();
      std::unique_ptr<ByteReader> reader = MemoryReader(*data);
      return use(*reader);
    }
    const std::string& cab = packed_.at(c.id).first;
    const std::string& member = packed_.at(c.id).second;
    Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Full(cab));
    if (!in.ok()) return in.status();
    Status result = Status::Error(Status::Code::kNotFound, Fs().Describe(Full(cab)) + ": " + member + " is gone");
    Status walk = VisitArchiveStream(**in, Fs().Describe(Full(cab)), [&](const std::string& name, uint64_t, ByteReader& data) {
      if (name != member) return true;
      result = use(data);
      return false;
    });
    return walk.ok() ? result : walk;
  }

  FileSystem& Fs() const { return *fs_(); }
  std::string Full(const std::string& path) const { return JoinPath(base_, path); }

  std::unique_ptr<FileSystem> owned_;  // a directory given by path: its own file system
  FileSystemFn fs_;
  std::string base_;  // the directory inside fs_, "" for a whole tree
  std::string location_, label_;
  std::unordered_set<std::string> skip_;
  bool listed_ = false;
  bool stop_ = false;
  std::vector<Candidate> candidates_;
  std::unordered_map<uint64_t, std::pair<std::string, std::string>> packed_;  // id -> cabinet, member
  std::unordered_set<uint64_t> szdd_;  // of those, the SZDD files (expanded in memory)
};

}  // namespace

Result<std::unique_ptr<Source>> OpenDirectorySource(const std::string& path) {
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(path);
  if (!fs.ok()) return fs.status();
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::string label(BaseName(trimmed));
  if (label.empty()) label = trimmed;
  FileSystem* raw = fs->get();
  return std::unique_ptr<Source>(
      new DirectorySource(std::move(fs).value(), [raw] { return raw; }, "", path, label));
}

std::unique_ptr<Source> OpenVolumeDirectorySource(FileSystemFn fs, std::string dir, std::string label,
                                                  std::vector<std::string> skip) {
  std::string location = dir.empty() ? "the whole volume" : dir;
  return std::unique_ptr<Source>(
      new DirectorySource(nullptr, std::move(fs), std::move(dir), location, std::move(label), std::move(skip)));
}

}  // namespace lifeboat
