// Tests for recovery/host_stores.cc: the stores found on a volume, in any
// case, in order; ambiguous names, symlinks, files in place of folders and
// lifeboat/ are never stores.
#include "recovery/host_stores.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/testutil.h"

namespace lifeboat {
namespace {

std::vector<std::string> Found(const std::string& root) {
  std::unique_ptr<FileSystem> fs = test::OpenFs(root);
  std::vector<std::string> out;
  for (const HostStore& h : FindHostStores(*fs)) out.push_back(h.label + "=" + h.dir);
  return out;
}

TEST_CASE("host stores: every kind, in any case, cheapest first") {
  test::TempDir t;
  for (const char* d : {"WINNT/System32/DLLCACHE", "WINNT/servicepackfiles/I386", "i386",
                        "WINNT/Driver Cache/I386", "WINNT/winsxs", "WINNT/$NtUninstallKB951748$",
                        "WINNT/$NtServicePackUninstall$", "WINNT/$hf_mig$"})
    test::WriteFile(t.path() + "/" + d + "/x", "x");
  std::vector<std::string> found = Found(t.path());
  REQUIRE(found.size() == 7);  // $hf_mig$ is not an uninstall folder
  CHECK(std::vector<std::string>(found.begin(), found.begin() + 4) ==
        std::vector<std::string>{"dllcache=WINNT/System32/DLLCACHE",
                                 "ServicePackFiles/i386=WINNT/servicepackfiles/I386", "I386=i386",
                                 "Driver Cache/i386=WINNT/Driver Cache/I386"});
  std::vector<std::string> uninstall(found.begin() + 4, found.begin() + 6);
  std::sort(uninstall.begin(), uninstall.end());
  CHECK(uninstall == std::vector<std::string>{"$NtServicePackUninstall$=WINNT/$NtServicePackUninstall$",
                                              "$NtUninstallKB951748$=WINNT/$NtUninstallKB951748$"});
  CHECK(found[6] == "WinSxS=WINNT/winsxs");
}

TEST_CASE("host stores: no system32, a file where a folder should be, a symlink, lifeboat/: none") {
  test::TempDir t;
  test::WriteFile(t.path() + "/Data/dllcache/x", "x");                 // no system32 next to it
  test::WriteFile(t.path() + "/WINDOWS/system32/dllcache", "a file");  // not a folder
  test::WriteFile(t.path() + "/elsewhere/x", "x");
  REQUIRE(::symlink((t.path() + "/elsewhere").c_str(), (t.path() + "/WINDOWS/WinSxS").c_str()) == 0);
  test::WriteFile(t.path() + "/lifeboat/system32/dllcache/x", "x");
  CHECK(Found(t.path()).empty());
}

TEST_CASE("host stores: two folders that differ only by case are ambiguous and skipped") {
  test::TempDir t;
  test::WriteFile(t.path() + "/WINDOWS/system32/dllcache/x", "x");
  test::WriteFile(t.path() + "/WINDOWS/system32/DllCache/y", "y");
  test::WriteFile(t.path() + "/WINDOWS/ServicePackFiles/i386/z", "z");
  CHECK(Found(t.path()) == std::vector<std::string>{"ServicePackFiles/i386=WINDOWS/ServicePackFiles/i386"});
}

}  // namespace
}  // namespace lifeboat
