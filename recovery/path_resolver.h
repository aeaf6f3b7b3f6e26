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
};

class PathResolver {
 public:
  explicit PathResolver(FileSystem& fs) : fs_(fs) {}
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
  };
  const Listing& List(const std::string& dir);

  FileSystem& fs_;
  std::unordered_map<std::string, Listing> cache_;
};

}  // namespace lifeboat
