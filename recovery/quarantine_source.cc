// QuarantineSource (quarantine_source.h): the folder is walked once (sorted,
// bounded in depth and count); Defender's Entries are read first so each
// ResourceData file gets its original path. Survey decodes each quarantine
// file once and hashes the wanted items from memory; Fetch decodes again
// only the files that hold wanted items.
#include "recovery/quarantine_source.h"

#include <algorithm>
#include <map>
#include <optional>

#include "recovery/case_fold.h"
#include "recovery/hash_stream.h"
#include "recovery/host_stores.h"
#include "recovery/quarantine.h"
#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxFiles = 20000;

bool EndsWithFolded(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && FoldCase(name.substr(name.size() - suffix.size())) == suffix;
}

bool HasComponentFolded(const std::string& path, const std::string& component) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (FoldCase(path.substr(start, slash - start)) == component) return true;
    start = slash + 1;
  }
  return false;
}

class QuarantineSource final : public Source {
 public:
  QuarantineSource(FileSystemFn fs, std::string dir, std::string label)
      : fs_(std::move(fs)), dir_(std::move(dir)), label_(std::move(label)) {}

  const std::string& label() const override { return label_; }
  const std::string& location() const override { return dir_; }

  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) override {
    if (!listed_) List();
    bool first = first_.empty();
    for (size_t f = 0; f < files_.size(); ++f) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      std::vector<QuarantinedFile> items = Decode(f, first);
      if (first) {
        first_.push_back(candidates_.size());
        for (size_t k = 0; k < items.size(); ++k) {
          candidates_.push_back(Candidate{candidates_.size(), items[k].content.size(), Name(f, items[k])});
          owner_.emplace_back(f, k);
        }
      }
      size_t count = (f + 1 < first_.size() ? first_[f + 1] : candidates_.size()) - first_[f];
      for (size_t k = 0; k < items.size() && k < count; ++k) {
        const Candidate& c = candidates_[first_[f] + k];
        if (!want(c)) continue;
        std::unique_ptr<ByteReader> in = MemoryReader(items[k].content);
        Result<StreamHash> h = HashStream(*in, max_bytes(c), progress, cancel);
        if (!h.ok()) {
          if (h.status().code() == Status::Code::kCancelled) return h.status();
          continue;
        }
        progress.Advance(1, 0);
        if (!h->over_limit && !hashed(c, h->digest, h->bytes)) return Status::Ok();
      }
    }
    return Status::Ok();
  }

  Status Fetch(const std::vector<Candidate>& wanted, const ConsumeFn& consume,
               const CancelToken& cancel) override {
    std::map<size_t, std::vector<const Candidate*>> by_file;
    for (const Candidate& c : wanted)
      if (c.id < owner_.size()) by_file[owner_[c.id].first].push_back(&c);
    for (auto& [f, cands] : by_file) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      std::vector<QuarantinedFile> items = Decode(f, true);
      for (const Candidate* c : cands) {
        size_t k = owner_[c->id].second;
        if (k >= items.size()) continue;  // changed since the survey: the caller sees it was not delivered
        std::unique_ptr<ByteReader> in = MemoryReader(items[k].content);
        consume(*c, *in);
      }
    }
    return Status::Ok();
  }

 private:
  enum class Kind { kBup, kVbn, kDefenderResource };

  void List() {
    listed_ = true;
    Walk("", 0);
    std::sort(files_.begin(), files_.end());
    // Defender: the Entries name each ResourceData file's original path.
    std::vector<std::string> rest;
    for (const std::string& f : files_) {
      if (!HasComponentFolded(f, "entries")) {
        rest.push_back(f);
        continue;
      }
      Result<std::string> bytes = ReadFile(f);
      if (!bytes.ok()) continue;
      Result<DefenderEntry> e = DecodeDefenderEntry(*bytes);
      if (!e.ok()) {
        warnings_.push_back(label_ + ": " + Path(f) + ": " + e.status().message());
        continue;
      }
      for (auto& [id, path] : e->files) defender_paths_[id] = {path, e->threat};
    }
    files_.clear();
    for (std::string& f : rest)
      if (KindOf(f)) files_.push_back(std::move(f));
  }

  void Walk(const std::string& dir, int depth) {
    if (depth > kMaxDepth || files_.size() >= kMaxFiles) return;
    Result<std::vector<DirEntry>> entries = Fs().ListDir(Path(dir));
    if (!entries.ok()) {
      warnings_.push_back(label_ + ": " + entries.status().message());
      return;
    }
    for (const DirEntry& e : *entries) {
      std::string path = JoinPath(dir, e.name);
      if (!IsCleanRelPath(path)) continue;
      if (e.type == FileType::kDirectory) Walk(path, depth + 1);
      else if (e.type == FileType::kRegular && files_.size() < kMaxFiles) files_.push_back(path);
    }
  }

  // How a file of the folder is decoded, by name and place (nullopt: not a
  // quarantine item, such as an index or a Symantec metadata file's folder).
  std::optional<Kind> KindOf(const std::string& f) const {
    if (EndsWithFolded(f, ".bup")) return Kind::kBup;
    if (EndsWithFolded(f, ".vbn")) return Kind::kVbn;
    if (HasComponentFolded(f, "resourcedata")) return Kind::kDefenderResource;
    return std::nullopt;
  }

  Result<std::string> ReadFile(const std::string& f) {
    Result<std::unique_ptr<ByteReader>> in = Fs().OpenRead(Path(f));
    if (!in.ok()) return in.status();
    return ReadAll(**in, kMaxQuarantineFile, Fs().Describe(Path(f)));
  }

  // The items of file number f; decoding problems become warnings when `warn`.
  std::vector<QuarantinedFile> Decode(size_t f, bool warn) {
    const std::string& name = files_[f];
    std::vector<QuarantinedFile> out;
    Result<std::string> bytes = ReadFile(name);
    if (!bytes.ok()) {
      if (warn) warnings_.push_back(label_ + ": " + bytes.status().message());
      return out;
    }
    Status error;
    switch (*KindOf(name)) {
      case Kind::kBup: {
        Result<std::vector<QuarantinedFile>> r = DecodeMcAfeeBup(*bytes, kMaxQuarantineFile);
        if (r.ok()) out = std::move(r).value();
        else error = r.status();
        break;
      }
      case Kind::kVbn: {
        Result<QuarantinedFile> r = DecodeSymantecVbn(*bytes, kMaxQuarantineFile);
        if (r.ok()) out.push_back(std::move(r).value());
        // A metadata .vbn (next to its content folder) holds no file: not worth a warning.
        else if (r.status().message().find("no file in the payload") == std::string::npos) error = r.status();
        break;
      }
      case Kind::kDefenderResource: {
        Result<std::string> r = DecodeDefenderResource(*bytes, kMaxQuarantineFile);
        if (!r.ok()) {
          error = r.status();
          break;
        }
        QuarantinedFile q;
        q.content = std::move(r).value();
        auto it = defender_paths_.find(Upper(std::string(BaseName(name))));
        if (it != defender_paths_.end()) {
          q.original_path = it->second.first;
          q.threat = it->second.second;
        }
        out.push_back(std::move(q));
        break;
      }
    }
    if (!error.ok() && warn) warnings_.push_back(label_ + ": " + Path(name) + ": " + error.message());
    return out;
  }

  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return s;
  }

  // "Quarantine/4a5b.bup:File_0, was C:/WINDOWS/system32/svchost.exe": where
  // the copy is and what the product recorded (slashes, so that the name's
  // last component is the original file name).
  std::string Name(size_t f, const QuarantinedFile& q) const {
    std::string name = Path(files_[f]);
    if (!q.item.empty() && q.item != "File_0") name += ":" + q.item;
    if (!q.original_path.empty()) {
      std::string original = q.original_path;
      std::replace(original.begin(), original.end(), '\\', '/');
      name += ", was " + original;
    }
    return name;
  }

  FileSystem& Fs() const { return *fs_(); }
  std::string Path(const std::string& f) const { return JoinPath(dir_, f); }

  FileSystemFn fs_;
  std::string dir_, label_;
  bool listed_ = false;
  std::vector<std::string> files_;  // relative to dir_, sorted
  std::map<std::string, std::pair<std::string, std::string>> defender_paths_;  // resource id -> path, threat
  std::vector<Candidate> candidates_;
  std::vector<std::pair<size_t, size_t>> owner_;  // candidate id -> file, item
  std::vector<size_t> first_;                     // file -> its first candidate id
};

void FindNamedQuarantine(FileSystem& fs, const std::string& dir, const std::string& label, int depth,
                         std::vector<QuarantineStore>& out) {
  if (depth > 5) return;
  Result<std::vector<DirEntry>> entries = fs.ListDir(dir);
  if (!entries.ok()) return;
  for (const DirEntry& e : *entries) {
    if (e.type != FileType::kDirectory) continue;
    std::string path = JoinPath(dir, e.name);
    if (FoldCase(e.name) == "quarantine") out.push_back({label, path});  // not searched deeper
    else FindNamedQuarantine(fs, path, label, depth + 1, out);
  }
}

}  // namespace

std::vector<QuarantineStore> FindQuarantineStores(FileSystem& fs) {
  std::vector<QuarantineStore> out;
  std::string root = FindDirFolded(fs, "Quarantine");
  if (!root.empty()) out.push_back({"McAfee quarantine", root});
  for (const char* base : {"ProgramData", "Documents and Settings/All Users/Application Data"}) {
    std::string b = FindDirFolded(fs, base);
    if (b.empty()) continue;
    std::string mcafee = FindDirFolded(fs, b + "/McAfee");
    if (!mcafee.empty()) FindNamedQuarantine(fs, mcafee, "McAfee quarantine", 0, out);
    std::string symantec = FindDirFolded(fs, b + "/Symantec");
    if (!symantec.empty()) FindNamedQuarantine(fs, symantec, "Symantec quarantine", 0, out);
    for (const char* d : {"/Microsoft/Windows Defender/Quarantine", "/Microsoft/Microsoft Antimalware/Quarantine"}) {
      std::string defender = FindDirFolded(fs, b + d);
      if (!defender.empty()) out.push_back({"Defender quarantine", defender});
    }
  }
  return out;
}

std::unique_ptr<Source> OpenQuarantineSource(FileSystemFn fs, std::string dir, std::string label) {
  return std::unique_ptr<Source>(new QuarantineSource(std::move(fs), std::move(dir), std::move(label)));
}

}  // namespace lifeboat
