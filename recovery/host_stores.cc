// FindHostStores (host_stores.h): each store's folders are matched
// case-insensitively, one component at a time, as real directories only
// (never a symlink, never inside lifeboat/); two names that differ only by
// case make the store ambiguous, and it is skipped.
#include "recovery/host_stores.h"

#include "recovery/case_fold.h"
#include "recovery/rel_path.h"

namespace lifeboat {

std::string FindDirFolded(FileSystem& fs, const std::string& path) {
  std::string current;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string want = FoldCase(path.substr(start, slash - start));
    start = slash + 1;
    Result<std::vector<DirEntry>> entries = fs.ListDir(current);
    if (!entries.ok()) return "";
    std::string match;
    int matches = 0;
    for (const DirEntry& e : *entries)
      if (e.type == FileType::kDirectory && FoldCase(e.name) == want) {
        match = e.name;
        ++matches;
      }
    if (matches != 1) return "";
    current = JoinPath(current, match);
  }
  return current;
}

std::vector<HostStore> FindHostStores(FileSystem& fs) {
  std::vector<HostStore> out;
  Result<std::vector<DirEntry>> root = fs.ListDir("");
  if (!root.ok()) return out;
  auto add = [&](const std::string& path, const std::string& label) {
    std::string dir = FindDirFolded(fs, path);
    if (!dir.empty()) out.push_back({label, dir});
  };
  std::vector<std::string> windows;  // top-level folders holding a system32
  for (const DirEntry& e : *root)
    if (e.type == FileType::kDirectory && FoldCase(e.name) != "lifeboat" && !FindDirFolded(fs, e.name + "/system32").empty())
      windows.push_back(e.name);
  for (const std::string& w : windows) {
    add(w + "/system32/dllcache", "dllcache");
    add(w + "/ServicePackFiles/i386", "ServicePackFiles/i386");
  }
  add("I386", "I386");
  for (const std::string& w : windows) add(w + "/Driver Cache/i386", "Driver Cache/i386");
  // Hotfix and service-pack uninstall folders hold the versions they replaced:
  // useful only where the manifest allows an older hash (alt=), so they come late.
  for (const std::string& w : windows) {
    Result<std::vector<DirEntry>> entries = fs.ListDir(w);
    if (!entries.ok()) continue;
    for (const DirEntry& e : *entries) {
      std::string folded = FoldCase(e.name);
      bool uninstall = folded.size() > 2 && folded.front() == '$' && folded.back() == '$' &&
                       (folded.rfind("$ntuninstall", 0) == 0 || folded == "$ntservicepackuninstall$");
      if (e.type == FileType::kDirectory && uninstall) out.push_back({e.name, JoinPath(w, e.name)});
    }
  }
  for (const std::string& w : windows) add(w + "/WinSxS", "WinSxS");
  return out;
}

}  // namespace lifeboat
