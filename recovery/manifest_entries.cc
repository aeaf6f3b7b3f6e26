// ManifestEntries: compact storage of a manifest's entries (see the header
// for the layout and why).
#include "recovery/manifest_entries.h"

#include <algorithm>
#include <functional>

namespace lifeboat {
namespace manifest_internal {

void RecordStream::PutVarint(uint64_t v) {
  while (v >= 0x80) {
    bytes_.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  bytes_.push_back(static_cast<char>(v));
}

uint64_t RecordStream::GetVarint(uint64_t* pos) const {
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    auto c = static_cast<uint8_t>(bytes_[(*pos)++]);
    v |= static_cast<uint64_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) return v;
  }
}

void RecordStream::Append(uint64_t a, uint64_t b, std::string_view text) {
  size_t shared = 0;
  if (count_ % interval_ == 0) {
    restarts_.push_back(bytes_.size());
  } else {
    size_t most = std::min(last_.size(), text.size());
    while (shared < most && last_[shared] == text[shared]) ++shared;
  }
  PutVarint(a);
  PutVarint(b);
  PutVarint(shared);
  PutVarint(text.size() - shared);
  for (size_t k = shared; k < text.size(); ++k) bytes_.push_back(text[k]);
  last_.assign(text);
  ++count_;
}

// Decodes the record at *pos; out->text must hold the previous record's text
// (anything at a restart point, which shares nothing).
void RecordStream::DecodeOne(uint64_t* pos, Record* out) const {
  out->a = GetVarint(pos);
  out->b = GetVarint(pos);
  uint64_t shared = GetVarint(pos);
  uint64_t more = GetVarint(pos);
  out->text.resize(shared);
  for (uint64_t k = 0; k < more; ++k) out->text.push_back(bytes_[(*pos)++]);
}

void RecordStream::Get(size_t i, Record* out) const {
  size_t first = i - i % interval_;
  uint64_t pos = restarts_[i / interval_];
  for (size_t j = first; j <= i; ++j) DecodeOne(&pos, out);
}

void RecordStream::GetNumbers(size_t i, uint64_t* a, uint64_t* b) const {
  uint64_t pos = restarts_[i / interval_];
  for (size_t j = i - i % interval_; j < i; ++j) {
    GetVarint(&pos);
    GetVarint(&pos);
    GetVarint(&pos);
    pos += GetVarint(&pos);
  }
  *a = GetVarint(&pos);
  *b = GetVarint(&pos);
}

void RecordStream::clear() {
  bytes_.clear();
  restarts_.clear();
  last_.clear();
  last_.shrink_to_fit();
  count_ = 0;
}

RecordStream::Cursor::Cursor(const RecordStream& s, size_t first) : s_(&s) {
  if (first >= s.count_) {
    index_ = s.count_;
    pos_ = s.bytes_.size();
    return;
  }
  index_ = first - first % s.interval_;
  pos_ = s.restarts_[first / s.interval_];
  while (index_ < first) Next();
}

const RecordStream::Record& RecordStream::Cursor::Next() {
  s_->DecodeOne(&pos_, &record_);
  ++index_;
  return record_;
}

}  // namespace manifest_internal

using manifest_internal::RecordStream;

namespace {

template <typename V>
auto FindIndex(V& sorted, size_t i) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), i,
                             [](const auto& p, size_t index) { return p.first < index; });
  return it != sorted.end() && it->first == i ? it : sorted.end();
}

void JoinInto(std::string& out, std::string_view dir, std::string_view name) {
  if (!dir.empty()) {
    out.append(dir);
    out.push_back('/');
  }
  out.append(name);
}

}  // namespace

uint64_t ManifestEntries::file_size(size_t i) const {
  uint64_t a, b;
  records_.GetNumbers(i, &a, &b);
  return a - 1;  // 0 - 1 wraps to kUnknownSize
}

uint32_t ManifestEntries::dir(size_t i) const {
  uint64_t a, b;
  records_.GetNumbers(i, &a, &b);
  return static_cast<uint32_t>(b);
}

std::string ManifestEntries::dir_path(uint32_t dir) const {
  RecordStream::Record r;
  dirs_.Get(dir, &r);
  return std::move(r.text);
}

std::string ManifestEntries::name(size_t i) const {
  RecordStream::Record r;
  records_.Get(i, &r);
  return std::move(r.text);
}

void ManifestEntries::AppendPath(size_t i, std::string& out, uint64_t* size) const {
  RecordStream::Record r;
  records_.Get(i, &r);
  if (size != nullptr) *size = r.a - 1;  // 0 - 1 wraps to kUnknownSize
  if (r.b != 0) {
    RecordStream::Record d;
    dirs_.Get(r.b, &d);
    JoinInto(out, d.text, r.text);
  } else {
    out.append(r.text);
  }
}

std::string ManifestEntries::path(size_t i) const {
  std::string out;
  AppendPath(i, out);
  return out;
}

uint32_t ManifestEntries::line(size_t i) const {
  // Index 0 is always a break point, so there is one at or before i.
  auto it = std::upper_bound(line_breaks_.begin(), line_breaks_.end(), i,
                             [](size_t index, const auto& p) { return index < p.first; });
  --it;
  return it->second + static_cast<uint32_t>(i - it->first);
}

std::string ManifestEntries::version(size_t i) const {
  auto it = FindIndex(versions_, i);
  return it == versions_.end() ? std::string() : version_texts_[it->second];
}

std::vector<AcceptedCopy> ManifestEntries::alternatives(size_t i) const {
  auto it = FindIndex(alternatives_, i);
  return it == alternatives_.end() ? std::vector<AcceptedCopy>() : it->second;
}

bool ManifestEntries::SizeCouldMatch(size_t i, uint64_t bytes) const {
  uint64_t size = file_size(i);
  if (size == kUnknownSize || size == bytes) return true;
  auto it = FindIndex(alternatives_, i);
  if (it == alternatives_.end()) return false;
  for (const AcceptedCopy& a : it->second)
    if (a.size == kUnknownSize || a.size == bytes) return true;
  return false;
}

void ManifestEntries::ForEach(const std::function<bool(size_t, std::string_view, uint64_t)>& fn) const {
  RecordStream::Cursor cursor(records_, 0);
  RecordStream::Record dir;
  uint64_t dir_id = 0;  // dir holds directory 0, "", to begin with
  std::string path;
  for (size_t i = 0; i < size(); ++i) {
    const RecordStream::Record& r = cursor.Next();
    if (r.b != dir_id) {
      dirs_.Get(r.b, &dir);
      dir_id = r.b;
    }
    path.clear();
    JoinInto(path, dir.text, r.text);
    if (!fn(i, path, r.a - 1)) return;
  }
}

void ManifestEntries::ForEachPath(const std::function<void(size_t, std::string_view)>& fn) const {
  ForEach([&](size_t i, std::string_view path, uint64_t) {
    fn(i, path);
    return true;
  });
}

const ManifestEntry ManifestEntries::operator[](size_t i) const {
  ManifestEntry e;
  RecordStream::Record r;
  records_.Get(i, &r);
  if (r.b != 0) {
    RecordStream::Record d;
    dirs_.Get(r.b, &d);
    e.path.reserve(d.text.size() + 1 + r.text.size());
    JoinInto(e.path, d.text, r.text);
  } else {
    e.path = std::move(r.text);
  }
  e.size = r.a - 1;
  e.sha256 = digests_[i];
  e.line = line(i);
  e.version = version(i);
  e.alternatives = alternatives(i);
  return e;
}

size_t ManifestEntries::MemoryBytes() const {
  size_t n = digests_.MemoryBytes() + records_.MemoryBytes() + dirs_.MemoryBytes() +
             dir_hashes_.capacity() * sizeof(uint32_t) + dir_index_.capacity() * sizeof(uint32_t) +
             last_dir_text_.capacity() + line_breaks_.capacity() * sizeof(line_breaks_[0]) +
             versions_.capacity() * sizeof(versions_[0]) + alternatives_.capacity() * sizeof(alternatives_[0]);
  for (const std::string& v : version_texts_) n += sizeof v + v.capacity() * 2 + 32;  // and its map node
  for (const auto& [index, alts] : alternatives_) n += alts.capacity() * sizeof(AcceptedCopy);
  return n;
}

uint32_t ManifestEntries::InternDir(std::string_view dir) {
  if (dirs_.size() == 0) {  // id 0: the target root
    dirs_.Append(0, 0, "");
    dir_hashes_.push_back(static_cast<uint32_t>(std::hash<std::string_view>{}("")));
    last_dir_ = 0;
    last_dir_text_.clear();
    GrowDirIndex();
  }
  if (dir == last_dir_text_) return last_dir_;
  auto hash = static_cast<uint32_t>(std::hash<std::string_view>{}(dir));
  if (dir_index_.size() < 2 * (dirs_.size() + 1)) GrowDirIndex();
  size_t mask = dir_index_.size() - 1;
  size_t slot = hash & mask;
  RecordStream::Record scratch;
  for (; dir_index_[slot] != 0; slot = (slot + 1) & mask) {
    uint32_t id = dir_index_[slot] - 1;
    if (dir_hashes_[id] != hash) continue;
    dirs_.Get(id, &scratch);
    if (scratch.text == dir) {
      last_dir_ = id;
      last_dir_text_.assign(dir);
      return id;
    }
  }
  auto id = static_cast<uint32_t>(dirs_.size());
  dirs_.Append(0, 0, dir);
  dir_hashes_.push_back(hash);
  dir_index_[slot] = id + 1;
  last_dir_ = id;
  last_dir_text_.assign(dir);
  return id;
}

// Doubles the directory index (at most half full, so probes stay short).
void ManifestEntries::GrowDirIndex() {
  if (dir_hashes_.size() != dirs_.size()) {  // freed by ShrinkToFit
    dir_hashes_.clear();
    RecordStream::Cursor cursor(dirs_, 0);
    for (size_t id = 0; id < dirs_.size(); ++id)
      dir_hashes_.push_back(static_cast<uint32_t>(std::hash<std::string_view>{}(cursor.Next().text)));
  }
  size_t size = std::max<size_t>(1024, dir_index_.size() * 2);
  while (size < 2 * (dirs_.size() + 1)) size *= 2;
  std::vector<uint32_t> index(size, 0);
  for (uint32_t id = 0; id < dirs_.size(); ++id) {
    size_t slot = dir_hashes_[id] & (size - 1);
    while (index[slot] != 0) slot = (slot + 1) & (size - 1);
    index[slot] = id + 1;
  }
  dir_index_ = std::move(index);
}

uint32_t ManifestEntries::InternVersion(std::string_view version) {
  auto [it, added] = version_ids_.try_emplace(std::string(version), static_cast<uint32_t>(version_texts_.size()));
  if (added) version_texts_.emplace_back(version);
  return it->second;
}

void ManifestEntries::Append(std::string_view path, uint64_t size, const Digest& sha256, uint32_t line,
                             std::string_view version, std::vector<AcceptedCopy> alternatives) {
  auto index = static_cast<uint32_t>(this->size());
  size_t slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  uint32_t dir_id = InternDir(dir);
  records_.Append(size + 1, dir_id, name);  // kUnknownSize + 1 wraps to 0: one byte
  digests_.push_back(sha256);
  if (index == 0 || line != last_line_ + 1) line_breaks_.emplace_back(index, line);
  last_line_ = line;
  if (!version.empty()) versions_.emplace_back(index, InternVersion(version));
  if (!alternatives.empty()) alternatives_.emplace_back(index, std::move(alternatives));
}

void ManifestEntries::push_back(const ManifestEntry& e) {
  Append(e.path, e.size, e.sha256, e.line, e.version, e.alternatives);
}

void ManifestEntries::clear() { *this = ManifestEntries(); }

void ManifestEntries::ShrinkToFit() {
  dir_index_ = {};
  dir_hashes_ = {};
  line_breaks_.shrink_to_fit();
  versions_.shrink_to_fit();
  alternatives_.shrink_to_fit();
}

template <typename Fn>
void ManifestEntries::Rebuild(Fn&& fn) {
  ManifestEntries out;
  for (size_t i = 0; i < size(); ++i) fn(out, i);
  *this = std::move(out);
}

void ManifestEntries::Set(size_t i, const ManifestEntry& e) {
  Rebuild([&](ManifestEntries& out, size_t j) { out.push_back(j == i ? e : (*this)[j]); });
}

ManifestEntries::const_iterator ManifestEntries::erase(const_iterator at) {
  size_t i = at.index();
  Rebuild([&](ManifestEntries& out, size_t j) {
    if (j != i) out.push_back((*this)[j]);
  });
  return {this, i};
}

ManifestEntries::const_iterator ManifestEntries::insert(const_iterator at, const ManifestEntry& e) {
  size_t i = at.index();
  if (i == size()) {
    push_back(e);
  } else {
    Rebuild([&](ManifestEntries& out, size_t j) {
      if (j == i) out.push_back(e);
      out.push_back((*this)[j]);
    });
  }
  return {this, i};
}

void ManifestEntries::EraseIf(const std::vector<bool>& drop) {
  Rebuild([&](ManifestEntries& out, size_t j) {
    if (!drop[j]) out.push_back((*this)[j]);
  });
}

}  // namespace lifeboat
