// BuildManifest (manifest_build.h).
#include "recovery/manifest_build.h"

#include <algorithm>

#include "recovery/glob.h"

namespace lifeboat {

const std::vector<std::string>& DefaultIncludes() {
  static const std::vector<std::string> kIncludes = [] {
    std::vector<std::string> v;
    for (const char* ext : {"exe", "dll", "sys", "drv", "ocx", "cpl", "scr", "mui", "cat", "nls", "tlb", "ax", "acm",
                            "tsp", "efi", "com"})
      v.push_back(std::string("WINDOWS/**/*.") + ext);
    return v;
  }();
  return kIncludes;
}

const std::vector<std::string>& DefaultExcludes() {
  static const std::vector<std::string> kExcludes = {
      "WINDOWS/System32/config/**",  // registry hives and their logs
      "WINDOWS/SysWOW64/config/**",
      "WINDOWS/Temp/**",
      "WINDOWS/Prefetch/**",
      "WINDOWS/SoftwareDistribution/**",  // Windows Update download cache
      "WINDOWS/Logs/**",
      "WINDOWS/Minidump/**",
      "**/*.log",
      "**/*.tmp",
      "**/*.etl",
      "pagefile.sys",
      "hiberfil.sys",
      "swapfile.sys",
      "lifeboat/**",
  };
  return kExcludes;
}

Result<Manifest> BuildManifest(Source& from, const BuildOptions& options, ProgressSink& progress,
                               const CancelToken& cancel) {
  const std::vector<std::string>& include = options.include.empty() ? DefaultIncludes() : options.include;
  std::vector<std::string> exclude = DefaultExcludes();
  exclude.insert(exclude.end(), options.exclude.begin(), options.exclude.end());
  auto selected = [&](const std::string& path) {
    bool in = std::any_of(include.begin(), include.end(), [&](const std::string& g) { return PathGlobMatch(g, path); });
    return in && std::none_of(exclude.begin(), exclude.end(), [&](const std::string& g) { return PathGlobMatch(g, path); });
  };

  struct Hashed {
    std::string path;
    uint64_t size;
    Digest digest;
  };
  std::vector<Hashed> files;
  progress.Begin(Phase::kScan, 0, 0);
  Status st = from.Survey([&](const Candidate& c) { return selected(c.name); },
                          [](const Candidate&) { return UINT64_MAX - 1; },
                          [&](const Candidate& c, const Digest& d, uint64_t bytes) {
                            files.push_back(Hashed{c.name, bytes, d});
                            return true;
                          },
                          progress, cancel);
  progress.End(Phase::kScan);
  if (!st.ok()) return st.WithContext("reading " + from.location());
  if (files.empty())
    return Status::Error(Status::Code::kNotFound,
                         "no file in " + from.location() + " matches the selection (is it the root of a Windows volume?)");
  std::sort(files.begin(), files.end(), [](const Hashed& a, const Hashed& b) { return a.path < b.path; });

  ManifestLimits limits;
  ManifestBuilder builder(from.location(), limits);
  Manifest& header = builder.header();
  header.title = options.title;
  header.description = options.description;
  header.created = options.created;
  header.applies_to = options.os;
  for (const Hashed& f : files) LB_RETURN_IF_ERROR(builder.Add(f.path, f.size, f.digest, 0));
  Result<Manifest> m = builder.Finish(ManifestFormat::kNative, Digest{});
  if (!m.ok()) return m.status();
  for (const std::string& w : from.warnings()) m->warnings.push_back(w);
  return m;
}

}  // namespace lifeboat
