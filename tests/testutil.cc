// Test helpers (testutil.h), built on std::filesystem.
#include "tests/testutil.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "recovery/filesystem_posix.h"
#include "recovery/sha256.h"

namespace fs = std::filesystem;

namespace lifeboat::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lifeboat-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found;
}

std::string Sha256Hex(const std::string& content) { return ToHex(Sha256::Of(content)); }

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

std::map<std::string, std::string> TreeState(const std::string& root, const std::string& skip) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), root).generic_string();
    if (!skip.empty() && (rel == skip || rel.rfind(skip + "/", 0) == 0)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink())
      out[rel] = "link:" + fs::read_symlink(it->path()).string();
    else if (it->is_directory())
      out[rel] = "dir";
    else
      out[rel] = Sha256Hex(ReadFile(it->path().string()));
  }
  return out;
}

}  // namespace lifeboat::test

namespace lifeboat::test {

std::unique_ptr<FileSystem> OpenFs(const std::string& root) {
  Result<std::unique_ptr<FileSystem>> fs = OpenPosixFileSystem(root);
  if (!fs.ok()) throw std::runtime_error(fs.status().message());
  return std::move(fs).value();
}

Manifest MakeManifest(const std::vector<std::pair<std::string, std::string>>& files, bool with_sizes) {
  Manifest m;
  m.name = "test-manifest";
  uint32_t line = 0;
  for (const auto& [path, content] : files) {
    ManifestEntry e;
    e.path = path;
    e.size = with_sizes ? content.size() : kUnknownSize;
    e.sha256 = Sha256::Of(content);
    e.line = ++line;
    m.entries.push_back(e);
  }
  return m;
}

}  // namespace lifeboat::test
