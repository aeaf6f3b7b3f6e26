// Scenario builder (scenario.h).
#include "tests/scenario.h"

#include <filesystem>

#include "recovery/filesystem_posix.h"
#include "recovery/undo.h"
#include "recovery/workspace.h"

namespace lifeboat::test {

Scenario::Scenario(int files, bool with_known_bad) : known_bad(with_known_bad) {
  target = dir / "win";
  source = dir / "payload";
  std::filesystem::create_directories(target);
  for (int i = 0; i < files; ++i) {
    std::string path = "WINDOWS/system32/file" + std::to_string(i) + ".dll";
    std::string content = RandomBytes(3000 + 517 * i, 100 + i);
    good.emplace_back(path, content);
    WriteFile(source + "/copy" + std::to_string(i) + ".bin", content);
    if (i % 3 == 0) continue;  // deleted
    if (i % 3 == 1) {
      std::string bad = content;
      bad[i] ^= 0x5A;
      WriteFile(target + "/" + path, bad);
    } else {
      WriteFile(target + "/" + path, content);
    }
  }
  good.emplace_back("WINDOWS/Help/gone/x.chm", "help file");
  WriteFile(source + "/help.bin", "help file");
  WriteFile(target + "/WINDOWS/Help/other.txt", "unrelated");
  manifest = MakeManifest(good);
  if (known_bad) {
    WriteFile(target + "/" + kKnownBadPath, "EVIL CHANNEL FILE");
    WriteFile(target + "/" + kUnlistedPath, "a fine driver");
    manifest.forbid.push_back(
        ForbidRule{"WINDOWS/System32/Drivers/*.SYS", Sha256::Of("EVIL CHANNEL FILE"), kUnknownSize, "evil", 99});
  }
  damaged_state = TreeState(target);
}

std::unique_ptr<FileSystem> Scenario::OpenTarget() const { return OpenFs(target); }

std::vector<std::unique_ptr<Source>> Scenario::OpenSources() const {
  std::vector<std::unique_ptr<Source>> v;
  Result<std::unique_ptr<Source>> s = OpenSource(source);
  if (!s.ok()) throw std::runtime_error(s.status().message());
  v.push_back(std::move(s).value());
  return v;
}

std::pair<ScanResult, RepairPlan> Scenario::ScanAndPlan(FileSystem& fs) const {
  CancelToken cancel;
  ScanResult scan = ScanTarget(fs, manifest, ScanOptions{1}, NullProgress(), cancel);
  auto sources = OpenSources();
  RepairPlan plan = PlanRepair(manifest, scan, sources, NullProgress(), cancel);
  return {std::move(scan), std::move(plan)};
}

std::string Scenario::Classify(const std::string& path, const std::string& good_content) const {
  std::string full = target + "/" + path;
  if (!Exists(full)) return "missing";
  std::string now = ReadFile(full);
  if (now == good_content) return "new";
  auto it = damaged_state.find(path);
  if (it != damaged_state.end() && it->second == Sha256Hex(now)) return "old";
  return "other";
}

bool Scenario::Healthy() const {
  for (const auto& [path, content] : good)
    if (Classify(path, content) != "new") return false;
  if (known_bad && (Exists(target + "/" + kKnownBadPath) || !Exists(target + "/" + kUnlistedPath))) return false;
  return true;
}

std::vector<std::string> Scenario::TempFiles() const {
  std::vector<std::string> out;
  for (const auto& [path, unused] : TreeState(target))
    if (path.find(".lifeboat-tmp") != std::string::npos) out.push_back(path);
  return out;
}

Status UndoAllRuns(FileSystem& fs) {
  Result<std::vector<RunInfo>> runs = ListRuns(fs);
  if (!runs.ok()) return runs.status();
  CancelToken cancel;
  for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
    Result<UndoPlan> plan = PlanUndo(fs, it->run_id, cancel);
    if (!plan.ok()) return plan.status();
    UndoResult r = ExecuteUndo(fs, *plan, 1'800'000'100, NullProgress(), cancel);
    if (!r.fatal.ok()) return r.fatal;
    if (r.conflicts != 0)
      return Status::Error(Status::Code::kConflict, "undo of " + it->run_id + ": " + std::to_string(r.conflicts) + " conflicts");
  }
  return Status::Ok();
}

ExecuteOptions RunOptions(const std::string& run_id, uint64_t sequence) {
  ExecuteOptions o;
  o.run_id = run_id;
  o.sequence = sequence;
  o.target = "test";
  o.manifest = "test-manifest";
  o.manifest_sha256 = std::string(64, '0');
  o.now = 1'800'000'000;
  return o;
}

}  // namespace lifeboat::test
