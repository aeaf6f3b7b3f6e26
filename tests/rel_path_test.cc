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

TEST_CASE("each refusal says why, and control characters never reach the message") {
  struct Case {
    std::string raw, why;
  };
  const Case cases[] = {
      {"", "is empty"},
      {"/etc/passwd", "is absolute;"},
      {"\\WINDOWS", "is absolute;"},
      {"C:\\WINDOWS\\x", "drive letter"},
      {"z:x", "drive letter"},
      {"a/../b", "'..' component"},
      {"..\\x", "'..' component"},
      {"a/./b", "'.' component"},
      {"././a", "'.' component"},  // only one leading "./" is the usual spelling
      {".", "names the target root"},
      {".//", "ends with a separator"},
      {"a.dll:Zone.Identifier", "contains ':'"},
      {"1:x", "contains ':'"},  // not a drive letter, still a stream name
      {std::string("a\0b", 3), "NUL byte"},
      {"a\x1f" "b", "control character"},
      {"a\x7f", "control character"},
      {"a/b\\", "ends with a separator"},
      {std::string(256, 'n') + "/x", "longer than 255 bytes"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.raw);
    Result<std::string> r = NormalizeManifestPath(c.raw);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidInput);
    const std::string& msg = r.status().message();
    CHECK(msg.find(c.why) != std::string::npos);
    for (char ch : msg) CHECK(static_cast<unsigned char>(ch) >= 0x20);
  }
  CHECK(NormalizeManifestPath("a\nb").status().message() == "path 'a?b' contains a control character");
}

TEST_CASE("length limits are inclusive: 4096 bytes a path, 255 a component") {
  std::string path;
  while (path.size() + 201 < kMaxPathBytes) path += std::string(200, 'p') + "/";
  path += std::string(kMaxPathBytes - path.size(), 'q');
  REQUIRE(path.size() == kMaxPathBytes);
  Result<std::string> ok = NormalizeManifestPath(path);
  REQUIRE(ok.ok());
  CHECK(*ok == path);
  CHECK(IsCleanRelPath(path));
  CHECK_FALSE(NormalizeManifestPath(path + "q").ok());
  CHECK_FALSE(IsCleanRelPath(path + "q"));
  CHECK(IsCleanRelPath(std::string(kMaxComponentBytes, 'c')));
  CHECK_FALSE(IsCleanRelPath("a/" + std::string(kMaxComponentBytes + 1, 'c')));
}

TEST_CASE("whatever NormalizeManifestPath returns is clean") {
  for (const char* raw : {"./a", ".\\a\\b", "a//b", "a\\\\b", "x/y/z.dll", "Program Files (x86)/a b/c.d",
                          "\xD0\xA1\xD0\xB8\xD1\x81\xD1\x82\xD0\xB5\xD0\xBC\xD0\xB0/a"}) {
    CAPTURE(raw);
    Result<std::string> r = NormalizeManifestPath(raw);
    REQUIRE(r.ok());
    CHECK(IsCleanRelPath(*r));
    CHECK(r->find('\\') == std::string::npos);
  }
  CHECK(NormalizeManifestPath("a\\\\b").value() == "a/b");
  CHECK(NormalizeManifestPath("Program Files (x86)/a b/c.d").value() == "Program Files (x86)/a b/c.d");
}

// Regression: a path that is not UTF-8 was accepted, and the JSON journal
// recorded it with U+FFFD in place of its bytes, so undo could not find the
// file fix had written.
TEST_CASE("manifest paths must be valid UTF-8; the refusal shows no raw bytes") {
  for (std::string bad : {std::string("a/\xFF.dll"), std::string("\xC3"), std::string("\xC3("),
                          std::string("\xC0\xAF"), std::string("\xE0\x80\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF4\x90\x80\x80"), std::string("\xF8\x88\x80\x80\x80")}) {
    CAPTURE(bad);
    CHECK_FALSE(IsValidUtf8(bad));
    Result<std::string> r = NormalizeManifestPath(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("is not valid UTF-8") != std::string::npos);
    for (char ch : r.status().message()) CHECK(static_cast<unsigned char>(ch) < 0x80);
  }
  for (std::string good : {std::string("plain"), std::string("\xC3\xA9t\xC3\xA9"), std::string("\xE2\x82\xAC"),
                           std::string("\xED\x9F\xBF"), std::string("\xF0\x9F\x98\x80"),
                           std::string("\xF4\x8F\xBF\xBF")}) {
    CAPTURE(good);
    CHECK(IsValidUtf8(good));
    CHECK(NormalizeManifestPath(good).ok());
  }
}

TEST_CASE("IsCleanRelPath refuses control characters, DEL, NUL and long components") {
  for (std::string bad : {std::string("a\x01"), std::string("a\x7f"), std::string("a\0b", 3), std::string("a/\rb"),
                          std::string(kMaxComponentBytes + 1, 'x'), std::string("."), std::string("a/.."),
                          std::string("/")}) {
    CAPTURE(bad);
    CHECK_FALSE(IsCleanRelPath(bad));
  }
  CHECK(IsCleanRelPath("..a/b..c/..."));
  CHECK(IsCleanRelPath("\xC3\xA9t\xC3\xA9/\xF0\x9F\x98\x80"));  // UTF-8 is just bytes here
}

TEST_CASE("path helpers on edge cases") {
  CHECK(SplitPath("a") == std::vector<std::string_view>{"a"});
  CHECK(SplitPath("a//b/") == std::vector<std::string_view>{"a", "b"});  // never yields empty parts
  CHECK(ParentPath("") == "");
  CHECK(BaseName("") == "");
  CHECK(ParentPath("a/b") == "a");
  CHECK(JoinPath("", "") == "");
  CHECK(JoinPath(ParentPath("a/b/c"), BaseName("a/b/c")) == "a/b/c");
}

TEST_CASE("every byte value inside a component: accepted or refused as the rules say") {
  for (int c = 0; c < 256; ++c) {
    CAPTURE(c);
    const std::string raw = std::string("Windows/a") + static_cast<char>(c) + "b.dll";
    Result<std::string> got = NormalizeManifestPath(raw);
    if (c == '/' || c == '\\') {
      REQUIRE(got.ok());
      CHECK(*got == "Windows/a/b.dll");
    } else if (c == 0) {
      CHECK(got.status().message().find("NUL byte") != std::string::npos);
    } else if (c < 0x20 || c == 0x7F) {
      CHECK(got.status().message().find("control character") != std::string::npos);
    } else if (c == ':') {
      CHECK(got.status().message().find("alternate data streams") != std::string::npos);
    } else if (c == '|') {
      CHECK(got.status().message().find("'|'") != std::string::npos);
    } else if (c >= 0x80) {
      CHECK(got.status().message().find("UTF-8") != std::string::npos);  // a lone byte >= 0x80
    } else {
      REQUIRE(got.ok());
      CHECK(*got == raw);
    }
  }
}

}  // namespace
}  // namespace lifeboat
