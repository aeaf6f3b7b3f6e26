// ListManifests / SelectManifest (manifest_select.h).
#include "recovery/manifest_select.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>

#include "recovery/manifest_native.h"

namespace lifeboat {

Result<std::vector<ManifestCandidate>> ListManifests(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, "manifest directory " + dir);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".lbm") == 0) names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<ManifestCandidate> out;
  for (const std::string& n : names) {
    std::string path = dir + "/" + n;
    Result<std::unique_ptr<ByteReader>> in = OpenFileReader(path);
    if (!in.ok()) return in.status();
    Result<Manifest> header = ReadNativeHeader(**in, path);
    if (!header.ok()) return header.status();
    out.push_back(ManifestCandidate{path, header->title, header->applies_to});
  }
  return out;
}

Result<std::string> SelectManifest(const std::string& dir, const OsSpec& os) {
  Result<std::vector<ManifestCandidate>> all = ListManifests(dir);
  if (!all.ok()) return all.status();
  std::vector<const ManifestCandidate*> fit;
  std::string available;
  for (const ManifestCandidate& c : *all) {
    std::string specs;
    bool matches = false;
    for (const OsSpec& spec : c.applies_to) {
      specs += (specs.empty() ? "" : " | ") + FormatOsSpec(spec);
      matches = matches || OsMatches(spec, os);
    }
    available += "\n  " + c.path + ": " + (specs.empty() ? std::string("(no os line)") : specs);
    if (matches) fit.push_back(&c);
  }
  if (fit.size() == 1) return fit.front()->path;
  std::string asked = "installation: " + FormatOsSpec(os);
  if (fit.empty())
    return Status::Error(Status::Code::kNotFound, "no manifest in " + dir + " fits this " + asked +
                                                      (available.empty() ? "\n  (no *.lbm manifests there)"
                                                                         : "\navailable:" + available));
  std::string which;
  for (const ManifestCandidate* c : fit) which += "\n  " + c->path;
  return Status::Error(Status::Code::kConflict, std::to_string(fit.size()) + " manifests in " + dir + " fit this " +
                                                    asked + ":" + which +
                                                    "\nname the version more precisely with --os, or use --manifest");
}

}  // namespace lifeboat
