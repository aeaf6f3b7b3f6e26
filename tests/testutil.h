// Helpers for unit tests: real temp directories and small file utilities.
#pragma once

#include <map>
#include <string>

namespace lifeboat::test {

// A fresh directory under $TMPDIR, removed with everything in it when the
// object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parent directories.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);
bool Exists(const std::string& path);
std::string Sha256Hex(const std::string& content);
// Deterministic pseudo-random bytes.
std::string RandomBytes(size_t n, unsigned seed);

// relative path -> sha256 hex (files) or "dir" / "link:<target>", for every
// entry beneath root except the top-level `skip` directory.
std::map<std::string, std::string> TreeState(const std::string& root, const std::string& skip = "lifeboat");

}  // namespace lifeboat::test

#include <utility>
#include <vector>

#include <memory>

#include "recovery/filesystem.h"
#include "recovery/manifest.h"

namespace lifeboat::test {

// A PosixFileSystem rooted at `root` (throws if it cannot be opened).
std::unique_ptr<FileSystem> OpenFs(const std::string& root);

// A manifest model (with sizes) for files given as path -> content.
Manifest MakeManifest(const std::vector<std::pair<std::string, std::string>>& files, bool with_sizes = true);

}  // namespace lifeboat::test
