// The entries of a loaded manifest, stored compactly: a Windows manifest has
// up to millions of entries and lifeboat runs from a RAM disk, so a loaded
// 1,000,000-entry manifest must fit in a few tens of MiB (issue 8).
//
// How it works. Each entry is split into parts stored the way they repeat:
//   - the 32-byte SHA-256, in an array of fixed 32-byte slots;
//   - size, directory and file name, in one byte stream of records. A record
//     is varint(size + 1) (0: unknown size), varint(directory id), and the
//     file name front-coded against the previous record's name ("f000123.dll"
//     after "f000122.sys" stores 6 shared bytes and "3.dll"), as in leveldb's
//     blocks: every 16th record is a restart point that stores its whole name,
//     and the offset of each restart point is kept, so entry i is decoded from
//     the restart point before it in at most 16 short steps;
//   - directories are interned exactly as spelled (not folded, so paths round
//     trip byte for byte): a directory table, itself such a record stream of
//     whole directory paths, and a hash index over it while entries are added;
//   - line numbers as break points: entry i's line is the previous entry's
//     plus one unless a (index, line) break point says otherwise;
//   - versions (interned) and alternatives are rare: sorted (index, value)
//     lists.
// All storage grows in fixed-size chunks, never by doubling one block, so
// there is never an old and a new copy of everything at once.
//
// Reading: operator[] and iteration give each entry as a value, a fully
// materialised ManifestEntry (bind it to `const ManifestEntry&`, never keep
// a pointer or a string_view into it past the statement). Hot loops use the
// accessors that decode only what they need: sha256(i), file_size(i),
// SizeCouldMatch(i, bytes), AppendPath(i, out). Concurrent reads are safe;
// changes (push_back, Set, erase, insert, clear) are not, and Set, erase and
// insert rebuild the whole stream: they are for tests and tools, not loading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "recovery/sha256.h"

namespace lifeboat {

inline constexpr uint64_t kUnknownSize = UINT64_MAX;

// One acceptable content of a file.
struct AcceptedCopy {
  Digest sha256{};
  uint64_t size = kUnknownSize;
};

struct ManifestEntry {
  std::string path;             // clean relative path, manifest's own case
  uint64_t size = kUnknownSize;  // sha256sum files carry no size
  Digest sha256{};
  uint32_t line = 0;  // 1-based line in the manifest file, 0 if unknown
  std::string version;                     // file version, for reports
  std::vector<AcceptedCopy> alternatives;  // other acceptable contents

  bool has_size() const { return size != kUnknownSize; }
  // True if content with this digest (and size, where both are known) is
  // acceptable here: the main hash or an alternative.
  bool Accepts(const Digest& digest, uint64_t bytes) const;
  // True if a file of this size could be acceptable (unknown sizes: yes).
  bool SizeCouldMatch(uint64_t bytes) const;
};

namespace manifest_internal {

// An array that grows in chunks of 2^kShift elements and never moves them.
template <typename T, unsigned kShift>
class ChunkedArray {
 public:
  static constexpr size_t kChunk = size_t{1} << kShift;
  ChunkedArray() = default;
  ChunkedArray(ChunkedArray&&) noexcept = default;
  ChunkedArray& operator=(ChunkedArray&&) noexcept = default;
  ChunkedArray(const ChunkedArray& other) { *this = other; }
  ChunkedArray& operator=(const ChunkedArray& other) {
    if (this == &other) return *this;
    clear();
    for (size_t i = 0; i < other.size(); ++i) push_back(other[i]);
    return *this;
  }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  void push_back(const T& v) {
    if ((size_ >> kShift) == chunks_.size()) chunks_.push_back(std::unique_ptr<T[]>(new T[kChunk]));
    (*this)[size_++] = v;
  }
  void clear() {
    chunks_.clear();
    chunks_.shrink_to_fit();
    size_ = 0;
  }
  size_t MemoryBytes() const {
    return chunks_.size() * kChunk * sizeof(T) + chunks_.capacity() * sizeof(std::unique_ptr<T[]>);
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

// A list of records (two numbers and a front-coded string), see the top.
class RecordStream {
 public:
  struct Record {
    uint64_t a = 0, b = 0;
    std::string text;
  };
  explicit RecordStream(size_t restart_interval) : interval_(restart_interval) {}
  size_t size() const { return count_; }
  void Append(uint64_t a, uint64_t b, std::string_view text);
  // Decodes record i into *out (its text buffer is reused).
  void Get(size_t i, Record* out) const;
  // Decodes only the numbers of record i.
  void GetNumbers(size_t i, uint64_t* a, uint64_t* b) const;
  void clear();
  size_t MemoryBytes() const { return bytes_.MemoryBytes() + restarts_.MemoryBytes() + last_.capacity(); }

  // Reads records in order from `first` without going back to a restart point.
  class Cursor {
   public:
    Cursor(const RecordStream& s, size_t first);
    // The next record (valid until the next call); at most size() - first calls.
    const Record& Next();

   private:
    const RecordStream* s_;
    uint64_t pos_ = 0;
    size_t index_ = 0;
    Record record_;
  };

 private:
  friend class Cursor;
  void PutVarint(uint64_t v);
  uint64_t GetVarint(uint64_t* pos) const;
  void DecodeOne(uint64_t* pos, Record* out) const;

  size_t interval_;
  ChunkedArray<char, 18> bytes_;
  ChunkedArray<uint64_t, 12> restarts_;  // byte offset of every interval_-th record
  std::string last_;                     // text of the last record appended
  size_t count_ = 0;
};

}  // namespace manifest_internal

class ManifestEntries {
 public:
  size_t size() const { return digests_.size(); }
  bool empty() const { return size() == 0; }

  // Entry i, fully materialised (a value: see the top of this file). It is
  // const so that `entries[i].version = ...`, which would change a temporary
  // and not the manifest, does not compile: use Set.
  const ManifestEntry operator[](size_t i) const;
  const ManifestEntry front() const { return (*this)[0]; }
  const ManifestEntry back() const { return (*this)[size() - 1]; }

  // Parts of entry i, decoding no more than needed.
  const Digest& sha256(size_t i) const { return digests_[i]; }
  uint64_t file_size(size_t i) const;
  bool has_size(size_t i) const { return file_size(i) != kUnknownSize; }
  bool SizeCouldMatch(size_t i, uint64_t bytes) const;
  std::string path(size_t i) const;
  // Appends entry i's path to `out`; with `size`, also gives its size (one decode for both).
  void AppendPath(size_t i, std::string& out, uint64_t* size = nullptr) const;
  std::string name(size_t i) const;  // the last component
  uint32_t dir(size_t i) const;      // 0 is the target root ("")
  std::string dir_path(uint32_t dir) const;
  size_t dir_count() const { return dirs_.size(); }
  uint32_t line(size_t i) const;
  std::string version(size_t i) const;
  std::vector<AcceptedCopy> alternatives(size_t i) const;

  // Calls fn(i, path of entry i) for every entry in order, decoding once.
  // fn(i, path, size) for every entry in order, decoded sequentially (the cheap
  // way to visit them all); stops when fn returns false.
  void ForEach(const std::function<bool(size_t, std::string_view, uint64_t)>& fn) const;
  void ForEachPath(const std::function<void(size_t, std::string_view)>& fn) const;

  // Bytes held, for the memory budget and its test.
  size_t MemoryBytes() const;

  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using iterator_concept = std::random_access_iterator_tag;
    using value_type = ManifestEntry;
    using difference_type = std::ptrdiff_t;
    using reference = const ManifestEntry;
    using pointer = void;
    const_iterator() = default;
    const_iterator(const ManifestEntries* owner, size_t index) : owner_(owner), index_(index) {}
    const ManifestEntry operator*() const { return (*owner_)[index_]; }
    const ManifestEntry operator[](difference_type n) const { return (*owner_)[index_ + n]; }
    const_iterator& operator++() { return ++index_, *this; }
    const_iterator operator++(int) { const_iterator t = *this; ++index_; return t; }
    const_iterator& operator--() { return --index_, *this; }
    const_iterator operator--(int) { const_iterator t = *this; --index_; return t; }
    const_iterator& operator+=(difference_type n) { return index_ += n, *this; }
    const_iterator& operator-=(difference_type n) { return index_ -= n, *this; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.index_ == b.index_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.index_ <=> b.index_; }
    size_t index() const { return index_; }

   private:
    const ManifestEntries* owner_ = nullptr;
    size_t index_ = 0;
  };
  using iterator = const_iterator;
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  // Adding. `path` must be a clean relative path (the builder checks it).
  void push_back(const ManifestEntry& e);
  void Append(std::string_view path, uint64_t size, const Digest& sha256, uint32_t line,
              std::string_view version = {}, std::vector<AcceptedCopy> alternatives = {});
  void reserve(size_t) {}  // chunked storage: nothing to reserve
  void clear();
  // Frees what only adding needs (the directory index; it is rebuilt if
  // entries are added again) and spare capacity.
  void ShrinkToFit();

  // Changing (each rebuilds the storage: tests and tools only).
  void Set(size_t i, const ManifestEntry& e);
  const_iterator erase(const_iterator at);
  const_iterator insert(const_iterator at, const ManifestEntry& e);
  // Drops entry i wherever drop[i] is true, keeping the order of the rest.
  void EraseIf(const std::vector<bool>& drop);

 private:
  uint32_t InternDir(std::string_view dir);
  uint32_t InternVersion(std::string_view version);
  void GrowDirIndex();
  template <typename Fn>
  void Rebuild(Fn&& fn);  // fn(ManifestEntries& out, size_t i) for each entry

  manifest_internal::ChunkedArray<Digest, 13> digests_;
  manifest_internal::RecordStream records_{16};  // a: size + 1, b: directory, text: name
  manifest_internal::RecordStream dirs_{8};      // text: directory path
  std::vector<uint32_t> dir_hashes_;         // low 32 bits of each directory's hash
  std::vector<uint32_t> dir_index_;          // open addressing: directory id + 1, 0 free
  uint32_t last_dir_ = 0;                    // the directory appended last
  std::string last_dir_text_;
  std::vector<std::pair<uint32_t, uint32_t>> line_breaks_;  // (index, line) where not previous + 1
  uint32_t last_line_ = 0;
  std::vector<std::string> version_texts_;  // interned; id 0 is ""
  std::unordered_map<std::string, uint32_t> version_ids_;
  std::vector<std::pair<uint32_t, uint32_t>> versions_;         // (index, version id), sorted
  std::vector<std::pair<uint32_t, std::vector<AcceptedCopy>>> alternatives_;  // sorted by index
};

}  // namespace lifeboat
