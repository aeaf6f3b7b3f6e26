// WildcardMatch: the classic greedy matcher with one backtrack point for the
// last '*', linear in practice and never recursive (a hostile pattern like
// "a*a*a*a*b" cannot blow the stack).
#include "recovery/glob.h"

#include <string>
#include <vector>

#include "recovery/case_fold.h"

namespace lifeboat {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

bool WildcardMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

bool MatchParts(const std::vector<std::string_view>& pat, size_t p, const std::vector<std::string_view>& path, size_t i) {
  while (p < pat.size()) {
    if (pat[p] == "**") {
      // Collapse runs of "**", then try every split point (bounded by depth).
      while (p + 1 < pat.size() && pat[p + 1] == "**") ++p;
      if (p + 1 == pat.size()) return true;
      for (size_t k = i; k <= path.size(); ++k)
        if (MatchParts(pat, p + 1, path, k)) return true;
      return false;
    }
    if (i >= path.size() || !WildcardMatch(pat[p], path[i])) return false;
    ++p;
    ++i;
  }
  return i == path.size();
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

bool PathGlobMatch(std::string_view pattern, std::string_view path) {
  std::string pat = FoldCase(pattern), p = FoldCase(path);
  if (pat.find('/') == std::string::npos) {
    size_t slash = p.rfind('/');
    return WildcardMatch(pat, slash == std::string::npos ? std::string_view(p) : std::string_view(p).substr(slash + 1));
  }
  std::vector<std::string_view> pp = Split(pat), parts = Split(p);
  if (pp.size() > 64 || parts.size() > 256) return false;
  return MatchParts(pp, 0, parts, 0);
}

}  // namespace lifeboat
