// Case-insensitive resolution of manifest paths against the on-disk tree.
//
// Windows names are case-insensitive, but a Linux mount of an NTFS volume
// (ntfs-3g, ntfs3) or a copied tree compares names exactly. The resolver
// matches each component against a directory listing folded with FoldCase,
// reading each directory once and caching it, so resolving all of system32's
// entries costs one readdir, not one per file.
//
// Outcomes: found (with the on-disk spelling of every component), missing
// (existing components keep their on-disk case, the rest take the manifest's
// case: that is how restored files are named), or blocked: a component is a
// symlink (never followed), two on-disk names differ only by case (we do not
// guess which one Windows would use), a file stands where a directory should,
// or a directory is unreadable.
#pragma once

#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recovery/filesystem.h"

namespace lifeboat {

struct Resolution {
  enum class Kind { kFound, kMissing, kBlocked };
  Kind kind = Kind::kBlocked;
  std::string disk_path;      // see above
  size_t existing_parts = 0;  // leading components that exist on disk
  std::string message;        // why, for kBlocked
  uint64_t inode = 0;         // for kFound, from the listing (0 if the file system has none)
};

class PathResolver {
 public:
  // Listings are kept while the cache holds fewer than `max_cached_names`
  // names (about 180 bytes each); past that the least recently used directories are dropped (and
  // read again if needed), so memory stays bounded on any volume. A manifest
  // sorted by path reads each directory once.
  explicit PathResolver(FileSystem& fs, size_t max_cached_names = 20'000)
      : fs_(fs), max_cached_names_(max_cached_names) {}
  Resolution Resolve(std::string_view clean_path);

  // Every regular file whose path matches `pattern` (a clean relative path
  // whose components may hold '*' and '?'), case-insensitively, in on-disk
  // spelling and sorted. Symlinks are never followed and lifeboat's own
  // top-level folder is never searched. Unreadable directories are skipped
  // and named in `problems`.
  std::vector<std::string> Expand(std::string_view pattern, std::vector<std::string>* problems = nullptr);

 private:
  struct Listing {
    Status status;
    std::unordered_map<std::string, std::vector<DirEntry>> by_folded;
    size_t names = 0;
    std::list<std::string>::iterator lru;  // position in lru_
  };
  // Valid until the next call.
  const Listing& List(const std::string& dir);
  Resolution ResolveFrom(std::string cur, size_t depth, const std::string_view* parts, size_t n);

  FileSystem& fs_;
  size_t max_cached_names_;
  size_t cached_names_ = 0;
  std::unordered_map<std::string, Listing> cache_;
  std::list<std::string> lru_;  // most recently used first
  // The directory of the last path resolved, when all of it exists.
  bool have_memo_ = false;
  std::string memo_parent_;  // as the manifest spells it
  std::string memo_disk_;    // as the disk spells it
  size_t memo_parts_ = 0;
};

}  // namespace lifeboat
