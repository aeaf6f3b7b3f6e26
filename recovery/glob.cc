// WildcardMatch: the classic greedy matcher with one backtrack point for the
// last '*', linear in practice and never recursive (a hostile pattern like
// "a*a*a*a*b" cannot blow the stack).
#include "recovery/glob.h"

#include <cstdint>
#include <string>
#include <vector>

#include "recovery/case_fold.h"

namespace lifeboat {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

bool WildcardMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == name[n] || (pattern[p] == '?' && name[n] != '/'))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos && name[resume] != '/') {  // '*' never swallows a '/'
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

// Component-wise match with "**" (any number of components), memoised on
// (pattern index, path index) so repeated "**" cannot go exponential.
bool MatchParts(const std::vector<std::string_view>& pat, const std::vector<std::string_view>& path) {
  const size_t P = pat.size(), N = path.size();
  // memo[p * (N + 1) + i]: 0 unknown, 1 no, 2 yes
  std::vector<uint8_t> memo((P + 1) * (N + 1), 0);
  auto rec = [&](auto&& self, size_t p, size_t i) -> bool {
    uint8_t& m = memo[p * (N + 1) + i];
    if (m) return m == 2;
    bool ok;
    if (p == P) ok = i == N;
    else if (pat[p] == "**") ok = self(self, p + 1, i) || (i < N && self(self, p, i + 1));
    else ok = i < N && WildcardMatch(pat[p], path[i]) && self(self, p + 1, i + 1);
    m = ok ? 2 : 1;
    return ok;
  };
  return rec(rec, 0, 0);
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
  return MatchParts(pp, parts);
}

}  // namespace lifeboat
