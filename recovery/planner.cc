// PlanRepair: find a verified copy for every missing or corrupt entry (see
// planner.h for the matching rules), then lay out directories and steps.
#include "recovery/planner.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "recovery/case_fold.h"
#include "recovery/rel_path.h"
#include "recovery/workspace.h"

namespace lifeboat {
namespace {

struct DigestHash {
  size_t operator()(const Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

struct Served {
  bool served = false;
  size_t source = 0;
  Candidate candidate;
  uint64_t bytes = 0;
  Digest digest{};  // which acceptable content it is
};

// Tracks which entries still need a copy, indexed the ways the survey asks.
// An entry with alternatives is indexed under each acceptable digest and
// size; it counts as "unsized" (name-first search) if any acceptable copy
// has no known size.
class NeedIndex {
 public:
  NeedIndex(const Manifest& m, const std::vector<uint32_t>& needs) : manifest_(m) {
    served_.reserve(needs.size());
    for (uint32_t i : needs) {
      const ManifestEntry& e = m.entries[i];
      by_digest_[e.sha256].push_back(i);
      for (const AcceptedCopy& a : e.alternatives)
        if (a.sha256 != e.sha256) by_digest_[a.sha256].push_back(i);
      ForEachSize(e, [&](uint64_t size) {
        ++by_size_[size];
        max_size_ = std::max(max_size_, size);
      });
      if (Unsized(e)) {
        ++by_name_[FoldCase(BaseName(e.path))];
        ++unsized_left_;
      }
    }
    left_ = needs.size();
  }

  size_t left() const { return left_; }
  size_t unsized_left() const { return unsized_left_; }

  bool WantBySize(const Candidate& c) const {
    if (c.size == kUnknownCandidateSize) return left_ > 0;
    auto it = by_size_.find(c.size);
    return it != by_size_.end() && it->second > 0;
  }
  bool WantByName(const Candidate& c) const {
    if (unsized_left_ == 0) return false;
    auto it = by_name_.find(FoldCase(BaseName(c.name)));
    return it != by_name_.end() && it->second > 0;
  }
  uint64_t MaxBytes(const Candidate& c) const {
    if (c.size != kUnknownCandidateSize) return c.size;
    return unsized_left_ > 0 ? UINT64_MAX - 1 : max_size_;
  }

  // Records that candidate c of source s has digest d; serves every unserved
  // entry that accepts that content.
  void Offer(size_t s, const Candidate& c, const Digest& d, uint64_t bytes) {
    auto it = by_digest_.find(d);
    if (it == by_digest_.end()) return;
    std::vector<uint32_t> still;
    for (uint32_t i : it->second) {
      const ManifestEntry& e = manifest_.entries[i];
      if (served(i).served) continue;
      if (!e.Accepts(d, bytes)) {  // same digest, other size: cannot happen, but never trust it
        still.push_back(i);
        continue;
      }
      served_[i] = Served{true, s, c, bytes, d};
      --left_;
      ForEachSize(e, [&](uint64_t size) { --by_size_[size]; });
      if (Unsized(e)) {
        --by_name_[FoldCase(BaseName(e.path))];
        --unsized_left_;
      }
    }
    if (still.empty())
      by_digest_.erase(it);
    else
      it->second = std::move(still);
  }

  const Served& served(uint32_t entry) const {
    static const Served kNotServed;
    auto it = served_.find(entry);
    return it == served_.end() ? kNotServed : it->second;
  }

 private:
  template <typename Fn>
  static void ForEachSize(const ManifestEntry& e, Fn&& fn) {
    std::vector<uint64_t> sizes;
    if (e.has_size()) sizes.push_back(e.size);
    for (const AcceptedCopy& a : e.alternatives)
      if (a.size != kUnknownSize) sizes.push_back(a.size);
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    for (uint64_t size : sizes) fn(size);
  }
  static bool Unsized(const ManifestEntry& e) {
    if (!e.has_size()) return true;
    for (const AcceptedCopy& a : e.alternatives)
      if (a.size == kUnknownSize) return true;
    return false;
  }

  const Manifest& manifest_;
  std::unordered_map<uint32_t, Served> served_;  // needed entries only: a healthy million costs nothing
  std::unordered_map<Digest, std::vector<uint32_t>, DigestHash> by_digest_;
  std::unordered_map<uint64_t, int> by_size_;
  std::unordered_map<std::string, int> by_name_;
  size_t left_ = 0, unsized_left_ = 0;
  uint64_t max_size_ = 0;
};

// Surveys every source once with `want`. Returns false if cancelled.
template <typename Want>
bool SurveyAll(const std::vector<std::unique_ptr<Source>>& sources, NeedIndex& need,
               std::vector<std::unordered_set<uint64_t>>& hashed, Want&& want, RepairPlan& plan,
               ProgressSink& progress, const CancelToken& cancel) {
  for (size_t s = 0; s < sources.size() && need.left() > 0; ++s) {
    Source& src = *sources[s];
    Status st = src.Survey(
        [&](const Candidate& c) { return !hashed[s].count(c.id) && want(c); },
        [&](const Candidate& c) { return need.MaxBytes(c); },
        [&](const Candidate& c, const Digest& d, uint64_t bytes) {
          hashed[s].insert(c.id);
          need.Offer(s, c, d, bytes);
          return need.left() > 0;
        },
        progress, cancel);
    if (st.code() == Status::Code::kCancelled || cancel.cancelled()) return false;
    if (!st.ok()) {
      // The second pass (for entries without a size) meets the same error: say it once.
      std::string w = "source " + src.location() + ": " + st.message() + " (copies found before the error are still used)";
      if (std::find(plan.warnings.begin(), plan.warnings.end(), w) == plan.warnings.end()) plan.warnings.push_back(w);
    }
  }
  return true;
}

}  // namespace

RepairPlan PlanRepair(const Manifest& manifest, const ScanResult& scan,
                      const std::vector<std::unique_ptr<Source>>& sources, ProgressSink& progress,
                      const CancelToken& cancel, const PlanOptions& options) {
  RepairPlan plan;
  // Where entry i's file is on disk (or will go): an empty disk_path is the
  // manifest's own spelling.
  auto disk_path = [&](uint32_t i, const Finding& f) {
    return f.disk_path.empty() ? manifest.entries.path(i) : f.disk_path;
  };
  std::vector<uint32_t> needs;
  for (uint32_t i = 0; i < scan.findings.size(); ++i) {
    const Finding& f = scan.findings[i];
    if (f.state == FindingState::kMissing || f.state == FindingState::kCorrupt) {
      if (std::string why = options.writes_target ? WorkPathProblem(disk_path(i, f)) : ""; !why.empty())
        plan.unrepairable.push_back(Unrepairable{i, why});
      else
        needs.push_back(i);
    }
    if (f.state == FindingState::kBlocked) plan.unrepairable.push_back(Unrepairable{i, f.message});
  }

  NeedIndex need(manifest, needs);
  std::vector<std::unordered_set<uint64_t>> hashed(sources.size());
  progress.Begin(Phase::kSearch, 0, 0);
  bool done = SurveyAll(
      sources, need, hashed, [&](const Candidate& c) { return need.WantBySize(c) || need.WantByName(c); }, plan,
      progress, cancel);
  if (done && need.unsized_left() > 0)
    done = SurveyAll(sources, need, hashed, [&](const Candidate&) { return need.unsized_left() > 0; }, plan,
                     progress, cancel);
  progress.End(Phase::kSearch);
  for (const auto& src : sources)
    for (const std::string& w : src->warnings()) plan.warnings.push_back(w);
  if (!done) {
    plan.cancelled = true;
    return plan;
  }

  // Directories a restored file needs, created once each: two entries that
  // spell a new directory with different case share the first spelling.
  std::unordered_map<std::string, std::string> new_dirs;  // folded -> spelling
  for (uint32_t i : needs) {
    const Served& sv = need.served(i);
    const Finding& f = scan.findings[i];
    if (!sv.served) {
      plan.unrepairable.push_back(Unrepairable{
          i, sources.empty() ? "no verified copy: no --source given" : "no verified copy found in the sources"});
      continue;
    }
    RepairStep step;
    step.entry = i;
    step.kind = f.state == FindingState::kMissing ? StepKind::kRestore : StepKind::kReplace;
    step.expected = sv.digest;
    step.size = sv.bytes;
    step.old_digest = f.found;
    step.source = sv.source;
    step.candidate = sv.candidate;
    step.source_label = sources[sv.source]->label() + ":" + sv.candidate.name;
    const std::string path = disk_path(i, f);
    std::vector<std::string_view> parts = SplitPath(path);
    std::string dir;
    for (size_t k = 0; k + 1 < parts.size(); ++k) {
      std::string next = JoinPath(dir, parts[k]);
      if (k >= f.existing_parts) {
        auto [it, inserted] = new_dirs.emplace(FoldCase(next), next);
        if (inserted) plan.mkdirs.push_back(next);
        next = it->second;
      }
      dir = std::move(next);
    }
    step.path = JoinPath(dir, parts.back());
    plan.steps.push_back(std::move(step));
  }

  std::unordered_set<std::string> written;  // folded paths that a step replaces
  for (const RepairStep& s : plan.steps) written.insert(FoldCase(s.path));
  for (uint32_t k = 0; k < scan.forbidden.size(); ++k) {
    const ForbidFinding& f = scan.forbidden[k];
    if (f.state != ForbidState::kKnownBad || written.count(FoldCase(f.disk_path))) continue;
    if (std::string why = options.writes_target ? WorkPathProblem(f.disk_path) : ""; !why.empty()) {
      plan.warnings.push_back(f.disk_path + ": known-bad, not removed: " + why);
      continue;
    }
    RepairStep step;
    step.kind = StepKind::kRemove;
    step.forbidden = k;
    step.path = f.disk_path;
    step.expected = *f.found;
    step.old_digest = f.found;
    step.size = f.size;
    step.source = kNoSource;
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

}  // namespace lifeboat
