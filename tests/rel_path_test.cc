// Tests for recovery/rel_path.cc: what a manifest path may be, and helpers.
#include "recovery/rel_path.h"

#include <doctest/doctest.h>

namespace lifeboat {
namespace {

TEST_CASE("manifest paths are normalised") {
  CHECK(NormalizeManifestPath("WINDOWS/system32/svchost.exe").value() == "WINDOWS/system32/svchost.exe");
  CHECK(NormalizeManifestPath("./WINDOWS/a.dll").value() == "WINDOWS/a.dll");
  CHECK(NormalizeManifestPath(".\\WINDOWS\\System32\\A.DLL").value() == "WINDOWS/System32/A.DLL");
  CHECK(NormalizeManifestPath("WINDOWS//system32///a.dll").value() == "WINDOWS/system32/a.dll");
  CHECK(NormalizeManifestPath("Documents and Settings/x").value() == "Documents and Settings/x");
  CHECK(NormalizeManifestPath("..foo/a..b").value() == "..foo/a..b");  // dots inside names are fine
}

TEST_CASE("manifest paths that could leave the target or alias something else are refused") {
  for (const char* bad : {"", "/", "/etc/passwd", "\\x", "C:\\x", "c:x", "..", "../x", "a/../../x", "a/..",
                          "a/./b", "./.", "a:b", "a/b:stream", "a/", "a\\", "a/b\tc", "a\x7f"}) {
    CAPTURE(bad);
    Result<std::string> r = NormalizeManifestPath(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidInput);
  }
  CHECK_FALSE(NormalizeManifestPath(std::string("a\0b", 3)).ok());
  CHECK(NormalizeManifestPath(std::string(255, 'x')).ok());
  CHECK_FALSE(NormalizeManifestPath(std::string(256, 'x')).ok());
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "abcdefgh/";
  deep += "x";
  CHECK(NormalizeManifestPath(deep).status().message().find("4096") != std::string::npos);
}

TEST_CASE("IsCleanRelPath accepts exactly what the engine hands to a FileSystem") {
  CHECK(IsCleanRelPath(""));
  CHECK(IsCleanRelPath("a"));
  CHECK(IsCleanRelPath("WINDOWS/system32/a.dll"));
  for (const char* bad : {"/a", "a/", "a//b", "./a", "a/.", "..", "a/../b", "a\\b", "a:b", "a\nb"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsCleanRelPath(bad));
  }
}

TEST_CASE("path helpers") {
  CHECK(SplitPath("a/b/c") == std::vector<std::string_view>{"a", "b", "c"});
  CHECK(SplitPath("").empty());
  CHECK(JoinPath("", "b") == "b");
  CHECK(JoinPath("a", "") == "a");
  CHECK(JoinPath("a/b", "c") == "a/b/c");
  CHECK(ParentPath("a/b/c") == "a/b");
  CHECK(ParentPath("c") == "");
  CHECK(BaseName("a/b/c") == "c");
  CHECK(BaseName("c") == "c");
}

}  // namespace
}  // namespace lifeboat
