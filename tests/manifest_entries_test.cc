// Tests for recovery/manifest_entries.cc: the compact entry storage gives
// back exactly what was added (paths byte for byte, with many directories, at
// the top level, in Unicode; sizes of 4 GiB and more and unknown; sparse
// lines, versions and alternatives), iterates, changes with Set, erase and
// insert, and holds 100,000 entries in well under 64 bytes each plus names.
#include "recovery/manifest_entries.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace lifeboat {
namespace {

ManifestEntry Entry(const std::string& path, uint64_t size, uint32_t line, const std::string& version = {},
                    std::vector<AcceptedCopy> alternatives = {}) {
  ManifestEntry e;
  e.path = path;
  e.size = size;
  e.sha256 = Sha256::Of(path);
  e.line = line;
  e.version = version;
  e.alternatives = std::move(alternatives);
  return e;
}

void CheckSame(const ManifestEntry& got, const ManifestEntry& want) {
  INFO(want.path);
  CHECK(got.path == want.path);
  CHECK(got.size == want.size);
  CHECK(got.sha256 == want.sha256);
  CHECK(got.line == want.line);
  CHECK(got.version == want.version);
  REQUIRE(got.alternatives.size() == want.alternatives.size());
  for (size_t k = 0; k < want.alternatives.size(); ++k) {
    CHECK(got.alternatives[k].sha256 == want.alternatives[k].sha256);
    CHECK(got.alternatives[k].size == want.alternatives[k].size);
  }
}

void CheckAll(const ManifestEntries& entries, const std::vector<ManifestEntry>& want) {
  REQUIRE(entries.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CheckSame(entries[i], want[i]);
    CHECK(entries.path(i) == want[i].path);
    CHECK(entries.sha256(i) == want[i].sha256);
    CHECK(entries.file_size(i) == want[i].size);
    CHECK(entries.line(i) == want[i].line);
    CHECK(entries.version(i) == want[i].version);
  }
  size_t i = 0;
  for (const ManifestEntry& e : entries) CheckSame(e, want[i++]);
  CHECK(i == want.size());
  entries.ForEachPath([&](size_t k, std::string_view path) { CHECK(path == want[k].path); });
}

std::vector<ManifestEntry> Mixed() {
  AcceptedCopy v1{Sha256::Of("v1"), 10}, unsized{Sha256::Of("v2"), kUnknownSize};
  return {
      Entry("WINDOWS/explorer.exe", 1033728, 5),
      Entry("boot.ini", 211, 6),                                     // top level: no directory
      Entry("WINDOWS/system32/hal.dll", kUnknownSize, 7, "5.1.2600"),  // unknown size
      Entry("WINDOWS/system32/HAL.DLL.bak", 0, 8),                  // empty file
      Entry("WINDOWS/System32/big.vhd", 5ull << 32, 20),             // 20 GiB, a line jump
      Entry("WINDOWS/system32/drivers/etc/hosts", 0xFFFFFFFFull, 21, "", {v1, unsized}),
      Entry("Dokumente und Einstellungen/Jürgen/Große Datei.txt", 4, 21),  // same line again
      Entry("Program Files/日本語/ファイル.dll", kUnknownSize - 1, 0, "10.0.19041.1"),  // unknown line
      Entry("WINDOWS/system32/hal.dll.mui", 12, 1),
      Entry("WINDOWS/system32/drivers/etc/hosts.sam", 3, 2, "5.1.2600"),
      Entry("a", 1, 3),
  };
}

TEST_CASE("entries: every field round-trips, paths byte for byte") {
  std::vector<ManifestEntry> want = Mixed();
  ManifestEntries entries;
  CHECK(entries.empty());
  for (const ManifestEntry& e : want) entries.push_back(e);
  CHECK_FALSE(entries.empty());
  CheckAll(entries, want);
  CHECK(entries.name(1) == "boot.ini");
  CHECK(entries.dir(1) == 0);
  CHECK(entries.dir_path(entries.dir(1)).empty());
  CHECK(entries.name(6) == "Große Datei.txt");
  CHECK(entries.dir_path(entries.dir(6)) == "Dokumente und Einstellungen/Jürgen");
  // Directories are interned as spelled: the same letters in another case are another directory.
  CHECK(entries.dir(2) == entries.dir(3));
  CHECK(entries.dir(2) != entries.dir(4));
  CHECK(entries.front().path == want.front().path);
  CHECK(entries.back().path == want.back().path);
}

TEST_CASE("entries: SizeCouldMatch counts alternatives and unknown sizes") {
  ManifestEntries entries;
  for (const ManifestEntry& e : Mixed()) entries.push_back(e);
  CHECK(entries.SizeCouldMatch(0, 1033728));
  CHECK_FALSE(entries.SizeCouldMatch(0, 1033729));
  CHECK(entries.SizeCouldMatch(2, 12345));          // unknown size: anything
  CHECK(entries.SizeCouldMatch(5, 0xFFFFFFFFull));  // its own size
  CHECK(entries.SizeCouldMatch(5, 10));             // an alternative's
  CHECK(entries.SizeCouldMatch(5, 77));             // an unsized alternative: anything
  CHECK_FALSE(entries.SizeCouldMatch(4, 5ull << 31));
  for (size_t i = 0; i < entries.size(); ++i)
    for (uint64_t bytes : {0ull, 10ull, 77ull, 5ull << 32})
      CHECK(entries.SizeCouldMatch(i, bytes) == entries[i].SizeCouldMatch(bytes));
}

TEST_CASE("entries: Set, erase, insert, EraseIf and clear keep the rest as it was") {
  std::vector<ManifestEntry> want = Mixed();
  ManifestEntries entries;
  for (const ManifestEntry& e : want) entries.push_back(e);

  want[2].version = "6.0";
  want[2].alternatives = {AcceptedCopy{Sha256::Of("x"), 1}};
  want[2].path = "elsewhere/hal.dll";
  want[2].line = 99;
  entries.Set(2, want[2]);
  CheckAll(entries, want);

  entries.erase(entries.begin() + 5);
  want.erase(want.begin() + 5);
  CheckAll(entries, want);

  entries.insert(entries.begin(), Entry("first.txt", 1, 1));
  want.insert(want.begin(), Entry("first.txt", 1, 1));
  entries.insert(entries.end(), Entry("x/last.txt", 2, 2));
  want.push_back(Entry("x/last.txt", 2, 2));
  CheckAll(entries, want);

  std::vector<bool> drop(want.size(), false);
  drop[0] = drop[3] = drop[want.size() - 1] = true;
  entries.EraseIf(drop);
  std::vector<ManifestEntry> kept;
  for (size_t i = 0; i < want.size(); ++i)
    if (!drop[i]) kept.push_back(want[i]);
  CheckAll(entries, kept);

  ManifestEntries copy = entries;
  entries.clear();
  CHECK(entries.empty());
  CheckAll(copy, kept);
  entries.push_back(Entry("again/a.dll", 5, 1));
  CheckAll(entries, {Entry("again/a.dll", 5, 1)});
}

TEST_CASE("entries: adding after ShrinkToFit finds the directories already there") {
  ManifestEntries entries;
  entries.push_back(Entry("d1/a", 1, 1));
  entries.push_back(Entry("d2/b", 1, 2));
  size_t dirs = entries.dir_count();
  entries.ShrinkToFit();
  entries.push_back(Entry("d1/c", 1, 3));
  entries.push_back(Entry("d2/d", 1, 4));
  CHECK(entries.dir_count() == dirs);
  CHECK(entries.dir(0) == entries.dir(2));
  CHECK(entries.dir(1) == entries.dir(3));
  CHECK(entries.path(3) == "d2/d");
}

// A Windows-like layout: many directories, names that share prefixes.
std::vector<ManifestEntry> Generated(size_t n) {
  std::vector<ManifestEntry> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string dir = i % 3 == 0   ? "Windows/System32"
                      : i % 3 == 1 ? "Windows/WinSxS/amd64_component-" + std::to_string(i / 40) + "_10.0." +
                                         std::to_string(i % 7) + "_none"
                                   : "Windows/System32/DriverStore/FileRepository/d" + std::to_string(i % 1000);
    ManifestEntry e = Entry(dir + "/f" + std::to_string(1000000 + i) + ".dll", (i * 7919) % 5000000,
                            static_cast<uint32_t>(i + 4 + i / 1000), i % 5000 == 0 ? "10.0.19041.1" : "");
    if (i % 10000 == 7) e.alternatives = {AcceptedCopy{Sha256::Of(std::to_string(i)), 5}};
    v.push_back(std::move(e));
  }
  return v;
}

TEST_CASE("entries: 100,000 entries round-trip and take under 64 bytes each plus their names") {
  const size_t n = 100'000;
  std::vector<ManifestEntry> want = Generated(n);
  ManifestEntries entries;
  size_t name_bytes = 0;
  for (const ManifestEntry& e : want) {
    entries.push_back(e);
    name_bytes += e.path.size() - e.path.rfind('/') - 1;
  }
  CheckAll(entries, want);
  entries.ShrinkToFit();
  size_t bytes = entries.MemoryBytes();
  MESSAGE("100k entries: " << bytes / n << " bytes each, " << entries.dir_count() << " directories");
  CHECK(bytes < n * 64 + name_bytes);
  CHECK(bytes < n * 64);  // front-coded names cost less than their bytes
}

}  // namespace
}  // namespace lifeboat
