// DiffManifests (manifest_diff.h): a merge over both manifests sorted by
// folded path.
#include "recovery/manifest_diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "recovery/case_fold.h"

namespace lifeboat {
namespace {

std::string SizeText(uint64_t s) { return s == kUnknownSize ? "-" : std::to_string(s); }

std::string Describe(const ManifestEntry& e) {
  std::string s = ToHex(e.sha256) + " " + SizeText(e.size) + " " + e.path;
  if (!e.version.empty()) s += " version=" + e.version;
  for (const AcceptedCopy& a : e.alternatives) s += " alt=" + ToHex(a.sha256).substr(0, 12) + "…:" + SizeText(a.size);
  return s;
}

std::string Describe(const ForbidRule& r) {
  return ToHex(r.sha256) + " " + SizeText(r.size) + " " + r.pattern + (r.name.empty() ? "" : " name=" + r.name);
}

std::set<std::string> AltSet(const ManifestEntry& e) {
  std::set<std::string> s;
  for (const AcceptedCopy& a : e.alternatives) s.insert(ToHex(a.sha256) + ":" + SizeText(a.size));
  return s;
}

}  // namespace

ManifestDiff DiffManifests(const Manifest& a, const Manifest& b) {
  ManifestDiff d;
  auto header = [&](const char* what, const std::string& x, const std::string& y) {
    if (x == y) return;
    d.lines.push_back(std::string("~ ") + what + ": '" + x + "' -> '" + y + "'");
    ++d.changed;
  };
  header("name", a.title, b.title);
  header("description", a.description, b.description);
  std::set<std::string> os_a, os_b;
  for (const OsSpec& s : a.applies_to) os_a.insert(FormatOsSpec(s));
  for (const OsSpec& s : b.applies_to) os_b.insert(FormatOsSpec(s));
  for (const std::string& s : os_a)
    if (!os_b.count(s)) d.lines.push_back("- os " + s), ++d.removed;
  for (const std::string& s : os_b)
    if (!os_a.count(s)) d.lines.push_back("+ os " + s), ++d.added;

  // Entry indices by folded path (entries are values made on demand: no pointers into them).
  std::map<std::string, size_t> ea, eb;
  a.entries.ForEachPath([&](size_t i, std::string_view path) { ea[FoldCase(path)] = i; });
  b.entries.ForEachPath([&](size_t i, std::string_view path) { eb[FoldCase(path)] = i; });
  std::set<std::string> keys;
  for (const auto& [k, v] : ea) keys.insert(k);
  for (const auto& [k, v] : eb) keys.insert(k);
  for (const std::string& k : keys) {
    auto ia = ea.find(k), ib = eb.find(k);
    if (ib == eb.end()) {
      d.lines.push_back("- require " + Describe(a.entries[ia->second]));
      ++d.removed;
    } else if (ia == ea.end()) {
      d.lines.push_back("+ require " + Describe(b.entries[ib->second]));
      ++d.added;
    } else {
      const ManifestEntry x = a.entries[ia->second], y = b.entries[ib->second];
      std::vector<std::string> what;
      if (x.sha256 != y.sha256) what.push_back("sha256 " + ToHex(x.sha256) + " -> " + ToHex(y.sha256));
      if (x.size != y.size) what.push_back("size " + SizeText(x.size) + " -> " + SizeText(y.size));
      if (x.version != y.version) what.push_back("version '" + x.version + "' -> '" + y.version + "'");
      if (AltSet(x) != AltSet(y)) what.push_back("alternatives changed");
      if (x.path != y.path) what.push_back("spelling '" + x.path + "' -> '" + y.path + "'");
      if (what.empty()) continue;
      std::string line = "~ " + y.path + ":";
      for (const std::string& w : what) line += " " + w + ";";
      line.pop_back();
      d.lines.push_back(line);
      ++d.changed;
    }
  }

  std::set<std::string> fa, fb;
  for (const ForbidRule& r : a.forbid) fa.insert(Describe(r));
  for (const ForbidRule& r : b.forbid) fb.insert(Describe(r));
  for (const std::string& s : fa)
    if (!fb.count(s)) d.lines.push_back("- forbid " + s), ++d.removed;
  for (const std::string& s : fb)
    if (!fa.count(s)) d.lines.push_back("+ forbid " + s), ++d.added;
  return d;
}

}  // namespace lifeboat
