// Tests for recovery/hive.cc, recovery/pe_header.cc and
// recovery/windows_detect.cc: hives written with hivex and PE images built
// by tests/fixtures/fixture_builders, in temp trees shaped like XP, 7 and 11
// installations; damaged hives and kernels.
#include "recovery/windows_detect.h"

#include <doctest/doctest.h>

#include <string>

#include "recovery/hive.h"
#include "recovery/pe_header.h"
#include "tests/fixtures/fixture_builders.h"
#include "tests/testutil.h"

namespace lifeboat {
namespace {

const std::string kCv = "Microsoft\\Windows NT\\CurrentVersion\t";

std::string Hive(const std::string& spec, bool dirty = false) {
  std::string error;
  std::string h = fixtures::MakeHive(spec, dirty, &error);
  REQUIRE_MESSAGE(!h.empty(), error);
  return h;
}

std::string SystemSpec(const std::string& arch) {
  return "Select\tCurrent\tdword\t1\n"
         "ControlSet001\\Control\\Session Manager\\Environment\tPROCESSOR_ARCHITECTURE\tsz\t" + arch + "\n";
}

std::vector<WindowsInstall> Detect(const std::string& root) {
  std::unique_ptr<FileSystem> fs = test::OpenFs(root);
  Result<std::vector<WindowsInstall>> w = DetectWindows(*fs);
  REQUIRE(w.ok());
  return *w;
}

TEST_CASE("hive: strings and dwords by case-insensitive path; wrong type or missing is empty") {
  std::string bytes = Hive(kCv + "ProductName\tsz\tWindows 7 Professional\n" + kCv + "UBR\tdword\t2314\n");
  Result<std::unique_ptr<lifeboat::Hive>> h = Hive::FromBytes(bytes, "SOFTWARE");
  REQUIRE(h.ok());
  CHECK((*h)->GetString("microsoft\\WINDOWS NT\\currentversion", "productname") == "Windows 7 Professional");
  CHECK((*h)->GetDword(kCv.substr(0, kCv.size() - 1), "UBR") == 2314u);
  CHECK_FALSE((*h)->GetDword(kCv.substr(0, kCv.size() - 1), "ProductName").has_value());
  CHECK_FALSE((*h)->GetString(kCv.substr(0, kCv.size() - 1), "UBR").has_value());
  CHECK_FALSE((*h)->GetString("Microsoft\\Nope", "ProductName").has_value());
  CHECK_FALSE((*h)->dirty());
}

TEST_CASE("hive: a value type outside hivex's enum is neither string nor dword (fuzz regression)") {
  // hive_fuzz found hive.cc loading such a type as the enum (undefined behaviour).
  std::string bytes = Hive(kCv + "CurrentBuildNumber\t0xFD000004\t7601\n" + kCv + "UBR\t0xFD000004\t1\n");
  Result<std::unique_ptr<lifeboat::Hive>> h = Hive::FromBytes(bytes, "SOFTWARE");
  REQUIRE(h.ok());
  CHECK_FALSE((*h)->GetString(kCv.substr(0, kCv.size() - 1), "CurrentBuildNumber").has_value());
  CHECK_FALSE((*h)->GetDword(kCv.substr(0, kCv.size() - 1), "UBR").has_value());
  WindowsInstall w;
  ReadSoftwareHive(**h, w);
  CHECK(w.build == 0);
}

TEST_CASE("hive: a dirty header is reported; garbage, truncation and a bad checksum are errors") {
  std::string bytes = Hive(kCv + "CurrentVersion\tsz\t6.1\n", /*dirty=*/true);
  Result<std::unique_ptr<lifeboat::Hive>> h = Hive::FromBytes(bytes, "SOFTWARE");
  REQUIRE(h.ok());
  CHECK((*h)->dirty());
  CHECK_FALSE(Hive::FromBytes(std::string(8192, 'x'), "junk").ok());
  CHECK_FALSE(Hive::FromBytes("", "empty").ok());
  CHECK_FALSE(Hive::FromBytes(bytes.substr(0, 100), "truncated").ok());
}

TEST_CASE("PE: machine and version from images built for x86, x64 and arm64") {
  for (auto [arch, machine] : {std::pair{"x86", 0x14C}, {"x64", 0x8664}, {"arm64", 0xAA64}}) {
    std::string pe = fixtures::MakePe(arch, 10, 0, 26100, 2314, 8192);
    Result<PeInfo> info = ParsePeHeader(pe);
    REQUIRE(info.ok());
    CHECK(info->arch == arch);
    CHECK(info->machine == machine);
    CHECK(FindFileVersion(pe) == "10.0.26100.2314");
  }
}

TEST_CASE("PE: not MZ, e_lfanew out of range, truncated header, no version resource") {
  std::string pe = fixtures::MakePe("x64", 6, 1, 7601, 17514);
  CHECK_FALSE(ParsePeHeader("ZM" + pe.substr(2)).ok());
  std::string far = pe;
  fixtures::Put32(far, 0x3C, 0x7FFFFFF0);
  CHECK_FALSE(ParsePeHeader(far).ok());
  CHECK_FALSE(ParsePeHeader(pe.substr(0, 0x86)).ok());
  CHECK_FALSE(ParsePeHeader("").ok());
  std::string no_version = pe;
  fixtures::Put32(no_version, 0x828, 0);  // the VS_FIXEDFILEINFO signature
  CHECK_FALSE(FindFileVersion(no_version).has_value());
  CHECK_FALSE(FindFileVersion("").has_value());
}

TEST_CASE("detect: Windows XP SP3 x86 from the hives (CSDVersion), kernel version cross-checked") {
  test::TempDir t;
  std::string sys32 = t.path() + "/WINDOWS/system32";
  test::WriteFile(sys32 + "/config/software",  // XP spells it in lower case
                  Hive(kCv + "ProductName\tsz\tMicrosoft Windows XP\n" + kCv + "CurrentVersion\tsz\t5.1\n" + kCv +
                       "CurrentBuildNumber\tsz\t2600\n" + kCv + "CSDVersion\tsz\tService Pack 3\n"));
  test::WriteFile(sys32 + "/config/system", Hive(SystemSpec("x86")));
  test::WriteFile(sys32 + "/ntoskrnl.exe", fixtures::MakePe("x86", 5, 1, 2600, 5512));
  std::vector<WindowsInstall> w = Detect(t.path());
  REQUIRE(w.size() == 1);
  CHECK(w[0].system_root == "WINDOWS");
  CHECK(w[0].name == "Windows XP");
  CHECK(w[0].version == "5.1");
  CHECK(w[0].build == 2600);
  CHECK(w[0].sp == 3);
  CHECK(w[0].arch == "x86");
  CHECK(w[0].kernel_version == "5.1.2600.5512");
  CHECK(w[0].warnings.empty());
  CHECK(FormatOsSpec(w[0].Os()) == "family=windows version=5.1 build=2600 sp=3 arch=x86");
}

TEST_CASE("detect: Windows 11 24H2 says Windows 10 Pro and 6.3; the build and major/minor decide") {
  test::TempDir t;
  std::string sys32 = t.path() + "/Windows/System32";
  test::WriteFile(sys32 + "/config/SOFTWARE",
                  Hive(kCv + "ProductName\tsz\tWindows 10 Pro\n" + kCv + "CurrentVersion\tsz\t6.3\n" + kCv +
                       "CurrentMajorVersionNumber\tdword\t10\n" + kCv + "CurrentMinorVersionNumber\tdword\t0\n" +
                       kCv + "CurrentBuildNumber\tsz\t26100\n" + kCv + "UBR\tdword\t2314\n" + kCv +
                       "EditionID\tsz\tProfessional\n" + kCv + "DisplayVersion\tsz\t24H2\n"));
  test::WriteFile(sys32 + "/config/SYSTEM", Hive(SystemSpec("AMD64")));
  test::WriteFile(sys32 + "/ntoskrnl.exe", fixtures::MakePe("x64", 10, 0, 26100, 2314));
  std::vector<WindowsInstall> w = Detect(t.path());
  REQUIRE(w.size() == 1);
  CHECK(w[0].name == "Windows 11");
  CHECK(w[0].product_name == "Windows 10 Pro");
  CHECK(w[0].version == "10.0");
  CHECK(w[0].ubr == 2314u);
  CHECK(w[0].display_version == "24H2");
  CHECK(w[0].arch == "x64");
  CHECK(w[0].edition == "Professional");
}

TEST_CASE("detect: a damaged SOFTWARE hive falls back to the kernel; disagreements are warnings") {
  test::TempDir t;
  std::string sys32 = t.path() + "/Windows/System32";
  test::WriteFile(sys32 + "/config/SOFTWARE", test::RandomBytes(8192, 7));
  test::WriteFile(sys32 + "/config/SYSTEM", Hive(SystemSpec("x86")));
  test::WriteFile(sys32 + "/ntoskrnl.exe", "MZ not really a kernel");
  test::WriteFile(sys32 + "/kernel32.dll", fixtures::MakePe("x64", 6, 1, 7601, 17514));
  std::vector<WindowsInstall> w = Detect(t.path());
  REQUIRE(w.size() == 1);
  CHECK(w[0].build == 7601);  // from kernel32.dll
  CHECK(w[0].version == "6.1");
  CHECK(w[0].kernel_image == "kernel32.dll");
  CHECK(w[0].arch == "x86");  // the registry wins, and the disagreement is said
  std::string all;
  for (const std::string& s : w[0].warnings) all += s + "\n";
  CHECK(all.find("SOFTWARE hive unreadable") != std::string::npos);
  CHECK(all.find("ntoskrnl.exe is not a valid PE image") != std::string::npos);
  CHECK(all.find("registry says x86 but kernel32.dll is x64") != std::string::npos);
}

TEST_CASE("detect: a build mismatch between registry and kernel is a warning; no hives, no Windows") {
  test::TempDir t;
  std::string sys32 = t.path() + "/Windows/System32";
  test::WriteFile(sys32 + "/config/SOFTWARE", Hive(kCv + "CurrentVersion\tsz\t6.1\n" + kCv + "CurrentBuildNumber\tsz\t7601\n"));
  test::WriteFile(sys32 + "/ntoskrnl.exe", fixtures::MakePe("x64", 6, 1, 7600, 16385));
  test::WriteFile(t.path() + "/Other/System32/ntoskrnl.exe", fixtures::MakePe("x64", 6, 1, 7600, 16385));
  std::vector<WindowsInstall> w = Detect(t.path());
  REQUIRE(w.size() == 1);  // "Other" has no SOFTWARE hive
  CHECK(w[0].build == 7601);
  bool warned = false;
  for (const std::string& s : w[0].warnings) warned |= s.find("is 6.1.7600.16385") != std::string::npos;
  CHECK(warned);
}

}  // namespace
}  // namespace lifeboat
