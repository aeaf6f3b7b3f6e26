// PathResolver: component-by-component lookup in cached, case-folded
// directory listings (see path_resolver.h).
#include "recovery/path_resolver.h"

#include <algorithm>

#include "recovery/case_fold.h"
#include "recovery/glob.h"
#include "recovery/rel_path.h"

namespace lifeboat {

const PathResolver::Listing& PathResolver::List(const std::string& dir) {
  auto it = cache_.find(dir);
  if (it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  Listing listing;
  Result<std::vector<DirEntry>> entries = fs_.ListDir(dir);
  if (!entries.ok()) {
    listing.status = entries.status();
  } else {
    listing.by_folded.reserve(entries->size());
    for (DirEntry& e : *entries) {
      std::string key = FoldCase(e.name);
      listing.by_folded[std::move(key)].push_back(std::move(e));
    }
    listing.names = entries->size();
  }
  while (!lru_.empty() && cached_names_ + listing.names > max_cached_names_) {
    auto old = cache_.find(lru_.back());
    cached_names_ -= old->second.names;
    cache_.erase(old);
    lru_.pop_back();
  }
  cached_names_ += listing.names;
  lru_.push_front(dir);
  listing.lru = lru_.begin();
  return cache_.emplace(dir, std::move(listing)).first->second;
}

Resolution PathResolver::Resolve(std::string_view clean_path) {
  // Manifests list a directory's files together: when this path's directory
  // is the last one resolved, only the file name is left to look up.
  std::string_view parent = ParentPath(clean_path);
  if (have_memo_ && parent == memo_parent_) {
    std::string_view name[] = {BaseName(clean_path)};
    return ResolveFrom(memo_disk_, memo_parts_, name, 1);
  }
  std::vector<std::string_view> parts = SplitPath(clean_path);
  Resolution r = ResolveFrom(std::string(), 0, parts.data(), parts.size());
  // Every directory on the way exists (and is one): remember where it is.
  if (r.kind == Resolution::Kind::kFound ||
      (r.kind == Resolution::Kind::kMissing && r.existing_parts + 1 == parts.size())) {
    have_memo_ = true;
    memo_parent_.assign(parent);
    memo_disk_.assign(ParentPath(r.disk_path));
    memo_parts_ = parts.size() - 1;
  }
  return r;
}

// Resolves parts[0..n) beneath the on-disk directory `cur`, which is
// `depth` components deep.
Resolution PathResolver::ResolveFrom(std::string cur, size_t depth, const std::string_view* parts, size_t n) {
  Resolution r;
  uint64_t inode = 0;
  for (size_t j = 0; j < n; ++j) {
    size_t i = depth + j;
    bool last = j + 1 == n;
    const Listing& dir = List(cur);
    if (!dir.status.ok()) {
      r.kind = Resolution::Kind::kBlocked;
      r.disk_path = JoinPath(cur, parts[j]);
      r.message = "cannot read directory: " + dir.status.message();
      return r;
    }
    auto it = dir.by_folded.find(FoldCase(parts[j]));
    if (it == dir.by_folded.end()) {
      r.kind = Resolution::Kind::kMissing;
      r.existing_parts = i;
      r.disk_path = cur;
      for (size_t k = j; k < n; ++k) r.disk_path = JoinPath(r.disk_path, parts[k]);
      return r;
    }
    const std::vector<DirEntry>& matches = it->second;
    std::string here = JoinPath(cur, matches.front().name);
    if (matches.size() > 1) {
      r.kind = Resolution::Kind::kBlocked;
      r.disk_path = here;
      r.message = "ambiguous: '" + matches[0].name + "' and '" + matches[1].name + "' in '" +
                  (cur.empty() ? std::string("/") : cur) +
                  "' differ only by case; lifeboat will not guess which one Windows uses";
      return r;
    }
    const DirEntry& m = matches.front();
    inode = m.inode;
    if (m.type == FileType::kSymlink) {
      r.kind = Resolution::Kind::kBlocked;
      r.disk_path = here;
      r.message = "'" + here + "' is a symbolic link; lifeboat never follows links out of place";
      return r;
    }
    if (!last && m.type != FileType::kDirectory) {
      r.kind = Resolution::Kind::kBlocked;
      r.disk_path = here;
      r.message = "'" + here + "' is not a directory, but the manifest expects one there";
      return r;
    }
    if (last && m.type != FileType::kRegular) {
      r.kind = Resolution::Kind::kBlocked;
      r.disk_path = here;
      r.message = "'" + here + "' is " +
                  (m.type == FileType::kDirectory ? "a directory" : "not a regular file") +
                  " where the manifest expects a file; left alone";
      return r;
    }
    cur = std::move(here);
  }
  r.kind = Resolution::Kind::kFound;
  r.inode = inode;
  r.disk_path = std::move(cur);
  r.existing_parts = depth + n;
  return r;
}

std::vector<std::string> PathResolver::Expand(std::string_view pattern, std::vector<std::string>* problems) {
  std::vector<std::string_view> parts = SplitPath(pattern);
  if (parts.empty()) return {};
  std::vector<std::string> level = {""};  // directories matched so far
  for (size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    std::string want = FoldCase(parts[i]);
    bool wild = HasWildcard(want);
    std::vector<std::string> next;
    for (const std::string& dir : level) {
      const Listing& listing = List(dir);
      if (!listing.status.ok()) {
        if (problems) problems->push_back(listing.status.message());
        continue;
      }
      auto take = [&](const DirEntry& e) {
        if (dir.empty() && FoldCase(e.name) == "lifeboat") return;  // our own folder
        if (e.type != (last ? FileType::kRegular : FileType::kDirectory)) return;  // symlinks never
        next.push_back(JoinPath(dir, e.name));
      };
      if (!wild) {
        auto it = listing.by_folded.find(want);
        if (it != listing.by_folded.end())
          for (const DirEntry& e : it->second) take(e);
        continue;
      }
      for (const auto& [folded, entries] : listing.by_folded)
        if (WildcardMatch(want, folded))
          for (const DirEntry& e : entries) take(e);
    }
    level = std::move(next);
    if (level.empty()) break;
  }
  std::sort(level.begin(), level.end());
  return level;
}

}  // namespace lifeboat
